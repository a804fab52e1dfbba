"""Range box: the consolidation the price has held, and measured-move targets.

A box is a stretch of the most recent sessions whose prices stayed between a
ceiling and a floor that are tight relative to the day-to-day range; the
breakout targets are the measured moves ceiling + height and floor - height
(a $255-$265 box targets $275 and $245).  Raw (unadjusted) prices are used,
as they are the prices the option strikes refer to.
"""
from __future__ import annotations

import math
from bisect import insort
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import columns as col
from ._rolling import check_bars, prices
from .errors import ConfigError

__all__ = ["RangeBox", "range_box"]

DEFAULT_LOOKBACK = 60
MIN_SESSIONS = 10
MAX_HEIGHT_RATIO = 1.0
"""Widest box over m sessions, as a share of a random walk's expected range sigma*sqrt(m)*1.596."""
RW_RANGE = 2.0 * math.sqrt(2.0 / math.pi)
"""Expected range (max - min) of a Brownian motion over unit time with unit sigma."""
MAD_TO_SIGMA = 1.0 / 0.6745
"""Median absolute value of a normal variable, in sigmas (inverted)."""
MAX_DRIFT = 0.5
"""Largest net drift of the closes' linear fit across the box, as a share of its height."""
WICK_BARS = 1
TOUCH_TOLERANCE = 0.15
"""A high (low) within 15 % of the box height of the ceiling (floor) touches it."""


