"""The screen's result assembly and worker chunks against the plain, one-frame-per-chain path.

``reference_assemble`` is the general path written out: every chain's frame
concatenated in one ``pd.concat``, labelled afterwards, the summary built
row by row from dicts with missing columns added one at a time.  The fast
path (:func:`volscreen._screen_rank.assemble`, stacks compacted in workers,
vectorized legs) must give exactly the same frames, dtypes included.
"""
from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen._screen_pool import CHUNK_MAX, chunk_bounds, chunk_size
from volscreen._screen_rank import (SUMMARY_ORDER, Outcome, Stacked, _leg_text, _legs, assemble,
                                    best_of)
from volscreen.config import ScreenConfig
from volscreen.result import WARNING_COLUMNS, ScreenResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAIN = FIXTURES / "iwm_chain_sample.csv"
BARS = FIXTURES / "iwm_bars_sample.csv"
TABLES = ("summary", "candidates", "term_structure", "surface", "compression", "warnings")
FAILED_STATUS_COLUMNS = (C.IV30_STATUS, C.IV60_STATUS, C.IV90_STATUS, C.RV20_STATUS,
                         C.IV_RANK_STATUS, C.BOX_STATUS, C.COMPRESSION_STATUS,
                         C.TARGETS_SOURCE)


# ---------------------------------------------------------------------------
# the general path
# ---------------------------------------------------------------------------
def reference_legs(frame: pd.DataFrame) -> list[str | None]:
    put = frame[C.PUT_SYMBOL].to_numpy(object)
    call = frame[C.CALL_SYMBOL].to_numpy(object)
    out = []
    for p, c in zip(put, call):
        text = " ".join(s for s in (p, c) if isinstance(s, str) and s)
        out.append(text or None)
    return out


def reference_stack(parts: list[tuple[pd.DataFrame, str, str]], legs: bool = False
                    ) -> pd.DataFrame:
    kept = [(f, u, s) for f, u, s in parts if not f.empty]
    if not kept:
        return pd.DataFrame()
    frame = pd.concat([f for f, _, _ in kept], ignore_index=True) if len(kept) > 1 \
        else kept[0][0].reset_index(drop=True)
    sizes = [len(f) for f, _, _ in kept]
    if C.UNDERLYING not in frame:
        frame.insert(0, C.UNDERLYING, np.repeat(np.array([u for _, u, _ in kept], object), sizes))
    labels = np.repeat(np.array([s for _, _, s in kept], object), sizes)
    if legs:
        if C.PUT_SYMBOL in frame and C.CALL_SYMBOL in frame:
            frame[C.LEGS] = reference_legs(frame)
        frame[C.SOURCE_FILE] = labels
    else:
        frame.insert(1, C.SOURCE_FILE, labels)
    return frame


def reference_ranked(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    score = pd.to_numeric(frame[key], errors="coerce") if key in frame else \
        pd.Series(np.nan, index=frame.index)
    order = sorted(range(len(frame)), key=lambda i: (
        -score.iloc[i] if not math.isnan(score.iloc[i]) else math.inf, i))
    out = frame.iloc[order].reset_index(drop=True)
    out.insert(0, C.SCREEN_RANK, np.arange(1, len(out) + 1))
    return out


def reference_assemble(out: Outcome, config: ScreenConfig) -> ScreenResult:
    summary = pd.DataFrame(out.summary)
    for name in SUMMARY_ORDER[1:]:
        if name not in summary:
            summary[name] = np.nan
    summary = summary[list(SUMMARY_ORDER[1:])]
    failed = (summary[C.SCREEN_STATUS] == C.SCR_FAILED).to_numpy()
    for name in FAILED_STATUS_COLUMNS:
        summary[name] = summary[name].astype(object)
        summary.loc[failed, name] = C.SCR_FAILED
    return ScreenResult(reference_ranked(summary, C.BEST_SCORE),
                        reference_ranked(reference_stack(out.candidates, legs=True), C.SCORE),
                        reference_stack(out.term), reference_stack(out.surface),
                        pd.DataFrame(out.compression), config,
                        pd.DataFrame(out.warnings, columns=list(WARNING_COLUMNS)))


def assert_same(got: ScreenResult, want: ScreenResult) -> None:
    for table in TABLES:
        a, b = getattr(got, table), getattr(want, table)
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True,
                                      check_column_type=True, obj=table)
        assert a.columns.dtype == b.columns.dtype, table
        assert [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes], table
        for name in a.columns[(a.dtypes == object).to_numpy()]:  # 1 and 1.0 compare equal
            assert [type(v) for v in a[name]] == [type(v) for v in b[name]], (table, name)


