"""Closed-form probabilities against seeded Monte Carlo; historical windows
against a plain loop; bootstrap reproducibility."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_structures import hand_chain

import volscreen.columns as C
from volscreen.probability import (
    add_probabilities,
    block_bootstrap_se,
    hist_windows,
    prob_beyond,
    prob_below,
    prob_touch,
)
from volscreen.structures import build_structures
from volscreen.targets import add_targets

N_TERMINAL = 400_000


@pytest.mark.parametrize(("center", "low", "high", "vol_low", "vol_high", "t"), [
    pytest.param(262.4, 251.5, 272.5, 0.19, 0.185, 0.08, id="iwm-straddle-skew"),
    pytest.param(262.215, 248.15, 271.85, 0.22, 0.22, 0.0767, id="iwm-strangle-rv"),
    pytest.param(100.0, 80.0, 130.0, 0.6, 0.4, 1.0, id="wide-1y"),
])
def test_prob_beyond_matches_monte_carlo(center, low, high, vol_low, vol_high, t):
    rng = np.random.default_rng(7)
    z = rng.standard_normal(N_TERMINAL)

    def terminal(vol):  # E[S_T] = center
        return center * np.exp(-0.5 * vol * vol * t + vol * math.sqrt(t) * z)

    mc = np.mean(terminal(vol_low) < low) + np.mean(terminal(vol_high) > high)
    se = math.sqrt(mc * (1 - mc) / N_TERMINAL) * 1.5  # two tails from the same draws
    closed = float(prob_beyond(center, low, high, vol_low, t, vol_high))
    assert abs(closed - mc) < 4 * se


def _mc_touch(spot, level, vol, t, drift, n_paths=20_000, n_steps=64, seed=11):
    """Touch probability by simulation with a Brownian-bridge crossing correction.

    Between two simulated log prices x0, x1 (both on the start side of the
    barrier b) the path crosses with probability exp(-2 (b - x0)(b - x1) /
    (vol^2 dt)); using it removes the discrete-monitoring bias.
    """
    rng = np.random.default_rng(seed)
    dt = t / n_steps
    nu = drift - 0.5 * vol * vol
    steps = nu * dt + vol * math.sqrt(dt) * rng.standard_normal((n_paths, n_steps))
    x = np.concatenate([np.zeros((n_paths, 1)), np.cumsum(steps, axis=1)], axis=1)
    b = math.log(level / spot)
    beyond = (x >= b) if b > 0 else (x <= b)
    hit = beyond.any(axis=1)
    gap0, gap1 = b - x[:, :-1], b - x[:, 1:]
    with np.errstate(over="ignore"):
        p_cross = np.where(gap0 * gap1 > 0, np.exp(-2 * gap0 * gap1 / (vol * vol * dt)), 1.0)
    survive = np.prod(1 - p_cross, axis=1)
    est = np.where(hit, 1.0, 1 - survive)
    return est.mean(), est.std(ddof=1) / math.sqrt(n_paths)


@pytest.mark.parametrize(("spot", "level", "vol", "t", "drift"), [
    pytest.param(262.215, 275.0, 0.19, 0.08, 0.028, id="up-iv-carry"),
    pytest.param(262.215, 245.0, 0.19, 0.08, 0.028, id="down-iv-carry"),
    pytest.param(262.215, 275.0, 0.22, 0.25, 0.0, id="up-rv-zero-drift"),
    pytest.param(262.215, 245.0, 0.22, 0.25, 0.0, id="down-rv-zero-drift"),
    pytest.param(100.0, 70.0, 0.5, 1.0, 0.2, id="down-strong-drift"),
])
def test_prob_touch_matches_bridge_corrected_monte_carlo(spot, level, vol, t, drift):
    mc, se = _mc_touch(spot, level, vol, t, drift)
    closed = float(prob_touch(spot, level, vol, t, drift))
    assert abs(closed - mc) < 4 * se + 1e-3


def test_prob_below_hand_value():
    # center 100, level 100, vol 0.2, t 1: z = (0 + 0.02) / 0.2 = 0.1 -> N(0.1)
    assert float(prob_below(100, 100, 0.2, 1.0)) == pytest.approx(0.539827837277029, abs=1e-12)


def test_invalid_inputs_give_nan_not_warnings():
    assert math.isnan(float(prob_touch(100, 110, 0.0, 1.0)))
    assert math.isnan(float(prob_below(100, 90, 0.2, 0.0)))
    assert float(prob_touch(100, 100, 0.2, 1.0)) == 1.0


@settings(max_examples=200, deadline=None)
@given(vol=st.floats(0.05, 1.5), t=st.floats(0.01, 2.0), up=st.floats(1.001, 1.5),
       drift=st.floats(-0.1, 0.1))
def test_touch_at_least_finish_beyond_and_monotone(vol, t, up, drift):
    spot = 100.0
    # finishing above H implies having touched H
    finish = 1 - float(prob_below(spot * math.exp(drift * t), spot * up, vol, t))
    touch = float(prob_touch(spot, spot * up, vol, t, drift))
    assert touch >= finish - 1e-12
    # a further barrier is touched less often; a lower barrier likewise
    assert float(prob_touch(spot, spot * up * 1.05, vol, t, drift)) <= touch + 1e-12
    down = float(prob_touch(spot, spot / up, vol, t, drift))
    assert float(prob_touch(spot, spot / up / 1.05, vol, t, drift)) <= down + 1e-12


def _bars(n=800, seed=3):
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(0.012 * rng.standard_normal(n)))
    high = close * (1 + np.abs(0.006 * rng.standard_normal(n)))
    low = close * (1 - np.abs(0.006 * rng.standard_normal(n)))
    idx = pd.bdate_range("2020-01-01", periods=n, name=C.DATE)
    return pd.DataFrame({C.OPEN: close, C.HIGH: high, C.LOW: low, C.CLOSE: close,
                         C.VOLUME: 1e6}, index=idx)


def test_hist_windows_match_plain_loop():
    bars = _bars(60)
    h = 5
    w = hist_windows(bars, h)
    c, hi, lo = (bars[k].to_numpy() for k in (C.CLOSE, C.HIGH, C.LOW))
    for i in range(len(c) - h):
        assert w["end"][i] == pytest.approx(c[i + h] / c[i])
        assert w["high"][i] == pytest.approx(max(hi[i + 1:i + h + 1]) / c[i])
        assert w["low"][i] == pytest.approx(min(lo[i + 1:i + h + 1]) / c[i])
    assert w["end"].size == len(c) - h


def test_hist_windows_use_adjusted_prices_and_condition():
    bars = _bars(60).assign(**{C.ADJ_CLOSE: lambda b: b[C.CLOSE] * 0.5})
    plain = hist_windows(_bars(60), 5)
    adj = hist_windows(bars, 5)  # a constant factor changes no ratio
    np.testing.assert_allclose(adj["end"], plain["end"])
    mask = np.arange(60) % 2 == 0
    assert hist_windows(_bars(60), 5, mask)["end"].size == 28  # even starts among 55


def test_block_bootstrap_is_seeded():
    hits = (np.random.default_rng(0).random(500) < 0.3).astype(float)
    a = block_bootstrap_se(hits, 10, seed=42)
    assert a == block_bootstrap_se(hits, 10, seed=42)
    assert a != block_bootstrap_se(hits, 10, seed=43)
    # iid check: block 1 bootstrap SE close to sqrt(p(1-p)/n)
    iid = block_bootstrap_se(hits, 1, n_boot=2000, seed=1)
    assert iid == pytest.approx(math.sqrt(hits.mean() * (1 - hits.mean()) / 500), rel=0.1)


def _cands():
    return add_targets(build_structures(hand_chain(), deltas=(), strikes=(255, 265)), [245, 275])


def test_add_probabilities_hist_equals_window_counts():
    bars = _bars()
    out = add_probabilities(_cands(), rv=0.2, bars=bars, seed=5)
    row = out.iloc[0]
    w = hist_windows(bars, int(row[C.TRADING_DAYS]))
    lo, hi = row[C.BREAKEVEN_LOW] / row[C.SPOT], row[C.BREAKEVEN_HIGH] / row[C.SPOT]
    expected = np.mean([(e < lo) or (e > hi) for e in w["end"]])
    assert row[C.P_BEYOND_BE_HIST] == pytest.approx(expected)
    assert row[C.HIST_SAMPLE_SIZE] == w["end"].size == 800 - 20
    assert row[C.P_TOUCH_HIGH_HIST] == pytest.approx(np.mean(w["high"] >= 275 / row[C.SPOT]))
    again = add_probabilities(_cands(), rv=0.2, bars=bars, seed=5)
    assert again[C.P_BEYOND_BE_HIST_SE].iloc[0] == row[C.P_BEYOND_BE_HIST_SE]


def test_add_probabilities_without_inputs_states_why():
    out = add_probabilities(_cands())
    assert out[C.P_BEYOND_BE_RV].isna().all() and out[C.P_BEYOND_BE_HIST].isna().all()
    assert out[C.DATA_STATUS].str.contains(C.DS_NO_RV).all()
    assert out[C.DATA_STATUS].str.contains(C.DS_NO_BARS).all()
    assert out[C.P_BEYOND_BE_IV].notna().all()


def test_short_history_is_flagged():
    out = add_probabilities(_cands(), bars=_bars(100))
    assert out[C.P_BEYOND_BE_HIST].isna().all()
    assert out[C.DATA_STATUS].str.contains(C.DS_SHORT_HISTORY).all()


def test_rv_measure_uses_trading_day_variance():
    out = add_probabilities(_cands(), rv=0.20)
    row = out.iloc[0]
    # variance over the life = 0.2^2 x 20 / 252, zero drift (mean = spot)
    sd = 0.20 * math.sqrt(20 / 252)
    expected = prob_beyond(row[C.SPOT], row[C.BREAKEVEN_LOW], row[C.BREAKEVEN_HIGH], sd, 1.0)
    assert row[C.P_BEYOND_BE_RV] == pytest.approx(float(expected), rel=1e-12)


def _naive_block_se(hits, block, n_boot, seed):
    """The moving-block bootstrap written out replicate by replicate."""
    n = hits.size
    k = math.ceil(n / block)
    starts = np.random.default_rng(seed).integers(0, n - block + 1, size=n_boot * k)
    means = []
    for b in range(n_boot):
        total = 0.0
        for s in starts[b * k:(b + 1) * k]:
            total += sum(hits[s:s + block])
        means.append(total / (k * block))
    return float(np.std(means, ddof=1))


@pytest.mark.parametrize(("n", "block", "seed"), [
    pytest.param(300, 1, 3, id="iid"), pytest.param(300, 7, 4, id="week"),
    pytest.param(301, 20, 5, id="month-uneven"), pytest.param(50, 50, 6, id="one-block"),
])
def test_block_bootstrap_matches_the_replicate_loop(n, block, seed):
    rng = np.random.default_rng(seed)
    hits = (rng.random((2, n)) < [[0.3], [0.6]]).astype(float)
    both = block_bootstrap_se(hits, block, n_boot=60, seed=seed)
    for row, se in zip(hits, both):
        assert se == pytest.approx(_naive_block_se(row, block, 60, seed), rel=1e-12, abs=1e-15)
    one = block_bootstrap_se(hits[0], block, n_boot=60, seed=seed)
    assert one == pytest.approx(both[0], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("n", "block", "seed"), [
    pytest.param(300, 7, 4, id="week"), pytest.param(301, 20, 5, id="month-uneven"),
])
def test_block_bootstrap_of_weighted_hits_matches_the_replicate_loop(n, block, seed):
    # non-0/1 values take the float path (0/1 hits are summed as packed integers)
    rng = np.random.default_rng(seed)
    hits = rng.random((3, n)) * (rng.random((3, n)) < 0.4)
    both = block_bootstrap_se(hits, block, n_boot=60, seed=seed)
    for row, se in zip(hits, both):
        assert se == pytest.approx(_naive_block_se(row, block, 60, seed), rel=1e-12, abs=1e-15)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 120), m=st.integers(1, 12), block=st.integers(1, 130),
       p=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_packed_block_sums_equal_the_float_gather(n, m, block, p, seed):
    from volscreen._hist import block_starts, bootstrap_shape
    from volscreen.probability import _packed_block_sums

    hits = (np.random.default_rng(seed).random((m, n)) < p).astype(float)
    block, k = bootstrap_shape(n, block)
    starts = block_starts(seed, n - block + 1, 7 * k)
    csum = np.concatenate([np.zeros((m, 1)), np.cumsum(hits, axis=1)], axis=1)
    block_sums = csum[:, block:] - csum[:, :-block]
    expected = block_sums[:, starts].reshape(m, 7, k).sum(axis=2).T
    got = _packed_block_sums(hits.astype(np.int64), block, starts, 7, k)
    np.testing.assert_array_equal(got, expected)
    assert got.flags.c_contiguous
    from volscreen import probability

    words = probability._GATHER_WORDS
    try:  # booleans and 0/1 floats as given, gathered a few blocks at a time
        probability._GATHER_WORDS = 3
        np.testing.assert_array_equal(_packed_block_sums(hits > 0, block, starts, 7, k),
                                      expected)
        np.testing.assert_array_equal(_packed_block_sums(hits, block, starts, 7, k), expected)
    finally:
        probability._GATHER_WORDS = words


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 80), m=st.integers(1, 6), seed=st.integers(0, 2**16),
       nan_share=st.sampled_from([0.0, 0.1, 0.5]))
def test_direct_window_counts_equal_the_binary_searches(n, m, seed, nan_share):
    from volscreen.probability import _direct_counts, _sorted_counts

    rng = np.random.default_rng(seed)
    w = {key: np.round(1 + 0.05 * rng.standard_normal(n), 2) for key in ("end", "low", "high")}
    for key in ("low", "high"):  # a bar gap leaves NaN path extremes
        w[key][rng.random(n) < nan_share] = np.nan
    s = {"end": np.sort(w["end"]), "low": np.sort(w["low"]), "high": np.sort(w["high"]),
         "high_finite": int(np.isfinite(w["high"]).sum())}
    levels = [np.round(1 + 0.05 * rng.standard_normal(m), 2) for _ in range(4)]
    levels[0][0] = w["end"][0]  # ties with a window
    for got, want in zip(_direct_counts(w, *levels), _sorted_counts(s, *levels)):
        np.testing.assert_array_equal(got, want)


def test_windows_of_many_horizons_match_the_plain_loop():
    from volscreen.probability import _history

    bars = _bars(90)
    bars.iloc[40, bars.columns.get_loc(C.HIGH)] = np.nan  # a gap poisons its windows' maxima
    c, hi, lo = (bars[k].to_numpy() for k in (C.CLOSE, C.HIGH, C.LOW))
    got = _history(bars, None).windows([9, 1, 30, 4])
    again = _history(bars.copy(), None).windows([4, 30])  # same prices: cached windows
    assert again[4] is got[4]
    for h in (1, 4, 9, 30):
        w = got[h]
        assert w["end"].size == len(c) - h
        for i in range(len(c) - h):
            assert w["end"][i] == c[i + h] / c[i]
            path_hi = np.max(hi[i + 1:i + h + 1])  # NaN when the window holds the gap
            path_lo = np.min(lo[i + 1:i + h + 1])
            np.testing.assert_equal(w["high"][i], path_hi / c[i])
            np.testing.assert_equal(w["low"][i], path_lo / c[i])
    other = _bars(90, seed=4)
    assert not np.array_equal(_history(other, None).windows([4])[4]["end"], got[4]["end"])


def _naive_buckets(close, buckets, window=126, period=20):
    """BBW percentile buckets by plain loops: Bollinger(20, 2) with population sigma."""
    n = len(close)
    bbw = [math.nan] * n
    for i in range(period - 1, n):
        closes = close[i - period + 1:i + 1]
        mean = sum(closes) / period
        sigma = math.sqrt(sum((c - mean) ** 2 for c in closes) / period)
        bbw[i] = 4 * sigma / mean
    out = [-1] * n
    for i in range(n):
        prev = bbw[i - window:i] if i >= window else []
        if len(prev) < window or any(math.isnan(b) for b in prev + [bbw[i]]):
            continue
        pct = 100.0 * sum(b < bbw[i] for b in prev) / window
        out[i] = min(int(pct * buckets // 100), buckets - 1)
    return out


def test_a_frame_changed_in_place_never_reuses_its_old_windows():
    from volscreen.probability import _history

    bars = _bars(90)
    first = _history(bars, None)
    assert _history(bars, None) is first  # the same frame again: recognised
    bars.iloc[50, bars.columns.get_loc(C.CLOSE)] *= 1.5  # same object, new price
    changed = _history(bars, None)
    assert changed is not first
    c = bars[C.CLOSE].to_numpy()
    np.testing.assert_array_equal(changed.windows([3])[3]["end"], c[3:] / c[:-3])
    mask = np.arange(90) % 2 == 0
    conditioned = _history(bars, mask)
    assert conditioned is not changed and conditioned.windows([3])[3]["end"].size == 44
    mask[:] = True  # the caller's mask changed in place: not the cached condition
    assert _history(bars, mask).windows([3])[3]["end"].size == 87


@pytest.mark.parametrize(("seed", "buckets"), [
    pytest.param(3, 5, id="quintiles-seed3"), pytest.param(8, 5, id="quintiles-seed8"),
    pytest.param(11, 3, id="terciles-seed11"), pytest.param(4, 10, id="deciles-seed4"),
])
def test_bbw_bucket_condition_matches_a_plain_loop(seed, buckets):
    from volscreen.probability import compression_condition

    bars = _bars(700, seed=seed)
    close = bars[C.CLOSE].tolist()
    bucket = _naive_buckets(close, buckets)
    cond = compression_condition(bars, buckets=buckets)
    assert cond.bucket == bucket[-1] >= 0
    np.testing.assert_array_equal(cond.mask, np.array(bucket) == bucket[-1])
    cands = _cands()
    out = add_probabilities(cands, rv=0.2, bars=bars, condition=cond, min_windows=10)
    row = out.iloc[0]
    h = int(row[C.TRADING_DAYS])
    lo, hi = row[C.BREAKEVEN_LOW] / row[C.SPOT], row[C.BREAKEVEN_HIGH] / row[C.SPOT]
    starts = [i for i in range(len(close) - h) if bucket[i] == bucket[-1]]
    ends = [close[i + h] / close[i] for i in starts]
    assert row[C.HIST_SAMPLE_SIZE] == len(starts) > 0
    assert row[C.P_BEYOND_BE_HIST] == pytest.approx(np.mean([(e < lo) or (e > hi) for e in ends]))
    assert row[C.HIST_CONDITION] == cond.label
    if buckets == 5:  # the string form is the quintile condition
        again = add_probabilities(cands, rv=0.2, bars=bars, condition="bbw_bucket",
                                  min_windows=10)
        pd.testing.assert_frame_equal(again, out)


def test_few_similar_windows_is_nan_with_its_own_code():
    bars = _bars(800)
    mask = np.zeros(len(bars), dtype=bool)
    mask[:40] = True  # 40 starts: fewer than the 250-window minimum, the history is long
    out = add_probabilities(_cands(), rv=0.2, bars=bars, condition=mask)
    assert out[C.P_BEYOND_BE_HIST].isna().all()
    assert (out[C.HIST_SAMPLE_SIZE] == 40).all()
    assert out[C.DATA_STATUS].str.contains(C.DS_FEW_SIMILAR).all()
    assert not out[C.DATA_STATUS].str.contains(C.DS_SHORT_HISTORY).any()
    assert (out[C.HIST_CONDITION] == "custom").all()


def test_condition_argument_errors_name_the_problem():
    from volscreen.errors import ConfigError
    from volscreen.probability import compression_condition

    with pytest.raises(ConfigError, match="window"):
        compression_condition(_bars(300), window=100)
    with pytest.raises(ConfigError, match="condition"):
        add_probabilities(_cands(), bars=_bars(300), condition="squeeze")
    with pytest.raises(ConfigError, match="300 bars"):
        add_probabilities(_cands(), bars=_bars(300), condition=np.ones(10, dtype=bool))


def test_bootstrap_table_of_a_reused_history_equals_the_direct_resampling():
    from volscreen import _hist

    bars = _bars(900, seed=21)
    cands = add_targets(build_structures(hand_chain(), deltas=(0.25,), strikes=(255, 265)),
                        [245, 275])
    _hist.clear_caches()
    first = add_probabilities(cands, bars=bars, seed=9, n_boot=80)  # direct resampling
    history = _hist.history(bars, None)
    for _ in range(_hist.BOOT_TABLE_AFTER + 1):
        again = add_probabilities(cands, bars=bars, seed=9, n_boot=80)
    assert history._tables, "the reused history should have built its bootstrap table"
    np.testing.assert_array_equal(again[C.P_BEYOND_BE_HIST_SE].to_numpy(),
                                  first[C.P_BEYOND_BE_HIST_SE].to_numpy())
    assert first[C.P_BEYOND_BE_HIST_SE].notna().all()


@pytest.mark.shared
def test_bbw_bucket_on_real_iwm_bars_keeps_todays_bucket_only():
    from conftest import shared_path

    import volscreen
    from volscreen.probability import compression_condition

    bars = volscreen.load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    bars = bars.loc[:"2026-07-14"]
    pct = volscreen.compression(bars)[C.BBW_PCTILE_126].to_numpy()
    bucket = [min(int(round(p * 126 / 100)) * 5 // 126, 4) if np.isfinite(p) else -1
              for p in pct]
    close = bars[C.CLOSE].to_numpy()
    adj = bars[C.ADJ_CLOSE].to_numpy() if C.ADJ_CLOSE in bars else close
    h = 20
    expected = sum(1 for i in range(len(bars) - h)
                   if bucket[i] == bucket[-1] and np.isfinite(adj[i]) and np.isfinite(adj[i + h]))
    cond = compression_condition(bars)
    assert cond.bucket == bucket[-1]
    out = add_probabilities(_cands(), rv=0.2, bars=bars, condition="bbw_bucket")
    plain = add_probabilities(_cands(), rv=0.2, bars=bars)
    row = out.iloc[0]
    assert int(row[C.TRADING_DAYS]) == h
    assert row[C.HIST_SAMPLE_SIZE] == expected
    assert 250 <= expected < plain.iloc[0][C.HIST_SAMPLE_SIZE]  # about a fifth of the history
    assert row[C.HIST_CONDITION] == cond.label and np.isfinite(row[C.P_BEYOND_BE_HIST])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), days=st.lists(st.integers(-2, 60), min_size=1, max_size=24),
       conditioned=st.booleans())
def test_hist_codes_and_sizes_per_row_equal_a_plain_loop(seed, days, conditioned):
    """Rows in any order of horizons, some too short: each row's codes and window count."""
    from _bars_data import random_bars

    from volscreen._candcols import StatusCodes
    from volscreen.probability import probability_columns

    bars = random_bars(seed, 300)
    condition = None
    if conditioned:
        condition = np.random.default_rng(seed).random(len(bars)) < 0.9
    days_arr = np.asarray(days, dtype=np.int64)
    n = days_arr.size
    spot = np.full(n, 100.0)
    f = {C.SPOT: spot, C.FORWARD: spot, C.T: np.full(n, 0.1), C.PUT_IV: np.full(n, 0.2),
         C.CALL_IV: np.full(n, 0.2), C.BREAKEVEN_LOW: spot - 3, C.BREAKEVEN_HIGH: spot + 3,
         C.TARGET_LOW: spot - 5, C.TARGET_HIGH: spot + 5}
    min_windows = 255
    codes = StatusCodes(n)
    out = probability_columns(f, days_arr, codes, rv=0.2, bars=bars, condition=condition,
                              n_boot=20, min_windows=min_windows)
    status = codes.joined()
    for i, h in enumerate(days):
        n_all = len(bars) - h if h > 0 else 0
        n_win = hist_windows(bars, h, condition).get("end").size if h > 0 else 0
        assert out[C.HIST_SAMPLE_SIZE][i] == n_win
        want = C.DS_OK
        if h <= 0 or n_all < min_windows:
            want = C.DS_SHORT_HISTORY
        elif n_win < min_windows:
            want = C.DS_FEW_SIMILAR
        assert status[i] == want, (i, h)
        assert np.isnan(out[C.P_BEYOND_BE_HIST][i]) == (want != C.DS_OK)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       n_starts=st.one_of(st.integers(1, 10_000), st.integers(2**29, 2**31 - 1)),
       size=st.integers(0, 3_000))
