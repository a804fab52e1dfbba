"""Options-desk JSON chains built from their quote columns: a checked shortcut.

After :func:`~volscreen.loaders._json_fast.read_vendor_json` an options-desk
chain (yfinance-style quotes with OCC symbols and Cboe greeks) holds one
time stamp, one underlying, compact OCC symbols and float prices.  Then the
general path's steps reduce to array work: fields parsed once per distinct
symbol head and strike, the quote status from
:func:`~volscreen.loaders.quotes.quote_arrays`, the frame built once.

:func:`build_desk_chain` gives the frame :func:`~volscreen.loaders.load_chain`
gives, or None whenever a rule of the general path could act differently
(an error, a fill, a rebuilt symbol, a duplicate): then the general path
carries on with the same columns.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import clock
from .. import columns as C
from ..errors import VolscreenError
from ._chain_rules import DEFAULT_MULTIPLIER, RANGES
from .formats import JSON_TIME_ZONES, FormatSpec, QuoteClock
from .occ import OCC_STRIKE_SCALE, _yymmdd_days, occ_strike_ok
from .quotes import STATUS_ORDER, quote_arrays, status_text
from .quotetime import quote_times

FORMAT = "options_desk_json"
_REQUIRED = frozenset({C.UNDERLYING, C.QUOTE_TIME, C.CONTRACT_SYMBOL, C.RIGHT, C.BID, C.ASK})
_OPTIONAL = frozenset({C.UNDERLYING_PRICE, C.LAST, C.VOLUME, C.OPEN_INTEREST, C.MID})
"""Canonical columns the shortcut takes (``mid`` is recomputed, as on the general path)."""
_FLOATS = (C.BID, C.ASK, C.LAST, C.VOLUME, C.OPEN_INTEREST, C.UNDERLYING_PRICE)
_HEAD = re.compile(r"[A-Z0-9.]{1,6}[0-9]{6}[CP]")
"""A compact symbol's root, YYMMDD and right, as written (upper case, no blanks)."""
_DIGITS = re.compile(r"[0-9]{8}")
_UNDERLYING = re.compile(r"[\^_]*[A-Za-z0-9.]+")
"""An underlying whose strip/lstrip('^_')/upper is the same in Python and pandas."""


