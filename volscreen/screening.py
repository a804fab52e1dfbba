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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from . import columns as C
from ._screen_inputs import (
    CHAIN_SUFFIXES,
    Progress,
    ScreenJob,
    chain_files,
    jobs_for,
    jobs_from_config,
    jobs_from_paths,
    label_of,
    match_bars,
    pick,
    with_load_options,
)
from ._screen_bars import bars_context, box_fields, cut_bars, plain
from ._chainarrays import one_text_value, text_in
from ._term import floats, str_codes
from ._screen_rank import Outcome, assemble, best_of
from .config import ScreenConfig
from .errors import ConfigError, VolscreenError
from .result import ScreenResult

__all__ = ["CHAIN_SUFFIXES", "ScreenJob", "chain_files", "cut_bars", "jobs_from_paths",
           "match_bars", "screen"]

log = logging.getLogger(__name__)

CM_DAYS = (30, 60, 90)
W_NO_BARS = "no_bars"
W_THIN = "thin_chain"
W_BARS = "bars_problem"
W_NO_BOX = "no_range_box"
W_STORE = "store_problem"
W_NO_CANDIDATES = "no_candidates"
R_NO_BARS = "no_bars"
R_NO_STORE = "no_store"


# ---------------------------------------------------------------------------
# the screen
# ---------------------------------------------------------------------------
def screen(chains: Any = None, bars: Any = None, *, config: ScreenConfig | None = None,
           store: Any = None, progress: Progress | None = None, keep_surface: bool = True,
           workers: int = 1, load_options: Mapping[str, Any] | None = None,
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
    keep_surface
        Keep every chain's per-quote IVs in ``result.surface`` (about 1 MB per
        3,500-quote chain); pass False for large watchlists that do not need
        them (``surface`` is then empty).
    workers
        Processes screening chains in parallel: this one and ``workers - 1``
        worker processes (1 = in this process alone).  Workers are forked
        from a fresh interpreter that imports the screen once (about a
        second, while this process screens the first chains; spawned where
        there is no fork server); worth it from a few dozen chains.  Chains
        given as paths are
        loaded in the workers; bars frames are sent once per worker and each
        worker computes the bars context once per history and quote date
        (see :mod:`volscreen._screen_pool`).  Results and their order are the
        same as with one worker, to the last bit: the whole screen uses one
        IV engine, chosen from the number of chains alone
        (:func:`volscreen._screen_pool.screen_engine`).
    load_options
        Keyword arguments of :func:`volscreen.load_chain` for every chain
        given as a path: ``columns`` (``{file_name: canonical_name}``),
        ``quote_time`` (naive = New York; a date alone = the 16:00 close),
        ``underlying_price``, ``format``.  They override a watchlist entry's
        ``columns``/``quote_time``/``spot``/``input_format``; checked before
        any file is read.
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
    jobs = jobs_from_config(config) if chains is None else jobs_for(chains, bars)
    if not jobs:
        raise ConfigError("nothing to screen: pass chain files or a config with a watchlist")
    if load_options:
        jobs = with_load_options(jobs, load_options)
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}", column="workers")
    store = store if store is not None else config.store
    from ._screen_pool import run_parallel, screen_engine
    from .implied import using_engine

    with using_engine(screen_engine(len(jobs))):  # the same bits with any number of workers
        if workers > 1 and len(jobs) > 1:
            return assemble(run_parallel(jobs, config, store, keep_surface, workers, progress),
                            config)
        store = _open_store(store)
        out = Outcome(keep_surface=keep_surface)
        cache: dict[Any, Any] = {}  # loaded bars and per-history contexts
        for done, job in enumerate(jobs, start=1):
            _run_job(job, config, store, out, cache)
            if progress is not None:
                progress(done, len(jobs), Path(job.label).name or job.label)
    return assemble(out, config)


def _open_store(store: Any) -> Any:
    if store is None or not isinstance(store, (str, Path)):
        return store
    from .store import HistoryStore

    return HistoryStore(store, create=False)


