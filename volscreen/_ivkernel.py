"""Compiled implied-volatility kernel (numba), in normalized Black coordinates.

Private: :mod:`volscreen.implied` is the public entry point.  Importing this
module compiles (or loads from numba's on-disk cache) the kernel, so it is
imported lazily, on the first implied-volatility call.

Coordinates
-----------
x = ln(F/K), s = vol sqrt(t) (total volatility), and the normalized time value
of the out-of-the-money option with xa = -|x| <= 0::

    b(xa, s) = e^{xa/2} N(xa/s + s/2) - e^{-xa/2} N(xa/s - s/2)

so that (undiscounted price - intrinsic) = sqrt(F K) b.  b is symmetric in
x, which maps every call and put, in or out of the money, onto one curve with
0 <= b < e^{xa/2}.

Algorithm
---------
1. Initial guess: inside the box of :mod:`volscreen._ivguess` (|x| from
   3e-6 to 1, prices not within e^-36 of zero or 1 % of their bound) a
   bicubic spline through the exact answer on a 24 x 49 grid per branch,
   2e-5 relative at most (1e-7 typical).  Elsewhere the two asymptotes of b:
   for targets below the inflection point s_c = sqrt(2|x|), the small-s
   expansion b ~ (2 pi |x| / 3 sqrt 3) N(xa / (sqrt 3 s))^3 inverted in closed
   form; above it, the large-s limit b ~ e^{xa/2} - 2 cosh(x/2) N(-s/2).
2. Householder corrections of order 3 (quartic convergence) with analytic
   derivatives: b' = n(x/s) e^{-s^2/8}, b''/b' = x^2/s^3 - s/4; on
   the lower branch the objective is ln b - ln beta, which is nearly linear in
   1/s^2 and keeps its accuracy for prices down to 1e-300 of the forward.
3. b itself: for t = s/2 < 0.21 and h = x/s > -10 its Taylor series in t
   (Jaeckel, "Let's Be Rational", the small-t expansion) in terms of
   a = 1 + h Y(h), Y the Mills ratio N(h)/n(h); elsewhere the difference of
   the two N.  Short, out-of-the-money options make that difference cancel
   to a few thousand ulp (d1, d2 close, b << N(d2)): the root of the rounded b
   was then 1e-12 away in relative price however tightly the loop stopped.
   With the series, the price round trip is within 1e-13 (harness: 2.3e-14,
   backward error p99 44 ulp, was 300).  Y(h) = sqrt(pi/2) erfcx(-h/sqrt 2)
   comes from Cody's rational approximations (no exp), and the factor
   exp(-(h^2 + t^2)/2) of the series is the one b' needs: a correction on
   this branch costs one exp and one rational function instead of two erfc.
4. Stop after a correction below ``_STEP_RTOL`` = 1e-4 relative: the error
   left after a quartic step that small is below rounding (checked on exact
   mpmath prices: no change in the max error against 1e-7).  From the table,
   one correction on every option of the issue's grid (the closed-form guess,
   3 % off at the median, needs two); at most ``_MAX_ITER``.

About 190-210 ns per option on one core (300 with the closed-form guess and
one loop per option).  The work is split into six passes over a block of 512
rows (forward and undiscounting; checks and normalization; the table
coordinates; the guess; b at the guess; the correction), so that the
processor overlaps the long dependency chains of neighbouring options: a
third less CPU time than one pass, with the same arithmetic and the same bits.
Inputs are arrays of length n or 1; the forward and the undiscounted price
are formed inside the kernel, so a batch makes no temporary arrays beyond a
per-block work space.  The guess table is an argument of the compiled loops
(numba's on-disk cache keys on this file only, so a table frozen in as a
global could go stale).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

# status codes and tolerances: one definition, shared with the NumPy twin of this solver
from ._ivnumpy import AT_INTRINSIC_RTOL as _AT_INTRINSIC_RTOL
from ._ivnumpy import MAX_ITER as _MAX_ITER
from ._ivnumpy import STEP_RTOL as _STEP_RTOL
from ._ivnumpy import SMALL_T_H_MIN as _SMALL_T_H_MIN
from ._ivnumpy import SMALL_T_MAX as _SMALL_T_MAX
from ._ivnumpy import _ACKLAM_A, _ACKLAM_B, _ACKLAM_C, _ACKLAM_D
from ._ivnumpy import b_series as _b_series_py
from ._ivnumpy import _CODY_MID, _CODY_SMALL
from ._special import _R1_DEN, _R1_NUM, _R2_DEN, _R2_NUM, _R3_DEN, _R3_NUM
from ._ivguess import GUESS_L_LOWER as _GUESS_L_LOWER
from ._ivguess import GUESS_L_UPPER as _GUESS_L_UPPER
from ._ivguess import GUESS_X_MAX as _GUESS_X_MAX
from ._ivguess import GUESS_Z_MAX as _GUESS_Z_MAX
from ._ivguess import guess_tables
from ._ivnumpy import _GUESS_XC_MIN
from ._ivnumpy import (ST_ABOVE_MAX, ST_AT_INTRINSIC, ST_BAD_INPUT, ST_BELOW_INTRINSIC,
                       ST_EXPIRED, ST_NO_PRICE, ST_NOT_CONVERGED, ST_OK)

_SQRT2 = math.sqrt(2.0)
_SQRT3 = math.sqrt(3.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_PI_OVER_3SQRT3 = 2.0 * math.pi / (3.0 * math.sqrt(3.0))
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_SQRT_PI_2 = math.sqrt(0.5 * math.pi)
_SQRT1_2 = math.sqrt(0.5)


@njit(cache=True, fastmath=False)
def _norm_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / _SQRT2)


@njit(cache=True, fastmath=False)
def _inv_norm_cdf(p: float) -> float:
    """Acklam's rational approximation (relative error < 1.2e-9): a starting point only."""
    a1, a2, a3, a4, a5, a6 = _ACKLAM_A
    b1, b2, b3, b4, b5 = _ACKLAM_B
    c1, c2, c3, c4, c5, c6 = _ACKLAM_C
    d1, d2, d3, d4 = _ACKLAM_D
    if p < 0.02425:
        q = math.sqrt(-2.0 * math.log(p))
        return (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / \
            ((((d1 * q + d2) * q + d3) * q + d4) * q + 1.0)
    if p > 1.0 - 0.02425:
        q = math.sqrt(-2.0 * math.log1p(-p))
        return -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / \
            ((((d1 * q + d2) * q + d3) * q + d4) * q + 1.0)
    q = p - 0.5
    r = q * q
    return (((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q / \
        (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1.0)


@njit(cache=True, fastmath=False)
def normalized_tv(xa: float, s: float) -> float:
    """b(xa, s) for xa <= 0 (out-of-the-money normalized time value)."""
    h = xa / s
    g = math.exp(-0.5 * h * h - 0.125 * s * s)
    return _b(xa, s, math.exp(0.5 * xa), h, g)


@njit(cache=True, fastmath=False)
def _poly(x: float, c: tuple) -> float:
    """Horner: coefficients highest power first."""
    out = c[0]
    for i in range(1, len(c)):
        out = out * x + c[i]
    return out


@njit(cache=True, fastmath=False)
def _erfcx(y: float) -> float:
    """Scaled complementary error function e^{y^2} erfc(y) for y >= 0 (Cody's three ranges)."""
    if y <= _CODY_SMALL:
        q = y * y
        return math.exp(q) * (1.0 - y * _poly(q, _R1_NUM) / _poly(q, _R1_DEN))
    if y <= _CODY_MID:
        return _poly(y, _R2_NUM) / _poly(y, _R2_DEN)
    q = 1.0 / (y * y)
    return (_INV_SQRT_PI - q * _poly(q, _R3_NUM) / _poly(q, _R3_DEN)) / y


_b_series = njit(cache=True, fastmath=False)(_b_series_py)


@njit(cache=True, fastmath=False)
def _b_small_t(h: float, t: float, g: float) -> float:
    """b from its expansion in t = s/2 (see :func:`volscreen._ivnumpy._b_small_t`).

    ``g`` = exp(-(h^2 + t^2)/2), the factor the caller shares with b'.
    """
    # Y(h) = N(h) / n(h) = sqrt(pi/2) erfcx(-h / sqrt 2): no exp, no cancellation
    a = 1.0 + h * (_SQRT_PI_2 * _erfcx(-h * _SQRT1_2))
    w = t * t
    h2 = h * h
    series = _b_series(a, h2, w)
    return (2.0 * t * series) * (_INV_SQRT_2PI * g)


@njit(cache=True, fastmath=False)
def _b(xa: float, s: float, ex: float, h: float, g: float) -> float:
    """b(xa, s) given ex = e^{xa/2}, h = xa/s and g = exp(-(h^2 + s^2/4)/2).

    The expansion in t where the difference of the two N cancels.
    """
    half = 0.5 * s
    if half < _SMALL_T_MAX and h > _SMALL_T_H_MIN:
        return _b_small_t(h, half, g)
    return ex * _norm_cdf(h + half) - _norm_cdf(h - half) / ex


@njit(cache=True, fastmath=False)
def _table_value(tab: np.ndarray, branch: int, xc: float, z: float) -> float:
    """The bicubic of :mod:`volscreen._ivguess` at (xc, z) inside its box."""
    # sizes from the table itself: numba's cache does not see a change of _ivguess
    ncx, ncz = tab.shape[1], tab.shape[2]
    u = xc * (ncx + 1) - 1.0
    i = min(int(u), ncx - 1)
    u -= i
    v = z * (ncz / _GUESS_Z_MAX)
    j = min(int(v), ncz - 1)
    v -= j
    acc = ((tab[branch, i, j, 3, 3] * v + tab[branch, i, j, 3, 2]) * v
           + tab[branch, i, j, 3, 1]) * v + tab[branch, i, j, 3, 0]
    for a in range(2, -1, -1):
        acc = acc * u + (((tab[branch, i, j, a, 3] * v + tab[branch, i, j, a, 2]) * v
                          + tab[branch, i, j, a, 1]) * v + tab[branch, i, j, a, 0])
    return acc


@njit(cache=True, fastmath=False)
def _initial_guess(xa: float, beta: float, ex: float, tab: np.ndarray) -> tuple[float, bool]:
    """Starting s and whether to use the log objective (lower branch); ex = e^{xa/2}.

    Inside its box, the table of :mod:`volscreen._ivguess` (2e-5 relative);
    elsewhere, or always if ``tab`` is empty (the reference path of the
    tests), the closed form of :func:`_guess_from` (a few per cent).
    """
    lower, xc, z = _guess_coordinates(xa, beta, ex)
    return _guess_from(xa, beta, ex, tab, lower, xc, z)


@njit(cache=True, fastmath=False)
def _guess_coordinates(xa: float, beta: float, ex: float) -> tuple[bool, float, float]:
    """(beta below the inflection point, xc, z): the branch and the table coordinates."""
    if xa == 0.0:
        return False, 0.0, 1.0
    s_c = math.sqrt(-2.0 * xa)
    # b at the inflection point s_c: there d1 = 0 and d2 = -s_c
    b_c = 0.5 * ex - _norm_cdf(-s_c) * (1.0 / ex)
    lower = beta < b_c
    xc = math.sqrt(math.sqrt(-xa / _GUESS_X_MAX))
    if lower:
        z = 1.0  # a time value below the normal range: the closed form
        if beta > 0.0:
            lam = math.log(b_c / beta)
            z = lam / (lam + _GUESS_L_LOWER)
    else:
        lam = math.log((ex - b_c) / (ex - beta))
        z = lam / (lam + _GUESS_L_UPPER)
    return lower, xc, z


@njit(cache=True, fastmath=False)
def _guess_from(xa: float, beta: float, ex: float, tab: np.ndarray, lower: bool, xc: float,
                z: float) -> tuple[float, bool]:
    """The guess of :func:`_initial_guess` from its :func:`_guess_coordinates`."""
    inv_ex = 1.0 / ex
    if xa == 0.0:
        return -2.0 * _inv_norm_cdf(0.5 * (1.0 - beta)), False
    if tab.shape[0] > 0 and xc >= _GUESS_XC_MIN and xc < 1.0 and z < _GUESS_Z_MAX:
        if lower:
            return _table_value(tab, 0, xc, z) * math.sqrt(-2.0 * xa), True
        p = (ex - beta) / (ex + inv_ex)
        return _table_value(tab, 1, xc, z) * (-2.0 * _inv_norm_cdf(p)), False
    if lower:
        # lower branch: the better of the small-s asymptote (exact as s -> 0, an
        # overestimate near the money) and Corrado-Miller (near the money); both
        # overestimate in practice, so take the smaller.
        sh = 0.5 * (ex - inv_ex)  # sinh(xa/2)
        a = beta - sh
        disc = a * a - 4.0 * sh * sh / math.pi
        s0 = _SQRT_2PI / (ex + inv_ex) * (a + math.sqrt(max(disc, 0.0)))
        u = math.exp(math.log(beta / (_TWO_PI_OVER_3SQRT3 * (-xa))) / 3.0)
        if u < 0.5:
            s0 = min(s0, xa / (_SQRT3 * _inv_norm_cdf(u)))
        return s0, True
    # upper branch: large-s limit b ~ e^{xa/2} - 2 cosh(x/2) N(-s/2)
    p = (ex - beta) / (ex + inv_ex)
    return -2.0 * _inv_norm_cdf(p), False


@njit(cache=True, fastmath=False)
def solve_normalized(xa: float, beta: float, ex: float, tab: np.ndarray) -> tuple[float, int]:
    """Total volatility s with b(xa, s) = beta, ex = e^{xa/2}; (s, iterations), -1 on failure.

    ``tab``: the coefficients of :func:`volscreen._ivguess.guess_tables`.
    """
    s, use_log = _initial_guess(xa, beta, ex, tab)
    g, b = _eval_b(xa, ex, s)
    return _correct(xa, beta, ex, s, use_log, g, b)


@njit(cache=True, fastmath=False)
def _eval_b(xa: float, ex: float, s: float) -> tuple[float, float]:
    """(g, b(xa, s)), g = exp(-(h^2 + s^2/4)/2) (b' / n(0)); (0, 0) where s is not valid."""
    if not (s > 0.0) or not math.isfinite(s):
        return 0.0, 0.0
    inv_s = 1.0 / s
    h = xa * inv_s
    g = math.exp(-0.5 * h * h - 0.125 * s * s)
    return g, _b(xa, s, ex, h, g)


@njit(cache=True, fastmath=False)
def _correct(xa: float, beta: float, ex: float, s: float, use_log: bool, g: float,
             b: float) -> tuple[float, int]:
    """Householder corrections from ``s`` given (g, b) = _eval_b(xa, ex, s); (s, iterations).

    Iterations -1: failure.
    """
    log_beta = math.log(beta) if use_log else 0.0
    x2 = xa * xa
    for it in range(_MAX_ITER):
        if not (s > 0.0) or not math.isfinite(s):
            return math.nan, -1
        if it > 0:
            g, b = _eval_b(xa, ex, s)
        inv_s = 1.0 / s
        db = _INV_SQRT_2PI * g
        x2s3 = x2 * inv_s * inv_s * inv_s
        h2 = x2s3 - 0.25 * s
        h3 = h2 * h2 - 3.0 * x2s3 * inv_s - 0.25
        if use_log:
            if not (b > 0.0) or not (db > 0.0):
                # below representable: move right (b increases with s)
                s = 2.0 * s
                continue
            lam = db / b
            newton = -(math.log(b) - log_beta) / lam
            g2 = h2 - lam
            g3 = h3 - 3.0 * lam * h2 + 2.0 * lam * lam
        else:
            if not (db > 0.0):
                return math.nan, -1
            newton = -(b - beta) / db
            g2 = h2
            g3 = h3
        step = newton * (1.0 + 0.5 * g2 * newton) / (1.0 + newton * (g2 + g3 * newton / 6.0))
        if not math.isfinite(step) or abs(step) > abs(2.0 * newton) + 1e-300:
            step = newton  # the rational factor is unreliable far from the root
        s_new = s + step
        if s_new <= 0.0:
            s_new = 0.5 * s
        if abs(s_new - s) <= _STEP_RTOL * s_new:
            return s_new, it + 1
        s = s_new
    return s, -1


@njit(cache=True, fastmath=False)
def _screen(p: float, f: float, k: float, tt: float,
            call: bool) -> tuple[int, float, float, float]:
    """(status, xa, beta, ex) of one option; status -1: to solve for s in b(xa, s) = beta."""
    if not (math.isfinite(f) and math.isfinite(k) and f > 0.0 and k > 0.0) or math.isnan(tt):
        return ST_BAD_INPUT, 0.0, 0.0, 0.0
    if tt <= 0.0:
        return ST_EXPIRED, 0.0, 0.0, 0.0
    if math.isnan(p):
        return ST_NO_PRICE, 0.0, 0.0, 0.0
    intrinsic = f - k if call else k - f
    if intrinsic < 0.0:
        intrinsic = 0.0
    upper = f if call else k
    # in the money, F - K carries rounding of max(F, K); out of the money it is exact 0
    tol = _AT_INTRINSIC_RTOL * (f if f > k else k) if intrinsic > 0.0 else 0.0
    tv = p - intrinsic
    if tv < -tol:
        return ST_BELOW_INTRINSIC, 0.0, 0.0, 0.0
    if tv <= tol:
        return ST_AT_INTRINSIC, 0.0, 0.0, 0.0
    if p >= upper or math.isinf(tv):
        return ST_ABOVE_MAX, 0.0, 0.0, 0.0
    xa = -abs(math.log(f / k))
    beta = tv / math.sqrt(f * k)
    ex = math.exp(0.5 * xa)
    if beta >= ex:
        return ST_ABOVE_MAX, 0.0, 0.0, 0.0
    return -1, xa, beta, ex


@njit(cache=True, fastmath=False)
def solve_one(p: float, f: float, k: float, tt: float, call: bool,
              tab: np.ndarray) -> tuple[float, int]:
    """(implied vol, status code) of one option from its undiscounted Black-76 price."""
    code, xa, beta, ex = _screen(p, f, k, tt, call)
    if code >= 0:
        return math.nan, code
    s, it = solve_normalized(xa, beta, ex, tab)
    if it < 0:
        return math.nan, ST_NOT_CONVERGED
    return s / math.sqrt(tt), ST_OK


@njit(cache=True, fastmath=False)
def _solve_block(start: int, stop: int, price: np.ndarray, under: np.ndarray,
                 strike: np.ndarray, t: np.ndarray, rate: np.ndarray, div: np.ndarray,
                 call: np.ndarray, spot_mode: bool, out_iv: np.ndarray, out_status: np.ndarray,
                 tab: np.ndarray, work: np.ndarray, rows: np.ndarray) -> None:
    """Rows ``start:stop`` in passes over ``work`` (rows of the block in its columns).

    Forwards and undiscounted prices; checks and normalization; the branch and
    the table coordinates; the guesses; b at the guesses; the corrections.
    Each pass is a short loop whose iterations the processor overlaps, where
    one loop doing everything per option runs one long dependency chain
    (exp, erfc, log, divisions) at a time.  The arithmetic is that of
    :func:`solve_one`, bit for bit.  An input of length 1 is broadcast over
    every row.
    """
    for i in range(start, stop):  # forwards and undiscounted prices into work[6:8]
        tt = t[i if t.shape[0] > 1 else 0]
        r = rate[i if rate.shape[0] > 1 else 0]
        u = under[i if under.shape[0] > 1 else 0]
        if spot_mode:
            work[6, i - start] = u * math.exp((r - div[i if div.shape[0] > 1 else 0]) * tt)
        else:
            work[6, i - start] = u
        work[7, i - start] = price[i if price.shape[0] > 1 else 0] * math.exp(r * tt)
    m = 0
    for i in range(start, stop):
        tt = t[i if t.shape[0] > 1 else 0]
        code, xa, beta, ex = _screen(work[7, i - start], work[6, i - start],
                                     strike[i if strike.shape[0] > 1 else 0], tt,
                                     call[i if call.shape[0] > 1 else 0])
        if code >= 0:
            out_iv[i] = math.nan
            out_status[i] = code
        else:
            work[0, m], work[1, m], work[2, m], work[3, m] = xa, beta, ex, tt
            rows[m] = i
            m += 1
    for j in range(m):
        lower, work[6, j], work[7, j] = _guess_coordinates(work[0, j], work[1, j], work[2, j])
        work[5, j] = 1.0 if lower else 0.0
    for j in range(m):
        s0, use_log = _guess_from(work[0, j], work[1, j], work[2, j], tab, work[5, j] > 0.0,
                                  work[6, j], work[7, j])
        work[4, j] = s0
        work[5, j] = 1.0 if use_log else 0.0
    for j in range(m):
        work[6, j], work[7, j] = _eval_b(work[0, j], work[2, j], work[4, j])
    for j in range(m):
        s, it = _correct(work[0, j], work[1, j], work[2, j], work[4, j], work[5, j] > 0.0,
                         work[6, j], work[7, j])
        i = rows[j]
        if it < 0:
            out_iv[i] = math.nan
            out_status[i] = ST_NOT_CONVERGED
        else:
            out_iv[i] = s / math.sqrt(work[3, j])
            out_status[i] = ST_OK


_BLOCK = 512
"""Rows per block of :func:`_solve_block` (its work arrays stay in the L1 cache)."""


@njit(parallel=True, cache=True, fastmath=False)
def _black_iv_parallel(price: np.ndarray, under: np.ndarray, strike: np.ndarray, t: np.ndarray,
                       rate: np.ndarray, div: np.ndarray, call: np.ndarray, spot_mode: bool,
                       out_iv: np.ndarray, out_status: np.ndarray, tab: np.ndarray) -> None:
    n = out_iv.shape[0]
    for blk in prange((n + _BLOCK - 1) // _BLOCK):
        work = np.empty((8, _BLOCK))
        rows = np.empty(_BLOCK, dtype=np.int64)
        _solve_block(blk * _BLOCK, min(n, (blk + 1) * _BLOCK), price, under, strike, t, rate,
                     div, call, spot_mode, out_iv, out_status, tab, work, rows)


@njit(cache=True, fastmath=False)
def _black_iv_serial(price: np.ndarray, under: np.ndarray, strike: np.ndarray, t: np.ndarray,
                     rate: np.ndarray, div: np.ndarray, call: np.ndarray, spot_mode: bool,
                     out_iv: np.ndarray, out_status: np.ndarray, tab: np.ndarray) -> None:
    n = out_iv.shape[0]
    work = np.empty((8, _BLOCK))
    rows = np.empty(_BLOCK, dtype=np.int64)
    for start in range(0, n, _BLOCK):
        _solve_block(start, min(n, start + _BLOCK), price, under, strike, t, rate, div, call,
                     spot_mode, out_iv, out_status, tab, work, rows)


def black_iv_kernel(price: np.ndarray, under: np.ndarray, strike: np.ndarray, t: np.ndarray,
                    rate: np.ndarray, div: np.ndarray, call: np.ndarray, spot_mode: bool,
                    out_iv: np.ndarray, out_status: np.ndarray) -> None:
    """Fill ``out_iv``/``out_status`` (length n) on all cores.

    Inputs are 1-d float64 arrays (``call`` bool) of length n or 1 (broadcast).
    ``price`` is discounted at ``rate``; ``under`` is the spot (``spot_mode``,
    forward u e^{(r - q) t}) or the forward itself.  Undiscounting and the
    forward are computed per row inside the compiled loop, so no temporary
    arrays are made.
    """
    _black_iv_parallel(price, under, strike, t, rate, div, call, spot_mode, out_iv, out_status,
                       guess_tables())


def black_iv_kernel_serial(price: np.ndarray, under: np.ndarray, strike: np.ndarray,
                           t: np.ndarray, rate: np.ndarray, div: np.ndarray, call: np.ndarray,
                           spot_mode: bool, out_iv: np.ndarray, out_status: np.ndarray) -> None:
    """One-thread twin of :func:`black_iv_kernel` for small batches.

    Waking the worker threads costs more than a few thousand options take,
    and much more when other processes hold the cores.
    """
    _black_iv_serial(price, under, strike, t, rate, div, call, spot_mode, out_iv, out_status,
                     guess_tables())


@njit(cache=True, fastmath=False)
def _iteration_counts(xa: np.ndarray, beta: np.ndarray, tab: np.ndarray) -> np.ndarray:
    out = np.empty(xa.shape[0], dtype=np.int64)
    for i in range(xa.shape[0]):
        out[i] = solve_normalized(xa[i], beta[i], math.exp(0.5 * xa[i]), tab)[1]
    return out


def iteration_counts(xa: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Householder corrections used per option (diagnostics for the benchmark)."""
    return _iteration_counts(xa, beta, guess_tables())
