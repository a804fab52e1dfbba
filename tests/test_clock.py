"""The exchange clock: minutes to the settlement instant / 525,600.

Expected values are computed independently with the standard library
(``zoneinfo`` + ``datetime`` arithmetic in UTC), one case at a time.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import clock

NY = ZoneInfo("America/New_York")


def _naive_minutes(quote: dt.datetime, expiry: dt.date, hour: int, minute: int) -> float:
    settle = dt.datetime(expiry.year, expiry.month, expiry.day, hour, minute, tzinfo=NY)
    utc = dt.timezone.utc
    return (settle.astimezone(utc) - quote.astimezone(utc)).total_seconds() / 60


CASES = [
    # id, quote time (NY), expiry, settlement, expected minutes (hand-counted)
    ("one-day-pm", dt.datetime(2026, 2, 2, 16, 0, tzinfo=NY), dt.date(2026, 2, 3), "PM",
     1440.0),
    ("weekend", dt.datetime(2026, 2, 6, 16, 0, tzinfo=NY), dt.date(2026, 2, 9), "PM", 3 * 1440.0),
    # US DST starts 2026-03-08: Friday 16:00 EST -> Monday 16:00 EDT is one hour short
    ("dst-start", dt.datetime(2026, 3, 6, 16, 0, tzinfo=NY), dt.date(2026, 3, 9), "PM",
     3 * 1440.0 - 60),
    # US DST ends 2026-11-01: one hour longer
    ("dst-end", dt.datetime(2026, 10, 30, 16, 0, tzinfo=NY), dt.date(2026, 11, 2), "PM",
     3 * 1440.0 + 60),
    # AM-settled monthly SPX: 09:30 on the expiry date
    ("am-settled", dt.datetime(2026, 3, 19, 16, 0, tzinfo=NY), dt.date(2026, 3, 20), "AM",
     17.5 * 60),
    ("zero-dte", dt.datetime(2026, 7, 14, 15, 55, 45, tzinfo=NY), dt.date(2026, 7, 14), "PM", 4.25),
    ("expired", dt.datetime(2026, 7, 8, 18, 35, tzinfo=NY), dt.date(2026, 7, 8), "PM", -155.0),
    ("one-year", dt.datetime(2026, 1, 2, 16, 0, tzinfo=NY), dt.date(2027, 1, 2), "PM", 525_600.0),
]


@pytest.mark.parametrize(
    "quote, expiry, style, minutes", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_year_fraction_matches_hand_count(
    quote: dt.datetime, expiry: dt.date, style: str, minutes: float
) -> None:
    hour, minute = (9, 30) if style == "AM" else (16, 0)
    assert _naive_minutes(quote, expiry, hour, minute) == pytest.approx(minutes, abs=1e-9)
    got = clock.year_fraction(pd.Timestamp(quote), pd.Timestamp(expiry), style)
    assert got.shape == (1,)
    assert got[0] * clock.MINUTES_PER_YEAR == pytest.approx(minutes, abs=1e-6)


def test_vectorised_mixed_styles_match_scalar_calls() -> None:
    quote = pd.Timestamp("2022-09-27 10:45:15", tz="America/New_York")
    expiries = ["2022-10-21", "2022-10-28", "2022-11-18"]
    styles = ["AM", "PM", "AM"]
    vec = clock.year_fraction(quote, expiries, styles)
    one_by_one = [clock.year_fraction(quote, e, s)[0] for e, s in zip(expiries, styles)]
    np.testing.assert_array_equal(vec, one_by_one)
    # 10:45:15 to 09:30 on 2022-10-21 (24 days less 75.25 minutes)
    assert vec[0] * clock.MINUTES_PER_YEAR == pytest.approx(24 * 1440 - 75.25)


def test_naive_quote_time_is_new_york_not_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = clock.year_fraction("2026-02-02 16:00", "2026-02-03")
    for zone in ("Asia/Tokyo", "UTC", "America/Los_Angeles"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        assert clock.year_fraction("2026-02-02 16:00", "2026-02-03")[0] == expected[0]
    monkeypatch.delenv("TZ")
    time.tzset()
    assert os.environ.get("TZ") is None


def test_aware_quote_times_are_converted() -> None:
    utc = clock.year_fraction(pd.Timestamp("2026-02-02 21:00", tz="UTC"), "2026-02-03")
    tokyo = clock.year_fraction(pd.Timestamp("2026-02-03 06:00", tz="Asia/Tokyo"), "2026-02-03")
    assert utc[0] == tokyo[0] == pytest.approx(1 / 365)


@pytest.mark.parametrize(
    "root, style",
    [("SPX", "AM"), ("SPXW", "PM"), ("RUT", "AM"), ("RUTW", "PM"), ("NDX", "AM"), ("NDXP", "PM"),
     ("VIX", "AM"), ("IWM", "PM"), ("spx", "AM"), (None, "PM")],
    ids=lambda v: str(v),
)
def test_settlement_style_from_root(root: str | None, style: str) -> None:
    assert clock.settlement_style([root])[0] == style


def test_settlement_instant_applies_dst_of_the_expiry_date() -> None:
    got = clock.settlement_instant(["2026-01-16", "2026-07-17", "2026-03-20"], ["PM", "PM", "AM"])
    assert list(got.strftime("%Y-%m-%d %H:%M")) == [
        "2026-01-16 21:00",  # EST: 16:00 = 21:00 UTC
        "2026-07-17 20:00",  # EDT: 16:00 = 20:00 UTC
        "2026-03-20 13:30",  # EDT: 09:30 = 13:30 UTC
    ]


def test_days_to_expiry_and_0dte_use_the_new_york_date() -> None:
    # 23:30 New York on the 13th is already the 14th in UTC: still 1 day to a 14th expiry
    quote = pd.Timestamp("2026-07-13 23:30", tz="America/New_York")
    assert clock.days_to_expiry(quote, ["2026-07-14"])[0] == 1
    assert clock.is_0dte(pd.Timestamp("2026-07-14 15:55", tz="America/New_York"), ["2026-07-14"])[0]


def _naive_year_fraction(quote_time: pd.Timestamp, expiry: pd.Timestamp, style: str) -> float:
    """One option at a time with the standard library: New York wall time -> UTC, minutes."""
    wall = dt.datetime.combine(expiry.date(), dt.time(9, 30) if style == "AM" else dt.time(16))
    settle = wall.replace(tzinfo=NY).astimezone(dt.timezone.utc)
    return (settle - quote_time.to_pydatetime()).total_seconds() / 60.0 / 525_600.0


@settings(max_examples=60, deadline=None)
@given(days=st.lists(st.integers(-3_000, 20_000), min_size=1, max_size=12),
       seconds=st.lists(st.integers(0, 86_399), min_size=12, max_size=12),
       styles=st.lists(st.sampled_from(["AM", "PM"]), min_size=12, max_size=12),
       quote_minute=st.integers(0, 10**7), aware=st.booleans())
def test_year_fraction_matches_a_per_option_count_cold_and_cached(
        days: list[int], seconds: list[int], styles: list[str], quote_minute: int,
        aware: bool) -> None:
    n = len(days)
    expiry = pd.Series(pd.Timestamp("2000-01-01") + pd.to_timedelta(days, "D")
                       + pd.to_timedelta(seconds[:n], "s"))
    style = np.array(styles[:n], dtype=object)
    quote = pd.Timestamp("2001-03-01", tz="UTC") + pd.Timedelta(minutes=quote_minute)
    expected = np.array([_naive_year_fraction(quote, e, s) for e, s in zip(expiry, style)])
    given_expiry = expiry.dt.tz_localize("Asia/Tokyo") if aware else expiry  # wall date kept
    quotes = pd.Series([quote] * n)
    for _ in range(2):  # the second call is answered from the settlement cache
        got = clock.year_fraction(quotes, given_expiry, style)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
        # the column arrays a chain's frame stores (read without a Series), other units
        for q in (quotes.array, pd.DatetimeIndex(quotes), quotes.array.as_unit("s")):
            for e in (given_expiry.array, pd.DatetimeIndex(given_expiry),
                      given_expiry.array.as_unit("s")):
                np.testing.assert_array_equal(clock.year_fraction(q, e, style), got)


def test_settlement_instant_keeps_a_missing_expiry_missing() -> None:
    for _ in range(2):  # cold, then cached
        got = clock.settlement_instant(pd.Series([pd.NaT, pd.Timestamp("2026-03-09")]),
                                       np.array(["PM", "AM"], dtype=object))
        assert pd.isna(got[0])
        assert got[1] == pd.Timestamp("2026-03-09 13:30", tz="UTC")  # 09:30 EDT
