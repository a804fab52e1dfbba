"""Realized vol: closed forms, naive loops on real IWM history, invariances."""
from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volscreen as vs
from volscreen import columns as col
from volscreen.errors import BarsSchemaError, ConfigError, DataQualityWarning
from volscreen._rolling import Prefix, Prefixes
from volscreen.realized import TRADING_DAYS_PER_YEAR, yang_zhang_k

from _bars_data import random_bars
from conftest import shared_files, shared_path

ESTIMATORS = ["close_to_close", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang",
              "ewma"]
OHLC_ESTIMATORS = ESTIMATORS[:-1]
A = TRADING_DAYS_PER_YEAR
LN2 = math.log(2.0)


def make_bars(o, h, lo, c, index=None) -> pd.DataFrame:
    n = len(c)
    frame = pd.DataFrame(
        {"open": o, "high": h, "low": lo, "close": c, "volume": np.full(n, 1e6)},
        dtype=np.float64,
    )
    frame.index = pd.bdate_range("2020-01-01", periods=n, name="date") if index is None else index
    return frame


@pytest.fixture(scope="module")
def iwm() -> pd.DataFrame:
    path = shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv")
    return vs.load_bars(path).iloc[-300:]


# --------------------------------------------------------------------------
# hand-checkable series
# --------------------------------------------------------------------------
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_constant_prices_have_zero_vol(estimator):
    bars = make_bars(*[np.full(40, 50.0)] * 4)
    rv = vs.realized_vol(bars, 10, estimator)
    assert rv.dropna().size > 0
    assert (rv.dropna() == 0.0).all()


@pytest.mark.parametrize("n", [10, 11], ids=["even_window", "odd_window"])
def test_close_to_close_alternating_closed_form(n):
    a = math.log(1.1)
    close = np.where(np.arange(40) % 2 == 0, 100.0, 110.0)
    bars = make_bars(close, close, close, close)
    rv = vs.realized_vol(bars, n, "close_to_close")
    # n returns of +/- a: sum x^2 = n a^2, sum x in {0, +/-a}
    s1 = 0.0 if n % 2 == 0 else a
    expected = math.sqrt(A * (n * a * a - s1 * s1 / n) / (n - 1))
    np.testing.assert_allclose(rv.iloc[n:].to_numpy(), expected, rtol=1e-12)
    assert rv.iloc[:n].isna().all()


def test_parkinson_constant_range_closed_form():
    b = 0.02
    close = np.full(30, 100.0)
    bars = make_bars(close, close * math.exp(b / 2), close * math.exp(-b / 2), close)
    rv = vs.realized_vol(bars, 20, "parkinson").dropna()
    np.testing.assert_allclose(rv, math.sqrt(A * b * b / (4 * LN2)), rtol=1e-12)


def test_garman_klass_and_rogers_satchell_on_bars_opening_low_closing_high():
    b = 0.015
    open_ = 100.0 * np.exp(b * np.arange(30))
    close = open_ * math.exp(b)
    bars = make_bars(open_, close, open_, close)
    gk = vs.realized_vol(bars, 20, "garman_klass").dropna()
    np.testing.assert_allclose(gk, math.sqrt(A * (0.5 - (2 * LN2 - 1)) * b * b), rtol=1e-12)
    rs = vs.realized_vol(bars, 20, "rogers_satchell").dropna()
    np.testing.assert_allclose(rs, 0.0, atol=1e-12)  # pure drift: RS sees no variance


def test_yang_zhang_weights_open_to_close_variance_by_k():
    n, a, b, size = 20, 0.01, 0.02, 60
    gaps = np.where(np.arange(size) % 2 == 0, a, -a)
    moves = np.where(np.arange(size) % 3 == 0, b, -b)
    open_, close = np.empty(size), np.empty(size)
    prev = 100.0
    for t in range(size):
        open_[t] = prev * math.exp(gaps[t])
        close[t] = open_[t] * math.exp(moves[t])
        prev = close[t]
    bars = make_bars(open_, np.maximum(open_, close), np.minimum(open_, close), close)
    rv = vs.realized_vol(bars, n, "yang_zhang")
    # RS is exactly zero on bars without wicks, so YZ = s_o^2 + k s_c^2
    for end in (n, size - 1):
        var_o = statistics.variance(gaps[end - n + 1 : end + 1])
        var_c = statistics.variance(moves[end - n + 1 : end + 1])
        expected = math.sqrt(A * (var_o + yang_zhang_k(n) * var_c))
        assert rv.iloc[end] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("n, expected",
                         [(20, 6.46 / 46.46), (2, 0.34 / 4.34), (252, 85.34 / 589.34)],
                         ids=["n20", "n2", "n252"])