def chunked(out: Outcome, cuts: list[int]) -> Outcome:
    """``out`` split at ``cuts`` (chain positions), each piece compacted and pickled as a
    worker sends it, then merged in order as the pool does."""
    merged = Outcome(keep_surface=out.keep_surface)
    bounds = [0, *sorted(set(cuts)), len(out.summary)]
    for start, stop in zip(bounds, bounds[1:]):
        piece = Outcome(keep_surface=out.keep_surface, summary=out.summary[start:stop],
                        candidates=out.candidates[start:stop], term=out.term[start:stop],
                        surface=out.surface[start:stop],
                        compression=out.compression[start:stop],
                        warnings=out.warnings[start:stop])
        merged.extend(pickle.loads(pickle.dumps(piece.compact())))
    return merged


# ---------------------------------------------------------------------------
# generated outcomes
# ---------------------------------------------------------------------------
SYMBOLS = st.sampled_from([None, "", "P1", "IWM260320P00262000", "C 2", np.nan])
LAYOUTS = [  # column name -> kind; several layouts so runs break and concat casts
    {C.PUT_SYMBOL: "sym", C.CALL_SYMBOL: "sym", C.SCORE: "float", C.EXPIRY: "time",
     C.STRUCTURE: "str"},
    {C.PUT_SYMBOL: "sym", C.CALL_SYMBOL: "sym", C.SCORE: "float", C.EXPIRY: "time",
     C.STRUCTURE: "str"},
    {C.UNDERLYING: "str", C.PUT_SYMBOL: "sym", C.CALL_SYMBOL: "sym", C.SCORE: "float"},
    {C.PUT_SYMBOL: "sym", C.SCORE: "int", C.DAYS: "bool"},
    {C.CALL_SYMBOL: "sym", C.PUT_SYMBOL: "sym", C.SCORE: "float", C.DAYS: "int"},
    {C.PUT_SYMBOL: "sym", C.CALL_SYMBOL: "sym", C.SCORE: "float", C.DAYS: "float"},
]


@st.composite
def frames(draw: Any, layout: dict[str, str]) -> pd.DataFrame:
    n = draw(st.integers(0, 4))
    data: dict[str, Any] = {}
    for name, kind in layout.items():
        if kind == "sym":
            data[name] = pd.array(draw(st.lists(SYMBOLS, min_size=n, max_size=n)), dtype="str")
        elif kind == "str":
            data[name] = draw(st.lists(st.sampled_from(["straddle", "strangle_25d"]),
                                       min_size=n, max_size=n))
        elif kind == "float":
            data[name] = np.array(draw(st.lists(st.sampled_from([0.1, 0.5, 0.5, math.nan, 0.9]),
                                                min_size=n, max_size=n)), float)
        elif kind == "int":
            data[name] = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
                                  np.int64)
        elif kind == "bool":
            data[name] = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
        else:
            days = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
            data[name] = pd.to_datetime("2026-07-14") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame(data, index=pd.RangeIndex(n))


@st.composite
def summary_rows(draw: Any, k: int) -> dict[str, Any]:
    status = draw(st.sampled_from([C.SCR_OK, C.SCR_OK, C.SCR_THIN, C.SCR_FAILED]))
    row: dict[str, Any] = {C.UNDERLYING: f"T{k}", C.SOURCE_FILE: f"t{k}.csv",
                           C.SCREEN_STATUS: status, C.SCREEN_REASON: ""}
    if status == C.SCR_FAILED:
        return row
    row.update({C.QUOTE_TIME: pd.Timestamp("2026-07-14 19:55", tz="UTC"),
                C.HS_IV30: draw(st.sampled_from([0.18, math.nan])),
                C.IV30_STATUS: draw(st.sampled_from(["ok", "no_expiry"])),
                C.BEST_SCORE: draw(st.sampled_from([0.7, 0.7, 0.2, math.nan])),
                C.BEST_EXPIRY: draw(st.sampled_from([pd.Timestamp("2026-07-24"), pd.NaT])),
                C.SQUEEZE_ON: draw(st.booleans()), C.N_CANDIDATES: draw(st.integers(0, 5))})
    if draw(st.booleans()):
        row[C.BOX_STATUS] = "box"
    return row


