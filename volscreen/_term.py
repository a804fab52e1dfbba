"""Per-expiry columns of the term structure, every expiry at once on sorted arrays.

Private: :func:`volscreen.term_structure` is the public entry point (its
docstring states the definitions).  The chain is grouped once by (expiry,
settlement); each per-expiry choice (the listed strike nearest F, the OTM
pair bracketing k = 0, the 25-delta interpolation) is a segment operation
on arrays sorted by group, with the tie rules of the per-expiry loop it
replaces (the earlier row, the lower strike, ``np.interp``'s bracket).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from ._chainarrays import _stored_float, one_text_value, text_in
from .errors import ChainSchemaError
from .forward import _float64, column_array
from .svi import fit_svi

WING_DELTA = 0.25
"""Delta of the risk reversal and butterfly wings."""
_DENSE_KEYS = 8
"""Expiry keys spanning up to this many values per row are numbered by a lookup table."""
_RADIX_GROUPS = 2**16
"""Group numbers below this are sorted as 16-bit keys (a radix sort in NumPy's stable sort)."""

_TERM_NEEDS = (C.EXPIRY, C.STRIKE, C.RIGHT, C.T, C.FORWARD, C.IV, C.IV_STATUS)


def str_codes(values: Any) -> tuple[np.ndarray, list[Any]]:
    """Integer codes of a text column (-1 where missing) and the distinct values.

    Arrow-backed strings (the canonical chain's text columns) are encoded by
    pyarrow; other columns by :func:`pandas.factorize`.  Codes follow first
    appearance, as ``pd.factorize``.
    """
    arr = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    if isinstance(arr, pd.arrays.ArrowStringArray):  # not the python-storage StringArray
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(arr.__arrow_array__()).combine_chunks()
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.intp, copy=False), encoded.dictionary.to_pylist()
    if not isinstance(arr, (pd.api.extensions.ExtensionArray, np.ndarray)):
        arr = np.asarray(arr, dtype=object)
    codes, uniques = pd.factorize(arr)  # type: ignore[arg-type]  # ExtensionArrays too
    return codes.astype(np.intp, copy=False), list(uniques)


