"""Per-ticker price-history stages of the screen, computed once per history.

Everything the screen takes from the bars depends only on the bars cut at
the chain's quote date: RV20, the compression summary, the detected range
box and the RV forecast per horizon.  :func:`bars_context` computes them
once per (bars frame, quote date) and the screen reuses them for every
chain quoted that day against that history (a watchlist of many chains on
one ticker, or the expiries of one chain); the RV forecasts are fitted
lazily, once per horizon.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import columns as C
from ._typing import RVEstimator
from .errors import ConfigError

RV_WINDOW = 20
RV_ESTIMATOR: RVEstimator = "yang_zhang"


def cut_bars(bars: pd.DataFrame, quote_time: pd.Timestamp) -> pd.DataFrame:
    """Bars up to and including the New York calendar date of ``quote_time``.

    Undated bars (a ``bar`` RangeIndex) are returned unchanged.
    """
    if not isinstance(bars.index, pd.DatetimeIndex):
        return bars
    day = pd.Timestamp(quote_time).tz_convert("America/New_York").tz_localize(None).normalize()
    index = bars.index.tz_localize(None) if bars.index.tz is not None else bars.index
    if index.is_monotonic_increasing and not index.hasnans:  # the bars up to day: a prefix
        return bars.iloc[:int(index.searchsorted(day, side="right"))]
    return bars[index <= day]


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of ``frame`` without ``attrs`` (the caller's frame is untouched).

    pandas deep-copies ``attrs`` into the result of every operation; the
    loaders' metadata (sources, counts, gaps) would be copied thousands of
    times per chain, so the stages run on frames without it.
    """
    if not frame.attrs:
        return frame
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


@dataclass
class BarsContext:
    """What the screen needs from one history cut at one quote date."""

    cut: pd.DataFrame
    rv20: float
    rv20_status: str
    compression: pd.Series
    box: Any  # detected RangeBox, or None with ``box_error`` set
    box_error: str = ""
    _forecaster: Any = field(default=None, repr=False)
    _rv: dict[int, float] = field(default_factory=dict, repr=False)
    _parts: Any = field(default=None, repr=False)  # split-checked realized._Parts of ``cut``

    def rv(self, horizon_days: int) -> float:
        """HAR RV forecast for ``horizon_days`` trading days (fitted once per horizon)."""
        h = int(horizon_days)
        if h not in self._rv:
            if self._forecaster is None:
                from ._forecast import Forecaster

                self._forecaster = Forecaster(self.cut, parts=self._parts)
            self._rv[h] = self._forecaster.vol(h)
        return self._rv[h]


def bars_context(bars: pd.DataFrame, quote_time: pd.Timestamp,
                 cache: dict[Any, Any]) -> BarsContext:
    """The :class:`BarsContext` of ``bars`` at ``quote_time``, from ``cache`` when known.

    The cache key is the frame's identity and the New York quote date; the
    entry keeps the frame alive, so the identity cannot be reused.
    """
    day = pd.Timestamp(quote_time).tz_convert("America/New_York").date()
    key = ("bars_context", id(bars), day)
    hit = cache.get(key)
    if hit is not None and hit[0] is bars:
        return hit[1]
    cut = plain(cut_bars(bars, quote_time))
    if cut.empty:
        raise ConfigError(f"no bar on or before the chain's quote date {day}",
                          source=bars.attrs.get("source"))
    context = _compute(cut)
    from ._hist import pin

    pin(cut)  # private to the context, never changed: its history is known by identity
    cache[key] = (bars, context)
    return context


def _compute(cut: pd.DataFrame) -> BarsContext:
    """RV20, compression summary and range box of ``cut``.

    The bars are validated and split-checked once (:func:`volscreen.realized._prepare`);
    RV20, the summary, the range box and the RV forecaster share those arrays, so the
    values are those of ``realized_vols(cut, (20,))``, ``compression_summary(cut)``,
    ``range_box(cut)`` and ``Forecaster(cut)`` (a suspected split is warned about once).
    """
    from ._rolling import check_bars
    from .indicators import _summary
    from .realized import _prepare, _rv_arrays

    arrays = check_bars(cut)
    parts = _prepare(cut, True, arrays)
    data, status = _rv_arrays(parts, (RV_WINDOW,), RV_ESTIMATOR)
    rv20 = float(data[f"{C.RV_PREFIX}{RV_WINDOW}"][-1])
    comp = _summary(cut, arrays, parts)
    box: Any = None
    error = ""
    try:
        from .rangebox import _detect

        # range_box(cut) on the arrays validated above
        box = _detect(arrays[C.HIGH], arrays[C.LOW], arrays[C.CLOSE], cut.index)
    except (ImportError, AttributeError) as exc:  # stage not installed
        error = f"range box unavailable: {exc}"
    return BarsContext(cut=cut, rv20=rv20, rv20_status=str(status[-1]), compression=comp,
                       box=box, box_error=error, _parts=parts)


def box_fields(box: Any) -> tuple[Any, Any, Any]:
    """(floor, ceiling, status) of a RangeBox, mapping or object."""
    get = box.get if isinstance(box, Mapping) else lambda k, d=None: getattr(box, k, d)
    return get("floor"), get("ceiling"), get("status", C.BOX_OK)
