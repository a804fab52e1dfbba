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

from _bars_data import random_bars as shared_random_bars
from conftest import shared_path


def random_bars(seed: int, n: int) -> pd.DataFrame:
    return shared_random_bars(seed, n, start="2001-01-02")


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


# --- historical probabilities: batched horizons and bootstrap tables vs the plain loop ---

def reference_hist(f: dict[str, np.ndarray], days: np.ndarray, bars: pd.DataFrame,
                   n_boot: int, seed: int) -> dict[str, np.ndarray]:
    """The ``_hist`` columns horizon by horizon: every window compared, the direct bootstrap."""
    from volscreen.probability import MIN_HIST_WINDOWS, block_bootstrap_se, hist_windows

    n = days.size
    out = {k: np.full(n, np.nan) for k in (C.P_BEYOND_BE_HIST, C.P_BEYOND_BE_HIST_SE,
                                           C.P_TOUCH_LOW_HIST, C.P_TOUCH_HIGH_HIST)}
    for h in np.unique(days[days > 0]):
        rows = np.flatnonzero(days == h)
        w = hist_windows(bars, int(h))
        n_win = w["end"].size
        if n_win < MIN_HIST_WINDOWS:
            continue
        spot = f[C.SPOT][rows]
        with np.errstate(invalid="ignore"):
            lo, hi = f[C.BREAKEVEN_LOW][rows] / spot, f[C.BREAKEVEN_HIGH][rows] / spot
            tl, th = f[C.TARGET_LOW][rows] / spot, f[C.TARGET_HIGH][rows] / spot
        good = np.isfinite(lo) & np.isfinite(hi)
        hits = (w["end"][None, :] < lo[:, None]) | (w["end"][None, :] > hi[:, None])
        beyond = hits.sum(axis=1)
        se = block_bootstrap_se(hits.astype(float), int(h), n_boot, seed)
        out[C.P_BEYOND_BE_HIST][rows] = np.where(good, beyond / n_win, np.nan)
        out[C.P_BEYOND_BE_HIST_SE][rows] = np.where(good, se, np.nan)
        touch_lo = (w["low"][None, :] <= tl[:, None]).sum(axis=1)
        touch_hi = (w["high"][None, :] >= th[:, None]).sum(axis=1)
        out[C.P_TOUCH_LOW_HIST][rows] = np.where(np.isfinite(tl), touch_lo / n_win, np.nan)
        out[C.P_TOUCH_HIGH_HIST][rows] = np.where(np.isfinite(th), touch_hi / n_win, np.nan)
    return out


