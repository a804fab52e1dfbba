"""Benchmark: realized vol, vol cone, compression and range box on long histories.

Prints the best and median wall time of each stage over repeated runs (after
one warm-up run, so imports are not counted) for every daily file given, by
default the 26 years of IWM in ../shared/data, with the machine's load average
before and after (the best is the figure least disturbed by other load).

The "compression + RV + cone" line times one call of ``compression(bars)``
followed by ``vol_cone(bars)``, what a screen needs per ticker: the cone
computes the rolling vols of all 7 windows itself and reports today's value of
each, so ``realized_vols`` is not added to it (a caller who wants the full
rolling-vol series calls it on top; its own line gives that cost).

    python scripts/bench_realized.py [BARS_FILE ...] [--repeat N]
    python scripts/bench_realized.py --screen [--chain CHAIN] [--repeat N]

``--screen`` times the per-history and per-chain stages of the screen on one
real chain (default: IWM 2026-07-14 15:55 ET, 36 candidates over 9
horizons, against the first bars file), in CPU milliseconds
(``time.process_time``, which other processes on a shared machine disturb
less than wall time):

* cold: a fresh interpreter (``--child``) screens the chain once; printed
  are the bars stage (RV20, compression summary, range box:
  ``_screen_bars._compute``) and the target, probability (with the RV
  forecasts of every horizon and the bootstrap's draws) and frame stages;
* warm: the chain screened ``--repeat`` times with one cache (a worker of a
  many-chain screen against one history and quote date): best and median
  of each stage per chain.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import volscreen as vs

DATA = Path(os.environ.get("VOLSCREEN_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data"))
DEFAULT = DATA / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"
DEFAULT_CHAIN = DATA / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
SCREEN_STAGES = (("bars", "volscreen._screen_bars", "_compute"),
                 ("targets", "volscreen.targets", "target_columns"),
                 ("probabilities", "volscreen.probability", "probability_columns"),
                 ("frame", "volscreen._candidates", "frame_of"))
"""(label, module, function) of each screen stage timed by ``--screen``."""


def timed(func, repeat: int) -> tuple[float, float]:
    """(best, median) wall time in ms; the best is the least disturbed by other load."""
    func()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return min(runs) * 1e3, statistics.median(runs) * 1e3


def screen_stage_times(chain: Path, bars: Path, runs: int) -> dict[str, list[float]]:
    """CPU ms of each :data:`SCREEN_STAGES` call over ``runs`` screens sharing one cache."""
    import importlib

    from volscreen._screen_inputs import jobs_for
    from volscreen._screen_rank import Outcome
    from volscreen.config import ScreenConfig
    from volscreen.screening import _run_job

    times: dict[str, list[float]] = {label: [] for label, _, _ in SCREEN_STAGES}
    for label, module_name, name in SCREEN_STAGES:
        module = importlib.import_module(module_name)
        func = getattr(module, name)

        def timed_call(*a: Any, _f: Any = func, _l: str = label, **k: Any) -> Any:
            start = time.process_time()
            try:
                return _f(*a, **k)
            finally:
                times[_l].append((time.process_time() - start) * 1e3)

        setattr(module, name, timed_call)
    jobs, cache, config = jobs_for(str(chain), str(bars)), {}, ScreenConfig()
    for _ in range(runs):
        out = Outcome(keep_surface=False)
        for job in jobs:
            _run_job(job, config, None, out, cache)
    return times


def screen_main(chain: Path, bars: Path, repeat: int) -> None:
    print(f"screen stages: {chain.name} against {bars.name} (CPU ms)")
    print("  load average before: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    colds: dict[str, list[float]] = {}
    for _ in range(3):
        child = subprocess.run([sys.executable, __file__, "--child", str(chain), str(bars)],
                               capture_output=True, text=True, check=True)
        for label, value in json.loads(child.stdout).items():
            colds.setdefault(label, []).append(value)
    warm = screen_stage_times(chain, bars, repeat + 1)
    print(f"  {'stage':<16s} {'cold best':>10s} {'warm best':>10s} {'warm median':>12s}")
    total = 0.0
    for label, _, _ in SCREEN_STAGES:
        runs = warm[label][1:] or [float("nan")]  # the first screen is the cold one
        total += min(runs) if label != "bars" else 0.0
        print(f"  {label:<16s} {min(colds[label]):10.2f} {min(runs):10.3f} "
              f"{statistics.median(runs):12.3f}")
    print(f"  targets + probabilities + frame, warm best: {total:.3f} ms per chain "
          "(bars: once per history and quote date)")
    print("  load average after:  " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:  # one cold screen in this fresh interpreter
        times = screen_stage_times(Path(sys.argv[2]), Path(sys.argv[3]), 1)
        print(json.dumps({label: sum(v) for label, v in times.items()}))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--screen", action="store_true",
                        help="time the screen's bars, target, probability and frame stages")
    parser.add_argument("--chain", type=Path, default=DEFAULT_CHAIN)
    args = parser.parse_args()
    if args.screen:
        screen_main(args.chain, args.files[0], args.repeat)
        return
    for path in args.files:
        bars = vs.load_bars(path)
        print(f"{path.name}: {len(bars)} bars, {bars.index[0]} .. {bars.index[-1]}")
        print("  load average before: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
        stages = {
            "realized_vol(20, yang_zhang)": lambda: vs.realized_vol(bars, 20),
            "realized_vols(7 windows)": lambda: vs.realized_vols(bars),
            "vol_cone(7 windows)": lambda: vs.vol_cone(bars),
            "compression": lambda: vs.compression(bars),
            "compression_summary": lambda: vs.compression_summary(bars),
            "range_box(60)": lambda: vs.range_box(bars),
            "rv_forecast(21, HAR + EWMA)": lambda: vs.rv_forecast(bars, 21),
        }
        print(f"  {'stage':<34s} {'best':>8s} {'median':>8s}  (ms)")
        for name, func in stages.items():
            best, median = timed(func, args.repeat)
            print(f"  {name:<34s} {best:8.2f} {median:8.2f}")

        def screen_stage() -> None:
            vs.compression(bars)
            vs.vol_cone(bars)  # all 7 rolling-vol windows, their quantiles and today's value

        best, median = timed(screen_stage, args.repeat)
        print(f"  {'compression + RV + cone':<34s} {best:8.2f} {median:8.2f}"
              "  (compression + vol_cone, which computes the 7 RV windows)")
        for estimator in ("close_to_close", "parkinson", "garman_klass", "rogers_satchell",
                          "yang_zhang", "ewma"):
            best, median = timed(lambda e=estimator: vs.realized_vol(bars, 20, e), args.repeat)
            print(f"  {'realized_vol(20, ' + estimator + ')':<34s} {best:8.2f} {median:8.2f}")
        print("  load average after:  " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
