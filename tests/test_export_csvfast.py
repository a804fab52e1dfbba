"""CSV export formatted with Arrow: byte for byte what pandas' ``to_csv`` writes.

The reference is ``DataFrame.to_csv(index=False, lineterminator="\\n")``
(:func:`volscreen.export.pandas_csv_text`); every case compares the fast
writer's text with it exactly.  Tests of the fast writer skip without pyarrow.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from _screen_data import hand_result
from conftest import FIXTURES, shared_path
from volscreen import _csvfast, export
from volscreen.export import csv_text, export_frame, neutralize_formulas, pandas_csv_text

SAMPLE_CHAIN = FIXTURES / "iwm_chain_sample.csv"
SAMPLE_BARS = FIXTURES / "iwm_bars_sample.csv"


def fast(table: pd.DataFrame) -> str:
    """The Arrow writer's text; the test skips without pyarrow, fails on a fallback."""
    pytest.importorskip("pyarrow", reason="the fast CSV writer needs pyarrow")
    text = _csvfast.csv_text(table)
    assert text is not None, "the table went to pandas, not the fast writer"
    return text


def assert_same_csv(table: pd.DataFrame) -> None:
    """Fast writer == pandas, and csv_text of the table == pandas' text of its export."""
    assert fast(table) == pandas_csv_text(table)
    exported = neutralize_formulas(export_frame(table))
    assert csv_text(table) == pandas_csv_text(exported)


# ---------------------------------------------------------------- real screen tables
@pytest.fixture(scope="module")
def sample_result():
    if not (SAMPLE_CHAIN.exists() and SAMPLE_BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    from volscreen import load_bars, load_chain
    from volscreen.screening import screen

    return screen(load_chain(SAMPLE_CHAIN), load_bars(SAMPLE_BARS), targets=[245, 275])


@pytest.mark.parametrize("table", export.TABLES, ids=list(export.TABLES))
def test_sample_screen_tables(sample_result, table: str) -> None:
    frame = export.result_table(sample_result, table)
    assert_same_csv(neutralize_formulas(export_frame(frame)))
    assert csv_text(frame) == pandas_csv_text(neutralize_formulas(export_frame(frame)))


@pytest.mark.parametrize("table", ["candidates", "summary", "warnings"])
def test_hand_built_tables(table: str) -> None:
    # summary: nullable boolean, a formula to escape, a missing quote time
    frame = export.result_table(hand_result(), table)
    assert_same_csv(neutralize_formulas(export_frame(frame)))


@pytest.mark.shared
def test_real_chain_candidates_and_surface() -> None:
    from volscreen.screening import screen

    chain = shared_path("chains", "iwm_yf_cboegreeks_2026-07-14_1555ET.json")
    bars = shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv")
    result = screen(chain, bars)
    for table in ("candidates", "summary", "term_structure", "surface"):
        assert_same_csv(neutralize_formulas(export_frame(getattr(result, table))))


# ---------------------------------------------------------------- floats
def _near(x: float) -> list[float]:
    """x and its neighbours one and two units in the last place away, both signs."""
    below = np.nextafter(x, 0.0)
    above = np.nextafter(x, np.inf)
    near = [x, float(below), float(above), float(np.nextafter(below, 0.0)),
            float(np.nextafter(above, np.inf))]
    return near + [-v for v in near]


SWITCH_POINTS = [1e-4, 1e-5, 1e-6, 1e-7, 1e10, 1e15, 1e16, 1e17, 2.0 ** 53, 1.0, 0.5]
"""Python's notation switches at 1e-4 and 1e16, Arrow's at 1e-6 (or so) and 1e10."""
SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 2.2250738585072014e-308,
           1.7976931348623157e308, 0.1, 0.3, 2.5e-07, 9.5e15, 123456789012345.6]
FLOATS = st.one_of(
    st.floats(width=64, allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.sampled_from(SPECIAL + [v for x in SWITCH_POINTS for v in _near(x)]),
    st.integers(10 ** 15 - 10 ** 4, 10 ** 17 + 10 ** 4).map(float),  # integral, both notations
    st.integers(-(10 ** 17), 10 ** 17).map(float),
    st.integers(0, 2 ** 64 - 1).map(lambda bits: float(np.uint64(bits).view(np.float64))),
    st.floats(1e-9, 1e-3), st.floats(1e9, 1e18),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=120))
