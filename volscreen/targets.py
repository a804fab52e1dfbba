"""Candidates against price targets: P&L at expiry and at a horizon, P&L grids.

Conventions
-----------
* Targets are **spot** levels of the underlying.  Of the levels given, the
  nearest below spot becomes ``target_low`` and the nearest above spot
  ``target_high``; the column names are the same for every ticker, so a
  multi-ticker export keeps one column contract.  A side with no target has
  NaN target columns and a ``no_target_low`` / ``no_target_high`` code in
  ``data_status``.
* P&L is in dollars per contract against the **natural** debit (asks paid):
  ``(payoff(S) - debit_natural) x multiplier``; ``return_on_debit_*`` is
  that P&L divided by the natural debit per contract.
* Horizon repricing (sticky strike): each leg keeps its own IV (plus an
  optional IV shift in vol points, decimals: ``-0.03`` is -3 points) and is
  repriced with :func:`volscreen.black_price` for the remaining time
  ``tau = t - horizon_t``.  The target is a spot level; the leg is priced on
  the forward ``target x (F/S)^{tau/t}``, i.e. the chain's own implied carry
  ``F/S = e^{(r-q)t}`` applied over the remaining time, and discounted at the
  chain's rate ``r = -ln(discount)/t``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from ._candcols import StatusCodes, floats, with_columns
from .errors import ConfigError

DEFAULT_HORIZON = 0.5
"""Default horizon: this fraction of each option's remaining life."""
DEFAULT_IV_SHIFTS = (-0.03, 0.0, 0.03)
DAYS_PER_YEAR = 365.0


def target_levels(targets: Any) -> np.ndarray:
    """Target spot levels from a list of prices or a range box.

    A :class:`volscreen.RangeBox` (or anything with ``target_low`` /
    ``target_high``, or ``floor``, ``ceiling`` and ``height``) gives its
    measured-move targets ``floor - height`` and ``ceiling + height``.
    """
    if targets is None:
        return np.empty(0)
    for lo, hi in (("target_low", "target_high"), ("target_down", "target_up")):
        if hasattr(targets, lo) and hasattr(targets, hi):
            return np.array([getattr(targets, lo), getattr(targets, hi)], dtype=float)
    if all(hasattr(targets, k) for k in ("floor", "ceiling", "height")):
        return np.array([targets.floor - targets.height, targets.ceiling + targets.height],
                        dtype=float)
    try:
        levels = np.atleast_1d(np.asarray(targets, dtype=float))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"targets must be price levels (e.g. [245, 275]) or a range box, "
                          f"got {targets!r}", column="targets") from exc
    if not np.isfinite(levels).all() or (levels <= 0).any():
        raise ConfigError(f"targets must be positive prices, got {list(levels)}",
                          column="targets")
    return levels


