"""The block-built frames against the DataFrame constructor, the oracle.

:func:`volscreen._frames.frame_of` must give what
``pd.DataFrame({k: v[order] ...}, index=index)`` gives: the same values,
dtypes, column order and labels, and index, for every kind of column,
whether it builds the blocks itself or hands the columns to the constructor.
"""
from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen._frames import _groups, column_index, frame_of, text_array

N = 7
WORDS = np.array(["ok", "thin", "no_bracket", "négatif", ""], dtype=object)


def expected(columns, order=None, index=None) -> pd.DataFrame:
    return pd.DataFrame({k: v if order is None else v[order] for k, v in columns.items()},
                        index=index)


def assert_as_constructed(columns, order=None, index=None) -> None:
    try:
        want = expected(columns, order, index)
    except Exception as exc:  # e.g. a list taken in an order: the same error
        with pytest.raises(type(exc)):
            frame_of(columns, order, index)
        return
    for _ in range(2):  # the second frame reuses the cached column labels
        got = frame_of(columns, order, index)
        pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True,
                                      check_column_type=True)
        assert list(got.dtypes) == list(want.dtypes)
        assert got.columns.dtype == want.columns.dtype


def _objects(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _stamps(n: int = N) -> np.ndarray:
    return np.datetime64("2026-07-17", "ns") + np.arange(n).astype("timedelta64[D]") * 3


BUILT = {  # kinds frame_of puts in blocks itself
    "float": lambda: np.where(np.arange(N) % 3 == 0, np.nan, np.linspace(-1, 1, N)),
    "float32": lambda: np.linspace(0, 1, N, dtype=np.float32),
    "int": lambda: np.arange(N, dtype=np.int64) - 3,
    "int32": lambda: np.arange(N, dtype=np.int32),
    "uint8": lambda: np.arange(N, dtype=np.uint8),
    "bool": lambda: np.arange(N) % 2 == 0,
    "naive_dates": _stamps,
    "text": lambda: WORDS[np.arange(N) % WORDS.size],
    "text_unicode_numpy": lambda: np.array(["a", "bb", "ccc", "é", "", "x", "yz"][:N]),
    "text_none": lambda: _objects([None if i % 3 == 0 else "x" for i in range(N)]),
    "text_nan": lambda: _objects([np.nan if i % 3 == 0 else "x" for i in range(N)]),
    "text_pd_na": lambda: _objects([pd.NA if i % 3 == 0 else "x" for i in range(N)]),
    "text_float32_nan": lambda: _objects([np.float32("nan")] + ["x"] * (N - 1)),
    "text_numpy_str": lambda: _objects([np.str_("s"), None] + ["x"] * (N - 2)),
    "str_array": lambda: pd.array(WORDS[np.arange(N) % WORDS.size].tolist(), dtype="str"),
    "tz_dates": lambda: pd.array(pd.date_range("2026-01-01", periods=N, tz="UTC")),
    "tz_date_index": lambda: pd.DatetimeIndex(_stamps(), tz="America/New_York"),
    "naive_date_index": lambda: pd.DatetimeIndex(_stamps()),
    "naive_date_array": lambda: pd.array(_stamps()),
    "categorical": lambda: pd.Categorical(["a", "b"] * (N // 2) + ["a"] * (N % 2)),
    "nullable_int": lambda: pd.array([1, None] * (N // 2) + [3] * (N % 2), dtype="Int64"),
    "object_ints_and_text": lambda: _objects([i if i % 2 else "a" for i in range(N)]),
    "object_ints": lambda: _objects(list(range(N))),
    "object_floats_none": lambda: _objects([1.5, None] * (N // 2) + [2.0] * (N % 2)),
    "object_bools": lambda: _objects([True, False] * (N // 2) + [True] * (N % 2)),
    "object_none": lambda: _objects([None] * N),
    "object_nan_none": lambda: _objects([np.nan, None] * (N // 2) + [None] * (N % 2)),
    "object_decimals": lambda: _objects([decimal.Decimal(i) for i in range(N)]),
    "object_bytes": lambda: _objects([b"a", b"b"] * (N // 2) + [b"c"] * (N % 2)),
    "object_dates": lambda: _objects([dt.date(2026, 1, 1 + i) for i in range(N)]),
}
CONSTRUCTED = {  # kinds frame_of leaves to the constructor
    "object_datetimes": lambda: _objects([dt.datetime(2026, 1, 1 + i) for i in range(N)]),
    "object_mixed_datetimes": lambda: _objects(
        [dt.datetime(2026, 1, 1), np.datetime64("2026-01-02")] * (N // 2) + [None] * (N % 2)),
    "object_text_and_nat": lambda: _objects(["a", pd.NaT] * (N // 2) + ["b"] * (N % 2)),
    "object_text_and_floats": lambda: _objects([None, "a", 1.5, np.nan] + ["b"] * (N - 4)),
    "object_periods": lambda: _objects([pd.Period("2026-01", "M")] * N),
    "seconds_dates": lambda: _stamps().astype("datetime64[s]"),
    "day_dates": lambda: _stamps().astype("datetime64[D]"),
    "timedeltas": lambda: np.arange(N).astype("timedelta64[ns]"),
    "complex": lambda: np.arange(N) * 1j,
    "big_endian": lambda: np.arange(N, dtype=">f8"),
    "masked": lambda: np.ma.masked_array(np.arange(N, dtype=float), mask=np.arange(N) % 2 == 0),
    "numpy_extension_array": lambda: pd.arrays.NumpyExtensionArray(np.arange(N, dtype=float)),
    "list": lambda: list(range(N)),
    "series": lambda: pd.Series(np.arange(N, dtype=float)),
}
KINDS = BUILT | CONSTRUCTED
ORDER = np.array([3, 0, 6, 2, 5, 1, 4])
LAYOUTS = {  # (order, index)
    "as_given": (None, None),
    "ordered": (ORDER, None),
    "subset_repeated": (np.array([6, 6, 0, 2]), None),
    "with_index": (None, pd.Index(np.arange(N) * 10 + 3)),
    "ordered_with_index": (ORDER, pd.Index(list("abcdefg"))),
}


KIND_LAYOUTS = [pytest.param(kind, layout, id=f"{kind}-{layout}")
                for kind in KINDS for layout in LAYOUTS
                # a Series is aligned on a given index: the constructor's own case, not compared
                if not (kind == "series" and LAYOUTS[layout][1] is not None)]


@pytest.mark.parametrize(("kind", "layout"), KIND_LAYOUTS)
def test_each_column_kind_as_the_constructor_builds_it(kind, layout):
    order, index = LAYOUTS[layout]
    assert_as_constructed({"lead": np.arange(N, dtype=float), kind: KINDS[kind](),
                           "tail": WORDS[np.arange(N) % WORDS.size]}, order, index)


@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
def test_every_built_kind_together(layout):
    order, index = LAYOUTS[layout]
    columns = {f"{kind}_{j}": make() for j in range(2) for kind, make in BUILT.items()}
    assert_as_constructed(columns, order, index)


@pytest.mark.parametrize("kind", list(BUILT), ids=list(BUILT))
def test_built_kinds_need_no_constructor(kind):
    # the point of frame_of: these columns go to pandas as blocks
    columns = {"a": KINDS[kind](), "b": np.arange(N)}
    assert _groups(list(columns.values()), N) is not None


@pytest.mark.parametrize("kind", list(CONSTRUCTED), ids=list(CONSTRUCTED))
def test_other_kinds_go_to_the_constructor(kind):
    assert _groups([CONSTRUCTED[kind]()], N) is None


EMPTY = {
    "no_columns": ({}, None, None),
    "no_rows": ({"x": np.array([]), "s": np.array([], dtype=object),
                 "t": pd.array([], dtype="str")}, None, None),
    "no_rows_with_index": ({"x": np.array([]), "s": np.array([], dtype=object)}, None,
                           pd.Index([], dtype="int64")),
    "empty_order": ({"x": np.arange(3.0), "s": WORDS[:3]}, np.array([], dtype=np.intp), None),
}


@pytest.mark.parametrize("case", list(EMPTY), ids=list(EMPTY))
def test_empty_frames(case):
    assert_as_constructed(*EMPTY[case])


MISSING_TEXT = {
    "none": [None, "a", "b"],
    "nan": ["a", np.nan, "b"],
    "pd_na": ["a", "b", pd.NA],
    "all_missing_but_one": [None, np.nan, "a"],
    "float32_nan": ["a", np.float32("nan"), "b"],
}


@pytest.mark.parametrize("values", list(MISSING_TEXT.values()), ids=list(MISSING_TEXT))
def test_missing_text_values(values):
    flat = _objects(values)
    assert_as_constructed({"s": flat, "t": flat[::-1].copy()}, np.array([2, 0, 1]))
    got, want = text_array(flat), pd.array(flat, dtype="str")
    pd.testing.assert_extension_array_equal(got, want)


NON_STR = {
    "ints_and_text": [1, "a", 2],
    "floats_and_text": ["a", 1.5, "b"],
    "bytes_and_text": ["a", b"b", "c"],
    "bytes": [b"a", b"b", b"c"],
    "tuples": [(1,), (2,), None],
    "dicts": [{}, {"a": 1}, None],
}


@pytest.mark.parametrize("values", list(NON_STR.values()), ids=list(NON_STR))
def test_non_str_objects(values):
    assert_as_constructed({"o": _objects(values), "s": WORDS[:3]}, np.array([1, 2, 0]))


def test_column_labels_are_not_shared():
    columns = {"a": np.arange(3.0), "b": WORDS[:3]}
    frame_of(columns).columns.name = "renamed"
    assert frame_of(columns).columns.name is None
    assert column_index(("a", "b")).name is None


def test_labels_of_other_types():
    assert_as_constructed({1: np.arange(3.0), 2.5: WORDS[:3], ("t", 1): np.arange(3)})


_PROPERTY_KINDS = ("float", "int", "bool", "naive_dates", "text", "text_none", "text_nan",
                   "str_array", "tz_dates", "tz_date_index", "object_ints_and_text",
                   "object_text_and_floats")


def _random_column(kind: str, n: int, rng: np.random.Generator):
    if kind == "float":
        return np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n))
    if kind == "int":
        return rng.integers(-5, 5, n)
    if kind == "bool":
        return rng.random(n) < 0.5
    if kind == "naive_dates":
        return np.datetime64("2026-07-17", "ns") + rng.integers(0, 10**12, n).astype(
            "timedelta64[ns]")
    if kind in ("text", "str_array"):
        words = WORDS[rng.integers(0, WORDS.size, n)]
        return words if kind == "text" else pd.array(words.tolist(), dtype="str")
    if kind in ("text_none", "text_nan"):
        gap = None if kind == "text_none" else np.nan
        return _objects([gap if rng.random() < 0.3 else "x" for _ in range(n)])
    if kind in ("tz_dates", "tz_date_index"):
        dates = pd.date_range("2026-01-01", periods=n, tz="UTC")
        return dates if kind == "tz_date_index" else pd.array(dates)
    if kind == "object_ints_and_text":
        return _objects([i if i % 2 else "a" for i in range(n)])
    return _objects(([None, "a", 1.5, np.nan] + ["b"] * n)[:n])


@settings(max_examples=100, deadline=None)
@given(kinds=st.lists(st.sampled_from(_PROPERTY_KINDS), min_size=1, max_size=12),
       n=st.integers(0, 9), seed=st.integers(0, 2**32 - 1), ordered=st.booleans(),
       labelled=st.booleans())
def test_random_frames_as_the_constructor_builds_them(kinds, n, seed, ordered, labelled):
    rng = np.random.default_rng(seed)
    columns = {f"c{i}_{kind}": _random_column(kind, n, rng) for i, kind in enumerate(kinds)}
    order = rng.permutation(n) if ordered else None
    index = pd.Index(rng.permutation(n) * 10 + 3) if labelled else None  # a chain's index
    assert_as_constructed(columns, order, index)


@given(st.lists(st.one_of(st.text(max_size=6), st.none(), st.just(np.nan)), max_size=30))
@settings(max_examples=100, deadline=None)
def test_text_arrays_equal_the_str_constructor(values):
    flat = _objects(values + ["x"])  # at least one str: a text column
    got, want = text_array(flat), pd.array(flat, dtype="str")
    pd.testing.assert_extension_array_equal(got, want)
    if got.dtype.storage == "pyarrow":
        import pyarrow as pa

        assert pa.array(got).type == pa.array(want).type
