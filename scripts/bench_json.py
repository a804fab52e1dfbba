"""Time load_chain on the vendor JSON chains, with and without the JSON shortcut.

Usage: python scripts/bench_json.py [--warm repeats] [--cold runs] [--file NAME]

--warm: in one process, the best CPU time (time.process_time) of ``repeats``
    calls per shared JSON chain, the shortcut (``chain.FAST_VENDOR_JSON``)
    on and off, interleaved call by call.
--cold: first-call CPU and wall time of load_chain in fresh processes (after
    ``import volscreen.loaders``), median of ``runs`` processes per setting,
    for the IWM 2026-07-14 chain (or ``--file``); the two settings alternate.
    Compile the package first (``python -m compileall -q volscreen``) when
    PYTHONDONTWRITEBYTECODE is set, or the figures include compiling.

The 1-minute load average is printed beside the figures (the machine is
shared; CPU time is the figure to compare).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "chains"
DEFAULT = "iwm_yf_cboegreeks_2026-07-14_1555ET.json"

_COLD = """
import json, sys, time
w0, c0 = time.perf_counter(), time.process_time()
from volscreen.loaders import chain, load_chain
w1, c1 = time.perf_counter(), time.process_time()
chain.FAST_VENDOR_JSON = sys.argv[2] == "on"
load_chain(sys.argv[1])
w2, c2 = time.perf_counter(), time.process_time()
load_chain(sys.argv[1])
w3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_cpu": c1 - c0, "first_cpu": c2 - c1, "first_wall": w2 - w1,
                  "second_cpu": c3 - c2}))
"""


def warm(repeats: int) -> None:
    from volscreen.loaders import chain, load_chain
    print(f"warm load_chain, best CPU ms of {repeats} (load {os.getloadavg()[0]:.2f})")
    print(f"{'file':55s} {'rows':>6s} {'shortcut':>9s} {'general':>8s}")
    for path in sorted(SHARED.glob("*.json*")):
        best = {True: float("inf"), False: float("inf")}
        rows = 0
        for _ in range(repeats):
            for flag in (True, False):
                chain.FAST_VENDOR_JSON = flag
                start = time.process_time()
                rows = len(load_chain(path))
                best[flag] = min(best[flag], time.process_time() - start)
        chain.FAST_VENDOR_JSON = True
        print(f"{path.name:55s} {rows:6d} {best[True] * 1e3:9.1f} {best[False] * 1e3:8.1f}")


def cold(runs: int, name: str) -> None:
    path = SHARED / name
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    figures: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    load = os.getloadavg()[0]
    for _ in range(runs):
        for setting in ("on", "off"):
            out = subprocess.run([sys.executable, "-c", _COLD, str(path), setting], env=env,
                                 check=True, capture_output=True, text=True).stdout
            figures[setting].append(json.loads(out))
    print(f"cold {name}: medians of {runs} fresh processes "
          f"(load {load:.2f} -> {os.getloadavg()[0]:.2f}), ms")
    print(f"{'shortcut':9s} {'import cpu':>11s} {'1st cpu':>8s} {'1st wall':>9s} {'2nd cpu':>8s}")
    for setting, rows in figures.items():
        med = {k: statistics.median(r[k] for r in rows) * 1e3 for k in rows[0]}
        print(f"{setting:9s} {med['import_cpu']:11.1f} {med['first_cpu']:8.1f} "
              f"{med['first_wall']:9.1f} {med['second_cpu']:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=0, metavar="REPEATS")
    parser.add_argument("--cold", type=int, default=0, metavar="RUNS")
    parser.add_argument("--file", default=DEFAULT)
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent")
        return
    if not args.warm and not args.cold:
        args.warm, args.cold = 15, 9
    if args.warm:
        warm(args.warm)
    if args.cold:
        cold(args.cold, args.file)


if __name__ == "__main__":
    main()
