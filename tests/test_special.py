"""volscreen._special: erfc and ndtr against mpmath (50 digits) and scipy.special.

mpmath is the exact oracle; scipy.special is the function being replaced.
Accuracy is measured in ulp of the correctly rounded value, over about 9,500
points per function: 4,001 evenly spaced where the value is not a constant
double (erfc on [-6.5, 27.5], ndtr on [-38.6, 8.5]; steps of 0.008 and
0.012), 401 over all of [-40, 40], 3,000 random points of [-8, 8] (where
option prices live), and 200 points within 1e-3 of each of
Cody's branch boundaries (|x| = 0.46875 and 4 for erfc, those times sqrt(2)
for ndtr) and of the underflow thresholds, with each boundary's floating-point
neighbours.  The mpmath values are computed once per test session
(``scripts/bench_special.py --accuracy`` runs the same checks on 1e5 points).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from volscreen._special import erfc, ndtr

MAX_ULP = 8.0
"""Bound on the error where the result is a normal double (measured max: 7 ulp)."""
TINY = np.finfo(np.float64).tiny
SMALLEST_SUBNORMAL = 5e-324

mpmath.mp.dps = 50


def _exact_erfc(x: float) -> float:
    return float(mpmath.erfc(mpmath.mpf(x)))


def _exact_ndtr(x: float) -> float:
    # Phi(x) = erfc(-x / sqrt 2) / 2 in 50-digit arithmetic (x itself is exact):
    # the value of mpmath.ncdf at half its cost
    return float(mpmath.erfc(-mpmath.mpf(x) / mpmath.sqrt(2)) / 2)


def _grid(boundaries: tuple[float, ...], live: tuple[float, float] = (-40.0, 40.0),
          n_uniform: int = 4_001, n_random: int = 3_000, n_near: int = 200) -> np.ndarray:
    """Evenly spaced points of ``live`` (outside it the value is a constant double), a
    coarse grid of [-40, 40], random points of [-8, 8] and each boundary's neighbourhood."""
    rng = np.random.default_rng(20260714)
    parts = [np.linspace(*live, n_uniform), np.linspace(-40.0, 40.0, 401),
             rng.uniform(-8.0, 8.0, n_random)]
    for b in boundaries:
        for sign in (1.0, -1.0):
            centre = sign * b
            parts.append(centre + rng.uniform(-1e-3, 1e-3, n_near))
            # the boundary itself and its floating-point neighbours
            parts.append(np.array([np.nextafter(centre, -np.inf), centre,
                                   np.nextafter(centre, np.inf)]))
    return np.unique(np.concatenate(parts))


ERFC_BOUNDS = (0.46875, 4.0, 26.5, 26.54, 27.2)
NDTR_BOUNDS = (0.46875 * math.sqrt(2.0), 4.0 * math.sqrt(2.0), 37.5, 38.4)
ERFC_LIVE = (-6.5, 27.5)
"""erfc(x) rounds to 2 below -6 and to 0 from 27.3 on."""
NDTR_LIVE = (-38.6, 8.5)
"""ndtr(x) rounds to 0 below -38.5 and to 1 above 8.3."""


@pytest.fixture(scope="module")
def erfc_grid() -> tuple[np.ndarray, np.ndarray]:
    x = _grid(ERFC_BOUNDS, ERFC_LIVE)
    return x, np.array([_exact_erfc(v) for v in x])


@pytest.fixture(scope="module")
def ndtr_grid() -> tuple[np.ndarray, np.ndarray]:
    x = _grid(NDTR_BOUNDS, NDTR_LIVE)
    return x, np.array([_exact_ndtr(v) for v in x])


