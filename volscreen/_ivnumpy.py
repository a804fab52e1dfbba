"""The implied-volatility solver of :mod:`volscreen._ivkernel`, on NumPy arrays.

Private.  The same algorithm, step for step (initial guess from the table of
:mod:`volscreen._ivguess` or the two asymptotes of the normalized time value
outside it, Householder corrections of order 3,
the log objective on the lower branch, the same stopping rule and status
codes), written with array operations over the options still iterating.  It
needs no compiler: a fresh process solves a chain without importing numba
(about 0.15 s) and loading the cached kernels (0.25-0.6 s), which is most of
the first-call cost of :func:`volscreen.implied_vols`.  The compiled kernel
is the path for large batches (:data:`volscreen.implied.NUMPY_MAX_SIZE`)
and for any batch once a process has loaded it.

The two paths agree to a few 1e-15 in vol: they differ only by the last
bits of ``erfc`` (libm in the kernel, :mod:`volscreen._special` here, so
that no IV imports ``scipy.special``); with libm's erfc they agree bit for
bit.  The options of each objective (ln b or b) iterate as one group.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._ivguess import GUESS_L_LOWER as _GUESS_L_LOWER
from ._ivguess import GUESS_L_UPPER as _GUESS_L_UPPER
from ._ivguess import GUESS_NX as _GUESS_NX
from ._ivguess import GUESS_NZ as _GUESS_NZ
from ._ivguess import GUESS_X_MAX as _GUESS_X_MAX
from ._ivguess import GUESS_Z_MAX as _GUESS_Z_MAX
from ._ivguess import guess_tables
from ._special import _MID, _SMALL, _erf_small, _erfc_mid_ratio, _erfc_tail_ratio, erfc

# status codes shared with volscreen._ivkernel and volscreen.implied (index into its table)
ST_OK = 0
ST_BELOW_INTRINSIC = 1
ST_AT_INTRINSIC = 2
ST_ABOVE_MAX = 3
ST_NO_PRICE = 4
ST_EXPIRED = 5
ST_NOT_CONVERGED = 6
ST_BAD_INPUT = 7

MAX_ITER = 12
"""Householder corrections before an option is ``not_converged``."""
STEP_RTOL = 1e-4
"""Stop after a correction below this fraction of s (see :mod:`volscreen._ivkernel`)."""
AT_INTRINSIC_RTOL = 16.0 * 2.220446049250313e-16
"""In the money, a time value within this fraction of max(F, K) is 'at intrinsic' (rounding)."""

_SQRT2 = math.sqrt(2.0)
_SQRT3 = math.sqrt(3.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_PI_OVER_3SQRT3 = 2.0 * math.pi / (3.0 * math.sqrt(3.0))
_P_LOW = 0.02425
"""Acklam's split between the central and the tail rational approximations."""
SMALL_T_MAX = 0.21
"""b is its Taylor series in t = s/2 below this t (Jaeckel's bound, 2 DBL_EPSILON^(1/16))."""
SMALL_T_H_MIN = -10.0
"""... and only where h = x/s is above this (below, 1 + h Y(h) loses too many digits)."""
_SQRT_PI_2 = math.sqrt(0.5 * math.pi)
_SQRT1_2 = math.sqrt(0.5)
_GUESS_XC_MIN = 1.0 / _GUESS_NX
_GUESS_Z_SCALE = _GUESS_NZ / _GUESS_Z_MAX

# W. J. Cody's rational approximations of erf/erfc (Math. Comp. 23 (1969) 631-637; SPECFUN
# CALERF; the coefficient tables live in volscreen._special), used here for the scaled
# erfcx(y) = e^{y^2} erfc(y), y >= 0:
# y <= 0.46875: e^{y^2} (1 - y R1(y^2));  y <= 4: R2(y);  else (1/sqrt(pi) - R3(1/y^2)/y^2) / y
_CODY_SMALL, _CODY_MID = _SMALL, _MID  # Cody's interval bounds, as volscreen._special


# Acklam's inverse-normal coefficients (central a/b, tails c/d), shared with the kernel
_ACKLAM_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
             1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_ACKLAM_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
             6.680131188771972e01, -1.328068155288572e01)
