"""Compression indicators: TA-Lib goldens, naive loops, invariances, real regimes."""
from __future__ import annotations

import csv
import math
import statistics

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_DATA, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

import volscreen as vs
from volscreen import _rolling as rolling_module
from volscreen import columns as col
from volscreen._rolling import (
    linear_recursion,
    run_length,
    trailing_percentile,
    trailing_percentiles,
)
from volscreen.errors import BarsSchemaError, ConfigError

TALIB_BARS = ("oracles", "talib_regtest_reference_252bar_ohlcv.csv")
TALIB_EXPECTED = SHARED_DATA / "oracles" / "talib_regtest_reference_252bar_expected_values.csv"
OUTPUT_COLUMN = {"upper": col.BB_UPPER, "middle": col.BB_MIDDLE, "lower": col.BB_LOWER,
                 "rsi": col.RSI}


def _golden_rows() -> list:
    """TA-Lib goldens that use our definitions (SMA Bollinger, Wilder RSI).

    The Metastock-EMA Bollinger rows of the same file use an EMA middle band,
    a variant volscreen does not compute.
    """
    if not TALIB_EXPECTED.exists():
        return [pytest.param(None, id="shared-data-absent")]
    with TALIB_EXPECTED.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if "matype=SMA" in r["params"] or r["indicator"].startswith("RSI")]
    return [pytest.param(r, id=f"{r['indicator'].split()[0]}-bar{r['bar']}-{r['output']}")
            for r in rows]


@pytest.fixture(scope="module")
def talib_bars() -> pd.DataFrame:
    return vs.load_bars(shared_path(*TALIB_BARS))


@pytest.fixture(scope="module")
def iwm_full() -> pd.DataFrame:
    return vs.load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))


@pytest.mark.shared
@pytest.mark.parametrize("row", _golden_rows())
def test_talib_reference_values(talib_bars, row):
    if row is None:
        pytest.skip(f"real market data not available: {TALIB_EXPECTED} is absent")
    frame = vs.compression(talib_bars)
    got = frame.loc[int(row["bar"]), OUTPUT_COLUMN[row["output"]]]
    assert got == pytest.approx(float(row["expected"]), abs=float(row["tolerance"]))


# --------------------------------------------------------------------------
# naive loops
# --------------------------------------------------------------------------
def naive_indicators(bars: pd.DataFrame) -> dict[str, list[float]]:
    h, lo, c = (bars[k].tolist() for k in ("high", "low", "close"))
    n = len(c)
    nan = math.nan
    out: dict[str, list[float]] = {k: [nan] * n for k in
                                   ("mid", "up", "bbw", "pctb", "atr14", "atr20", "rsi", "ema",
                                    "sma200")}
    for t in range(19, n):
        window = c[t - 19 : t + 1]
        mid = statistics.fmean(window)
        sd = statistics.pstdev(window)
        out["mid"][t], out["up"][t] = mid, mid + 2 * sd
        out["bbw"][t] = 4 * sd / mid
        out["pctb"][t] = (c[t] - (mid - 2 * sd)) / (4 * sd)
    for t in range(199, n):
        out["sma200"][t] = statistics.fmean(c[t - 199 : t + 1])
    tr = [nan] + [max(h[t] - lo[t], abs(h[t] - c[t - 1]), abs(lo[t] - c[t - 1]))
                  for t in range(1, n)]
    for period, key in ((14, "atr14"), (20, "atr20")):
        value = statistics.fmean(tr[1 : period + 1])
        out[key][period] = value
        for t in range(period + 1, n):
            value = (value * (period - 1) + tr[t]) / period
            out[key][t] = value
    gains = [max(c[t] - c[t - 1], 0.0) for t in range(1, n)]
    losses = [max(c[t - 1] - c[t], 0.0) for t in range(1, n)]
    ag, al = statistics.fmean(gains[:14]), statistics.fmean(losses[:14])
    out["rsi"][14] = 100 * ag / (ag + al)
    for t in range(15, n):
        ag = (ag * 13 + gains[t - 1]) / 14
        al = (al * 13 + losses[t - 1]) / 14
        out["rsi"][t] = 100 * ag / (ag + al)
    value = statistics.fmean(c[:20])
    out["ema"][19] = value
    for t in range(20, n):
        value += 2 / 21 * (c[t] - value)
        out["ema"][t] = value
    return out


