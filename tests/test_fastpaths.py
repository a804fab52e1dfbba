"""Fast paths of the history stages against their general, obviously-correct forms.

Every cached or fused computation must give exactly (bit for bit) what the
plain computation gives: the RV forecaster's shared prefix sums and lazy
errors, the batched bootstrap standard errors, the per-history caches
(which must never mix two histories or two quote dates).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen._forecast import MIN_HAR_OBS, Forecaster, _forward_mean, _rmse

from conftest import shared_path


def random_bars(seed: int, n: int, gaps: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    prev = np.concatenate(([100.0], close[:-1]))
    open_ = prev * np.exp(rng.normal(0, 0.004, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    index = pd.bdate_range("2001-01-02", periods=n, name=C.DATE)
    bars = pd.DataFrame({C.OPEN: open_, C.HIGH: high, C.LOW: low, C.CLOSE: close,
                         C.VOLUME: np.full(n, 1e6)}, index=index)
    return bars


def reference_fit(fc: Forecaster, h: int) -> dict[str, object]:
    """The HAR fit of one horizon as first written: rolling target, lstsq, both errors."""
    target = _forward_mean(fc.proxy, h)
    ok = np.isfinite(target) & np.isfinite(fc.ewma)
    out: dict[str, object] = {"ewma_rmse": _rmse(fc.ewma[ok], target[ok], fc.annual)}
    y = np.sqrt(target)
    rows = fc.x_ok & np.isfinite(y)
    out["n_obs"] = int(rows.sum())
    out["har_vol"], out["har_rmse"], out["coef"] = math.nan, math.nan, ()
    if out["n_obs"] >= MIN_HAR_OBS:
        beta = np.linalg.lstsq(fc.x[rows], y[rows], rcond=None)[0]
        fitted = fc.x @ beta
        out["coef"] = tuple(float(b) for b in beta)
        out["har_rmse"] = _rmse(np.maximum(fitted[rows], 0.0) ** 2, target[rows], fc.annual)
        if np.isfinite(fitted[-1]) and fitted[-1] > 0:
            out["har_vol"] = float(np.sqrt(fc.annual) * fitted[-1])
    vol = out["har_vol"] if np.isfinite(out["har_vol"]) else fc.ewma_vol
    out["vol"] = float(vol)
    return out


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(30, 700),
       horizons=st.lists(st.integers(1, 80), min_size=1, max_size=4))
def test_forecaster_equals_the_plain_fit(seed, n, horizons):
    fc = Forecaster(random_bars(seed, n))
    for h in horizons:
        ref = reference_fit(fc, h)
        assert np.array_equal(fc._target(h), _forward_mean(fc.proxy, h), equal_nan=True)
        assert same(fc.vol(h), ref["vol"])
        details = fc.forecast(h)
        assert same(details.vol, ref["vol"]) and details.n_obs == ref["n_obs"]
        assert same(details.ewma_rmse, ref["ewma_rmse"])
        assert same(details.har_rmse, ref["har_rmse"])
        assert details.har_coef == ref["coef"]


@pytest.mark.parametrize("h", [1, 5, 13, 21, 33, 63], ids=lambda h: f"h{h}")
def test_forecaster_equals_the_plain_fit_on_iwm(h):
    from volscreen import load_bars

    bars = load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    fc = Forecaster(bars)
    ref = reference_fit(fc, h)
    assert fc.vol(h) == ref["vol"]
    assert fc.forecast(h).har_rmse == ref["har_rmse"]
