"""Quote-time rules: vendor time stamps to tz-aware UTC.

Never uses the machine's local zone: naive values are read in the zone the
format states (New York unless told otherwise).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import clock
from .. import columns as C
from ..errors import ChainSchemaError, shown
from .formats import QuoteClock, unique_parse, yyyymmdd_text

SESSION_OPEN = pd.Timedelta(hours=9, minutes=30)
SESSION_CLOSE = clock.MARKET_CLOSE
DATASHOP_SNAPSHOT = pd.Timedelta(hours=15, minutes=45)


def last_session_close(when: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Apply the regular-hours rule to fetch timestamps (tz-aware in, UTC out).

    Inside regular hours (09:30-16:00 New York, Monday-Friday) a timestamp is
    kept; otherwise it moves back to 16:00 New York of the latest weekday at
    or before it whose session had closed (an early-morning fetch goes to the
    previous weekday's close).  Exchange holidays are not modelled.
    """
    local = when.tz_convert(clock.EXCHANGE_TZ)
    day = local.tz_localize(None).normalize()
    tod = local.tz_localize(None) - day
    days = day.values.astype("datetime64[D]")
    is_bday = np.is_busday(days)
    in_session = is_bday & (tod >= SESSION_OPEN) & (tod <= SESSION_CLOSE)
    after_close = is_bday & (tod > SESSION_CLOSE)
    prev_bday = np.busday_offset(days, -1, roll="forward")
    back_bday = np.busday_offset(days, 0, roll="backward")
    close_day = np.where(after_close, days, np.where(is_bday, prev_bday, back_bday))
    closes = clock.settlement_instant(close_day.astype("datetime64[ns]"), C.PM)
    return pd.DatetimeIndex(np.where(in_session, when.tz_convert("UTC").asi8, closes.asi8)
                            ).tz_localize("UTC").as_unit("ns")


_MEMO_SIZE = 100_000
"""Entries kept in :data:`_PARSED` (cleared when full)."""
_PARSED: dict[tuple[str, str, str], int] = {}
"""(text, rule, zone) -> UTC ns or the int64 minimum (unparseable): a pure function of its key."""


def _parse_one(value: object, tz: str) -> tuple[pd.Timestamp | None, bool]:
    """(timestamp, date_only): naive date for date-only values, else UTC."""
    value = yyyymmdd_text(value)  # 20260202 is a date, not nanoseconds since 1970
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None, False
    if ts is pd.NaT:
        return None, False
    if isinstance(value, str):
        date_only = ":" not in value
    else:
        date_only = ts.tz is None and ts == ts.normalize()
    if date_only:
        return ts.tz_localize(None).normalize() if ts.tz is not None else ts.normalize(), True
    if ts.tz is None:
        ts = ts.tz_localize(tz)
    return ts.tz_convert("UTC"), False


def quote_times(values: pd.Series, rule: QuoteClock, *, tz: str, source: str,
                row_base: int) -> pd.DatetimeIndex:
    """Parse a quote-time column under a :data:`~volscreen.loaders.formats.QuoteClock` rule.

    Date-only values mean the official close (16:00 New York) except under
    ``at_1545`` (15:45 New York).  Unparseable values raise
    :class:`ChainSchemaError` naming the first row.
    """
    def parse(uniques: pd.Series) -> np.ndarray:
        values = uniques.tolist()
        keys = [(v, rule, tz) if type(v) is str else None for v in values]
        known = [_PARSED.get(k) if k is not None else None for k in keys]
        if all(v is not None for v in known):  # a file's one time stamp, seen before
            return np.array(known, dtype=np.int64)
        out = parse_all(uniques)
        if len(_PARSED) + len(keys) > _MEMO_SIZE:
            _PARSED.clear()
        _PARSED.update((k, v) for k, v in zip(keys, out.tolist()) if k is not None)
        return out

    def parse_all(uniques: pd.Series) -> np.ndarray:
        out = np.empty(len(uniques), dtype=np.int64)
        for i, value in enumerate(uniques):
            out[i] = np.iinfo(np.int64).min  # unparseable unless set below
            try:
                ts, date_only = _parse_one(value, tz)
                if ts is None:
                    continue
                if rule in ("date_close", "at_1545") or date_only:
                    day = ts if date_only else \
                        ts.tz_convert(clock.EXCHANGE_TZ).tz_localize(None).normalize()
                    offset = DATASHOP_SNAPSHOT if rule == "at_1545" else SESSION_CLOSE
                    ts = (day + offset).tz_localize(clock.EXCHANGE_TZ).tz_convert("UTC")
                out[i] = ts.as_unit("ns").value
            except (OverflowError, pd.errors.OutOfBoundsDatetime):  # e.g. year -1 or 9999
                continue
        parsed = out != np.iinfo(np.int64).min
        if rule == "session" and parsed.any():  # per distinct value, before broadcasting
            stamps = pd.DatetimeIndex(out[parsed].astype("datetime64[ns]")).tz_localize("UTC")
            out[parsed] = last_session_close(stamps).asi8
        return out

    ints, missing = unique_parse(values, parse)
    bad = missing | (ints == np.iinfo(np.int64).min)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ChainSchemaError(
            f"missing or unparseable quote time {shown(values.iloc[pos])} "
            f"({int(bad.sum())} row(s)); "
            "pass quote_time=... (CLI: --quote-time) to set it", source=source, row=pos + row_base,
            column=C.QUOTE_TIME,
        )
    return pd.DatetimeIndex(ints.astype("datetime64[ns]")).tz_localize("UTC")
