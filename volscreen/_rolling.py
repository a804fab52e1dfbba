"""Array kernels shared by the realized-vol and compression stages.

Bars validation at the stage boundary, trailing-window sums, and the
first-order recursions (EWMA, Wilder smoothing) run as a blocked matrix
scan (:func:`linear_recursion`), so no per-bar Python loop is needed.  Every window
is aligned on its last bar; positions before the first full window are NaN.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from . import columns as col
from ._typing import FloatArray
from .errors import BarsSchemaError, EmptyDataError

__all__: list[str] = []


def check_bars(
    bars: pd.DataFrame, required: tuple[str, ...] = col.BAR_REQUIRED
) -> dict[str, FloatArray]:
    """Raise a :class:`BarsSchemaError` naming the first problem in ``bars``.

    Checks the type, the presence and numeric dtype of ``required`` columns,
    that the index is increasing, and that prices are positive (NaN is
    reported with its row, never dropped).  Returns the checked columns
    (``required`` plus ``adj_close`` when present) as float64 arrays, so a
    stage converts each column once; treat them as read-only (they may share
    memory with ``bars``).
    """
    if not isinstance(bars, pd.DataFrame):
        raise BarsSchemaError(f"bars must be a pandas DataFrame, got {type(bars).__name__}")
    if len(bars) == 0:
        raise EmptyDataError("bars hold no rows")
    missing = [c for c in required if c not in bars.columns]
    if missing:
        raise BarsSchemaError(
            "bars lack column(s) " + ", ".join(missing) + "; load them with volscreen.load_bars",
            column=missing[0],
        )
    arrays: dict[str, FloatArray] = {}
    for name in required + ((col.ADJ_CLOSE,) if col.ADJ_CLOSE in bars.columns else ()):
        series = bars[name]
        if not pd.api.types.is_numeric_dtype(series.dtype):
            raise BarsSchemaError(f"column is not numeric ({series.dtype})", column=name)
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~(values > 0.0)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise BarsSchemaError(
                f"price must be positive and present, got {values[first]!r}",
                row=bars.index[first],
                column=name,
            )
        arrays[name] = values
    if not bars.index.is_monotonic_increasing or bars.index.has_duplicates:
        raise BarsSchemaError("bars index must be strictly increasing (sort and de-duplicate)")
    return arrays


def prices(bars: pd.DataFrame, name: str) -> FloatArray:
    """Column ``name`` of ``bars`` as a new float64 array."""
    return bars[name].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)


def rolling_sum(x: FloatArray, window: int) -> FloatArray:
    """Trailing sum of ``window`` values ending at each position.

    NaN before the first full window and wherever the window holds a NaN.
    Computed from a cumulative sum (O(n)); relative error stays near 1e-12
    for daily return magnitudes over decades of data.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    if window > n or window < 1:
        return out
    finite = np.isfinite(x)
    csum = np.concatenate(([0.0], np.cumsum(np.where(finite, x, 0.0))))
    cbad = np.concatenate(([0], np.cumsum(~finite)))
    sums = csum[window:] - csum[:-window]
    nbad = cbad[window:] - cbad[:-window]
    out[window - 1 :] = np.where(nbad == 0, sums, np.nan)
    return out


def rolling_mean(x: FloatArray, window: int) -> FloatArray:
    """Trailing mean over ``window`` values (see :func:`rolling_sum`)."""
    return rolling_sum(x, window) / window


def rolling_var(x: FloatArray, window: int, ddof: int = 1) -> FloatArray:
    """Trailing variance with the window mean removed, ``ddof`` as in numpy.

    The data are centred on their global mean first so the one-pass formula
    does not lose precision; tiny negative round-off is clipped to zero.
    """
    return Prefix(x).var(window, ddof)


def rolling_std(x: FloatArray, window: int, ddof: int = 1) -> FloatArray:
    """Square root of :func:`rolling_var`."""
    return np.sqrt(rolling_var(x, window, ddof))


