"""The screen's fork server imports this first: the screen's modules without collections (private).

Importing :data:`volscreen._screen_pool.PRELOAD` (pandas, pyarrow, the
screen's stages) creates a few hundred thousand objects that live as long
as the server and the workers forked from it; collecting while they are
created only rescans them (about 50 ms of the server's 0.45 s of imports).
In the fork server, the collector is off while they are imported, then
they are frozen (every worker inherits them frozen) and the collector is on
again, so any other process forked from the server later collects as usual.

Imported anywhere else (a tool importing every submodule, say) this module
does nothing.
"""
from __future__ import annotations

import gc
import importlib
import sys


def _in_fork_server() -> bool:
    """True when this import runs inside ``multiprocessing.forkserver.main`` (its preload)."""
    server = sys.modules.get("multiprocessing.forkserver")
    if server is None:
        return False
    code = server.main.__code__
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def _import_frozen() -> None:
    """Import :data:`~volscreen._screen_pool.PRELOAD` with the collector off, then freeze."""
    gc.disable()
    try:
        from ._screen_pool import PRELOAD

        for name in PRELOAD:
            importlib.import_module(name)
    finally:
        gc.freeze()
        gc.enable()


if _in_fork_server():
    _import_frozen()
