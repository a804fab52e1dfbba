"""JSON export text: byte for byte ``json.dumps(doc, indent=2, allow_nan=False)``.

The references are the standard library's indented encoder (for
:func:`volscreen._jsontext.dumps`) and the cell-by-cell ``_plain`` (for the
column-wise :func:`volscreen.result.records`).
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from _screen_data import hand_result
from conftest import FIXTURES
from volscreen import export
from volscreen._jsonrecords import Records
from volscreen._jsontext import dumps
from volscreen.result import _plain, records


def reference_dumps(obj: object) -> str:
    return json.dumps(obj, indent=2, allow_nan=False)


def reference_records(frame: pd.DataFrame) -> list[dict]:
    names = [str(c) for c in frame.columns]
    return [{n: _plain(v) for n, v in zip(names, row)} for row in frame.to_numpy(dtype=object)]


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6))
KEYS = st.one_of(st.text(max_size=4), st.integers(-5, 5), st.booleans(), st.none(),
                 st.floats(allow_nan=False, allow_infinity=False))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4),
    st.tuples(inner, inner)), max_leaves=25)


@settings(max_examples=2000, deadline=None)
@given(DOCUMENTS)
def test_generated_documents_as_json_dumps_writes_them(doc: object) -> None:
    assert dumps(doc) == reference_dumps(doc)


@pytest.mark.parametrize("doc", [
    {}, [], {"a": []}, {"a": {}}, [[], {}], {"rows": [{}]}, 1.5, "text", None,
    {"x": "line\nbreak \"quoted\" \u00e9\u2028"}, {1: "int key", 2.5: "float key", None: 0},
    {"deep": {"a": [1, [2, [3, {"b": None}]]]}}, (1, (2, 3)),
], ids=["empty-dict", "empty-list", "empty-list-value", "empty-dict-value", "empty-nested",
        "empty-record", "float", "str", "none", "escapes", "non-str-keys", "deep", "tuples"])
def test_edge_documents(doc: object) -> None:
    assert dumps(doc) == reference_dumps(doc)


@pytest.mark.parametrize("bad", [{"a": math.nan}, [1.0, math.inf], {"a": [-math.inf]},
                                 {math.nan: 1}],
                         ids=["nan-value", "inf-in-flat-list", "inf-nested", "nan-key"])
def test_non_finite_numbers_are_refused_like_allow_nan_false(bad: object) -> None:
    with pytest.raises(ValueError):
        reference_dumps(bad)
    with pytest.raises(ValueError):
        dumps(bad)


@pytest.mark.parametrize("bad", [{"a": {1, 2}}, {(1, 2): 3}, [object()]],
                         ids=["set-value", "tuple-key", "object"])
def test_unencodable_values_raise_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        reference_dumps(bad)
    with pytest.raises(TypeError):
        dumps(bad)


def frame_of_every_kind() -> pd.DataFrame:
    n = 6
    return pd.DataFrame({
        "f64": [0.1, -0.0, np.nan, np.inf, -np.inf, 1e-300],
        "f32": np.array([0.1, np.nan, 3.5, -1.25, 7.0, 1e30], dtype=np.float32),
        "i64": np.arange(n, dtype=np.int64) - 3,
        "u8": np.arange(n, dtype=np.uint8),
        "flag": [True, False] * 3,
        "str": pd.Series(["a", None, "c,d", "", "=x", "é"], dtype="str"),
        "obj_text": np.array(["a", "b", "c", "d", "e", "f"], dtype=object),
        "obj_mixed": np.array(["a", 1, 2.5, None, np.nan, np.str_("s")], dtype=object),
        "nullable": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
        "boolean": pd.array([True, None, False, True, False, None], dtype="boolean"),
        "date": pd.to_datetime(["2026-07-14", None, "2026-07-15", "2026-07-16", "2026-07-17",
                                "2026-07-18"]),
        "stamp": pd.to_datetime(["2026-07-14 15:55"] * n).tz_localize("America/New_York"),
    })


@pytest.mark.parametrize("column", list(frame_of_every_kind().columns))
def test_records_column_by_column_equal_the_cell_by_cell_path(column: str) -> None:
    frame = frame_of_every_kind()[[column]]
    got, want = records(frame), reference_records(frame)
    assert got == want
    assert [[type(v) for v in r.values()] for r in got] == \
        [[type(v) for v in r.values()] for r in want]


def test_records_of_a_whole_result() -> None:
    result = hand_result()
    for table in ("summary", "candidates", "warnings"):
        frame = getattr(result, table)
        assert records(frame) == reference_records(frame), table


def test_json_text_of_the_sample_screen_is_json_dumps() -> None:
    chain, bars = FIXTURES / "iwm_chain_sample.csv", FIXTURES / "iwm_bars_sample.csv"
    if not (chain.exists() and bars.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    from volscreen import load_bars, load_chain
    from volscreen.screening import screen

    result = screen(load_chain(chain), load_bars(bars), targets=[245, 275])
    assert export.json_text(result) == reference_dumps(result.to_dict()) + "\n"
    frame = result.candidates
    document = {"schema_version": result.schema_version,
                "candidates": reference_records(
                    export.export_frame(frame).drop(columns="schema_version"))}
    assert export.json_text(frame, name="candidates") == reference_dumps(document) + "\n"


# ------------------------------------------------ records formatted by column (Records)
def records_doc(frame: pd.DataFrame, depth: int) -> tuple[object, object]:
    """The same document with the table as Records and as the reference list, ``depth`` deep."""
    fast, slow = Records(frame), reference_records(frame)
    for _ in range(depth):
        fast, slow = {"schema_version": 1, "t": fast}, {"schema_version": 1, "t": slow}
    return fast, slow


def assert_records_text(frame: pd.DataFrame, depth: int = 1) -> None:
    pytest.importorskip("pyarrow", reason="the column-wise records need pyarrow")
    fast, slow = records_doc(frame, depth)
    assert Records(frame).text(depth, "  ") is not None, "went to the per-cell path"
    assert dumps(fast) == reference_dumps(slow)


@pytest.mark.parametrize("depth", [0, 1, 3], ids=["top", "in-document", "nested"])
def test_every_column_kind_by_column(depth: int) -> None:
    assert_records_text(frame_of_every_kind(), depth)


@pytest.mark.parametrize("column", list(frame_of_every_kind().columns))
def test_each_column_kind_alone(column: str) -> None:
    assert_records_text(frame_of_every_kind()[[column]])


@pytest.mark.parametrize("rows", [0, 1, 2], ids=["no-rows", "one-row", "two-rows"])
def test_short_tables(rows: int) -> None:
    frame = frame_of_every_kind().iloc[:rows]
    fast, slow = records_doc(frame, 1)
    assert dumps(fast) == reference_dumps(slow)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(width=64), min_size=1, max_size=40),
       st.lists(st.text(max_size=5), min_size=1, max_size=40))
def test_generated_floats_and_text(numbers: list[float], words: list[str]) -> None:
    n = min(len(numbers), len(words))
    frame = pd.DataFrame({"x": np.array(numbers[:n], dtype=np.float64),
                          "label \u00e9\"": pd.Series(words[:n], dtype="str"),
                          "y": np.array(numbers[:n][::-1], dtype=np.float64)})
    assert_records_text(frame)


def test_floats_of_every_magnitude_by_column() -> None:
    rng = np.random.default_rng(7)
    values = rng.standard_normal(20_000) * 10.0 ** rng.integers(-320, 307, 20_000)
    values[:8] = [0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 5e-324,
                  np.nan]
    assert_records_text(pd.DataFrame({"v": values, "w": values[::-1]}))


def test_stacked_frames_by_column() -> None:
    parts = [frame_of_every_kind().assign(str=pd.Series([f"T{i}"] * 6, dtype="str"))
             for i in range(3)]
    assert_records_text(pd.concat(parts, ignore_index=True))


def test_without_pyarrow_the_records_are_encoded_per_cell(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("no pyarrow here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    frame = frame_of_every_kind()
    assert Records(frame).text(1, "  ") is None
    fast, slow = records_doc(frame, 1)
    assert dumps(fast) == reference_dumps(slow)
