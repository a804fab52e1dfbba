"""Put-call-parity forwards, discount factors and implied carry, one row per expiry.

Conventions: ``t`` in years on the minute clock (:func:`volscreen.clock.year_fraction`),
continuously compounded rates, decimals.  Prices are the chain's ``mid``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Literal, Union

import numpy as np
import pandas as pd

from . import clock
from . import columns as C
from .errors import ChainSchemaError, ConfigError

logger = logging.getLogger(__name__)

RateLike = Union[float, Mapping[object, float], Callable[[float], float], None]

N_PARITY_PAIRS = 5
"""Pairs (smallest |C - P| first) used by the robust forward and the regression."""
MIN_REGRESSION_PAIRS = 3
"""Fewest pairs for the rate-free regression of C - P on K."""
PLAUSIBLE_RATE = (-0.05, 0.25)
"""Implied rates outside this range (continuous, annual) are rejected."""
PLAUSIBLE_CARRY = 1.0
"""|ln(F/S)| above PLAUSIBLE_CARRY * t + 0.05 is rejected as implausible."""

GROUP_COLUMNS = (C.UNDERLYING, C.ROOT, C.QUOTE_TIME, C.EXPIRY, C.SETTLEMENT)
"""Columns (those present) that identify one expiry's option series."""


def group_columns(chain: pd.DataFrame) -> list[str]:
    """The columns of :data:`GROUP_COLUMNS` present in ``chain`` (one series each)."""
    return [c for c in GROUP_COLUMNS if c in chain.columns]


def settlement_of(chain: pd.DataFrame) -> np.ndarray:
    """``settlement`` column, else inferred from ``root``, else ``"PM"``."""
    if C.SETTLEMENT in chain.columns:
        return chain[C.SETTLEMENT].to_numpy(dtype=object)
    if C.ROOT in chain.columns:
        return clock.settlement_style(chain[C.ROOT])
    return np.full(len(chain), C.PM, dtype=object)


def rate_for(rate: RateLike, expiry: object, t: float) -> float:
    """Resolve a rate given as a float, a mapping expiry -> rate, or a callable t -> rate."""
    if rate is None:
        return float("nan")
    if callable(rate):
        return float(rate(t))
    if isinstance(rate, Mapping):
        key = pd.Timestamp(expiry).normalize()
        for k, v in rate.items():
            if pd.Timestamp(k).normalize() == key:
                return float(v)
        raise ConfigError(f"no rate given for expiry {key.date()}", column=C.RATE)
    try:
        return float(rate)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"rate must be a number, a mapping expiry -> rate or a callable; "
                          f"got {rate!r}", column=C.RATE) from exc


def _valid_pairs(group: pd.DataFrame) -> pd.DataFrame:
    """Strikes with both a call and a put validly quoted: columns strike, c, p."""
    mid = pd.to_numeric(group[C.MID], errors="coerce")
    ok = mid.notna().to_numpy().copy()
    if C.QUOTE_STATUS in group.columns:
        ok &= (group[C.QUOTE_STATUS] == C.QS_OK).to_numpy()
    else:
        ok &= (group[C.BID] > 0).to_numpy() & (group[C.ASK] >= group[C.BID]).to_numpy()
    right = group[C.RIGHT].astype(str).str.upper().str[0].to_numpy()
    frame = pd.DataFrame({"strike": group[C.STRIKE].to_numpy(dtype=float),
                          "right": right, "mid": mid.to_numpy(dtype=float)})[ok]
    calls = frame[frame["right"] == C.CALL].groupby("strike")["mid"].mean()
    puts = frame[frame["right"] == C.PUT].groupby("strike")["mid"].mean()
    pairs = pd.concat({"c": calls, "p": puts}, axis=1, join="inner").reset_index()
    return pairs


