"""Implied volatility: known-sigma round trips, hard cases and statuses."""
from __future__ import annotations

import numpy as np
import pytest

import volscreen as vs
from volscreen import columns as C

SPOT = 262.215
RATE = 0.04
DIV = 0.012


def _grid(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    strike = SPOT * rng.uniform(0.5, 1.5, n)
    t = np.exp(rng.uniform(np.log(1.0 / 8760.0), np.log(2.0), n))
    vol = rng.uniform(0.05, 2.0, n)
    right = np.where(rng.random(n) < 0.5, "C", "P")
    return {"strike": strike, "t": t, "vol": vol, "right": right}


def test_known_sigma_round_trip_near_the_money() -> None:
    g = _grid(20_000)
    price = vs.bsm_price(SPOT, g["strike"], g["t"], RATE, DIV, g["vol"], g["right"])
    iv, status = vs.implied_vol(price, SPOT, g["strike"], g["t"], RATE, DIV, g["right"],
                                return_status=True)
    fwd = SPOT * np.exp((RATE - DIV) * g["t"])
    intrinsic = np.exp(-RATE * g["t"]) * np.maximum(
        np.where(g["right"] == "C", fwd - g["strike"], g["strike"] - fwd), 0.0)
    # well-conditioned rows: time value of at least 5% of the option value
    ok = (price - intrinsic) > 0.05 * price
    assert ok.sum() > 5_000
    assert np.all(status[ok] == C.IVS_OK)
    np.testing.assert_allclose(iv[ok], g["vol"][ok], rtol=0, atol=5e-12)


@pytest.mark.parametrize(
    ("price", "strike", "t", "right", "expected"),
    [
        pytest.param(np.nan, 260.0, 0.5, "C", C.IVS_NO_PRICE, id="nan-price"),
        pytest.param(0.0, 300.0, 0.5, "C", C.IVS_AT_INTRINSIC, id="zero-price-otm"),
        pytest.param(1.0, 200.0, 0.5, "C", C.IVS_BELOW_INTRINSIC, id="below-intrinsic"),
        pytest.param(SPOT, 200.0, 0.5, "C", C.IVS_ABOVE_MAX, id="above-max-call"),
        pytest.param(5.0, 260.0, 0.0, "C", C.IVS_EXPIRED, id="t-zero"),
        pytest.param(5.0, 260.0, -0.1, "P", C.IVS_EXPIRED, id="t-negative"),
        pytest.param(5.0, -1.0, 0.5, "P", C.IVS_BAD_INPUT, id="negative-strike"),
    ],
)
def test_hard_case_status(price: float, strike: float, t: float, right: str,
                          expected: str) -> None:
    iv, status = vs.implied_vol(price, SPOT, strike, t, RATE, DIV, right, return_status=True)
    assert np.isnan(iv)
    assert status == expected
