"""CSV text of a table formatted with Arrow, byte for byte as pandas writes it.

:func:`csv_text` returns exactly ``frame.to_csv(index=False,
lineterminator="\\n")`` (pandas' defaults otherwise: ``,`` separator, ``"``
quote character, minimal quoting, NaN as an empty cell) when pyarrow is
installed and every column has a dtype handled here; else ``None`` and the
caller writes with pandas.  Formatting each column with Arrow's vectorized
kernels takes a tenth of the time pandas spends on NumPy's ``astype(str)``
and its row writer.

Conventions (what pandas writes, reproduced here):

* float64: the shortest text that reads back as the same number (NumPy's
  ``str``, i.e. Python's ``repr``): fixed notation for ``1e-4 <= |x| < 1e16``
  with ``.0`` on integral values (``10.0``, ``-0.0``), scientific with at
  least two exponent digits outside (``1e-05``, ``1e+16``), ``inf`` and
  ``-inf``; NaN is an empty cell.  Arrow's cast gives the same digits but
  other notation rules (``10``, ``1e-5``, ``1e+10``): integral fixed text
  gets ``.0`` appended, and every value Arrow writes in scientific notation
  or Python writes in scientific notation (rare in screen tables) is
  formatted by NumPy itself.
* Integers: decimal digits; ``bool``: ``True`` / ``False``; the same for
  pandas' nullable ``boolean`` / ``Int64`` (and other widths) and for an
  ``object`` column of ints or of bools, missing values empty.
* Text (``object`` columns holding only ``str`` and missing values, and
  pandas ``StringDtype``): the text itself, missing values empty; a field
  holding a character that makes :mod:`csv` quote (``,``, ``"``, the line
  terminator, and ``\\r`` where the running Python quotes it) is wrapped in
  ``"`` with inner quotes doubled.  The header line follows the same rules.

Not handled (``None``, pandas writes the table): other dtypes (float32,
nullable ``Float64``, datetimes, timedeltas, categoricals, ``object``
columns holding floats, mixed types or other objects), non-string or
multi-level column labels, and tables of fewer than two columns (:mod:`csv`
writes a lone empty field as ``""``).
"""
from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from ._serieskeys import text_buffers

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

LINE_END = "\n"
"""Line terminator: after the header and after every row, the last included."""
_CANDIDATE_QUOTE_CHARS = (",", '"', "\n", "\r")
"""The characters :mod:`csv` may quote for (delimiter, quote char, line ends)."""
MAX_THREADS = 4
"""At most this many threads (and no more than ``pyarrow.cpu_count()``)."""
_ROWS_PER_JOIN = 65_536
"""Rows joined per Arrow call: keeps each joined array far below 2 GiB of text."""


def _quote_chars() -> tuple[str, ...]:
    """The characters this Python's :mod:`csv` writer quotes a field for (minimal quoting).

    Python 3.12 added ``\\r`` and ``\\n`` whatever the line terminator; asked
    of the running interpreter once rather than assumed.
    """
    quoted = []
    for char in _CANDIDATE_QUOTE_CHARS:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=LINE_END).writerow([f"a{char}", "b"])
        if buffer.getvalue().startswith('"'):
            quoted.append(char)
    return tuple(quoted)


QUOTE_CHARS = _quote_chars()
"""A text field holding one of these is quoted (``"..."``, inner ``"`` doubled)."""


