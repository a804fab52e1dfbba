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
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import volscreen as vs

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv" / (
    "IWM_daily_raw_2000_to_2026-08-21_yf.csv")


def timed(func, repeat: int) -> tuple[float, float]:
    """(best, median) wall time in ms; the best is the least disturbed by other load."""
    func()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return min(runs) * 1e3, statistics.median(runs) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
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
