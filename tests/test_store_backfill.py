"""Backfill from the real VIX history (proxy) and recording the real IWM chains.

References are independent: hashlib on the file bytes, closes read from the
data's provenance notes, and plain-Python Yang-Zhang / Bollinger loops over
the bars.
"""
from __future__ import annotations

import hashlib
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import volscreen as vs
from volscreen import columns as C
from volscreen.errors import ConfigError
from volscreen.ranks import iv_rank
from volscreen.snapshot import (
    backfill_chains, backfill_series, build_snapshot, content_hash, record_chain, session_date,
)
from volscreen.store import HistoryStore

from conftest import shared_path

VIX = ("ohlcv", "VIX_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv")
IWM_BARS = ("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv")


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    with HistoryStore(tmp_path / "h.sqlite") as st:
        yield st


@pytest.fixture(scope="module")
def iwm_bars() -> pd.DataFrame:
    return vs.load_bars(shared_path(*IWM_BARS))


# -- (a) a proxy series from CSV --------------------------------------------------
@pytest.mark.shared
def test_vix_closes_become_a_labelled_spx_proxy(store: HistoryStore) -> None:
    path = shared_path(*VIX)
    results = backfill_series(store, path, "SPX", proxy_of="^VIX")
    assert len(results) == 5759  # every row of the file (PROVENANCE.md)
    assert {r.action for r in results} == {C.REC_INSERTED}
    hist = store.history("SPX").set_index(C.HS_SESSION_DATE)
    assert (hist[C.HS_KIND] == C.KIND_PROXY).all()
    assert (hist[C.HS_PROXY_OF] == "^VIX").all()
    assert hist[C.HS_CONTENT_HASH].iloc[0] == hashlib.sha256(path.read_bytes()).hexdigest()
    # VIX closes from the provenance notes, as decimals
    assert hist.loc["2019-05-13", C.HS_IV30] == pytest.approx(0.2055)
    assert hist.loc["2018-02-05", C.HS_IV30] == pytest.approx(0.3732)
    assert hist[C.HS_IV60].isna().all()
    # nothing of our own was written
    assert store.series("SPX", "iv30", kind=C.KIND_OWN).empty
    # importing the same file again changes nothing
    again = backfill_series(store, path, "SPX", proxy_of="^VIX")
    assert {r.action for r in again} == {C.REC_UNCHANGED}
    # ranks on it say they are proxy ranks
    res = iv_rank(store, "SPX", on="2018-02-05")
    assert res.kind == C.KIND_PROXY and res.proxy_of == "^VIX"
    assert res.status == C.RS_OK and res.rank == 100.0 and res.percentile == 100.0


@pytest.mark.shared
def test_percent_scale_mistake_is_refused(store: HistoryStore) -> None:
    with pytest.raises(ConfigError, match="not a decimal vol"):
        backfill_series(store, shared_path(*VIX), "SPX", scale=1.0)
    assert store.underlyings() == []


def test_series_source_and_proxy_label(store: HistoryStore) -> None:
    s = pd.Series([21.0, np.nan, 23.0], index=pd.to_datetime(["2024-01-02", "2024-01-03",
                                                             "2024-01-04"]))
    res = backfill_series(store, s, "RUT", proxy_of="^RVX")
    assert [r.date.isoformat() for r in res] == ["2024-01-02", "2024-01-04"]  # NaN is a gap
    got = store.series("RUT", "iv30", kind=C.KIND_PROXY)
    assert got.tolist() == pytest.approx([0.21, 0.23]) and got.attrs[C.HS_PROXY_OF] == "^RVX"
    with pytest.raises(ConfigError, match="unknown series"):
        backfill_series(store, s, "RUT", series="iv45")


# -- (b) snapshots of the real IWM chains -------------------------------------------
# file, session date, close that day (PROVENANCE.md / the IWM raw bars)
IWM_CHAINS = [
    ("iwm_yf_2026-07-08_close.json", "2026-07-08", 293.48),
    ("iwm_yf_2026-07-09_close.json", "2026-07-09", 297.24),
    ("iwm_yf_cboegreeks_2026-07-10_close_weekendfetch.json", "2026-07-10", 295.99),
    ("iwm_yf_cboegreeks_2026-07-14_1555ET.json", "2026-07-14", 294.46),
    ("iwm_cboe_2026-07-20_0945ET.json", "2026-07-20", 295.39),
]