def _load_bars(source: Any, cache: dict[Any, Any]) -> pd.DataFrame | None:
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
    chain = plain(chain)  # the stages never pay for copying the loader's attrs
    underlying, quote_time = chain[C.UNDERLYING], chain[C.QUOTE_TIME]
    if _single(underlying) and _single(quote_time):
        return [_numbered(chain)]  # the usual file: one underlying, one snapshot
    latest = chain.groupby(C.UNDERLYING, sort=True)[C.QUOTE_TIME].transform("max")
    keep = chain[quote_time == latest]
    return [sub.reset_index(drop=True) for _, sub in keep.groupby(C.UNDERLYING, sort=True)]


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.reset_index(drop=True)``, or ``frame`` itself when its rows are already 0..n-1.

    The loaders' frames are: the copy (about 60 us for a chain) is skipped.
    """
    index = frame.index
    if type(index) is pd.RangeIndex and index.start == 0 and index.step == 1 \
            and index.name is None:
        return frame
    return frame.reset_index(drop=True)


def _first(frame: pd.DataFrame, name: str) -> Any:
    """``frame[name].iloc[0]`` (the same object, in a third of the time)."""
    return frame.iat[0, cast(int, frame.columns.get_loc(name))]  # unique columns: an int


def _single(column: pd.Series) -> bool:
    """True when every value of ``column`` is present and equal."""
    if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype.kind == "M":
        stamps = column.array.asi8  # NaT is the smallest int64
        return bool(stamps[0] != np.iinfo(np.int64).min and (stamps == stamps[0]).all())
    if isinstance(column.dtype, pd.StringDtype):
        if one_text_value(column):  # arrow-backed: one memcmp, no dictionary encoding
            return True
        codes, uniques = str_codes(column)
        return len(uniques) == 1 and bool((codes == 0).all())
    return bool(column.nunique() == 1 and column.notna().all())


def _run_job(job: ScreenJob, config: ScreenConfig, store: Any, out: Outcome,
             cache: dict[Any, Any]) -> None:
    label = job.label or label_of(job.chain, "<chain>")
    ticker = job.ticker or "?"
    try:
        if isinstance(job.chain, pd.DataFrame):
            chain = job.chain
        else:
            from .loaders import load_chain

            chain = load_chain(job.chain, underlying=job.ticker, **job.load_options)
        subs = _latest_chains(chain)
    except VolscreenError as exc:
        _fail(out, ticker, label, exc)
        return
    for sub in subs:
        underlying = str(_first(sub, C.UNDERLYING))
        try:
            bars_source = job.bars
            if isinstance(bars_source, tuple):
                bars_source = match_bars(bars_source, underlying)
            bars = _load_bars(pick(bars_source, underlying), cache)
            _screen_chain(sub, bars, job, config, store, out, label, cache)
        except VolscreenError as exc:
            _fail(out, underlying, label, exc)
        except Exception as exc:  # a stage bug must not sink the whole watchlist
            log.debug("screening %s failed", underlying, exc_info=True)
            _fail(out, underlying, label, exc, internal=True)


def _fail(out: Outcome, underlying: str, label: str, exc: BaseException,
          internal: bool = False) -> None:
    reason = f"internal error {type(exc).__name__}: {exc}" if internal else str(exc)
    reason = " ".join(reason.split())
    out.summary.append({C.UNDERLYING: underlying, C.SOURCE_FILE: label,
                        C.SCREEN_STATUS: C.SCR_FAILED, C.SCREEN_REASON: reason})
    out.warn(underlying, label, C.SCR_FAILED, reason)


def _screen_chain(chain: pd.DataFrame, bars: pd.DataFrame | None, job: ScreenJob,
                  config: ScreenConfig, store: Any, out: Outcome, label: str,
                  cache: dict[Any, Any]) -> None:
    from ._candidates import run as candidates
    from ._priced import price_chain, priced_frame
    from .structures import DEFAULT_SEED
    from .surface import cm_values, term_from_priced

    if job.settlement is not None:
        chain = chain.assign(**{C.SETTLEMENT: job.settlement})
    underlying = str(_first(chain, C.UNDERLYING))
    quote_time = pd.Timestamp(_first(chain, C.QUOTE_TIME))
    row: dict[str, Any] = {C.UNDERLYING: underlying, C.SOURCE_FILE: label,
                           C.QUOTE_TIME: quote_time, C.SCREEN_STATUS: C.SCR_OK,
                           C.SCREEN_REASON: ""}
    usable = int(text_in(chain[C.QUOTE_STATUS], (C.QS_OK,)).sum()) \
        if C.QUOTE_STATUS in chain else len(chain)
    if usable == 0:
        from .errors import EmptyDataError

        raise EmptyDataError("no usable quote in the chain (every quote_status is not ok)",
                             source=label)
    if usable < config.min_quotes:
        message = f"only {usable} usable quotes (< min_quotes {config.min_quotes})"
        row.update({C.SCREEN_STATUS: C.SCR_THIN, C.SCREEN_REASON: message})
        out.warn(underlying, label, W_THIN, message)

    rate = config.rate if job.rate is None else job.rate
    # the chain priced as arrays: the term structure and the candidates read them directly;
    # the per-quote frame (and the bid/ask IVs only it shows) is built for the surface alone
    priced = price_chain(chain, rate, sides=out.keep_surface)
    term = term_from_priced(priced)
    days, cm_iv, cm_status = cm_values(term, CM_DAYS)
    ivs = {int(d): float(v) for d, v in zip(days, cm_iv)}
    statuses = {int(d): str(v) for d, v in zip(days, cm_status)}
    spot = _median(floats(chain, C.UNDERLYING_PRICE)) if C.UNDERLYING_PRICE in chain else math.nan
    row.update({C.SPOT: spot, C.HS_IV30: ivs[30], C.IV30_STATUS: statuses[30],
                C.HS_IV60: ivs[60], C.IV60_STATUS: statuses[60], C.HS_IV90: ivs[90],
                C.IV90_STATUS: statuses[90],
                C.TERM_SLOPE: ivs[30] - ivs[90]})

    ctx, comp, box = _bar_stages(bars, quote_time, job, row, out, underlying, label, cache)
    targets, source = _targets(job, config, box)
    row[C.TARGETS_SOURCE] = source
    rank = _iv_rank(store, underlying, quote_time, ivs[30], row, out, label)

    cands = candidates(
        priced, targets=targets, box=box, dte=config.dte, deltas=config.deltas, strikes=None,
        horizon=None, iv_shift=config.iv_shift, bars=None if ctx is None else ctx.cut,
        compression=comp, rv=None if ctx is None else ctx.rv,
        atr=None if comp is None else float(comp.get(C.ATR, math.nan)),
        iv_rank=rank, condition=None, weights=config.weight_map, seed=DEFAULT_SEED)
    best_of(row, cands)
    if not math.isfinite(row[C.BEST_SCORE]):
        message = (f"no scored candidate with an expiry {config.dte[0]}-{config.dte[1]} days out"
                   if len(cands) == 0 else "no candidate could be scored (see candidate_status)")
        row[C.SCREEN_REASON] = "; ".join(r for r in (row[C.SCREEN_REASON], message) if r)
        out.warn(underlying, label, W_NO_CANDIDATES, message)
    for name in (C.TARGET_LOW, C.TARGET_HIGH):
        levels = np.sort(_levels(targets if targets is not None else box))
        below, above = levels[levels < spot], levels[levels > spot]
        row[name] = (below[-1] if below.size else math.nan) if name == C.TARGET_LOW else \
            (above[0] if above.size else math.nan)

    out.summary.append(row)
    out.candidates.append((cands, underlying, label))
    out.term.append((term, underlying, label))
    if out.keep_surface:
        out.surface.append((priced_frame(chain, priced), underlying, label))
    if comp is not None:
        out.compression.append({C.UNDERLYING: underlying, C.SOURCE_FILE: label, **comp.to_dict()})


def _median(values: np.ndarray) -> float:
    """Median of the non-NaN values (NaN when there is none), as pandas' skipna median."""
    values = values[~np.isnan(values)]
    return float(np.median(values)) if values.size else math.nan


