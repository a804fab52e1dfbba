"""Quote quality: mid, spread and the per-row ``quote_status`` code."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from .occ import occ_strike_ok

WIDE_THRESHOLD = 0.5
"""Default ``wide_threshold``: spread above 50 % of mid is wide ..."""
WIDE_MIN_SPREAD = 0.05
"""... but only when the spread also exceeds $0.05 (penny wings are not wide)."""
STATUS_ORDER = (C.QS_BAD_STRIKE, C.QS_EXPIRED, C.QS_NO_QUOTE, C.QS_ZERO_ASK, C.QS_CROSSED,
                C.QS_NO_BID, C.QS_WIDE, C.QS_OK)
"""Status codes in precedence order (the first matching rule wins; ``ok`` last)."""


def quote_arrays(bid: np.ndarray, ask: np.ndarray, strike: np.ndarray, settle_ns: np.ndarray,
                 quote_ns: np.ndarray, wide_threshold: float = WIDE_THRESHOLD
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mid, spread, spread_pct and the ``quote_status`` code of each quote, on float64 arrays.

    ``settle_ns`` and ``quote_ns`` are UTC nanoseconds (settlement instant,
    quote time).  The status is returned as an index into
    :data:`STATUS_ORDER` (int8; :func:`status_text` spells it).  Precedence
    (first match wins): ``bad_strike``, ``expired``, ``no_quote``,
    ``zero_ask``, ``crossed``, ``no_bid``, ``wide``, ``ok``.
    ``bad_strike``: strike missing, not positive, or not writable in an OCC
    symbol (above 99,999.999 or not a whole number of thousandths), so the
    row has no ``contract_symbol``.

    Notes
    -----
    mid = (bid + ask) / 2 where 0 <= bid <= ask and ask > 0, else NaN;
    spread = ask - bid; spread_pct = spread / mid.  A zero bid keeps
    mid = ask / 2 (status ``no_bid``); a missing bid leaves mid NaN (status
    ``no_bid``).  Expired: settlement instant at or before the quote time.
    """
    usable = (bid >= 0) & (bid <= ask) & (ask > 0)  # NaN compares False
    mid = np.where(usable, (bid + ask) / 2, np.nan)
    spread = np.where(usable, ask - bid, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):  # mid is NaN or > 0 here
        spread_pct = np.where(usable, spread / mid, np.nan)
    conditions = (
        ~occ_strike_ok(strike),
        settle_ns <= quote_ns,
        np.isnan(bid) & np.isnan(ask),
        ~(ask > 0),
        bid > ask,
        ~(bid > 0),
        usable & (spread_pct > wide_threshold) & (spread > WIDE_MIN_SPREAD),
    )
    # the first matching rule wins: apply them from the last to the first
    code = np.full(len(bid), len(conditions), dtype=np.int8)  # ok
    for i in range(len(conditions) - 1, -1, -1):
        code[conditions[i]] = i
    return mid, spread, spread_pct, code


def status_text(code: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The ``quote_status`` strings (pandas ``str`` array) of :func:`quote_arrays`' codes."""
    return pd.array(list(STATUS_ORDER), dtype="str").take(code.astype(np.intp))
