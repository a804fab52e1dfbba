"""Complementary error function and standard normal CDF in plain NumPy.

``erfc`` and ``ndtr`` here replace :func:`scipy.special.erfc` and
:func:`scipy.special.ndtr` on the start path of the command line: importing
``scipy.special`` costs about 0.13 s (it pulls in ``numpy.f2py`` and the array
API layer), more than the whole screen computes.

Semantics follow scipy.special on float input: the result is a new float64
array of the input's shape (a NumPy float64 scalar for scalar input); NaN in
gives NaN out; ``erfc(+inf) = 0``, ``erfc(-inf) = 2``, ``ndtr(-inf) = 0``,
``ndtr(+inf) = 1``; ``-0.0`` behaves as ``0.0``.  Every element is evaluated
by the one branch of its range (boolean-mask subsets), so no branch sees an
argument outside its range and no floating-point warning is raised.

Accuracy (measured by ``tests/test_special.py`` against mpmath at 50 digits
on about 1e5 points of [-40, 40], dense around the branch boundaries)
-------------------------------------------------------------------------
* ``erfc`` and ``ndtr``: at most a few ulp relative error wherever the
  result is a normal double, tails included (``erfc`` down to 2.2e-308 at
  x = 26.54, ``ndtr`` down to x = -37.5).
* Subnormal results (``erfc`` for 26.54 < x < 27.3, ``ndtr`` for
  -38.5 < x < -37.5) are rounded once from a full-precision product, so their
  absolute error is within one subnormal ulp (4.9e-324); relative accuracy
  there is what the subnormal format can hold.  scipy returns 0 from
  x = 26.62 (``erfc``) and x = -37.6 (``ndtr``) on.
* ``ndtr`` evaluates the Gaussian factor exp(-x^2/2) from ``x`` itself (an
  exact split of x^2), not from the rounded x/sqrt(2); in the far lower tail
  this is more accurate than ``0.5 * erfc(-x / sqrt(2))`` (whose argument
  rounding costs about x^2/2 half-ulps: 50 ulp at x = -10), and than scipy.

Speed (``scripts/bench_load.py --special``; 2-core machine shared with
other jobs (load average 2.5), one thread, standard normal arguments;
nanoseconds per element, this module / scipy.special)
-------------------------------------------------------------------------
n = 1e3: ndtr 110 / 9, erfc 115 / 11 (Python-level call overhead, ~0.1 ms);
n = 1e4: ndtr 48 / 8, erfc 46 / 12;  n = 1e6: ndtr 58 / 17, erfc 59 / 20.
Large arrays run in chunks of 16,384 so the temporaries stay in cache.  A
screen evaluates a few tens of thousands of values (a few ms), far less
than the 0.13 s import of scipy.special it saves; a million-option IV solve
that calls ndtr a few times pays about 0.1 s more than with scipy.
Constants as 0-d arrays, branch counts by ``count_nonzero`` and one gather
per branch cut the cost of a call on 30-100 values by about a third (about
50 instead of 75 microseconds of CPU with mixed branches, 13 instead of 19
with |x| <= 0.66 only) and of large arrays by 10-20 %
(``scripts/bench_special.py --against`` an older checkout: same process,
interleaved, values checked identical).  Callers with two arrays (d1 and
d2) join them into one call: the fixed cost is most of a small call.

Notes
-----
W. J. Cody's rational Chebyshev approximations (Math. Comp. 23 (1969)
631-637; the CALERF routine of SPECFUN), with y = |x|:

* y <= 0.46875: erf(x) = x R1(x^2), erfc(x) = 1 - erf(x);
* 0.46875 < y <= 4: erfc(y) = exp(-y^2) R2(y);
* y > 4: erfc(y) = exp(-y^2) / y (1/sqrt(pi) + R3(1/y^2) / y^2);
* x < -0.46875: erfc(x) = 2 - erfc(y).

exp(-y^2) keeps full relative accuracy by an exact split
y^2 = ys^2 + (y - ys)(y + ys) with ys = y truncated to 20 fractional bits
(ys^2 is exact and the correction is tiny), so the exp sees no rounded
argument.  In the tail exp(-ys^2) is applied as two halves so that its first
half, not an intermediate, is the last and only factor that may underflow.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._typing import ArrayLike, FloatArray

_SMALL = 0.46875
"""Upper end of Cody's first interval (erf by R1(x^2))."""
_MID = 4.0
"""Upper end of Cody's second interval (erfc by exp(-y^2) R2(y))."""
_ERFC_ZERO = 27.3
"""erfc(y) < 2.5e-324 (half the smallest subnormal) from here on: rounds to 0."""
_NDTR_ZERO = 38.5
"""ndtr(-x) < 2.5e-324 from here on: rounds to 0."""
_CHUNK = 16384
"""Elements per kernel pass: the temporaries of a chunk stay in the L2 cache."""
_SPLIT = 1048576.0  # 2^20: ys = trunc(y 2^20) / 2^20 keeps ys^2 exact for y < 90
_INV_SQRT_PI = 0.56418958354775628695
_SQRT1_2 = 0.70710678118654752440