def probability_inputs(seed: int, days: list[int]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = len(days)
    spot = np.full(n, 100.0)
    width = rng.uniform(1.0, 12.0, n)
    f = {C.SPOT: spot, C.FORWARD: spot * 1.001, C.T: np.asarray(days) / 252.0,
         C.PUT_IV: rng.uniform(0.1, 0.4, n), C.CALL_IV: rng.uniform(0.1, 0.4, n),
         C.BREAKEVEN_LOW: spot - width, C.BREAKEVEN_HIGH: spot + width * rng.uniform(0.5, 2, n),
         C.TARGET_LOW: spot - rng.uniform(2, 20, n), C.TARGET_HIGH: spot + rng.uniform(2, 20, n)}
    f[C.BREAKEVEN_LOW][rng.random(n) < 0.1] = np.nan
    f[C.TARGET_HIGH][rng.random(n) < 0.1] = np.nan
    return f


def hist_columns(f, days, bars, n_boot, seed):
    from volscreen._candcols import StatusCodes
    from volscreen.probability import probability_columns

    return probability_columns(f, days, StatusCodes(days.size), bars=bars, n_boot=n_boot,
                               seed=seed)


def assert_same_hist(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    for name, values in want.items():
        np.testing.assert_array_equal(got[name], values, err_msg=name)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_bars=st.integers(300, 900),
       days=st.lists(st.integers(-1, 40), min_size=1, max_size=30))
def test_hist_columns_equal_the_plain_loop_direct_and_from_tables(seed, n_bars, days):
    from volscreen import _hist

    bars = random_bars(seed, n_bars)
    days_arr = np.asarray(days, dtype=np.int64)
    f = probability_inputs(seed, days)
    want = reference_hist(f, days_arr, bars, 40, seed)
    _hist.clear_caches()
    for _ in range(_hist.BOOT_TABLE_AFTER + 2):  # direct resampling first, then the tables
        assert_same_hist(hist_columns(f, days_arr, bars, 40, seed), want)
    assert _hist.history(bars, None)._tables or not (days_arr > 0).any()


@pytest.mark.parametrize("seed", [1, 12345], ids=["seed1", "seed12345"])
def test_hist_columns_equal_the_plain_loop_on_iwm(seed):
    from volscreen import _hist, load_bars

    bars = load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    days = np.repeat(np.array([5, 6, 13, 23, 33], dtype=np.int64), [4, 1, 3, 4, 2])
    f = probability_inputs(seed, days.tolist())
    want = reference_hist(f, days, bars, 200, seed)
    _hist.clear_caches()
    for _ in range(_hist.BOOT_TABLE_AFTER + 2):
        assert_same_hist(hist_columns(f, days, bars, 200, seed), want)


# --- the screen's bars stage: one validation and split check shared by every value ---

def with_split(bars: pd.DataFrame) -> pd.DataFrame:
    """``bars`` with an unadjusted 2:1 split halfway (every price before it doubled)."""
    out = bars.copy()
    half = len(out) // 2
    for name in (C.OPEN, C.HIGH, C.LOW, C.CLOSE):
        out.iloc[:half, out.columns.get_loc(name)] *= 2.0
    return out


def assert_context_equals_public_stages(cut: pd.DataFrame) -> None:
    import warnings

    from volscreen import compression_summary, range_box, realized_vols
    from volscreen._screen_bars import _compute

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a suspected split is warned about by each stage
        ctx = _compute(cut)
        rv = realized_vols(cut, (20,), estimator="yang_zhang")
        summary = compression_summary(cut)
        plain = Forecaster(cut)
    assert same(ctx.rv20, float(rv["rv_20"].iloc[-1]))
    assert ctx.rv20_status == str(rv[C.RV_STATUS].iloc[-1])
    pd.testing.assert_series_equal(ctx.compression, summary, check_exact=True)
    assert repr(ctx.box) == repr(range_box(cut))  # NaN fields of "no box" compare by text
    for h in (1, 7, 30):
        assert same(ctx.rv(h), plain.vol(h))


@pytest.mark.parametrize("n, split", [(60, False), (300, False), (700, True)],
                         ids=["short", "plain", "split"])
def test_bars_context_equals_the_public_stages(n, split):
    bars = random_bars(n, n)
    assert_context_equals_public_stages(with_split(bars) if split else bars)


def test_bars_context_equals_the_public_stages_on_iwm():
    from volscreen import load_bars

    bars = load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    assert_context_equals_public_stages(bars.loc[:"2026-07-14"])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(25, 200), flat=st.integers(0, 40))
def test_summary_new_low_is_the_rolling_minimum_flag(seed, n, flat):
    # the 126-bar new-low flag of the summary against the rolling minimum it stands for;
    # a flat stretch makes BBW 0 (ties) and short histories leave NaN in the window
    from volscreen import compression, compression_summary
    from volscreen._rolling import rolling_extreme

    bars = random_bars(seed, n)
    if flat:
        bars.iloc[-flat:] = bars.iloc[-1].to_numpy()
    bbw = compression(bars)[C.BBW].to_numpy()
    recent = bbw[-126:]
    want = bool(recent[-1] <= rolling_extreme(recent, 126, "min")[-1])
    assert compression_summary(bars)[C.BBW_NEW_LOW] is want


# --- per-history caches never mix two histories or two quote dates ---

def test_contexts_of_two_histories_and_two_dates_keep_their_own_values():
    from volscreen import _hist
    from volscreen._candcols import StatusCodes
    from volscreen._screen_bars import bars_context
    from volscreen.probability import probability_columns

    one = random_bars(3, 700)
    two = one.copy()
    two[C.CLOSE] = two[C.CLOSE] * np.exp(np.random.default_rng(4).normal(0, 0.01, len(two)))
    two[C.HIGH] = np.maximum(two[C.HIGH], two[C.CLOSE])
    two[C.LOW] = np.minimum(two[C.LOW], two[C.CLOSE])
    days = np.array([5, 5, 13, 21], dtype=np.int64)
    f = probability_inputs(5, days.tolist())
    _hist.clear_caches()
    cache: dict = {}
    dates = [pd.Timestamp(one.index[-1], tz="America/New_York") + pd.Timedelta(hours=15),
             pd.Timestamp(one.index[-200], tz="America/New_York") + pd.Timedelta(hours=15)]
    for _ in range(_hist.BOOT_TABLE_AFTER + 2):  # direct, then pinned and table-served
        for bars in (one, two):
            for when in dates:
                ctx = bars_context(bars, when, cache)
                cut = bars.loc[:when.tz_localize(None).normalize()]
                assert len(ctx.cut) == len(cut)
                assert same(ctx.rv(13), Forecaster(cut).vol(13))
                got = probability_columns(f, days, StatusCodes(days.size), rv=ctx.rv,
                                          bars=ctx.cut, n_boot=40, seed=7)
                assert_same_hist(got, reference_hist(f, days, cut, 40, 7))
                assert same(got[C.RV_FORECAST][2], Forecaster(cut).vol(13))


