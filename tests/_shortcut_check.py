"""Shared by the loader-shortcut tests: load a file with a shortcut on and off, compare."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from volscreen.errors import VolscreenError
from volscreen.loaders import chain as chain_module
from volscreen.loaders import load_chain


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
