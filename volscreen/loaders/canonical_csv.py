"""Canonical chain CSV files: a verified shortcut for chains already in canonical form.

Files written by :func:`~volscreen.loaders.save_chain` (or any writer of the
same columns) hold chains whose cells are already what the general pipeline
in :mod:`volscreen.loaders.chain` would produce: upper-case roots and rights
``C``/``P``, ``AM``/``PM`` settlements, OCC symbols that agree with the
root/expiry/right/strike columns, rows in order.  :func:`load_canonical_csv`
checks exactly that, vectorized, and builds the chain directly; whenever a
check fails (a symbol that disagrees, a blank cell, a text in a numeric
column, a negative price, a repeated contract, a date it does not read) it
returns ``None`` and the caller runs the general pipeline on the same table,
which produces the per-row statuses and the one-line errors.  Outputs are
identical by construction and tested (``tests/test_loaders_canonical_csv.py``).
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import clock
from .. import columns as C
from ..errors import VolscreenError
from ._chain_rules import DEFAULT_MULTIPLIER, NUMERIC, RANGES
from ._vendor import normalise_vendor
from .._chainarrays import _arrow_bytes, one_text_value
from ._canonical_frame import _frame, _status_text, _text_vendor, column_arrays
from ._canonical_text import Column, _contract_symbols, _no_missing, _text, dense_codes
from .occ import occ_strike_ok
from .quotes import STATUS_ORDER, quote_arrays
from .quotetime import quote_times

DERIVED = (C.MID, C.SPREAD, C.SPREAD_PCT, C.QUOTE_STATUS)
"""Columns the loader derives; ignored in input (always recomputed)."""
INPUT = tuple(c for c in C.CHAIN_COLUMNS if c not in DERIVED)
"""The canonical input columns, in the order :func:`save_chain` writes them."""
CSV_ROW_BASE = 2
"""File line of the first data row (the header is line 1)."""
_ISO_DAY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]00:00:00(?:\.0+)?)?")
"""An expiry as written by save_chain (``2026-07-14``) or at midnight with a time."""
_ROOT = re.compile(r"[A-Z0-9.]{1,6}")
"""A root that can head an OCC symbol."""
_OCC_YEARS = (2000, 2099)


def is_canonical_header(columns: pd.Index) -> bool:
    """True for the canonical input columns in order, the derived ones optionally, then vendor_*."""
    names = columns.tolist() if isinstance(columns, pd.Index) else list(columns)
    n = len(INPUT)
    if tuple(names[:n]) != INPUT:
        return False
    rest = names[n:]
    if tuple(rest[:len(DERIVED)]) == DERIVED:
        rest = rest[len(DERIVED):]
    return all(isinstance(c, str) and c.startswith(C.VENDOR_PREFIX) for c in rest)


def _ranks(uniques: list[str]) -> np.ndarray:
    """Sort rank of each distinct text (code point order, as pandas sorts str)."""
    ranks = np.empty(len(uniques), dtype=np.int64)
    ranks[np.argsort(np.array(uniques, dtype=object), kind="stable")] = np.arange(len(uniques))
    return ranks


def _expiry_days(uniques: list[str]) -> np.ndarray | None:
    """Distinct expiry texts as datetime64[ns] midnights, None unless all are plain ISO days."""
    days = []
    for text in uniques:
        match = _ISO_DAY.fullmatch(text)
        if match is None:
            return None
        days.append(match.group(1))
    try:
        out = np.array(days, dtype="datetime64[D]")
    except ValueError:
        return None
    years = out.astype("datetime64[Y]").astype(np.int64) + 1970
    if ((years < _OCC_YEARS[0]) | (years > _OCC_YEARS[1])).any():
        return None
    return out.astype("datetime64[ns]")


def _numbers(raw: Column) -> np.ndarray | None:
    """float64 of a numeric column (None for text, booleans and infinities)."""
    if raw.dtype.kind not in "fiu":
        return None
    values = raw.astype(np.float64, copy=False) if isinstance(raw, np.ndarray) else \
        raw.to_numpy(dtype=np.float64)  # as Series.to_numpy: a nullable NA raises
    return None if np.isinf(values).any() else values


_MEMO_SIZE = 100_000
"""Entries kept in each memo below (cleared when full)."""
_QUOTE_NS: dict[str, int] = {}
"""Quote-time text -> UTC ns under the ``exact`` rule (a pure function of the text)."""


def _quote_times(values: Column, name: str) -> pd.DatetimeIndex | None:
    """:func:`~volscreen.loaders.quotetime.quote_times` (``exact``, New York), or None on error.

    A chain file holds one quote time; its text is parsed once per process.
    """
    distinct = values[:1] if one_text_value(values) else pd.unique(values)
    single = len(distinct) == 1 and isinstance(distinct[0], str)
    known = _QUOTE_NS.get(distinct[0]) if single else None
    if known is not None:
        stamps = np.full(len(values), known, dtype=np.int64)
        return pd.DatetimeIndex(stamps.astype("datetime64[ns]")).tz_localize("UTC")
    try:
        quoted = quote_times(pd.Series(values, copy=False), "exact", tz=clock.EXCHANGE_TZ,
                             source=name,
                             row_base=CSV_ROW_BASE)
    except VolscreenError:
        return None
    if single:
        if len(_QUOTE_NS) >= _MEMO_SIZE:
            _QUOTE_NS.clear()
        _QUOTE_NS[distinct[0]] = int(quoted.asi8[0])
    return quoted


_SETTLEMENT_NS: dict[int, int] = {}
"""(expiry day ns * 2 + is AM) -> settlement instant, UTC ns (a pure function of its key)."""


def _settlement_ns(pairs: np.ndarray) -> np.ndarray:
    """:func:`volscreen.clock.settlement_instant` of ``day * 2 + is_am`` keys, memoised.

    Screening many chains of one date asks for the same few hundred
    instants again and again; each is computed (time-zone rules applied)
    once per process.
    """
    keys = pairs.tolist()
    found = {k: _SETTLEMENT_NS.get(k) for k in keys}  # a local view: safe if cleared meanwhile
    missing = [k for k, v in found.items() if v is None]
    if missing:
        todo = np.array(missing, dtype=np.int64)
        instants = clock.settlement_instant((todo // 2).astype("datetime64[ns]"),
                                            np.where(todo % 2 == 1, C.AM, C.PM)).asi8
        found.update(zip(missing, instants.tolist()))
        if len(_SETTLEMENT_NS) + len(missing) > _MEMO_SIZE:
            _SETTLEMENT_NS.clear()
        _SETTLEMENT_NS.update(zip(missing, instants.tolist()))
    return np.array([found[k] for k in keys], dtype=np.int64)


def _in_order(keys: list[np.ndarray]) -> bool:
    """True when rows are already sorted by ``keys`` (most significant first)."""
    ok = np.ones(max(len(keys[0]) - 1, 0), dtype=bool)
    for key in reversed(keys):
        ok = (key[1:] > key[:-1]) | ((key[1:] == key[:-1]) & ok)
    return bool(ok.all())


def load_canonical_csv(raw: pd.DataFrame, name: str,
                       wide_threshold: float) -> pd.DataFrame | None:
    """The canonical chain of a canonical CSV table, or None to use the general path.

    Parameters
    ----------
    raw
        The table as :func:`volscreen.loaders._io.read_csv_text` read it
        (not modified).
    name
        File name for ``attrs["source"]``.
    wide_threshold
        As in :func:`~volscreen.loaders.load_chain`.

    Returns
    -------
    pandas.DataFrame or None
        Exactly what the general pipeline returns for this table when every
        check holds: header :data:`INPUT` (then optionally :data:`DERIVED`,
        ignored) then ``vendor_*`` columns; no missing underlying, root,
        symbol, expiry, settlement, right or quote time; underlyings and roots
        already stripped and upper case; rights ``C``/``P``; settlements
        ``AM``/``PM``; numeric columns numeric, finite and in range; strikes
        writable in an OCC symbol; every ``contract_symbol`` the compact symbol
        of its row (a symbol that differs must be a compact
        upper-case OCC symbol; the row's fields then win and the file's
        symbols are kept as ``vendor_symbol``, as in the general path) and
        none repeated; expiries ``YYYY-MM-DD``
        (a midnight time allowed) in 2000-2099; quote times readable.
        Otherwise None.
    """
    if not is_canonical_header(raw.columns):
        return None
    cols = column_arrays(raw)  # each column looked up once
    if not _is_text(cols[C.QUOTE_TIME]):
        return None
    expiry = _text(cols[C.EXPIRY], False)
    days = None if expiry is None else _expiry_days(expiry[1])
    if days is None:
        return None
    exp_code = expiry[0]  # type: ignore[index]
    return canonical_chain(cols, len(raw), name, wide_threshold, exp_code, days,
                           lambda: _quote_times(cols[C.QUOTE_TIME], name))


def _puts(values: Column) -> np.ndarray | None:
    """1 for ``P``, 0 for ``C`` (int64) of a rights column holding only those, else None."""
    raw = _arrow_bytes(values)
    if raw is not None:  # one byte per row, compared in the Arrow buffer
        offsets, data = raw
        if len(offsets) > 1 and bool((np.diff(offsets) == 1).all()):
            letters = data[offsets[0]:offsets[-1]]
            put = letters == ord(C.PUT)
            return put.astype(np.int64) if (put | (letters == ord(C.CALL))).all() else None
    coded = _text(values, False)
    if coded is None or not set(coded[1]) <= {C.CALL, C.PUT}:
        return None
    return np.array([r == C.PUT for r in coded[1]], dtype=np.int64)[coded[0]]


def _is_text(values: Column) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and _no_missing(values)


def canonical_chain(cols: dict[str, Column], n: int, name: str, wide_threshold: float,
                    exp_code: np.ndarray, days: np.ndarray,
                    quoted_of: Callable[[], pd.DatetimeIndex | None]) -> pd.DataFrame | None:
    """The chain of canonical columns whose expiries and quote times are read, else None.

    Shared by the CSV and Parquet shortcuts: ``cols`` are the table's
    columns as arrays (:func:`~._canonical_frame.column_arrays`; header checked),
    ``days[exp_code]`` the rows' expiry midnights (datetime64[ns], years
    2000-2099) and ``quoted_of()`` their quote times (tz-aware UTC; None:
    not readable).  Every other check of :func:`load_canonical_csv` is
    made here.
    """
    text = {col: _text(cols[col], True) for col in (C.UNDERLYING, C.ROOT, C.SETTLEMENT)}
    put = _puts(cols[C.RIGHT])
    if any(v is None for v in text.values()) or put is None or \
            not _is_text(cols[C.CONTRACT_SYMBOL]):
        return None
    und_code, unds = text[C.UNDERLYING]  # type: ignore[misc]
    root_code, roots = text[C.ROOT]  # type: ignore[misc]
    set_code, styles = text[C.SETTLEMENT]  # type: ignore[misc]
    if any(u != u.strip().lstrip("^_").upper() for u in unds) or not all(
            _ROOT.fullmatch(r) for r in roots) or not set(styles) <= {C.AM, C.PM}:
        return None
    values = {col: _numbers(cols[col]) for col in NUMERIC}
    if any(v is None for v in values.values()):
        return None
    floats: dict[str, np.ndarray] = values  # type: ignore[assignment]
    for col, positive, _ in RANGES:
        if (floats[col] <= 0 if positive else floats[col] < 0).any():
            return None
    strike = floats[C.STRIKE]
    if not occ_strike_ok(strike).all():
        return None
    quoted = quoted_of()
    if quoted is None:
        return None
    stamps = quoted.asi8
    one_time = bool((stamps == stamps[:1]).all())
    chain_code = und_code if one_time else \
        pd.factorize(stamps)[0] * len(unds) + und_code  # one quote time: the underlyings
    built = _contract_symbols(cols[C.CONTRACT_SYMBOL], roots, root_code, days, exp_code, put,
                              strike, chain_code)
    if built is None:
        return None
    expiry = days[exp_code]
    return _build(cols, n, name, wide_threshold, floats, built, (expiry, exp_code, days), quoted,
                  styles, set_code,
                  _sort_keys(und_code, unds, None if one_time else stamps, expiry, strike, put,
                             root_code, roots))


def _sort_keys(und_code: np.ndarray, unds: list[str], stamps: np.ndarray | None,
               expiry: np.ndarray, strike: np.ndarray, put: np.ndarray,
               root_code: np.ndarray, roots: list[str]) -> list[np.ndarray]:
    """The chain's sort keys, most significant first, leaving out those of one value.

    Underlying, quote time, expiry, strike, right (calls first), root; a key
    that is the same on every row (``stamps`` None: one quote time) orders
    nothing, so checking and sorting without it gives the same order.
    """
    keys = [_ranks(unds)[und_code]] if len(unds) > 1 else []
    keys += [expiry.view(np.int64), strike, put] if stamps is None else \
        [stamps, expiry.view(np.int64), strike, put]
    return keys + [_ranks(roots)[root_code]] if len(roots) > 1 else keys


def _build(cols: dict[str, Column], n: int, name: str, wide_threshold: float,
           floats: dict[str, np.ndarray], built: tuple[np.ndarray | None, bool],
           expiries: tuple[np.ndarray, np.ndarray, np.ndarray], quoted: pd.DatetimeIndex,
           styles: list[str], set_code: np.ndarray, sort_keys: list[np.ndarray]) -> pd.DataFrame:
    """The chain frame from the checked columns (derived fields computed, rows sorted).

    ``expiries``: the rows' expiries, their codes and the distinct days.
    """
    expiry, exp_code, days = expiries
    multiplier = floats[C.MULTIPLIER]
    if np.isnan(multiplier).any():
        multiplier = np.where(np.isnan(multiplier), DEFAULT_MULTIPLIER, multiplier)
    # one settlement instant per distinct (expiry, style) pair
    pair_of, pair_codes = dense_codes(
        exp_code * 2 + np.array([s == C.AM for s in styles])[set_code], len(days) * 2)
    pairs = days[pair_codes // 2].view(np.int64) * 2 + pair_codes % 2
    settle = _settlement_ns(pairs)[pair_of]
    mid, spread, spread_pct, code = quote_arrays(
        floats[C.BID], floats[C.ASK], floats[C.STRIKE], settle, quoted.asi8, wide_threshold)
    status = _status_text(code)
    columns: dict[str, object] = {
        C.UNDERLYING: cols[C.UNDERLYING], C.ROOT: cols[C.ROOT],
        C.CONTRACT_SYMBOL: pd.array(built[0], dtype="str") if built[1]
        else cols[C.CONTRACT_SYMBOL], C.QUOTE_TIME: quoted.array,
        C.EXPIRY: expiry, C.SETTLEMENT: cols[C.SETTLEMENT], C.STRIKE: floats[C.STRIKE],
        C.RIGHT: cols[C.RIGHT],
        **{col: floats[col] for col in NUMERIC if col not in (C.STRIKE, C.MULTIPLIER)},
        C.MULTIPLIER: multiplier, C.MID: mid, C.SPREAD: spread, C.SPREAD_PCT: spread_pct,
        C.QUOTE_STATUS: status,
    }
    vendor = [c for c in cols if c not in columns and c not in DERIVED]
    for col in vendor:  # float64 and text as read are what normalise_vendor returns
        values = cols[col]
        if values.dtype == np.float64:
            columns[col] = np.asarray(values)
            continue
        columns[col] = values if isinstance(values.dtype, pd.StringDtype) and \
            _text_vendor(values, col) else \
            normalise_vendor(pd.Series(values, copy=False), col).array
    if built[1] and C.VENDOR_SYMBOL not in columns:  # the file's symbols, as the general path
        vendor.append(C.VENDOR_SYMBOL)
        # OCC symbols (checked) are text to normalise_vendor: kept as read
        columns[C.VENDOR_SYMBOL] = cols[C.CONTRACT_SYMBOL]
    # every array is new or read for this call (not the caller's): no copies
    names = [*C.CHAIN_COLUMNS, *vendor]
    chain = _frame([columns[c] for c in names], names, n)
    if not _in_order(sort_keys):
        order = np.lexsort(sort_keys[::-1])
        chain = chain.take(order).reset_index(drop=True)
    counts = np.bincount(code, minlength=len(STATUS_ORDER))
    by_code = dict(zip(STATUS_ORDER, counts.tolist()))
    chain.attrs = {
        "source": name,
        "format": "canonical",
        "quote_status_counts": {c: int(by_code.get(c, 0)) for c in C.QUOTE_STATUSES},
        "duplicates_dropped": 0,
    }
    return chain
