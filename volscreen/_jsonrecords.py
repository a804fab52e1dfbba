"""A table's JSON records as indented text, formatted column by column with Arrow.

:class:`Records` stands in a document given to :func:`volscreen._jsontext.dumps`
for ``records(frame)``: the text it writes is what ``json.dumps(...,
indent=2, allow_nan=False)`` writes for that list of dicts, byte for byte.
With pyarrow installed, each column's cells become JSON text in a few
vectorized calls and the records are joined row-wise in Arrow, instead of
one Python ``float.__repr__`` per cell: a 36,000-row candidates table is
written in about 2 s instead of 7 s.

Conventions (those of :func:`volscreen.result.records` and :mod:`json`):

* float columns: the shortest text that reads back as the same float64
  (Python's ``repr``: ``0.182``, ``262.0``, ``-0.0``, ``1e-05``, ``1e+16``);
  NaN and infinities are ``null``;
* integer columns: decimal digits; bool columns: ``true`` / ``false``;
* text columns (every cell a ``str``): JSON strings with non-ASCII
  characters escaped (``ensure_ascii``), each distinct value escaped once;
* any other column: each cell through ``records``' own conversion and the
  standard library's encoder.

Without pyarrow the records are built as Python dicts and encoded by
:mod:`volscreen._jsontext` (the same text).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class Records:
    """``records(frame)`` inside a document for :func:`volscreen._jsontext.dumps`."""

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def text(self, level: int, step: str) -> str | None:
        """The list's text at nesting ``level`` (``step`` per level), or None: use records()."""
        frame = self.frame
        if frame.empty:
            return "[]"
        try:
            import pyarrow as pa
            import pyarrow.compute as pc
        except ImportError:
            return None
        from ._csvfast import string_buffers

        encoder = json.JSONEncoder(allow_nan=False)
        item = "\n" + step * (level + 2)  # before each key of a record
        inner = "\n" + step * (level + 1)  # before each record of the list
        last = "," + inner  # after each record; cut after the last one
        parts: list[Any] = []
        try:
            for i in range(frame.shape[1]):  # "{<item>"key": cell,<item>"key": cell...
                parts += [("{" if i == 0 else ",") + item + _key(frame.columns[i]),
                          _cell_text(frame.iloc[:, i], encoder)]
            # one call writes every record, its separator after it: back to back in one buffer
            rows = pc.binary_join_element_wise(*parts, inner + "}" + last, "")
            offsets, data = string_buffers(rows)
        except (pa.ArrowException, OverflowError):
            return None  # over 2 GiB of text in one array
        joined = str(data[offsets[0]:offsets[-1] - len(last)].data, "utf-8")
        return "[" + inner + joined + "\n" + step * level + "]"


def _key(label: Any) -> str:
    """A record's key and separator, as :func:`volscreen.result.records` names it."""
    return json.encoder.encode_basestring_ascii(str(label)) + ": "


def _cell_text(col: pd.Series, encoder: json.JSONEncoder) -> Any:
    """One column's cells as JSON text (an Arrow string array)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from ._csvfast import float_column_text
    from .result import _plain, column_cells

    kind, cells = column_cells(col)
    if kind == "bool":
        return pc.if_else(pa.array(cells), "true", "false")
    if kind == "int":
        return pc.cast(pa.array(cells), pa.string())
    if kind == "float":
        text = float_column_text(cells)
        finite = np.isfinite(cells)
        if not finite.all():
            text = pc.replace_with_mask(text, pa.array(~finite),
                                        pa.array(["null"] * int((~finite).sum()), pa.string()))
        return text
    if kind == "text":  # each distinct value escaped once
        codes, distinct = pd.factorize(cells)
        escaped = [json.encoder.encode_basestring_ascii(v) for v in distinct]
        return pc.take(pa.array(escaped, pa.string()), pa.array(codes))
    return pa.array([encoder.encode(_plain(v)) for v in cells], pa.string())