@pytest.mark.shared
@pytest.mark.parametrize("source", ["talib", "iwm_last_600"])
def test_indicators_match_naive_loops(source, talib_bars, iwm_full):
    bars = talib_bars if source == "talib" else iwm_full.iloc[-600:]
    frame = vs.compression(bars)
    ref = naive_indicators(bars)
    checks = {
        col.BB_MIDDLE: ref["mid"], col.BB_UPPER: ref["up"], col.BBW: ref["bbw"],
        col.PCT_B: ref["pctb"], col.ATR: ref["atr14"], col.RSI: ref["rsi"],
        col.KC_MIDDLE: ref["ema"], col.SMA_200: ref["sma200"],
        col.KC_UPPER: list(np.array(ref["ema"]) + 1.5 * np.array(ref["atr20"])),
    }
    for name, expected in checks.items():
        np.testing.assert_allclose(frame[name].to_numpy(), expected, rtol=1e-9,
                                   equal_nan=True, err_msg=name)
    squeeze = [(u < ku) and (lw > kl) for u, ku, lw, kl in zip(
        frame[col.BB_UPPER], frame[col.KC_UPPER], frame[col.BB_LOWER], frame[col.KC_LOWER])]
    assert frame[col.SQUEEZE_ON].tolist() == squeeze
    count, counts = 0, []
    for on in squeeze:
        count = count + 1 if on else 0
        counts.append(count)
    assert frame[col.SQUEEZE_BARS].tolist() == counts


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.floats(0, 10), min_size=1, max_size=300),
       alpha=st.floats(0.01, 1.0), y0=st.floats(0, 10))
def test_linear_recursion_matches_a_plain_loop(x, alpha, y0):
    y, expected = y0, []
    for value in x:
        y = (1 - alpha) * y + alpha * value
        expected.append(y)
    np.testing.assert_allclose(linear_recursion(np.array(x), alpha, y0), expected,
                               rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.floats(0, 1), min_size=1, max_size=60), window=st.integers(1, 10))
def test_trailing_percentile_matches_a_loop(x, window):
    narrow, wide = trailing_percentiles(np.array(x), (window, window + 7))
    assert np.array_equal(narrow, trailing_percentile(np.array(x), window), equal_nan=True)
    for got, w in ((narrow, window), (wide, window + 7)):
        for t, value in enumerate(got):
            if t < w:
                assert math.isnan(value)
            else:
                below = sum(p < x[t] for p in x[t - w : t])
                assert value == pytest.approx(100 * below / w)


def _assert_matches_percentile_loop(got, x, window):
    """Each value is 100 * #(previous `window` values strictly below today) / window; NaN
    while the window is short or holds a NaN, or today is NaN (the plain loop)."""
    for t, value in enumerate(got):
        past = x[t - window : t] if t >= window else []
        if t < window or math.isnan(x[t]) or any(math.isnan(p) for p in past):
            assert math.isnan(value)
        else:
            assert value == 100 * sum(p < x[t] for p in past) / window


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.4, math.nan]), min_size=1, max_size=80),
       window=st.integers(1, 12), block=st.integers(1, 9))
def test_trailing_percentile_ties_nan_and_blocks_match_a_loop(x, window, block):
    # few distinct values (ties are not "below"), NaN poisoning, and the blocked
    # comparison cut into blocks of a few bars: each must equal the plain loop
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rolling_module, "_PCTILE_BLOCK", block)
        got = trailing_percentile(np.array(x), window)
    _assert_matches_percentile_loop(got, x, window)


