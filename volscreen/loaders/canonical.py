"""Canonical chain files (CSV and Parquet): atomic writing and splitting."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .. import columns as C
from ..errors import ChainSchemaError, UnreadableFileError

PARQUET_SUFFIXES = (".parquet", ".pq")
ISO_SECONDS = "%Y-%m-%dT%H:%M:%S"
ISO_MICROS = "%Y-%m-%dT%H:%M:%S.%f"
UTC_OFFSET = "+00:00"


def _csv_frame(chain: pd.DataFrame) -> pd.DataFrame:
    qt = pd.DatetimeIndex(chain[C.QUOTE_TIME]).tz_convert("UTC")
    fmt = ISO_SECONDS if (qt.asi8 % 1_000_000_000 == 0).all() else ISO_MICROS
    return chain.assign(**{
        C.QUOTE_TIME: qt.strftime(fmt) + UTC_OFFSET,
        C.EXPIRY: pd.DatetimeIndex(chain[C.EXPIRY]).strftime("%Y-%m-%d"),
    })


def save_chain(chain: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a canonical chain atomically to CSV (``.csv``/``.csv.gz``) or Parquet.

    Parameters
    ----------
    chain
        Output of :func:`load_chain` (needs the canonical columns; vendor
        columns are written after them).
    path
        Target file; ``.parquet``/``.pq`` writes Parquet, anything else CSV
        (gzip when the name ends in ``.gz``).

    Returns
    -------
    pathlib.Path
        The path written, so ``load_chain(save_chain(df, p))`` round-trips.

    Notes
    -----
    CSV: header = column names, ``quote_time`` ISO 8601 in UTC with offset
    (``2026-02-02T21:00:00+00:00``; microseconds when present), ``expiry``
    ``YYYY-MM-DD``, floats in shortest round-trip form.  The file is written
    to a temporary file in the same folder and renamed over the target, so an
    interrupted write never leaves a partial file.
    """
    missing = [c for c in (C.QUOTE_TIME, C.EXPIRY) if c not in chain]
    if missing:
        raise ChainSchemaError(f"cannot save: missing column(s) {missing}", source=str(path))
    target = Path(path)
    parquet = target.suffix.lower() in PARQUET_SUFFIXES
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise UnreadableFileError(f"cannot write ({exc.strerror})", source=target.name) from None
    os.close(fd)
    try:
        if parquet:
            chain.to_parquet(tmp, index=False)
        else:
            compression = "gzip" if target.name.lower().endswith(".gz") else None
            _csv_frame(chain).to_csv(tmp, index=False, compression=compression)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def split_chains(chain: pd.DataFrame) -> Iterator[tuple[str, pd.Timestamp, pd.DataFrame]]:
    """Yield ``(underlying, quote_time, sub_chain)`` for each single chain.

    A file holding many quote dates or underlyings loads as one frame; this
    yields one sub-frame (fresh RangeIndex, a copy) per ``(underlying,
    quote_time)`` pair, in sorted order.
    """
    for (und, qt), sub in chain.groupby([C.UNDERLYING, C.QUOTE_TIME], sort=True):
        yield str(und), pd.Timestamp(qt), sub.reset_index(drop=True)