@st.composite
def outcomes(draw: Any) -> tuple[Outcome, list[int]]:
    n = draw(st.integers(1, 6))
    out = Outcome(keep_surface=draw(st.booleans()))
    for k in range(n):
        out.summary.append(draw(summary_rows(k)))
        layout = LAYOUTS[draw(st.integers(0, len(LAYOUTS) - 1))]
        out.candidates.append((draw(frames(layout)), f"T{k}", f"t{k}.csv"))
        term = draw(frames({C.EXPIRY: "time", C.ATM_IV: "float"}))
        out.term.append((term, f"T{k}", f"t{k}.csv"))
        if out.keep_surface:
            out.surface.append((draw(frames({C.IV: "float", C.IV_STATUS: "str"})), f"T{k}",
                                f"t{k}.csv"))
        out.compression.append({C.UNDERLYING: f"T{k}", C.BBW: 0.03 * k})
        if draw(st.booleans()):
            out.warn(f"T{k}", f"t{k}.csv", "thin_chain", "only  3\n quotes")
    cuts = draw(st.lists(st.integers(1, n), max_size=4))
    return out, cuts


def reference_best_of(cands: pd.DataFrame) -> dict[str, Any]:
    """The best candidate's fields, the plain way: coerce the scores, loop for the first best."""
    row: dict[str, Any] = {C.N_CANDIDATES: len(cands)}
    none = {C.BEST_STRUCTURE: None, C.BEST_EXPIRY: pd.NaT, C.BEST_LEGS: None,
            C.BEST_DEBIT_NATURAL: math.nan, C.BEST_SCORE: math.nan}
    if C.SCORE not in cands:
        return {**row, **none}
    scores = pd.to_numeric(cands[C.SCORE], errors="coerce").to_numpy(float, na_value=np.nan)
    best = None
    for i, score in enumerate(scores):
        if not math.isnan(score) and (best is None or score > scores[best]):
            best = i
    if best is None:
        return {**row, **none}

    def cell(name: str) -> Any:
        return cands[name].array[best] if name in cands else None

    legs = _leg_text(cell(C.PUT_SYMBOL), cell(C.CALL_SYMBOL)) \
        if C.PUT_SYMBOL in cands and C.CALL_SYMBOL in cands else None
    return {**row, C.BEST_STRUCTURE: cell(C.STRUCTURE), C.BEST_EXPIRY: cell(C.EXPIRY),
            C.BEST_LEGS: legs, C.BEST_DEBIT_NATURAL: cell(C.DEBIT_NATURAL),
            C.BEST_SCORE: float(scores[best])}


def assert_same_best(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert list(got) == list(want)
    for name, value in want.items():
        assert type(got[name]) is type(value), name
        assert got[name] is value or got[name] == value or (
            pd.isna(got[name]) and pd.isna(value)), name


SCORE_KINDS = st.sampled_from(["float", "int", "text", "masked", "none"])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(LAYOUTS) - 1), SCORE_KINDS, st.data())
def test_best_of_picks_what_the_plain_loop_picks(layout: int, kind: str, data: Any) -> None:
    cands = data.draw(frames(LAYOUTS[layout]))
    if C.SCORE in cands and kind != "float":
        score = cands[C.SCORE].to_numpy(float)
        cands[C.SCORE] = (pd.array(score, dtype="Float64") if kind == "masked" else
                          [str(v) if v == v else "n/a" for v in score] if kind == "text" else
                          np.nan_to_num(score, nan=-1).astype(np.int64) if kind == "int" else
                          None)
    cands[C.DEBIT_NATURAL] = np.linspace(1.0, 2.0, len(cands))
    row: dict[str, Any] = {}
    best_of(row, cands)
    assert_same_best(row, reference_best_of(cands))