def test_yang_zhang_k_by_hand(n, expected):
    # k = 0.34 / (1.34 + (n+1)/(n-1)); e.g. n = 20: 0.34*19 / (1.34*19 + 21) = 6.46 / 46.46
    assert yang_zhang_k(n) == pytest.approx(expected, rel=1e-12)


def test_ewma_constant_squared_return_is_a_fixed_point():
    a = 0.01
    close = 100.0 * np.exp(a * np.where(np.arange(80) % 2 == 0, 1.0, 0.0))
    bars = make_bars(close, close, close, close)
    rv = vs.realized_vol(bars, 20, "ewma").dropna()
    np.testing.assert_allclose(rv, a * math.sqrt(A), rtol=1e-12)


# --------------------------------------------------------------------------
# naive loops on real IWM history
# --------------------------------------------------------------------------
def naive_rv(bars: pd.DataFrame, n: int, estimator: str) -> list[float]:
    o, h, lo, c = (bars[k].tolist() for k in ("open", "high", "low", "close"))
    out = []
    for end in range(len(c)):
        if estimator == "ewma":
            out.append(math.nan)
            continue
        need_prev = estimator in ("close_to_close", "yang_zhang")
        start = end - n + 1
        if start < (1 if need_prev else 0):
            out.append(math.nan)
            continue
        idx = range(start, end + 1)
        if estimator == "close_to_close":
            var = statistics.variance([math.log(c[i] / c[i - 1]) for i in idx])
        elif estimator == "parkinson":
            var = sum(math.log(h[i] / lo[i]) ** 2 for i in idx) / (4 * n * LN2)
        elif estimator == "garman_klass":
            var = sum(0.5 * math.log(h[i] / lo[i]) ** 2
                      - (2 * LN2 - 1) * math.log(c[i] / o[i]) ** 2 for i in idx) / n
        else:
            rs = sum(math.log(h[i] / c[i]) * math.log(h[i] / o[i])
                     + math.log(lo[i] / c[i]) * math.log(lo[i] / o[i]) for i in idx) / n
            if estimator == "rogers_satchell":
                var = rs
            else:
                k = 0.34 / (1.34 + (n + 1) / (n - 1))
                var_o = statistics.variance([math.log(o[i] / c[i - 1]) for i in idx])
                var_c = statistics.variance([math.log(c[i] / o[i]) for i in idx])
                var = var_o + k * var_c + (1 - k) * rs
        out.append(math.sqrt(A * var))
    return out


@pytest.mark.shared
@pytest.mark.parametrize("estimator", OHLC_ESTIMATORS)
@pytest.mark.parametrize("n", [10, 60])
def test_estimator_matches_naive_loop_on_iwm(iwm, estimator, n):
    got = vs.realized_vol(iwm, n, estimator).to_numpy()
    np.testing.assert_allclose(got, naive_rv(iwm, n, estimator), rtol=1e-9, equal_nan=True)


@pytest.mark.shared
def test_ewma_matches_plain_recursion_on_iwm(iwm):
    n, lam = 20, 0.94
    c = iwm["close"].tolist()
    r2 = [math.log(c[i] / c[i - 1]) ** 2 for i in range(1, len(c))]
    v = sum(r2[:n]) / n
    expected = [math.nan] * n + [math.sqrt(A * v)]
    for x in r2[n:]:
        v = lam * v + (1 - lam) * x
        expected.append(math.sqrt(A * v))
    got = vs.realized_vol(iwm, n, "ewma").to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10, equal_nan=True)


# --------------------------------------------------------------------------
# invariances and adjustment
# --------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-3, 1e4),
       estimator=st.sampled_from(ESTIMATORS))
