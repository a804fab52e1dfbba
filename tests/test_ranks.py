"""IV rank and IV percentile on hand-made series, a naive loop and the real VIX history.

Definitions pinned here (see volscreen/ranks.py):
* rank = 100 (x - min) / (max - min) with today's value INCLUDED in min/max;
* percentile = 100 #{previous observations strictly below x} / N, today EXCLUDED;
* window = ceil(window * 365 / 252) calendar days before the ranked date.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen.errors import ConfigError
from volscreen.ranks import rank_history, rank_series, window_days

from conftest import shared_path

NAN = float("nan")
ON = pd.Timestamp("2024-03-15")


def _series(prev: list[float], today: float | None) -> pd.Series:
    """prev on the consecutive calendar days before ON, then today (if any) on ON."""
    dates = [ON - pd.Timedelta(days=len(prev) - i) for i in range(len(prev))]
    values = list(prev)
    if today is not None:
        dates.append(ON)
        values.append(today)
    return pd.Series(values, index=pd.DatetimeIndex(dates), name="iv30")


# id, previous values, today's value, min_obs, expected rank, percentile, n_obs, status
GOLDEN = [
    ("middle", [0.10, 0.20, 0.30, 0.40], 0.25, 2, 50.0, 50.0, 4, C.RS_OK),
    # ties with today are not "below": 1 of 4 strictly below 0.25
    ("ties", [0.20, 0.25, 0.25, 0.30], 0.25, 2, 50.0, 25.0, 4, C.RS_OK),
    ("new-high", [0.10, 0.20, 0.30], 0.40, 2, 100.0, 100.0, 3, C.RS_OK),
    ("new-low", [0.10, 0.20, 0.30], 0.05, 2, 0.0, 0.0, 3, C.RS_OK),
    ("equal-max", [0.10, 0.20, 0.30], 0.30, 2, 100.0, 200.0 / 3.0, 3, C.RS_OK),
    # today above a flat window: min/max include today, so the rank is 100, not NaN
    ("flat-window-today-above", [0.20, 0.20, 0.20], 0.30, 2, 100.0, 100.0, 3, C.RS_OK),
    ("flat", [0.20, 0.20, 0.20, 0.20], 0.20, 2, NAN, 0.0, 4, C.RS_FLAT),
    # a NaN in the window is a gap: not an observation
    ("gap-nan", [0.10, NAN, 0.30, NAN], 0.20, 2, 50.0, 50.0, 2, C.RS_OK),
    ("too-few", [0.10, 0.30], 0.20, 3, NAN, NAN, 2, C.RS_TOO_FEW_OBS),
    ("no-value-today", [0.10, 0.20, 0.30], None, 2, NAN, NAN, 3, C.RS_NO_VALUE_TODAY),
    ("nan-today", [0.10, 0.20, 0.30], NAN, 2, NAN, NAN, 3, C.RS_NO_VALUE_TODAY),
]


@pytest.mark.parametrize(
    "prev, today, min_obs, rank, pct, n_obs, status",
    [g[1:] for g in GOLDEN],
    ids=[g[0] for g in GOLDEN],
)
def test_rank_golden(
    prev: list[float], today: float | None, min_obs: int, rank: float, pct: float,
    n_obs: int, status: str,
) -> None:
    res = rank_series(_series(prev, today), ON, window=5, min_obs=min_obs)
    assert res.status == status
    assert res.n_obs == n_obs
    assert (math.isnan(res.rank) and math.isnan(rank)) or res.rank == pytest.approx(rank)
    assert (math.isnan(res.percentile) and math.isnan(pct)) or res.percentile == pytest.approx(pct)


def test_window_span_is_calendar_days_of_252_sessions() -> None:
    assert window_days(252) == 365
    assert window_days(5) == 8  # ceil(5 * 365 / 252) = ceil(7.24)
    assert window_days(126) == 183


def test_window_edges_inclusive_start_exclusive_today() -> None:
    # observations 9 and 8 days before ON: only the 8-day one is in a 5-session window
    s = pd.Series([0.50, 0.10, 0.20], index=pd.DatetimeIndex(
        [ON - pd.Timedelta(days=9), ON - pd.Timedelta(days=8), ON]))
    res = rank_series(s, ON, window=5, min_obs=1)
    assert res.n_obs == 1
    assert res.window_start == res.window_end == ON - pd.Timedelta(days=8)
    assert res.rank == 100.0 and res.percentile == 100.0


def test_default_on_is_last_date_and_caller_series_untouched() -> None:
    s = _series([0.3, 0.1, 0.2], 0.15)
    before = s.copy()
    res = rank_series(s, window=5, min_obs=2)
    assert res.on == ON
    assert res.low == 0.1 and res.high == 0.3
    pd.testing.assert_series_equal(s, before)


def test_weekend_gaps_do_not_count_as_observations() -> None:
    dates = pd.bdate_range("2024-01-01", "2024-03-15")  # weekdays only
    s = pd.Series(np.linspace(0.1, 0.3, dates.size), index=dates)
    res = rank_series(s, "2024-03-15", window=20, min_obs=10)
    # window_days(20) = 29 calendar days: 2024-02-15 .. 2024-03-14, 21 weekdays
    assert window_days(20) == 29
    assert res.n_obs == len(pd.bdate_range("2024-02-15", "2024-03-14")) == 21
    assert res.window_start == pd.Timestamp("2024-02-15")
    assert res.rank == 100.0 and res.percentile == 100.0


def test_bad_arguments_are_config_errors() -> None:
    s = _series([0.1, 0.2], 0.3)
    with pytest.raises(ConfigError, match="min_obs"):
        rank_series(s, window=5, min_obs=6)
    with pytest.raises(ConfigError, match="window"):
        rank_series(s, window=0, min_obs=1)
    dup = pd.Series([0.1, 0.2], index=pd.DatetimeIndex([ON, ON]))
    with pytest.raises(ConfigError, match="more than once"):
        rank_series(dup, window=5, min_obs=1)
    with pytest.raises(ConfigError, match="numeric"):
        rank_series(pd.Series(["a", "b"], index=pd.DatetimeIndex([ON, ON + pd.Timedelta(days=1)])),
                    window=5, min_obs=1)


def test_empty_series_is_no_value_today() -> None:
    res = rank_series(pd.Series([], dtype="float64", index=pd.DatetimeIndex([])), window=5,
                      min_obs=1)
    assert res.status == C.RS_NO_VALUE_TODAY and res.n_obs == 0


# -- independent naive reference: a plain loop over dates -------------------
def _naive(dates: list[pd.Timestamp], values: list[float], i: int, window: int,
           min_obs: int) -> tuple[float, float, int, str]:
    day, x = dates[i], values[i]
    span = math.ceil(window * 365 / 252)
    prev = [v for d, v in zip(dates, values) if day - pd.Timedelta(days=span) <= d < day
            and not math.isnan(v)]
    if math.isnan(x):
        return NAN, NAN, len(prev), C.RS_NO_VALUE_TODAY
    if len(prev) < min_obs:
        return NAN, NAN, len(prev), C.RS_TOO_FEW_OBS
    below = 0
    for v in prev:
        if v < x:
            below += 1
    lo, hi = x, x
    for v in prev:
        lo, hi = min(lo, v), max(hi, v)
    pct = 100.0 * below / len(prev)
    if hi == lo:
        return NAN, pct, len(prev), C.RS_FLAT
    return 100.0 * (x - lo) / (hi - lo), pct, len(prev), C.RS_OK


values_st = st.lists(
    st.one_of(st.sampled_from([0.15, 0.2, 0.25]), st.floats(0.05, 1.5), st.just(NAN)),
    min_size=1, max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(values=values_st, steps=st.lists(st.integers(1, 4), min_size=40, max_size=40),
       window=st.integers(2, 12), min_obs=st.integers(1, 2))
def test_rank_history_matches_naive_loop(values: list[float], steps: list[int], window: int,
                                         min_obs: int) -> None:
    dates = list(pd.Timestamp("2024-01-02") + pd.to_timedelta(np.cumsum(steps[: len(values)]),
                                                                unit="D"))
    s = pd.Series(values, index=pd.DatetimeIndex(dates))
    hist = rank_history(s, window=window, min_obs=min_obs)
    for i in range(len(values)):
        rank, pct, n_obs, status = _naive(dates, values, i, window, min_obs)
        row = hist.iloc[i]
        assert row[C.RANK_STATUS] == status
        assert row[C.RANK_N_OBS] == n_obs
        np.testing.assert_allclose([row[C.RANK], row[C.PERCENTILE]], [rank, pct], rtol=1e-12)
    one = rank_series(s, dates[-1], window=window, min_obs=min_obs)
    assert one.status == hist[C.RANK_STATUS].iloc[-1]


@settings(max_examples=100, deadline=None)
@given(prev=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=30),
       x=st.floats(0.05, 1.0), bump=st.floats(0.0, 0.5))
def test_rank_bounded_and_monotone_in_todays_value(prev: list[float], x: float,
                                                   bump: float) -> None:
    a = rank_series(_series(prev, x), ON, window=40, min_obs=1)
    b = rank_series(_series(prev, x + bump), ON, window=40, min_obs=1)
    for res in (a, b):
        assert 0.0 <= res.percentile <= 100.0
        assert res.status == C.RS_FLAT or 0.0 <= res.rank <= 100.0
    assert b.percentile >= a.percentile
    if a.status == b.status == C.RS_OK:
        assert b.rank >= a.rank - 1e-9


@pytest.mark.shared
def test_vix_spike_of_2018_02_05_tops_its_year() -> None:
    from volscreen import load_bars

    bars = load_bars(shared_path("ohlcv", "VIX_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv"))
    iv = bars[C.CLOSE] / 100.0
    res = rank_series(iv, "2018-02-05")
    # VIX closed at 37.32 on Volmageddon day, far above anything in the year before
    assert res.value == pytest.approx(0.3732)
    assert res.status == C.RS_OK
    assert res.rank == 100.0 and res.percentile == 100.0
    assert 245 <= res.n_obs <= 255  # one year of sessions
    assert res.window_start == pd.Timestamp("2017-02-06")  # first session >= 2017-02-05
    assert res.window_end == pd.Timestamp("2018-02-02")
    # the naive loop agrees on a quiet day too (2017-11-03, VIX 9.14)
    window = iv.loc["2016-10-01":"2017-11-03"]
    dates, values = list(window.index), list(window.to_numpy())
    naive = _naive(dates, values, len(dates) - 1, 252, 60)
    quiet = rank_series(iv, "2017-11-03")
    assert (quiet.rank, quiet.percentile, quiet.n_obs, quiet.status) == pytest.approx(naive)