_ACKLAM_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
             -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_ACKLAM_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
             3.754408661907416e00)


def _norm_cdf(z: np.ndarray) -> np.ndarray:
    # volscreen._special, not scipy.special: importing scipy.special costs more than a chain
    return 0.5 * erfc(-z / _SQRT2)


def _inv_norm_cdf(p: np.ndarray) -> np.ndarray:
    """Acklam's rational approximation (relative error < 1.2e-9): a starting point only."""
    a1, a2, a3, a4, a5, a6 = _ACKLAM_A
    b1, b2, b3, b4, b5 = _ACKLAM_B
    c1, c2, c3, c4, c5, c6 = _ACKLAM_C
    d1, d2, d3, d4 = _ACKLAM_D
    low, high = p < _P_LOW, p > 1.0 - _P_LOW
    out = np.empty_like(p)
    tail = low | high
    if tail.any():
        pt = p[tail]
        q = np.where(low[tail], np.sqrt(-2.0 * np.log(np.where(low[tail], pt, 0.5))),
                     np.sqrt(-2.0 * np.log1p(-np.where(low[tail], 0.5, pt))))
        val = (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / \
            ((((d1 * q + d2) * q + d3) * q + d4) * q + 1.0)
        out[tail] = np.where(low[tail], val, -val)
    mid = ~tail
    if mid.any():
        q = p[mid] - 0.5
        r = q * q
        out[mid] = (((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q / \
            (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1.0)
    return out


def _erfcx(y: np.ndarray) -> np.ndarray:
    """Scaled complementary error function e^{y^2} erfc(y) for y >= 0 (Cody's three ranges,
    :mod:`volscreen._special`'s pieces)."""
    out = np.empty_like(y)
    small = y <= _CODY_SMALL
    tail = y > _CODY_MID
    mid = ~small & ~tail
    if small.any():
        ys = y[small]
        out[small] = np.exp(ys * ys) * (1.0 - _erf_small(ys))
    if mid.any():
        out[mid] = _erfc_mid_ratio(y[mid])
    if tail.any():
        out[tail] = _erfc_tail_ratio(y[tail])
    return out


def b_series(a: Any, h2: Any, w: Any) -> Any:
    """The series of b in w = t^2 (t = s/2) to w^6, given a = 1 + h Y(h) and h2 = h^2.

    Plain arithmetic on floats or arrays alike: the NumPy twin calls it on
    arrays and :mod:`volscreen._ivkernel` compiles this same function, so the
    two engines share the coefficients digit for digit.
    """
    c6 = (-89055.0 + 135135.0 * a + h2 * (-82845.0 + 270270.0 * a + h2 * (
        -20370.0 + 135135.0 * a + h2 * (-1926.0 + 25740.0 * a + h2 * (
            -75.0 + 2145.0 * a + h2 * (-1.0 + 78.0 * a + a * h2)))))) * (1.0 / 6227020800.0)
    c5 = (-6555.0 + 10395.0 * a + h2 * (-4680.0 + 17325.0 * a + h2 * (
        -840.0 + 6930.0 * a + h2 * (-52.0 + 990.0 * a + h2 * (-1.0 + 55.0 * a + a * h2))))) \
        * (1.0 / 39916800.0)
    c4 = (-561.0 + 945.0 * a + h2 * (-285.0 + 1260.0 * a + h2 * (
        -33.0 + 378.0 * a + h2 * (-1.0 + 36.0 * a + a * h2)))) * (1.0 / 362880.0)
    c3 = (-57.0 + 105.0 * a + h2 * (-18.0 + 105.0 * a + h2 * (-1.0 + 21.0 * a + a * h2))) \
        * (1.0 / 5040.0)
    c2 = (-7.0 + 15.0 * a + h2 * (-1.0 + 10.0 * a + a * h2)) * (1.0 / 120.0)
    c1 = (-1.0 + 3.0 * a + a * h2) * (1.0 / 6.0)
    series = a + w * (c1 + w * (c2 + w * (c3 + w * (c4 + w * (c5 + w * c6)))))
    return series


def _b_small_t(h: np.ndarray, t: np.ndarray, g: np.ndarray) -> np.ndarray:
    """b from its expansion in t = s/2 (Jaeckel, Let's Be Rational, eq. 2.4), h = x/s <= 0.

    ex N(h + t) - N(h - t) / ex cancels to a few hundred ulp when s is small
    and the option out of the money; this series has no cancellation beyond
    a = 1 + h Y(h), with Y(h) = N(h) / n(h) (the Mills ratio of the left tail)
    = sqrt(pi/2) erfcx(-h / sqrt 2), a rational function without exp.
    ``g`` = exp(-(h^2 + t^2)/2) is shared with the derivative b'.
    """
    a = 1.0 + h * (_SQRT_PI_2 * _erfcx(-h * _SQRT1_2))
    w = t * t
    h2 = h * h
    series = b_series(a, h2, w)
    return (2.0 * t * series) * (_INV_SQRT_2PI * g)


def _b(xa: np.ndarray, s: np.ndarray, ex: np.ndarray, h: np.ndarray,
       g: np.ndarray) -> np.ndarray:
    """b(xa, s) given ex = e^{xa/2}, h = xa/s and g = exp(-(h^2 + s^2/4)/2)."""
    half = 0.5 * s
    small = (half < SMALL_T_MAX) & (h > SMALL_T_H_MIN)
    out = np.empty_like(s)
    if small.any():
        out[small] = _b_small_t(h[small], half[small], g[small])
    big = ~small
    if big.any():
        hb, tb, eb = h[big], half[big], ex[big]
        out[big] = eb * _norm_cdf(hb + tb) - _norm_cdf(hb - tb) / eb
    return out


def _table_value(flat: np.ndarray, xc: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The bicubic of :mod:`volscreen._ivguess` at (xc, z) in its box (the kernel's steps).

    ``flat`` is one branch's cell coefficients as (16, cells) (:func:`_flat_tables`):
    one gather per coefficient row instead of a (n, 4, 4) fancy-indexed copy;
    the arithmetic is the kernel's, operation for operation.
    """
    u = xc * _GUESS_NX - 1.0
    i = np.minimum(u.astype(np.int64), _GUESS_NX - 2)
    u -= i
    v = z * _GUESS_Z_SCALE
    j = np.minimum(v.astype(np.int64), _GUESS_NZ - 1)
    v -= j
    c = flat.take(i * _GUESS_NZ + j, axis=1)  # c[4 a + b]: coefficient of u^a v^b
    acc = ((c[15] * v + c[14]) * v + c[13]) * v + c[12]
    for a in (2, 1, 0):
        acc = acc * u + (((c[4 * a + 3] * v + c[4 * a + 2]) * v + c[4 * a + 1]) * v + c[4 * a])
    return acc


_FLAT: list[tuple[np.ndarray, np.ndarray]] = []  # (tables, their (2, 16, cells) copy)


def _flat_tables(tabs: np.ndarray) -> np.ndarray:
    """``tabs`` (2, NX - 1, NZ, 4, 4) as (2, 16, cells), cached for the last tables seen."""
    if not _FLAT or _FLAT[0][0] is not tabs:
        flat = np.ascontiguousarray(tabs.reshape(2, -1, 16).transpose(0, 2, 1))
        _FLAT[:] = [(tabs, flat)]
    return _FLAT[0][1]


def _initial_guess(xa: np.ndarray, beta: np.ndarray, ex: np.ndarray,
                   tab: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Starting s and whether to use the log objective (lower branch); ex = e^{xa/2}.

    The table of :mod:`volscreen._ivguess` (``tab``, default
    :func:`~volscreen._ivguess.guess_tables`) inside its box, else the closed
    form; an empty ``tab`` means the closed form everywhere.
    """
    inv_ex = 1.0 / ex
    at_money = xa == 0.0
    s_c = np.sqrt(-2.0 * xa)
    b_c = 0.5 * ex - _norm_cdf(-s_c) * inv_ex
    lower = ~at_money & (beta < b_c)
    upper = ~at_money & ~lower
    s = np.empty_like(xa)
    xc = np.sqrt(np.sqrt(-xa / _GUESS_X_MAX))
    lam = np.where(lower, np.log(b_c / beta), np.log((ex - b_c) / (ex - beta)))
    z = lam / (lam + np.where(lower, _GUESS_L_LOWER, _GUESS_L_UPPER))
    tabs = guess_tables() if tab is None else tab
    table = ~at_money & (xc >= _GUESS_XC_MIN) & (xc < 1.0) & (z < _GUESS_Z_MAX)
    if tabs.shape[0] == 0:
        table[:] = False
    if table.any():
        flat = _flat_tables(tabs)
        for branch, rows in ((0, table & lower), (1, table & upper)):
            if rows.any():
                val = _table_value(flat[branch], xc[rows], z[rows])
                if branch == 0:
                    s[rows] = val * s_c[rows]
                else:
                    p = (ex[rows] - beta[rows]) / (ex[rows] + inv_ex[rows])
                    s[rows] = val * (-2.0 * _inv_norm_cdf(p))
    if at_money.any():
        s[at_money] = -2.0 * _inv_norm_cdf(0.5 * (1.0 - beta[at_money]))
    closed_lower = lower & ~table
    if closed_lower.any():
        xl, bl = xa[closed_lower], beta[closed_lower]
        el, il = ex[closed_lower], inv_ex[closed_lower]
        sh = 0.5 * (el - il)  # sinh(xa/2)
        a = bl - sh
        disc = a * a - 4.0 * sh * sh / math.pi
        s0 = _SQRT_2PI / (el + il) * (a + np.sqrt(np.maximum(disc, 0.0)))
        u = np.exp(np.log(bl / (_TWO_PI_OVER_3SQRT3 * (-xl))) / 3.0)
        small = u < 0.5
        if small.any():
            s0[small] = np.minimum(s0[small],
                                   xl[small] / (_SQRT3 * _inv_norm_cdf(u[small])))
        s[closed_lower] = s0
    closed_upper = upper & ~table
    if closed_upper.any():
        p = (ex[closed_upper] - beta[closed_upper]) / (ex[closed_upper] + inv_ex[closed_upper])
        s[closed_upper] = -2.0 * _inv_norm_cdf(p)
    return s, lower


def _solve_normalized(xa: np.ndarray, beta: np.ndarray,
                      ex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total volatility s with b(xa, s) = beta, ex = e^{xa/2}; (s, converged), NaN on failure.

    Each option keeps its objective (ln b below the inflection point, b
    above it) for every correction, so the two groups iterate separately,
    without per-element branches.
    """
    n = xa.size
    s, use_log = _initial_guess(xa, beta, ex)
    out = np.full(n, np.nan)
    done = np.zeros(n, dtype=bool)
    for log_branch in (True, False):
        rows = np.flatnonzero(use_log if log_branch else ~use_log)
        if rows.size:
            _iterate(rows, xa[rows], ex[rows], beta[rows], s[rows], log_branch, out, done)
    return out, done


def _iterate(idx: np.ndarray, x: np.ndarray, e: np.ndarray, bt: np.ndarray, si: np.ndarray,
             log_branch: bool, out: np.ndarray, done: np.ndarray) -> None:
    """Householder corrections of the options ``idx`` (one objective), into ``out``/``done``.

    The state of the options still iterating is compacted after each
    correction, so every array operation runs on live options only.
    """
    lb = np.log(bt) if log_branch else bt
    for _ in range(MAX_ITER):
        fail = ~(si > 0.0) | ~np.isfinite(si)
        if fail.any():
            keep = ~fail
            idx, x, e, lb, si = idx[keep], x[keep], e[keep], lb[keep], si[keep]
        if idx.size == 0:
            break
        inv_s = 1.0 / si
        h = x * inv_s
        g = np.exp(-0.5 * h * h - 0.125 * si * si)
        b = _b(x, si, e, h, g)
        db = _INV_SQRT_2PI * g
        x2s3 = x * x * inv_s * inv_s * inv_s
        h2 = x2s3 - 0.25 * si
        h3 = h2 * h2 - 3.0 * x2s3 * inv_s - 0.25
        if log_branch:
            lam = db / b
            newton = -(np.log(b) - lb) / lam
            g2 = h2 - lam
            g3 = h3 - 3.0 * lam * h2 + 2.0 * lam * lam
            bad = ~(b > 0.0) | ~(db > 0.0)  # below representable: move right
        else:
            newton = -(b - lb) / db
            g2, g3 = h2, h3
            bad = ~(db > 0.0)  # flat: no correction possible, not converged
        step = newton * (1.0 + 0.5 * g2 * newton) / (1.0 + newton * (g2 + g3 * newton / 6.0))
        wild = ~np.isfinite(step) | (np.abs(step) > np.abs(2.0 * newton) + 1e-300)
        step[wild] = newton[wild]  # the rational factor is unreliable far away
        s_new = si + step
        neg = s_new <= 0.0
        s_new[neg] = 0.5 * si[neg]
        conv = (np.abs(s_new - si) <= STEP_RTOL * s_new) & ~bad
        if log_branch:
            s_new[bad] = 2.0 * si[bad]
            keep = ~conv
        else:
            keep = ~conv & ~bad
        out[idx[conv]] = s_new[conv]
        done[idx[conv]] = True
        si = s_new
        if not keep.all():
            idx, x, e, lb, si = idx[keep], x[keep], e[keep], lb[keep], si[keep]


def black_iv_numpy(price: np.ndarray, under: np.ndarray, strike: np.ndarray, t: np.ndarray,
                   rate: np.ndarray, div: np.ndarray, call: np.ndarray, spot_mode: bool,
                   out_iv: np.ndarray, out_status: np.ndarray) -> None:
    """Fill ``out_iv``/``out_status`` (length n); inputs 1-d of length n or 1 (broadcast).

    Same contract as :func:`volscreen._ivkernel.black_iv_kernel`: ``price`` is
    discounted at ``rate``, ``under`` the spot (``spot_mode``, forward
    u e^{(r - q) t}) or the forward.
    """
    n = out_iv.shape[0]
    with np.errstate(all="ignore"):  # every non-finite case gets its status below
        tt = np.broadcast_to(t, (n,))
        k = np.broadcast_to(strike, (n,))
        f = np.broadcast_to(under * np.exp((rate - div) * t) if spot_mode else under, (n,))
        p = np.broadcast_to(price * np.exp(rate * t), (n,))
        bad = ~(np.isfinite(f) & np.isfinite(k) & (f > 0.0) & (k > 0.0)) | np.isnan(tt)
        expired = ~bad & (tt <= 0.0)
        no_price = ~bad & ~expired & np.isnan(p)
        intrinsic = np.maximum(np.where(call, f - k, k - f), 0.0)
        upper = np.where(call, f, k)
        tol = np.where(intrinsic > 0.0, AT_INTRINSIC_RTOL * np.where(f > k, f, k), 0.0)
        tv = p - intrinsic
        pending = ~bad & ~expired & ~no_price
        below = pending & (tv < -tol)
        pending &= ~below
        at = pending & (tv <= tol)
        pending &= ~at
        above = pending & ((p >= upper) | np.isinf(tv))
        pending &= ~above
        idx = np.flatnonzero(pending)
        fi, ki = f[idx], k[idx]
        xa = -np.abs(np.log(fi / ki))
        beta = tv[idx] / np.sqrt(fi * ki)
        ex = np.exp(0.5 * xa)
        above_b = beta >= ex
        status = np.full(n, ST_OK, dtype=np.int8)
        for mask, code in ((bad, ST_BAD_INPUT), (expired, ST_EXPIRED), (no_price, ST_NO_PRICE),
                           (below, ST_BELOW_INTRINSIC), (at, ST_AT_INTRINSIC),
                           (above, ST_ABOVE_MAX)):
            status[mask] = code
        iv = np.full(n, np.nan)
        if above_b.any():
            status[idx[above_b]] = ST_ABOVE_MAX
            keep = ~above_b
            idx, xa, beta, ex = idx[keep], xa[keep], beta[keep], ex[keep]
        if idx.size:
            s, converged = _solve_normalized(xa, beta, ex)
            iv[idx] = np.where(converged, s / np.sqrt(tt[idx]), np.nan)
            status[idx[~converged]] = ST_NOT_CONVERGED
    out_iv[:] = iv
    out_status[:] = status
