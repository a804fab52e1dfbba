"""The bundled, GENERATED IWM sample (fixtures/) and its generator.

Every property is recomputed here from the CSV files with plain pandas/numpy
and independent references (zoneinfo for the clock, vollib's Black-76 per
option, a regular expression for OCC symbols), not with the generator's code.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT

SCRIPT = ROOT / "scripts" / "make_sample.py"
BARS = FIXTURES / "iwm_bars_sample.csv"
CHAIN = FIXTURES / "iwm_chain_sample.csv"
SAMPLE_FILES = (BARS.name, CHAIN.name)

SPOT = 262.215
RATE, DIVIDEND_YIELD = 0.04, 0.011  # documented in docs/sample.md
QUOTE_UTC = dt.datetime(2026, 2, 2, 21, 0, tzinfo=dt.timezone.utc)
NEW_YORK = ZoneInfo("America/New_York")
CENT = 0.01
MID_ROUNDING = 0.005  # bid floored, ask ceiled to the cent: |mid - model| < half a cent
BARS_HEADER = "date,open,high,low,close,volume"
CHAIN_HEADER = ("underlying,root,contract_symbol,quote_time,expiry,settlement,strike,right,"
                "bid,ask,last,volume,open_interest,underlying_price,multiplier,vendor_iv")
OCC = re.compile(r"^(?P<root>[A-Z]{1,6})(?P<yymmdd>\d{6})(?P<right>[CP])(?P<strike>\d{8})$")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True,
                   capture_output=True, text=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    return pd.read_csv(BARS, parse_dates=["date"], index_col="date")


@pytest.fixture(scope="module")
def chain() -> pd.DataFrame:
    frame = pd.read_csv(CHAIN, dtype={"contract_symbol": str}, keep_default_na=False,
                        na_values={"last": [""]})
    expiry = pd.to_datetime(frame["expiry"], format="%Y-%m-%d")
    settle = [dt.datetime.combine(d.date(), dt.time(16), tzinfo=NEW_YORK) for d in expiry]
    frame["t"] = [(s - QUOTE_UTC).total_seconds() / 60 / 525_600 for s in settle]
    frame["fwd"] = SPOT * np.exp((RATE - DIVIDEND_YIELD) * frame["t"])
    frame["disc"] = np.exp(-RATE * frame["t"])
    frame["k"] = np.log(frame["strike"] / frame["fwd"])
    frame["mid"] = (frame["bid"] + frame["ask"]) / 2
    frame["two_sided"] = frame["bid"] > 0
    return frame


def _sample_module():
    spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expiries() -> list[str]:
    if not CHAIN.exists():
        return ["<no chain>"]
    return sorted(pd.read_csv(CHAIN, usecols=["expiry"])["expiry"].unique())


def _bbw(close: pd.Series) -> pd.Series:
    middle = close.rolling(20).mean()
    sigma = close.rolling(20).std(ddof=0)
    return ((middle + 2 * sigma) - (middle - 2 * sigma)) / middle


# ------------------------------------------------------------------ generator
@pytest.mark.parametrize("name", SAMPLE_FILES, ids=SAMPLE_FILES)
def test_script_reproduces_committed_fixture_byte_for_byte(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (FIXTURES / name).read_bytes()


def test_sample_is_small() -> None:
    total = BARS.stat().st_size + CHAIN.stat().st_size
    assert total < 1_500_000


# ------------------------------------------------------------------ bars
def test_bars_header_and_formats() -> None:
    lines = BARS.read_text(encoding="ascii").splitlines()
    assert lines[0] == BARS_HEADER
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}(,\d+\.\d{2}){4},\d+", row) for row in lines[1:])


def test_bars_span_about_three_years_of_sessions(bars: pd.DataFrame) -> None:
    assert bars.index[0] == pd.Timestamp("2023-02-01")
    assert bars.index[-1] == pd.Timestamp("2026-02-02")
    assert bars.index.is_monotonic_increasing and bars.index.is_unique
    assert (bars.index.day_of_week < 5).all()
    assert 750 <= len(bars) <= 756  # ~252 sessions a year


@pytest.mark.parametrize("day", [
    "2023-04-07", "2024-03-29", "2025-04-18",  # Good Friday
    "2023-07-04", "2025-07-04", "2024-11-28", "2025-11-27", "2025-12-25", "2026-01-01",
    "2026-01-19", "2025-01-09", "2024-06-19", "2025-09-01",
], ids=lambda d: f"holiday-{d}")
def test_no_bar_on_exchange_holiday(bars: pd.DataFrame, day: str) -> None:
    assert pd.Timestamp(day) not in bars.index


@pytest.mark.parametrize("day", ["2023-11-24", "2024-12-24", "2025-11-28", "2025-12-24",
                                 "2025-12-26", "2026-01-02"], ids=lambda d: f"session-{d}")
def test_bar_on_ordinary_or_half_day_session(bars: pd.DataFrame, day: str) -> None:
    assert pd.Timestamp(day) in bars.index


def test_ohlc_consistent(bars: pd.DataFrame) -> None:
    assert (bars[["open", "high", "low", "close"]] > 0).all().all()
    assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()
    assert (bars["open"] != bars["close"].shift()).iloc[1:].mean() > 0.9  # overnight gaps


def test_volume_realistic(bars: pd.DataFrame) -> None:
    assert bars["volume"].dtype == np.int64
    assert 20e6 <= bars["volume"].median() <= 40e6
    assert bars["volume"].min() > 5e6


def test_returns_have_fat_tails_and_clustered_vol(bars: pd.DataFrame) -> None:
    ret = np.log(bars["close"]).diff().dropna()
    assert ret.kurt() > 1.0  # excess kurtosis: fatter than normal
    annual = ret.std() * np.sqrt(252)
    assert 0.15 < annual < 0.35
    assert (ret**2).autocorr(lag=1) > 0.05  # volatility clustering


def test_last_close_is_chain_spot(bars: pd.DataFrame) -> None:
    assert bars["close"].iloc[-1] == pytest.approx(SPOT, abs=CENT)


def test_last_eight_weeks_closed_inside_the_box(bars: pd.DataFrame) -> None:
    box = bars.iloc[-40:]
    assert box["close"].between(255.0, 265.0).all()
    assert box["high"].max() <= 265.0 and box["low"].min() >= 255.0


def test_box_edges_are_touched(bars: pd.DataFrame) -> None:
    box = bars.iloc[-40:]
    assert (box["high"] >= 264.5).sum() >= 2
    assert (box["low"] <= 255.5).sum() >= 2


def test_sma50_near_261(bars: pd.DataFrame) -> None:
    assert bars["close"].rolling(50).mean().iloc[-1] == pytest.approx(261.0, abs=0.25)


def test_bollinger_width_at_multi_month_low(bars: pd.DataFrame) -> None:
    bbw = _bbw(bars["close"])
    assert bbw.iloc[-1] == bbw.iloc[-126:].min()
    assert bbw.iloc[-1] < 0.5 * bbw.median()


def test_realized_vol_compressed_but_above_front_implied(bars: pd.DataFrame,
                                                          chain: pd.DataFrame) -> None:
    ret = np.log(bars["close"]).diff()
    rv20 = ret.iloc[-20:].std(ddof=1) * np.sqrt(252)
    rv_history = ret.rolling(20).std().mul(np.sqrt(252)).median()
    front = chain[chain["expiry"] == chain["expiry"].min()]
    iv_front = _atm_iv(front)
    assert rv20 < rv_history  # compressed against its own history
    assert iv_front < rv20 < iv_front + 0.04  # implied a little under realized: cheap


# ------------------------------------------------------------------ chain
def _atm_iv(one_expiry: pd.DataFrame) -> float:
    """ATM IV: total variance linear in k between the strikes around F."""
    slice_ = one_expiry.drop_duplicates("strike").sort_values("k")
    w = slice_["vendor_iv"] ** 2 * slice_["t"]
    return float(np.sqrt(np.interp(0.0, slice_["k"], w) / slice_["t"].iloc[0]))


def test_chain_header_and_constant_columns(chain: pd.DataFrame) -> None:
    assert CHAIN.read_text(encoding="ascii").splitlines()[0] == CHAIN_HEADER
    assert (chain["underlying"] == "IWM").all() and (chain["root"] == "IWM").all()
    assert (chain["quote_time"] == "2026-02-02T21:00:00+00:00").all()
    assert (chain["settlement"] == "PM").all()
    assert (chain["multiplier"] == 100).all()
    assert (chain["underlying_price"] == SPOT).all()
    assert 2500 <= len(chain) <= 4000


def test_occ_symbols_match_columns(chain: pd.DataFrame) -> None:
    parts = chain["contract_symbol"].str.extract(OCC)
    assert parts.notna().all().all()
    assert (parts["root"] == chain["root"]).all()
    expiry = pd.to_datetime(parts["yymmdd"], format="%y%m%d").dt.strftime("%Y-%m-%d")
    assert (expiry == chain["expiry"]).all()
    assert (parts["right"] == chain["right"]).all()
    assert (parts["strike"].astype(int) == (chain["strike"] * 1000).round().astype(int)).all()
    assert chain["contract_symbol"].is_unique


def test_quotes_are_sane(chain: pd.DataFrame) -> None:
    assert (chain["bid"] >= 0).all() and (chain["ask"] > 0).all()
    assert (chain["ask"] - chain["bid"] >= 0).all()  # no crossed quotes
    for col in ("bid", "ask"):
        cents = chain[col] * 100
        assert np.allclose(cents, cents.round(), atol=1e-6)
    zero_bid = chain[~chain["two_sided"]]
    assert len(zero_bid) > 0 and (zero_bid["ask"] <= 0.05).all()  # only cheap wings


def test_activity_columns(chain: pd.DataFrame) -> None:
    for col in ("volume", "open_interest"):
        assert chain[col].dtype == np.int64 and (chain[col] >= 0).all()
    assert (chain["last"].isna() == (chain["volume"] == 0)).all()
    traded = chain.dropna(subset=["last"])
    assert (traded["last"] > 0).all()
    near = chain["k"].abs() < 0.02
    assert chain.loc[near, "volume"].median() > chain.loc[~near, "volume"].median()


def test_expiry_calendar(chain: pd.DataFrame) -> None:
    expiries = pd.to_datetime(pd.Series(sorted(chain["expiry"].unique())))
    assert expiries.iloc[0] > pd.Timestamp("2026-02-02")
    assert (expiries.dt.day_of_week < 5).all()
    fridays = pd.date_range("2026-02-06", "2026-03-13", freq="W-FRI")
    assert set(fridays) <= set(expiries)  # weekly Fridays for the first weeks
    for month in pd.period_range("2026-02", "2027-01", freq="M"):
        third_friday = pd.date_range(month.start_time, month.end_time, freq="WOM-3FRI")[0]
        shifted = third_friday - pd.Timedelta(days=1)  # Juneteenth 2026 falls on it
        assert third_friday in set(expiries) or shifted in set(expiries), month
    assert pd.Timestamp("2026-06-19") not in set(expiries)
    assert pd.Timestamp("2026-02-16") not in set(expiries)


@pytest.mark.parametrize("expiry", _expiries())
def test_strike_listing(chain: pd.DataFrame, expiry: str) -> None:
    strikes = np.sort(chain.loc[chain["expiry"] == expiry, "strike"].unique())
    gaps = np.diff(strikes)
    assert (gaps == np.round(gaps)).all() and (gaps >= 1.0).all() and (gaps <= 5.0).all()
    assert (strikes == np.round(strikes)).all()  # whole-dollar strikes
    near = np.abs(strikes / SPOT - 1) <= 0.09
    assert (np.diff(strikes[near]) == 1.0).all()
    assert (strikes[np.abs(strikes / SPOT - 1) > 0.125] % 5 == 0).all()
    assert strikes.min() <= 0.91 * SPOT and strikes.max() >= 1.06 * SPOT
    both = chain[chain["expiry"] == expiry].groupby("strike")["right"].apply(set)
    assert (both == {"C", "P"}).all()


@pytest.mark.parametrize("expiry", _expiries())
def test_mids_are_black76_at_vendor_iv(chain: pd.DataFrame, expiry: str) -> None:
    from vollib.black import black

    rows = chain[(chain["expiry"] == expiry) & chain["two_sided"]]
    model = [black(r.right.lower(), r.fwd, r.strike, r.t, RATE, r.vendor_iv)
             for r in rows.itertuples()]
    assert np.abs(rows["mid"].to_numpy() - np.array(model)).max() <= MID_ROUNDING + 1e-9


@pytest.mark.parametrize("expiry", _expiries())
def test_put_call_parity_on_mids(chain: pd.DataFrame, expiry: str) -> None:
    rows = chain[(chain["expiry"] == expiry) & chain["two_sided"]]
    wide = rows.pivot(index="strike", columns="right", values="mid").dropna()
    one = rows.drop_duplicates("strike").set_index("strike").loc[wide.index]
    parity = wide["C"] - wide["P"] - one["disc"] * (one["fwd"] - wide.index.to_numpy())
    assert parity.abs().max() <= 2 * MID_ROUNDING + 1e-9
    same_vol = chain[chain["expiry"] == expiry].groupby("strike")["vendor_iv"].nunique()
    assert (same_vol == 1).all()


@pytest.mark.parametrize("expiry", _expiries())
def test_calls_decreasing_and_convex_in_strike(chain: pd.DataFrame, expiry: str) -> None:
    from vollib.black import black

    calls = chain[(chain["expiry"] == expiry) & (chain["right"] == "C")].sort_values("strike")
    model = np.array([black("c", r.fwd, r.strike, r.t, RATE, r.vendor_iv)
                      for r in calls.itertuples()])
    strikes = calls["strike"].to_numpy()
    slopes = np.diff(model) / np.diff(strikes)
    assert (slopes < 0).all() and (slopes > -1).all()
    assert (np.diff(slopes) >= -1e-9).all()  # the model surface: convex exactly
    quoted = calls[calls["two_sided"]]
    q_slopes = np.diff(quoted["mid"].to_numpy()) / np.diff(quoted["strike"].to_numpy())
    assert (q_slopes <= 2 * MID_ROUNDING).all()  # decreasing up to the cent rounding
    # butterflies on quoted mids: never negative beyond the rounding of three mids
    k = quoted["strike"].to_numpy()
    m = quoted["mid"].to_numpy()
    fly = (m[2:] - m[1:-1]) / (k[2:] - k[1:-1]) - (m[1:-1] - m[:-2]) / (k[1:-1] - k[:-2])
    assert (fly * np.minimum(k[2:] - k[1:-1], k[1:-1] - k[:-2]) >= -4 * MID_ROUNDING).all()


def test_total_variance_increases_with_expiry_at_every_k(chain: pd.DataFrame) -> None:
    calls = chain[chain["right"] == "C"]
    groups = [g.sort_values("k") for _, g in calls.groupby("expiry")]
    for near, far in zip(groups[:-1], groups[1:]):
        inside = near[(near["k"] >= far["k"].min()) & (near["k"] <= far["k"].max())]
        w_far = np.interp(inside["k"], far["k"], far["vendor_iv"] ** 2 * far["t"])
        w_near = inside["vendor_iv"] ** 2 * inside["t"]
        assert (w_far - w_near > 0).all(), (near["expiry"].iloc[0], far["expiry"].iloc[0])


def test_atm_term_structure_low_and_upward_sloping(chain: pd.DataFrame) -> None:
    atm = chain.groupby("expiry").apply(_atm_iv, include_groups=False).sort_index()
    assert atm.is_monotonic_increasing
    assert 0.15 <= atm.iloc[0] <= 0.16
    assert 0.185 <= atm.iloc[-1] <= 0.20


def test_put_skew(chain: pd.DataFrame) -> None:
    for _, one in chain[chain["right"] == "P"].groupby("expiry"):
        sd = _atm_iv(one) * np.sqrt(one["t"].iloc[0])
        vol = np.interp([-sd, 0.0, sd], one["k"], one["vendor_iv"])
        assert vol[0] > vol[1] and vol[0] - vol[1] > vol[2] - vol[1]


def test_loaders_read_the_sample() -> None:
    import volscreen

    loaded_bars = volscreen.load_bars(BARS)
    assert len(loaded_bars) == len(pd.read_csv(BARS)) and not loaded_bars.attrs.get("gaps")
    loaded = volscreen.load_chain(CHAIN)
    assert len(loaded) == len(pd.read_csv(CHAIN))
    assert set(loaded["quote_status"]) <= {"ok", "no_bid"}
    assert "vendor_iv" in loaded.columns


# ------------------------------------------------------------------ the surface model
@settings(max_examples=200, deadline=None)
@given(k=st.floats(-1.0, 0.6), t1=st.floats(0.002, 2.0), dt_=st.floats(1e-4, 1.0))
def test_model_surface_free_of_calendar_arbitrage(k: float, t1: float, dt_: float) -> None:
    model = _SURFACE
    w1 = model.ssvi_total_variance(np.array(k), np.array(t1))
    w2 = model.ssvi_total_variance(np.array(k), np.array(t1 + dt_))
    assert w2 > w1


@settings(max_examples=200, deadline=None)
@given(k=st.floats(-1.0, 0.6), t=st.floats(0.002, 2.0))
def test_model_surface_free_of_butterfly_arbitrage(k: float, t: float) -> None:
    """Durrleman's condition g(k) >= 0 on the generator's SSVI slice."""
    h = 1e-4
    w_minus, w0, w_plus = _SURFACE.ssvi_total_variance(np.array([k - h, k, k + h]), np.array(t))
    d1 = (w_plus - w_minus) / (2 * h)
    d2 = (w_plus - 2 * w0 + w_minus) / h**2
    g = (1 - k * d1 / (2 * w0)) ** 2 - d1**2 / 4 * (1 / w0 + 0.25) + d2 / 2
    assert g > -1e-6


_SURFACE = _sample_module() if SCRIPT.exists() else None
