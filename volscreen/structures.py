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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .errors import ChainSchemaError, ConfigError

log = logging.getLogger(__name__)

DEFAULT_DTE = (7, 90)
"""Calendar-day window of expiries considered, inclusive."""
DEFAULT_DELTAS = (0.25, 0.16)
"""Absolute deltas of the strangles built by delta."""
DEFAULT_MULTIPLIER = 100.0
EXCHANGE_TZ = "America/New_York"

# quote statuses that make a leg impossible to buy at a known price
_UNUSABLE_QUOTES = frozenset({C.QS_CROSSED, C.QS_EXPIRED, C.QS_BAD_STRIKE, C.QS_NO_QUOTE,
                              C.QS_ZERO_ASK})
_NEEDED = (C.UNDERLYING, C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK, C.T,
           C.FORWARD, C.IV, C.DELTA)

KIND_STRADDLE = "straddle"
KIND_DELTA = "strangle_delta"
KIND_STRIKES = "strangle_strikes"
KIND_RANGE = "strangle_range"


def _col(chain: pd.DataFrame, name: str, default: float = np.nan) -> np.ndarray:
    if name in chain.columns:
        column = chain[name]
        if column.dtype.kind == "f":  # already float (numpy or nullable): no parsing needed
            return column.to_numpy(dtype=float, na_value=np.nan)
        return pd.to_numeric(column, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(chain), default)


def _prepare(chain: pd.DataFrame) -> dict[str, np.ndarray]:
    """Validate the chain and pull the arrays the selection needs."""
    missing = [c for c in _NEEDED if c not in chain.columns]
    if missing:
        raise ChainSchemaError(
            "candidates need a chain priced by volscreen.implied_vols; missing "
            + ", ".join(missing), column=missing[0])
    codes, uniques = pd.factorize(chain[C.RIGHT], use_na_sentinel=False)  # few distinct
    rights = pd.Series(uniques).astype(str).str.upper().str[0].to_numpy(dtype=object)[codes]
    bid, ask = _col(chain, C.BID), _col(chain, C.ASK)
    mid = _col(chain, C.MID) if C.MID in chain.columns else (bid + ask) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):  # spread_pct is NaN where mid is 0
        spread_pct = (_col(chain, C.SPREAD_PCT) if C.SPREAD_PCT in chain.columns
                      else (ask - bid) / mid)
    status = (chain[C.QUOTE_STATUS].astype(str).to_numpy(dtype=object)
              if C.QUOTE_STATUS in chain.columns else np.full(len(chain), C.QS_OK, dtype=object))
    usable = (np.isfinite(ask) & (ask > 0) & np.isfinite(mid) & (mid > 0)
              & ~np.isin(status, list(_UNUSABLE_QUOTES)))
    iv = _col(chain, C.IV)
    qt_codes, qt_unique = pd.factorize(pd.to_datetime(chain[C.QUOTE_TIME], utc=True))
    qt_unique = pd.DatetimeIndex(qt_unique)  # few distinct stamps: convert those only
    qdate_unique = qt_unique.tz_convert(EXCHANGE_TZ).tz_localize(None).normalize()
    qdate = qdate_unique.to_numpy(dtype="datetime64[ns]")[qt_codes]
    expiry = pd.to_datetime(chain[C.EXPIRY]).dt.normalize()
    symbols = (chain[C.CONTRACT_SYMBOL].astype(object).to_numpy(dtype=object)
               if C.CONTRACT_SYMBOL in chain.columns else np.full(len(chain), None, dtype=object))
    spot = _col(chain, C.UNDERLYING_PRICE)
    fwd = _col(chain, C.FORWARD)
    return {
        "underlying": chain[C.UNDERLYING].astype(object).to_numpy(dtype=object),
        "symbol": symbols, "right": rights, "strike": _col(chain, C.STRIKE),
        "bid": bid, "ask": ask, "mid": mid, "spread_pct": spread_pct, "usable": usable,
        "priced": usable & np.isfinite(iv) & np.isfinite(_col(chain, C.DELTA)),
        "iv": iv, "delta": _col(chain, C.DELTA), "gamma": _col(chain, C.GAMMA),
        "vega": _col(chain, C.VEGA_PER_VOLPT), "theta": _col(chain, C.THETA_PER_DAY),
        "oi": _col(chain, C.OPEN_INTEREST), "mult": _col(chain, C.MULTIPLIER, DEFAULT_MULTIPLIER),
        "spot": np.where(np.isfinite(spot), spot, fwd), "forward": fwd, "t": _col(chain, C.T),
        "discount": _col(chain, C.DISCOUNT, 1.0),
        "otm": (chain[C.OTM].to_numpy(dtype=bool) if C.OTM in chain.columns else None),
        "qdate": qdate,
        "expiry": expiry.to_numpy(dtype="datetime64[ns]"),
        "quote_time": qt_unique.tz_convert(None).to_numpy(dtype="datetime64[ns]")[qt_codes],
    }


