"""`volscreen screen` through CliRunner: sample, formats, exports, watchlists, exit codes."""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import shared_path
from volscreen import columns as C
from volscreen.cli import cli
from volscreen.result import SCHEMA_VERSION

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("VOLSCREEN_REGEN_GOLDEN") == "1"


def need_sample() -> None:
    if not (FIXTURES / "iwm_chain_sample.csv").exists():
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")


def run(*args: str) -> object:
    return CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_json() -> dict:
    need_sample()
    result = run("screen", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_screen_without_arguments_is_golden() -> None:
    need_sample()
    result = run("screen")
    assert result.exit_code == 0, result.output
    text = result.stdout
    path = GOLDEN / "screen_sample_80.txt"
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "\x1b[" not in text and "…" not in text


def test_json_matches_the_library_result(sample_json: dict) -> None:
    from volscreen.config import load_config
    from volscreen.screening import screen

    lib = screen(config=load_config(FIXTURES / "volscreen.toml"))
    assert sample_json[C.SCHEMA_VERSION] == SCHEMA_VERSION
    assert len(sample_json["candidates"]) == len(lib.candidates)
    got = pd.DataFrame(sample_json["candidates"])
    for name in (C.SCORE, C.DEBIT_NATURAL, C.BREAKEVEN_LOW, C.P_BEYOND_BE_IV):
        pd.testing.assert_series_equal(got[name].astype(float), lib.candidates[name].astype(float),
                                       check_names=False)
    assert list(got[C.LEGS]) == list(lib.candidates[C.LEGS])
    row = sample_json["summary"][0]
    assert row[C.UNDERLYING] == "IWM" and row[C.TARGET_LOW] == 245.0
    assert row[C.QUOTE_TIME] == "2026-02-02T21:00:00+00:00"
    # every null in the summary sits beside a status/reason column
    assert row[C.IV_RANK] is None and row[C.IV_RANK_STATUS] == "no_store"


def test_csv_to_stdout_re_reads(sample_json: dict) -> None:
    result = run("screen", "--format", "csv")
    assert result.exit_code == 0
    back = pd.read_csv(io.StringIO(result.stdout))
    assert back.columns[0] == C.SCHEMA_VERSION and len(back) == len(sample_json["candidates"])
    assert back[C.SCORE].tolist() == pytest.approx([c[C.SCORE] for c in sample_json["candidates"]])


@pytest.mark.parametrize("fmt,suffix", [("csv", "csv"), ("json", "json"), ("parquet", "parquet")],
                         ids=["csv", "json", "parquet"])
def test_output_file_per_format(tmp_path: Path, fmt: str, suffix: str, sample_json: dict) -> None:
    target = tmp_path / f"out.{suffix}"
    result = run("screen", "--format", fmt, "--output", str(target), "--table", "summary")
    assert result.exit_code == 0 and result.stdout == ""
    if fmt == "json":
        assert json.loads(target.read_text())["summary"][0][C.UNDERLYING] == "IWM"
    else:
        back = pd.read_csv(target) if fmt == "csv" else pd.read_parquet(target)
        assert back[C.UNDERLYING].tolist() == ["IWM"]
        assert back[C.HS_IV30].iloc[0] == pytest.approx(sample_json["summary"][0][C.HS_IV30])
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_parquet_needs_output() -> None:
    need_sample()
    result = run("screen", "--format", "parquet")
    assert result.exit_code == 2 and "--output" in result.output


def test_flags_override_config(sample_json: dict) -> None:
    result = run("screen", "--format", "json", "--targets", "250,270", "--dte", "20:40",
                 "--rate", "0.05")
    doc = json.loads(result.stdout)
    assert doc["config"]["targets"] == [250.0, 270.0] and doc["config"]["dte"] == [20, 40]
    assert doc["summary"][0][C.TARGET_LOW] == 250.0
    days = pd.to_datetime(pd.DataFrame(doc["candidates"])[C.EXPIRY]) - pd.Timestamp("2026-02-02")
    assert days.dt.days.between(20, 40).all()


def test_explicit_chain_and_bars_arguments(tmp_path: Path) -> None:
    need_sample()
    result = run("screen", str(FIXTURES / "iwm_chain_sample.csv"), "--bars",
                 str(FIXTURES / "iwm_bars_sample.csv"), "--range", "255,265", "--format", "json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["summary"][0]
    assert row[C.TARGETS_SOURCE] == C.TGT_RANGE and row[C.TARGET_HIGH] == 275.0


@pytest.mark.parametrize("box", ["265,255", "0,265", "255", "255,260,265"],
                         ids=["reversed", "zero-floor", "one-value", "three-values"])
def test_a_bad_range_is_a_usage_error(box: str) -> None:
    need_sample()
    result = run("screen", str(FIXTURES / "iwm_chain_sample.csv"), "--bars",
                 str(FIXTURES / "iwm_bars_sample.csv"), "--range", box)
    assert result.exit_code == 2, result.output
    assert "FLOOR,CEILING with 0 < FLOOR < CEILING" in result.output


def write_watchlist(tmp_path: Path, strict: bool = False) -> Path:
    (tmp_path / "broken.csv").write_text("garbage\n\x00\x01\n")
    path = tmp_path / "volscreen.toml"
    path.write_text(
        ("strict = true\n" if strict else "")
        + f'[watchlist.IWM]\nchain = "{FIXTURES / "iwm_chain_sample.csv"}"\n'
        f'bars = "{FIXTURES / "iwm_bars_sample.csv"}"\ntargets = [245, 275]\n'
        '[watchlist.BAD]\nchain = "broken.csv"\n')
    return path


def test_watchlist_with_a_broken_ticker_exits_0_with_warning(tmp_path: Path) -> None:
    need_sample()
    result = run("screen", "--config", str(write_watchlist(tmp_path)))
    assert result.exit_code == 0
    assert "IWM" in result.stdout and "failed" in result.stdout
    assert "BAD" in result.stderr and "broken.csv" in result.stderr


@pytest.mark.parametrize("where", ["flag", "config"], ids=["flag", "config"])
def test_strict_makes_a_failed_ticker_exit_1(tmp_path: Path, where: str) -> None:
    need_sample()
    args = ["screen", "--config", str(write_watchlist(tmp_path, strict=where == "config"))]
    result = run(*args, *(["--strict"] if where == "flag" else []))
    assert result.exit_code == 1 and "BAD" in result.stderr and "--strict" in result.stderr


@pytest.mark.parametrize(
    "setup,needle",
    [("missing", "not found"), ("binary", "bad.csv")],
    ids=["missing-file", "unreadable-file"],
)
def test_single_bad_chain_exits_1_naming_the_file(tmp_path: Path, setup: str,
                                                  needle: str) -> None:
    path = tmp_path / "bad.csv"
    if setup == "binary":
        path.write_bytes(b"\x00\x01\x02garbage")
    result = run("screen", str(path))  # nothing screened: bad input even without --strict
    assert result.exit_code == 1
    assert "bad.csv" in result.stderr and needle in result.stderr
    assert "nothing could be screened" in result.stderr
    assert "Traceback" not in result.output


def test_bad_bars_file_exit_1_with_one_line(tmp_path: Path) -> None:
    need_sample()
    bars = tmp_path / "IWM_bars.csv"
    bars.write_text("date,open,high,low,close\n2026-01-02,1,2,3,x\n")
    result = run("screen", str(FIXTURES / "iwm_chain_sample.csv"), "--bars", str(bars), "--strict")
    assert result.exit_code == 1
    assert "IWM_bars.csv" in result.stderr


@pytest.mark.shared
def test_directory_of_real_chains(tmp_path: Path) -> None:
    chains = shared_path("chains")
    bars = shared_path("ohlcv", "IWM_daily_raw_2000_to_2026-08-21_yf.csv")
    folder = tmp_path / "iwm"
    folder.mkdir()
    for path in sorted(chains.glob("iwm_*.json"))[:3]:
        (folder / path.name).symlink_to(path)
    result = run("screen", str(folder), "--bars", str(bars), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["summary"]) == 3
    assert {r[C.UNDERLYING] for r in doc["summary"]} == {"IWM"}
    assert all(r[C.SCREEN_STATUS] != C.SCR_FAILED for r in doc["summary"]), doc["warnings"]
    for row in doc["summary"]:  # bars cut at each chain's own quote date
        assert row[C.BARS_AS_OF] <= row[C.QUOTE_TIME][:10]


def test_surface_table_export() -> None:
    need_sample()
    result = run("screen", "--format", "csv", "--table", "surface")
    assert result.exit_code == 0
    back = pd.read_csv(io.StringIO(result.stdout))
    chain = pd.read_csv(FIXTURES / "iwm_chain_sample.csv")
    assert len(back) == len(chain)
    assert set(back[C.UNDERLYING]) == {"IWM"} and C.IV_STATUS in back.columns


@pytest.mark.slow
def test_workers_print_what_one_process_prints(tmp_path: Path, monkeypatch) -> None:
    """``--workers 2`` (fork server started first, the command screening its share) changes
    nothing in the output."""
    need_sample()
    from volscreen import _screen_pool

    monkeypatch.setattr(_screen_pool, "WORKER_MIN_CHAINS", 0)  # the worker takes some
    text = (FIXTURES / "iwm_chain_sample.csv").read_text()
    for ticker in ("AAA", "BBB", "CCC", "DDD"):
        (tmp_path / f"{ticker}_chain.csv").write_text(text.replace("IWM", ticker))
    bars = str(FIXTURES / "iwm_bars_sample.csv")
    outputs = []
    for workers in ("1", "2"):
        result = run("screen", str(tmp_path), "--bars", bars, "--no-store", "--targets",
                     "245,275", "--workers", workers, "--format", "json")
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert len(outputs[0]["summary"]) == 4 and outputs[1] == outputs[0]
