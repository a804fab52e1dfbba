"""Long-volatility candidates: straddles and strangles built from a priced chain.

A candidate is one long put plus one long call on the same expiry.  This
module chooses the legs (ATM straddle, strangles by delta, at explicit
strikes, at the range-box edges), prices the structure (natural and mid
debits, per share and per contract), its breakevens, net greeks and
liquidity.  :func:`candidates` then adds the target P&L
(:mod:`volscreen.targets`), the probabilities (:mod:`volscreen.probability`)
and the cheapness and score (:mod:`volscreen.score`).

Conventions
-----------
* Prices and greeks are per share, as quoted; ``*_per_contract`` columns are
  dollars (per share x ``multiplier``).
* Natural debit = put ask + call ask (what a buyer pays crossing the spread);
  mid debit = put mid + call mid.  Breakevens use the natural debit:
  ``breakeven_low = K_put - debit_natural``, ``breakeven_high = K_call +
  debit_natural``; ``breakeven_low_mid`` / ``breakeven_high_mid`` use the mid.
* Net greeks are the sums of the two legs' Black-76 greeks from the chain
  (``delta``, ``gamma``, ``vega_per_volpt``, ``theta_per_day``), per share.
* ``days`` counts calendar days from the quote date in New York to the
  expiry; ``trading_days`` counts weekdays after the quote date up to and
  including the expiry (exchange holidays are not removed).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ._frames import frame_of
from ._legs import KIND_DELTA, KIND_RANGE, KIND_STRADDLE, KIND_STRIKES

__all__ = ["DEFAULT_DELTAS", "DEFAULT_DTE", "DEFAULT_SEED", "KIND_DELTA", "KIND_RANGE",
           "KIND_STRADDLE", "KIND_STRIKES", "build_structures", "candidates", "straddles",
           "strangles"]

log = logging.getLogger(__name__)

DEFAULT_DTE = (7, 90)
"""Calendar-day window of expiries considered, inclusive."""
DEFAULT_DELTAS = (0.25, 0.16)
"""Absolute deltas of the strangles by delta."""
DEFAULT_SEED = 12345
"""Seed of the bootstrap standard errors of :func:`candidates`."""


def build_structures(chain_with_iv: pd.DataFrame, *, dte: tuple[int, int] = DEFAULT_DTE,
                     straddle: bool = True, deltas: Sequence[float] = DEFAULT_DELTAS,
                     strikes: Any = None, box: Any = None) -> pd.DataFrame:
    """Choose and price the legs of every requested structure in the DTE window.

    Parameters
    ----------
    chain_with_iv
        Output of :func:`volscreen.implied_vols`.  Needs ``underlying``,
        ``quote_time``, ``expiry``, ``strike``, ``right``, ``bid``, ``ask``,
        ``t``, ``forward``, ``iv``, ``delta``; uses when present ``mid``,
        ``spread_pct``, ``quote_status``, ``contract_symbol``,
        ``open_interest``, ``multiplier`` (default 100), ``underlying_price``,
        ``discount``, ``gamma``, ``vega_per_volpt``, ``theta_per_day``, ``otm``.
    dte
        Inclusive window of calendar days to expiry.
    straddle
        Build the ATM straddle of each expiry.
    deltas
        Absolute deltas of strangles by delta (``()`` for none).
    strikes
        ``(put_strike, call_strike)`` or a list of such pairs; the nearest
        listed strikes with usable quotes are used.
    box
        Range box (a :class:`volscreen.RangeBox`, a mapping with ``floor`` and
        ``ceiling`` or a ``(floor, ceiling)`` pair): adds ``strangle_range``
        with the put at the floor and the call at the ceiling.

    Returns
    -------
    pandas.DataFrame
        One row per structure and expiry with the columns listed in the module
        docstring and in ``docs/structures.md``.  A structure whose leg cannot
        be bought is kept with NaN prices and a ``candidate_status`` code.

    Notes
    -----
    A leg is *usable* when its ask and mid are finite and positive and its
    ``quote_status`` is not crossed, expired, bad_strike, no_quote or
    zero_ask; it is *priced* when it is usable and has a finite IV and delta.
    ATM straddle: the listed strike nearest the forward among strikes whose
    put and call are both priced (then both usable); when that is not the
    nearest listed strike ``selection_note`` says ``atm_next_nearest``.
    Strangles by delta: on each side the priced OTM leg (``otm`` column, else
    puts with K < F and calls with K >= F) whose |delta| is nearest the target.
    """
    from ._candidates import structure_columns

    cols, _ = structure_columns(chain_with_iv, dte=dte, straddle=straddle, deltas=deltas,
                                strikes=strikes, box=box)
    return frame_of(cols)


def straddles(chain_with_iv: pd.DataFrame, *,
              dte: tuple[int, int] = DEFAULT_DTE) -> pd.DataFrame:
    """ATM long straddles, one per expiry in ``dte`` (see :func:`build_structures`)."""
    return build_structures(chain_with_iv, dte=dte, deltas=())


def strangles(chain_with_iv: pd.DataFrame, *, deltas: Sequence[float] = DEFAULT_DELTAS,
              strikes: Any = None, box: Any = None,
              dte: tuple[int, int] = DEFAULT_DTE) -> pd.DataFrame:
    """Long strangles by delta, at explicit strikes and at the range edges.

    See :func:`build_structures` for the parameters and the leg rules.
    """
    return build_structures(chain_with_iv, dte=dte, straddle=False, deltas=deltas,
                            strikes=strikes, box=box)


def candidates(chain_with_iv: pd.DataFrame, *, targets: Any, rv: Any = None, box: Any = None,
               dte: tuple[int, int] = DEFAULT_DTE, deltas: Sequence[float] = DEFAULT_DELTAS,
               strikes: Any = None, horizon: Any = None,
               iv_shift: Sequence[float] = (-0.03, 0.0, 0.03), bars: pd.DataFrame | None = None,
               compression: Any = None, atr: float | None = None, iv_rank: float | None = None,
               condition: Any = None, weights: Any = None,
               seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Every long straddle/strangle in the DTE window, against targets, scored.

    Parameters
    ----------
    chain_with_iv
        Output of :func:`volscreen.implied_vols` (see :func:`build_structures`).
    targets
        Target spot levels (e.g. ``[245, 275]``) or a range box (its
        measured-move targets); see :mod:`volscreen.targets`.
    rv
        RV forecast, annual decimal on the sqrt-252 clock: a float, a mapping
        or callable ``trading_days -> vol``.  ``None`` with ``bars``:
        ``volscreen.rv_forecast(bars, trading_days)`` per expiry.
    box
        Range box: adds the ``strangle_range`` structure and the breakeven
        distances in box heights.
    dte, deltas, strikes
        Structures built (see :func:`build_structures`).
    horizon, iv_shift
        Horizon repricing (see :func:`volscreen.targets.add_targets`).
    bars
        Daily bars: historical probabilities and, when not given, the RV
        forecast, the compression summary and the ATR.
    compression, atr, iv_rank
        Override the compression summary / ATR (price units) / IV rank.
    condition
        Boolean array aligned with ``bars`` restricting the historical windows.
    weights
        :class:`volscreen.score.ScoreWeights` or a mapping of its fields.
    seed
        Seed of the bootstrap standard errors.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, sorted by ``score`` (best first); columns in
        ``docs/structures.md``.  Every NaN has its code in
        ``candidate_status`` or ``data_status``.
    """
    from ._candidates import run

    return run(chain_with_iv, targets=targets, rv=rv, box=box, dte=dte, deltas=deltas,
               strikes=strikes, horizon=horizon, iv_shift=iv_shift, bars=bars,
               compression=compression, atr=atr, iv_rank=iv_rank, condition=condition,
               weights=weights, seed=seed)