def _nearest(values: np.ndarray, target: float) -> int:
    """Position of the value nearest ``target`` (ties: the lower value), -1 if empty."""
    if values.size == 0 or not np.isfinite(target):
        return -1
    return int(np.argmin(np.abs(values - target) + 1e-12 * values))


def _pick_straddle(a: dict[str, np.ndarray], puts: np.ndarray, calls: np.ndarray,
                   fwd: float) -> tuple[int, int, str]:
    common, ip, ic = np.intersect1d(a["strike"][puts], a["strike"][calls], return_indices=True)
    if common.size == 0:
        return -1, -1, "no_common_strike"
    p, c = puts[ip], calls[ic]
    nearest = _nearest(common, fwd)
    for need, note in (("priced", ""), ("usable", "leg_without_iv")):
        ok = a[need][p] & a[need][c]
        if ok.any():
            j = np.flatnonzero(ok)[_nearest(common[ok], fwd)]
            if j != nearest:
                note = ";".join(filter(None, ["atm_next_nearest", note]))
            return int(p[j]), int(c[j]), note
    return (int(p[nearest]), int(c[nearest]), "no_usable_atm_pair")


def _pick_by_delta(a: dict[str, np.ndarray], legs: np.ndarray, fwd: float, target: float,
                   is_put: bool) -> int:
    strikes = a["strike"][legs]
    if a["otm"] is not None:
        otm = a["otm"][legs]
    else:
        otm = strikes < fwd if is_put else strikes >= fwd
    ok = a["priced"][legs] & otm
    if not ok.any():
        return -1
    cand = legs[ok]
    return int(cand[_nearest(np.abs(a["delta"][cand]), target)])


def _pick_strike(a: dict[str, np.ndarray], legs: np.ndarray, level: float) -> int:
    ok = a["usable"][legs]
    if not ok.any():
        return -1
    cand = legs[ok]
    return int(cand[_nearest(a["strike"][cand], level)])


def _box_edges(box: Any) -> tuple[float, float] | None:
    if box is None:
        return None
    if isinstance(box, Mapping):
        floor, ceiling = box.get("floor"), box.get("ceiling")
    elif isinstance(box, Sequence) and len(box) == 2:
        floor, ceiling = box
    else:
        floor, ceiling = getattr(box, "floor", None), getattr(box, "ceiling", None)
    if floor is None or ceiling is None or not (np.isfinite(floor) and np.isfinite(ceiling)):
        return None
    return float(floor), float(ceiling)


def _strike_pairs(strikes: Any) -> list[tuple[float, float]]:
    if strikes is None:
        return []
    pairs = [strikes] if (len(strikes) == 2 and np.isscalar(strikes[0])) else list(strikes)
    out = []
    for pair in pairs:
        if len(pair) != 2:
            raise ConfigError(f"strikes must be (put, call) pairs, got {pair!r}", column="strikes")
        out.append((float(pair[0]), float(pair[1])))
    return out


