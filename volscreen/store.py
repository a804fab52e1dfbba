"""IV history store: one row of daily values per (underlying, session date, kind) in SQLite.

Layout
------
A single wide table, ``snapshots``, keyed by (``underlying``, ``date``,
``kind``).  ``date`` is the New York session date (ISO text); ``kind`` is
``"own"`` for values computed from our own chains and ``"proxy"`` for an
imported index series (e.g. VIX closes / 100 as a stand-in for SPX IV30), so
a proxy never overwrites or mixes with our own history.  Each row holds the
series in :data:`volscreen.columns.HS_SERIES` (decimals; NULL = no value,
with the reason in ``reasons``) and its provenance: ``quote_time`` (UTC),
``source``, ``content_hash`` (SHA-256 hex of the chain file's bytes),
``proxy_of`` and ``recorded_at`` (UTC).

Guarantees
----------
* Each :meth:`HistoryStore.record` is one ``BEGIN IMMEDIATE`` transaction in
  WAL mode with a busy timeout: two processes recording at once both succeed
  (one waits for the other), and a writer killed mid-transaction leaves the
  store as it was before that transaction.
* Recording is idempotent per (underlying, date, kind): the same values again
  write nothing; different values are a *conflict*, resolved by
  ``on_conflict`` (``"update"`` overwrites and logs a warning, ``"keep"``
  leaves the stored row, ``"raise"`` raises :class:`~volscreen.errors.StoreError`,
  ``"replace"`` overwrites with the new row exactly as it is);
  the :class:`RecordResult` lists every changed field.
* A value missing (NaN) in a new snapshot never erases a stored value
  (e.g. a chain recorded again without bars keeps the stored RV20 and BBW);
  only ``on_conflict="replace"`` does.  The rule lives in
  :func:`volscreen._store_schema.merge_row`.
* ``PRAGMA user_version`` is the schema version; older stores are migrated on
  open, a store written by newer code is refused with a ``StoreError``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from . import _store_schema as S
from . import columns as C
from ._store_path import STORE_ENV, STORE_FILENAME, default_store_path  # noqa: F401 (re-exported)
from ._store_schema import _COMPARED, RecordResult, Snapshot, _as_date, _row_of, merge_row
from ._typing import DateLike, PathLike
from .errors import StoreError

__all__ = ["HistoryStore", "RecordResult", "Snapshot", "default_store_path"]

logger = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another process's transaction to finish."""

OnConflict = Literal["update", "keep", "raise", "replace"]
ON_CONFLICT_CHOICES: tuple[OnConflict, ...] = ("update", "keep", "raise", "replace")


