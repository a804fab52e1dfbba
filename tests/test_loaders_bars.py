"""load_bars: every shared OHLCV file, published closes, validation and bad input."""
from __future__ import annotations

import csv
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BAD_INPUT, shared_files, shared_path
from volscreen import columns as C
from volscreen.errors import BarsSchemaError, EmptyDataError, UnreadableFileError, VolscreenError
from volscreen.loaders import load_bars

# file -> (rows, first date, last date, has adj_close); values from PROVENANCE.md
EXPECTED_OHLCV = {
    "IWM_daily_raw_2000_to_2026-08-21_yf.csv": (6598, "2000-05-26", "2026-08-21", False),
    "SPY_daily_raw_1993_to_2026-08-21_yf.csv": (8448, "1993-01-29", "2026-08-21", False),
    "QQQ_daily_raw_1999_to_2026-08-21_yf.csv": (6906, "1999-03-10", "2026-08-21", False),
    "IWM_daily_adjusted_2000_to_2026-03-27_yf.csv": (6497, "2000-05-26", "2026-03-27", False),
    "IWM_daily_yahoo_with_adjclose_2000-05-26_to_2022-11-18.csv":
        (5658, "2000-05-26", "2022-11-18", True),
    "SPY_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv": (5759, "2000-01-03", "2022-11-18", True),
    "QQQ_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv": (5759, "2000-01-03", "2022-11-18", True),
    "VIX_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv": (5759, "2000-01-03", "2022-11-18", True),
    "RUT_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv": (5759, "2000-01-03", "2022-11-18", True),
    "GSPC_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv":
        (5759, "2000-01-03", "2022-11-18", True),
    "SPY_daily_2021_tiingo.csv": (252, "2021-01-04", "2021-12-31", True),
}

# (file, date, close) published in PROVENANCE.md (closes matching chain snapshots)
PUBLISHED_CLOSES = [
    ("IWM_daily_raw_2000_to_2026-08-21_yf.csv", "2026-07-08", 293.48),
    ("IWM_daily_raw_2000_to_2026-08-21_yf.csv", "2026-07-09", 297.24),
    ("IWM_daily_raw_2000_to_2026-08-21_yf.csv", "2026-07-10", 295.99),
    ("IWM_daily_raw_2000_to_2026-08-21_yf.csv", "2026-07-14", 294.51),
    ("SPY_daily_raw_1993_to_2026-08-21_yf.csv", "2025-08-26", 645.16),
    ("VIX_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv", "2019-05-13", 20.55),
    ("VIX_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv", "2018-02-05", 37.32),
]


def _naive_closes(path) -> dict[str, float]:
    """Independent reader: csv module, one row at a time."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="") as fh:
        rows = list(csv.DictReader(fh))
    key_date = "Date" if "Date" in rows[0] else "date"
    key_close = "Close" if "Close" in rows[0] else "close"
    return {r[key_date][:10]: float(r[key_close]) for r in rows}


def test_every_shared_ohlcv_file_has_an_expectation():
    names = shared_files("ohlcv")
    if names == ["<shared data absent>"]:
        pytest.skip("real market data not available")
    assert sorted(names) == sorted(EXPECTED_OHLCV)


@pytest.mark.shared
@pytest.mark.parametrize("name", shared_files("ohlcv"), ids=str)
def test_shared_ohlcv_loads(name):
    path = shared_path("ohlcv", name)
    rows, first, last, has_adj = EXPECTED_OHLCV[name]
    bars = load_bars(path)
    assert len(bars) == rows
    assert bars.index.name == C.DATE
    assert isinstance(bars.index, pd.DatetimeIndex) and bars.index.tz is None
    assert bars.index[0] == pd.Timestamp(first) and bars.index[-1] == pd.Timestamp(last)
    assert bars.index.is_monotonic_increasing and bars.index.is_unique
    expected_cols = list(C.BAR_COLUMNS) + ([C.ADJ_CLOSE] if has_adj else [])
    assert list(bars.columns) == expected_cols
    assert all(bars[c].dtype == np.float64 for c in bars.columns)
    naive = _naive_closes(path)
    got = dict(zip(bars.index.strftime("%Y-%m-%d"), bars[C.CLOSE]))
    assert got == pytest.approx(naive, rel=0, abs=0)


@pytest.mark.shared
@pytest.mark.parametrize(("name", "date", "close"), PUBLISHED_CLOSES,
                         ids=[f"{n.split('_')[0]}-{d}" for n, d, _ in PUBLISHED_CLOSES])
def test_published_closes(name, date, close):
    bars = load_bars(shared_path("ohlcv", name))
    assert bars.loc[pd.Timestamp(date), C.CLOSE] == pytest.approx(close, abs=0.005)


@pytest.mark.shared
def test_talib_corpus_is_indexed_by_bar_number():
    bars = load_bars(shared_path("oracles", "talib_regtest_reference_252bar_ohlcv.csv"))
    assert isinstance(bars.index, pd.RangeIndex) and bars.index.name == "bar"
    assert len(bars) == 252
    assert bars.iloc[0].tolist() == [92.5, 93.25, 90.75, 91.5, 4077500.0]


@pytest.mark.shared
def test_gzip_path_loads_identically(tmp_path):
    src = shared_path("ohlcv", "SPY_daily_2021_tiingo.csv")
    gz = tmp_path / "spy.csv.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    pd.testing.assert_frame_equal(load_bars(gz), load_bars(src))


def _frame(n: int = 5) -> pd.DataFrame:
    dates = pd.bdate_range("2024-01-02", periods=n)
    close = 100 + np.arange(n, dtype=float)
    return pd.DataFrame({"date": dates, "open": close - 0.5, "high": close + 1,
                         "low": close - 1, "close": close, "volume": 1e6})


def test_dataframe_input_not_mutated_and_columns_mapping():
    raw = _frame().rename(columns={"close": "Px_Last", "date": "TradeDate"})
    before = raw.copy()
    bars = load_bars(raw, columns={"Px_Last": "close", "TradeDate": "date"})
    pd.testing.assert_frame_equal(raw, before)
    assert bars[C.CLOSE].tolist() == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert bars.attrs["source"] == "<DataFrame>"


def test_datetimeindex_frame_accepted():
    bars = load_bars(_frame().set_index("date"))
    assert bars.index.name == C.DATE and len(bars) == 5


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(8)))
def test_unsorted_input_is_sorted_and_flagged(order):
    frame = _frame(8)
    shuffled = frame.iloc[list(order)]
    bars = load_bars(shuffled)
    expected = load_bars(frame)
    pd.testing.assert_frame_equal(bars, expected, check_flags=False)
    assert bars.attrs["resorted"] == (list(order) != sorted(order))


def test_nan_rows_removed_and_reported():
    frame = _frame(5)
    frame.loc[2, "high"] = np.nan
    bars = load_bars(frame)
    assert len(bars) == 4 and bars.attrs["nan_rows"] == [2]


def test_gap_reported_in_attrs():
    frame = _frame(6)
    frame.loc[3:, "date"] = frame.loc[3:, "date"] + pd.Timedelta(days=14)
    bars = load_bars(frame)
    assert bars.attrs["gaps"] == [
        {"after": "2024-01-04", "before": "2024-01-19", "missing_weekdays": 10}
    ]


def test_high_within_float_noise_accepted():
    frame = _frame(3)
    frame.loc[1, "high"] = frame.loc[1, "close"] * (1 - 1e-12)
    assert len(load_bars(frame)) == 3


# bad file -> (error class, text the message must contain)
BAD_BARS = {
    "bars_high_below_low.csv": (BarsSchemaError, "row 3, column 'high'"),
    "bars_duplicate_dates.csv": (BarsSchemaError, "2024-01-03"),
    "bars_text_in_price.csv": (BarsSchemaError, "row 3, column 'high'"),
    "bars_negative_price.csv": (BarsSchemaError, "row 3, column 'open'"),
    "bars_missing_low.csv": (BarsSchemaError, "['low']"),
    "bars_header_only.csv": (EmptyDataError, "no data rows"),
    "binary_garbage.bin": (UnreadableFileError, "binary"),
    "does_not_exist.csv": (UnreadableFileError, "not found"),
}


@pytest.mark.parametrize("name", sorted(BAD_BARS), ids=str)
def test_bad_bars_files(name):
    cls, text = BAD_BARS[name]
    with pytest.raises(VolscreenError) as info:
        load_bars(BAD_INPUT / name)
    assert type(info.value) is cls
    assert name in str(info.value) and text in str(info.value)
    assert "\n" not in str(info.value)
