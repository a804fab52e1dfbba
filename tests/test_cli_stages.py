"""Stage subcommands: chain, term, realized, price, record, history (CliRunner)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from volscreen import columns as C
from volscreen.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAIN = FIXTURES / "iwm_chain_sample.csv"
BARS = FIXTURES / "iwm_bars_sample.csv"
ROOT = FIXTURES.parent


@pytest.fixture(autouse=True)
def need_sample() -> None:
    if not (CHAIN.exists() and BARS.exists()):
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")


def run(*args: str) -> object:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args), catch_exceptions=False)
    return result


def test_chain_filters_and_exports() -> None:
    result = run("chain", str(CHAIN), "--expiry", "2026-02-20", "--moneyness", "0.05", "--otm",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    back = pd.read_csv(io.StringIO(result.stdout))
    assert set(back[C.EXPIRY]) == {"2026-02-20"}
    assert (back[C.LOG_MONEYNESS].abs() <= 0.05).all() and back[C.OTM].all()
    ok = back[C.IV_STATUS] == C.IVS_OK
    assert back.loc[ok, C.IV].between(0.05, 1.0).all()
    assert back.loc[~ok, C.IV].isna().all()  # every NaN IV has a non-ok status


def test_chain_table_is_limited() -> None:
    result = run("chain", str(CHAIN), "--limit", "5")
    assert result.exit_code == 0 and "first 5 of" in " ".join(result.stdout.split())


def test_chain_bad_expiry_is_usage_error() -> None:
    assert run("chain", str(CHAIN), "--expiry", "soon").exit_code == 2


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_chain_unlisted_expiry_is_an_error_listing_the_expiries(fmt: str) -> None:
    result = run("chain", str(CHAIN), "--expiry", "2026-02-20", "--expiry", "2031-01-17",
                 "--format", fmt)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert "--expiry 2031-01-17 is not listed" in message and "2026-02-20" in message
    assert message.startswith(f"volscreen: error: {CHAIN}, column 'expiry'")


def test_term_table_and_json() -> None:
    table = run("term", str(CHAIN))
    assert table.exit_code == 0 and "Model-free 30-day vol" in table.stdout
    doc = json.loads(run("term", str(CHAIN), "--format", "json").stdout)
    term = pd.DataFrame(doc["term_structure"])
    assert np.all(np.diff(term[C.T]) > 0) and set(term[C.TERM_STATUS]) <= {C.TS_OK, C.TS_THIN}


def test_realized_json_holds_cone_compression_and_box() -> None:
    result = run("realized", str(BARS), "--format", "json")
    doc = json.loads(result.stdout)
    windows = [row[C.WINDOW] for row in doc["cone"]]
    assert windows == sorted(windows) and 20 in windows
    assert doc["range_box"]["floor"] == pytest.approx(255, abs=1.0)
    assert doc["range_box"]["ceiling"] == pytest.approx(265, abs=1.0)
    assert doc["compression"][C.AS_OF] == "2026-02-02"


def test_realized_as_of_cuts_history() -> None:
    doc = json.loads(run("realized", str(BARS), "--as-of", "2025-12-31", "--format", "json").stdout)
    assert doc["compression"][C.AS_OF] <= "2025-12-31"
    assert run("realized", str(BARS), "--as-of", "1990-01-01").exit_code == 1


def test_price_strangle_against_targets() -> None:
    result = run("price", str(CHAIN), "--structure", "strangle", "--expiry", "2026-03-20",
                 "--strikes", "255,265", "--targets", "245,275", "--format", "json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["candidate"][0]
    assert (row[C.PUT_STRIKE], row[C.CALL_STRIKE]) == (255.0, 265.0)
    debit = row[C.DEBIT_NATURAL]
    assert row[C.BREAKEVEN_LOW] == pytest.approx(255 - debit)
    assert row[C.BREAKEVEN_HIGH] == pytest.approx(265 + debit)
    # payoff at 245: the put is worth 10, per contract x 100, minus the natural debit
    assert row[C.PNL_AT_EXPIRY_LOW] == pytest.approx((10 - debit) * 100)
    assert row[C.PUT_SYMBOL] == "IWM260320P00255000"
    assert row[C.CALL_SYMBOL] == "IWM260320C00265000"


def test_price_table_shows_grid() -> None:
    result = run("price", str(CHAIN), "--structure", "straddle", "--expiry", "2026-03-20",
                 "--strikes", "262", "--spots", "245,262,275")
    assert result.exit_code == 0 and "P&L per contract" in result.stdout
    assert "2026-03-20" in result.stdout and "Structure: straddle_262" in result.stdout


@pytest.mark.parametrize(
    "args,code",
    [(["--structure", "strangle", "--expiry", "2026-03-20", "--strikes", "255"], 2),
     (["--structure", "straddle", "--expiry", "2031-01-17", "--strikes", "262"], 1),
     (["--structure", "straddle", "--expiry", "2026-03-20", "--strikes", "1000"], 1),
     (["--structure", "strangle", "--expiry", "2026-03-20", "--strikes", "270,255"], 2)],
    ids=["strangle-one-strike", "no-such-expiry", "unlisted-strike", "strangle-put-above-call"],
)
def test_price_errors(args: list[str], code: int) -> None:
    result = run("price", str(CHAIN), *args)
    assert result.exit_code == code, result.output


def record(store: Path) -> subprocess.CompletedProcess[str]:
    """`volscreen record` in a fresh process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "volscreen", "record", str(CHAIN), "--bars",
                           str(BARS), "--store", str(store)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"})


