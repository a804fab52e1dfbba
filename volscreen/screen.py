"""The morning screen: orchestrate every stage per ticker, rank across tickers.

Per chain: canonical chain (loaders) -> parity forwards and IVs (implied) ->
term structure and IV30/60/90 (surface) -> realized vol, compression and
range box from the bars up to the chain's quote date (realized, compression,
rangebox) -> IV rank from the history store when one is given (ranks) ->
candidate straddles/strangles against targets, probabilities, cheapness and
score (structures).  Candidates are then ranked by score across tickers and
the tickers by their best candidate.

Rules
-----
* A chain file may hold several underlyings and quote times: each underlying
  is screened at its LATEST quote time in the file (the morning screen looks
  at the newest quotes; use :func:`volscreen.split_chains` and call
  :func:`screen` per chain to screen older ones).
* Bars after the chain's quote date (New York calendar date) are cut off, so
  a history downloaded later never leaks the future into RV, Bollinger width
  or the range box.  The last bar used is reported in ``bars_as_of``.
* Targets, in order of precedence: the ticker's own ``targets``; the
  screen-wide ``targets``; measured moves of the ticker's ``range``
  (floor - height, ceiling + height); measured moves of the range box
  detected in the bars; none (target columns NaN, ``targets_source`` =
  ``none``).
* A ticker that cannot be screened (unreadable file, no usable quotes, any
  stage error) gets a ``failed`` summary row with the reason and a warning;
  the others still screen.  A chain with fewer usable quotes than
  ``min_quotes`` is screened and flagged ``thin``.

No file is written and nothing is printed here; files are read only through
the loaders.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .config import ScreenConfig, TickerConfig
from .errors import ConfigError, VolscreenError
from .result import WARNING_COLUMNS, ScreenResult

log = logging.getLogger(__name__)

CM_DAYS = (30, 60, 90)
RV_WINDOW = 20
RV_ESTIMATOR = "yang_zhang"
CHAIN_SUFFIXES = (".csv", ".csv.gz", ".json", ".json.gz", ".parquet", ".pq", ".txt", ".gz")
W_NO_BARS = "no_bars"
W_THIN = "thin_chain"
W_BARS = "bars_problem"
W_NO_BOX = "no_range_box"
W_STORE = "store_problem"
R_NO_BARS = "no_bars"
R_NO_STORE = "no_store"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ScreenJob:
    """One chain source to screen, with its settings.

    ``chain`` and ``bars`` are paths or DataFrames; ``label`` names the source
    in the result (``source_file``) and in warnings.
    """

    chain: Any
    bars: Any = None
    ticker: str | None = None
    targets: tuple[float, ...] | None = None
    range: tuple[float, float] | None = None
    settlement: str | None = None
    rate: float | None = None
    label: str = ""


@dataclass
class _Outcome:
    summary: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[pd.DataFrame] = field(default_factory=list)
    term: list[pd.DataFrame] = field(default_factory=list)
    surface: list[pd.DataFrame] = field(default_factory=list)
    compression: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def warn(self, underlying: str, source: str, code: str, message: str) -> None:
        self.warnings.append({C.UNDERLYING: underlying, C.SOURCE_FILE: source,
                              C.WARNING_CODE: code, C.WARNING_MESSAGE: " ".join(message.split())})


# ---------------------------------------------------------------------------
# inputs -> jobs
# ---------------------------------------------------------------------------
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
                    user_range: Sequence[float] | None = None) -> list[ScreenJob]:
    """Screen jobs for chain files/directories and bars files (CLI arguments)."""
    bar_paths = [Path(b) for b in bars]
    jobs = []
    for item in chains:
        for path in chain_files(Path(item)):
            jobs.append(ScreenJob(chain=path, bars=tuple(bar_paths) or None, label=str(path),
                                  range=None if user_range is None else
                                  (float(user_range[0]), float(user_range[1]))))
    return jobs


def _jobs_from_config(config: ScreenConfig) -> list[ScreenJob]:
    jobs = []
    for entry in config.watchlist:
        jobs += _entry_jobs(entry)
    return jobs


def _entry_jobs(entry: TickerConfig) -> list[ScreenJob]:
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
                                  label=str(file)))
    return jobs


def _jobs(chains: Any, bars: Any) -> list[ScreenJob]:
    if isinstance(chains, ScreenJob):
        return [chains]
    if isinstance(chains, Mapping):
        jobs = []
        for ticker, value in chains.items():
            chain, tbars = value if isinstance(value, tuple) else (value, _pick(bars, ticker))
            jobs.append(ScreenJob(chain=chain, bars=tbars, ticker=str(ticker).upper(),
                                  label=_label(chain, str(ticker))))
        return jobs
    if isinstance(chains, (pd.DataFrame, str, Path)):
        chains = [chains]
    jobs = []
    for item in chains:
        if isinstance(item, ScreenJob):
            jobs.append(item)
        elif isinstance(item, pd.DataFrame):
            jobs.append(ScreenJob(chain=item, bars=bars, label=_label(item, "<DataFrame>")))
        else:
            for path in chain_files(Path(item)):
                jobs.append(ScreenJob(chain=path, bars=bars, label=str(path)))
    return jobs


def _pick(bars: Any, ticker: str) -> Any:
    if isinstance(bars, Mapping):
        return bars.get(ticker, bars.get(str(ticker).upper()))
    return bars


def _label(chain: Any, default: str) -> str:
    if isinstance(chain, pd.DataFrame):
        return str(chain.attrs.get("source", default))
    return str(chain)


# ---------------------------------------------------------------------------
# the screen
# ---------------------------------------------------------------------------
def screen(chains: Any = None, bars: Any = None, *, config: ScreenConfig | None = None,
           store: Any = None, progress: Progress | None = None,
           **overrides: Any) -> ScreenResult:
    """Screen one ticker or a watchlist and rank the long-vol candidates.

    Parameters
    ----------
    chains
        What to screen: a canonical chain DataFrame (``volscreen.load_chain``),
        a chain file or directory path, a list of those, a mapping
        ``ticker -> chain`` or ``ticker -> (chain, bars)``, or None to screen
        ``config.watchlist``.
    bars
        Daily bars (``volscreen.load_bars`` frame or path) for every chain, a
        list of bars paths matched by file name (see :func:`match_bars`), or a
        mapping ``ticker -> bars``.  None: realized/compression columns NaN
        with reason ``no_bars``.
    config
        Settings (default :class:`~volscreen.config.ScreenConfig`).
    store
        A :class:`volscreen.HistoryStore` (or a path) for IV rank/percentile;
        default ``config.store`` when set.
    progress
        Called as ``progress(done, total, label)`` after each chain.
    **overrides
        Config values to override (``rate=0.045``, ``dte=(7, 45)``,
        ``targets=[245, 275]``, ...), validated like the config file.

    Returns
    -------
    ScreenResult
        ``summary`` (one row per screened underlying and chain, ranked),
        ``candidates`` (ranked across tickers), ``term_structure``,
        ``surface``, ``compression``, ``warnings`` and the ``config`` used.

    Raises
    ------
    ConfigError
        Bad overrides or nothing to screen.  Problems with one ticker's data
        never raise: they are reported in the result.
    """
    config = (config or ScreenConfig()).replace(**overrides)
    jobs = _jobs_from_config(config) if chains is None else _jobs(chains, bars)
    if not jobs:
        raise ConfigError("nothing to screen: pass chain files or a config with a watchlist")
    store = _open_store(store if store is not None else config.store)
    out = _Outcome()
    cache: dict[str, pd.DataFrame] = {}
    for done, job in enumerate(jobs, start=1):
        _run_job(job, config, store, out, cache)
        if progress is not None:
            progress(done, len(jobs), Path(job.label).name or job.label)
    return _assemble(out, config)


def _open_store(store: Any) -> Any:
    if store is None or not isinstance(store, (str, Path)):
        return store
    from .store import HistoryStore

    return HistoryStore(store, create=False)


def _load_bars(source: Any, cache: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    if source is None or isinstance(source, pd.DataFrame):
        return source
    key = str(source)
    if key not in cache:
        from .loaders import load_bars

        cache[key] = load_bars(source)
    return cache[key]


def _latest_chains(chain: pd.DataFrame) -> list[pd.DataFrame]:
    """One chain per underlying at its latest quote time."""
    if chain.empty:
        from .errors import EmptyDataError

        raise EmptyDataError("empty chain", source=chain.attrs.get("source"))
    latest = chain.groupby(C.UNDERLYING, sort=True)[C.QUOTE_TIME].transform("max")
    keep = chain[chain[C.QUOTE_TIME] == latest]
    return [sub.reset_index(drop=True) for _, sub in keep.groupby(C.UNDERLYING, sort=True)]


def _run_job(job: ScreenJob, config: ScreenConfig, store: Any, out: _Outcome,
             cache: dict[str, pd.DataFrame]) -> None:
    label = job.label or _label(job.chain, "<chain>")
    ticker = job.ticker or "?"
    try:
        if isinstance(job.chain, pd.DataFrame):
            chain = job.chain
        else:
            from .loaders import load_chain

            chain = load_chain(job.chain, underlying=job.ticker)
        subs = _latest_chains(chain)
    except VolscreenError as exc:
        _fail(out, ticker, label, exc)
        return
    for sub in subs:
        underlying = str(sub[C.UNDERLYING].iloc[0])
        try:
            bars_source = job.bars
            if isinstance(bars_source, tuple):
                bars_source = match_bars(bars_source, underlying)
            bars = _load_bars(_pick(bars_source, underlying), cache)
            _screen_chain(sub, bars, job, config, store, out, label)
        except VolscreenError as exc:
            _fail(out, underlying, label, exc)
        except Exception as exc:  # a stage bug must not sink the whole watchlist
            log.debug("screening %s failed", underlying, exc_info=True)
            _fail(out, underlying, label, exc, internal=True)


def _fail(out: _Outcome, underlying: str, label: str, exc: BaseException,
          internal: bool = False) -> None:
    reason = f"internal error {type(exc).__name__}: {exc}" if internal else str(exc)
    reason = " ".join(reason.split())
    out.summary.append({C.UNDERLYING: underlying, C.SOURCE_FILE: label,
                        C.SCREEN_STATUS: C.SCR_FAILED, C.SCREEN_REASON: reason})
    out.warn(underlying, label, C.SCR_FAILED, reason)


def cut_bars(bars: pd.DataFrame, quote_time: pd.Timestamp) -> pd.DataFrame:
    """Bars up to and including the New York calendar date of ``quote_time``.

    Undated bars (a ``bar`` RangeIndex) are returned unchanged.
    """
    if not isinstance(bars.index, pd.DatetimeIndex):
        return bars
    day = pd.Timestamp(quote_time).tz_convert("America/New_York").tz_localize(None).normalize()
    index = bars.index.tz_localize(None) if bars.index.tz is not None else bars.index
    return bars[index <= day]


def _screen_chain(chain: pd.DataFrame, bars: pd.DataFrame | None, job: ScreenJob,
                  config: ScreenConfig, store: Any, out: _Outcome, label: str) -> None:
    from .implied import implied_vols
    from .structures import candidates
    from .surface import constant_maturity, term_structure

    if job.settlement is not None:
        chain = chain.assign(**{C.SETTLEMENT: job.settlement})
    underlying = str(chain[C.UNDERLYING].iloc[0])
    quote_time = pd.Timestamp(chain[C.QUOTE_TIME].iloc[0])
    row: dict[str, Any] = {C.UNDERLYING: underlying, C.SOURCE_FILE: label,
                           C.QUOTE_TIME: quote_time, C.SCREEN_STATUS: C.SCR_OK,
                           C.SCREEN_REASON: ""}
    usable = int((chain[C.QUOTE_STATUS] == C.QS_OK).sum()) if C.QUOTE_STATUS in chain else \
        len(chain)
    if usable == 0:
        from .errors import EmptyDataError

        raise EmptyDataError("no usable quote in the chain (every quote_status is not ok)",
                             source=label)
    if usable < config.min_quotes:
        message = f"only {usable} usable quotes (< min_quotes {config.min_quotes})"
        row.update({C.SCREEN_STATUS: C.SCR_THIN, C.SCREEN_REASON: message})
        out.warn(underlying, label, W_THIN, message)

    rate = config.rate if job.rate is None else job.rate
    with_iv = implied_vols(chain, rate)
    term = term_structure(with_iv)
    cm = constant_maturity(term, CM_DAYS, detail=True)
    ivs = dict(zip(cm[C.DAYS].astype(int), cm[C.ATM_IV].astype(float)))
    statuses = dict(zip(cm[C.DAYS].astype(int), cm[C.CM_STATUS].astype(str)))
    spot = float(pd.to_numeric(chain[C.UNDERLYING_PRICE], errors="coerce").median()) \
        if C.UNDERLYING_PRICE in chain else math.nan
    row.update({C.SPOT: spot, C.HS_IV30: ivs[30], C.IV30_STATUS: statuses[30],
                C.HS_IV60: ivs[60], C.HS_IV90: ivs[90], C.IV90_STATUS: statuses[90],
                C.TERM_SLOPE: ivs[30] - ivs[90]})

    comp, box = _bar_stages(bars, quote_time, job, row, out, underlying, label)
    targets, source = _targets(job, config, box)
    row[C.TARGETS_SOURCE] = source
    rank = _iv_rank(store, underlying, quote_time, ivs[30], row, out, label)

    cands = candidates(
        with_iv, targets=targets, box=box, dte=config.dte, deltas=config.deltas,
        iv_shift=config.iv_shift, bars=row.pop("_bars", None), compression=comp,
        iv_rank=rank, weights=config.weight_map)
    cands = _with_legs(cands, underlying, label)
    _best(row, cands)
    for name in (C.TARGET_LOW, C.TARGET_HIGH):
        levels = np.sort(_levels(targets if targets is not None else box))
        below, above = levels[levels < spot], levels[levels > spot]
        row[name] = (below[-1] if below.size else math.nan) if name == C.TARGET_LOW else \
            (above[0] if above.size else math.nan)

    out.summary.append(row)
    out.candidates.append(cands)
    out.term.append(_tag(term, underlying, label))
    out.surface.append(_tag(with_iv, underlying, label))
    if comp is not None:
        out.compression.append({C.UNDERLYING: underlying, C.SOURCE_FILE: label, **comp.to_dict()})


def _levels(targets: Any) -> np.ndarray:
    from .targets import target_levels

    return target_levels(targets) if targets is not None else np.empty(0)


def _tag(frame: pd.DataFrame, underlying: str, label: str) -> pd.DataFrame:
    out = frame.copy()
    if C.UNDERLYING not in out:
        out.insert(0, C.UNDERLYING, underlying)
    out.insert(1, C.SOURCE_FILE, label)
    return out


def _bar_stages(bars: pd.DataFrame | None, quote_time: pd.Timestamp, job: ScreenJob,
                row: dict[str, Any], out: _Outcome, underlying: str,
                label: str) -> tuple[pd.Series | None, Any]:
    """RV20, compression summary and range box from bars cut at the quote date."""
    from .indicators import compression_summary
    from .realized import realized_vols

    box: Any = None
    if job.range is not None:
        floor, ceiling = job.range
        box = {"floor": floor, "ceiling": ceiling, "height": ceiling - floor,
               "status": C.BOX_USER}
    if bars is None:
        row.update({C.HS_RV20: math.nan, C.RV20_STATUS: R_NO_BARS, C.BOX_STATUS: R_NO_BARS,
                    C.COMPRESSION_STATUS: R_NO_BARS})
        out.warn(underlying, label, W_NO_BARS,
                 "no price history: realized vol, compression and range box not computed")
        if box is not None:
            row.update({C.BOX_FLOOR: box["floor"], C.BOX_CEILING: box["ceiling"],
                        C.BOX_STATUS: C.BOX_USER})
        return None, box
    cut = cut_bars(bars, quote_time)
    if cut.empty:
        raise ConfigError("no bar on or before the chain's quote date "
                          f"{quote_time.tz_convert('America/New_York').date()}",
                          source=bars.attrs.get("source"))
    row[C.BARS_AS_OF] = cut.index[-1]
    rv = realized_vols(cut, (RV_WINDOW,), estimator=RV_ESTIMATOR)
    row[C.HS_RV20] = float(rv[f"{C.RV_PREFIX}{RV_WINDOW}"].iloc[-1])
    row[C.RV20_STATUS] = str(rv[C.RV_STATUS].iloc[-1]) if C.RV_STATUS in rv else "ok"
    row[C.IV30_RV20] = row[C.HS_IV30] / row[C.HS_RV20] if row[C.HS_RV20] > 0 else math.nan
    comp = compression_summary(cut)
    for name in (C.BBW, C.BBW_PCTILE_126, C.SQUEEZE_ON, C.SQUEEZE_BARS, C.COMPRESSION_STATUS):
        row[name] = comp.get(name, math.nan)
    if box is None:
        try:
            from .rangebox import range_box

            box = range_box(cut)
        except (ImportError, AttributeError) as exc:  # stage not installed
            out.warn(underlying, label, W_NO_BOX, f"range box unavailable: {exc}")
            box = None
    if box is not None:
        get = box.get if isinstance(box, Mapping) else lambda k, d=None: getattr(box, k, d)
        row.update({C.BOX_FLOOR: get("floor"), C.BOX_CEILING: get("ceiling"),
                    C.BOX_STATUS: get("status", C.BOX_OK)})
        if row[C.BOX_STATUS] == C.BOX_NONE:
            box = None
    else:
        row[C.BOX_STATUS] = C.BOX_NONE
    row["_bars"] = cut
    return comp, box


def _targets(job: ScreenJob, config: ScreenConfig, box: Any) -> tuple[Any, str]:
    if job.targets is not None:
        return job.targets, C.TGT_USER
    if config.targets is not None:
        return config.targets, C.TGT_USER
    if job.range is not None:
        floor, ceiling = job.range
        height = ceiling - floor
        return (floor - height, ceiling + height), C.TGT_RANGE
    if box is not None:
        return None, C.TGT_BOX
    return None, C.TGT_NONE


def _iv_rank(store: Any, underlying: str, quote_time: pd.Timestamp, iv30: float,
             row: dict[str, Any], out: _Outcome, label: str) -> float | None:
    row.update({C.IV_RANK: math.nan, C.IV_PERCENTILE: math.nan, C.IV_RANK_N_OBS: 0,
                C.IV_RANK_STATUS: R_NO_STORE})
    if store is None:
        return None
    from .ranks import rank_series

    day = quote_time.tz_convert("America/New_York").tz_localize(None).normalize()
    try:
        history = store.series(underlying, C.HS_IV30)
    except VolscreenError as exc:
        out.warn(underlying, label, W_STORE, str(exc))
        return None
    history = history[history.index < day]
    today = pd.Series([iv30], index=pd.DatetimeIndex([day]))
    series = pd.concat([history.astype(float), today]) if len(history) else today
    ranked = rank_series(series, day, series=C.HS_IV30, underlying=underlying)
    row.update({C.IV_RANK: ranked.rank, C.IV_PERCENTILE: ranked.percentile,
                C.IV_RANK_N_OBS: ranked.n_obs, C.IV_RANK_STATUS: ranked.status})
    return None if not math.isfinite(ranked.rank) else float(ranked.rank)


def _with_legs(cands: pd.DataFrame, underlying: str, label: str) -> pd.DataFrame:
    out = cands.copy()
    if C.UNDERLYING not in out:
        out.insert(0, C.UNDERLYING, underlying)
    if C.PUT_SYMBOL in out and C.CALL_SYMBOL in out:
        put = out[C.PUT_SYMBOL].astype(object)
        call = out[C.CALL_SYMBOL].astype(object)
        legs = [" ".join(str(s) for s in pair if isinstance(s, str) and s)
                for pair in zip(put, call)]
        out[C.LEGS] = [leg or None for leg in legs]
    out[C.SOURCE_FILE] = label
    return out


def _best(row: dict[str, Any], cands: pd.DataFrame) -> None:
    row[C.N_CANDIDATES] = len(cands)
    scores = pd.to_numeric(cands[C.SCORE], errors="coerce") if C.SCORE in cands else None
    if scores is None or not scores.notna().any():
        row.update({C.BEST_STRUCTURE: None, C.BEST_EXPIRY: pd.NaT, C.BEST_LEGS: None,
                    C.BEST_DEBIT_NATURAL: math.nan, C.BEST_SCORE: math.nan})
        return
    best = cands.loc[scores.idxmax()]
    row.update({C.BEST_STRUCTURE: best.get(C.STRUCTURE), C.BEST_EXPIRY: best.get(C.EXPIRY),
                C.BEST_LEGS: best.get(C.LEGS), C.BEST_DEBIT_NATURAL: best.get(C.DEBIT_NATURAL),
                C.BEST_SCORE: float(scores.max())})


SUMMARY_ORDER = (
    C.SCREEN_RANK, C.UNDERLYING, C.QUOTE_TIME, C.SOURCE_FILE, C.SCREEN_STATUS, C.SCREEN_REASON,
    C.SPOT, C.HS_IV30, C.IV30_STATUS, C.HS_IV60, C.HS_IV90, C.IV90_STATUS, C.TERM_SLOPE,
    C.HS_RV20, C.RV20_STATUS, C.IV30_RV20, C.IV_RANK, C.IV_PERCENTILE, C.IV_RANK_N_OBS,
    C.IV_RANK_STATUS, C.BARS_AS_OF, C.BBW, C.BBW_PCTILE_126, C.SQUEEZE_ON, C.SQUEEZE_BARS,
    C.COMPRESSION_STATUS, C.BOX_FLOOR, C.BOX_CEILING, C.BOX_STATUS, C.TARGET_LOW,
    C.TARGET_HIGH, C.TARGETS_SOURCE, C.N_CANDIDATES, C.BEST_STRUCTURE, C.BEST_EXPIRY,
    C.BEST_LEGS, C.BEST_DEBIT_NATURAL, C.BEST_SCORE,
)


def _ranked(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    score = pd.to_numeric(frame[key], errors="coerce") if key in frame else \
        pd.Series(np.nan, index=frame.index)
    order = np.lexsort((np.arange(len(frame)), np.nan_to_num(-score.to_numpy(float),
                                                             nan=np.inf)))
    out = frame.iloc[order].reset_index(drop=True)
    out.insert(0, C.SCREEN_RANK, np.arange(1, len(out) + 1))
    return out


def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _assemble(out: _Outcome, config: ScreenConfig) -> ScreenResult:
    summary = pd.DataFrame(out.summary)
    for name in SUMMARY_ORDER[1:]:
        if name not in summary:
            summary[name] = np.nan
    summary = summary[[c for c in SUMMARY_ORDER[1:]]]
    failed = (summary[C.SCREEN_STATUS] == C.SCR_FAILED).to_numpy()
    for name in (C.IV30_STATUS, C.IV90_STATUS, C.RV20_STATUS, C.IV_RANK_STATUS, C.BOX_STATUS,
                 C.COMPRESSION_STATUS, C.TARGETS_SOURCE):
        summary[name] = summary[name].astype(object)
        summary.loc[failed, name] = C.SCR_FAILED
    summary = _ranked(summary, C.BEST_SCORE)
    candidates = _ranked(_concat(out.candidates), C.SCORE)
    warnings = pd.DataFrame(out.warnings, columns=list(WARNING_COLUMNS))
    return ScreenResult(summary, candidates, _concat(out.term), _concat(out.surface),
                        pd.DataFrame(out.compression), config, warnings)