class HistoryStore:
    """Daily IV / RV / BBW history in a SQLite file.

    Parameters
    ----------
    path
        Store file; default :func:`default_store_path` (``$VOLSCREEN_STORE``
        or the user data directory).  Parent folders are created.
    create
        When False, a missing file is a ``StoreError`` instead of a new store.
    timeout
        Busy timeout in seconds while another process writes.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: PathLike | None = None, *, create: bool = True,
                 timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.timeout = float(timeout)
        if not self.path.exists():
            if not create:
                raise StoreError("no history store here; record a chain first "
                                 "(volscreen record) or pass --store", source=self.path)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store's folder ({exc.strerror})",
                                 source=self.path) from None
        try:
            self._conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store ({exc})", source=self.path) from None
        try:
            self._open()
        except BaseException:
            self._conn.close()
            raise

    # -- opening, schema ---------------------------------------------------
    def _open(self) -> None:
        conn = self._conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            app_id, version = self._header()
            self._check_header(app_id, version)
            if version < S.current_version():
                self._migrate()
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("%s: WAL journal mode unavailable (got %s)", self.path, mode)
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a usable SQLite store ({exc})", source=self.path) from None

    def _header(self) -> tuple[int, int]:
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        return int(app_id), int(version)

    def _check_header(self, app_id: int, version: int) -> None:
        if app_id not in (0, S.APPLICATION_ID):
            raise StoreError("this SQLite file is not a volscreen history store "
                             f"(application_id {app_id:#x})", source=self.path)
        if app_id == 0 and version == 0:
            tables = self._conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise StoreError("this SQLite file holds other tables and is not a "
                                 "volscreen history store", source=self.path)
        if version > S.current_version():
            raise StoreError(
                f"the store has schema version {version}, newer than this volscreen "
                f"understands ({S.current_version()}); upgrade volscreen or use another "
                "store (--store / VOLSCREEN_STORE)", source=self.path)

    def _migrate(self) -> None:
        with self._transaction():
            app_id, version = self._header()  # re-read under the write lock
            self._check_header(app_id, version)
            for target in range(version + 1, S.current_version() + 1):
                logger.info("%s: migrating history store to schema %d", self.path, target)
                for statement in S.MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {int(target)}")
            self._conn.execute(f"PRAGMA application_id = {S.APPLICATION_ID}")

    @property
    def schema_version(self) -> int:
        """The store's ``PRAGMA user_version``."""
        return self._header()[1]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot lock the store for writing within {self.timeout:g} s "
                             f"({exc})", source=self.path) from None
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"write failed and was rolled back ({exc})",
                                 source=self.path) from None
            raise

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.path)!r})"

    # -- writing -----------------------------------------------------------
    def record(self, snapshot: Snapshot | Mapping[str, Any], *,
               on_conflict: OnConflict = "update") -> RecordResult:
        """Record one day's snapshot in its own transaction.

        Parameters
        ----------
        snapshot
            A :class:`Snapshot` (or a mapping of its fields).
        on_conflict
            What to do when a row with different values is stored for the
            same (underlying, date, kind): ``"update"`` (overwrite the values
            the snapshot has, log a warning), ``"keep"`` (write nothing),
            ``"raise"`` (``StoreError``; nothing written) or ``"replace"``
            (overwrite the whole row with the snapshot, empty values
            included, log a warning).

        Returns
        -------
        RecordResult
            ``inserted``, ``unchanged`` (same values: nothing written, not
            even ``recorded_at``), ``updated`` or ``kept``, with the changes
            and, in ``kept_stored``, the stored values kept because the
            snapshot had none.

        Notes
        -----
        Missing values keep stored ones: a series that is NaN in the
        snapshot (e.g. ``rv20``, ``bbw``, ``bbw_pctile`` with reason
        ``no_bars`` when a chain is recorded again without bars), or a
        ``quote_time`` / ``content_hash`` / ``proxy_of`` that is None, never
        replaces a stored value; it is not a change, so such a re-record is
        ``unchanged`` when everything else matches.  A value that is present
        and differs is a change.  A series empty in both keeps its stored
        reason.  Only ``on_conflict="replace"`` writes the snapshot as it
        is.  Values compare equal within a relative 1e-12, and NaN equals
        NaN; ``source``, ``reasons`` and ``recorded_at`` are not compared.
        """
        return self.record_many([snapshot], on_conflict=on_conflict)[0]

    def record_many(self, snapshots: Iterable[Snapshot | Mapping[str, Any]], *,
                    on_conflict: OnConflict = "update") -> list[RecordResult]:
        """Record several snapshots in ONE transaction (all or nothing).

        Used for bulk imports; same rules as :meth:`record`.
        """
        if on_conflict not in ON_CONFLICT_CHOICES:
            raise StoreError("on_conflict must be one of "
                             f"{', '.join(map(repr, ON_CONFLICT_CHOICES))}, got {on_conflict!r}")
        results = []
        with self._transaction() as conn:
            for item in snapshots:
                snap = item if isinstance(item, Snapshot) else Snapshot.from_mapping(item)
                results.append(self._record_one(conn, snap, on_conflict))
        for res in results:
            if res.changes and res.action != C.REC_UNCHANGED:
                logger.warning("%s %s (%s): stored values differ, %s: %s", res.underlying,
                               res.date, res.kind, res.action,
                               ", ".join(f"{k} {o!r} -> {n!r}" for k, (o, n) in
                                         res.changes.items()))
            if res.kept_stored:
                logger.info("%s %s (%s): no new value for %s; stored value kept",
                            res.underlying, res.date, res.kind, ", ".join(res.kept_stored))
        return results

    def _record_one(self, conn: sqlite3.Connection, snap: Snapshot,
                    on_conflict: OnConflict) -> RecordResult:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        row = _row_of(snap, now)
        key = (snap.underlying, snap.date.isoformat(), snap.kind)
        read = _COMPARED + (C.HS_REASONS,)
        cur = conn.execute(
            f"SELECT {', '.join(read)} FROM {S.TABLE} WHERE {C.UNDERLYING} = ? "
            f"AND {C.HS_SESSION_DATE} = ? AND {C.HS_KIND} = ?", key)
        found = cur.fetchone()
        columns = list(row)
        if found is None:
            conn.execute(f"INSERT INTO {S.TABLE} ({', '.join(columns)}) VALUES "
                         f"({', '.join('?' * len(columns))})", [row[c] for c in columns])
            return RecordResult(snap.underlying, snap.date, snap.kind, C.REC_INSERTED)
        row, changes, kept = merge_row(dict(zip(read, found)), row,
                                       replace=on_conflict == "replace")
        if not changes:
            return RecordResult(snap.underlying, snap.date, snap.kind, C.REC_UNCHANGED,
                                kept_stored=kept)
        if on_conflict == "raise":
            raise StoreError(
                f"{snap.underlying} {snap.date} ({snap.kind}) is already recorded with "
                f"different values: " + ", ".join(f"{k} {o!r} -> {n!r}"
                                                  for k, (o, n) in changes.items())
                + "; pass on_conflict='update' to overwrite", source=self.path)
        if on_conflict == "keep":
            return RecordResult(snap.underlying, snap.date, snap.kind, C.REC_KEPT, changes,
                                kept)
        sets = [c for c in columns if c not in S.KEY_COLUMNS]
        conn.execute(f"UPDATE {S.TABLE} SET {', '.join(f'{c} = ?' for c in sets)} WHERE "
                     f"{C.UNDERLYING} = ? AND {C.HS_SESSION_DATE} = ? AND {C.HS_KIND} = ?",
                     [row[c] for c in sets] + list(key))
        return RecordResult(snap.underlying, snap.date, snap.kind, C.REC_UPDATED, changes,
                            kept)

    # -- reading -----------------------------------------------------------
    def underlyings(self) -> list[str]:
        """Underlyings with at least one stored row, sorted."""
        rows = self._conn.execute(f"SELECT DISTINCT {C.UNDERLYING} FROM {S.TABLE} "
                                  f"ORDER BY {C.UNDERLYING}").fetchall()
        return [r[0] for r in rows]

    def history(self, underlying: str, *, kind: str | None = None,
                start: DateLike | None = None, end: DateLike | None = None) -> pd.DataFrame:
        """Every stored row of ``underlying`` (both kinds unless ``kind`` is given).

        Returns
        -------
        pandas.DataFrame
            One row per (date, kind), sorted by date then kind; columns
            ``underlying``, ``date`` (datetime64), ``kind``, the series of
            ``columns.HS_SERIES`` (float, NaN = not stored), ``quote_time``
            (UTC), ``source``, ``content_hash``, ``proxy_of``, ``reasons``,
            ``recorded_at`` (UTC).  Empty (same columns) when nothing is stored.
        """
        where = [f"{C.UNDERLYING} = ?"]
        args: list[Any] = [str(underlying).strip().upper()]
        if kind is not None:
            where.append(f"{C.HS_KIND} = ?")
            args.append(kind)
        if start is not None:
            where.append(f"{C.HS_SESSION_DATE} >= ?")
            args.append(_as_date(start).isoformat())
        if end is not None:
            where.append(f"{C.HS_SESSION_DATE} <= ?")
            args.append(_as_date(end).isoformat())
        names = list(S.KEY_COLUMNS) + list(S.VALUE_COLUMNS) + list(S.TEXT_COLUMNS) + [
            C.HS_RECORDED_AT]
        cur = self._conn.execute(
            f"SELECT {', '.join(names)} FROM {S.TABLE} WHERE {' AND '.join(where)} "
            f"ORDER BY {C.HS_SESSION_DATE}, {C.HS_KIND}", args)
        frame = pd.DataFrame(cur.fetchall(), columns=names)
        frame[C.HS_SESSION_DATE] = pd.to_datetime(frame[C.HS_SESSION_DATE], format="%Y-%m-%d")
        for name in S.VALUE_COLUMNS:
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        for name in (C.HS_QUOTE_TIME, C.HS_RECORDED_AT):
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        return frame

    def series(self, underlying: str, series: str = C.HS_IV30, *,
               kind: str = C.KIND_OWN) -> pd.Series:
        """One stored series as a float Series indexed by session date.

        Dates with no value (NULL) are left out.  ``.attrs`` carries
        ``kind`` and ``proxy_of`` (the latest non-null one).
        """
        if series not in C.HS_SERIES:
            raise StoreError(f"unknown series {series!r}; choose one of "
                             f"{', '.join(C.HS_SERIES)}")
        rows = self._conn.execute(
            f"SELECT {C.HS_SESSION_DATE}, {series}, {C.HS_PROXY_OF} FROM {S.TABLE} "
            f"WHERE {C.UNDERLYING} = ? AND {C.HS_KIND} = ? AND {series} IS NOT NULL "
            f"ORDER BY {C.HS_SESSION_DATE}", (str(underlying).strip().upper(), kind)
        ).fetchall()
        index = pd.DatetimeIndex(pd.to_datetime([r[0] for r in rows], format="%Y-%m-%d"),
                                 name=C.DATE)
        out = pd.Series([float(r[1]) for r in rows], index=index, name=series,
                        dtype="float64")
        proxies = [r[2] for r in rows if r[2]]
        out.attrs = {C.HS_KIND: kind, C.HS_PROXY_OF: proxies[-1] if proxies else None}
        return out
