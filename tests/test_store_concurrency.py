"""Two processes writing at once, and a writer killed mid-transaction.

Each writer is a separate Python process (``subprocess``), so SQLite's file
locks, not a shared connection, are what is being tested.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from volscreen import columns as C
from volscreen.store import HistoryStore, Snapshot

ROOT = Path(__file__).resolve().parents[1]
N_DAYS = 60

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from volscreen.store import HistoryStore, Snapshot

    path, ticker, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    n = int(sys.argv[4])
    while not go.exists():
        time.sleep(0.005)
    with HistoryStore(path, timeout=60) as st:
        results = []
        for i, day in enumerate(pd.bdate_range("2025-01-02", periods=n)):
            # every day of our own ticker, and the same shared day each time
            results.append(st.record(Snapshot(ticker, day, iv30=0.1 + i / 1000)).action)
            results.append(st.record(Snapshot("SHARED", "2025-01-02", iv30=0.2)).action)
    print(",".join(results))
    """
)

KILLED = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from volscreen.store import HistoryStore, Snapshot

    def rows():
        for i, day in enumerate(pd.bdate_range("2025-06-02", periods=50)):
            yield Snapshot("IWM", day, iv30=0.5)
        # the whole batch is written inside the open transaction: say so, then hang
        yield Snapshot("IWM", "2025-01-02", iv30=0.99)
        print("ready", flush=True)
        time.sleep(120)

    with HistoryStore(sys.argv[1], timeout=60) as st:
        st.record_many(rows())
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_two_processes_record_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).close()  # schema in place; the writers race on records only
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), ticker, str(go), str(N_DAYS)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                         cwd=ROOT)
        for ticker in ("AAA", "BBB")
    ]
    time.sleep(0.5)  # both interpreters are up and waiting
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
    actions = [a for out, _ in outs for a in out.strip().split(",")]
    assert len(actions) == 4 * N_DAYS
    # exactly one process inserted the shared day; every other attempt saw it unchanged
    assert actions.count(C.REC_INSERTED) == 2 * N_DAYS + 1
    assert actions.count(C.REC_UNCHANGED) == 2 * N_DAYS - 1
    with HistoryStore(path) as st:
        for ticker in ("AAA", "BBB"):
            s = st.series(ticker)
            assert len(s) == N_DAYS
            assert s.iloc[-1] == pytest.approx(0.1 + (N_DAYS - 1) / 1000)
        assert st.series("SHARED").tolist() == [0.2]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_writer_killed_mid_transaction_leaves_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as st:
        st.record(Snapshot("IWM", "2025-01-02", iv30=0.2))
        before = st.history("IWM")
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
        # the writer holds the write lock with 51 rows written but not committed
        with sqlite3.connect(path, timeout=0.1) as probe:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                probe.execute("BEGIN IMMEDIATE")
        probe.close()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with HistoryStore(path, timeout=5) as st:
        pd.testing.assert_frame_equal(st.history("IWM"), before)
        assert st._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # the lock died with the writer: the store takes new records at once
        assert st.record(Snapshot("IWM", "2025-01-03", iv30=0.21)).action == C.REC_INSERTED
        assert len(st.history("IWM")) == 2
