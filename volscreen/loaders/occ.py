"""OCC option symbols: parse and emit, vectorized.

An OCC (OSI) symbol is ``ROOT YYMMDD C|P SSSSSSSS``: the root (1-6
characters, e.g. ``IWM``, ``SPXW``), the expiry date, the right, and the
strike times 1000 as eight digits (``00020500`` is 20.5).  The 21-character
exchange form pads the root with spaces to six characters
(``"SPXW  190426C00800000"``); the compact form used by most vendors omits
the padding (``"SPXW190426C00800000"``).  Both are accepted; the compact form
is emitted.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from .. import columns as C
from .._typing import ArrayLike, ObjectArray
from ..errors import ChainSchemaError, shown

OCC_STRIKE_SCALE = 1000
OCC_MAX_ROOT = 6
OCC_MAX_STRIKE = 99_999.999
_OCC_HEAD = re.compile(r"[A-Z0-9.]{1,6}\d{6}[CP]")
"""Root, YYMMDD and right: all of a compact symbol but its eight strike digits."""
_OCC_DIGITS = re.compile(r"\d{8}")


def _series(values: object) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.atleast_1d(np.asarray(values, dtype=object)), dtype=object)


def parse_occ(
    symbols: ArrayLike | pd.Series,
    *,
    errors: Literal["raise", "coerce"] = "raise",
) -> pd.DataFrame:
    """Split OCC symbols into root, expiry, right and strike.

    Parameters
    ----------
    symbols
        OCC symbols, compact (``IWM260320C00265000``) or 21-character
        space-padded (``"SPXW  190426C00800000"``); case-insensitive.
    errors
        ``"raise"``: a malformed symbol raises :class:`ChainSchemaError`
        naming its position; ``"coerce"``: its row is all missing.

    Returns
    -------
    pandas.DataFrame
        Columns ``root`` (str), ``expiry`` (datetime64[ns], naive midnight),
        ``right`` (``"C"``/``"P"``), ``strike`` (float64), one row per symbol,
        RangeIndex.

    Notes
    -----
    Two-digit years are 2000-2099.  Strike = last eight digits / 1000.
    """
    return parse_occ_text(symbols, errors=errors)[0]


def parse_occ_text(
    symbols: ArrayLike | pd.Series,
    *,
    errors: Literal["raise", "coerce"] = "raise",
) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`parse_occ` and the symbols as read: compact, upper case (``string`` dtype).

    Where a parsed row's fields are kept unchanged, :func:`occ_symbol` of
    them gives back that text, so a loader need not rebuild it.
    """
    raw = _series(symbols)
    text = raw.astype("string").str.replace(" ", "", regex=False).str.upper()
    # a symbol is a head (root, YYMMDD, right) and eight strike digits; both repeat (a
    # chain has hundreds of each in thousands of symbols): check and parse each once.
    # Code -1 (a missing symbol) takes the last, invalid, entry of each table.
    head_codes, heads = pd.factorize(text.str.slice(0, -8))
    tail_codes, tails = pd.factorize(text.str.slice(-8))
    head_list = list(heads)
    head_ok = np.array([_OCC_HEAD.fullmatch(h) is not None for h in head_list] + [False])
    strikes = np.array([int(t) / OCC_STRIKE_SCALE if _OCC_DIGITS.fullmatch(t) else np.nan
                        for t in tails] + [np.nan])
    valid = head_ok[head_codes] & ~np.isnan(strikes[tail_codes])
    if not valid.all() and errors == "raise":
        bad = int(np.flatnonzero(~valid)[0])
        raise ChainSchemaError(
            f"not an OCC option symbol: {shown(raw.iloc[bad])} "
            f"({int((~valid).sum())} malformed)", row=bad, column=C.CONTRACT_SYMBOL,
        )
    head_list.append("X000101C")
    roots = np.array([h[:-7] for h in head_list], dtype=object)[head_codes]
    expiry = _yymmdd_days([h[-7:-1] for h in head_list])[head_codes]
    right = np.array([h[-1:] for h in head_list], dtype=object)[head_codes]
    strike = strikes[tail_codes]
    bad_date = np.isnat(expiry) & valid
    if bad_date.any() and errors == "raise":
        pos = int(np.flatnonzero(bad_date)[0])
        raise ChainSchemaError(f"invalid expiry date in OCC symbol {shown(raw.iloc[pos])}",
                               row=pos, column=C.CONTRACT_SYMBOL)
    ok = valid & ~bad_date
    if not ok.all():
        roots[~ok] = None
        expiry[~ok] = np.datetime64("NaT")
        right[~ok] = None
        strike[~ok] = np.nan
    return pd.DataFrame({C.ROOT: pd.Series(roots, dtype=object), C.EXPIRY: expiry,
                         C.RIGHT: pd.Series(right, dtype=object), C.STRIKE: strike}), text


def _yymmdd_days(texts: list[str]) -> np.ndarray:
    """``YYMMDD`` texts (years 2000-2099) as datetime64[ns] midnights; NaT if not a date.

    NumPy's ISO date parser checks the month and the day of the month (leap
    years included) as ``pd.to_datetime(..., format="%Y%m%d")`` does, without
    its first-call cost.
    """
    iso = [f"20{t[:2]}-{t[2:4]}-{t[4:]}" for t in texts]
    try:
        days = np.array(iso, dtype="datetime64[D]")
    except ValueError:  # at least one is not a date: find which, one by one
        days = np.array([_iso_day(t) for t in iso], dtype="datetime64[D]")
    return days.astype("datetime64[ns]")