def _label(x: float) -> str:
    return f"{x:g}".replace(".", "p")


def _group_nearest(group: np.ndarray, values: np.ndarray, target: np.ndarray,
                   valid: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the position of the valid value nearest its group's target (-1: none).

    Positions are into ``group``/``values`` (sorted by group, then strike).
    Ties go to the earlier position (the lower strike), as ``np.argmin``
    does; a group whose target is not finite takes its last valid position.
    """
    out = np.full(n_groups, -1, dtype=np.int64)
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        return out
    tgt = target[group[idx]]
    with np.errstate(invalid="ignore"):  # a NaN target is handled by the fallback below
        metric = np.abs(values[idx] - tgt) + 1e-12 * values[idx]
    metric = np.where(np.isfinite(tgt), metric, -idx.astype(float))
    order = idx[np.lexsort((metric, group[idx]))]
    g = group[order]
    first = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    out[g[first]] = order[first]
    return out


def _select(a: dict[str, np.ndarray], *, dte: tuple[int, int], straddle: bool,
            deltas: Sequence[float], strike_pairs: Sequence[tuple[float, float]],
            edges: tuple[float, float] | None) -> pd.DataFrame:
    """One row per requested structure and expiry: leg positions (-1 when missing).

    All expiries at once: the quotes in the DTE window are sorted by
    (underlying, expiry, strike) and every leg rule is a per-group nearest
    search over those sorted arrays (:func:`_group_nearest`).
    """
    days = ((a["expiry"] - a["qdate"]) // np.timedelta64(1, "D")).astype(np.int64)
    und_codes = pd.factorize(a["underlying"])[0]
    exp_codes = a["expiry"].astype(np.int64)
    order = np.lexsort((a["strike"], exp_codes, und_codes))
    order = order[(days[order] >= dte[0]) & (days[order] <= dte[1])]
    named = [(f"strangle_{_label(kp)}_{_label(kc)}", KIND_STRIKES, kp, kc)
             for kp, kc in strike_pairs]
    if edges is not None:
        named.append(("strangle_range", KIND_RANGE, edges[0], edges[1]))
    specs = ([("straddle", KIND_STRADDLE)] if straddle else []) + [
        (f"strangle_{round(100 * d):d}d", KIND_DELTA) for d in deltas] + [
        (name, kind) for name, kind, _, _ in named]
    if order.size == 0 or not specs:
        return pd.DataFrame({"structure": pd.Series(dtype=object),
                             "kind": pd.Series(dtype=object), "put": pd.Series(dtype=np.int64),
                             "call": pd.Series(dtype=np.int64), "note": pd.Series(dtype=object)})
    new_group = np.concatenate(([False], (np.diff(und_codes[order]) != 0)
                                | (np.diff(exp_codes[order]) != 0)))
    group = np.cumsum(new_group)
    n_groups = int(group[-1]) + 1
    starts = np.flatnonzero(np.concatenate(([True], new_group[1:])))
    strike = a["strike"][order]
    right = a["right"][order]
    is_put, is_call = right == C.PUT, right == C.CALL
    priced, usable = a["priced"][order], a["usable"][order]
    fwd_sorted = a["forward"][order]
    fwd = pd.Series(fwd_sorted).groupby(group).median().to_numpy(dtype=float)  # NaN skipped
    fwd = np.where(np.isfinite(fwd), fwd, a["spot"][order][starts])
    puts_p, calls_p, notes = [], [], []
    if straddle:
        p, c, note = _straddles(group, strike, is_put, is_call, priced, usable, fwd, n_groups)
        puts_p.append(p)
        calls_p.append(c)
        notes.append(note)
    otm = a["otm"][order] if a["otm"] is not None else None
    for d in deltas:
        absdelta = np.abs(a["delta"][order])
        target = np.full(n_groups, float(d))
        put_otm = otm if otm is not None else strike < fwd[group]
        call_otm = otm if otm is not None else strike >= fwd[group]
        puts_p.append(_group_nearest(group, absdelta, target, is_put & priced & put_otm,
                                     n_groups))
        calls_p.append(_group_nearest(group, absdelta, target, is_call & priced & call_otm,
                                      n_groups))
        notes.append(np.full(n_groups, "", dtype=object))
    for _, _, kp, kc in named:
        p = _group_nearest(group, strike, np.full(n_groups, kp), is_put & usable, n_groups)
        c = _group_nearest(group, strike, np.full(n_groups, kc), is_call & usable, n_groups)
        with np.errstate(invalid="ignore"):  # a NaN level never counts as moved
            moved = ((p >= 0) & (np.abs(strike[p] - kp) > 1e-9)) | (
                (c >= 0) & (np.abs(strike[c] - kc) > 1e-9))
        puts_p.append(p)
        calls_p.append(c)
        notes.append(np.where(moved, "strike_adjusted", "").astype(object))
    put_pos, call_pos = np.column_stack(puts_p), np.column_stack(calls_p)  # (groups, specs)
    return pd.DataFrame({
        "structure": np.tile(np.array([n for n, _ in specs], dtype=object), n_groups),
        "kind": np.tile(np.array([k for _, k in specs], dtype=object), n_groups),
        "put": np.where(put_pos >= 0, order[put_pos], -1).ravel(),
        "call": np.where(call_pos >= 0, order[call_pos], -1).ravel(),
        "note": np.column_stack(notes).ravel(),
    })


def _straddles(group: np.ndarray, strike: np.ndarray, is_put: np.ndarray, is_call: np.ndarray,
               priced: np.ndarray, usable: np.ndarray, fwd: np.ndarray,
               n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ATM straddle legs per group (positions into the sorted arrays) and notes."""
    put_idx, call_idx = np.flatnonzero(is_put), np.flatnonzero(is_call)
    # first put and first call of each (group, strike): the pairs sharing a strike
    keys_p = np.rec.fromarrays([group[put_idx], strike[put_idx]])
    keys_c = np.rec.fromarrays([group[call_idx], strike[call_idx]])
    _, ip, ic = np.intersect1d(keys_p, keys_c, return_indices=True)
    p, c = put_idx[ip], call_idx[ic]
    order = np.lexsort((strike[p], group[p]))
    p, c = p[order], c[order]
    pair_group, pair_strike = group[p], strike[p]
    anything = np.ones(p.size, dtype=bool)
    nearest = _group_nearest(pair_group, pair_strike, fwd, anything, n_groups)
    best_priced = _group_nearest(pair_group, pair_strike, fwd, priced[p] & priced[c], n_groups)
    best_usable = _group_nearest(pair_group, pair_strike, fwd, usable[p] & usable[c], n_groups)
    chosen = np.where(best_priced >= 0, best_priced,
                      np.where(best_usable >= 0, best_usable, nearest))
    notes = np.full(n_groups, "", dtype=object)
    fallback = (best_priced < 0) & (best_usable >= 0)
    moved = (chosen != nearest) & (chosen >= 0) & ((best_priced >= 0) | fallback)
    notes[moved & ~fallback] = "atm_next_nearest"
    notes[moved & fallback] = "atm_next_nearest;leg_without_iv"
    notes[~moved & fallback] = "leg_without_iv"
    notes[(best_priced < 0) & (best_usable < 0) & (nearest >= 0)] = "no_usable_atm_pair"
    notes[nearest < 0] = "no_common_strike"
    put_leg = np.where(chosen >= 0, p[np.maximum(chosen, 0)] if p.size else -1, -1)
    call_leg = np.where(chosen >= 0, c[np.maximum(chosen, 0)] if c.size else -1, -1)
    return put_leg, call_leg, notes


def _trading_days(qdate: pd.DatetimeIndex, expiry: pd.DatetimeIndex) -> np.ndarray:
    """Weekdays after the quote date up to and including expiry (-1 where unknown)."""
    ok = ~(qdate.isna() | expiry.isna())
    out = np.full(len(qdate), -1, dtype=np.int64)
    one = pd.Timedelta(days=1)
    out[ok] = np.busday_count((qdate[ok] + one).to_numpy(dtype="datetime64[D]"),
                              (expiry[ok] + one).to_numpy(dtype="datetime64[D]"))
    return out


def _assemble(a: dict[str, np.ndarray], sel: pd.DataFrame) -> pd.DataFrame:
    """Vectorized gather of the legs and the structure-level columns."""
    p = sel["put"].to_numpy(dtype=np.int64)
    c = sel["call"].to_numpy(dtype=np.int64)
    hp, hc = p >= 0, c >= 0
    anchor = np.where(hp, p, c)  # a leg that exists, for row-level fields
    has_any = anchor >= 0
    anchor = np.where(has_any, anchor, 0)

    def take(key: str, pos: np.ndarray, present: np.ndarray) -> np.ndarray:
        vals = a[key][np.where(present, pos, 0)]
        if vals.dtype.kind == "f":
            return np.where(present, vals, np.nan)
        return np.where(present, vals, None)

    status = np.where(hp & hc, C.CAND_OK, np.where(hp, C.CAND_NO_CALL,
                                                 np.where(hc, C.CAND_NO_PUT, C.CAND_NO_LEGS)))
    spot = np.where(has_any, a["spot"][anchor], np.nan)
    t = np.where(has_any, a["t"][anchor], np.nan)
    disc = np.where(has_any, a["discount"][anchor], np.nan)
    mult = np.where(has_any, a["mult"][anchor], DEFAULT_MULTIPLIER)
    kp, kc = take("strike", p, hp), take("strike", c, hc)
    ask_p, ask_c = take("ask", p, hp), take("ask", c, hc)
    mid_p, mid_c = take("mid", p, hp), take("mid", c, hc)
    iv_p, iv_c = take("iv", p, hp), take("iv", c, hc)
    vega_p, vega_c = take("vega", p, hp), take("vega", c, hc)
    natural, mid = ask_p + ask_c, mid_p + mid_c
    be_lo, be_hi = kp - natural, kc + natural
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN legs carry candidate_status
        struct_iv = (vega_p * iv_p + vega_c * iv_c) / (vega_p + vega_c)
        rate = np.where(t > 0, -np.log(disc) / t, 0.0)
    expiry = pd.to_datetime(a["expiry"][anchor]).where(has_any)
    qdate = pd.to_datetime(a["qdate"][anchor]).where(has_any)
    out = {
        C.UNDERLYING: np.where(has_any, a["underlying"][anchor], None),
        C.STRUCTURE: sel["structure"].to_numpy(dtype=object),
        C.STRUCTURE_KIND: sel["kind"].to_numpy(dtype=object),
        C.QUOTE_TIME: pd.DatetimeIndex(a["quote_time"][anchor]).tz_localize("UTC").where(has_any),
        C.EXPIRY: expiry,
        C.DAYS: np.asarray((expiry - qdate).days, dtype=float),
        C.TRADING_DAYS: _trading_days(qdate, expiry),
        C.T: t, C.SPOT: spot, C.FORWARD: np.where(has_any, a["forward"][anchor], np.nan),
        C.DISCOUNT: disc, C.RATE: rate, C.MULTIPLIER: mult,
        C.PUT_STRIKE: kp, C.CALL_STRIKE: kc,
        C.PUT_SYMBOL: take("symbol", p, hp), C.CALL_SYMBOL: take("symbol", c, hc),
        C.PUT_BID: take("bid", p, hp), C.PUT_ASK: ask_p, C.PUT_MID: mid_p, C.PUT_IV: iv_p,
        C.PUT_DELTA: take("delta", p, hp),
        C.CALL_BID: take("bid", c, hc), C.CALL_ASK: ask_c, C.CALL_MID: mid_c, C.CALL_IV: iv_c,
        C.CALL_DELTA: take("delta", c, hc),
        C.STRUCTURE_IV: struct_iv,
        C.DEBIT_MID: mid, C.DEBIT_NATURAL: natural, C.SPREAD_COST: natural - mid,
        C.DEBIT_MID_PER_CONTRACT: mid * mult, C.DEBIT_NATURAL_PER_CONTRACT: natural * mult,
        C.SPREAD_COST_PER_CONTRACT: (natural - mid) * mult,
        C.BREAKEVEN_LOW: be_lo, C.BREAKEVEN_HIGH: be_hi,
        C.BREAKEVEN_LOW_MID: kp - mid, C.BREAKEVEN_HIGH_MID: kc + mid,
        C.BREAKEVEN_MOVE_PCT: np.minimum(spot - be_lo, be_hi - spot) / spot,
        C.DELTA: take("delta", p, hp) + take("delta", c, hc),
        C.GAMMA: take("gamma", p, hp) + take("gamma", c, hc),
        C.VEGA_PER_VOLPT: vega_p + vega_c,
        C.THETA_PER_DAY: take("theta", p, hp) + take("theta", c, hc),
        C.MIN_OPEN_INTEREST: np.fmin(take("oi", p, hp), take("oi", c, hc)),
        C.MAX_SPREAD_PCT: np.fmax(take("spread_pct", p, hp), take("spread_pct", c, hc)),
        C.CANDIDATE_STATUS: status,
        C.SELECTION_NOTE: sel["note"].to_numpy(dtype=object),
    }
    frame = pd.DataFrame(out)
    frame[C.MIN_OPEN_INTEREST] = frame[C.MIN_OPEN_INTEREST].where(hp & hc)
    frame[C.MAX_SPREAD_PCT] = frame[C.MAX_SPREAD_PCT].where(hp & hc)
    return frame


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
    a = _prepare(chain_with_iv)
    if len(dte) != 2 or dte[0] > dte[1]:
        raise ConfigError(f"dte must be (min_days, max_days), got {dte!r}", column="dte")
    sel = _select(a, dte=(int(dte[0]), int(dte[1])), straddle=straddle, deltas=tuple(deltas),
                  strike_pairs=_strike_pairs(strikes), edges=_box_edges(box))
    return _assemble(a, sel)


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
               condition: Any = None, weights: Any = None, seed: int = 12345) -> pd.DataFrame:
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
    from .probability import add_probabilities
    from .score import ScoreWeights, add_cheapness, score_candidates
    from .targets import add_targets

    cands = build_structures(chain_with_iv, dte=dte, deltas=deltas, strikes=strikes, box=box)
    if bars is not None:
        if rv is None:
            from ._forecast import Forecaster

            rv = Forecaster(bars).vol  # one pass over the bars, one fit per horizon
        if compression is None or atr is None:
            from .indicators import compression_summary

            summary = compression_summary(bars)
            compression = summary if compression is None else compression
            atr = float(summary[C.ATR]) if atr is None else atr
    height = getattr(box, "height", None) if box is not None else None
    if height is None and (edges := _box_edges(box)) is not None:
        height = edges[1] - edges[0]
    if isinstance(weights, Mapping):
        weights = ScoreWeights(**weights)
    out = add_targets(cands, box if targets is None else targets, horizon=horizon,
                      iv_shift=iv_shift, atr=atr, box_height=height)
    out = add_probabilities(out, rv=rv, bars=bars, condition=condition, seed=seed)
    out = add_cheapness(out, iv_rank=iv_rank)
    return score_candidates(out, compression=compression, weights=weights)
