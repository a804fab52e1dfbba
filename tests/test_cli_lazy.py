"""The stage subcommands load on first use; every command is still reachable and listed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