def _naive_yang_zhang(bars: pd.DataFrame, day: str, n: int = 20) -> float:
    b = bars.loc[:day].iloc[-(n + 1):]
    o, h, lo, c = (b[k].to_numpy() for k in ("open", "high", "low", "close"))
    over = [math.log(o[i] / c[i - 1]) for i in range(1, n + 1)]
    oc = [math.log(c[i] / o[i]) for i in range(1, n + 1)]
    rs = [math.log(h[i] / c[i]) * math.log(h[i] / o[i]) + math.log(lo[i] / c[i])
          * math.log(lo[i] / o[i]) for i in range(1, n + 1)]

    def var(x: list[float]) -> float:
        m = sum(x) / len(x)
        return sum((v - m) ** 2 for v in x) / (len(x) - 1)

    k = 0.34 / (1.34 + (n + 1) / (n - 1))
    return math.sqrt(252 * (var(over) + k * var(oc) + (1 - k) * sum(rs) / n))


def _naive_bbw(closes: np.ndarray) -> float:
    m = sum(closes) / len(closes)
    sd = math.sqrt(sum((v - m) ** 2 for v in closes) / len(closes))  # population
    return 4 * sd / m


@pytest.mark.shared
@pytest.mark.parametrize("name, day, close", IWM_CHAINS, ids=[c[1] for c in IWM_CHAINS])
def test_iwm_chain_snapshot(store: HistoryStore, iwm_bars: pd.DataFrame, name: str, day: str,
                            close: float) -> None:
    path = shared_path("chains", name)
    first = record_chain(store, path, iwm_bars)
    assert [(r.underlying, r.date.isoformat(), r.action) for r in first] == [
        ("IWM", day, C.REC_INSERTED)]
    row = store.history("IWM").iloc[0]
    assert row[C.HS_SPOT] == pytest.approx(close, abs=0.06)
    assert row[C.HS_CONTENT_HASH] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row[C.HS_SOURCE] == str(path)
    assert row[C.HS_RV20] == pytest.approx(_naive_yang_zhang(iwm_bars, day), rel=1e-9)
    closes = iwm_bars.loc[:day, "close"].to_numpy()
    assert row[C.HS_BBW] == pytest.approx(_naive_bbw(closes[-20:]), rel=1e-9)
    past = [_naive_bbw(closes[-20 - j:len(closes) - j]) for j in range(1, 127)]
    assert row[C.HS_BBW_PCTILE] == pytest.approx(
        100 * sum(v < row[C.HS_BBW] for v in past) / 126)
    # IVs are decimals in a sane range, and every NaN has its reason
    for name_ in (C.HS_IV30, C.HS_IV60, C.HS_IV90, C.HS_MFIV30, C.HS_FRONT_ATM_IV):
        value = row[name_]
        reasons = row[C.HS_REASONS] if isinstance(row[C.HS_REASONS], str) else ""
        assert (0.05 < value < 0.8) or (math.isnan(value) and f"{name_}:" in reasons)
    assert abs(row[C.HS_FORWARD] / row[C.HS_SPOT] - 1) < 0.01
    # recording the same file again is a no-op
    assert [r.action for r in record_chain(store, path, iwm_bars)] == [C.REC_UNCHANGED]


@pytest.mark.shared
def test_iv30_lies_between_its_bracketing_expiries(iwm_bars: pd.DataFrame) -> None:
    chain = vs.load_chain(shared_path("chains", "iwm_yf_cboegreeks_2026-07-14_1555ET.json"))
    snap = build_snapshot(chain, iwm_bars, rate=0.04)
    term = vs.term_structure(vs.implied_vols(chain, 0.04))
    ok = term[term[C.TERM_STATUS] == C.TS_OK]
    below = ok[ok[C.T] <= 30 / 365].iloc[-1]
    above = ok[ok[C.T] >= 30 / 365].iloc[0]
    # total variance interpolated linearly in t, by hand
    w = below[C.ATM_IV] ** 2 * below[C.T] + (above[C.ATM_IV] ** 2 * above[C.T] - below[C.ATM_IV]
                                             ** 2 * below[C.T]) * (30 / 365 - below[C.T]) / (
        above[C.T] - below[C.T])
    assert snap.iv30 == pytest.approx(math.sqrt(w / (30 / 365)), rel=1e-12)
    assert snap.date.isoformat() == "2026-07-14"
    assert snap.content_hash == content_hash(chain)


