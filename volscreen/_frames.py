"""Frames built from 1-D arrays in a few blocks, and the pieces they share.

``pd.DataFrame({name: array, ...})`` checks, copies and wraps every column
one by one, then stacks the columns of one dtype; the screen's frames (a
chain's priced columns, a term structure, the candidates) have a few dozen
columns, often of a few dozen rows, so that bookkeeping costs more than the
numbers.  :func:`frame_of` hands pandas the blocks the constructor would
have made.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_STACKED_KINDS = frozenset("biuf")
"""NumPy kinds stacked into 2-D blocks by dtype (bool, integers, floats; also datetime64[ns])."""
_NS = np.dtype("datetime64[ns]")
_PLAIN_OBJECTS = frozenset({"empty", "integer", "floating", "boolean", "mixed-integer",
                            "mixed-integer-float", "decimal", "complex", "bytes", "date"})
"""``infer_dtype(values, skipna=True)`` of the object arrays the constructor keeps as object
(it converts str to ``str`` and datetimes, timedeltas, periods, intervals to their dtypes;
``mixed`` may hold datetimes of several kinds)."""


def frame_of(columns: dict[Any, Any], order: np.ndarray | None = None,
             index: pd.Index | None = None) -> pd.DataFrame:
    """The frame of an ordered ``{column: array}`` dict, built from a few blocks.

    Parameters
    ----------
    columns : dict
        Column labels to 1-D arrays of one length, in the frame's column order.
    order : numpy.ndarray of int, optional
        Positions of the rows taken from every column (``values[order]``);
        every row in place when None.
    index : pandas.Index, optional
        The frame's index, one label per row taken; a RangeIndex when None.

    Returns
    -------
    pandas.DataFrame
        Equal to ``pd.DataFrame({k: v if order is None else v[order] for k, v
        in columns.items()}, index=index)``: the same values, dtypes, column
        order, column labels (and their dtype) and index.

    Notes
    -----
    The blocks are those the constructor makes: the NumPy columns of one
    dtype (bool, integers, floats, datetime64[ns]) stacked into one 2-D
    array; the object (or NumPy unicode) columns of str and missing values
    converted to pandas' ``str`` dtype in one pass (:func:`text_array`); the
    other object columns the constructor keeps as object (numbers, bytes,
    dates, ints mixed with str, ...) stacked into one object block; extension
    arrays (``str``, tz-aware dates, ...) and DatetimeIndex values as their
    arrays.  Unlike the constructor's copies, extension arrays are used as
    they are when ``order`` is None.  Anything else goes to the constructor
    itself: no rows or columns, lists, Series, other NumPy dtypes, object
    columns the constructor would convert (datetimes, ...), an ``order`` not
    of integers, an index of another length.
    """
    arrays = list(columns.values())
    n = len(arrays[0]) if arrays else 0
    if order is not None:
        order = np.asarray(order)
    rows = n if order is None else len(order)
    groups = None
    if rows and (order is None or order.dtype.kind in "iu") \
            and (index is None or len(index) == rows):
        groups = _groups(arrays, n, order)
    if groups is None:
        return pd.DataFrame({k: v if order is None else v[order] for k, v in columns.items()},
                            index=index)
    from pandas.api.internals import create_dataframe_from_blocks

    stacked, text, plain, extension = groups
    blocks: list[tuple[Any, np.ndarray]] = []
    for where in stacked.values():
        block = np.stack([arrays[i] for i in where])
        blocks.append((block if order is None else block[:, order], _positions(where)))
    if plain:  # already taken in order
        blocks.append((np.stack([arrays[i] for i in plain]), _positions(plain)))
    if text:  # already taken in order
        strings = text_array(np.concatenate([arrays[i] if arrays[i].dtype.kind == "O"
                                             else arrays[i].astype(object) for i in text]))
        blocks += [(strings[j * rows:(j + 1) * rows], _positions([i]))
                   for j, i in enumerate(text)]
    for i in extension:
        values = arrays[i].array if isinstance(arrays[i], pd.Index) else arrays[i]
        blocks.append((values if order is None else values[order], _positions([i])))
    return create_dataframe_from_blocks(
        blocks, index=pd.RangeIndex(rows) if index is None else index,
        columns=column_index(tuple(columns)))


def _positions(where: list[int]) -> np.ndarray:
    return np.array(where, dtype=np.intp)


def _groups(arrays: list[Any], n: int, order: np.ndarray | None = None
            ) -> tuple[dict[np.dtype, list[int]], list[int], list[int], list[int]] | None:
    """Column positions by block (stacked by dtype, text, plain objects, extension arrays),
    or None when a column is not one :func:`frame_of` builds directly.

    The object and unicode columns in ``arrays`` are replaced by their rows in ``order``: the
    constructor infers their dtype from the rows taken.
    """
    stacked: dict[np.dtype, list[int]] = {}
    text: list[int] = []
    plain: list[int] = []
    extension: list[int] = []
    infer = pd.api.types.infer_dtype
    for i, values in enumerate(arrays):
        if type(values) is np.ndarray:  # not a subclass (a masked array's mask counts)
            if values.ndim != 1 or len(values) != n:
                return None
            dtype = values.dtype
            if (dtype.kind in _STACKED_KINDS and dtype.isnative) or dtype == _NS:
                stacked.setdefault(dtype, []).append(i)
            elif dtype.kind in "OU":
                if order is not None:
                    arrays[i] = values = values[order]
                if dtype.kind == "U":
                    text.append(i)
                    continue
                inferred = infer(values, skipna=True)
                if inferred == "string":
                    text.append(i)
                elif inferred in _PLAIN_OBJECTS:
                    plain.append(i)
                else:
                    return None
            else:
                return None
        elif isinstance(values, (pd.api.extensions.ExtensionArray, pd.DatetimeIndex)) \
                and not isinstance(values, pd.arrays.NumpyExtensionArray) and len(values) == n:
            extension.append(i)  # a NumpyExtensionArray: the constructor unwraps it
        else:
            return None
    return stacked, text, plain, extension


def text_array(values: np.ndarray) -> Any:
    """``pd.array(values, dtype="str")`` of a 1-D object array of str and missing values.

    Built by Arrow directly when pandas stores ``str`` in Arrow (what the
    constructor does after checking each value in Python); by the
    constructor otherwise, or for any value Arrow does not take.
    """
    dtype = pd.StringDtype(na_value=np.nan)  # the dtype "str" names
    if dtype.storage == "pyarrow" and values.size:
        import pyarrow as pa  # loaded by pandas with its Arrow-backed strings

        if not _ARROW_TEXT:  # the Arrow type pandas stores ``str`` in, found once
            _ARROW_TEXT.append(pa.array(pd.array(np.array(["a"], dtype=object),
                                                 dtype="str")).type)
        try:
            return pd.arrays.ArrowStringArray(  # type: ignore[call-arg]  # the stubs lag pandas 3
                pa.array(values, type=_ARROW_TEXT[0], from_pandas=True), dtype=dtype)
        except (pa.ArrowException, TypeError, ValueError):
            pass
    return pd.array(values, dtype="str")


_ARROW_TEXT: list[Any] = []


def column_index(names: tuple[Any, ...]) -> pd.Index:
    """``pd.Index(list(names))``, inferred once per list of names (every chain has the same).

    Each call returns its own view, so setting one frame's ``columns.name``
    never renames another's.
    """
    index = _COLUMN_INDEXES.get(names)
    if index is None:
        if len(_COLUMN_INDEXES) >= _COLUMN_INDEXES_SIZE:
            _COLUMN_INDEXES.clear()
        index = _COLUMN_INDEXES[names] = pd.Index(list(names))
    return index.view()


_COLUMN_INDEXES: dict[tuple[Any, ...], pd.Index] = {}
"""Column labels of the frames built, by their names: inferring the labels' dtype each time
costs more than building a small frame's blocks."""
_COLUMN_INDEXES_SIZE = 64
