"""Loader flags of the chain-reading commands: --columns, --quote-time, --spot, --input-format.

Files the loader cannot fully read by itself (no time, no spot, a broker's
column names) must screen from the command line with the flags the error
messages name, and a bad flag value is a usage error (exit 2) naming the flag.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import shared_path
from volscreen import columns as C
from volscreen.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPY_FILE = ("chains", "spy_yf_2025-08-26_afterclose.csv")
SPY_CLOSE = 645.16  # SPY close of 2025-08-26 (the file has no underlying price)
SPY_CLOSE_UTC = pd.Timestamp("2025-08-26 20:00", tz="UTC")  # 16:00 New York (EDT)
SPY_FLAGS = ("--quote-time", "2025-08-26", "--spot", str(SPY_CLOSE))
ODD_NAMES = {C.STRIKE: "Strike Px", C.BID: "BidPx", C.ASK: "Ask Px", C.EXPIRY: "Exp",
             C.RIGHT: "C/P"}
"""Canonical column -> the broker-style name of the hand-made file."""
ODD_FLAG = ",".join(f"{odd}={canonical}" for canonical, odd in ODD_NAMES.items())


def run(*args: str) -> object:
    return CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args), catch_exceptions=False)


def sample_chain() -> Path:
    path = FIXTURES / "iwm_chain_sample.csv"
    if not path.exists():
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    return path


@pytest.fixture(scope="module")
def odd_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled IWM sample with broker column names, no quote time and no spot."""
    frame = pd.read_csv(sample_chain())
    frame = frame.drop(columns=[C.QUOTE_TIME, C.UNDERLYING_PRICE]).rename(columns=ODD_NAMES)
    path = tmp_path_factory.mktemp("odd") / "iwm_broker.csv"
    frame.to_csv(path, index=False)
    return path


SAMPLE_QUOTE_TIME = "2026-02-02T16:00"  # the sample's quote time (21:00 UTC), naive = New York
SAMPLE_SPOT = "262.215"


def candidates_of(result: object) -> pd.DataFrame:
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout))


# ---------------------------------------------------------------------------
# the real SPY file without time or spot
# ---------------------------------------------------------------------------
def test_spy_without_time_fails_naming_the_flag() -> None:
    path = shared_path(*SPY_FILE)
    result = run("screen", str(path))
    assert result.exit_code == 1
    assert "quote_time" in result.stderr