def test_best_of_on_real_candidates_is_the_plain_loop(real_outcome: Outcome) -> None:
    tried = 0
    for part in real_outcome.candidates:
        cands = part.frame if isinstance(part, Stacked) else part[0]
        row: dict[str, Any] = {}
        best_of(row, cands)
        assert_same_best(row, reference_best_of(cands))
        tried += math.isfinite(row[C.BEST_SCORE])
    assert tried >= 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outcomes())
def test_generated_outcomes_assemble_as_the_general_path(case) -> None:
    out, cuts = case
    want = reference_assemble(out, ScreenConfig())
    assert_same(assemble(out, ScreenConfig()), want)
    assert_same(assemble(chunked(out, cuts), ScreenConfig()), want)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(SYMBOLS, SYMBOLS), min_size=0, max_size=12))
def test_vectorized_legs_match_one_join_per_row(pairs) -> None:
    frame = pd.DataFrame({C.PUT_SYMBOL: pd.array([p for p, _ in pairs], dtype="str"),
                          C.CALL_SYMBOL: pd.array([c for _, c in pairs], dtype=object)})
    got = _legs(frame)
    assert got == reference_legs(frame)
    puts, calls = frame[C.PUT_SYMBOL].to_numpy(object), frame[C.CALL_SYMBOL].to_numpy(object)
    assert got == [_leg_text(p, c) for p, c in zip(puts, calls)]


def test_empty_and_all_failed_outcomes_assemble_as_the_general_path() -> None:
    failed = {C.UNDERLYING: "BAD", C.SOURCE_FILE: "bad.csv", C.SCREEN_STATUS: C.SCR_FAILED,
              C.SCREEN_REASON: "bad.csv: unknown chain format"}
    for out in (Outcome(), Outcome(summary=[failed]), Outcome(summary=[failed, dict(failed)])):
        assert_same(assemble(out, ScreenConfig()), reference_assemble(out, ScreenConfig()))


def test_compact_stacks_same_layout_runs_and_keeps_order() -> None:
    def frame(n: int, extra: bool = False) -> pd.DataFrame:
        data = {C.SCORE: np.arange(n, dtype=float)}
        if extra:
            data[C.DAYS] = np.arange(n)
        return pd.DataFrame(data)

    out = Outcome(candidates=[(frame(2), "A", "a"), (frame(0), "E", "e"), (frame(3), "B", "b"),
                              (frame(1), "C", "c"), (frame(2, extra=True), "D", "d")])
    parts = out.compact().candidates
    # A alone (the empty E breaks its run and is dropped), then B and C stacked, then D
    # alone (another layout)
    assert [type(p).__name__ for p in parts] == ["tuple", "Stacked", "tuple"]
    stacked = parts[1]
    assert isinstance(stacked, Stacked)
    assert (stacked.underlyings, stacked.labels, stacked.sizes) == (("B", "C"), ("b", "c"), (3, 1))
    assert stacked.frame[C.SCORE].tolist() == [0.0, 1.0, 2.0, 0.0]
    assert stacked.frame.index.equals(pd.RangeIndex(4))
    assert (parts[0][1], parts[2][1]) == ("A", "D")
    assert out.candidates[1][1] == "E"  # the outcome itself is left as it was


