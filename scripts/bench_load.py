"""Time load_chain on every shared chain file and load_bars on every OHLCV file.

Usage: python scripts/bench_load.py [repeats]    (--help: this text)
Prints the best of ``repeats`` wall-clock timings per file (skips when
../shared/data is absent).

python scripts/bench_load.py --process [runs]
    Whole-process time of ``volscreen screen`` on the IWM chain of 2026-07-14
    with the IWM daily history since 2000 (issue 7: imports included): the
    median wall and CPU (user + sys) seconds of ``runs`` runs, and the load
    average before and after.

python scripts/bench_load.py --cold [runs]
    First-call cost in fresh processes: import time of volscreen.loaders,
    then the first and second load_chain of the IWM 2026-07-14 JSON and the
    first load_bars of the IWM history (medians of ``runs`` processes; CPU
    time and wall time, each from its own processes).
    Compile the package first (``python -m compileall -q volscreen``) when
    PYTHONDONTWRITEBYTECODE is set, or the figures include compiling.

python scripts/bench_load.py --canonical [rounds] [--against ROOT]
    Warm load_chain of canonical CSV and Parquet files (issue 7): the screen
    benchmark's kind of file (the IWM 2026-07-14 chain renamed to ticker
    T0001 and written by pyarrow, as scripts/bench_screen.py does), the same
    chain written by save_chain as CSV and as Parquet (without pyarrow: no
    Parquet line), and, for comparison, the IWM JSON and the SPX 2019-06-21
    gzip CSV themselves.  Each round runs a fresh process per code version
    and takes the best CPU time of 25 calls per file; printed are the median
    and minimum over rounds.  Versions: this checkout with the canonical
    shortcuts, the same with them off (``FAST_CANONICAL_CSV`` and
    ``FAST_CANONICAL_PARQUET`` False), and with
    ``--against ROOT`` another checkout (e.g. ``git archive HEAD~3 volscreen``
    unpacked in ROOT), run interleaved round by round.

python scripts/bench_load.py --special
    Nanoseconds per element of volscreen._special.ndtr/erfc and
    scipy.special.ndtr/erfc at n = 1e3, 1e4, 1e6 (standard normal arguments).
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from volscreen.loaders import load_bars, load_chain  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SCREEN_CHAIN = SHARED / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
SCREEN_BARS = SHARED / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"
EXTRA = {"spy_yf_2025-08-26_afterclose.csv": {"quote_time": "2025-08-26 16:00"}}


def best_of(func, repeats: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = len(func())
        times.append(time.perf_counter() - start)
    return min(times), rows


def bench_process(runs: int) -> None:
    """Median wall and CPU seconds of whole ``volscreen screen`` processes."""
    if not SCREEN_CHAIN.is_file() or not SCREEN_BARS.is_file():
        print(f"skipped: {SCREEN_CHAIN.name} or {SCREEN_BARS.name} is absent")
        return
    cmd = [sys.executable, "-m", "volscreen", "screen", str(SCREEN_CHAIN), "--bars",
           str(SCREEN_BARS)]
    env = dict(os.environ, VOLSCREEN_STORE=os.environ.get(
        "VOLSCREEN_STORE", str(Path("/nonexistent") / "history.sqlite")))
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm the .pyc files
    load_before = os.getloadavg()
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    load_after = os.getloadavg()
    print(f"volscreen screen {SCREEN_CHAIN.name} --bars {SCREEN_BARS.name}")
    print(f"runs {runs}: wall median {statistics.median(walls):.3f} s "
          f"(min {min(walls):.3f}, max {max(walls):.3f}); "
          f"cpu median {statistics.median(cpus):.3f} s (min {min(cpus):.3f})")
    print(f"load average 1 min: {load_before[0]:.2f} before, {load_after[0]:.2f} after")


_COLD_SCRIPT = """
import sys, time
clock = time.process_time if sys.argv[3] == "cpu" else time.perf_counter
t0 = clock()
from volscreen.loaders import load_bars, load_chain
t1 = clock()
load_chain(sys.argv[1])
t2 = clock()
load_chain(sys.argv[1])
t3 = clock()
load_bars(sys.argv[2])
t4 = clock()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""


