"""Model-free 30-day variance: the Cboe VIX methodology applied to any chain.

For IWM this is the analogue of Cboe's RVX, for SPY of the VIX.  Every
intermediate (forward, K0, strikes used, per-strike contributions, variance
and time per term, interpolation weights) is returned so a user can audit the
number line by line against the Cboe worked example.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union, cast

import numpy as np
import pandas as pd

from . import columns as C
from .clock import settlement_style, year_fraction
from .errors import ChainSchemaError, ConfigError, DuplicateContractError, EmptyDataError
from .forward import without_attrs

logger = logging.getLogger(__name__)

DAYS_PER_YEAR = 365.0
"""Calendar days in the year of the minute clock (525,600 minutes)."""
CBOE_WINDOW_DAYS = (23.0, 37.0)
"""Cboe's window: near and next terms have more than 23 and less than 37 days."""
K0_RIGHT = f"{C.PUT}/{C.CALL}"
"""``right`` label of the K0 row, priced as the average of the put and call mids."""

RateLike = Union[float, Mapping[Any, float], pd.Series]

_TERM_COLUMNS = (
    C.EXPIRY, C.SETTLEMENT, C.T, C.RATE, C.PARITY_STRIKE, C.FORWARD, C.K0,
    C.N_PUTS, C.N_CALLS, C.SIGMA2, C.WEIGHT, C.MFV_STATUS,
)
_STRIKE_COLUMNS = (
    C.EXPIRY, C.SETTLEMENT, C.STRIKE, C.RIGHT, C.BID, C.ASK, C.MID, C.DK, C.CONTRIBUTION,
)


@dataclass(frozen=True)
class ModelFreeVol:
    """Result of :func:`model_free_vol`.

    Attributes
    ----------
    vol
        Annualised model-free volatility at the target horizon, a decimal
        (0.1393 is a VIX of 13.93).  NaN when ``status`` is not ``"ok"``.
    variance
        ``vol ** 2``.
    days
        Target horizon in calendar days.
    status
        ``"ok"`` or an ``MF_*`` code from :mod:`volscreen.columns`.
    terms
        One row per (expiry, settlement): ``expiry, settlement, t, rate,
        parity_strike, forward, k0, n_puts, n_calls, sigma2, weight,
        mfv_status``.  ``weight`` is the term's share in the interpolation
        (0 for terms not used).
    strikes
        One row per included strike per term: ``expiry, settlement, strike,
        right`` (``"P"``, ``"C"`` or ``"P/C"`` at K0), ``bid, ask, mid, dk,
        contribution``.
    """

    vol: float
    variance: float
    days: float
    status: str
    terms: pd.DataFrame = field(repr=False)
    strikes: pd.DataFrame = field(repr=False)

    @property
    def used_terms(self) -> pd.DataFrame:
        """The near and next terms (rows of ``terms`` with a positive weight)."""
        return self.terms[self.terms[C.WEIGHT] > 0]

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary (numbers and the used terms), JSON-serialisable."""
        used = self.used_terms.astype({C.EXPIRY: str})
        return {
            "vol": self.vol,
            "variance": self.variance,
            "days": self.days,
            "status": self.status,
            "terms": used.to_dict(orient="records"),
        }


def _per_expiry(value: RateLike | None, keys: pd.DatetimeIndex, name: str) -> np.ndarray:
    """Broadcast a scalar or an expiry-keyed mapping to one value per term."""
    if value is None:
        return np.full(len(keys), np.nan)
    if np.ndim(cast(Any, value)) == 0 and not isinstance(value, Mapping):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{name} must be a number, got {value!r}", column=name) from exc
        return np.full(len(keys), number)
    items = value.items() if isinstance(value, (Mapping, pd.Series)) else None
    if items is None:
        raise ConfigError(f"{name} must be a number or a mapping expiry -> number", column=name)
    lookup = {pd.Timestamp(cast(Any, k)).normalize(): float(v) for k, v in items}
    missing = [str(k.date()) for k in keys if k not in lookup]
    if missing:
        raise ConfigError(
            f"{name} has no value for expiry {', '.join(missing)}; give one per expiry "
            "or a single number", column=name)
    return np.array([lookup[k] for k in keys])


def _usable(bid: np.ndarray, ask: np.ndarray) -> np.ndarray:
    """A quote counts when bid > 0 and ask >= bid (missing bid = zero bid)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(bid) & np.isfinite(ask) & (bid > 0) & (ask >= bid)


