"""Cheapness and a transparent score for long-volatility candidates.

Cheapness
---------
* ``fair_debit_rv``: the structure priced with Black-76 on the chain's
  forward at the RV forecast.  The forecast is annualised on trading days
  (sqrt 252) while option time ``t`` runs on the calendar minute clock
  (/365); the two are matched on **total variance over the option's life**:
  ``sigma_cal^2 t = rv^2 x trading_days / 252``.
* ``cheapness`` = ``debit_natural / fair_debit_rv`` (< 1 is cheap).
* ``iv_rv_ratio`` = ``sqrt(structure_iv^2 t / (rv^2 trading_days / 252))``,
  the ratio of implied to forecast vol over the same life.

Score components (each in [0, 1], 1 = most attractive)
------------------------------------------------------
* ``score_compression`` = 0.5 (1 - bbw_pctile_126/100)
  + 0.5 min(squeeze_bars / SQUEEZE_FULL_BARS, 1).
* ``score_cheapness`` = clip((CHEAP_RICH - cheapness) / (CHEAP_RICH - CHEAP_FULL), 0, 1):
  1 at cheapness <= 0.5, 0.5 at fair (1.0), 0 at >= 1.5.
* ``score_target_reach`` = 0.5 [breakeven_inside_targets]
  + 0.5 clip(1 - d / REACH_SIGMAS, 0, 1), d = the nearer breakeven's
  distance in implied one-sigma moves (``be_low_sigmas``/``be_high_sigmas``).
* ``score_liquidity`` = 0.5 clip(1 - max_spread_pct / WIDE_SPREAD, 0, 1)
  + 0.5 clip(log10(1 + min_open_interest) / 3, 0, 1) (1000 contracts -> full).

``score`` is the weighted mean of the components that are available
(weights from :class:`ScoreWeights`, renormalised over the available ones);
``score_coverage`` is the share of the weight that was available, and a
missing component has its code in ``data_status``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .errors import ConfigError

TRADING_DAYS_PER_YEAR = 252
SQUEEZE_FULL_BARS = 20
"""A squeeze this many bars long earns the full squeeze half of the component."""
CHEAP_FULL = 0.5
CHEAP_RICH = 1.5
REACH_SIGMAS = 2.0
WIDE_SPREAD = 0.10
"""spread_pct at or above which a leg is ``wide_spread`` and earns no spread score."""
LOW_OI = 100
"""Open interest below which a leg is ``low_oi``."""
BBW_LOW_PCTILE = 20.0
IV_BELOW_RV = 1.0
CHEAP = 0.9
RICH = 1.2


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the score components (any non-negative numbers; renormalised).

    Defaults: compression 0.30, cheapness 0.30, target reach 0.25,
    liquidity 0.15.  Build from a config mapping with ``ScoreWeights(**cfg)``.
    """

    compression: float = 0.30
    cheapness: float = 0.30
    target_reach: float = 0.25
    liquidity: float = 0.15

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (np.isfinite(value) and value >= 0):
                raise ConfigError(f"score weight {name} must be a non-negative number, got "
                                  f"{value!r}", column=name)
        if sum(asdict(self).values()) <= 0:
            raise ConfigError("at least one score weight must be positive", column="weights")


