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
5. ``_json_fast.read_vendor_json`` reads vendor JSON quotes into columns and
   ``_json_chain.build_chain`` builds options-desk and Cboe snapshot chains
   whole from them; the reference is the general path (``FAST_VENDOR_JSON``
   off), on every shared JSON chain, on edited and broken copies of small
   chains (each saying whether the reader takes it and whether the builder
   builds it whole), on generated quotes of both layouts and without msgspec.
6. ``_vendor.normalise_vendor`` finds an all-missing column from its first
   cell first; the rule is checked on generated columns.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
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


# --- 5. vendor JSON chains read straight into columns -------------------------------
# The reference is the general path (FAST_VENDOR_JSON off): decode to dicts, flatten,
# DataFrame.from_records, map the columns.  Both must give the same frame or error.

from conftest import shared_files, shared_path  # noqa: E402

from _shortcut_check import assert_same_both_ways  # noqa: E402
from volscreen.loaders._json_chain import build_chain  # noqa: E402
from volscreen.loaders._json_fast import read_vendor_json  # noqa: E402

FLAG = "FAST_VENDOR_JSON"


@pytest.mark.parametrize("name", shared_files("chains", "*.json*"), ids=str)
def test_shared_json_chain_same_both_ways(name):
    path = shared_path("chains", name)
    read = read_vendor_json(path, name, None)
    assert read is not None  # the shortcut reads every one
    built = build_chain(read, name, 0.5)
    assert built is not None  # and builds every one whole
    chain = assert_same_both_ways(FLAG, path)
    assert len(chain) > 100


def _desk(quotes: list[dict], **top: object) -> dict:
    doc = {"symbol": "IWM", "updated": "2026-07-14T15:55:45.890379-04:00",
           "underlyingPrice": 294.46, "greeks": {"enabled": True},
           "expirations": ["2026-07-17"]}
    doc.update(top)
    doc["quotes"] = quotes
    return doc


def _desk_quote(strike: float, right: str, bid: float | None = 1.1) -> dict:
    return {"symbol": f"IWM260717{right[0].upper()}{int(strike * 1000):08d}",
            "expiration": "2026-07-17", "side": right, "strike": strike, "bid": bid,
            "ask": 1.3, "mid": 1.2, "last": 1.25, "volume": None, "openInterest": 3.0,
            "iv": 0.21, "delta": 0.5, "gamma": 0.01, "theta": -0.1, "vega": 0.2, "rho": 0.01,
            "greeksSource": "cboe", "greeksMissingReason": None}


def _quotes() -> list[dict]:
    return [_desk_quote(k, r) for k in (290.0, 295.0, 300.5) for r in ("call", "put")]


def _cboe(options: list[dict], **top: object) -> dict:
    doc = {"ticker": "AMZN", "feed_timestamp": "2026-07-20 16:51:19", "spot": 252.36,
           "prev_close": 247.23}
    doc.update(top)
    doc["options"] = options
    return doc


def _cboe_options() -> list[dict]:
    return [{"type": r, "exp": "2026-07-22", "dte": 2, "strike": k, "bid": 1.0, "ask": 1.2,
             "oi": 4.0, "volume": 0.0, "iv": 0.3, "delta": 0.5,
             "last_trade_time": "2026-07-20T10:29:14" if r == "C" else None}
            for k in (250.0, 252.5) for r in ("C", "P")]


def _edited(edit) -> dict:
    doc = _desk(_quotes())
    edit(doc)  # in place
    return doc


def _set(i: int, key: str, value: object):
    def edit(doc):
        doc["quotes"][i][key] = value
    return edit


def _drop(i: int, key: str):
    def edit(doc):
        del doc["quotes"][i][key]
    return edit


def _reorder(i: int):
    def edit(doc):
        doc["quotes"][i] = dict(reversed(list(doc["quotes"][i].items())))
    return edit


