"""Per-call CPU cost of ndtr/erfc, Black-76 prices, BSM greeks and parity forwards.

    python scripts/bench_special.py [--rounds 30] [--against ROOT]
    python scripts/bench_special.py --accuracy

The default prints microseconds per call (best CPU time, ``time.process_time``,
over ``--rounds`` rounds) of ``volscreen._special.ndtr``/``erfc``,
``black_price`` (boolean rights), ``bsm_greeks`` at n = 30, 100, 3,500 and
1e5 (arguments drawn as in a chain: d1/d2-like values 2 N(0, 1)), then
``forward_arrays`` on the IWM 2026-07-14 chain (3,510 quotes, 31 expiries;
the attribute-free view ``implied_vols`` passes), and the 1-minute load
average.  ``scipy.special.ndtr`` is timed beside ``ndtr`` for scale.

``--against ROOT`` also times another checkout's package (``ROOT/volscreen``,
e.g. ``git archive HEAD~5 volscreen | tar -x -C ROOT``), interleaved round by
round in the same process, checks that both give identical values, and prints
old / new / ratio.

``--accuracy`` runs the accuracy measurement of ``tests/test_special.py`` on
the large grid (about 1e5 points per function, mpmath at 50 digits; about
30 s): the largest ulp error where the result is a normal double, and the
largest error in subnormal ulps below that.
"""
from __future__ import annotations

import argparse
import importlib
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHAIN = ROOT.parent / "shared" / "data" / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
SIZES = (30, 100, 3_500, 100_000)


def _reference_package(root: Path) -> Any:
    """``root/volscreen`` imported as the package ``volscreen_ref``."""
    tmp = Path(tempfile.mkdtemp(prefix="vs_ref_"))
    shutil.copytree(root / "volscreen", tmp / "volscreen_ref",
                    ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(tmp))
    return importlib.import_module("volscreen_ref")


def _best(funcs: list[Callable[[], Any]], rounds: int, inner: int) -> list[float]:
    """Best CPU seconds per call of each function, interleaved round by round."""
    best = [math.inf] * len(funcs)
    for _ in range(rounds):
        for i, func in enumerate(funcs):
            start = time.process_time()
            for _ in range(inner):
                func()
            best[i] = min(best[i], (time.process_time() - start) / inner)
    return best


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b))
    x, y = np.asarray(a), np.asarray(b)
    if x.dtype.kind == "f":
        return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=True))
    return x.shape == y.shape and bool((x == y).all())


def _cases(vs: Any) -> list[tuple[str, Callable[[], Any], int]]:
    special = importlib.import_module(vs.__name__ + "._special")
    pricing = importlib.import_module(vs.__name__ + ".pricing")
    rng = np.random.default_rng(2024)
    cases: list[tuple[str, Callable[[], Any], int]] = []
    for n in SIZES:
        x = rng.standard_normal(n) * 2.0
        f, k = 100.0 + rng.standard_normal(n) * 10, 100.0 + rng.standard_normal(n) * 10
        t, v = rng.uniform(0.01, 1.0, n), rng.uniform(0.1, 0.5, n)
        call = rng.random(n) < 0.5
        inner = max(1, 20_000 // n)
        cases += [
            (f"ndtr n={n}", lambda x=x: special.ndtr(x), inner),
            (f"erfc n={n}", lambda x=x: special.erfc(x), inner),
            (f"black_price n={n}",
             lambda f=f, k=k, t=t, v=v, c=call: pricing.black_price(f, k, t, 0.04, v, c), inner),
            (f"bsm_greeks n={n}",
             lambda f=f, k=k, t=t, v=v, c=call: pricing.bsm_greeks(f, k, t, 0.04, 0.01, v, c),
             inner),
        ]
    if CHAIN.exists():
        forward = importlib.import_module(vs.__name__ + ".forward")
        chain = forward.without_attrs(vs.load_chain(CHAIN))
        cases.append(("forward_arrays IWM 3,510 quotes",
                      lambda: forward.forward_arrays(chain, 0.04, with_keys=False), 10))
    return cases


def bench(rounds: int, against: Path | None) -> None:
    import scipy.special

    import volscreen as vs

    mine = _cases(vs)
    ref = _cases(_reference_package(against)) if against else None
    rng = np.random.default_rng(2024)
    print(f"CPU microseconds per call, best of {rounds} rounds")
    header = f"{'case':34s} {'this':>10s}"
    print(header + (f" {'against':>10s} {'ratio':>7s}" if ref else f" {'scipy ndtr':>11s}"))
    for i, (name, func, inner) in enumerate(mine):
        if ref:
            ref_func = ref[i][1]
            if not _same(func(), ref_func()):
                print(f"{name:34s} VALUES DIFFER")
            new, old = _best([func, ref_func], rounds, inner)
            print(f"{name:34s} {new * 1e6:10.1f} {old * 1e6:10.1f} {old / new:7.2f}")
        else:
            extra = ""
            if name.startswith("ndtr"):
                n = int(name.split("=")[1])
                x = rng.standard_normal(n) * 2.0
                (sp,) = _best([lambda: scipy.special.ndtr(x)], rounds, inner)
                extra = f" {sp * 1e6:11.1f}"
            (new,) = _best([func], rounds, inner)
            print(f"{name:34s} {new * 1e6:10.1f}{extra}")
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")


def accuracy() -> None:
    import mpmath

    from volscreen._special import erfc, ndtr

    mpmath.mp.dps = 50
    sys.path.insert(0, str(ROOT / "tests"))
    from test_special import ERFC_BOUNDS, NDTR_BOUNDS, _exact_erfc, _exact_ndtr, _grid

    tiny = np.finfo(np.float64).tiny
    for name, func, exact, bounds in (("erfc", erfc, _exact_erfc, ERFC_BOUNDS),
                                      ("ndtr", ndtr, _exact_ndtr, NDTR_BOUNDS)):
        x = _grid(bounds, n_uniform=40_001, n_random=20_000, n_near=1_500)
        truth = np.array([exact(v) for v in x])
        got = func(x)
        normal = truth >= tiny
        ulp = np.abs(got[normal] - truth[normal]) / np.spacing(np.abs(truth[normal]))
        sub = np.abs(got[~normal] - truth[~normal]) / 5e-324
        print(f"{name}: {x.size} points; max {ulp.max():.1f} ulp (normal results), "
              f"max {sub.max() if sub.size else 0:.1f} subnormal ulp below")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--against", type=Path)
    ap.add_argument("--accuracy", action="store_true")
    args = ap.parse_args()
    if args.accuracy:
        accuracy()
    else:
        bench(args.rounds, args.against)


if __name__ == "__main__":
    main()