def _wing(usable: np.ndarray) -> np.ndarray:
    """Mask of included strikes walking away from K0 (``usable`` in walk order).

    Zero-bid strikes are skipped; the walk stops at the first pair of
    consecutive zero bids, and nothing beyond it is used.
    """
    zero = ~usable
    pair = zero[:-1] & zero[1:]
    stop = int(np.argmax(pair)) if pair.any() else len(usable)
    keep = usable.copy()
    keep[stop:] = False
    return keep


def _term(board: tuple[np.ndarray, ...], t: float,
          rate: float) -> tuple[dict[str, Any], dict[str, np.ndarray] | None]:
    """Model-free variance of one term from its strike board.

    ``board`` is (strike ascending, c_bid, c_ask, p_bid, p_ask) arrays; the
    second value is the term's strike table (columns of ``strikes``) or None.
    """
    out: dict[str, Any] = {C.PARITY_STRIKE: np.nan, C.FORWARD: np.nan, C.K0: np.nan,
                           C.N_PUTS: 0, C.N_CALLS: 0, C.SIGMA2: np.nan}
    empty = None
    if not np.isfinite(t) or t <= 0:
        return {**out, C.MFV_STATUS: C.MF_NONPOSITIVE_T}, empty
    k, cb, ca, pb, pa = board
    c_ok, p_ok = _usable(cb, ca), _usable(pb, pa)
    c_mid, p_mid = (cb + ca) / 2.0, (pb + pa) / 2.0
    growth = float(np.exp(rate * t))

    both = c_ok & p_ok
    if not both.any():
        return {**out, C.MFV_STATUS: C.MF_NO_PARITY}, empty
    gap = np.where(both, np.abs(c_mid - p_mid), np.inf)
    j = int(np.argmin(gap))  # ties: the lowest strike
    forward = k[j] + growth * (c_mid[j] - p_mid[j])
    out.update({C.PARITY_STRIKE: k[j], C.FORWARD: forward})
    at_or_below = np.flatnonzero(k <= forward)
    if at_or_below.size == 0:
        return {**out, C.MFV_STATUS: C.MF_K0_UNPRICED}, empty
    i0 = int(at_or_below[-1])
    out[C.K0] = k[i0]
    if not (c_ok[i0] and p_ok[i0]):
        return {**out, C.MFV_STATUS: C.MF_K0_UNPRICED}, empty

    put_keep = _wing(p_ok[:i0][::-1])[::-1]  # walk down from K0
    call_keep = _wing(c_ok[i0 + 1:])  # walk up from K0
    idx = np.concatenate([np.flatnonzero(put_keep), [i0], i0 + 1 + np.flatnonzero(call_keep)])
    out.update({C.N_PUTS: int(put_keep.sum()), C.N_CALLS: int(call_keep.sum())})
    if idx.size < 2:
        return {**out, C.MFV_STATUS: C.MF_NO_STRIKES}, empty

    ks = k[idx]
    dk = np.empty_like(ks)
    dk[1:-1] = (ks[2:] - ks[:-2]) / 2.0
    dk[0], dk[-1] = ks[1] - ks[0], ks[-1] - ks[-2]
    side = np.where(idx < i0, C.PUT, np.where(idx > i0, C.CALL, K0_RIGHT)).astype(object)
    is_put, is_call = idx < i0, idx > i0
    bid = np.where(is_put, pb[idx], np.where(is_call, cb[idx], np.nan))
    ask = np.where(is_put, pa[idx], np.where(is_call, ca[idx], np.nan))
    q = np.where(is_put, p_mid[idx], np.where(is_call, c_mid[idx], (c_mid[i0] + p_mid[i0]) / 2))
    contribution = dk / ks**2 * growth * q
    sigma2 = 2.0 / t * contribution.sum() - (forward / k[i0] - 1.0) ** 2 / t
    out[C.SIGMA2] = sigma2
    out[C.MFV_STATUS] = C.MF_OK if sigma2 > 0 else C.MF_NEGATIVE
    table = {C.STRIKE: ks, C.RIGHT: side, C.BID: bid, C.ASK: ask, C.MID: q,
             C.DK: dk, C.CONTRIBUTION: contribution}
    return out, table


