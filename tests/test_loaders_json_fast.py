"""Shortcuts on the JSON route of load_chain against the code they stand in for.

1. ``_io.read_any`` decodes JSON bytes with msgspec directly; the reference
   is the text route (``decode_text`` then ``parse_json_text``, which falls
   back to the standard library), on hand-picked byte strings, one id each.
2. ``quotetime.quote_times`` memoises parsed time stamps per (text, rule,
   zone); the reference is the same call with the memo emptied first.
3. ``chain._rights`` maps the usual spellings without the text pipeline; the
   reference is that pipeline written out (factorize, str, strip, upper, map).
4. ``chain._sorted`` builds the sorted frame from columns; the reference is
   ``DataFrame.sort_values(SORT_KEYS, kind="stable", ignore_index=True)``.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import columns as C
from volscreen.errors import VolscreenError
from volscreen.loaders import _io, quotetime
from volscreen.loaders import chain as chain_module
from volscreen.loaders._chain_rules import SORT_KEYS

# --- 1. JSON bytes ------------------------------------------------------------------

BYTES = {
    "plain": b'{"quotes": [{"a": 1.5, "b": null, "c": "x"}]}',
    "leading_blanks": b' \r\n\t[{"a": 1}]',
    "form_feed_first": b'\x0c{"a": 1}',
    "utf8_bom": b'\xef\xbb\xbf{"a": "\xc3\xa9"}',
    "utf8_text": b'{"a": "\xc3\xa9\\u00e9"}',
    "cp1252_text": b'{"a": "caf\xe9"}',
    "nan_literal": b'{"a": NaN}',
    "big_int": b'{"a": 123456789012345678901234567890}',
    "duplicate_key": b'{"a": 1, "a": 2}',
    "escaped_nul": b'{"a": "x\\u0000y"}',
    "raw_nul": b'{"a": "x\x00y"}',
    "tab_in_string": b'{"a": "x\ty"}',
    "truncated": b'{"quotes": [{"a": 1}',
}


def _text_route(raw: bytes) -> object:
    try:
        text = _io.decode_text(raw, "x.json")
        return "json", _io.parse_json_text(text, "x.json")
    except VolscreenError as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("case", sorted(BYTES), ids=str)
def test_json_bytes_decode_as_the_text_route(tmp_path, case):
    path = tmp_path / "x.json"
    path.write_bytes(BYTES[case])
    try:
        got = _io.read_any(path)
    except VolscreenError as exc:
        got = (type(exc).__name__, str(exc))
    want = _text_route(BYTES[case])
    assert got[0] == want[0]
    assert json.dumps(got[1], sort_keys=True) == json.dumps(want[1], sort_keys=True)


# --- 2. quote-time memo -------------------------------------------------------------

STAMPS = st.sampled_from([
    "2026-07-14T15:55:45.890379-04:00", "2026-07-14T20:30:00Z", "2026-07-14", "2026-07-11",
    "2026-07-14 03:00", "2026-07-13 17:00:00", "20260714", "yesterday", "", None, 20260714,
    "2026-07-14T16:00:00+00:00",
])


def _quote_times(values: list[object], rule: str, tz: str) -> object:
    try:
        return quotetime.quote_times(pd.Series(values, dtype=object), rule, tz=tz, source="x",
                                     row_base=0).asi8.tolist()
    except VolscreenError as exc:
        return str(exc)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(STAMPS, min_size=1, max_size=6),
       rule=st.sampled_from(["exact", "date_close", "at_1545", "session"]),
       tz=st.sampled_from(["America/New_York", "UTC"]))
def test_memoised_quote_times_equal_fresh_ones(values, rule, tz):
    quotetime._PARSED.clear()
    fresh = _quote_times(values, rule, tz)
    assert _quote_times(values, rule, tz) == fresh  # now from the memo
    quotetime._PARSED.clear()
    assert _quote_times(values, rule, tz) == fresh


def test_memo_keeps_rules_and_zones_apart():
    stamp = ["2026-07-11 12:00"]  # a Saturday noon
    seen = {(rule, tz): _quote_times(stamp, rule, tz)
            for rule in ("exact", "date_close", "at_1545", "session")
            for tz in ("America/New_York", "UTC")}
    # one memo entry per key: readings that differ stay apart
    assert len({str(v) for v in seen.values()}) == 5
    assert seen["exact", "UTC"] != seen["exact", "America/New_York"]
    assert seen["session", "UTC"] != seen["exact", "UTC"]
    assert seen["at_1545", "UTC"] != seen["date_close", "UTC"]
    quotetime._PARSED.clear()
    assert seen == {key: _quote_times(stamp, *key) for key in seen}


# --- 3. rights ----------------------------------------------------------------------

def _rights_reference(values: pd.Series) -> object:
    codes, uniques = pd.factorize(values)
    mapped = pd.Series(uniques, dtype=object).astype("str").str.strip().str.upper().map(
        chain_module._RIGHTS)
    first = np.array([*mapped.tolist(), None], dtype=object)[codes]
    ok = pd.notna(first)
    return first.tolist() if ok.all() else int(np.flatnonzero(~ok)[0])


def _rights(values: pd.Series) -> object:
    try:
        return chain_module._rights(values, "x", 0).tolist()
    except VolscreenError as exc:
        return exc.row


SPELLINGS = st.sampled_from(["C", "P", "call", "put", "Call", "Put", "CALL", "PUT", "c", "p",
                             " call", "cAll", "x", "", None, 1.0, "\u2003P", "pUT", "Calls"])


@settings(max_examples=60, deadline=None)
@given(values=st.lists(SPELLINGS, min_size=1, max_size=8), text=st.booleans())
def test_rights_equal_the_text_pipeline(values, text):
    series = pd.Series(values, dtype="str" if text and all(isinstance(v, str) or v is None
                                                           for v in values) else object)
    assert _rights(series) == _rights_reference(series)


# --- 4. sorting ---------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["IWM", "SPY", None]),
                               st.sampled_from([0, 1, 2]), st.sampled_from([0, 3]),
                               st.sampled_from([250.0, 255.0, np.nan]),
                               st.sampled_from(["C", "P"]), st.sampled_from(["IWM", "IWMW"])),
                     min_size=1, max_size=12))
def test_sorted_equals_sort_values(rows):
    qt = pd.Timestamp("2026-07-14 20:00", tz="UTC")
    day = pd.Timestamp("2026-07-17")
    frame = pd.DataFrame({
        C.UNDERLYING: pd.array([r[0] for r in rows], dtype="str"),
        C.QUOTE_TIME: [qt + pd.Timedelta(minutes=r[1]) for r in rows],
        C.EXPIRY: np.array([day + pd.Timedelta(days=r[2]) for r in rows], dtype="datetime64[ns]"),
        C.STRIKE: [r[3] for r in rows], C.RIGHT: pd.array([r[4] for r in rows], dtype="str"),
        C.ROOT: pd.array([r[5] for r in rows], dtype="str"),
        "vendor_x": np.arange(len(rows), dtype=np.float64),
    })
    columns = {c: frame[c] for c in frame.columns}
    got = chain_module._sorted(columns, list(frame.columns))
    want = frame.sort_values(SORT_KEYS, kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    got.loc[0, "vendor_x"] = -1.0  # a copy: the columns given are untouched
    assert frame["vendor_x"].tolist() == list(range(len(rows)))
