"""Indented JSON text, byte for byte ``json.dumps(obj, indent=2, allow_nan=False)``.

With ``indent`` set, the standard library encodes in Python, one call per
value: a 1,000-chain screen's candidates (36,000 rows of 95 cells) take
about ten seconds.  Without ``indent`` it uses its C encoder.  An export's
tables are lists of flat records (dicts of numbers, text, booleans and
None), so :func:`dumps` walks the containers in Python and hands each flat
dict or list to the C encoder whole, with the item separator carrying the
newline and indentation that the indented layout puts between items: the
same text, from one C call per record.
"""
from __future__ import annotations

import json
from typing import Any

from ._jsonrecords import Records

_CONTAINERS = (dict, list, tuple)
_NESTED = (*_CONTAINERS, Records)


def dumps(obj: Any, indent: int = 2) -> str:
    """``json.dumps(obj, indent=indent, allow_nan=False)``, the same text, faster.

    Parameters
    ----------
    obj
        Any value ``json.dumps`` takes without a ``default``: dicts (keys
        str, int, float, bool or None), lists, tuples, str, int, float,
        bool, None; and :class:`volscreen._jsonrecords.Records` standing for
        ``records(frame)`` (written as that list would be).
    indent
        Spaces per nesting level.

    Raises
    ------
    ValueError
        A NaN or infinite float (as ``allow_nan=False`` does).
    TypeError
        A value or key JSON cannot encode.
    """
    return _encode(obj, 0, " " * indent, {})


def _encode(obj: Any, level: int, step: str, encoders: dict[int, json.JSONEncoder]) -> str:
    if isinstance(obj, Records):  # a table's records, formatted by column when possible
        text = obj.text(level, step)
        if text is not None:
            return text
        from .result import records

        obj = records(obj.frame)
    if not isinstance(obj, _CONTAINERS):
        return _encoder(-1, step, encoders).encode(obj)
    if not obj:
        return "{}" if isinstance(obj, dict) else "[]"
    inner = "\n" + step * (level + 1)
    close = "\n" + step * level
    values = obj.values() if isinstance(obj, dict) else obj
    if not any(isinstance(value, _NESTED) for value in values):
        text = _encoder(level, step, encoders).encode(obj)  # "{a,<inner>b}" or "[a,<inner>b]"
        return text[0] + inner + text[1:-1] + close + text[-1]
    if isinstance(obj, dict):
        items = [_key(key, step, encoders) + ": " + _encode(value, level + 1, step, encoders)
                 for key, value in obj.items()]
        return "{" + inner + ("," + inner).join(items) + close + "}"
    items = [_encode(value, level + 1, step, encoders) for value in obj]
    return "[" + inner + ("," + inner).join(items) + close + "]"


def _encoder(level: int, step: str, encoders: dict[int, json.JSONEncoder]) -> json.JSONEncoder:
    """The C-backed encoder whose item separator is the newline and indent of ``level + 1``."""
    encoder = encoders.get(level)
    if encoder is None:
        separator = "," if level < 0 else ",\n" + step * (level + 1)
        encoder = encoders[level] = json.JSONEncoder(allow_nan=False,
                                                     separators=(separator, ": "))
    return encoder


def _key(key: Any, step: str, encoders: dict[int, json.JSONEncoder]) -> str:
    """A dict key as ``json.dumps`` writes it (non-str keys turned into their JSON text)."""
    if not isinstance(key, str):
        if key is None or isinstance(key, (bool, int, float)):
            key = _encoder(-1, step, encoders).encode(key)
        else:
            raise TypeError(f"keys must be str, int, float, bool or None, not "
                            f"{type(key).__name__}")
    return json.encoder.encode_basestring_ascii(key)