def _letters(values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``right`` as first letters, upper case (missing: ``"N"``), their numbers, call and put masks.

    Rows with the same letter have the same number (distinct letters, distinct numbers).
    """
    codes, uniques = str_codes(values)
    table = np.array([str(u).upper()[:1] for u in uniques] + ["N"], dtype=object)
    # code -1 (missing) picks the trailing "N"
    number = pd.factorize(table)[0]
    return table[codes], number[codes], (table == C.CALL)[codes], (table == C.PUT)[codes]


def floats(chain: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` as float64 (non-numbers NaN); all NaN when the column is absent."""
    if name not in chain:
        return np.full(len(chain), np.nan)
    column = chain[name]
    if column.dtype == np.float64:
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").to_numpy(float, na_value=np.nan)


def _stored_floats(chain: pd.DataFrame, name: str) -> np.ndarray:
    """:func:`floats`, as a read-only view of a float64 column's values when it is one."""
    if name in chain:
        stored = _stored_float(chain, name)
        if stored is not None:
            return stored
    return floats(chain, name)


def expiry_days(expiry: Any) -> Any:
    """Expiry dates at midnight: a datetime64 array (naive input) or a Series (otherwise).

    ``expiry`` is the column as a Series or as its array.
    """
    values = np.asarray(expiry) if isinstance(expiry.dtype, np.dtype) else None
    if values is not None and values.dtype.kind == "M":
        return values.astype("datetime64[D]").astype(values.dtype)
    return pd.to_datetime(pd.Series(expiry) if not isinstance(expiry, pd.Series)
                          else expiry).dt.normalize()


def days_from_quote(quote_time: Any, expiry: Any) -> np.ndarray:
    """Calendar days from the New York date of ``quote_time`` to each expiry (int64).

    Same answer as :func:`volscreen.clock.days_to_expiry`, without building
    an index per call when the expiries are naive midnight datetime64 values.
    """
    from .clock import EXCHANGE_TZ, days_to_expiry

    stamp = pd.Timestamp(quote_time)
    if not (isinstance(expiry, np.ndarray) and expiry.dtype.kind == "M") or pd.isna(stamp):
        return days_to_expiry(quote_time, expiry)
    key = (stamp.value, stamp.tz is None)
    day = _NY_DAYS.get(key)
    if day is None:
        if stamp.tz is None:
            stamp = stamp.tz_localize(EXCHANGE_TZ)
        day = np.datetime64(stamp.tz_convert(EXCHANGE_TZ).date(), "D")
        if len(_NY_DAYS) >= _NY_DAYS_SIZE:
            _NY_DAYS.clear()
        _NY_DAYS[key] = day
    return (expiry.astype("datetime64[D]") - day).astype(np.int64)


_NY_DAYS: dict[tuple[int, bool], np.datetime64] = {}
"""(quote instant in ns, naive?) -> its New York date: each converted once per process."""
_NY_DAYS_SIZE = 10_000


def _arrays(chain: pd.DataFrame) -> dict[str, Any]:
    """The columns the term structure and smile need, as arrays (the chain is not copied)."""
    missing = [c for c in _TERM_NEEDS if c not in chain.columns]
    if missing:
        raise ChainSchemaError(
            f"needs a chain with implied vols (run volscreen.implied_vols first); missing "
            f"{missing}", column=missing[0])
    right, letter, is_call, is_put = _letters(chain[C.RIGHT])
    strike, fwd = chain[C.STRIKE].to_numpy(float), chain[C.FORWARD].to_numpy(float)
    if C.LOG_MONEYNESS in chain:
        log_m = chain[C.LOG_MONEYNESS].to_numpy(float)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # bad strikes carry their status
            log_m = np.log(strike / fwd)
    if C.OTM in chain:
        otm = chain[C.OTM].to_numpy(bool)
    else:
        otm = np.where(is_put, strike < fwd, strike >= fwd)
    iv = chain[C.IV].to_numpy(float)
    with np.errstate(invalid="ignore"):
        usable = otm & text_in(chain[C.IV_STATUS], (C.IVS_OK,)) & np.isfinite(iv) & (iv > 0)
    return {C.EXPIRY: expiry_days(chain[C.EXPIRY]), C.RIGHT: right, "letter": letter,
            C.STRIKE: strike,
            C.FORWARD: fwd, C.LOG_MONEYNESS: log_m, C.OTM: otm, C.IV: iv, "usable": usable,
            "is_call": is_call, "is_put": is_put}


def forward_delta(log_moneyness: Any, iv: Any, t: Any, right: Any) -> np.ndarray:
    """Undiscounted Black forward delta: N(d1) for calls, N(d1) - 1 for puts.

    d1 = (-k + iv^2 t / 2) / (iv sqrt t) with k = ln(K/F); no premium
    adjustment, no discounting (the forward-delta convention of FX and
    listed-vol desks).
    """
    return _forward_delta(log_moneyness, iv, t, np.asarray(right) == C.PUT)


def _forward_delta(log_moneyness: Any, iv: Any, t: Any, is_put: np.ndarray) -> np.ndarray:
    from ._special import ndtr

    k, s = np.asarray(log_moneyness, float), np.asarray(iv, float) * np.sqrt(t)
    with np.errstate(divide="ignore", invalid="ignore"):  # iv 0 or NaN: NaN delta, not used
        nd1 = ndtr((-k + s * s / 2) / s)
    return np.where(is_put, nd1 - 1.0, nd1)


def _segments(gid: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ordered by group (chain order within a group) and each group's start in that order."""
    # a stable sort of 16-bit keys is a radix sort: a chain has far fewer than 65,536 groups
    keys = gid.astype(np.uint16) if n_groups <= _RADIX_GROUPS else gid
    by_group = np.argsort(keys, kind="stable")
    size = np.bincount(gid, minlength=n_groups)
    return by_group, np.cumsum(size) - size


def _first_by(segments: tuple[np.ndarray, np.ndarray], mask: np.ndarray,
              *keys: np.ndarray) -> np.ndarray:
    """Per group, the ``mask`` row with the smallest ``keys`` (lexicographic; ties: earliest row).

    -1 for a group without a ``mask`` row.  Every group has at least one
    row, so no ``reduceat`` segment is empty; a row whose key is NaN is not
    a candidate (callers select rows with finite keys).
    """
    by_group, starts = segments
    if starts.size == 0:
        return np.zeros(0, dtype=np.intp)
    sizes = np.diff(np.append(starts, by_group.size))
    cand = mask[by_group]
    for key in keys:
        value = np.where(cand, key[by_group], np.nan)
        best = np.fmin.reduceat(value, starts)  # NaN only where no candidate is left
        cand &= value == np.repeat(best, sizes)
    position = np.where(cand, np.arange(by_group.size), by_group.size)
    first = np.minimum.reduceat(position, starts)
    return np.where(first < by_group.size, by_group[np.minimum(first, by_group.size - 1)], -1)


def _iv_at_delta(gid: np.ndarray, n_groups: int, rows: np.ndarray, delta: np.ndarray,
                 iv: np.ndarray, target: float) -> np.ndarray:
    """Per group, iv linear in delta at ``target`` (np.interp's rule); NaN unless bracketed."""
    out = np.full(n_groups, np.nan)
    rows = rows[np.isfinite(delta[rows])]
    if rows.size == 0:
        return out
    order = rows[np.lexsort((delta[rows], gid[rows]))]
    g, d, v = gid[order], delta[order], iv[order]
    size = np.bincount(g, minlength=n_groups)
    start = np.cumsum(size) - size
    last = start + size - 1
    n_le = np.bincount(g[d <= target], minlength=n_groups)
    has = np.flatnonzero((size >= 2) & (n_le > 0) & (d[np.maximum(last, 0)] >= target))
    j = start[has] + n_le[has] - 1
    on_point = (j == last[has]) | (d[j] == target)
    nxt = np.minimum(j + 1, last[has])
    with np.errstate(divide="ignore", invalid="ignore"):  # on a point: the slope is not used
        slope = (v[nxt] - v[j]) / (d[nxt] - d[j])
    out[has] = np.where(on_point, v[j], slope * (target - d[j]) + v[j])
    return out


def _sorted_codes(values: Any) -> np.ndarray:
    """Codes of a key column, ascending with its values (not dense); -1 where missing."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        days = values.astype("datetime64[D]").view(np.int64)  # midnight values: exact
        present = ~np.isnat(values)
        low = days[present].min() if present.any() else 0
        return np.where(present, days - low, -1).astype(np.intp, copy=False)
    if isinstance(getattr(values, "dtype", None), pd.StringDtype):
        if one_text_value(values):  # one settlement style, say: every code 0
            return np.zeros(len(values), dtype=np.intp)
        codes, uniques = str_codes(values)
        rank = np.empty(len(uniques) + 1, dtype=np.intp)
        rank[np.argsort(np.array(uniques, dtype=object), kind="stable")] = \
            np.arange(len(uniques))
        rank[-1] = -1  # code -1 (missing) stays -1
        return rank[codes]
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()  # object columns: factorize sorts plain arrays only
    return pd.factorize(values, sort=True)[0].astype(np.intp, copy=False)


def _groups(codes: list[np.ndarray]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Rows with every key present, their group number, each group's first such row, and
    the :func:`_segments` of the groups.

    Groups are numbered in ascending key order (``groupby(sort=True)``);
    ``first`` indexes the kept rows (the earliest row of the group).
    """
    present = [bool(c.size) and c.min() >= 0 for c in codes]
    if all(present):  # every row has its keys (the usual chain)
        keep = np.arange(codes[0].size)
        combined = codes[0].astype(np.int64)
        for c in codes[1:]:
            high = int(c.max())
            if high:  # a key with one value (one settlement style) splits nothing
                combined = combined * (high + 1) + c
    else:
        keep = np.flatnonzero(np.logical_and.reduce([c >= 0 for c in codes]))
        combined = np.zeros(keep.size, dtype=np.int64)
        for c in codes:
            combined = combined * (int(c.max()) + 1) + c[keep]
    top = int(combined.max()) + 1 if combined.size else 0
    if top > _DENSE_KEYS * (combined.size + 1):  # sparse keys: sort them
        _, first, gid = np.unique(combined, return_index=True, return_inverse=True)
        gid = gid.reshape(-1).astype(np.intp, copy=False)
        return keep, gid, first, _segments(gid, first.size)
    # few key values (days from the earliest expiry): number them by a table, not a sort
    seen = np.zeros(top, dtype=bool)
    seen[combined] = True
    number = np.cumsum(seen) - 1
    gid = number[combined].astype(np.intp, copy=False)
    segments = _segments(gid, int(number[-1]) + 1 if top else 0)
    by_group, starts = segments
    return keep, gid, by_group[starts], segments  # stable order: each group's earliest row


def _first_values(column: Any, constant: bool, every: bool, rows: np.ndarray) -> Any:
    """``column.take(rows)``; a text column of one value (every row kept) is sliced instead."""
    if every and constant and isinstance(column, pd.api.extensions.ExtensionArray):
        return column[:rows.size]  # one value in every row: any rows hold it
    return column.take(rows)


def table_inputs(chain: pd.DataFrame, a: dict[str, Any]) -> dict[str, Any]:
    """``a`` (:func:`_arrays` of ``chain``) with the float columns the expiry table reads.

    Adds ``t`` and ``forward`` (floats), ``mid`` and ``ask`` (None when
    absent: no straddle), ``underlying_price`` (NaN when absent) and
    ``keys``: the per-expiry key columns, ``expiry`` and ``settlement`` when
    present.
    """
    return _with_quotes(chain, {**a, C.T: floats(chain, C.T),
                                C.FORWARD: floats(chain, C.FORWARD)})


def priced_inputs(p: Any) -> dict[str, Any]:
    """:func:`table_inputs` of the ``implied_vols`` frame, from a priced chain's arrays.

    ``p`` is a :class:`volscreen._priced.PricedChain`: the values are those
    :func:`_arrays` and :func:`table_inputs` read from the frame it makes.
    """
    chain = p.chain
    letter, is_call, is_put = p.right_letters()
    with np.errstate(invalid="ignore"):  # NaN iv: not usable
        usable = p.otm & (p.codes == p.ok_code) & np.isfinite(p.iv) & (p.iv > 0)
    strike = _float64(column_array(chain, C.STRIKE))  # the priced strikes: this column
    expiry = column_array(chain, C.EXPIRY)
    out = _with_quotes(chain, {
        # series by expiry: the expiries are midnights already (expiry_days would copy them)
        C.EXPIRY: np.asarray(expiry) if p.series_by_expiry else expiry_days(expiry),
        "letter": letter,
        C.STRIKE: chain[C.STRIKE].to_numpy(float) if strike is None else strike,
        C.FORWARD: p.forward,
        C.LOG_MONEYNESS: p.log_moneyness, C.OTM: p.otm, C.IV: p.iv, "usable": usable,
        "is_call": is_call, "is_put": is_put, C.T: p.t})
    if p.series_by_expiry:
        out["groups"] = (p.series, p.series_first)
    return out


def _with_quotes(chain: pd.DataFrame, a: dict[str, Any]) -> dict[str, Any]:
    """``a`` with the chain's own columns of the expiry table (see :func:`table_inputs`)."""
    expiry = a[C.EXPIRY]
    keys = [C.EXPIRY] + ([C.SETTLEMENT] if C.SETTLEMENT in chain else [])
    key_cols = [expiry if isinstance(expiry, np.ndarray) else expiry.array] + \
        [column_array(chain, k) for k in keys[1:]]
    a[C.MID] = _stored_floats(chain, C.MID) if C.MID in chain else None
    a[C.ASK] = _stored_floats(chain, C.ASK) if C.ASK in chain else None
    a[C.UNDERLYING_PRICE] = _stored_floats(chain, C.UNDERLYING_PRICE)
    a["keys"] = dict(zip(keys, key_cols))
    return a


def _expiry_table(a: dict[str, Any], min_quotes: int, svi: bool) -> dict[str, Any]:
    """Per (expiry[, settlement]) in key order: the per-expiry columns of the term.

    ``a`` is :func:`table_inputs` (or :func:`priced_inputs`).
    """
    keys, key_cols = list(a["keys"]), list(a["keys"].values())
    groups = a.get("groups")
    if groups is None:
        codes = [_sorted_codes(col) for col in key_cols]
        keep, gid, first, segments = _groups(codes)
        constant = [bool(c.size) and not c.any() for c in codes]  # one value, none missing
    else:  # the priced chain's series are these groups (every row has its keys)
        gid, first = groups
        keep = np.arange(gid.size)
        segments = _segments(gid, first.size)
        constant = [isinstance(c, pd.api.extensions.ExtensionArray) and one_text_value(c)
                    for c in key_cols]
    n = first.size
    every = keep.size == a[C.T].size  # every row has its keys: the columns as they are

    def col(name: str) -> np.ndarray:
        return a[name] if every else a[name][keep]

    t, fwd = col(C.T)[first], col(C.FORWARD)[first]
    letter, strike = col("letter"), col(C.STRIKE)
    k, iv, use = col(C.LOG_MONEYNESS), col(C.IV), col("usable")
    is_call, is_put = col("is_call"), col("is_put")
    n_quotes = np.bincount(gid[use], minlength=n)
    live = (t > 0) & np.isfinite(fwd)
    on_live = live[gid]

    # straddle at the listed strike nearest F (ties: the lower)
    nearest = _first_by(segments, on_live & np.isfinite(strike), np.abs(strike - fwd[gid]),
                        strike)
    atm_strike = np.where(nearest >= 0, strike[np.maximum(nearest, 0)], np.nan)
    leg = on_live & (strike == atm_strike[gid])
    leg_letter = np.zeros(keep.size, dtype=np.intp)
    leg_letter[leg] = letter[leg]  # distinct right letters among the legs
    n_letters = leg_letter.max() + 1
    distinct = np.bincount(np.unique(gid[leg] * n_letters + leg_letter[leg]) // n_letters,
                           minlength=n) if leg.any() else np.zeros(n)
    legs = np.bincount(gid[leg], minlength=n)
    pair = (np.bincount(gid[leg & is_call], minlength=n) > 0) & \
        (np.bincount(gid[leg & is_put], minlength=n) > 0) & (legs == distinct)
    straddle = {}
    for name in (C.MID, C.ASK):
        call_px, put_px = np.full(n, np.nan), np.full(n, np.nan)
        if a[name] is not None:
            px = col(name)
            call_px[gid[leg & is_call]], put_px[gid[leg & is_put]] = \
                px[leg & is_call], px[leg & is_put]
        straddle[name] = np.where(pair, call_px + put_px, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied_move = straddle[C.MID] / col(C.UNDERLYING_PRICE)[first]

    # ATM IV: the OTM quotes nearest k = 0 on each side, linear in total variance
    cand = use & on_live
    rows = np.arange(keep.size)
    i = _first_by(segments, cand & (k < 0), -k)
    j = _first_by(segments, cand & (k >= 0), k)
    bracket = (i >= 0) & (j >= 0)
    i, j = i[bracket], j[bracket]
    tb = t[bracket]
    w_i, w_j = iv[i] ** 2 * tb, iv[j] ** 2 * tb
    atm = np.full(n, np.nan)
    atm[bracket] = np.sqrt((w_i + (0.0 - k[i]) * (w_j - w_i) / (k[j] - k[i])) / tb)
    move_1sd = fwd * atm * np.sqrt(np.where(bracket, t, np.nan))

    # 25-delta wings: iv linear in the forward delta of the usable OTM quotes
    wing = np.flatnonzero(use & bracket[gid])
    delta = np.full(keep.size, np.nan)
    delta[wing] = _forward_delta(k[wing], iv[wing], t[gid[wing]], is_put[wing])
    iv_p = _iv_at_delta(gid, n, wing[is_put[wing]], delta, iv, -WING_DELTA)
    iv_c = _iv_at_delta(gid, n, wing[~is_put[wing]], delta, iv, WING_DELTA)
    atm_svi = np.full(n, np.nan)
    if svi:
        for g in np.flatnonzero(bracket):
            sel = rows[use & (gid == g)]
            atm_svi[g] = float(fit_svi(k[sel], iv[sel], float(t[g])).iv(0.0))

    status = np.full(n, C.TS_OK, dtype=object)
    status[~np.isfinite(iv_c - iv_p)] = C.TS_NO_WING
    status[n_quotes < min_quotes] = C.TS_THIN
    status[~bracket] = C.TS_NO_BRACKET
    status[~np.isfinite(fwd)] = C.TS_NO_FORWARD
    status[~(t > 0)] = C.TS_EXPIRED
    blank = ~live
    table = {name: _first_values(c, one, every, keep[first])
             for name, c, one in zip(keys, key_cols, constant)}
    table.update({
        C.T: t, C.FORWARD: fwd, C.N_QUOTES: n_quotes, C.ATM_IV: atm,
        C.ATM_STRIKE: atm_strike, C.STRADDLE_MID: straddle[C.MID],
        C.STRADDLE_NATURAL: straddle[C.ASK],
        C.IMPLIED_MOVE: np.where(blank, np.nan, implied_move), C.MOVE_1SD: move_1sd,
        C.RR25: np.where(bracket, iv_c - iv_p, np.nan),
        C.BF25: np.where(bracket, (iv_c + iv_p) / 2 - atm, np.nan), C.ATM_IV_SVI: atm_svi,
        C.TERM_STATUS: status,
    })
    return table
