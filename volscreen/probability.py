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

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from ._candcols import StatusCodes, floats, with_columns
from ._hist import BootTable, History, adjusted, block_starts, bootstrap_shape, history

TRADING_DAYS_PER_YEAR = 252
MIN_HIST_WINDOWS = 250
"""Fewer overlapping windows than this: the ``_hist`` columns are NaN (short_history)."""
DEFAULT_BOOTSTRAP = 200
DEFAULT_SEED = 12345

_CONDITION_NAMES = frozenset({"BBW_BUCKETS", "CONDITION_BBW_BUCKET", "CONDITION_CUSTOM",
                              "HistCondition", "bbw_buckets", "compression_condition",
                              "_resolve_condition"})
"""Names of :mod:`volscreen._hist_condition` re-exported from here (as before it was split
out), imported on first use: a screen without a condition never needs them."""


def __getattr__(name: str) -> Any:
    if name in _CONDITION_NAMES:
        from . import _hist_condition

        return getattr(_hist_condition, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _ndtr(x: np.ndarray) -> np.ndarray:
    from ._special import ndtr  # NumPy ndtr: scipy.special would cost more than the screen

    return ndtr(x)


def _below_args(center: Any, level: Any, vol: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    """(z, valid) of :func:`prob_below`: P(S_T < level) = N(z) where ``valid``."""
    c, lv, v, tt = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (center, level, vol, t)))
    with np.errstate(invalid="ignore", divide="ignore"):  # invalid inputs give NaN below
        sd = v * np.sqrt(tt)
        z = (np.log(lv / c) + 0.5 * sd * sd) / sd
        return z, (sd > 0) & (lv > 0)


def prob_below(center: Any, level: Any, vol: Any, t: Any) -> np.ndarray:
    """P(S_T < level) for a lognormal S_T with mean ``center`` and vol ``vol`` over ``t``.

    Notes
    -----
    ln S_T ~ N(ln center - vol^2 t / 2, vol^2 t), so
    P(S_T < L) = N((ln(L/center) + vol^2 t / 2) / (vol sqrt t)).
    NaN for non-positive ``vol`` or ``t`` and NaN inputs.
    """
    z, valid = _below_args(center, level, vol, t)
    return np.where(valid, _ndtr(z), np.nan)


def prob_beyond(center: Any, low: Any, high: Any, vol_low: Any, t: Any,
                vol_high: Any = None) -> np.ndarray:
    """P(S_T < low) + P(S_T > high) under a lognormal with mean ``center``.

    ``vol_low`` prices the lower tail and ``vol_high`` (default ``vol_low``)
    the upper tail; see :func:`prob_below` for the distribution.
    """
    vol_high = vol_low if vol_high is None else vol_high
    return prob_below(center, low, vol_low, t) + 1.0 - prob_below(center, high, vol_high, t)


