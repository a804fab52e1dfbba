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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import columns as C
from .errors import ChainSchemaError, ConfigError, EmptyDataError
from ._chainarrays import text_in
from ._term import WING_DELTA  # noqa: F401  (re-exported: the wing of rr25/bf25)
from ._term import (
    _arrays,
    _expiry_table,
    days_from_quote,
    forward_delta,
    priced_inputs,
    table_inputs,
)
from ._frames import frame_of
from .forward import column_array, without_attrs
from .svi import SviFit, fit_svi

if TYPE_CHECKING:
    from ._priced import PricedChain

logger = logging.getLogger(__name__)

DAYS_PER_YEAR = 365.0
"""Calendar days per year of the minute clock: IV30 is read at t = 30 / 365."""
MIN_QUOTES = 6
"""An expiry with fewer usable OTM quotes is ``thin`` (numbers kept, not trusted)."""
EVENT_KINK_VOL = 0.05
"""Forward vol into an expiry more than 5 vol points above the forward vols
on both sides of it flags an event kink (earnings, FOMC)."""
CM_DAYS = (30, 60, 90)


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
    a, b = finite[:-1], finite[1:]
    b = b[t[b] > t[a]]  # an expiry at the same t as the previous one has no forward vol
    a = finite[np.searchsorted(finite, b) - 1]
    fvar[b] = (w[b] - w[a]) / (t[b] - t[a])
    negative = b[fvar[b] < 0]
    status[negative], kink[negative] = C.FV_NEGATIVE, True
    positive = b[fvar[b] >= 0]
    fwd[positive], status[positive] = np.sqrt(fvar[positive]), C.FV_OK
    with np.errstate(invalid="ignore"):  # NaN forward variances compare False
        fvol = np.sqrt(np.clip(fvar, 0.0, None))
    p, i, q = finite[:-2], finite[1:-1], finite[2:]
    # max(p, q) as Python's max: q only when q > p (a NaN p stays NaN)
    neighbour = np.where(fvol[q] > fvol[p], fvol[q], fvol[p])
    with np.errstate(invalid="ignore"):
        kink[i[np.isfinite(fvar[i]) & (fvol[i] - neighbour > kink_vol)]] = True
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
    quote_time = chain_with_iv[C.QUOTE_TIME].array[0] if C.QUOTE_TIME in chain_with_iv \
        else None
    return _term_frame(table_inputs(chain_with_iv, arrays), quote_time, min_quotes=min_quotes,
                       kink_vol=kink_vol, svi=svi)


def term_from_priced(priced: PricedChain, *, min_quotes: int = MIN_QUOTES,
                     kink_vol: float = EVENT_KINK_VOL, svi: bool = False) -> pd.DataFrame:
    """:func:`term_structure` of a chain priced by :func:`volscreen._priced.price_chain`.

    Equals ``term_structure(implied_vols(chain, ...))`` without building the
    per-quote frame (the screen's route).
    """
    if len(priced) == 0:
        raise EmptyDataError("the chain has no rows: no term structure to compute")
    return _term_frame(priced_inputs(priced), column_array(priced.chain, C.QUOTE_TIME)[0],
                       min_quotes=min_quotes, kink_vol=kink_vol, svi=svi)


def _term_frame(inputs: dict[str, Any], quote_time: Any, *, min_quotes: int, kink_vol: float,
                svi: bool) -> pd.DataFrame:
    """The term structure frame from :func:`volscreen._term.table_inputs` (None: no quote time)."""
    keys = list(inputs["keys"])
    table = _expiry_table(inputs, min_quotes, svi)
    order = np.argsort(table[C.T], kind="stable")  # NaN t last, as sort_values
    if (order != np.arange(order.size)).any():  # in key order, expiries are in t order
        table = {name: values.take(order) for name, values in table.items()}
    term: dict[str, Any] = {name: table.pop(name) for name in (*keys, C.T)}
    t, atm, status = term[C.T], table[C.ATM_IV], table[C.TERM_STATUS]
    if quote_time is not None:
        term[C.DAYS] = days_from_quote(quote_time, term[C.EXPIRY])
        same_day = term[C.DAYS] == 0
    else:
        same_day = t < 1 / DAYS_PER_YEAR
    status[same_day & _ok_or_no_wing(status)] = C.TS_0DTE
    term.update(table)
    term[C.TERM_STATUS] = status
    term[C.TOTAL_VARIANCE] = atm**2 * t
    trusted = _ok_or_no_wing(status)
    w_trusted = np.where(trusted, term[C.TOTAL_VARIANCE], np.nan)
    fwd, fv_status, kink = _forward_and_kinks(t, w_trusted, kink_vol)
    fv_status = np.where(trusted | ~np.isfinite(atm), fv_status, C.FV_UNTRUSTED)
    term[C.FWD_VOL], term[C.FWD_VAR_STATUS], term[C.EVENT_KINK] = fwd, fv_status, kink
    return frame_of(term)


def _ok_or_no_wing(status: np.ndarray) -> np.ndarray:
    """``np.isin(status, [ok, no_25d_wing])`` of an expiry status array (a few dozen: no sort)."""
    return (status == C.TS_OK) | (status == C.TS_NO_WING)


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
    targets, out_iv, out_status = cm_values(term, days, extrapolate=extrapolate)
    index = pd.Index(targets, name=C.DAYS)
    if detail:
        return pd.DataFrame({C.T: targets / DAYS_PER_YEAR, C.ATM_IV: out_iv,
                             C.CM_STATUS: out_status}, index=index).reset_index()
    series = pd.Series(out_iv, index=index, name=C.ATM_IV)
    series.attrs[C.CM_STATUS] = dict(zip(targets.tolist(), out_status))
    return series


def cm_values(term: pd.DataFrame, days: Sequence[float] | float = CM_DAYS, *,
              extrapolate: bool = False) -> tuple[np.ndarray, list[float], list[str]]:
    """Target days, constant-maturity vols and statuses (:func:`constant_maturity` as lists)."""
    need = [c for c in (C.T, C.ATM_IV) if c not in term.columns]
    if need:
        raise ChainSchemaError(f"constant_maturity needs a term structure; missing {need}",
                               column=need[0])
    t_all, vol_all = term[C.T].to_numpy(float), term[C.ATM_IV].to_numpy(float)
    with np.errstate(invalid="ignore"):  # NaN t: not usable
        keep = np.isfinite(vol_all) & (t_all > 0)
    if C.TERM_STATUS in term:
        keep &= text_in(term[C.TERM_STATUS], (C.TS_OK,))
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
    return targets, out_iv, out_status


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