def _ulp_error(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return np.abs(got - exact) / np.spacing(np.abs(exact))


@pytest.mark.parametrize("name", ["erfc", "ndtr"])
def test_normal_range_within_a_few_ulp_of_mpmath(name, erfc_grid, ndtr_grid):
    func, (x, exact) = {"erfc": (erfc, erfc_grid), "ndtr": (ndtr, ndtr_grid)}[name]
    normal = exact >= TINY
    err = _ulp_error(func(x)[normal], exact[normal])
    worst = int(np.argmax(err))
    assert err.max() <= MAX_ULP, (
        f"{name}: max error {err.max():.1f} ulp at x = {x[normal][worst]!r}")


@pytest.mark.parametrize("name", ["erfc", "ndtr"])
def test_subnormal_range_within_one_rounding(name, erfc_grid, ndtr_grid):
    """Below 2.2e-308 the value is rounded once: absolute error of a subnormal ulp or two."""
    func, (x, exact) = {"erfc": (erfc, erfc_grid), "ndtr": (ndtr, ndtr_grid)}[name]
    sub = exact < TINY
    assert sub.sum() > 100  # the grid reaches into the subnormal range
    err = np.abs(func(x[sub]) - exact[sub]) / SMALLEST_SUBNORMAL
    assert err.max() <= 2.0


@pytest.mark.parametrize("name", ["erfc", "ndtr"])
def test_at_least_as_accurate_as_scipy_per_region(name, erfc_grid, ndtr_grid):
    """Per region of x, the max ulp error is at most scipy's plus one."""
    func, ref, (x, exact) = {
        "erfc": (erfc, scipy.special.erfc, erfc_grid),
        "ndtr": (ndtr, scipy.special.ndtr, ndtr_grid),
    }[name]
    normal = (exact >= TINY) & (ref(x) >= TINY)
    ours, theirs = _ulp_error(func(x), exact), _ulp_error(ref(x), exact)
    for lo, hi in [(-40, -10), (-10, -1), (-1, 1), (1, 10), (10, 40)]:
        sel = normal & (x >= lo) & (x < hi)
        assert ours[sel].max() <= theirs[sel].max() + 1.0, (lo, hi)


@pytest.mark.parametrize("name", ["erfc", "ndtr"])
def test_agrees_with_scipy_where_scipy_is_accurate(name):
    """|x| <= 8 on a fine grid: relative difference below 1e-13 (scipy's own error)."""
    func, ref = {"erfc": (erfc, scipy.special.erfc), "ndtr": (ndtr, scipy.special.ndtr)}[name]
    x = np.linspace(-8.0, 8.0, 160_001)
    np.testing.assert_allclose(func(x), ref(x), rtol=1e-13, atol=0.0)


SPECIAL = [
    # id, function, x, expected (None: the mpmath value)
    ("erfc-zero", "erfc", 0.0, 1.0),
    ("erfc-negative-zero", "erfc", -0.0, 1.0),
    ("erfc-plus-inf", "erfc", math.inf, 0.0),
    ("erfc-minus-inf", "erfc", -math.inf, 2.0),
    ("erfc-nan", "erfc", math.nan, math.nan),
    ("erfc-1e-300", "erfc", 1e-300, 1.0),
    ("erfc-minus-1e-300", "erfc", -1e-300, 1.0),
    ("erfc-small-boundary", "erfc", 0.46875, None),
    ("erfc-mid-boundary", "erfc", 4.0, None),
    ("erfc-minus-mid-boundary", "erfc", -4.0, None),
    ("erfc-26.5", "erfc", 26.5, None),
    ("erfc-27.3-underflows", "erfc", 27.3, 0.0),
    ("erfc-minus-27.3", "erfc", -27.3, 2.0),
    ("erfc-1e300", "erfc", 1e300, 0.0),
    ("ndtr-zero", "ndtr", 0.0, 0.5),
    ("ndtr-negative-zero", "ndtr", -0.0, 0.5),
    ("ndtr-plus-inf", "ndtr", math.inf, 1.0),
    ("ndtr-minus-inf", "ndtr", -math.inf, 0.0),
    ("ndtr-nan", "ndtr", math.nan, math.nan),
    ("ndtr-1e-300", "ndtr", 1e-300, 0.5),
    ("ndtr-minus-1", "ndtr", -1.0, None),
    ("ndtr-minus-10", "ndtr", -10.0, None),
    ("ndtr-minus-37.5", "ndtr", -37.5, None),
    ("ndtr-minus-38-subnormal", "ndtr", -38.0, None),
    ("ndtr-minus-38.5-underflows", "ndtr", -38.5, 0.0),
    ("ndtr-plus-9", "ndtr", 9.0, 1.0),
]


@pytest.mark.parametrize("name,x,expected", [s[1:] for s in SPECIAL], ids=[s[0] for s in SPECIAL])
def test_special_values(name, x, expected):
    func, exact = {"erfc": (erfc, _exact_erfc), "ndtr": (ndtr, _exact_ndtr)}[name]
    if expected is None:
        expected = exact(x)
    got = func(x)
    assert isinstance(got, np.float64)
    if math.isnan(expected):
        assert math.isnan(got)
    elif expected < TINY:
        assert abs(got - expected) <= 2 * SMALLEST_SUBNORMAL
    else:
        assert abs(got - expected) <= 4 * np.spacing(expected)


@pytest.mark.parametrize("func", [erfc, ndtr], ids=["erfc", "ndtr"])
def test_shapes_dtypes_and_no_mutation(func):
    x = np.array([[-1.0, 0.0, np.nan], [2.0, -50.0, 0.2]])
    before = x.copy()
    out = func(x)
    assert out.shape == (2, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(func([1, 2]), func(np.array([1.0, 2.0])))  # lists and ints
    assert func(np.empty(0)).shape == (0,)
    assert func(np.float32(0.5)) == func(0.5)
    np.testing.assert_array_equal(func(x[:, ::2]), func(x)[:, ::2])  # strided views


finite = st.floats(-45.0, 45.0, allow_nan=False, allow_infinity=False)


def _dense_points() -> np.ndarray:
    """2e5 points of [-45, 45]: a fine grid, normal draws and each boundary's neighbourhood."""
    rng = np.random.default_rng(7)
    near = [b * s + rng.uniform(-1e-3, 1e-3, 2_000)
            for b in ERFC_BOUNDS + NDTR_BOUNDS for s in (1.0, -1.0)]
    return np.concatenate([np.linspace(-45.0, 45.0, 100_001), rng.standard_normal(60_000) * 3.0]
                          + near)


def _check_reflection(x: np.ndarray) -> None:
    np.testing.assert_allclose(erfc(x) + erfc(-x), 2.0, rtol=3e-16, atol=0.0)
    np.testing.assert_allclose(ndtr(x) + ndtr(-x), 1.0, rtol=3e-16, atol=0.0)


def _check_monotone(x: np.ndarray) -> None:
    xs = np.sort(x)
    assert np.all(np.diff(erfc(xs)) <= 0.0)
    assert np.all(np.diff(ndtr(xs)) >= 0.0)


def _check_ndtr_is_half_erfc(x: np.ndarray) -> None:
    z = -x / math.sqrt(2.0)
    # rounding z costs about z^2 half-ulps of relative error in the tail
    rtol = 1e-15 * (1.0 + z * z)
    np.testing.assert_array_less(np.abs(ndtr(x) - 0.5 * erfc(z)), rtol * ndtr(x) + 1e-300)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 50), elements=finite))
