"""The body of :func:`volscreen.candidates`: every stage on arrays, one frame at the end.

The chain's columns are read once (:func:`volscreen._chainarrays.chain_arrays`),
the legs chosen and gathered into an ordered ``{column: array}`` dict, and
the target, probability, cheapness and score stages add their columns to
that dict (the same kernels as :func:`volscreen.targets.add_targets`,
:func:`volscreen.probability.add_probabilities`,
:func:`volscreen.score.add_cheapness` and
:func:`volscreen.score.score_candidates`, so the result equals running them
one after another).  The rows are sorted by score and the frame is built
once.

What depends only on the price history (the RV forecaster and the
compression summary fitted from ``bars`` when the caller gives none) is
cached per history: the key is a digest of the bars' dates and OHLC (and
``adj_close``) values, so a frame with other values can never hit a stale
entry.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from ._candcols import StatusCodes
from ._chainarrays import chain_arrays, priced_arrays
from ._frames import frame_of
from ._legs import assemble, box_edges, in_window, select_legs, specs_of, strike_pairs
from ._priced import PricedChain
from .errors import ConfigError

BARS_CACHE_SIZE = 8
"""Histories whose RV forecaster and compression summary are kept between calls."""
_BARS_CACHE: OrderedDict[bytes, dict[str, Any]] = OrderedDict()


def check_dte(dte: Any) -> tuple[int, int]:
    """``(min_days, max_days)`` as ints, or a :class:`ConfigError`."""
    if len(dte) != 2 or dte[0] > dte[1]:
        raise ConfigError(f"dte must be (min_days, max_days), got {dte!r}", column="dte")
    return int(dte[0]), int(dte[1])


def structure_columns(chain_with_iv: pd.DataFrame | PricedChain, *, dte: Any, straddle: bool,
                      deltas: Sequence[float], strikes: Any,
                      box: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Columns of :func:`volscreen.build_structures` (ordered dict) and the row helpers.

    ``chain_with_iv`` is the ``implied_vols`` frame or the chain priced as
    arrays (:func:`volscreen._priced.price_chain`); the latter computes
    greeks only where the selection reads them: on the quotes in the DTE
    window that could be a priced leg, and on the chosen legs.
    """
    if isinstance(chain_with_iv, pd.DataFrame):
        a = chain_arrays(chain_with_iv)
        window = check_dte(dte)
        specs = specs_of(straddle, tuple(deltas), strike_pairs(strikes), box_edges(box))
        return assemble(a, select_legs(a, dte=window, specs=specs))
    p = chain_with_iv
    a = priced_arrays(p)
    window = check_dte(dte)
    specs = specs_of(straddle, tuple(deltas), strike_pairs(strikes), box_edges(box))
    # one greeks call on every quote that could be a priced leg (usable, finite iv, in the
    # window); a chosen leg outside them (no iv, unusable) gets its greeks in a second call
    quoted = np.flatnonzero(a["priced"] & in_window(a, window))
    _put_greeks(a, quoted, p.greeks(quoted))
    a["priced"] = a["priced"] & np.isfinite(a["delta"])
    sel = select_legs(a, dte=window, specs=specs)
    legs = np.unique(np.concatenate([sel["put"], sel["call"]]))
    rest = np.setdiff1d(legs[legs >= 0], quoted, assume_unique=True)
    if rest.size:
        _put_greeks(a, rest, p.greeks(rest))
    return assemble(a, sel)


def _put_greeks(a: dict[str, Any], rows: np.ndarray, greeks: dict[str, np.ndarray]) -> None:
    """Set the candidate arrays' greeks at ``rows`` (NaN elsewhere until set)."""
    for key, name in _GREEKS:
        if key not in a:
            a[key] = np.full(a["n"], np.nan)
        a[key][rows] = greeks[name]


_GREEKS = (("delta", "delta"), ("gamma", "gamma"), ("vega", C.VEGA_PER_VOLPT),
           ("theta", C.THETA_PER_DAY))
"""Keys of the candidate arrays and the greeks they hold."""


