"""The canonical-CSV shortcut against the general loading pipeline.

:func:`volscreen.loaders.canonical_csv.load_canonical_csv` may only return
what the general pipeline returns, or decline.  Every test here loads the
same file twice, once with the shortcut and once with it switched off
(``chain.FAST_CANONICAL_CSV = False``), and asserts identical frames
(values, dtypes, column order, attrs) or identical errors:

1. ``save_chain`` output of every real chain in ../shared/data/chains, where
   the shortcut must also be taken (unless a row has no symbol);
2. files written the way ``scripts/bench_screen.py`` writes its perturbed
   chains (pyarrow CSV: nanosecond time stamps, quoted text, symbols that
   disagree with a renamed root);
3. hand-broken canonical files, one id per defect;
4. hypothesis-generated edits of a small canonical file.
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
from volscreen.loaders.canonical_csv import load_canonical_csv


def _load(path, fast: bool, **kwargs):
    """load_chain with the shortcut on or off: the frame, or (error class, message)."""
    return load_with("FAST_CANONICAL_CSV", path, fast, **kwargs)


def assert_same(path, **kwargs) -> object:
    """Both paths give the same frame (or error); returns the fast one."""
    return assert_same_both_ways("FAST_CANONICAL_CSV", path, **kwargs)


def shortcut_taken(path) -> bool:
    from volscreen.loaders import _io
    raw = _io.read_csv_text(_io.read_any(path)[1], path.name)
    return load_canonical_csv(raw, path.name, 0.5) is not None


# --- 1. save_chain output of every real chain -------------------------------------

@pytest.mark.parametrize("name", shared_files("chains"), ids=str)
def test_saved_real_chain_loads_the_same(tmp_path, name):
    chain = load_chain(shared_path("chains", name), **EXTRA.get(name, {}))
    path = save_chain(chain, tmp_path / "chain.csv")
    fast = assert_same(path)
    # the round trip holds through the shortcut too (attrs aside: source and format)
    pd.testing.assert_frame_equal(fast, chain, check_exact=True)
    # taken unless a row has no symbol (an unlistable strike: general path)
    assert shortcut_taken(path) == bool(chain[C.CONTRACT_SYMBOL].notna().all())


# --- a small canonical chain for the edits below ------------------------------------

@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> str:
    """The small chain as save_chain writes it (CSV text)."""
    folder = tmp_path_factory.mktemp("small")
    return save_chain(small_chain(), folder / "small.csv").read_text()


def _write(tmp_path, text: str, name: str = "chain.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_small_chain_takes_the_shortcut(tmp_path, small_csv):
    path = _write(tmp_path, small_csv)
    assert shortcut_taken(path)
    chain = assert_same(path)
    gz = save_chain(chain, tmp_path / "small.csv.gz")
    assert shortcut_taken(gz)
    pd.testing.assert_frame_equal(assert_same(gz), chain, check_exact=True)
    assert chain.attrs["quote_status_counts"]["crossed"] == 1
    assert chain.attrs["quote_status_counts"]["no_bid"] == 1


def _edit_cell(text: str, row: int, column: str, value: str) -> str:
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n"


BROKEN = {
    # (row, column, new cell text); row 1 is the first data line
    "symbol_disagrees_with_strike": (3, "contract_symbol", "IWM260320C00999000"),
    "symbol_malformed": (3, "contract_symbol", "IWM26032C00250000"),
    "symbol_impossible_date": (3, "contract_symbol", "IWM261340C00250000"),
    "symbol_lower_case": (3, "contract_symbol", "iwm260320c00250000"),
    "symbol_padded": (3, "contract_symbol", "IWM   260320C00250000"),
    "symbol_blank": (3, "contract_symbol", ""),
    "symbol_unicode_digits": (3, "contract_symbol", "IWM260320C00\u0662\u0665\u0660000"),
    "symbol_unicode_digits_own_strike": (3, "contract_symbol",
                                         "IWM260320C00\u0662\u0665\u0665000"),
    "symbol_unicode_date": (3, "contract_symbol", "IWM\u0662\u0660\u0660320C00255000"),
    "expiry_unicode_digits": (3, "expiry", "\u0662\u0660\u0662\u0666-03-20"),
    "root_blank": (3, "root", ""),
    "root_lower_case": (3, "root", "iwm"),
    "root_too_long": (3, "root", "IWMIWMX"),
    "underlying_caret": (3, "underlying", "^iwm"),
    "settlement_blank": (3, "settlement", ""),
    "settlement_lower": (3, "settlement", "am"),
    "settlement_bad": (3, "settlement", "XX"),
    "right_word": (3, "right", "call"),
    "right_bad": (3, "right", "Cx"),
    "expiry_us_format": (3, "expiry", "03/20/2026"),
    "expiry_bad": (3, "expiry", "2026-02-30"),
    "expiry_with_time": (3, "expiry", "2026-03-20 00:00:00"),
    "expiry_after_2099": (3, "expiry", "2100-03-20"),
    "strike_zero": (3, "strike", "0"),
    "strike_unlistable": (3, "strike", "250.0005"),
    "strike_text": (3, "strike", "abc"),
    "bid_negative": (3, "bid", "-1"),
    "bid_thousands": (3, "bid", '"1,234"'),
    "ask_infinite": (3, "ask", "inf"),
    "ask_blank": (3, "ask", ""),
    "multiplier_blank": (3, "multiplier", ""),
    "multiplier_zero": (3, "multiplier", "0"),
    "volume_bool": (3, "volume", "True"),
    "quote_time_bad": (3, "quote_time", "yesterday"),
    "quote_time_naive": (3, "quote_time", "2026-03-06 15:00"),
    "quote_time_blank": (3, "quote_time", ""),
    "quote_time_out_of_range": (3, "quote_time", "-1"),
    "quote_time_year_9999": (3, "quote_time", "9999-01-01 10:00"),
    "vendor_iv_percent": (3, "vendor_iv", "21%"),
    "vendor_text_first_number": (1, "vendor_source", "7"),
}


@pytest.mark.parametrize("case", sorted(BROKEN), ids=str)
def test_hand_broken_file_loads_as_general_path(tmp_path, small_csv, case):
    row, column, value = BROKEN[case]
    assert_same(_write(tmp_path, _edit_cell(small_csv, row, column, value)))


def test_symbol_disagreeing_keeps_file_symbols_as_vendor_symbol(tmp_path, small_csv):
    row, column, value = BROKEN["symbol_disagrees_with_strike"]
    path = _write(tmp_path, _edit_cell(small_csv, row, column, value))
    assert shortcut_taken(path)
    chain = assert_same(path)
    assert C.VENDOR_SYMBOL in chain.columns
    assert value in set(chain[C.VENDOR_SYMBOL])
    assert value not in set(chain[C.CONTRACT_SYMBOL])


def _rows(text: str) -> tuple[str, list[str]]:
    lines = text.splitlines()
    return lines[0], lines[1:]


def test_duplicate_rows_and_unsorted_rows(tmp_path, small_csv):
    header, rows = _rows(small_csv)
    identical = _write(tmp_path, "\n".join([header, *rows, rows[4]]) + "\n", "dup.csv")
    assert assert_same(identical).attrs["duplicates_dropped"] == 1
    conflict_row = rows[4].replace(rows[4].split(",")[8], "0.5", 1)
    conflict = _write(tmp_path, "\n".join([header, *rows, conflict_row]) + "\n", "dup2.csv")
    assert assert_same(conflict)[0] == "DuplicateContractError"
    shuffled = _write(tmp_path, "\n".join([header, *rows[::-1]]) + "\n", "rev.csv")
    assert shortcut_taken(shuffled)
    assert assert_same(shuffled)[C.CONTRACT_SYMBOL].tolist() == \
        _load(_write(tmp_path, small_csv, "orig.csv"), False)[C.CONTRACT_SYMBOL].tolist()


def test_derived_columns_in_input_are_ignored(tmp_path, small_csv):
    header, rows = _rows(small_csv)
    cut = header.split(",").index("mid")
    stale = [",".join(r.split(",")[:cut] + ["1", "2", "3", "ok"] + r.split(",")[cut + 4:])
             for r in rows]
    path = _write(tmp_path, "\n".join([header, *stale]) + "\n")
    assert shortcut_taken(path)
    assert assert_same(path)[C.QUOTE_STATUS].tolist() == \
        _load(_write(tmp_path, small_csv, "orig.csv"), True)[C.QUOTE_STATUS].tolist()


def test_other_headers_and_arguments_use_the_general_path(tmp_path, small_csv):
    header, rows = _rows(small_csv)
    upper = _write(tmp_path, "\n".join([header.upper(), *rows]) + "\n", "upper.csv")
    assert not shortcut_taken(upper)
    assert_same(upper)
    path = _write(tmp_path, small_csv)
    assert_same(path, underlying="SPY")
    assert_same(path, quote_time="2026-03-06 15:30")
    assert_same(path, wide_threshold=0.05)


# --- 2. the screen benchmark's files (pyarrow CSV, renamed root) ---------------------

def test_bench_style_pyarrow_file(tmp_path):
    pa_csv = pytest.importorskip("pyarrow.csv")
    import pyarrow as pa
    chain = small_chain()
    frame = chain[[c for c in chain.columns if c not in (C.MID, C.SPREAD, C.SPREAD_PCT,
                                                         C.QUOTE_STATUS)]]
    frame = frame.assign(**{C.UNDERLYING: "T0001", C.ROOT: "T0001"})  # symbols say IWM
    path = tmp_path / "T0001.csv"
    pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)
    assert shortcut_taken(path)
    loaded = assert_same(path)
    assert loaded[C.CONTRACT_SYMBOL].str.startswith("T0001").all()
    assert loaded[C.VENDOR_SYMBOL].str.startswith("IWM").all()


# --- 4. generated edits -------------------------------------------------------------

CELLS = st.sampled_from(["", "0", "-1", "1.5", "abc", "C", "P", "PM", "AM", "IWM", "iwm",
                         "2026-03-20", "2026-03-06 16:00", "IWM260320C00250000", "inf",
                         '"1,000"', "True", "260.5"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(1, 16), st.integers(0, 20), CELLS), max_size=3),
       reverse=st.booleans())
def test_generated_edits_load_as_general_path(tmp_path, small_csv, edits, reverse):
    header, rows = _rows(small_csv)
    names = header.split(",")
    text = small_csv
    for row, col, value in edits:
        text = _edit_cell(text, row, names[col % len(names)], value)
    header, rows = _rows(text)
    if reverse:
        rows = rows[::-1]
    assert_same(_write(tmp_path, "\n".join([header, *rows]) + "\n"))


def test_assert_same_sees_a_difference(tmp_path, small_csv, monkeypatch):
    """The comparison above can fail: a shortcut that changed one mid is caught."""
    import volscreen.loaders.canonical_csv as module
    original = module.quote_arrays

    def shifted(*args, **kwargs):
        mid, spread, pct, code = original(*args, **kwargs)
        return np.where(np.arange(len(mid)) == 5, mid + 1e-9, mid), spread, pct, code

    monkeypatch.setattr(module, "quote_arrays", shifted)
    with pytest.raises(AssertionError):
        assert_same(_write(tmp_path, small_csv))


# --- 5. the Arrow helpers against pandas and NumPy ------------------------------------

TEXTS = st.lists(st.sampled_from(["IWM", "SPXW", "C", "P", "2026-03-20", "é", "", None]),
                 min_size=1, max_size=40)


@settings(max_examples=80, deadline=None)
@given(values=TEXTS, few=st.booleans())
def test_arrow_codes_are_pandas_factorize(values, few):
    """Codes and distinct values read from Arrow are pd.factorize's (None if a cell is missing)."""
    from volscreen.loaders._canonical_text import _arrow_text
    pa = pytest.importorskip("pyarrow")
    series = pd.Series(values, dtype="str")
    got = _arrow_text(pa.array(series.array), len(series), few)
    if series.isna().any():
        assert got is None
        return
    codes, uniques = pd.factorize(series)
    assert got is not None
    assert got[1] == uniques.tolist()
    np.testing.assert_array_equal(got[0], codes)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=1, max_size=30),
       edit=st.one_of(st.none(), st.tuples(st.integers(0, 29), st.sampled_from(
           ["X", "IWM260320C0025000", "IWM260320C002500000", "IWM260320P00250000"]))))