def _theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Median of pairwise slopes and the median intercept."""
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    keep = dx != 0
    slope = float(np.median((y[j] - y[i])[keep] / dx[keep]))
    return slope, float(np.median(y - slope * x))


def _one_expiry(group: pd.DataFrame, t: float, r: float, spot: float,
                method: str) -> dict[str, object]:
    out: dict[str, object] = {C.FORWARD: np.nan, C.DISCOUNT: np.nan, C.RATE: r,
                              C.IMPLIED_CARRY: np.nan, C.PARITY_STRIKE: np.nan,
                              C.PARITY_STRIKES_USED: 0}
    if not t > 0:
        out[C.FORWARD_STATUS] = C.FS_EXPIRED
        return out
    rights = set(group[C.RIGHT].astype(str).str.upper().str[0])
    if not {C.CALL, C.PUT} <= rights:
        out[C.FORWARD_STATUS] = C.FS_ONE_SIDED
        return out
    pairs = _valid_pairs(group)
    if pairs.empty:
        out[C.FORWARD_STATUS] = C.FS_NO_PAIRS
        return out
    diff = (pairs["c"] - pairs["p"]).to_numpy()
    strikes = pairs["strike"].to_numpy()
    order = np.argsort(np.abs(diff), kind="stable")
    k_star = strikes[order[0]]
    out[C.PARITY_STRIKE] = k_star
    near = order[:N_PARITY_PAIRS]
    if np.isnan(r):
        if len(near) < MIN_REGRESSION_PAIRS:
            out[C.FORWARD_STATUS] = C.FS_NO_PAIRS
            return out
        slope, intercept = _theil_sen(strikes[near], diff[near])
        disc = -slope
        r = -np.log(disc) / t if disc > 0 else np.nan
        out[C.RATE] = r
        out[C.PARITY_STRIKES_USED] = len(near)
        if not (PLAUSIBLE_RATE[0] <= r <= PLAUSIBLE_RATE[1]):
            out[C.FORWARD_STATUS] = C.FS_IMPLAUSIBLE
            return out
        forward = intercept / disc
    else:
        disc = float(np.exp(-r * t))
        if method == "cboe":
            forward = k_star + diff[order[0]] / disc
            out[C.PARITY_STRIKES_USED] = 1
        else:
            forward = float(np.median(strikes[near] + diff[near] / disc))
            out[C.PARITY_STRIKES_USED] = len(near)
    out[C.FORWARD] = forward
    out[C.DISCOUNT] = disc
    if not forward > 0:
        out[C.FORWARD_STATUS] = C.FS_IMPLAUSIBLE
        out[C.FORWARD] = np.nan
        return out
    if np.isfinite(spot) and spot > 0:
        log_carry = np.log(forward / spot)
        out[C.IMPLIED_CARRY] = r - log_carry / t
        if abs(log_carry) > PLAUSIBLE_CARRY * t + 0.05:
            out[C.FORWARD_STATUS] = C.FS_IMPLAUSIBLE
            out[C.FORWARD] = np.nan  # the carry it implies stays, as the reason
            return out
        out[C.FORWARD_STATUS] = C.FS_OK
    else:
        out[C.FORWARD_STATUS] = C.FS_NO_SPOT
    return out


def forwards(chain: pd.DataFrame, rate: RateLike = None, *,
             method: Literal["median", "cboe"] = "median") -> pd.DataFrame:
    """Forward, discount factor and implied carry per expiry from put-call parity.

    Parameters
    ----------
    chain
        Canonical chain.  Needs ``expiry``, ``quote_time``, ``strike``,
        ``right``, ``mid`` and ``quote_status`` (or ``bid``/``ask``); uses
        ``underlying_price`` for the carry and ``settlement`` (or ``root``)
        for the clock when present.
    rate
        Continuously compounded risk-free rate: a float, a mapping
        expiry -> rate, a callable ``t -> rate``, or None to imply the
        discount factor from the chain (see Notes).
    method
        With a rate: ``"median"`` (default) or ``"cboe"`` (see Notes).

    Returns
    -------
    pandas.DataFrame
        One row per series (``underlying``, ``root``, ``quote_time``,
        ``expiry``, ``settlement``, those present) with ``t``, ``rate``,
        ``discount`` (e^{-rt}), ``forward``, ``underlying_price``,
        ``implied_carry`` (q = r - ln(F/S)/t), ``parity_strike`` (K*),
        ``parity_strikes_used`` and ``forward_status`` (``FS_*`` codes in
        :mod:`volscreen.columns`); ``forward`` is NaN whenever the status is
        not ``ok``/``no_spot``.

    Notes
    -----
    Valid pairs are strikes where both the call and the put have quote_status
    ``ok`` (both sides quoted, not crossed, not wide).  K* minimises
    |C_mid - P_mid|.

    * ``method="cboe"``: F = K* + e^{rt}(C - P) at K* alone (Cboe VIX rule).
    * ``method="median"`` (default): the median of F_i = K_i + e^{rt}(C_i - P_i)
      over the 5 pairs with the smallest |C - P|.  One stale or wide pair at
      K* moves the Cboe forward by its whole error; the median ignores it,
      and on a clean chain the two agree within the bid-ask noise.
    * ``rate=None``: a Theil-Sen regression of C - P = D F - D K on K over the
      same 5 pairs gives D (minus the slope) and F (intercept / D); rates
      outside :data:`PLAUSIBLE_RATE` are rejected (status ``implausible``).
      Short expiries rarely pin D down: pass a rate when you have one.

    A forward whose log distance from spot exceeds ``t + 0.05`` is reported
    with status ``implausible`` and a NaN forward.
    """
    missing = [c for c in (C.EXPIRY, C.QUOTE_TIME, C.STRIKE, C.RIGHT, C.MID)
               if c not in chain.columns]
    if missing:
        raise ChainSchemaError(f"forwards needs columns {missing}", column=missing[0])
    if method not in ("median", "cboe"):
        raise ConfigError(f"method must be 'median' or 'cboe', got {method!r}")
    frame = chain.copy()
    strike = pd.to_numeric(frame[C.STRIKE], errors="coerce")
    text = strike.isna() & frame[C.STRIKE].notna()
    if text.any():
        row = frame.index[text.to_numpy()][0]
        raise ChainSchemaError(f"strike is not a number: {frame.loc[row, C.STRIKE]!r}",
                               row=row, column=C.STRIKE)
    frame[C.STRIKE] = strike.astype(float)
    if C.SETTLEMENT not in frame.columns:
        frame[C.SETTLEMENT] = settlement_of(chain)
    keys = group_columns(frame)
    rows = []
    for key, group in frame.groupby(keys, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        first = group.iloc[0]
        t = float(clock.year_fraction(first[C.QUOTE_TIME], first[C.EXPIRY],
                                      first[C.SETTLEMENT])[0])
        spot = (float(pd.to_numeric(group[C.UNDERLYING_PRICE], errors="coerce").median())
                if C.UNDERLYING_PRICE in group.columns else np.nan)
        r = rate_for(rate, first[C.EXPIRY], t)
        record = dict(zip(keys, key))
        record[C.T] = t
        record[C.UNDERLYING_PRICE] = spot
        record.update(_one_expiry(group, t, r, spot, method))
        rows.append(record)
    cols = keys + [C.T, C.RATE, C.DISCOUNT, C.FORWARD, C.UNDERLYING_PRICE, C.IMPLIED_CARRY,
                   C.PARITY_STRIKE, C.PARITY_STRIKES_USED, C.FORWARD_STATUS]
    out = pd.DataFrame(rows, columns=cols)
    bad = out[C.FORWARD_STATUS] != C.FS_OK
    if bad.any():
        logger.info("forwards: %d of %d expiries without an ok forward", int(bad.sum()), len(out))
    return out
