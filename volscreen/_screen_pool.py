"""Screen many chains in this process and worker processes (``screen(..., workers=N)``).

``workers=N`` is N processes screening: this one and N - 1 workers.  The
caller's process takes tasks in turn with the workers from the start: it
has the screen imported already, while the first worker needs the fork
server's imports (about a second, :data:`PRELOAD`) before its first chain;
a thread waits for that start while this process screens.  On two cores,
one worker and the parent leave no core idle during the start-up, and half
the chains are never pickled.

What crosses the process boundary, and how often:

* once per worker (the pool initializer): the config, the store path, every
  distinct bars DataFrame given in memory (jobs carry a :class:`SharedBars`
  token in its place), and whether to load the compiled IV kernel;
* once per task: a chunk of up to :data:`CHUNK_MAX` jobs, smaller towards the
  end (:func:`chunk_bounds`) so the processes finish together.  A job whose
  chain is a path is a few hundred bytes (the worker loads the file: the CLI
  case); a chain given as a DataFrame is pickled with its job;
* back, once per task: an :class:`~volscreen._screen_rank.Outcome` holding
  only what the result keeps (summary rows, candidates, term structures,
  compression rows, warnings; per-quote surfaces only when asked), its
  frames stacked per table (:meth:`~volscreen._screen_rank.Outcome.compact`):
  for 25 chains about 1 ms to pickle and 1 ms to unpickle instead of 13 and
  15 ms with one frame per chain, and the parent's final concatenation has
  a few parts per task instead of one per chain.

Each worker keeps one cache for its whole life: bars files are read once
and the bars context (realized vol, compression, range box, RV forecasts;
:func:`volscreen._screen_bars.bars_context`) is computed once per history
and quote date in each worker, not once per chain or per task.

Tasks are sent :data:`TASKS_IN_FLIGHT` per worker ahead; the parent takes
the next task not yet sent whenever it is free, and between its own chains
collects the workers' results and sends them more.  A worker that starts
with fewer than :data:`WORKER_MIN_CHAINS` chains left gets none (its first
chain costs more than the parent needs for them).

Workers are started by a fork server (POSIX; spawned elsewhere): one fresh
interpreter imports the screen's modules once (:data:`PRELOAD`, about a
second) and each worker is forked from it, never from the caller's process,
which may be running threaded kernels.  Two spawned workers each paid the
imports: 1.6-3.7 s until both were ready, against 1.3-1.9 s from the fork
server (load average 4 on 2 cores).  The whole screen uses one IV engine
(:func:`screen_engine`): the compiled kernel from
:data:`COMPILED_MIN_CHAINS` chains (each worker loads it first), else the
NumPy twin, in the workers and in the parent alike.
"""
from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ._preload import PRELOAD, fork_context  # noqa: F401  (PRELOAD: named here in docs)
from ._screen_inputs import Progress, ScreenJob
from ._screen_rank import Outcome
from .config import ScreenConfig

CHUNKS_PER_WORKER = 4
"""Tasks per worker at least: load balance between workers."""
CHUNK_MAX = 25
"""Jobs per task at most: progress granularity (IPC per task is small against a chain)."""
TASKS_IN_FLIGHT = 2
"""Tasks sent ahead per worker: one running, one queued (the parent sends more between
its own chains); the rest wait in the parent, which takes them in turn with the workers."""
WORKER_MIN_CHAINS = 24
"""Chains still unsent when a worker has started, from which it gets tasks at all.

A worker's first chain costs about 0.1 s more than the next ones (reading
the bars, their context, the stages' first calls; 0.2 s more again where
it loads the compiled IV kernel), the time of 5-15 chains at 20 ms each:
with fewer than about twice that left, the parent finishes them sooner
alone."""
COMPILED_MIN_CHAINS = 600
"""Chains in a screen from which every chain is solved by the compiled IV kernel.

Measured on 100 canonical IWM chain files of 2026-07-14 (3,510 quotes each),
one process, best of 3 (load average 1.4): the screen's work per chain is
30.6 ms CPU with the compiled kernel against 31.4 ms with the NumPy twin,
and loading numba and the cached kernel costs 0.21 s once per process: it
pays from about 270 chains per process, and 600 chains give 300 to each
of two processes."""