class Prefix:
    """Prefix sums of one series, for trailing means and variances over many windows.

    The series is centred on its mean first so the one-pass variance keeps
    its precision; NaN values poison exactly the windows that hold them.
    """

    def __init__(self, x: FloatArray) -> None:
        finite = np.isfinite(x)
        self.n = x.shape[0]
        self.centre = float(np.mean(x[finite])) if finite.any() else 0.0
        z = np.where(finite, x - self.centre, 0.0)
        # rows: sum z, sum z^2 (one subtraction per window serves both)
        self._sums = np.zeros((2, self.n + 1))
        np.cumsum(z, out=self._sums[0, 1:])
        np.cumsum(z * z, out=self._sums[1, 1:])
        self._bad = np.concatenate(([0], np.cumsum(~finite)))
        self._all_finite = bool(finite.all())

    def _window(self, window: int, rows: slice) -> tuple[FloatArray, np.ndarray | None]:
        """Window sums of the ``rows`` of the prefix sums at positions ``window - 1 ..``,
        and the mask of windows free of NaN (None when every value is finite)."""
        sums = self._sums[rows, window:] - self._sums[rows, :-window]
        if self._all_finite:
            return sums, None
        return sums, self._bad[window:] - self._bad[:-window] == 0

    def mean(self, window: int) -> FloatArray:
        """Trailing mean over ``window`` values (NaN until full or with a NaN inside)."""
        out = np.full(self.n, np.nan)
        if 1 <= window <= self.n:
            sums, clean = self._window(window, slice(0, 1))
            mean = sums[0] / window + self.centre
            out[window - 1 :] = mean if clean is None else np.where(clean, mean, np.nan)
        return out

    def var(self, window: int, ddof: int = 1) -> FloatArray:
        """Trailing variance, window mean removed; round-off below zero clipped to zero."""
        out = np.full(self.n, np.nan)
        if 1 <= window <= self.n:
            sums, clean = self._window(window, slice(0, 2))
            s1, s2 = sums
            var = np.maximum((s2 - s1 * s1 / window) / (window - ddof), 0.0)
            out[window - 1 :] = var if clean is None else np.where(clean, var, np.nan)
        return out


class Prefixes:
    """Prefix sums of several series of one length, for trailing moments over many windows.

    Row ``i`` gives the same window sums as ``Prefix(xs[i])`` (each series
    centred on its own mean, NaN poisoning the windows that hold it), but one
    subtraction per window serves every series and both moments.  ``squares``
    says which series need the second moment (default all); the others'
    square rows stay zero.
    """

    def __init__(self, xs: tuple[FloatArray, ...], squares: tuple[bool, ...] | None = None) -> None:
        m, n = len(xs), xs[0].shape[0]
        self.n = n
        self.centres = np.zeros(m)
        self._sums = np.zeros((2 * m, n + 1))  # rows 2i, 2i + 1: sum z_i, sum z_i^2
        bad_at = [np.flatnonzero(~np.isfinite(x)) for x in xs]
        # NaN only in a leading stretch (the first bar has no previous close): every window
        # starting after it is clean in every series, and no NaN count is needed
        lead = max(b.size for b in bad_at)
        self._lead: int | None = lead
        if any(b.size and b[-1] != b.size - 1 for b in bad_at):
            self._lead = None
            self._bad = np.zeros((m, n + 1), dtype=np.int64)
        for i, x in enumerate(xs):
            nbad = bad_at[i].size
            if self._lead is not None:  # finite values are x[nbad:], contiguous
                centre = float(np.mean(x[nbad:])) if nbad < n else 0.0
                z = x - centre
                z[:nbad] = 0.0
            else:
                finite = np.isfinite(x)
                centre = float(np.mean(x[finite])) if nbad < n else 0.0
                z = np.where(finite, x - centre, 0.0)
                np.cumsum(~finite, out=self._bad[i, 1:])
            self.centres[i] = centre
            np.cumsum(z, out=self._sums[2 * i, 1:])
            if squares is None or squares[i]:
                np.cumsum(z * z, out=self._sums[2 * i + 1, 1:])

    def window(self, window: int) -> tuple[int, FloatArray, np.ndarray | None]:
        """Window sums (rows as in the prefix sums) at positions ``start ..``, their start
        and the per-series mask of NaN-free windows (None when every window from
        ``start`` on is NaN-free in every series; the earlier ones then hold a NaN in
        some series).  Requires ``1 <= window <= n``."""
        if self._lead is not None:
            first = window + self._lead  # prefix position of the first clean window's end
            sums = self._sums[:, first:] - self._sums[:, first - window : self.n + 1 - window]
            return first - 1, sums, None
        sums = self._sums[:, window:] - self._sums[:, :-window]
        return window - 1, sums, self._bad[:, window:] - self._bad[:, :-window] == 0


