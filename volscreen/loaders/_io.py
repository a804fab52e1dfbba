"""Reading raw files: text, gzip, JSON and Parquet sniffing, one error type each.

Everything here turns operating-system and parser failures into
:class:`~volscreen.errors.VolscreenError` subclasses that name the file, so
the loaders above never let a bare ``OSError`` or ``ParserError`` escape.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import warnings
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..errors import DataError, EmptyDataError, UnreadableFileError

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
UTF8_BOM = "\ufeff"
SNIFF_BYTES = 65_536
CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_NONBLANK = re.compile(r"\S")
"""A character that is not blank (re's Unicode \\s is str.isspace)."""
_JSON_START = re.compile(rb"[ \t\r\n]*[\[{]")
"""Bytes that open a JSON object or array (after JSON's own blanks)."""
_NONBLANK_ASCII = re.compile(rb"[^\t\n\x0b\x0c\r\x1c-\x1f ]")
"""An ASCII byte that is not blank (the ASCII characters str.isspace accepts)."""
_UNSET = object()
_FAST_DECODE: object = _UNSET
"""msgspec's decode function, None without msgspec, _UNSET before the first JSON file."""


def source_name(source: object) -> str:
    """Short name used in error messages: the file name, or ``<DataFrame>``."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return "<DataFrame>"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Whole file as bytes, gunzipped when it starts with the gzip magic."""
    name = source_name(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError("file not found", source=name) from None
    except IsADirectoryError:
        raise UnreadableFileError("is a directory, not a file", source=name) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file ({exc.strerror})", source=name) from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise UnreadableFileError(f"corrupt gzip file ({exc})", source=name) from None
    return raw


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 text without a BOM; binary content is an :class:`UnreadableFileError`."""
    if b"\x00" in raw[:SNIFF_BYTES]:
        raise UnreadableFileError(
            "binary content (NUL bytes), not a CSV, JSON or Parquet file", source=name
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:  # legacy vendor exports are sometimes Latin-1; binary garbage is not
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFileError(
                f"not UTF-8 text (byte {exc.start}); binary or corrupt file", source=name
            ) from None
        if sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096]) < 0.95 * min(
            len(text), 4096
        ):
            raise UnreadableFileError(
                f"not UTF-8 text (byte {exc.start}); binary or corrupt file", source=name
            ) from None
    return text[1:] if text.startswith(UTF8_BOM) else text


def first_nonblank(text: str, pos: int = 0) -> int:
    """Index of the first non-blank character at or after ``pos`` (-1 if none).

    Blank is ``str.isspace``, as for :meth:`str.strip`.
    """
    match = _NONBLANK.search(text, pos)
    return -1 if match is None else match.start()


def sniff_delimiter(header: str) -> str:
    """Most frequent candidate delimiter in the header line (comma by default)."""
    counts = {d: header.count(d) for d in CANDIDATE_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class AsciiText:
    """The text of an ASCII file, kept as the file's bytes (decoded only on demand).

    :func:`read_any` returns it for CSV files of ASCII bytes: the parser
    reads the bytes themselves, so the file is neither decoded to ``str``
    nor encoded back.  ``str(x)`` is the text.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def __str__(self) -> str:
        return self.raw.decode("ascii")


def first_nonblank_ascii(raw: bytes, pos: int = 0) -> int:
    """:func:`first_nonblank` of ASCII bytes (the same index as in their text)."""
    match = _NONBLANK_ASCII.search(raw, pos)
    return -1 if match is None else match.start()


def read_csv_text(text: str | AsciiText, name: str, **kwargs: Any) -> pd.DataFrame:
    """Parse CSV text (or an ASCII file's bytes); header names are stripped of blanks.

    Raises
    ------
    EmptyDataError
        No header or no data rows.
    DataError
        The parser rejects the file (ragged rows, unbalanced quotes, ...).
    """
    data = text.raw if isinstance(text, AsciiText) else text.encode("utf-8")
    # the header line, read without a copy of the whole text (strip would make one)
    if isinstance(text, AsciiText):
        start = first_nonblank_ascii(data)
        newline = data.find(b"\n", start) if start >= 0 else -1
        head = (data[start:] if newline < 0 else data[start:newline + 1]).decode("ascii")
        last = newline < 0 or first_nonblank_ascii(data, newline) < 0
    else:
        start = first_nonblank(text)
        newline = text.find("\n", start) if start >= 0 else -1
        head = text[start:] if newline < 0 else text[start:newline + 1]
        last = newline < 0 or first_nonblank(text, newline) < 0
    if start < 0:
        raise EmptyDataError("file is empty", source=name)
    header = head.splitlines()[0]
    if last:  # the last line: as if stripped
        header = header.rstrip()
    sep = sniff_delimiter(header)
    names = [n.strip().lstrip(UTF8_BOM) for n in next(csv.reader([header], delimiter=sep))]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:  # pandas would rename the second one "x.1" and the loaders keep the first
        raise DataError(f"duplicate column name(s) {dupes} in the header", source=name)
    try:
        with warnings.catch_warnings():
            # index_col=False: a trailing delimiter on every data row (but not on the
            # header) must not shift the columns by using the first one as an index.
            # More extra fields than that are reported by pandas as a ParserWarning
            # (it would drop them); make that an error instead.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            # UTF-8 bytes: the C parser reads them without the text-stream layer
            frame = pd.read_csv(io.BytesIO(data), sep=sep, low_memory=False,
                                index_col=False, **kwargs)
    except pd.errors.EmptyDataError:
        raise EmptyDataError("file is empty", source=name) from None
    except pd.errors.ParserWarning:
        raise DataError("malformed CSV (data rows have more fields than the header)",
                        source=name) from None
    except pd.errors.ParserError as exc:
        raise DataError(f"malformed CSV ({' '.join(str(exc).split())})", source=name) from None
    frame.columns = [str(c).strip().lstrip(UTF8_BOM) for c in frame.columns]
    if frame.empty:
        raise EmptyDataError("file has a header but no data rows", source=name)
    return frame


def _fast_json_decoder() -> Callable[[str], Any] | None:
    """msgspec's JSON decoder when msgspec is installed (about 4x faster), else None."""
    global _FAST_DECODE
    if _FAST_DECODE is _UNSET:
        try:
            import msgspec.json
        except ImportError:
            _FAST_DECODE = None
        else:
            _FAST_DECODE = msgspec.json.Decoder().decode
    return _FAST_DECODE  # type: ignore[return-value]


def parse_json_text(text: str, name: str, *, fast: bool = True) -> Any:
    """Decode JSON, naming the line/column of a syntax error (e.g. truncation).

    msgspec decodes when it is installed (and ``fast``); anything it rejects
    (a syntax error, ``NaN``/``Infinity`` literals, integers beyond 64 bits)
    goes to the standard library's :func:`json.loads`, which gives the same
    objects and the messages below.  ``fast=False``: msgspec already
    rejected these bytes, go straight to :func:`json.loads`.
    """
    decode = _fast_json_decoder() if fast else None
    if decode is not None:
        try:
            return decode(text)
        except Exception:  # msgspec.DecodeError (and ValueError): let json decide
            pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"malformed or truncated JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            source=name,
        ) from None


def read_parquet_bytes(raw: bytes, name: str) -> pd.DataFrame:
    """Parquet bytes to a DataFrame (needs pyarrow)."""
    try:
        return pd.read_parquet(io.BytesIO(raw))
    except ImportError:
        raise UnreadableFileError(
            "reading Parquet needs pyarrow (pip install 'volscreen[parquet]')", source=name
        ) from None
    except Exception as exc:  # pyarrow raises its own hierarchy (ArrowInvalid, OSError)
        raise UnreadableFileError(f"corrupt Parquet file ({exc})", source=name) from None


def read_any(path: str | os.PathLike[str]) -> tuple[str, Any]:
    """Read a file and say what it holds.

    Returns
    -------
    tuple
        ``("parquet", DataFrame)``, ``("json", decoded object)`` or
        ``("csv", text)``; the text of an ASCII file is an :class:`AsciiText`
        (its bytes), which :func:`read_csv_text` reads as they are.
    """
    name = source_name(path)
    raw = read_bytes(path)
    if raw[:4] == PARQUET_MAGIC:
        return "parquet", read_parquet_bytes(raw, name)
    decode = _fast_json_decoder() if _JSON_START.match(raw) else None
    if decode is not None:  # UTF-8 JSON without a BOM: msgspec reads the bytes as they are
        try:
            return "json", decode(raw)
        except Exception:  # not UTF-8, not valid JSON, ...: the text route below decides
            pass
    if raw.isascii() and b"\x00" not in raw[:SNIFF_BYTES]:  # text as decode_text gives it
        start = first_nonblank_ascii(raw)
        if start < 0:
            raise EmptyDataError("file is empty", source=name)
        if raw[start:start + 1] in (b"{", b"["):
            return "json", parse_json_text(raw.decode("ascii"), name, fast=decode is None)
        return "csv", AsciiText(raw)  # the parser reads these bytes: no str copy
    text = decode_text(raw, name)
    start = first_nonblank(text)
    if start < 0:
        raise EmptyDataError("file is empty", source=name)
    if text[start] in ("{", "["):
        return "json", parse_json_text(text, name, fast=decode is None)
    return "csv", text