def test_record_then_history(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite"
    first = record(store)
    assert first.returncode == 0, first.stderr
    assert "IWM 2026-02-02 inserted" in first.stdout and "1 snapshot" in first.stderr
    again = record(store)
    assert "IWM 2026-02-02 unchanged" in again.stdout
    table = run("history", "IWM", "--store", str(store))
    assert table.exit_code == 0 and "too_few_obs" in table.stdout
    doc = json.loads(run("history", "IWM", "--store", str(store), "--format", "json").stdout)
    assert len(doc["history"]) == 1 and doc["history"][0][C.HS_IV30] > 0


def test_history_without_store_exits_1(tmp_path: Path) -> None:
    result = run("history", "IWM", "--store", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 1 and "none.sqlite" in result.stderr


def test_screen_uses_the_store_for_iv_rank(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite"
    assert record(store).returncode == 0
    doc = json.loads(run("screen", "--store", str(store), "--format", "json").stdout)
    row = doc["summary"][0]
    assert row[C.IV_RANK_STATUS] == "too_few_obs" and row[C.IV_RANK] is None


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
@pytest.mark.parametrize(
    "args,key",
    [(["chain", str(CHAIN), "--expiry", "2026-02-20"], C.IV_STATUS),
     (["term", str(CHAIN)], C.ATM_IV),
     (["realized", str(BARS)], C.WINDOW)],
    ids=["chain", "term", "realized"],
)
def test_stage_exports_re_read(tmp_path: Path, args: list[str], key: str, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    result = run(*args, "--format", fmt, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    if fmt == "json":
        doc = json.loads(target.read_text())
        table = next(v for k, v in doc.items() if isinstance(v, list))
        assert doc[C.SCHEMA_VERSION] == 1 and key in table[0]
    else:
        back = pd.read_csv(target) if fmt == "csv" else pd.read_parquet(target)
        assert back.columns[0] == C.SCHEMA_VERSION and key in back.columns and len(back) > 0


def test_screen_reads_the_default_store_when_it_exists(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "default.sqlite"
    monkeypatch.setenv("VOLSCREEN_STORE", str(store))
    without = json.loads(run("screen", "--format", "json").stdout)
    assert not store.exists()  # screening never creates a store
    assert run("record", str(CHAIN), "--bars", str(BARS)).exit_code == 0
    assert store.is_file()
    auto = json.loads(run("screen", "--format", "json").stdout)
    opted_out = json.loads(run("screen", "--no-store", "--format", "json").stdout)
    status = C.IV_RANK_STATUS
    assert without["summary"][0][status] == opted_out["summary"][0][status] == "no_store"
    assert auto["summary"][0][status] == "too_few_obs"  # one day recorded: no rank yet
