"""Column plumbing shared by the candidate stages: status codes and frame building.

The stages (targets, probabilities, cheapness, score) compute on a dict of
numpy arrays; :class:`StatusCodes` collects the ``data_status`` codes they
raise and joins them once at the end, and :func:`frame_of` builds the
output frame once from the ordered dict of columns.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import columns as C


class StatusCodes:
    """``data_status`` codes of ``n`` rows: the codes already there, then each flag in order.

    A row's codes keep the order in which they were first raised; a code
    raised twice for a row appears once; a row without codes reads ``ok``.
    """

    def __init__(self, n: int, prior: Any = None) -> None:
        self.n = n
        self.prior = None if prior is None else [
            [c for c in str(s).split(";") if c and c != C.DS_OK] for s in prior]
        self.flags: list[tuple[str, np.ndarray]] = []

    @classmethod
    def of(cls, frame: pd.DataFrame) -> StatusCodes:
        """The codes of ``frame``'s ``data_status`` column (none when it has no such column)."""
        prior = frame[C.DATA_STATUS].tolist() if C.DATA_STATUS in frame.columns else None
        return cls(len(frame), prior)

    def flag(self, mask: Any, code: str) -> None:
        """Raise ``code`` on the rows where ``mask`` is True (a scalar applies to every row)."""
        rows = np.broadcast_to(np.asarray(mask, dtype=bool), (self.n,))
        if rows.any():
            self.flags.append((code, rows))

    def joined(self) -> np.ndarray:
        """``;``-joined codes per row (object array of str)."""
        if self.n == 0:
            return np.empty(0)  # an empty list of codes, as a column: float64, like pandas'
        if self.prior is None:
            if not self.flags:
                return np.full(self.n, C.DS_OK, dtype=object)
            if len(self.flags) < _PATTERN_BITS:  # each row's flags as the bits of one int
                pattern = np.zeros(self.n, dtype=np.int64)
                for bit, (_, rows) in enumerate(self.flags):
                    pattern |= rows.astype(np.int64) << bit
                codes, inverse = np.unique(pattern, return_inverse=True)
                bits = (codes[:, None] >> np.arange(len(self.flags))) & 1
                labels = np.array([self._join([], row) for row in bits.astype(bool)],
                                  dtype=object)
                return labels[inverse.ravel()]
            table = np.array([rows for _, rows in self.flags])  # (flags, rows)
            patterns, inverse = np.unique(table.T, axis=0, return_inverse=True)
            labels = np.array([self._join([], pattern) for pattern in patterns], dtype=object)
            return labels[inverse.ravel()]
        table = np.array([rows for _, rows in self.flags]) if self.flags else \
            np.zeros((0, self.n), dtype=bool)
        return np.array([self._join(list(self.prior[i]), table[:, i]) for i in range(self.n)],
                        dtype=object)

    def _join(self, codes: list[str], pattern: np.ndarray) -> str:
        for (code, _), on in zip(self.flags, pattern):
            if on and code not in codes:
                codes.append(code)
        return ";".join(codes) if codes else C.DS_OK


_PATTERN_BITS = 63
"""Flags up to which :meth:`StatusCodes.joined` reads each row's flags as one int64."""


def floats(frame: pd.DataFrame, names: Any) -> dict[str, np.ndarray]:
    """``{name: float array}`` of ``frame``'s columns (one ``to_numpy`` each)."""
    return {k: frame[k].to_numpy(dtype=float) for k in names}


_NUMERIC_KINDS = frozenset("fiub")
_COLUMN_INDEXES: dict[tuple[str, ...], pd.Index] = {}
"""Column labels of the frames :func:`frame_of` built, by names (an Index is immutable)."""
_COLUMN_INDEXES_MAX = 16


def _column_index(names: tuple[str, ...]) -> pd.Index:
    """``pd.Index(names)``, inferred once per list of names (every chain has the same columns).

    Each frame gets its own view, so setting one frame's ``columns.name``
    never renames another's.
    """
    index = _COLUMN_INDEXES.get(names)
    if index is None:
        if len(_COLUMN_INDEXES) >= _COLUMN_INDEXES_MAX:
            _COLUMN_INDEXES.clear()
        index = _COLUMN_INDEXES[names] = pd.Index(list(names))
    return index.view()