def _boards(chain: pd.DataFrame) -> dict[tuple[pd.Timestamp, str], tuple[np.ndarray, ...]]:
    """Split a long chain into one strike board per (expiry, settlement), keys ascending.

    A board is (strikes ascending, c_bid, c_ask, p_bid, p_ask); a side not
    quoted at a strike is NaN.
    """
    keys = [C.EXPIRY, C.SETTLEMENT, C.STRIKE, C.RIGHT]
    dup = chain.duplicated(keys, keep=False)
    if dup.any():
        first = chain[dup].iloc[0]
        raise DuplicateContractError(
            f"two quotes for {first[C.RIGHT]} {first[C.STRIKE]} expiring "
            f"{pd.Timestamp(first[C.EXPIRY]).date()} ({first[C.SETTLEMENT]}); keep one per "
            "contract (e.g. filter by root) before computing model-free variance",
            row=chain.index[dup][0])
    expiry, style = chain[C.EXPIRY], chain[C.SETTLEMENT]
    keep = np.flatnonzero(expiry.notna().to_numpy() & style.notna().to_numpy())
    exp_code, exp_values = pd.factorize(expiry.to_numpy()[keep], sort=True)
    style_code, style_values = pd.factorize(style.to_numpy(dtype=object)[keep], sort=True)
    strike = chain[C.STRIKE].to_numpy(float)[keep]
    is_call = (chain[C.RIGHT].to_numpy(dtype=object) == C.CALL)[keep]
    bid, ask = chain[C.BID].to_numpy(float)[keep], chain[C.ASK].to_numpy(float)[keep]
    order = np.lexsort((strike, style_code, exp_code))  # NaN strikes last in a board
    group = exp_code[order] * len(style_values) + style_code[order]
    bounds = np.flatnonzero(np.diff(group)) + 1
    boards = {}
    for rows in np.split(order, bounds) if order.size else []:
        k = strike[rows]
        new = np.ones(k.size, dtype=bool)
        new[1:] = ~((k[1:] == k[:-1]) | (np.isnan(k[1:]) & np.isnan(k[:-1])))
        slot = np.cumsum(new) - 1
        sides = np.full((4, int(new.sum())), np.nan)
        calls = is_call[rows]
        for i, (side, price) in enumerate(((calls, bid), (calls, ask), (~calls, bid),
                                           (~calls, ask))):
            sides[i, slot[side]] = price[rows][side]
        key = (pd.Timestamp(exp_values[exp_code[rows[0]]]), style_values[style_code[rows[0]]])
        boards[key] = (k[new], *sides)
    return boards


def _prepare(chain: pd.DataFrame) -> pd.DataFrame:
    need = [C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK]
    missing = [c for c in need if c not in chain.columns]
    if missing:
        raise ChainSchemaError(f"model-free variance needs columns {missing}",
                               column=missing[0])
    if chain.empty:
        raise EmptyDataError("the chain has no rows: nothing to compute model-free variance on")
    cols = need + [c for c in (C.SETTLEMENT, C.ROOT, C.QUOTE_TIME) if c in chain.columns]
    # without attrs: pandas deep-copies a loader's provenance into every column read
    df = without_attrs(chain)[cols].copy()
    df[C.EXPIRY] = pd.to_datetime(df[C.EXPIRY]).dt.normalize()
    if C.SETTLEMENT not in df:
        df[C.SETTLEMENT] = settlement_style(df[C.ROOT]) if C.ROOT in df else C.PM
    df[C.SETTLEMENT] = df[C.SETTLEMENT].astype(object)
    df[C.RIGHT] = df[C.RIGHT].astype(str).str.upper().str[0].astype(object)
    bad = ~df[C.RIGHT].isin([C.CALL, C.PUT])
    if bad.any():
        row = df.index[bad.to_numpy()][0]
        raise ChainSchemaError(f"right must be C or P, got {chain.loc[row, C.RIGHT]!r}",
                               row=row, column=C.RIGHT)
    for col in (C.STRIKE, C.BID, C.ASK):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            row = df.index[bad.to_numpy()][0]
            raise ChainSchemaError(f"{col} is not a number: {df.loc[row, col]!r}",
                                   row=row, column=col)
        df[col] = values.astype(float)
    return df


