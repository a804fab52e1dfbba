"""Cheapness against vollib's Black-76, score components by hand, reason codes,
and candidates on the real IWM chains."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import shared_path
from test_structures import hand_chain, priced_chain

import volscreen.columns as C
from volscreen.errors import ConfigError
from volscreen.probability import add_probabilities
from volscreen.score import ScoreWeights, add_cheapness, score_candidates
from volscreen.structures import build_structures, candidates
from volscreen.targets import add_targets


def _cands(rv=0.22, chain=None):
    base = build_structures(hand_chain() if chain is None else chain, deltas=(),
                            strikes=(255, 265))
    return add_cheapness(add_probabilities(add_targets(base, [245, 275]), rv=rv))


def test_fair_debit_matches_vollib_at_the_calendar_converted_rv():
    from vollib.black import black

    row = _cands(rv=0.22).iloc[0]  # the 262 straddle, t = 0.08, 20 trading days
    sigma = 0.22 * math.sqrt(20 / 252 / 0.08)  # equal total variance over the life
    fair = black("p", 262.40, 262.0, 0.08, 0.04, sigma) + black("c", 262.40, 262.0, 0.08, 0.04,
                                                                 sigma)
    assert row[C.FAIR_DEBIT_RV] == pytest.approx(fair, rel=1e-10)
    assert row[C.CHEAPNESS] == pytest.approx(10.50 / fair, rel=1e-10)
    iv = (0.25 * 0.190 + 0.30 * 0.185) / 0.55
    assert row[C.IV_RV_RATIO] == pytest.approx(iv * math.sqrt(0.08) / (0.22 * math.sqrt(20 / 252)))


def test_cheapness_is_one_plus_spread_when_rv_equals_iv():
    chain = priced_chain(vol=0.20, half_spread=0.0)
    base = add_targets(build_structures(chain), [245, 275])
    t = base[C.T].to_numpy()
    days = base[C.TRADING_DAYS].to_numpy()
    rv = dict(zip(days, 0.20 * np.sqrt(t * 252 / days)))  # rv whose life variance = IV's
    out = add_cheapness(add_probabilities(base, rv=rv))
    np.testing.assert_allclose(out[C.CHEAPNESS], 1.0, rtol=1e-9)
    np.testing.assert_allclose(out[C.IV_RV_RATIO], 1.0, rtol=1e-12)


def test_score_components_by_hand():
    summary = pd.Series({C.BBW_PCTILE_126: 10.0, C.SQUEEZE_ON: True, C.SQUEEZE_BARS: 12})
    out = score_candidates(_cands(), compression=summary)
    row = out[out[C.STRUCTURE] == "straddle"].iloc[0]
    # compression: 0.5 (1 - 0.10) + 0.5 x 12/20 = 0.45 + 0.30
    assert row[C.SCORE_COMPRESSION] == pytest.approx(0.75)
    assert row[C.SCORE_CHEAPNESS] == pytest.approx(min(max(1.5 - row[C.CHEAPNESS], 0), 1))
    d = min(row[C.BE_LOW_SIGMAS], row[C.BE_HIGH_SIGMAS])
    assert row[C.SCORE_TARGET_REACH] == pytest.approx(0.5 + 0.5 * (1 - d / 2))
    # liquidity: spread 0.20/5.00 = 0.04 -> 1 - 0.4 ; OI 400 -> log10(401)/3
    assert row[C.SCORE_LIQUIDITY] == pytest.approx(0.5 * 0.6 + 0.5 * math.log10(401) / 3)
    parts = [row[C.SCORE_COMPRESSION], row[C.SCORE_CHEAPNESS], row[C.SCORE_TARGET_REACH],
             row[C.SCORE_LIQUIDITY]]
    assert row[C.SCORE] == pytest.approx(np.dot([0.30, 0.30, 0.25, 0.15], parts))
    assert row[C.SCORE_COVERAGE] == pytest.approx(1.0)
    reasons = row[C.REASONS].split(";")
    assert reasons[:2] == ["squeeze_12d", "bbw_low"]
    assert "be_inside_targets" in reasons and "iv_below_rv" in reasons


def test_weights_renormalise_over_missing_components():
    out = score_candidates(_cands(), weights=ScoreWeights(compression=1, cheapness=1,
                                                          target_reach=0, liquidity=0))
    row = out.iloc[0]
    # no compression summary: score = cheapness component alone, coverage 1/2
    assert math.isnan(row[C.SCORE_COMPRESSION])
    assert row[C.SCORE] == pytest.approx(row[C.SCORE_CHEAPNESS])
    assert row[C.SCORE_COVERAGE] == pytest.approx(0.5)
    assert C.DS_NO_COMPRESSION in row[C.DATA_STATUS]


@pytest.mark.parametrize("bad", [{"cheapness": -1.0}, {"liquidity": float("nan")},
                                 {"compression": 0, "cheapness": 0, "target_reach": 0,
                                  "liquidity": 0}], ids=["negative", "nan", "all-zero"])
def test_bad_weights_raise(bad):
    with pytest.raises(ConfigError):
        ScoreWeights(**bad)


def test_wide_spread_and_low_oi_reasons():
    chain = hand_chain()
    chain[C.OPEN_INTEREST] = 20
    chain.loc[chain[C.STRIKE] == 265.0, C.BID] = 3.0  # 265 call 3.00 x 4.30: 36 % wide
    chain[C.SPREAD_PCT] = (chain[C.ASK] - chain[C.BID]) / ((chain[C.ASK] + chain[C.BID]) / 2)
    out = score_candidates(_cands(chain=chain))
    row = out[out[C.STRUCTURE] == "strangle_255_265"].iloc[0]
    codes = row[C.REASONS].split(";")
    assert "wide_spread" in codes and "low_oi" in codes


def test_candidates_sorted_and_weights_from_mapping():
    out = candidates(priced_chain(), targets=[245, 275], rv=0.25,
                     weights={"compression": 0, "cheapness": 1, "target_reach": 0,
                              "liquidity": 0})
    np.testing.assert_allclose(out[C.SCORE], out[C.SCORE_CHEAPNESS])
    assert out[C.SCORE].is_monotonic_decreasing


# --- real chains: needs the loaders and the IV engine -------------------------------

IWM_CHAINS = ["iwm_cboe_2026-07-20_0945ET.json", "iwm_yf_cboegreeks_2026-07-14_1555ET.json"]


@pytest.mark.shared
@pytest.mark.parametrize("name", IWM_CHAINS)
def test_real_iwm_chain_candidates_every_expiry_no_unexplained_nan(name):
    import volscreen

    chain = volscreen.load_chain(shared_path("chains", name))
    bars = volscreen.load_bars(shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv"))
    priced = volscreen.implied_vols(chain, 0.04)
    qdate = pd.Timestamp(priced[C.QUOTE_TIME].iloc[0]).tz_convert("America/New_York")
    bars = bars.loc[:qdate.tz_localize(None).normalize() - pd.Timedelta(days=1)]
    spot = float(priced[C.UNDERLYING_PRICE].iloc[0])
    out = candidates(priced, targets=[spot * 0.93, spot * 1.05], bars=bars)
    days = (priced[C.EXPIRY] - qdate.tz_localize(None).normalize()).dt.days
    window = set(priced.loc[(days >= 7) & (days <= 90), C.EXPIRY])
    straddles = out[out[C.STRUCTURE] == "straddle"]
    assert set(straddles[C.EXPIRY]) == window
    assert (straddles[C.CANDIDATE_STATUS] == C.CAND_OK).all()
    ok = out[out[C.CANDIDATE_STATUS] == C.CAND_OK]
    reasons = {C.IV_RANK: C.DS_NO_IV_RANK, C.BE_LOW_BOX_HEIGHTS: C.DS_NO_BOX,
               C.BE_HIGH_BOX_HEIGHTS: C.DS_NO_BOX}
    numeric = ok.select_dtypes("number")
    for col in numeric.columns[numeric.isna().any()]:
        assert col in reasons, f"{col} NaN without a reason"
        assert ok.loc[ok[col].isna(), C.DATA_STATUS].str.contains(reasons[col]).all()
    assert out[C.HIST_SAMPLE_SIZE].min() > 1000
    assert ((ok[C.P_BEYOND_BE_IV] > 0.05) & (ok[C.P_BEYOND_BE_IV] < 0.7)).all()


@given(st.integers(0, 2**32 - 1), st.integers(0, 30), st.integers(0, 80))
@settings(max_examples=100, deadline=None)
def test_status_codes_join_like_a_plain_loop_over_rows(seed, n, n_flags):
    """Each row's codes in the order first raised, once each, ``ok`` without any; more
    flags than an int64 holds take the general path."""
    from volscreen._candcols import StatusCodes

    rng = np.random.default_rng(seed)
    names = [f"code{i}" for i in range(12)]
    codes = StatusCodes(n)
    raised = []
    for _ in range(n_flags):
        code = str(rng.choice(names))
        mask = rng.random(n) < 0.3
        codes.flag(mask, code)
        raised.append((code, mask))
    want = []
    for i in range(n):
        row = []
        for code, mask in raised:
            if mask[i] and code not in row:
                row.append(code)
        want.append(";".join(row) if row else C.DS_OK)
    got = codes.joined()
    assert list(got) == want


def _reasons_loop(f, inside, status, sq_on, sq_bars, pctile):
    """The reason codes row by row, in the documented order."""
    from volscreen import score

    out = []
    for i in range(inside.size):
        codes = []
        if sq_on == 1.0 and np.isfinite(sq_bars):
            codes.append(f"squeeze_{int(sq_bars)}d")
        if np.isfinite(pctile) and pctile <= score.BBW_LOW_PCTILE:
            codes.append("bbw_low")
        ratio, cheap = f[C.IV_RV_RATIO][i], f[C.CHEAPNESS][i]
        if ratio < score.IV_BELOW_RV:
            codes.append("iv_below_rv")
        elif ratio > score.RICH:
            codes.append("iv_above_rv")
        if cheap < score.CHEAP:
            codes.append("cheap")
        elif cheap > score.RICH:
            codes.append("rich")
        if np.isfinite(f[C.TARGET_LOW][i]) and np.isfinite(f[C.TARGET_HIGH][i]):
            codes.append("be_inside_targets" if inside[i] else "be_outside_targets")
        if f[C.MAX_SPREAD_PCT][i] >= score.WIDE_SPREAD:
            codes.append("wide_spread")
        if f[C.MIN_OPEN_INTEREST][i] < score.LOW_OI:
            codes.append("low_oi")
        if status[i] != C.CAND_OK:
            codes.append(str(status[i]))
        out.append(";".join(codes))
    return out


@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.booleans(),
       st.sampled_from([np.nan, 5.0, 25.0]), st.sampled_from([np.nan, 0.0, 1.0]))
@settings(max_examples=100, deadline=None)
def test_reasons_equal_a_plain_loop_over_rows(seed, n, as_text, pctile, sq_on):
    from volscreen.score import _reasons

    rng = np.random.default_rng(seed)

    def values(choices):
        return rng.choice(np.asarray(choices, dtype=float), size=n)

    f = {C.IV_RV_RATIO: values([np.nan, 0.8, 1.0, 1.1, 1.2, 1.5]),
         C.CHEAPNESS: values([np.nan, 0.5, 0.9, 1.0, 1.2, 2.0]),
         C.TARGET_LOW: values([np.nan, 90.0]), C.TARGET_HIGH: values([np.nan, 110.0]),
         C.MAX_SPREAD_PCT: values([np.nan, 0.05, 0.1, 0.3]),
         C.MIN_OPEN_INTEREST: values([np.nan, 0.0, 99.0, 100.0, 5000.0])}
    inside = rng.random(n) < 0.5
    status = rng.choice([C.CAND_OK, C.CAND_NO_CALL, C.CAND_NO_PUT, C.CAND_NO_LEGS], size=n)
    status = status.astype(object) if as_text else status  # both spellings the stages pass
    got = _reasons(f, inside, status, sq_on, 12.0, pctile)
    assert list(got) == _reasons_loop(f, inside, status, sq_on, 12.0, pctile)
