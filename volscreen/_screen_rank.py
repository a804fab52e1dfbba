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


@dataclass
class Outcome:
    summary: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[pd.DataFrame] = field(default_factory=list)
    term: list[pd.DataFrame] = field(default_factory=list)
    surface: list[pd.DataFrame] = field(default_factory=list)
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


def with_legs(cands: pd.DataFrame, underlying: str, label: str) -> pd.DataFrame:
    out = cands.copy()
    if C.UNDERLYING not in out:
        out.insert(0, C.UNDERLYING, underlying)
    if C.PUT_SYMBOL in out and C.CALL_SYMBOL in out:
        put = out[C.PUT_SYMBOL].astype(object)
        call = out[C.CALL_SYMBOL].astype(object)
        legs = [" ".join(str(s) for s in pair if isinstance(s, str) and s)
                for pair in zip(put, call)]
        out[C.LEGS] = [leg or None for leg in legs]
    out[C.SOURCE_FILE] = label
    return out


def best_of(row: dict[str, Any], cands: pd.DataFrame) -> None:
    row[C.N_CANDIDATES] = len(cands)
    scores = pd.to_numeric(cands[C.SCORE], errors="coerce") if C.SCORE in cands else None
    if scores is None or not scores.notna().any():
        row.update({C.BEST_STRUCTURE: None, C.BEST_EXPIRY: pd.NaT, C.BEST_LEGS: None,
                    C.BEST_DEBIT_NATURAL: math.nan, C.BEST_SCORE: math.nan})
        return
    best = cands.loc[scores.idxmax()]
    row.update({C.BEST_STRUCTURE: best.get(C.STRUCTURE), C.BEST_EXPIRY: best.get(C.EXPIRY),
                C.BEST_LEGS: best.get(C.LEGS), C.BEST_DEBIT_NATURAL: best.get(C.DEBIT_NATURAL),
                C.BEST_SCORE: float(scores.max())})


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


def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


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
    candidates = _ranked(_concat(out.candidates), C.SCORE)
    warnings = pd.DataFrame(out.warnings, columns=list(WARNING_COLUMNS))
    return ScreenResult(summary, candidates, _concat(out.term), _concat(out.surface),
                        pd.DataFrame(out.compression), config, warnings)

