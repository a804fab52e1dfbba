"""Time to expiry on the exchange clock.

Conventions
-----------
* ``t`` (years) = minutes from the quote time to the settlement instant
  / 525,600 (a 365-day year of minutes, as in the Cboe VIX methodology).
  Minutes are exact (fractions of a minute count), so ``t`` is continuous.
* Settlement instant: 16:00 America/New_York on the expiry date for
  PM-settled options (equity and ETF options, weeklies, SPXW/RUTW/NDXP),
  09:30 America/New_York for AM-settled index options (standard monthly SPX,
  RUT, NDX, DJX, and VIX options, settled on the opening print).
* Nothing here uses the machine's local time zone: naive timestamps are
  interpreted in the zone the caller names (New York by default).
* 0DTE rows (quote date in New York equal to the expiry date) are kept;
  :func:`is_0dte` flags them.

Known limitations (documented, not handled): exchange holidays that move a
settlement to the previous session (e.g. a Good Friday expiry), and early
closes (13:00 ET) which shorten the last day by three hours.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from . import columns as C
from ._typing import FloatArray

EXCHANGE_TZ = "America/New_York"
MINUTES_PER_YEAR = 525_600.0
"""Minutes in a 365-day year: the denominator of ``t``."""
PM_SETTLEMENT_TIME = pd.Timedelta(hours=16)
AM_SETTLEMENT_TIME = pd.Timedelta(hours=9, minutes=30)
MARKET_CLOSE = PM_SETTLEMENT_TIME

_NAT = np.iinfo(np.int64).min
"""NaT as int64 nanoseconds."""
_NS_PER_DAY = 86_400 * 10**9
_SETTLE_CACHE: dict[int, int] = {}
"""Settlement wall-clock time in New York (ns) -> UTC instant (ns): each localized once."""
_SETTLE_CACHE_SIZE = 100_000

AM_SETTLED_ROOTS = frozenset({"SPX", "RUT", "NDX", "DJX", "VIX", "MXEA", "MXEF", "XND"})
"""Option roots whose standard (monthly) series settle on the opening print.

