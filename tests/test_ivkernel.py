"""The IV kernel's tabulated starting point and its fast paths, against the general path.

The reference for every fast path is the solver started from the closed-form
guess (an empty table), vollib per option, and exact prices.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import volscreen as vs
from volscreen import _ivguess as guess
from volscreen import _ivkernel as kernel
from volscreen import _ivnumpy as ivnumpy

SPOT = 262.215
RATE = 0.04
DIV = 0.012
_ONE = np.ones(1)
_ZERO = np.zeros(1)
_NO_TABLE = np.empty((0,) + guess.guess_tables().shape[1:])


def _grid(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """The issue's grid (strikes 0.5-1.5 x spot, 1 hour - 2 years, vol 5 %-200 %) on forwards."""
    rng = np.random.default_rng(seed)
    strike = SPOT * rng.uniform(0.5, 1.5, n)
    t = np.exp(rng.uniform(np.log(1.0 / 8760.0), np.log(2.0), n))
    vol = rng.uniform(0.05, 2.0, n)
    call = rng.random(n) < 0.5
    fwd = SPOT * np.exp((RATE - DIV) * t)
    price = vs.black_price(fwd, strike, t, 0.0, vol, np.where(call, "C", "P"))
    return price, fwd, strike, t, vol, call


def _solve(price: np.ndarray, fwd: np.ndarray, strike: np.ndarray, t: np.ndarray,
           call: np.ndarray, tab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    iv, codes = np.empty(price.size), np.empty(price.size, dtype=np.int8)
    kernel._black_iv_serial(price, fwd, strike, t, _ZERO, _ZERO, call, False, iv, codes, tab)
    return iv, codes


def _in_box(xa: float, beta: float) -> bool:
    """Whether the table covers (xa, beta), computed independently of the solvers."""
    ex = math.exp(0.5 * xa)
    s_c = math.sqrt(-2.0 * xa)
    b_c = 0.5 * ex - 0.5 * math.erfc(s_c / math.sqrt(2.0)) / ex
    if beta < b_c:
        lam, ell = math.log(b_c / beta), guess.GUESS_L_LOWER
    else:
        lam, ell = math.log((ex - b_c) / (ex - beta)), guess.GUESS_L_UPPER
    xc = (-xa / guess.GUESS_X_MAX) ** 0.25
    return 1.0 / guess.GUESS_NX + 1e-9 < xc < 1.0 - 1e-9 and lam / (lam + ell) < guess.GUESS_Z_MAX


def test_stored_table_is_the_solver_on_its_nodes() -> None:
    """The float32 node values are the solver's answers at the nodes, rounded once."""

    def solve(xa: np.ndarray, beta: np.ndarray) -> np.ndarray:
        s, done = ivnumpy._solve_normalized(xa, beta, np.exp(0.5 * xa))
        assert done.all()
        return s

    fresh = guess.node_values(solve, ivnumpy._norm_cdf, ivnumpy._inv_norm_cdf)
    import base64

    stored = np.frombuffer(base64.b64decode(guess._NODE_VALUES_B64), dtype="<f4")
    stored = stored.astype(np.float64).reshape(fresh.shape)
    np.testing.assert_allclose(stored, fresh, rtol=2.0 ** -23, atol=0.0)
    # the two branches meet at the inflection point (z = 0): s = s_c there
    np.testing.assert_allclose(stored[0, :, 0], 1.0, rtol=1e-6)


@settings(max_examples=400, deadline=None)
@given(ax=st.floats(1e-4, 0.95), s=st.floats(0.002, 6.0))
def test_table_guess_is_close_enough_for_one_correction(ax: float, s: float) -> None:
    """Inside its box the guess is within 3e-5 of s, and one correction reaches the root."""
    xa = -ax
    beta = float(kernel.normalized_tv(xa, s))
    assume(beta > 1e-300 and _in_box(xa, beta))
    tabs = guess.guess_tables()
    ex = math.exp(0.5 * xa)
    s0, lower = kernel._initial_guess(xa, beta, ex, tabs)
    assert abs(s0 / s - 1.0) <= 3e-5
    if abs(s / math.sqrt(2.0 * ax) - 1.0) > 1e-9:  # the branch, away from the inflection point
        assert lower == (s < math.sqrt(2.0 * ax))
    s_hat, iterations = kernel.solve_normalized(xa, beta, ex, tabs)
    assert iterations == 1
    # the price round trip: b at the solution reproduces beta to rounding
    assert abs(float(kernel.normalized_tv(xa, s_hat)) / beta - 1.0) <= 1e-13


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_table_start_gives_the_closed_form_start_answers(seed: int) -> None:
    """Same statuses and the same vols to rounding as the solver started from the closed form.

    The batch mixes the issue's grid with hard cases (1e-8 and subnormal
    prices, prices at and beyond the bounds, far strikes outside the table).
    """
    price, fwd, strike, t, _, call = _grid(3_000, seed)
    price[:5] = (1e-8, 1e-320, 0.0, fwd[3] * 2.0, np.nan)
    strike[5:9] = fwd[5:9] * np.array([1e-3, 50.0, 1.0, 1.0 + 1e-6])
    iv_t, st_t = _solve(price, fwd, strike, t, call, guess.guess_tables())
    iv_c, st_c = _solve(price, fwd, strike, t, call, _NO_TABLE)
    np.testing.assert_array_equal(st_t, st_c)
    ok = st_c == 0
    assert ok.sum() > 2_000
    np.testing.assert_allclose(iv_t[ok], iv_c[ok], rtol=1e-14, atol=0.0)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_numpy_twin_evaluates_the_table_bit_for_bit(seed: int) -> None:
    """With libm's erfc in both, the NumPy twin and the kernel agree bit for bit."""
    libm_erfc = np.frompyfunc(math.erfc, 1, 1)
    price, fwd, strike, t, _, call = _grid(4_000, seed)
    strike[:4] = fwd[:4] * np.array([1e-3, 50.0, 1.0, 1.0 + 1e-6])
    iv_k, st_k = _solve(price, fwd, strike, t, call, guess.guess_tables())
    iv_n, st_n = np.empty(price.size), np.empty(price.size, dtype=np.int8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ivnumpy, "_norm_cdf",
                      lambda z: 0.5 * libm_erfc(-z / ivnumpy._SQRT2).astype(float))
        ivnumpy.black_iv_numpy(price, fwd, strike, t, _ZERO, _ZERO, call, False, iv_n, st_n)
    np.testing.assert_array_equal(st_k, st_n)
    np.testing.assert_array_equal(iv_k, iv_n)


@settings(max_examples=150, deadline=None)
@given(k_ratio=st.floats(0.5, 1.5), days=st.floats(1.0 / 24.0, 730.0), vol=st.floats(0.05, 2.0),
       is_call=st.booleans())
def test_kernel_agrees_with_vollib_and_round_trips(k_ratio: float, days: float, vol: float,
                                                   is_call: bool) -> None:
    """vollib (Let's Be Rational) per option to 1e-10; the exact price round trip to 1e-13.

    (Beyond 1e-13 only by the conditioning of ln(F/K) in float64, see below.)
    """
    from vollib.black_scholes_merton.implied_volatility import implied_volatility as v_iv

    t, strike, flag = days / 365.0, SPOT * k_ratio, "c" if is_call else "p"
    # the exact price of the float64 inputs: a float64 pricer's own 1e-13 error is not the solver's
    price = _mp_bsm_price(strike, t, vol, is_call)
    fwd = SPOT * math.exp((RATE - DIV) * t)
    intrinsic = math.exp(-RATE * t) * max(fwd - strike if is_call else strike - fwd, 0.0)
    assume(price - intrinsic >= 1e-3)
    iv, code = np.empty(1), np.empty(1, dtype=np.int8)
    kernel.black_iv_kernel_serial(np.array([price]), np.array([SPOT]), np.array([strike]),
                                  np.array([t]), np.array([RATE]), np.array([DIV]),
                                  np.array([is_call]), True, iv, code)
    assert code[0] == 0
    assert abs(iv[0] - v_iv(price, SPOT, strike, t, RATE, DIV, flag)) <= 1e-10
    # 1e-13, plus what an ulp or two in x = ln(F/K) (rounded in float64) does to the price:
    # d ln(price) / dx = F disc N(+-d1) / price, about 1.25 / s at the money (1,800 for a
    # 1-hour option at 6 % vol) and about |x| / s^2 far from it
    x, sd = math.log(fwd / strike), vol * math.sqrt(t)
    d1 = x / sd + 0.5 * sd
    n_d1 = 0.5 * math.erfc((-d1 if is_call else d1) / math.sqrt(2.0))
    leverage = fwd * math.exp(-RATE * t) * n_d1 / price
    tol = 1e-13 + 4.0 * np.finfo(float).eps * (leverage + 1.0)
    assert abs(_mp_bsm_price(strike, t, iv[0], is_call) / price - 1.0) <= tol


def _mp_bsm_price(strike: float, t: float, vol: float, is_call: bool) -> float:
    """Black price at 40 digits on the kernel's own float64 forward and discount factor.

    The round trip's oracle: float64 pricers add 1e-13 of their own, and the
    rounding of F (1e-16 relative) moves the price of a short near-the-money
    option by 1e-13 as well: a property of the inputs, not of the solver.
    """
    import mpmath as mp

    with mp.workdps(40):
        fwd = mp.mpf(SPOT * math.exp((RATE - DIV) * t))
        disc = mp.mpf(math.exp(-RATE * t))
        k, sd = mp.mpf(strike), mp.mpf(vol) * mp.sqrt(mp.mpf(t))
        d1 = mp.log(fwd / k) / sd + sd / 2
        if is_call:
            return float(disc * (fwd * mp.ncdf(d1) - k * mp.ncdf(d1 - sd)))
        return float(disc * (k * mp.ncdf(sd - d1) - fwd * mp.ncdf(-d1)))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 1_300), spot_mode=st.booleans())