def _iso_day(text: str) -> np.datetime64:
    try:
        return np.datetime64(text, "D")
    except ValueError:
        return np.datetime64("NaT", "D")


def occ_strike_ok(strike: ArrayLike | float) -> np.ndarray:
    """True where a strike can be written in an OCC symbol.

    That is a finite strike in (0, 99999.999] that is a whole number of
    thousandths (within a relative 1e-6 of float noise).
    """
    scaled = np.asarray(strike, dtype=np.float64) * OCC_STRIKE_SCALE
    ints = np.rint(np.nan_to_num(scaled, nan=-1.0, posinf=-1.0, neginf=-1.0))
    return ((ints > 0) & (ints <= OCC_MAX_STRIKE * OCC_STRIKE_SCALE)
            & (np.abs(scaled - ints) < 1e-6 * np.maximum(1.0, np.abs(ints))))


def occ_symbol(
    root: ArrayLike | str,
    expiry: ArrayLike | str,
    right: ArrayLike | str,
    strike: ArrayLike | float,
) -> ObjectArray:
    """Build compact OCC symbols (``IWM260320C00265000``).

    Parameters
    ----------
    root
        Option roots (1-6 characters), scalar or array.
    expiry
        Expiry dates (anything :func:`pandas.to_datetime` reads).
    right
        ``"C"``/``"P"`` (``"call"``/``"put"`` accepted, any case).
    strike
        Strikes in currency units; must be a multiple of 0.001 within
        (0, 99999.999].

    Returns
    -------
    numpy.ndarray of str
        One symbol per broadcast element.

    Raises
    ------
    ChainSchemaError
        A root longer than six characters, a right other than call/put, or a
        strike that cannot be written in eight digits of thousandths.
    """
    roots, days, rights, strikes = np.broadcast_arrays(
        np.asarray(root, dtype=object), np.asarray(expiry, dtype=object),
        np.asarray(right, dtype=object), np.asarray(strike, dtype=np.float64),
    )
    shape = roots.shape
    # roots, expiries and rights repeat: check and format each distinct value once
    root_codes, root_text = _distinct_text(roots.ravel(), lambda t: t)
    bad_root = _first_bad(root_codes, [t is None or len(t) > OCC_MAX_ROOT for t in root_text])
    if bad_root is not None:
        raise ChainSchemaError(f"option root {shown(roots.ravel()[bad_root])} "
                               "is not 1-6 characters",
                               row=bad_root, column=C.ROOT)
    right_codes, right_text = _distinct_text(rights.ravel(), lambda t: t[:1])
    bad_right = _first_bad(right_codes, [t not in (C.CALL, C.PUT) for t in right_text])
    if bad_right is not None:
        raise ChainSchemaError(f"right {shown(rights.ravel()[bad_right])} is not call/put",
                               row=bad_right, column=C.RIGHT)
    ints = np.rint(np.nan_to_num(strikes.ravel() * OCC_STRIKE_SCALE, nan=-1.0))
    bad_strike = ~occ_strike_ok(strikes.ravel())
    if bad_strike.any():
        bad = int(np.flatnonzero(bad_strike)[0])
        raise ChainSchemaError(f"strike {shown(strikes.ravel()[bad])} cannot be written in an "
                               "OCC symbol", row=bad, column=C.STRIKE)
    if roots.size == 0:
        return np.empty(shape, dtype=object)
    codes, uniques = pd.factorize(pd.Series(days.ravel()))
    ymd = list(pd.DatetimeIndex(pd.to_datetime(pd.Series(uniques), format="mixed"))
               .strftime("%y%m%d")) if len(uniques) else []
    ymd.append("")  # code -1: a missing expiry (its symbol is set to NA below)
    # fixed-width NumPy text: indexing and concatenation run in C, row by row
    head = np.strings.add(
        np.strings.add(np.array([t or "" for t in root_text], dtype=str)[root_codes],
                       np.array(ymd, dtype=str)[codes]),
        np.array([t or "" for t in right_text], dtype=str)[right_codes])
    digits = np.strings.zfill(ints.astype(np.int64).astype(str), 8)
    out = np.strings.add(head, digits).astype(object)
    out[codes < 0] = pd.NA
    return out.reshape(shape)


def _distinct_text(values: np.ndarray, cut: Callable[[str], str]
                   ) -> tuple[np.ndarray, list[str | None]]:
    """Codes into the distinct values, each as stripped upper-case text (None if missing).

    Code -1 (a missing value) maps to the last entry, None.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    text = pd.Series(uniques, dtype="string").str.strip().str.upper()
    out: list[str | None] = [None if t is pd.NA else cut(t) for t in text.tolist()]
    out.append(None)
    return codes, out


def _first_bad(codes: np.ndarray, bad_distinct: list[bool]) -> int | None:
    """Row of the first value whose distinct entry is bad (missing values are bad)."""
    bad = np.asarray(bad_distinct + [True], dtype=bool)[codes]
    return int(np.flatnonzero(bad)[0]) if bad.any() else None
