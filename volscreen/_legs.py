"""Leg selection and pricing of straddles/strangles on arrays (the kernel of structures).

:func:`volscreen._chainarrays.chain_arrays` pulls every column the selection
needs out of a priced chain once; :func:`select_legs` chooses the
legs of every structure and expiry with one sort of the quotes; and
:func:`assemble` gathers the legs into the candidate columns, an ordered
``{column: array}`` dict from which the caller builds its frame once.
The rules are documented in :func:`volscreen.structures.build_structures`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from ._chainarrays import DEFAULT_MULTIPLIER
from ._parity import segment_median
from .errors import ConfigError

KIND_STRADDLE = "straddle"
KIND_DELTA = "strangle_delta"
KIND_STRIKES = "strangle_strikes"
KIND_RANGE = "strangle_range"

_NAT = np.datetime64("NaT", "ns")
_NONE = np.array(None, dtype=object)  # a missing leg's text field


def box_edges(box: Any) -> tuple[float, float] | None:
    """(floor, ceiling) of a range box given as an object, mapping or pair; None if unusable."""
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


def strike_pairs(strikes: Any) -> list[tuple[float, float]]:
    """``(put, call)`` pairs from one pair or a list of pairs."""
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


def _group_nearest(group: np.ndarray, searches: Sequence[tuple[Any, Any, np.ndarray]],
                   n_groups: int) -> np.ndarray:
    """Per search and group, the position of the valid value nearest the target (-1: none).

    ``searches`` are ``(values, target, valid)`` triples over the same
    ``group`` array (sorted by group, then strike): ``values`` (n,),
    ``target`` a scalar or one per group, ``valid`` (n,) bool.  The result
    is (searches, groups).  Ties go to the earlier position (the lower
    strike), as ``np.argmin`` does; a group whose target is not finite takes
    its last valid position.

    Notes
    -----
    ``group`` is non-decreasing, so each search's valid positions of one
    group are one contiguous run of the gathered positions: the nearest is
    the first position of its run holding the run's minimum (NaN distances
    count only in a run of NaN, whose first position is taken), found with
    one ``fmin.reduceat`` and no sort.  :func:`_group_nearest_sorted` is the
    same rule by one lexicographic sort (the reference in the tests).
    """
    k = len(searches)
    out = np.full((k, n_groups), -1, dtype=np.int64)
    prep = _nearest_inputs(group, searches, n_groups)
    if prep is None:
        return out
    pos, key, metric = prep
    head = np.empty(key.size, dtype=bool)
    head[0] = True
    np.not_equal(key[1:], key[:-1], out=head[1:])
    starts = np.flatnonzero(head)
    run = np.cumsum(head) - 1
    least = np.fmin.reduceat(metric, starts)[run]  # NaN only in a run of NaN distances
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero((metric == least) | np.isnan(least))
    hit_run = run[hit]
    first = np.empty(hit.size, dtype=bool)
    first[0] = True
    np.not_equal(hit_run[1:], hit_run[:-1], out=first[1:])
    best = hit[first]  # every run has a hit: one per run, in run order
    out.ravel()[key[best]] = pos[best]
    return out


def _group_nearest_sorted(group: np.ndarray, searches: Sequence[tuple[Any, Any, np.ndarray]],
                          n_groups: int) -> np.ndarray:
    """:func:`_group_nearest` by one stable lexicographic sort of (search and group, distance)."""
    out = np.full((len(searches), n_groups), -1, dtype=np.int64)
    prep = _nearest_inputs(group, searches, n_groups)
    if prep is None:
        return out
    pos, key, metric = prep
    order = np.lexsort((metric, key))
    g = key[order]
    first = order[np.concatenate(([True], g[1:] != g[:-1]))]
    out.ravel()[key[first]] = pos[first]
    return out


def _nearest_inputs(group: np.ndarray, searches: Sequence[tuple[Any, Any, np.ndarray]],
                    n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(positions, search x group keys, distances) of every search's valid values, search
    after search (None when no value is valid).

    The distance is ``|value - target| + 1e-12 value`` (the lower value wins a
    near tie), and ``-position`` for a group whose target is not finite.
    """
    found = [np.flatnonzero(valid) for _, _, valid in searches]
    sizes = [f.size for f in found]
    if not any(sizes):
        return None
    pos = np.concatenate(found)
    grp = group[pos]
    parts_v, parts_t = [], []
    lo = 0
    for (values, target, _), f in zip(searches, found):
        hi = lo + f.size
        parts_v.append(values[f] if np.ndim(values) else np.full(f.size, float(values)))
        parts_t.append(target[grp[lo:hi]] if np.ndim(target) else np.full(f.size, float(target)))
        lo = hi
    which = np.repeat(np.arange(len(searches), dtype=pos.dtype), sizes)
    values = np.concatenate(parts_v)
    tgt = np.concatenate(parts_t)
    with np.errstate(invalid="ignore"):  # a NaN target is handled by the fallback below
        metric = np.abs(values - tgt) + 1e-12 * values
    metric = np.where(np.isfinite(tgt), metric, -pos.astype(float))
    return pos, which * n_groups + grp, metric


