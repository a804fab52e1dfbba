"""Screen output: collect per-ticker rows and frames, rank across tickers, build the result."""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .config import ScreenConfig
from .result import WARNING_COLUMNS, ScreenResult

Tagged = tuple[pd.DataFrame, str, str]
"""A chain's frame with its underlying and source label."""


@dataclass
class Outcome:
    """What the screen keeps of each chain, in job order.

    Frames are kept as ``(frame, underlying, label)`` and labelled once, at
    the end (:func:`assemble`): one concat per table instead of one
    insert/copy per chain, and less to pickle back from a worker.
    """

    summary: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[Tagged] = field(default_factory=list)
    term: list[Tagged] = field(default_factory=list)
    surface: list[Tagged] = field(default_factory=list)
    compression: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    keep_surface: bool = True

    def extend(self, other: Outcome) -> None:
        """Append another outcome's rows and frames (job order is kept)."""
        for name in ("summary", "candidates", "term", "surface", "compression", "warnings"):
            getattr(self, name).extend(getattr(other, name))

    def warn(self, underlying: str, source: str, code: str, message: str) -> None:
        self.warnings.append({C.UNDERLYING: underlying, C.SOURCE_FILE: source,
                              C.WARNING_CODE: code, C.WARNING_MESSAGE: " ".join(message.split())})


# ---------------------------------------------------------------------------


def _leg_text(put: Any, call: Any) -> str | None:
    """The OCC symbols of a candidate's legs, space separated (None without any)."""
    text = " ".join(s for s in (put, call) if isinstance(s, str) and s)
    return text or None


def _legs(frame: pd.DataFrame) -> list[str | None]:
    put = frame[C.PUT_SYMBOL].to_numpy(object)
    call = frame[C.CALL_SYMBOL].to_numpy(object)
    return [_leg_text(p, c) for p, c in zip(put, call)]


def best_of(row: dict[str, Any], cands: pd.DataFrame) -> None:
    """Put the best-scoring candidate's fields (first of equal scores) into ``row``."""
    row[C.N_CANDIDATES] = len(cands)
    scores = pd.to_numeric(cands[C.SCORE], errors="coerce").to_numpy(float, na_value=np.nan) \
        if C.SCORE in cands else None
    if scores is None or np.isnan(scores).all():
        row.update({C.BEST_STRUCTURE: None, C.BEST_EXPIRY: pd.NaT, C.BEST_LEGS: None,
                    C.BEST_DEBIT_NATURAL: math.nan, C.BEST_SCORE: math.nan})
        return
    i = int(np.nanargmax(scores))

    def cell(name: str) -> Any:
        return cands[name].array[i] if name in cands else None

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


def _stack(parts: Iterable[Tagged], legs: bool = False) -> pd.DataFrame:
    """Concatenate tagged frames once, then label the rows with ``underlying`` and ``source_file``.

    Empty frames are left out.  ``underlying`` goes first when a frame has
    none; ``source_file`` goes second (``legs=False``: term, surface) or
    last after ``legs`` (candidates).
    """
    kept = [(f, u, s) for f, u, s in parts if not f.empty]
    if not kept:
        return pd.DataFrame()
    frame = pd.concat([f for f, _, _ in kept], ignore_index=True) if len(kept) > 1 \
        else kept[0][0].reset_index(drop=True)
    sizes = [len(f) for f, _, _ in kept]
    if C.UNDERLYING not in frame:
        frame.insert(0, C.UNDERLYING, np.repeat(np.array([u for _, u, _ in kept], object), sizes))
    labels = np.repeat(np.array([s for _, _, s in kept], object), sizes)
    if legs:
        if C.PUT_SYMBOL in frame and C.CALL_SYMBOL in frame:
            frame[C.LEGS] = _legs(frame)
        frame[C.SOURCE_FILE] = labels
    else:
        frame.insert(1, C.SOURCE_FILE, labels)
    return frame


def assemble(out: Outcome, config: ScreenConfig) -> ScreenResult:
    summary = pd.DataFrame(out.summary)
    for name in SUMMARY_ORDER[1:]:
        if name not in summary:
            summary[name] = np.nan
    summary = summary[[c for c in SUMMARY_ORDER[1:]]]
    failed = (summary[C.SCREEN_STATUS] == C.SCR_FAILED).to_numpy()
    for name in (C.IV30_STATUS, C.IV60_STATUS, C.IV90_STATUS, C.RV20_STATUS, C.IV_RANK_STATUS,
                 C.BOX_STATUS, C.COMPRESSION_STATUS, C.TARGETS_SOURCE):
        summary[name] = summary[name].astype(object)
        summary.loc[failed, name] = C.SCR_FAILED
    summary = _ranked(summary, C.BEST_SCORE)
    candidates = _ranked(_stack(out.candidates, legs=True), C.SCORE)
    warnings = pd.DataFrame(out.warnings, columns=list(WARNING_COLUMNS))
    return ScreenResult(summary, candidates, _stack(out.term), _stack(out.surface),
                        pd.DataFrame(out.compression), config, warnings)