def _levels(targets: Any) -> np.ndarray:
    from .targets import target_levels

    return target_levels(targets) if targets is not None else np.empty(0)


def _bar_stages(bars: pd.DataFrame | None, quote_time: pd.Timestamp, job: ScreenJob,
                row: dict[str, Any], out: Outcome, underlying: str, label: str,
                cache: dict[Any, Any]) -> tuple[Any, Any, Any]:
    """RV20, compression summary and range box from bars cut at the quote date.

    Returns (bars context or None, compression summary or None, box); the
    context is computed once per history and quote date (see
    :func:`volscreen._screen_bars.bars_context`).
    """
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
        return None, None, box
    ctx = bars_context(bars, quote_time, cache)
    row[C.BARS_AS_OF] = ctx.cut.index[-1]
    row[C.HS_RV20] = ctx.rv20
    row[C.RV20_STATUS] = ctx.rv20_status
    row[C.IV30_RV20] = row[C.HS_IV30] / row[C.HS_RV20] if row[C.HS_RV20] > 0 else math.nan
    comp = ctx.compression
    for name in (C.BBW, C.BBW_PCTILE_126, C.SQUEEZE_ON, C.SQUEEZE_BARS, C.COMPRESSION_STATUS):
        row[name] = comp.get(name, math.nan)
    if box is None:
        box = ctx.box
        if ctx.box_error:
            out.warn(underlying, label, W_NO_BOX, ctx.box_error)
    if box is not None:
        floor, ceiling, status = box_fields(box)
        row.update({C.BOX_FLOOR: floor, C.BOX_CEILING: ceiling, C.BOX_STATUS: status})
        if row[C.BOX_STATUS] == C.BOX_NONE:
            box = None
    else:
        row[C.BOX_STATUS] = C.BOX_NONE
    return ctx, comp, box


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
             row: dict[str, Any], out: Outcome, label: str) -> float | None:
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
