"""IV rank and IV percentile of a daily series (pure functions, no SQLite).

Conventions
-----------
* The **window** is the ``window`` sessions before the ranked date, taken as
  a calendar span of ``ceil(window * 365 / 252)`` days (252 sessions = 365
  days), so exchange holidays need no calendar and a stale history does not
  reach back years to fill its count.  The ranked date itself is not part of
  the window.  Dates in the span with no (finite) value are gaps: they reduce
  ``n_obs`` and are never filled.
* **IV rank** = 100 (x - min) / (max - min), where min and max run over the
  window's observations *and today's value* (the market-standard IV rank, so
  it lies in [0, 100]).
* **IV percentile** = 100 #{window observations strictly below x} / N, with
  N = ``n_obs``, the window's observations (today excluded).  Ties with today
  do not count as below.
* Status codes (``columns.RANK_STATUSES``), checked in this order:
  ``no_value_today`` (no finite value on the ranked date: rank and percentile
  NaN), ``too_few_obs`` (``n_obs < min_obs``; default 60: both NaN, never a
  rank from a handful of days), ``flat`` (max == min: rank NaN, percentile 0
  because nothing is strictly below), ``ok``.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import columns as C
from ._typing import DateLike
from .errors import ConfigError

SESSIONS_PER_YEAR = 252
"""Sessions in a year: a window of 252 sessions spans 365 calendar days."""
CALENDAR_DAYS_PER_YEAR = 365
DEFAULT_WINDOW = 252
DEFAULT_MIN_OBS = 60
"""Fewer previous observations than this give status ``too_few_obs``."""


@dataclasses.dataclass(frozen=True)
class RankResult:
    """Rank and percentile of one value against its own history.

    Attributes
    ----------
    series, underlying
        What was ranked (``underlying`` is ``None`` for a bare series).
    on
        The ranked session date.
    value
        The series' value on ``on`` (NaN when absent).
    rank, percentile
        On a 0-100 scale; NaN with the reason in ``status``.
    n_obs
        Observations in the window, today excluded (the N of the percentile).
    window
        The window length in sessions; ``window_start`` / ``window_end`` are
        the first and last dates that have an observation in it (``None``
        when it is empty).
    low, high
        min and max over the window and today.
    status
        One of ``columns.RANK_STATUSES``.
    kind, proxy_of
        ``"own"`` or ``"proxy"`` and, for proxy data, the index it came from;
        ``None`` for a bare series.
    """

    series: str
    underlying: str | None
    on: pd.Timestamp | None
    value: float
    rank: float
    percentile: float
    n_obs: int
    window: int
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    low: float
    high: float
    status: str
    kind: str | None = None
    proxy_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with ISO dates (for JSON export)."""
        out = dataclasses.asdict(self)
        for key in ("on", "window_start", "window_end"):
            if out[key] is not None:
                out[key] = out[key].date().isoformat()
        return out


def window_days(window: int) -> int:
    """Calendar days spanned by ``window`` sessions: ceil(window * 365 / 252)."""
    return math.ceil(window * CALENDAR_DAYS_PER_YEAR / SESSIONS_PER_YEAR)


