"""Per-stage timings of one chain: load, forwards, implied_vols, term_structure,
constant_maturity, model_free_vol; first call (fresh process) and warm.

    python scripts/bench_chain.py [CHAIN] [--rate 0.04] [--repeat 50] [--bars BARS]

The first-call column runs every stage once, in order, in a fresh Python
process (imports included, so it shows what a CLI run pays); the warm
columns are the best and the median of ``--repeat`` calls in this process.
A last table times implied_vols (forwards included) warm on each IV engine:
the NumPy twin a fresh process uses, and the compiled kernel a process uses
once it has loaded it.  The last section times the screen's per-chain work
(``volscreen.screening._screen_chain``, compiled kernel loaded, bars context
cached as for the 2nd..Nth chain of a history) in CPU time
(``time.process_time``, best of ``--repeat``): the whole call with and
without ``keep_surface``, the part of it that is the candidates' target,
probability, cheapness and score columns and frame, and the priced-chain
route (``price_chain`` -> ``term_from_priced`` -> ``structure_columns``)
beside the public route it replaces (``implied_vols`` -> ``term_structure``
-> ``structure_columns`` of the frame).  The machine may be shared: the
load average is printed beside the figures, at the start and at the end.
"""
from __future__ import annotations

import argparse
import json
import math
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

DEFAULT_BARS = ROOT.parent / "shared" / "data" / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"

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


def cpu_best(fn: Callable[[], object], repeat: int) -> float:
    """Best CPU time (process_time) of ``repeat`` calls after one warm-up call, in ms."""
    fn()
    best = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best * 1e3


def screen_path(chain_path: Path, bars_path: Path, rate: float, repeat: int) -> None:
    """CPU time of the screen's per-chain work, and of the routes it takes through the stages."""
    import volscreen as vs
    from volscreen import columns as C
    from volscreen._candidates import run, structure_columns
    from volscreen._priced import price_chain
    from volscreen._screen_bars import bars_context
    from volscreen._screen_inputs import ScreenJob
    from volscreen._screen_rank import Outcome
    from volscreen.config import ScreenConfig
    from volscreen.screening import _latest_chains, _screen_chain
    from volscreen.structures import DEFAULT_SEED
    from volscreen.surface import cm_values, term_from_priced, term_structure

    import volscreen._ivkernel  # noqa: F401  (the compiled kernel, as in a long screen)

    chain = _latest_chains(vs.load_chain(chain_path))[0]
    bars = vs.load_bars(bars_path) if bars_path.exists() else None
    config = ScreenConfig(rate=rate)
    job = ScreenJob(chain=chain, bars=bars, label=chain_path.name)
    cache: dict[object, object] = {}

    def whole(keep: bool) -> None:
        _screen_chain(chain, bars, job, config, None, Outcome(keep_surface=keep), job.label,
                      cache)

    ctx = None if bars is None else bars_context(bars, chain[C.QUOTE_TIME].iloc[0], cache)
    comp = None if ctx is None else ctx.compression
    box = None if ctx is None else ctx.box
    kwargs = dict(targets=None, box=box, dte=config.dte, deltas=config.deltas, strikes=None,
                  horizon=None, iv_shift=config.iv_shift, bars=None if ctx is None else ctx.cut,
                  compression=comp, rv=None if ctx is None else ctx.rv,
                  atr=None if comp is None else float(comp.get(C.ATR, math.nan)),
                  iv_rank=None, condition=None, weights=config.weight_map, seed=DEFAULT_SEED)
    legs = dict(dte=config.dte, straddle=True, deltas=config.deltas, strikes=None, box=box)
    priced = price_chain(chain, rate, sides=False)

    def arrays_route() -> None:
        p = price_chain(chain, rate, sides=False)
        cm_values(term_from_priced(p))
        structure_columns(p, **legs)

    def frame_route() -> None:
        with_iv = vs.implied_vols(chain, rate)
        cm_values(term_structure(with_iv))
        structure_columns(with_iv, **legs)

    figures = {
        "whole, keep_surface=False": cpu_best(lambda: whole(False), repeat),
        "whole, keep_surface=True": cpu_best(lambda: whole(True), repeat),
        "candidate columns after the legs": cpu_best(lambda: run(priced, **kwargs), repeat)
        - cpu_best(lambda: structure_columns(priced, **legs), repeat),
        "priced-chain route": cpu_best(arrays_route, repeat),
        "public route (frame)": cpu_best(frame_route, repeat),
    }
    load = os.getloadavg()[0]
    print(f"\nscreen per-chain work, {len(chain):,d} quotes, CPU best of {repeat} "
          f"(load average {load:.2f}):")
    for name, ms in figures.items():
        print(f"  {name:<36} {ms:7.2f} ms")
    rest = figures["whole, keep_surface=False"] - figures["candidate columns after the legs"]
    print(f"  {'whole (False) less candidate columns':<36} {rest:7.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("chain", nargs="?", default=str(DEFAULT_CHAIN))
    ap.add_argument("--rate", type=float, default=0.04)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--bars", default=str(DEFAULT_BARS))
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
    screen_path(chain_path, Path(args.bars), args.rate, args.repeat)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
