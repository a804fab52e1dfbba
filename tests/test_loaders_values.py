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
from volscreen.errors import BarsSchemaError, ChainSchemaError, ConfigError, VolscreenError
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