def screen_engine(n_chains: int) -> Literal["auto", "numpy", "compiled"]:
    """The IV engine of a whole screen of ``n_chains`` chains (parent and workers alike).

    :data:`volscreen.implied.ENGINE` when it is set (not ``"auto"``);
    otherwise ``"compiled"`` from :data:`COMPILED_MIN_CHAINS` chains, else
    ``"numpy"``.  Chosen from the number of chains alone, never from what
    the process loaded before, so a screen gives the same bits with one
    worker or several and wherever its tasks run (the two engines agree
    to a few 1e-15 in vol, not bit for bit).
    """
    from . import implied

    if implied.ENGINE != "auto":
        return implied.ENGINE
    return "compiled" if n_chains >= COMPILED_MIN_CHAINS else "numpy"


_STATE: dict[str, Any] = {}  # the worker's config, store, shared bars and cache


@dataclasses.dataclass(frozen=True)
class SharedBars:
    """Stands for a bars DataFrame sent once to each worker instead of with every job."""

    key: int


def _share(value: Any, frames: dict[int, pd.DataFrame]) -> Any:
    if isinstance(value, pd.DataFrame):
        frames.setdefault(id(value), value)
        return SharedBars(id(value))
    if isinstance(value, Mapping):
        return {k: _share(v, frames) for k, v in value.items()}
    return value


def _unshare(value: Any, frames: Mapping[int, pd.DataFrame]) -> Any:
    if isinstance(value, SharedBars):
        return frames[value.key]
    if isinstance(value, Mapping):
        return {k: _unshare(v, frames) for k, v in value.items()}
    return value


def _init_worker(frames: dict[int, pd.DataFrame], config: ScreenConfig, store: Any,
                 keep_surface: bool, engine: Literal["auto", "numpy", "compiled"]) -> None:
    from . import implied
    from .screening import _open_store

    implied.ENGINE = engine  # the screen's engine (screen_engine), for every chain
    import gc

    from ._gc import GC_THRESHOLD

    gc.freeze()  # the imported modules: never rescanned by the worker's collections
    gc.set_threshold(*GC_THRESHOLD)
    gc.enable()
    if engine == "compiled":
        import volscreen._ivkernel  # noqa: F401  (load it once, before the first chain)
    _STATE.update(frames=frames, config=config, store=_open_store(store),
                  keep_surface=keep_surface, cache={})


def _run_here(jobs: list[ScreenJob], config: ScreenConfig, here: dict[str, Any],
              keep_surface: bool, after_each: Callable[[], None] | None = None) -> Outcome:
    """Screen ``jobs`` in this process (the parent's share of the tasks).

    ``here`` holds the store (a path until the first call opens it) and the
    cache of the parent's tasks, as a worker's :data:`_STATE` does.
    ``after_each`` is called after every chain (the parent serves the
    workers between its chains).
    """
    from .screening import _open_store, _run_job

    if "cache" not in here:
        here.update(store=_open_store(here["store"]), cache={})
    out = Outcome(keep_surface=keep_surface)
    for job in jobs:
        _run_job(job, config, here["store"], out, here["cache"])
        if after_each is not None:
            after_each()
    return out.compact()  # stacked while the workers run: the final assembly concatenates less


def _run_chunk(jobs: list[ScreenJob]) -> Outcome:
    """Screen ``jobs`` in order with the worker's config, store and cache."""
    from .screening import _run_job

    out = Outcome(keep_surface=_STATE["keep_surface"])
    for job in jobs:
        if job.bars is not None:
            job = dataclasses.replace(job, bars=_unshare(job.bars, _STATE["frames"]))
        _run_job(job, _STATE["config"], _STATE["store"], out, _STATE["cache"])
    return out.compact()  # a few stacked frames pickle far faster than one per chain


def _context() -> Any:
    """A fork server with :data:`PRELOAD` imported where available, else spawn."""
    return fork_context()


def chunk_size(n_jobs: int, workers: int) -> int:
    """Jobs per task: at least :data:`CHUNKS_PER_WORKER` tasks per worker, at most
    :data:`CHUNK_MAX` jobs each."""
    return max(1, min(CHUNK_MAX, math.ceil(n_jobs / (workers * CHUNKS_PER_WORKER))))


