"""screen(): the pipeline on the bundled sample, cut-off of future bars, failing tickers."""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import columns as C, implied
from volscreen.config import ScreenConfig
from volscreen.errors import ConfigError
from volscreen.screening import cut_bars, jobs_from_paths, match_bars, screen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAIN = FIXTURES / "iwm_chain_sample.csv"
BARS = FIXTURES / "iwm_bars_sample.csv"
OCC = re.compile(r"^[A-Z]{1,6}\d{6}[CP]\d{8}$")
TRADING_DAYS = 252


def sample_paths() -> tuple[Path, Path]:
    if not (CHAIN.exists() and BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    return CHAIN, BARS


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    from volscreen.loaders import load_bars
    from volscreen.loaders.chain import load_chain

    chain, bars = sample_paths()
    return load_chain(chain), load_bars(bars)


@pytest.fixture(scope="module")
def result(sample):
    chain, bars = sample
    return screen(chain, bars, targets=[245, 275])


def naive_yang_zhang(bars: pd.DataFrame, n: int) -> float:
    """Plain-loop Yang-Zhang over the last n bars (needs the close before them)."""
    o, h, l, c = (bars[k].to_list() for k in ("open", "high", "low", "close"))
    over, oc, rs = [], [], []
    for i in range(len(c) - n, len(c)):
        over.append(math.log(o[i] / c[i - 1]))
        oc.append(math.log(c[i] / o[i]))
        rs.append(math.log(h[i] / c[i]) * math.log(h[i] / o[i])
                  + math.log(l[i] / c[i]) * math.log(l[i] / o[i]))

    def var(x: list[float]) -> float:
        m = sum(x) / len(x)
        return sum((v - m) ** 2 for v in x) / (len(x) - 1)

    k = 0.34 / (1.34 + (n + 1) / (n - 1))
    return math.sqrt(TRADING_DAYS * (var(over) + k * var(oc) + (1 - k) * sum(rs) / n))


def test_sample_summary(result) -> None:
    s = result.summary
    assert len(s) == 1
    row = s.iloc[0]
    assert row[C.UNDERLYING] == "IWM" and row[C.SCREEN_STATUS] == C.SCR_OK
    assert row[C.SCREEN_RANK] == 1
    assert row[C.SPOT] == pytest.approx(262.215)
    assert row[C.IV30_STATUS] == C.CM_OK and 0.05 < row[C.HS_IV30] < 0.5
    assert row[C.IV30_RV20] == pytest.approx(row[C.HS_IV30] / row[C.HS_RV20])
    assert row[C.TERM_SLOPE] == pytest.approx(row[C.HS_IV30] - row[C.HS_IV90])
    assert (row[C.TARGET_LOW], row[C.TARGET_HIGH]) == (245.0, 275.0)
    assert row[C.TARGETS_SOURCE] == C.TGT_USER
    assert pd.Timestamp(row[C.BARS_AS_OF]) == pd.Timestamp("2026-02-02")
    assert row[C.N_CANDIDATES] == len(result.candidates) > 0
    assert row[C.IV_RANK_STATUS] == "no_store" and math.isnan(row[C.IV_RANK])


def test_rv20_is_yang_zhang_of_the_last_20_bars(result, sample) -> None:
    _, bars = sample
    assert result.summary[C.HS_RV20].iloc[0] == pytest.approx(naive_yang_zhang(bars, 20), rel=1e-9)


def test_candidates_ranked_with_occ_legs(result) -> None:
    cands = result.candidates
    assert list(cands[C.SCREEN_RANK]) == list(range(1, len(cands) + 1))
    scores = cands[C.SCORE].to_numpy(float)
    finite = scores[np.isfinite(scores)]
    assert np.all(np.diff(finite) <= 0)
    for legs, put, call in zip(cands[C.LEGS], cands[C.PUT_SYMBOL], cands[C.CALL_SYMBOL]):
        assert legs == f"{put} {call}"
        assert all(OCC.match(leg) for leg in legs.split())
    best = result.summary.iloc[0]
    assert best[C.BEST_SCORE] == pytest.approx(scores[0])
    assert best[C.BEST_LEGS] == cands[C.LEGS].iloc[0]


def test_result_is_frozen_and_copies(result) -> None:
    with pytest.raises(AttributeError):
        result.config = None
    frame = result.summary
    frame.loc[0, C.SPOT] = -1.0
    assert result.summary[C.SPOT].iloc[0] == pytest.approx(262.215)
    assert result.config.targets == (245.0, 275.0)
    assert not result.term_structure.empty and not result.surface.empty
    assert set(result.surface[C.UNDERLYING]) == {"IWM"}


def test_input_not_mutated(sample) -> None:
    chain, bars = sample
    before_chain, before_bars = chain.copy(), bars.copy()
    screen(chain, bars, dte=(20, 40), deltas=(0.25,))
    pd.testing.assert_frame_equal(chain, before_chain)
    pd.testing.assert_frame_equal(bars, before_bars)


def test_future_bars_are_cut_off(sample, result) -> None:
    chain, bars = sample
    future = pd.DataFrame({"open": [400.0], "high": [420.0], "low": [150.0], "close": [410.0],
                           "volume": [1e9]}, index=pd.DatetimeIndex(["2026-02-03"], name="date"))
    longer = pd.concat([bars, future])
    again = screen(chain, longer, targets=[245, 275])
    cols = [C.HS_RV20, C.BBW, C.BBW_PCTILE_126, C.BOX_FLOOR, C.BOX_CEILING, C.BEST_SCORE]
    pd.testing.assert_frame_equal(again.summary[cols], result.summary[cols])
    assert len(cut_bars(longer, chain[C.QUOTE_TIME].iloc[0])) == len(bars)


def test_watchlist_with_a_broken_ticker(sample, tmp_path: Path) -> None:
    chain, bars = sample
    broken = tmp_path / "broken.csv"
    broken.write_text("this,is,not\n1,2,3\n")
    res = screen({"IWM": (chain, bars), "BAD": (broken, None)})
    s = res.summary.set_index(C.UNDERLYING)
    assert s.loc["IWM", C.SCREEN_STATUS] == C.SCR_OK and s.loc["IWM", C.SCREEN_RANK] == 1
    assert s.loc["BAD", C.SCREEN_STATUS] == C.SCR_FAILED
    assert "broken.csv" in s.loc["BAD", C.SCREEN_REASON]
    assert s.loc["BAD", C.SOURCE_FILE] == str(broken)
    assert res.failed == ["BAD"]
    w = res.warnings
    assert list(w[w[C.WARNING_CODE] == C.SCR_FAILED][C.UNDERLYING]) == ["BAD"]
    assert set(res.candidates[C.UNDERLYING]) == {"IWM"}


def test_thin_chain_and_no_bars_are_warnings(sample) -> None:
    chain, _ = sample
    res = screen(chain, None, min_quotes=10**6, targets=[245, 275])
    row = res.summary.iloc[0]
    assert row[C.SCREEN_STATUS] == C.SCR_THIN and "min_quotes" in row[C.SCREEN_REASON]
    assert math.isnan(row[C.HS_RV20]) and row[C.RV20_STATUS] == "no_bars"
    assert set(res.warnings[C.WARNING_CODE]) == {"thin_chain", "no_bars"}


def test_user_range_gives_measured_moves(sample) -> None:
    from volscreen.config import TickerConfig

    chain, bars = sample
    cfg = ScreenConfig(watchlist=(TickerConfig("IWM", chains=(CHAIN,), bars=BARS,
                                               range=(255.0, 265.0)),))
    row = screen(config=cfg).summary.iloc[0]
    assert (row[C.TARGET_LOW], row[C.TARGET_HIGH]) == (245.0, 275.0)
    assert row[C.TARGETS_SOURCE] == C.TGT_RANGE and row[C.BOX_STATUS] == C.BOX_USER


def test_nothing_to_screen() -> None:
    with pytest.raises(ConfigError, match="nothing to screen"):
        screen(config=ScreenConfig())


@pytest.mark.parametrize(
    "bars,ticker,expected",
    [(["IWM_daily.csv"], "SPY", "IWM_daily.csv"),
     (["IWM_daily.csv", "SPY-1d.csv"], "SPY", "SPY-1d.csv"),
     (["IWM_daily.csv", "SPY.csv"], "QQQ", None),
     ([], "IWM", None)],
    ids=["single-for-all", "by-name", "no-match", "none"],
)
def test_match_bars(bars: list[str], ticker: str, expected: str | None) -> None:
    got = match_bars([Path(b) for b in bars], ticker)
    assert (got.name if got else None) == expected


def test_directory_expands_to_chain_files(tmp_path: Path) -> None:
    for name in ("b.csv", "a.json", ".hidden.csv", "notes.md"):
        (tmp_path / name).write_text("x")
    jobs = jobs_from_paths([tmp_path])
    assert [Path(j.chain).name for j in jobs] == ["a.json", "b.csv"]
    with pytest.raises(ConfigError, match="no chain files"):
        jobs_from_paths([tmp_path / "empty"] if (tmp_path / "empty").mkdir() is None else [])


def test_no_candidate_in_window_is_explained(sample) -> None:
    chain, bars = sample
    res = screen(chain, bars, dte=(2000, 3000))
    row = res.summary.iloc[0]
    assert row[C.N_CANDIDATES] == 0 and math.isnan(row[C.BEST_SCORE])
    assert "2000-3000 days" in row[C.SCREEN_REASON]
    assert "no_candidates" in set(res.warnings[C.WARNING_CODE])
    assert res.candidates.empty


def test_surface_can_be_dropped_for_large_screens(sample, result) -> None:
    chain, bars = sample
    lean = screen(chain, bars, targets=[245, 275], keep_surface=False)
    assert lean.surface.empty and not result.surface.empty
    pd.testing.assert_frame_equal(lean.summary, result.summary)


@pytest.mark.slow
def test_parallel_workers_give_the_serial_result(sample, tmp_path: Path, monkeypatch) -> None:
    from test_screen_assemble import workers_take_tasks

    chain, bars = sample
    broken = tmp_path / "broken.csv"
    broken.write_text("not,a,chain\n")
    other = chain.assign(**{C.UNDERLYING: "IWX", C.ROOT: "IWX"})
    watch = {"IWM": (chain, bars), "BAD": (broken, None), "IWX": (other, bars)}
    serial = screen(watch, targets=[245, 275], keep_surface=False)
    seen: list[int] = []
    here = workers_take_tasks(monkeypatch)  # the frames and shared bars go to the worker
    parallel = screen(watch, targets=[245, 275], keep_surface=False, workers=2,
                      progress=lambda done, total, label: seen.append(done))
    assert len(here) < 3
    pd.testing.assert_frame_equal(parallel.summary, serial.summary)
    pd.testing.assert_frame_equal(parallel.candidates, serial.candidates)
    pd.testing.assert_frame_equal(parallel.warnings, serial.warnings)
    assert seen and seen[-1] == 3 and seen == sorted(seen)
    with pytest.raises(ConfigError, match="workers"):
        screen(watch, workers=0)


def test_loader_attrs_stay_with_the_caller_and_out_of_the_result(sample) -> None:
    chain, bars = sample
    chain_attrs, bars_attrs = dict(chain.attrs), dict(bars.attrs)
    assert chain_attrs and bars_attrs  # the loaders record their metadata there
    out = screen(chain, bars, targets=[245, 275])
    assert dict(chain.attrs) == chain_attrs and dict(bars.attrs) == bars_attrs
    for frame in (out.candidates, out.term_structure, out.surface):
        assert frame.attrs == {}
    assert out.summary[C.SOURCE_FILE].iloc[0] == chain_attrs["source"]


def test_chains_sharing_a_history_screen_as_if_alone(sample, result) -> None:
    chain, bars = sample
    other = chain.copy()
    other[C.BID] = other[C.BID] * 0.98  # a different chain on the same history and date
    both = screen([chain, other], bars, targets=[245, 275])
    alone = screen(other, bars.copy(), targets=[245, 275])
    cols = [C.HS_RV20, C.BBW, C.BBW_PCTILE_126, C.BOX_FLOOR, C.BOX_CEILING, C.BEST_SCORE]
    got = both.summary.sort_values(C.BEST_SCORE).reset_index(drop=True)[cols]
    want = pd.concat([result.summary[cols], alone.summary[cols]]).sort_values(C.BEST_SCORE)
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True))
    key = [C.STRUCTURE, C.EXPIRY, C.P_BEYOND_BE_HIST, C.P_BEYOND_BE_HIST_SE, C.RV_FORECAST,
           C.SCORE]
    mine = both.candidates[key].sort_values(key).reset_index(drop=True)
    theirs = pd.concat([result.candidates[key], alone.candidates[key]])
    pd.testing.assert_frame_equal(mine, theirs.sort_values(key).reset_index(drop=True))