def test_session_date_is_new_york() -> None:
    # 01:53 UTC on the 10th is 21:53 on the 9th in New York
    assert session_date(pd.Timestamp("2026-07-10 01:53", tz="UTC")) == pd.Timestamp("2026-07-09")


@pytest.mark.shared
def test_snapshot_without_bars_gives_reasons(iwm_bars: pd.DataFrame) -> None:
    chain = vs.load_chain(shared_path("chains", "iwm_yf_2026-07-09_close.json"))
    snap = build_snapshot(chain)
    assert math.isnan(snap.rv20) and snap.reasons[C.HS_RV20] == "no_bars"
    stale = build_snapshot(chain, iwm_bars.loc[:"2026-07-08"])
    assert math.isnan(stale.bbw) and stale.reasons[C.HS_BBW] == "no_bar_on_date"
    assert snap.iv30 == stale.iv30  # the chain values do not depend on the bars


@pytest.mark.shared
def test_rerecord_without_bars_keeps_rv20_and_bbw(store: HistoryStore,
                                                  iwm_bars: pd.DataFrame) -> None:
    # the review case: IWM 2026-07-14 recorded with bars, then again without
    path = shared_path("chains", "iwm_yf_cboegreeks_2026-07-14_1555ET.json")
    record_chain(store, path, iwm_bars)
    before = store.history("IWM")
    bar_fields = [C.HS_RV20, C.HS_BBW, C.HS_BBW_PCTILE]
    assert before[bar_fields].notna().all(axis=None)
    again = record_chain(store, path)
    assert [r.action for r in again] == [C.REC_UNCHANGED]
    assert list(again[0].kept_stored) == bar_fields
    assert again[0].kept_stored[C.HS_RV20] == pytest.approx(
        _naive_yang_zhang(iwm_bars, "2026-07-14"), rel=1e-9)
    pd.testing.assert_frame_equal(store.history("IWM"), before)
    # bars that stop before the session date are a missing input too
    stale = record_chain(store, path, iwm_bars.loc[:"2026-07-13"])
    assert [r.action for r in stale] == [C.REC_UNCHANGED]
    # only the forced overwrite empties them, with the snapshot's reasons
    forced = record_chain(store, path, on_conflict="replace")
    assert [r.action for r in forced] == [C.REC_UPDATED]
    assert sorted(forced[0].changes) == sorted(bar_fields)
    row = store.history("IWM").iloc[0]
    assert row[bar_fields].isna().all()
    assert all(f"{k}:no_bars" in row[C.HS_REASONS] for k in bar_fields)


@pytest.mark.shared
def test_backfill_a_folder_with_progress_and_failures(store: HistoryStore, tmp_path: Path,
                                                      iwm_bars: pd.DataFrame,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "chains"
    folder.mkdir()
    for name, _day, _close in IWM_CHAINS[:2]:
        (folder / name).symlink_to(shared_path("chains", name))
    (folder / "broken.csv").write_text("this,is\nnot,a chain\n")
    (folder / "notes.txt").write_text("skipped: not a chain suffix")
    seen: list[tuple[int, int, str]] = []
    with caplog.at_level(logging.DEBUG, logger="volscreen.snapshot"):
        result = backfill_chains(store, folder, iwm_bars,
                                 progress=lambda i, n, p: seen.append((i, n, p.name)))
    # the failure is the caller's to report: logged at debug level only
    failed = [r for r in caplog.records if "broken.csv" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.DEBUG]
    assert seen == [(1, 3, "broken.csv"), (2, 3, IWM_CHAINS[0][0]), (3, 3, IWM_CHAINS[1][0])]
    assert result.counts() == {C.REC_INSERTED: 2}
    assert [Path(f).name for f, _msg in result.failures] == ["broken.csv"]
    assert "broken.csv" in result.failures[0][1]
    assert list(store.series("IWM", "rv20").index.strftime("%Y-%m-%d")) == [
        "2026-07-08", "2026-07-09"]
    with pytest.raises(ConfigError, match="not a folder"):
        backfill_chains(store, folder / "nope")