def test_spy_screens_with_quote_time_and_spot() -> None:
    path = shared_path(*SPY_FILE)
    result = run("screen", str(path), *SPY_FLAGS, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (row,) = doc["summary"]
    assert row[C.UNDERLYING] == "SPY"
    assert row[C.SCREEN_STATUS] != C.SCR_FAILED
    assert row[C.SPOT] == pytest.approx(SPY_CLOSE)
    assert pd.Timestamp(row[C.QUOTE_TIME]) == SPY_CLOSE_UTC  # a date alone = the 16:00 close
    assert doc["candidates"], "the SPY chain should give candidates"


@pytest.mark.parametrize("command", [
    pytest.param(("chain", "--limit", "5"), id="chain"),
    pytest.param(("term",), id="term"),
    pytest.param(("price", "--structure", "straddle", "--expiry", "2025-09-19",
                  "--strikes", "645"), id="price"),
])
def test_spy_stage_commands_take_the_flags(command: tuple[str, ...]) -> None:
    path = shared_path(*SPY_FILE)
    assert run(command[0], str(path), *command[1:]).exit_code == 1  # no time: bad input
    result = run(command[0], str(path), *command[1:], *SPY_FLAGS)
    assert result.exit_code == 0, result.output
    assert "SPY" in result.stdout


def test_spy_records_with_the_flags(tmp_path: Path) -> None:
    path = shared_path(*SPY_FILE)
    store = tmp_path / "hist.sqlite"
    result = run("record", str(path), "--store", str(store), *SPY_FLAGS)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["SPY", "2025-08-26", "inserted"]
    from volscreen.store import HistoryStore

    with HistoryStore(store, create=False) as hs:
        stored = hs.history("SPY")
    assert float(stored[C.HS_SPOT].iloc[0]) == pytest.approx(SPY_CLOSE)


# ---------------------------------------------------------------------------
# a hand-made file with a broker's column names
# ---------------------------------------------------------------------------
def test_odd_columns_without_mapping_name_the_columns_flag(odd_csv: Path) -> None:
    result = run("screen", str(odd_csv))
    assert result.exit_code == 1
    assert "--columns" in result.stderr and "--input-format" in result.stderr


@pytest.mark.parametrize("flags", [
    pytest.param(("--columns", ODD_FLAG, "--quote-time", SAMPLE_QUOTE_TIME,
                  "--spot", SAMPLE_SPOT), id="input-format-detected"),
    pytest.param(("--columns", ODD_FLAG, "--quote-time", SAMPLE_QUOTE_TIME,
                  "--spot", SAMPLE_SPOT, "--input-format", "canonical"), id="input-format"),
    pytest.param(("--columns", ODD_FLAG.replace("Strike Px", "strike px"), "--quote-time",
                  "2026-02-02 21:00+00:00", "--format-in", "CANONICAL", "--spot", SAMPLE_SPOT),
                 id="format-in-utc-time-case-insensitive-name"),
])
def test_odd_columns_screen_like_the_canonical_file(odd_csv: Path,
                                                    flags: tuple[str, ...]) -> None:
    reference = candidates_of(run("screen", str(sample_chain()), "--format", "csv"))
    mapped = candidates_of(run("screen", str(odd_csv), *flags, "--format", "csv"))
    assert len(reference) > 0
    reference = reference.drop(columns=[C.SOURCE_FILE])
    mapped = mapped.drop(columns=[C.SOURCE_FILE])
    pd.testing.assert_frame_equal(mapped, reference)


def test_odd_columns_chain_command_reads_the_mapped_strikes(odd_csv: Path) -> None:
    result = run("chain", str(odd_csv), "--columns", ODD_FLAG, "--quote-time",
                 SAMPLE_QUOTE_TIME, "--spot", SAMPLE_SPOT, "--format", "csv")
    frame = candidates_of(result)
    original = pd.read_csv(sample_chain())
    assert sorted(frame[C.STRIKE].unique()) == sorted(original[C.STRIKE].unique())
    sample_time = pd.Timestamp("2026-02-02 21:00", tz="UTC")  # 16:00 New York (EST)
    assert set(pd.to_datetime(frame[C.QUOTE_TIME])) == {sample_time}


def test_odd_columns_in_the_watchlist_and_flags_override(odd_csv: Path, tmp_path: Path) -> None:
    toml = tmp_path / "volscreen.toml"
    mapping = ", ".join(f'"{odd}" = "{canonical}"' for canonical, odd in ODD_NAMES.items())
    toml.write_text(f"""
[watchlist.IWM]
chain = "{odd_csv.as_posix()}"
columns = {{ {mapping} }}
quote_time = {SAMPLE_QUOTE_TIME.replace("T", " ")!r}
spot = 1.0
input_format = "canonical"
""".replace("'", '"'), encoding="utf-8")
    from_config = run("screen", "--config", str(toml), "--format", "json")
    assert from_config.exit_code == 0, from_config.output
    (row,) = json.loads(from_config.stdout)["summary"]
    assert row[C.SPOT] == pytest.approx(1.0)  # the config's spot
    overridden = run("screen", "--config", str(toml), "--spot", SAMPLE_SPOT, "--format", "json")
    assert overridden.exit_code == 0, overridden.output
    (row,) = json.loads(overridden.stdout)["summary"]
    assert row[C.SPOT] == pytest.approx(float(SAMPLE_SPOT))  # the flag wins


def test_odd_columns_record_a_folder(odd_csv: Path, tmp_path: Path) -> None:
    folder = tmp_path / "chains"
    folder.mkdir()
    (folder / odd_csv.name).write_bytes(odd_csv.read_bytes())
    (folder / "broken.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("record", str(folder), "--store", str(tmp_path / "h.sqlite"), "--columns",
                 ODD_FLAG, "--quote-time", SAMPLE_QUOTE_TIME, "--spot", SAMPLE_SPOT)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["IWM", "2026-02-02", "inserted"]
    assert "broken.csv" in result.stderr and "not recorded" in result.stderr


def test_screen_library_takes_load_options(odd_csv: Path) -> None:
    from volscreen.errors import ConfigError
    from volscreen.screening import screen

    options = {"columns": {odd: canonical for canonical, odd in ODD_NAMES.items()},
               "quote_time": SAMPLE_QUOTE_TIME, "underlying_price": float(SAMPLE_SPOT)}
    mapped = screen(odd_csv, load_options=options, keep_surface=False)
    reference = screen(sample_chain(), keep_surface=False)
    pd.testing.assert_frame_equal(mapped.candidates.drop(columns=[C.SOURCE_FILE]),
                                  reference.candidates.drop(columns=[C.SOURCE_FILE]))
    with pytest.raises(ConfigError, match="spot"):
        screen(odd_csv, load_options={"spot": 1.0})


# ---------------------------------------------------------------------------
# bad flag values: usage error (exit 2) naming the flag, before any file is read
# ---------------------------------------------------------------------------
BAD_VALUES = [
    pytest.param("--columns", "strike", id="columns-no-equals"),
    pytest.param("--columns", "K=nope", id="columns-unknown-target"),
    pytest.param("--columns", "=strike", id="columns-empty-name"),
    pytest.param("--columns", "K=strike,L=strike", id="columns-two-onto-one"),
    pytest.param("--columns", ",", id="columns-empty"),
    pytest.param("--quote-time", "yesterday", id="quote-time-text"),
    pytest.param("--quote-time", "2025-13-40", id="quote-time-bad-date"),
    pytest.param("--spot", "abc", id="spot-text"),
    pytest.param("--spot", "-645", id="spot-negative"),
    pytest.param("--spot", "0", id="spot-zero"),
    pytest.param("--spot", "nan", id="spot-nan"),
    pytest.param("--input-format", "bloomberg", id="input-format-unknown"),
    pytest.param("--format-in", "", id="format-in-empty"),
]


@pytest.mark.parametrize(("flag", "value"), BAD_VALUES)
def test_bad_flag_value_is_a_usage_error(flag: str, value: str, tmp_path: Path) -> None:
    result = run("screen", str(tmp_path / "missing.csv"), flag, value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for" in result.stderr  # the flag exists and its value is refused
    assert flag in result.stderr or (flag == "--format-in" and "--input-format" in result.stderr)


@pytest.mark.parametrize("command", [
    pytest.param(("screen",), id="screen"),
    pytest.param(("chain",), id="chain"),
    pytest.param(("term",), id="term"),
    pytest.param(("price", "--structure", "straddle", "--expiry", "2026-03-20",
                  "--strikes", "260"), id="price"),
    pytest.param(("record",), id="record"),
])
def test_every_chain_command_checks_the_flags(command: tuple[str, ...], tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.csv")
    result = run(command[0], missing, *command[1:], "--spot", "-1")
    assert result.exit_code == 2, result.output
    assert "--spot" in result.stderr
    result = run(command[0], missing, *command[1:], "--spot", "1")
    assert result.exit_code == 1  # a good flag value: the missing file is bad input