@dataclass(frozen=True)
class RangeBox:
    """A price range box and its measured-move targets (prices in raw units).

    ``position`` is (last close - floor)/height, unclipped: 0 at the floor,
    1 at the ceiling, above 1 or below 0 after a breakout (``side``).
    ``confidence`` in [0, 1] is the mean of three factors: sessions held
    relative to 3 x ``min_sessions``, ceiling touches (2 or more = 1) and
    floor touches (2 or more = 1); 0 when there is no box.  ``status`` is one
    of ``box``, ``weak_box`` (an edge touched fewer than twice), ``no_box``
    (every price field NaN, ``reason`` says why) or ``user_range``.
    """

    ceiling: float
    floor: float
    height: float
    midpoint: float
    height_pct: float  # height / midpoint, a fraction
    sessions: int  # consecutive sessions (bars) the box has held, up to the last bar
    start: object  # label of the first bar of the box (None without a box)
    end: object  # label of the last bar
    touches_ceiling: int  # separate visits of the ceiling zone
    touches_floor: int
    last_close: float
    position: float
    side: str  # "inside", "above" or "below" the box at the last close
    target_up: float  # ceiling + height unless given
    target_down: float  # floor - height unless given
    targets_from: str  # "measured_move" or "user"
    status: str
    confidence: float
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain dict of the fields (for JSON / DataFrame rows)."""
        return asdict(self)


def _touches(near: np.ndarray) -> int:
    """Number of separate runs of True (a multi-day visit counts once)."""
    near = np.asarray(near, dtype=bool)
    if near.size == 0:
        return 0
    return int(near[0]) + int(np.count_nonzero(near[1:] & ~near[:-1]))


def _kth(values: np.ndarray, k: int, largest: bool) -> float:
    """k-th (0-based) largest or smallest value; the extreme itself when too few."""
    k = min(k, values.size - 1)
    ordered = np.sort(values)
    return float(ordered[-1 - k] if largest else ordered[k])


def _edges(high: np.ndarray, low: np.ndarray, close: np.ndarray, m: int,
           wick_bars: int) -> tuple[float, float]:
    """Ceiling and floor of the last ``m`` bars, wick-robust.

    The last bar counts only when its close lies inside the edges of the
    bars before it: a breakout bar does not widen the box it breaks.
    """
    top = _kth(high[-m:-1], wick_bars, largest=True)
    bottom = _kth(low[-m:-1], wick_bars, largest=False)
    if bottom <= close[-1] <= top:
        top = _kth(high[-m:], wick_bars, largest=True)
        bottom = _kth(low[-m:], wick_bars, largest=False)
    return top, bottom


def _scan_edges(high: np.ndarray, low: np.ndarray, close: np.ndarray, lookback: int,
                min_sessions: int, wick_bars: int) -> list[tuple[int, float, float, bool]]:
    """``(m, top, bottom, inside)`` for m = ``min_sessions`` .. ``lookback``.

    ``top, bottom`` are :func:`_edges` of the last m bars and ``inside`` says
    whether every close but the last (the body) lies within them.  The
    windows grow one bar at a time, so their highs and lows are kept sorted
    by insertion (order statistics and comparisons are exact: the same
    numbers as sorting each window).  Bars are validated, so no value is NaN.
    """
    h = high[-lookback:].tolist() if lookback > 0 else []
    lo = low[-lookback:].tolist() if lookback > 0 else []
    c = close[-lookback:].tolist() if lookback > 0 else []
    out: list[tuple[int, float, float, bool]] = []
    if len(c) < 2:
        return out
    last_close = c[-1]
    a_high: list[float] = []  # sorted highs / lows of the bars [-m:-1]
    a_low: list[float] = []
    b_high, b_low = [h[-1]], [lo[-1]]  # ... of the bars [-m:]
    body_max, body_min = -math.inf, math.inf  # of the closes [-m:-1]
    for m in range(2, len(c) + 1):
        insort(a_high, h[-m])
        insort(a_low, lo[-m])
        insort(b_high, h[-m])
        insort(b_low, lo[-m])
        body_max, body_min = max(body_max, c[-m]), min(body_min, c[-m])
        if m < min_sessions:
            continue
        k = min(wick_bars, m - 2)  # as _kth of the m - 1 bars before the last
        top, bottom = a_high[-1 - k], a_low[k]
        if bottom <= last_close <= top:
            k = min(wick_bars, m - 1)
            top, bottom = b_high[-1 - k], b_low[k]
        out.append((m, top, bottom, body_max <= top and body_min >= bottom))
    return out


def _drift(close: np.ndarray) -> float:
    """Net change of the least-squares line through ``close`` across its length."""
    x = np.arange(close.size, dtype=np.float64)
    slope = np.polyfit(x, close, 1)[0] if close.size > 1 else 0.0
    return float(slope * (close.size - 1))


def _side(close: float, ceiling: float, floor: float) -> str:
    return "above" if close > ceiling else "below" if close < floor else "inside"


def range_box(
    bars: pd.DataFrame,
    lookback: int = DEFAULT_LOOKBACK,
    *,
    min_sessions: int = MIN_SESSIONS,
    max_height_ratio: float = MAX_HEIGHT_RATIO,
    max_drift: float = MAX_DRIFT,
    wick_bars: int = WICK_BARS,
    touch_tolerance: float = TOUCH_TOLERANCE,
    ceiling: float | None = None,
    floor: float | None = None,
    targets: tuple[float, float] | None = None,
) -> RangeBox:
    """Detect the range box held up to the last bar, with measured-move targets.

    Parameters
    ----------
    bars
        Daily bars (``volscreen.load_bars``): ``high``, ``low``, ``close``
        (raw prices; ``open`` is checked but unused); any increasing index.
    lookback
        Most sessions a box may span.
    min_sessions
        Fewest sessions for a box.
    max_height_ratio
        Widest box over m sessions as a share of the range a random walk with
        the lookback's daily volatility would span in m sessions (1.0).
    max_drift
        Largest drift of the closes' trend line across the box, as a share
        of the height (0.5); a steeper box is a trend, not a range.
    wick_bars
        Bars whose high (low) may poke through the ceiling (floor) without
        moving it (1).
    touch_tolerance
        Touch zone depth as a share of the height (0.15).
    ceiling, floor
        The user's own range (both or neither); detection is then skipped.
    targets
        The user's own (up, down) targets instead of the measured moves.

    Returns
    -------
    RangeBox

    Notes
    -----
    For each candidate length m = ``min_sessions`` .. ``lookback`` ending at
    the last bar, the ceiling is the (``wick_bars`` + 1)-th highest high and
    the floor the (``wick_bars`` + 1)-th lowest low of those m bars, so one
    spike does not move an edge; the last bar is left out of the edges when
    its close lies beyond those of the bars before it (a breakout does not
    widen the box it breaks).  A candidate holds when every close but the
    last (which may be the breakout) lies in [floor, ceiling] and the height
    is at most ``max_height_ratio`` x 1.596 sigma sqrt(m), the range a random
    walk spans in m sessions, with sigma the lookback's daily price
    volatility (median |close change| / 0.6745, robust to jumps).  Among
    holding candidates the box is the one with the smallest height/sqrt(m)
    (the tightest for its duration; ties go to the longer).  It is rejected
    as a trend when the least-squares drift of its closes exceeds
    ``max_drift`` x height.  Targets: ceiling + height and floor - height.
    """
    check_bars(bars)
    if (ceiling is None) != (floor is None):
        raise ConfigError("give both ceiling and floor, or neither")
    if int(min_sessions) < 2 or int(lookback) < int(min_sessions):
        raise ConfigError(f"need 2 <= min_sessions <= lookback, got {min_sessions}, {lookback}")
    high, low, close = (prices(bars, name) for name in (col.HIGH, col.LOW, col.CLOSE))
    return _detect(high, low, close, bars.index, lookback=lookback, min_sessions=min_sessions,
                   max_height_ratio=max_height_ratio, max_drift=max_drift, wick_bars=wick_bars,
                   touch_tolerance=touch_tolerance, ceiling=ceiling, floor=floor,
                   targets=targets)


def _detect(high: np.ndarray, low: np.ndarray, close: np.ndarray, index: pd.Index, *,
            lookback: int = DEFAULT_LOOKBACK, min_sessions: int = MIN_SESSIONS,
            max_height_ratio: float = MAX_HEIGHT_RATIO, max_drift: float = MAX_DRIFT,
            wick_bars: int = WICK_BARS, touch_tolerance: float = TOUCH_TOLERANCE,
            ceiling: float | None = None, floor: float | None = None,
            targets: tuple[float, float] | None = None) -> RangeBox:
    """:func:`range_box` on validated price arrays (read only) and their bar labels."""
    last_close = float(close[-1])
    if ceiling is not None and floor is not None:
        return _user_box(high, low, close, index, float(ceiling), float(floor), targets,
                         touch_tolerance, min_sessions)
    lookback = min(int(lookback), close.size)
    changes = np.abs(np.diff(close[-lookback:]))
    sigma = float(np.median(changes)) * MAD_TO_SIGMA if changes.size else 0.0
    best, best_score = 0, math.inf
    for m, top, bottom, inside in _scan_edges(high, low, close, lookback, int(min_sessions),
                                              wick_bars):
        height = top - bottom
        limit = max_height_ratio * RW_RANGE * sigma * math.sqrt(m)
        score = height / math.sqrt(m)
        if inside and height <= limit and score <= best_score:
            best, best_score = m, score
    if best == 0:
        return _no_box(index, last_close, f"no range of {min_sessions}+ sessions narrower "
                       f"than {max_height_ratio:g} x a random walk's range")
    top, bottom = _edges(high, low, close, best, wick_bars)
    height = top - bottom
    drift = _drift(close[-best:])
    if height <= 0 or abs(drift) > max_drift * height:
        return _no_box(index, last_close, f"closes trend {drift:+.4g} across the "
                       f"{best}-session range of height {height:.4g}: trending, not boxed")
    return _make_box(high[-best:], low[-best:], index[-best:], top, bottom, last_close,
                     targets, touch_tolerance, min_sessions, status=None)


def _make_box(high, low, labels, top, bottom, last_close, targets, touch_tolerance,
              min_sessions, status) -> RangeBox:
    height = top - bottom
    zone = touch_tolerance * height
    t_up = _touches(high >= top - zone)
    t_down = _touches(low <= bottom + zone)
    sessions = int(len(labels))
    if status is None:
        status = col.BOX_OK if min(t_up, t_down) >= 2 else col.BOX_WEAK
    confidence = (min(sessions / (3.0 * min_sessions), 1.0) + min(t_up, 2) / 2.0
                  + min(t_down, 2) / 2.0) / 3.0 if sessions else 0.0
    up, down = (top + height, bottom - height) if targets is None else map(float, targets)
    mid = 0.5 * (top + bottom)
    return RangeBox(
        ceiling=top, floor=bottom, height=height, midpoint=mid, height_pct=height / mid,
        sessions=sessions, start=labels[0] if sessions else None,
        end=labels[-1] if sessions else None, touches_ceiling=t_up, touches_floor=t_down,
        last_close=last_close,
        position=(last_close - bottom) / height if height > 0 else math.nan,
        side=_side(last_close, top, bottom), target_up=up, target_down=down,
        targets_from="measured_move" if targets is None else "user",
        status=status, confidence=float(confidence),
    )


def _user_box(high, low, close, index, ceiling, floor, targets, touch_tolerance,
              min_sessions) -> RangeBox:
    if not ceiling > floor:
        raise ConfigError(f"ceiling ({ceiling}) must be above floor ({floor})")
    inside = (close >= floor) & (close <= ceiling)
    outside_at = np.flatnonzero(~inside[:-1]) if close.size > 1 else np.array([], dtype=int)
    # sessions held: consecutive closes inside, counted back from the bar before the last
    # (so a breakout on the last bar still reports the range it broke)
    start = int(outside_at[-1]) + 1 if outside_at.size else 0
    held = slice(start, close.size)
    return _make_box(high[held], low[held], index[held], ceiling, floor, float(close[-1]),
                     targets, touch_tolerance, min_sessions, status=col.BOX_USER)


def _no_box(index, last_close: float, reason: str) -> RangeBox:
    nan = math.nan
    return RangeBox(
        ceiling=nan, floor=nan, height=nan, midpoint=nan, height_pct=nan, sessions=0,
        start=None, end=index[-1], touches_ceiling=0, touches_floor=0, last_close=last_close,
        position=nan, side="none", target_up=nan, target_down=nan,
        targets_from="measured_move", status=col.BOX_NONE, confidence=0.0, reason=reason,
    )