def test_a_pinned_frame_is_known_by_identity_and_an_unpinned_copy_by_value():
    from volscreen import _hist

    bars = random_bars(8, 400)
    _hist.clear_caches()
    _hist.pin(bars)
    first = _hist.history(bars, None)
    assert _hist.history(bars, None) is first
    changed = bars.copy()
    changed.iloc[-1, changed.columns.get_loc(C.CLOSE)] *= 1.01
    assert _hist.history(changed, None) is not first
    assert _hist.history(bars.copy(), None) is first  # equal values share the windows


# --- bootstrap draws ---

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_starts=st.integers(1, 20_000),
       size=st.integers(0, 3_000))
def test_block_starts_are_numpys_int64_draws(seed, n_starts, size):
    from volscreen._hist import block_starts

    got = block_starts(seed, n_starts, size)
    want = np.random.default_rng(seed).integers(0, n_starts, size=size)
    assert np.array_equal(got, want) and not got.flags.writeable


@pytest.mark.parametrize("n_starts", [2**31 - 1, 2**31, 2**32 + 5],
                         ids=["int32_max", "2e31", "2e32"])
def test_block_starts_near_the_int32_bound_are_numpys_draws(n_starts):
    from volscreen._hist import block_starts

    got = block_starts(3, n_starts, 500)
    assert np.array_equal(got, np.random.default_rng(3).integers(0, n_starts, size=500))


def test_condition_names_are_reexported_lazily():
    import subprocess
    import sys

    from volscreen import _hist_condition, probability

    for name in ("BBW_BUCKETS", "CONDITION_BBW_BUCKET", "CONDITION_CUSTOM", "HistCondition",
                 "bbw_buckets", "compression_condition"):
        assert getattr(probability, name) is getattr(_hist_condition, name)
    with pytest.raises(AttributeError, match="no_such_name"):
        probability.no_such_name  # noqa: B018
    code = ("import sys, volscreen.probability; "
            "sys.exit('volscreen._hist_condition' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 80), m=st.integers(1, 5), block=st.integers(1, 30),
       p=st.floats(0.0, 1.0), seed=st.integers(0, 999), one=st.booleans())
def test_boolean_hits_give_the_se_of_their_float_indicators(n, m, block, p, seed, one):
    from volscreen.probability import block_bootstrap_se

    hits = np.random.default_rng(seed).random((m, n)) < p
    if one:
        hits = hits[0]
    got = block_bootstrap_se(hits, block, n_boot=30, seed=seed)
    want = block_bootstrap_se(hits.astype(float), block, n_boot=30, seed=seed)
    np.testing.assert_array_equal(got, want)


# --- range box: incremental window edges against sorting every window ---

@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 90), lookback=st.integers(2, 80),
       min_sessions=st.integers(2, 20), wick=st.integers(0, 3), ticks=st.booleans())
def test_scanned_box_edges_equal_sorting_each_window(seed, n, lookback, min_sessions,
                                                     wick, ticks):
    from volscreen.rangebox import _edges, _scan_edges

    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    if ticks:  # many equal values: ties in the order statistics
        close = np.round(close)
    high = close + np.abs(np.round(rng.normal(0, 1, n), 1 if ticks else 6))
    low = close - np.abs(np.round(rng.normal(0, 1, n), 1 if ticks else 6))
    lookback = min(lookback, n)
    want = []
    for m in range(min_sessions, lookback + 1):
        top, bottom = _edges(high, low, close, m, wick)
        body = close[-m:-1]
        want.append((m, top, bottom, bool(np.all((body <= top) & (body >= bottom)))))
    assert _scan_edges(high, low, close, lookback, min_sessions, wick) == want


@pytest.mark.parametrize("shuffle", [False, True], ids=["sorted", "unsorted"])
@pytest.mark.parametrize("tz", [None, "UTC"], ids=["naive", "utc"])
@pytest.mark.parametrize("when", ["2001-03-01 20:00", "2001-03-02 03:00", "2000-06-01 12:00",
                                  "2003-01-01 12:00"], ids=["in", "next_day_utc", "before",
                                                            "after"])
def test_cut_bars_equals_the_date_mask(shuffle, tz, when):
    from volscreen._screen_bars import cut_bars

    bars = random_bars(2, 300)
    if tz:
        bars.index = bars.index.tz_localize(tz)
    if shuffle:
        bars = bars.iloc[np.random.default_rng(0).permutation(len(bars))]
    quote = pd.Timestamp(when, tz="UTC")
    day = quote.tz_convert("America/New_York").tz_localize(None).normalize()
    naive = bars.index.tz_localize(None) if tz else bars.index
    pd.testing.assert_frame_equal(cut_bars(bars, quote), bars[naive <= day], check_exact=True)
