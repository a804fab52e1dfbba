"""Vendor JSON chains read straight into columns: a checked shortcut of the general path.

The general path decodes a JSON chain into Python dicts, flattens them into
a table (:func:`~volscreen.loaders.formats.flatten_json`, then
``DataFrame.from_records``) and maps that table's columns
(:func:`~volscreen.loaders.formats.spec_columns`).  For the vendor layouts
whose quotes are flat objects of known fields (options-desk
``{symbol, updated, underlyingPrice, quotes: [...]}`` and Cboe snapshot
``{ticker, feed_timestamp, spot, options: [...]}``), :func:`read_vendor_json`
decodes the quotes with msgspec into typed records and gives the same
mapped columns from arrays.

Every check below either proves that the general path would build the same
columns or gives up (returns None) so that the general path decides:

* the document is a JSON object whose quotes list holds objects with only
  known fields, each a number/null or a text/null as the field requires;
* every quote holds the fields of the first quote (read from its own
  bytes: their order is the column order), no more, no fewer;
* no number is as large as 2**63 (an integer literal that wide is not a
  64-bit integer to the general decoder);
* the columns match a vendor format without a hook (formats detected as the
  general path would detect them).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _io
from .formats import FormatSpec, QuoteClock, column_targets, vendor_spec

FORMATS = frozenset({"options_desk_json", "cboe_snapshot_json"})
"""Formats this shortcut reads (flat quote objects, no hook)."""
NUMBER_FIELDS = ("strike", "bid", "ask", "mid", "last", "volume", "openInterest", "oi", "iv",
                 "delta", "gamma", "theta", "vega", "rho", "dte")
"""Quote fields read as numbers (or null)."""
TEXT_FIELDS = ("symbol", "expiration", "side", "type", "exp", "greeksSource",
               "greeksMissingReason", "last_trade_time")
"""Quote fields read as text (or null)."""
SUFFIXES = (".json", ".json.gz")
"""File names tried (others go to the general path without a second read)."""
FIRST_QUOTE_BYTES = 1 << 16
"""Bytes of the quote list searched for the first quote's end (its key order)."""
_WIDE_NUMBER = 2.0 ** 63
_OBJECT_START = re.compile(rb"[ \t\r\n]*\{")

_DECODERS: dict[object, Any] = {}
"""msgspec decoders: the generic ones, and one per quote layout (tuple of field names)."""
_MAX_LAYOUTS = 64


def _decoders() -> dict[object, Any] | None:
    """The generic msgspec decoders (built once); None without msgspec."""
    if not _DECODERS:
        try:
            import msgspec
        except ImportError:
            return None
        _DECODERS.update(top=msgspec.json.Decoder(dict[str, msgspec.Raw]),
                         any=msgspec.json.Decoder(), astuple=msgspec.structs.astuple)
    return _DECODERS


def _quotes_decoder(fields: tuple[str, ...]) -> Any:
    """A decoder of a list of quotes holding exactly ``fields`` (None: a field is unknown)."""
    decoder = _DECODERS.get(fields)
    if decoder is None:
        import msgspec
        if not set(fields) <= _KNOWN:
            return None
        if len(_DECODERS) > _MAX_LAYOUTS:
            _DECODERS.clear()
            _decoders()
        types = [(f, float | None if f in _NUMBERS else str | None) for f in fields]
        quote = msgspec.defstruct("Quote", types, forbid_unknown_fields=True)
        decoder = _DECODERS[fields] = msgspec.json.Decoder(list[quote])  # type: ignore[valid-type]
    return decoder


_NUMBERS = frozenset(NUMBER_FIELDS)
_KNOWN = _NUMBERS | frozenset(TEXT_FIELDS)


@dataclass(frozen=True)
class VendorColumns:
    """A vendor JSON chain's columns as the general path would map them.

    ``arrays`` holds the quote fields (float64 with NaN for null, or object
    text with None), ``scalars`` the document's values broadcast to every
    row (as :func:`~volscreen.loaders.formats.flatten_json` keeps them), and
    ``targets`` maps each canonical or ``vendor_*`` name to the raw name it
    takes, in the general path's column order.
    """

    spec: FormatSpec
    rows: int
    arrays: dict[str, np.ndarray]
    scalars: dict[str, Any]
    targets: dict[str, str]

    @property
    def clock(self) -> QuoteClock:
        """How the quote-time values read (the spec's rule)."""
        return self.spec.clock

    def series(self) -> dict[str, pd.Series]:
        """The general path's ``spec_columns`` mapping: name -> Series on a RangeIndex.

        Text fields stay object Series (the general path turns them into the
        same chain); scalars are broadcast by one DataFrame, as
        ``flatten_json`` broadcasts them.
        """
        index = pd.RangeIndex(self.rows)
        extra = pd.DataFrame(self.scalars, index=index)
        out = {}
        for target, raw in self.targets.items():
            values = self.arrays.get(raw)
            out[target] = extra[raw] if values is None else \
                pd.Series(values, index=index, dtype=values.dtype, copy=False)
        return out


