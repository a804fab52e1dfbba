"""Time load_chain on every shared chain file and load_bars on every OHLCV file.

Usage: python scripts/bench_load.py [repeats]
Prints the best of ``repeats`` wall-clock timings per file (skips when
../shared/data is absent).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from volscreen.loaders import load_bars, load_chain  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EXTRA = {"spy_yf_2025-08-26_afterclose.csv": {"quote_time": "2025-08-26 16:00"}}


def best_of(func, repeats: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = len(func())
        times.append(time.perf_counter() - start)
    return min(times), rows


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
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
