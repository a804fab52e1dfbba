"""The priced chain as arrays gives exactly what the per-quote frame gives.

The screen prices a chain once as arrays (:func:`volscreen._priced.price_chain`)
and hands them to the term structure and the candidates without building the
``implied_vols`` frame; the public route (``implied_vols`` -> ``term_structure``
/ ``candidates``) is the reference.  Compared exactly (values and dtypes) on
real chains from ../shared/data, the bundled sample and generated chains with
damaged quotes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen._candidates import run, structure_columns
from volscreen._priced import price_chain, priced_frame
from volscreen.implied import implied_vols
from volscreen.loaders import load_bars
from volscreen.loaders.chain import load_chain
from volscreen.screening import screen
from volscreen.structures import DEFAULT_SEED, candidates
from volscreen.surface import term_from_priced, term_structure

from conftest import FIXTURES, shared_path

RATE = 0.04
SAMPLE_CHAIN = FIXTURES / "iwm_chain_sample.csv"
SAMPLE_BARS = FIXTURES / "iwm_bars_sample.csv"

REAL_CHAINS = {
    "iwm-cboe-greeks": "iwm_yf_cboegreeks_2026-07-14_1555ET.json",
    "iwm-cboe-intraday": "iwm_cboe_2026-07-20_0945ET.json",
    "iwm-expired-expiry-zero-bids": "iwm_yf_2026-07-08_close.json",
    "qqq": "qqq_yf_cboegreeks_2026-07-14_1555ET.json.gz",
    "spy": "spy_yf_cboegreeks_2026-07-14_1556ET.json.gz",
    "spx-am-pm-roots": "spx_full_chain_20190621.csv.gz",
    "spx-stale-holiday": "spx_full_chain_20190704.csv.gz",
    "amzn": "amzn_cboe_2026-07-20_1251ET.json",
}


def _real_chain(name: str) -> pd.DataFrame:
    if name == "sample":
        if not SAMPLE_CHAIN.exists():
            pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
        return load_chain(SAMPLE_CHAIN)
    return load_chain(shared_path("chains", REAL_CHAINS[name]))


def _legs_args(chain: pd.DataFrame) -> dict:
    """Every structure kind: straddle, two deltas, explicit strikes and a range box."""
    spot = float(np.nanmedian(pd.to_numeric(chain[C.UNDERLYING_PRICE], errors="coerce")))
    box = (round(spot * 0.97), round(spot * 1.02))
    return {"dte": (0, 120), "straddle": True, "deltas": (0.25, 0.16),
            "strikes": [box, (spot * 0.9, spot * 1.1)], "box": box}


def _same_columns(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for name in want:
        a, b = got[name], want[name]
        if isinstance(b, pd.DatetimeIndex):  # tz-aware: compare the instants (NaT included)
            assert a.dtype == b.dtype, name
            a, b = a.asi8, b.asi8
        np.testing.assert_array_equal(a, b, err_msg=name, strict=True)


def _check_routes(chain: pd.DataFrame, rate: float = RATE) -> None:
    """The arrays route against the frame route: frame, term structure, legs, candidates."""
    frame = implied_vols(chain, rate)
    pd.testing.assert_frame_equal(priced_frame(chain, price_chain(chain, rate)), frame,
                                  check_exact=True)
    priced = price_chain(chain, rate, sides=False)
    pd.testing.assert_frame_equal(term_from_priced(priced), term_structure(frame),
                                  check_exact=True)
    args = _legs_args(chain)
    got, got_aux = structure_columns(priced, **args)
    want, want_aux = structure_columns(frame, **args)
    _same_columns(got, want)
    _same_columns(got_aux, want_aux)


@pytest.mark.parametrize("name", [*REAL_CHAINS, "sample"])
def test_arrays_route_equals_the_frame_route_on_real_chains(name):
    _check_routes(_real_chain(name))


def test_arrays_route_with_the_rate_implied_from_the_chain():
    _check_routes(_real_chain("spx-am-pm-roots"), rate=None)


@pytest.mark.parametrize(("form", "by_expiry"), [
    ("loaded", True), ("am_and_pm", True), ("intraday_expiry", False), ("no_settlement", False),
    ("two_quote_times", False), ("missing_settlement", False), ("two_roots", False)])
def test_term_reuses_the_series_only_when_they_are_its_expiry_groups(form, by_expiry):
    # the term structure numbers the priced chain's (expiry, settlement) groups itself unless
    # the forwards' series are exactly those groups; either way: the frame route's answer
    chain = _real_chain("sample").copy()
    rows = np.arange(len(chain)) % 3 == 0
    if form == "am_and_pm":
        chain.loc[rows, C.SETTLEMENT] = C.AM
    elif form == "intraday_expiry":
        chain.loc[rows, C.EXPIRY] = chain.loc[rows, C.EXPIRY] + pd.Timedelta(hours=9)
    elif form == "no_settlement":
        chain = chain.drop(columns=[C.SETTLEMENT])
    elif form == "two_quote_times":
        chain.loc[rows, C.QUOTE_TIME] = chain.loc[rows, C.QUOTE_TIME] + pd.Timedelta(minutes=1)
    elif form == "missing_settlement":
        chain.loc[rows, C.SETTLEMENT] = None
    elif form == "two_roots":
        chain.loc[rows, C.ROOT] = chain[C.ROOT].iloc[0] + "W"
    assert price_chain(chain, RATE, sides=False).series_by_expiry is by_expiry
    _check_routes(chain)


@pytest.mark.parametrize("form", ["object_strike", "expiry_seconds", "quote_time_seconds",
                                  "object_settlement"])
def test_arrays_route_with_columns_of_other_dtypes(form):
    # columns the stages read straight from the frame when stored as the loaders store them
    chain = _real_chain("sample").copy()
    if form == "object_strike":
        chain[C.STRIKE] = chain[C.STRIKE].astype(object)
    elif form == "expiry_seconds":
        chain[C.EXPIRY] = chain[C.EXPIRY].astype("datetime64[s]")
    elif form == "quote_time_seconds":
        chain[C.QUOTE_TIME] = chain[C.QUOTE_TIME].dt.as_unit("s")
    else:
        chain[C.SETTLEMENT] = chain[C.SETTLEMENT].astype(object)
    _check_routes(chain)


@pytest.mark.parametrize("name", ["iwm-cboe-greeks", "sample"])
def test_candidates_against_targets_equal_the_public_candidates(name):
    chain = _real_chain(name)
    spot = float(np.nanmedian(chain[C.UNDERLYING_PRICE]))
    kwargs = dict(targets=[spot * 0.93, spot * 1.05], rv=0.2, box=(spot * 0.97, spot * 1.02),
                  dte=(7, 90), deltas=(0.25, 0.16), strikes=None, horizon=None,
                  iv_shift=(-0.03, 0.0, 0.03), bars=None, compression=None, atr=3.0,
                  iv_rank=40.0, condition=None, weights=None, seed=DEFAULT_SEED)
    want = candidates(implied_vols(chain, RATE), **kwargs)
    got = run(price_chain(chain, RATE, sides=False), **kwargs)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_priced_chain_skips_the_sides_only():
    chain = _real_chain("sample")
    full, mid_only = price_chain(chain, RATE), price_chain(chain, RATE, sides=False)
    assert mid_only.iv_bid is None and mid_only.iv_ask is None
    np.testing.assert_array_equal(mid_only.iv, full.iv)
    np.testing.assert_array_equal(mid_only.codes, full.codes)
    with pytest.raises(ValueError, match="sides=True"):
        priced_frame(chain, mid_only)


def test_priced_chain_does_not_modify_the_chain():
    chain = _real_chain("sample")
    before = chain.copy()
    priced = price_chain(chain, RATE, sides=False)
    term_from_priced(priced)
    structure_columns(priced, **_legs_args(chain))
    pd.testing.assert_frame_equal(chain, before, check_exact=True)


@pytest.fixture(scope="module")
def sample_screens():
    if not (SAMPLE_CHAIN.exists() and SAMPLE_BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    chain, bars = load_chain(SAMPLE_CHAIN), load_bars(SAMPLE_BARS)
    return screen(chain, bars, keep_surface=False), screen(chain, bars, keep_surface=True)


@pytest.mark.parametrize("part", ["summary", "candidates", "term_structure", "compression",
                                  "warnings"])
def test_screen_without_the_surface_gives_the_same_result(sample_screens, part):
    without, with_surface = sample_screens
    assert without.surface.empty and not with_surface.surface.empty
    pd.testing.assert_frame_equal(getattr(without, part), getattr(with_surface, part),
                                  check_exact=True)


def test_screen_of_a_real_chain_without_the_surface_gives_the_same_result():
    path = shared_path("chains", REAL_CHAINS["spx-am-pm-roots"])
    without = screen(path, targets=[2800, 3100], keep_surface=False)
    with_surface = screen(path, targets=[2800, 3100], keep_surface=True)
    for part in ("summary", "candidates", "term_structure", "warnings"):
        pd.testing.assert_frame_equal(getattr(without, part), getattr(with_surface, part),
                                      check_exact=True)
    assert len(without.candidates) > 0


# ---------------------------------------------------------------------------
# generated chains: damaged quotes, missing sides, duplicate strikes, two roots
# ---------------------------------------------------------------------------
QUOTE_TIME = pd.Timestamp("2026-02-20 15:00", tz="America/New_York").tz_convert("UTC")


@st.composite
def chains(draw: st.DrawFn) -> pd.DataFrame:
    from volscreen.pricing import black_price

    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spot = draw(st.floats(20.0, 500.0))
    vol = draw(st.floats(0.08, 0.9))
    n_exp = draw(st.integers(1, 5))
    days = np.sort(rng.choice(np.arange(0, 120), size=n_exp, replace=False))
    frames = []
    for d in days:
        expiry = (QUOTE_TIME.tz_convert("America/New_York").normalize().tz_localize(None)
                  + pd.Timedelta(days=int(d)))
        settlement = C.AM if rng.random() < 0.2 else C.PM
        t = max(float(d), 0.01) / 365
        strikes = np.round(spot * np.exp(rng.normal(0, vol * np.sqrt(t) * 1.5,
                                                    size=int(rng.integers(2, 30)))), 0)
        for right in (C.PUT, C.CALL):
            skew = vol * (1 + 0.3 * rng.normal(size=strikes.size))
            px = black_price(spot, strikes, t, 0.03, np.abs(skew) + 0.01, right)
            spread = np.abs(rng.normal(0.05, 0.05, size=strikes.size)) * (px + 0.1)
            frames.append(pd.DataFrame({
                C.UNDERLYING: "XYZ", C.ROOT: "XYZ" if settlement == C.PM else "XYZA",
                C.CONTRACT_SYMBOL: [f"XYZ{expiry:%y%m%d}{right}{int(k * 1000):08d}"
                                    for k in strikes],
                C.QUOTE_TIME: QUOTE_TIME, C.EXPIRY: expiry, C.SETTLEMENT: settlement,
                C.STRIKE: strikes, C.RIGHT: right, C.BID: np.maximum(px - spread, 0.0),
                C.ASK: px + spread, C.OPEN_INTEREST: rng.integers(0, 5000, strikes.size),
                C.UNDERLYING_PRICE: spot, C.MULTIPLIER: 100.0,
            }))
    chain = pd.concat(frames, ignore_index=True)
    n = len(chain)
    damage = rng.random(n)
    chain.loc[damage < 0.08, C.BID] = 0.0
    chain.loc[(damage >= 0.08) & (damage < 0.12), C.ASK] = np.nan
    chain.loc[(damage >= 0.12) & (damage < 0.15), C.BID] = chain[C.ASK] * 1.5  # crossed
    chain[C.MID] = (chain[C.BID] + chain[C.ASK]) / 2
    chain[C.SPREAD_PCT] = (chain[C.ASK] - chain[C.BID]) / chain[C.MID]
    status = np.where(chain[C.BID] > chain[C.ASK], C.QS_CROSSED,
                      np.where(chain[C.BID] <= 0, C.QS_NO_BID,
                               np.where(chain[C.ASK].isna(), C.QS_NO_QUOTE, C.QS_OK)))
    chain[C.QUOTE_STATUS] = pd.array(status, dtype="str")
    for name in (C.UNDERLYING, C.ROOT, C.CONTRACT_SYMBOL, C.SETTLEMENT, C.RIGHT):
        chain[name] = chain[name].astype("str")
    return chain.sample(frac=1.0, random_state=int(rng.integers(0, 2**31))).reset_index(
        drop=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_arrays_route_equals_the_frame_route_on_generated_chains(chain):
    _check_routes(chain)


# ---------------------------------------------------------------------------
# the shortcuts the arrays route reads text with
# ---------------------------------------------------------------------------
CODES = ["ok", "crossed", "no_bid", "zero_ask", "", "ok ", "crosse", "okk", "é"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(CODES), max_size=30),
       st.lists(st.sampled_from(CODES), min_size=1, max_size=3), st.booleans())
def test_text_in_equals_a_plain_loop(values, wanted, uniform):
    from volscreen._chainarrays import text_in

    if uniform and values:
        values = [values[0]] * len(values)  # one value throughout: the one-block shortcut
    column = pd.Series(values, dtype="str")
    want = np.array([v in set(wanted) for v in values], dtype=bool)
    np.testing.assert_array_equal(text_in(column, wanted), want)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(CODES), st.none()), max_size=12), st.booleans())
def test_one_text_value_equals_a_set_of_the_values(values, uniform):
    from volscreen._chainarrays import one_text_value

    if uniform and values:
        values = [values[0]] * len(values)
    column = pd.Series(values, dtype="str")
    want = len(values) > 0 and None not in values and len(set(values)) == 1
    assert one_text_value(column) == want
    assert one_text_value(column.array) == want


@pytest.mark.parametrize("rights", [["C", "P"], ["call", "put"], ["c", "P", " Put ", "CALL"]],
                         ids=["letters", "words", "mixed"])
def test_call_mask_of_every_spelling_equals_is_call(rights):
    from volscreen.pricing import is_call

    chain = _real_chain("sample").head(40)
    spelled = [rights[i % len(rights)] if r == C.CALL else rights[(i + 1) % len(rights)]
               for i, r in enumerate(chain[C.RIGHT])]
    chain = chain.assign(**{C.RIGHT: pd.array(spelled, dtype="str")})
    for _ in range(2):  # the second time from the spellings already classified
        np.testing.assert_array_equal(price_chain(chain, RATE).call, is_call(spelled))


def test_an_invalid_right_still_raises_after_valid_ones():
    from volscreen.errors import VolscreenError

    chain = _real_chain("sample").head(10)
    price_chain(chain, RATE)
    bad = chain.assign(**{C.RIGHT: pd.array(["C"] * 9 + ["X"], dtype="str")})
    with pytest.raises(VolscreenError, match="X"):
        price_chain(bad, RATE)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 40), st.integers(-1, 2)), min_size=1, max_size=60),
       st.sampled_from([1, 10**6]))
def test_expiry_groups_equal_a_sort_of_the_keys(keys, spread):
    """Groups numbered in key order, the earliest row of each: a table or a sort, same answer."""
    from volscreen._term import _groups

    days = np.array([d * spread if d >= 0 else -1 for d, _ in keys], dtype=np.intp)
    style = np.array([s for _, s in keys], dtype=np.intp)
    keep, gid, first, (by_group, starts) = _groups([days, style])
    rows = [i for i, (d, s) in enumerate(keys) if d >= 0 and s >= 0]
    # the segments: kept rows by group, in row order within a group, and where each starts
    np.testing.assert_array_equal(by_group, sorted(range(len(rows)), key=lambda j: gid[j]))
    np.testing.assert_array_equal(starts, [list(gid[by_group]).index(g) for g in range(first.size)])
    ordered = sorted({(days[i], style[i]) for i in rows})
    np.testing.assert_array_equal(keep, rows)
    np.testing.assert_array_equal(gid, [ordered.index((days[i], style[i])) for i in rows])
    np.testing.assert_array_equal(
        first, [min(j for j, i in enumerate(rows) if (days[i], style[i]) == key)
                for key in ordered])
