"""Leg selection, debits, breakevens and net greeks of straddles and strangles.

The expected numbers are worked out by hand in each test from the quotes of a
small chain written out below (the motivating case: IWM at 262.215).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volscreen.columns as C
from volscreen.errors import ChainSchemaError
from volscreen.structures import build_structures, candidates, straddles, strangles

SPOT = 262.215
FORWARD = 262.40
QUOTE_TIME = pd.Timestamp("2026-02-20 15:00", tz="America/New_York").tz_convert("UTC")
EXPIRY = pd.Timestamp("2026-03-20")  # 28 calendar days, 20 weekdays after 02-20
T = 0.08

# strike, right, bid, ask, iv, delta, open_interest
HAND_QUOTES = [
    (250.0, "P", 1.60, 1.75, 0.215, -0.16, 900),
    (255.0, "P", 2.40, 2.55, 0.205, -0.26, 1500),
    (260.0, "P", 3.90, 4.10, 0.195, -0.40, 800),
    (262.0, "P", 4.90, 5.10, 0.190, -0.47, 700),
    (263.0, "P", 5.40, 5.60, 0.188, -0.51, 650),
    (262.0, "C", 5.20, 5.40, 0.185, 0.53, 400),
    (263.0, "C", 4.70, 4.90, 0.184, 0.49, 300),
    (265.0, "C", 4.10, 4.30, 0.182, 0.42, 2000),
    (270.0, "C", 1.90, 2.05, 0.178, 0.24, 1200),
    (275.0, "C", 0.95, 1.10, 0.176, 0.15, 600),
]


def hand_chain(quotes=HAND_QUOTES, expiry=EXPIRY) -> pd.DataFrame:
    rows = []
    for k, right, bid, ask, iv, delta, oi in quotes:
        mid = (bid + ask) / 2
        rows.append({
            C.UNDERLYING: "IWM", C.CONTRACT_SYMBOL: f"IWM{expiry:%y%m%d}{right}{int(k * 1000):08d}",
            C.QUOTE_TIME: QUOTE_TIME, C.EXPIRY: expiry, C.STRIKE: k, C.RIGHT: right,
            C.BID: bid, C.ASK: ask, C.MID: mid, C.SPREAD_PCT: (ask - bid) / mid,
            C.OPEN_INTEREST: oi, C.UNDERLYING_PRICE: SPOT, C.MULTIPLIER: 100.0,
            C.QUOTE_STATUS: C.QS_OK, C.T: T, C.FORWARD: FORWARD, C.DISCOUNT: np.exp(-0.04 * T),
            C.IV: iv, C.DELTA: delta, C.GAMMA: 0.02,
            C.VEGA_PER_VOLPT: 0.25 if right == "P" else 0.30,
            C.THETA_PER_DAY: -0.05,
        })
    return pd.DataFrame(rows)


def priced_chain(spot=SPOT, r=0.04, q=0.012, expiries=("2026-03-20", "2026-04-17"),
                 vol=0.20, half_spread=0.05, oi=500) -> pd.DataFrame:
    """A chain priced by Black-76 at one vol (used by the target and score tests)."""
    from volscreen.pricing import black_greeks, black_price

    strikes = np.arange(230.0, 296.0, 1.0)
    rows = []
    for exp in expiries:
        e = pd.Timestamp(exp)
        settle = (e + pd.Timedelta(hours=16)).tz_localize("America/New_York")
        t = (settle.tz_convert("UTC") - QUOTE_TIME) / pd.Timedelta(minutes=1) / 525_600
        fwd = spot * np.exp((r - q) * t)
        for right in (C.PUT, C.CALL):
            px = black_price(fwd, strikes, t, r, vol, right)
            g = black_greeks(fwd, strikes, t, r, vol, right)
            rows.append(pd.DataFrame({
                C.UNDERLYING: "IWM", C.CONTRACT_SYMBOL: [f"IWM{e:%y%m%d}{right}{int(k * 1000):08d}"
                                                        for k in strikes],
                C.QUOTE_TIME: QUOTE_TIME, C.EXPIRY: e, C.STRIKE: strikes, C.RIGHT: right,
                C.BID: np.maximum(px - half_spread, 0.0), C.ASK: px + half_spread, C.MID: px,
                C.SPREAD_PCT: 2 * half_spread / px, C.OPEN_INTEREST: oi,
                C.UNDERLYING_PRICE: spot, C.MULTIPLIER: 100.0, C.QUOTE_STATUS: C.QS_OK, C.T: t,
                C.FORWARD: fwd, C.DISCOUNT: np.exp(-r * t), C.IV: vol, C.DELTA: g["delta"],
                C.GAMMA: g["gamma"], C.VEGA_PER_VOLPT: g["vega_per_volpt"],
                C.THETA_PER_DAY: g["theta_per_day"],
                C.OTM: strikes < fwd if right == C.PUT else strikes >= fwd,
            }))
    return pd.concat(rows, ignore_index=True)


def _one(frame: pd.DataFrame, structure: str) -> pd.Series:
    rows = frame[frame[C.STRUCTURE] == structure]
    assert len(rows) == 1, f"expected one {structure} row, got {len(rows)}"
    return rows.iloc[0]


def test_atm_straddle_hand_example():
    row = _one(straddles(hand_chain()), "straddle")
    # strikes 262 and 263 both list a put and a call; |262 - 262.40| = 0.40 < 0.60
    assert row[C.PUT_STRIKE] == 262.0 and row[C.CALL_STRIKE] == 262.0
    assert row[C.PUT_SYMBOL] == "IWM260320P00262000" and row[C.CALL_SYMBOL] == "IWM260320C00262000"
    # natural = 5.10 + 5.40 = 10.50 ; mid = 5.00 + 5.30 = 10.30 ; spread cost 0.20
    assert row[C.DEBIT_NATURAL] == pytest.approx(10.50)
    assert row[C.DEBIT_MID] == pytest.approx(10.30)
    assert row[C.SPREAD_COST] == pytest.approx(0.20)
    assert row[C.DEBIT_NATURAL_PER_CONTRACT] == pytest.approx(1050.0)
    assert row[C.DEBIT_MID_PER_CONTRACT] == pytest.approx(1030.0)
    # breakevens on the natural debit: 262 - 10.50 = 251.50, 262 + 10.50 = 272.50
    assert row[C.BREAKEVEN_LOW] == pytest.approx(251.50)
    assert row[C.BREAKEVEN_HIGH] == pytest.approx(272.50)
    assert row[C.BREAKEVEN_LOW_MID] == pytest.approx(251.70)
    assert row[C.BREAKEVEN_HIGH_MID] == pytest.approx(272.30)
    # nearer breakeven: 272.50 - 262.215 = 10.285 (vs 10.715 below) -> 10.285 / 262.215
    assert row[C.BREAKEVEN_MOVE_PCT] == pytest.approx(10.285 / 262.215)
    # net greeks: -0.47 + 0.53 = 0.06 delta; vega 0.25 + 0.30; theta 2 x -0.05
    assert row[C.DELTA] == pytest.approx(0.06)
    assert row[C.VEGA_PER_VOLPT] == pytest.approx(0.55)
    assert row[C.THETA_PER_DAY] == pytest.approx(-0.10)
    # vega-weighted IV: (0.25 x 0.190 + 0.30 x 0.185) / 0.55
    assert row[C.STRUCTURE_IV] == pytest.approx((0.25 * 0.190 + 0.30 * 0.185) / 0.55)
    # liquidity: min OI(700, 400); max spread% (0.20/5.00, 0.20/5.30)
    assert row[C.MIN_OPEN_INTEREST] == 400
    assert row[C.MAX_SPREAD_PCT] == pytest.approx(0.20 / 5.00)
    assert row[C.DAYS] == 28 and row[C.TRADING_DAYS] == 20
    assert row[C.CANDIDATE_STATUS] == C.CAND_OK and row[C.SELECTION_NOTE] == ""


def test_straddle_moves_to_next_strike_when_a_leg_has_no_quote():
    chain = hand_chain()
    dead = (chain[C.STRIKE] == 262.0) & (chain[C.RIGHT] == C.CALL)
    chain.loc[dead, [C.BID, C.ASK, C.MID]] = np.nan
    chain.loc[dead, C.QUOTE_STATUS] = C.QS_NO_QUOTE
    row = _one(straddles(chain), "straddle")
    # 262 call unusable -> next nearest common strike 263: natural 5.60 + 4.90 = 10.50
    assert row[C.PUT_STRIKE] == 263.0 and row[C.CALL_STRIKE] == 263.0
    assert row[C.DEBIT_NATURAL] == pytest.approx(10.50)
    assert row[C.SELECTION_NOTE] == "atm_next_nearest"


def test_strangle_at_explicit_strikes_255_265():
    row = _one(strangles(hand_chain(), deltas=(), strikes=(255, 265)), "strangle_255_265")
    # natural 2.55 + 4.30 = 6.85 ; mid 2.475 + 4.20 = 6.675
    assert row[C.DEBIT_NATURAL] == pytest.approx(6.85)
    assert row[C.DEBIT_MID] == pytest.approx(6.675)
    # breakevens 255 - 6.85 = 248.15 and 265 + 6.85 = 271.85
    assert row[C.BREAKEVEN_LOW] == pytest.approx(248.15)
    assert row[C.BREAKEVEN_HIGH] == pytest.approx(271.85)
    assert row[C.MIN_OPEN_INTEREST] == 1500
    assert row[C.SELECTION_NOTE] == ""


def test_strike_not_listed_is_moved_to_nearest_with_note():
    row = _one(strangles(hand_chain(), deltas=(), strikes=(254, 271)), "strangle_254_271")
    assert (row[C.PUT_STRIKE], row[C.CALL_STRIKE]) == (255.0, 270.0)
    assert row[C.SELECTION_NOTE] == "strike_adjusted"


@pytest.mark.parametrize(("target", "put_k", "call_k"), [
    pytest.param(0.25, 255.0, 270.0, id="25d"),  # |-0.26| and 0.24 are nearest 0.25
    pytest.param(0.16, 250.0, 275.0, id="16d"),  # |-0.16| and 0.15
])
def test_strangle_by_delta_picks_nearest_otm_delta(target, put_k, call_k):
    row = _one(strangles(hand_chain(), deltas=(target,)), f"strangle_{round(target * 100)}d")
    assert (row[C.PUT_STRIKE], row[C.CALL_STRIKE]) == (put_k, call_k)


def test_range_edge_strangle_from_box_mapping():
    row = _one(strangles(hand_chain(), deltas=(), box={"floor": 255.0, "ceiling": 265.0}),
               "strangle_range")
    assert (row[C.PUT_STRIKE], row[C.CALL_STRIKE]) == (255.0, 265.0)
    assert row[C.STRUCTURE_KIND] == "strangle_range"


def test_missing_call_side_keeps_row_with_status():
    chain = hand_chain()
    chain = chain[chain[C.RIGHT] == C.PUT]
    out = build_structures(chain, deltas=(0.25,), strikes=(255, 265))
    assert len(out) == 3  # straddle, 25d, 255/265 all kept
    # the straddle has no strike with both sides: no legs at all; the others lack a call
    assert list(out[C.CANDIDATE_STATUS]) == [C.CAND_NO_LEGS, C.CAND_NO_CALL, C.CAND_NO_CALL]
    assert out[C.STRUCTURE].iloc[0] == "straddle"
    assert out[C.DEBIT_NATURAL].isna().all()


def test_dte_window_filters_expiries():
    chain = pd.concat([hand_chain(), hand_chain(expiry=pd.Timestamp("2026-02-23"))])
    out = straddles(chain, dte=(7, 90))
    assert list(out[C.EXPIRY]) == [EXPIRY]
    assert len(straddles(chain, dte=(0, 90))) == 2


def test_input_chain_not_mutated():
    chain = hand_chain()
    before = chain.copy()
    build_structures(chain, strikes=(255, 265), box=(255, 265))
    pd.testing.assert_frame_equal(chain, before)


def test_missing_iv_columns_raise_schema_error():
    with pytest.raises(ChainSchemaError, match="implied_vols"):
        straddles(hand_chain().drop(columns=[C.IV]))


def test_candidates_no_nan_without_reason_on_priced_chain():
    out = candidates(priced_chain(), targets=[245, 275], rv=0.22, strikes=(255, 265),
                     box=(255, 265))
    # 2 expiries x (straddle, 25d, 16d, 255/265, range)
    assert len(out) == 10
    assert (out[C.CANDIDATE_STATUS] == C.CAND_OK).all()
    explained = {  # column -> data_status code that explains its NaN
        C.BE_LOW_ATRS: C.DS_NO_ATR, C.BE_HIGH_ATRS: C.DS_NO_ATR, C.IV_RANK: C.DS_NO_IV_RANK,
        C.SCORE_COMPRESSION: C.DS_NO_COMPRESSION, C.P_BEYOND_BE_HIST: C.DS_NO_BARS,
        C.P_BEYOND_BE_HIST_SE: C.DS_NO_BARS, C.P_TOUCH_LOW_HIST: C.DS_NO_BARS,
        C.P_TOUCH_HIGH_HIST: C.DS_NO_BARS,
    }
    numeric = out.select_dtypes("number")
    for col in numeric.columns[numeric.isna().any()]:
        assert col in explained, f"{col} has NaN without a reason"
        assert out.loc[out[col].isna(), C.DATA_STATUS].str.contains(explained[col]).all()
    assert out[C.SCORE].is_monotonic_decreasing


def _reference_legs(chain, deltas, pairs, dte=(7, 90)):
    """Leg choice written as a plain loop over expiries and quotes (the documented rules)."""
    qdate = QUOTE_TIME.tz_convert("America/New_York").tz_localize(None).normalize()
    rows = []
    for (_, expiry), grp in chain.groupby([C.UNDERLYING, C.EXPIRY], sort=True):
        if not dte[0] <= (pd.Timestamp(expiry) - qdate).days <= dte[1]:
            continue
        grp = grp.sort_values(C.STRIKE, kind="stable")
        fwd = grp[C.FORWARD].median()
        usable = {i: (r[C.ASK] > 0 and r[C.MID] > 0 and r[C.QUOTE_STATUS] == C.QS_OK)
                  for i, r in grp.iterrows()}
        priced = {i: usable[i] and np.isfinite(r[C.IV]) for i, r in grp.iterrows()}
        puts = [i for i in grp.index if grp.at[i, C.RIGHT] == C.PUT]
        calls = [i for i in grp.index if grp.at[i, C.RIGHT] == C.CALL]

        def nearest(ids, value, target):
            return min(ids, key=lambda i: abs(value(i) - target) + 1e-12 * value(i),
                       default=None)

        first_call = {}
        for i in calls:
            first_call.setdefault(grp.at[i, C.STRIKE], i)
        pairs_at, seen = [], set()
        for i in puts:
            k = grp.at[i, C.STRIKE]
            if k in first_call and k not in seen:
                seen.add(k)
                pairs_at.append((i, first_call[k]))
        strike_of = lambda pair: grp.at[pair[0], C.STRIKE]  # noqa: E731
        best = nearest(pairs_at, strike_of, fwd)
        note = "no_common_strike"
        if best is not None:
            ok_p = [pr for pr in pairs_at if priced[pr[0]] and priced[pr[1]]]
            ok_u = [pr for pr in pairs_at if usable[pr[0]] and usable[pr[1]]]
            choice = nearest(ok_p or ok_u, strike_of, fwd)
            note = "" if ok_p else "leg_without_iv"
            if choice is None:
                choice, note = best, "no_usable_atm_pair"
            elif choice != best:
                note = ";".join(filter(None, ["atm_next_nearest", note]))
            best = choice
        rows.append(("straddle",) + (best or (None, None)) + (note,))
        for d in deltas:
            absd = lambda i: abs(grp.at[i, C.DELTA])  # noqa: E731
            p = nearest([i for i in puts if priced[i] and grp.at[i, C.OTM]], absd, d)
            c = nearest([i for i in calls if priced[i] and grp.at[i, C.OTM]], absd, d)
            rows.append((f"strangle_{round(100 * d)}d", p, c, ""))
        for kp, kc in pairs:
            k_of = lambda i: grp.at[i, C.STRIKE]  # noqa: E731
            p = nearest([i for i in puts if usable[i]], k_of, kp)
            c = nearest([i for i in calls if usable[i]], k_of, kc)
            moved = (p is not None and abs(k_of(p) - kp) > 1e-9) or (
                c is not None and abs(k_of(c) - kc) > 1e-9)
            rows.append(("strangles", p, c, "strike_adjusted" if moved else ""))
    sym = chain[C.CONTRACT_SYMBOL]
    return [(name, None if p is None else sym[p], None if c is None else sym[c], note)
            for name, p, c, note in rows]


@pytest.mark.parametrize(("seed", "in_order"), [(s, s % 2 == 1) for s in range(6)],
                         ids=[f"damaged-chain-{s}{'-in-order' if s % 2 else ''}"
                              for s in range(6)])
def test_leg_choice_matches_a_plain_loop_over_expiries(seed, in_order):
    rng = np.random.default_rng(seed)
    chain = priced_chain(expiries=("2026-02-27", "2026-03-20", "2026-04-17", "2026-05-15",
                                   "2026-06-18"))
    chain = chain.sample(frac=0.8, random_state=seed).reset_index(drop=True)  # missing legs
    if in_order:  # the loaders' order: the selection's sort is skipped
        chain = chain.sort_values([C.UNDERLYING, C.EXPIRY, C.STRIKE],
                                  kind="stable").reset_index(drop=True)
    n = len(chain)
    chain.loc[rng.random(n) < 0.15, C.IV] = np.nan  # legs without IV
    chain.loc[rng.random(n) < 0.05, C.ASK] = 0.0  # unbuyable legs
    chain.loc[rng.random(n) < 0.05, C.QUOTE_STATUS] = C.QS_CROSSED
    dup = chain.iloc[rng.choice(n, 5, replace=False)].assign(**{C.BID: 0.01})
    chain = pd.concat([chain, dup], ignore_index=True)  # duplicate strikes
    pairs = [(250.0, 275.0), (255.5, 268.2)]
    got = build_structures(chain, deltas=(0.25, 0.16), strikes=pairs)
    ref = _reference_legs(chain, (0.25, 0.16), pairs)
    assert len(got) == len(ref)
    for (name, put, call, note), (_, row) in zip(ref, got.iterrows()):
        if name != "strangles":
            assert row[C.STRUCTURE] == name
        assert (row[C.PUT_SYMBOL], row[C.CALL_SYMBOL], row[C.SELECTION_NOTE]) == (
            put, call, note)


def _nearest_case(rng, n_groups, sizes, nan_share):
    """Random sorted groups and searches for the two nearest-leg kernels."""
    group = np.repeat(np.arange(n_groups), sizes)
    n = group.size
    grid = rng.choice([1.0, 2.0, 2.5, 3.0, 4.0], size=n)  # repeated values: ties
    values = np.where(rng.random(n) < nan_share, np.nan, grid)
    searches = []
    for _ in range(int(rng.integers(1, 5))):
        target = rng.choice([0.5, 2.25, 2.75, 3.5, np.nan, np.inf], size=n_groups) \
            if rng.random() < 0.7 else float(rng.choice([2.25, 3.0]))
        searches.append((values if rng.random() < 0.8 else grid, target, rng.random(n) < 0.6))
    return group, searches


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.floats(0.0, 0.5))
@settings(max_examples=150, deadline=None)
def test_nearest_leg_without_sort_equals_the_sorted_search(seed, n_groups, nan_share):
    from volscreen._legs import _group_nearest, _group_nearest_sorted

    rng = np.random.default_rng(seed)
    group, searches = _nearest_case(rng, n_groups, rng.integers(0, 8, size=n_groups), nan_share)
    np.testing.assert_array_equal(_group_nearest(group, searches, n_groups),
                                  _group_nearest_sorted(group, searches, n_groups))


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.booleans())
@settings(max_examples=150, deadline=None)
def test_group_forwards_equal_the_segment_median(seed, n_groups, constant):
    from volscreen._legs import _group_forwards
    from volscreen._parity import segment_median

    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 8, size=n_groups)
    group = np.repeat(np.arange(n_groups), sizes)
    per_group = rng.uniform(50, 500, size=n_groups)
    fwd = per_group[group] if constant else rng.uniform(50, 500, size=group.size)
    fwd = np.where(rng.random(group.size) < 0.3, rng.choice([np.nan, np.inf]), fwd)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    got = _group_forwards(fwd, group, starts, n_groups)
    want = segment_median(np.where(np.isfinite(fwd), fwd, np.nan), group, n_groups)
    np.testing.assert_array_equal(got, want)


@given(st.integers(0, 2**32 - 1), st.booleans())
@settings(max_examples=100, deadline=None)
def test_quote_order_equals_a_stable_lexsort(seed, in_order):
    from volscreen._legs import _sort_quotes

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    und = rng.integers(0, 2, size=n)
    expiry = rng.choice([10, 20, 30], size=n).astype(np.int64)
    strike = np.where(rng.random(n) < 0.05, np.nan, rng.choice([1.0, 2.0, 3.0], size=n))
    if in_order:
        keep = np.lexsort((strike, expiry, und))
        und, expiry, strike = und[keep], expiry[keep], strike[keep]
    rows = np.flatnonzero(rng.random(n) < 0.8)
    if rows.size == 0:
        return
    order, new_group = _sort_quotes(rows, und, expiry, strike)
    want = rows[np.lexsort((strike[rows], expiry[rows], und[rows]))]
    np.testing.assert_array_equal(order, want)
    key = und[want] * 100 + expiry[want]
    np.testing.assert_array_equal(new_group, np.concatenate(([False], key[1:] != key[:-1])))


@given(st.lists(st.sampled_from(["IWM", "SPY", "", "é", "SP"]), min_size=1, max_size=12),
       st.booleans())
@settings(max_examples=100, deadline=None)
def test_text_codes_equal_pandas_factorize(values, one_value):
    from volscreen._chainarrays import _factorize_text

    column = pd.Series(values[:1] * len(values) if one_value else values, dtype="str")
    codes, uniques = _factorize_text(column)
    want_codes, want_uniques = pd.factorize(column, use_na_sentinel=False)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniques) == list(want_uniques)
    assert all(type(u) is str for u in uniques)
