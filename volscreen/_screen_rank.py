"""Screen output: collect per-ticker rows and frames, rank across tickers, build the result."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Union, cast

import numpy as np
import pandas as pd

from . import columns as C
from .config import ScreenConfig
from .result import WARNING_COLUMNS, ScreenResult

Tagged = tuple[pd.DataFrame, str, str]
"""A chain's frame with its underlying and source label."""


class Stacked:
    """Consecutive chains' frames concatenated once (:meth:`Outcome.compact`).

    ``frame`` holds the rows of every chain in order (``sizes[i]`` rows of
    chain ``i``, whose underlying and label are ``underlyings[i]`` and
    ``labels[i]``).  The frames stacked together have the same columns and
    dtypes, so concatenating stacks gives what concatenating their frames
    one by one gives.  (A plain class: a dataclass costs about a
    millisecond to create at import, on every command's start-up path.)
    """

    __slots__ = ("frame", "underlyings", "labels", "sizes")

    def __init__(self, frame: pd.DataFrame, underlyings: tuple[str, ...],
                 labels: tuple[str, ...], sizes: tuple[int, ...]) -> None:
        self.frame = frame
        self.underlyings = underlyings
        self.labels = labels
        self.sizes = sizes


Part = Union[Tagged, Stacked]
"""What a table list of :class:`Outcome` holds: a chain's frame or a stack of them."""


def _layout(frame: pd.DataFrame) -> tuple[pd.Index, pd.Series]:
    """A frame's columns and dtypes (compared with :func:`_same_layout`)."""
    return frame.columns, frame.dtypes


def _same_layout(a: tuple[pd.Index, pd.Series], b: tuple[pd.Index, pd.Series]) -> bool:
    """True when two :func:`_layout` have the same column names and dtypes (in order).

    Such frames concatenate without a cast or a new column, so stacking them
    first changes nothing in a later concatenation.
    """
    return (a[0].dtype == b[0].dtype and a[0].equals(b[0])) and a[1].equals(b[1])


def _compacted(parts: list[Part]) -> list[Part]:
    """``parts`` with each run of non-empty same-layout frames stacked into one (order kept).

    Empty frames are dropped (:func:`_stack` leaves them out anyway).
    """
    out: list[Part] = []
    run: list[Tagged] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            out.append(Stacked(pd.concat([f for f, _, _ in run], ignore_index=True),
                               tuple(u for _, u, _ in run), tuple(s for _, _, s in run),
                               tuple(len(f) for f, _, _ in run)))
        run.clear()

    layout = None  # the layout of the run's last frame
    for part in parts:
        if isinstance(part, Stacked) or part[0].empty:
            flush()
            if isinstance(part, Stacked):
                out.append(part)
            continue
        previous, layout = layout, _layout(part[0])
        if run and previous is not None and not _same_layout(previous, layout):
            flush()
        run.append(part)
    flush()
    return out


class Outcome:
    """What the screen keeps of each chain, in job order.

    Frames are kept as ``(frame, underlying, label)`` and labelled once, at
    the end (:func:`assemble`): one concat per table instead of one
    insert/copy per chain, and less to pickle back from a worker.  Every
    list is the caller's own when given, a new empty list otherwise.
    """

    TABLES = ("summary", "candidates", "term", "surface", "compression", "warnings")

    def __init__(self, summary: list[dict[str, Any]] | None = None,
                 candidates: list[Part] | None = None, term: list[Part] | None = None,
                 surface: list[Part] | None = None,
                 compression: list[dict[str, Any]] | None = None,
                 warnings: list[dict[str, Any]] | None = None,
                 keep_surface: bool = True) -> None:
        self.summary: list[dict[str, Any]] = [] if summary is None else summary
        self.candidates: list[Part] = [] if candidates is None else candidates
        self.term: list[Part] = [] if term is None else term
        self.surface: list[Part] = [] if surface is None else surface
        self.compression: list[dict[str, Any]] = [] if compression is None else compression
        self.warnings: list[dict[str, Any]] = [] if warnings is None else warnings
        self.keep_surface = keep_surface

    def __repr__(self) -> str:
        return f"Outcome(chains={len(self.summary)}, keep_surface={self.keep_surface})"

    def extend(self, other: Outcome) -> None:
        """Append another outcome's rows and frames (job order is kept)."""
        for name in self.TABLES:
            getattr(self, name).extend(getattr(other, name))

    def compact(self) -> Outcome:
        """This outcome with each table's same-layout frames stacked (:class:`Stacked`).

        A worker compacts its chunk before sending it back: a few large
        frames pickle and unpickle in a fraction of the time of one frame per
        chain, and the parent's final concatenation has a few parts per
        chunk instead of one per chain.  :func:`assemble` gives the same
        result either way.
        """
        return Outcome(self.summary, _compacted(self.candidates), _compacted(self.term),
                       _compacted(self.surface), self.compression, self.warnings,
                       self.keep_surface)

    def warn(self, underlying: str, source: str, code: str, message: str) -> None:
        self.warnings.append({C.UNDERLYING: underlying, C.SOURCE_FILE: source,
                              C.WARNING_CODE: code, C.WARNING_MESSAGE: " ".join(message.split())})