def _strike_table(tables: list[tuple[tuple[pd.Timestamp, str], dict[str, np.ndarray]]]
                  ) -> pd.DataFrame:
    """The per-term strike tables stacked, each row labelled with its term."""
    if not tables:
        return pd.DataFrame(columns=list(_STRIKE_COLUMNS))
    sizes = [len(table[C.STRIKE]) for _, table in tables]
    data: dict[str, Any] = {
        C.EXPIRY: pd.DatetimeIndex(np.repeat([key[0] for key, _ in tables], sizes)),
        C.SETTLEMENT: np.repeat(np.array([key[1] for key, _ in tables], dtype=object), sizes),
    }
    for name in _STRIKE_COLUMNS[2:]:
        data[name] = np.concatenate([table[name] for _, table in tables])
    return pd.DataFrame(data)


def _select(t: np.ndarray, ok: np.ndarray, target: float,
            window: tuple[float, float] | None) -> tuple[int, int] | None:
    """Indices (near, next) bracketing ``target``; the Cboe window first."""
    pools = []
    if window is not None:
        lo, hi = window[0] / DAYS_PER_YEAR, window[1] / DAYS_PER_YEAR
        pools.append(ok & (t > lo) & (t < hi))
    pools.append(ok)
    for pool in pools:
        below = np.flatnonzero(pool & (t <= target))
        above = np.flatnonzero(pool & (t > target))
        if below.size and above.size:
            return int(below[np.argmax(t[below])]), int(above[np.argmin(t[above])])
        if below.size and np.isclose(t[below].max(), target, rtol=0, atol=1e-12):
            i = int(below[np.argmax(t[below])])
            return i, i
    return None