def bench_cold(runs: int) -> None:
    """Median (and minimum) import / first / second call times over fresh processes.

    Both clocks are printed: CPU time of the process (``time.process_time``,
    what the machine's other work disturbs least) and wall time.
    """
    if not SCREEN_CHAIN.is_file() or not SCREEN_BARS.is_file():
        print(f"skipped: {SCREEN_CHAIN.name} or {SCREEN_BARS.name} is absent")
        return
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    rows: dict[str, list[list[float]]] = {"cpu": [], "wall": []}
    for _ in range(runs):
        for clock in rows:
            cmd = [sys.executable, "-c", _COLD_SCRIPT, str(SCREEN_CHAIN), str(SCREEN_BARS), clock]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
            rows[clock].append([float(x) * 1e3 for x in done.stdout.split()])
    labels = ("import volscreen.loaders", "first load_chain", "second load_chain",
              "first load_bars")
    print(f"fresh processes: {runs} per clock; {SCREEN_CHAIN.name}, {SCREEN_BARS.name}")
    print(f"  {'':26s} {'cpu median (min) ms':>22s} {'wall median (min) ms':>22s}")
    for i, label in enumerate(labels):
        cells = []
        for clock in rows:
            values = [r[i] for r in rows[clock]]
            cells.append(f"{statistics.median(values):7.1f} ({min(values):.1f})")
        print(f"  {label:26s} {cells[0]:>22s} {cells[1]:>22s}")
    print(f"load average 1 min: {os.getloadavg()[0]:.2f}")


_CANONICAL_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from volscreen.loaders import chain as module
for flag in ("FAST_CANONICAL_CSV", "FAST_CANONICAL_PARQUET"):
    setattr(module, flag, getattr(module, flag, None) is not None and sys.argv[2] == "fast")
out = []
for path in sys.argv[3:]:
    for _ in range(3):
        module.load_chain(path)
    times = []
    for _ in range(25):
        start = time.process_time()
        module.load_chain(path)
        times.append(time.process_time() - start)
    out.append(min(times))
print(" ".join(str(t) for t in out))
"""


def _canonical_files(folder: Path) -> list[Path]:
    """The benchmark's canonical CSV files, written into ``folder``."""
    from volscreen import columns as C
    from volscreen.loaders import save_chain

    chain = load_chain(SCREEN_CHAIN)
    base = chain[[c for c in chain.columns
                  if c not in (C.MID, C.SPREAD, C.SPREAD_PCT, C.QUOTE_STATUS)]]
    renamed = base.assign(**{C.UNDERLYING: "T0001", C.ROOT: "T0001"})
    bench_style = folder / "T0001_2026-07-14_1555ET.csv"
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        save_chain(renamed, bench_style)
    else:
        pacsv.write_csv(pa.Table.from_pandas(renamed, preserve_index=False), bench_style)
    saved = save_chain(chain, folder / "iwm_2026-07-14_save_chain.csv")
    files = [bench_style, saved]
    try:
        files.append(save_chain(chain, folder / "iwm_2026-07-14_save_chain.parquet"))
    except ImportError:  # no pyarrow: no Parquet line
        pass
    return [*files, SCREEN_CHAIN, SHARED / "chains" / "spx_full_chain_20190621.csv.gz"]