def test_arrow_symbol_check_is_the_numpy_comparison(rows, edit):
    """The in-buffer symbol check says True exactly when head + digits equals every symbol."""
    from volscreen.loaders._canonical_text import _arrow_same
    pytest.importorskip("pyarrow")
    heads = ["IWM260320C", "IWM260320P", "IWM260417C"]
    digits = ["00250000", "00250500", "00001000", "12345678"]
    head_of = np.array([h for h, _ in rows])
    strike_of = np.array([d for _, d in rows])
    symbols = [heads[h] + digits[d] for h, d in rows]
    if edit is not None and edit[0] < len(symbols):
        symbols[edit[0]] = edit[1]
    series = pd.Series(symbols, dtype="str")
    expected = [heads[h] + digits[d] for h, d in rows] == symbols
    assert _arrow_same(series, heads, head_of, digits, strike_of) is expected
    # sliced Arrow data (a non-zero offset into the buffers) reads the right rows
    tail = series.iloc[1:].reset_index(drop=True)
    if len(tail):
        expected_tail = [heads[h] + digits[d] for h, d in rows[1:]] == symbols[1:]
        assert _arrow_same(tail, heads, head_of[1:], digits, strike_of[1:]) is expected_tail


@settings(max_examples=80, deadline=None)
@given(keys=st.lists(st.integers(0, 50), min_size=1, max_size=60), big=st.booleans())
def test_dense_codes_and_repeated_are_numpy_unique(keys, big):
    """Table codes are np.unique's inverse, with the table and with the hashing route."""
    from volscreen.loaders import _canonical_text as text
    values = np.array(keys, dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        if big:  # the hashing route of a key range too large for a table
            patch.setattr(text, "DENSE_LIMIT", 10)
        codes, uniques = text.dense_codes(values, 51)
        twice = text.repeated(values, 51)
    expected_uniques, expected_codes = np.unique(values, return_inverse=True)
    np.testing.assert_array_equal(uniques, expected_uniques)
    np.testing.assert_array_equal(codes, expected_codes)
    assert twice is (len(expected_uniques) < len(values))


@settings(max_examples=80, deadline=None)
@given(values=TEXTS, few=st.booleans(), storage=st.sampled_from(["pyarrow", "python"]))
def test_text_codes_of_arrays_are_pandas_factorize(values, few, storage):
    """_text on a column's array (either storage) gives pd.factorize's codes and values."""
    from volscreen.loaders._canonical_text import _text
    if storage == "pyarrow":
        pytest.importorskip("pyarrow")
    array = pd.array(values, dtype=pd.StringDtype(storage, na_value=np.nan))
    got = _text(array, few)
    if pd.isna(array).any():
        assert got is None
        return
    codes, uniques = pd.factorize(array)
    assert got is not None
    assert got[1] == uniques.tolist()
    np.testing.assert_array_equal(got[0], codes)


@pytest.mark.parametrize("second", ["quote_time", "underlying", "both"], ids=str)
def test_two_chains_in_one_file(tmp_path, small_csv, second):
    """Rows of a second quote time or underlying: the same contracts are no duplicates."""
    header, rows = _rows(small_csv)
    names = header.split(",")
    col = {c: names.index(c) for c in (C.QUOTE_TIME, C.UNDERLYING, C.ROOT, C.CONTRACT_SYMBOL)}
    other = []
    for row in rows:
        cells = row.split(",")
        if second in ("quote_time", "both"):
            cells[col[C.QUOTE_TIME]] = cells[col[C.QUOTE_TIME]].replace("T21:00", "T20:30")
        if second in ("underlying", "both"):
            cells[col[C.UNDERLYING]] = "IWMX"
        other.append(",".join(cells))
    path = _write(tmp_path, "\n".join([header, *other, *rows]) + "\n", "two.csv")
    assert shortcut_taken(path)
    fast = assert_same(path)
    assert len(fast) == 2 * len(rows) and fast.attrs["duplicates_dropped"] == 0


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.sampled_from(["C", "P", "p", "CALL", "PP", "", None]), min_size=1,
                       max_size=30),
       storage=st.sampled_from(["pyarrow", "python"]), offset=st.booleans())
