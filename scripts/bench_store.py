"""Benchmark the IV history store: record throughput, bulk import, reads, ranks.

Run: python scripts/bench_store.py  (prints figures; writes only to a temp dir)
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

from volscreen.ranks import iv_rank, rank_history  # noqa: E402
from volscreen.store import HistoryStore, Snapshot  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(7)
    days = pd.bdate_range("2016-01-04", periods=2520)  # ten years of sessions
    iv = 0.2 * np.exp(np.cumsum(rng.normal(0, 0.03, days.size)))
    with tempfile.TemporaryDirectory() as tmp, HistoryStore(Path(tmp) / "h.sqlite") as st:
        t0 = time.perf_counter()
        for d, v in zip(days[:500], iv[:500]):
            st.record(Snapshot("AAA", d, iv30=v, rv20=v * 0.9, bbw=0.05))
        per = (time.perf_counter() - t0) / 500
        print(f"record (one transaction each): {per * 1e3:.2f} ms/record")
        t0 = time.perf_counter()
        st.record_many(Snapshot("BBB", d, kind="proxy", iv30=v, proxy_of="bench")
                       for d, v in zip(days, iv))
        print(f"record_many ({days.size} rows, one transaction): "
              f"{time.perf_counter() - t0:.3f} s")
        t0 = time.perf_counter()
        again = st.record_many(Snapshot("BBB", d, kind="proxy", iv30=v, proxy_of="bench")
                               for d, v in zip(days, iv))
        assert {r.action for r in again} == {"unchanged"}
        print(f"re-import, all unchanged: {time.perf_counter() - t0:.3f} s")
        t0 = time.perf_counter()
        s = st.series("BBB", "iv30", kind="proxy")
        print(f"series read ({s.size} rows): {(time.perf_counter() - t0) * 1e3:.1f} ms")
        t0 = time.perf_counter()
        res = iv_rank(st, "BBB", kind="proxy")
        print(f"iv_rank from the store: {(time.perf_counter() - t0) * 1e3:.1f} ms "
              f"(rank {res.rank:.1f}, n_obs {res.n_obs})")
        t0 = time.perf_counter()
        rank_history(s)
        print(f"rank_history over {s.size} days: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