def build_desk_chain(spec: FormatSpec, columns: dict[str, pd.Series], rule: QuoteClock, n: int,
                     name: str, wide_threshold: float) -> pd.DataFrame | None:
    """The canonical chain of an options-desk JSON file, or None (the general path decides).

    Parameters
    ----------
    spec, columns, rule, n
        What :func:`~volscreen.loaders._json_fast.read_vendor_json` gave.
    name
        File name for ``attrs["source"]``.
    wide_threshold
        As :func:`~volscreen.loaders.load_chain`.

    Returns
    -------
    pandas.DataFrame or None
        Columns :data:`volscreen.columns.CHAIN_COLUMNS` then ``vendor_*``,
        sorted, RangeIndex, ``attrs`` as the general path sets them.
    """
    from . import chain as general  # chain imports this module: its helpers at call time

    if spec.name != FORMAT or n == 0:
        return None
    canonical = {c for c in columns if not str(c).startswith(C.VENDOR_PREFIX)}
    if not _REQUIRED <= canonical <= _REQUIRED | _OPTIONAL:
        return None
    floats = _floats(columns, n)
    if floats is None:
        return None
    underlying = _constant_text(columns[C.UNDERLYING])
    stamp = _constant_text(columns[C.QUOTE_TIME])
    if underlying is None or stamp is None or _UNDERLYING.fullmatch(underlying) is None:
        return None
    underlying = underlying.lstrip("^_").upper()
    fields = _symbol_fields(columns[C.CONTRACT_SYMBOL])
    if fields is None:
        return None
    symbols, roots, expiry, right, strike = fields
    side = columns[C.RIGHT].to_numpy(dtype=object)
    given = pd.Series(np.where(pd.isna(side), right, side), dtype=object)
    try:
        rights = general._rights(given, name, 0)
        when = quote_times(pd.Series([stamp], dtype=object), rule,
                           tz=JSON_TIME_ZONES.get(spec.name, clock.EXCHANGE_TZ), source=name,
                           row_base=0).asi8
    except VolscreenError:
        return None
    if not (rights == right).all() or len(set(symbols)) < n:  # a rebuilt symbol, a duplicate
        return None
    root_codes, root_names = pd.factorize(roots)
    settlement = clock.settlement_style([*root_names.tolist(), None])[root_codes].astype(object)
    settle = clock.settlement_instant(pd.DatetimeIndex(expiry), settlement).asi8
    quote_ns = np.full(n, when[0], dtype=np.int64)
    mid, spread, spread_pct, code = quote_arrays(floats[C.BID], floats[C.ASK], strike, settle,
                                                 quote_ns, wide_threshold)
    index = pd.RangeIndex(n)
    out = {
        C.UNDERLYING: pd.array([underlying], dtype="str").take(np.zeros(n, dtype=np.intp)),
        C.ROOT: pd.array(roots, dtype="str"),
        C.CONTRACT_SYMBOL: pd.array(symbols, dtype="str"),
        C.QUOTE_TIME: pd.DatetimeIndex(quote_ns.astype("datetime64[ns]")).tz_localize("UTC"),
        C.EXPIRY: expiry,
        C.SETTLEMENT: pd.array(settlement, dtype="str"),
        C.STRIKE: strike,
        C.RIGHT: pd.array(rights, dtype="str"),
        C.BID: floats[C.BID], C.ASK: floats[C.ASK], C.LAST: floats[C.LAST],
        C.VOLUME: floats[C.VOLUME], C.OPEN_INTEREST: floats[C.OPEN_INTEREST],
        C.UNDERLYING_PRICE: floats[C.UNDERLYING_PRICE],
        C.MULTIPLIER: np.full(n, DEFAULT_MULTIPLIER),
        C.MID: mid, C.SPREAD: spread, C.SPREAD_PCT: spread_pct,
        C.QUOTE_STATUS: status_text(code),
    }
    vendor = [c for c in columns if str(c).startswith(C.VENDOR_PREFIX)]
    for col in vendor:
        values = columns[col]
        out[col] = values.to_numpy() if values.dtype == np.float64 else \
            general._normalise_vendor(values, col)
    frame = general._sorted({c: pd.Series(v, index=index, copy=False) for c, v in out.items()},
                            list(C.CHAIN_COLUMNS) + vendor)
    counts = dict(zip(STATUS_ORDER, np.bincount(code, minlength=len(STATUS_ORDER)).tolist()))
    frame.attrs = {
        "source": name,
        "format": spec.name,
        "quote_status_counts": {status: counts.get(status, 0) for status in C.QUOTE_STATUSES},
        "duplicates_dropped": 0,
    }
    return frame


def _floats(columns: dict[str, pd.Series], n: int) -> dict[str, np.ndarray] | None:
    """The price/size columns as float64 (NaN where absent); None if one would be an error."""
    out = {}
    for col in _FLOATS:
        if col not in columns:
            out[col] = np.full(n, np.nan)
            continue
        series = columns[col]
        if series.dtype.kind not in "fiu":
            return None
        values = series.to_numpy(dtype=np.float64)
        if np.isinf(values).any():
            return None
        out[col] = values
    for col, positive, _ in RANGES:
        checked = out.get(col)
        if checked is not None and (checked <= 0 if positive else checked < 0).any():
            return None
    return out


def _constant_text(series: pd.Series) -> str | None:
    """The one text value of a broadcast column (None: not text, or not one value)."""
    values = series.to_numpy(dtype=object)
    first = values[0]
    if type(first) is not str or not (values == first).all():
        return None
    return first


_Fields = tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _symbol_fields(series: pd.Series) -> _Fields | None:
    """Symbols, roots, expiries, rights and strikes of compact upper-case OCC symbols.

    None when a symbol is not text in that form or its date is not a date.
    Each distinct head (root, YYMMDD, right) and strike is parsed once.
    """
    symbols = series.to_numpy(dtype=object).tolist()
    if not all(type(s) is str and len(s) > 8 for s in symbols):
        return None
    head_codes, heads = pd.factorize(np.array([s[:-8] for s in symbols], dtype=object))
    tail_codes, tails = pd.factorize(np.array([s[-8:] for s in symbols], dtype=object))
    if not all(_HEAD.fullmatch(h) for h in heads) or \
            not all(_DIGITS.fullmatch(t) for t in tails):
        return None
    days = _yymmdd_days([h[-7:-1] for h in heads])
    if np.isnat(days).any():
        return None
    strike = np.array([int(t) / OCC_STRIKE_SCALE for t in tails])[tail_codes]
    if not occ_strike_ok(strike).all():
        return None
    roots = np.array([h[:-7] for h in heads], dtype=object)[head_codes]
    right = np.array([h[-1] for h in heads], dtype=object)[head_codes]
    return symbols, roots, days[head_codes], right, strike
