"""Raw SVI: fit round trip, and the butterfly check against an independent density.

Reference: J. Gatheral and A. Jacquier, "Arbitrage-free SVI volatility
surfaces", Quantitative Finance 14 (2014), Example 3.1 (Axel Vogt's slice,
t = 1): a = -0.0410, b = 0.1331, rho = 0.3060, m = 0.3586, sigma = 0.4153
has g(k) < 0 (butterfly arbitrage) near k = 0.9, although w(k) > 0.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vollib.black import black

from volscreen import columns as C
from volscreen.svi import fit_svi, svi_g, svi_total_variance

VOGT = (-0.0410, 0.1331, 0.3060, 0.3586, 0.4153)


def _call_density(k: np.ndarray, params, t: float, h: float = 1e-3) -> np.ndarray:
    """Risk-neutral density from vollib Black-76 call prices: second strike difference."""
    fwd = 1.0
    out = []
    for kk in k:
        prices = []
        for strike in (math.exp(kk) - h, math.exp(kk), math.exp(kk) + h):
            vol = math.sqrt(svi_total_variance(math.log(strike / fwd), *params) / t)
            prices.append(black("c", fwd, strike, t, 0.0, vol))
        out.append((prices[0] - 2 * prices[1] + prices[2]) / h**2)
    return np.array(out)


def test_vogt_slice_has_butterfly_arbitrage():
    k = np.linspace(-1.5, 1.5, 601)
    assert np.all(svi_total_variance(k, *VOGT) > 0)
    g = svi_g(k, *VOGT)
    assert g.min() < -0.03
    assert 0.7 < k[np.argmin(g)] < 1.1


@pytest.mark.parametrize(
    "params", [VOGT, (0.04, 0.1, -0.5, 0.0, 0.2), (0.01, 0.3, -0.9, 0.1, 0.05)],
    ids=["vogt-arbitrage", "equity-typical", "steep-put-skew"],
)
def test_g_sign_matches_black_density(params):
    """g(k) < 0 exactly where the butterfly (second difference of Black calls) is negative."""
    k = np.linspace(-1.0, 1.3, 47)
    g = svi_g(k, *params)
    dens = _call_density(k, params, 1.0)
    clear = np.abs(g) > 1e-3  # away from sign changes, where the finite difference is exact enough
    assert np.array_equal(g[clear] < 0, dens[clear] < 0)


@settings(max_examples=15, deadline=None)
@given(a=st.floats(0.001, 0.05), b=st.floats(0.02, 0.4), rho=st.floats(-0.9, 0.5),
       m=st.floats(-0.1, 0.1), sigma=st.floats(0.05, 0.5), t=st.floats(0.02, 1.5))
def test_fit_round_trip(a, b, rho, m, sigma, t):
    k = np.linspace(-0.5, 0.4, 30)
    iv = np.sqrt(svi_total_variance(k, a, b, rho, m, sigma) / t)
    fit = fit_svi(k, iv, t)
    assert fit.has_fit
    assert fit.rmse_volpts < 0.05  # five hundredths of a vol point
    assert np.allclose(fit.iv(k), iv, atol=5e-4)


def test_fit_flags_arbitrage_in_fitted_slice():
    k = np.linspace(-1.2, 1.4, 40)
    fit = fit_svi(k, np.sqrt(svi_total_variance(k, *VOGT)), 1.0)
    assert fit.status == C.SVI_BUTTERFLY_ARB and fit.min_g < 0


def test_too_few_points_and_fallback():
    few = fit_svi([-0.1, 0.0, 0.1], [0.2, 0.19, 0.2], 0.1)
    assert few.status == C.SVI_TOO_FEW and math.isnan(few.iv(0.0))
    k = np.linspace(-0.3, 0.3, 12)
    zigzag = np.where(np.arange(12) % 2 == 0, 0.1, 0.6)  # no smooth slice within 5 vol points
    fit = fit_svi(k, zigzag, 0.25)
    assert fit.status == C.SVI_FALLBACK
    assert fit.iv(k[3]) == pytest.approx(zigzag[3])
    assert math.isnan(fit.iv(1.0))  # the fallback never extrapolates
    mid = (k[0] + k[1]) / 2
    w = (zigzag[0] ** 2 + zigzag[1] ** 2) / 2  # linear in total variance between two points
    assert fit.iv(mid) == pytest.approx(math.sqrt(w))
