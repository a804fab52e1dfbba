"""Volatility surface: ATM IV per expiry, term structure, constant maturity, skew, smile.

Input is a chain with implied vols (the output of
:func:`volscreen.implied_vols`): one row per quote with ``expiry, strike,
right, t, forward, iv, iv_status`` (``log_moneyness`` and ``otm`` are
recomputed when absent).  Vols are decimals; ``t`` is in years on the minute
clock (minutes to the settlement instant / 525,600).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .clock import days_to_expiry
from .errors import ChainSchemaError, ConfigError, EmptyDataError
from .forward import right_letters, series_ids, without_attrs
from .svi import SviFit, fit_svi

logger = logging.getLogger(__name__)

DAYS_PER_YEAR = 365.0
"""Calendar days per year of the minute clock: IV30 is read at t = 30 / 365."""
MIN_QUOTES = 6
"""An expiry with fewer usable OTM quotes is ``thin`` (numbers kept, not trusted)."""
WING_DELTA = 0.25
"""Delta of the risk reversal and butterfly wings."""
EVENT_KINK_VOL = 0.05
"""Forward vol into an expiry more than 5 vol points above the forward vols
on both sides of it flags an event kink (earnings, FOMC)."""
CM_DAYS = (30, 60, 90)

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


def _prepare(chain: pd.DataFrame) -> pd.DataFrame:
    a = _arrays(chain)
    df = chain.copy()
    df[C.EXPIRY] = a[C.EXPIRY]
    df[C.RIGHT] = pd.Series(a[C.RIGHT], index=df.index, dtype=object)
    for name in (C.LOG_MONEYNESS, C.OTM):
        if name not in df:
            df[name] = a[name]
    return df


def _usable(df: pd.DataFrame) -> np.ndarray:
    iv = df[C.IV].to_numpy(float)
    with np.errstate(invalid="ignore"):
        return (df[C.OTM].to_numpy(bool) & (df[C.IV_STATUS] == C.IVS_OK).to_numpy()
                & np.isfinite(iv) & (iv > 0))


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


def _forward_and_kinks(t: np.ndarray, w: np.ndarray,
                       kink_vol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forward vol from the previous finite expiry, its status, and the kink flag."""
    n = t.size
    fwd = np.full(n, np.nan)
    status = np.full(n, C.FV_MISSING, dtype=object)
    kink = np.zeros(n, dtype=bool)
    finite = np.flatnonzero(np.isfinite(w) & (t > 0))
    if finite.size == 0:
        return fwd, status, kink
    fvar = np.full(n, np.nan)  # forward variance into each expiry; from t = 0 for the first
    status[finite[0]] = C.FV_FIRST
    fvar[finite[0]] = w[finite[0]] / t[finite[0]]
    for a, b in zip(finite[:-1], finite[1:]):
        if t[b] <= t[a]:
            continue
        fvar[b] = (w[b] - w[a]) / (t[b] - t[a])
        if fvar[b] < 0:
            status[b], kink[b] = C.FV_NEGATIVE, True
        else:
            fwd[b], status[b] = np.sqrt(fvar[b]), C.FV_OK
    with np.errstate(invalid="ignore"):  # NaN forward variances compare False
        fvol = np.sqrt(np.clip(fvar, 0.0, None))
    for p, i, q in zip(finite[:-2], finite[1:-1], finite[2:]):
        if np.isfinite(fvar[i]) and fvol[i] - max(fvol[p], fvol[q]) > kink_vol:
            kink[i] = True
    return fwd, status, kink