# ---------------------------------------------------------------------------
# real chains
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_outcome() -> Outcome:
    """Four chains (the bundled sample under four tickers, one broken) screened in process."""
    if not (CHAIN.exists() and BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    from volscreen.loaders import load_bars
    from volscreen.loaders.chain import load_chain
    from volscreen.screening import ScreenJob, _run_job

    chain, bars = load_chain(CHAIN), load_bars(BARS)
    config = ScreenConfig().replace(targets=[245, 275])
    out = Outcome(keep_surface=True)
    cache: dict[Any, Any] = {}
    for k, ticker in enumerate(("IWM", "AAA", "BAD", "BBB")):
        frame = chain.assign(**{C.UNDERLYING: ticker, C.ROOT: ticker,
                                C.BID: chain[C.BID] * (1 + 0.01 * k)})
        if ticker == "BAD":
            frame = frame.iloc[:0]
        _run_job(ScreenJob(chain=frame, bars=bars, ticker=ticker, label=f"{ticker}.csv"),
                 config, None, out, cache)
    return out


@pytest.mark.parametrize("cuts", [[], [1], [2], [1, 2, 3], [3]],
                         ids=["one-chunk", "1+3", "2+2", "singles", "3+1"])
def test_real_chains_assemble_as_the_general_path(real_outcome: Outcome, cuts: list[int]
                                                  ) -> None:
    want = reference_assemble(real_outcome, ScreenConfig())
    assert len(want.summary) == 4 and len(want.candidates) > 10 and not want.surface.empty
    assert want.failed == ["BAD"]
    assert_same(assemble(chunked(real_outcome, cuts), ScreenConfig()), want)


@pytest.mark.shared
def test_real_shared_chain_assembles_as_the_general_path() -> None:
    from conftest import shared_path

    from volscreen.screening import ScreenJob, _run_job

    path = shared_path("chains", "iwm_yf_cboegreeks_2026-07-14_1555ET.json")
    bars = shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv")
    out = Outcome(keep_surface=True)
    cache: dict[Any, Any] = {}
    for label in ("a.json", "b.json"):
        _run_job(ScreenJob(chain=path, bars=(bars,), label=label), ScreenConfig(), None, out,
                 cache)
    want = reference_assemble(out, ScreenConfig())
    assert len(want.candidates) > 20
    assert_same(assemble(out, ScreenConfig()), want)
    assert_same(assemble(chunked(out, [1]), ScreenConfig()), want)


@pytest.mark.slow
def test_two_workers_give_every_table_of_one_worker(tmp_path: Path, monkeypatch) -> None:
    """Paths screened in worker processes (compacted chunks) equal the in-process screen."""
    if not (CHAIN.exists() and BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    here = workers_take_tasks(monkeypatch)
    from volscreen.screening import jobs_from_paths, screen

    text = CHAIN.read_text()
    for k, ticker in enumerate(("AAA", "BBB", "CCC", "DDD", "EEE")):
        (tmp_path / f"{ticker}_chain.csv").write_text(text.replace("IWM", ticker))
    (tmp_path / "ZZZ_broken.csv").write_text("not,a,chain\n")
    jobs = jobs_from_paths([tmp_path], [BARS])
    serial = screen(jobs, targets=[245, 275])
    parallel = screen(jobs, targets=[245, 275], workers=2)
    assert len(here) < 6  # the worker screened some of them
    assert len(serial.summary) == 6 and serial.failed == ["?"]
    assert len(serial.candidates) > 20 and len(set(serial.candidates[C.UNDERLYING])) == 5
    assert_same(parallel, serial)


# ---------------------------------------------------------------------------
# chunks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("jobs", "workers"), [(1, 2), (10, 2), (100, 2), (1000, 2), (3, 8),
                                               (1000, 4)],
                         ids=["one", "ten", "hundred", "thousand", "more-workers", "four"])
def test_chunk_bounds_cover_jobs_in_order_and_shrink_to_the_end(jobs: int, workers: int
                                                                ) -> None:
    bounds = chunk_bounds(jobs, workers)
    assert [b for _, b in bounds[:-1]] == [a for a, _ in bounds[1:]]  # contiguous
    assert bounds[0][0] == 0 and bounds[-1][1] == jobs
    sizes = [b - a for a, b in bounds]
    assert all(1 <= s <= CHUNK_MAX for s in sizes)
    assert sizes == sorted(sizes, reverse=True)  # never a big chunk after a small one
    assert sizes[0] == chunk_size(jobs, workers)
    assert sizes[-1] == 1  # the last task is one chain: no worker waits on a full chunk
    assert len(bounds) >= min(jobs, workers)


def workers_take_tasks(monkeypatch: Any) -> list[str]:
    """Make the next screens give their worker tasks, whatever their size.

    The started worker gets tasks however few chains are left, and the
    parent starts its first task only once the thread starting the worker
    is done (it has sent the worker its first tasks).  Returns the labels of
    the jobs the parent screens itself.
    """
    import threading
    import time

    from volscreen import _screen_pool as pool

    monkeypatch.setattr(pool, "WORKER_MIN_CHAINS", 0)
    here: list[str] = []
    run_here = pool._run_here

    def after_the_worker(jobs: list[Any], *args: Any) -> Outcome:
        deadline = time.monotonic() + 120
        while any(t.name == "volscreen-workers" and t.is_alive()
                  for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.01)
        here.extend(job.label for job in jobs)
        return run_here(jobs, *args)

    monkeypatch.setattr(pool, "_run_here", after_the_worker)
    return here


