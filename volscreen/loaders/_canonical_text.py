"""Text columns of the canonical shortcuts read through their Arrow buffers (private).

Shared by :mod:`volscreen.loaders.canonical_csv` and
:mod:`volscreen.loaders.canonical_parquet`: the distinct values and codes of a
text column, and the check that every ``contract_symbol`` is the compact OCC
symbol of its row, without turning thousands of cells into Python strings.
Each helper returns None (or False) when its input is not of the kind it
handles, and the caller then takes the general route.
"""
from __future__ import annotations

from typing import Union

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from .._chainarrays import _arrow_bytes, one_text_value
from .occ import _OCC_HEAD, OCC_STRIKE_SCALE, _yymmdd_days

Column = Union[np.ndarray, ExtensionArray]
"""One column of a table as stored (a Series' ``.array`` or NumPy values)."""


def _arrow(values: Column) -> object | None:
    """The pyarrow array behind an Arrow-stored text column (no copy), else None."""
    dtype = values.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    import pyarrow as pa  # installed: pandas stores this column in it

    return pa.array(values)


def _no_missing(values: Column) -> bool:
    """True for a text column (its array) without missing cells."""
    arrow = _arrow(values)
    if arrow is None:
        return not pd.isna(values).any()
    return not arrow.null_count  # type: ignore[attr-defined]


def _text(values: Column, few: bool) -> tuple[np.ndarray, list[str]] | None:
    """Codes and distinct values of a text column (its array) without missing cells (else None).

    ``few``: the column usually holds one value (tested for first).
    """
    if not isinstance(values.dtype, pd.StringDtype):
        return None
    arrow = _arrow(values)
    if arrow is not None:  # the same, on the Arrow array: no pandas wrapping per call
        if few and one_text_value(values):  # one underlying, root or style: bytes compared
            return np.zeros(len(values), dtype=np.intp), [values[0]]
        return _arrow_text(arrow, len(values), few)
    if few:
        distinct = pd.unique(values)  # a missing cell shows as a missing distinct value
        if len(distinct) == 1:  # one underlying, root or style: no hashing into codes
            first = distinct[0]
            return (None if pd.isna(first) else
                    (np.zeros(len(values), dtype=np.intp), [first]))
    codes, uniques = pd.factorize(values)
    if len(codes) and codes.min() < 0:
        return None
    return codes, uniques.tolist()


def _arrow_text(arrow: object, n: int, few: bool) -> tuple[np.ndarray, list[str]] | None:
    """:func:`_text` of an Arrow string array (chunked or not)."""
    import pyarrow.compute as pc

    if arrow.null_count:  # type: ignore[attr-defined]
        return None
    if few:
        distinct = pc.unique(arrow)
        if len(distinct) == 1:
            return np.zeros(n, dtype=np.intp), distinct.to_pylist()
    if getattr(arrow, "num_chunks", 1) != 1:  # one dictionary for all rows
        arrow = arrow.combine_chunks()  # type: ignore[attr-defined]
    encoded = pc.dictionary_encode(arrow)
    if hasattr(encoded, "chunks"):
        encoded = encoded.chunk(0)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, encoded.dictionary.to_pylist()


DENSE_LIMIT = 1 << 22
"""Largest key range counted in a table (:func:`dense_codes`, :func:`repeated`)."""