def term_structure(
    chain_with_iv: pd.DataFrame,
    *,
    min_quotes: int = MIN_QUOTES,
    kink_vol: float = EVENT_KINK_VOL,
    svi: bool = False,
) -> pd.DataFrame:
    """ATM volatility, straddle, skew and forward vol per expiry.

    Parameters
    ----------
    chain_with_iv
        Output of :func:`volscreen.implied_vols`.  Needs ``expiry, strike,
        right, t, forward, iv, iv_status``; uses ``mid, ask`` (straddle),
        ``underlying_price`` (implied move), ``quote_time`` (``days``),
        ``settlement`` (one row per expiry and settlement when present).
    min_quotes
        Usable OTM quotes below which an expiry is ``thin``.
    kink_vol
        Event-kink threshold on forward vol, decimal (0.05 = 5 vol points).
    svi
        Also fit a raw-SVI slice per expiry and report ``atm_iv_svi``.

    Returns
    -------
    pandas.DataFrame
        One row per expiry sorted by ``t``: ``expiry, [settlement,] t, days,
        forward, atm_iv, atm_iv_svi, atm_strike, straddle_mid,
        straddle_natural, implied_move, move_1sd, rr25, bf25, n_quotes,
        term_status, total_variance, fwd_vol, fwd_var_status, event_kink``.

    Notes
    -----
    * Usable quote: OTM (puts K < F, calls K >= F), ``iv_status == "ok"``.
    * ATM IV: the usable OTM put with the largest k < 0 and the usable OTM
      call with the smallest k >= 0 (k = ln(K/F)); total variance
      w = iv^2 t is interpolated linearly in k to k = 0.  NaN with
      ``no_bracket`` when one side has no usable quote.
    * ``atm_strike``: listed strike nearest F (ties: the lower).  The
      straddle is call + put at that strike: ``straddle_mid`` from mids,
      ``straddle_natural`` from asks (NaN when a leg is missing; the legs'
      ``quote_status`` says why).  ``implied_move`` = straddle_mid / spot;
      ``move_1sd`` = F atm_iv sqrt(t), price units.
    * rr25 = iv(25-delta call) - iv(25-delta put); bf25 = (iv25c + iv25p) / 2
      - atm_iv.  Delta is the undiscounted Black forward delta
      (:func:`forward_delta`) at each quote's own IV; iv is interpolated
      linearly in delta on usable OTM quotes, NaN (status ``no_25d_wing``)
      when the quotes do not bracket 25 delta.
    * Forward vol into expiry 2 from the previous expiry with an ATM IV:
      sqrt((w2 - w1) / (t2 - t1)); negative forward variance gives NaN,
      ``negative_forward_variance`` and ``event_kink`` True (calendar
      arbitrage, or an event such as earnings in the earlier expiry).
    * ``event_kink`` is also True where the forward vol into an expiry
      exceeds the forward vols into the previous and the next expiry by
      more than ``kink_vol``: the expiry's ATM IV stands out because an
      event falls inside it.  The first and last expiries are not judged by
      this rule (one neighbour only).
    * Forward vols and kinks use only trusted expiries (``term_status`` ok
      or ``no_25d_wing``); a thin or 0DTE expiry gets ``untrusted_expiry``.
    * ``term_status``: ``ok``; ``thin`` (fewer than ``min_quotes`` usable
      quotes); ``0dte`` (expires on the quote's New York day; without
      ``quote_time``: t < 1 day); ``no_25d_wing``; ``no_bracket``;
      ``expired``; ``no_forward``.  Only ``ok`` rows feed
      :func:`constant_maturity`.
    """
    chain_with_iv = without_attrs(chain_with_iv)
    arrays = _arrays(chain_with_iv)
    if chain_with_iv.empty:
        raise EmptyDataError("the chain has no rows: no term structure to compute")
    keys = [C.EXPIRY] + ([C.SETTLEMENT] if C.SETTLEMENT in chain_with_iv else [])
    table = _expiry_table(chain_with_iv, arrays, keys, min_quotes, svi)
    order = np.argsort(table[C.T], kind="stable")  # NaN t last, as sort_values
    table = {name: values.take(order) for name, values in table.items()}
    term: dict[str, Any] = {name: table.pop(name) for name in (*keys, C.T)}
    t, atm, status = term[C.T], table[C.ATM_IV], table[C.TERM_STATUS]
    if C.QUOTE_TIME in chain_with_iv:
        term[C.DAYS] = days_to_expiry(chain_with_iv[C.QUOTE_TIME].iloc[0], term[C.EXPIRY])
        same_day = term[C.DAYS] == 0
    else:
        same_day = t < 1 / DAYS_PER_YEAR
    status[same_day & np.isin(status, [C.TS_OK, C.TS_NO_WING])] = C.TS_0DTE
    term.update(table)
    term[C.TERM_STATUS] = pd.array(status.astype(str), dtype="str")
    term[C.TOTAL_VARIANCE] = atm**2 * t
    trusted = np.isin(status, [C.TS_OK, C.TS_NO_WING])
    w_trusted = np.where(trusted, term[C.TOTAL_VARIANCE], np.nan)
    fwd, fv_status, kink = _forward_and_kinks(t, w_trusted, kink_vol)
    fv_status = np.where(trusted | ~np.isfinite(atm), fv_status, C.FV_UNTRUSTED)
    term[C.FWD_VOL], term[C.FWD_VAR_STATUS], term[C.EVENT_KINK] = fwd, fv_status, kink
    return pd.DataFrame(term)


