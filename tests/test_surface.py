"""Term structure, constant maturity, skew and smile.

Synthetic chains are built here from smiles whose answers are known in
closed form (vols linear in total variance, flat forward variance) or from
independent oracles (vollib's Black-76 prices, brentq on vollib's delta).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from vollib.black import black
from vollib.black.greeks.analytical import delta as black_delta

from conftest import shared_path
from volscreen import columns as C
from volscreen.errors import ChainSchemaError, ConfigError
from volscreen.surface import constant_maturity, smile, term_slope, term_structure

QUOTE = pd.Timestamp("2026-01-02 15:00", tz="America/New_York")


def make_chain(expiries, smile_fn, strikes=None, r=0.0):
    """Chain with IVs: expiries is [(expiry, t, forward)], smile_fn(k, t) -> vol."""
    rows = []
    for expiry, t, fwd in expiries:
        ks = strikes if strikes is not None else np.arange(round(fwd * 0.6), round(fwd * 1.4) + 1)
        for strike in ks:
            k = math.log(strike / fwd)
            vol = float(smile_fn(k, t))
            for right in (C.CALL, C.PUT):
                price = black(right.lower(), fwd, strike, t, r, vol)
                rows.append({
                    C.EXPIRY: pd.Timestamp(expiry), C.QUOTE_TIME: QUOTE, C.STRIKE: float(strike),
                    C.RIGHT: right, C.BID: price - 0.05, C.ASK: price + 0.05, C.MID: price,
                    C.UNDERLYING_PRICE: fwd, C.T: t, C.FORWARD: fwd, C.IV: vol,
                    C.IV_STATUS: C.IVS_OK,
                })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# ATM IV rule
# --------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.02, 0.5), b=st.floats(-0.3, 0.3), fwd=st.floats(20, 2000),
       t=st.floats(0.01, 2.0), lo=st.floats(0.001, 0.05), hi=st.floats(0.001, 0.05))
def test_atm_exact_when_variance_is_linear_in_k(a, b, fwd, t, lo, hi):
    """sigma^2 = a + b k: linear total-variance interpolation at k = 0 must return sqrt(a)."""
    strikes = [fwd * math.exp(-lo), fwd * math.exp(hi)]
    chain = make_chain([("2026-06-19", t, fwd)], lambda k, t: math.sqrt(max(a + b * k, 1e-6)),
                       strikes=strikes)
    term = term_structure(chain, min_quotes=2)
    assert term[C.ATM_IV].iloc[0] == pytest.approx(math.sqrt(a), rel=1e-10)


def test_atm_uses_a_call_struck_at_the_forward():
    chain = make_chain([("2026-06-19", 0.2, 100.0)], lambda k, t: 0.2 + 0.5 * abs(k),
                       strikes=[95.0, 100.0, 105.0])
    assert term_structure(chain, min_quotes=2)[C.ATM_IV].iloc[0] == pytest.approx(0.2, abs=1e-12)


def test_atm_skips_unusable_quotes_and_reports_no_bracket():
    chain = make_chain([("2026-06-19", 0.2, 100.0)], lambda k, t: 0.2, strikes=[95.0, 105.0])
    put = (chain[C.RIGHT] == C.PUT) & (chain[C.STRIKE] == 95.0)
    chain.loc[put, C.IV] = np.nan
    chain.loc[put, C.IV_STATUS] = C.IVS_BELOW_INTRINSIC
    term = term_structure(chain)
    assert math.isnan(term[C.ATM_IV].iloc[0])
    assert term[C.TERM_STATUS].iloc[0] == C.TS_NO_BRACKET


def test_straddle_and_moves_match_vollib():
    fwd, t = 294.46, 30 / 365
    chain = make_chain([("2026-02-01", t, fwd)], lambda k, t: 0.22 - 0.3 * k)
    row = term_structure(chain).iloc[0]
    assert row[C.ATM_STRIKE] == 294.0
    sigma_at = 0.22 - 0.3 * math.log(294.0 / fwd)
    expected = black("c", fwd, 294.0, t, 0.0, sigma_at) + black("p", fwd, 294.0, t, 0.0, sigma_at)
    assert row[C.STRADDLE_MID] == pytest.approx(expected, rel=1e-12)
    assert row[C.STRADDLE_NATURAL] == pytest.approx(expected + 0.10, rel=1e-12)
    assert row[C.IMPLIED_MOVE] == pytest.approx(expected / fwd, rel=1e-12)
    assert row[C.MOVE_1SD] == pytest.approx(fwd * row[C.ATM_IV] * math.sqrt(t), rel=1e-12)
    assert row[C.DAYS] == 30  # 2026-01-02 -> 2026-02-01
    assert row[C.TERM_STATUS] == C.TS_OK


# --------------------------------------------------------------------------
# Skew: 25-delta risk reversal and butterfly against brentq on vollib's delta
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "skew, curve", [(-0.4, 0.0), (-0.2, 0.8), (0.0, 0.0), (0.15, 0.3)],
    ids=["put-skew", "skew-and-smile", "flat", "call-skew"],
)
def test_rr25_bf25_match_brentq_on_vollib_delta(skew, curve):
    fwd, t = 100.0, 0.25

    def vol(k, t=t):
        return 0.25 + skew * k + curve * k * k

    chain = make_chain([("2026-04-03", t, fwd)], vol, strikes=np.arange(50.0, 160.0, 0.25))
    row = term_structure(chain).iloc[0]

    def strike_at(flag, target):  # vollib Black delta with r = 0 is the forward delta
        return brentq(lambda kk: black_delta(flag, fwd, kk, t, 0.0, vol(math.log(kk / fwd)))
                      - target, 50.0, 159.0)

    iv_c = vol(math.log(strike_at("c", 0.25) / fwd))
    iv_p = vol(math.log(strike_at("p", -0.25) / fwd))
    # linear interpolation in delta between 0.25-wide strikes: a few 1e-5 of vol
    assert row[C.RR25] == pytest.approx(iv_c - iv_p, abs=5e-5)
    assert row[C.BF25] == pytest.approx((iv_c + iv_p) / 2 - vol(0.0), abs=5e-5)


# --------------------------------------------------------------------------
# Forward vol, calendar arbitrage and event kinks
# --------------------------------------------------------------------------
def _term(ts, vols):
    return pd.DataFrame({C.EXPIRY: pd.date_range("2026-02-01", periods=len(ts), freq="7D"),
                         C.T: ts, C.ATM_IV: vols, C.TERM_STATUS: C.TS_OK})


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0.005, 2.0), st.floats(0.05, 1.0)), min_size=2, max_size=8,
                unique_by=lambda x: round(x[0], 4)))
def test_forward_vols_rebuild_total_variance(points):
    """Chaining sigma_fwd^2 dt from the first expiry rebuilds w at every expiry (round trip)."""
    points = sorted(points)
    ts, vols = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    chain = make_chain([(f"2026-{i + 2:02d}-01", t, 100.0) for i, t in enumerate(ts)],
                       lambda k, t: float(vols[np.argmin(abs(ts - t))]),
                       strikes=[90.0, 99.0, 101.0, 110.0])
    term = term_structure(chain, min_quotes=2)
    w = term[C.TOTAL_VARIANCE].to_numpy()
    assert term[C.FWD_VAR_STATUS].iloc[0] == C.FV_FIRST
    for i in range(1, len(ts)):
        neg = w[i] < w[i - 1]
        assert (term[C.FWD_VAR_STATUS].iloc[i] == C.FV_NEGATIVE) == neg
        assert bool(term[C.EVENT_KINK].iloc[i]) or not neg
        if not neg:
            rebuilt = w[i - 1] + term[C.FWD_VOL].iloc[i] ** 2 * (ts[i] - ts[i - 1])
            assert rebuilt == pytest.approx(w[i], rel=1e-9, abs=1e-12)


def test_forward_vol_published_style_example():
    # 20 % to 0.1y then 25 % to 0.2y: forward vol sqrt((0.0125 - 0.004) / 0.1) = 29.155 %
    chain = make_chain([("2026-02-06", 0.1, 100.0), ("2026-03-13", 0.2, 100.0)],
                       lambda k, t: 0.2 if t < 0.15 else 0.25, strikes=[99.0, 101.0])
    term = term_structure(chain, min_quotes=2)
    assert term[C.FWD_VOL].iloc[1] == pytest.approx(math.sqrt(0.085), rel=1e-9)


def test_event_kink_flags_the_bumped_expiry_only():
    ts = [7 / 365, 14 / 365, 21 / 365, 28 / 365, 35 / 365]
    base = [0.20, 0.20, 0.20, 0.20, 0.20]
    bumped = list(base)
    bumped[2] = 0.26  # an earnings week
    day = QUOTE.normalize().tz_localize(None)
    chain = make_chain([(day + pd.Timedelta(days=7 * (i + 1)), t, 100.0)
                        for i, t in enumerate(ts)],
                       lambda k, t: bumped[int(round(t * 365 / 7)) - 1], strikes=[99.0, 101.0])
    term = term_structure(chain, min_quotes=2)
    assert term[C.EVENT_KINK].tolist() == [False, False, True, True, False]
    # the week after the event has negative forward variance: flagged as calendar arbitrage
    assert term[C.FWD_VAR_STATUS].iloc[3] == C.FV_NEGATIVE


# --------------------------------------------------------------------------
# Constant maturity
# --------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(2, 400), st.floats(0.05, 1.5)), min_size=1, max_size=8,
                unique_by=lambda x: x[0]))
def test_constant_maturity_exact_at_listed_expiries(points):
    days = [d for d, _ in points]
    term = _term([d / 365 for d in days], [v for _, v in points])
    cm = constant_maturity(term, days)
    assert cm.to_numpy() == pytest.approx([v for _, v in points], rel=1e-12)
    assert set(cm.attrs[C.CM_STATUS].values()) == {C.CM_OK}


@pytest.mark.parametrize("a, b", [(0.0, 0.04), (0.002, 0.03), (0.004, 0.01)],
                         ids=["flat-vol", "event-plus-base", "front-heavy"])
def test_constant_maturity_linear_total_variance(a, b):
    """w(t) = a + b t is reproduced between expiries: iv(t*) = sqrt((a + b t*) / t*)."""
    ts = np.array([10, 24, 38, 66, 101]) / 365
    term = _term(ts, np.sqrt((a + b * ts) / ts))
    cm = constant_maturity(term, (30, 60, 90))
    for d in (30, 60, 90):
        x = d / 365
        assert cm.loc[d] == pytest.approx(math.sqrt((a + b * x) / x), rel=1e-12)


def test_constant_maturity_outside_range_is_nan_with_reason():
    term = _term([20 / 365, 45 / 365], [0.2, 0.25])
    detail = constant_maturity(term, (10, 30, 60), detail=True)
    assert detail[C.CM_STATUS].tolist() == [C.CM_BELOW_RANGE, C.CM_OK, C.CM_ABOVE_RANGE]
    assert detail[C.ATM_IV].isna().tolist() == [True, False, True]
    flat = constant_maturity(term, (10, 60), extrapolate=True)
    assert flat.tolist() == [0.2, 0.25]
    assert set(flat.attrs[C.CM_STATUS].values()) == {C.CM_EXTRAPOLATED}


def test_constant_maturity_ignores_thin_expiries():
    term = _term([20 / 365, 30 / 365, 45 / 365], [0.2, 0.9, 0.25])
    term.loc[1, C.TERM_STATUS] = C.TS_THIN
    w = np.interp(30 / 365, [20 / 365, 45 / 365], [0.04 * 20 / 365, 0.0625 * 45 / 365])
    assert constant_maturity(term, 30).iloc[0] == pytest.approx(math.sqrt(w * 365 / 30))


def test_term_slope():
    term = _term([30 / 365, 90 / 365], [0.25, 0.20])
    slope = term_slope(term)
    assert slope[C.SLOPE_DIFF] == pytest.approx(0.05)
    assert slope[C.SLOPE_RATIO] == pytest.approx(1.25)
    assert slope[C.CM_STATUS] == C.CM_OK


# --------------------------------------------------------------------------
# Smile
# --------------------------------------------------------------------------
def test_smile_fits_an_svi_generated_slice():
    from volscreen.svi import svi_total_variance

    t = 0.3
    params = (0.01, 0.12, -0.6, 0.02, 0.2)
    chain = make_chain([("2026-05-15", t, 100.0)],
                       lambda k, t: math.sqrt(svi_total_variance(k, *params) / t),
                       strikes=np.arange(60.0, 141.0, 2.5))
    sm = smile(chain, "2026-05-15")
    assert (sm[C.OTM]).all()
    assert sm[C.SVI_STATUS].iloc[0] == C.SVI_OK
    assert sm[C.SVI_RMSE_VOLPTS].iloc[0] < 1e-4
    assert np.allclose(sm[C.IV_SVI], sm[C.IV], atol=1e-6)
    assert np.all(np.diff(sm[C.STRIKE]) > 0)
    calls = sm[sm[C.RIGHT] == C.CALL]
    assert (calls[C.FWD_DELTA] > 0).all() and (sm.loc[sm[C.RIGHT] == C.PUT, C.FWD_DELTA] < 0).all()
    term = term_structure(chain, svi=True)
    assert term[C.ATM_IV_SVI].iloc[0] == pytest.approx(term[C.ATM_IV].iloc[0], abs=2e-4)


def test_smile_keeps_am_and_pm_series_of_one_expiry_apart():
    """A third Friday lists AM-settled monthlies and PM-settled weeklies (SPX / SPXW).

    The two series have their own t and forward; a smile mixing them gave two
    quotes per strike to the SVI fit at the first row's t.
    """
    strikes = np.arange(80.0, 121.0, 2.5)
    am = make_chain([("2026-05-15", 0.30, 100.0)], lambda k, t: 0.20 - 0.1 * k, strikes=strikes)
    pm = make_chain([("2026-05-15", 0.30 + 6.5 / 24 / 365, 100.2)],
                    lambda k, t: 0.25 - 0.1 * k, strikes=strikes)
    chain = pd.concat([am.assign(**{C.SETTLEMENT: C.AM}), pm.assign(**{C.SETTLEMENT: C.PM})],
                      ignore_index=True)
    with pytest.raises(ConfigError, match="AM and PM"):
        smile(chain, "2026-05-15")
    for style, vol, t in ((C.AM, 0.20, 0.30), (C.PM, 0.25, 0.30 + 6.5 / 24 / 365)):
        sm = smile(chain, "2026-05-15", settlement=style)
        assert (sm[C.SETTLEMENT] == style).all()
        assert sm[C.STRIKE].is_unique and (sm[C.T] == t).all()
        k0 = sm[C.LOG_MONEYNESS].abs().idxmin()
        assert sm.loc[k0, C.IV] == pytest.approx(vol - 0.1 * sm.loc[k0, C.LOG_MONEYNESS])
    with pytest.raises(ConfigError, match="PM"):
        smile(am.assign(**{C.SETTLEMENT: C.AM}), "2026-05-15", settlement=C.PM)


def test_bad_input():
    chain = make_chain([("2026-05-15", 0.3, 100.0)], lambda k, t: 0.2, strikes=[95.0, 105.0])
    with pytest.raises(ChainSchemaError, match="implied_vols"):
        term_structure(chain.drop(columns=C.IV))
    with pytest.raises(ConfigError, match="2026-05-15"):
        smile(chain, "2026-06-19")
    with pytest.raises(ConfigError, match="not a date"):
        smile(chain, "the third Friday")
    before = chain.copy()
    term_structure(chain)
    pd.testing.assert_frame_equal(chain, before)


# --------------------------------------------------------------------------
# Real chains (2026-07-14, 15:55 ET): a sensible term structure
# --------------------------------------------------------------------------
REAL_RATE = 0.0435  # flat rate used for these checks (forwards come from put-call parity)


@pytest.fixture(scope="module")
def real_terms():
    import volscreen as vs

    cache = {}

    def get(name):
        if name not in cache:
            chain = vs.load_chain(shared_path("chains", name))
            cache[name] = (chain, term_structure(vs.implied_vols(chain, REAL_RATE)))
        return cache[name]

    return get


@pytest.mark.shared
@pytest.mark.slow
def test_iwm_iv30_2026_07_14(real_terms):
    _, term = real_terms("iwm_yf_cboegreeks_2026-07-14_1555ET.json")
    cm = constant_maturity(term, detail=True).set_index(C.DAYS)
    # IWM IV30 = 19.02 %, IV60 = 19.81 %, IV90 = 20.28 % (spot 294.46, upward-sloping term)
    assert cm.loc[30, C.ATM_IV] == pytest.approx(0.1902, abs=0.002)
    assert cm.loc[90, C.ATM_IV] == pytest.approx(0.2028, abs=0.002)
    slope = term_slope(term)
    assert slope[C.SLOPE_DIFF] == pytest.approx(-0.0126, abs=0.002)


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("name", ["iwm_yf_cboegreeks_2026-07-14_1555ET.json",
                                  "spy_yf_cboegreeks_2026-07-14_1556ET.json.gz",
                                  "qqq_yf_cboegreeks_2026-07-14_1555ET.json.gz"],
                         ids=["IWM", "SPY", "QQQ"])
def test_real_term_structure_is_sensible(real_terms, name):
    from volscreen.variance import model_free_vol

    chain, term = real_terms(name)
    ok = term[term[C.TERM_STATUS] == C.TS_OK]
    assert len(ok) >= 20
    assert ok[C.ATM_IV].between(0.05, 0.6).all()
    assert (ok[C.RR25] < 0).all()  # equity put skew at every trusted expiry
    assert (term[C.FWD_VAR_STATUS] == C.FV_NEGATIVE).sum() <= 1
    w = ok[C.TOTAL_VARIANCE].to_numpy()
    assert (np.diff(w) < 0).sum() <= 1  # total variance non-decreasing in t
    iv30 = constant_maturity(term, 30).iloc[0]
    mfv = model_free_vol(chain, REAL_RATE).vol
    # the VIX-style number prices the whole skew: above ATM vol, by a few vol points
    assert 0 < mfv - iv30 < 0.04


# --------------------------------------------------------------------------
# The vectorized term structure against a plain per-expiry loop
# --------------------------------------------------------------------------
def _loop_term(chain: pd.DataFrame, min_quotes: int = 6) -> pd.DataFrame:
    """Reference: one pandas group per expiry, Python loops and math.erf deltas."""
    rows = []
    for (expiry, style), g in chain.groupby([C.EXPIRY, C.SETTLEMENT], sort=True):
        t, fwd = float(g[C.T].iloc[0]), float(g[C.FORWARD].iloc[0])
        use = [r for r in g.itertuples(index=False)
               if r.otm and r.iv_status == C.IVS_OK and np.isfinite(r.iv) and r.iv > 0]
        rec = {C.EXPIRY: expiry, C.SETTLEMENT: style, C.N_QUOTES: len(use)}
        if not t > 0 or not np.isfinite(fwd):
            rec[C.TERM_STATUS] = C.TS_EXPIRED if not t > 0 else C.TS_NO_FORWARD
            rows.append(rec)
            continue
        strikes = sorted(set(g[C.STRIKE]))
        atm_k = min(strikes, key=lambda k: (abs(k - fwd), k))
        legs = g[g[C.STRIKE] == atm_k]
        mids = {r: list(legs.loc[legs[C.RIGHT] == r, C.MID]) for r in (C.CALL, C.PUT)}
        rec[C.ATM_STRIKE] = atm_k
        rec[C.STRADDLE_MID] = (mids[C.CALL][0] + mids[C.PUT][0]
                               if len(mids[C.CALL]) == 1 and len(mids[C.PUT]) == 1
                               and len(legs) == 2 else np.nan)
        below = [r for r in use if r.log_moneyness < 0]
        above = [r for r in use if r.log_moneyness >= 0]
        if not below or not above:
            rec[C.TERM_STATUS] = C.TS_NO_BRACKET
            rows.append(rec)
            continue
        i = max(below, key=lambda r: r.log_moneyness)
        j = min(above, key=lambda r: r.log_moneyness)
        wi, wj = i.iv ** 2 * t, j.iv ** 2 * t
        atm = math.sqrt((wi - i.log_moneyness * (wj - wi) / (j.log_moneyness - i.log_moneyness))
                        / t)
        wings = {}
        for side, target in ((C.PUT, -0.25), (C.CALL, 0.25)):
            pts = []
            for r in use:
                if (r.right == C.PUT) != (side == C.PUT):
                    continue
                s = r.iv * math.sqrt(t)
                nd1 = 0.5 * (1 + math.erf((-r.log_moneyness + s * s / 2) / s / math.sqrt(2)))
                pts.append((nd1 - 1 if side == C.PUT else nd1, r.iv))
            pts.sort()
            ok = len(pts) >= 2 and pts[0][0] <= target <= pts[-1][0]
            wings[side] = (float(np.interp(target, [d for d, _ in pts], [v for _, v in pts]))
                           if ok else np.nan)
        rec.update({C.ATM_IV: atm, C.RR25: wings[C.CALL] - wings[C.PUT],
                    C.BF25: (wings[C.CALL] + wings[C.PUT]) / 2 - atm})
        rec[C.TERM_STATUS] = (C.TS_THIN if len(use) < min_quotes else
                              C.TS_NO_WING if not np.isfinite(rec[C.RR25]) else C.TS_OK)
        rows.append(rec)
    return pd.DataFrame(rows)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["iwm_yf_cboegreeks_2026-07-14_1555ET.json",
                                  "spx_full_chain_20190621.csv.gz",
                                  "vix_index_options_2016-06-01_cboe_datashop.csv"],
                         ids=["IWM", "SPX-AM-PM", "VIX"])
def test_vectorized_term_structure_matches_a_per_expiry_loop(real_terms, name):
    chain, term = real_terms(name)
    with_iv = __import__("volscreen").implied_vols(chain, REAL_RATE)
    ref = _loop_term(with_iv)
    got = term.sort_values([C.EXPIRY, C.SETTLEMENT], kind="stable").reset_index(drop=True)
    assert len(got) == len(ref) > 5
    assert (got[C.EXPIRY].to_numpy() == ref[C.EXPIRY].to_numpy()).all()
    np.testing.assert_array_equal(got[C.N_QUOTES], ref[C.N_QUOTES])
    # 0dte is decided after the per-expiry step: compare the statuses before it
    status = np.where(got[C.TERM_STATUS] == C.TS_0DTE, ref[C.TERM_STATUS], got[C.TERM_STATUS])
    np.testing.assert_array_equal(status, ref[C.TERM_STATUS].to_numpy(str))
    for col, tol in ((C.ATM_STRIKE, 0.0), (C.STRADDLE_MID, 1e-12), (C.ATM_IV, 1e-12),
                     (C.RR25, 1e-9), (C.BF25, 1e-9)):
        np.testing.assert_allclose(got[col], ref[col], rtol=0, atol=tol, err_msg=col)
    assert np.isfinite(got[C.RR25]).sum() > 3


@pytest.mark.parametrize("dtype", ["str", object], ids=["arrow-text", "object-text"])
def test_text_columns_of_either_dtype_match_the_per_expiry_loop(dtype):
    """right/iv_status/settlement as pandas text or plain objects: same answer as the loop."""
    chain = make_chain([("2026-03-20", 0.2, 100.0), ("2026-03-20", 0.19, 100.0),
                        ("2026-06-19", 0.45, 101.0)],
                       lambda k, t: 0.2 - 0.1 * k + 0.3 * k * k, strikes=np.arange(80.0, 121.0))
    # an AM and a PM series on one date (SPX monthlies beside weeklies), then a PM expiry
    chain[C.SETTLEMENT] = np.where(chain[C.T] == 0.19, C.AM, C.PM)
    chain[C.LOG_MONEYNESS] = np.log(chain[C.STRIKE] / chain[C.FORWARD])
    chain[C.OTM] = np.where(chain[C.RIGHT] == C.PUT, chain[C.STRIKE] < chain[C.FORWARD],
                            chain[C.STRIKE] >= chain[C.FORWARD])
    chain.loc[chain.index[::7], C.IV_STATUS] = C.IVS_BELOW_INTRINSIC
    chain = chain.astype({C.RIGHT: dtype, C.IV_STATUS: dtype, C.SETTLEMENT: dtype})
    got = term_structure(chain).sort_values([C.EXPIRY, C.SETTLEMENT], kind="stable")
    ref = _loop_term(chain)
    assert got[C.SETTLEMENT].tolist() == ref[C.SETTLEMENT].tolist() == [C.AM, C.PM, C.PM]
    np.testing.assert_array_equal(got[C.N_QUOTES], ref[C.N_QUOTES])
    np.testing.assert_array_equal(got[C.TERM_STATUS], ref[C.TERM_STATUS].to_numpy(str))
    for col in (C.ATM_STRIKE, C.STRADDLE_MID, C.ATM_IV, C.RR25, C.BF25):
        np.testing.assert_allclose(got[col], ref[col], rtol=0, atol=1e-12, err_msg=col)
