"""Canonical chain Parquet files: a verified shortcut, as for canonical CSV.

A Parquet file written by :func:`~volscreen.loaders.save_chain` holds the
canonical columns with their types: text as strings, ``quote_time`` as
tz-aware timestamps, ``expiry`` as naive midnights.  :func:`load_canonical_parquet`
checks those two columns here and every other column with the CSV
shortcut's checks (:func:`~volscreen.loaders.canonical_csv.canonical_chain`),
then builds the chain directly.  Any doubt (another dtype, a missing
value, a time of day in an expiry, a year outside 2000-2099, and all the
CSV shortcut's reasons) returns None and the general pipeline reads the
same table.  Outputs are identical (``tests/test_loaders_canonical_parquet.py``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ._canonical_text import Column
from ._canonical_frame import column_arrays
from .canonical_csv import canonical_chain, is_canonical_header

_NS_PER_DAY = 86_400 * 10**9
_YEARS = (np.datetime64("2000-01-01", "ns"), np.datetime64("2100-01-01", "ns"))
"""Expiries the shortcut takes: [2000-01-01, 2100-01-01), as the CSV one."""


def _expiry(column: Column) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and distinct days of a naive datetime64[ns] expiry column of midnights, else None."""
    if column.dtype != np.dtype("datetime64[ns]"):
        return None
    values = np.asarray(column)
    if np.isnat(values).any():
        return None
    codes, days = pd.factorize(values.view(np.int64))
    if (days % _NS_PER_DAY).any():  # a time of day: the general path normalises it
        return None
    days = days.astype("datetime64[ns]")
    if len(days) and ((days < _YEARS[0]) | (days >= _YEARS[1])).any():
        return None
    return codes, days


def _quote_times(column: Column) -> pd.DatetimeIndex | None:
    """Tz-aware nanosecond quote times without NaT, in UTC; None otherwise."""
    dtype = column.dtype
    if not isinstance(dtype, pd.DatetimeTZDtype) or dtype.unit != "ns" or \
            column.isna().any():  # type: ignore[union-attr]
        return None
    return pd.DatetimeIndex(column).tz_convert("UTC")


def load_canonical_parquet(raw: pd.DataFrame, name: str,
                           wide_threshold: float) -> pd.DataFrame | None:
    """The canonical chain of a canonical Parquet table, or None to use the general path.

    Parameters
    ----------
    raw
        The table as :func:`pandas.read_parquet` read it (not modified).
    name
        File name for ``attrs["source"]``.
    wide_threshold
        As in :func:`~volscreen.loaders.load_chain`.

    Returns
    -------
    pandas.DataFrame or None
        Exactly what the general pipeline returns for this table when
        ``quote_time`` is tz-aware datetime64[ns] without NaT, ``expiry``
        naive datetime64[ns] midnights in 2000-2099 without NaT, and every
        check of :func:`~volscreen.loaders.canonical_csv.load_canonical_csv`
        on the other columns holds.  Otherwise None.

    Notes
    -----
    The general path reads a tz-aware quote time as that instant (the
    ``exact`` rule) and a midnight expiry as that day, which is what is
    taken here.
    """
    if not is_canonical_header(raw.columns) or not len(raw):
        return None
    if not isinstance(raw.index, pd.RangeIndex):
        raw = raw.reset_index(drop=True)  # as the general path reads it
    cols = column_arrays(raw)
    expiry = _expiry(cols[C.EXPIRY])
    if expiry is None:
        return None
    return canonical_chain(cols, len(raw), name, wide_threshold, expiry[0], expiry[1],
                           lambda: _quote_times(cols[C.QUOTE_TIME]))