# Cody (1969) / SPECFUN CALERF coefficients, highest power first.
# R1: erf(x) = x N(s) / D(s), s = x^2
_R1_NUM = (1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
           3.77485237685302021e02, 3.20937758913846947e03)
_R1_DEN = (1.0, 2.36012909523441209e01, 2.44024637934444173e02,
           1.28261652607737228e03, 2.84423683343917062e03)
# R2: erfc(y) = exp(-y^2) N(y) / D(y)
_R2_NUM = (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
           6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
           1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03)
_R2_DEN = (1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
           1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
           3.43936767414372164e03, 1.23033935480374942e03)
# R3: erfc(y) = exp(-y^2) / y (1/sqrt(pi) - s N(s) / D(s)), s = 1/y^2
_R3_NUM = (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
           1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4)
_R3_DEN = (1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
           6.05183413124413191e-2, 2.33520497626869185e-3)


def _consts(values: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    """``values`` as 0-d float64 arrays: an array operand costs a ufunc call less than a float."""
    return tuple(np.array(v, dtype=np.float64) for v in values)


# the same tables as 0-d arrays, for the kernels below (same values, same results)
_N1, _D1, _N2, _D2, _N3, _D3 = (
    _consts(c) for c in (_R1_NUM, _R1_DEN, _R2_NUM, _R2_DEN, _R3_NUM, _R3_DEN))
(_HALF, _ONE, _TWO, _K_SMALL, _K_MID, _K_SPLIT, _K_INV_SQRT_PI, _K_SQRT1_2, _K_ERFC_ZERO,
 _K_NDTR_ZERO) = _consts((0.5, 1.0, 2.0, _SMALL, _MID, _SPLIT, _INV_SQRT_PI, _SQRT1_2,
                          _ERFC_ZERO, _NDTR_ZERO))
_EXP_FACTORS = {h: _consts((-h, -0.5 * h)) for h in (0.5, 1.0)}
"""half -> (-half, -half / 2): the exponent factors of the Gaussian (see :func:`_upper_tail`)."""


def _horner(x: FloatArray, coeffs: tuple[np.ndarray, ...]) -> FloatArray:
    """Polynomial with ``coeffs`` (highest power first) at ``x``, in place on one buffer."""
    out = x * coeffs[0]
    for c in coeffs[1:-1]:
        out += c
        out *= x
    out += coeffs[-1]
    return out


def _erf_small(x: FloatArray) -> FloatArray:
    """erf(x) for |x| <= 0.46875 (Cody's first interval)."""
    s = x * x
    return x * _horner(s, _N1) / _horner(s, _D1)


def _split_square(y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(ys^2, (y - ys)(y + ys))`` with ys = y truncated to 2^-20: they sum to y^2.

    ys^2 is exact (ys has at most 27 significant bits for y < 90) and the
    correction is below y 2^-19, so exp of each keeps full relative accuracy.
    """
    ys = np.floor(y * _K_SPLIT)
    ys /= _K_SPLIT
    return ys * ys, (y - ys) * (y + ys)


def _erfc_mid_ratio(y: FloatArray) -> FloatArray:
    """R2(y) = erfc(y) exp(y^2) for 0.46875 < y <= 4."""
    return _horner(y, _N2) / _horner(y, _D2)


def _erfc_tail_ratio(y: FloatArray) -> FloatArray:
    """erfc(y) exp(y^2) for y > 4 (Cody's third interval)."""
    s = _ONE / (y * y)
    return (_K_INV_SQRT_PI - s * _horner(s, _N3) / _horner(s, _D3)) / y


def _upper_tail(y: FloatArray, gauss_arg: FloatArray, half: float) -> FloatArray:
    """``half * erfc(y)`` (half = 1 or 1/2) for finite y > 0.46875.

    exp(-y^2) is evaluated as exp(-half gauss_arg^2): ``gauss_arg`` is ``y``
    (half = 1) for erfc and the unscaled normal argument |x| (half = 1/2) for
    ndtr, so the Gaussian factor is split exactly in the caller's own variable.
    """
    scale = _ONE if half == 1.0 else _HALF
    minus_half, minus_quarter = _EXP_FACTORS[half]
    tail = y > _K_MID
    n_tail = np.count_nonzero(tail)
    if n_tail == 0:
        sq, corr = _split_square(gauss_arg)
        return np.exp(sq * minus_half) * (np.exp(corr * minus_half) * (scale * _erfc_mid_ratio(y)))
    if n_tail < y.size:
        out = np.empty_like(y)
        mid = ~tail
        sq, corr = _split_square(gauss_arg[mid])
        out[mid] = np.exp(sq * minus_half) * (np.exp(corr * minus_half)
                                              * (scale * _erfc_mid_ratio(y[mid])))
        y, gauss_arg = y[tail], gauss_arg[tail]
    sq, corr = _split_square(gauss_arg)
    # exp(-half ys^2) as two equal halves (ys^2 / 2 is exact): only the last
    # multiplication may underflow, so a subnormal result is rounded once
    g_half = np.exp(sq * minus_quarter)
    vals = (g_half * (np.exp(corr * minus_half) * (scale * _erfc_tail_ratio(y)))) * g_half
    if n_tail == tail.size:
        return vals
    out[tail] = vals
    return out


def _apply(kernel: Callable[[FloatArray], FloatArray], x: ArrayLike) -> FloatArray:
    """Run a 1-D kernel over ``x`` in cache-sized chunks; shape and scalar-ness kept."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1 and arr.size <= _CHUNK:  # the common case: no reshaping
        return kernel(arr)
    flat = arr.ravel()
    if flat.size <= _CHUNK:
        out = kernel(flat)
    else:  # the kernels make ~20 temporaries: keep them in cache
        out = np.empty_like(flat)
        for start in range(0, flat.size, _CHUNK):
            out[start:start + _CHUNK] = kernel(flat[start:start + _CHUNK])
    out = out.reshape(arr.shape)
    return out[()] if arr.ndim == 0 else out


def _tail_or_zero(y: FloatArray, gauss_arg: FloatArray, half: float,
                  zero_at: np.ndarray) -> FloatArray:
    """``half * erfc(y)`` for y > 0.46875: :func:`_upper_tail`, or 0 where ``gauss_arg >= zero_at``.

    NaN (not >= anything) passes through the middle branch as NaN; +-inf is zero.
    """
    zero = gauss_arg >= zero_at
    if not np.count_nonzero(zero):
        return _upper_tail(y, gauss_arg, half)
    vals = np.zeros_like(y)
    keep = ~zero
    vals[keep] = _upper_tail(y[keep], gauss_arg[keep], half)
    return vals


def _erfc_flat(z: FloatArray) -> FloatArray:
    y = np.abs(z)
    small = y <= _K_SMALL
    n_small = np.count_nonzero(small)
    if n_small == z.size:
        return _ONE - _erf_small(z)
    if n_small:
        out = np.empty_like(z)
        out[small] = _ONE - _erf_small(z[small])
        big = ~small  # NaN included: it passes through the middle branch as NaN
        z = z[big]
        y = np.abs(z)  # recomputed: cheaper than a second gather
    vals = _tail_or_zero(y, y, 1.0, _K_ERFC_ZERO)
    vals = np.where(z < 0, _TWO - vals, vals)
    if not n_small:
        return vals
    out[big] = vals
    return out


def _ndtr_flat(x: FloatArray) -> FloatArray:
    ax = np.abs(x)
    small = ax * _K_SQRT1_2 <= _K_SMALL
    n_small = np.count_nonzero(small)
    if n_small == x.size:
        return _HALF + _HALF * _erf_small(x * _K_SQRT1_2)
    if n_small:
        out = np.empty_like(x)
        out[small] = _HALF + _HALF * _erf_small(x[small] * _K_SQRT1_2)
        big = ~small  # NaN included: it passes through the middle branch as NaN
        x = x[big]
        ax = np.abs(x)  # recomputed: cheaper than a second gather
    q = _tail_or_zero(ax * _K_SQRT1_2, ax, 0.5, _K_NDTR_ZERO)
    q = np.where(x < 0, q, _ONE - q)
    if not n_small:
        return q
    out[big] = q
    return out


def erfc(x: ArrayLike) -> FloatArray:
    """Complementary error function, erfc(x) = 2/sqrt(pi) int_x^inf exp(-t^2) dt.

    Parameters
    ----------
    x
        Float scalar or array (any shape).

    Returns
    -------
    FloatArray
        float64 array of the shape of ``x`` (a float64 scalar for scalar
        ``x``); NaN where ``x`` is NaN, 2 at -inf, 0 at +inf and from
        x = 27.3 on (the true value is below half the smallest subnormal).

    Notes
    -----
    Cody's three rational approximations, see the module docstring; relative
    error a few ulp wherever the result is a normal double.
    """
    return _apply(_erfc_flat, x)


def ndtr(x: ArrayLike) -> FloatArray:
    """Standard normal cumulative distribution function Phi(x).

    Parameters
    ----------
    x
        Float scalar or array (any shape).

    Returns
    -------
    FloatArray
        float64 array of the shape of ``x`` (a float64 scalar for scalar
        ``x``); NaN where ``x`` is NaN, 0 at -inf and below x = -38.5, 1 at
        +inf.

    Notes
    -----
    Phi(x) = erfc(-x / sqrt(2)) / 2, with the upper-tail value
    Q(|x|) = erfc(|x| / sqrt(2)) / 2 computed as exp(-x^2 / 2) R(|x| / sqrt(2)) / 2
    (R Cody's rational function) and exp(-x^2 / 2) split exactly in ``x``;
    Phi(x) = Q(|x|) for x < 0 and 1 - Q(x) for x > 0.  For
    |x| / sqrt(2) <= 0.46875, Phi(x) = 1/2 + erf(x / sqrt(2)) / 2.
    """
    return _apply(_ndtr_flat, x)
