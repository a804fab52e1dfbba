"""The ``volscreen`` command line (click).

Thin layer: parse options into a :class:`~volscreen.config.ScreenConfig`,
call the library, render or export.  Data goes to stdout; logs, warnings and
progress bars to stderr.

Exit codes: 0 success (a watchlist where some tickers fail still exits 0 and
lists them as warnings, unless ``--strict``); 1 bad input or settings (one
line naming the file/column, no traceback unless ``--debug``), every ticker
failed, or, under ``--strict``, any failed ticker; 2 usage error (unknown option, bad flag value).

Heavy modules (pandas, numba kernels, scipy, rich) are imported inside the
commands, so ``volscreen --help`` starts without them.
"""
from __future__ import annotations

import importlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import ConfigError, VolscreenError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .config import ScreenConfig
    from .result import ScreenResult

log = logging.getLogger("volscreen")

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
WIDE_WIDTH = 200
"""Minimum rendering width of ``--wide`` tables."""
SAMPLE_CHAIN = "iwm_chain_sample.csv"
SAMPLE_BARS = "iwm_bars_sample.csv"
SAMPLE_CONFIG = "volscreen.toml"
FORMATS = ("table", "csv", "json", "parquet")


def fixtures_dir() -> Path:
    """The checkout's ``fixtures/`` folder holding the bundled sample."""
    import volscreen

    return Path(volscreen.__file__).resolve().parents[1] / "fixtures"


def sample_config_path() -> Path:
    """Path of the bundled sample watchlist; ConfigError when absent."""
    path = fixtures_dir() / SAMPLE_CONFIG
    if not path.is_file():
        raise ConfigError(
            "the bundled sample is not available (it ships in the source checkout's fixtures/ "
            "folder; install volscreen from a checkout with pip install -e .). Pass a chain "
            "file or directory instead: volscreen screen CHAIN_OR_DIR --bars BARS",
            source=path)
    return path


# ---------------------------------------------------------------------------
# error handling: VolscreenError -> exit 1 with one line on stderr
# ---------------------------------------------------------------------------
STAGE_COMMANDS = ("chain", "term", "realized", "price", "record", "history")
"""Subcommands defined in :mod:`volscreen._cli_commands`, imported on first use: the
screen command starts without building their ~60 click options (about 3 ms)."""


class _Group(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in STAGE_COMMANDS:
            _stage_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _stage_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (VolscreenError, OSError) as exc:
            if _debug(ctx):
                raise
            message = str(exc) if isinstance(exc, VolscreenError) else \
                f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}".lstrip(": ")
            click.echo(f"volscreen: error: {message}", err=True)
            ctx.exit(EXIT_BAD_INPUT)


def _debug(ctx: click.Context) -> bool:
    obj = ctx.find_root().obj
    return bool(obj and obj.get("debug"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="volscreen")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv debug).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int) -> None:
    """volscreen: is the underlying coiled, and are its options cheap?

    Run `volscreen screen` for the morning screen on the bundled IWM sample.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    level = logging.DEBUG if debug or verbose > 1 else logging.INFO if verbose else \
        logging.WARNING
    root = logging.getLogger()
    fresh = not root.handlers  # else an embedding program (or pytest) owns the handlers
    logging.basicConfig(level=level, stream=sys.stderr, format="volscreen: %(message)s")
    logging.getLogger("volscreen").setLevel(level)
    if fresh:
        for handler in root.handlers:
            handler.addFilter(_ONCE)


class _OnceFilter(logging.Filter):
    """Pass each distinct log message once; remember it for :func:`_show_warning`.

    The library logs a data-quality finding and also issues it as a
    :class:`~volscreen.errors.VolscreenWarning`, and several stages may find
    the same thing (e.g. the split check runs for the cone and again for the
    compression summary): the terminal shows it once.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if text in self.seen:
            return False
        self.seen.add(text)
        return True


_ONCE = _OnceFilter()


