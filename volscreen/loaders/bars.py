"""Daily OHLCV price history -> canonical bars.

The canonical bars frame is indexed by a naive :class:`pandas.DatetimeIndex`
named ``date`` (or, for files without dates such as the TA-Lib reference
corpus, a :class:`pandas.RangeIndex` named ``bar``), with float64 columns
``open, high, low, close, volume`` and ``adj_close`` when the source has one.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import BarsSchemaError, EmptyDataError, UnreadableFileError, shown
from . import _io
from ._numbers import parse_numbers
from .formats import yyyymmdd_text

logger = logging.getLogger(__name__)

OHLC_REL_TOLERANCE = 1e-9
"""Relative slack for high >= max(open, close) and low <= min(open, close)."""
MAX_GAP_WEEKDAYS = 4
"""Missing weekdays between two consecutive bars above which a gap is reported."""
MAX_LISTED_ROWS = 5
"""How many offending rows an error message lists."""
ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
"""A date written ``YYYY-MM-DD`` (full match), read directly by NumPy."""
CSV_FIRST_LINE = 2
"""Line number of the first data row of a CSV file (the header is line 1)."""
BAR_INDEX = "bar"
"""Index name used when the source has no dates (numbered bars)."""
_MISSING_TOKENS = ("", "nan", "null", "none", "na", "n/a", "-")

_ALIASES: dict[str, str] = {
    "date": C.DATE, "datetime": C.DATE, "timestamp": C.DATE, "time": C.DATE, "day": C.DATE,
    "open": C.OPEN, "high": C.HIGH, "low": C.LOW, "close": C.CLOSE,
    "volume": C.VOLUME, "vol": C.VOLUME,
    "adjclose": C.ADJ_CLOSE, "adj_close": C.ADJ_CLOSE, "adjusted_close": C.ADJ_CLOSE,
    "adj close": C.ADJ_CLOSE, "close_adj": C.ADJ_CLOSE,
    "bar": BAR_INDEX,
}


def _normalise_name(name: str) -> str:
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name).strip())  # adjClose -> adj_Close
    return re.sub(r"[\s\-]+", "_", name).lower()


def _rename(frame: pd.DataFrame, columns: Mapping[str, str] | None, name: str) -> pd.DataFrame:
    user = dict(columns or {})
    mapping: dict[str, str] = {}
    for col in frame.columns:
        if col in user:
            mapping[col] = user[col]
            continue
        key = _normalise_name(col)
        target = _ALIASES.get(key, _ALIASES.get(key.replace("_", "")))
        if target is not None:
            mapping[col] = target
    names = [mapping.get(col, col) for col in frame.columns]
    seen: set[object] = set()
    dupes: list[object] = []
    for label in names:  # names seen again, in order of their first repeat
        if label in seen and label not in dupes:
            dupes.append(label)
        seen.add(label)
    if dupes:
        raise BarsSchemaError(
            f"several columns map onto {dupes}; pass columns= to choose one", source=name
        )
    return frame.set_axis(names, axis=1)  # a new frame; the caller's keeps its names


def _line_numbers(positions: np.ndarray, base: int) -> list[int]:
    # CSV rows are line numbers (header = line 1, base 2); JSON, Parquet and
    # DataFrame rows are 0-based record positions (base 0)
    return [int(p) + base for p in positions[:MAX_LISTED_ROWS]]


def _numeric(frame: pd.DataFrame, col: str, name: str, base: int) -> np.ndarray:
    series = frame[col]
    values, bad_mask = parse_numbers(series, _MISSING_TOKENS)
    bad = np.flatnonzero(bad_mask)
    if bad.size:
        rows = _line_numbers(bad, base)
        raise BarsSchemaError(
            f"non-numeric values in {bad.size} row(s) (first: {rows}), e.g. "
            f"{shown(series.iloc[bad[0]])}", source=name, row=rows[0], column=col,
        )
    return values


def _local_day(value: object) -> pd.Timestamp:
    # one value's calendar date in its own zone (for columns mixing UTC offsets)
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return pd.NaT
    return ts if ts is pd.NaT or ts.tz is None else ts.tz_localize(None)


def _iso_days(raw: pd.Series) -> np.ndarray | None:
    """datetime64[ns] when every cell is a valid ``YYYY-MM-DD`` text, else None.

    The common case, parsed by NumPy in one pass (the general path below
    infers a format per value).
    """
    if not pd.api.types.is_string_dtype(raw) or raw.isna().any():
        return None
    texts = np.array(raw.tolist())
    if texts.dtype.kind == "U":  # the pattern checked on code points: no regex per cell
        if not _iso_layout(texts):
            return None
    elif not raw.str.fullmatch(ISO_DAY).all():
        return None
    try:
        return texts.astype("datetime64[D]").astype("datetime64[ns]")
    except ValueError:  # e.g. 2021-02-30: the general path names the row
        return None


_ISO_DASHES = (4, 7)
"""Positions of the dashes in ``YYYY-MM-DD``; the other eight characters are digits."""
_ISO_LENGTH = 10


def _iso_layout(texts: np.ndarray) -> bool:
    """True when every text of a NumPy ``U`` array fully matches :data:`ISO_DAY`."""
    if texts.dtype.itemsize != _ISO_LENGTH * 4:  # longest text not ten characters
        return False
    points = texts.reshape(-1).view(np.uint32).reshape(-1, _ISO_LENGTH)  # shorter: NUL padded
    digit = (points >= ord("0")) & (points <= ord("9"))
    dash = points == ord("-")
    return bool(dash[:, _ISO_DASHES].all() and np.delete(digit, _ISO_DASHES, axis=1).all())


def _parse_dates(raw: pd.Series, name: str, base: int) -> pd.DatetimeIndex:
    days = _iso_days(raw)
    if days is not None:
        return pd.DatetimeIndex(days, name=C.DATE)
    text = raw
    if not pd.api.types.is_string_dtype(raw) and not pd.api.types.is_datetime64_any_dtype(raw):
        text = raw.map(yyyymmdd_text)  # 20240102 is a date, not nanoseconds since 1970
    try:
        parsed = pd.to_datetime(text, format="mixed", errors="coerce", utc=False)
    except ValueError:  # several UTC offsets in one column: keep each value's local date
        parsed = pd.to_datetime(text.map(_local_day), errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        rows = _line_numbers(bad, base)
        raise BarsSchemaError(
            f"unparseable or missing dates in {bad.size} row(s) (first: {rows}), e.g. "
            f"{shown(raw.iloc[bad[0]])}", source=name, row=rows[0], column=C.DATE,
        )
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is not None:  # a date stamped in its own zone: keep the local calendar date
        idx = idx.tz_localize(None)
    return pd.DatetimeIndex(idx.normalize().as_unit("ns"), freq=None, name=C.DATE)


def _gaps(dates: pd.DatetimeIndex) -> list[dict[str, object]]:
    if len(dates) < 2:
        return []
    day = dates.values.astype("datetime64[D]")
    missing = np.busday_count(day[:-1], day[1:]) - 1
    where = np.flatnonzero(missing > MAX_GAP_WEEKDAYS)
    return [
        {"after": str(day[i]), "before": str(day[i + 1]), "missing_weekdays": int(missing[i])}
        for i in where
    ]


def _read(source: object, name: str) -> tuple[pd.DataFrame, int]:
    """The raw table and the row base for messages (2 for CSV lines, else 0)."""
    kind, payload = _io.read_any(source)  # type: ignore[arg-type]
    if kind == "parquet":
        return payload, 0
    if kind == "json":
        try:
            return pd.DataFrame(payload), 0
        except (ValueError, TypeError):
            raise BarsSchemaError("JSON is not a table of bars", source=name) from None
    return _io.read_csv_text(payload, name), CSV_FIRST_LINE


def _is_date_name(label: object, columns: Mapping[str, str] | None) -> bool:
    if label is None:
        return False
    return _ALIASES.get(_normalise_name(str(label))) == C.DATE or \
        dict(columns or {}).get(str(label)) == C.DATE


def load_bars(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load daily OHLCV bars into the canonical bars frame.

    Parameters
    ----------
    source
        Path to a CSV (plain or gzip), JSON records or Parquet file, or a
        DataFrame (never modified).  Recognised layouts: Yahoo
        (``Date,Open,High,Low,Close[,Adj Close],Volume`` in any column order),
        Tiingo (``symbol,date,close,...,adjClose,...``), TA-Lib style numbered
        bars (``bar,open,...``) and the canonical
        ``date,open,high,low,close,volume[,adj_close]``.  A DataFrame whose
        index is a DatetimeIndex, or an index named like a date column
        (``Date``, ``date``, ``Datetime``) holding date strings, is taken as
        the dates when there is no date column.
    columns
        Extra ``{source_name: canonical_name}`` mapping for other layouts,
        e.g. ``{"Px_Last": "close", "TradeDate": "date"}``.

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (naive midnight DatetimeIndex, ascending, unique) or a
        RangeIndex ``bar`` when the source has no dates; float64 columns
        ``open, high, low, close, volume`` (+ ``adj_close`` when present).
        Other source columns are dropped.  ``attrs``:

        * ``source``: file name (or ``"<DataFrame>"``),
        * ``gaps``: list of ``{"after", "before", "missing_weekdays"}`` for
          runs of more than :data:`MAX_GAP_WEEKDAYS` missing weekdays,
        * ``nan_rows``: CSV line numbers (header = line 1), or 0-based record
          positions for JSON, Parquet and DataFrame input, of rows
          removed because a price was missing,
        * ``resorted``: True when the input was not in date order.

    Raises
    ------
    UnreadableFileError, EmptyDataError
        Missing/unreadable/binary file, or no rows.
    BarsSchemaError
        Missing columns, non-numeric values, unparseable or duplicate dates,
        non-positive prices, high below max(open, close) or low above
        min(open, close) beyond a relative 1e-9; the message names the file,
        the first offending line (or date) and the column.

    Notes
    -----
    Prices are used as given (raw or adjusted is the file's choice; keep raw
    prices for ranges and targets).  Missing volume becomes NaN.  Rows with
    any missing price are removed and listed in ``attrs["nan_rows"]`` (and
    logged); they are never dropped silently.  Unsorted input is sorted and
    ``attrs["resorted"]`` set; duplicate dates are an error.  Gaps are
    reported, never filled: exchange holidays produce 1-2 missing weekdays,
    so only longer runs are listed.
    """
    name = _io.source_name(source)
    base = 0
    if isinstance(source, pd.DataFrame):
        frame = source
        has_date_column = any(_is_date_name(c, columns) for c in frame.columns)
        index_is_dates = isinstance(frame.index, pd.DatetimeIndex) or _is_date_name(
            frame.index.name, columns)
        if index_is_dates and not has_date_column:  # the index holds the dates: parse it
            frame = frame.rename_axis(C.DATE).reset_index()
    elif isinstance(source, (str, os.PathLike)):
        frame, base = _read(source, name)
    else:
        raise UnreadableFileError(
            f"expected a path or a DataFrame, got {type(source).__name__}", source=name
        )
    if frame.empty:
        raise EmptyDataError("no bars", source=name)

    frame = _rename(frame, columns, name)
    missing = [c for c in C.BAR_REQUIRED if c not in frame.columns]
    if missing:
        raise BarsSchemaError(
            f"missing required column(s) {missing}; columns seen: {list(frame.columns)[:12]}. "
            "Map yours with columns={'your_name': 'close', ...}",
            source=name,
        )
    has_dates = C.DATE in frame.columns
    if not has_dates and BAR_INDEX not in frame.columns:
        raise BarsSchemaError(
            f"no date column; columns seen: {list(frame.columns)[:12]}. "
            "Map yours with columns={'your_name': 'date'}",
            source=name,
        )

    out_cols = list(C.BAR_COLUMNS) + ([C.ADJ_CLOSE] if C.ADJ_CLOSE in frame.columns else [])
    data = {
        col: (_numeric(frame, col, name, base) if col in frame.columns
              else np.full(len(frame), np.nan))
        for col in out_cols
    }
    if C.VOLUME not in frame.columns:
        logger.info("%s: no volume column; volume is NaN", name)
    positions = np.arange(len(frame))

    if has_dates:
        index: pd.Index = _parse_dates(frame[C.DATE], name, base)
    else:
        numbers = _numeric(frame, BAR_INDEX, name, base)
        bad = np.flatnonzero(~(np.isfinite(numbers) & (numbers == np.round(numbers))))
        if bad.size:  # the index is cast to int64 below: 0.5 would become 0, NaN fails
            rows = _line_numbers(bad, base)
            raise BarsSchemaError(
                f"bar number {shown(frame[BAR_INDEX].iloc[bad[0]])} is missing or not a whole "
                f"number ({bad.size} row(s))", source=name, row=rows[0], column=BAR_INDEX)
        index = pd.Index(numbers, name=BAR_INDEX)
    bars = pd.DataFrame(data, index=index)

    # rows missing any price (from the parsed arrays: no 2-D copy of the frame)
    nan_rows = np.flatnonzero(np.logical_or.reduce([np.isnan(data[c]) for c in C.BAR_REQUIRED]))
    if nan_rows.size:
        listed = [int(p) + base for p in nan_rows]
        logger.warning("%s: %d row(s) with missing prices removed (rows %s)",
                       name, nan_rows.size, listed[:MAX_LISTED_ROWS])
        keep = np.ones(len(bars), dtype=bool)
        keep[nan_rows] = False
        bars, positions = bars[keep], positions[keep]
    else:
        listed = []
    if bars.empty:
        raise EmptyDataError("no bar has a complete set of prices", source=name)

    def _where(i: int) -> str:
        label = bars.index[i]
        return label.strftime("%Y-%m-%d") if isinstance(label, pd.Timestamp) else str(label)

    def _row(i: int) -> int:
        return int(positions[i]) + base

    for col in C.BAR_REQUIRED + ((C.ADJ_CLOSE,) if C.ADJ_CLOSE in bars.columns else ()):
        values = bars[col].to_numpy()
        bad = np.flatnonzero(~((values > 0) & (values < np.inf)) & ~np.isnan(values))
        if bad.size:
            raise BarsSchemaError(
                f"non-positive or infinite price {float(values[bad[0]])!r} on "
                f"{_where(bad[0])} ({bad.size} row(s))", source=name, row=_row(bad[0]),
                column=col,
            )
    volume = bars[C.VOLUME].to_numpy()
    bad = np.flatnonzero((volume < 0) | np.isinf(volume))
    if bad.size:  # zero volume is a real (if odd) value and is kept
        raise BarsSchemaError(
            f"negative or infinite volume {float(volume[bad[0]])!r} on {_where(bad[0])} "
            f"({bad.size} row(s))", source=name, row=_row(bad[0]), column=C.VOLUME,
        )
    o, h, lo, c = (bars[k].to_numpy() for k in C.BAR_REQUIRED)
    for col, bad_mask, rule in (
        (C.HIGH, h < np.maximum(o, c) * (1 - OHLC_REL_TOLERANCE), "high below max(open, close)"),
        (C.LOW, lo > np.minimum(o, c) * (1 + OHLC_REL_TOLERANCE), "low above min(open, close)"),
    ):
        bad = np.flatnonzero(bad_mask)
        if bad.size:
            raise BarsSchemaError(
                f"{rule} on {_where(bad[0])} ({bad.size} row(s))",
                source=name, row=_row(bad[0]), column=col,
            )

    dup = bars.index.duplicated(keep=False)
    if dup.any():
        where = np.flatnonzero(dup)
        rows = [_row(i) for i in where[:MAX_LISTED_ROWS]]
        raise BarsSchemaError(
            f"duplicate {bars.index.name} {_where(where[0])} on rows {rows}",
            source=name, row=rows[0], column=bars.index.name,
        )
    resorted = not bars.index.is_monotonic_increasing
    if resorted:
        logger.warning("%s: bars were not in date order; sorted", name)
        bars = bars.sort_index(kind="stable")
    if not has_dates:
        bars.index = pd.RangeIndex(len(bars), name=BAR_INDEX) if np.array_equal(
            bars.index.to_numpy(), np.arange(len(bars))) else bars.index.astype(np.int64)

    gaps = _gaps(bars.index) if has_dates else []
    for gap in gaps:
        logger.warning("%s: %d weekdays missing between %s and %s", name,
                       gap["missing_weekdays"], gap["after"], gap["before"])
    bars.attrs = {"source": name, "gaps": gaps, "nan_rows": listed, "resorted": resorted}
    return bars