def test_rescaling_prices_changes_nothing(seed, scale, estimator):
    bars = random_bars(seed)
    scaled = bars.copy()
    scaled[["open", "high", "low", "close"]] *= scale
    np.testing.assert_allclose(vs.realized_vol(scaled, 20, estimator),
                               vs.realized_vol(bars, 20, estimator), rtol=1e-9, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), estimator=st.sampled_from(ESTIMATORS))
def test_inverting_prices_changes_nothing(seed, estimator):
    # 1/price: returns change sign, high and low swap; every estimator is symmetric
    bars = random_bars(seed)
    inv = make_bars(1 / bars["open"], 1 / bars["low"], 1 / bars["high"], 1 / bars["close"],
                    index=bars.index)
    np.testing.assert_allclose(vs.realized_vol(inv, 20, estimator),
                               vs.realized_vol(bars, 20, estimator), rtol=1e-9, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), estimator=st.sampled_from(ESTIMATORS))
def test_adj_close_equals_scaling_ohlc_by_the_adjustment_factor(seed, estimator):
    bars = random_bars(seed)
    rng = np.random.default_rng(seed)
    drops = np.where(rng.random(len(bars)) < 0.05, 0.97, 1.0)  # dividend-like steps
    factor = np.cumprod(drops[::-1])[::-1]
    with_adj = bars.assign(adj_close=bars["close"] * factor)
    adjusted = bars.copy()
    adjusted[["open", "high", "low", "close"]] = bars[["open", "high", "low", "close"]].mul(
        factor, axis=0)
    np.testing.assert_allclose(vs.realized_vol(with_adj, 20, estimator),
                               vs.realized_vol(adjusted, 20, estimator), rtol=1e-9, equal_nan=True)


@pytest.mark.shared
def test_close_to_close_uses_adj_close_on_real_yahoo_bars():
    path = shared_path("ohlcv", "IWM_daily_yahoo_with_adjclose_2000-05-26_to_2022-11-18.csv")
    bars = vs.load_bars(path).iloc[-400:]
    adj = bars["adj_close"].tolist()
    n = 20
    expected = [math.nan] * n + [
        math.sqrt(A * statistics.variance(
            [math.log(adj[i] / adj[i - 1]) for i in range(end - n + 1, end + 1)]))
        for end in range(n, len(adj))
    ]
    got = vs.realized_vol(bars, n, "close_to_close")
    np.testing.assert_allclose(got, expected, rtol=1e-9, equal_nan=True)
    # the dividend drops are what separates it from the raw-close figure
    raw = vs.realized_vol(bars.drop(columns="adj_close"), n, "close_to_close")
    assert not np.allclose(got.dropna(), raw.dropna(), rtol=1e-9)


@pytest.mark.shared
@pytest.mark.parametrize("name", shared_files("ohlcv", "*.csv"))
def test_split_check_on_every_real_history(name):
    bars = vs.load_bars(shared_path("ohlcv", name))
    if name.startswith("VIX"):
        # the VIX index jumps by half or doubles in a day: flagged unless the check is off
        with pytest.warns(DataQualityWarning, match="split ratio"):
            rv = vs.realized_vols(bars, (20,))
        assert (rv[col.RV_STATUS] == col.RVS_SUSPECT_SPLIT).any()
        rv = vs.realized_vols(bars, (20,), split_check=False)
    else:
        rv = vs.realized_vols(bars, (20,))  # warnings are errors: none may be raised
    assert (rv[col.RV_STATUS] != col.RVS_SUSPECT_SPLIT).all()
    assert rv["rv_20"].iloc[20:].notna().all()


def test_caller_bars_are_not_mutated():
    bars = random_bars(1)
    before = bars.copy()
    vs.realized_vols(bars)
    vs.vol_cone(bars, windows=(10, 20))
    pd.testing.assert_frame_equal(bars, before)


# --------------------------------------------------------------------------
# windows, status, splits, errors
# --------------------------------------------------------------------------
def test_realized_vols_status_and_alignment():
    bars = random_bars(3, n=100)
    rv = vs.realized_vols(bars, (10, 60))
    assert list(rv.columns) == ["rv_10", "rv_60", col.RV_STATUS]
    assert rv["rv_10"].first_valid_index() == bars.index[10]
    assert rv["rv_60"].first_valid_index() == bars.index[60]
    assert (rv[col.RV_STATUS].iloc[:60] == col.RVS_WARMUP).all()
    assert (rv[col.RV_STATUS].iloc[60:] == col.RVS_OK).all()