def test_public_screen_is_the_function_after_every_submodule_is_imported() -> None:
    # a public function that shared its name with a submodule would be replaced by
    # the module as soon as anything imported that submodule by path
    import importlib
    import pkgutil

    import volscreen

    for info in pkgutil.iter_modules(volscreen.__path__):
        importlib.import_module(f"volscreen.{info.name}")
    for name in volscreen.__all__:
        value = getattr(volscreen, name)
        assert not isinstance(value, type(volscreen)), f"volscreen.{name} is a module"
    assert callable(volscreen.screen) and volscreen.screen is screen


def test_worker_jobs_are_light_and_bars_are_shared_once(sample) -> None:
    """A path job with in-memory bars crosses to a worker as a token, not a copy of the bars."""
    import pickle

    from volscreen._screen_pool import SharedBars, _share, _unshare

    _, bars = sample
    chain_path, _ = sample_paths()
    frames: dict[int, pd.DataFrame] = {}
    jobs = jobs_from_paths([chain_path, chain_path])
    light = [_share(bars, frames), _share({"IWM": bars}, frames), _share(None, frames)]
    assert len(frames) == 1 and isinstance(light[0], SharedBars)
    assert light[1]["IWM"] == light[0] and light[2] is None
    assert _unshare(light[0], frames) is bars and _unshare(light[1], frames)["IWM"] is bars
    heavy = len(pickle.dumps(bars))
    assert len(pickle.dumps((jobs, light))) < min(2_000, heavy / 20)


