"""Vendor JSON chains built whole from their quote columns: a checked shortcut.

After :func:`~volscreen.loaders._json_fast.read_vendor_json`, an
options-desk chain (quotes with compact OCC symbols) or a Cboe snapshot
(expiry, strike and type per quote) holds one time stamp, one underlying
and float prices.  The general path's steps then reduce to array work:
fields parsed once per distinct symbol head and strike (or expiry text),
rows ordered on codes, the quote status from
:func:`~volscreen.loaders.quotes.quote_arrays`, the frame built once.

:func:`build_chain` gives the frame :func:`~volscreen.loaders.load_chain`
gives, or None whenever a rule of the general path could act differently
(an error, a fill, a rebuilt symbol, a duplicate): then the general path
carries on with the same columns.
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .. import clock
from .. import columns as C
from ..errors import VolscreenError
from ._canonical_frame import _frame, _status_text, _text_vendor
from ._chain_rules import DEFAULT_MULTIPLIER, RANGES
from ._json_fast import VendorColumns
from .formats import JSON_TIME_ZONES
from .occ import OCC_MAX_ROOT, OCC_STRIKE_SCALE, _yymmdd_days, occ_strike_ok, occ_symbol
from .quotes import STATUS_ORDER, quote_arrays
from .quotetime import quote_times

DESK, CBOE = "options_desk_json", "cboe_snapshot_json"
_REQUIRED = {
    DESK: frozenset({C.UNDERLYING, C.QUOTE_TIME, C.CONTRACT_SYMBOL, C.RIGHT, C.BID, C.ASK}),
    CBOE: frozenset({C.UNDERLYING, C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK}),
}
"""Canonical columns each format must map (the builder's layouts)."""
_OPTIONAL = frozenset({C.UNDERLYING_PRICE, C.LAST, C.VOLUME, C.OPEN_INTEREST, C.MID})
"""Canonical columns the shortcut takes (``mid`` is recomputed, as on the general path)."""
_FLOATS = (C.BID, C.ASK, C.LAST, C.VOLUME, C.OPEN_INTEREST, C.UNDERLYING_PRICE)
_HEAD = re.compile(r"[A-Z0-9.]{1,6}[0-9]{6}[CP]")
"""A compact symbol's root, YYMMDD and right, as written (upper case, no blanks)."""
_DIGITS = re.compile(r"[0-9]{8}")
_UNDERLYING = re.compile(r"[\^_]*[A-Za-z0-9.]+")
"""An underlying whose strip/lstrip('^_')/upper is the same in Python and pandas."""


class _Rows(NamedTuple):
    """A chain's identity columns, already in the final row order."""

    order: np.ndarray
    root: pd.api.extensions.ExtensionArray
    symbol: pd.api.extensions.ExtensionArray
    expiry: np.ndarray
    settlement: pd.api.extensions.ExtensionArray
    strike: np.ndarray
    right: pd.api.extensions.ExtensionArray
    settle_ns: np.ndarray


def build_chain(read: VendorColumns, name: str, wide_threshold: float) -> pd.DataFrame | None:
    """The canonical chain of an options-desk or Cboe snapshot JSON file, or None.

    None: a rule of the general path could act differently on these columns
    (an error, a fill, a rebuilt symbol, a duplicate, a value that is not a
    plain number or text); the general path then decides.

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

    spec, n, targets = read.spec, read.rows, read.targets
    required = _REQUIRED.get(spec.name)
    canonical = {c for c in targets if not c.startswith(C.VENDOR_PREFIX)}
    if n == 0 or required is None or not required <= canonical <= required | _OPTIONAL or \
            C.VENDOR_SYMBOL in targets:  # vendor symbols: roots may come from them
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
    underlying = read.scalars.get(targets[C.UNDERLYING])
    stamp = read.scalars.get(targets[C.QUOTE_TIME])
    if type(underlying) is not str or type(stamp) is not str or \
            _UNDERLYING.fullmatch(underlying) is None:
        return None
    underlying = underlying.lstrip("^_").upper()
    try:
        when = quote_times(pd.Series([stamp], dtype=object), read.clock,
                           tz=JSON_TIME_ZONES.get(spec.name, clock.EXCHANGE_TZ), source=name,
                           row_base=0).asi8
        rows = _desk_rows(read, general, name) if spec.name == DESK else \
            _cboe_rows(read, general, name, underlying)
    except VolscreenError:
        return None
    if rows is None:
        return None
    order = rows.order
    floats = {col: values[order] for col, values in floats.items()}
    quote_ns = np.full(n, when[0], dtype=np.int64)
    mid, spread, spread_pct, code = quote_arrays(floats[C.BID], floats[C.ASK], rows.strike,
                                                 rows.settle_ns, quote_ns, wide_threshold)
    out = {
        C.UNDERLYING: _text_by_code([underlying], np.zeros(n, dtype=np.intp)),
        C.ROOT: rows.root,
        C.CONTRACT_SYMBOL: rows.symbol,
        C.QUOTE_TIME: pd.DatetimeIndex(quote_ns.astype("datetime64[ns]")).tz_localize("UTC").array,
        C.EXPIRY: rows.expiry,
        C.SETTLEMENT: rows.settlement,
        C.STRIKE: rows.strike,
        C.RIGHT: rows.right,
        C.BID: floats[C.BID], C.ASK: floats[C.ASK], C.LAST: floats[C.LAST],
        C.VOLUME: floats[C.VOLUME], C.OPEN_INTEREST: floats[C.OPEN_INTEREST],
        C.UNDERLYING_PRICE: floats[C.UNDERLYING_PRICE],
        C.MULTIPLIER: np.full(n, DEFAULT_MULTIPLIER),
        C.MID: mid, C.SPREAD: spread, C.SPREAD_PCT: spread_pct,
        C.QUOTE_STATUS: _status_text(code),
    }
    for col, raw in targets.items():
        if not col.startswith(C.VENDOR_PREFIX):
            continue
        values = read.arrays.get(raw)
        if values is None:  # a document value on every row: a number, else the general path
            number = _number(read.scalars[raw])
            if number is None:
                return None
            out[col] = np.full(n, number)
        elif values.dtype == np.float64:
            out[col] = values[order]
        elif _text_vendor(values, col):  # normalise_vendor: text as it reads (None: NaN)
            out[col] = pd.array(values[order], dtype="str")
        else:
            out[col] = general._normalise_vendor(pd.Series(values, dtype=object), col
                                                 ).array.take(order)
    frame = _frame(list(out.values()), list(out), n)  # new arrays: no copy
    counts = dict(zip(STATUS_ORDER, np.bincount(code, minlength=len(STATUS_ORDER)).tolist()))
    frame.attrs = {
        "source": name,
        "format": spec.name,
        "quote_status_counts": {status: counts.get(status, 0) for status in C.QUOTE_STATUSES},
        "duplicates_dropped": 0,
    }
    return frame


def _desk_rows(read: VendorColumns, general: Any, name: str) -> _Rows | None:
    """Options-desk rows: every field from the compact OCC symbols, kept as read.

    None when a side contradicts its symbol (the general path rebuilds it) or
    a symbol repeats.
    """
    fields = _symbol_fields(read.arrays.get(read.targets[C.CONTRACT_SYMBOL]))
    side = read.arrays.get(read.targets[C.RIGHT])
    if fields is None or side is None:
        return None
    symbols, head_codes, heads, strike = fields
    roots, rights_of_head = [h[:-7] for h in heads], [h[-1] for h in heads]
    right = np.array(rights_of_head, dtype=object)[head_codes]
    given = pd.Series(np.where(pd.isna(side), right, side), dtype=object)
    rights = general._rights(given, name, 0)
    if not (rights == right).all() or len(set(symbols.tolist())) < len(symbols):
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
    codes = head_codes[order]
    return _Rows(order, _text_by_code(roots, codes), pd.array(symbols[order], dtype="str"),
                 days[codes], _text_by_code(settlement, codes), strike[order],
                 _text_by_code(rights_of_head, codes), settle[codes])


def _cboe_rows(read: VendorColumns, general: Any, name: str, underlying: str) -> _Rows | None:
    """Cboe snapshot rows: expiry, strike and right as given, the root is the underlying.

    None when a strike cannot be written in a symbol (a ``bad_strike`` row),
    the root is too long for one, or a contract repeats.
    """
    n = read.rows
    expiry_text = read.arrays.get(read.targets[C.EXPIRY])
    side = read.arrays.get(read.targets[C.RIGHT])
    strike = _floats(read, C.STRIKE)
    if expiry_text is None or side is None or strike is None or \
            not occ_strike_ok(strike).all() or len(underlying) > OCC_MAX_ROOT:
        return None
    expiry = general._parse_dates(pd.Series(expiry_text, dtype=object), C.EXPIRY, name, 0)
    expiry = expiry.as_unit("ns").to_numpy()
    rights = general._rights(pd.Series(side, dtype=object), name, 0)
    roots = np.full(n, underlying, dtype=object)
    symbols = occ_symbol(roots, expiry, rights, strike)
    if len(set(symbols.tolist())) < n:
        return None
    settlement = C.AM if underlying in clock.AM_SETTLED_ROOTS else C.PM
    settle = clock.settlement_instant(pd.DatetimeIndex(expiry),
                                      np.full(n, settlement, dtype=object)).asi8
    is_put = (rights == C.PUT).astype(np.intp)  # every right is C or P (_rights)
    order = np.lexsort((is_put, strike, expiry.view(np.int64)))
    first = np.zeros(n, dtype=np.intp)
    return _Rows(order, _text_by_code([underlying], first), pd.array(symbols[order], dtype="str"),
                 expiry[order], _text_by_code([settlement], first), strike[order],
                 _text_by_code([C.CALL, C.PUT], is_put[order]), settle[order])


def _text_by_code(words: list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``pd.array(words, dtype="str").take(codes)``, taken in Arrow when text is stored there."""
    if pd.StringDtype().storage != "pyarrow":
        return pd.array(words, dtype="str").take(codes)
    import pyarrow as pa

    taken = pa.array(words, type=pa.large_string()).take(codes)
    return pd.arrays.ArrowStringArray(  # type: ignore[call-arg]  # the stubs lag pandas 3
        pa.chunked_array([taken]), dtype=pd.StringDtype("pyarrow", na_value=np.nan))


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


def _symbol_fields(symbols: np.ndarray | None) -> _Fields | None:
    """Compact upper-case OCC symbols: (symbols, head codes, heads, strikes).

    A head is a symbol's root, YYMMDD and right; each distinct head and strike
    is checked and parsed once.  None when a symbol is not text in that form
    or a strike cannot be written in a symbol.
    """
    if symbols is None:  # a document value, not a quote field
        return None
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