@pytest.mark.parametrize("low_lookback", [2, 20, 126, 253, 300], ids=lambda n: f"low{n}")
def test_bbw_new_low_matches_a_plain_loop(low_lookback):
    # today's BBW is the lowest of the last N bars, today included (NaN windows: False)
    rng = np.random.default_rng(low_lookback)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.01, 420)))
    close[200:260] = close[199]  # a flat stretch: zero width, ties at the low
    bars = pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99,
                         "close": close, "volume": 1e6})
    frame = vs.compression(bars, low_lookback=low_lookback)
    bbw = frame[col.BBW].tolist()
    expected = []
    for t, value in enumerate(bbw):
        window = bbw[t - low_lookback + 1 : t + 1] if t >= low_lookback - 1 else []
        ok = bool(window) and not any(math.isnan(v) for v in window)
        expected.append(ok and value <= min(window))
    assert frame[col.BBW_NEW_LOW].tolist() == expected


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.4, math.nan]), min_size=1, max_size=80),
       windows=st.lists(st.integers(1, 15), min_size=2, max_size=4), block=st.integers(1, 9))
def test_shared_trailing_percentiles_match_a_loop(x, windows, block):
    # several windows from one comparison pass (shorter windows as partial sums of the
    # longest one's lags, any order, repeats), in small blocks: each equals the plain loop
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rolling_module, "_PCTILE_BLOCK", block)
        results = trailing_percentiles(np.array(x), tuple(windows))
    for got, window in zip(results, windows):
        _assert_matches_percentile_loop(got, x, window)


@pytest.mark.parametrize("n_bars", [15, 30, 130, 260, 400],
                         ids=["rsi-warmup", "bb-warmup", "pctile126", "pctile252", "full"])
def test_summary_equals_the_last_row_of_compression(n_bars):
    # compression_summary computes only the latest bar's windows: it must agree with
    # the full per-bar frame on every shared column, warmup rows included
    rng = np.random.default_rng(n_bars)
    bars = make_bars(100.0 * np.exp(np.cumsum(rng.normal(0, 0.01, n_bars))))
    summary = vs.compression_summary(bars)
    last = vs.compression(bars).iloc[-1]
    for name in (col.BBW, col.BBW_PCTILE_126, col.BBW_PCTILE_252, col.BBW_NEW_LOW,
                 col.SQUEEZE_ON, col.SQUEEZE_BARS, col.ATR, col.ATR_PCT, col.ATR_PCTILE_252,
                 col.RSI, col.SMA_50, col.DIST_SMA_50, col.SMA_200, col.DIST_SMA_200,
                 col.COMPRESSION_STATUS):
        expected, got = last[name], summary[name]
        if isinstance(expected, float) and math.isnan(expected):
            assert math.isnan(got), name
        else:
            assert got == expected, name


@given(flags=st.lists(st.booleans(), max_size=50))
def test_run_length_counts_consecutive_true(flags):
    count, expected = 0, []
    for flag in flags:
        count = count + 1 if flag else 0
        expected.append(count)
    assert run_length(np.array(flags, dtype=bool)).tolist() == expected


# --------------------------------------------------------------------------
# hand-checkable series, invariances, statuses
# --------------------------------------------------------------------------
def make_bars(close, spread=0.01) -> pd.DataFrame:
    close = np.asarray(close, dtype=np.float64)
    return pd.DataFrame(
        {"open": close, "high": close * (1 + spread), "low": close * (1 - spread),
         "close": close, "volume": 1e6},
        index=pd.bdate_range("2021-01-01", periods=close.size, name="date"),
    )


def test_constant_prices_are_flat_with_zero_width():
    frame = vs.compression(make_bars(np.full(60, 100.0), spread=0.0))
    tail = frame.iloc[30:]
    assert (tail[col.BBW] == 0).all() and tail[col.PCT_B].isna().all()
    assert tail[col.RSI].isna().all()
    assert (tail[col.COMPRESSION_STATUS] == col.CS_FLAT).all()