# name -> (document or raw text, whether the shortcut reads it)
EDITS: dict[str, tuple[object, bool]] = {
    "as_is": (_desk(_quotes()), True),
    "cboe_as_is": (_cboe(_cboe_options()), True),
    "cboe_all_null_text": (_cboe([{**o, "last_trade_time": None} for o in _cboe_options()]),
                           True),
    "cboe_words": (_cboe([{**o, "type": {"C": "call", "P": "Put"}[o["type"]]}
                          for o in _cboe_options()]), True),
    "cboe_am_root": (_cboe(_cboe_options(), ticker="SPX"), True),
    "cboe_caret_ticker": (_cboe(_cboe_options(), ticker="^spx"), True),
    "cboe_long_ticker": (_cboe(_cboe_options(), ticker="ABCDEFG"), True),
    "cboe_int_strike": (_cboe([{**o, "strike": 250} for o in _cboe_options()[:2]]), True),
    "cboe_null_strike": (_cboe([{**o, "strike": None} if i == 1 else o
                                for i, o in enumerate(_cboe_options())]), True),
    "cboe_fine_strike": (_cboe([{**o, "strike": 250.0004} if i == 1 else o
                                for i, o in enumerate(_cboe_options())]), True),
    "cboe_bad_expiry": (_cboe([{**o, "exp": "2026-02-30"} if i == 1 else o
                               for i, o in enumerate(_cboe_options())]), True),
    "cboe_yyyymmdd_expiry": (_cboe([{**o, "exp": "20260722"} for o in _cboe_options()]), True),
    "cboe_bad_type": (_cboe([{**o, "type": "X"} if i == 1 else o
                             for i, o in enumerate(_cboe_options())]), True),
    "cboe_duplicate": (_cboe(_cboe_options() + _cboe_options()[:1]), True),
    "cboe_unsorted": (_cboe(_cboe_options()[::-1]), True),
    "cboe_date_stamp": (_cboe(_cboe_options(), feed_timestamp="2026-07-20"), True),
    "cboe_vendor_symbol": (_cboe(_cboe_options(), vendor_symbol="AMZN  260722C00250000"), True),
    "cboe_vendor_number": (_cboe(_cboe_options(), vendor_symbol=7), True),
    "int_prices": (_edited(_set(0, "bid", 1)), True),
    "all_int_column": (_edited(lambda d: [q.update(openInterest=7) for q in d["quotes"]]), True),
    "null_bid": (_edited(_set(2, "bid", None)), True),
    "null_symbol": (_edited(_set(1, "symbol", None)), True),
    "null_side": (_edited(_set(1, "side", None)), True),
    "side_against_symbol": (_edited(_set(0, "side", "put")), True),
    "spaced_symbol": (_edited(_set(0, "symbol", "IWM   260717C00290000")), True),
    "bad_symbol": (_edited(_set(3, "symbol", "IWM2607")), True),
    "numeric_text_vendor": (_edited(lambda d: [q.update(greeksSource="1.5")
                                               for q in d["quotes"]]), True),
    "percent_iv_text": (_edited(lambda d: [q.update(greeksMissingReason="18%")
                                           for q in d["quotes"]]), True),
    "negative_bid": (_edited(_set(4, "bid", -0.5)), True),
    "negative_zero": (_edited(_set(4, "bid", -0.0)), True),
    "duplicate_contract": (_edited(lambda d: d["quotes"].append(dict(d["quotes"][0]))), True),
    "conflicting_duplicate": (_edited(lambda d: d["quotes"].append(
        {**d["quotes"][0], "bid": 9.0})), True),
    "reordered_later_quote": (_edited(_reorder(3)), True),
    "reordered_first_quote": (_edited(_reorder(0)), True),
    "text_price": (_edited(_set(2, "bid", "1.5")), False),
    "bool_price": (_edited(_set(2, "bid", True)), False),
    "extra_field": (_edited(_set(2, "note", "x")), False),
    "missing_field": (_edited(_drop(5, "rho")), False),
    "missing_in_first": (_edited(_drop(0, "vega")), False),
    "nested_field": (_edited(_set(0, "iv", {"mid": 0.2})), False),
    "brace_in_first_text": (_edited(_set(0, "greeksSource", "cb}oe")), False),
    "brace_in_later_text": (_edited(_set(2, "greeksSource", "{cboe}")), True),
    "huge_first_quote": (_edited(_set(0, "greeksSource", "x" * 70_000)), False),
    "huge_later_quote": (_edited(_set(1, "greeksSource", "x" * 70_000)), True),
    "wide_integer": (_edited(_set(1, "volume", 2 ** 70)), False),
    "wide_float": (_edited(_set(1, "volume", 1e300)), False),
    "not_an_object": (_edited(lambda d: d["quotes"].append(3)), False),
    "empty_quotes": (_desk([]), False),
    "no_quote_list": (_edited(lambda d: d.update(quotes={"a": 1})), False),
    "greeks_not_a_dict": (_edited(lambda d: d.update(greeks=None)), True),
    "clock_marker": (_edited(lambda d: d.update(_clock="exact")), False),
    "top_scalar_in_quotes": (_edited(lambda d: d.update(bid=5.0)), True),
    "extra_top_scalars": (_edited(lambda d: d.update(zeta="z", alpha=1.5)), True),
    "extra_top_numbers": (_edited(lambda d: d.update(zeta=3, alpha=1.5, beta=None)), True),
    "top_bool": (_edited(lambda d: d.update(flag=True)), True),
    "int_underlying_price": (_edited(lambda d: d.update(underlyingPrice=294)), True),
    "null_underlying_price": (_edited(lambda d: d.update(underlyingPrice=None)), True),
    "text_underlying_price": (_edited(lambda d: d.update(underlyingPrice="294.5")), True),
    "no_updated": (_edited(lambda d: d.pop("updated")), False),  # not a known layout
    "no_symbol": (_edited(lambda d: d.pop("symbol")), True),
    "delayed_layout": ({"timestamp": "2026-07-20 16:51:19",
                        "data": {"symbol": "AMZN", "current_price": 250.0, "options": []}}, False),
    "plain_list": (_quotes(), False),
    "nan_literal": ('{"symbol": "IWM", "updated": "2026-07-14T15:55:45-04:00", '
                    '"underlyingPrice": NaN, "quotes": ' + json.dumps(_quotes()) + "}", False),
    "nan_in_quote": (json.dumps(_desk(_quotes())).replace('"bid": 1.1', '"bid": NaN', 1),
                     False),
    "huge_exponent": (json.dumps(_desk(_quotes())).replace('"ask": 1.3', '"ask": 1e400', 1),
                      False),
    "duplicate_key": (json.dumps(_desk(_quotes())).replace('"bid": 1.1', '"bid": 7.0, "bid": 1.1',
                                                           1), True),
    "truncated": (json.dumps(_desk(_quotes()))[:-40], False),
    "escaped_key": (json.dumps(_desk(_quotes())).replace('"bid"', '"\\u0062id"'), True),
}


