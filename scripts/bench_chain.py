"""Per-stage timings of one chain: load, forwards, implied_vols, term_structure,
constant_maturity, model_free_vol; first call (fresh process) and warm.

    python scripts/bench_chain.py [CHAIN] [--rate 0.04] [--repeat 50] [--bars BARS]

The first-call column runs every stage once, in order, in a fresh Python
process (imports included, so it shows what a CLI run pays); the warm
columns are the best and the median of ``--repeat`` calls in this process.
A table times implied_vols (forwards included) warm on each IV engine:
the NumPy twin a fresh process uses, and the compiled kernel a process uses
once it has loaded it.  The next section times the screen's pricing
stages alone (``forward_arrays``, ``price_chain`` on each engine,
``term_from_priced``) in CPU time, best of at least 200 calls.  The last
section times the screen's per-chain work
(``volscreen.screening._screen_chain``, compiled kernel loaded, bars context
cached as for the 2nd..Nth chain of a history) in CPU time
(``time.process_time``, best of ``--repeat``): the whole call with and
without ``keep_surface``, its own work less the candidates' target,
probability, cheapness and score columns and frame, the bar stages and the
summary ranking (each timed inside the same calls), and the priced-chain
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


class _Stopwatch:
    """CPU time spent inside wrapped functions (process_time), summed until reset."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, fn: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object, **kwargs: object) -> object:
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent += time.process_time() - t0

        return timed


def screen_shares(chain_path: Path, bars_path: Path, rate: float,
                  repeat: int) -> dict[str, float]:
    """CPU seconds (best of ``repeat``) of ``_screen_chain`` calls and of their parts.

    The whole call is timed with the candidates' target, probability,
    cheapness and score columns and frame, the bar stages and the summary
    ranking wrapped in stopwatches, so each call's own share is its time
    less theirs.  Calls with and without ``keep_surface`` alternate, so both
    see the same machine.
    """
    import volscreen as vs
    import volscreen._candidates as cands
    import volscreen.probability as probability
    import volscreen.score as score
    import volscreen.screening as screening
    import volscreen.targets as targets
    from volscreen._screen_inputs import ScreenJob
    from volscreen._screen_rank import Outcome
    from volscreen.config import ScreenConfig

    import volscreen._ivkernel  # noqa: F401  (the compiled kernel, as in a long screen)

    chain = screening._latest_chains(vs.load_chain(chain_path))[0]
    bars = vs.load_bars(bars_path) if bars_path.exists() else None
    config = ScreenConfig(rate=rate)
    job = ScreenJob(chain=chain, bars=bars, label=chain_path.name)
    cache: dict[object, object] = {}
    others = {"candidate columns": _Stopwatch(), "bar stages (cached)": _Stopwatch(),
              "summary ranking": _Stopwatch()}
    patched = [(targets, "target_columns", "candidate columns"),
               (probability, "probability_columns", "candidate columns"),
               (score, "cheapness_columns", "candidate columns"),
               (score, "score_columns", "candidate columns"),
               (score, "score_order", "candidate columns"),
               (cands, "frame_of", "candidate columns"),
               (screening, "_bar_stages", "bar stages (cached)"),
               (screening, "best_of", "summary ranking")]
    saved = [(module, name, getattr(module, name)) for module, name, _ in patched]
    for module, name, part in patched:
        setattr(module, name, others[part].wrap(getattr(module, name)))
    best: dict[str, float] = {}
    try:
        for i in range(repeat + 1):
            for keep in (False, True):
                for watch in others.values():
                    watch.spent = 0.0
                t0 = time.process_time()
                screening._screen_chain(chain, bars, job, config, None,
                                        Outcome(keep_surface=keep), job.label, cache)
                whole = time.process_time() - t0
                if i == 0:
                    continue  # warm-up
                shares = {f"whole, keep_surface={keep}": whole,
                          f"  own work, keep_surface={keep}":
                          whole - sum(w.spent for w in others.values())}
                if not keep:
                    shares.update({f"  {k}": w.spent for k, w in others.items()})
                for k, v in shares.items():
                    best[k] = min(best.get(k, math.inf), v)
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)
    return best


def priced_stages(chain_path: Path, rate: float, repeat: int) -> None:
    """CPU best of the screen's per-chain pricing stages, on each IV engine.

    ``forward_arrays`` (the parity forwards as ``price_chain`` calls them),
    ``price_chain`` without the sides (the screen's call) on the NumPy twin
    and on the compiled kernel, and ``term_from_priced``.
    """
    import volscreen as vs
    import volscreen.implied as implied
    from volscreen._priced import price_chain
    from volscreen.forward import forward_arrays, without_attrs
    from volscreen.screening import _latest_chains
    from volscreen.surface import term_from_priced

    chain = _latest_chains(vs.load_chain(chain_path))[0]
    source = without_attrs(chain)
    priced = price_chain(chain, rate, sides=False)
    figures = {"forward_arrays": cpu_best(
        lambda: forward_arrays(source, rate, with_keys=False), repeat)}
    for engine in ("numpy", "compiled"):
        implied.ENGINE = engine  # type: ignore[assignment]
        figures[f"price_chain, {engine} IV"] = cpu_best(
            lambda: price_chain(chain, rate, sides=False), repeat)
    implied.ENGINE = "auto"
    figures["term_from_priced"] = cpu_best(lambda: term_from_priced(priced), repeat)
    load = os.getloadavg()[0]
    print(f"\nscreen pricing stages, {len(chain):,d} quotes, CPU best of {repeat} "
          f"(load average {load:.2f}):")
    for name, ms in figures.items():
        print(f"  {name:<42} {ms:7.2f} ms")


def screen_path(chain_path: Path, bars_path: Path, rate: float, repeat: int) -> None:
    """Print :func:`screen_shares` and the two routes through the stages it replaces."""
    import volscreen as vs
    from volscreen import columns as C
    from volscreen._candidates import structure_columns
    from volscreen._priced import price_chain
    from volscreen._screen_bars import bars_context
    from volscreen.config import ScreenConfig
    from volscreen.screening import _latest_chains
    from volscreen.surface import cm_values, term_from_priced, term_structure

    best = screen_shares(chain_path, bars_path, rate, repeat)
    chain = _latest_chains(vs.load_chain(chain_path))[0]
    config = ScreenConfig(rate=rate)
    box = None
    if bars_path.exists():
        box = bars_context(vs.load_bars(bars_path), chain[C.QUOTE_TIME].iloc[0], {}).box
    legs = dict(dte=config.dte, straddle=True, deltas=config.deltas, strikes=None, box=box)

    def arrays_route() -> None:
        p = price_chain(chain, rate, sides=False)
        cm_values(term_from_priced(p))
        structure_columns(p, **legs)

    def frame_route() -> None:
        with_iv = vs.implied_vols(chain, rate)
        cm_values(term_structure(with_iv))
        structure_columns(with_iv, **legs)

    best["priced-chain route (price, term, legs)"] = cpu_best(arrays_route, repeat) / 1e3
    best["public route (implied_vols frame)"] = cpu_best(frame_route, repeat) / 1e3
    load = os.getloadavg()[0]
    print(f"\nscreen per-chain work (_screen_chain), {len(chain):,d} quotes, CPU best of "
          f"{repeat} (load average {load:.2f}):")
    for name, seconds in best.items():
        print(f"  {name:<42} {seconds * 1e3:7.2f} ms")


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
    priced_stages(chain_path, args.rate, max(args.repeat, 200))
    screen_path(chain_path, Path(args.bars), args.rate, args.repeat)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