def sorted_quantiles(ordered: FloatArray, counts: np.ndarray, qs: FloatArray) -> FloatArray:
    """Quantiles ``qs`` of the first ``counts[i]`` values of each sorted row ``i``.

    numpy's default (linear) method: virtual index q (m - 1) between order
    statistics, with numpy's interpolation formula; NaN for rows without values.
    """
    m = counts[:, None].astype(np.float64)
    virtual = qs[None, :] * (m - 1.0)
    lo = np.clip(np.floor(virtual), 0.0, np.maximum(m - 1.0, 0.0))
    hi = np.minimum(lo + 1.0, np.maximum(m - 1.0, 0.0))
    gamma = virtual - lo
    a = np.take_along_axis(ordered, lo.astype(np.intp), axis=1)
    b = np.take_along_axis(ordered, hi.astype(np.intp), axis=1)
    diff = b - a
    with np.errstate(invalid="ignore"):  # rows without values hold NaN (masked below)
        value = np.where(gamma >= 0.5, b - diff * (1.0 - gamma), a + diff * gamma)
    return np.where(m > 0, value, np.nan)


def rolling_extreme(x: FloatArray, window: int, kind: str) -> FloatArray:
    """Trailing ``max`` or ``min`` over ``window`` values (NaN until full)."""
    roll = pd.Series(x).rolling(window, min_periods=window)
    result = roll.max() if kind == "max" else roll.min()
    return result.to_numpy(dtype=np.float64)


_SCAN_BLOCK = 64
"""Block length of the vectorized linear recursion (see :func:`linear_recursion`)."""


@functools.lru_cache(maxsize=32)
def _scan_kernel(alpha: float) -> tuple[FloatArray, FloatArray]:
    """Block matrix and decay powers of :func:`linear_recursion` for ``alpha`` (cached:
    building them costs half of a 6,600-bar scan, and a stage reuses a few alphas)."""
    beta = 1.0 - alpha
    size = _SCAN_BLOCK
    lag = np.arange(size)[:, None] - np.arange(size)[None, :]
    with np.errstate(under="ignore"):  # tiny powers of beta underflow to 0 harmlessly
        kernel: FloatArray = np.where(lag >= 0, alpha * beta ** np.maximum(lag, 0), 0.0)
        decay: FloatArray = beta ** np.arange(1, size + 1, dtype=np.float64)
    kernel.flags.writeable = False
    decay.flags.writeable = False
    return kernel, decay