BUILT = {"huge_later_quote", "cboe_as_is", "cboe_all_null_text", "cboe_words", "cboe_am_root",
         "cboe_caret_ticker", "cboe_int_strike", "cboe_yyyymmdd_expiry", "cboe_unsorted",
         "cboe_date_stamp", "as_is", "int_prices", "all_int_column", "null_bid", "null_side",
         "numeric_text_vendor", "percent_iv_text", "negative_zero", "reordered_later_quote",
         "reordered_first_quote", "brace_in_later_text", "greeks_not_a_dict",
         "top_scalar_in_quotes", "extra_top_numbers", "int_underlying_price",
         "null_underlying_price", "duplicate_key", "escaped_key"}
"""Cases the options-desk builder builds whole (the others: the general path's rules)."""


@pytest.mark.parametrize("case", sorted(EDITS), ids=str)
def test_edited_json_same_both_ways(tmp_path, case):
    doc, read = EDITS[case]
    path = tmp_path / "chain.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    columns = read_vendor_json(path, path.name, None)
    assert (columns is not None) == read
    built = columns is not None and build_chain(columns, path.name, 0.5) is not None
    assert built == (case in BUILT)
    assert_same_both_ways(FLAG, path)


@pytest.mark.parametrize("kwargs", [
    {"format": "options_desk_json"}, {"format": "cboe_snapshot_json"}, {"format": "canonical"},
    {"underlying": "XYZ"}, {"underlying_price": 300.0}, {"quote_time": "2026-07-14 12:00"},
    {"columns": {"bid": "ask", "ask": "bid"}}, {"wide_threshold": 0.01},
], ids=lambda k: "-".join(k))
def test_load_arguments_same_both_ways(tmp_path, kwargs):
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(_desk(_quotes())))
    assert_same_both_ways(FLAG, path, **kwargs)


def test_gzip_and_other_names(tmp_path):
    import gzip
    text = json.dumps(_desk(_quotes())).encode()
    gz = tmp_path / "chain.json.gz"
    gz.write_bytes(gzip.compress(text))
    assert read_vendor_json(gz, gz.name, None) is not None
    assert_same_both_ways(FLAG, gz)
    other = tmp_path / "chain.txt"  # JSON under another name: the general path only
    other.write_bytes(text)
    assert read_vendor_json(other, other.name, None) is None
    assert_same_both_ways(FLAG, other)


NUMBERS = st.one_of(st.none(), st.integers(0, 10 ** 6),
                    st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
                    st.sampled_from([0.0, -0.0, 1e-300, 2 ** 62, 1e18, -0.5]))
TEXTS = st.one_of(st.none(), st.sampled_from(
    ["cboe", "", " x ", "1.5", "True", "n/a", "18%", "caf\u00e9", "a}b", "{"]))
CONTRACTS = st.tuples(st.sampled_from([0.5, 290.0, 295.0, 300.5, 99999.0]),
                      st.sampled_from(["call", "put"]))