@pytest.mark.parametrize(("setting", "n_chains", "engine"),
                         [("auto", 1, "numpy"), ("auto", 599, "numpy"), ("auto", 600, "compiled"),
                          ("numpy", 5000, "numpy"), ("compiled", 1, "compiled")],
                         ids=["auto-one", "auto-599", "auto-600", "forced-numpy",
                              "forced-compiled"])
def test_the_screen_engine_depends_on_the_chain_count_alone(setting, n_chains, engine,
                                                            monkeypatch) -> None:
    from volscreen._screen_pool import screen_engine

    monkeypatch.setattr(implied, "ENGINE", setting)
    assert screen_engine(n_chains) == engine


def test_screen_fixes_its_engine_and_restores_the_setting(sample, monkeypatch) -> None:
    """With the compiled kernel loaded, a small screen still solves with the NumPy twin."""
    import volscreen._ivkernel  # noqa: F401  (loaded: "auto" alone would pick it)

    seen: list[str] = []
    solve = implied._kernel
    monkeypatch.setattr(implied, "_kernel", lambda n: seen.append(implied.ENGINE) or solve(n))
    monkeypatch.setattr(implied, "ENGINE", "auto")
    chain, bars = sample
    screen(chain, bars, targets=[245, 275])
    assert seen and set(seen) == {"numpy"}
    assert implied.ENGINE == "auto"
    with pytest.raises(ValueError, match="engine"):
        with implied.using_engine("fast"):  # type: ignore[arg-type]
            pass


