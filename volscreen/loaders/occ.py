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

from typing import Literal

import numpy as np
import pandas as pd

from .. import columns as C
from .._typing import ArrayLike, ObjectArray
from ..errors import ChainSchemaError

OCC_TAIL = 15
"""Characters after the root: YYMMDD (6) + right (1) + strike (8)."""
OCC_STRIKE_SCALE = 1000
OCC_MAX_ROOT = 6
OCC_MAX_STRIKE = 99_999.999
_OCC_RE = r"[A-Z0-9.]{1,6}\d{6}[CP]\d{8}"


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
    raw = _series(symbols)
    text = raw.astype("string").str.replace(" ", "", regex=False).str.upper()
    valid = text.str.fullmatch(_OCC_RE).fillna(False).to_numpy(dtype=bool)
    if not valid.all() and errors == "raise":
        bad = int(np.flatnonzero(~valid)[0])
        raise ChainSchemaError(
            f"not an OCC option symbol: {raw.iloc[bad]!r} "
            f"({int((~valid).sum())} malformed)", row=bad, column=C.CONTRACT_SYMBOL,
        )
    good = text.where(valid, "X000101C00000000")
    root = good.str.slice(0, -OCC_TAIL)
    ymd = "20" + good.str.slice(-OCC_TAIL, -9)
    expiry = pd.to_datetime(ymd, format="%Y%m%d", errors="coerce")
    right = good.str.slice(-9, -8)
    strike = good.str.slice(-8).astype("int64").to_numpy() / OCC_STRIKE_SCALE
    bad_date = expiry.isna().to_numpy() & valid
    if bad_date.any() and errors == "raise":
        pos = int(np.flatnonzero(bad_date)[0])
        raise ChainSchemaError(f"invalid expiry date in OCC symbol {raw.iloc[pos]!r}",
                               row=pos, column=C.CONTRACT_SYMBOL)
    ok = valid & ~bad_date
    out = pd.DataFrame({
        C.ROOT: root.astype(object).where(ok, None),
        C.EXPIRY: pd.DatetimeIndex(expiry).as_unit("ns").where(ok),
        C.RIGHT: right.astype(object).where(ok, None),
        C.STRIKE: np.where(ok, strike, np.nan),
    })
    return out


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
    roots_s = pd.Series(roots.ravel(), dtype="string").str.strip().str.upper()
    if (roots_s.str.len() > OCC_MAX_ROOT).any() or roots_s.isna().any():
        bad = int(np.flatnonzero((roots_s.str.len() > OCC_MAX_ROOT).fillna(True))[0])
        raise ChainSchemaError(f"option root {roots.ravel()[bad]!r} is not 1-6 characters",
                               row=bad, column=C.ROOT)
    rights_s = pd.Series(rights.ravel(), dtype="string").str.strip().str.upper().str[:1]
    if not rights_s.isin([C.CALL, C.PUT]).fillna(False).all():
        bad = int(np.flatnonzero(~rights_s.isin([C.CALL, C.PUT]).fillna(False))[0])
        raise ChainSchemaError(f"right {rights.ravel()[bad]!r} is not call/put",
                               row=bad, column=C.RIGHT)
    ints = np.rint(np.nan_to_num(strikes.ravel() * OCC_STRIKE_SCALE, nan=-1.0))
    bad_strike = ~occ_strike_ok(strikes.ravel())
    if bad_strike.any():
        bad = int(np.flatnonzero(bad_strike)[0])
        raise ChainSchemaError(f"strike {strikes.ravel()[bad]!r} cannot be written in an "
                               "OCC symbol", row=bad, column=C.STRIKE)
    # format each distinct expiry once (a chain has tens of expiries, thousands of rows)
    codes, uniques = pd.factorize(pd.Series(days.ravel()))
    texts = np.asarray(pd.DatetimeIndex(pd.to_datetime(pd.Series(uniques), format="mixed"))
                       .strftime("%y%m%d"), dtype=object)
    ymd = np.where(codes < 0, None, texts[np.maximum(codes, 0)] if len(texts) else None)
    strike_txt = pd.Series(ints.astype(np.int64)).astype("string").str.zfill(8)
    out = roots_s + pd.Series(ymd, dtype="string") + rights_s + strike_txt
    return out.to_numpy(dtype=object).reshape(shape)
