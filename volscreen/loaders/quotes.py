"""Quote quality: mid, spread and the per-row ``quote_status`` code."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import clock
from .. import columns as C
from .occ import occ_strike_ok

WIDE_THRESHOLD = 0.5
"""Default ``wide_threshold``: spread above 50 % of mid is wide ..."""
WIDE_MIN_SPREAD = 0.05
"""... but only when the spread also exceeds $0.05 (penny wings are not wide)."""
STATUS_ORDER = (C.QS_BAD_STRIKE, C.QS_EXPIRED, C.QS_NO_QUOTE, C.QS_ZERO_ASK, C.QS_CROSSED,
                C.QS_NO_BID, C.QS_WIDE, C.QS_OK)
"""Status codes in precedence order (the first matching rule wins; ``ok`` last)."""


def quote_fields(frame: pd.DataFrame, wide_threshold: float = WIDE_THRESHOLD) -> pd.DataFrame:
    """Return ``mid``, ``spread``, ``spread_pct`` and ``quote_status`` for a chain.

    Needs ``bid``, ``ask``, ``strike``, ``expiry``, ``settlement``,
    ``quote_time``.  Precedence (first match wins): ``bad_strike``,
    ``expired``, ``no_quote``, ``zero_ask``, ``crossed``, ``no_bid``,
    ``wide``, ``ok``.  ``bad_strike``: strike missing, not positive, or not
    writable in an OCC symbol (above 99,999.999 or not a whole number of
    thousandths), so the row has no ``contract_symbol``.

    Notes
    -----
    mid = (bid + ask) / 2 where 0 <= bid <= ask and ask > 0, else NaN;
    spread = ask - bid; spread_pct = spread / mid.  A zero bid keeps
    mid = ask / 2 (status ``no_bid``); a missing bid leaves mid NaN (status
    ``no_bid``).  Expired: settlement instant at or before the quote time.
    """
    # settlement_instant localizes each distinct (expiry, settlement) pair once
    settle = clock.settlement_instant(pd.DatetimeIndex(frame[C.EXPIRY]),
                                      frame[C.SETTLEMENT].to_numpy(dtype=object)).asi8
    mid, spread, spread_pct, code = quote_arrays(
        frame[C.BID].to_numpy(dtype=np.float64), frame[C.ASK].to_numpy(dtype=np.float64),
        frame[C.STRIKE].to_numpy(dtype=np.float64), settle,
        pd.DatetimeIndex(frame[C.QUOTE_TIME]).asi8, wide_threshold)
    status = np.array(STATUS_ORDER, dtype=object)[code]
    return pd.DataFrame(
        {C.MID: mid, C.SPREAD: spread, C.SPREAD_PCT: spread_pct, C.QUOTE_STATUS: status},
        index=frame.index,
    )


def quote_arrays(bid: np.ndarray, ask: np.ndarray, strike: np.ndarray, settle_ns: np.ndarray,
                 quote_ns: np.ndarray, wide_threshold: float = WIDE_THRESHOLD
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`quote_fields` on float64 arrays: mid, spread, spread_pct and status codes.

    ``settle_ns`` and ``quote_ns`` are UTC nanoseconds (settlement instant,
    quote time).  The status is returned as an index into
    :data:`STATUS_ORDER` (int8), first matching rule winning.
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