def _bars_key(bars: pd.DataFrame) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    index = bars.index
    digest.update(np.asarray(index.asi8 if isinstance(index, pd.DatetimeIndex)
                             else np.arange(len(index))).tobytes())
    for name in (C.OPEN, C.HIGH, C.LOW, C.CLOSE, C.ADJ_CLOSE):
        if name in bars.columns:
            digest.update(name.encode() + bars[name].to_numpy(dtype=float).tobytes())
    return digest.digest()


def _bars_state(bars: pd.DataFrame) -> dict[str, Any]:
    """The cached per-history state of ``bars`` (filled lazily by the callers)."""
    key = _bars_key(bars)
    state = _BARS_CACHE.get(key)
    if state is None:
        state = _BARS_CACHE[key] = {}
        while len(_BARS_CACHE) > BARS_CACHE_SIZE:
            _BARS_CACHE.popitem(last=False)
    else:
        _BARS_CACHE.move_to_end(key)
    return state


def _from_bars(bars: pd.DataFrame, rv: Any, compression: Any,
               atr: float | None) -> tuple[Any, Any, float | None]:
    """RV forecast, compression summary and ATR, fitted from the bars where not given."""
    if rv is not None and compression is not None and atr is not None:
        return rv, compression, atr
    state = _bars_state(bars)
    if rv is None:
        if "forecaster" not in state:
            from ._forecast import Forecaster

            state["forecaster"] = Forecaster(bars)  # one pass over the bars, one fit per horizon
        forecaster = state["forecaster"]
        cache = state.setdefault("rv", {})

        def rv(h: int) -> float:
            if h not in cache:
                cache[h] = forecaster.vol(h)
            return cache[h]
    if compression is None or atr is None:
        if "summary" not in state:
            from .indicators import compression_summary

            state["summary"] = compression_summary(bars)
        summary = state["summary"]
        compression = summary if compression is None else compression
        atr = float(summary[C.ATR]) if atr is None else atr
    return rv, compression, atr


def run(chain_with_iv: pd.DataFrame | PricedChain, *, targets: Any, rv: Any, box: Any, dte: Any,
        deltas: Sequence[float], strikes: Any, horizon: Any, iv_shift: Sequence[float],
        bars: pd.DataFrame | None, compression: Any, atr: float | None,
        iv_rank: float | None, condition: Any, weights: Any, seed: int) -> pd.DataFrame:
    """:func:`volscreen.candidates` (its docstring documents the arguments).

    ``chain_with_iv`` may also be the chain priced as arrays
    (:func:`volscreen._priced.price_chain`): the screen's route, same result.
    """
    from .probability import PROBABILITY_INPUTS, probability_columns
    from .score import (
        CHEAPNESS_INPUTS,
        SCORE_INPUTS,
        ScoreWeights,
        cheapness_columns,
        score_columns,
        score_order,
    )
    from .targets import TARGET_INPUTS, target_columns

    cols, aux = structure_columns(chain_with_iv, dte=dte, straddle=True, deltas=deltas,
                                  strikes=strikes, box=box)
    if bars is not None:
        rv, compression, atr = _from_bars(bars, rv, compression, atr)
    height = getattr(box, "height", None) if box is not None else None
    if height is None and (edges := box_edges(box)) is not None:
        height = edges[1] - edges[0]
    if isinstance(weights, Mapping):
        weights = ScoreWeights(**weights)
    days = cols[C.TRADING_DAYS]
    codes = StatusCodes(days.size)

    def pick(names: Sequence[str]) -> dict[str, np.ndarray]:
        return {k: cols[k] for k in names}

    cols.update(target_columns(pick(TARGET_INPUTS), aux["qdate"], codes,
                               box if targets is None else targets, horizon=horizon,
                               iv_shift=iv_shift, atr=atr, box_height=height))
    cols.update(probability_columns(pick(PROBABILITY_INPUTS), days, codes, rv=rv, bars=bars,
                                    condition=condition, seed=seed))
    cols.update(cheapness_columns(pick(CHEAPNESS_INPUTS), days.astype(float), codes,
                                  iv_rank=iv_rank))
    cols.update(score_columns(pick(SCORE_INPUTS), cols[C.BREAKEVEN_INSIDE_TARGETS],
                              cols[C.CANDIDATE_STATUS], codes, compression=compression,
                              weights=weights))
    cols[C.DATA_STATUS] = codes.joined()
    order = score_order(cols[C.SCORE])
    return frame_of(cols, order)