def csv_text(frame: pd.DataFrame) -> str | None:
    """``frame.to_csv(index=False, lineterminator="\\n")``, formatted with Arrow.

    Parameters
    ----------
    frame
        The table as it is to be written (index not written).

    Returns
    -------
    str or None
        The CSV text, identical to pandas' output; ``None`` when pyarrow is
        not installed or a column or label is not handled here (see the
        module notes), so the caller writes with pandas.

    Notes
    -----
    Columns are formatted, and row blocks joined, on up to
    :data:`MAX_THREADS` threads (Arrow's kernels release the GIL); the text
    does not depend on the number of threads.
    """
    try:
        import pyarrow as pa
    except ImportError:
        return None
    if frame.shape[1] < 2 or frame.columns.nlevels != 1 or \
            not all(isinstance(label, str) for label in frame.columns):
        return None
    if not all(_handled(frame.dtypes.iloc[i]) for i in range(frame.shape[1])):
        return None
    header = io.StringIO()
    csv.writer(header, lineterminator=LINE_END).writerow(list(frame.columns))
    threads = max(1, min(MAX_THREADS, pa.cpu_count()))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        columns = list(pool.map(_column_text, (frame.iloc[:, i] for i in range(frame.shape[1]))))
        if any(text is None for text in columns):
            return None  # an object column holding something other than text
        rows = len(frame)
        step = max(1, min(_ROWS_PER_JOIN, -(-rows // threads)))
        blocks = pool.map(lambda start: _joined_rows(columns, start, min(start + step, rows)),
                          range(0, rows, step))
        return "".join([header.getvalue(), *blocks])


def _handled(dtype: Any) -> bool:
    """Whether :func:`_column_text` formats columns of this dtype (object: if all text)."""
    import pandas as pd

    if isinstance(dtype, (pd.StringDtype, *_nullable_dtypes())):
        return True
    return isinstance(dtype, np.dtype) and (dtype == np.float64 or dtype.kind in "iub"
                                            or dtype == object)


def _nullable_dtypes() -> tuple[type, ...]:
    """pandas' nullable ``boolean`` and integer dtypes (missing: ``pd.NA``)."""
    import pandas as pd

    return (pd.BooleanDtype, pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype,
            pd.UInt8Dtype, pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype)


def _column_text(col: pd.Series) -> Any:
    """One column as an Arrow string array of finished CSV fields, or None (not handled)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = col.dtype
    if dtype == np.float64:
        return float_column_text(col.to_numpy())
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return _plain_text(pa.array(col.to_numpy()))
    if not (dtype == object or isinstance(dtype, (pd.StringDtype, *_nullable_dtypes()))):
        return None
    try:
        arr = pa.array(col, from_pandas=True)  # None, NaN, NA: null
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None  # mixed types, integers beyond int64
    if isinstance(arr, pa.ChunkedArray):  # an Arrow-backed column made by pd.concat
        try:
            arr = arr.combine_chunks()
        except (pa.ArrowException, OverflowError):
            return None  # over 2 GiB of text in one column
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) \
            or pa.types.is_null(arr.type):
        return _quoted(pc.fill_null(pc.cast(arr, pa.string()), ""))
    if pa.types.is_boolean(arr.type) or pa.types.is_integer(arr.type):
        return _plain_text(arr)  # nullable, or object column of bools or of ints
    return None  # floats in an object column (pandas writes them by repr), dates, bytes, ...


def _plain_text(arr: Any) -> Any:
    """Booleans as ``True`` / ``False``, integers in decimal digits; null as empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.if_else(arr, "True", "False") if pa.types.is_boolean(arr.type) \
        else pc.cast(arr, pa.string())
    return pc.fill_null(text, "")


def float_column_text(values: np.ndarray) -> Any:
    """:func:`_float_text` of a column, each distinct value formatted once when that saves work.

    Values are told apart by their bits, so ``0.0`` and ``-0.0`` (equal as
    numbers, written differently) stay apart; a column with fewer distinct
    values than half its rows (a screen table repeats each chain's figures
    on all its candidates) is formatted per distinct value and gathered.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, distinct = pd.factorize(np.ascontiguousarray(values).view(np.int64))
    if len(distinct) > len(values) // 2:
        return _float_text(values)
    return pc.take(_float_text(distinct.view(np.float64)), pa.array(codes))


def _float_text(values: np.ndarray) -> Any:
    """float64 values as NumPy's ``str`` writes them; NaN as an empty string."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.fill_null(pc.cast(pa.array(values, from_pandas=True), pa.string()), "")
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):  # NaN (signalling NaN too)
        python_fixed = ((magnitude >= 1e-4) & (magnitude < 1e16)) | (values == 0)
        whole = values == np.trunc(values)
    redo = ~python_fixed & ~np.isnan(values)  # scientific in Python (NaN is empty already)
    redo[_rows_holding(text, b"e")] = True  # scientific in Arrow
    # fixed notation of an integral value has no point (Arrow "10", "-0"): Python's "10.0"
    integral = python_fixed & ~redo & whole
    if integral.any():
        mask = pa.array(integral)
        text = pc.replace_with_mask(
            text, mask, pc.binary_join_element_wise(pc.filter(text, mask), ".0", ""))
    if redo.any():
        text = pc.replace_with_mask(text, pa.array(redo), pa.array(values[redo].astype(str)))
    return text


def _rows_holding(text: Any, byte: bytes) -> np.ndarray:
    """Indices of the strings of an Arrow string array that contain ``byte`` (one scan)."""
    if len(text) == 0:
        return np.zeros(0, dtype=np.intp)
    offsets, data = string_buffers(text)
    hits = np.flatnonzero(data[offsets[0]:offsets[-1]] == ord(byte)) + offsets[0]
    return np.unique(np.searchsorted(offsets, hits, side="right") - 1)


def _quoted(text: Any) -> Any:
    """Text fields quoted where :mod:`csv` quotes them (minimal quoting, ``"`` doubled)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    needs = np.zeros(len(text), dtype=bool)
    for char in QUOTE_CHARS:
        needs[_rows_holding(text, char.encode())] = True
    if not needs.any():
        return text
    mask = pa.array(needs)
    quoted = pc.binary_join_element_wise(
        '"', pc.replace_substring(pc.filter(text, mask), '"', '""'), '"', "")
    return pc.replace_with_mask(text, mask, quoted)


def _joined_rows(columns: list[Any], start: int, stop: int) -> str:
    """Rows ``start:stop``: fields joined with ``,``, each row ended by :data:`LINE_END`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    *fields, last = (c[start:stop] for c in columns)
    # each row's last field carries the line end: the lines lie back to back in one buffer
    lines = pc.binary_join_element_wise(
        *fields, pc.binary_join_element_wise(last, pa.scalar(LINE_END), ""), ",")
    offsets, data = string_buffers(lines)
    return str(data[offsets[0]:offsets[-1]].data, "utf-8")


def string_buffers(text: Any) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, UTF-8 bytes) of an Arrow string array (:func:`text_buffers`)."""
    buffers = text_buffers(text)
    if buffers is None:  # pragma: no cover - every array here is Arrow text
        raise TypeError(f"not an Arrow string array: {text.type}")
    return buffers