def test_alternating_closes_have_closed_form_bands():
    # closes 99, 101, 99, ...: every 20-bar window has mean 100 and population sd 1
    close = np.where(np.arange(40) % 2 == 0, 99.0, 101.0)
    frame = vs.compression(make_bars(close))
    tail = frame.iloc[19:]
    np.testing.assert_allclose(tail[col.BB_UPPER], 102.0, rtol=1e-12)
    np.testing.assert_allclose(tail[col.BB_LOWER], 98.0, rtol=1e-12)
    np.testing.assert_allclose(tail[col.BBW], 0.04, rtol=1e-12)
    np.testing.assert_allclose(tail[col.PCT_B], np.where(close[19:] > 100, 0.75, 0.25))
    # 7 gains and 7 losses of 2 seed AG = AL = 1: RSI 50, then above 50 after each rise
    assert frame[col.RSI].iloc[14] == pytest.approx(50.0, abs=1e-12)
    rose = close[15:] > close[14:-1]
    assert ((frame[col.RSI].iloc[15:] > 50) == rose).all()


def test_warmup_status_until_the_longest_window():
    # bbw starts at bar 19; its 252-bar percentile needs 252 earlier values: bar 271
    frame = vs.compression(make_bars(100 + 5 * np.sin(np.arange(320) / 7.0)))
    assert (frame[col.COMPRESSION_STATUS].iloc[:271] == col.CS_WARMUP).all()
    assert (frame[col.COMPRESSION_STATUS].iloc[271:] == col.CS_OK).all()
    assert frame.iloc[271:].drop(columns=col.COMPRESSION_STATUS).notna().all().all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-2, 1e3))