def model_free_vol(
    chain: pd.DataFrame,
    rate: RateLike,
    days: float = 30,
    *,
    t: Mapping[Any, float] | pd.Series | None = None,
    window: tuple[float, float] | None = CBOE_WINDOW_DAYS,
) -> ModelFreeVol:
    """Model-free (VIX-style) volatility of a chain at a constant maturity.

    Parameters
    ----------
    chain
        Canonical chain, one row per quote.  Needs ``expiry, strike, right,
        bid, ask``; ``quote_time`` (unless ``t`` gives every term) and
        ``settlement`` (else inferred from ``root``, else ``"PM"``).
        ``mid`` is not used: midpoints are recomputed as (bid + ask) / 2.
    rate
        Continuously compounded risk-free rate R (decimal, 0.0031664 for
        0.31664 %): one number, or a mapping / Series expiry -> rate.
    days
        Target horizon in calendar days (30 for the VIX).
    t
        Optional expiry -> time to expiry in years, overriding the minute
        clock (e.g. the legacy white paper's days / 365).
    window
        Preferred range of days for the near and next terms (Cboe: more than
        23 and less than 37).  When no pair brackets the target inside it,
        the nearest bracketing pair of all terms is used; ``None`` skips it.

    Returns
    -------
    ModelFreeVol
        ``vol`` (annualised decimal), ``variance``, ``status``, and the
        audit tables ``terms`` and ``strikes``.  NaN ``vol`` always has a
        status: ``not_bracketed`` (no usable term on one side of the target,
        never extrapolated) or the failing term's ``mfv_status``.

    Notes
    -----
    Per term (one expiry and settlement style), following Cboe's *VIX
    Mathematics Methodology*:

    * T = minutes from the quote time to the settlement instant (09:30 New
      York for AM-settled, 16:00 for PM-settled) / 525,600.
    * A quote is usable when bid > 0 and ask >= bid; its price is the
      midpoint Q = (bid + ask) / 2.
    * Forward: the strike K* with the smallest |C - P| among strikes with a
      usable call and put (ties: the lowest strike);
      F = K* + e^{RT} (C - P).
    * K0 = the largest listed strike at or below F, priced at the average of
      its call and put midpoints (both must be usable).
    * Puts below K0 walking down and calls above K0 walking up; zero-bid
      strikes are skipped and the walk stops at the first two consecutive
      zero bids.
    * dK_i = (K_{i+1} - K_{i-1}) / 2 over the included strikes, one-sided at
      the ends.
    * sigma^2 = (2/T) sum dK_i / K_i^2 e^{RT} Q(K_i) - (1/T) (F/K0 - 1)^2.

    Near and next terms T1 <= tau < T2 (tau = days / 365) are interpolated
    linearly in total variance and annualised:
    sigma_tau^2 = [T1 s1^2 (T2 - tau) + T2 s2^2 (tau - T1)] / [(T2 - T1) tau],
    which is Cboe's formula with N_T in minutes.  A term exactly at tau is
    used alone.  ``vol`` = sqrt(sigma_tau^2); multiply by 100 for index
    points.

    Examples
    --------
    >>> res = model_free_vol(chain, rate=0.045)          # doctest: +SKIP
    >>> round(100 * res.vol, 2), res.used_terms[["expiry", "t", "sigma2"]]  # doctest: +SKIP
    """
    df = _prepare(chain)
    boards = _boards(df)
    keys = list(boards)
    expiries = pd.DatetimeIndex([k[0] for k in keys])
    styles = np.array([k[1] for k in keys], dtype=object)
    rates = _per_expiry(rate, expiries, "rate")
    if t is not None:
        years = _per_expiry(t, expiries, "t")
    else:
        if C.QUOTE_TIME not in df:
            raise ChainSchemaError("model-free variance needs quote_time (or pass t=...)",
                                   column=C.QUOTE_TIME)
        first_quote = df.groupby([C.EXPIRY, C.SETTLEMENT], sort=True)[C.QUOTE_TIME].first()
        years = year_fraction(first_quote.to_numpy(), expiries, styles)

    term_rows, strike_tables = [], []
    for i, key in enumerate(keys):
        row, table = _term(boards[key], float(years[i]), float(rates[i]))
        term_rows.append({C.EXPIRY: key[0], C.SETTLEMENT: key[1], C.T: float(years[i]),
                          C.RATE: float(rates[i]), **row, C.WEIGHT: 0.0})
        if table is not None:
            strike_tables.append((key, table))
    terms = pd.DataFrame(term_rows, columns=list(_TERM_COLUMNS))
    strikes = _strike_table(strike_tables)

    target = float(days) / DAYS_PER_YEAR
    tt = terms[C.T].to_numpy(float)
    ok = (terms[C.MFV_STATUS] == C.MF_OK).to_numpy()
    pick = _select(tt, ok, target, window)
    if pick is None:
        logger.info("model-free variance: no usable terms bracket %s days", days)
        return ModelFreeVol(np.nan, np.nan, float(days), C.MF_NOT_BRACKETED, terms, strikes)
    near, nxt = pick
    s2 = terms[C.SIGMA2].to_numpy(float)
    if near == nxt:
        w_near = 1.0
        variance = s2[near]
    else:
        w_near = (tt[nxt] - target) / (tt[nxt] - tt[near])
        variance = (tt[near] * s2[near] * w_near + tt[nxt] * s2[nxt] * (1 - w_near)) / target
    weights = np.zeros(len(terms))
    weights[nxt] += 1.0 - w_near
    weights[near] += w_near
    terms[C.WEIGHT] = weights
    if not variance > 0:
        return ModelFreeVol(np.nan, float(variance), float(days), C.MF_NEGATIVE, terms, strikes)
    return ModelFreeVol(float(np.sqrt(variance)), float(variance), float(days), C.MF_OK,
                        terms, strikes)


__all__ = ["ModelFreeVol", "model_free_vol"]