def constant_maturity(
    term: pd.DataFrame,
    days: Sequence[float] | float = CM_DAYS,
    *,
    extrapolate: bool = False,
    detail: bool = False,
) -> pd.Series | pd.DataFrame:
    """Constant-maturity ATM vol (IV30, IV60, IV90) from a term structure.

    Parameters
    ----------
    term
        Output of :func:`term_structure` (needs ``t, atm_iv``; rows whose
        ``term_status`` is not ``ok`` are not used when that column exists).
    days
        Target maturities in calendar days; t = days / 365.
    extrapolate
        Outside the listed range, hold the nearest expiry's vol flat
        (status ``extrapolated_flat_vol``).  Off by default: NaN with
        ``below_listed_range`` / ``above_listed_range``.
    detail
        Return a DataFrame (``days, t, atm_iv, cm_status``) instead of the
        Series.

    Returns
    -------
    pandas.Series
        Decimal vols indexed by ``days`` (name ``atm_iv``); the reasons are
        in ``series.attrs["cm_status"]`` (a dict days -> code), or use
        ``detail=True``.

    Notes
    -----
    Total variance w = atm_iv^2 t is interpolated linearly in t between the
    two usable expiries bracketing the target, then annualised:
    iv = sqrt(w(t*) / t*).  A target on a listed expiry returns that
    expiry's ATM vol exactly.
    """
    need = [c for c in (C.T, C.ATM_IV) if c not in term.columns]
    if need:
        raise ChainSchemaError(f"constant_maturity needs a term structure; missing {need}",
                               column=need[0])
    t_all, vol_all = term[C.T].to_numpy(float), term[C.ATM_IV].to_numpy(float)
    with np.errstate(invalid="ignore"):  # NaN t: not usable
        keep = np.isfinite(vol_all) & (t_all > 0)
    if C.TERM_STATUS in term:
        keep &= (term[C.TERM_STATUS] == C.TS_OK).to_numpy(bool, na_value=False)
    order = np.argsort(t_all[keep], kind="quicksort")  # as sort_values
    tt, vol = t_all[keep][order], vol_all[keep][order]
    w = vol**2 * tt
    targets = np.atleast_1d(np.asarray(days, dtype=float))
    out_iv, out_status = [], []
    for d in targets:
        x = d / DAYS_PER_YEAR
        if tt.size == 0:
            iv, status = np.nan, C.CM_NO_DATA
        elif x < tt[0] or x > tt[-1]:
            edge = 0 if x < tt[0] else -1
            below = C.CM_BELOW_RANGE if x < tt[0] else C.CM_ABOVE_RANGE
            iv, status = (vol[edge], C.CM_EXTRAPOLATED) if extrapolate else (np.nan, below)
        else:
            iv, status = float(np.sqrt(np.interp(x, tt, w) / x)), C.CM_OK
        out_iv.append(iv)
        out_status.append(status)
    index = pd.Index(targets, name=C.DAYS)
    if detail:
        return pd.DataFrame({C.T: targets / DAYS_PER_YEAR, C.ATM_IV: out_iv,
                             C.CM_STATUS: out_status}, index=index).reset_index()
    series = pd.Series(out_iv, index=index, name=C.ATM_IV)
    series.attrs[C.CM_STATUS] = dict(zip(targets.tolist(), out_status))
    return series


