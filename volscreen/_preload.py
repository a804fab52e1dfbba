"""The screen's fork server: its start and what it imports (private).

:func:`fork_context` is the multiprocessing context the screen's workers are
started from: a fork server that imports :data:`PRELOAD` once, this module
first.  :func:`start_fork_server` starts it early (the command line does as
soon as it knows it will use workers), so its imports run beside the
caller's instead of after them.  Neither imports pandas.

Importing :data:`PRELOAD` (pandas, pyarrow, the screen's stages) creates a
few hundred thousand objects that live as long as the server and the
workers forked from it; collecting while they are created only rescans them
(about 50 ms of the server's 0.45 s of imports).  In the fork server, this
module imports them with the collector off, freezes them (every worker
inherits them frozen) and turns the collector back on, so any other
process forked from the server later collects as usual.  Imported anywhere
else (a tool importing every submodule, say) this module does nothing.
"""
from __future__ import annotations

import gc
import importlib
import sys
from types import FrameType
from typing import Any

PRELOAD = ("volscreen.screening", "volscreen.loaders", "volscreen.implied", "volscreen.surface",
           "volscreen.structures")
"""Modules the fork server imports once for every worker (numba is not among them)."""


def fork_context() -> Any:
    """A fork server with :data:`PRELOAD` imported where available, else spawn."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # ignored once the server runs; this module imports PRELOAD without collecting
    context.set_forkserver_preload([__name__, *PRELOAD])
    return context


def start_fork_server() -> None:
    """Start the fork server now, without waiting for its imports (no-op where none exists).

    The server imports :data:`PRELOAD` (about half a second) while the
    caller goes on; the first worker is forked once they are done.
    """
    if fork_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _in_fork_server() -> bool:
    """True when this import runs inside ``multiprocessing.forkserver.main`` (its preload)."""
    server = sys.modules.get("multiprocessing.forkserver")
    if server is None:
        return False
    code = server.main.__code__
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def _import_frozen() -> None:
    """Import :data:`PRELOAD` with the collector off, then freeze what is alive."""
    gc.disable()
    try:
        for name in PRELOAD:
            importlib.import_module(name)
    finally:
        gc.freeze()
        gc.enable()


if _in_fork_server():
    _import_frozen()