def test_blocked_kernels_are_the_per_option_solver(seed: int, n: int, spot_mode: bool) -> None:
    """The batch kernels (three passes per block of rows) give exactly ``solve_one`` per row.

    Sizes that are not multiples of the block, scalar (length-1) inputs broadcast,
    and hard cases (NaN, expired, bad strike, zero, tiny and too-high prices).
    """
    price, fwd, strike, t, _, call = _grid(n, seed)
    hard = min(n, 7)
    price[:hard] = (np.nan, 1.0, 1.0, 0.0, 1e-8, 1e-320, 1e6)[:hard]
    t[1:2] = 0.0
    strike[2:3] = -1.0
    rate = np.array([RATE])
    div = np.array([DIV]) if spot_mode else _ZERO
    under = np.array([SPOT]) if spot_mode else fwd
    tabs = guess.guess_tables()
    outs = []
    for run in (kernel._black_iv_serial, kernel._black_iv_parallel):
        iv, codes = np.empty(n), np.empty(n, dtype=np.int8)
        run(price, under, strike, t, rate, div, call, spot_mode, iv, codes, tabs)
        outs.append((iv, codes))
    ref_iv, ref_codes = np.empty(n), np.empty(n, dtype=np.int8)
    for i in range(n):  # the kernels' own forward and undiscounting, in libm as they do
        f = SPOT * math.exp((RATE - DIV) * t[i]) if spot_mode else fwd[i]
        ref_iv[i], ref_codes[i] = kernel.solve_one(price[i] * math.exp(RATE * t[i]), f,
                                                   strike[i], t[i], bool(call[i]), tabs)
    for iv, codes in outs:
        np.testing.assert_array_equal(codes, ref_codes)
        np.testing.assert_array_equal(iv, ref_iv)