def chunk_bounds(n_jobs: int, workers: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each task's jobs: :func:`chunk_size` of the jobs still left.

    Tasks shrink as the end nears (guided scheduling), down to one job: the
    workers run out of work at nearly the same time instead of one waiting
    for the other's last full chunk.
    """
    bounds = []
    start = 0
    while start < n_jobs:
        stop = start + chunk_size(n_jobs - start, workers)
        bounds.append((start, stop))
        start = stop
    return bounds


def _catching(func: Any, errors: list[BaseException]) -> Any:
    """``func`` for a thread: an exception is kept in ``errors`` for the caller to raise."""
    def run() -> None:
        try:
            func()
        except BaseException as exc:  # re-raised by the thread that joins
            errors.append(exc)

    return run


def run_parallel(jobs: list[ScreenJob], config: ScreenConfig, store: Any, keep_surface: bool,
                 workers: int, progress: Progress | None) -> Outcome:
    """Screen ``jobs`` here and on ``workers - 1`` worker processes; the outcome is in job order.

    This process takes tasks in turn with the workers (:func:`_run_here`):
    from the start while the fork server imports the screen (the first
    worker is started from a thread), then like any worker, collecting and
    sending the workers' tasks between its own.
    """
    import threading
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    if store is not None and not isinstance(store, (str, Path)):
        store = store.path  # each worker opens the store itself
    frames: dict[int, pd.DataFrame] = {}
    light = [dataclasses.replace(job, bars=_share(job.bars, frames)) for job in jobs]
    bounds = chunk_bounds(len(light), workers)
    chunks = [light[start:stop] for start, stop in bounds]
    from .implied import ENGINE as engine  # set by screen() to screen_engine(len(jobs))
    results: dict[int, Outcome] = {}
    done = 0

    def finished(index: int, outcome: Outcome) -> None:
        nonlocal done
        results[index] = outcome
        done += len(chunks[index])
        if progress is not None:
            progress(done, len(jobs), Path(chunks[index][-1].label).name)

    pending = deque(range(len(chunks)))  # tasks not yet taken, in job order
    running: dict[Future[Outcome], int] = {}
    lock = threading.Lock()  # guards ``running`` between the starter thread and this one
    n_procs = max(1, min(workers - 1, len(chunks) - 1))
    here: dict[str, Any] = {"store": store}

    def take() -> int | None:
        try:
            return pending.popleft()
        except IndexError:
            return None

    def unsent() -> int:  # chains in the tasks not yet taken (contiguous, in order)
        try:
            return len(jobs) - bounds[pending[0]][0]
        except IndexError:
            return 0

    def feed() -> None:  # keep TASKS_IN_FLIGHT tasks queued per worker, never all of them
        while helped:
            with lock:
                if len(running) >= n_procs * TASKS_IN_FLIGHT:
                    return
            index = take()
            if index is None:
                return
            future = pool.submit(_run_chunk, chunks[index])  # the first starts a worker
            with lock:
                running[future] = index

    def collect(block: bool) -> None:
        with lock:
            futures = list(running)
        if not futures:
            return
        completed, _ = wait(futures, timeout=None if block else 0,
                            return_when=FIRST_COMPLETED)
        for future in completed:
            with lock:
                index = running.pop(future)
            finished(index, future.result())

    context = _context()
    with ProcessPoolExecutor(max_workers=n_procs, mp_context=context,
                             initializer=_init_worker,
                             initargs=(frames, config, store, keep_surface, engine)) as pool:
        # starting a worker waits for the fork server's imports (about a second): a
        # thread waits for it while this process screens the first tasks itself.  The
        # worker is started with an empty call, so no task waits in it meanwhile: a
        # screen this process finishes alone never waits for a worker's chains.
        def start_worker() -> None:
            pool.submit(int)
            if unsent() < WORKER_MIN_CHAINS:  # this process finishes sooner alone
                helped.clear()
            feed()

        def serve() -> None:  # between the parent's chains: results in, tasks out
            if not starter.is_alive():
                collect(block=False)
                feed()

        helped = [True]  # emptied when the started worker is not worth its first task
        failed: list[BaseException] = []
        starter = threading.Thread(target=_catching(start_worker, failed),
                                   name="volscreen-workers", daemon=True)
        starter.start()
        while (index := take()) is not None:
            start, stop = bounds[index]
            finished(index, _run_here(jobs[start:stop], config, here, keep_surface, serve))
        starter.join()
        if failed:
            raise failed[0]
        while running:
            collect(block=True)
    merged = Outcome(keep_surface=keep_surface)
    for index in range(len(chunks)):
        merged.extend(results[index])
    return merged
