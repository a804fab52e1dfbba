"""Where the IV history store lives by default (no pandas, no sqlite: cheap to import).

``volscreen screen`` asks for this path on every run to decide whether a
store exists; the store itself (:mod:`volscreen.store`) is imported only
when it does.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

STORE_ENV = "VOLSCREEN_STORE"
"""Environment variable naming the store file (overrides the default path)."""
STORE_FILENAME = "history.sqlite"


def default_store_path() -> Path:
    """Where the store lives when no path is given.

    ``$VOLSCREEN_STORE`` if set; else ``$XDG_DATA_HOME/volscreen/history.sqlite``
    (``~/.local/share/volscreen/history.sqlite`` when XDG_DATA_HOME is unset)
    on Linux and other Unix, ``~/Library/Application Support/volscreen/...`` on
    macOS and ``%LOCALAPPDATA%\\volscreen\\...`` on Windows.
    """
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "volscreen" / STORE_FILENAME
