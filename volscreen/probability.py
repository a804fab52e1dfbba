"""Probabilities for long-volatility candidates, each under a named measure.

Measures
--------
* ``_iv``: risk-neutral.  The underlying is lognormal with mean the forward
  (drift r - q, taken from the chain as ``ln(F/S)/t``); each side uses its
  own leg's implied vol: the put's IV below spot (``breakeven_low``,
  ``target_low``), the call's IV above spot.  This keeps the skew the market
  charges for each wing.
* ``_rv``: the realized-vol forecast with zero drift (the spot is a
  martingale: E[S_T] = S_0).  The forecast is annualised on the trading-day
  clock (sqrt 252); over the option's life the variance is
  ``rv^2 x trading_days / 252``, i.e. the calendar-clock vol
  ``rv sqrt(trading_days / (252 t))`` over ``t`` years.
* ``_hist``: empirical, from every overlapping window of ``trading_days``
  sessions in the price history (optionally only windows that start in a
  compression state like today's): the share of windows whose final close,
  or path low/high, went beyond the level relative to the window's first
  close.  Prices are scaled by ``adj_close / close`` when ``adj_close`` is
  present, so dividends do not count as moves.  The standard error is a
  seeded moving-block bootstrap (blocks of one window length, because
  overlapping windows are strongly dependent).
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C

TRADING_DAYS_PER_YEAR = 252
MIN_HIST_WINDOWS = 250
"""Fewer overlapping windows than this: the ``_hist`` columns are NaN (short_history)."""
DEFAULT_BOOTSTRAP = 200
DEFAULT_SEED = 12345


def _ndtr(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr  # scipy.special loads lazily: keeps import volscreen fast

    return ndtr(x)


def prob_below(center: Any, level: Any, vol: Any, t: Any) -> np.ndarray:
    """P(S_T < level) for a lognormal S_T with mean ``center`` and vol ``vol`` over ``t``.

    Notes
    -----
    ln S_T ~ N(ln center - vol^2 t / 2, vol^2 t), so
    P(S_T < L) = N((ln(L/center) + vol^2 t / 2) / (vol sqrt t)).
    NaN for non-positive ``vol`` or ``t`` and NaN inputs.
    """
    c, lv, v, tt = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (center, level, vol, t)))
    with np.errstate(invalid="ignore", divide="ignore"):  # invalid inputs give NaN below
        sd = v * np.sqrt(tt)
        z = (np.log(lv / c) + 0.5 * sd * sd) / sd
    return np.where((sd > 0) & (lv > 0), _ndtr(z), np.nan)


def prob_beyond(center: Any, low: Any, high: Any, vol_low: Any, t: Any,
                vol_high: Any = None) -> np.ndarray:
    """P(S_T < low) + P(S_T > high) under a lognormal with mean ``center``.

    ``vol_low`` prices the lower tail and ``vol_high`` (default ``vol_low``)
    the upper tail; see :func:`prob_below` for the distribution.
    """
    vol_high = vol_low if vol_high is None else vol_high
    return prob_below(center, low, vol_low, t) + 1.0 - prob_below(center, high, vol_high, t)


def prob_touch(spot: Any, level: Any, vol: Any, t: Any, drift: Any = 0.0) -> np.ndarray:
    """P(the path touches ``level`` before ``t``) for GBM dS = drift S dt + vol S dW.

    Notes
    -----
    With nu = drift - vol^2/2, b = ln(level/spot) and s = vol sqrt t
    (reflection principle for Brownian motion with drift):

    * upper level (b > 0): P = N((-b + nu t)/s) + e^{2 nu b / vol^2} N((-b - nu t)/s)
    * lower level (b < 0): P = N((b - nu t)/s) + e^{2 nu b / vol^2} N((b + nu t)/s)

    A level at or beyond spot on its side (b = 0) has probability 1; NaN for
    non-positive ``vol``/``t`` or NaN inputs.  Monitoring is continuous:
    daily-close monitoring touches less often.
    """
    s0, lv, v, tt, mu = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (spot, level, vol, t, drift)))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # masked below
        b = np.log(lv / s0)
        nu = mu - 0.5 * v * v
        sd = v * np.sqrt(tt)
        up = b > 0
        z1 = np.where(up, (-b + nu * tt) / sd, (b - nu * tt) / sd)
        z2 = np.where(up, (-b - nu * tt) / sd, (b + nu * tt) / sd)
        p = _ndtr(z1) + np.exp(2.0 * nu * b / (v * v)) * _ndtr(z2)
    p = np.where(b == 0, 1.0, np.clip(p, 0.0, 1.0))
    return np.where((sd > 0) & np.isfinite(b), p, np.nan)


def _adjusted(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    close = bars[C.CLOSE].to_numpy(dtype=float)
    factor = (bars[C.ADJ_CLOSE].to_numpy(dtype=float) / close
              if C.ADJ_CLOSE in bars.columns else np.ones_like(close))
    return (close * factor, bars[C.HIGH].to_numpy(dtype=float) * factor,
            bars[C.LOW].to_numpy(dtype=float) * factor)


def hist_windows(bars: pd.DataFrame, horizon: int,
                 condition: Any = None) -> dict[str, np.ndarray]:
    """Overlapping ``horizon``-session windows of the price history.

    Returns arrays (one entry per window starting at bar i, ending at bar
    i + horizon): ``end`` = close_{i+h}/close_i, ``low`` = min(low_{i+1..i+h})
    /close_i, ``high`` = max(high_{i+1..i+h})/close_i.  ``condition`` (a
    boolean array or Series aligned with ``bars``) keeps only windows whose
    start bar satisfies it.
    """
    return _History(*_adjusted(bars), condition).windows((int(horizon),))[int(horizon)]


class _History:
    """Adjusted closes/highs/lows of one history and its windows per horizon.

    Path extremes for every horizon up to the largest one asked for come from
    one running max/min (window h+1 = window h and one more bar), so a set of
    horizons costs one pass of length ``max(h)`` over the bars rather than
    one ``n x h`` sliding window each; maxima and minima are exact, so the
    windows are identical to a direct computation.
    """

    def __init__(self, close: np.ndarray, high: np.ndarray, low: np.ndarray,
                 condition: Any = None) -> None:
        self.close, self.high, self.low = close, high, low
        self.condition = None if condition is None else np.asarray(condition, dtype=bool)
        self._cache: dict[int, dict[str, np.ndarray]] = {}

    def windows(self, horizons: Any) -> dict[int, dict[str, np.ndarray]]:
        """``{h: hist_windows(bars, h, condition)}`` for each horizon (cached)."""
        wanted = sorted({int(h) for h in horizons} - set(self._cache))
        n_bars = self.close.size
        empty = {"end": np.empty(0), "low": np.empty(0), "high": np.empty(0)}
        valid = [h for h in wanted if 1 <= h < n_bars]
        for h in wanted:
            if h not in valid:
                self._cache[h] = empty
        if valid:
            path_high, path_low = self.high[1:], self.low[1:]  # h = 1: the next bar
            for h in range(1, valid[-1] + 1):
                if h > 1:  # extend every window by bar i + h
                    path_high = np.maximum(path_high[:-1], self.high[h:])
                    path_low = np.minimum(path_low[:-1], self.low[h:])
                if h in valid:
                    self._cache[h] = self._one(h, path_high, path_low)
        return {int(h): self._cache[int(h)] for h in horizons}

    def _one(self, h: int, path_high: np.ndarray, path_low: np.ndarray) -> dict[str, np.ndarray]:
        n = self.close.size - h
        start = self.close[:n]
        keep = np.isfinite(start) & np.isfinite(self.close[h:]) & (start > 0)
        if self.condition is not None:
            keep &= self.condition[:n]
        out = {"end": (self.close[h:] / start)[keep], "low": (path_low / start)[keep],
               "high": (path_high / start)[keep]}
        for arr in out.values():
            arr.flags.writeable = False  # shared between calls through the cache
        return out


_HISTORY_CACHE: OrderedDict[bytes, _History] = OrderedDict()
HISTORY_CACHE_SIZE = 8
"""Histories whose windows are kept between calls (a screen reuses one per ticker)."""


def _history(bars: pd.DataFrame, condition: Any) -> _History:
    """The :class:`_History` of ``bars``, shared between calls on identical prices.

    Keyed by a digest of the adjusted prices and the condition, so a frame
    with the same values reuses the windows (and nothing stale can be hit).
    """
    close, high, low = _adjusted(bars)
    digest = hashlib.blake2b(digest_size=16)
    for arr in (close, high, low):
        digest.update(np.ascontiguousarray(arr).tobytes())
    if condition is not None:
        digest.update(b"cond" + np.ascontiguousarray(np.asarray(condition, dtype=bool)).tobytes())
    key = digest.digest()
    hist = _HISTORY_CACHE.get(key)
    if hist is None:
        hist = _History(close, high, low, condition)
        _HISTORY_CACHE[key] = hist
        while len(_HISTORY_CACHE) > HISTORY_CACHE_SIZE:
            _HISTORY_CACHE.popitem(last=False)
    else:
        _HISTORY_CACHE.move_to_end(key)
    return hist


@lru_cache(maxsize=32)
def _block_starts(seed: int, n_starts: int, size: int) -> np.ndarray:
    """``size`` block starts drawn uniformly from ``[0, n_starts)`` (seeded, read-only).

    Cached: the draws depend only on the seed and the shapes, so every chain
    screened against the same history reuses them.
    """
    starts = np.random.default_rng(seed).integers(0, n_starts, size=size)
    starts.flags.writeable = False
    return starts


def block_bootstrap_se(hits: np.ndarray, block: int, n_boot: int = DEFAULT_BOOTSTRAP,
                       seed: int = DEFAULT_SEED) -> np.ndarray | float:
    """Moving-block bootstrap standard error of the mean of ``hits`` (seeded).

    ``hits`` is one series (n,) or several (m, n) sharing the same resampled
    blocks; blocks of ``block`` consecutive windows are drawn with
    replacement until they cover n, ``n_boot`` times.

    Notes
    -----
    Each replicate draws k = ceil(n / block) block starts uniformly from the
    n - block + 1 possible ones (``numpy.random.default_rng(seed)``); its
    mean is the sum of the k block sums / (k block), and the SE is the
    standard deviation (ddof = 1) of the ``n_boot`` replicate means.  The
    draws are shared by every series and cached per (seed, shape).
    """
    arr = np.atleast_2d(np.asarray(hits, dtype=float))
    m, n = arr.shape
    if n < 2:
        se = np.full(m, np.nan)
        return se if np.ndim(hits) == 2 else float(se[0])
    block = max(1, min(int(block), n))
    k = int(np.ceil(n / block))
    csum = np.zeros((m, n + 1))
    np.cumsum(arr, axis=1, out=csum[:, 1:])
    block_sums = csum[:, block:] - csum[:, :-block]  # (m, n - block + 1): every block's sum
    starts = _block_starts(int(seed), n - block + 1, n_boot * k)
    sums = np.take(block_sums, starts, axis=1).reshape(m, n_boot, k).sum(axis=2)
    means = np.ascontiguousarray(sums.T) / (k * block)  # (n_boot, m)
    se = means.std(axis=0, ddof=1)
    return se if np.ndim(hits) == 2 else float(se[0])


def _rv_per_row(rv: Any, trading_days: np.ndarray) -> np.ndarray:
    if rv is None:
        return np.full(trading_days.size, np.nan)
    if callable(rv):
        fn: Callable[[int], float] = rv
        cache = {h: float(fn(int(h))) for h in np.unique(trading_days) if h > 0}
        return np.array([cache.get(h, np.nan) for h in trading_days], dtype=float)
    if isinstance(rv, Mapping):
        return np.array([float(rv.get(int(h), np.nan)) for h in trading_days], dtype=float)
    return np.full(trading_days.size, float(rv))


def add_probabilities(cands: pd.DataFrame, *, rv: Any = None, bars: pd.DataFrame | None = None,
                      condition: Any = None, n_boot: int = DEFAULT_BOOTSTRAP,
                      seed: int = DEFAULT_SEED,
                      min_windows: int = MIN_HIST_WINDOWS) -> pd.DataFrame:
    """Add ``p_beyond_be_*`` and ``p_touch_*`` under the IV, RV and historical measures.

    Parameters
    ----------
    cands
        Candidates with targets (:func:`volscreen.targets.add_targets`).
    rv
        RV forecast (annual decimal, sqrt 252 clock): a float, a mapping
        trading_days -> vol, or a callable trading_days -> vol.  ``None``:
        the ``_rv`` columns are NaN with ``no_rv`` in ``data_status``.
    bars
        Daily bars for the ``_hist`` columns (``None``: NaN with ``no_bars``).
    condition
        Boolean array aligned with ``bars``: only windows starting where it is
        True (e.g. a BBW-percentile bucket like today's) count.
    n_boot, seed
        Moving-block bootstrap replicates and seed of ``p_beyond_be_hist_se``.
    min_windows
        Minimum number of windows for the ``_hist`` columns.

    Returns
    -------
    pandas.DataFrame
        A copy with ``rv_forecast``, ``p_beyond_be_iv``, ``p_beyond_be_rv``,
        ``p_beyond_be_hist``, ``p_beyond_be_hist_se``, ``hist_sample_size``,
        ``p_touch_low/high_iv``, ``_rv``, ``_hist``.
    """
    from .targets import _codes, _flag, _join, with_columns

    out = cands  # read only: new columns are collected in ``new``
    new: dict[str, Any] = {}
    codes = _codes(out)
    f = {k: out[k].to_numpy(dtype=float) for k in (
        C.SPOT, C.FORWARD, C.T, C.PUT_IV, C.CALL_IV, C.BREAKEVEN_LOW, C.BREAKEVEN_HIGH,
        C.TARGET_LOW, C.TARGET_HIGH)}
    days = out[C.TRADING_DAYS].to_numpy(dtype=np.int64)
    spot, t = f[C.SPOT], f[C.T]
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows carry data_status codes
        carry = np.log(f[C.FORWARD] / spot) / t
        rv_ann = _rv_per_row(rv, days)
        rv_cal = rv_ann * np.sqrt(days / TRADING_DAYS_PER_YEAR / t)
    _flag(codes, ~np.isfinite(rv_ann), C.DS_NO_RV)
    new[C.RV_FORECAST] = rv_ann
    new[C.P_BEYOND_BE_IV] = prob_beyond(f[C.FORWARD], f[C.BREAKEVEN_LOW], f[C.BREAKEVEN_HIGH],
                                        f[C.PUT_IV], t, f[C.CALL_IV])
    new[C.P_BEYOND_BE_RV] = prob_beyond(spot, f[C.BREAKEVEN_LOW], f[C.BREAKEVEN_HIGH], rv_cal, t)
    new[C.P_TOUCH_LOW_IV] = prob_touch(spot, f[C.TARGET_LOW], f[C.PUT_IV], t, carry)
    new[C.P_TOUCH_HIGH_IV] = prob_touch(spot, f[C.TARGET_HIGH], f[C.CALL_IV], t, carry)
    new[C.P_TOUCH_LOW_RV] = prob_touch(spot, f[C.TARGET_LOW], rv_cal, t, 0.0)
    new[C.P_TOUCH_HIGH_RV] = prob_touch(spot, f[C.TARGET_HIGH], rv_cal, t, 0.0)
    hist = {k: np.full(len(out), np.nan) for k in (
        C.P_BEYOND_BE_HIST, C.P_BEYOND_BE_HIST_SE, C.P_TOUCH_LOW_HIST, C.P_TOUCH_HIGH_HIST)}
    size = np.zeros(len(out), dtype=np.int64)
    if bars is None:
        _flag(codes, np.ones(len(out), dtype=bool), C.DS_NO_BARS)
    else:
        horizons = [int(h) for h in np.unique(days[days > 0])]
        history = _history(bars, condition).windows(horizons)
        for h in horizons:
            rows = np.flatnonzero(days == h)
            w = history[h]
            size[rows] = w["end"].size
            if w["end"].size < min_windows:
                _flag(codes, days == h, C.DS_SHORT_HISTORY)
                continue
            lo = f[C.BREAKEVEN_LOW][rows] / spot[rows]
            hi = f[C.BREAKEVEN_HIGH][rows] / spot[rows]
            good = np.isfinite(lo) & np.isfinite(hi)
            end = w["end"][None, :]
            hits = ((end < lo[:, None]) | (end > hi[:, None])).astype(float)
            hist[C.P_BEYOND_BE_HIST][rows] = np.where(good, hits.mean(axis=1), np.nan)
            se = block_bootstrap_se(hits, int(h), n_boot, seed)
            hist[C.P_BEYOND_BE_HIST_SE][rows] = np.where(good, se, np.nan)
            tl = f[C.TARGET_LOW][rows] / spot[rows]
            th = f[C.TARGET_HIGH][rows] / spot[rows]
            with np.errstate(invalid="ignore"):  # NaN targets carry no_target_* codes
                touch_lo = (w["low"][None, :] <= tl[:, None]).mean(axis=1)
                touch_hi = (w["high"][None, :] >= th[:, None]).mean(axis=1)
            hist[C.P_TOUCH_LOW_HIST][rows] = np.where(np.isfinite(tl), touch_lo, np.nan)
            hist[C.P_TOUCH_HIGH_HIST][rows] = np.where(np.isfinite(th), touch_hi, np.nan)
        _flag(codes, days <= 0, C.DS_SHORT_HISTORY)
    for k, v in hist.items():
        new[k] = v
    new[C.HIST_SAMPLE_SIZE] = size
    new[C.DATA_STATUS] = _join(codes)
    return with_columns(cands, new)