def add_cheapness(cands: pd.DataFrame, *, iv_rank: float | None = None) -> pd.DataFrame:
    """Add ``fair_debit_rv``, ``cheapness``, ``iv_rv_ratio`` and ``iv_rank``.

    Needs ``rv_forecast`` (from :func:`volscreen.probability.add_probabilities`),
    ``forward``, ``t``, ``rate``, ``trading_days``, strikes, ``structure_iv``
    and ``debit_natural``.  NaN where the RV forecast or a leg is missing,
    with the code in ``data_status``.  Conventions in the module docstring.
    """
    from .pricing import black_price
    from .targets import _codes, _flag, _join, with_columns

    out = cands  # read only: new columns are collected in ``new``
    new: dict[str, Any] = {}
    f = {k: out[k].to_numpy(dtype=float) for k in (
        C.FORWARD, C.T, C.RATE, C.PUT_STRIKE, C.CALL_STRIKE, C.STRUCTURE_IV, C.DEBIT_NATURAL,
        C.RV_FORECAST)}
    days = out[C.TRADING_DAYS].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows carry data_status codes
        rv_total_sd = f[C.RV_FORECAST] * np.sqrt(days / TRADING_DAYS_PER_YEAR)
        sigma_cal = rv_total_sd / np.sqrt(f[C.T])
        fair = (black_price(f[C.FORWARD], f[C.PUT_STRIKE], f[C.T], f[C.RATE], sigma_cal, C.PUT)
                + black_price(f[C.FORWARD], f[C.CALL_STRIKE], f[C.T], f[C.RATE], sigma_cal,
                              C.CALL))
        new[C.FAIR_DEBIT_RV] = fair
        new[C.CHEAPNESS] = np.where(fair > 0, f[C.DEBIT_NATURAL] / fair, np.nan)
        new[C.IV_RV_RATIO] = f[C.STRUCTURE_IV] * np.sqrt(f[C.T]) / rv_total_sd
    codes = _codes(out)
    rank = np.nan if iv_rank is None else float(iv_rank)
    _flag(codes, np.full(len(out), not np.isfinite(rank)), C.DS_NO_IV_RANK)
    new[C.IV_RANK] = rank
    new[C.DATA_STATUS] = _join(codes)
    return with_columns(cands, new)


def _get(summary: Any, key: str) -> float:
    if summary is None:
        return np.nan
    try:
        value = summary[key]
    except (KeyError, IndexError, TypeError):
        return np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def score_candidates(cands: pd.DataFrame, *, compression: Any = None,
                     weights: ScoreWeights | None = None) -> pd.DataFrame:
    """Add the score components, ``score``, ``score_coverage`` and ``reasons``.

    Parameters
    ----------
    cands
        Candidates with targets, probabilities and cheapness.
    compression
        :func:`volscreen.compression_summary` of the underlying (a Series or
        mapping with ``bbw_pctile_126``, ``squeeze_on``, ``squeeze_bars``);
        ``None``: no compression component (``no_compression``).
    weights
        :class:`ScoreWeights` (default weights when ``None``).

    Returns
    -------
    pandas.DataFrame
        A copy sorted by ``score`` (descending, NaN last) with
        ``score_compression``, ``score_cheapness``, ``score_target_reach``,
        ``score_liquidity``, ``score``, ``score_coverage``, ``reasons``.

    Notes
    -----
    Formulas in the module docstring.  ``reasons`` codes: ``squeeze_<n>d``
    (TTM squeeze on for n bars), ``bbw_low`` (BBW percentile <= 20),
    ``iv_below_rv`` / ``iv_above_rv`` (iv_rv_ratio < 1 / > 1.2), ``cheap`` /
    ``rich`` (cheapness < 0.9 / > 1.2), ``be_inside_targets`` /
    ``be_outside_targets``, ``wide_spread`` (a leg's spread_pct >= 10 %),
    ``low_oi`` (a leg's open interest < 100), and the leg status when a leg
    is missing.
    """
    from .targets import _codes, _flag, _join, with_columns

    w = weights or ScoreWeights()
    out = cands  # read only: new columns are collected in ``new``
    new: dict[str, Any] = {}
    n = len(out)
    pctile = _get(compression, C.BBW_PCTILE_126)
    sq_bars = _get(compression, C.SQUEEZE_BARS)
    sq_on = _get(compression, C.SQUEEZE_ON)
    comp = 0.5 * (1.0 - pctile / 100.0) + 0.5 * min(max(sq_bars, 0.0) / SQUEEZE_FULL_BARS, 1.0)
    cheap = out[C.CHEAPNESS].to_numpy(dtype=float)
    inside = out[C.BREAKEVEN_INSIDE_TARGETS].to_numpy(dtype=bool)
    d_near = np.fmin(out[C.BE_LOW_SIGMAS].to_numpy(dtype=float),
                     out[C.BE_HIGH_SIGMAS].to_numpy(dtype=float))
    spread = out[C.MAX_SPREAD_PCT].to_numpy(dtype=float)
    oi = out[C.MIN_OPEN_INTEREST].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN inputs give NaN components
        comps = {
            C.SCORE_COMPRESSION: np.full(n, comp),
            C.SCORE_CHEAPNESS: np.clip((CHEAP_RICH - cheap) / (CHEAP_RICH - CHEAP_FULL), 0, 1),
            C.SCORE_TARGET_REACH: 0.5 * inside + 0.5 * np.clip(1 - d_near / REACH_SIGMAS, 0, 1),
            C.SCORE_LIQUIDITY: 0.5 * np.clip(1 - spread / WIDE_SPREAD, 0, 1)
            + 0.5 * np.clip(np.log10(1 + np.maximum(oi, 0)) / 3, 0, 1),
        }
    weight_of = {C.SCORE_COMPRESSION: w.compression, C.SCORE_CHEAPNESS: w.cheapness,
                 C.SCORE_TARGET_REACH: w.target_reach, C.SCORE_LIQUIDITY: w.liquidity}
    total = sum(weight_of.values())
    num, den = np.zeros(n), np.zeros(n)
    for name, values in comps.items():
        new[name] = values
        ok = np.isfinite(values)
        num += np.where(ok, values * weight_of[name], 0.0)
        den += np.where(ok, weight_of[name], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # no component at all: NaN + codes
        new[C.SCORE] = np.where(den > 0, num / den, np.nan)
    new[C.SCORE_COVERAGE] = den / total
    codes = _codes(out)
    _flag(codes, ~np.isfinite(comps[C.SCORE_COMPRESSION]), C.DS_NO_COMPRESSION)
    new[C.DATA_STATUS] = _join(codes)
    new[C.REASONS] = _reasons(out, sq_on, sq_bars, pctile)
    out = with_columns(cands, new)
    return out.sort_values(C.SCORE, ascending=False, na_position="last", kind="stable"
                           ).reset_index(drop=True)


def _reasons(out: pd.DataFrame, sq_on: float, sq_bars: float, pctile: float) -> list[str]:
    common = []
    if sq_on == 1.0 and np.isfinite(sq_bars):
        common.append(f"squeeze_{int(sq_bars)}d")
    if np.isfinite(pctile) and pctile <= BBW_LOW_PCTILE:
        common.append("bbw_low")
    ratio = out[C.IV_RV_RATIO].to_numpy(dtype=float)
    cheap = out[C.CHEAPNESS].to_numpy(dtype=float)
    inside = out[C.BREAKEVEN_INSIDE_TARGETS].to_numpy(dtype=bool)
    has_targets = np.isfinite(out[C.TARGET_LOW].to_numpy(dtype=float)) & np.isfinite(
        out[C.TARGET_HIGH].to_numpy(dtype=float))
    spread = out[C.MAX_SPREAD_PCT].to_numpy(dtype=float)
    oi = out[C.MIN_OPEN_INTEREST].to_numpy(dtype=float)
    status = out[C.CANDIDATE_STATUS].astype(str).to_numpy()
    rows = []
    for i in range(len(out)):
        r = list(common)
        if ratio[i] < IV_BELOW_RV:
            r.append("iv_below_rv")
        elif ratio[i] > RICH:
            r.append("iv_above_rv")
        if cheap[i] < CHEAP:
            r.append("cheap")
        elif cheap[i] > RICH:
            r.append("rich")
        if has_targets[i]:
            r.append("be_inside_targets" if inside[i] else "be_outside_targets")
        if spread[i] >= WIDE_SPREAD:
            r.append("wide_spread")
        if oi[i] < LOW_OI:
            r.append("low_oi")
        if status[i] != C.CAND_OK:
            r.append(status[i])
        rows.append(";".join(r))
    return rows
