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
    bid = frame[C.BID].to_numpy(dtype=np.float64)
    ask = frame[C.ASK].to_numpy(dtype=np.float64)
    strike = frame[C.STRIKE].to_numpy(dtype=np.float64)
    usable = (bid >= 0) & (bid <= ask) & (ask > 0)  # NaN compares False
    mid = np.where(usable, (bid + ask) / 2, np.nan)
    spread = np.where(usable, ask - bid, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):  # mid is NaN or > 0 here
        spread_pct = np.where(usable, spread / mid, np.nan)

    # settlement_instant localizes each distinct (expiry, settlement) pair once
    settle = clock.settlement_instant(pd.DatetimeIndex(frame[C.EXPIRY]),
                                      frame[C.SETTLEMENT].to_numpy(dtype=object)).asi8
    quoted = pd.DatetimeIndex(frame[C.QUOTE_TIME])
    expired = settle <= quoted.asi8

    conditions = [
        ~occ_strike_ok(strike),
        expired,
        np.isnan(bid) & np.isnan(ask),
        ~(ask > 0),
        bid > ask,
        ~(bid > 0),
        usable & (spread_pct > wide_threshold) & (spread > WIDE_MIN_SPREAD),
    ]
    codes = [C.QS_BAD_STRIKE, C.QS_EXPIRED, C.QS_NO_QUOTE, C.QS_ZERO_ASK, C.QS_CROSSED,
             C.QS_NO_BID, C.QS_WIDE]
    status = np.select(conditions, codes, default=C.QS_OK).astype(object)
    return pd.DataFrame(
        {C.MID: mid, C.SPREAD: spread, C.SPREAD_PCT: spread_pct, C.QUOTE_STATUS: status},
        index=frame.index,
    )
