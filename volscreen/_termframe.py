"""Frames built from their columns in a few blocks (the term structure's, the priced chain's).

``pd.DataFrame({name: array, ...})`` checks, copies and wraps every column
one by one, then stacks the float columns; a term structure has about
twenty columns of a few dozen rows, so that bookkeeping costs more than
the numbers.  :func:`frame_of_columns` hands pandas the blocks it would
have made: the NumPy columns of one dtype stacked into one 2-D block, the
text columns (object arrays of str) as pandas ``str`` arrays, extension
arrays (a ``str`` settlement, tz-aware expiries) as they are.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .forward import _text_array  # pd.array(values, dtype="str"), built by Arrow

_BLOCK_KINDS = "biufM"
"""NumPy kinds stacked into 2-D blocks (bool, integers, floats, datetime64[ns])."""
_NS = np.dtype("datetime64[ns]")


def frame_of_columns(columns: dict[str, Any], index: pd.Index | None = None) -> pd.DataFrame:
    """``pd.DataFrame(columns, index=index)`` (the same dtypes and values), built in blocks.

    ``columns`` maps names to 1-D arrays of one length; ``index`` (default a
    RangeIndex) has that length.  Object arrays must
    hold only str (they become the ``str`` dtype, as the constructor infers
    for text); a column of any other kind falls back to the constructor.
    """
    names = list(columns)
    arrays = list(columns.values())
    n = len(arrays[0]) if arrays else 0
    if n == 0 or (index is not None and len(index) != n):
        return pd.DataFrame(columns, index=index)
    by_dtype: dict[np.dtype, list[int]] = {}
    text: list[int] = []
    extension: list[int] = []
    for i, values in enumerate(arrays):
        if len(values) != n:
            return pd.DataFrame(columns, index=index)
        if isinstance(values, np.ndarray) and values.ndim == 1:
            kind = values.dtype.kind
            if kind in _BLOCK_KINDS and (kind != "M" or values.dtype == _NS):
                by_dtype.setdefault(values.dtype, []).append(i)
            elif kind == "O" and pd.api.types.infer_dtype(values, skipna=False) == "string":
                text.append(i)
            else:
                return pd.DataFrame(columns, index=index)
        elif isinstance(values, pd.api.extensions.ExtensionArray):
            extension.append(i)
        else:
            return pd.DataFrame(columns, index=index)
    from pandas.api.internals import create_dataframe_from_blocks

    blocks: list[tuple[Any, np.ndarray]] = [
        (np.stack([arrays[i] for i in where]), np.array(where, dtype=np.intp))
        for where in by_dtype.values()]
    if text:
        flat = _text_array(np.concatenate([arrays[i] for i in text]))
        blocks += [(flat[j * n:(j + 1) * n], np.array([i], dtype=np.intp))
                   for j, i in enumerate(text)]
    blocks += [(arrays[i], np.array([i], dtype=np.intp)) for i in extension]
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n) if index is None else index,
                                        columns=_column_index(tuple(names)))


def _column_index(names: tuple[str, ...]) -> pd.Index:
    """``pd.Index(list(names))``, built once per process for each list of names (a view of it)."""
    index = _COLUMN_INDEXES.get(names)
    if index is None:
        if len(_COLUMN_INDEXES) >= _COLUMN_INDEXES_SIZE:
            _COLUMN_INDEXES.clear()
        index = _COLUMN_INDEXES[names] = pd.Index(list(names))
    return index.view()


_COLUMN_INDEXES: dict[tuple[str, ...], pd.Index] = {}
"""Column labels of the frames built, by their names: inferring the labels' dtype each time
costs more than building a term structure's blocks."""
_COLUMN_INDEXES_SIZE = 64
