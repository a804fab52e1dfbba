"""CLI skeleton: help, version, exit codes per error class, output formats."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from volscreen.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "screen" in result.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "volscreen" in result.output


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys; from volscreen.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pandas', 'numba', 'scipy', 'rich') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().endswith("HEAVY []")


@pytest.mark.parametrize(
    "args,code,needle",
    [
        (["screen", "--format", "xml"], 2, "Invalid value"),
        (["screen", "--top", "0"], 2, "Invalid value"),
        (["nonsense"], 2, "No such command"),
        (["screen", "--targets", "a,b"], 2, "--targets"),
        (["screen", "--rate", "4"], 2, "'--rate': rate 4.0 is not a decimal"),
        (["screen", "--dte", "60:7"], 2, "--dte: min days 60 is above max days 7"),
        (["screen", "--dte", "-5:10"], 2, "--dte"),
        (["screen", "--targets", "-5,300"], 2, "--targets: targets must be positive"),
        (["term", "chain.csv", "--rate", "4"], 2, "'--rate': rate 4.0 is not a decimal"),
        (["chain", "chain.csv", "--rate", "-2"], 2, "'--rate'"),
        (["price", "chain.csv", "--structure", "straddle", "--expiry", "2026-02-20",
          "--strikes", "260", "--rate", "5"], 2, "'--rate'"),
        (["record", "chain.csv", "--rate", "4.5"], 2, "'--rate'"),
    ],
    ids=["bad-format", "bad-top", "bad-command", "bad-targets", "rate-percent",
         "dte-reversed", "dte-negative", "targets-negative", "term-rate-percent",
         "chain-rate-percent", "price-rate-percent", "record-rate-percent"],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str], code: int, needle: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == code, result.output
    assert needle in result.output


def test_config_error_exits_1_with_one_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "v.toml"
    bad.write_text("[defaults]\nrate = 'high'\n")
    result = runner.invoke(cli, ["screen", "--config", str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "defaults.rate" in lines[0]
    assert "Traceback" not in result.output


def test_debug_shows_the_exception(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "v.toml"
    bad.write_text("nonsense = 1\n")
    result = runner.invoke(cli, ["--debug", "screen", "--config", str(bad)])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "ConfigError"


def test_missing_config_file_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["screen", "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 1 and "config file not found" in result.stderr


class _Tty:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color,expected", [(None, True), ("1", False)], ids=["tty", "no-color"])
def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch,
                                                     no_color: str | None, expected: bool) -> None:
    import volscreen.cli as cli_mod

    monkeypatch.setattr(cli_mod, "_stdout", lambda: _Tty())
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert cli_mod._use_color() is expected


def test_piped_output_is_plain_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    import volscreen.cli as cli_mod

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli_mod._use_color() is False  # pytest captures stdout: not a terminal
    assert cli_mod._width(None, wide=False) == 80
    assert cli_mod._width(None, wide=True) == cli_mod.WIDE_WIDTH
    assert cli_mod._width(120, wide=False) == 120


def test_progress_bar_only_for_many_chains_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from volscreen.cli import _progress

    class TtyErr(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = TtyErr()
    monkeypatch.setattr(sys, "stderr", fake)
    bar = _progress()
    with bar as advance:
        advance(1, 1, "one.csv")
        assert bar._bar is None  # a single chain: no bar
        advance(1, 3, "a.csv")
        assert bar._bar is not None and bar._bar.live.is_started
    assert not bar._bar.live.is_started  # stopped on exit


def test_no_progress_bar_when_stderr_is_piped() -> None:
    from volscreen.cli import _progress

    bar = _progress()
    with bar as advance:
        advance(1, 3, "a.csv")
    assert bar._bar is None


def test_missing_bundled_sample_is_a_clear_error(runner: CliRunner, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import volscreen.cli as cli_mod

    monkeypatch.setattr(cli_mod, "fixtures_dir", lambda: tmp_path)
    result = runner.invoke(cli, ["screen"])
    assert result.exit_code == 1
    assert "bundled sample is not available" in result.stderr and "CHAIN_OR_DIR" in result.stderr


def test_screen_without_a_store_does_not_import_it(tmp_path: Path) -> None:
    """No history store on disk: the screen neither opens nor imports volscreen.store."""
    code = ("import sys; from volscreen.cli import main\n"
            "try:\n    main(['screen'])\nexcept SystemExit:\n    pass\n"
            "print('STORE', 'volscreen.store' in sys.modules, 'sqlite3' in sys.modules)")
    env = {**__import__("os").environ, "VOLSCREEN_STORE": str(tmp_path / "none.sqlite")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip().splitlines()[-1] == "STORE False False"
    assert not (tmp_path / "none.sqlite").exists()


def test_volscreen_warning_is_one_clean_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The command line shows a VolscreenWarning as one line, once; others as Python does."""
    from volscreen import cli as cli_module
    from volscreen.errors import DataQualityWarning

    for _ in range(2):
        cli_module._show_warning(DataQualityWarning("7 one-day moves match a split ratio"),
                                 DataQualityWarning, "/x/realized.py", 235)
    cli_module._show_warning(UserWarning("other"), UserWarning, "/x/other.py", 7)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "volscreen: warning: 7 one-day moves match a split ratio"
    assert sum("split ratio" in line for line in err) == 1
    assert any(line.startswith("/x/other.py:7: UserWarning: other") for line in err)


def test_realized_split_warning_on_vix_is_one_line() -> None:
    """VIX bars trip the split check: stderr holds its message once, no Python warning text."""
    from conftest import shared_path

    bars = shared_path("ohlcv", "VIX_daily_yahoo_with_adjclose_2000_to_2022-11-18.csv")
    result = subprocess.run([sys.executable, "-m", "volscreen", "realized", str(bars)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("volscreen: ") and "split ratio" in lines[0]
    assert "DataQualityWarning" not in result.stderr and ".py:" not in result.stderr
