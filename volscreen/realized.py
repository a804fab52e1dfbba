"""Realized volatility: rolling estimators, vol cones and forecasts.

Every vol is an annual decimal (0.182), annualised with
``sqrt(TRADING_DAYS_PER_YEAR)`` = sqrt(252) from daily variances.  Rolling
windows are aligned on the last bar of the window and are NaN until the
window is full; the ``rv_status`` column says why a value is NaN.

Adjustment
----------
Returns between days (close-to-close, overnight) use ``adj_close`` when the
bars carry it: the open is put on the same basis by scaling it with
``adj_close / close`` of its day.  Same-day ratios (high/low, close/open,
high/close, ...) do not depend on that scaling, so the range terms use the raw
OHLC.  A one-day move that matches a common split ratio (2:1, 3:1, 3:2, 1:2,
...) is treated as an unadjusted split: windows containing it are NaN with
status ``suspect_split`` and a :class:`~volscreen.errors.DataQualityWarning`
names the dates (pass ``split_check=False`` for indices such as VIX).
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import columns as col
from ._forecast import RVForecast, rv_forecast
from ._rolling import (
    Prefix,
    Prefixes,
    check_bars,
    recursive_mean,
    rolling_sum,
    sorted_quantiles,
)
from ._typing import BoolArray, FloatArray, RVEstimator
from .errors import ConfigError, DataQualityWarning

__all__ = ["RVForecast", "realized_vol", "realized_vols", "rv_forecast", "vol_cone"]

log = logging.getLogger(__name__)

TRADING_DAYS_PER_YEAR = 252
"""Trading days per year: daily variance x 252 = annual variance."""
EWMA_LAMBDA = 0.94
"""RiskMetrics (1996) decay factor for daily data."""
DEFAULT_WINDOWS = (10, 20, 30, 60, 90, 120, 252)
"""Rolling windows (bars) of :func:`realized_vols` and :func:`vol_cone`."""
DEFAULT_QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
"""Quantiles of the vol cone."""
SPLIT_RATIOS = (1.5, 2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0)
"""Forward split ratios checked (their inverses cover reverse splits)."""
SPLIT_TOLERANCE = 0.03
"""A one-day price ratio within 3 % of a split ratio (or its inverse) is suspect."""
ESTIMATORS: tuple[str, ...] = (
    "close_to_close",
    "parkinson",
    "garman_klass",
    "rogers_satchell",
    "yang_zhang",
    "ewma",
)
_LN2 = float(np.log(2.0))
_RV_STATUS_DTYPE = pd.CategoricalDtype(list(col.RV_STATUSES))
"""dtype of the ``rv_status`` column (built once: building it costs more than the codes)."""


def yang_zhang_k(n: int) -> float:
    """Yang-Zhang weight k = 0.34 / (1.34 + (n + 1)/(n - 1)) for an n-bar window."""
    return 0.34 / (1.34 + (n + 1.0) / (n - 1.0))


class _Parts:
    """Per-bar log terms of the estimators (arrays aligned with the bars)."""

    def __init__(self, bars: pd.DataFrame, arrays: dict[str, FloatArray] | None = None) -> None:
        if arrays is None:  # callers that validated the bars already pass the arrays
            arrays = check_bars(bars)
        o, h, lo, c = (arrays[name] for name in col.BAR_REQUIRED)
        factor = arrays[col.ADJ_CLOSE] / c if col.ADJ_CLOSE in arrays else 1.0
        c_adj = c * factor
        o_adj = o * factor
        n = c.shape[0]
        self.index = bars.index
        self.n = n
        self.r_cc = np.full(n, np.nan)
        self.r_cc[1:] = np.log(c_adj[1:] / c_adj[:-1])  # close-to-close
        self.r_on = np.full(n, np.nan)
        self.r_on[1:] = np.log(o_adj[1:] / c_adj[:-1])  # overnight, open vs previous close
        self.r_oc = np.log(c / o)  # open-to-close, same day
        self._hl = (h, lo)
        self.rs = np.log(h / c) * np.log(h / o) + np.log(lo / c) * np.log(lo / o)
        self.suspect: BoolArray = np.zeros(n, dtype=bool)
        self._prefix: dict[str, Prefix] = {}
        self._yz: Prefixes | None = None

    @property
    def hl(self) -> FloatArray:
        """ln(H/L) per bar (computed on demand: only Parkinson and Garman-Klass use it)."""
        h, lo = self._hl
        return np.log(h / lo)

    def yang_zhang(self) -> Prefixes:
        """Prefix sums of the overnight, open-to-close and Rogers-Satchell terms,
        built once (after the split check) and shared by every window."""
        if self._yz is None:
            r_oc_yz = np.where(np.isnan(self.r_on), np.nan, self.r_oc)
            self._yz = Prefixes((self.r_on, r_oc_yz, self.rs), squares=(True, True, False))
        return self._yz

    def prefix(self, name: str) -> Prefix:
        """Prefix sums of a per-bar term, built once and shared by every window."""
        if name not in self._prefix:
            if name == "hl2":
                x = self.hl**2
            elif name == "gk":
                x = 0.5 * self.hl**2 - (2.0 * _LN2 - 1.0) * self.r_oc**2
            else:
                x = getattr(self, name)
            self._prefix[name] = Prefix(x)
        return self._prefix[name]

    def flag_splits(self) -> list[object]:
        """Mark one-day moves matching a split ratio; returns their bar labels."""
        near = np.zeros(self.n, dtype=bool)
        # only moves beyond the smallest split ratio (with margin) can match: test those alone
        floor = np.log(min(SPLIT_RATIOS) * (1.0 - SPLIT_TOLERANCE)) - 0.01
        candidates = np.flatnonzero(np.abs(np.nan_to_num(self.r_cc)) >= floor)
        if candidates.size:
            ratio = np.exp(np.abs(self.r_cc[candidates]))
            hit = np.zeros(candidates.size, dtype=bool)
            for split in SPLIT_RATIOS:
                hit |= np.abs(ratio / split - 1.0) <= SPLIT_TOLERANCE
            near[candidates[hit]] = True
        self.suspect = near
        if near.any():
            self.r_cc[near] = np.nan
            self.r_on[near] = np.nan
            self._prefix.clear()  # sums built before the check are stale
            self._yz = None
        return list(self.index[near])


def _ewma_var(r: FloatArray, seed_len: int, lam: float) -> FloatArray:
    """RiskMetrics EWMA variance of returns ``r`` (NaN where ``r`` is NaN restarts it).

    Seeded with the mean of the first ``seed_len`` squared returns of each
    stretch of finite returns; the value at a bar uses returns up to that bar.
    """
    n = r.shape[0]
    out = np.full(n, np.nan)
    finite = np.isfinite(r)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    for begin, end in zip(edges[::2], edges[1::2]):  # one pass per stretch of finite returns
        seg = r[begin:end] ** 2
        if seg.shape[0] < seed_len:
            continue
        seed = float(np.mean(seg[:seed_len]))
        out[begin:end] = recursive_mean(seg, 1.0 - lam, seed_len - 1, seed)
    return out


def _daily_var(parts: _Parts, estimator: str, n: int) -> FloatArray:
    """Rolling daily variance of one estimator over ``n`` bars."""
    if n < 2:
        raise ConfigError(f"window must be at least 2 bars, got {n}")
    if estimator == "close_to_close":
        return parts.prefix("r_cc").var(n, ddof=1)
    if estimator == "parkinson":
        return parts.prefix("hl2").mean(n) / (4.0 * _LN2)
    if estimator == "garman_klass":
        return parts.prefix("gk").mean(n)
    if estimator == "rogers_satchell":
        return parts.prefix("rs").mean(n)
    if estimator == "yang_zhang":
        return _yang_zhang_var(parts.yang_zhang(), n)
    if estimator == "ewma":
        return _ewma_var(parts.r_cc, n, EWMA_LAMBDA)
    raise ConfigError(
        f"unknown realized-vol estimator {estimator!r}; choose one of " + ", ".join(ESTIMATORS)
    )


def _yang_zhang_var(pre: Prefixes, n: int) -> FloatArray:
    """Yang-Zhang daily variance over ``n`` bars from the shared prefix sums: the
    overnight and open-to-close variances (ddof = 1) and the Rogers-Satchell mean
    of each window, with the arithmetic of :meth:`Prefix.var` / :meth:`Prefix.mean`."""
    out = np.full(pre.n, np.nan)
    if n > pre.n:
        return out
    k = yang_zhang_k(n)
    start, s, clean = pre.window(n)
    var_o = np.maximum((s[1] - s[0] * s[0] / n) / (n - 1), 0.0)
    var_c = np.maximum((s[3] - s[2] * s[2] / n) / (n - 1), 0.0)
    var_rs = s[4] / n + pre.centres[2]
    if clean is not None:
        var_o = np.where(clean[0], var_o, np.nan)
        var_c = np.where(clean[1], var_c, np.nan)
        var_rs = np.where(clean[2], var_rs, np.nan)
    out[start:] = var_o + k * var_c + (1.0 - k) * np.maximum(var_rs, 0.0)
    return out


def _annualise(daily_var: FloatArray) -> FloatArray:
    return np.sqrt(np.maximum(daily_var, 0.0) * TRADING_DAYS_PER_YEAR)


def _suspect_windows(parts: _Parts, n: int) -> BoolArray:
    """True where the ``n``-bar window ending at a bar holds a suspect split."""
    if not parts.suspect.any():
        return np.zeros(parts.n, dtype=bool)
    hits = rolling_sum(parts.suspect.astype(np.float64), n)
    # a window is also spoiled while the partial window at the start holds the split
    cum = np.cumsum(parts.suspect)
    return np.where(np.isnan(hits), cum > 0, hits > 0)


def _prepare(
    bars: pd.DataFrame, split_check: bool, arrays: dict[str, FloatArray] | None = None
) -> _Parts:
    """Validate ``bars`` (unless given ``check_bars`` arrays); run the split check once."""
    parts = _Parts(bars, arrays)
    if split_check:
        dates = parts.flag_splits()
        if dates:
            shown = ", ".join(str(d) for d in dates[:5]) + (" ..." if len(dates) > 5 else "")
            msg = (
                f"{len(dates)} one-day move(s) match a split ratio (bars {shown}); windows "
                "holding them are NaN (status 'suspect_split'). Load split-adjusted bars, or "
                "pass split_check=False if the moves are real"
            )
            log.warning(msg)
            warnings.warn(msg, DataQualityWarning, stacklevel=3)
    return parts


def realized_vols(
    bars: pd.DataFrame,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    *,
    estimator: RVEstimator = "yang_zhang",
    split_check: bool = True,
) -> pd.DataFrame:
    """Rolling realized vol over several windows, one row per bar.

    Parameters
    ----------
    bars
        Daily bars (``volscreen.load_bars``): columns ``open``, ``high``,
        ``low``, ``close``, optional ``adj_close``; any increasing index
        (dates, or the ``bar`` RangeIndex of an undated corpus).
    windows
        Window lengths in bars (each at least 2).
    estimator
        ``"close_to_close"``, ``"parkinson"``, ``"garman_klass"``,
        ``"rogers_satchell"``, ``"yang_zhang"`` (default) or ``"ewma"``.
    split_check
        Flag one-day moves matching a split ratio (see the module notes).

    Returns
    -------
    pandas.DataFrame
        Same index as ``bars``; columns ``rv_<window>`` (annual decimal vol)
        and ``rv_status``: ``ok``, ``warmup`` (some window not full yet, its
        value NaN) or ``suspect_split`` (some window holds a suspected
        unadjusted split, its value NaN); a categorical column.

    Notes
    -----
    With r_t = ln(C_t/C_{t-1}), o_t = ln(O_t/C_{t-1}), c_t = ln(C_t/O_t),
    h_t = ln(H_t/O_t), l_t = ln(L_t/O_t), over the n bars of a window and
    A = 252:

    * close-to-close: A * sum (r_t - mean r)^2 / (n - 1) (ddof = 1, mean removed);
      needs n + 1 closes, first value at position n.
    * Parkinson: A / (4 n ln 2) * sum ln(H_t/L_t)^2; first value at n - 1.
    * Garman-Klass: A / n * sum [0.5 ln(H_t/L_t)^2 - (2 ln 2 - 1) c_t^2]; at n - 1.
    * Rogers-Satchell: A / n * sum [h_t (h_t - c_t) + l_t (l_t - c_t)]; at n - 1.
    * Yang-Zhang: A * (s_o^2 + k s_c^2 + (1 - k) s_rs^2) with s_o^2 the
      variance (ddof = 1) of the overnight returns o_t, s_c^2 the variance
      (ddof = 1) of the open-to-close returns c_t, s_rs^2 the Rogers-Satchell
      mean and k = 0.34 / (1.34 + (n + 1)/(n - 1)); first value at n.
    * EWMA (RiskMetrics): v_t = 0.94 v_{t-1} + 0.06 r_t^2, seeded at
      position n with the mean of the first n squared returns (zero mean);
      ``rv = sqrt(A v_t)``.  A suspected split restarts the seeding.
    """
    parts = _prepare(bars, split_check)
    data, status = _rv_arrays(parts, windows, estimator)
    out = pd.DataFrame(data, index=bars.index.copy())
    out[col.RV_STATUS] = status
    return out


def _rv_arrays(
    parts: _Parts, windows: Sequence[int], estimator: str
) -> tuple[dict[str, FloatArray], pd.Categorical]:
    """rv_<window> arrays and the per-bar status (a categorical of RV_STATUSES)."""
    data: dict[str, FloatArray] = {}
    warm = np.zeros(parts.n, dtype=bool)
    split = np.zeros(parts.n, dtype=bool)
    any_split = bool(parts.suspect.any())
    for n in windows:
        n = int(n)
        vol = _annualise(_daily_var(parts, estimator, n))
        if any_split:
            spoiled = _suspect_windows(parts, n)
            vol[spoiled] = np.nan
            split |= spoiled
            warm |= np.isnan(vol) & ~spoiled
        else:
            warm |= np.isnan(vol)
        data[f"{col.RV_PREFIX}{n}"] = vol
    codes = np.where(split, 2, np.where(warm, 1, 0)).astype(np.int8)  # in RV_STATUSES
    return data, pd.Categorical.from_codes(codes, dtype=_RV_STATUS_DTYPE)


def realized_vol(
    bars: pd.DataFrame,
    window: int = 20,
    estimator: RVEstimator = "yang_zhang",
    *,
    split_check: bool = True,
) -> pd.Series:
    """Rolling realized vol of one estimator, annualised with sqrt(252).

    Returns a Series named ``rv_<window>`` on the index of ``bars``; NaN until
    the window is full (position ``window`` for estimators using the previous
    close, ``window - 1`` for the pure range ones) and over windows holding a
    suspected split (a :class:`DataQualityWarning` names those bars).  The
    formulas, alignment and adjustment rules are those of
    :func:`realized_vols`; use that function when you need the status column.
    """
    name = f"{col.RV_PREFIX}{int(window)}"
    data, _ = _rv_arrays(_prepare(bars, split_check), (window,), estimator)
    return pd.Series(data[name], index=bars.index.copy(), name=name)


def _quantile_name(q: float) -> str:
    return f"{col.CONE_QUANTILE_PREFIX}{round(100 * q):g}"


def vol_cone(
    bars: pd.DataFrame,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    *,
    estimator: RVEstimator = "yang_zhang",
    split_check: bool = True,
) -> pd.DataFrame:
    """Vol cone: quantiles of rolling realized vol per window over the history.

    Parameters
    ----------
    bars, estimator, split_check
        As in :func:`realized_vols`.
    windows
        Window lengths in bars; one cone row each.
    quantiles
        Quantiles in [0, 1] (0 = minimum, 1 = maximum).

    Returns
    -------
    pandas.DataFrame
        Index ``window``; columns ``q<pct>`` (e.g. ``q0``, ``q10``, ``q50``,
        ``q100``: annual decimal vols, linear interpolation between order
        statistics), ``current`` (the latest bar's rolling vol),
        ``current_pctile`` (100 x share of the history's values strictly
        below ``current``), ``n_obs`` (rolling values used; overlapping
        windows, so they are not independent) and ``rv_status`` (``warmup``
        when the history holds no full window, every value then NaN).

    Notes
    -----
    Windows are in trading days.  To place a calendar-time implied vol for
    an expiry ``d`` calendar days away in the cone, use the window nearest to
    ``d x 252 / 365`` trading days.
    """
    if any(not 0.0 <= q <= 1.0 for q in quantiles):
        raise ConfigError(f"quantiles must lie in [0, 1], got {tuple(quantiles)}")
    data, status = _rv_arrays(_prepare(bars, split_check), windows, estimator)
    last_status = str(status[-1])
    qs_wanted = np.asarray(quantiles, dtype=np.float64)
    # all windows at once: sorted rows (NaN last), the finite values first in each
    vols = np.array([data[f"{col.RV_PREFIX}{int(n)}"] for n in windows]).reshape(
        len(windows), len(bars))
    ordered = np.sort(vols, axis=1)
    n_obs = np.count_nonzero(np.isfinite(vols), axis=1).astype(np.int64)
    current = vols[:, -1].copy()
    table = sorted_quantiles(ordered, n_obs, qs_wanted)
    below = np.count_nonzero(ordered < current[:, None], axis=1)  # NaN compares False
    with np.errstate(invalid="ignore", divide="ignore"):  # no history -> NaN, status warmup
        pctile = np.where(np.isfinite(current) & (n_obs > 0), 100.0 * below / n_obs, np.nan)
    row_status = [
        col.RVS_WARMUP if m == 0 else col.RVS_OK if np.isfinite(c) else last_status
        for m, c in zip(n_obs, current)
    ]
    out: dict[str, object] = {_quantile_name(q): table[:, j] for j, q in enumerate(quantiles)}
    out[col.RV_CURRENT] = current
    out[col.RV_CURRENT_PCTILE] = pctile
    out[col.N_OBS] = n_obs
    out[col.RV_STATUS] = row_status
    index = pd.Index(np.array([int(n) for n in windows], dtype=np.int64), name=col.WINDOW)
    return pd.DataFrame(out, index=index)
