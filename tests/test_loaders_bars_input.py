"""load_bars: row numbers per input kind, and dates held in a named index."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen.errors import BarsSchemaError
from volscreen.loaders import load_bars

HEADER = ["Date", "Open", "High", "Low", "Close", "Volume"]
ROWS = [["2024-01-02", 10, 11, 9, 10.5, 100], ["2024-01-03", 10.5, 11.5, 10, 11, 0],
        ["2024-01-04", 11, 12, 10.5, 11.5, 200]]
DATES = list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]))


def _frame(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=HEADER)


def _write(tmp_path, kind: str, frame: pd.DataFrame):
    path = tmp_path / f"b.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "json":
        path.write_text(json.dumps(frame.to_dict(orient="records")))
    else:
        frame.to_parquet(path, index=False)
    return path


# input kind -> the row number reported for the record at 0-based position 2
# (CSV: file line, header = line 1; JSON/Parquet/DataFrame: 0-based record position)
ROW_OF_THIRD_RECORD = {"csv": 4, "json": 2, "parquet": 2, "frame": 2}


def _source(tmp_path, kind, frame):
    return frame if kind == "frame" else _write(tmp_path, kind, frame)


@pytest.mark.parametrize("kind", sorted(ROW_OF_THIRD_RECORD), ids=str)
def test_bars_error_rows_follow_the_documented_numbering(tmp_path, kind):
    rows = [list(r) for r in ROWS]
    rows[2][2] = 10.0  # high below max(open, close) on the third record
    with pytest.raises(BarsSchemaError) as info:
        load_bars(_source(tmp_path, kind, _frame(rows)))
    assert (info.value.row, info.value.column) == (ROW_OF_THIRD_RECORD[kind], C.HIGH)


@pytest.mark.parametrize("kind", sorted(ROW_OF_THIRD_RECORD), ids=str)
def test_bars_nan_rows_follow_the_documented_numbering(tmp_path, kind):
    rows = [list(r) for r in ROWS]
    rows[2][4] = None  # missing close on the third record: removed and listed
    bars = load_bars(_source(tmp_path, kind, _frame(rows)))
    assert bars.attrs["nan_rows"] == [ROW_OF_THIRD_RECORD[kind]]
    assert list(bars.index) == DATES[:2]


@pytest.mark.parametrize("kind", ["json", "frame"], ids=str)
def test_bars_text_in_a_price_names_the_record(tmp_path, kind):
    rows = [list(r) for r in ROWS]
    rows[1][1] = "ten"
    with pytest.raises(BarsSchemaError) as info:
        load_bars(_source(tmp_path, kind, _frame(rows)))
    assert (info.value.row, info.value.column) == (1, C.OPEN)


@pytest.mark.parametrize("index_name", ["Date", "date", "DATE", "Datetime", "TradeDate"],
                         ids=str)
def test_bars_string_index_named_date_is_parsed(index_name):
    frame = _frame().set_index("Date").rename_axis(index_name)
    assert frame.index.dtype != "datetime64[ns]"  # strings, not a DatetimeIndex
    columns = {"TradeDate": "date"} if index_name == "TradeDate" else None
    before = frame.copy()
    bars = load_bars(frame, columns=columns)
    assert list(bars.index) == DATES and bars.index.name == C.DATE
    assert bars[C.CLOSE].tolist() == [10.5, 11.0, 11.5]
    pd.testing.assert_frame_equal(frame, before)


def test_bars_bad_date_in_a_named_index_names_the_position():
    frame = _frame().assign(Date=["2024-01-02", "not a day", "2024-01-04"]).set_index("Date")
    with pytest.raises(BarsSchemaError) as info:
        load_bars(frame)
    assert (info.value.row, info.value.column) == (1, C.DATE)


def test_bars_unnamed_text_index_is_not_taken_for_dates():
    frame = _frame().drop(columns="Date").set_axis(["a", "b", "c"])
    with pytest.raises(BarsSchemaError, match="no date column"):
        load_bars(frame)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.text(alphabet="0123456789-/ T:٣", min_size=0, max_size=12)), min_size=1, max_size=8))
def test_iso_layout_is_the_regex(texts):
    """The code-point check of YYYY-MM-DD agrees with the regex it replaces."""
    import re

    import numpy as np

    from volscreen.loaders.bars import ISO_DAY, _iso_layout
    array = np.array(texts)
    expected = all(re.fullmatch(ISO_DAY, t) for t in texts)
    assert _iso_layout(array) is expected