def test_range_index_bars_are_accepted():
    bars = random_bars(4, n=50)
    bars.index = pd.RangeIndex(50, name="bar")
    assert vs.realized_vol(bars, 20).index.equals(bars.index)


def test_unadjusted_split_is_reported_not_used():
    bars = random_bars(5, n=120)
    cut = 70
    for name in ("open", "high", "low", "close"):
        bars.loc[bars.index[cut:], name] = bars[name].iloc[cut:] / 2.0  # a 2:1 split
    with pytest.warns(DataQualityWarning, match="split"):
        rv = vs.realized_vols(bars, (20,))
    spoiled = rv[col.RV_STATUS] == col.RVS_SUSPECT_SPLIT
    assert spoiled.iloc[cut : cut + 20].all() and not spoiled.iloc[cut + 20 :].any()
    assert rv["rv_20"][spoiled].isna().all()
    # without the check the move is used (and the vol explodes)
    raw = vs.realized_vol(bars, 20, "close_to_close", split_check=False)
    assert raw.iloc[cut] > 1.0


@pytest.mark.parametrize(
    "mutate, error",
    [
        (lambda b: b.drop(columns="high"), BarsSchemaError),
        (lambda b: b.assign(low=b["low"].where(b.index != b.index[7], -1.0)), BarsSchemaError),
        (lambda b: b.iloc[::-1], BarsSchemaError),
    ],
    ids=["missing_high", "negative_low", "unsorted"],
)
def test_bad_bars_raise_clear_errors(mutate, error):
    with pytest.raises(error) as info:
        vs.realized_vol(mutate(random_bars(6)), 20)
    assert "\n" not in str(info.value)


def test_unknown_estimator_and_bad_window():
    with pytest.raises(ConfigError, match="yang_zhang"):
        vs.realized_vol(random_bars(7), 20, "garch")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        vs.realized_vol(random_bars(7), 1)


# --------------------------------------------------------------------------
# cones and forecasts
# --------------------------------------------------------------------------
@pytest.mark.shared
def test_vol_cone_against_pandas_rolling_std(iwm):
    windows = (10, 20, 60)
    cone = vs.vol_cone(iwm, windows, estimator="close_to_close")
    logret = np.log(iwm["close"]).diff()
    for n in windows:
        rolling = (logret.rolling(n).std(ddof=1) * math.sqrt(A)).dropna().to_numpy()
        row = cone.loc[n]
        assert row["q0"] == pytest.approx(rolling.min(), rel=1e-9)
        assert row["q50"] == pytest.approx(np.median(rolling), rel=1e-9)
        assert row["q100"] == pytest.approx(rolling.max(), rel=1e-9)
        assert row[col.RV_CURRENT] == pytest.approx(rolling[-1], rel=1e-9)
        below = sum(v < rolling[-1] for v in rolling)
        assert row[col.RV_CURRENT_PCTILE] == pytest.approx(100 * below / len(rolling))
        assert row[col.N_OBS] == len(rolling)


def test_vol_cone_too_short_history_is_warmup():
    cone = vs.vol_cone(random_bars(8, n=30), (10, 60))
    assert cone.loc[60, col.RV_STATUS] == col.RVS_WARMUP and np.isnan(cone.loc[60, "q50"])
    assert cone.loc[10, col.RV_STATUS] == col.RVS_OK


def test_forecast_recovers_the_vol_of_a_simulated_constant_vol_path():
    rng = np.random.default_rng(11)
    n, sigma = 2000, 0.25
    daily = sigma / math.sqrt(A)
    close = 100 * np.exp(np.cumsum(rng.normal(0, daily, n)))
    prev = np.concatenate(([100.0], close[:-1]))
    bars = make_bars(prev, np.maximum(prev, close) * 1.0, np.minimum(prev, close), close)
    # bars without wicks understate RS; give each an intrabar excursion of known scale
    bars["high"] *= np.exp(np.abs(rng.normal(0, daily * 0.5, n)))
    bars["low"] /= np.exp(np.abs(rng.normal(0, daily * 0.5, n)))
    fc = vs.rv_forecast(bars, 21, details=True)
    assert fc.method == "har" and fc.n_obs > 1900
    assert 0.15 < fc.har_vol < 0.40 and 0.15 < fc.ewma_vol < 0.40


