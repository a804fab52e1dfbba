"""The stage subcommands load on first use; every command is still reachable and listed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]


def test_stage_command_list_names_every_command_the_module_defines() -> None:
    import volscreen._cli_commands  # noqa: F401
    from volscreen.cli import STAGE_COMMANDS, cli

    own = {"screen"}  # defined in cli.py itself
    assert set(cli.commands) - own == set(STAGE_COMMANDS)


def test_help_lists_the_stage_commands_and_each_runs() -> None:
    from volscreen.cli import STAGE_COMMANDS, cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["--help"])
    assert listed.exit_code == 0
    for name in (*STAGE_COMMANDS, "screen"):
        assert f"  {name}" in listed.output, name
        shown = runner.invoke(cli, [name, "--help"])
        assert shown.exit_code == 0 and f"Usage: cli {name}" in shown.output, name


def test_screen_starts_without_the_stage_commands() -> None:
    code = ("import sys\n"
            "from volscreen.cli import main\n"
            "try:\n"
            "    main(['screen', '--help'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "print('volscreen._cli_commands' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT), "NO_COLOR": "1",
                                          "PATH": "/usr/bin:/bin"})
    assert "--bars" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "False"


def _collector_state() -> tuple[tuple[int, int, int], bool, int]:
    import gc

    return gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()


def test_the_command_collector_pauses_settles_and_restores_the_callers_settings() -> None:
    import gc

    from volscreen import _gc

    before = _collector_state()
    _gc.pause()  # outside a command: the caller's collector is never touched
    _gc.settle()
    assert _collector_state() == before
    with _gc.command_collector():
        assert gc.get_threshold() == _gc.GC_THRESHOLD and gc.isenabled() == before[1]
        _gc.pause()
        assert not gc.isenabled()
        kept = [object() for _ in range(3)]  # noqa: F841  (alive while settling)
        _gc.settle()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0 if before[2] == 0 else gc.get_freeze_count() == before[2]
        _gc.settle()  # once only
    assert _collector_state() == before


def test_the_command_leaves_objects_the_caller_froze_alone() -> None:
    import gc

    from volscreen import _gc

    before = _collector_state()
    if before[2] == 0:
        gc.freeze()  # the caller's own frozen objects
    try:
        mine = gc.get_freeze_count()
        with _gc.command_collector():
            _gc.pause()
            _gc.settle()
            assert gc.get_freeze_count() == mine and gc.isenabled()
        assert gc.get_freeze_count() == mine
    finally:
        if before[2] == 0:
            gc.unfreeze()
    assert _collector_state() == before


def test_the_collector_is_restored_when_the_command_fails(tmp_path: Path) -> None:
    """``screen`` pauses the collector; a command that exits early still restores it."""
    from volscreen.cli import main

    before = _collector_state()
    try:
        main(["screen", str(tmp_path / "missing.csv"), "--no-store"])
    except SystemExit as exc:
        assert exc.code == 1
    assert _collector_state() == before


def test_a_screen_command_freezes_its_imports_and_collects_again() -> None:
    if not (ROOT / "fixtures" / "volscreen.toml").is_file():
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    code = ("import gc\n"
            "from volscreen import _gc\n"
            "seen = []\n"
            "settle = _gc.settle\n"
            "_gc.settle = lambda: (settle(),\n"
            "                      seen.append((gc.isenabled(), gc.get_freeze_count())))\n"
            "from volscreen.cli import main\n"
            "try:\n"
            "    main(['screen', '--no-store'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "enabled, frozen = seen[0]\n"
            "print(len(seen), enabled, frozen > 100_000, gc.isenabled(), gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.splitlines()[-1].split() == ["1", "True", "True", "True", "0"]


def test_the_command_line_itself_ends_with_everything_frozen() -> None:
    """``volscreen ...`` (main() without argv) freezes at the end: the exit scans nothing."""
    if not (ROOT / "fixtures" / "volscreen.toml").is_file():
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    code = ("import gc, sys\n"
            "from volscreen.cli import main\n"
            "sys.argv = ['volscreen', 'screen', '--no-store']\n"
            "before = gc.get_threshold()\n"
            "try:\n"
            "    main()\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "print(gc.get_freeze_count() > 100_000, gc.get_threshold() == before,"
            " gc.isenabled())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.splitlines()[-1].split() == ["True", "True", "True"]