def test_puts_only_for_rights_c_and_p(values, storage, offset):
    """_puts: 1 for P and 0 for C when every right is exactly one of them, else None."""
    from volscreen.loaders.canonical_csv import _puts
    if storage == "pyarrow":
        pytest.importorskip("pyarrow")
    array = pd.array(["C", *values], dtype=pd.StringDtype(storage, na_value=np.nan))
    if offset:  # a slice: Arrow data at a non-zero offset
        array = array[1:]
    else:
        values = ["C", *values]
    got = _puts(array)
    if all(v in ("C", "P") for v in values):
        assert got is not None
        np.testing.assert_array_equal(got, [int(v == "P") for v in values])
    else:
        assert got is None


@settings(max_examples=60, deadline=None)
@given(codes=st.lists(st.integers(0, 7), max_size=20),
       firsts=st.lists(st.sampled_from(["cboe", "2026-07-14", "1.5", "18.2%", "True", " ", None]),
                       min_size=1, max_size=4))
def test_frame_helpers_are_the_pandas_route(codes, firsts):
    """_frame is the dict constructor, _status_text is status_text, _text_vendor memoises
    _first_cell_is_text exactly (the same column asked twice, then others)."""
    from volscreen.loaders._canonical_frame import _frame, _status_text, _text_vendor
    from volscreen.loaders._vendor import _first_cell_is_text
    from volscreen.loaders.quotes import status_text
    code = np.array(codes, dtype=np.int8)
    status = _status_text(code)
    expected = status_text(code)
    assert status.dtype == expected.dtype and list(status) == list(expected)
    n = len(codes)
    arrays = [np.arange(n, dtype=np.float64), status,
              pd.array(np.arange(n).astype("datetime64[ns]")).tz_localize("UTC"),
              np.arange(n).astype("datetime64[ns]"), pd.array(np.ones(n, dtype=bool))]
    names = ["a", "b", "c", "d", "e"]
    built = _frame(arrays, names, n)
    reference = pd.DataFrame(dict(zip(names, arrays)), index=pd.RangeIndex(n), copy=False)
    pd.testing.assert_frame_equal(built, reference, check_exact=True)
    assert list(built.dtypes) == list(reference.dtypes)
    for first in [*firsts, *firsts]:
        column = pd.array([first, "x"], dtype="str")
        for col in ("vendor_source", "vendor_iv"):
            assert _text_vendor(column, col) is _first_cell_is_text(
                pd.Series(column), col == "vendor_iv")