def test_floats_as_pandas_writes_them(values: list[float]) -> None:
    x = np.array(values, dtype=np.float64)
    repeated = np.resize(x[: max(1, len(x) // 4)], len(x))  # few distinct: the gathered path
    frame = pd.DataFrame({"x": x, "repeated": repeated, "negated": -x})
    assert fast(frame) == pandas_csv_text(frame)


@pytest.mark.parametrize("seed", [0, 1], ids=["seed0", "seed1"])
def test_many_floats_of_every_magnitude(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 50_000
    scaled = rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)
    integral = np.round(rng.standard_normal(n) * 10.0 ** rng.integers(0, 19, n))
    bits = rng.integers(0, 2 ** 63, n, dtype=np.int64).view(np.float64)  # NaNs with payloads too
    cents = np.round(rng.uniform(0, 500, n), 2)
    frame = pd.DataFrame({"scaled": scaled, "integral": integral, "bits": bits, "cents": cents,
                          "flag": rng.integers(0, 2, n).astype(bool)})
    assert fast(frame) == pandas_csv_text(frame)


def test_zero_signs_stay_apart_in_a_repeated_column() -> None:
    x = np.array([0.0, -0.0] * 50 + [1.0])
    text = fast(pd.DataFrame({"x": x, "y": 1}))
    assert text.splitlines()[1:3] == ["0.0,1", "-0.0,1"]
    assert text == pandas_csv_text(pd.DataFrame({"x": x, "y": 1}))


# ---------------------------------------------------------------- text
EDGE_TEXT = ["plain", "a,b", 'say "hi"', '"', "two\nlines", "cr\rin", "crlf\r\n", "\n", "",
             None, "=1+1", "+x", "-3", "@SUM(A1)", "\tz", "\rq", "'quoted'", " lead space",
             "trailing ", "ünïcödé", "日本語", "emoji 😀", "a,\"b\"\nc", "\x00nul", "\x85",
             "\u2028", "semi;colon"]


@pytest.mark.parametrize("dtype", ["object", "str", "string[python]", "string[pyarrow]"],
                         ids=["object", "str", "string-python", "string-pyarrow"])
def test_text_edge_cases(dtype: str) -> None:
    if "pyarrow" in dtype:
        pytest.importorskip("pyarrow", reason="Arrow-backed strings need pyarrow")
    frame = pd.DataFrame({"text": pd.Series(EDGE_TEXT, dtype=dtype),
                          "n": np.arange(len(EDGE_TEXT))})
    assert_same_csv(frame)
    assert_same_csv(neutralize_formulas(frame))


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]"], ids=["str", "string-pyarrow"])
def test_text_of_concatenated_frames(dtype: str) -> None:
    # a screen's tables are stacked from one frame per task: Arrow-backed text columns
    # arrive in several chunks and must still take the fast writer
    pytest.importorskip("pyarrow", reason="Arrow-backed strings need pyarrow")
    parts = [pd.DataFrame({"text": pd.Series([f"T{i}", "a,b", None], dtype=dtype),
                           "x": [0.1 * i, np.nan, 1e-7]}) for i in range(3)]
    frame = pd.concat(parts, ignore_index=True)
    if isinstance(frame["text"].array, pd.arrays.ArrowStringArray):
        assert frame["text"].array._pa_array.num_chunks > 1  # the case under test
    assert_same_csv(frame)


def test_text_with_missing_as_nan_and_na() -> None:
    frame = pd.DataFrame({"object": pd.Series(["a", np.nan, None, pd.NA, "b,c"], dtype=object),
                          "na": pd.Series(["x", None, "", '"', "y"], dtype="string")})
    assert_same_csv(frame)


@pytest.mark.parametrize("labels", [["a,b", 'q"t'], ["new\nline", "carriage\rreturn"],
                                    ["", "ünï"]],
                         ids=["comma-quote", "line-ends", "empty-unicode"])
def test_header_labels_quoted_as_pandas_does(labels: list[str]) -> None:
    frame = pd.DataFrame([[1.5, "x"], [np.nan, None]], columns=labels)
    assert_same_csv(frame)


def test_duplicate_labels_by_position() -> None:
    frame = pd.DataFrame([[1.5, "x", 2], [np.nan, None, 3]], columns=["same", "same", "n"])
    assert fast(frame) == pandas_csv_text(frame)


def test_quote_characters_are_the_csv_modules() -> None:
    # every code point of the Basic Multilingual Plane (no surrogates) and some beyond
    points = [p for p in range(0x10000) if not 0xD800 <= p <= 0xDFFF]
    points += [0x1F600, 0x10FFFF]
    cells = [f"a{chr(p)}b" for p in points]
    assert_same_csv(pd.DataFrame({"cell": pd.Series(cells, dtype=object), "n": 0}))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    quoted = []
    for char in map(chr, points):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([char, "x"])
        if buffer.getvalue().startswith('"'):
            quoted.append(char)
    assert set(quoted) == set(_csvfast.QUOTE_CHARS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6),
                          st.sampled_from([",", '"', "\n", "\r", "=", "-"])),
                min_size=1, max_size=12),
       st.sampled_from(["object", "str"]))