def bench_canonical(rounds: int, against: str | None) -> None:
    """Best-of-25 warm load_chain per file, fresh processes, versions interleaved."""
    import tempfile

    if not SCREEN_CHAIN.is_file():
        print(f"skipped: {SCREEN_CHAIN.name} is absent")
        return
    root = str(Path(__file__).resolve().parents[1])
    versions = {"shortcut": (root, "fast"), "general path": (root, "general")}
    if against:
        versions[f"against {against}"] = (against, "fast")
    with tempfile.TemporaryDirectory() as folder:
        files = [p for p in _canonical_files(Path(folder)) if p.is_file()]
        results: dict[str, list[list[float]]] = {v: [] for v in versions}
        load_before = os.getloadavg()[0]
        for _ in range(rounds):
            for label, (code_root, mode) in versions.items():
                done = subprocess.run([sys.executable, "-c", _CANONICAL_CHILD, code_root, mode,
                                       *map(str, files)], check=True, capture_output=True,
                                      text=True)
                results[label].append([float(x) * 1e3 for x in done.stdout.split()])
    print(f"warm load_chain, CPU best of 25 per process; median (min) over {rounds} rounds, ms")
    print(f"{'file':48s}" + "".join(f"{v[:22]:>24s}" for v in versions))
    for i, path in enumerate(files):
        cells = []
        for label in versions:
            values = [r[i] for r in results[label]]
            cells.append(f"{statistics.median(values):.1f} ({min(values):.1f})")
        print(f"{path.name:48s}" + "".join(f"{c:>24s}" for c in cells))
    print(f"load average 1 min: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")


def bench_special() -> None:
    """ns per element: volscreen._special against scipy.special."""
    import timeit

    import numpy as np
    import scipy.special

    from volscreen import _special

    rng = np.random.default_rng(0)
    print(f"{'n':>9s} {'function':8s} {'volscreen ns':>13s} {'scipy ns':>9s} {'ratio':>6s}")
    for n in (1_000, 10_000, 1_000_000):
        x = rng.standard_normal(n)
        number = max(3, 2_000_000 // n)
        for name in ("ndtr", "erfc"):
            ours, theirs = getattr(_special, name), getattr(scipy.special, name)
            t_ours = min(timeit.repeat(lambda: ours(x), number=number, repeat=5)) / number
            t_theirs = min(timeit.repeat(lambda: theirs(x), number=number, repeat=5)) / number
            print(f"{n:9d} {name:8s} {t_ours / n * 1e9:13.1f} {t_theirs / n * 1e9:9.1f} "
                  f"{t_ours / t_theirs:6.1f}")


def _usage(code: int) -> None:
    """Print the usage (this module's docstring) and exit: 0 when asked for, 2 on a bad argument."""
    print(__doc__.strip(), file=sys.stdout if code == 0 else sys.stderr)
    sys.exit(code)


def _count(args: list[str], default: int) -> int:
    """The optional positive count in ``args`` (usage and exit 2 when it is not one)."""
    if not args:
        return default
    if len(args) > 1 or not args[0].isdigit() or int(args[0]) < 1:
        _usage(2)
    return int(args[0])


def main() -> None:
    if sys.argv[1:2] in (["--help"], ["-h"]):
        _usage(0)
    if sys.argv[1:2] == ["--process"]:
        bench_process(_count(sys.argv[2:], 10))
        return
    if sys.argv[1:2] == ["--cold"]:
        bench_cold(_count(sys.argv[2:], 10))
        return
    if sys.argv[1:2] == ["--canonical"]:
        rest = sys.argv[2:]
        against = None
        if "--against" in rest:
            at = rest.index("--against")
            if at + 1 >= len(rest):
                _usage(2)
            against = rest[at + 1]
            rest = rest[:at] + rest[at + 2:]
        bench_canonical(_count(rest, 5), against)
        return
    if sys.argv[1:2] == ["--special"]:
        if sys.argv[2:]:
            _usage(2)
        bench_special()
        return
    repeats = _count(sys.argv[1:], 3)
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent")
        return
    print(f"{'file':58s} {'rows':>7s} {'best s':>8s} {'rows/s':>10s}")
    for folder, loader in (("chains", load_chain), ("ohlcv", load_bars)):
        for path in sorted((SHARED / folder).iterdir()):
            kwargs = EXTRA.get(path.name, {})
            secs, rows = best_of(lambda: loader(path, **kwargs), repeats)
            print(f"{path.name:58s} {rows:7d} {secs:8.3f} {rows / secs:10.0f}")


if __name__ == "__main__":
    main()
