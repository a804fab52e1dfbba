"""Vendor columns (``vendor_*``): one dtype per column, as it reads back from CSV."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import columns as C
from ._chain_rules import BLANKS as _BLANKS
from ._numbers import PERCENT_RE, THOUSANDS_RE, parse_numbers

_IV_NAME_RE = r"(?:^|_)(?:iv|implied_?vol(?:atility)?)(?:_|$)"
"""Vendor columns holding implied vols (``vendor_iv``, ``vendor_iv_bid``, ...)."""
_SNIFF_CELLS = 64


def _is_iv_column(col: str) -> bool:
    return re.search(_IV_NAME_RE, col[len(C.VENDOR_PREFIX):]) is not None


def normalise_vendor(series: pd.Series, col: str = "") -> pd.Series:
    """float64 for numbers, bool for booleans, str otherwise (idempotent through CSV).

    Vendor IV columns also read explicit percent strings (``"18.2%"`` -> 0.182);
    bare numbers are kept as the vendor wrote them (never guessed to be percent).
    """
    if pd.api.types.is_bool_dtype(series):
        return series
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(np.float64)
    if series.iloc[:1].isna().all() and series.first_valid_index() is None:
        # all missing: a float column, as from CSV (a present first cell: not all missing)
        return pd.Series(np.nan, index=series.index, dtype=np.float64)
    if _first_cell_is_text(series, _is_iv_column(col)):  # the usual text column: one cell
        return series.astype("str")
    text = series.where(series.isna(), series.astype(str))
    present = text.dropna()  # not empty: the all-missing column returned above
    if not series.isna().any() and present.iloc[0] in ("True", "False") and \
            present.isin(["True", "False"]).all():
        return text == "True"
    # a text column usually shows itself in its first cells: test those before all
    iv = _is_iv_column(col)
    for cells in (present.iloc[:_SNIFF_CELLS], present):
        _, bad = parse_numbers(cells, _BLANKS, percent=iv)
        if bad.any():
            return text.astype("str")
    values, _ = parse_numbers(text, _BLANKS, percent=iv)
    return pd.Series(values, index=series.index, dtype=np.float64)


def _first_cell_is_text(series: pd.Series, percent: bool) -> bool:
    """True when the first present cell is text that :func:`parse_numbers` rejects.

    Such a column is text whatever its other cells hold (see
    :func:`normalise_vendor`), so they need not be parsed.  The test is
    conservative: a cell it is unsure of (``True``, a blank, a number, a
    thousands or percent spelling) returns False and the full sniff decides.
    """
    first = series.iloc[0] if len(series) else None
    if first is None or first is pd.NA or (isinstance(first, float) and first != first):
        valid = series.first_valid_index()  # the first cell is missing: look further
        if valid is None:
            return False
        first = series.loc[valid]
    if not isinstance(first, str) or first in ("True", "False"):
        return False
    stripped = first.strip()
    if stripped.lower() in _BLANKS or re.fullmatch(THOUSANDS_RE, stripped) or (
            percent and re.fullmatch(PERCENT_RE, stripped)):
        return False
    return bool(np.isnan(pd.to_numeric(np.array([first], dtype=object), errors="coerce")[0]))
