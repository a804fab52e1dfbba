"""Time building and scoring every candidate on a real chain, beyond the IV step.

Usage: python scripts/bench_structures.py [chain file] [bars file]
Prints the chain size, the IV step time and the candidate-stage timings
(median of repeated runs), then ``candidates()`` end to end with the RV
forecast fitted from the bars (as the screen does), cold (first call on a
history: windows, bootstrap draws and forecasts computed) and warm (the
same history again, as for the second chain of a ticker).  File loading is
not timed.  Figures depend on the machine and its load: the 1-minute load
average is printed with them.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import volscreen
from volscreen import columns as C
from volscreen.probability import add_probabilities
from volscreen.score import add_cheapness, score_candidates
from volscreen.structures import build_structures
from volscreen.targets import add_targets

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CHAIN = DATA / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
BARS = DATA / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"


def timed(fn, repeat=20):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, 1e3 * float(np.median(runs))


def main() -> None:
    chain = volscreen.load_chain(sys.argv[1] if len(sys.argv) > 1 else CHAIN)
    bars = volscreen.load_bars(sys.argv[2] if len(sys.argv) > 2 else BARS)
    qdate = pd.Timestamp(chain[C.QUOTE_TIME].iloc[0]).tz_convert("America/New_York")
    bars = bars.loc[:qdate.tz_localize(None).normalize() - pd.Timedelta(days=1)]
    volscreen.implied_vols(chain, 0.04)  # JIT / cache load outside the timing
    priced, t_iv = timed(lambda: volscreen.implied_vols(chain, 0.04), 5)
    spot = float(priced[C.UNDERLYING_PRICE].iloc[0])
    targets = [round(spot * 0.93), round(spot * 1.05)]
    box = (round(spot * 0.97), round(spot * 1.02))
    rv = {h: 0.2 for h in range(1, 400)}  # fixed forecast: time the candidate stage alone
    summary = volscreen.compression_summary(bars)
    cands, t_build = timed(lambda: build_structures(priced, strikes=box, box=box))
    tgt, t_tgt = timed(lambda: add_targets(cands, targets, atr=3.0, box_height=box[1] - box[0]))
    probs_nb, t_prob = timed(lambda: add_probabilities(tgt, rv=rv))
    probs, t_hist = timed(lambda: add_probabilities(tgt, rv=rv, bars=bars), 5)
    cheap, t_cheap = timed(lambda: add_cheapness(probs))
    _, t_score = timed(lambda: score_candidates(cheap, compression=summary))
    total = t_build + t_tgt + t_hist + t_cheap + t_score
    print(f"chain: {len(chain)} quotes, {chain[C.EXPIRY].nunique()} expiries; "
          f"{len(cands)} candidates in the 7-90 DTE window; {len(bars)} bars")
    print(f"implied_vols (IV step)              {t_iv:8.2f} ms")
    print(f"build_structures                    {t_build:8.2f} ms")
    print(f"add_targets (3 IV scenarios)        {t_tgt:8.2f} ms")
    print(f"add_probabilities, no bars          {t_prob:8.2f} ms")
    print(f"add_probabilities, with history     {t_hist:8.2f} ms")
    print(f"add_cheapness                       {t_cheap:8.2f} ms")
    print(f"score_candidates                    {t_score:8.2f} ms")
    print(f"candidate stage total (with hist)   {total:8.2f} ms")
    from volscreen.probability import _HISTORY_CACHE, _block_starts
    from volscreen.structures import candidates

    def full():  # type: ignore[no-untyped-def]
        return candidates(priced, targets=targets, box=box, strikes=box, bars=bars,
                          compression=summary, atr=3.0)

    cold = []
    for _ in range(5):
        _HISTORY_CACHE.clear()
        _block_starts.cache_clear()
        start = time.perf_counter()
        full()
        cold.append(time.perf_counter() - start)
    _, t_warm = timed(full, 10)
    print(f"candidates() with bars, cold        {1e3 * float(np.median(cold)):8.2f} ms")
    print(f"candidates() with bars, warm        {t_warm:8.2f} ms")
    print(f"load average (1 min)                {os.getloadavg()[0]:8.2f}")


if __name__ == "__main__":
    main()