@pytest.mark.slow
@pytest.mark.parametrize("worker", [True, False], ids=["worker-takes-tasks", "too-few-chains"])
def test_the_parent_screens_tasks_in_turn_with_the_worker(tmp_path: Path, monkeypatch,
                                                          worker: bool) -> None:
    """Whatever share the parent screens itself, the result is the in-process screen's."""
    if not (CHAIN.exists() and BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    from volscreen import _screen_pool as pool
    from volscreen.screening import jobs_from_paths, screen

    text = CHAIN.read_text()
    for ticker in ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG"):
        (tmp_path / f"{ticker}_chain.csv").write_text(text.replace("IWM", ticker))
    jobs = jobs_from_paths([tmp_path], [BARS])
    serial = screen(jobs, targets=[245, 275])
    here = workers_take_tasks(monkeypatch)
    if not worker:  # seven chains: fewer than a worker's first chain is worth
        monkeypatch.setattr(pool, "WORKER_MIN_CHAINS", 24)
    seen: list[int] = []
    parallel = screen(jobs, targets=[245, 275], workers=2,
                      progress=lambda done, total, label: seen.append(done))
    # seven one-chain tasks; a worker given tasks keeps TASKS_IN_FLIGHT of them
    assert len(set(here)) == len(here)
    assert len(here) <= 7 - pool.TASKS_IN_FLIGHT if worker else len(here) == 7
    assert sorted(seen) == seen and seen[-1] == 7
    assert_same(parallel, serial)


def test_an_error_starting_the_workers_reaches_the_caller() -> None:
    from volscreen._screen_pool import _catching

    errors: list[BaseException] = []
    _catching(lambda: 1 / 0, errors)()
    _catching(lambda: None, errors)()
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)


def test_workers_start_with_the_screen_imported_frozen_and_the_collector_on() -> None:
    """The fork server imports the screen with the collector off (volscreen._preload)."""
    import multiprocessing
    import subprocess
    import sys

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform (workers are spawned)")
    code = ("import gc, sys\n"
            "from concurrent.futures import ProcessPoolExecutor\n"
            "from multiprocessing import forkserver\n"
            "from volscreen._preload import start_fork_server\n"
            "if __name__ == '__main__':\n"
            "    start_fork_server()  # as the command line does, before its own imports\n"
            "    server = forkserver._forkserver._forkserver_pid\n"
            "    print('pandas' in sys.modules)\n"
            "    from volscreen._screen_pool import _context\n"
            "    with ProcessPoolExecutor(1, mp_context=_context()) as pool:\n"
            "        got = pool.submit(eval, \"(__import__('gc').isenabled(),\"\n"
            "                          \" __import__('gc').get_freeze_count(),\"\n"
            "                          \" 'volscreen.structures' in __import__('sys').modules)\")\n"
            "        now = forkserver._forkserver._forkserver_pid\n"
            "        print(*got.result(), gc.isenabled(), gc.get_freeze_count(),\n"
            "              server is not None and now == server)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    early, late = done.stdout.splitlines()
    enabled, frozen, imported, here_enabled, here_frozen, same_server = late.split()
    assert early == "False"  # starting the server imports nothing heavy here
    assert enabled == "True" and int(frozen) > 50_000 and imported == "True"
    assert (here_enabled, here_frozen) == ("True", "0")  # the caller's process is untouched
    assert same_server == "True"  # the pool forks from the server started early


def test_the_preload_module_does_nothing_outside_the_fork_server() -> None:
    import gc
    import importlib

    import volscreen._preload as preload

    before = (gc.isenabled(), gc.get_freeze_count())
    importlib.reload(preload)
    assert not preload._in_fork_server()
    assert (gc.isenabled(), gc.get_freeze_count()) == before