def split_targets(levels: np.ndarray, spot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest level below and above each spot (NaN where there is none)."""
    lv = np.asarray(levels, dtype=float)[None, :]
    s = np.asarray(spot, dtype=float)[:, None]
    below = np.where(lv < s, lv, -np.inf).max(axis=1, initial=-np.inf)
    above = np.where(lv > s, lv, np.inf).min(axis=1, initial=np.inf)
    return np.where(np.isfinite(below), below, np.nan), np.where(np.isfinite(above), above, np.nan)


def payoff(put_strike: Any, call_strike: Any, level: Any) -> np.ndarray:
    """Per-share value at expiry of one put plus one call: max(Kp - S, 0) + max(S - Kc, 0)."""
    kp, kc, s = (np.asarray(x, dtype=float) for x in (put_strike, call_strike, level))
    return np.maximum(kp - s, 0.0) + np.maximum(s - kc, 0.0)


def horizon_times(cands: pd.DataFrame, horizon: Any = None) -> np.ndarray:
    """Years from the quote to the horizon for each candidate.

    ``None`` -> half of each candidate's ``t``; a float in (0, 1] -> that
    fraction of ``t``; a date -> calendar days from the quote date (New York)
    to that date at the quote's time of day, / 365.
    """
    return _elapsed(cands[C.T].to_numpy(dtype=float), lambda: _quote_dates(cands), horizon)


def _quote_dates(cands: pd.DataFrame) -> np.ndarray:
    """New York calendar date of each candidate's quote (datetime64[ns], NaT when unknown)."""
    qt = pd.to_datetime(cands[C.QUOTE_TIME], utc=True).dt.tz_convert("America/New_York")
    return qt.dt.tz_localize(None).dt.normalize().to_numpy(dtype="datetime64[ns]")


def _elapsed(t: np.ndarray, qdate: Any, horizon: Any) -> np.ndarray:
    """:func:`horizon_times` on arrays; ``qdate`` is the quote dates or a callable giving them."""
    if horizon is None:
        horizon = DEFAULT_HORIZON
    if isinstance(horizon, (int, float)) and not isinstance(horizon, bool):
        if not 0.0 < float(horizon) <= 1.0:
            raise ConfigError(f"horizon fraction must be in (0, 1], got {horizon}",
                              column="horizon")
        return t * float(horizon)
    when = pd.Timestamp(horizon).normalize()
    dates = pd.Series(qdate() if callable(qdate) else qdate)
    days = (when - dates).dt.days.to_numpy(dtype=float)
    return days / DAYS_PER_YEAR


def reprice(cands: pd.DataFrame, level: Any, elapsed: Any, iv_shift: float = 0.0) -> np.ndarray:
    """Per-share value of each candidate if spot is ``level`` after ``elapsed`` years.

    Sticky strike: each leg at its own IV + ``iv_shift`` (floored at 1e-4);
    Black-76 on the forward ``level x (F/S)^{tau/t}``, ``tau = t - elapsed``;
    at or after expiry (``tau <= 0``) the payoff.
    """
    f = floats(cands, _REPRICE_INPUTS)
    level = np.broadcast_to(np.asarray(level, dtype=float), f[C.T].shape)
    return _reprice(f, level[None, :], np.asarray(elapsed, dtype=float),
                    np.array([float(iv_shift)]))[0]


_REPRICE_INPUTS = (C.T, C.FORWARD, C.SPOT, C.RATE, C.PUT_STRIKE, C.CALL_STRIKE, C.PUT_IV,
                   C.CALL_IV)


def _reprice(f: dict[str, np.ndarray], levels: np.ndarray, elapsed: np.ndarray,
             shifts: np.ndarray) -> np.ndarray:
    """Values (scenarios, rows) for spot ``levels[j]`` and IV shift ``shifts[j]`` per scenario.

    One Black-76 evaluation per leg for every scenario at once (see :func:`reprice`).
    """
    from .pricing import black_price

    t = f[C.T]
    tau = t - elapsed
    kp, kc = f[C.PUT_STRIKE], f[C.CALL_STRIKE]
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN legs already carry a status
        carry = np.log(f[C.FORWARD] / f[C.SPOT]) / t
        tau_pos = np.maximum(tau, 0.0)
        grow = np.exp(carry * tau_pos)
        fwd_h = levels * grow
        shift = shifts[:, None]
        vp = np.maximum(f[C.PUT_IV] + shift, 1e-4)
        vc = np.maximum(f[C.CALL_IV] + shift, 1e-4)
        shape = fwd_h.shape
        # both legs in one Black-76 call (element-wise: the values of one call per leg)
        legs = black_price(np.broadcast_to(fwd_h, (2, *shape)), np.stack([kp, kc])[:, None],
                           tau_pos, f[C.RATE], np.stack([vp, vc]), _LEGS)
        value = legs[0] + legs[1]
    return np.where(tau > 0, value.reshape(shape), payoff(kp, kc, levels))


_LEGS = np.array([[[False]], [[True]]])  # put leg, call leg (True = call)


def _shift_suffix(shift: float) -> str:
    pts = round(shift * 100, 6)
    return "" if pts == 0 else f"_iv_{'p' if pts > 0 else 'm'}{abs(pts):g}".replace(".", "p")


def add_targets(cands: pd.DataFrame, targets: Any, *, horizon: Any = None,
                iv_shift: Iterable[float] = DEFAULT_IV_SHIFTS, atr: float | None = None,
                box_height: float | None = None) -> pd.DataFrame:
    """Add target levels, P&L at expiry and at the horizon, and breakeven distances.

    Parameters
    ----------
    cands
        Output of :func:`volscreen.structures.build_structures` (needs
        ``spot``, ``forward``, ``t``, ``rate``, ``multiplier``, strikes, leg
        IVs, ``debit_natural``, breakevens, ``structure_iv``).
    targets
        Price levels, or a range box (its measured-move targets).
    horizon
        See :func:`horizon_times` (default: halfway to each expiry).
    iv_shift
        IV shifts (decimal vol) of the horizon scenarios; 0 gives
        ``pnl_at_horizon_low/high``, others add ``..._iv_m3`` / ``..._iv_p3``.
    atr, box_height
        Average true range and range-box height (price units) for the
        breakeven distances in those units; NaN with a ``data_status`` code
        when not given.

    Returns
    -------
    pandas.DataFrame
        A copy of ``cands`` with ``target_low``, ``target_high``,
        ``pnl_at_expiry_low/high``, ``return_on_debit_low/high``,
        ``horizon_date``, ``horizon_t``, ``pnl_at_horizon_low/high[...]``,
        ``breakeven_inside_targets``, ``be_low/high_sigmas``,
        ``be_low/high_atrs``, ``be_low/high_box_heights`` and ``data_status``.

    Notes
    -----
    be_low_sigmas = (S - BE_low) / (S sigma sqrt t) with sigma the
    vega-weighted ``structure_iv``: the distance in one-sigma implied moves
    over the option's life.  ``breakeven_inside_targets`` is True when
    target_low <= BE_low and BE_high <= target_high, i.e. the trade is in
    profit at expiry at either target; False when a side has no target.
    """
    codes = StatusCodes.of(cands)
    new = target_columns(floats(cands, TARGET_INPUTS), _quote_dates(cands), codes, targets,
                         horizon=horizon, iv_shift=iv_shift, atr=atr, box_height=box_height)
    new[C.DATA_STATUS] = codes.joined()
    return with_columns(cands, new)


TARGET_INPUTS = (C.SPOT, C.FORWARD, C.T, C.RATE, C.MULTIPLIER, C.DEBIT_NATURAL, C.PUT_STRIKE,
                 C.CALL_STRIKE, C.BREAKEVEN_LOW, C.BREAKEVEN_HIGH, C.PUT_IV, C.CALL_IV,
                 C.STRUCTURE_IV)
"""Float columns :func:`target_columns` reads."""


def target_columns(f: dict[str, np.ndarray], qdate: np.ndarray, codes: StatusCodes,
                   targets: Any, *, horizon: Any = None,
                   iv_shift: Iterable[float] = DEFAULT_IV_SHIFTS, atr: float | None = None,
                   box_height: float | None = None) -> dict[str, Any]:
    """The columns :func:`add_targets` adds, from arrays (``f``: :data:`TARGET_INPUTS`).

    ``qdate`` is each row's New York quote date (datetime64[ns]); the codes
    are raised on ``codes``; the returned dict holds a ``data_status``
    placeholder where that column goes.
    """
    new: dict[str, Any] = {}
    spot = f[C.SPOT]
    n = spot.size
    low, high = split_targets(target_levels(targets), spot)
    mult, natural = f[C.MULTIPLIER], f[C.DEBIT_NATURAL]
    kp, kc = f[C.PUT_STRIKE], f[C.CALL_STRIKE]
    be_lo, be_hi = f[C.BREAKEVEN_LOW], f[C.BREAKEVEN_HIGH]
    codes.flag(~np.isfinite(low), C.DS_NO_TARGET_LOW)
    codes.flag(~np.isfinite(high), C.DS_NO_TARGET_HIGH)
    new[C.TARGET_LOW], new[C.TARGET_HIGH] = low, high
    t = f[C.T]
    elapsed = _elapsed(t, qdate, horizon)
    codes.flag(elapsed >= t, C.DS_PAST_HORIZON)
    codes.flag(~(np.isfinite(f[C.PUT_IV]) & np.isfinite(f[C.CALL_IV])), C.DS_NO_IV)
    new[C.HORIZON_T] = elapsed
    new[C.HORIZON_DATE] = _add_days(qdate, np.round(elapsed * DAYS_PER_YEAR))
    shifts = list(iv_shift) if 0.0 in list(iv_shift) else [0.0, *iv_shift]
    n_shift = len(shifts)
    levels = np.repeat(np.stack([low, high]), n_shift, axis=0)  # (side, shift) scenarios
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows carry data_status codes
        values = _reprice(f, levels, elapsed, np.tile(np.asarray(shifts, dtype=float), 2))
        for i, (side, level) in enumerate((("low", low), ("high", high))):
            pnl = (payoff(kp, kc, level) - natural) * mult
            new[f"pnl_at_expiry_{side}"] = pnl
            new[f"return_on_debit_{side}"] = pnl / (natural * mult)
            for j, shift in enumerate(shifts):
                new[f"{C.PNL_AT_HORIZON_PREFIX}{side}{_shift_suffix(shift)}"] = (
                    (values[i * n_shift + j] - natural) * mult)
        new[C.BREAKEVEN_INSIDE_TARGETS] = (low <= be_lo) & (be_hi <= high)
        one_sigma = spot * f[C.STRUCTURE_IV] * np.sqrt(t)
        new[C.BE_LOW_SIGMAS] = (spot - be_lo) / one_sigma
        new[C.BE_HIGH_SIGMAS] = (be_hi - spot) / one_sigma
        for name_lo, name_hi, unit, code in (
                (C.BE_LOW_ATRS, C.BE_HIGH_ATRS, atr, C.DS_NO_ATR),
                (C.BE_LOW_BOX_HEIGHTS, C.BE_HIGH_BOX_HEIGHTS, box_height, C.DS_NO_BOX)):
            u = np.nan if unit is None else float(unit)
            ok = bool(np.isfinite(u) and u > 0)
            u = u if ok else np.nan
            new[name_lo], new[name_hi] = (spot - be_lo) / u, (be_hi - spot) / u
            if not ok:
                codes.flag(np.ones(n, dtype=bool), code)
    new[C.DATA_STATUS] = None  # placeholder: the caller joins the codes last
    return new


def _add_days(dates: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``dates + days`` calendar days (datetime64[ns]); NaT where either is missing."""
    ok = np.isfinite(days) & ~np.isnat(dates)
    shift = np.zeros(days.shape, dtype=np.int64)
    shift[ok] = days[ok].astype(np.int64)
    out = dates + shift.astype("timedelta64[D]").astype("timedelta64[ns]")
    return np.where(ok, out, np.datetime64("NaT", "ns"))


def pnl_grid(candidate: Any, spots: Sequence[float], dates: Sequence[Any] | None = None, *,
             iv_shift: float = 0.0) -> pd.DataFrame:
    """P&L table (dollars per contract, natural debit) of one candidate: spot x date.

    Parameters
    ----------
    candidate
        One row of :func:`volscreen.candidates` (a Series or one-row frame).
    spots
        Underlying spot levels (the index of the result).
    dates
        Valuation dates (columns); default: the quote date, the halfway date
        and the expiry.  A date on or after the expiry gives the payoff.
    iv_shift
        IV shift (decimal vol) applied to both legs (sticky strike otherwise).

    Returns
    -------
    pandas.DataFrame
        Index ``spot``, one column per date; values ``(value - debit_natural)
        x multiplier`` with the leg values repriced as in :func:`reprice`.
    """
    row = candidate.iloc[[0]] if isinstance(candidate, pd.DataFrame) else candidate.to_frame().T
    row = row.reset_index(drop=True)
    spots_arr = np.asarray(spots, dtype=float)
    qdate = pd.Timestamp(pd.to_datetime(row[C.QUOTE_TIME], utc=True).iloc[0]).tz_convert(
        "America/New_York").tz_localize(None).normalize()
    expiry = pd.Timestamp(row[C.EXPIRY].iloc[0])
    if dates is None:
        dates = [qdate, qdate + (expiry - qdate) / 2, expiry]
    stamps = [pd.Timestamp(d) for d in dates]
    many = row.loc[np.zeros(spots_arr.size, dtype=np.int64)].reset_index(drop=True)
    for col in (C.T, C.FORWARD, C.SPOT, C.RATE, C.PUT_STRIKE, C.CALL_STRIKE, C.PUT_IV,
                C.CALL_IV, C.DEBIT_NATURAL, C.MULTIPLIER):
        many[col] = pd.to_numeric(many[col])
    natural = float(many[C.DEBIT_NATURAL].iloc[0])
    mult = float(many[C.MULTIPLIER].iloc[0])
    t = float(many[C.T].iloc[0])
    table = {}
    for stamp in stamps:
        day = stamp.normalize()
        elapsed = t if day >= expiry else (day - qdate).days / DAYS_PER_YEAR
        table[stamp] = (reprice(many, spots_arr, np.full(spots_arr.size, elapsed), iv_shift)
                        - natural) * mult
    return pd.DataFrame(table, index=pd.Index(spots_arr, name=C.SPOT))
