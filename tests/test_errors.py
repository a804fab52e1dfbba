"""Error messages show cell values as a user wrote them, and out-of-range dates are errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import volscreen
from volscreen.errors import shown

HEADER = ("underlying,root,contract_symbol,quote_time,expiry,settlement,strike,right,bid,ask,"
          "last,volume,open_interest,underlying_price,multiplier")


@pytest.mark.parametrize("value, expected", [
    pytest.param(np.int64(-1), "-1", id="numpy-int"),
    pytest.param(np.float64(2.5), "2.5", id="numpy-float"),
    pytest.param(np.str_("abc"), "'abc'", id="numpy-str"),
    pytest.param("abc", "'abc'", id="str"),
    pytest.param(7, "7", id="int"),
    pytest.param(np.float64("nan"), "an empty cell", id="nan"),
    pytest.param(None, "an empty cell", id="none"),
    pytest.param(pd.NA, "an empty cell", id="pandas-na"),
    pytest.param(pd.NaT, "an empty cell", id="nat"),
])
def test_shown(value: object, expected: str) -> None:
    assert shown(value) == expected


def _chain(tmp_path: Path, symbol: str, expiry: str) -> Path:
    row = (f"IWM,IWM,{symbol},2026-03-06T21:00:00+00:00,{expiry},PM,250.0,C,1.0,1.2,,,,258.1,"
           "100.0")
    path = tmp_path / "chain.csv"
    path.write_text(f"{HEADER}\n{row}\n")
    return path


@pytest.mark.parametrize("fast", [True, False], ids=["canonical-shortcut", "general-path"])
@pytest.mark.parametrize("expiry, text", [
    pytest.param("-1", "-1", id="year-minus-one"),
    pytest.param("9999-01-01", "'9999-01-01'", id="beyond-2262"),
    pytest.param("1500-01-01", "'1500-01-01'", id="before-1677"),
])
def test_out_of_range_expiry_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 fast: bool, expiry: str, text: str) -> None:
    import volscreen.loaders.chain as chain_module

    monkeypatch.setattr(chain_module, "FAST_CANONICAL_CSV", fast)
    with pytest.raises(volscreen.ChainSchemaError) as info:
        volscreen.load_chain(_chain(tmp_path, "IWM260320C00250000", expiry))
    message = str(info.value)
    assert "row 2" in message and "'expiry'" in message
    assert f"unparseable date: {text} " in message and "\n" not in message


def test_missing_symbol_is_named_as_an_empty_cell(tmp_path: Path) -> None:
    with pytest.raises(volscreen.ChainSchemaError, match="not an OCC option symbol: an empty cell"):
        volscreen.load_chain(_chain(tmp_path, "", "2026-03-20"))