def test_reflection(x):
    """erfc(x) + erfc(-x) = 2 and ndtr(x) + ndtr(-x) = 1, to a couple of ulp of the sum."""
    _check_reflection(x)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(2, 50), elements=finite))
def test_monotone(x):
    """erfc is non-increasing and ndtr non-decreasing in x."""
    _check_monotone(x)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-20.0, 20.0)))
def test_ndtr_is_half_erfc(x):
    """ndtr(x) = erfc(-x / sqrt 2) / 2 up to the rounding of x / sqrt 2."""
    _check_ndtr_is_half_erfc(x)


@pytest.mark.parametrize("check", [_check_reflection, _check_monotone, _check_ndtr_is_half_erfc],
                         ids=["reflection", "monotone", "ndtr-is-half-erfc"])
def test_properties_on_dense_points(check):
    """The three properties above, vectorised over 2e5 points (boundaries included)."""
    x = _dense_points()
    check(x[np.abs(x) <= 20.0] if check is _check_ndtr_is_half_erfc else x)


def test_elementwise_equals_array_evaluation():
    """Branch subsets are assembled in place: each element as if evaluated alone."""
    x = np.array([-30.0, -5.0, -1.0, -0.3, 0.0, 0.3, 1.0, 5.0, 27.0, np.inf, np.nan])
    for func in (erfc, ndtr):
        whole = func(x)
        alone = np.array([func(v) for v in x])
        np.testing.assert_array_equal(whole, alone)


@pytest.mark.parametrize("func", [erfc, ndtr], ids=["erfc", "ndtr"])
def test_chunked_and_small_calls_equal_one_call(func):
    """A 40,000-element call (chunked, all branches mixed) equals calls on pieces of 37."""
    x = _dense_points()[::5][:40_000]
    x[::997] = np.nan
    x[1::1999] = np.inf
    x[2::1999] = -np.inf
    whole = func(x)
    pieces = np.concatenate([func(x[i:i + 37]) for i in range(0, x.size, 37)])
    np.testing.assert_array_equal(whole, pieces)
