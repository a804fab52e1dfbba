"""Exports: CSV, JSON and Parquet with a stable column contract.

Conventions (the contract itself is in ``docs/columns.md``):

* Every export carries ``schema_version`` (:data:`volscreen.result.SCHEMA_VERSION`):
  a leading column in CSV and Parquet (and Parquet file metadata), a top-level
  field in JSON.
* Numbers are decimals (0.182, not 18.2 %) and stay numbers: JSON numbers,
  CSV with full round-trip precision.  NaN is ``null`` in JSON and an empty
  cell in CSV; every column that can be NaN has a status/reason column beside
  it.
* CSV text is byte for byte ``DataFrame.to_csv(index=False,
  lineterminator="\\n")`` of the exported table; with pyarrow installed it is
  formatted by :mod:`volscreen._csvfast` (same bytes, about ten times faster).
* Dates (``expiry``) are ``YYYY-MM-DD``; timestamps (``quote_time``) ISO 8601
  with the UTC offset.  Legs are OCC symbols.
* Files are written atomically: the bytes go to a temporary file in the
  target's directory, are flushed to disk, then renamed over the target with
  :func:`os.replace`.  An interrupted run leaves either the previous file or
  nothing, never a partial file.
* CSV formula-injection guard: in TEXT columns, a cell whose first character
  is one of ``= + - @`` (or a tab / carriage return) gets a leading ``'`` so a
  spreadsheet shows it as text.  Numeric columns are never altered, so a
  negative P&L stays a number.
"""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from . import columns as C
from ._jsontext import dumps
from .errors import ConfigError, VolscreenError
from .result import SCHEMA_VERSION, ScreenResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

ExportFormat = Literal["csv", "json", "parquet"]
Table = Literal["candidates", "summary", "warnings", "term_structure", "surface", "compression"]
FORMATS: tuple[str, ...] = ("csv", "json", "parquet")
TABLES: tuple[str, ...] = ("candidates", "summary", "warnings", "term_structure", "surface",
                           "compression")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet evaluate a cell."""
FORMULA_ESCAPE = "'"


class ExportError(VolscreenError):
    """The export could not be written (directory missing, no pyarrow, ...)."""


def format_for(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Export format from an explicit name or the file suffix.

    Raises :class:`ConfigError` for an unknown format or suffix.
    """
    if fmt is None:
        suffix = Path(path).suffix.lower().lstrip(".")
        fmt = {"pq": "parquet"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})",
                          source=path)
    return fmt


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with spreadsheet formulas in text columns neutralised.

    Only text columns (object or string dtype) are touched; a cell starting
    with one of :data:`FORMULA_PREFIXES` is prefixed with ``'``.  Numbers in
    numeric columns are left as they are.
    """
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
            continue
        if (isinstance(col.dtype, pd.StringDtype) or _all_str(col)) and \
                not col.str.startswith(FORMULA_PREFIXES, na=False).any():
            continue  # no cell to escape: the column as the map below would leave it
        text = col.map(lambda v: v if not isinstance(v, str) else
                       (FORMULA_ESCAPE + v if v.startswith(FORMULA_PREFIXES) else v))
        out[name] = text.astype(col.dtype) if pd.api.types.is_string_dtype(col) else text
    return out


def _all_str(col: pd.Series) -> bool:
    """Whether ``col`` is an object column of ``str`` cells only (no missing value).

    The map in :func:`neutralize_formulas` returns such a column unchanged
    when no cell needs escaping; with a missing value, or a ``str`` subclass
    such as ``numpy.str_``, its result differs in type (missing as NaN in a
    string column, subclasses made ``str``), so those columns take the map.
    """
    return col.dtype == object and len(col) > 0 and set(map(type, col.to_numpy())) == {str}


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as exported: ``schema_version`` first, dates and times as text.

    Naive midnight datetime columns (dates) become ``YYYY-MM-DD``; tz-aware
    timestamps ISO 8601 with offset.  Missing values stay missing.
    """
    import pandas as pd

    out = frame.reset_index(drop=True).copy()
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            out[name] = _mapped_per_value(col, lambda v: v.isoformat())
        elif pd.api.types.is_datetime64_dtype(col):
            dates = bool(((col.dropna() - col.dropna().dt.normalize()) == pd.Timedelta(0)).all())
            if dates and col.notna().any() and not (col.dt.year < 1000).any():
                # YYYY-MM-DD in one vectorized call; missing as the map's text column has it
                out[name] = col.dt.strftime("%Y-%m-%d").astype(object)
                continue
            fmt = (lambda v: v.date().isoformat()) if dates else (lambda v: v.isoformat())
            out[name] = _mapped_per_value(col, fmt)
    if C.SCHEMA_VERSION in out:
        out = out.drop(columns=C.SCHEMA_VERSION)
    out.insert(0, C.SCHEMA_VERSION, SCHEMA_VERSION)
    return out


def _mapped_per_value(col: pd.Series, text: Callable[[pd.Timestamp], str]) -> pd.Series:
    """``col.map(lambda v: None if pd.isna(v) else text(v)).astype(object)``, one call per value.

    A screen table repeats each timestamp on many rows (one quote time per
    chain): ``text`` runs once per distinct value (and once for NaT) through
    the same :meth:`pandas.Series.map`, so the result, its dtype inference and
    its missing values included, is the cell-by-cell map's; the rows then take
    their value by code (``-1``, NaT, takes the appended NaT's).
    """
    import pandas as pd

    codes, uniques = pd.factorize(col)
    distinct = pd.Series(list(uniques) + [pd.NaT], dtype=col.dtype)
    mapped = distinct.map(lambda v: None if pd.isna(v) else text(v))
    return mapped.take(codes).set_axis(col.index).astype(object)