# ---------------------------------------------------------------------------


def _leg_text(put: Any, call: Any) -> str | None:
    """The OCC symbols of a candidate's legs, space separated (None without any)."""
    text = " ".join(s for s in (put, call) if isinstance(s, str) and s)
    return text or None


def _legs(frame: pd.DataFrame) -> list[str | None]:
    """:func:`_leg_text` of every row, vectorized: masks of usable symbols, one join per row."""
    put = frame[C.PUT_SYMBOL].to_numpy(object)
    call = frame[C.CALL_SYMBOL].to_numpy(object)
    has_put, has_call = _texts(put), _texts(call)
    legs = np.full(len(frame), None, dtype=object)
    both = has_put & has_call
    legs[both] = put[both] + " " + call[both]
    legs[has_put & ~has_call] = put[has_put & ~has_call]
    legs[has_call & ~has_put] = call[has_call & ~has_put]
    return legs.tolist()


def _texts(values: np.ndarray) -> np.ndarray:
    """True where an object array holds a non-empty ``str``."""
    return np.fromiter((isinstance(v, str) and v != "" for v in values), dtype=bool,
                       count=len(values))


def _numbers(column: pd.Series) -> np.ndarray:
    """``pd.to_numeric(column, errors="coerce")`` as float64 with NaN (floats taken as they are)."""
    if column.dtype.kind == "f":
        return column.to_numpy(float, na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(float, na_value=np.nan)


def best_of(row: dict[str, Any], cands: pd.DataFrame) -> None:
    """Put the best-scoring candidate's fields (first of equal scores) into ``row``."""
    row[C.N_CANDIDATES] = len(cands)
    columns = cands.columns
    scores = _numbers(cands[C.SCORE]) if C.SCORE in columns else None
    if scores is None or np.isnan(scores).all():
        row.update({C.BEST_STRUCTURE: None, C.BEST_EXPIRY: pd.NaT, C.BEST_LEGS: None,
                    C.BEST_DEBIT_NATURAL: math.nan, C.BEST_SCORE: math.nan})
        return
    i = int(np.nanargmax(scores))

    def cell(name: str) -> Any:  # ``cands[name].array[i]`` in a third of the time
        return cands.iat[i, cast(int, columns.get_loc(name))] if name in columns else None

    legs = _leg_text(cell(C.PUT_SYMBOL), cell(C.CALL_SYMBOL)) \
        if C.PUT_SYMBOL in cands and C.CALL_SYMBOL in cands else None
    row.update({C.BEST_STRUCTURE: cell(C.STRUCTURE), C.BEST_EXPIRY: cell(C.EXPIRY),
                C.BEST_LEGS: legs, C.BEST_DEBIT_NATURAL: cell(C.DEBIT_NATURAL),
                C.BEST_SCORE: float(scores[i])})


SUMMARY_ORDER = (
    C.SCREEN_RANK, C.UNDERLYING, C.QUOTE_TIME, C.SOURCE_FILE, C.SCREEN_STATUS, C.SCREEN_REASON,
    C.SPOT, C.HS_IV30, C.IV30_STATUS, C.HS_IV60, C.IV60_STATUS, C.HS_IV90, C.IV90_STATUS,
    C.TERM_SLOPE, C.HS_RV20, C.RV20_STATUS, C.IV30_RV20, C.IV_RANK, C.IV_PERCENTILE,
    C.IV_RANK_N_OBS,
    C.IV_RANK_STATUS, C.BARS_AS_OF, C.BBW, C.BBW_PCTILE_126, C.SQUEEZE_ON, C.SQUEEZE_BARS,
    C.COMPRESSION_STATUS, C.BOX_FLOOR, C.BOX_CEILING, C.BOX_STATUS, C.TARGET_LOW,
    C.TARGET_HIGH, C.TARGETS_SOURCE, C.N_CANDIDATES, C.BEST_STRUCTURE, C.BEST_EXPIRY,
    C.BEST_LEGS, C.BEST_DEBIT_NATURAL, C.BEST_SCORE,
)


def _ranked(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    score = pd.to_numeric(frame[key], errors="coerce") if key in frame else \
        pd.Series(np.nan, index=frame.index)
    order = np.lexsort((np.arange(len(frame)), np.nan_to_num(-score.to_numpy(float),
                                                             nan=np.inf)))
    out = frame.iloc[order].reset_index(drop=True)
    out.insert(0, C.SCREEN_RANK, np.arange(1, len(out) + 1))
    return out


def _stack(parts: Iterable[Part], legs: bool = False) -> pd.DataFrame:
    """Concatenate tagged frames once, then label the rows with ``underlying`` and ``source_file``.

    Empty frames are left out.  ``underlying`` goes first when a frame has
    none; ``source_file`` goes second (``legs=False``: term, surface) or
    last after ``legs`` (candidates).  A :class:`Stacked` part stands for its
    chains' frames in order.
    """
    frames: list[pd.DataFrame] = []
    underlyings: list[str] = []
    labels: list[str] = []
    sizes: list[int] = []
    for part in parts:
        if isinstance(part, Stacked):
            if part.frame.empty:
                continue
            frames.append(part.frame)
            underlyings += part.underlyings
            labels += part.labels
            sizes += part.sizes
        elif not part[0].empty:
            frames.append(part[0])
            underlyings.append(part[1])
            labels.append(part[2])
            sizes.append(len(part[0]))
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 \
        else frames[0].reset_index(drop=True)
    if C.UNDERLYING not in frame:
        frame.insert(0, C.UNDERLYING, np.repeat(np.array(underlyings, object), sizes))
    label_column = np.repeat(np.array(labels, object), sizes)
    if legs:
        if C.PUT_SYMBOL in frame and C.CALL_SYMBOL in frame:
            frame[C.LEGS] = _legs(frame)
        frame[C.SOURCE_FILE] = label_column
    else:
        frame.insert(1, C.SOURCE_FILE, label_column)
    return frame


STATUS_COLUMNS = (C.IV30_STATUS, C.IV60_STATUS, C.IV90_STATUS, C.RV20_STATUS, C.IV_RANK_STATUS,
                  C.BOX_STATUS, C.COMPRESSION_STATUS, C.TARGETS_SOURCE)
"""Summary columns that read ``failed`` on a failed ticker's row."""


def _summary(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The summary rows as a frame in :data:`SUMMARY_ORDER` (rank excepted), failures marked.

    Columns no row has are float NaN; the status columns are object dtype.
    """
    names = list(SUMMARY_ORDER[1:])
    if not rows:  # no row to infer from: every column float, statuses object
        return pd.DataFrame({name: np.empty(0, object if name in STATUS_COLUMNS else float)
                             for name in names})
    summary = pd.DataFrame(rows, columns=names)
    failed = np.fromiter((row.get(C.SCREEN_STATUS) == C.SCR_FAILED for row in rows), bool,
                         count=len(rows))
    statuses = {}
    for name in STATUS_COLUMNS:
        values = summary[name].to_numpy(object, copy=True)
        values[failed] = C.SCR_FAILED
        statuses[name] = pd.Series(values, index=summary.index, dtype=object, copy=False)
    return summary.assign(**statuses)


def assemble(out: Outcome, config: ScreenConfig) -> ScreenResult:
    """The :class:`ScreenResult` of an outcome: tables stacked and labelled, rows ranked."""
    summary = _ranked(_summary(out.summary), C.BEST_SCORE)
    candidates = _ranked(_stack(out.candidates, legs=True), C.SCORE)
    warnings = pd.DataFrame(out.warnings, columns=list(WARNING_COLUMNS))
    return ScreenResult(summary, candidates, _stack(out.term), _stack(out.surface),
                        pd.DataFrame(out.compression), config, warnings)
