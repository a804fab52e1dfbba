"""Generated daily bars shared by the history-stage tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

from volscreen import columns as C


def random_bars(seed: int, n: int = 120, start: str = "2020-01-01") -> pd.DataFrame:
    """``n`` business days of a lognormal walk from 100 with consistent open/high/low/close."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    prev = np.concatenate(([100.0], close[:-1]))
    open_ = prev * np.exp(rng.normal(0, 0.004, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    index = pd.bdate_range(start, periods=n, name=C.DATE)
    return pd.DataFrame({C.OPEN: open_, C.HIGH: high, C.LOW: low, C.CLOSE: close,
                         C.VOLUME: np.full(n, 1e6)}, index=index)