def term_slope(term: pd.DataFrame, short: float = 30, long: float = 90) -> pd.Series:
    """Front-versus-back slope: IV(short) - IV(long) and IV(short) / IV(long).

    Both legs are constant-maturity ATM vols (:func:`constant_maturity`, no
    extrapolation).  Returns a Series with ``slope_diff`` (decimal vol:
    0.02 = 2 vol points; positive = inverted, front above back),
    ``slope_ratio`` and ``cm_status`` (the first non-ok leg's reason).
    """
    cm = constant_maturity(term, (short, long), detail=True)
    iv_s, iv_l = cm[C.ATM_IV].to_numpy(float)
    bad = [s for s in cm[C.CM_STATUS] if s != C.CM_OK]
    return pd.Series({C.SLOPE_DIFF: iv_s - iv_l, C.SLOPE_RATIO: iv_s / iv_l,
                      C.CM_STATUS: bad[0] if bad else C.CM_OK})


def smile(chain_with_iv: pd.DataFrame, expiry: Any, *, fit: bool = True,
          settlement: str | None = None) -> pd.DataFrame:
    """OTM smile of one expiry, with a raw-SVI fit beside the market vols.

    Parameters
    ----------
    chain_with_iv
        Output of :func:`volscreen.implied_vols` (see :func:`term_structure`).
    expiry
        Expiry date (anything :class:`pandas.Timestamp` reads).
    fit
        Fit raw SVI (:func:`volscreen.fit_svi`) to the usable quotes.
    settlement
        ``"AM"`` or ``"PM"``: which series when the expiry lists both (SPX
        monthlies beside SPXW weeklies on a third Friday); required then,
        since the two have different ``t`` and forwards.

    Returns
    -------
    pandas.DataFrame
        The OTM rows (puts K < F, calls K >= F) sorted by strike, with every
        chain column kept (``iv_status`` says why an ``iv`` is NaN), plus
        ``fwd_delta`` (:func:`forward_delta`), ``iv_svi`` (fitted vol at the
        row's k; NaN without a fit) and the slice's ``svi_a, svi_b, svi_rho,
        svi_m, svi_sigma, svi_rmse_volpts, svi_status`` repeated on each row.
    """
    df = _prepare(chain_with_iv)
    try:
        day = pd.Timestamp(expiry).normalize()
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"expiry {expiry!r} is not a date", column=C.EXPIRY) from exc
    sub = df[(df[C.EXPIRY] == day) & df[C.OTM].to_numpy(bool)]
    if sub.empty:
        listed = ", ".join(str(d.date()) for d in sorted(df[C.EXPIRY].unique()))
        raise ConfigError(f"no OTM quotes for expiry {day.date()}; listed: {listed}",
                          column=C.EXPIRY)
    if C.SETTLEMENT in sub:
        styles = sorted(str(v) for v in sub[C.SETTLEMENT].dropna().unique())
        if settlement is not None:
            sub = sub[sub[C.SETTLEMENT] == settlement]
            if sub.empty:
                raise ConfigError(f"no {settlement}-settled OTM quotes for expiry {day.date()}; "
                                  f"listed: {', '.join(styles)}", column=C.SETTLEMENT)
        elif len(styles) > 1:
            raise ConfigError(f"expiry {day.date()} lists {' and '.join(styles)}-settled "
                              "series (different t and forward): pass settlement=",
                              column=C.SETTLEMENT)
    sub = sub.sort_values(C.STRIKE).copy()
    t = float(sub[C.T].iloc[0])
    sub[C.FWD_DELTA] = forward_delta(sub[C.LOG_MONEYNESS], sub[C.IV], t, sub[C.RIGHT])
    use = _usable(sub)
    res: SviFit | None = None
    if fit:
        res = fit_svi(sub[C.LOG_MONEYNESS].to_numpy(float)[use], sub[C.IV].to_numpy(float)[use],
                      t)
        sub[C.IV_SVI] = res.iv(sub[C.LOG_MONEYNESS].to_numpy(float))
        for col, val in zip((C.SVI_A, C.SVI_B, C.SVI_RHO, C.SVI_M, C.SVI_SIGMA), res.params):
            sub[col] = val
        sub[C.SVI_RMSE_VOLPTS], sub[C.SVI_STATUS] = res.rmse_volpts, res.status
    return sub.reset_index(drop=True)


__all__ = ["constant_maturity", "fit_svi", "forward_delta", "smile", "term_slope",
           "term_structure"]