def _touch_args(spot: Any, level: Any, vol: Any, t: Any,
                drift: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(z1, z2, weight, b, valid) of :func:`prob_touch`: P = N(z1) + weight N(z2)."""
    s0, lv, v, tt, mu = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (spot, level, vol, t, drift)))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # masked below
        b = np.log(lv / s0)
        nu = mu - 0.5 * v * v
        sd = v * np.sqrt(tt)
        up = b > 0
        z1 = np.where(up, (-b + nu * tt) / sd, (b - nu * tt) / sd)
        z2 = np.where(up, (-b - nu * tt) / sd, (b + nu * tt) / sd)
        weight = np.exp(2.0 * nu * b / (v * v))
        return z1, z2, weight, b, (sd > 0) & np.isfinite(b)


def _touch_from(n1: np.ndarray, n2: np.ndarray, weight: np.ndarray, b: np.ndarray,
                valid: np.ndarray) -> np.ndarray:
    """:func:`prob_touch` from N(z1), N(z2) and the rest of :func:`_touch_args`."""
    with np.errstate(invalid="ignore", over="ignore"):  # masked below
        p = n1 + weight * n2
    p = np.where(b == 0, 1.0, np.clip(p, 0.0, 1.0))
    return np.where(valid, p, np.nan)


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
    z1, z2, weight, b, valid = _touch_args(spot, level, vol, t, drift)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN arguments give NaN
        n1, n2 = _ndtr(z1), _ndtr(z2)
    return _touch_from(n1, n2, weight, b, valid)


def _ndtr_batch(args: list[np.ndarray]) -> list[np.ndarray]:
    """N(.) of each array in ``args``, in one :func:`volscreen._special.ndtr` call.

    The kernel is element-wise, so the values equal one call per array; one
    call over a few hundred values costs what one call over a few dozen does.
    """
    flat = np.concatenate([np.ravel(a) for a in args])
    with np.errstate(invalid="ignore", over="ignore"):  # NaN arguments give NaN
        values = _ndtr(flat)
    bounds = np.cumsum([np.size(a) for a in args])[:-1]
    return [v.reshape(np.shape(a)) for v, a in zip(np.split(values, bounds), args)]


def hist_windows(bars: pd.DataFrame, horizon: int,
                 condition: Any = None) -> dict[str, np.ndarray]:
    """Overlapping ``horizon``-session windows of the price history.

    Returns arrays (one entry per window starting at bar i, ending at bar
    i + horizon): ``end`` = close_{i+h}/close_i, ``low`` = min(low_{i+1..i+h})
    /close_i, ``high`` = max(high_{i+1..i+h})/close_i.  ``condition`` (a
    boolean array or Series aligned with ``bars``) keeps only windows whose
    start bar satisfies it.
    """
    return History(*adjusted(bars), condition).windows((int(horizon),))[int(horizon)]


_history = history  # the cached History of a frame (see volscreen._hist)


def block_bootstrap_se(hits: np.ndarray, block: int, n_boot: int = DEFAULT_BOOTSTRAP,
                       seed: int = DEFAULT_SEED) -> np.ndarray | float:
    """Moving-block bootstrap standard error of the mean of ``hits`` (seeded).

    ``hits`` is one series (n,) or several (m, n) sharing the same resampled
    blocks (booleans, or numbers; 0/1 values are summed as integers);
    blocks of ``block`` consecutive windows are drawn with replacement until
    they cover n, ``n_boot`` times.

    Notes
    -----
    Each replicate draws k = ceil(n / block) block starts uniformly from the
    n - block + 1 possible ones (``numpy.random.default_rng(seed)``); its
    mean is the sum of the k block sums / (k block), and the SE is the
    standard deviation (ddof = 1) of the ``n_boot`` replicate means.  The
    draws are shared by every series and cached per (seed, shape).
    """
    raw = np.asarray(hits)
    indicator = raw.dtype == np.bool_  # hits given as booleans: no 0/1 check needed
    arr = np.atleast_2d(raw if indicator else raw.astype(float))
    m, n = arr.shape
    if n < 2:
        se = np.full(m, np.nan)
        return se if np.ndim(hits) == 2 else float(se[0])
    block, k = bootstrap_shape(n, block)
    starts = block_starts(int(seed), n - block + 1, n_boot * k)
    if indicator or (arr.size and np.all((arr == 0.0) | (arr == 1.0))):
        # hit indicators: exact integer sums
        sums = _packed_block_sums(arr, block, starts, n_boot, k)
    else:
        csum = np.zeros((m, n + 1))
        np.cumsum(arr, axis=1, out=csum[:, 1:])
        block_sums = csum[:, block:] - csum[:, :-block]  # (m, n - block + 1): each block's sum
        drawn = np.take(block_sums, starts, axis=1).reshape(m, n_boot, k).sum(axis=2)
        sums = np.ascontiguousarray(drawn.T)  # (n_boot, m)
    means = sums / (k * block)  # (n_boot, m), C order
    se = means.std(axis=0, ddof=1)
    return se if np.ndim(hits) == 2 else float(se[0])


_FIELD_BITS = 63
_GATHER_WORDS = 1 << 14
"""Drawn blocks gathered at a time: the first chain's draws run to megabytes, and fresh
memory that size costs as much to fault in as the gather itself."""
"""Bits of an int64 used by :func:`_packed_block_sums` (the sign bit stays clear)."""


def _packed_block_sums(hits: np.ndarray, block: int, starts: np.ndarray, n_boot: int,
                       k: int) -> np.ndarray:
    """Replicate sums (n_boot, m) of 0/1 ``hits`` (m, n) over the drawn blocks, as floats.

    ``hits`` holds booleans or the numbers 0 and 1.  Several series are
    packed into the bit fields of one int64 per window before the
    cumulative sum (a field is wide enough for the largest replicate sum,
    k x block, hence for any count of n windows), so one cumulative sum,
    one block difference and one gather of the draws serve them all.  Integer sums are exact, so
    the result equals the float gather-and-sum of :func:`block_bootstrap_se`
    (every partial sum there is an integer below 2**53) bit for bit.
    """
    m, n = hits.shape
    width = int(k * block).bit_length()
    per = max(1, _FIELD_BITS // width)
    field = np.int64((1 << width) - 1)
    sums = np.empty((n_boot, m))
    for first in range(0, m, per):
        shifts = np.arange(min(per, m - first), dtype=np.int64) * width
        # the hits packed first: a field's running count stays at most n < 2**width, so
        # the cumulative sums and their block differences never carry or borrow
        csum = np.zeros(n + 1, dtype=np.int64)
        csum[1:] = hits[first]
        for i in range(1, shifts.size):
            csum[1:] += hits[first + i].astype(np.int64) << shifts[i]
        np.cumsum(csum, out=csum)
        packed = csum[block:] - csum[:-block]  # (n - block + 1,): each block's packed sums
        totals = np.empty(n_boot, dtype=np.int64)  # fields never carry over
        step = max(1, _GATHER_WORDS // k)  # replicates per gather: a small block reused
        for b in range(0, n_boot, step):
            e = min(b + step, n_boot)
            totals[b:e] = packed[starts[b * k:e * k]].reshape(e - b, k).sum(axis=1)
        sums[:, first:first + per] = (totals[:, None] >> shifts[None, :]) & field
    return sums


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
        Restricts the historical windows to those starting in a state like
        today's: ``"bbw_bucket"`` (the last bar's BBW-percentile quintile, see
        :func:`compression_condition`), a :class:`HistCondition`, or a
        boolean array aligned with ``bars``.  Adds ``hist_condition``.
    n_boot, seed
        Moving-block bootstrap replicates and seed of ``p_beyond_be_hist_se``.
    min_windows
        Minimum number of windows for the ``_hist`` columns.

    Returns
    -------
    pandas.DataFrame
        A copy with ``rv_forecast``, ``p_beyond_be_iv``, ``p_beyond_be_rv``,
        ``p_beyond_be_hist``, ``p_beyond_be_hist_se``, ``hist_sample_size``,
        ``p_touch_low/high_iv``, ``_rv``, ``_hist`` (and ``hist_condition``).

    Notes
    -----
    Fewer than ``min_windows`` windows: the ``_hist`` columns are NaN with
    ``short_history`` when the whole history is that short, and with
    ``few_similar_windows`` when the condition left too few (no fallback to
    the unconditioned sample: the column keeps one meaning).
    """
    codes = StatusCodes.of(cands)
    new = probability_columns(floats(cands, PROBABILITY_INPUTS),
                              cands[C.TRADING_DAYS].to_numpy(dtype=np.int64), codes, rv=rv,
                              bars=bars, condition=condition, n_boot=n_boot, seed=seed,
                              min_windows=min_windows)
    new[C.DATA_STATUS] = codes.joined()
    return with_columns(cands, new)


PROBABILITY_INPUTS = (C.SPOT, C.FORWARD, C.T, C.PUT_IV, C.CALL_IV, C.BREAKEVEN_LOW,
                      C.BREAKEVEN_HIGH, C.TARGET_LOW, C.TARGET_HIGH)
"""Float columns :func:`probability_columns` reads."""


def probability_columns(f: dict[str, np.ndarray], days: np.ndarray, codes: StatusCodes, *,
                        rv: Any = None, bars: pd.DataFrame | None = None, condition: Any = None,
                        n_boot: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                        min_windows: int = MIN_HIST_WINDOWS) -> dict[str, Any]:
    """The columns :func:`add_probabilities` adds, from arrays (``f``: :data:`PROBABILITY_INPUTS`).

    ``days`` are the trading days of each row; codes are raised on
    ``codes``; the returned dict holds a ``data_status`` placeholder.
    """
    new: dict[str, Any] = {}
    n = days.size
    spot, t = f[C.SPOT], f[C.T]
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows carry data_status codes
        carry = np.log(f[C.FORWARD] / spot) / t
        rv_ann = _rv_per_row(rv, days)
        rv_cal = rv_ann * np.sqrt(days / TRADING_DAYS_PER_YEAR / t)
    codes.flag(~np.isfinite(rv_ann), C.DS_NO_RV)
    new[C.RV_FORECAST] = rv_ann
    # prob_beyond / prob_touch: the four cases of each as the rows of one (4, n) evaluation
    # (element-wise, so each row holds what its own call gives), every N(.) in one ndtr call
    be_lo, be_hi = f[C.BREAKEVEN_LOW], f[C.BREAKEVEN_HIGH]
    tg_lo, tg_hi = f[C.TARGET_LOW], f[C.TARGET_HIGH]
    iv_lo, iv_hi = f[C.PUT_IV], f[C.CALL_IV]
    z_below, valid_below = _below_args(np.stack([f[C.FORWARD], f[C.FORWARD], spot, spot]),
                                       np.stack([be_lo, be_hi, be_lo, be_hi]),
                                       np.stack([iv_lo, iv_hi, rv_cal, rv_cal]), t)
    z1, z2, weight, b, valid_touch = _touch_args(
        spot, np.stack([tg_lo, tg_hi, tg_lo, tg_hi]), np.stack([iv_lo, iv_hi, rv_cal, rv_cal]),
        t, np.stack([carry, carry, np.zeros(n), np.zeros(n)]))
    normals = _ndtr_batch([z_below, z1, z2])
    p_below = np.where(valid_below, normals[0], np.nan)
    new[C.P_BEYOND_BE_IV] = p_below[0] + 1.0 - p_below[1]
    new[C.P_BEYOND_BE_RV] = p_below[2] + 1.0 - p_below[3]
    touch = _touch_from(normals[1], normals[2], weight, b, valid_touch)
    for i, name in enumerate((C.P_TOUCH_LOW_IV, C.P_TOUCH_HIGH_IV, C.P_TOUCH_LOW_RV,
                              C.P_TOUCH_HIGH_RV)):
        new[name] = touch[i]
    mask, label = None, None
    if condition is not None and bars is not None:
        from ._hist_condition import _resolve_condition

        mask, label = _resolve_condition(condition, bars)
    hist = {k: np.full(n, np.nan) for k in (
        C.P_BEYOND_BE_HIST, C.P_BEYOND_BE_HIST_SE, C.P_TOUCH_LOW_HIST, C.P_TOUCH_HIGH_HIST)}
    size = np.zeros(n, dtype=np.int64)
    if bars is None:
        codes.flag(np.ones(n, dtype=bool), C.DS_NO_BARS)
    else:
        _hist_columns(f, days, history(bars, mask), hist, size, codes, n_boot, seed,
                      min_windows)
        codes.flag(days <= 0, C.DS_SHORT_HISTORY)
    new.update(hist)
    new[C.HIST_SAMPLE_SIZE] = size
    if label is not None:
        new[C.HIST_CONDITION] = np.full(n, label, dtype=object)
    new[C.DATA_STATUS] = None  # placeholder: the caller joins the codes last
    return new


DIRECT_COUNT_ROWS = 16
"""Rows of one horizon up to which window counts are direct comparisons (no sort): sorting a
horizon's three window statistics costs about what comparing that many rows with them does."""


def _sorted_counts(s: dict[str, Any], lo: np.ndarray, hi: np.ndarray, tl: np.ndarray,
                   th: np.ndarray) -> tuple[np.ndarray, ...]:
    """(#end < lo, #end <= hi, #low <= tl, #finite high >= th) by binary search (NaN last)."""
    return (np.searchsorted(s["end"], lo, side="left"),
            np.searchsorted(s["end"], hi, side="right"),
            np.searchsorted(s["low"], tl, side="right"),
            s["high_finite"] - np.searchsorted(s["high"], th, side="left"))


def _direct_counts(w: dict[str, np.ndarray], lo: np.ndarray, hi: np.ndarray, tl: np.ndarray,
                   th: np.ndarray) -> tuple[np.ndarray, ...]:
    """The counts of :func:`_sorted_counts` by comparing every window (finite levels).

    A NaN statistic compares False, as the binary search in the NaN-last
    sorted array never counts it, so both give the same integers.
    """
    end, low, high = w["end"], w["low"], w["high"]
    return ((end < lo[:, None]).sum(axis=1), (end <= hi[:, None]).sum(axis=1),
            (low <= tl[:, None]).sum(axis=1),
            np.count_nonzero(np.isfinite(high)) - (high < th[:, None]).sum(axis=1))


def _hist_columns(f: dict[str, np.ndarray], days: np.ndarray, hist_of: History,
                  hist: dict[str, np.ndarray], size: np.ndarray, codes: StatusCodes,
                  n_boot: int, seed: int, min_windows: int) -> None:
    """Fill the ``_hist`` columns horizon by horizon from the sorted windows (in place).

    Counts "beyond a level" are binary searches in the sorted window
    statistics, or, for a few rows of a history not seen before (at most
    :data:`DIRECT_COUNT_ROWS`, the first chain of a screen), direct
    comparisons with every window, which cost less than sorting them and
    give the same integers; the standard error uses the history's bootstrap table once
    the history is reused (:meth:`History.boot_table`), else the direct
    resampling of :func:`block_bootstrap_se`; both give the same numbers.

    The rows are taken grouped by horizon (one stable sort of ``days``), so
    each horizon reads and writes one slice; the replicate sums of every
    horizon with a table go into one array and are reduced at the end: the
    columns of horizons with several rows together (column by column the
    sums of each horizon's own (replicates, rows) reduction), those of
    horizons with one row each along its own contiguous row, as that
    horizon's single column is reduced alone.
    """
    spot = f[C.SPOT]
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN levels are masked below
        lo_all = f[C.BREAKEVEN_LOW] / spot
        hi_all = f[C.BREAKEVEN_HIGH] / spot
        tl_all = f[C.TARGET_LOW] / spot
        th_all = f[C.TARGET_HIGH] / spot
    good_all = np.isfinite(lo_all) & np.isfinite(hi_all)
    tl_ok, th_ok = np.isfinite(tl_all), np.isfinite(th_all)
    n = days.size
    by_day = np.argsort(days, kind="stable")  # rows grouped by horizon, ascending in each
    sorted_days = days[by_day]
    levels = np.stack([np.where(good_all, lo_all, 0.0), np.where(good_all, hi_all, 0.0),
                       np.where(tl_ok, tl_all, 0.0), np.where(th_ok, th_all, 0.0)])[:, by_day]
    horizons = [int(h) for h in np.unique(sorted_days[sorted_days > 0])]
    if not horizons:
        return
    bounds = np.searchsorted(sorted_days, horizons + [horizons[-1] + 1]).tolist()
    # per sorted row: counted (a horizon with enough windows), windows, the four counts
    counted = np.zeros(n, dtype=bool)
    n_win_s = np.ones(n, dtype=np.int64)
    size_s = np.zeros(n, dtype=np.int64)
    counts = np.zeros((4, n), dtype=np.int64)  # r_lo, r_hi, touch_lo, touch_hi
    se_s = np.full(n, np.nan)
    short_s = np.zeros(n, dtype=np.int8)  # 1: short_history, 2: few_similar_windows
    several: list[tuple[int, int, BootTable]] = []  # (first, end, table): sums to reduce
    singles: list[tuple[int, int, BootTable]] = []
    windows = hist_of.windows(horizons)
    for h, first, end in zip(horizons, bounds[:-1], bounds[1:]):
        n_win = windows[h]["end"].size
        size_s[first:end] = n_win
        if n_win < min_windows:
            short = hist_of.condition is None or hist_of.n_all(h) < min_windows
            short_s[first:end] = 1 if short else 2
            continue
        lv = levels[:, first:end]
        table = hist_of.boot_table(h, n_boot, seed) if n_win >= 2 else None
        if table is None and end - first <= DIRECT_COUNT_ROWS:
            found = _direct_counts(windows[h], lv[0], lv[1], lv[2], lv[3])
        else:
            found = _sorted_counts(hist_of.sorted_windows(h), lv[0], lv[1], lv[2], lv[3])
        for i in range(4):
            counts[i, first:end] = found[i]
        counted[first:end] = True
        n_win_s[first:end] = n_win
        if table is None:
            rows = by_day[first:end]
            w_end = windows[h]["end"][None, :]
            hits = (w_end < lo_all[rows, None]) | (w_end > hi_all[rows, None])  # booleans
            se_s[first:end] = block_bootstrap_se(hits, h, n_boot, seed)
        elif end - first == 1:
            singles.append((first, end, table))
        else:
            several.append((first, end, table))
    if several or singles:
        _table_se(se_s, counts, several, singles)
    for code, kind in ((C.DS_SHORT_HISTORY, 1), (C.DS_FEW_SIMILAR, 2)):
        if (short_s == kind).any():
            mask = np.zeros(n, dtype=bool)
            mask[by_day[short_s == kind]] = True
            codes.flag(mask, code)
    size[by_day] = size_s
    n_win_all = np.empty(n, dtype=np.int64)
    n_win_all[by_day] = n_win_s
    counted_all = np.empty(n, dtype=bool)
    counted_all[by_day] = counted
    r_lo, r_hi, touch_lo, touch_hi = np.empty_like(counts)
    r_lo[by_day], r_hi[by_day], touch_lo[by_day], touch_hi[by_day] = counts
    se_all = np.empty(n)
    se_all[by_day] = se_s
    beyond = r_lo + (n_win_all - np.maximum(r_hi, r_lo))  # end < lo or end > hi
    good = counted_all & good_all
    hist[C.P_BEYOND_BE_HIST] = np.where(good, beyond / n_win_all, np.nan)
    hist[C.P_BEYOND_BE_HIST_SE] = np.where(good, se_all, np.nan)
    hist[C.P_TOUCH_LOW_HIST] = np.where(counted_all & tl_ok, touch_lo / n_win_all, np.nan)
    hist[C.P_TOUCH_HIGH_HIST] = np.where(counted_all & th_ok, touch_hi / n_win_all, np.nan)


def _table_se(se: np.ndarray, counts: np.ndarray, several: list[tuple[int, int, BootTable]],
              singles: list[tuple[int, int, BootTable]]) -> None:
    """Bootstrap SEs from the tables, written into ``se`` (rows in horizon order).

    ``several``: (first, end, table) of each horizon with several rows,
    ``singles``: the same of each horizon with one; ``counts[0]`` and
    ``counts[1]`` hold the rows' ranks.  Each row's replicate means are its
    table's sums / scale.  The columns of ``several`` form one C-order
    (replicates, rows) array reduced over the replicates, which sums each
    column in the same order as a horizon's own (replicates, rows) array;
    each single is one contiguous row of a (rows, replicates) array, reduced
    along it as a lone column is.
    """
    for spans, alone in ((several, False), (singles, True)):
        if not spans:
            continue
        width = sum(end - first for first, end, _ in spans)
        n_boot = spans[0][2].cum_by_rank.shape[1]
        sums = np.empty((width, n_boot), dtype=np.int32)
        scale = np.empty(width)
        rows = np.empty(width, dtype=np.int64)
        at = 0
        for first, end, table in spans:
            stop = at + end - first
            sums[at:stop] = table.sum_rows(counts[0, first:end], counts[1, first:end])
            scale[at:stop] = table.scale
            rows[at:stop] = np.arange(first, end)
            at = stop
        if alone:  # (rows, replicates): each row contiguous
            se[rows] = (sums / scale[:, None]).std(axis=1, ddof=1)
        else:  # (replicates, rows), C order
            se[rows] = (np.ascontiguousarray(sums.T, dtype=float) / scale).std(axis=0, ddof=1)
