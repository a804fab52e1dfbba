"""Numbering a chain's option series and encoding its text columns (helpers of :mod:`forward`).

A chain's key columns (underlying, root, quote time, expiry, settlement)
are mostly constant: one underlying, one root, one quote time.  The helpers
here check that cheaply and number the series by the keys that vary, with
the numbering and the first rows of ``groupby(keys, sort=True, dropna=False)``.
"""
from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

_NAT_INT = np.iinfo(np.int64).min
"""NaT as int64 nanoseconds: it sorts first, where groupby puts missing keys last."""


def series_ids(columns: list[Any], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Series number of each row and the first row of each series.

    ``columns`` are the key columns (Series or arrays of length ``n``).
    Series are numbered in the order of ``groupby(keys, sort=True,
    dropna=False)`` (keys ascending, missing keys last); the first row is the
    series' first row in the chain's order.
    """
    gid, first, _ = series_ids_and_constants(columns, n)
    return gid, first


def series_ids_and_constants(columns: list[Any], n: int
                             ) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """:func:`series_ids` and, per key column, whether it is constant (one value, none missing)."""
    constant = [_constant(col) for col in columns]  # a constant key splits nothing
    if n == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), constant
    varying = [col for col, const in zip(columns, constant) if not const]
    if len(varying) == 1:  # the usual chain: only the expiry varies
        stamps = _stamps_without_nat(varying[0])
        if stamps is not None:  # numbered in time order; index: each value's first row
            _, first, gid = np.unique(stamps, return_index=True, return_inverse=True)
            return gid.astype(np.intp, copy=False), first, constant
    codes = [pd.factorize(col, sort=True, use_na_sentinel=False)[0] for col in varying]
    order = np.lexsort(codes[::-1]) if codes else np.arange(n)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for code in codes:
        sorted_code = code[order]
        change[1:] |= sorted_code[1:] != sorted_code[:-1]
    gid = np.empty(n, dtype=np.intp)
    gid[order] = np.cumsum(change) - 1
    # lexsort is stable: the first of a run is the earliest row
    return gid, order[change], constant


def _stamps_without_nat(col: Any) -> np.ndarray | None:
    """int64 nanoseconds of a datetime key without NaT (they sort as the times do), else None."""
    values = col.array if isinstance(col, (pd.Series, pd.Index)) else col
    if not isinstance(values, pd.arrays.DatetimeArray):
        return None
    stamps = np.asarray(cast(Any, values).asi8)
    return None if (stamps == _NAT_INT).any() else stamps


def factorize(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, use_na_sentinel=False)``, the uniques as an object array.

    An Arrow-backed text column without missing values is encoded by Arrow
    directly (what pandas does inside, without its wrapping): same codes,
    same uniques in order of appearance.
    """
    if isinstance(values, pd.arrays.ArrowStringArray):
        import pyarrow as pa

        arr = pa.chunked_array(pa.array(values))
        letters = _one_letter_codes(arr)
        if letters is not None:
            return letters
        if arr.null_count == 0:
            encoded = arr.dictionary_encode().combine_chunks()
            codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
            return codes, encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


_MAX_LETTERS = 8
"""Most distinct one-letter values :func:`_one_letter_codes` encodes (a chain's rights: 2)."""


def _one_letter_codes(arr: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and uniques (order of appearance) of one-chunk Arrow text whose values are
    single ASCII letters, as ``right`` usually is; None for anything else.

    The bytes are the letters: each distinct byte's first row orders the codes.
    """
    bytes_ = _text_bytes(arr)
    if bytes_ is None:
        return None
    offsets, data = bytes_
    n = offsets.size - 1
    if n == 0 or int(offsets[-1] - offsets[0]) != n:
        return None
    if not ((offsets[1:] - offsets[:-1]) == 1).all():
        return None
    letters = data[int(offsets[0]):int(offsets[-1])]
    present = np.flatnonzero(np.bincount(letters, minlength=128))
    if present.size > _MAX_LETTERS or present[-1] >= 128:
        return None
    first = np.array([np.argmax(letters == v) for v in present])
    order = present[np.argsort(first)]
    code_of = np.zeros(max(int(present[-1]) + 1, 1), dtype=np.intp)
    code_of[order] = np.arange(order.size)
    return code_of[letters], np.array([chr(v) for v in order], dtype=object)


def _text_bytes(arr: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, bytes) of a one-chunk Arrow text array without missing values, else None."""
    if arr.null_count or arr.num_chunks != 1:
        return None
    return text_buffers(arr.chunk(0))


def text_buffers(chunk: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, UTF-8 bytes) of one pyarrow string/large_string array, else None.

    Zero-copy NumPy views of the array's buffers (its slice offset applied):
    value i is ``data[offsets[i]:offsets[i + 1]]``; offsets keep Arrow's
    width (int32, or int64 for large_string).
    """
    import pyarrow as pa

    if pa.types.is_large_string(chunk.type):
        width: Any = np.int64
    elif pa.types.is_string(chunk.type):
        width = np.int32
    else:
        return None
    buffers = chunk.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None
            else np.zeros(0, dtype=np.uint8))
    return offsets, data


def _constant(col: Any) -> bool:
    """True when every value of ``col`` equals its first and none is missing (one comparison)."""
    values = col.array if isinstance(col, (pd.Series, pd.Index)) else col
    if len(values) == 0:
        return True
    if isinstance(values, pd.arrays.DatetimeArray):  # NaT is one int64 value: same grouping
        stamps = cast(Any, values).asi8  # int64 nanoseconds (NaT: one fixed value)
        return bool(np.all(stamps == stamps[0]))
    if isinstance(values, pd.arrays.ArrowStringArray):  # Arrow-backed strings: compare in Arrow
        import pyarrow as pa

        arr = pa.chunked_array(pa.array(values))
        same = _text_all_equal(arr)
        if same is not None:
            return same
        import pyarrow.compute as pc

        return pc.all(pc.equal(arr, arr[0]), skip_nulls=False).as_py() is True
    try:
        return bool(np.asarray(values == values[0], dtype=bool).all())
    except (TypeError, ValueError):  # missing values as NA, mixed types: group them properly
        return False


def _text_all_equal(arr: Any) -> bool | None:
    """Whether every string of a one-chunk Arrow text array is its first (None: cannot tell here).

    Reads Arrow's buffers (validity, offsets, bytes) with NumPy: all lengths
    equal and every string's bytes equal to the first string's.  A missing
    value makes it False, as comparing in Arrow does.
    """
    if arr.null_count:
        return False
    bytes_ = _text_bytes(arr)
    if bytes_ is None:
        return None
    offsets, data = bytes_
    n = offsets.size - 1
    length = int(offsets[1] - offsets[0])
    if not ((offsets[1:] - offsets[:-1]) == length).all():
        return False
    if length == 0 or n == 1:
        return True
    data = data[int(offsets[0]):int(offsets[-1])]
    # n strings of one length: all equal exactly when the bytes repeat with that period
    return bool((data[length:] == data[:-length]).all())