def test_a_worker_computes_each_history_context_once(sample, monkeypatch) -> None:
    """Chunks run by one worker share its cache: one bars context per history and date."""
    import volscreen._screen_bars as screen_bars
    from volscreen import _screen_pool as pool

    chain, bars = sample
    calls: list[int] = []
    compute = screen_bars._compute
    monkeypatch.setattr(screen_bars, "_compute", lambda cut: calls.append(len(cut)) or
                        compute(cut))
    frames: dict[int, pd.DataFrame] = {}
    jobs = [pool.ScreenJob(chain=chain.assign(**{C.UNDERLYING: t, C.ROOT: t}),
                           bars=pool._share(bars, frames), ticker=t, label=t)
            for t in ("AAA", "BBB", "CCC")]
    monkeypatch.setattr(pool, "_STATE", {})
    monkeypatch.setattr(implied, "ENGINE", "auto")  # _init_worker sets the worker's engine
    import gc

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    pool._init_worker(frames, ScreenConfig().replace(targets=[245, 275]), None, False, "numpy")
    if not frozen:  # the worker's collector settings, not this process's
        gc.unfreeze()
    gc.set_threshold(*threshold)
    assert implied.ENGINE == "numpy"
    first, second = pool._run_chunk(jobs[:2]), pool._run_chunk(jobs[2:])
    assert len(calls) == 1  # three chains, two chunks, one history and quote date
    rows = [r[C.HS_RV20] for r in first.summary + second.summary]
    assert len(rows) == 3 and len(set(rows)) == 1 and math.isfinite(rows[0])


