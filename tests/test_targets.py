"""P&L of candidates at the targets: at expiry (hand arithmetic), at a horizon
(vollib's Black-76 per leg as the oracle) and the spot x date grid."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_structures import FORWARD, SPOT, T, hand_chain, priced_chain

import volscreen.columns as C
from volscreen.errors import ConfigError
from volscreen.structures import build_structures
from volscreen.targets import add_targets, pnl_grid, split_targets, target_levels


def _cands(**kw):
    return build_structures(hand_chain(), deltas=(), strikes=(255, 265), **kw)


def _row(frame, structure):
    return frame[frame[C.STRUCTURE] == structure].iloc[0]


def test_motivating_case_pnl_at_expiry_245_275():
    out = add_targets(_cands(), [245, 275])
    straddle, strangle = _row(out, "straddle"), _row(out, "strangle_255_265")
    assert (straddle[C.TARGET_LOW], straddle[C.TARGET_HIGH]) == (245.0, 275.0)
    # straddle 262/262, natural 10.50: at 245 payoff 262 - 245 = 17 -> (17 - 10.5) x 100
    assert straddle[C.PNL_AT_EXPIRY_LOW] == pytest.approx(650.0)
    # at 275 payoff 275 - 262 = 13 -> (13 - 10.5) x 100
    assert straddle[C.PNL_AT_EXPIRY_HIGH] == pytest.approx(250.0)
    assert straddle[C.RETURN_ON_DEBIT_LOW] == pytest.approx(650.0 / 1050.0)
    assert straddle[C.RETURN_ON_DEBIT_HIGH] == pytest.approx(250.0 / 1050.0)
    # breakevens 251.50 / 272.50 lie inside [245, 275]
    assert bool(straddle[C.BREAKEVEN_INSIDE_TARGETS])
    # strangle 255/265, natural 6.85: payoff 10 at both targets -> 315 each
    assert strangle[C.PNL_AT_EXPIRY_LOW] == pytest.approx(315.0)
    assert strangle[C.PNL_AT_EXPIRY_HIGH] == pytest.approx(315.0)
    assert strangle[C.RETURN_ON_DEBIT_LOW] == pytest.approx(315.0 / 685.0)
    # distance in implied sigma: (262.215 - 251.50) / (262.215 x iv x sqrt(0.08))
    iv = (0.25 * 0.190 + 0.30 * 0.185) / 0.55
    assert straddle[C.BE_LOW_SIGMAS] == pytest.approx(10.715 / (SPOT * iv * math.sqrt(T)))


def test_box_heights_and_atr_distances():
    out = add_targets(_cands(), [245, 275], atr=3.0, box_height=10.0)
    row = _row(out, "straddle")
    # 272.50 - 262.215 = 10.285 above spot
    assert row[C.BE_HIGH_ATRS] == pytest.approx(10.285 / 3.0)
    assert row[C.BE_HIGH_BOX_HEIGHTS] == pytest.approx(1.0285)
    assert row[C.DATA_STATUS] == C.DS_OK


@pytest.mark.parametrize(("levels", "low", "high"), [
    pytest.param([245, 275], 245.0, 275.0, id="two"),
    pytest.param([290, 240, 275, 245], 245.0, 275.0, id="nearest-of-four"),
    pytest.param([240, 250], 250.0, np.nan, id="none-above"),
])
def test_split_targets_nearest_below_and_above_spot(levels, low, high):
    lo, hi = split_targets(target_levels(levels), np.array([SPOT]))
    np.testing.assert_equal([lo[0], hi[0]], [low, high])


def test_missing_target_side_is_nan_with_status():
    row = _row(add_targets(_cands(), [240, 250]), "straddle")
    assert math.isnan(row[C.PNL_AT_EXPIRY_HIGH]) and math.isnan(row[C.PNL_AT_HORIZON_HIGH])
    assert C.DS_NO_TARGET_HIGH in row[C.DATA_STATUS].split(";")
    assert not row[C.BREAKEVEN_INSIDE_TARGETS]


def test_targets_from_a_range_box_are_measured_moves():
    class Box:
        floor, ceiling, height = 255.0, 265.0, 10.0

    np.testing.assert_allclose(target_levels(Box()), [245.0, 275.0])


def test_bad_targets_raise_config_error():
    with pytest.raises(ConfigError, match="targets"):
        target_levels([245, -1])


@pytest.mark.parametrize("side", ["low", "high"])
@pytest.mark.parametrize("shift", [-0.03, 0.0, 0.03], ids=["iv-3", "iv+0", "iv+3"])
def test_horizon_pnl_matches_vollib_black_per_leg(side, shift):
    from vollib.black import black

    out = add_targets(_cands(), [245, 275], iv_shift=(shift,))
    row = _row(out, "straddle")
    suffix = {-0.03: "_iv_m3", 0.0: "", 0.03: "_iv_p3"}[shift]
    level = 245.0 if side == "low" else 275.0
    tau = T / 2  # default horizon: halfway
    fwd = level * (FORWARD / SPOT) ** (tau / T)  # the chain's carry over the remaining time
    put = black("p", fwd, 262.0, tau, 0.04, 0.190 + shift)
    call = black("c", fwd, 262.0, tau, 0.04, 0.185 + shift)
    expected = (put + call - 10.50) * 100
    assert row[f"pnl_at_horizon_{side}{suffix}"] == pytest.approx(expected, rel=1e-10)


def test_horizon_at_expiry_equals_expiry_pnl():
    out = add_targets(_cands(), [245, 275], horizon=1.0)
    np.testing.assert_allclose(out[C.PNL_AT_HORIZON_LOW], out[C.PNL_AT_EXPIRY_LOW])
    assert out[C.DATA_STATUS].str.contains(C.DS_PAST_HORIZON).all()


def test_horizon_as_a_date():
    out = add_targets(_cands(), [245, 275], horizon="2026-03-06")
    # 2026-02-20 -> 2026-03-06 is 14 calendar days
    assert out[C.HORIZON_T].iloc[0] == pytest.approx(14 / 365)
    assert out[C.HORIZON_DATE].iloc[0] == pd.Timestamp("2026-03-06")


def test_pnl_grid_at_expiry_equals_payoff_loop():
    cands = add_targets(_cands(), [245, 275])
    row = _row(cands, "strangle_255_265")
    spots = np.arange(230.0, 300.0, 2.5)
    grid = pnl_grid(row, spots, [row[C.EXPIRY]])
    for s in spots:  # naive payoff of a 255 put + 265 call minus the 6.85 natural debit
        expected = (max(255.0 - s, 0.0) + max(s - 265.0, 0.0) - 6.85) * 100
        assert grid.loc[s].iloc[0] == pytest.approx(expected, abs=1e-9)


def test_pnl_grid_today_at_spot_costs_the_spread():
    cands = add_targets(build_structures(priced_chain()), [245, 275])
    row = cands.iloc[0]
    grid = pnl_grid(row, [row[C.SPOT]], [pd.Timestamp("2026-02-20")])
    # today, at today's spot and IV, the legs are worth their mids: P&L = -(natural - mid)
    assert grid.iloc[0, 0] == pytest.approx(-row[C.SPREAD_COST_PER_CONTRACT], rel=1e-9)


def test_input_candidates_not_mutated():
    cands = _cands()
    before = cands.copy()
    add_targets(cands, [245, 275])
    pd.testing.assert_frame_equal(cands, before)


@settings(max_examples=60, deadline=None)
@given(level=st.floats(200.0, 320.0), lo=st.floats(-0.05, 0.05), step=st.floats(0.001, 0.05))
def test_horizon_pnl_increases_with_iv_shift(level, lo, step):
    cands = _cands()
    out = add_targets(cands, [level - 1e-6 if level < SPOT else level], iv_shift=(lo, lo + step))
    side = "low" if level < SPOT else "high"
    cols = sorted(c for c in out.columns if c.startswith(f"pnl_at_horizon_{side}_iv_"))
    names = {c: float(c.rsplit("_", 1)[1][1:].replace("p", ".")) * (
        -1 if c.rsplit("_", 1)[1][0] == "m" else 1) for c in cols}
    ordered = sorted(cols, key=names.get)
    values = out[ordered].to_numpy()
    assert np.all(np.diff(values, axis=1) >= -1e-9)  # long vega: more IV, more value


@pytest.mark.parametrize("bad", [["abc", 275], {"low": 245}, [[245, 275], [1]]],
                         ids=["text", "mapping", "ragged"])
def test_non_numeric_targets_are_a_config_error(bad):
    from volscreen.errors import ConfigError
    from volscreen.targets import target_levels

    with pytest.raises(ConfigError, match="targets"):
        target_levels(bad)
