"""Shared by the loader-shortcut tests: load a file with a shortcut on and off, compare."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from volscreen.errors import VolscreenError
from volscreen.loaders import chain as chain_module
from volscreen.loaders import load_chain

EXTRA = {"spy_yf_2025-08-26_afterclose.csv": {"quote_time": "2025-08-26 16:00"}}
"""Files that need an argument (no quote time in the file)."""


def load_with(flag: str, path: Path, fast: bool, **kwargs: Any) -> Any:
    """load_chain with ``chain_module.<flag>`` set to ``fast``: a frame or (error class, text)."""
    saved = getattr(chain_module, flag)
    setattr(chain_module, flag, fast)
    try:
        return load_chain(path, **kwargs)
    except VolscreenError as exc:
        return type(exc).__name__, str(exc)
    finally:
        setattr(chain_module, flag, saved)


def assert_same_both_ways(flag: str, path: Path, **kwargs: Any) -> Any:
    """The shortcut and the general path give the same frame (or error); returns the fast one."""
    fast, general = load_with(flag, path, True, **kwargs), load_with(flag, path, False, **kwargs)
    if isinstance(general, tuple) or isinstance(fast, tuple):
        assert fast == general
        return fast
    assert list(fast.columns) == list(general.columns)
    assert [str(t) for t in fast.dtypes] == [str(t) for t in general.dtypes]
    pd.testing.assert_frame_equal(fast, general, check_exact=True)
    assert fast.attrs == general.attrs
    return fast


def small_chain() -> pd.DataFrame:
    """16 canonical quotes with a zero bid, a crossed and a wide quote (the tests edit it)."""
    rows = []
    for expiry in ("2026-03-20", "2026-04-17"):
        for strike in (250.0, 255.0, 260.5, 270.0):
            for right in ("C", "P"):
                bid = round(max(0.0, (strike - 258.0) * (1 if right == "P" else -1)) + 1.1, 2)
                rows.append({"underlying": "IWM", "quote_time": "2026-03-06 16:00",
                             "expiry": expiry, "strike": strike, "right": right, "bid": bid,
                             "ask": round(bid * 1.07 + 0.05, 2), "underlying_price": 258.1,
                             "vendor_iv": 0.21, "vendor_source": "cboe"})
    frame = pd.DataFrame(rows)
    frame.loc[0, "bid"] = 0.0  # no_bid
    frame.loc[1, ["bid", "ask"]] = [3.0, 2.0]  # crossed
    frame.loc[2, "ask"] = 9.0  # wide
    return load_chain(frame)
