"""SQLite schema of the IV history store and its migrations.

``PRAGMA user_version`` holds the schema version.  ``MIGRATIONS[v]`` is the
SQL script that upgrades a store from version ``v - 1`` to ``v``; version 0
is an empty file.  A migration runs inside the same ``BEGIN IMMEDIATE``
transaction that bumps ``user_version``, so a crash mid-migration leaves the
old version intact, and two processes opening a new store at once migrate it
once.
"""
from __future__ import annotations

from . import columns as C

APPLICATION_ID = 0x56534331
"""``PRAGMA application_id`` of a volscreen store ("VSC1")."""

TABLE = "snapshots"
VALUE_COLUMNS = C.HS_SERIES
"""Numeric series, one REAL column each (NULL = no value)."""
TEXT_COLUMNS = (
    C.HS_QUOTE_TIME,
    C.HS_SOURCE,
    C.HS_CONTENT_HASH,
    C.HS_PROXY_OF,
    C.HS_REASONS,
)
KEY_COLUMNS = (C.UNDERLYING, C.HS_SESSION_DATE, C.HS_KIND)

_V1 = f"""
CREATE TABLE {TABLE} (
    {C.UNDERLYING} TEXT NOT NULL,
    {C.HS_SESSION_DATE} TEXT NOT NULL CHECK (length({C.HS_SESSION_DATE}) = 10),
    {C.HS_KIND} TEXT NOT NULL CHECK ({C.HS_KIND} IN ('{C.KIND_OWN}', '{C.KIND_PROXY}')),
    {", ".join(f"{name} REAL" for name in VALUE_COLUMNS)},
    {", ".join(f"{name} TEXT" for name in TEXT_COLUMNS)},
    {C.HS_RECORDED_AT} TEXT NOT NULL,
    PRIMARY KEY ({", ".join(KEY_COLUMNS)})
) WITHOUT ROWID;
"""

MIGRATIONS: dict[int, str] = {1: _V1}
"""Target version -> script upgrading from the version just below it."""



def current_version() -> int:
    """Schema version this code writes (the highest migration)."""
    return max(MIGRATIONS)
