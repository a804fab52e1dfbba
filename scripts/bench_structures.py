"""Time building and scoring every candidate of a real chain, beyond the IV step.

Usage: python scripts/bench_structures.py [chain file] [bars file]

Times ``candidates()`` called exactly as the screen calls it
(``volscreen.screening._screen_chain``: default config, the range box and
compression summary of the bars cut at the quote date, the RV forecast of
the screen's per-history context, IV shifts and weights), on the IWM chain
of 2026-07-14 and its daily history:

* cold: the first chain of a history (windows, block draws and RV
  forecasts computed; caches cleared before each run), wall and CPU time;
* warm: the same history again, as for the 2nd..1000th chain of a screen
  (the bootstrap tables are built on the third chain of a history and then
  reused; the one-off build is printed too).

Then the same call on the chain priced as arrays, as the screen makes it
when it keeps no surface (``volscreen._priced.price_chain`` without the
bid/ask IVs, greeks only for the quotes the legs are chosen from), and the
public stages one by one, for reference.  File loading and the IV
step are not part of the candidate figures.  Figures depend on the machine
and its load: the 1-minute load average is printed with them, and the warm
call's CPU time (``time.thread_time``) beside its wall time, as the wall
time on a shared machine includes waits for a core.
"""
from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import volscreen
from volscreen import columns as C
from volscreen._candidates import run
from volscreen._hist import clear_caches
from volscreen._priced import price_chain
from volscreen._screen_bars import bars_context, plain
from volscreen.config import ScreenConfig
from volscreen.probability import add_probabilities
from volscreen.score import add_cheapness, score_candidates
from volscreen.structures import DEFAULT_SEED, build_structures, candidates
from volscreen.targets import add_targets

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CHAIN = DATA / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
BARS = DATA / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"


def timed(fn, repeat=20):  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, 1e3 * float(np.median(runs)), 1e3 * float(np.min(runs))


def main() -> None:
    chain = plain(volscreen.load_chain(sys.argv[1] if len(sys.argv) > 1 else CHAIN))
    bars = volscreen.load_bars(sys.argv[2] if len(sys.argv) > 2 else BARS)
    config = ScreenConfig()
    volscreen.implied_vols(chain, config.rate)  # JIT / cache load outside the timing
    priced, t_iv, _ = timed(lambda: volscreen.implied_vols(chain, config.rate), 5)
    quote_time = pd.Timestamp(chain[C.QUOTE_TIME].iloc[0])

    def context():  # type: ignore[no-untyped-def]
        return bars_context(bars, quote_time, {})  # the screen's per-history context

    def screen_call(ctx):  # type: ignore[no-untyped-def]
        comp = ctx.compression
        return candidates(priced, targets=None, box=ctx.box, dte=config.dte,
                          deltas=config.deltas, iv_shift=config.iv_shift, bars=ctx.cut,
                          compression=comp, rv=ctx.rv, atr=float(comp.get(C.ATR, math.nan)),
                          iv_rank=None, weights=config.weight_map)

    cold, cold_cpu = [], []
    for _ in range(15):
        clear_caches()
        ctx = context()  # fresh RV forecasts per horizon too
        start, start_cpu = time.perf_counter(), time.thread_time()
        out = screen_call(ctx)
        cold_cpu.append(time.thread_time() - start_cpu)
        cold.append(time.perf_counter() - start)
    ctx = context()
    screen_call(ctx)  # second chain of the history: still the direct bootstrap
    start = time.perf_counter()
    screen_call(ctx)  # third: builds the bootstrap tables once
    t_build = 1e3 * (time.perf_counter() - start)
    _, t_warm, t_warm_min = timed(lambda: screen_call(ctx), 200)
    cpu = []
    for _ in range(200):  # this thread's CPU time: not counting waits for a busy core
        start = time.thread_time()
        screen_call(ctx)
        cpu.append(time.thread_time() - start)
    print(f"chain: {len(chain)} quotes, {chain[C.EXPIRY].nunique()} expiries; {len(out)} "
          f"candidates (dte {config.dte[0]}-{config.dte[1]}, straddle + "
          f"{len(config.deltas)} delta strangles + range strangle); {len(ctx.cut)} bars")
    print(f"implied_vols (IV step, for reference)       {t_iv:8.2f} ms")
    print(f"candidates() as the screen calls it, cold   {1e3 * float(np.median(cold)):8.2f} ms")
    cold_ms = 1e3 * float(np.median(cold_cpu))
    print(f"  the same, CPU time of this thread         {cold_ms:8.2f} ms  "
          f"(min {1e3 * min(cold_cpu):.2f})")
    print(f"  third chain of a history (tables built)   {t_build:8.2f} ms  (once)")
    print(f"candidates() as the screen calls it, warm   {t_warm:8.2f} ms  (min {t_warm_min:.2f})")
    print(f"  the same, CPU time of this thread         {1e3 * float(np.median(cpu)):8.2f} ms  "
          f"(min {1e3 * min(cpu):.2f})")

    arrays = price_chain(chain, config.rate, sides=False)

    def arrays_call():  # type: ignore[no-untyped-def]
        comp = ctx.compression
        return run(arrays, targets=None, box=ctx.box, dte=config.dte, deltas=config.deltas,
                   strikes=None, horizon=None, iv_shift=config.iv_shift, bars=ctx.cut,
                   compression=comp, rv=ctx.rv, atr=float(comp.get(C.ATR, math.nan)),
                   iv_rank=None, condition=None, weights=config.weight_map, seed=DEFAULT_SEED)

    pd.testing.assert_frame_equal(arrays_call(), screen_call(ctx), check_exact=True)
    cpu_arrays = []
    for _ in range(200):
        start = time.thread_time()
        arrays_call()
        cpu_arrays.append(time.thread_time() - start)
    _, t_price, _ = timed(lambda: price_chain(chain, config.rate, sides=False), 20)
    print(f"the same on the priced arrays (screen, keep_surface=False), CPU  "
          f"{1e3 * float(np.median(cpu_arrays)):6.2f} ms  (min {1e3 * min(cpu_arrays):.2f})")
    print(f"  price_chain without bid/ask IVs (vs implied_vols above)  {t_price:6.2f} ms")

    spot = float(priced[C.UNDERLYING_PRICE].iloc[0])
    targets = [round(spot * 0.93), round(spot * 1.05)]
    box = (round(spot * 0.97), round(spot * 1.02))
    rv = {h: 0.2 for h in range(1, 400)}  # fixed forecast: time the stages alone
    cut = ctx.cut
    cands, t_b, _ = timed(lambda: build_structures(priced, strikes=box, box=box))
    tgt, t_t, _ = timed(lambda: add_targets(cands, targets, atr=3.0, box_height=box[1] - box[0]))
    probs, t_p, _ = timed(lambda: add_probabilities(tgt, rv=rv, bars=cut), 10)
    cheap, t_c, _ = timed(lambda: add_cheapness(probs))
    _, t_s, _ = timed(lambda: score_candidates(cheap, compression=ctx.compression))
    print(f"stages one by one ({len(cands)} candidates with explicit strikes):")
    print(f"  build_structures                          {t_b:8.2f} ms")
    print(f"  add_targets (3 IV scenarios)              {t_t:8.2f} ms")
    print(f"  add_probabilities (history, warm)         {t_p:8.2f} ms")
    print(f"  add_cheapness                             {t_c:8.2f} ms")
    print(f"  score_candidates                          {t_s:8.2f} ms")
    print(f"load average (1 min)                        {os.getloadavg()[0]:8.2f}")


if __name__ == "__main__":
    main()