@st.composite
def _quote_lists(draw):
    contracts = draw(st.lists(CONTRACTS, min_size=1, max_size=6,
                              unique=not draw(st.integers(0, 4)) == 0))
    quotes = []
    for strike, right in contracts:
        quote = _desk_quote(strike, right)
        for key in ("bid", "ask", "mid", "last", "volume", "openInterest", "iv", "delta"):
            quote[key] = draw(NUMBERS)
        quote["greeksSource"] = draw(TEXTS)
        quote["greeksMissingReason"] = draw(TEXTS)
        quote["side"] = draw(st.sampled_from([right, right, right.upper(), "C", "P", None]))
        if draw(st.integers(0, 9)) == 0:
            quote = dict(reversed(list(quote.items())))
        quotes.append(quote)
    return quotes


@settings(max_examples=40, deadline=None)
@given(quotes=_quote_lists(), updated=st.sampled_from(
    ["2026-07-14T15:55:45.890379-04:00", "2026-07-11T12:00:00Z", "2026-07-14"]))
def test_generated_json_same_both_ways(tmp_path_factory, quotes, updated):
    path = tmp_path_factory.mktemp("json") / "chain.json"
    path.write_text(json.dumps(_desk(quotes, updated=updated)))
    # a "}" in the first quote's text hides where that quote ends: the general path reads it
    read = not any("}" in v for v in quotes[0].values() if isinstance(v, str))
    columns = read_vendor_json(path, path.name, None)
    assert (columns is not None) == read
    built = columns is not None and build_chain(columns, "x", 0.5) is not None
    event(f"built whole: {built}")
    assert_same_both_ways(FLAG, path)


@st.composite
def _cboe_lists(draw):
    contracts = draw(st.lists(st.tuples(
        st.sampled_from(["2026-07-22", "2026-08-21", "20260918", "2026-07-22T00:00:00"]),
        st.sampled_from([180.0, 252.5, 300, 0.5]), st.sampled_from(["C", "P", "call", "Put"])),
        min_size=1, max_size=6, unique=not draw(st.integers(0, 4)) == 0))
    options = []
    for exp, strike, right in contracts:
        option = {"type": right, "exp": exp, "dte": 2, "strike": strike}
        for key in ("bid", "ask", "oi", "volume", "iv", "delta"):
            option[key] = draw(NUMBERS)
        option["last_trade_time"] = draw(TEXTS)
        options.append(option)
    return options


@settings(max_examples=40, deadline=None)
@given(options=_cboe_lists(), ticker=st.sampled_from(["AMZN", "SPX", "^rut", "ABCDEFG"]),
       stamp=st.sampled_from(["2026-07-20 16:51:19", "2026-07-18 12:00:00", "2026-07-20"]))
def test_generated_cboe_json_same_both_ways(tmp_path_factory, options, ticker, stamp):
    path = tmp_path_factory.mktemp("json") / "chain.json"
    path.write_text(json.dumps(_cboe(options, ticker=ticker, feed_timestamp=stamp)))
    read = not any("}" in v for v in options[0].values() if isinstance(v, str))
    columns = read_vendor_json(path, path.name, None)
    assert (columns is not None) == read
    built = columns is not None and build_chain(columns, "x", 0.5) is not None
    event(f"built whole: {built}")
    assert_same_both_ways(FLAG, path)


# --- 6. vendor columns: the all-missing test looks at the first cell first ----------

from volscreen.loaders._vendor import normalise_vendor  # noqa: E402

CELLS = st.sampled_from([None, np.nan, pd.NA, "x", "1.5", 2.0, "True", (1, 2)])


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(CELLS, max_size=5))
def test_vendor_column_all_missing_iff_every_cell_is(cells):
    series = pd.Series(cells, dtype=object)
    out = normalise_vendor(series, "vendor_x")
    every = all(c is None or c is pd.NA or (isinstance(c, float) and c != c) for c in cells)
    if every:  # a float column of NaN, as from CSV
        assert out.dtype == np.float64 and bool(out.isna().all()) and len(out) == len(cells)
    else:  # a present cell stays present
        assert not out.isna().all()


def test_without_msgspec_the_general_path_reads(tmp_path, monkeypatch):
    import sys

    from volscreen.loaders import _json_fast, load_chain
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(_desk(_quotes())))
    want = load_chain(path)
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec fails
    monkeypatch.setattr(_json_fast, "_DECODERS", {})
    monkeypatch.setattr(_io, "_FAST_DECODE", _io._UNSET)
    assert read_vendor_json(path, path.name, None) is None
    got = load_chain(path)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs
