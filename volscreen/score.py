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
from ._candcols import StatusCodes, floats, with_columns
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
    codes = StatusCodes.of(cands)
    new = cheapness_columns(floats(cands, CHEAPNESS_INPUTS),
                            cands[C.TRADING_DAYS].to_numpy(dtype=float), codes, iv_rank=iv_rank)
    new[C.DATA_STATUS] = codes.joined()
    return with_columns(cands, new)


CHEAPNESS_INPUTS = (C.FORWARD, C.T, C.RATE, C.PUT_STRIKE, C.CALL_STRIKE, C.STRUCTURE_IV,
                    C.DEBIT_NATURAL, C.RV_FORECAST)
"""Float columns :func:`cheapness_columns` reads."""


def cheapness_columns(f: dict[str, np.ndarray], days: np.ndarray, codes: StatusCodes, *,
                      iv_rank: float | None = None) -> dict[str, Any]:
    """The columns :func:`add_cheapness` adds, from arrays (``f``: :data:`CHEAPNESS_INPUTS`)."""
    from .pricing import black_price

    new: dict[str, Any] = {}
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows carry data_status codes
        rv_total_sd = f[C.RV_FORECAST] * np.sqrt(days / TRADING_DAYS_PER_YEAR)
        sigma_cal = rv_total_sd / np.sqrt(f[C.T])
        strikes = np.stack([f[C.PUT_STRIKE], f[C.CALL_STRIKE]])
        legs = black_price(f[C.FORWARD], strikes, f[C.T], f[C.RATE], sigma_cal, _RIGHTS)
        fair = legs[0] + legs[1]
        new[C.FAIR_DEBIT_RV] = fair
        new[C.CHEAPNESS] = np.where(fair > 0, f[C.DEBIT_NATURAL] / fair, np.nan)
        new[C.IV_RV_RATIO] = f[C.STRUCTURE_IV] * np.sqrt(f[C.T]) / rv_total_sd
    rank = np.nan if iv_rank is None else float(iv_rank)
    codes.flag(not np.isfinite(rank), C.DS_NO_IV_RANK)
    new[C.IV_RANK] = np.full(days.size, rank)
    new[C.DATA_STATUS] = None  # placeholder: the caller joins the codes last
    return new


_RIGHTS = np.array([[False], [True]])  # put row, call row (True = call)


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
    codes = StatusCodes.of(cands)
    new = score_columns(floats(cands, SCORE_INPUTS),
                        cands[C.BREAKEVEN_INSIDE_TARGETS].to_numpy(dtype=bool),
                        cands[C.CANDIDATE_STATUS].astype(str).to_numpy(dtype=object), codes,
                        compression=compression, weights=weights)
    new[C.DATA_STATUS] = codes.joined()
    out = with_columns(cands, new)
    return out.take(score_order(new[C.SCORE])).reset_index(drop=True)


SCORE_INPUTS = (C.CHEAPNESS, C.BE_LOW_SIGMAS, C.BE_HIGH_SIGMAS, C.MAX_SPREAD_PCT,
                C.MIN_OPEN_INTEREST, C.IV_RV_RATIO, C.TARGET_LOW, C.TARGET_HIGH)
"""Float columns :func:`score_columns` reads."""


def score_order(score: np.ndarray) -> np.ndarray:
    """Row order by ``score``, best first, NaN last; ties keep their order (stable)."""
    return np.argsort(-np.asarray(score, dtype=float), kind="stable")


def score_columns(f: dict[str, np.ndarray], inside: np.ndarray, status: np.ndarray,
                  codes: StatusCodes, *, compression: Any = None,
                  weights: ScoreWeights | None = None) -> dict[str, Any]:
    """The columns :func:`score_candidates` adds, from arrays (``f``: :data:`SCORE_INPUTS`).

    ``inside`` is ``breakeven_inside_targets`` and ``status`` the
    ``candidate_status`` of each row; rows are not sorted here
    (:func:`score_order`).
    """
    w = weights or ScoreWeights()
    new: dict[str, Any] = {}
    n = inside.size
    pctile = _get(compression, C.BBW_PCTILE_126)
    sq_bars = _get(compression, C.SQUEEZE_BARS)
    sq_on = _get(compression, C.SQUEEZE_ON)
    comp = 0.5 * (1.0 - pctile / 100.0) + 0.5 * min(max(sq_bars, 0.0) / SQUEEZE_FULL_BARS, 1.0)
    cheap = f[C.CHEAPNESS]
    d_near = np.fmin(f[C.BE_LOW_SIGMAS], f[C.BE_HIGH_SIGMAS])
    spread, oi = f[C.MAX_SPREAD_PCT], f[C.MIN_OPEN_INTEREST]
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
    codes.flag(~np.isfinite(comps[C.SCORE_COMPRESSION]), C.DS_NO_COMPRESSION)
    new[C.DATA_STATUS] = None  # placeholder: the caller joins the codes last
    new[C.REASONS] = _reasons(f, inside, status, sq_on, sq_bars, pctile)
    return new


def _reasons(f: dict[str, np.ndarray], inside: np.ndarray, status: np.ndarray, sq_on: float,
             sq_bars: float, pctile: float) -> np.ndarray:
    """``;``-joined reason codes per row (object array of str)."""
    common = []
    if sq_on == 1.0 and np.isfinite(sq_bars):
        common.append(f"squeeze_{int(sq_bars)}d")
    if np.isfinite(pctile) and pctile <= BBW_LOW_PCTILE:
        common.append("bbw_low")
    ratio, cheap = f[C.IV_RV_RATIO], f[C.CHEAPNESS]
    has_targets = np.isfinite(f[C.TARGET_LOW]) & np.isfinite(f[C.TARGET_HIGH])
    spread, oi = f[C.MAX_SPREAD_PCT], f[C.MIN_OPEN_INTEREST]
    with np.errstate(invalid="ignore"):  # NaN compares False: no code, as documented
        table = [  # (mask, code) in the order the codes are listed
            (ratio < IV_BELOW_RV, "iv_below_rv"), (~(ratio < IV_BELOW_RV) & (ratio > RICH),
                                                   "iv_above_rv"),
            (cheap < CHEAP, "cheap"), (~(cheap < CHEAP) & (cheap > RICH), "rich"),
            (has_targets & inside, "be_inside_targets"),
            (has_targets & ~inside, "be_outside_targets"),
            (spread >= WIDE_SPREAD, "wide_spread"), (oi < LOW_OI, "low_oi")]
    if inside.size == 0:
        return np.empty(0)  # as an empty list of reasons becomes: a float64 column
    # each row's codes as the bits of one int, and its leg status where not ok: the text of
    # each distinct (bits, status) is joined once
    pattern = np.zeros(inside.size, dtype=np.int64)
    for bit, (mask, _) in enumerate(table):
        pattern |= mask.astype(np.int64) << bit
    statuses, leg = np.unique(status.astype(str), return_inverse=True)
    not_ok = (status != C.CAND_OK).astype(np.int64)
    keys, inverse = np.unique((pattern * 2 + not_ok) * statuses.size + leg.ravel(),
                              return_inverse=True)
    labels = np.empty(keys.size, dtype=object)
    for j, key in enumerate(keys.tolist()):
        rest, which = divmod(key, statuses.size)
        bits, shown = divmod(rest, 2)
        labels[j] = ";".join(common + [code for i, (_, code) in enumerate(table)
                                       if bits >> i & 1]
                             + ([str(statuses[which])] if shown else []))
    return labels[inverse.ravel()]