@pytest.mark.shared
def test_har_beats_ewma_in_sample_on_iwm():
    bars = vs.load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    fc = vs.rv_forecast(bars, 21, details=True)
    assert fc.har_rmse < fc.ewma_rmse
    assert vs.rv_forecast(bars, 21) == fc.vol == fc.har_vol
    assert vs.rv_forecast(bars, 21, method="ewma") == fc.ewma_vol


def test_short_history_falls_back_to_ewma_with_a_note():
    fc = vs.rv_forecast(random_bars(9, n=120), 10, details=True)
    assert fc.method == "ewma" and "EWMA used" in fc.note and math.isnan(fc.har_vol)


def test_forecast_rejects_bad_horizon():
    with pytest.raises(ConfigError):
        vs.rv_forecast(random_bars(10), 0)


@pytest.mark.shared
def test_forecast_is_not_biased_upwards_in_quiet_regimes_out_of_sample():
    """In the quietest quarter of IWM's history (the compression regime the screen looks
    for), a forecast made from the bars up to a date must not overstate the realized vol
    of the next 21 sessions on average.  A HAR fitted on variance levels is dominated by
    the crisis spikes: its intercept alone was ~15 % vol, biasing quiet-regime forecasts
    up by ~2 vol points and making straddles look cheap (vol-space fit: -0.003)."""
    bars = vs.load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    h = 21
    # realized target on the forecast's own scale: overnight^2 + Rogers-Satchell per day
    o, hi, lo, c = (bars[k].to_numpy() for k in ("open", "high", "low", "close"))
    v = np.full(len(c), np.nan)
    v[1:] = np.log(o[1:] / c[:-1]) ** 2
    v += np.log(hi / c) * np.log(hi / o) + np.log(lo / c) * np.log(lo / o)
    trailing = pd.Series(v).rolling(22).mean().to_numpy()
    ends = np.arange(2000, len(c) - h, h)  # non-overlapping forecast windows, 8 years of fit
    quiet = ends[trailing[ends] <= np.nanquantile(trailing[ends], 0.25)]
    errors = []
    for end in quiet:
        forecast = vs.rv_forecast(bars.iloc[: end + 1], h)
        realized = math.sqrt(A * v[end + 1 : end + 1 + h].mean())
        errors.append(forecast - realized)
    assert len(errors) > 40
    assert abs(statistics.fmean(errors)) < 0.01  # variance-level HAR: +0.016


def naive_har_vol(bars: pd.DataFrame, h: int) -> float:
    """HAR-RV in vol space by a plain loop over the bars, then a least-squares fit."""
    o, hi, lo, c = (bars[k].to_numpy() for k in ("open", "high", "low", "close"))
    proxy = [math.nan]
    for t in range(1, len(c)):
        rs = (math.log(hi[t] / c[t]) * math.log(hi[t] / o[t])
              + math.log(lo[t] / c[t]) * math.log(lo[t] / o[t]))
        proxy.append(math.log(o[t] / c[t - 1]) ** 2 + rs)
    rows, ys = [], []
    for t in range(22, len(c) - h):
        rows.append([1.0, math.sqrt(proxy[t]), math.sqrt(statistics.fmean(proxy[t - 4:t + 1])),
                     math.sqrt(statistics.fmean(proxy[t - 21:t + 1]))])
        ys.append(math.sqrt(statistics.fmean(proxy[t + 1:t + h + 1])))
    beta = np.linalg.lstsq(np.array(rows), np.array(ys), rcond=None)[0]
    last = len(c) - 1
    x_last = [1.0, math.sqrt(proxy[last]), math.sqrt(statistics.fmean(proxy[last - 4:])),
              math.sqrt(statistics.fmean(proxy[last - 21:]))]
    return math.sqrt(A) * float(np.dot(beta, x_last))


