"""Screen inputs: chain files, directories, bars matching and watchlist entries -> jobs."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .config import ScreenConfig, TickerConfig
from .errors import ConfigError

CHAIN_SUFFIXES = (".csv", ".csv.gz", ".json", ".json.gz", ".parquet", ".pq", ".txt", ".gz")

Progress = Callable[[int, int, str], None]
LOAD_KEYWORDS = frozenset({"columns", "quote_time", "underlying_price", "format"})
"""``load_chain`` keywords a screen passes through (``load_options``)."""


@dataclass(frozen=True)
class ScreenJob:
    """One chain source to screen, with its settings.

    ``chain`` and ``bars`` are paths or DataFrames; ``label`` names the source
    in the result (``source_file``) and in warnings.  ``load_options`` are
    keyword arguments of ``load_chain`` (``columns``, ``quote_time``,
    ``underlying_price``, ``format``) used when ``chain`` is a path.
    """

    chain: Any
    bars: Any = None
    ticker: str | None = None
    targets: tuple[float, ...] | None = None
    range: tuple[float, float] | None = None
    settlement: str | None = None
    rate: float | None = None
    label: str = ""
    load_options: Mapping[str, Any] = field(default_factory=dict)


def chain_files(path: Path) -> list[Path]:
    """The chain files of a directory (sorted), or ``[path]`` for a file."""
    if path.is_dir():
        files = [p for p in sorted(path.iterdir())
                 if p.is_file() and not p.name.startswith(".")
                 and p.name.lower().endswith(CHAIN_SUFFIXES)]
        if not files:
            raise ConfigError("no chain files (.csv, .json, .parquet, .gz) in this directory",
                              source=path)
        return files
    return [path]


def _bars_ticker(path: Path) -> str:
    stem = path.name.split(".")[0]
    return stem.replace("-", "_").split("_")[0].upper()


def match_bars(bars: Sequence[Path], ticker: str | None) -> Path | None:
    """The bars file for ``ticker``: the one whose name starts with the ticker.

    A single bars file is used for every chain (a one-ticker screen); with
    several, a file is matched when its name's first ``_``/``-``/``.``
    separated token equals the ticker (``IWM_daily_raw.csv`` -> IWM).
    """
    if not bars:
        return None
    if len(bars) == 1:
        return bars[0]
    if ticker is None:
        return None
    for path in bars:
        if _bars_ticker(path) == ticker.upper():
            return path
    return None


def jobs_from_paths(chains: Sequence[Path | str], bars: Sequence[Path | str] = (), *,
                    user_range: Sequence[float] | None = None,
                    load_options: Mapping[str, Any] | None = None) -> list[ScreenJob]:
    """Screen jobs for chain files/directories and bars files (CLI arguments).

    ``load_options`` (keyword arguments of ``load_chain``) apply to every file.
    """
    bar_paths = [Path(b) for b in bars]
    jobs = []
    for item in chains:
        for path in chain_files(Path(item)):
            jobs.append(ScreenJob(chain=path, bars=tuple(bar_paths) or None, label=str(path),
                                  range=None if user_range is None else
                                  (float(user_range[0]), float(user_range[1])),
                                  load_options=dict(load_options or {})))
    return jobs


def jobs_from_config(config: ScreenConfig) -> list[ScreenJob]:
    jobs = []
    for entry in config.watchlist:
        jobs += entry_jobs(entry)
    return jobs


def entry_jobs(entry: TickerConfig) -> list[ScreenJob]:
    jobs = []
    for path in entry.chains:
        try:
            files = chain_files(path)
        except ConfigError:
            files = [path]  # reported as a failed ticker when loading
        for file in files:
            jobs.append(ScreenJob(chain=file, bars=entry.bars, ticker=entry.ticker,
                                  targets=entry.targets, range=entry.range,
                                  settlement=entry.settlement, rate=entry.rate,
                                  label=str(file), load_options=entry.load_options()))
    return jobs


def jobs_for(chains: Any, bars: Any) -> list[ScreenJob]:
    if isinstance(chains, ScreenJob):
        return [chains]
    if isinstance(chains, Mapping):
        jobs = []
        for ticker, value in chains.items():
            chain, tbars = value if isinstance(value, tuple) else (value, pick(bars, ticker))
            jobs.append(ScreenJob(chain=chain, bars=tbars, ticker=str(ticker).upper(),
                                  label=label_of(chain, str(ticker))))
        return jobs
    if isinstance(chains, (pd.DataFrame, str, Path)):
        chains = [chains]
    jobs = []
    for item in chains:
        if isinstance(item, ScreenJob):
            jobs.append(item)
        elif isinstance(item, pd.DataFrame):
            jobs.append(ScreenJob(chain=item, bars=bars, label=label_of(item, "<DataFrame>")))
        else:
            for path in chain_files(Path(item)):
                jobs.append(ScreenJob(chain=path, bars=bars, label=str(path)))
    return jobs


def pick(bars: Any, ticker: str) -> Any:
    if isinstance(bars, Mapping):
        return bars.get(ticker, bars.get(str(ticker).upper()))
    return bars


def label_of(chain: Any, default: str) -> str:
    if isinstance(chain, pd.DataFrame):
        return str(chain.attrs.get("source") or default)
    return str(chain)


def with_load_options(jobs: list[ScreenJob], options: Mapping[str, Any]) -> list[ScreenJob]:
    """``jobs`` with ``options`` over their own ``load_chain`` keywords (checked first)."""
    from .loaders._args import check_chain_arguments

    unknown = sorted(set(options) - LOAD_KEYWORDS)
    if unknown:
        raise ConfigError(f"load_options: unknown keyword(s) {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(LOAD_KEYWORDS))})", column="load_options")
    check_chain_arguments(**{"format": None, "underlying": None, "underlying_price": None,
                             "quote_time": None, "columns": None, "wide_threshold": 0.5,
                             **options})
    return [dataclasses.replace(job, load_options={**job.load_options, **options})
            for job in jobs]
