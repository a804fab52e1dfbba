"""Assembling the canonical shortcuts' chain frame from arrays (private).

Shared by :mod:`volscreen.loaders.canonical_csv` and
:mod:`volscreen.loaders.canonical_parquet`: each column of the file's table
read once as its stored array, the output frame built from one block per
array, the status words taken in Arrow, and the vendor-text test memoised.
pandas' per-column wrapping (a Series per column read, the dict
constructor's checks) cost about as much as the shortcut's checks; every
helper here returns what the pandas route returns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.arrays import NumpyExtensionArray

from ._canonical_text import Column
from ._vendor import _first_cell_is_text, _is_iv_column
from .quotes import STATUS_ORDER, status_text

_MEMO_SIZE = 10_000
"""Entries kept in each memo below (cleared when full)."""


def column_arrays(raw: pd.DataFrame) -> dict[str, Column]:
    """Each column's stored array (NumPy or extension array), without building Series.

    A frame read by pandas has distinct column names (the header check
    made sure); the arrays are the frame's own, only ever read.
    """
    getter = getattr(raw, "_get_column_array", None)
    if getter is None:  # a pandas without it: the public route
        return {name: series.array if not isinstance(series.array, NumpyExtensionArray)
                else series.to_numpy() for name, series in raw.items()}
    return {name: getter(i) for i, name in enumerate(raw.columns.tolist())}


_INDEXES: dict[tuple[str, ...], pd.Index] = {}
"""Column names -> their Index (a shallow copy is handed out each time)."""


def _frame(arrays: list[object], names: list[str], n: int) -> pd.DataFrame:
    """``pd.DataFrame(dict(zip(names, arrays)), copy=False)``: one block per 1-D array, built once.

    pandas' dict constructor checks and wraps each array again; these are
    already what it would store (float64 and datetime64[ns] NumPy arrays,
    extension arrays), so the frame is assembled from them directly.
    """
    key = tuple(names)
    index = _INDEXES.get(key)
    if index is None:
        if len(_INDEXES) >= _MEMO_SIZE:
            _INDEXES.clear()
        index = _INDEXES[key] = pd.Index(names)
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # an older pandas: the dict constructor
        return pd.DataFrame(dict(zip(names, arrays)), index=pd.RangeIndex(n), copy=False)
    blocks = []
    for i, values in enumerate(arrays):
        if isinstance(values, NumpyExtensionArray):  # pandas stores its NumPy array
            values = values.to_numpy()
        blocks.append((values.reshape(1, -1) if isinstance(values, np.ndarray) else values,
                       np.array([i])))
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n), columns=index.copy())


_WORDS: object | None = None
"""The status words as an Arrow array (made on first use)."""
_TEXT_FIRST: dict[tuple[str, bool], bool] = {}
"""(first cell, percent allowed) -> :func:`~volscreen.loaders._vendor._first_cell_is_text`."""


def _text_vendor(values: Column, col: str) -> bool:
    """``_first_cell_is_text`` of a vendor text column, memoised on its first cell.

    The answer depends on the first present cell alone; vendor columns of
    one kind of file start with the same few words (``cboe``, a date).
    """
    percent = _is_iv_column(col)
    first = values[0] if len(values) else None
    if not isinstance(first, str):  # a missing first cell: the full search
        return _first_cell_is_text(pd.Series(values, copy=False), percent)
    known = _TEXT_FIRST.get((first, percent))
    if known is None:
        known = _first_cell_is_text(pd.Series(values, copy=False), percent)
        if len(_TEXT_FIRST) >= _MEMO_SIZE:
            _TEXT_FIRST.clear()
        _TEXT_FIRST[(first, percent)] = known
    return known


def _status_text(code: np.ndarray) -> object:
    """:func:`~volscreen.loaders.quotes.status_text` (the same array), taken in Arrow when it can.

    pandas stores text in Arrow when pyarrow is installed: the eight words
    are then taken by code directly, without a pandas ``take``.
    """
    if pd.StringDtype().storage != "pyarrow":
        return status_text(code)
    import pyarrow as pa

    global _WORDS
    if _WORDS is None:
        _WORDS = pa.array(STATUS_ORDER, type=pa.large_string())
    words = _WORDS
    return pd.arrays.ArrowStringArray(pa.chunked_array([words.take(code)]),
                                      dtype=pd.StringDtype("pyarrow", na_value=np.nan))