def frame_of(columns: dict[str, Any], order: np.ndarray | None = None) -> pd.DataFrame:
    """The frame of an ordered ``{column: array}`` dict, built once (rows taken in ``order``).

    Equal to ``pd.DataFrame({k: v[order] for k, v in columns.items()})``, with
    the same dtypes (text columns become pandas' ``str`` dtype, as the
    constructor infers), built from a few blocks: the numeric columns of
    one dtype as one 2-D array, every text column converted to ``str`` in
    one pass.  A column of any other kind falls back to the constructor.
    """
    names = tuple(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    take = (lambda v: v) if order is None else (lambda v: v[order])  # noqa: E731
    groups = _groups(columns, n) if n else None
    if groups is None:
        return pd.DataFrame({k: take(v) for k, v in columns.items()})
    from pandas.api.internals import create_dataframe_from_blocks

    numeric, text, plain_objects, dated = groups
    blocks: list[tuple[Any, np.ndarray]] = [
        (take(pd.array(columns[names[i]])), np.array([i])) for i in dated]
    for where in numeric.values():
        block = np.stack([columns[names[i]] for i in where])
        blocks.append((block if order is None else block[:, order], np.array(where)))
    if plain_objects:
        block = np.stack([np.asarray(columns[names[i]], dtype=object) for i in plain_objects])
        blocks.append((block if order is None else block[:, order], np.array(plain_objects)))
    if text:
        flat = np.concatenate([take(np.asarray(columns[names[i]], dtype=object)) for i in text])
        strings = _text_array(flat)
        blocks += [(strings[j * n:(j + 1) * n], np.array([i])) for j, i in enumerate(text)]
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n),
                                        columns=_column_index(names))


def _text_array(values: np.ndarray) -> Any:
    """``pd.array(values, dtype="str")`` of an object array of str and missing values.

    Built by Arrow directly when pandas stores ``str`` in Arrow (what the
    constructor does after checking each value in Python); the
    constructor itself otherwise or for any value Arrow does not take.
    """
    dtype = pd.api.types.pandas_dtype("str")
    if getattr(dtype, "storage", None) == "pyarrow":
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


_NS = np.dtype("datetime64[ns]")


def _groups(columns: dict[str, Any], n: int) -> tuple[dict[np.dtype, list[int]], list[int],
                                                      list[int], list[int]] | None:
    """Column positions by block kind (numeric by dtype, text, other objects, tz-aware
    dates), or None when a column is not a 1-D array of ``n`` rows :func:`frame_of` builds
    directly."""
    numeric: dict[np.dtype, list[int]] = {}
    text: list[int] = []
    plain_objects: list[int] = []
    dated: list[int] = []
    infer = pd.api.types.infer_dtype
    for i, values in enumerate(columns.values()):
        if isinstance(values, np.ndarray):
            kind = values.dtype.kind
            if values.ndim != 1 or values.size != n:
                return None
            if kind in "OU":
                # the constructor's inference: str when every value is a str or missing
                (text if infer(values, skipna=True) == "string" else plain_objects).append(i)
            elif kind in _NUMERIC_KINDS or (kind == "M" and values.dtype == _NS):
                numeric.setdefault(values.dtype, []).append(i)
            else:
                return None
        elif isinstance(values, (pd.DatetimeIndex, pd.arrays.DatetimeArray)) \
                and values.tz is not None and len(values) == n:
            dated.append(i)
        else:
            return None
    return numeric, text, plain_objects, dated


def with_columns(frame: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """A new frame: ``frame`` with the columns of ``new`` replaced or appended in order.

    One concatenation instead of one block insertion per column (the
    candidate stages add dozens of columns to a few dozen rows).
    """
    fresh = {k: v for k, v in new.items() if k not in frame.columns}
    out = pd.concat([frame, pd.DataFrame(fresh, index=frame.index)], axis=1) if fresh \
        else frame.copy()
    for name, values in new.items():
        if name not in fresh:
            out[name] = values
    return out
