"""Time the CSV, JSON and Parquet exports of a large candidates table.

Usage: python scripts/bench_export.py [--copies N] [--repeat R]

The table: the candidates of the real IWM chain of 2026-07-14 with the IWM
daily history since 2000 (``../shared/data``; without it, the bundled
sample), stacked ``N`` times (default 1,000: 36,000 rows, the size of a
1,000-chain screen's candidates), each copy with its own ticker and every
float column scaled by its own factor exp(N(0, 0.05)) (seeded), so the
numbers have as many digits as real screen output.

Printed, best and median wall time of ``R`` calls each:

* ``csv_text`` as volscreen writes CSV (formatted with Arrow when pyarrow
  is installed) beside the named peer, pandas' ``to_csv`` of the same
  exported table (:func:`volscreen.export.pandas_csv_text`, the reference
  writer used without pyarrow), the ratio, and whether the bytes are
  identical;
* ``json_text`` (records) and the Parquet bytes (with pyarrow);
* peak memory of one ``csv_text`` call: Python objects (tracemalloc) and
  Arrow's memory pool (its own allocations, outside tracemalloc).

The 1-minute load average is printed beside the figures (the machine may be
shared).
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("VOLSCREEN_SHARED_DATA", ROOT.parent / "shared" / "data"))
CHAIN = SHARED / "chains" / "iwm_yf_cboegreeks_2026-07-14_1555ET.json"
BARS = SHARED / "ohlcv" / "IWM_daily_raw_2000_to_2026-08-21_yf.csv"


def candidates_table(copies: int):  # type: ignore[no-untyped-def]
    """The screen's candidates of one chain, stacked ``copies`` times with perturbed floats."""
    import numpy as np
    import pandas as pd

    from volscreen import screen
    from volscreen.loaders import load_bars, load_chain

    if CHAIN.exists() and BARS.exists():
        chain, bars = load_chain(CHAIN), load_bars(BARS)
        source = CHAIN.name
    else:
        chain = load_chain(ROOT / "fixtures" / "iwm_chain_sample.csv")
        bars = load_bars(ROOT / "fixtures" / "iwm_bars_sample.csv")
        source = "the bundled sample (no shared data)"
    base = screen(chain, bars).candidates
    rng = np.random.default_rng(20261126)
    floats = [name for name in base.columns if base[name].dtype == np.float64]
    parts = []
    for i in range(copies):
        part = base.copy()
        part[floats] = part[floats].to_numpy() * np.exp(rng.normal(0.0, 0.05, len(floats)))
        part["underlying"] = f"T{i + 1:04d}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True), source


def timed(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1000, help="copies of one chain's candidates")
    parser.add_argument("--repeat", type=int, default=5, help="calls per figure")
    args = parser.parse_args()

    from volscreen import export

    table, source = candidates_table(args.copies)
    try:
        import pyarrow as pa
        import pyarrow.parquet  # noqa: F401
    except ModuleNotFoundError:
        pa = None
    print(f"{source}: {len(table):,} rows x {table.shape[1]} columns "
          f"(pyarrow {'installed' if pa else 'missing'}; load {os.getloadavg()[0]:.2f})")

    def pandas_csv() -> str:
        return export.pandas_csv_text(export.neutralize_formulas(export.export_frame(table)))

    best, median, fast = timed(lambda: export.csv_text(table), args.repeat)
    p_best, p_median, slow = timed(pandas_csv, args.repeat)
    print(f"{'csv_text (volscreen)':34s} best {best:7.3f} s  median {median:7.3f} s")
    print(f"{'pandas to_csv (reference writer)':34s} best {p_best:7.3f} s  median {p_median:7.3f} s")
    print(f"{'ratio (pandas / volscreen, best)':34s} {p_best / best:6.1f}x   bytes identical: "
          f"{fast == slow}   ({len(str(fast).encode()) / 1e6:.1f} MB)")

    j_best, j_median, _ = timed(lambda: export.json_text(table, name="candidates"), args.repeat)
    print(f"{'json_text (records)':34s} best {j_best:7.3f} s  median {j_median:7.3f} s")
    if pa is not None:
        def parquet() -> int:
            sink = io.BytesIO()
            export._parquet_bytes(table, sink)
            return sink.tell()
        q_best, q_median, size = timed(parquet, args.repeat)
        print(f"{'parquet bytes':34s} best {q_best:7.3f} s  median {q_median:7.3f} s  "
              f"({int(size) / 1e6:.1f} MB)")  # type: ignore[call-overload]

    pool = pa.default_memory_pool() if pa is not None else None
    before = pool.bytes_allocated() if pool is not None else 0
    tracemalloc.start()
    export.csv_text(table)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrow = (pool.max_memory() - before) / 1e6 if pool is not None else 0.0
    print(f"{'csv_text peak memory':34s} Python {peak / 1e6:.0f} MB, Arrow pool high-water "
          f"{arrow:.0f} MB above its level before (load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
