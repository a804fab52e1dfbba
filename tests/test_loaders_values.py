"""load_chain / load_bars: cell spellings, keyword checks, headers and value ranges.

Each case pins either the loaded values or a VolscreenError subclass whose
one-line message names the file (and the row/column where there is one).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from volscreen import columns as C
from volscreen.errors import ChainSchemaError, ConfigError, VolscreenError
from volscreen.loaders import load_bars, load_chain
from volscreen.loaders.occ import parse_occ

CHAIN_HEADER = "underlying,quote_time,expiry,strike,right,bid,ask,underlying_price"
CHAIN_ROWS = ("IWM,2026-02-02 16:00,2026-03-20,265,C,1.10,1.20,262.2",
              "IWM,2026-02-02 16:00,2026-03-20,265,P,3.10,3.20,262.2")
QT_UTC = pd.Timestamp("2026-02-02 21:00", tz="UTC")  # 16:00 New York


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _chain_frame() -> pd.DataFrame:
    return pd.DataFrame([r.split(",") for r in CHAIN_ROWS], columns=CHAIN_HEADER.split(","))


def _expect_error(load, source, error: type[VolscreenError], fragment: str, name: str,
                  **kwargs) -> VolscreenError:
    with pytest.raises(error) as info:
        load(source, **kwargs)
    text = str(info.value)
    assert type(info.value) is error, text
    assert "\n" not in text
    assert text.startswith(name), text
    assert fragment in text, text
    return info.value


# --- thousands separators ----------------------------------------------------------------
# (header, row, column, expected value); pandas reads the quoted comma cells as text
THOUSANDS_OK = {
    "quoted_strike": ("underlying,quote_time,expiry,strike,right,bid,ask",
                      'SPX,2026-02-02,2026-03-20,"5,250",C,1.1,1.2', C.STRIKE, 5250.0),
    "quoted_volume_decimals": ("underlying,quote_time,expiry,strike,right,bid,ask,volume",
                               'IWM,2026-02-02,2026-03-20,265,C,1.1,1.2,"12,345.0"',
                               C.VOLUME, 12345.0),
    "millions_open_interest": ("underlying,quote_time,expiry,strike,right,bid,ask,open_interest",
                               'IWM,2026-02-02,2026-03-20,265,C,1.1,1.2,"1,234,567"',
                               C.OPEN_INTEREST, 1234567.0),
    "semicolon_file_unquoted": ("underlying;quote_time;expiry;strike;right;bid;ask;"
                                "underlying_price",
                                "SPX;2026-02-02;2026-03-20;5000;C;1.1;1.2;5,012.25",
                                C.UNDERLYING_PRICE, 5012.25),
    "signed_spot": ("underlying;quote_time;expiry;strike;right;bid;ask;underlying_price",
                    "SPX;2026-02-02;2026-03-20;5000;C;1.1;1.2;+5,012", C.UNDERLYING_PRICE,
                    5012.0),
}


@pytest.mark.parametrize("case", sorted(THOUSANDS_OK), ids=str)
def test_chain_thousands_separators_are_read(tmp_path, case):
    header, row, column, expected = THOUSANDS_OK[case]
    chain = load_chain(_write(tmp_path, "c.csv", header + "\n" + row + "\n"))
    assert chain[column].iloc[0] == expected


# cells that look like grouped numbers but are not: the clean error stays
@pytest.mark.parametrize("cell", ["1,23", "12,3456", ",123", "1,234,", "1.234,5", "1 234"],
                         ids=["short_group", "long_group", "leading_comma", "trailing_comma",
                              "european", "space_grouping"])
def test_chain_malformed_grouping_is_an_error(tmp_path, cell):
    text = ("underlying;quote_time;expiry;strike;right;bid;ask;volume\n"
            f"IWM;2026-02-02;2026-03-20;265;C;1.1;1.2;{cell}\n")
    err = _expect_error(load_chain, _write(tmp_path, "c.csv", text), ChainSchemaError,
                        "non-numeric", "c.csv")
    assert (err.row, err.column) == (2, C.VOLUME)


def test_bars_thousands_separators_are_read(tmp_path):
    text = 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,"1,250,000"\n'
    bars = load_bars(_write(tmp_path, "b.csv", text))
    assert bars[C.VOLUME].iloc[0] == 1_250_000.0


# --- percent strings in vendor IV columns --------------------------------------------------
# vendor column -> (cells, expected decimals); only explicit '%' cells are divided by 100
PERCENT_IV = {
    "vendor_iv": (["18.2%", "21.05 %"], [0.182, 0.2105]),
    "vendor_iv_bid": (["17.5%", None], [0.175, np.nan]),
    "vendor_iv_mean": (["0.5%", "120%"], [0.005, 1.2]),
    "vendor_implied_volatility": (["18.2%", "0.19"], [0.182, 0.19]),
    "vendor_iv_numbers_kept": (["18.2", "25"], [18.2, 25.0]),  # no guessing: as written
}


@pytest.mark.parametrize("case", sorted(PERCENT_IV), ids=str)
def test_vendor_iv_percent_strings_become_decimals(case):
    cells, expected = PERCENT_IV[case]
    column = "vendor_iv" if case == "vendor_iv_numbers_kept" else case
    chain = load_chain(_chain_frame().assign(**{column: cells}))
    assert chain[column].dtype == np.float64
    np.testing.assert_allclose(chain[column].to_numpy(), expected, rtol=1e-15)


def test_percent_strings_outside_iv_columns_stay_text():
    chain = load_chain(_chain_frame().assign(vendor_note=["18.2%", "x"], vendor_chg=["5%", "1%"]))
    assert chain["vendor_note"].tolist() == ["18.2%", "x"]
    assert chain["vendor_chg"].tolist() == ["5%", "1%"]


def test_percent_iv_survives_a_csv_round_trip(tmp_path):
    from volscreen.loaders import save_chain
    chain = load_chain(_chain_frame().assign(vendor_iv=["18.2%", "19%"]))
    back = load_chain(save_chain(chain, tmp_path / "c.csv"))
    pd.testing.assert_frame_equal(back, chain, check_exact=True)


def test_percent_iv_from_a_json_vendor_file(tmp_path):
    records = [dict(zip(CHAIN_HEADER.split(","), r.split(",")), iv=iv)
               for r, iv in zip(CHAIN_ROWS, ["18.2%", "19.9%"])]
    chain = load_chain(_write(tmp_path, "c.json", json.dumps(records)))
    np.testing.assert_allclose(chain["vendor_iv"].to_numpy(), [0.182, 0.199], rtol=1e-15)


# --- booleans are not numbers ---------------------------------------------------------------
@pytest.mark.parametrize("column,values", [
    (C.STRIKE, [True, True]), (C.STRIKE, np.array([True, False])), (C.BID, [1.1, False]),
    (C.VOLUME, [True, 3]),
], ids=["strike_bool_list", "strike_bool_dtype", "bid_false", "volume_true"])
def test_chain_bool_in_a_numeric_column_is_an_error(column, values):
    frame = _chain_frame().assign(**{column: values})
    err = _expect_error(load_chain, frame, ChainSchemaError, "non-numeric", "<DataFrame>")
    assert err.column == column


def test_chain_json_bool_strike_is_an_error(tmp_path):
    records = [dict(zip(CHAIN_HEADER.split(","), r.split(","))) for r in CHAIN_ROWS]
    records[1]["strike"] = True
    err = _expect_error(load_chain, _write(tmp_path, "c.json", json.dumps(records)),
                        ChainSchemaError, "non-numeric", "c.json")
    assert (err.row, err.column) == (1, C.STRIKE)


# --- keyword arguments: ConfigError naming the argument, before any reading ---------------
ARGUMENT_ERRORS = {
    "wide_threshold_text": ({"wide_threshold": "abc"}, "wide_threshold='abc' must be a number"),
    "wide_threshold_zero": ({"wide_threshold": 0}, "wide_threshold=0 must be a finite"),
    "wide_threshold_nan": ({"wide_threshold": float("nan")}, "wide_threshold=nan must be"),
    "wide_threshold_bool": ({"wide_threshold": True}, "wide_threshold=True must be a number"),
    "spot_text": ({"underlying_price": "abc"}, "underlying_price='abc' must be a number"),
    "spot_negative": ({"underlying_price": -262.2}, "underlying_price=-262.2 must be a finite"),
    "spot_infinite": ({"underlying_price": float("inf")}, "underlying_price=inf must be"),
    "quote_time_text": ({"quote_time": "yesterday-ish"}, "quote_time='yesterday-ish' is not"),
    "quote_time_bool": ({"quote_time": True}, "quote_time=True is not a date"),
    "quote_time_number": ({"quote_time": 5}, "quote_time=5 is not a date"),
    "format_unknown": ({"format": "bloomberg"},
                       "format='bloomberg' is not a known chain format (valid: canonical, hod,"),
    "format_not_text": ({"format": 3}, "format=3 is not a known chain format"),
    "columns_list": ({"columns": ["strike"]}, "columns= must be a mapping"),
    "columns_bad_target": ({"columns": {"K": "stirke"}}, "'stirke' is not a chain column"),
    "columns_target_not_text": ({"columns": {"K": 1}}, "the target must be a canonical"),
    "columns_key_not_text": ({"columns": {1: "strike"}}, "columns= key 1 is not a column"),
    "columns_two_onto_one": ({"columns": {"K": "strike", "Str": "strike"}},
                             "more than one column onto 'strike'"),
    "underlying_blank": ({"underlying": ""}, "underlying='' must be a non-empty"),
    "underlying_not_text": ({"underlying": 7}, "underlying=7 must be a non-empty"),
}


@pytest.mark.parametrize("case", sorted(ARGUMENT_ERRORS), ids=str)
def test_chain_keyword_errors_name_the_argument(case):
    kwargs, fragment = ARGUMENT_ERRORS[case]
    with pytest.raises(ConfigError) as info:
        load_chain(_chain_frame(), **kwargs)
    assert fragment in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_chain_keyword_checked_before_the_file_is_read(tmp_path):
    with pytest.raises(ConfigError, match="wide_threshold"):
        load_chain(tmp_path / "absent.csv", wide_threshold="abc")


@pytest.mark.parametrize("kwargs", [
    {"wide_threshold": np.float32(0.25)}, {"wide_threshold": 1}, {"underlying_price": 262},
    {"underlying_price": np.float64(262.2)}, {"quote_time": pd.Timestamp("2026-02-02 16:00")},
    {"quote_time": "2026-02-02 16:00"}, {"quote_time": 20260202}, {"format": " Canonical "},
    {"columns": {"bid": "BID"}},
], ids=["f32_threshold", "int_threshold", "int_spot", "np_spot", "timestamp", "text_time",
        "yyyymmdd_time", "format_case", "columns_target_case"])
def test_chain_valid_keyword_values_are_accepted(kwargs):
    chain = load_chain(_chain_frame(), **kwargs)
    assert len(chain) == 2 and (chain[C.QUOTE_TIME] == QT_UTC).all()


# --- header case: canonical names and columns= keys match in any case ---------------------
HEADER_CASES = {
    "upper": CHAIN_HEADER.upper(),
    "title": ",".join(w.title() for w in CHAIN_HEADER.split(",")),
    "mixed_with_blanks": " UNDERLYING ,Quote_Time,Expiry,STRIKE,Right,Bid,ASK,Underlying_Price",
}


@pytest.mark.parametrize("case", sorted(HEADER_CASES), ids=str)
def test_chain_canonical_headers_in_any_case(tmp_path, case):
    text = HEADER_CASES[case] + "\n" + "\n".join(CHAIN_ROWS) + "\n"
    chain = load_chain(_write(tmp_path, "c.csv", text))
    assert chain.attrs["format"] == "canonical"
    assert chain[C.CONTRACT_SYMBOL].tolist() == ["IWM260320C00265000", "IWM260320P00265000"]
    assert chain[C.UNDERLYING_PRICE].tolist() == [262.2, 262.2]
    assert (chain[C.QUOTE_TIME] == QT_UTC).all()


def test_chain_exact_canonical_name_wins_over_a_folded_one():
    frame = _chain_frame().assign(BID=["9.0", "9.0"])  # exact 'bid' kept, 'BID' is vendor
    chain = load_chain(frame)
    assert chain[C.BID].tolist() == [1.10, 3.10]
    assert chain["vendor_bid"].tolist() == [9.0, 9.0]


def test_chain_columns_mapping_keys_match_in_any_case(tmp_path):
    path = _write(tmp_path, "broker.csv", "SYM,EXP,K,CP,B,A\nIWM,2026-03-20,265,C,3.10,3.16\n")
    chain = load_chain(path, quote_time="2026-03-06 16:00",
                       columns={"sym": "underlying", "Exp": "expiry", "k": "strike",
                                "cp": "right", "b": "bid", "a": "ask"})
    assert chain[C.CONTRACT_SYMBOL].tolist() == ["IWM260320C00265000"]


HOD_HEADER = ("underlying,underlying_last,optionroot,type,expiration,quotedate,strike,bid,ask,"
              "impliedvol")
HOD_ROW = "SPX,2957.5,SPXW190719C02950000,call,07/19/2019,06/21/2019,2950,60.1,61.2,0.12"
DN_HEADER = ("UnderlyingSymbol,UnderlyingPrice,OptionSymbol,Type,Expiration,DataDate,Strike,Bid,"
             "Ask,IVMean")
DN_ROW = "A,40.55,A160115C00040000,call,01/15/2016,01/05/2016,40,1.1,1.2,0.3"


@pytest.mark.parametrize("header,row,fmt", [(HOD_HEADER, HOD_ROW, "hod"),
                                            (DN_HEADER, DN_ROW, "deltaneutral")],
                         ids=["hod", "deltaneutral"])
def test_vendor_formats_still_detected_by_exact_headers(tmp_path, header, row, fmt):
    chain = load_chain(_write(tmp_path, "v.csv", f"{header}\n{row}\n"))
    assert chain.attrs["format"] == fmt
    assert C.VENDOR_IV in chain.columns and chain[C.RIGHT].tolist() == [C.CALL]


# --- contract_symbol standing in for expiry / strike / right --------------------------------
SYMBOLS = ["IWM260320C00265000", "IWM260320P00265000", "SPXW260320C05250500",
           "SPX   260417P04800000"]


def test_chain_from_contract_symbols_only(tmp_path):
    rows = [f"{s},{'SPX' if 'SPX' in s else 'IWM'},2026-02-02 16:00,1.10,1.20" for s in SYMBOLS]
    path = _write(tmp_path, "s.csv", "contract_symbol,underlying,quote_time,bid,ask\n"
                  + "\n".join(rows) + "\n")
    chain = load_chain(path)
    assert chain.attrs["format"] == "canonical"
    oracle = parse_occ(SYMBOLS)  # the OCC parser, tested on its own in test_loaders_occ
    oracle.index = [s.replace(" ", "") for s in SYMBOLS]
    got = chain.set_index(C.CONTRACT_SYMBOL)[[C.ROOT, C.EXPIRY, C.RIGHT, C.STRIKE]]
    pd.testing.assert_frame_equal(got.sort_index(), oracle.sort_index(), check_names=False,
                                  check_dtype=False)
    assert dict(zip(chain[C.ROOT], chain[C.SETTLEMENT])) == {"IWM": C.PM, "SPXW": C.PM,
                                                             "SPX": C.AM}
    assert (chain[C.QUOTE_STATUS] == C.QS_OK).all()


def test_chain_from_symbols_values_per_row(tmp_path):
    path = _write(tmp_path, "s.csv", "CONTRACT_SYMBOL,Quote_Time,BID,ASK\n"
                  "SPXW260320C05250500,2026-02-02 16:00,10.0,10.4\n")
    row = load_chain(path).iloc[0]
    assert (row[C.UNDERLYING], row[C.ROOT], row[C.EXPIRY], row[C.RIGHT], row[C.STRIKE]) == (
        "SPXW", "SPXW", pd.Timestamp("2026-03-20"), C.CALL, 5250.5)
    assert row[C.SETTLEMENT] == C.PM


@pytest.mark.parametrize("symbol,fragment", [
    ("IWM26032C00265000", "not an OCC option symbol"), ("", "not an OCC option symbol"),
    ("IWM261320C00265000", "invalid expiry date"), ("TOOLONGX260320C00265000", "not an OCC"),
], ids=["short_date", "blank", "month_13", "root_too_long"])
def test_chain_bad_symbol_names_row_and_column(tmp_path, symbol, fragment):
    path = _write(tmp_path, "s.csv", "contract_symbol,underlying,quote_time,bid,ask\n"
                  "IWM260320C00265000,IWM,2026-02-02 16:00,1.1,1.2\n"
                  f"{symbol},IWM,2026-02-02 16:00,1.1,1.2\n")
    err = _expect_error(load_chain, path, ChainSchemaError, fragment, "s.csv")
    assert (err.row, err.column) == (3, C.CONTRACT_SYMBOL)


def test_chain_zero_strike_symbol_is_a_bad_strike_row(tmp_path):
    path = _write(tmp_path, "s.csv", "contract_symbol,underlying,quote_time,bid,ask\n"
                  "IWM260320C00000000,IWM,2026-02-02 16:00,1.1,1.2\n")
    assert load_chain(path)[C.QUOTE_STATUS].tolist() == [C.QS_BAD_STRIKE]


# --- values out of range: errors naming file, row and column ------------------------------
# (column, cells, message fragment, 0-based DataFrame row)
RANGE_ERRORS = {
    "negative_spot": (C.UNDERLYING_PRICE, ["262.2", "-262.2"], "underlying price not above", 1),
    "zero_spot": (C.UNDERLYING_PRICE, ["0", "262.2"], "underlying price not above zero", 0),
    "negative_volume": (C.VOLUME, ["5", "-1"], "negative volume", 1),
    "negative_open_interest": (C.OPEN_INTEREST, ["-3", "10"], "negative open interest", 0),
    "zero_multiplier": (C.MULTIPLIER, ["100", "0"], "multiplier not above zero", 1),
    "negative_multiplier": (C.MULTIPLIER, ["-100", "100"], "multiplier not above zero", 0),
    "right_cx": (C.RIGHT, ["C", "Cx"], "right 'Cx' is not call/put", 1),
    "right_calls": (C.RIGHT, ["calls", "P"], "right 'calls' is not call/put", 0),
    "right_pt": (C.RIGHT, ["C", "Pt"], "right 'Pt' is not call/put", 1),
    "right_blank": (C.RIGHT, ["C", ""], "right '' is not call/put", 1),
}


@pytest.mark.parametrize("case", sorted(RANGE_ERRORS), ids=str)
def test_chain_out_of_range_values_are_errors(case):
    column, cells, fragment, row = RANGE_ERRORS[case]
    err = _expect_error(load_chain, _chain_frame().assign(**{column: cells}), ChainSchemaError,
                        fragment, "<DataFrame>")
    assert (err.row, err.column) == (row, column)


def test_chain_out_of_range_in_a_csv_names_the_line(tmp_path):
    rows = [CHAIN_ROWS[0] + ",7", CHAIN_ROWS[1] + ",-7"]
    path = _write(tmp_path, "c.csv", CHAIN_HEADER + ",open_interest\n" + "\n".join(rows) + "\n")
    err = _expect_error(load_chain, path, ChainSchemaError, "negative open interest", "c.csv")
    assert (err.row, err.column) == (3, C.OPEN_INTEREST)


@pytest.mark.parametrize("cells", [["c", "p"], [" CALL ", "put"], ["Call", "Put"]],
                         ids=["lower", "padded_words", "title_words"])
def test_chain_rights_accepted_spellings(cells):
    assert load_chain(_chain_frame().assign(right=cells))[C.RIGHT].tolist() == [C.CALL, C.PUT]


def test_chain_zero_volume_and_missing_multiplier_are_fine():
    chain = load_chain(_chain_frame().assign(volume=["0", ""], multiplier=[None, "10"]))
    assert chain[C.VOLUME].tolist()[0] == 0.0 and np.isnan(chain[C.VOLUME].iloc[1])
    assert chain[C.MULTIPLIER].tolist() == [100.0, 10.0]
