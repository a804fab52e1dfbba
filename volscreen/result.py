"""ScreenResult: the frozen outcome of one screen.

A result holds labelled pandas frames (summary, candidates, term structure,
per-quote surface, compression) plus the config that produced them and the
per-ticker warnings.  It never prints; :meth:`ScreenResult.summary_text`
returns a string and :meth:`ScreenResult.to_dict` a JSON-able dict.

Frames are returned as copies (cheap under pandas copy-on-write), so a caller
changing what it got back never changes the result.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import columns as C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .config import ScreenConfig

SCHEMA_VERSION = 1
"""Version of the export column contract (docs/columns.md).

Bumped when a column is renamed or removed or its unit or meaning changes;
adding a column does not bump it."""

WARNING_COLUMNS = (C.UNDERLYING, C.SOURCE_FILE, C.WARNING_CODE, C.WARNING_MESSAGE)


def _empty() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


@dataclass(frozen=True, eq=False)
class ScreenResult:
    """Outcome of :func:`volscreen.screen`.

    Attributes are read-only; the frame properties return copies.

    Parameters
    ----------
    summary
        One row per screened ticker/chain, ranked (``screen_rank`` 1 = best).
        Columns: see ``docs/columns.md``.
    candidates
        Every candidate of every ticker, ranked by score across tickers.
    term_structure
        One row per (underlying, expiry).
    surface
        Per-quote implied vols of every chain (the output of
        :func:`volscreen.implied_vols`, stacked).
    compression
        Latest compression summary per ticker (one row each).
    config
        The :class:`~volscreen.config.ScreenConfig` used, overrides applied.
    warnings
        One row per problem: ``underlying``, ``source_file``,
        ``warning_code``, ``message``.
    """

    _summary: pd.DataFrame = field(default_factory=_empty)
    _candidates: pd.DataFrame = field(default_factory=_empty)
    _term_structure: pd.DataFrame = field(default_factory=_empty)
    _surface: pd.DataFrame = field(default_factory=_empty)
    _compression: pd.DataFrame = field(default_factory=_empty)
    config: ScreenConfig | None = None
    _warnings: pd.DataFrame = field(default_factory=_empty)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per ticker (and chain), ranked."""
        return self._summary.copy(deep=False)

    @property
    def candidates(self) -> pd.DataFrame:
        """All candidates, ranked across tickers."""
        return self._candidates.copy(deep=False)

    @property
    def term_structure(self) -> pd.DataFrame:
        """Per-expiry term structure of every ticker."""
        return self._term_structure.copy(deep=False)

    @property
    def surface(self) -> pd.DataFrame:
        """Per-quote implied vols and statuses of every chain."""
        return self._surface.copy(deep=False)

    @property
    def compression(self) -> pd.DataFrame:
        """Latest compression summary per ticker."""
        return self._compression.copy(deep=False)

    @property
    def warnings(self) -> pd.DataFrame:
        """Per-ticker problems (failed tickers, thin chains, missing bars)."""
        return self._warnings.copy(deep=False)

    @property
    def failed(self) -> list[str]:
        """Underlyings (or sources) that could not be screened."""
        frame = self._summary
        if frame.empty or C.SCREEN_STATUS not in frame:
            return []
        rows = frame[frame[C.SCREEN_STATUS] == C.SCR_FAILED]
        return [str(v) for v in rows[C.UNDERLYING]]

    @property
    def schema_version(self) -> int:
        """Version of the export column contract."""
        return SCHEMA_VERSION

    def summary_text(self, width: int = 80, *, wide: bool = False) -> str:
        """Plain-text rendering (no colour) of the summary and candidates."""
        from .render import render_text

        return render_text(self, width=width, wide=wide, color=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict: schema_version, config, summary, candidates, warnings.

        Numbers stay numbers; NaN/NaT become None; timestamps ISO 8601 text.
        """
        return self.document(records)

    def document(self, table: Callable[[pd.DataFrame], Any]) -> dict[str, Any]:
        """:meth:`to_dict` with each table given as ``table(frame)`` (the JSON export
        passes a stand-in that formats the records column by column)."""
        return {
            C.SCHEMA_VERSION: SCHEMA_VERSION,
            "config": None if self.config is None else self.config.to_dict(),
            "summary": table(self._summary),
            "candidates": table(self._candidates),
            "warnings": table(self._warnings),
        }

    def __repr__(self) -> str:
        return (f"ScreenResult(tickers={len(self._summary)}, "
                f"candidates={len(self._candidates)}, warnings={len(self._warnings)})")


def _plain(value: Any) -> Any:
    """One cell as a JSON-able Python value (NaN/NaT/NA -> None)."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, pd.Timestamp):
        if value.tz is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return _plain(pd.Timestamp(value)) if isinstance(value, np.datetime64) else str(value)
    return str(value) if not isinstance(value, str) else value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-able dicts (column order kept).

    NaN, NaT and ``pd.NA`` become None; integers stay integers; dates
    (midnight, naive) become ``YYYY-MM-DD``; timestamps ISO 8601.
    """
    if frame is None or frame.empty:
        return []
    names = [str(c) for c in frame.columns]
    columns = [_plain_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return [dict(zip(names, row)) for row in zip(*columns)]


def column_cells(col: pd.Series) -> tuple[str, Any]:
    """A column's cells as :func:`records` reads them, by kind.

    Returns ``(kind, cells)``: ``"float"`` (a float64 array: NumPy floats of
    at most 64 bits, converted), ``"int"`` or ``"bool"`` (the NumPy array),
    ``"text"`` (an object array whose every cell is a ``str``), or
    ``"other"`` (an object array, each cell for :func:`_plain`).
    """
    import numpy as np
    import pandas as pd

    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub" and dtype.itemsize <= 8:
        values = col.to_numpy()
        if dtype.kind == "f":
            return "float", values.astype(np.float64)
        return ("bool" if dtype.kind == "b" else "int"), values
    cells = col.to_numpy(dtype=object)
    if (isinstance(dtype, pd.StringDtype) or dtype == object) \
            and all(type(v) is str for v in cells):
        return "text", cells
    return "other", cells


def _plain_column(col: pd.Series) -> list[Any]:
    """``[_plain(v) for v in col]``, whole-column for float, integer, bool and text columns."""
    import numpy as np

    kind, cells = column_cells(col)
    if kind == "float":
        plain = cells.astype(object)
        plain[~np.isfinite(cells)] = None
        return list(plain.tolist())
    if kind == "other":
        return [_plain(v) for v in cells]
    return list(cells.tolist())  # Python ints, bools and str, as _plain makes them
