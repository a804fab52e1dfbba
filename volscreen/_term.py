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
from .errors import ChainSchemaError
from .forward import right_letters, series_ids
from .svi import fit_svi

WING_DELTA = 0.25
"""Delta of the risk reversal and butterfly wings."""

_TERM_NEEDS = (C.EXPIRY, C.STRIKE, C.RIGHT, C.T, C.FORWARD, C.IV, C.IV_STATUS)


def _arrays(chain: pd.DataFrame) -> dict[str, Any]:
    """The columns the term structure and smile need, as arrays (the chain is not copied)."""
    missing = [c for c in _TERM_NEEDS if c not in chain.columns]
    if missing:
        raise ChainSchemaError(
            f"needs a chain with implied vols (run volscreen.implied_vols first); missing "
            f"{missing}", column=missing[0])
    right = right_letters(chain[C.RIGHT])
    strike, fwd = chain[C.STRIKE].to_numpy(float), chain[C.FORWARD].to_numpy(float)
    if C.LOG_MONEYNESS in chain:
        log_m = chain[C.LOG_MONEYNESS].to_numpy(float)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # bad strikes carry their status
            log_m = np.log(strike / fwd)
    if C.OTM in chain:
        otm = chain[C.OTM].to_numpy(bool)
    else:
        otm = np.where(right == C.PUT, strike < fwd, strike >= fwd)
    iv = chain[C.IV].to_numpy(float)
    with np.errstate(invalid="ignore"):
        usable = (otm & (chain[C.IV_STATUS] == C.IVS_OK).to_numpy(bool, na_value=False)
                  & np.isfinite(iv) & (iv > 0))
    return {C.EXPIRY: pd.to_datetime(chain[C.EXPIRY]).dt.normalize(), C.RIGHT: right,
            C.STRIKE: strike, C.FORWARD: fwd, C.LOG_MONEYNESS: log_m, C.OTM: otm, C.IV: iv,
            "usable": usable}


def forward_delta(log_moneyness: Any, iv: Any, t: Any, right: Any) -> np.ndarray:
    """Undiscounted Black forward delta: N(d1) for calls, N(d1) - 1 for puts.

    d1 = (-k + iv^2 t / 2) / (iv sqrt t) with k = ln(K/F); no premium
    adjustment, no discounting (the forward-delta convention of FX and
    listed-vol desks).
    """
    from scipy.special import ndtr

    k, s = np.asarray(log_moneyness, float), np.asarray(iv, float) * np.sqrt(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        nd1 = ndtr((-k + s * s / 2) / s)
    return np.where(np.asarray(right) == C.PUT, nd1 - 1.0, nd1)


def _first_by(gid: np.ndarray, n_groups: int, rows: np.ndarray,
              *sort_keys: np.ndarray) -> np.ndarray:
    """Per group, the row of ``rows`` that sorts first by ``sort_keys`` (then row order); -1."""
    out = np.full(n_groups, -1, dtype=np.intp)
    if rows.size:
        order = rows[np.lexsort((rows, *(k[rows] for k in sort_keys[::-1]), gid[rows]))]
        head = np.ones(order.size, dtype=bool)
        head[1:] = gid[order][1:] != gid[order][:-1]
        out[gid[order][head]] = order[head]
    return out


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


def _expiry_table(chain: pd.DataFrame, a: dict[str, Any], keys: list[str], min_quotes: int,
                  svi: bool) -> dict[str, Any]:
    """Per (expiry[, settlement]) in key order: the per-expiry columns of the term."""
    key_cols = [a[C.EXPIRY].array] + [chain[k].array for k in keys[1:]]
    keep = np.flatnonzero(np.logical_and.reduce([~pd.isna(col) for col in key_cols]))
    key_cols = [col.take(keep) for col in key_cols]
    gid, first = series_ids(key_cols, keep.size)
    n = first.size

    def col(name: str) -> np.ndarray:
        if name not in chain:
            return np.full(keep.size, np.nan)
        return pd.to_numeric(chain[name], errors="coerce").to_numpy(float, na_value=np.nan)[keep]

    t, fwd = col(C.T)[first], col(C.FORWARD)[first]
    right, strike = a[C.RIGHT][keep], a[C.STRIKE][keep]
    k, iv, use = a[C.LOG_MONEYNESS][keep], a[C.IV][keep], a["usable"][keep]
    is_call, is_put = right == C.CALL, right == C.PUT
    n_quotes = np.bincount(gid[use], minlength=n)
    live = (t > 0) & np.isfinite(fwd)
    on_live = live[gid]

    # straddle at the listed strike nearest F (ties: the lower)
    listed = np.flatnonzero(on_live & np.isfinite(strike))
    nearest = _first_by(gid, n, listed, np.abs(strike - fwd[gid]), strike)
    atm_strike = np.where(nearest >= 0, strike[np.maximum(nearest, 0)], np.nan)
    leg = on_live & (strike == atm_strike[gid])
    codes = pd.factorize(right)[0]
    distinct = np.bincount(np.unique(gid[leg] * (codes.max() + 1) + codes[leg])
                           // (codes.max() + 1), minlength=n) if leg.any() else np.zeros(n)
    legs = np.bincount(gid[leg], minlength=n)
    pair = (np.bincount(gid[leg & is_call], minlength=n) > 0) & \
        (np.bincount(gid[leg & is_put], minlength=n) > 0) & (legs == distinct)
    straddle = {}
    for name in (C.MID, C.ASK):
        call_px, put_px = np.full(n, np.nan), np.full(n, np.nan)
        if name in chain:
            px = col(name)
            call_px[gid[leg & is_call]], put_px[gid[leg & is_put]] = \
                px[leg & is_call], px[leg & is_put]
        straddle[name] = np.where(pair, call_px + put_px, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied_move = straddle[C.MID] / col(C.UNDERLYING_PRICE)[first]

    # ATM IV: the OTM quotes nearest k = 0 on each side, linear in total variance
    cand = use & on_live
    rows = np.arange(keep.size)
    i = _first_by(gid, n, np.flatnonzero(cand & (k < 0)), -k)
    j = _first_by(gid, n, np.flatnonzero(cand & (k >= 0)), k)
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
    delta[wing] = forward_delta(k[wing], iv[wing], t[gid[wing]], right[wing])
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
    table = {name: c.take(first) for name, c in zip(keys, key_cols)}
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
