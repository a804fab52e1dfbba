"""Value rules shared by the chain loaders (general and canonical-CSV paths)."""
from __future__ import annotations

from .. import columns as C

DEFAULT_MULTIPLIER = 100.0
"""Contract multiplier where the file gives none."""
MAX_LISTED_ROWS = 5
"""Rows named in an error message at most."""
NUMERIC = (C.STRIKE, C.BID, C.ASK, C.LAST, C.VOLUME, C.OPEN_INTEREST, C.UNDERLYING_PRICE,
           C.MULTIPLIER)
"""Canonical columns read as float64."""
RANGES = (
    (C.BID, False, "negative price"), (C.ASK, False, "negative price"),
    (C.LAST, False, "negative price"), (C.VOLUME, False, "negative volume"),
    (C.OPEN_INTEREST, False, "negative open interest"),
    (C.UNDERLYING_PRICE, True, "underlying price not above zero"),
    (C.MULTIPLIER, True, "multiplier not above zero"),
)
"""(column, must be above zero (else: not negative), message); missing values pass."""
SORT_KEYS = [C.UNDERLYING, C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.ROOT]
"""Row order of a loaded chain (stable)."""
BLANKS = ("", "nan", "null", "none", "na", "n/a")
"""Cell texts read as missing numbers (compared lower-case, blanks stripped)."""