def linear_recursion(x: FloatArray, alpha: float, y0: float) -> FloatArray:
    """``y[t] = (1 - alpha) * y[t-1] + alpha * x[t]`` for t = 0.. with ``y[-1] = y0``.

    Vectorized without a per-bar loop: within blocks of 64 values the
    recursion is a lower-triangular Toeplitz matrix product (all blocks at
    once); the carry between blocks is a short loop over n/64 blocks.  The
    same result as ``scipy.signal.lfilter([alpha], [1, alpha - 1], x)``,
    without scipy.signal's import cost.
    """
    n = x.shape[0]
    if n == 0:
        return np.empty(0)
    size = _SCAN_BLOCK
    nblocks = -(-n // size)
    padded = np.zeros(nblocks * size)
    padded[:n] = x
    kernel, decay = _scan_kernel(float(alpha))
    local = padded.reshape(nblocks, size) @ kernel.T  # zero-start recursion per block
    carry = np.empty(nblocks)
    prev = y0
    block_decay = decay[-1]
    last = local[:, -1]
    for k in range(nblocks):  # n / 64 steps
        carry[k] = prev
        prev = last[k] + block_decay * prev
    out = local + carry[:, None] * decay[None, :]
    return out.reshape(-1)[:n]


def recursive_mean(x: FloatArray, alpha: float, start: int, seed: float) -> FloatArray:
    """First-order recursion ``y[t] = (1 - alpha) * y[t-1] + alpha * x[t]``.

    ``y[start] = seed`` and the recursion runs for ``t > start``; positions
    before ``start`` are NaN.  ``x`` must be finite from ``start + 1`` on.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    if start >= n or not np.isfinite(seed):
        return out
    out[start] = seed
    if start + 1 < n:
        out[start + 1 :] = linear_recursion(x[start + 1 :], alpha, seed)
    return out


def wilder(x: FloatArray, period: int, first: int) -> FloatArray:
    """Wilder smoothing of ``x`` (alpha = 1/period), as in TA-Lib.

    The seed is the simple mean of ``x[first : first + period]``, placed at
    position ``first + period - 1``; later values follow
    ``y[t] = (y[t-1] * (period - 1) + x[t]) / period``.
    """
    start = first + period - 1
    if start >= x.shape[0]:
        return np.full(x.shape[0], np.nan)
    seed = float(np.mean(x[first : start + 1]))
    return recursive_mean(x, 1.0 / period, start, seed)


def ema(x: FloatArray, period: int) -> FloatArray:
    """EMA with alpha = 2/(period + 1), seeded by the SMA of the first ``period`` values.

    This is TA-Lib's default EMA seeding; the first value is at ``period - 1``.
    """
    if period > x.shape[0]:
        return np.full(x.shape[0], np.nan)
    seed = float(np.mean(x[:period]))
    return recursive_mean(x, 2.0 / (period + 1.0), period - 1, seed)


_PCTILE_BLOCK = 8192
"""Bars per block of the trailing-percentile comparison (memory: window x 8,192 bytes)."""


def trailing_percentile(x: FloatArray, window: int) -> FloatArray:
    """100 * share of the previous ``window`` values strictly below ``x[t]``.

    Today's value is compared with the ``window`` values before it (today
    excluded), so a new ``window``-bar low scores 0.  NaN until ``window``
    earlier finite values exist, and wherever ``x[t]`` or one of them is NaN.

    Computed lag-major: row ``k`` of the comparison matrix is the contiguous
    slice of values ``window - k`` bars back compared with today's values, so
    each row is one SIMD comparison and the count is a sum down the rows;
    blocks of 8,192 bars bound the memory.
    """
    n = x.shape[0]
    out = np.full(n, np.nan)
    if window < 1 or n <= window:
        return out
    m = n - window  # outputs at t = window .. n - 1
    # counts never exceed the window: a uint16 sum is ~5x faster than an int64 one
    acc = np.uint16 if window <= np.iinfo(np.uint16).max else np.int64
    below = np.empty(m, dtype=acc)
    for begin in range(0, m, _PCTILE_BLOCK):
        end = min(begin + _PCTILE_BLOCK, m)
        # row k: x[begin + k : end + k], the value window - k bars before each today
        past = np.lib.stride_tricks.sliding_window_view(x[begin : end + window - 1], end - begin)
        less = past < x[window + begin : window + end]
        below[begin:end] = less.view(np.uint8).sum(axis=0, dtype=acc)
    bad = np.concatenate(([0], np.cumsum(~np.isfinite(x[:-1]))))
    valid = np.isfinite(x[window:]) & (bad[window:] - bad[:-window] == 0)
    out[window:] = np.where(valid, 100.0 * below / window, np.nan)
    return out


def trailing_percentiles(x: FloatArray, windows: tuple[int, ...]) -> list[FloatArray]:
    """:func:`trailing_percentile` for each of several windows, in one pass.

    The lags of a shorter window are the last rows of the longest window's
    comparison matrix, so one comparison serves every window: the counts of
    the shorter windows are partial sums down those rows.  Bars before the
    longest window is full are counted on their own (a short head).
    """
    wins = [int(w) for w in windows]
    n = x.shape[0]
    if len(wins) < 2 or min(wins) < 1 or n <= max(wins):
        return [trailing_percentile(x, w) for w in wins]
    top = max(wins)
    m = n - top  # shared outputs at t = top .. n - 1
    acc = np.uint16 if top <= np.iinfo(np.uint16).max else np.int64
    lags = sorted(set(wins))  # ascending: counts over lags 1..w accumulate
    below = {w: np.empty(m, dtype=acc) for w in lags}
    for begin in range(0, m, _PCTILE_BLOCK):
        end = min(begin + _PCTILE_BLOCK, m)
        past = np.lib.stride_tricks.sliding_window_view(x[begin : end + top - 1], end - begin)
        less = (past < x[top + begin : top + end]).view(np.uint8)  # row k: lag top - k
        running = np.zeros(end - begin, dtype=acc)
        done = 0
        for w in lags:  # rows top - w .. top - done - 1 hold lags done + 1 .. w
            running += less[top - w : top - done].sum(axis=0, dtype=acc)
            below[w][begin:end] = running
            done = w
    bad = np.concatenate(([0], np.cumsum(~np.isfinite(x[:-1]))))
    results = {}
    for w in lags:
        out = np.full(n, np.nan)
        if w < top:  # outputs before the shared part: the first top bars alone
            out[:top] = trailing_percentile(x[:top], w)
        valid = np.isfinite(x[top:]) & (bad[top:] - bad[top - w : n - w] == 0)
        out[top:] = np.where(valid, 100.0 * below[w] / w, np.nan)
        results[w] = out
    return [results[w].copy() if wins.count(w) > 1 else results[w] for w in wins]


def run_length(flag: np.ndarray) -> np.ndarray:
    """Count of consecutive True values ending at each position (0 where False)."""
    flag = np.asarray(flag, dtype=bool)
    idx = np.arange(flag.shape[0])
    last_false = np.maximum.accumulate(np.where(~flag, idx, -1))
    return np.where(flag, idx - last_false, 0).astype(np.int64)