def _show_warning(message: Warning | str, category: type[Warning], filename: str,
                  lineno: int, file: Any = None, line: str | None = None) -> None:
    """``warnings.showwarning`` for the command line: a VolscreenWarning is one line.

    Python's default shows ``file:line: Category: text`` and the source line;
    a user needs the text, once (skipped when the same text was just logged).
    """
    from .errors import VolscreenWarning

    if not issubclass(category, VolscreenWarning):  # what Python's default shows
        (file or sys.stderr).write(warnings.formatwarning(message, category, filename, lineno,
                                                          line))
        return
    text = str(message)
    if text not in _ONCE.seen:
        _ONCE.seen.add(text)
        click.echo(f"volscreen: warning: {text}", err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``volscreen``)."""
    from ._gc import command_collector

    # no argv: this is the process's own command line (the console script, python -m
    # volscreen), which ends with the command
    with command_collector(exiting=argv is None), warnings.catch_warnings():
        warnings.showwarning = _show_warning
        cli.main(args=list(argv) if argv is not None else None, prog_name="volscreen")


# ---------------------------------------------------------------------------
# shared options and output
# ---------------------------------------------------------------------------
def _output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--width", type=click.IntRange(40, 1000), default=None,
                        help="Table width in columns (default: terminal, 80 when piped).")(func)
    func = click.option("--wide", is_flag=True, help="More columns (at least 200 wide).")(func)
    func = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, help="Write to FILE (atomically) instead of stdout.")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help="Output format.")(func)
    return func


def _stdout() -> Any:
    return sys.stdout


def _use_color() -> bool:
    stream = _stdout()
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def _width(width: int | None, wide: bool) -> int:
    if width is None:
        stream = _stdout()
        if getattr(stream, "isatty", lambda: False)():
            import shutil

            width = shutil.get_terminal_size((80, 24)).columns
        else:
            width = 80
    return max(width, WIDE_WIDTH) if wide else width


def _emit_text(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from .export import atomic_write

    def write(sink: Any) -> None:
        sink.write(text.encode("utf-8"))

    atomic_write(output, write)
    log.info("wrote %s", output)


def _emit_frame(frame: pd.DataFrame, fmt: str, output: Path | None, *, name: str,
                table: Callable[[], Any], width: int | None, wide: bool) -> None:
    """Write one frame as a rich table (``table()`` builds it) or an export."""
    from . import export, render

    if fmt == "table":
        _emit_text(render.to_text([table()], width=_width(width, wide),
                                  color=output is None and _use_color()), output)
    elif fmt == "parquet":
        if output is None:
            raise click.UsageError("--format parquet needs --output FILE")
        export.write_frame(frame, output, format="parquet")
    elif fmt == "csv":
        _emit_text(export.csv_text(frame), output)
    else:
        _emit_text(export.json_text(frame, name=name), output)


LOAD_OPTIONS_META = "volscreen.load_options"
"""``ctx.meta`` key holding the ``load_chain`` keywords given by the loader flags."""


def _loader_flag(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Click callback of a loader flag: check it like the config key, keep it in ``ctx.meta``."""
    if value is None:
        return
    from ._config_checks import _TICKER_KEYS, LOADER_KEYS

    key = str(param.name)
    try:
        checked = _TICKER_KEYS[key](value, key, None)
    except ConfigError as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param=param) from None
    ctx.meta.setdefault(LOAD_OPTIONS_META, {})[LOADER_KEYS[key]] = \
        dict(checked) if key == "columns" else checked


def _loader_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--columns``, ``--quote-time``, ``--spot``, ``--input-format``: ``load_chain`` keywords."""
    func = click.option("--input-format", "--format-in", "input_format", default=None,
                        expose_value=False, callback=_loader_flag, metavar="FORMAT",
                        help="Chain format of the input instead of detecting it "
                             "(load_chain(format=...)), e.g. yfinance, canonical.")(func)
    func = click.option("--spot", "spot", default=None, expose_value=False,
                        callback=_loader_flag, metavar="PRICE",
                        help="Underlying price for rows without one "
                             "(load_chain(underlying_price=...)).")(func)
    func = click.option("--quote-time", "quote_time", default=None, expose_value=False,
                        callback=_loader_flag, metavar="ISO",
                        help="Quote time of every row, for files without one "
                             "(load_chain(quote_time=...)); naive = New York, a date alone "
                             "= the 16:00 close, e.g. 2025-08-26 or 2025-08-26T15:45.")(func)
    func = click.option("--columns", "columns", default=None, expose_value=False,
                        callback=_loader_flag, metavar="NAME=CANONICAL[,...]",
                        help="Map the file's column names onto canonical ones "
                             "(load_chain(columns=...)), e.g. K=strike,Exp=expiry.")(func)
    return func


def _load_options() -> dict[str, Any]:
    """The ``load_chain`` keywords given by the loader flags of the running command."""
    return dict(click.get_current_context().meta.get(LOAD_OPTIONS_META, {}))


def _check_rate(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Click callback: ``--rate`` is a decimal; ``--rate 4`` (a percent) is a usage error."""
    if value is None:
        return None
    from ._config_checks import _rate

    try:
        return _rate(value, "rate", None)
    except ConfigError as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param=param) from None


