"""The compression state a historical window must share with today to count.

``p_beyond_be_hist`` may be conditioned on windows that started in the same
Bollinger-width percentile bucket as the last bar (see
:func:`compression_condition`); :func:`volscreen.probability.add_probabilities`
and :func:`volscreen.candidates` take the result as ``condition=``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .errors import ConfigError


BBW_BUCKETS = 5
"""Default number of equal-width BBW-percentile buckets (quintiles) of the condition."""
CONDITION_BBW_BUCKET = "bbw_bucket"
"""``condition=`` value that builds :func:`compression_condition` from the bars."""
CONDITION_CUSTOM = "custom"
"""``hist_condition`` of a boolean mask given by the caller."""


@dataclass(frozen=True)
class HistCondition:
    """Which historical window starts count: a mask aligned with the bars and its label."""

    mask: np.ndarray  # bool, one per bar: a window starting at this bar counts
    label: str  # e.g. "bbw_pctile_126 in [0, 20)", written to ``hist_condition``
    bucket: int  # today's bucket, 0-based (-1: today's percentile unknown)
    buckets: int
    today: float  # today's (last bar's) BBW percentile


def compression_condition(bars: pd.DataFrame, *, buckets: int = BBW_BUCKETS,
                          window: int = 126) -> HistCondition:
    """Window starts in the same BBW-percentile bucket as the last bar ("today").

    Parameters
    ----------
    bars
        Daily bars (raw OHLC, as for :func:`volscreen.compression`); the last
        bar is today.
    buckets
        Number of equal-width percentile buckets (5: quintiles).
    window
        Percentile look-back, 126 or 252 bars (``bbw_pctile_126``/``_252``).

    Returns
    -------
    HistCondition
        ``mask[i]`` is True when bar i's BBW percentile falls in today's
        bucket; bars whose percentile is NaN (the first ``window`` + 19
        bars) never count.  Today's percentile NaN: every entry False, so the
        conditioned ``_hist`` columns are NaN with ``few_similar_windows``.

    Notes
    -----
    BBW percentile p = 100 x #{previous N bars with a BBW strictly below}/N
    (:func:`volscreen.compression`).  Bucket j of B holds
    100 j/B <= p < 100 (j + 1)/B, the last bucket also p = 100; it is
    computed from the count c = p N / 100 as min(c B // N, B - 1), exactly.
    """
    from .indicators import BBW_PCTILE_WINDOWS, compression

    if int(window) not in BBW_PCTILE_WINDOWS:
        raise ConfigError(f"window must be one of {BBW_PCTILE_WINDOWS}, got {window!r}",
                          column="window")
    if int(buckets) < 1:
        raise ConfigError(f"buckets must be at least 1, got {buckets!r}", column="buckets")
    window, buckets = int(window), int(buckets)
    name = C.BBW_PCTILE_126 if window == 126 else C.BBW_PCTILE_252
    pctile = compression(bars)[name].to_numpy(dtype=float)
    bucket = bbw_buckets(pctile, window, buckets)
    today = int(bucket[-1]) if bucket.size else -1
    if today < 0:
        return HistCondition(np.zeros(bucket.size, dtype=bool), f"{name} unknown", -1,
                             buckets, float(pctile[-1]) if pctile.size else np.nan)
    lo, hi = 100 * today / buckets, 100 * (today + 1) / buckets
    label = f"{name} in [{lo:g}, {hi:g}{']' if today == buckets - 1 else ')'}"
    return HistCondition(bucket == today, label, today, buckets, float(pctile[-1]))


def bbw_buckets(pctile: np.ndarray, window: int, buckets: int) -> np.ndarray:
    """Bucket (0..buckets-1) of each BBW percentile over ``window`` bars; -1 where NaN."""
    ok = np.isfinite(pctile)
    count = np.rint(np.where(ok, pctile, 0.0) * window / 100.0).astype(np.int64)
    return np.where(ok, np.minimum(count * buckets // window, buckets - 1), -1)


def _resolve_condition(condition: Any, bars: pd.DataFrame | None) -> tuple[Any, str | None]:
    """(mask or None, hist_condition label or None) of a ``condition`` argument."""
    if condition is None or bars is None:
        return None, None
    if isinstance(condition, str):
        if condition != CONDITION_BBW_BUCKET:
            raise ConfigError(f"condition must be {CONDITION_BBW_BUCKET!r}, a HistCondition or "
                              f"a boolean mask, got {condition!r}", column="condition")
        condition = compression_condition(bars)
    if isinstance(condition, HistCondition):
        mask, label = condition.mask, condition.label
    else:
        mask, label = np.asarray(condition, dtype=bool), CONDITION_CUSTOM
    if mask.shape != (len(bars),):
        raise ConfigError(f"condition has {mask.size} entries for {len(bars)} bars",
                          column="condition")
    return mask, label
