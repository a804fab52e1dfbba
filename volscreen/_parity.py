"""Segment kernels of the parity forward (helpers of :mod:`volscreen.forward`).

Arrays are per quote or per (series, pair); a series is a run of equal
series numbers, so per-series medians and pairings are operations on
sorted arrays, not Python loops.
"""
from __future__ import annotations

import numpy as np


def rows_median(values: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN; NaN for an empty row (same value as np.median)."""
    s = np.sort(values, axis=1)  # NaN last
    n = np.sum(~np.isnan(values), axis=1)
    rows = np.arange(values.shape[0])
    lo, hi = np.maximum((n - 1) // 2, 0), np.maximum(n // 2, 0)
    with np.errstate(invalid="ignore"):  # empty rows: NaN + NaN
        out = (s[rows, lo] + s[rows, hi]) / 2
    return np.where(n > 0, out, np.nan)


def pairs(gid: np.ndarray, strike: np.ndarray, is_call: np.ndarray, mid: np.ndarray,
          valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(series, strike, C - P) of each validly quoted call/put pair, by series then strike.

    Duplicate quotes of one (series, strike, right) are averaged first.
    """
    rows = np.flatnonzero(valid)
    g, k, put = gid[rows], strike[rows], ~is_call[rows]
    if _in_order(g, k, put):  # a loader's order: the stable sort would change nothing
        order = rows
    else:
        by = np.lexsort((put, k, g))
        order, g, k = rows[by], g[by], k[by]
    c, m = is_call[order], mid[order]
    start = np.ones(order.size, dtype=bool)
    start[1:] = (g[1:] != g[:-1]) | (k[1:] != k[:-1]) | (c[1:] != c[:-1])
    if start.all():  # no duplicate quotes (the usual chain): each mean is the quote's mid
        mean = m  # m / 1 is m exactly
    else:
        first = np.flatnonzero(start)
        mean = np.add.reduceat(m, first) / np.diff(np.append(first, order.size)) \
            if first.size else np.zeros(0)
        g, k, c = g[first], k[first], c[first]
    # runs are ordered call then put within a (series, strike): a pair is a call run
    # followed by a put run at the same series and strike
    pair = c[:-1] & ~c[1:] & (g[:-1] == g[1:]) & (k[:-1] == k[1:])
    at = np.flatnonzero(pair)
    return g[at], k[at], mean[at] - mean[at + 1]


def _in_order(g: np.ndarray, k: np.ndarray, put: np.ndarray) -> bool:
    """True when the rows are sorted by (g, k, put) already (a stable sort keeps equal keys)."""
    if g.size < 2:
        return True
    dg = g[1:] - g[:-1]
    after = (k[1:] > k[:-1]) | ((k[1:] == k[:-1]) & (put[1:] >= put[:-1]))
    return bool(((dg > 0) | ((dg == 0) & after)).all())


def segment_median(values: np.ndarray, gid: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``values`` per group ignoring NaN (NaN for a group without values)."""
    if values.size == 0:
        return np.full(n_groups, np.nan)
    v = values[np.lexsort((values, gid))]  # by group, NaN last within each group
    size = np.bincount(gid, minlength=n_groups)
    count = np.bincount(gid[~np.isnan(values)], minlength=n_groups)
    start = np.cumsum(size) - size
    lo, hi = start + np.maximum(count - 1, 0) // 2, start + count // 2
    with np.errstate(invalid="ignore"):  # groups without values: NaN + NaN
        med = (v[lo] + v[hi]) / 2
    return np.where(count > 0, med, np.nan)


def theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median pairwise slope and median intercept per row of NaN-padded (series, pair) arrays."""
    i, j = np.triu_indices(x.shape[1], k=1)
    dx = x[:, j] - x[:, i]
    with np.errstate(divide="ignore", invalid="ignore"):  # padding and equal strikes: NaN
        slopes = np.where(dx != 0, (y[:, j] - y[:, i]) / dx, np.nan)
    slope = rows_median(slopes)
    return slope, rows_median(y - slope[:, None] * x)