def csv_text(frame: pd.DataFrame) -> str:
    """CSV text of one table, formulas neutralised, NaN as empty cells.

    The text is what ``DataFrame.to_csv(index=False, lineterminator="\\n")``
    writes for :func:`neutralize_formulas` of :func:`export_frame`.  With
    pyarrow installed, the columns are formatted by
    :func:`volscreen._csvfast.csv_text` (the same bytes, several times
    faster); tables it does not handle, and every table without pyarrow, go
    through pandas (:func:`pandas_csv_text`).
    """
    from . import _csvfast

    table = neutralize_formulas(export_frame(frame))
    text = _csvfast.csv_text(table)
    return pandas_csv_text(table) if text is None else text


def pandas_csv_text(table: pd.DataFrame) -> str:
    """``table.to_csv(index=False, lineterminator="\\n")``: the reference CSV writer."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def json_text(result: ScreenResult | pd.DataFrame, *, name: str = "records") -> str:
    """JSON text: the whole result document, or ``{schema_version, name: records}``.

    Numbers stay numbers; NaN/NaT become ``null`` (``allow_nan=False`` checks
    that nothing slipped through).
    """
    from ._jsonrecords import Records

    if isinstance(result, ScreenResult):
        document = result.document(Records)  # result.to_dict(), tables written by column
    else:
        document = {C.SCHEMA_VERSION: SCHEMA_VERSION,
                    name: Records(export_frame(result).drop(columns=C.SCHEMA_VERSION))}
    return dumps(document, indent=2) + "\n"  # json.dumps(..., indent=2, allow_nan=False)


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> Path:
    """Write a file atomically: temp file in the same directory, then rename.

    Parameters
    ----------
    path
        Target file.  Its directory must exist.
    write
        Called with a binary file object open on the temporary file.

    Returns
    -------
    pathlib.Path
        The target path.

    Raises
    ------
    ExportError
        The directory is missing, the target is a directory, or the file
        system refused the write (the message names ``path``, never the
        temporary file).

    Notes
    -----
    The temporary file is flushed and fsync'ed before :func:`os.replace`
    (atomic on POSIX and Windows within one file system).  On any exception,
    including KeyboardInterrupt, the temporary file is removed and the target
    is left as it was.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError("output directory does not exist", source=target)
    if target.is_dir():
        raise ExportError("is a directory, not a file", source=target)
    try:
        handle = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{target.name}.",
                                             suffix=".tmp", delete=False)
    except OSError as exc:  # read-only or special directory: name the target, not the temp
        raise ExportError(f"cannot write here ({exc.strerror or exc})", source=target) \
            from None
    temp = Path(handle.name)
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write ({exc.strerror or exc})", source=target) from exc
        raise
    return target


def _parquet_bytes(frame: pd.DataFrame, sink: IO[bytes]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise ExportError("Parquet export needs pyarrow: pip install 'volscreen[parquet]'") \
            from None
    table = pa.Table.from_pandas(export_frame(frame), preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"volscreen.schema_version"] = str(SCHEMA_VERSION).encode()
    pq.write_table(table.replace_schema_metadata(meta), sink)


def write_frame(frame: pd.DataFrame, path: str | os.PathLike[str], *,
                format: str | None = None, name: str = "records") -> Path:
    """Write one table as CSV, JSON (``{schema_version, name: [...]}``) or Parquet.

    The format comes from ``format`` or the file suffix.  Written atomically.
    """
    fmt = format_for(path, format)
    if fmt == "parquet":
        return atomic_write(path, lambda sink: _parquet_bytes(frame, sink))
    text = csv_text(frame) if fmt == "csv" else json_text(frame, name=name)
    return atomic_write(path, lambda sink: sink.write(text.encode("utf-8")))


def result_table(result: ScreenResult, table: str = "candidates") -> pd.DataFrame:
    """One table of a result by name (see :data:`TABLES`)."""
    if table not in TABLES:
        raise ConfigError(f"unknown table {table!r} (use one of {', '.join(TABLES)})")
    frame: pd.DataFrame = getattr(result, table)
    return frame


def write_result(result: ScreenResult, path: str | os.PathLike[str], *,
                 format: str | None = None, table: str = "candidates") -> Path:
    """Export a screen result atomically.

    Parameters
    ----------
    result
        The :class:`~volscreen.result.ScreenResult`.
    path
        Target file; the format is taken from its suffix unless ``format``
        is given.
    format
        ``"csv"``, ``"json"`` or ``"parquet"``.
    table
        For CSV and Parquet (one table per file): ``"candidates"`` (default),
        ``"summary"``, ``"warnings"``, ``"term_structure"``, ``"surface"`` or
        ``"compression"``.  JSON always holds the whole result (schema_version,
        config, summary, candidates, warnings).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    fmt = format_for(path, format)
    if fmt == "json":
        text = json_text(result)
        return atomic_write(path, lambda sink: sink.write(text.encode("utf-8")))
    return write_frame(result_table(result, table), path, format=fmt)