def _clean(values: pd.Series, name: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise ConfigError(f"{name}: expected a pandas Series indexed by date")
    try:
        index = pd.DatetimeIndex(values.index)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: index must hold dates ({exc})") from None
    if index.tz is not None:
        index = index.tz_localize(None)
    try:
        data = pd.to_numeric(pd.Series(values.to_numpy(), index=index.normalize()))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: values must be numeric ({exc})") from None
    if data.index.has_duplicates:
        dup = data.index[data.index.duplicated()][0]
        raise ConfigError(f"{name}: date {dup.date()} appears more than once")
    return data.astype("float64").sort_index()


def rank_series(
    values: pd.Series,
    on: DateLike | None = None,
    *,
    window: int = DEFAULT_WINDOW,
    min_obs: int = DEFAULT_MIN_OBS,
    series: str | None = None,
    underlying: str | None = None,
    kind: str | None = None,
    proxy_of: str | None = None,
) -> RankResult:
    """Rank and percentile of the value on ``on`` within its previous window.

    Parameters
    ----------
    values
        Daily series indexed by date (one value per session; NaN = no value).
        Not modified.
    on
        Date to rank; default the last date of ``values``.
    window
        Sessions before ``on`` to compare with (calendar span
        :func:`window_days`).
    min_obs
        Minimum previous observations for a rank; fewer give ``too_few_obs``.
    series, underlying, kind, proxy_of
        Labels copied into the result.

    Returns
    -------
    RankResult

    Notes
    -----
    With x today's value, P the finite values in [on - window_days, on):
    rank = 100 (x - min(P ∪ {x})) / (max(P ∪ {x}) - min(P ∪ {x})),
    percentile = 100 |{p in P : p < x}| / |P|.
    """
    if window < 1:
        raise ConfigError(f"window must be at least 1 session, got {window}")
    if min_obs < 1 or min_obs > window:
        raise ConfigError(f"min_obs must be between 1 and window ({window}), got {min_obs}")
    name = series or (str(values.name) if values.name is not None else "series")
    data = _clean(values, name)
    if on is None:
        if data.empty:
            day = None
        else:
            day = data.index[-1]
    else:
        day = pd.Timestamp(on)
        day = (day.tz_localize(None) if day.tz is not None else day).normalize()
    nan = float("nan")
    if day is None:
        return RankResult(name, underlying, None, nan, nan, nan, 0, window, None, None,
                          nan, nan, C.RS_NO_VALUE_TODAY, kind, proxy_of)
    start = day - pd.Timedelta(days=window_days(window))
    past = data[(data.index >= start) & (data.index < day)].dropna()
    n_obs = int(past.size)
    first = past.index[0] if n_obs else None
    last = past.index[-1] if n_obs else None
    value = float(data.get(day, nan))
    base = dict(series=name, underlying=underlying, on=day, value=value, n_obs=n_obs,
                window=window, window_start=first, window_end=last, kind=kind,
                proxy_of=proxy_of)
    if not np.isfinite(value):
        return RankResult(**base, rank=nan, percentile=nan, low=nan, high=nan,
                          status=C.RS_NO_VALUE_TODAY)
    prev = past.to_numpy()
    low = float(min(prev.min(), value)) if n_obs else value
    high = float(max(prev.max(), value)) if n_obs else value
    if n_obs < min_obs:
        return RankResult(**base, rank=nan, percentile=nan, low=low, high=high,
                          status=C.RS_TOO_FEW_OBS)
    percentile = 100.0 * float(np.count_nonzero(prev < value)) / n_obs
    if high == low:
        return RankResult(**base, rank=nan, percentile=percentile, low=low, high=high,
                          status=C.RS_FLAT)
    rank = 100.0 * ((value - low) / (high - low))
    return RankResult(**base, rank=rank, percentile=percentile, low=low, high=high,
                      status=C.RS_OK)


def rank_history(
    values: pd.Series,
    *,
    window: int = DEFAULT_WINDOW,
    min_obs: int = DEFAULT_MIN_OBS,
) -> pd.DataFrame:
    """Rank and percentile on every date of ``values`` (same rules as :func:`rank_series`).

    Returns
    -------
    pandas.DataFrame
        Indexed by date, columns ``value``, ``rank``, ``percentile``,
        ``n_obs``, ``window_start``, ``window_end``, ``rank_status``.
    """
    if window < 1:
        raise ConfigError(f"window must be at least 1 session, got {window}")
    if min_obs < 1 or min_obs > window:
        raise ConfigError(f"min_obs must be between 1 and window ({window}), got {min_obs}")
    data = _clean(values, str(values.name) if values.name is not None else "series")
    dates = data.index.to_numpy()
    vals = data.to_numpy()
    starts = np.searchsorted(dates, dates - np.timedelta64(window_days(window), "D"), "left")
    n = dates.size
    out_rank = np.full(n, np.nan)
    out_pct = np.full(n, np.nan)
    out_n = np.zeros(n, dtype=np.int64)
    first: list[pd.Timestamp | None] = [None] * n
    last: list[pd.Timestamp | None] = [None] * n
    status = np.empty(n, dtype=object)
    for i in range(n):
        prev_idx = np.arange(starts[i], i)
        prev_idx = prev_idx[np.isfinite(vals[prev_idx])]
        prev = vals[prev_idx]
        out_n[i] = prev.size
        if prev.size:
            first[i] = pd.Timestamp(dates[prev_idx[0]])
            last[i] = pd.Timestamp(dates[prev_idx[-1]])
        x = vals[i]
        if not np.isfinite(x):
            status[i] = C.RS_NO_VALUE_TODAY
            continue
        if prev.size < min_obs:
            status[i] = C.RS_TOO_FEW_OBS
            continue
        out_pct[i] = 100.0 * np.count_nonzero(prev < x) / prev.size
        low, high = min(prev.min(), x), max(prev.max(), x)
        if high == low:
            status[i] = C.RS_FLAT
            continue
        out_rank[i] = 100.0 * ((x - low) / (high - low))
        status[i] = C.RS_OK
    return pd.DataFrame(
        {
            C.RANK_VALUE: vals,
            C.RANK: out_rank,
            C.PERCENTILE: out_pct,
            C.RANK_N_OBS: out_n,
            C.WINDOW_START: pd.DatetimeIndex(first),
            C.WINDOW_END: pd.DatetimeIndex(last),
            C.RANK_STATUS: status,
        },
        index=pd.DatetimeIndex(data.index, name=C.DATE),
    )


RankKind = Literal["own", "proxy", "auto"]


def iv_rank(
    store_or_series: Any,
    underlying: str | None = None,
    *,
    on: DateLike | None = None,
    window: int = DEFAULT_WINDOW,
    series: str = C.HS_IV30,
    kind: RankKind = "auto",
    min_obs: int = DEFAULT_MIN_OBS,
) -> RankResult:
    """IV rank and IV percentile of ``series`` on ``on`` (also for rv20, bbw, ...).

    Parameters
    ----------
    store_or_series
        A :class:`~volscreen.store.HistoryStore` (then ``underlying`` is
        required) or a pandas Series of daily values indexed by date.
    underlying
        Ticker to read from the store.
    on
        Date to rank; default the last stored date of the series.
    window, min_obs
        See :func:`rank_series` (252 sessions = 365 calendar days; 60).
    series
        Stored series name (``iv30``, ``iv60``, ``mfiv30``, ``rv20``, ``bbw``, ...).
    kind
        ``"own"`` ranks our own history, ``"proxy"`` the imported proxy
        series, ``"auto"`` (default) our own unless it has no value on
        ``on`` or too few observations while the proxy has a rank: then the
        proxy's.  The result's ``kind`` / ``proxy_of`` say which was used.

    Returns
    -------
    RankResult
        See :func:`rank_series` for the definitions and status codes.
    """
    if isinstance(store_or_series, pd.Series):
        return rank_series(store_or_series, on, window=window, min_obs=min_obs,
                           series=series, underlying=underlying)
    if underlying is None:
        raise ConfigError("iv_rank: pass the underlying to read from the store")
    if kind not in ("own", "proxy", "auto"):
        raise ConfigError(f"kind must be 'own', 'proxy' or 'auto', got {kind!r}")

    def _ranked(which: str) -> RankResult:
        values = store_or_series.series(underlying, series, kind=which)
        return rank_series(values, on, window=window, min_obs=min_obs, series=series,
                           underlying=str(underlying).strip().upper(), kind=which,
                           proxy_of=values.attrs.get(C.HS_PROXY_OF))

    if kind != "auto":
        return _ranked(kind)
    own = _ranked(C.KIND_OWN)
    if own.status in (C.RS_OK, C.RS_FLAT):
        return own
    proxy = _ranked(C.KIND_PROXY)
    return proxy if proxy.status in (C.RS_OK, C.RS_FLAT) else own


def rank_table(
    store: Any,
    underlying: str,
    *,
    on: DateLike | None = None,
    series: tuple[str, ...] = (C.HS_IV30, C.HS_RV20, C.HS_BBW),
    window: int = DEFAULT_WINDOW,
    kind: RankKind = "auto",
    min_obs: int = DEFAULT_MIN_OBS,
) -> pd.DataFrame:
    """:func:`iv_rank` for several series at once, one row per series.

    Columns: ``series``, ``value``, ``rank``, ``percentile``, ``n_obs``,
    ``window_start``, ``window_end``, ``rank_status``, ``kind``, ``proxy_of``.
    """
    rows = []
    for name in series:
        res = iv_rank(store, underlying, on=on, window=window, series=name, kind=kind,
                      min_obs=min_obs)
        rows.append({C.RANK_SERIES: name, C.RANK_VALUE: res.value, C.RANK: res.rank,
                     C.PERCENTILE: res.percentile, C.RANK_N_OBS: res.n_obs,
                     C.WINDOW_START: res.window_start, C.WINDOW_END: res.window_end,
                     C.RANK_STATUS: res.status, C.HS_KIND: res.kind,
                     C.HS_PROXY_OF: res.proxy_of})
    return pd.DataFrame(rows)
