"""The fast chain loader against two references on every real chain file.

1. Golden digests (``tests/golden/chain_digests.json``) of what the earlier,
   row-by-row pandas implementation of :func:`load_chain` returned for each
   file in ../shared/data/chains (commit d1387aa): shape, column order,
   dtypes, ``attrs`` and a hash of every column, so a difference names the
   column.  Regenerate only for an intended change of output:
   ``python tests/test_loaders_fastpath.py --write``.
2. A naive per-record reference: the stdlib ``json`` module and a plain
   Python loop build the canonical fields of every quote of the JSON
   chains, independently of the vectorized code.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA, shared_files, shared_path
from volscreen import columns as C
from volscreen.loaders import _io, load_chain

GOLDEN = Path(__file__).resolve().parent / "golden" / "chain_digests.json"
EXTRA = {"spy_yf_2025-08-26_afterclose.csv": {"quote_time": "2025-08-26 16:00"}}
"""Files that need an argument (no quote time in the file)."""


def column_hash(series: pd.Series) -> str:
    """sha256 of the column's values (pandas' stable per-value hash, in row order)."""
    hashed = pd.util.hash_pandas_object(series, index=False).to_numpy(dtype=np.uint64)
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def chain_digest(chain: pd.DataFrame) -> dict[str, object]:
    return {
        "rows": len(chain),
        "columns": [str(c) for c in chain.columns],
        "dtypes": [str(t) for t in chain.dtypes],
        "attrs": chain.attrs,
        "hashes": {str(c): column_hash(chain[c]) for c in chain.columns},
    }


def _golden() -> dict[str, dict[str, object]]:
    return json.loads(GOLDEN.read_text())


def test_golden_covers_every_shared_chain_file():
    names = shared_files("chains")
    if names == ["<shared data absent>"]:
        pytest.skip(f"real market data not available: {SHARED_DATA} is absent")
    assert sorted(_golden()) == names


@pytest.mark.parametrize("name", shared_files("chains"), ids=str)
def test_chain_matches_previous_implementation(name):
    path = shared_path("chains", name)
    expected = _golden()[name]
    got = chain_digest(load_chain(path, **EXTRA.get(name, {})))
    assert got["rows"] == expected["rows"]
    assert got["columns"] == expected["columns"]
    assert got["dtypes"] == expected["dtypes"]
    assert got["attrs"] == expected["attrs"]
    changed = [c for c in expected["hashes"] if got["hashes"][c] != expected["hashes"][c]]
    assert changed == [], f"columns whose values differ: {changed}"


def test_digest_sees_a_one_value_change():
    chain = pd.DataFrame({C.BID: [1.0, 2.0], C.RIGHT: pd.Series(["C", "P"], dtype="str")})
    moved = chain.assign(**{C.BID: [1.0, 2.0000000001]})
    assert column_hash(chain[C.BID]) != column_hash(moved[C.BID])
    assert column_hash(chain[C.RIGHT]) == column_hash(chain[C.RIGHT].copy())


# --- naive per-record reference for the JSON chains ---------------------------------

def _number(value: object) -> float:
    return math.nan if value is None else float(value)


def _mid_spread(bid: float, ask: float) -> tuple[float, float]:
    if 0 <= bid <= ask and ask > 0:  # NaN compares False
        return (bid + ask) / 2, ask - bid
    return math.nan, math.nan


def _reference_rows(path: Path) -> dict[str, dict[str, object]]:
    """contract_symbol -> canonical fields, built record by record."""
    document = json.loads(_io.read_bytes(path).decode("utf-8"))
    out: dict[str, dict[str, object]] = {}
    if "quotes" in document:  # options-desk layout: OCC symbol, side, bid/ask, iv
        spot = document["underlyingPrice"]
        for rec in document["quotes"]:
            symbol = rec["symbol"].replace(" ", "").upper()
            root, ymd, strike_digits = symbol[:-15], symbol[-15:-9], symbol[-8:]
            right = "C" if rec["side"].lower() == "call" else "P"
            strike = int(strike_digits) / 1000
            expiry = f"20{ymd[:2]}-{ymd[2:4]}-{ymd[4:]}"
            out[f"{root}{ymd}{right}{strike_digits}"] = {
                "expiry": expiry, "strike": strike, "right": right, "root": root,
                "bid": _number(rec["bid"]), "ask": _number(rec["ask"]),
                "iv": _number(rec.get("iv")), "spot": float(spot)}
    else:  # Cboe snapshot layout: no symbol, ticker + exp + type + strike
        root = document["ticker"].upper()
        for rec in document["options"]:
            ymd = rec["exp"].replace("-", "")[2:]
            right = rec["type"].upper()[0]
            strike = float(rec["strike"])
            out[f"{root}{ymd}{right}{round(strike * 1000):08d}"] = {
                "expiry": rec["exp"], "strike": strike, "right": right, "root": root,
                "bid": _number(rec["bid"]), "ask": _number(rec["ask"]),
                "iv": _number(rec.get("iv")), "spot": float(document["spot"])}
    return out


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("name", shared_files("chains", "*.json*"), ids=str)
def test_json_chain_matches_a_per_record_loop(name):
    path = shared_path("chains", name)
    chain = load_chain(path)
    expected = _reference_rows(path)
    assert len(chain) == len(expected)
    assert set(chain[C.CONTRACT_SYMBOL]) == set(expected)
    mismatches = []
    for row in chain.itertuples(index=False):
        ref = expected[row.contract_symbol]
        mid, spread = _mid_spread(ref["bid"], ref["ask"])
        checks = {
            "expiry": row.expiry == pd.Timestamp(ref["expiry"]),
            "strike": row.strike == ref["strike"], "right": row.right == ref["right"],
            "root": row.root == ref["root"], "bid": _same(row.bid, ref["bid"]),
            "ask": _same(row.ask, ref["ask"]), "mid": _same(row.mid, mid),
            "spread": _same(row.spread, spread), "vendor_iv": _same(row.vendor_iv, ref["iv"]),
            "underlying_price": row.underlying_price == ref["spot"],
        }
        mismatches += [(row.contract_symbol, k) for k, ok in checks.items() if not ok]
    assert mismatches == []


# --- the optional msgspec JSON decoder and its stdlib fallback --------------------

@pytest.mark.parametrize("text", [
    '{"a": [1, 2.5, null, true, "x"]}', '{"a": NaN, "b": -Infinity}', "[1e400]",
    '{"big": 123456789012345678901234567890}', '{"a": 1, "a": 2}', '"\\u00e9"',
], ids=["plain", "nan_literals", "overflow", "big_int", "duplicate_key", "escape"])
def test_json_decoding_matches_the_standard_library(text):
    got, want = _io.parse_json_text(text, "x.json"), json.loads(text)
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    assert type(got) is type(want)


@pytest.mark.parametrize("name", shared_files("chains", "*.json*"), ids=str)
def test_chain_identical_without_msgspec(name, monkeypatch):
    path = shared_path("chains", name)
    fast = load_chain(path)
    monkeypatch.setattr(_io, "_FAST_DECODE", None)  # as on a machine without msgspec
    slow = load_chain(path)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast.attrs == slow.attrs


def test_truncated_json_message_is_the_standard_librarys():
    with pytest.raises(Exception) as exc:
        _io.parse_json_text('{"quotes": [{"a": 1}', "cut.json")
    assert "malformed or truncated JSON" in str(exc.value)
    assert "line 1 column" in str(exc.value)


def _outcome(func, *args):
    """func(*args) or, when it raises a VolscreenError, (class name, message)."""
    from volscreen.errors import VolscreenError
    try:
        return func(*args)
    except VolscreenError as exc:
        return type(exc).__name__, str(exc)


@settings(max_examples=150, deadline=None)
@given(body=st.text(alphabet=st.sampled_from(list("ab,1.\n\r\t \"{[\x00\x0b\x1cé\ufeff")),
                    max_size=40),
       header=st.sampled_from(["x,y\n", " x;y\r\n", "", "\n\n x , y ", "a|b\n"]))
def test_ascii_files_read_as_bytes_like_their_text(tmp_path_factory, body, header):
    """read_any + read_csv_text give what the decoded text gives, ASCII or not.

    An ASCII file reaches the parser as its own bytes (AsciiText); any other
    file as text.  The reference decodes every file with decode_text and
    reads the text, as the loader did before.
    """
    from volscreen.loaders import _io
    path = tmp_path_factory.mktemp("ascii") / "f.csv"
    raw = (header + body).encode("utf-8")
    path.write_bytes(raw)

    def reference():  # read_any as it was: always through the decoded text
        text = _io.decode_text(raw, "f.csv")
        start = _io.first_nonblank(text)
        if start < 0:
            raise _io.EmptyDataError("file is empty", source="f.csv")
        if text[start] in "{[":
            return "json", _io.parse_json_text(text, "f.csv")
        return "csv", text

    got, want = _outcome(_io.read_any, path), _outcome(reference)
    if got[0] == "json":
        assert want[0] == "json" and json.dumps(got[1]) == json.dumps(want[1])
        return
    if got[0] != "csv" or want[0] != "csv":
        assert got[0] in ("csv", "json") or got == want
        assert want[0] in ("csv", "json") or got == want
        return
    assert isinstance(got[1], _io.AsciiText) is raw.isascii()
    assert str(got[1]) == want[1]
    frame, expected = _outcome(_io.read_csv_text, got[1], "f.csv"), \
        _outcome(_io.read_csv_text, want[1], "f.csv")
    if isinstance(expected, tuple):
        assert frame == expected
    else:
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=20),
       pos=st.integers(0, 20))
def test_first_nonblank_ascii_is_the_texts(text, pos):
    """The bytes' first non-blank index is str.isspace's, for every ASCII character."""
    from volscreen.loaders import _io
    assert _io.first_nonblank_ascii(text.encode("ascii"), pos) == _io.first_nonblank(text, pos)


def _write_golden() -> None:
    digests = {}
    for path in sorted((SHARED_DATA / "chains").iterdir()):
        digests[path.name] = chain_digest(load_chain(path, **EXTRA.get(path.name, {})))
    GOLDEN.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write_golden()