def dense_codes(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values (ascending) of integer ``keys`` in ``[0, size)``.

    :func:`pandas.factorize` without hashing when the range is small (a
    table of ``size`` flags); the codes number the distinct values in
    ascending order, not in order of appearance.
    """
    if size > DENSE_LIMIT:
        codes, uniques = pd.factorize(keys)
        order = np.argsort(uniques)
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        return rank[codes], uniques[order]
    present = np.zeros(size, dtype=bool)
    present[keys] = True
    uniques = np.flatnonzero(present)
    lookup = np.zeros(size, dtype=np.intp)
    lookup[uniques] = np.arange(len(uniques))
    return lookup[keys], uniques


def repeated(keys: np.ndarray, size: int) -> bool:
    """True when some value of the integer ``keys`` (in ``[0, size)``) appears twice."""
    if size > DENSE_LIMIT:
        return len(pd.unique(keys)) < len(keys)
    return bool(len(keys)) and int(np.bincount(keys, minlength=1).max()) > 1


def _valid_occ(symbols: np.ndarray, group: np.ndarray, some_row: np.ndarray) -> bool:
    """True when every symbol is a compact upper-case OCC symbol with a real date.

    The rules of :func:`~volscreen.loaders.occ.parse_occ_text`, each distinct
    head (root, YYMMDD, right) checked once.  ``group``/``some_row``: row
    groups that usually share a head (the rows' own root, expiry and right)
    and a row of each, so that the distinct heads need no hashing of text.
    """
    tails = np.strings.slice(symbols, -8, None)
    # ASCII digits only: the parser also reads other decimal digits (its regex's \d)
    # but then keeps such a symbol as written, which the caller would not
    if not (np.strings.str_len(tails) == 8).all():
        return False
    points = tails.astype("U8").view(np.uint32)  # eight code points per symbol
    if not ((points >= ord("0")) & (points <= ord("9"))).all():
        return False
    heads = np.strings.slice(symbols, 0, -8)
    shown = heads[some_row]
    distinct = shown.tolist() if (heads == shown[group]).all() else pd.unique(
        heads.astype(object)).tolist()
    if not all(h.isascii() and _OCC_HEAD.fullmatch(h) for h in distinct):
        return False
    return not np.isnat(_yymmdd_days([h[-7:-1] for h in distinct])).any()


def _arrow_same(symbols: Column, heads: list[str], head_of: np.ndarray, digits: list[str],
                strike_of: np.ndarray) -> bool:
    """True when every symbol is its row's head and strike digits (Arrow-stored text only).

    The symbols' bytes are compared in place (the Arrow buffers as NumPy
    arrays, :func:`volscreen._chainarrays._arrow_bytes`), without turning
    them into Python or NumPy text.  False where that does not apply (text
    not Arrow-stored or in several chunks, heads of several lengths) or any
    symbol differs: the caller then compares the general way.
    """
    buffers = _arrow_bytes(symbols)
    width = len(heads[0]) if heads else 0
    if buffers is None or any(len(h) != width for h in heads):
        return False
    offsets, data = buffers
    width += len(digits[0])  # heads are ASCII (checked): characters are bytes
    n = len(offsets) - 1
    if not (np.diff(offsets) == width).all():
        return False
    data = data[offsets[0]:offsets[-1]].reshape(n, width)
    head_bytes = np.frombuffer("".join(heads).encode(), dtype=np.uint8).reshape(len(heads), -1)
    digit_bytes = np.frombuffer("".join(digits).encode(), dtype=np.uint8)
    digit_bytes = digit_bytes.reshape(len(digits), -1)
    cut = head_bytes.shape[1]
    return bool((data[:, :cut] == head_bytes[head_of]).all()
                and (data[:, cut:] == digit_bytes[strike_of]).all())


def _contract_symbols(symbols: Column, roots: list[str], root_code: np.ndarray,
                      days: np.ndarray, expiry_code: np.ndarray, right_code: np.ndarray,
                      strike: np.ndarray, chain_code: np.ndarray
                      ) -> tuple[np.ndarray | None, bool] | None:
    """The rows' compact OCC symbols and whether any differs from the file's.

    When none differs the symbols are not built (None, False): the file's are kept.

    Heads (root, YYMMDD, right) and strike digits are formatted once per
    distinct value.  None (use the general path) when a file symbol that
    differs is not a compact upper-case OCC symbol, or when a contract
    appears twice with one ``chain_code`` (underlying and quote time).
    """
    n_exp = len(days)
    head_of, head_keys = dense_codes((root_code * n_exp + expiry_code) * 2 + right_code,
                                     len(roots) * n_exp * 2)
    yymmdd = [str(d)[2:10].replace("-", "") for d in days.astype("datetime64[D]")]
    heads = [roots[k // (2 * n_exp)] + yymmdd[(k // 2) % n_exp] + "CP"[k % 2]
             for k in head_keys.tolist()]
    strike_of, strike_keys = pd.factorize(np.rint(strike * OCC_STRIKE_SCALE).astype(np.int64))
    digits = [f"{k:08d}" for k in strike_keys.tolist()]
    n_chains = int(chain_code.max()) + 1
    contract = (head_of.astype(np.int64) * len(strike_keys) + strike_of) * n_chains + chain_code
    if repeated(contract, len(head_keys) * len(strike_keys) * n_chains):
        return None  # a contract quoted twice: the general path dedupes or reports it
    if _arrow_same(symbols, heads, head_of, digits, strike_of):
        return None, False
    expected = np.strings.add(np.array(heads)[head_of], np.array(digits)[strike_of])
    given = symbols.to_numpy(dtype=object).astype(str)
    same = expected == given
    if same.all():
        return expected, False
    some_row = np.empty(len(heads), dtype=np.int64)
    some_row[head_of] = np.arange(len(head_of))  # a row of each head group (any one)
    if not _valid_occ(given, head_of, some_row):
        return None
    return expected, True
