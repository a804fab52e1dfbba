"""One day's history record from a chain (+ bars), and backfills into the store.

:func:`build_snapshot` runs the stages on one canonical chain and returns a
:class:`~volscreen.store.Snapshot`; :func:`record_chain` records it;
:func:`backfill_chains` does so for every chain file of a folder (progress
through a callback, never printed); :func:`backfill_series` imports a daily
index series (VIX, RVX closes) as a labelled *proxy* series.

Conventions
-----------
* Session date: the quote time's date in New York.
* ``iv30/iv60/iv90``: :func:`volscreen.constant_maturity` of the ATM term
  structure (never extrapolated: NaN with the ``cm_status`` as reason).
* ``mfiv30``: :func:`volscreen.model_free_vol` at 30 days.
* ``front_atm_iv``: ATM IV of the nearest expiry at least
  :data:`FRONT_MIN_DAYS` calendar days out whose term status is ``ok``.
* ``forward``: forward of the expiry nearest 30 days; ``spot``: median
  ``underlying_price`` of the chain.
* ``rv20`` (Yang-Zhang, sqrt 252), ``bbw`` and ``bbw_pctile`` (126 bars):
  from the bars, read on the session date itself; no bar on that date (or
  no bars) leaves them NaN with a reason, never a stale value.  When such
  a snapshot is recorded over a stored row of the same session date, the
  stored values stay (a NaN never erases a stored value; see
  :meth:`volscreen.store.HistoryStore.record`).
* ``content_hash``: SHA-256 hex of the source file's bytes; for a DataFrame,
  of its CSV text (``DataFrame.to_csv(index=False)``, UTF-8, ``\\n`` lines).
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .clock import EXCHANGE_TZ
from .config import DEFAULT_RATE
from .errors import ConfigError, VolscreenError
from .store import HistoryStore, OnConflict, RecordResult, Snapshot

logger = logging.getLogger(__name__)

FRONT_MIN_DAYS = 7
"""Nearest expiry used for ``front_atm_iv`` is at least this many days out."""
CM_TARGET_DAYS = (30, 60, 90)
RV_WINDOW = 20
MF_DAYS = 30
FORWARD_TARGET_DAYS = 30
MAX_PLAUSIBLE_VOL = 5.0
"""An imported series whose median exceeds this is taken for percent: error."""
CHAIN_SUFFIXES = (".csv", ".json", ".parquet", ".gz")

# reasons for NaN values that are not a stage's own status code
R_NO_BARS = "no_bars"
R_NO_BAR_ON_DATE = "no_bar_on_date"
R_NO_FRONT = "no_front_expiry"
R_NO_SPOT = "no_spot"
R_STAGE_FAILED = "stage_failed"

ProgressCallback = Callable[[int, int, Path], None]


def content_hash(source: str | os.PathLike[str] | pd.DataFrame) -> str:
    """SHA-256 hex of a file's bytes, or of a DataFrame's CSV text."""
    if isinstance(source, pd.DataFrame):
        data = source.to_csv(index=False, lineterminator="\n").encode("utf-8")
    else:
        data = Path(source).read_bytes()
    return hashlib.sha256(data).hexdigest()


def session_date(quote_time: pd.Timestamp) -> pd.Timestamp:
    """New York calendar date of a tz-aware quote time (naive midnight)."""
    stamp = pd.Timestamp(quote_time)
    if stamp.tz is None:
        stamp = stamp.tz_localize(EXCHANGE_TZ)
    return pd.Timestamp(stamp.tz_convert(EXCHANGE_TZ).date())


def _bar_values(bars: pd.DataFrame | None, day: pd.Timestamp,
                reasons: dict[str, str]) -> dict[str, float]:
    import volscreen as vs

    out = {C.HS_RV20: math.nan, C.HS_BBW: math.nan, C.HS_BBW_PCTILE: math.nan}
    if bars is None or len(bars) == 0:
        reasons.update({name: R_NO_BARS for name in out})
        return out
    upto = bars.loc[:day]
    if len(upto) == 0 or pd.Timestamp(upto.index[-1]).normalize() != day:
        reasons.update({name: R_NO_BAR_ON_DATE for name in out})
        return out
    rv = vs.realized_vols(upto, (RV_WINDOW,), estimator="yang_zhang")
    out[C.HS_RV20] = float(rv[f"{C.RV_PREFIX}{RV_WINDOW}"].iloc[-1])
    if math.isnan(out[C.HS_RV20]):
        reasons[C.HS_RV20] = str(rv[C.RV_STATUS].iloc[-1])
    comp = vs.compression(upto)
    out[C.HS_BBW] = float(comp[C.BBW].iloc[-1])
    out[C.HS_BBW_PCTILE] = float(comp[C.BBW_PCTILE_126].iloc[-1])
    for name in (C.HS_BBW, C.HS_BBW_PCTILE):
        if math.isnan(out[name]):
            reasons[name] = str(comp[C.COMPRESSION_STATUS].iloc[-1])
    return out


def build_snapshot(
    chain: pd.DataFrame,
    bars: pd.DataFrame | None = None,
    *,
    rate: float = DEFAULT_RATE,
    source: str | None = None,
    content_hash_hex: str | None = None,
) -> Snapshot:
    """Build one day's :class:`~volscreen.store.Snapshot` from a single chain.

    Parameters
    ----------
    chain
        Canonical chain of ONE underlying at ONE quote time
        (``volscreen.load_chain``; use ``split_chains`` for multi-day files).
        Not modified.
    bars
        Daily bars of the underlying (``volscreen.load_bars``), or None.
    rate
        Flat continuously compounded rate (decimal) for IVs and model-free vol.
    source, content_hash_hex
        Provenance; the hash defaults to :func:`content_hash` of ``chain``.

    Returns
    -------
    Snapshot
        Values as described in the module docstring; every NaN has its
        reason in ``reasons``.
    """
    import volscreen as vs

    for name in (C.UNDERLYING, C.QUOTE_TIME):
        if name not in chain.columns:
            raise vs.ChainSchemaError("a snapshot needs the canonical chain", column=name)
    if chain.empty:
        raise vs.EmptyDataError("empty chain: nothing to record", source=source)
    unds = chain[C.UNDERLYING].dropna().unique()
    times = chain[C.QUOTE_TIME].dropna().unique()
    if len(unds) != 1 or len(times) != 1:
        raise ConfigError(f"a snapshot needs one underlying at one quote time; got "
                          f"{len(unds)} underlyings and {len(times)} quote times "
                          "(split the chain with volscreen.split_chains)")
    quote_time = pd.Timestamp(times[0])
    day = session_date(quote_time)
    reasons: dict[str, str] = {}
    values: dict[str, float] = {}

    with_iv = vs.implied_vols(chain, rate)
    term = vs.term_structure(with_iv)
    cm = vs.constant_maturity(term, CM_TARGET_DAYS)
    for days, name in zip(CM_TARGET_DAYS, (C.HS_IV30, C.HS_IV60, C.HS_IV90)):
        values[name] = float(cm.loc[float(days)])
        if math.isnan(values[name]):
            reasons[name] = str(cm.attrs.get(C.CM_STATUS, {}).get(float(days), R_STAGE_FAILED))
    ok = term[(term[C.TERM_STATUS] == C.TS_OK) & (term[C.DAYS] >= FRONT_MIN_DAYS)
              & np.isfinite(term[C.ATM_IV].to_numpy(float))]
    values[C.HS_FRONT_ATM_IV] = float(ok[C.ATM_IV].iloc[0]) if len(ok) else math.nan
    if not len(ok):
        reasons[C.HS_FRONT_ATM_IV] = R_NO_FRONT
    fwd = term[np.isfinite(term[C.FORWARD].to_numpy(float))]
    if len(fwd):
        nearest = (fwd[C.DAYS] - FORWARD_TARGET_DAYS).abs().to_numpy().argmin()
        values[C.HS_FORWARD] = float(fwd[C.FORWARD].iloc[nearest])
    else:
        values[C.HS_FORWARD] = math.nan
        reasons[C.HS_FORWARD] = C.TS_NO_FORWARD
    mf = vs.model_free_vol(chain, rate, MF_DAYS)
    values[C.HS_MFIV30] = float(mf.vol)
    if math.isnan(values[C.HS_MFIV30]):
        reasons[C.HS_MFIV30] = str(mf.status)
    spot = (pd.to_numeric(chain[C.UNDERLYING_PRICE]).median()
            if C.UNDERLYING_PRICE in chain.columns else math.nan)
    values[C.HS_SPOT] = float(spot)
    if math.isnan(values[C.HS_SPOT]):
        reasons[C.HS_SPOT] = R_NO_SPOT
    values.update(_bar_values(bars, day, reasons))
    return Snapshot(
        underlying=str(unds[0]), date=day.date(), kind=C.KIND_OWN, quote_time=quote_time,
        source=source, content_hash=content_hash_hex or content_hash(chain),
        reasons=reasons, **values,
    )


def _bars_for(bars: pd.DataFrame | Mapping[str, pd.DataFrame] | None,
              underlying: str) -> pd.DataFrame | None:
    if bars is None or isinstance(bars, pd.DataFrame):
        return bars
    return bars.get(underlying) or bars.get(underlying.upper())


def record_chain(
    store: HistoryStore,
    chain: str | os.PathLike[str] | pd.DataFrame,
    bars: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    rate: float = DEFAULT_RATE,
    on_conflict: OnConflict = "update",
    load_options: Mapping[str, Any] | None = None,
) -> list[RecordResult]:
    """Load a chain file (or take a chain), snapshot each (underlying, quote time), record.

    A file holding several quote dates records one snapshot per date, each
    in its own transaction.  ``bars`` is one underlying's bars or a mapping
    underlying -> bars.  Without bars, ``rv20``, ``bbw`` and ``bbw_pctile``
    are NaN (reason ``no_bars``) and stored values of them are kept;
    ``on_conflict`` is passed to :meth:`HistoryStore.record
    <volscreen.store.HistoryStore.record>` (``"replace"`` forces a full
    overwrite).  ``load_options`` are keywords of :func:`volscreen.load_chain`
    (``columns``, ``quote_time``, ``underlying_price``, ``format``) for a file
    it cannot read alone; the snapshot still names the file and hashes its bytes.
    """
    import volscreen as vs

    if isinstance(chain, pd.DataFrame):
        frame, source, digest = chain, "<DataFrame>", content_hash(chain)
    else:
        frame = vs.load_chain(chain, **dict(load_options or {}))
        source, digest = str(chain), content_hash(chain)
    results = []
    for und, _qt, sub in vs.split_chains(frame):
        snap = build_snapshot(sub, _bars_for(bars, und), rate=rate, source=source,
                              content_hash_hex=digest)
        results.append(store.record(snap, on_conflict=on_conflict))
    return results


@dataclasses.dataclass(frozen=True)
class BackfillResult:
    """What :func:`backfill_chains` did: records made and files that failed."""

    records: list[RecordResult]
    failures: list[tuple[str, str]]
    """(file, one-line error message) for every file that could not be recorded."""

    def counts(self) -> dict[str, int]:
        """Number of records per action (inserted, unchanged, updated, kept)."""
        out: dict[str, int] = {}
        for res in self.records:
            out[res.action] = out.get(res.action, 0) + 1
        return out


def backfill_chains(
    store: HistoryStore,
    directory: str | os.PathLike[str],
    bars: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    pattern: str = "*",
    rate: float = DEFAULT_RATE,
    on_conflict: OnConflict = "update",
    progress: ProgressCallback | None = None,
    load_options: Mapping[str, Any] | None = None,
) -> BackfillResult:
    """Record every chain file in ``directory`` (sorted by name).

    Files whose name ends in none of ``.csv, .json, .parquet, .gz`` are
    skipped.  A file that fails (bad input, a stage error) is listed in
    ``failures`` with its one-line message (logged at debug level only: the
    caller reports it); the others are still recorded.  ``on_conflict`` as
    and ``load_options`` as in :func:`record_chain`.
    ``progress(done, total, path)`` is called after each file.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"not a folder: {folder}")
    files = sorted(p for p in folder.glob(pattern)
                   if p.is_file() and p.name.lower().endswith(CHAIN_SUFFIXES))
    records: list[RecordResult] = []
    failures: list[tuple[str, str]] = []
    for i, path in enumerate(files, start=1):
        try:
            records.extend(record_chain(store, path, bars, rate=rate, on_conflict=on_conflict,
                                        load_options=load_options))
        except VolscreenError as exc:
            logger.debug("%s: not recorded: %s", path, exc)
            failures.append((str(path), str(exc)))
        if progress is not None:
            progress(i, len(files), path)
    return BackfillResult(records, failures)