def test_forecaster_fits_each_horizon_like_a_plain_loop():
    from volscreen._forecast import Forecaster

    bars = random_bars(21, n=400)
    fc = Forecaster(bars)
    for h in (21, 5, 63, 21):  # any order; a repeated horizon comes from the cache
        assert fc.vol(h) == pytest.approx(naive_har_vol(bars, h), rel=1e-9)
        assert fc.vol(h) == vs.rv_forecast(bars, h)
    assert fc.forecast(5, method="ewma", details=False) == vs.rv_forecast(bars, 5, method="ewma")


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.one_of(st.floats(-1.0, 1.0), st.just(math.nan)), min_size=1, max_size=60),
       window=st.integers(2, 12))
def test_prefix_mean_and_var_match_a_plain_loop(x, window):
    # the stacked prefix sums against numpy over each window (NaN poisons its windows)
    prefix = Prefix(np.array(x))
    mean, var = prefix.mean(window), prefix.var(window, ddof=1)
    for t in range(len(x)):
        block = x[t - window + 1 : t + 1] if t >= window - 1 else []
        if not block or any(math.isnan(v) for v in block):
            assert math.isnan(mean[t]) and math.isnan(var[t])
        else:
            assert mean[t] == pytest.approx(float(np.mean(block)), rel=1e-12, abs=1e-13)
            assert var[t] == pytest.approx(float(np.var(block, ddof=1)), rel=1e-9, abs=1e-13)


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.one_of(st.floats(-1.0, 1.0), st.just(math.nan)), min_size=2, max_size=60),
       lead=st.integers(0, 3), window=st.integers(2, 12))
def test_stacked_prefixes_match_a_plain_loop(x, lead, window):
    # three series (one with NaN only in a leading stretch, one with NaN anywhere, one
    # finite): each row's window sums against numpy, from the start the kernel reports
    n = len(x)
    leading = np.array([math.nan] * min(lead, n) + [0.5 * v for v in range(n - min(lead, n))])
    scattered = np.array(x)
    finite = np.nan_to_num(scattered, nan=0.25)
    for series in ((leading, finite), (leading, scattered, finite)):
        if window > n:
            continue
        start, sums, clean = Prefixes(series).window(window)
        for t in range(n):
            blocks = [s[t - window + 1 : t + 1] for s in series] if t >= window - 1 else []
            all_clean = bool(blocks) and not any(np.isnan(b).any() for b in blocks)
            if t < start:
                assert not all_clean  # skipped windows hold a NaN in some series
                continue
            j = t - start
            for i, block in enumerate(blocks):
                if clean is not None and not clean[i, j]:
                    assert np.isnan(block).any()
                    continue
                assert not np.isnan(block).any()
                z = block - np.nanmean(series[i])
                assert sums[2 * i, j] == pytest.approx(z.sum(), rel=1e-9, abs=1e-12)
                assert sums[2 * i + 1, j] == pytest.approx((z * z).sum(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("n_bars", [8, 25, 300], ids=lambda n: f"{n}bars")
def test_vol_cone_matches_numpy_quantile_per_window(n_bars):
    # the one-sort cone against np.quantile and a counting loop on each rolling series
    bars = random_bars(11, n=n_bars)
    windows, quantiles = (5, 10, 20, 30), (0.0, 0.05, 0.1, 0.33, 0.5, 0.9, 1.0)
    cone = vs.vol_cone(bars, windows, quantiles)
    rvs = vs.realized_vols(bars, windows)
    for n in windows:
        series = rvs[f"{col.RV_PREFIX}{n}"].to_numpy()
        values = series[np.isfinite(series)]
        row = cone.loc[n]
        assert row[col.N_OBS] == values.size
        if values.size == 0:
            assert row[col.RV_STATUS] == col.RVS_WARMUP and np.isnan(row["q50"])
            continue
        expected = np.quantile(values, quantiles)
        got = [row[f"{col.CONE_QUANTILE_PREFIX}{round(100 * q):g}"] for q in quantiles]
        np.testing.assert_allclose(got, expected, rtol=1e-14)
        below = sum(1 for v in values if v < series[-1])
        assert row[col.RV_CURRENT_PCTILE] == 100 * below / values.size
