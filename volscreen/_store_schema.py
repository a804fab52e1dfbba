"""SQLite schema of the IV history store, its migrations, and the record types.

``PRAGMA user_version`` holds the schema version.  ``MIGRATIONS[v]`` is the
SQL script that upgrades a store from version ``v - 1`` to ``v``; version 0
is an empty file.  A migration runs inside the same ``BEGIN IMMEDIATE``
transaction that bumps ``user_version``, so a crash mid-migration leaves the
old version intact, and two processes opening a new store at once migrate it
once.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import columns as C
from ._typing import DateLike
from .errors import StoreError

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


# -- what one row is ----------------------------------------------------------
VALUE_RTOL = 1e-12
"""Relative tolerance under which two stored floats count as the same value."""


def _nan() -> float:
    return float("nan")


def _as_date(value: DateLike) -> dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise StoreError(f"invalid session date {value!r}", column=C.HS_SESSION_DATE)
    return stamp.date()


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """One day's values for one underlying, ready to record.

    Series fields are decimals (NaN = no value; give the reason in
    ``reasons``).  ``date`` is the New York session date; ``quote_time`` a
    tz-aware timestamp (converted to UTC when stored).
    """

    underlying: str
    date: dt.date
    kind: str = C.KIND_OWN
    iv30: float = dataclasses.field(default_factory=_nan)
    iv60: float = dataclasses.field(default_factory=_nan)
    iv90: float = dataclasses.field(default_factory=_nan)
    mfiv30: float = dataclasses.field(default_factory=_nan)
    front_atm_iv: float = dataclasses.field(default_factory=_nan)
    rv20: float = dataclasses.field(default_factory=_nan)
    bbw: float = dataclasses.field(default_factory=_nan)
    bbw_pctile: float = dataclasses.field(default_factory=_nan)
    spot: float = dataclasses.field(default_factory=_nan)
    forward: float = dataclasses.field(default_factory=_nan)
    quote_time: pd.Timestamp | None = None
    source: str | None = None
    content_hash: str | None = None
    proxy_of: str | None = None
    reasons: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.underlying or not str(self.underlying).strip():
            raise StoreError("snapshot has no underlying", column=C.UNDERLYING)
        object.__setattr__(self, "underlying", str(self.underlying).strip().upper())
        object.__setattr__(self, "date", _as_date(self.date))
        if self.kind not in C.HS_KINDS:
            raise StoreError(f"kind must be one of {C.HS_KINDS}, got {self.kind!r}",
                             column=C.HS_KIND)
        for name in C.HS_SERIES:
            raw = getattr(self, name)
            try:
                value = float("nan") if raw is None else float(raw)
            except (TypeError, ValueError):
                raise StoreError(f"{self.underlying} {self.date}: {name} is not a number: "
                                 f"{raw!r}", column=name) from None
            if math.isinf(value):
                raise StoreError(f"{self.underlying} {self.date}: {name} is infinite",
                                 column=name)
            object.__setattr__(self, name, value)
        if self.quote_time is not None:
            stamp = pd.Timestamp(self.quote_time)
            if stamp.tz is None:
                raise StoreError(f"{self.underlying} {self.date}: quote_time must be "
                                 "tz-aware", column=C.HS_QUOTE_TIME)
            object.__setattr__(self, "quote_time", stamp.tz_convert("UTC"))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Snapshot:
        """Build from a dict (unknown keys are an error naming them)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise StoreError(f"unknown snapshot fields: {', '.join(unknown)}")
        return cls(**dict(data))

    def values(self) -> dict[str, float]:
        """The series values by name."""
        return {name: getattr(self, name) for name in C.HS_SERIES}


