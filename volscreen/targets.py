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
    t = cands[C.T].to_numpy(dtype=float)
    if horizon is None:
        horizon = DEFAULT_HORIZON
    if isinstance(horizon, (int, float)) and not isinstance(horizon, bool):
        if not 0.0 < float(horizon) <= 1.0:
            raise ConfigError(f"horizon fraction must be in (0, 1], got {horizon}",
                              column="horizon")
        return t * float(horizon)
    when = pd.Timestamp(horizon)
    qt = pd.to_datetime(cands[C.QUOTE_TIME], utc=True).dt.tz_convert("America/New_York")
    qdate = qt.dt.tz_localize(None).dt.normalize()
    days = (when.normalize() - qdate).dt.days.to_numpy(dtype=float)
    return days / DAYS_PER_YEAR


def reprice(cands: pd.DataFrame, level: Any, elapsed: Any, iv_shift: float = 0.0) -> np.ndarray:
    """Per-share value of each candidate if spot is ``level`` after ``elapsed`` years.

    Sticky strike: each leg at its own IV + ``iv_shift`` (floored at 1e-4);
    Black-76 on the forward ``level x (F/S)^{tau/t}``, ``tau = t - elapsed``;
    at or after expiry (``tau <= 0``) the payoff.
    """
    from .pricing import black_price

    t = cands[C.T].to_numpy(dtype=float)
    tau = t - np.asarray(elapsed, dtype=float)
    level = np.broadcast_to(np.asarray(level, dtype=float), t.shape)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN legs already carry a status
        carry = np.log(cands[C.FORWARD].to_numpy(dtype=float)
                       / cands[C.SPOT].to_numpy(dtype=float)) / t
        rate = cands[C.RATE].to_numpy(dtype=float)
        fwd_h = level * np.exp(carry * np.maximum(tau, 0.0))
        tau_pos = np.maximum(tau, 0.0)
        kp = cands[C.PUT_STRIKE].to_numpy(dtype=float)
        kc = cands[C.CALL_STRIKE].to_numpy(dtype=float)
        vp = np.maximum(cands[C.PUT_IV].to_numpy(dtype=float) + iv_shift, 1e-4)
        vc = np.maximum(cands[C.CALL_IV].to_numpy(dtype=float) + iv_shift, 1e-4)
        value = black_price(fwd_h, kp, tau_pos, rate, vp, C.PUT) + black_price(
            fwd_h, kc, tau_pos, rate, vc, C.CALL)
    return np.where(tau > 0, value, payoff(kp, kc, level))


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
    out = cands  # read only: new columns are collected in ``new``
    new: dict[str, Any] = {}
    spot = out[C.SPOT].to_numpy(dtype=float)
    low, high = split_targets(target_levels(targets), spot)
    mult = out[C.MULTIPLIER].to_numpy(dtype=float)
    natural = out[C.DEBIT_NATURAL].to_numpy(dtype=float)
    kp, kc = out[C.PUT_STRIKE].to_numpy(dtype=float), out[C.CALL_STRIKE].to_numpy(dtype=float)
    be_lo, be_hi = out[C.BREAKEVEN_LOW].to_numpy(dtype=float), out[C.BREAKEVEN_HIGH].to_numpy(
        dtype=float)
    codes = _codes(out)
    _flag(codes, ~np.isfinite(low), C.DS_NO_TARGET_LOW)
    _flag(codes, ~np.isfinite(high), C.DS_NO_TARGET_HIGH)
    new[C.TARGET_LOW], new[C.TARGET_HIGH] = low, high
    elapsed = horizon_times(out, horizon)
    t = out[C.T].to_numpy(dtype=float)
    _flag(codes, elapsed >= t, C.DS_PAST_HORIZON)
    _flag(codes, ~(np.isfinite(out[C.PUT_IV].to_numpy(dtype=float))
                   & np.isfinite(out[C.CALL_IV].to_numpy(dtype=float))), C.DS_NO_IV)
    qdate = pd.to_datetime(out[C.QUOTE_TIME], utc=True).dt.tz_convert(
        "America/New_York").dt.tz_localize(None).dt.normalize()
    new[C.HORIZON_T] = elapsed
    new[C.HORIZON_DATE] = (qdate + pd.to_timedelta(np.round(elapsed * DAYS_PER_YEAR), unit="D"))
    shifts = list(iv_shift) if 0.0 in list(iv_shift) else [0.0, *iv_shift]
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows carry data_status codes
        for side, level in (("low", low), ("high", high)):
            pnl = (payoff(kp, kc, level) - natural) * mult
            new[f"pnl_at_expiry_{side}"] = pnl
            new[f"return_on_debit_{side}"] = pnl / (natural * mult)
            for shift in shifts:
                value = reprice(out, level, elapsed, shift)
                new[f"{C.PNL_AT_HORIZON_PREFIX}{side}{_shift_suffix(shift)}"] = (
                    (value - natural) * mult)
        new[C.BREAKEVEN_INSIDE_TARGETS] = (low <= be_lo) & (be_hi <= high)
        one_sigma = spot * out[C.STRUCTURE_IV].to_numpy(dtype=float) * np.sqrt(t)
        new[C.BE_LOW_SIGMAS] = (spot - be_lo) / one_sigma
        new[C.BE_HIGH_SIGMAS] = (be_hi - spot) / one_sigma
        for name_lo, name_hi, unit, code in (
                (C.BE_LOW_ATRS, C.BE_HIGH_ATRS, atr, C.DS_NO_ATR),
                (C.BE_LOW_BOX_HEIGHTS, C.BE_HIGH_BOX_HEIGHTS, box_height, C.DS_NO_BOX)):
            ok = unit is not None and np.isfinite(unit) and unit > 0
            u = float(unit) if ok else np.nan
            new[name_lo], new[name_hi] = (spot - be_lo) / u, (be_hi - spot) / u
            if not ok:
                _flag(codes, np.ones(len(out), dtype=bool), code)
    new[C.DATA_STATUS] = _join(codes)
    return with_columns(cands, new)


def with_columns(frame: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """A new frame: ``frame`` with the columns of ``new`` replaced or appended in order.

    One concatenation instead of one block insertion per column (the
    candidate stages add dozens of columns to a few dozen rows).
    """
    fresh = {k: v for k, v in new.items() if k not in frame.columns}
    out = pd.concat([frame, pd.DataFrame(fresh, index=frame.index)], axis=1) if fresh \
        else frame.copy()
    for name, values in new.items():
        if name not in fresh:
            out[name] = values
    return out


def _codes(frame: pd.DataFrame) -> list[list[str]]:
    if C.DATA_STATUS not in frame.columns:
        return [[] for _ in range(len(frame))]
    return [[c for c in str(s).split(";") if c and c != C.DS_OK]
            for s in frame[C.DATA_STATUS].tolist()]


def _flag(codes: list[list[str]], mask: np.ndarray, code: str) -> None:
    for i in np.flatnonzero(mask):
        if code not in codes[i]:
            codes[i].append(code)


def _join(codes: list[list[str]]) -> list[str]:
    return [";".join(c) if c else C.DS_OK for c in codes]


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
