"""Benchmark the IV engine against vollib's scalar loop on one generated grid.

Grid (as in the issue): spot 262.215, strikes 0.5x-1.5x spot, t from one hour
to two years (log-uniform), vols 5 %-200 %, calls and puts, r = 4 %, q = 1.2 %.
Prices come from volscreen.bsm_price (float64); the accuracy section also
reprices a subsample with 40-digit mpmath to separate solver error from price
rounding.

    python scripts/bench_iv.py [--n 1000000] [--vollib-n 20000] [--exact-n 20000]

Prints IV/s at 1e3 ... n (best of several runs), the first-call (JIT / cache
load) cost, vollib's IV/s on a subsample, the speed ratio, peak extra memory,
and accuracy: max / p99 |iv - sigma| where the time value is >= $0.001, NaN
count by status, and the agreement with vollib.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

SPOT, RATE, DIV = 262.215, 0.04, 0.012


def grid(n: int, seed: int = 2024) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "strike": SPOT * rng.uniform(0.5, 1.5, n),
        "t": np.exp(rng.uniform(np.log(1.0 / 8760.0), np.log(2.0), n)),
        "vol": rng.uniform(0.05, 2.0, n),
        "right": np.where(rng.random(n) < 0.5, "c", "p"),
    }


def first_call_cost(engine: str) -> float:
    code = ("import time; t0 = time.perf_counter(); import volscreen as vs; "
            f"import volscreen.implied as im; im.ENGINE = {engine!r}; "
            "vs.implied_vol(5.0, 100.0, 100.0, 0.5, 0.01, 0.0, 'c'); "
            "print(time.perf_counter() - t0)")
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), os.pardir))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    return float(res.stdout.strip())


def corrections_line(vs: object, g: dict[str, np.ndarray], fwd: np.ndarray, tv: np.ndarray,
                     good: np.ndarray) -> None:
    """Householder corrections per option and the starting guess's error (compiled kernel)."""
    from volscreen import _ivkernel, _ivnumpy

    und_tv = tv[good] * np.exp(RATE * g["t"][good])
    f, k = fwd[good], g["strike"][good]
    xa = -np.abs(np.log(f / k))
    beta = und_tv / np.sqrt(f * k)
    counts = _ivkernel.iteration_counts(xa, beta)
    with np.errstate(all="ignore"):
        s0, _ = _ivnumpy._initial_guess(xa, beta, np.exp(0.5 * xa))
    rel = np.abs(s0 / (g["vol"][good] * np.sqrt(g["t"][good])) - 1.0)
    hist = {int(c): int((counts == c).sum()) for c in np.unique(counts)}
    print(f"  corrections per option (time value >= $0.001; -1 = not converged): {hist}; "
          f"starting guess off by median {np.median(rel):.1e}, max {rel.max():.1e} (relative)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--vollib-n", type=int, default=20_000)
    ap.add_argument("--exact-n", type=int, default=20_000)
    args = ap.parse_args()
    n = int(args.n)

    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for engine in ("numpy", "compiled"):
        cost = min(first_call_cost(engine) for _ in range(3))
        print(f"first call in a fresh process, {engine} engine (import volscreen + solve one "
              f"option, best of 3): {cost:.2f} s")
    import volscreen as vs
    import volscreen.implied as implied
    from volscreen import columns as C

    g = grid(n)
    price = vs.bsm_price(SPOT, g["strike"], g["t"], RATE, DIV, g["vol"], g["right"])
    vs.implied_vol(price[:10], SPOT, g["strike"][:10], g["t"][:10], RATE, DIV, g["right"][:10])

    numba = __import__("numba")
    print(f"\nvolscreen.implied_vol, {os.cpu_count()} cores visible, "
          f"numba threads {numba.get_num_threads()}; a fresh process solves batches below "
          f"{implied.NUMPY_MAX_SIZE:,d} options with numpy (* = its engine), the compiled "
          f"kernel once loaded or from there, on all threads from "
          f"{implied.PARALLEL_MIN_SIZE:,d}; wall clock, best of several runs")
    print("  cpu = CPU time of one thread (compiled kernel, numba threads = 1): the per-core "
          "speed, which other processes on the machine disturb much less than the wall clock")
    size = 1000
    while size <= n:
        sl = slice(0, size)
        args_ = (price[sl], SPOT, g["strike"][sl], g["t"][sl], RATE, DIV, g["right"][sl])
        reps = max(3, int(2e6 // size))
        line = f"  n={size:>9,d}"
        for engine in ("numpy", "compiled", "cpu"):
            if engine == "numpy" and size > 100_000:
                continue
            implied.ENGINE = "numpy" if engine == "numpy" else "compiled"
            clock = time.thread_time if engine == "cpu" else time.perf_counter
            threads = numba.get_num_threads()
            if engine == "cpu":
                numba.set_num_threads(1)
            vs.implied_vol(*args_)
            best = np.inf
            for _ in range(reps):
                t0 = clock()
                vs.implied_vol(*args_)
                best = min(best, clock() - t0)
            numba.set_num_threads(threads)
            mark = "*" if (size < implied.NUMPY_MAX_SIZE) == (engine == "numpy") \
                and engine != "cpu" else " "
            line += f"  {engine}{mark} {size / best / 1e6:6.2f} M IV/s ({best * 1e3:7.2f} ms)"
        implied.ENGINE = "auto"
        print(line)
        size *= 10

    tracemalloc.start()
    iv, status = vs.implied_vol(price, SPOT, g["strike"], g["t"], RATE, DIV, g["right"],
                                return_status=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    inputs = price.nbytes + g["strike"].nbytes + g["t"].nbytes + g["right"].nbytes
    print(f"  peak extra memory at n={n:,d}: {peak / 2**20:.1f} MiB "
          f"({peak / inputs:.1f}x the input arrays)")

    fwd = SPOT * np.exp((RATE - DIV) * g["t"])
    intrinsic = np.exp(-RATE * g["t"]) * np.maximum(
        np.where(g["right"] == "c", fwd - g["strike"], g["strike"] - fwd), 0.0)
    tv = price - intrinsic
    good = tv >= 0.001
    err = np.abs(iv - g["vol"])
    print(f"\naccuracy on float64 prices (time value >= $0.001: {good.sum():,d} rows)")
    print(f"  max |iv - sigma| {np.nanmax(err[good]):.2e}, "
          f"p99 {np.nanpercentile(err[good], 99):.2e}, "
          f"NaN {np.isnan(iv[good]).sum()}")
    corrections_line(vs, g, fwd, tv, good)
    print("  status counts, all rows:",
          {s: int((status == s).sum()) for s in C.IV_STATUSES if (status == s).any()})
    print("  status counts, time value >= $0.001:",
          {s: int((status[good] == s).sum()) for s in C.IV_STATUSES if (status[good] == s).any()})

    try:
        import mpmath as mp
    except ImportError:
        print("  (mpmath not installed: exact-price accuracy skipped)")
    else:
        m = min(args.exact_n, n)
        s_tot = g["vol"][:m] * np.sqrt(g["t"][:m])
        exact = np.empty(m)
        with mp.workdps(40):
            for i in range(m):
                f, k, s = mp.mpf(fwd[i]), mp.mpf(g["strike"][i]), mp.mpf(s_tot[i])
                d1 = mp.log(f / k) / s + s / 2
                if g["right"][i] == "c":
                    exact[i] = float(f * mp.ncdf(d1) - k * mp.ncdf(d1 - s))
                else:
                    exact[i] = float(k * mp.ncdf(s - d1) - f * mp.ncdf(-d1))
        und_intr = np.maximum(np.where(g["right"][:m] == "c", fwd[:m] - g["strike"][:m],
                                       g["strike"][:m] - fwd[:m]), 0.0)
        ok = (exact - und_intr) * np.exp(-RATE * g["t"][:m]) >= 0.001
        iv_x = vs.black_implied_vol(exact, fwd[:m], g["strike"][:m], g["t"][:m], 0.0,
                                    g["right"][:m])
        e = np.abs(iv_x - g["vol"][:m])[ok]
        print(f"  exact (mpmath) prices, first {m:,d} rows "
              f"({ok.sum():,d} with time value >= $0.001): max {np.nanmax(e):.2e}, "
              f"p99 {np.nanpercentile(e, 99):.2e}, NaN {np.isnan(e).sum()}")

    from vollib.black_scholes_merton.implied_volatility import implied_volatility as v_iv

    m = min(args.vollib_n, n)
    ref = np.full(m, np.nan)
    t0 = time.perf_counter()
    for i in range(m):
        try:
            ref[i] = v_iv(price[i], SPOT, g["strike"][i], g["t"][i], RATE, DIV, g["right"][i])
        except Exception:  # vollib raises outside its domain; counted as a failure
            pass
    dt = time.perf_counter() - t0
    rate_v = m / dt
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        vs.implied_vol(price, SPOT, g["strike"], g["t"], RATE, DIV, g["right"])
        best = min(best, time.perf_counter() - t0)
    rate_vs = n / best
    both = np.isfinite(ref) & np.isfinite(iv[:m]) & good[:m]
    diff = np.abs(ref[both] - iv[:m][both])
    print(f"\nvollib scalar loop on the first {m:,d} rows: {rate_v / 1e3:.1f} k IV/s; "
          f"volscreen at n={n:,d}: {rate_vs / 1e6:.2f} M IV/s; ratio {rate_vs / rate_v:.0f}x")
    print(f"  agreement where both succeed (time value >= $0.001, {both.sum():,d} rows): "
          f"max {diff.max():.2e}, p99 {np.percentile(diff, 99):.2e}")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