@pytest.mark.parametrize(("jobs", "workers", "size"),
                         [(1, 2, 1), (10, 2, 2), (100, 2, 13), (1000, 2, 25), (3, 8, 1)],
                         ids=["one", "ten", "hundred", "thousand", "more-workers"])
def test_chunks_balance_workers_and_stay_small(jobs: int, workers: int, size: int) -> None:
    from volscreen._screen_pool import CHUNK_MAX, CHUNKS_PER_WORKER, chunk_size

    got = chunk_size(jobs, workers)
    assert got == size
    assert 1 <= got <= CHUNK_MAX
    assert -(-jobs // got) >= min(jobs, workers)  # every worker gets work
    # chunks no larger than needed for CHUNKS_PER_WORKER tasks per worker
    assert got == 1 or (got - 1) * workers * CHUNKS_PER_WORKER < jobs


# ---------------------------------------------------------------------------
# one chain per underlying at its latest quote time: the shortcuts against groupby
# ---------------------------------------------------------------------------
def reference_latest(chain: pd.DataFrame) -> list[pd.DataFrame]:
    """Every underlying's rows at its latest quote time, the general way (groupby always)."""
    chain = chain.copy(deep=False)
    chain.attrs = {}
    latest = chain.groupby(C.UNDERLYING, sort=True)[C.QUOTE_TIME].transform("max")
    keep = chain[chain[C.QUOTE_TIME] == latest]
    return [sub.reset_index(drop=True) for _, sub in keep.groupby(C.UNDERLYING, sort=True)]


@st.composite
def small_chains(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 8))
    names = draw(st.lists(st.sampled_from(["IWM", "IWM", "QQQ", None]), min_size=n,
                          max_size=n))
    hours = draw(st.lists(st.sampled_from([15, 15, 16, None]), min_size=n, max_size=n))
    times = pd.DatetimeIndex([pd.NaT if h is None else pd.Timestamp(2026, 7, 14, h)
                              for h in hours]).tz_localize("America/New_York").tz_convert("UTC")
    index = draw(st.sampled_from(["range", "shifted", "named", "labels"]))
    frame = pd.DataFrame({C.UNDERLYING: pd.array(names, dtype="str"), C.QUOTE_TIME: times,
                          C.STRIKE: np.arange(n, dtype=float)})
    if index == "shifted":
        frame.index = pd.RangeIndex(3, 3 + n)
    elif index == "named":
        frame.index = pd.RangeIndex(n, name="row")
    elif index == "labels":
        frame.index = pd.Index([f"r{i}" for i in range(n)])
    if draw(st.booleans()):
        frame.attrs = {"source": "x.csv", "quote_status_counts": {"ok": n}}
    return frame


@settings(max_examples=80, deadline=None)
@given(small_chains())
def test_latest_chains_split_as_groupby_does(chain: pd.DataFrame) -> None:
    from volscreen.screening import _latest_chains

    before = chain.copy(deep=True)
    got, want = _latest_chains(chain), reference_latest(chain)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True)
        assert a.attrs == {}
    pd.testing.assert_frame_equal(chain, before)  # the caller's frame is untouched
    assert chain.attrs == before.attrs


def test_latest_chains_of_a_real_chain_as_groupby_does(sample) -> None:
    from volscreen.screening import _latest_chains

    chain, _ = sample
    got, want = _latest_chains(chain), reference_latest(chain)
    assert len(got) == 1 and len(got[0]) == len(chain)
    pd.testing.assert_frame_equal(got[0], want[0], check_exact=True, check_index_type=True)
