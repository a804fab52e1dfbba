"""The screen works, with the same output, where pyarrow is not installed.

pyarrow is only the Parquet extra: without it pandas stores text in Python
objects, and every fast path that reads Arrow buffers must fall back.  Each
case runs in a fresh interpreter with ``pyarrow`` blocked before pandas is
imported, and its output is compared with the same command run normally.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
RUN = """
import sys
if sys.argv[1] == "blocked":
    sys.modules["pyarrow"] = None  # import pyarrow now raises ImportError
import pandas as pd
storage = pd.Series(["x"]).dtype.storage
assert storage == ("python" if sys.argv[1] == "blocked" else "pyarrow"), storage
from volscreen.cli import main
sys.argv = ["volscreen", *sys.argv[2:]]
main()
"""


def _run(mode: str, args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80",
           "VOLSCREEN_STORE": str(tmp_path / "store.sqlite")}
    done = subprocess.run([sys.executable, "-c", RUN, mode, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _same(args: list[str], tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    normal = _run("normal", args, tmp_path)
    blocked = _run("blocked", args, tmp_path)
    assert normal.strip(), "the command printed nothing"
    assert blocked == normal


@pytest.mark.parametrize("output", ["table", "csv"])
def test_sample_screen_without_pyarrow(tmp_path: Path, output: str) -> None:
    _same(["screen", "--format", output], tmp_path)


@pytest.mark.shared
def test_real_chain_without_pyarrow(tmp_path: Path) -> None:
    chain = shared_path("chains", "iwm_yf_cboegreeks_2026-07-14_1555ET.json")
    bars = shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv")
    _same(["screen", str(chain), "--bars", str(bars), "--format", "csv"], tmp_path)
    _same(["chain", str(chain), "--format", "csv"], tmp_path)