Their weekly/PM twins (SPXW, RUTW, NDXP, VIXW, ...) settle at the close."""


def settlement_style(root: Iterable[object] | pd.Series) -> np.ndarray:
    """Infer ``"AM"``/``"PM"`` settlement from option roots.

    Parameters
    ----------
    root
        Option root symbols (``"SPX"``, ``"SPXW"``, ``"IWM"``, ...).

    Returns
    -------
    numpy.ndarray of str
        ``"AM"`` for roots in :data:`AM_SETTLED_ROOTS`, ``"PM"`` otherwise
        (including missing roots).
    """
    roots = pd.Series(list(root) if not isinstance(root, pd.Series) else root, dtype=object)
    upper = roots.astype(str).str.strip().str.upper()
    return np.where(upper.isin(AM_SETTLED_ROOTS), C.AM, C.PM).astype(object)


def to_utc(values: object, tz: str = EXCHANGE_TZ) -> pd.DatetimeIndex:
    """Parse timestamps to tz-aware UTC.

    Naive values are interpreted in ``tz`` (New York unless told otherwise);
    aware values are converted.  A date without a time means the official
    close of that day (16:00 New York) when ``tz`` is the exchange zone.

    Parameters
    ----------
    values
        Scalar or array-like of strings, datetimes or Timestamps.
    tz
        IANA zone for naive values.

    Returns
    -------
    pandas.DatetimeIndex
        tz-aware, UTC.
    """
    idx = _datetime_index(values)
    if idx.tz is None:
        idx = idx.tz_localize(tz)
    return idx.tz_convert("UTC").as_unit("ns")


def _datetime_index(values: object) -> pd.DatetimeIndex:
    """DatetimeIndex of ``values``; datetime64 arrays and columns skip the text parser."""
    if isinstance(values, (np.ndarray, pd.Series, pd.Index, pd.arrays.DatetimeArray)):
        dtype = values.dtype
        if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype)
                                                     and dtype.kind == "M"):
            return pd.DatetimeIndex(np.atleast_1d(values) if isinstance(values, np.ndarray)
                                    else values)
    return pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(np.asarray(values, dtype=object)),
                                           format="mixed"))


def _utc_nanoseconds(values: object) -> np.ndarray:
    """UTC nanoseconds (int64, NaT the smallest int64) of timestamps, as ``to_utc(values).asi8``.

    A tz-aware column already holds UTC instants: no conversion is built.
    """
    if isinstance(values, pd.arrays.DatetimeArray) and isinstance(values.dtype, pd.DatetimeTZDtype):
        return np.asarray(cast(Any, values).as_unit("ns").asi8)
    if isinstance(values, (pd.Series, pd.Index)) and isinstance(values.dtype, pd.DatetimeTZDtype):
        return np.asarray(cast(Any, values.array).as_unit("ns").asi8)
    return to_utc(values).asi8


def _dates(values: object) -> pd.DatetimeIndex:
    return _datetime_index(values).as_unit("ns")


def settlement_instant(expiry: object, settlement: object = C.PM) -> pd.DatetimeIndex:
    """Settlement instants (UTC) for expiry dates and settlement styles.

    Parameters
    ----------
    expiry
        Expiry dates (anything :func:`pandas.to_datetime` reads; any time of
        day is discarded).
    settlement
        ``"AM"``/``"PM"`` scalar or array broadcastable to ``expiry``.

    Returns
    -------
    pandas.DatetimeIndex
        tz-aware UTC: 09:30 (AM) or 16:00 (PM) New York on the expiry date,
        daylight saving time applied for that date.
    """
    days = _dates(expiry)
    if days.tz is not None:
        days = days.tz_localize(None)
    utc = _settlement_ns(days.asi8, settlement)
    return pd.DatetimeIndex(utc.view("datetime64[ns]")).tz_localize("UTC")


def _wall_ns(expiry: object) -> np.ndarray:
    """Wall-clock nanoseconds (int64, NaT the smallest int64) of expiry dates, as
    ``_dates(expiry)`` without its zone; a naive datetime64[ns] column is read as stored."""
    values = expiry.array if isinstance(expiry, (pd.Series, pd.Index)) else expiry
    if isinstance(values, pd.arrays.DatetimeArray) and values.dtype == _NS:
        return np.asarray(cast(Any, values).asi8)
    days = _dates(expiry)
    if days.tz is not None:
        days = days.tz_localize(None)
    return np.asarray(days.asi8)


_NS = np.dtype("datetime64[ns]")


def _settlement_ns(stamps: np.ndarray, settlement: object) -> np.ndarray:
    """UTC nanoseconds of the settlement instants of expiry dates given as wall-clock ns."""
    nat = stamps == _NAT
    style = np.broadcast_to(np.asarray(settlement, dtype=object), stamps.shape)
    offset = np.where(style == C.AM, AM_SETTLEMENT_TIME.value, PM_SETTLEMENT_TIME.value)
    local = np.where(nat, _NAT, stamps - stamps % _NS_PER_DAY + offset)
    # a chain has a few distinct (date, style) pairs: localize those (once per process)
    pair, inverse = np.unique(local, return_inverse=True)
    utc = np.array([_SETTLE_CACHE.get(int(v), _NAT) for v in pair], dtype=np.int64)
    todo = (utc == _NAT) & (pair != _NAT)
    if todo.any():
        fresh = pd.DatetimeIndex(pair[todo].view("datetime64[ns]")).tz_localize(
            EXCHANGE_TZ).tz_convert("UTC").as_unit("ns").asi8
        utc[todo] = fresh
        if len(_SETTLE_CACHE) > _SETTLE_CACHE_SIZE:
            _SETTLE_CACHE.clear()
        _SETTLE_CACHE.update(zip(pair[todo].tolist(), fresh.tolist()))
    return utc[inverse.reshape(-1)]


def year_fraction(quote_time: object, expiry: object, settlement: object = C.PM) -> FloatArray:
    """Time to expiry in years on the minute clock.

    Parameters
    ----------
    quote_time
        tz-aware timestamps (or naive New York times), scalar or array.
    expiry
        Expiry dates, scalar or array.
    settlement
        ``"AM"``/``"PM"``, scalar or array.

    Returns
    -------
    numpy.ndarray of float
        ``(settlement instant - quote time)`` in minutes / 525,600.  Zero or
        negative for expired options (callers flag these, they are not
        clipped).

    Examples
    --------
    >>> float(year_fraction("2026-02-02 16:00", "2026-02-03")) * 365
    1.0
    """
    settle = _settlement_ns(_wall_ns(expiry), settlement)
    quoted = _utc_nanoseconds(quote_time)
    if len(quoted) == 1 and len(settle) > 1:
        quoted = np.repeat(quoted, len(settle))
    minutes = (settle - quoted) / 60e9
    return np.asarray(minutes / MINUTES_PER_YEAR, dtype=np.float64)


def new_york_date(quote_time: object) -> pd.DatetimeIndex:
    """Calendar date (naive, midnight) of each timestamp in New York."""
    return to_utc(quote_time).tz_convert(EXCHANGE_TZ).tz_localize(None).normalize()


def days_to_expiry(quote_time: object, expiry: object) -> np.ndarray:
    """Calendar days from the New York quote date to the expiry date (int)."""
    quoted = new_york_date(quote_time)
    days = _dates(expiry)
    if len(quoted) == 1 and len(days) > 1:
        quoted = pd.DatetimeIndex(np.repeat(quoted, len(days)))
    return np.asarray((days.normalize() - quoted).days, dtype=np.int64)


def is_0dte(quote_time: object, expiry: object) -> np.ndarray:
    """True where the option expires on the quote's New York calendar day."""
    return days_to_expiry(quote_time, expiry) == 0
