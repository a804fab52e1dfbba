"""Errors and warnings raised by volscreen.

Every error carries the context a user needs to fix the input: the file, the
row (1-based line number in the file where one exists, else the 0-based row
position) and the column.  ``str(err)`` is a single line, so the command line
can print it as is.  Library code raises; only the CLI turns errors into exit
codes.
"""
from __future__ import annotations

from collections.abc import Sequence
from os import PathLike


def shown(value: object) -> str:
    """A cell value as an error message shows it: ``'abc'``, ``-1``, ``an empty cell``.

    NumPy scalars print as plain Python values (not ``np.int64(-1)``); a
    missing value (None, NaN, NaT, pandas NA) is named as an empty cell.
    """
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        value = item()
    try:
        if value is None or value != value:  # NaN, NaT and None: nothing in the cell
            return "an empty cell"
    except (TypeError, ValueError):  # pandas NA has no truth value
        return "an empty cell"
    return repr(value)


class VolscreenError(Exception):
    """Base class of every error volscreen raises on bad input or settings.

    Parameters
    ----------
    message
        What is wrong and, where possible, what to do about it.
    source
        The file (or other named source) the problem was found in.
    row
        Row label or line number of the offending record.
    column
        Name of the offending column (as spelled in the source).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | PathLike[str] | None = None,
        row: object | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.source = None if source is None else str(source)
        self.row = row
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source is not None:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = " ".join(self.message.split())  # always a single line
        return f"{', '.join(where)}: {text}" if where else text


class DataError(VolscreenError):
    """Input data is unreadable or inconsistent."""


class UnreadableFileError(DataError):
    """The file does not exist, cannot be read, or is not text/JSON/Parquet."""


class UnknownFormatError(DataError):
    """No known vendor format matches the file's columns."""

    def __init__(
        self,
        source: str | PathLike[str] | None,
        tried: Sequence[str],
        seen: Sequence[str] = (),
    ) -> None:
        seen_txt = ", ".join(list(seen)[:12]) + (" ..." if len(seen) > 12 else "")
        super().__init__(
            "unknown chain format (tried: "
            + ", ".join(tried)
            + (f"; columns seen: {seen_txt}" if seen_txt else "")
            + "). Force a format with format='yfinance' (CLI: --input-format yfinance) or map "
            "your columns with columns={'your_name': 'strike', ...} (CLI: --columns "
            "your_name=strike,...; config: columns = {your_name = \"strike\"})",
            source=source,
        )


class SchemaError(DataError):
    """A required column is missing or has the wrong type."""


class ChainSchemaError(SchemaError):
    """An option chain is missing required columns or has non-numeric values."""


class BarsSchemaError(SchemaError):
    """Price history is missing required columns or is inconsistent."""


class EmptyDataError(DataError):
    """The input holds no usable rows."""


class DuplicateContractError(DataError):
    """The same contract appears more than once with conflicting quotes."""


class ConfigError(VolscreenError):
    """A setting (config file key, CLI flag or argument) is invalid."""


class StoreError(VolscreenError):
    """The IV history store cannot be opened or written."""


class VolscreenWarning(UserWarning):
    """Base class of volscreen's warnings (data quality, thin chains)."""


class DataQualityWarning(VolscreenWarning):
    """Input was usable but something in it deserves attention."""
