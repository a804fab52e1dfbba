"""Per-stage timings of one chain: load, forwards, implied_vols, term_structure,
constant_maturity, model_free_vol; first call (fresh process) and warm.

    python scripts/bench_chain.py [CHAIN] [--rate 0.04] [--repeat 50]

The first-call column runs every stage once, in order, in a fresh Python
process (imports included, so it shows what a CLI run pays); the warm
columns are the best and the median of ``--repeat`` calls in this process.
A last table times implied_vols (forwards included) warm on each IV engine:
the NumPy twin a fresh process uses, and the compiled kernel a process uses
once it has loaded it.  The machine may be shared: the load average is
printed beside the figures, at the start and at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CHAIN = ROOT.parent / "shared" / "data" / "chains" / \
    "iwm_yf_cboegreeks_2026-07-14_1555ET.json"

STAGES = ("import", "load_chain", "forwards", "implied_vols", "term_structure",
          "constant_maturity", "model_free_vol")

_FRESH = """
import json, sys, time
t0 = time.perf_counter()
import volscreen as vs
out = {"import": time.perf_counter() - t0}
def timed(name, fn):
    t = time.perf_counter(); value = fn(); out[name] = time.perf_counter() - t; return value
chain = timed("load_chain", lambda: vs.load_chain(sys.argv[1]))
timed("forwards", lambda: vs.forwards(chain, float(sys.argv[2])))
iv = timed("implied_vols", lambda: vs.implied_vols(chain, float(sys.argv[2])))
term = timed("term_structure", lambda: vs.term_structure(iv))
timed("constant_maturity", lambda: vs.constant_maturity(term))
timed("model_free_vol", lambda: vs.model_free_vol(chain, float(sys.argv[2])))
out["total"] = time.perf_counter() - t0
out["numba_imported"] = "numba" in sys.modules
print(json.dumps(out))
"""


def first_call(chain: Path, rate: float) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", _FRESH, str(chain), str(rate)],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(res.stdout)


def warm(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("chain", nargs="?", default=str(DEFAULT_CHAIN))
    ap.add_argument("--rate", type=float, default=0.04)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    chain_path = Path(args.chain)

    load = os.getloadavg()
    print(f"chain {chain_path.name}; {os.cpu_count()} cores, load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    fresh = [first_call(chain_path, args.rate) for _ in range(3)]

    import volscreen as vs

    chain = vs.load_chain(chain_path)
    iv = vs.implied_vols(chain, args.rate)
    term = vs.term_structure(iv)
    calls: dict[str, Callable[[], object]] = {
        "load_chain": lambda: vs.load_chain(chain_path),
        "forwards": lambda: vs.forwards(chain, args.rate),
        "implied_vols": lambda: vs.implied_vols(chain, args.rate),
        "term_structure": lambda: vs.term_structure(iv),
        "constant_maturity": lambda: vs.constant_maturity(term),
        "model_free_vol": lambda: vs.model_free_vol(chain, args.rate),
    }
    print(f"{len(chain):,d} quotes, {len(term)} expiries\n")
    print(f"{'stage':<18} {'first call (fresh process, best of 3)':>38} "
          f"{'warm best':>10} {'warm median':>12}")
    total_warm = 0.0
    for stage in STAGES:
        first = min(f[stage] for f in fresh)
        if stage in calls:
            best, med = warm(calls[stage], args.repeat)
            total_warm += best
            print(f"{stage:<18} {first * 1e3:>35.1f} ms {best * 1e3:>7.2f} ms "
                  f"{med * 1e3:>9.2f} ms")
        else:
            print(f"{stage:<18} {first * 1e3:>35.1f} ms {'':>10} {'':>12}")
    print(f"{'total':<18} {min(f['total'] for f in fresh) * 1e3:>35.1f} ms "
          f"{total_warm * 1e3:>7.2f} ms")
    print(f"numba imported in the fresh process: {fresh[0]['numba_imported']}")

    # implied_vols (forwards included) on each engine: a fresh process uses the NumPy twin, a
    # process that has loaded the compiled kernel (a watchlist, a server) uses the kernel
    import volscreen.implied as implied

    print("\nimplied_vols (forwards included), warm, by IV engine:")
    for engine in ("numpy", "compiled"):
        implied.ENGINE = engine  # type: ignore[assignment]
        best, med = warm(calls["implied_vols"], args.repeat)
        print(f"  {engine:<9} best {best * 1e3:6.2f} ms  median {med * 1e3:6.2f} ms")
    implied.ENGINE = "auto"
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