def specs_of(straddle: bool, deltas: Sequence[float],
             pairs: Sequence[tuple[float, float]],
             edges: tuple[float, float] | None) -> list[tuple[str, str, float, float]]:
    """(structure name, kind, put level, call level) of every structure requested."""
    specs = [("straddle", KIND_STRADDLE, np.nan, np.nan)] if straddle else []
    specs += [(f"strangle_{round(100 * d):d}d", KIND_DELTA, float(d), float(d)) for d in deltas]
    specs += [(f"strangle_{_label(kp)}_{_label(kc)}", KIND_STRIKES, kp, kc) for kp, kc in pairs]
    if edges is not None:
        specs.append(("strangle_range", KIND_RANGE, edges[0], edges[1]))
    return specs


def in_window(a: dict[str, Any], dte: tuple[int, int]) -> np.ndarray:
    """Rows whose calendar days from the quote date to the expiry are within ``dte``.

    Kept in ``a`` for the next caller with the same window.
    """
    key = f"in_window {dte[0]} {dte[1]}"
    if key not in a:
        days = ((a["expiry"] - a["qdate"]) // np.timedelta64(1, "D")).astype(np.int64)
        a[key] = (days >= dte[0]) & (days <= dte[1])
    window: np.ndarray = a[key]
    return window


def _sort_quotes(rows: np.ndarray, und: np.ndarray, expiry: np.ndarray,
                 strike: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` stably sorted by (underlying, expiry, strike), and where a new
    (underlying, expiry) group starts in that order (False at the first row).

    The loaders write chains in that order already: checked in one pass, the
    sort is then the identity (a stable sort keeps equal keys in place).
    """
    u, e, k = und[rows], expiry[rows], strike[rows]
    du, de, dk = np.diff(u), np.diff(e), np.diff(k)
    with np.errstate(invalid="ignore"):  # a NaN strike compares False: sorted below
        ascending = (du > 0) | ((du == 0) & ((de > 0) | ((de == 0) & (dk >= 0))))
    if ascending.all():
        order = rows
    else:
        order = rows[np.lexsort((k, e, u))]
        du, de = np.diff(und[order]), np.diff(expiry[order])
    new_group = np.empty(order.size, dtype=bool)
    new_group[0] = False
    np.not_equal(du, 0, out=new_group[1:])
    new_group[1:] |= de != 0
    return order, new_group


def _group_forwards(fwd: np.ndarray, group: np.ndarray, starts: np.ndarray,
                    n_groups: int) -> np.ndarray:
    """The median of each group's finite forwards (NaN for a group without one).

    A priced chain has one forward per expiry: when each group's finite values
    are all equal (smallest = largest) that value is the median, read without
    sorting; otherwise :func:`volscreen._parity.segment_median`.
    """
    finite = np.where(np.isfinite(fwd), fwd, np.nan)  # +-inf: not a forward
    least = np.fmin.reduceat(finite, starts)
    if np.array_equal(least, np.fmax.reduceat(finite, starts), equal_nan=True):
        return (least + least) / 2  # the median's (v[lo] + v[hi]) / 2, bit for bit
    return segment_median(finite, group, n_groups)


def select_legs(a: dict[str, Any], *, dte: tuple[int, int],
                specs: Sequence[tuple[str, str, float, float]]) -> dict[str, np.ndarray]:
    """One entry per requested structure and expiry: leg positions (-1 when missing).

    All expiries at once: the quotes in the DTE window are sorted by
    (underlying, expiry, strike) and every leg rule is a per-group nearest
    search over those sorted arrays (:func:`_group_nearest`, all searches in one sort).  Returns
    ``structure``, ``kind``, ``put``, ``call`` (positions in the chain) and
    ``note`` arrays, expiry-major.
    """
    rows = np.flatnonzero(in_window(a, dte))  # sorted after the cut: the same stable order
    if rows.size == 0 or not specs:
        return {"structure": np.empty(0, dtype=object), "kind": np.empty(0, dtype=object),
                "put": np.empty(0, dtype=np.int64), "call": np.empty(0, dtype=np.int64),
                "note": np.empty(0, dtype=object)}
    order, new_group = _sort_quotes(rows, a["und_codes"], a["expiry"].view(np.int64),
                                    a["strike"])
    group = np.cumsum(new_group)
    n_groups = int(group[-1]) + 1
    starts = np.flatnonzero(np.concatenate(([True], new_group[1:])))
    strike = a["strike"][order]
    is_put, is_call = a["is_put"][order], a["is_call"][order]
    priced, usable = a["priced"][order], a["usable"][order]
    # median of each group's finite forwards (NaN when none), or the spot
    fwd = np.where(np.isfinite(fwd := _group_forwards(a["forward"][order], group, starts,
                                                      n_groups)),
                   fwd, a["spot"][order][starts])
    otm = a["otm"][order] if a["otm"] is not None else None
    absdelta = np.abs(a["delta"][order])
    if otm is None:
        put_otm, call_otm = strike < fwd[group], strike >= fwd[group]
    else:
        put_otm = call_otm = otm
    searches: list[tuple[Any, Any, np.ndarray]] = []  # put and call search of each spec
    for _, kind, kp, kc in specs:
        if kind == KIND_DELTA:
            searches += [(absdelta, kp, is_put & priced & put_otm),
                         (absdelta, kc, is_call & priced & call_otm)]
        elif kind != KIND_STRADDLE:
            searches += [(strike, kp, is_put & usable), (strike, kc, is_call & usable)]
    found = _group_nearest(group, searches, n_groups) if searches else None
    puts_p, calls_p, notes = [], [], []
    empty_note = np.full(n_groups, "", dtype=object)
    i = 0
    for _, kind, kp, kc in specs:
        if kind == KIND_STRADDLE:
            p, c, note = _straddles(group, strike, is_put, is_call, priced, usable, fwd,
                                    n_groups)
        else:
            p, c = found[i], found[i + 1]  # type: ignore[index]
            i += 2
            note = empty_note
        if kind != KIND_STRADDLE and kind != KIND_DELTA:
            with np.errstate(invalid="ignore"):  # a NaN level never counts as moved
                moved = ((p >= 0) & (np.abs(strike[p] - kp) > 1e-9)) | (
                    (c >= 0) & (np.abs(strike[c] - kc) > 1e-9))
            note = np.where(moved, "strike_adjusted", "").astype(object)
        puts_p.append(p)
        calls_p.append(c)
        notes.append(note)
    put_pos, call_pos = np.column_stack(puts_p), np.column_stack(calls_p)  # (groups, specs)
    return {
        "structure": np.tile(np.array([s[0] for s in specs], dtype=object), n_groups),
        "kind": np.tile(np.array([s[1] for s in specs], dtype=object), n_groups),
        "put": np.where(put_pos >= 0, order[put_pos], -1).ravel(),
        "call": np.where(call_pos >= 0, order[call_pos], -1).ravel(),
        "note": np.column_stack(notes).ravel(),
    }


def _straddles(group: np.ndarray, strike: np.ndarray, is_put: np.ndarray, is_call: np.ndarray,
               priced: np.ndarray, usable: np.ndarray, fwd: np.ndarray,
               n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ATM straddle legs per group (positions into the sorted arrays) and notes."""
    # the first put and the first call of each (group, strike) run: the pairs sharing a strike
    run = np.cumsum(np.concatenate(([False], (group[1:] != group[:-1])
                                    | (strike[1:] != strike[:-1]))))
    n_runs = int(run[-1]) + 1 if run.size else 0
    first_put = np.full(n_runs, -1, dtype=np.int64)
    first_call = np.full(n_runs, -1, dtype=np.int64)
    for first, legs in ((first_put, np.flatnonzero(is_put)), (first_call, np.flatnonzero(is_call))):
        leg_run = run[legs]  # non-decreasing: the legs are in sorted order
        head = np.ones(legs.size, dtype=bool)
        head[1:] = leg_run[1:] != leg_run[:-1]
        first[leg_run[head]] = legs[head]
    both = (first_put >= 0) & (first_call >= 0)
    p, c = first_put[both], first_call[both]  # ascending (group, strike)
    pair_group, pair_strike = group[p], strike[p]
    nearest, best_priced, best_usable = _group_nearest(pair_group, [
        (pair_strike, fwd, np.ones(p.size, dtype=bool)),
        (pair_strike, fwd, priced[p] & priced[c]),
        (pair_strike, fwd, usable[p] & usable[c])], n_groups)
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


def _symbols(symbols: pd.Series | None, p: np.ndarray, c: np.ndarray, hp: np.ndarray,
             hc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OCC symbols of the chosen put and call legs only (None where a leg is missing)."""
    if symbols is None:
        return np.full(p.size, None, dtype=object), np.full(c.size, None, dtype=object)
    taken = np.asarray(symbols.array.take(np.concatenate(
        [np.where(hp, p, 0), np.where(hc, c, 0)])), dtype=object)
    return np.where(hp, taken[:p.size], _NONE), np.where(hc, taken[p.size:], _NONE)


def assemble(a: dict[str, Any],
             sel: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Gather the legs into the candidate columns.

    Returns the ordered ``{column: array}`` of :func:`build_structures` and
    the row helpers the later stages use (``qdate`` as datetime64[ns]).
    """
    p, c = sel["put"], sel["call"]
    hp, hc = p >= 0, c >= 0
    anchor = np.where(hp, p, c)  # a leg that exists, for row-level fields
    has_any = anchor >= 0
    anchor = np.where(has_any, anchor, 0)

    # both legs' positions in one array (a missing leg reads row 0, then NaN)
    legs = np.concatenate([np.where(hp, p, 0), np.where(hc, c, 0)])
    missing = ~np.concatenate([hp, hc])
    n_rows = p.size

    def pair(key: str) -> tuple[np.ndarray, np.ndarray]:
        """(put, call) values of the quote-level array ``a[key]`` (NaN for a missing leg)."""
        both = a[key][legs]
        both[missing] = np.nan
        return both[:n_rows], both[n_rows:]

    def row(key: str, missing: Any = np.nan) -> np.ndarray:
        return np.where(has_any, a[key][anchor], missing)

    status = np.where(hp & hc, C.CAND_OK,
                      np.where(hp, C.CAND_NO_CALL, np.where(hc, C.CAND_NO_PUT, C.CAND_NO_LEGS)))
    spot, t, disc = row("spot"), row("t"), row("discount")
    mult = row("mult", DEFAULT_MULTIPLIER)
    kp, kc = pair("strike")
    ask_p, ask_c = pair("ask")
    mid_p, mid_c = pair("mid")
    iv_p, iv_c = pair("iv")
    vega_p, vega_c = pair("vega")
    delta_p, delta_c = pair("delta")
    bid_p, bid_c = pair("bid")
    gamma_p, gamma_c = pair("gamma")
    theta_p, theta_c = pair("theta")
    oi_p, oi_c = pair("oi")
    spread_p, spread_c = pair("spread_pct")
    natural, mid = ask_p + ask_c, mid_p + mid_c
    be_lo, be_hi = kp - natural, kc + natural
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN legs carry candidate_status
        struct_iv = (vega_p * iv_p + vega_c * iv_c) / (vega_p + vega_c)
        rate = np.where(t > 0, -np.log(disc) / t, 0.0)
    expiry = row("expiry", _NAT)
    qdate = row("qdate", _NAT)
    known = has_any & ~np.isnat(expiry) & ~np.isnat(qdate)
    trading_days = np.full(p.size, -1, dtype=np.int64)
    one = np.timedelta64(1, "D")
    trading_days[known] = np.busday_count(
        qdate[known].astype("datetime64[D]") + one, expiry[known].astype("datetime64[D]") + one)
    und: np.ndarray = a["und_uniques"][a["und_codes"][anchor]]
    put_symbol, call_symbol = _symbols(a["symbols"], p, c, hp, hc)
    both = hp & hc
    with np.errstate(invalid="ignore"):  # NaN legs carry candidate_status
        days = (expiry - qdate) / one
    out = {
        C.UNDERLYING: np.where(has_any, und, _NONE),
        C.STRUCTURE: sel["structure"],
        C.STRUCTURE_KIND: sel["kind"],
        C.QUOTE_TIME: pd.DatetimeIndex(row("quote_time", _NAT)).tz_localize("UTC"),
        C.EXPIRY: expiry,
        C.DAYS: days,
        C.TRADING_DAYS: trading_days,
        C.T: t, C.SPOT: spot, C.FORWARD: row("forward"),
        C.DISCOUNT: disc, C.RATE: rate, C.MULTIPLIER: mult,
        C.PUT_STRIKE: kp, C.CALL_STRIKE: kc,
        C.PUT_SYMBOL: put_symbol, C.CALL_SYMBOL: call_symbol,
        C.PUT_BID: bid_p, C.PUT_ASK: ask_p, C.PUT_MID: mid_p, C.PUT_IV: iv_p,
        C.PUT_DELTA: delta_p,
        C.CALL_BID: bid_c, C.CALL_ASK: ask_c, C.CALL_MID: mid_c, C.CALL_IV: iv_c,
        C.CALL_DELTA: delta_c,
        C.STRUCTURE_IV: struct_iv,
        C.DEBIT_MID: mid, C.DEBIT_NATURAL: natural, C.SPREAD_COST: natural - mid,
        C.DEBIT_MID_PER_CONTRACT: mid * mult, C.DEBIT_NATURAL_PER_CONTRACT: natural * mult,
        C.SPREAD_COST_PER_CONTRACT: (natural - mid) * mult,
        C.BREAKEVEN_LOW: be_lo, C.BREAKEVEN_HIGH: be_hi,
        C.BREAKEVEN_LOW_MID: kp - mid, C.BREAKEVEN_HIGH_MID: kc + mid,
        C.BREAKEVEN_MOVE_PCT: np.minimum(spot - be_lo, be_hi - spot) / spot,
        C.DELTA: delta_p + delta_c,
        C.GAMMA: gamma_p + gamma_c,
        C.VEGA_PER_VOLPT: vega_p + vega_c,
        C.THETA_PER_DAY: theta_p + theta_c,
        C.MIN_OPEN_INTEREST: np.where(both, np.fmin(oi_p, oi_c), np.nan),
        C.MAX_SPREAD_PCT: np.where(both, np.fmax(spread_p, spread_c), np.nan),
        C.CANDIDATE_STATUS: status,
        C.SELECTION_NOTE: sel["note"],
    }
    return out, {"qdate": qdate}
