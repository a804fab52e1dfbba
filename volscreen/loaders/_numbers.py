"""Numeric cells: text to float64, with the few spellings vendors use.

Accepted besides plain numbers: thousands separators written exactly as
``1,234`` or ``-12,345.50`` (:data:`THOUSANDS_RE`) and, where the caller asks
for it (vendor IV columns), explicit percent strings such as ``"18.2%"``
(:data:`PERCENT_RE`), divided by 100.  Booleans are never numbers.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

THOUSANDS_RE = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
"""A number with comma thousands separators (``1,234``, ``12,345.5``); full match."""
PERCENT_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*%"
"""An explicit percent (``18.2%``); full match after stripping blanks."""
PERCENT = 100.0


def parse_numbers(series: pd.Series, blanks: Iterable[str], *, percent: bool = False
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of cells into float64.

    Parameters
    ----------
    series
        Raw cells (numbers, text, missing values); never modified.
    blanks
        Lower-case tokens read as missing (``""``, ``"nan"``, ...).
    percent
        Also read ``"18.2%"`` as 0.182.

    Returns
    -------
    values, bad
        float64 values (NaN for missing and bad cells) and a boolean mask of
        cells that are present but not numbers (booleans included).
    """
    n = len(series)
    if pd.api.types.is_bool_dtype(series):
        return np.full(n, np.nan), series.notna().to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(n, dtype=bool)
    flags = series.map(lambda v: isinstance(v, (bool, np.bool_))) if series.dtype == object \
        else pd.Series(False, index=series.index)
    is_bool = flags.to_numpy(dtype=bool)
    values = pd.to_numeric(series.where(~is_bool), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    text = series.astype("str").str.strip()
    blank = (series.isna() | text.str.lower().isin(list(blanks))).to_numpy(dtype=bool)
    failed = np.isnan(values) & ~blank & ~is_bool
    if failed.any():
        values = values.copy()
        rest = text[failed]
        grouped = rest.str.fullmatch(THOUSANDS_RE).to_numpy(dtype=bool)
        fixed = np.full(len(rest), np.nan)
        fixed[grouped] = pd.to_numeric(rest[grouped].str.replace(",", "", regex=False))
        if percent:
            pct = rest.str.fullmatch(PERCENT_RE).to_numpy(dtype=bool)
            fixed[pct] = pd.to_numeric(
                rest[pct].str.rstrip("%").str.strip()).to_numpy(dtype=np.float64) / PERCENT
        values[failed] = fixed
    bad = (np.isnan(values) & ~blank) | is_bool
    return values, bad