def _option_hint(exc: ConfigError) -> str:
    """``--dte`` for a ConfigError about ``dte`` or ``dte[0]`` raised on a flag value."""
    key = (exc.column or "").split("[")[0].split(".")[0]
    return f"--{key.replace('_', '-')}" if key else "option"


def _parse_list(value: str | None, name: str) -> tuple[float, ...] | None:
    if value is None:
        return None
    from .config import parse_numbers

    try:
        return parse_numbers(value, name)
    except ConfigError as exc:
        raise click.BadParameter(exc.message, param_hint=name) from None


# ---------------------------------------------------------------------------
# screen
# ---------------------------------------------------------------------------
@cli.command()
@click.argument("chains", nargs=-1, type=click.Path(path_type=Path))
@click.option("--bars", "bars", multiple=True, type=click.Path(path_type=Path),
              help="Daily OHLCV of the underlying (repeat for several tickers; matched by the "
                   "ticker at the start of the file name).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="volscreen.toml with defaults and a watchlist.")
@click.option("--targets", default=None, help="Target price levels, e.g. 245,275.")
@click.option("--range", "box_range", default=None, help="Range box FLOOR,CEILING, e.g. 255,265.")
@click.option("--rate", type=float, default=None, callback=_check_rate,
              help="Flat rate, decimal (0.04 = 4%; |rate| > 1 is refused as a percent).")
@click.option("--dte", default=None, help="Expiry window MIN:MAX calendar days, e.g. 7:60.")
@click.option("--top", type=click.IntRange(1), default=None, help="Candidates shown.")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="IV history store (SQLite) for IV rank / percentile; default: the "
                   "config's store, else $VOLSCREEN_STORE or the user data folder when that "
                   "file exists.")
@click.option("--no-store", is_flag=True, default=False,
              help="Do not read any IV history store (no IV rank / percentile).")
@click.option("--table", "table_name", default="candidates", show_default=True,
              type=click.Choice(["candidates", "summary", "warnings", "term_structure",
                                 "surface", "compression"]),
              help="Table written by --format csv/parquet (JSON holds the whole result).")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Processes screening chains in parallel (for large watchlists).")
@click.option("--strict", is_flag=True, default=None,
              help="Exit 1 when any ticker fails (default: warn and exit 0).")
