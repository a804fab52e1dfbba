"""The canonical-Parquet shortcut against the general loading pipeline.

:func:`volscreen.loaders.canonical_parquet.load_canonical_parquet` may only
return what the general pipeline returns, or decline.  Every test loads the
same Parquet file with the shortcut on and off
(``chain.FAST_CANONICAL_PARQUET``) and asserts identical frames (values,
dtypes, column order, attrs) or identical errors:

1. ``save_chain`` Parquet of every real chain in ../shared/data/chains, where
   the shortcut must also be taken (unless a row has no symbol);
2. hand-edited tables (one id per edit): other dtypes, missing values,
   times of day in expiries, other time zones, text the CSV shortcut declines;
3. hypothesis-generated edits of a small canonical chain.

Reading Parquet needs pyarrow: without it these files do not load at all.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _shortcut_check import EXTRA, assert_same_both_ways, load_with, small_chain
from conftest import shared_files, shared_path
from volscreen import columns as C
from volscreen.loaders import load_chain, save_chain
from volscreen.loaders.canonical_parquet import load_canonical_parquet

pytest.importorskip("pyarrow")


def _load(path, fast: bool, **kwargs):
    """load_chain with the shortcut on or off: the frame, or (error class, message)."""
    return load_with("FAST_CANONICAL_PARQUET", path, fast, **kwargs)


def assert_same(path, **kwargs) -> object:
    """Both paths give the same frame (or error); returns the fast one."""
    return assert_same_both_ways("FAST_CANONICAL_PARQUET", path, **kwargs)


def shortcut_taken(path) -> bool:
    return load_canonical_parquet(pd.read_parquet(path), path.name, 0.5) is not None


# --- 1. save_chain Parquet of every real chain ----------------------------------------

@pytest.mark.parametrize("name", shared_files("chains"), ids=str)
def test_saved_real_chain_loads_the_same(tmp_path, name):
    chain = load_chain(shared_path("chains", name), **EXTRA.get(name, {}))
    path = save_chain(chain, tmp_path / "chain.parquet")
    fast = assert_same(path)
    pd.testing.assert_frame_equal(fast, chain, check_exact=True)
    assert shortcut_taken(path) == bool(chain[C.CONTRACT_SYMBOL].notna().all())


# --- a small canonical chain for the edits below ------------------------------------

SMALL = small_chain()


def _write(tmp_path, frame: pd.DataFrame, name: str = "chain.parquet", **kwargs):
    path = tmp_path / name
    frame.to_parquet(path, index=kwargs.pop("index", False), **kwargs)
    return path


def test_small_chain_takes_the_shortcut(tmp_path):
    path = save_chain(SMALL, tmp_path / "small.parquet")
    assert shortcut_taken(path)
    chain = assert_same(path)
    pd.testing.assert_frame_equal(chain, SMALL, check_exact=True)
    assert chain.attrs["format"] == "canonical"
    assert chain.attrs["quote_status_counts"]["crossed"] == 1


def _set(column: str, row: int, value: object):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        try:  # keeps the column's dtype (a NaT in datetime64[ns], None in str)
            out.loc[row, column] = value
        except TypeError:
            out[column] = out[column].astype(object)
            out.loc[row, column] = value
        return out
    return edit


def _column(column: str, convert):
    return lambda frame: frame.assign(**{column: convert(frame[column])})


TAKEN, DECLINED = True, False
EDITS = {
    # name: (edit of SMALL, whether the shortcut must take the file)
    "quote_time_new_york": (_column(C.QUOTE_TIME,
                                    lambda s: s.dt.tz_convert("America/New_York")), TAKEN),
    "quote_time_naive": (_column(C.QUOTE_TIME, lambda s: s.dt.tz_localize(None)), DECLINED),
    "quote_time_microseconds": (_column(C.QUOTE_TIME, lambda s: s.dt.as_unit("us")), DECLINED),
    "quote_time_text": (_column(C.QUOTE_TIME, lambda s: s.astype(str)), DECLINED),
    "quote_time_missing": (_set(C.QUOTE_TIME, 3, pd.NaT), DECLINED),
    "expiry_with_time": (_set(C.EXPIRY, 3, pd.Timestamp("2026-03-20 10:00")), DECLINED),
    "expiry_missing": (_set(C.EXPIRY, 3, pd.NaT), DECLINED),
    "expiry_2100": (_set(C.EXPIRY, 3, pd.Timestamp("2100-03-20")), DECLINED),
    "expiry_1999": (_set(C.EXPIRY, 3, pd.Timestamp("1999-03-19")), DECLINED),
    "expiry_microseconds": (_column(C.EXPIRY, lambda s: s.dt.as_unit("us")), DECLINED),
    "expiry_text": (_column(C.EXPIRY, lambda s: s.dt.strftime("%Y-%m-%d")), DECLINED),
    "expiry_utc": (_column(C.EXPIRY, lambda s: s.dt.tz_localize("UTC")), DECLINED),
    "symbol_disagrees": (_set(C.CONTRACT_SYMBOL, 3, "IWM260320C00999000"), TAKEN),
    "symbol_missing": (_set(C.CONTRACT_SYMBOL, 3, None), DECLINED),
    "symbol_lower_case": (_set(C.CONTRACT_SYMBOL, 3, "iwm260320c00250000"), DECLINED),
    "root_lower_case": (_set(C.ROOT, 3, "iwm"), DECLINED),
    "underlying_missing": (_set(C.UNDERLYING, 3, None), DECLINED),
    "right_word": (_set(C.RIGHT, 3, "call"), DECLINED),
    "settlement_lower": (_set(C.SETTLEMENT, 3, "am"), DECLINED),
    "bid_negative": (_set(C.BID, 3, -1.0), DECLINED),
    "ask_infinite": (_set(C.ASK, 3, np.inf), DECLINED),
    "strike_unlistable": (_set(C.STRIKE, 3, 250.0005), DECLINED),
    "multiplier_missing": (_set(C.MULTIPLIER, 3, np.nan), TAKEN),
    "volume_int": (_column(C.VOLUME, lambda s: s.fillna(0).astype(np.int64)), TAKEN),
    "bid_text": (_column(C.BID, lambda s: s.astype(str)), DECLINED),
    "vendor_bool": (lambda f: f.assign(vendor_flag=f[C.STRIKE] > 255), TAKEN),
    "vendor_numeric_text": (lambda f: f.assign(vendor_x=f[C.STRIKE].astype(str)), TAKEN),
    "vendor_int": (lambda f: f.assign(vendor_n=np.arange(len(f))), TAKEN),
    "derived_stale": (lambda f: f.assign(**{C.MID: 1.0, C.QUOTE_STATUS: "ok"}), TAKEN),
    "derived_dropped": (lambda f: f.drop(columns=[C.MID, C.SPREAD, C.SPREAD_PCT,
                                                  C.QUOTE_STATUS]), TAKEN),
    "columns_reordered": (lambda f: f[[C.ROOT, C.UNDERLYING, *f.columns[2:]]], DECLINED),
    "extra_column": (lambda f: f.assign(note="x"), DECLINED),
    "rows_reversed": (lambda f: f.iloc[::-1].reset_index(drop=True), TAKEN),
    "row_repeated": (lambda f: pd.concat([f, f.iloc[[4]]], ignore_index=True), DECLINED),
    "conflicting_repeat": (lambda f: pd.concat(
        [f, f.iloc[[4]].assign(**{C.BID: 0.5})], ignore_index=True), DECLINED),
    "index_written": (lambda f: f.set_index(pd.Index(np.arange(len(f))[::-1] * 3)), TAKEN),
}


@pytest.mark.parametrize("case", sorted(EDITS), ids=str)
def test_edited_table_loads_as_general_path(tmp_path, case):
    edit, taken = EDITS[case]
    path = _write(tmp_path, edit(SMALL), index=case == "index_written")
    assert shortcut_taken(path) == taken
    assert_same(path)


def test_arguments_use_the_general_path(tmp_path):
    path = save_chain(SMALL, tmp_path / "small.parquet")
    for kwargs in ({"underlying": "SPY"}, {"quote_time": "2026-03-06 15:30"},
                   {"wide_threshold": 0.05}, {"format": "parquet"}, {"format": "canonical"}):
        assert_same(path, **kwargs)


# --- 3. generated edits -------------------------------------------------------------

VALUES = {
    C.UNDERLYING: st.sampled_from(["IWM", "iwm", " IWM", "SPY", None]),
    C.ROOT: st.sampled_from(["IWM", "IWMW", "iwm", "", None]),
    C.CONTRACT_SYMBOL: st.sampled_from(["IWM260320C00250000", "IWM260320P00255000",
                                        "IWM 260320C00250000", "X", None]),
    C.SETTLEMENT: st.sampled_from(["AM", "PM", "pm", "", None]),
    C.RIGHT: st.sampled_from(["C", "P", "c", "put", None]),
    C.STRIKE: st.sampled_from([250.0, 255.0, 0.0, -5.0, 1e6, np.nan]),
    C.BID: st.floats(-1, 20) | st.just(np.nan),
    C.ASK: st.floats(-1, 20) | st.just(np.nan),
    C.MULTIPLIER: st.sampled_from([100.0, 10.0, 0.0, np.nan]),
    C.EXPIRY: st.sampled_from([pd.Timestamp("2026-03-20"), pd.Timestamp("2026-03-06"),
                               pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-20 09:00"),
                               pd.NaT]),
    C.QUOTE_TIME: st.sampled_from([pd.Timestamp("2026-03-06 21:00", tz="UTC"),
                                   pd.Timestamp("2026-03-20 20:00", tz="UTC"), pd.NaT]),
}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(SMALL) - 1), st.sampled_from(sorted(VALUES))
                                ).flatmap(lambda rc: st.tuples(st.just(rc[0]), st.just(rc[1]),
                                                               VALUES[rc[1]])), max_size=3))
def test_generated_edits_load_as_general_path(tmp_path, edits):
    frame = SMALL
    for row, column, value in edits:
        frame = _set(column, row, value)(frame)
    assert frame[C.EXPIRY].dtype == "datetime64[ns]"
    assert frame[C.QUOTE_TIME].dtype == "datetime64[ns, UTC]"
    assert_same(_write(tmp_path, frame))