def test_rescaling_prices_keeps_the_dimensionless_indicators(seed, scale):
    rng = np.random.default_rng(seed)
    bars = make_bars(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 280))))
    scaled = bars.copy()
    scaled[["open", "high", "low", "close"]] *= scale
    a, b = vs.compression(bars), vs.compression(scaled)
    for name in (col.BBW, col.PCT_B, col.RSI, col.ATR_PCT, col.DIST_SMA_50, col.BBW_PCTILE_126):
        np.testing.assert_allclose(b[name], a[name], rtol=1e-7, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(b[col.ATR], a[col.ATR] * scale, rtol=1e-9, equal_nan=True)
    assert (a[col.SQUEEZE_ON] == b[col.SQUEEZE_ON]).mean() > 0.99  # ties at the edge aside


def test_bad_input_and_settings():
    with pytest.raises(BarsSchemaError, match="close"):
        vs.compression(make_bars(np.full(30, 1.0)).drop(columns="close"))
    with pytest.raises(ConfigError):
        vs.compression(make_bars(np.full(30, 1.0)), bb_period=1)
    with pytest.raises(ConfigError):
        vs.compression_summary(make_bars(np.full(30, 1.0)), as_of="1999-01-01")


def test_input_is_not_mutated_and_range_index_works():
    bars = make_bars(100 + np.arange(60.0))
    bars.index = pd.RangeIndex(60, name="bar")
    before = bars.copy()
    frame = vs.compression(bars)
    pd.testing.assert_frame_equal(bars, before)
    assert frame.index.equals(bars.index)


# --------------------------------------------------------------------------
# real regimes
# --------------------------------------------------------------------------
@pytest.mark.shared
def test_summary_as_of_equals_truncated_history(iwm_full):
    day = pd.Timestamp("2026-07-17")
    summary = vs.compression_summary(iwm_full, as_of=day)
    trunc = iwm_full.loc[:day]
    assert summary[col.AS_OF] == day
    assert summary[col.BBW] == pytest.approx(vs.compression(trunc)[col.BBW].iloc[-1])
    last20 = trunc.iloc[-20:]
    expected_range = (last20["high"].max() - last20["low"].min()) / trunc["close"].iloc[-1]
    assert summary[col.RANGE_PCT] == pytest.approx(expected_range)
    rv = vs.realized_vols(trunc, (10, 60)).iloc[-1]
    assert summary[col.RV_RATIO] == pytest.approx(rv["rv_10"] / rv["rv_60"])


@pytest.mark.shared
@pytest.mark.parametrize(
    "day, pctile_126, squeeze_on, squeeze_bars, new_low",
    [
        ("2026-07-09", 23.0159, False, 0, False),
        ("2026-07-13", 0.0, True, 2, True),
        ("2026-07-17", 0.0, True, 6, True),
        ("2026-07-23", 3.9683, True, 10, False),
        ("2026-08-21", 40.4762, False, 0, False),
    ],
    ids=["iwm-2026-07-09", "iwm-2026-07-13", "iwm-2026-07-17", "iwm-2026-07-23",
         "iwm-2026-08-21"],
)
def test_iwm_july_2026_squeeze(iwm_full, day, pctile_126, squeeze_on, squeeze_bars, new_low):
    # IWM coiled in July 2026: BBW at a 126-bar low and a ten-bar TTM squeeze
    row = vs.compression(iwm_full).loc[day]
    assert row[col.BBW_PCTILE_126] == pytest.approx(pctile_126, abs=1e-4)
    assert bool(row[col.SQUEEZE_ON]) == squeeze_on
    assert row[col.SQUEEZE_BARS] == squeeze_bars
    assert bool(row[col.BBW_NEW_LOW]) == new_low


@pytest.mark.shared
@pytest.mark.parametrize(
    "day, bbw, pctile_126, rv10",
    [
        ("2018-01-02", 0.0305, 61.9048, 0.0466),
        ("2018-01-26", 0.0799, 100.0, 0.0778),
        ("2018-02-02", 0.0549, 90.4762, 0.0975),
        ("2018-02-05", 0.0708, 95.2381, 0.1570),
    ],
    ids=["spx-2018-01-02", "spx-2018-01-26", "spx-2018-02-02", "spx-2018-02-05"],
)
def test_spx_january_2018_was_quiet_in_rv_not_in_bollinger_width(day, bbw, pctile_126, rv10):
    # January 2018 was a low-vol melt-up: realized vol near 5 % but the trend kept
    # the Bollinger bands wide (BBW percentile near 100), so no TTM squeeze fired
    # before the 2018-02-05 break.  Bollinger width alone would have missed it.
    bars = vs.load_bars(
        shared_path("ohlcv", "GSPC_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv"))
    summary = vs.compression_summary(bars, as_of=pd.Timestamp(day))
    assert summary[col.BBW] == pytest.approx(bbw, abs=5e-5)
    assert summary[col.BBW_PCTILE_126] == pytest.approx(pctile_126, abs=1e-4)
    assert summary["rv_10"] == pytest.approx(rv10, abs=5e-5)
    assert summary[col.SQUEEZE_ON] is False


def test_public_name_is_the_function_after_the_module_is_imported_by_path():
    import importlib

    module = importlib.import_module("volscreen.indicators")
    bars = make_bars(100 + np.sin(np.arange(40.0)))
    assert vs.compression is module.compression
    pd.testing.assert_frame_equal(vs.compression(bars), module.compression(bars))


@pytest.mark.parametrize("rsi_period", [7, 14, 20, 30], ids=lambda p: f"rsi{p}")
def test_rsi_warmup_is_warmup_not_flat_whatever_the_atr_period(rsi_period):
    # a moving market: a NaN RSI before bar rsi_period is warmup; "flat" would claim no movement
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    bars = pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99,
                         "close": close, "volume": 1e6},
                        index=pd.bdate_range("2020-01-01", periods=300, name="date"))
    frame = vs.compression(bars, rsi_period=rsi_period)
    status = frame[col.COMPRESSION_STATUS].astype(str)
    assert (status != col.CS_FLAT).all()
    assert frame[col.RSI].iloc[: rsi_period].isna().all()
    assert frame[col.RSI].iloc[rsi_period:].notna().all()