def read_vendor_json(path: str | os.PathLike[str], name: str, forced: str | None
                     ) -> VendorColumns | None:
    """A vendor JSON chain's columns, or None where the general path must decide.

    Parameters
    ----------
    path
        The chain file (plain or gzip); only names ending ``.json`` or
        ``.json.gz`` are read here.
    name
        File name for messages.
    forced
        ``format=`` as given (None: detected).

    Returns
    -------
    VendorColumns or None
        What ``detect`` and ``spec_columns`` find in the general path's
        flattened table, or None.
    """
    if not str(path).lower().endswith(SUFFIXES):
        return None
    dec = _decoders()
    if dec is None:
        return None
    raw = _io.read_bytes(path)  # its errors are the general path's errors
    if not _OBJECT_START.match(raw):
        return None
    try:
        top = dec["top"].decode(raw)
        if "data" in top:  # Cboe delayed quotes (or an unknown layout): general path
            return None
        key = next((k for k in ("quotes", "options")
                    if k in top and memoryview(top[k])[:1] == b"["), None)
        if key is None:
            return None
        scalars = {k: dec["any"].decode(v) for k, v in top.items() if k != key}
        listed = top[key]  # a view of the document's bytes: decoded, not copied
        first = dec["any"].decode(_first_object(listed))
        fields = tuple(first) if isinstance(first, dict) else ()
        decoder = _quotes_decoder(fields) if fields else None
        if decoder is None:
            return None
        rows = decoder.decode(listed)  # every quote holds exactly these fields
        if not rows:
            return None
    except Exception:  # msgspec.DecodeError/ValidationError: not this layout as written
        return None
    if "symbol" in scalars:  # as flatten_json: the chain symbol
        scalars["_underlying"] = scalars.pop("symbol")
    built = _quote_columns(rows, fields, dec)
    if built is None:
        return None
    broadcast = {k: v for k, v in scalars.items()
                 if not isinstance(v, (dict, list)) and k not in built}
    broadcast["_json"] = True
    if "_clock" in broadcast:
        return None
    names: list[str] = [*built, *broadcast]
    spec = vendor_spec(set(names))
    if spec is None or spec.name not in FORMATS or spec.hook is not None or \
            (forced is not None and forced != spec.name):
        return None
    return VendorColumns(spec, len(rows), built, broadcast, {
        target: names[pos] for target, pos in column_targets(names, spec).items()})


def _first_object(listed: Any) -> bytes:
    """The bytes of the first quote object of a JSON list of flat objects.

    Quotes hold no nested objects (their fields are numbers, text or null),
    so the first ``}`` closes the first quote unless it sits inside a text
    value; then the cut text is unterminated and decoding it fails.  The
    first quote is looked for in the list's first :data:`FIRST_QUOTE_BYTES`
    (ValueError beyond them).
    """
    head = memoryview(listed)[:FIRST_QUOTE_BYTES].tobytes()
    start = head.index(b"{")
    return head[start:head.index(b"}", start) + 1]


def _quote_columns(rows: list[Any], fields: tuple[str, ...], dec: dict[object, Any]
                   ) -> dict[str, np.ndarray] | None:
    """Field name -> values (float64 with NaN for null, or object text with None).

    None when a number is as wide as 2**63.
    """
    out: dict[str, np.ndarray] = {}
    for field, values in zip(fields, zip(*map(dec["astuple"], rows))):
        if field in _NUMBERS:
            array = np.array(values, dtype=np.float64)  # None -> NaN
            with np.errstate(invalid="ignore"):  # NaN compares False
                if (np.abs(array) >= _WIDE_NUMBER).any():
                    return None
        else:
            array = np.array(values, dtype=object)
        out[field] = array
    return out
