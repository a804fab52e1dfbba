"""load_chain / load_bars against odd and malformed input.

Every case ends in a correct load (checked values, statuses, attrs) or a
VolscreenError subclass whose one-line message names the file (and the
row/column where there is one): never another exception type, never rows
lost without a count.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from volscreen import columns as C
from volscreen.errors import (
    BarsSchemaError,
    ChainSchemaError,
    DataError,
    EmptyDataError,
    UnknownFormatError,
    UnreadableFileError,
    VolscreenError,
)
from volscreen.loaders import load_bars, load_chain

CHAIN_HEADER = "underlying,quote_time,expiry,strike,right,bid,ask,underlying_price"
CHAIN_ROWS = ("IWM,2026-02-02 16:00,2026-03-20,265,C,1.10,1.20,262.2",
              "IWM,2026-02-02 16:00,2026-03-20,265,P,3.10,3.20,262.2")
BARS_HEADER = "Date,Open,High,Low,Close,Volume"
BARS_ROWS = ("2024-01-02,10,11,9,10.5,100", "2024-01-03,10.5,11.5,10,11,0",
             "2024-01-04,11,12,10.5,11.5,200")
QT_UTC = pd.Timestamp("2026-02-02 21:00", tz="UTC")  # 16:00 New York


def _text(header: str, rows: tuple[str, ...] | list[str], sep: str = ",",
          newline: str = "\n") -> str:
    return newline.join([header.replace(",", sep)] + [r.replace(",", sep) for r in rows]) \
        + newline


def _write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _chain_frame() -> pd.DataFrame:
    return pd.DataFrame([r.split(",") for r in CHAIN_ROWS], columns=CHAIN_HEADER.split(","))


def _bars_frame() -> pd.DataFrame:
    return pd.DataFrame([r.split(",") for r in BARS_ROWS], columns=BARS_HEADER.split(","))


def _assert_two_iwm_quotes(chain: pd.DataFrame) -> None:
    assert len(chain) == 2
    assert chain[C.STRIKE].tolist() == [265.0, 265.0]
    assert chain[C.RIGHT].tolist() == ["C", "P"]
    assert chain[C.BID].tolist() == [1.10, 3.10]
    assert (chain[C.QUOTE_TIME] == QT_UTC).all()
    assert (chain[C.EXPIRY] == pd.Timestamp("2026-03-20")).all()
    assert chain.attrs["quote_status_counts"][C.QS_OK] == 2


def _assert_three_bars(bars: pd.DataFrame) -> None:
    assert list(bars.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]))
    assert bars[C.CLOSE].tolist() == [10.5, 11.0, 11.5]
    assert bars[C.VOLUME].tolist() == [100.0, 0.0, 200.0]  # zero volume is kept as is
    assert bars.attrs["nan_rows"] == []


def _expect_error(load, source, error: type[VolscreenError], fragment: str, name: str,
                  **kwargs) -> VolscreenError:
    with pytest.raises(error) as info:
        load(source, **kwargs)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(name), text
    assert fragment in text, text
    return info.value


# --- CSV text quirks: (file name, content) that must load as the two IWM quotes ----------
CHAIN_TEXT_OK = {
    "bom": "\ufeff" + _text(CHAIN_HEADER, CHAIN_ROWS),
    "crlf": _text(CHAIN_HEADER, CHAIN_ROWS, newline="\r\n"),
    "semicolon": _text(CHAIN_HEADER, CHAIN_ROWS, sep=";"),
    "tab": _text(CHAIN_HEADER, CHAIN_ROWS, sep="\t"),
    "blank_lines": CHAIN_HEADER + "\n\n" + CHAIN_ROWS[0] + "\n\n\n" + CHAIN_ROWS[1] + "\n\n",
    "trailing_commas_everywhere": _text(CHAIN_HEADER + ",", [r + "," for r in CHAIN_ROWS]),
    "trailing_commas_rows_only": _text(CHAIN_HEADER, [r + "," for r in CHAIN_ROWS]),
}


@pytest.mark.parametrize("case", sorted(CHAIN_TEXT_OK), ids=str)
def test_chain_text_quirks_load(tmp_path, case):
    _assert_two_iwm_quotes(load_chain(_write(tmp_path, f"{case}.csv", CHAIN_TEXT_OK[case])))


BARS_TEXT_OK = {
    "bom": "\ufeff" + _text(BARS_HEADER, BARS_ROWS),
    "crlf": _text(BARS_HEADER, BARS_ROWS, newline="\r\n"),
    "semicolon": _text(BARS_HEADER, BARS_ROWS, sep=";"),
    "tab": _text(BARS_HEADER, BARS_ROWS, sep="\t"),
    "blank_lines": BARS_HEADER + "\n\n" + "\n\n".join(BARS_ROWS) + "\n\n",
    "upper_case_header": _text(BARS_HEADER.upper(), BARS_ROWS),
    "trailing_commas_everywhere": _text(BARS_HEADER + ",", [r + "," for r in BARS_ROWS]),
    "trailing_commas_rows_only": _text(BARS_HEADER, [r + "," for r in BARS_ROWS]),
}


@pytest.mark.parametrize("case", sorted(BARS_TEXT_OK), ids=str)
def test_bars_text_quirks_load(tmp_path, case):
    _assert_three_bars(load_bars(_write(tmp_path, f"{case}.csv", BARS_TEXT_OK[case])))


# --- files that must fail: (loader, file name, content, error, message fragment) ---------
FILE_ERRORS = {
    "chain_duplicate_column": (load_chain, "dup.csv",
                               _text(CHAIN_HEADER + ",bid", [r + ",9.9" for r in CHAIN_ROWS]),
                               DataError, "duplicate column name(s) ['bid']"),
    "bars_duplicate_column": (load_bars, "dup.csv",
                              _text(BARS_HEADER + ",Close", [r + ",5" for r in BARS_ROWS]),
                              DataError, "duplicate column name(s) ['Close']"),
    "chain_extra_fields": (load_chain, "extra.csv",
                           _text(CHAIN_HEADER, [r + ",1,2" for r in CHAIN_ROWS]),
                           DataError, "more fields than the header"),
    "chain_header_only": (load_chain, "ho.csv", CHAIN_HEADER + "\n", EmptyDataError,
                          "no data rows"),
    "bars_header_only": (load_bars, "ho.csv", BARS_HEADER + "\n", EmptyDataError,
                         "no data rows"),
    "chain_only_newlines": (load_chain, "nl.csv", "\n\n\n", EmptyDataError, "empty"),
    "chain_not_gzip": (load_chain, "x.csv.gz", b"\x1f\x8bnot really gzip", UnreadableFileError,
                       "corrupt gzip"),
    "bars_not_gzip": (load_bars, "x.csv.gz", b"\x1f\x8bzz", UnreadableFileError, "corrupt gzip"),
}


@pytest.mark.parametrize("case", sorted(FILE_ERRORS), ids=str)
def test_bad_files_raise_one_line_errors(tmp_path, case):
    load, name, content, error, fragment = FILE_ERRORS[case]
    _expect_error(load, _write(tmp_path, name, content), error, fragment, name)


@pytest.mark.parametrize("load", [load_chain, load_bars], ids=["chain", "bars"])
def test_directory_and_missing_path(tmp_path, load):
    _expect_error(load, tmp_path, UnreadableFileError, "is a directory", tmp_path.name)
    _expect_error(load, tmp_path / "nope.csv", UnreadableFileError, "not found", "nope.csv")


# --- JSON shapes ----------------------------------------------------------------------
def _chain_records() -> list[dict[str, object]]:
    return [dict(zip(CHAIN_HEADER.split(","), r.split(","))) for r in CHAIN_ROWS]


JSON_ERRORS = {
    "list_of_numbers": ([1, 2, 3], DataError, "JSON quote 0 is not an object"),
    "list_of_strings": (["a", "b"], DataError, "JSON quote 0 is not an object"),
    "quotes_not_objects": ({"symbol": "IWM", "updated": "2026-02-02T16:00:00",
                            "underlyingPrice": 1, "quotes": [{"a": 1}, 2]},
                           DataError, "JSON quote 1 is not an object"),
    "delayed_options_not_a_list": ({"timestamp": "2026-02-02 21:00:00",
                                    "data": {"symbol": "IWM", "options": "none"}},
                                   DataError, "'data.options' is not a list"),
    "empty_list": ([], EmptyDataError, "no option quotes"),
    "empty_object": ({}, DataError, "no 'quotes', 'options'"),
    "nulls_everywhere": ([{k: None for k in CHAIN_HEADER.split(",")}] * 3, ChainSchemaError,
                         "unparseable date: an empty cell"),
}


@pytest.mark.parametrize("case", sorted(JSON_ERRORS), ids=str)
def test_chain_json_shapes_that_fail(tmp_path, case):
    payload, error, fragment = JSON_ERRORS[case]
    path = _write(tmp_path, "c.json", json.dumps(payload))
    _expect_error(load_chain, path, error, fragment, "c.json")


def test_chain_json_list_of_records_loads(tmp_path):
    _assert_two_iwm_quotes(load_chain(_write(tmp_path, "c.json", json.dumps(_chain_records()))))


def test_chain_json_nan_and_infinity_tokens(tmp_path):
    # Python's json reads NaN/Infinity; a missing bid is a status, an infinite ask an error
    text = json.dumps(_chain_records()).replace('"1.10"', "NaN")
    chain = load_chain(_write(tmp_path, "c.json", text))
    assert chain[C.QUOTE_STATUS].tolist() == [C.QS_NO_BID, C.QS_OK]
    assert np.isnan(chain[C.MID].iloc[0])


# --- dates: numbers as YYYYMMDD (never nanoseconds since 1970), formats, zones -----------
def test_chain_integer_expiry_is_yyyymmdd(tmp_path):
    rows = [r.replace("2026-03-20", "20260320") for r in CHAIN_ROWS]  # read as int64
    _assert_two_iwm_quotes(load_chain(_write(tmp_path, "c.csv", _text(CHAIN_HEADER, rows))))


def test_chain_integer_quote_date_is_yyyymmdd():
    chain = load_chain(_chain_frame().assign(quote_time=20260202))  # a date: 16:00 New York
    _assert_two_iwm_quotes(chain)


@pytest.mark.parametrize("value", [5, 2026.5, 99999999], ids=str)
def test_chain_other_numbers_in_a_date_column_are_errors(value):
    _expect_error(load_chain, _chain_frame().assign(expiry=value), ChainSchemaError,
                  "unparseable date", "<DataFrame>")


@pytest.mark.parametrize("expiry", ["2026-03-20", "03/20/2026", "20260320", "2026-03-20T00:00:00",
                                    "20-Mar-2026", "March 20, 2026"], ids=str)
def test_chain_expiry_string_formats(expiry):
    _assert_two_iwm_quotes(load_chain(_chain_frame().assign(expiry=expiry)))


BARS_DATES = {
    "int_yyyymmdd": [20240102, 20240103, 20240104],
    "mixed_formats": ["01/02/2024", "2024-01-03", "20240104"],
    "mixed_offsets": ["2024-01-02T00:00:00+00:00", "2024-01-03T00:00:00-05:00",
                      "2024-01-04T00:00:00-05:00"],
    "aware_and_naive": ["2024-01-02T00:00:00+00:00", "2024-01-03", "2024-01-04T09:30:00-05:00"],
}


@pytest.mark.parametrize("case", sorted(BARS_DATES), ids=str)
def test_bars_date_columns(case):
    _assert_three_bars(load_bars(_bars_frame().assign(Date=BARS_DATES[case])))


# --- non-finite and out-of-range numbers ------------------------------------------------
CHAIN_NUMBER_ERRORS = {
    "infinite_ask": ({"ask": [np.inf, 1.2]}, "infinite value", "ask"),
    "infinite_bid_and_ask": ({"bid": np.inf, "ask": np.inf}, "infinite value", "bid"),
    "infinite_strike": ({"strike": "inf"}, "infinite value", "strike"),
    "infinite_spot": ({"underlying_price": np.inf}, "infinite value", "underlying_price"),
    "minus_infinite_ask_text": ({"ask": "-Infinity"}, "infinite value", "ask"),
}


@pytest.mark.parametrize("case", sorted(CHAIN_NUMBER_ERRORS), ids=str)
def test_chain_non_finite_numbers_are_errors(case):
    change, fragment, column = CHAIN_NUMBER_ERRORS[case]
    err = _expect_error(load_chain, _chain_frame().assign(**change), ChainSchemaError, fragment,
                        "<DataFrame>")
    assert err.column == column


def test_chain_nan_token_in_a_csv_is_a_missing_value(tmp_path):
    rows = [CHAIN_ROWS[0].replace("1.10", "NaN"), CHAIN_ROWS[1]]
    chain = load_chain(_write(tmp_path, "c.csv", _text(CHAIN_HEADER, rows)))
    assert chain[C.QUOTE_STATUS].tolist() == [C.QS_NO_BID, C.QS_OK]


BARS_NUMBER_ERRORS = {
    "infinite_high": ("2024-01-05,11,inf,10,11,1", "infinite price", "high", 5),
    "negative_volume": ("2024-01-05,11,12,10,11,-5", "negative or infinite volume", "volume", 5),
    "infinite_volume": ("2024-01-05,11,12,10,11,Infinity", "negative or infinite volume",
                        "volume", 5),
}


@pytest.mark.parametrize("case", sorted(BARS_NUMBER_ERRORS), ids=str)
def test_bars_non_finite_numbers_are_errors(tmp_path, case):
    row, fragment, column, line = BARS_NUMBER_ERRORS[case]
    path = _write(tmp_path, "b.csv", _text(BARS_HEADER, list(BARS_ROWS) + [row]))
    err = _expect_error(load_bars, path, BarsSchemaError, fragment, "b.csv")
    assert (err.column, err.row) == (column, line)


def test_bars_nan_in_the_middle_is_removed_and_counted(tmp_path):
    rows = [BARS_ROWS[0], "2024-01-03,,,,,", BARS_ROWS[2], "2024-01-05,NaN,12,10,11,1"]
    bars = load_bars(_write(tmp_path, "b.csv", _text(BARS_HEADER, rows)))
    assert list(bars.index) == list(pd.to_datetime(["2024-01-02", "2024-01-04"]))
    assert bars.attrs["nan_rows"] == [3, 5]  # file lines


# --- strikes, roots, underlyings and settlement ----------------------------------------
@pytest.mark.parametrize("strike", ["1e12", "100000", "265.123456789", "0", "-5", ""],
                         ids=["huge", "above_occ_max", "many_decimals", "zero", "negative",
                              "missing"])
def test_chain_unlistable_strike_is_a_bad_strike_row(strike):
    chain = load_chain(_chain_frame().assign(strike=["265", strike]))
    assert len(chain) == 2  # kept, flagged and counted
    bad = chain[chain[C.QUOTE_STATUS] == C.QS_BAD_STRIKE]
    assert len(bad) == 1 and bad[C.CONTRACT_SYMBOL].isna().all()
    assert chain.attrs["quote_status_counts"][C.QS_BAD_STRIKE] == 1


def test_chain_strike_with_float_noise_is_fine():
    chain = load_chain(_chain_frame().assign(strike=20.5 + 1e-10))
    assert chain[C.CONTRACT_SYMBOL].tolist() == ["IWM260320C00020500", "IWM260320P00020500"]


def test_chain_root_too_long_names_the_file_and_line(tmp_path):
    rows = [CHAIN_ROWS[0] + ",IWM", CHAIN_ROWS[1] + ",TOOLONGROOT"]
    path = _write(tmp_path, "c.csv", _text(CHAIN_HEADER + ",root", rows))
    err = _expect_error(load_chain, path, ChainSchemaError, "'TOOLONGROOT' is not 1-6", "c.csv")
    assert (err.row, err.column) == (3, C.ROOT)


def test_chain_underlying_missing_on_some_rows_is_an_error():
    frame = _chain_frame().assign(underlying=["IWM", None], root="IWM")
    err = _expect_error(load_chain, frame, ChainSchemaError, "missing underlying symbol",
                        "<DataFrame>")
    assert (err.row, err.column) == (1, C.UNDERLYING)


def test_chain_lower_case_am_settlement_uses_the_0930_clock():
    # expiry day, 12:00 New York: past a 09:30 AM settlement, before a 16:00 PM one
    frame = _chain_frame().assign(expiry="2026-02-02", quote_time="2026-02-02 12:00",
                                  settlement=["am", " PM "])
    chain = load_chain(frame)
    assert chain[C.SETTLEMENT].tolist() == [C.AM, C.PM]
    assert chain[C.QUOTE_STATUS].tolist() == [C.QS_EXPIRED, C.QS_OK]


def test_chain_unknown_settlement_is_an_error():
    err = _expect_error(load_chain, _chain_frame().assign(settlement="XX"), ChainSchemaError,
                        "settlement 'XX' is not AM or PM", "<DataFrame>")
    assert err.column == C.SETTLEMENT


def test_chain_blank_settlement_takes_the_root_style():
    chain = load_chain(_chain_frame().assign(underlying="SPX", root="SPX", settlement=[None, ""]))
    assert chain[C.SETTLEMENT].tolist() == [C.AM, C.AM]


# --- bars given as DataFrames and numbered bars -----------------------------------------
def test_bars_frame_with_date_column_and_datetime_index():
    frame = _bars_frame()
    frame = frame.set_index(pd.to_datetime(frame["Date"]))  # index and column both dates
    before = frame.copy()
    _assert_three_bars(load_bars(frame))
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("bar", ["", "0.5"], ids=["missing", "fraction"])
def test_numbered_bars_need_whole_bar_numbers(tmp_path, bar):
    text = f"bar,open,high,low,close,volume\n{bar},1,2,0.5,1.5,1\n1,1,2,0.5,1.5,1\n"
    err = _expect_error(load_bars, _write(tmp_path, "t.csv", text), BarsSchemaError,
                        "not a whole number", "t.csv")
    assert (err.row, err.column) == (2, "bar")


def test_occ_symbol_formats_repeated_and_missing_expiries():
    from volscreen.loaders.occ import occ_symbol
    out = occ_symbol(["IWM", "IWM", "SPY"], ["2026-03-20", None, "2026-03-20"], "C", 265)
    assert out[0] == "IWM260320C00265000" and out[2] == "SPY260320C00265000"
    assert pd.isna(out[1])