def test_generated_text(cells: list, dtype: str) -> None:
    frame = neutralize_formulas(pd.DataFrame({"t": pd.Series(cells, dtype=dtype),
                                              "n": range(len(cells))}))
    assert fast(frame) == pandas_csv_text(frame)


# ---------------------------------------------------------------- other dtypes, no rows
def test_integers_and_booleans() -> None:
    frame = pd.DataFrame({
        "i64": np.array([-(2 ** 63), 0, 2 ** 63 - 1]), "u64": np.array([0, 1, 2 ** 64 - 1],
                                                                       dtype=np.uint64),
        "i8": np.array([-128, 0, 127], dtype=np.int8), "bool": [True, False, True],
        "Int64": pd.array([1, None, -3], dtype="Int64"),
        "boolean": pd.array([None, True, False], dtype="boolean"),
        "object_ints": pd.Series([1, None, 3], dtype=object),
        "object_bools": pd.Series([True, np.nan, False], dtype=object),
    })
    assert_same_csv(frame)


def test_a_table_with_no_rows() -> None:
    frame = pd.DataFrame({"f": pd.Series([], dtype=np.float64), "i": pd.Series([], dtype=int),
                          "b": pd.Series([], dtype=bool), "s": pd.Series([], dtype="str"),
                          "o": pd.Series([], dtype=object), "a,b": pd.Series([], dtype=float)})
    assert fast(frame) == 'f,i,b,s,o,"a,b"\n'
    assert_same_csv(frame)
    exported = neutralize_formulas(export_frame(frame))
    assert csv_text(frame) == pandas_csv_text(exported)


UNHANDLED = {
    "float32": pd.DataFrame({"x": np.array([0.1, np.nan], dtype=np.float32), "y": 1}),
    "Float64": pd.DataFrame({"x": pd.array([0.1, None], dtype="Float64"), "y": 1}),
    "category": pd.DataFrame({"x": pd.Categorical(["a", "b"]), "y": 1}),
    "datetime": pd.DataFrame({"x": pd.to_datetime(["2026-01-02", None]), "y": 1}),
    "timedelta": pd.DataFrame({"x": pd.to_timedelta([1, 2], unit="D"), "y": 1}),
    "object-floats": pd.DataFrame({"x": pd.Series([1, 2.5], dtype=object), "y": 1}),
    "object-mixed": pd.DataFrame({"x": pd.Series(["a", 1], dtype=object), "y": 1}),
    "object-huge-int": pd.DataFrame({"x": pd.Series([2 ** 64, 1], dtype=object), "y": 1}),
    "one-column": pd.DataFrame({"x": ["", None]}),
    "int-labels": pd.DataFrame({0: [1.0], 1: [2.0]}),
    "two-level-labels": pd.DataFrame([[1.0, 2.0]], columns=pd.MultiIndex.from_tuples(
        [("a", "b"), ("a", "c")])),
}


@pytest.mark.parametrize("name", list(UNHANDLED), ids=list(UNHANDLED))
def test_unhandled_tables_go_to_pandas(name: str) -> None:
    pytest.importorskip("pyarrow", reason="the fast CSV writer needs pyarrow")
    frame = UNHANDLED[name]
    assert _csvfast.csv_text(frame) is None
    if frame.columns.nlevels == 1:
        exported = neutralize_formulas(export_frame(frame))
        assert csv_text(frame) == pandas_csv_text(exported)


# ---------------------------------------------------------------- without pyarrow
def test_without_pyarrow_pandas_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = export.result_table(hand_result(), "candidates")
    want = pandas_csv_text(neutralize_formulas(export_frame(frame)))
    written: list[pd.DataFrame] = []

    def reference(table: pd.DataFrame) -> str:
        written.append(table)
        return pandas_csv_text(table)

    monkeypatch.setattr(export, "pandas_csv_text", reference)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    assert _csvfast.csv_text(neutralize_formulas(export_frame(frame))) is None
    assert csv_text(frame) == want
    assert len(written) == 1


def test_csv_file_is_the_text(tmp_path: Path) -> None:
    path = export.write_result(hand_result(), tmp_path / "c.csv")
    frame = export.result_table(hand_result(), "candidates")
    assert path.read_bytes() == pandas_csv_text(
        neutralize_formulas(export_frame(frame))).encode("utf-8")