def backfill_series(
    store: HistoryStore,
    source: str | os.PathLike[str] | pd.Series,
    underlying: str,
    *,
    series: str = C.HS_IV30,
    kind: str = C.KIND_PROXY,
    proxy_of: str | None = None,
    column: str = C.CLOSE,
    scale: float = 0.01,
    on_conflict: OnConflict = "update",
) -> list[RecordResult]:
    """Import a daily series (e.g. VIX closes) into the store in one transaction.

    Parameters
    ----------
    source
        A bars file readable by ``volscreen.load_bars`` (the ``column`` is
        used) or a Series indexed by date.
    underlying
        Ticker the series stands for (``"SPX"`` for VIX).
    series, kind
        Stored series name and kind (``"proxy"`` by default: kept apart
        from our own values; ranks on it report ``kind="proxy"``).
    proxy_of
        Label of the index the values came from (default: the file name).
    scale
        Multiplier to decimals: 0.01 for index points (VIX 24.21 -> 0.2421).

    Returns
    -------
    list of RecordResult
        One per dated, finite value.  NaN values are skipped and counted in
        the log (they are gaps, not values).
    """
    import volscreen as vs

    if series not in C.HS_SERIES:
        raise ConfigError(f"unknown series {series!r}; choose one of {', '.join(C.HS_SERIES)}")
    if isinstance(source, pd.Series):
        values, label, digest = source, "<Series>", None
    else:
        bars = vs.load_bars(source)
        if column not in bars.columns:
            raise vs.BarsSchemaError(f"no column {column!r} to import", source=source,
                                     column=column)
        values, label, digest = bars[column], str(source), content_hash(source)
    scaled = pd.to_numeric(values).astype("float64") * scale
    finite = scaled[np.isfinite(scaled.to_numpy())]
    if len(finite) and not 0 < float(finite.median()) < MAX_PLAUSIBLE_VOL:
        raise ConfigError(f"{label}: median value {float(finite.median()):g} after scale "
                          f"{scale:g} is not a decimal vol; check scale=")
    if len(finite) < len(scaled):
        logger.warning("%s: %d missing values skipped", label, len(scaled) - len(finite))
    tag = proxy_of or (Path(label).name if digest else None)
    snaps = [Snapshot(underlying=underlying, date=day, kind=kind, source=label,
                      content_hash=digest, proxy_of=tag if kind == C.KIND_PROXY else None,
                      **{series: float(v)})
             for day, v in finite.items()]
    return store.record_many(snaps, on_conflict=on_conflict)
