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
from ._json_fast import VendorColumns
from .formats import JSON_TIME_ZONES
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


def build_desk_chain(read: VendorColumns, name: str, wide_threshold: float
                     ) -> pd.DataFrame | None:
    """The canonical chain of an options-desk JSON file, or None (the general path decides).

    Parameters
    ----------
    read
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

    spec, n, arrays, scalars, targets = read.spec, read.rows, read.arrays, read.scalars, \
        read.targets
    if spec.name != FORMAT or n == 0:
        return None
    canonical = {c for c in targets if not c.startswith(C.VENDOR_PREFIX)}
    if not _REQUIRED <= canonical <= _REQUIRED | _OPTIONAL:
        return None
    if targets[C.CONTRACT_SYMBOL] not in arrays or targets[C.RIGHT] not in arrays:
        return None
    floats = {}
    for col in _FLOATS:
        values = _floats(read, col) if col in targets else np.full(n, np.nan)
        if values is None:
            return None
        floats[col] = values
    for col, positive, _ in RANGES:
        checked = floats.get(col)
        if checked is not None and (checked <= 0 if positive else checked < 0).any():
            return None
    underlying = scalars.get(targets[C.UNDERLYING])
    stamp = scalars.get(targets[C.QUOTE_TIME])
    if type(underlying) is not str or type(stamp) is not str or \
            _UNDERLYING.fullmatch(underlying) is None:
        return None
    underlying = underlying.lstrip("^_").upper()
    fields = _symbol_fields(arrays[targets[C.CONTRACT_SYMBOL]])
    if fields is None:
        return None
    symbols, head_codes, heads, strike = fields
    roots, rights_of_head = [h[:-7] for h in heads], [h[-1] for h in heads]
    side = arrays[targets[C.RIGHT]]
    right = np.array(rights_of_head, dtype=object)[head_codes]
    given = pd.Series(np.where(pd.isna(side), right, side), dtype=object)
    try:
        rights = general._rights(given, name, 0)
        when = quote_times(pd.Series([stamp], dtype=object), read.clock,
                           tz=JSON_TIME_ZONES.get(spec.name, clock.EXCHANGE_TZ), source=name,
                           row_base=0).asi8
    except VolscreenError:
        return None
    if not (rights == right).all() or len(set(symbols.tolist())) < n:  # rebuilt, duplicate
        return None
    # per distinct head: expiry, settlement (roots are plain upper-case text, as
    # clock.settlement_style reads them) and the ranks of root and right among theirs
    days = _yymmdd_days([h[-7:-1] for h in heads])
    if np.isnat(days).any():
        return None
    settlement = [C.AM if r in clock.AM_SETTLED_ROOTS else C.PM for r in roots]
    settle = clock.settlement_instant(pd.DatetimeIndex(days), np.array(settlement, dtype=object)
                                      ).asi8
    root_rank = {r: i for i, r in enumerate(sorted(set(roots)))}
    # SORT_KEYS: underlying and quote time are one value each; then expiry, strike,
    # right, root (np.lexsort: the last key is the primary one; stable)
    order = np.lexsort((np.array([root_rank[r] for r in roots])[head_codes],
                        np.array([r == C.PUT for r in rights_of_head])[head_codes],
                        strike, days.view(np.int64)[head_codes]))
    head_codes, strike = head_codes[order], strike[order]
    floats = {col: values[order] for col, values in floats.items()}
    quote_ns = np.full(n, when[0], dtype=np.int64)
    mid, spread, spread_pct, code = quote_arrays(floats[C.BID], floats[C.ASK], strike,
                                                 settle[head_codes], quote_ns, wide_threshold)
    out = {
        C.UNDERLYING: pd.array([underlying], dtype="str").take(np.zeros(n, dtype=np.intp)),
        C.ROOT: pd.array(roots, dtype="str").take(head_codes),
        C.CONTRACT_SYMBOL: pd.array(symbols[order], dtype="str"),
        C.QUOTE_TIME: pd.DatetimeIndex(quote_ns.astype("datetime64[ns]")).tz_localize("UTC"),
        C.EXPIRY: days[head_codes],
        C.SETTLEMENT: pd.array(settlement, dtype="str").take(head_codes),
        C.STRIKE: strike,
        C.RIGHT: pd.array(rights_of_head, dtype="str").take(head_codes),
        C.BID: floats[C.BID], C.ASK: floats[C.ASK], C.LAST: floats[C.LAST],
        C.VOLUME: floats[C.VOLUME], C.OPEN_INTEREST: floats[C.OPEN_INTEREST],
        C.UNDERLYING_PRICE: floats[C.UNDERLYING_PRICE],
        C.MULTIPLIER: np.full(n, DEFAULT_MULTIPLIER),
        C.MID: mid, C.SPREAD: spread, C.SPREAD_PCT: spread_pct,
        C.QUOTE_STATUS: status_text(code),
    }
    for col, raw in targets.items():
        if not col.startswith(C.VENDOR_PREFIX):
            continue
        values = arrays.get(raw)
        if values is None:  # a document value on every row: a number, else the general path
            number = _number(scalars[raw])
            if number is None:
                return None
            out[col] = np.full(n, number)
        elif values.dtype == np.float64:
            out[col] = values[order]
        else:
            out[col] = general._normalise_vendor(pd.Series(values, dtype=object), col
                                                 ).array.take(order)
    frame = pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)  # new arrays: no copy
    counts = dict(zip(STATUS_ORDER, np.bincount(code, minlength=len(STATUS_ORDER)).tolist()))
    frame.attrs = {
        "source": name,
        "format": spec.name,
        "quote_status_counts": {status: counts.get(status, 0) for status in C.QUOTE_STATUSES},
        "duplicates_dropped": 0,
    }
    return frame


def _number(value: object) -> float | None:
    """A document number (or null: NaN) as its broadcast column reads; None if not a number."""
    if value is None:
        return np.nan
    return float(value) if type(value) in (float, int) else None  # type: ignore[arg-type]


def _floats(read: VendorColumns, col: str) -> np.ndarray | None:
    """A price/size column as float64; None if not numbers or infinite (an error)."""
    raw = read.targets[col]
    values = read.arrays.get(raw)
    if values is None:
        number = _number(read.scalars[raw])
        values = None if number is None else np.full(read.rows, number)
    if values is None or values.dtype != np.float64 or np.isinf(values).any():
        return None
    return values


_Fields = tuple[np.ndarray, np.ndarray, list[str], np.ndarray]


def _symbol_fields(symbols: np.ndarray) -> _Fields | None:
    """Compact upper-case OCC symbols: (symbols, head codes, heads, strikes).

    A head is a symbol's root, YYMMDD and right; each distinct head and strike
    is checked and parsed once.  None when a symbol is not text in that form
    or a strike cannot be written in a symbol.
    """
    try:
        head_codes, heads = pd.factorize(np.array([s[:-8] for s in symbols], dtype=object))
        tail_codes, tails = pd.factorize(np.array([s[-8:] for s in symbols], dtype=object))
    except TypeError:  # a missing symbol
        return None
    heads, tails = heads.tolist(), tails.tolist()
    if not all(_HEAD.fullmatch(h) for h in heads) or \
            not all(_DIGITS.fullmatch(t) for t in tails):
        return None
    strike = np.array([int(t) / OCC_STRIKE_SCALE for t in tails])[tail_codes]
    if not occ_strike_ok(strike).all():
        return None
    return symbols, head_codes, heads, strike