@_loader_options
@_output_options
def screen(chains: tuple[Path, ...], bars: tuple[Path, ...], config_path: Path | None,
           targets: str | None, box_range: str | None, rate: float | None, dte: str | None,
           top: int | None, store: Path | None, no_store: bool, table_name: str, workers: int,
           strict: bool | None, fmt: str, output: Path | None, wide: bool,
           width: int | None) -> None:
    """The morning screen: rank tickers and long-vol candidates.

    CHAIN_OR_DIR are chain files or directories (every chain file inside is
    screened).  With no data argument and no --config, screens the bundled
    IWM sample.
    """
    from . import _gc

    _gc.pause()  # until the screen's modules are imported (_run_screen)
    if workers > 1:  # the workers' fork server imports the screen beside this process
        from ._preload import start_fork_server

        start_fork_server()
    from .config import ScreenConfig, load_config

    if config_path is not None:
        config = load_config(config_path)
    elif not chains:
        config = load_config(sample_config_path())
    else:
        config = ScreenConfig()
    try:
        config = config.replace(rate=rate, dte=dte, top=top, store=store, strict=strict,
                                targets=_parse_list(targets, "--targets"))
    except ConfigError as exc:  # a flag value out of range: name the flag, not a config key
        raise click.BadParameter(exc.message, param_hint=_option_hint(exc)) from None
    if no_store:
        import dataclasses

        config = dataclasses.replace(config, store=None)
    elif config.store is None:
        config = config.replace(store=_existing_default_store())
    user_range = _parse_list(box_range, "--range")
    keep_surface = fmt in ("csv", "parquet") and table_name == "surface"
    result = _run_screen(config, chains, bars, user_range, keep_surface, workers)
    if fmt == "table":
        from . import render

        _emit_text(render.render_text(result, width=_width(width, wide), wide=wide,
                                      color=output is None and _use_color()), output)
    elif fmt == "json" or fmt == "parquet" and output is None:
        if fmt == "parquet":
            raise click.UsageError("--format parquet needs --output FILE")
        from .export import json_text

        _emit_text(json_text(result), output)
    else:
        from . import export

        if output is None:
            _emit_text(export.csv_text(export.result_table(result, table_name)), None)
        else:
            export.write_result(result, output, format=fmt, table=table_name)
    for line in _warning_lines(result):
        click.echo(f"volscreen: warning: {line}", err=True)
    if result.failed and len(result.failed) == len(result.summary):
        click.echo("volscreen: error: nothing could be screened (see the warnings above)",
                   err=True)
        sys.exit(EXIT_BAD_INPUT)
    if config.strict and result.failed:
        click.echo(f"volscreen: error: {len(result.failed)} ticker(s) failed: "
                   f"{', '.join(result.failed)} (--strict)", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _warning_lines(result: ScreenResult) -> list[str]:
    from .render import warnings_lines

    return warnings_lines(result)


def _existing_default_store() -> Path | None:
    """The default store (``$VOLSCREEN_STORE`` or the user data folder) if it exists.

    ``volscreen screen`` reads the history store automatically once
    ``volscreen record`` has created it, so IV rank needs no flag.
    """
    from ._store_path import default_store_path  # not .store: no pandas/sqlite unless it exists

    path = default_store_path()
    return path if path.is_file() else None


def _run_screen(config: ScreenConfig, chains: Sequence[Path], bars: Sequence[Path],
                user_range: tuple[float, ...] | None, keep_surface: bool,
                workers: int = 1) -> ScreenResult:
    from . import _gc
    from ._preload import PRELOAD
    from .screening import jobs_from_paths, screen as run

    for name in PRELOAD:  # what every chain needs, imported before the collector resumes
        importlib.import_module(name)
    _gc.settle()
    if user_range is not None and (len(user_range) != 2
                                   or not 0 < user_range[0] < user_range[1]):
        # the same rule as the config's range key: a reversed box is a typo, not a box
        raise click.BadParameter("expected FLOOR,CEILING with 0 < FLOOR < CEILING",
                                 param_hint="--range")
    jobs = None
    if chains:
        jobs = jobs_from_paths(chains, bars, user_range=user_range)
    elif user_range is not None or bars or config.targets is not None:
        config = config.replace(watchlist=tuple(
            _with_cli(entry, bars, user_range, config.targets) for entry in config.watchlist))
    with _progress() as advance:
        return run(jobs, config=config, progress=advance, keep_surface=keep_surface,
                   workers=workers, load_options=_load_options())


def _with_cli(entry: Any, bars: Sequence[Path], user_range: Any, targets: Any) -> Any:
    """A watchlist entry with the command-line flags applied (flags win)."""
    import dataclasses

    values: dict[str, Any] = {}
    if bars:
        values["bars"] = bars[0]
    if user_range is not None:
        values.update(range=tuple(user_range), targets=None)
    if targets is not None:
        values["targets"] = None  # the screen-wide --targets applies
        if user_range is None:
            values["range"] = None
    return dataclasses.replace(entry, **values)


class _progress:
    """Context manager yielding a ``progress(done, total, label)`` callback.

    Draws a rich progress bar on stderr once more than one chain is screened
    and stderr is a terminal; otherwise does nothing.
    """

    def __enter__(self) -> Callable[[int, int, str], None]:
        self._bar: Any = None
        self._task: Any = None
        return self._advance

    def _advance(self, done: int, total: int, label: str) -> None:
        if total <= 1 or not sys.stderr.isatty():
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("screening", total=total)
        self._bar.update(self._task, completed=done, description=label)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _stage_commands() -> None:
    """Register the stage subcommands (:data:`STAGE_COMMANDS`) on :func:`cli`."""
    from . import _cli_commands  # noqa: F401  (its decorators register the commands)