@dataclasses.dataclass(frozen=True)
class RecordResult:
    """What :meth:`HistoryStore.record` did for one (underlying, date, kind).

    ``action`` is one of ``inserted``, ``unchanged``, ``updated``, ``kept``;
    ``changes`` maps each differing field to (stored, new); ``kept_stored``
    maps each field the new snapshot left empty to the stored value that was
    kept instead (see :func:`merge_row`).
    """

    underlying: str
    date: dt.date
    kind: str
    action: str
    changes: Mapping[str, tuple[Any, Any]] = dataclasses.field(default_factory=dict)
    kept_stored: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Fields missing (NaN/None) in the new snapshot whose stored value stayed."""

    @property
    def conflict(self) -> bool:
        """True when the stored row held different values."""
        return bool(self.changes)


def _sql_value(value: float) -> float | None:
    return None if math.isnan(value) else value


def _row_of(snap: Snapshot, recorded_at: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        C.UNDERLYING: snap.underlying,
        C.HS_SESSION_DATE: snap.date.isoformat(),
        C.HS_KIND: snap.kind,
    }
    row.update({name: _sql_value(v) for name, v in snap.values().items()})
    row[C.HS_QUOTE_TIME] = None if snap.quote_time is None else snap.quote_time.isoformat()
    row[C.HS_SOURCE] = snap.source
    row[C.HS_CONTENT_HASH] = snap.content_hash
    row[C.HS_PROXY_OF] = snap.proxy_of
    row[C.HS_REASONS] = _format_reasons(snap.reasons)
    row[C.HS_RECORDED_AT] = recorded_at
    return row


_COMPARED = VALUE_COLUMNS + (C.HS_QUOTE_TIME, C.HS_CONTENT_HASH, C.HS_PROXY_OF)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        if old is None or new is None:
            return old is None and new is None
        return math.isclose(old, new, rel_tol=VALUE_RTOL, abs_tol=0.0)
    return bool(old == new)


def _format_reasons(reasons: Mapping[str, str]) -> str | None:
    return ";".join(f"{k}:{v}" for k, v in sorted(reasons.items())) or None


def _parse_reasons(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (text or "").split(";"):
        name, sep, reason = part.partition(":")
        if sep and name:
            out[name] = reason
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def merge_row(stored: Mapping[str, Any], new: Mapping[str, Any], *, replace: bool = False,
              ) -> tuple[dict[str, Any], dict[str, tuple[Any, Any]], dict[str, Any]]:
    """The row to write over a stored one: the single place of the keep-stored rule.

    Parameters
    ----------
    stored
        The stored row: at least the fields of ``_COMPARED`` and ``reasons``
        (SQL values: NULL is None).
    new
        The new row as built by ``_row_of`` (all columns).
    replace
        True: the new row as it is, empty values included (a full overwrite).

    Returns
    -------
    merged, changes, kept_stored
        ``merged``: the row to write; ``changes``: field -> (stored, merged)
        for every compared field that differs; ``kept_stored``: field ->
        stored value, for every compared field that is empty in ``new`` but
        not in ``stored``.

    Notes
    -----
    Rule (unless ``replace``): an empty value (NULL / NaN) in the new row
    never replaces a stored value -- for the series of
    ``columns.HS_SERIES`` and for ``quote_time``, ``content_hash`` and
    ``proxy_of`` alike.  A present value that differs (within
    :data:`VALUE_RTOL`) replaces the stored one.  ``reasons`` describes the
    merged row: a series that has a value has no reason; a series empty in
    both rows keeps its stored reason (the new one only when none was
    stored).  ``source`` and ``recorded_at`` come from the new row.
    """
    merged = dict(new)
    kept: dict[str, Any] = {}
    if not replace:
        for name in _COMPARED:
            if _missing(new[name]) and not _missing(stored[name]):
                merged[name] = stored[name]
                kept[name] = stored[name]
        old_reasons = _parse_reasons(stored.get(C.HS_REASONS))
        reasons = {**_parse_reasons(new.get(C.HS_REASONS)), **old_reasons}
        merged[C.HS_REASONS] = _format_reasons(
            {k: v for k, v in reasons.items()
             if k not in VALUE_COLUMNS or merged[k] is None})
    changes = {name: (stored[name], merged[name]) for name in _COMPARED
               if not _same(stored[name], merged[name])}
    return merged, changes, kept
