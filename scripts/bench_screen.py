"""Benchmark the morning screen: whole-process wall time and scaling with chains.

Prints figures; asserts nothing.  Needs the real data in ../shared/data.

1. Whole process: ``python -m volscreen screen CHAIN --bars BARS`` on the real
   IWM chain of 2026-07-14 15:55 ET (3,510 quotes, 31 expiries) with the IWM
   daily history 2000-2026 (bars after the quote date are cut off by the
   screen), median of ``--runs`` runs after one untimed run that warms the
   compiled-kernel cache, table to /dev/null and CSV export;
   plus ``volscreen --help`` (start-up cost alone).
2. Scaling: N chains generated IN MEMORY by perturbing the real chain
   (each chain gets its own ticker ``T0001``..., a common vol-level factor
   exp(N(0, 0.05)) on every price and a per-quote factor exp(N(0, 0.01)) on
   bid and ask, bid kept <= ask), all with the same history, screened in
   one ``screen()`` call in-process, per-quote surfaces not kept (as the
   CLI does unless ``--table surface``).

   What is timed: ``screen()`` on the N chain DataFrames (forwards, IVs,
   term structure, realized/compression/box once per history and quote
   date, candidates, probabilities, score, ranking).  NOT timed: generating
   the chains and re-canonicalising them with ``load_chain`` (no file is
   read for them; file parsing of the real chain and bars is measured in
   part 1 and on its own below, ``load``).  Reports wall time, time per
   chain and peak RSS of this process (the generated input chains, about
   1 MB each, are included; with ``--workers`` the workers' memory is
   reported separately as the largest child RSS).

Every figure line carries the 1-minute load average when it was taken: the
machine may be shared, and a load above the core count inflates the times.

The shared data folder defaults to ``../shared/data``; set
``VOLSCREEN_SHARED_DATA`` to point elsewhere.

Usage::

    python scripts/bench_screen.py                 # sizes 1, 10, 100
    python scripts/bench_screen.py --sizes 1,10,100,1000 --runs 5
    python scripts/bench_screen.py --sizes 100,1000 --workers 2
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VOLSCREEN_SHARED_DATA", ROOT.parent / "shared" / "data"))
CHAIN = SHARED / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
BARS = SHARED / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"
SEED = 20260714


def load() -> str:
    """The 1-minute load average, to print beside a figure."""
    return f"(load {os.getloadavg()[0]:.2f})"


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median and minimum wall time of ``cmd`` over ``runs`` runs."""
    times = []
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # warm caches
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def perturbed(chain, n: int, rng):  # type: ignore[no-untyped-def]
    """n copies of ``chain`` with perturbed quotes and tickers T0001..."""
    import numpy as np

    from volscreen import columns as C
    from volscreen.loaders.chain import load_chain

    base = chain[[c for c in chain.columns if c not in (C.MID, C.SPREAD, C.SPREAD_PCT,
                                                        C.QUOTE_STATUS)]]
    out = {}
    for k in range(1, n + 1):
        level = float(np.exp(rng.normal(0.0, 0.05)))
        noise = np.exp(rng.normal(0.0, 0.01, size=(2, len(base))))
        bid = (base[C.BID].to_numpy(float) * level * noise[0]).round(2)
        ask = (base[C.ASK].to_numpy(float) * level * noise[1]).round(2)
        ticker = f"T{k:04d}"
        frame = base.assign(**{C.BID: np.minimum(bid, ask), C.ASK: np.maximum(bid, ask),
                               C.UNDERLYING: ticker, C.ROOT: ticker})
        out[ticker] = load_chain(frame)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs (median)")
    parser.add_argument("--sizes", default="1,10,100", help="chain counts for the scaling run")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes of the scaling run (screen(workers=N))")
    parser.add_argument("--keep-surface", action="store_true",
                        help="keep per-quote IVs in the result (the CLI keeps them only for "
                             "--table surface)")
    args = parser.parse_args()
    if not (CHAIN.exists() and BARS.exists()):
        print(f"shared data absent ({CHAIN.parent}); nothing to benchmark")
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"python {sys.version.split()[0]}")

    py = [sys.executable, "-m", "volscreen"]
    med, best = wall(py + ["--help"], args.runs)
    print(f"volscreen --help                       median {med:6.3f} s  min {best:6.3f} s"
          f"  {load()}")
    med, best = wall([sys.executable, "-c", "import pandas"], args.runs)
    print(f"python -c 'import pandas' (floor)      median {med:6.3f} s  min {best:6.3f} s"
          f"  {load()}")
    cmd = py + ["screen", str(CHAIN), "--bars", str(BARS)]
    med, best = wall(cmd, args.runs)
    print(f"volscreen screen (table, 3,510 quotes) median {med:6.3f} s  min {best:6.3f} s"
          f"  {load()}")
    out = Path("/tmp/volscreen_bench_out.csv")
    med, best = wall(cmd + ["--format", "csv", "--output", str(out)], args.runs)
    print(f"volscreen screen --format csv -o FILE  median {med:6.3f} s  min {best:6.3f} s"
          f"  {load()}")

    import numpy as np

    from volscreen.loaders import load_bars
    from volscreen.loaders.chain import load_chain
    from volscreen.screening import screen

    start = time.perf_counter()
    chain = load_chain(CHAIN)
    bars = load_bars(BARS)
    took = time.perf_counter() - start
    print(f"\nload (in process, chain + 26 years of bars)   {1000 * took:7.1f} ms  {load()}")
    screen(chain, bars)  # warm the compiled kernels and lazy imports
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        screen(chain, bars)
        times.append(time.perf_counter() - start)
    print(f"screen() one chain, warm (median of {args.runs})      "
          f"{1000 * statistics.median(times):7.1f} ms  {load()}")
    rng = np.random.default_rng(SEED)
    print(f"\nscaling (screen(), one call per size, workers={args.workers}):")
    print(f"{'chains':>7} {'quotes':>9} {'wall s':>8} {'ms/chain':>9} {'peak RSS MB':>12} "
          f"{'failed':>7} {'load':>6}")
    for n in (int(s) for s in args.sizes.split(",")):
        chains = perturbed(chain, n, rng)
        quotes = sum(len(c) for c in chains.values())
        start = time.perf_counter()
        result = screen({t: (c, bars) for t, c in chains.items()},
                        keep_surface=args.keep_surface, workers=args.workers)
        took = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{n:7d} {quotes:9d} {took:8.2f} {1000 * took / n:9.1f} {peak:12.0f} "
              f"{len(result.failed):7d} {os.getloadavg()[0]:6.2f}"
              + (f"   largest worker {child:.0f} MB" if args.workers > 1 else ""))


if __name__ == "__main__":
    main()