def test_stream_draws_equal_numpy_bounded_integers(seed, n_starts, size):
    """The block draws mapped from the shared raw stream are NumPy's own draws, rejections
    included (bounds near 2**31 reject up to half the words)."""
    from volscreen import _hist

    want = np.random.default_rng(seed).integers(0, n_starts, size=size, dtype=np.int32)
    np.testing.assert_array_equal(_hist.stream_draws(seed, n_starts, size), want)
    chunk = _hist._CHUNK
    try:  # many passes, rejected words in several of them
        _hist._CHUNK = 97
        np.testing.assert_array_equal(_hist.stream_draws(seed, n_starts, size), want)
    finally:
        _hist._CHUNK = chunk
    _hist.block_starts.cache_clear()
    np.testing.assert_array_equal(_hist.block_starts(seed, n_starts, size), want)
    _hist.clear_caches()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), bad_share=st.floats(0.0, 0.3))
def test_iv_and_rv_columns_equal_the_public_functions(seed, n, bad_share):
    """The four beyond and four touch cases evaluated together give what each public call
    gives on its own, bad inputs (NaN, zero, negative, infinite) included."""
    from volscreen._candcols import StatusCodes
    from volscreen.probability import TRADING_DAYS_PER_YEAR, probability_columns

    rng = np.random.default_rng(seed)
    spot = rng.uniform(50, 150, n)
    f = {C.SPOT: spot, C.FORWARD: spot * rng.uniform(0.99, 1.01, n),
         C.T: rng.uniform(0.01, 0.5, n), C.PUT_IV: rng.uniform(0.1, 0.6, n),
         C.CALL_IV: rng.uniform(0.1, 0.6, n), C.BREAKEVEN_LOW: spot * rng.uniform(0.8, 1.0, n),
         C.BREAKEVEN_HIGH: spot * rng.uniform(1.0, 1.2, n),
         C.TARGET_LOW: spot * rng.uniform(0.7, 1.0, n),
         C.TARGET_HIGH: spot * rng.uniform(1.0, 1.3, n)}
    for name in f:
        bad = rng.random(n) < bad_share
        f[name][bad] = rng.choice([np.nan, 0.0, -1.0, np.inf], size=int(bad.sum()))
    days = rng.integers(-1, 60, n)
    rv = {int(h): float(v) for h, v in zip(days, rng.uniform(0.05, 0.5, n))}
    out = probability_columns({k: v.copy() for k, v in f.items()}, days, StatusCodes(n), rv=rv)
    t = f[C.T]
    with np.errstate(invalid="ignore", divide="ignore"):
        rv_cal = out[C.RV_FORECAST] * np.sqrt(days / TRADING_DAYS_PER_YEAR / t)
        carry = np.log(f[C.FORWARD] / spot) / t
        want = {
            C.P_BEYOND_BE_IV: prob_beyond(f[C.FORWARD], f[C.BREAKEVEN_LOW], f[C.BREAKEVEN_HIGH],
                                          f[C.PUT_IV], t, f[C.CALL_IV]),
            C.P_BEYOND_BE_RV: prob_beyond(spot, f[C.BREAKEVEN_LOW], f[C.BREAKEVEN_HIGH],
                                          rv_cal, t),
            C.P_TOUCH_LOW_IV: prob_touch(spot, f[C.TARGET_LOW], f[C.PUT_IV], t, carry),
            C.P_TOUCH_HIGH_IV: prob_touch(spot, f[C.TARGET_HIGH], f[C.CALL_IV], t, carry),
            C.P_TOUCH_LOW_RV: prob_touch(spot, f[C.TARGET_LOW], rv_cal, t),
            C.P_TOUCH_HIGH_RV: prob_touch(spot, f[C.TARGET_HIGH], rv_cal, t)}
    for name, values in want.items():
        np.testing.assert_array_equal(out[name], values, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), horizons=st.lists(st.integers(1, 95), min_size=1, max_size=6),
       gaps=st.lists(st.integers(0, 89), max_size=3),
       bad_close=st.sampled_from([None, np.nan, 0.0, -1.0]))
def test_window_extremes_equal_a_plain_loop_for_any_horizons(seed, horizons, gaps, bad_close):
    """Path extremes from doubled runs: every horizon (powers of two or not, longer than
    the history) against max/min over the window's bars, NaN gaps included; windows
    starting or ending on a missing or non-positive close are dropped."""
    from volscreen._hist import History

    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 90)))
    high, low = close * rng.uniform(1.0, 1.02, 90), close * rng.uniform(0.98, 1.0, 90)
    high[gaps], low[gaps[:1]] = np.nan, np.nan
    if bad_close is not None:
        close[gaps] = bad_close
    got = History(close, high, low).windows(horizons)
    for h in horizons:
        kept = [i for i in range(max(90 - h, 0))
                if np.isfinite(close[i]) and close[i] > 0 and np.isfinite(close[i + h])]
        assert got[h]["end"].size == len(kept)
        for j, i in enumerate(kept):
            np.testing.assert_equal(got[h]["end"][j], close[i + h] / close[i])
            np.testing.assert_equal(got[h]["high"][j], np.max(high[i + 1:i + h + 1]) / close[i])
            np.testing.assert_equal(got[h]["low"][j], np.min(low[i + 1:i + h + 1]) / close[i])
