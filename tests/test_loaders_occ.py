"""OCC symbols: published examples and a parse/emit round trip."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen.errors import ChainSchemaError
from volscreen.loaders import occ_symbol, parse_occ

# symbol -> (root, expiry, right, strike), read off the OCC/OSI layout by hand
EXAMPLES = {
    "IWM260320C00265000": ("IWM", "2026-03-20", "C", 265.0),
    "SPXW  190426C00800000": ("SPXW", "2019-04-26", "C", 800.0),
    "SPXW190426P02900000": ("SPXW", "2019-04-26", "P", 2900.0),
    "VXX161202C00020500": ("VXX", "2016-12-02", "C", 20.5),
    "A160115P00020000": ("A", "2016-01-15", "P", 20.0),
    "spy210129p00345000": ("SPY", "2021-01-29", "P", 345.0),
    "BRKB  261218C00500500": ("BRKB", "2026-12-18", "C", 500.5),
}


@pytest.mark.parametrize("symbol", sorted(EXAMPLES), ids=str)
def test_parse_examples(symbol):
    root, expiry, right, strike = EXAMPLES[symbol]
    row = parse_occ([symbol]).iloc[0]
    assert (row[C.ROOT], row[C.EXPIRY], row[C.RIGHT], row[C.STRIKE]) == (
        root, pd.Timestamp(expiry), right, strike)


def test_emit_examples():
    got = occ_symbol(["IWM", "SPXW", "VXX"], ["2026-03-20", "2019-04-26", "2016-12-02"],
                     ["call", "P", "c"], [265, 2900, 20.5])
    assert got.tolist() == ["IWM260320C00265000", "SPXW190426P02900000", "VXX161202C00020500"]


@pytest.mark.parametrize("bad", ["IWM", "IWM260320X00265000", "TOOLONGR260320C00265000",
                                 "IWM261320C00265000", ""], ids=repr)
def test_malformed_symbols_raise_or_coerce(bad):
    with pytest.raises(ChainSchemaError):
        parse_occ(["IWM260320C00265000", bad])
    coerced = parse_occ(["IWM260320C00265000", bad], errors="coerce")
    assert coerced[C.STRIKE].isna().tolist() == [False, True]


@pytest.mark.parametrize("strike", [0.0, -5.0, 100000.0, 1.0001], ids=str)
def test_unrepresentable_strike_raises(strike):
    with pytest.raises(ChainSchemaError):
        occ_symbol("IWM", "2026-03-20", "C", strike)


@settings(max_examples=300, deadline=None)
@given(
    root=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6),
    expiry=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    right=st.sampled_from(["C", "P"]),
    thousandths=st.integers(min_value=1, max_value=99_999_999),
    padded=st.booleans(),
)
def test_round_trip(root, expiry, right, thousandths, padded):
    strike = thousandths / 1000
    symbol = occ_symbol(root, expiry, right, strike).item()
    assert len(symbol) == len(root) + 15
    text = root.ljust(6) + symbol[len(root):] if padded else symbol
    row = parse_occ([text]).iloc[0]
    assert (row[C.ROOT], row[C.EXPIRY].date(), row[C.RIGHT], row[C.STRIKE]) == (
        root, expiry, right, strike)
    assert occ_symbol(row[C.ROOT], row[C.EXPIRY], row[C.RIGHT], row[C.STRIKE]).item() == symbol
