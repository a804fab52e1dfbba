"""The priced chain's columns as arrays, read once for candidate selection.

:func:`chain_arrays` pulls every column the selection in :mod:`volscreen._legs`
needs out of a chain priced by :func:`volscreen.implied_vols`: one
``to_numpy`` per column, text columns compared as Arrow bytes or factorized
so only their few distinct values are looked at, quote dates converted once
per distinct instant.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from ._serieskeys import text_buffers
from .clock import EXCHANGE_TZ
from .errors import ChainSchemaError

DEFAULT_MULTIPLIER = 100.0

# quote statuses that make a leg impossible to buy at a known price
_UNUSABLE_QUOTES = frozenset({C.QS_CROSSED, C.QS_EXPIRED, C.QS_BAD_STRIKE, C.QS_NO_QUOTE,
                              C.QS_ZERO_ASK})
_NEEDED = (C.UNDERLYING, C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK, C.T,
           C.FORWARD, C.IV, C.DELTA)
_PRICED = (C.T, C.FORWARD, C.IV, C.DELTA)  # what implied_vols adds to the chain
_NS_PER_DAY = 86_400 * 10**9


def _col(chain: pd.DataFrame, name: str, default: float = np.nan) -> np.ndarray:
    if name in chain.columns:
        stored = _stored_float(chain, name)
        if stored is not None:
            return stored
        column = chain[name]
        if column.dtype.kind == "f":  # already float (numpy or nullable): no parsing needed
            return column.to_numpy(dtype=float, na_value=np.nan)
        return pd.to_numeric(column, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(chain), default)


def _stored_float(chain: pd.DataFrame, name: str) -> np.ndarray | None:
    """A float64 column's values as stored, read-only, without building a Series (else None).

    ``chain[name]`` builds a Series for each column read; the candidates
    read about twenty, so the stored array is taken straight from the frame
    when pandas exposes it (the same values ``to_numpy`` would return).
    """
    getter = getattr(chain, "_get_column_array", None)
    loc = chain.columns.get_loc(name)
    if getter is None or not isinstance(loc, int):
        return None
    values = getter(loc)
    if not (isinstance(values, np.ndarray) and values.dtype == np.float64 and values.ndim == 1
            and values.size == len(chain)):
        return None
    view = values.view()
    view.flags.writeable = False  # the caller's data: never written through
    return view


def _first_letters(column: pd.Series) -> np.ndarray:
    """Upper-case first letter of each value, looked at once per distinct value."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)  # few distinct spellings
    letters = np.array([str(u).upper()[:1] for u in uniques] + [""], dtype=object)
    return letters[codes]


def _arrow_bytes(column: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, UTF-8 bytes) of an arrow-backed string column without nulls, else None.

    ``column`` is a Series or its array.  Zero-copy views of the column's
    buffers: value i is ``data[offsets[i]:offsets[i + 1]]``.  The chain's
    text columns are short codes, so comparing bytes is far cheaper than
    hashing or boxing strings.
    """
    values = column.array if isinstance(column, pd.Series) else column
    if not isinstance(values, pd.arrays.ArrowStringArray):
        return None
    import pyarrow as pa  # already loaded by pandas for its arrow-backed strings

    arr = pa.array(values)
    buffers = None if isinstance(arr, pa.ChunkedArray) or arr.null_count else text_buffers(arr)
    return None if buffers is None else (buffers[0].astype(np.int64), buffers[1])


def _right_flags(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(is_put, is_call): the upper-cased first letter of each value is ``P`` / ``C``."""
    raw = _arrow_bytes(column)
    if raw is not None:
        offsets, data = raw
        present = offsets[1:] > offsets[:-1]
        first = data[np.minimum(offsets[:-1], data.size - 1)] if data.size else \
            np.zeros(present.size, dtype=np.uint8)
        first = np.where(present, first, 0)
        if not (first >= 0x80).any():  # ASCII first letters: upper-case by clearing 0x20
            upper = np.where((first >= ord("a")) & (first <= ord("z")), first - 0x20, first)
            return present & (upper == ord(C.PUT)), present & (upper == ord(C.CALL))
    letters = _first_letters(column)
    return letters == C.PUT, letters == C.CALL


def text_in(column: pd.Series, values: Any) -> np.ndarray:
    """Rows whose value is exactly one of the strings ``values`` (missing: False)."""
    raw = _arrow_bytes(column)
    if raw is None:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        wanted = {str(v) for v in values}
        return np.array([str(u) in wanted for u in uniques] + [False], dtype=bool)[codes]
    offsets, data = raw
    lengths = offsets[1:] - offsets[:-1]
    out = np.zeros(lengths.size, dtype=bool)
    for value in values:
        target = str(value).encode()
        same = lengths == len(target)
        if not target:
            out |= same
            continue
        if same.all() and data[offsets[0]:offsets[-1]].tobytes() == target * same.size:
            out[:] = True  # every row spells this value (one underlying, say): one memcmp
            continue
        rows = np.flatnonzero(same)
        if rows.size:  # short codes: one gather per character
            start = offsets[rows]
            match = data[start] == target[0]
            for j in range(1, len(target)):
                match &= data[start + j] == target[j]
            out[rows] |= match
    return out


def one_text_value(column: Any) -> bool:
    """True when an arrow-backed text column (Series or array) has rows, no nulls, one value."""
    raw = _arrow_bytes(column)
    if raw is None or raw[0].size < 2:
        return False
    offsets, data = raw
    width = int(offsets[1] - offsets[0])
    if not bool(((offsets[1:] - offsets[:-1]) == width).all()):
        return False
    first = data[offsets[0]:offsets[1]].tobytes()
    return data[offsets[0]:offsets[-1]].tobytes() == first * (offsets.size - 1)


def _factorize_text(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, object array of distinct values) of a text column; one value: no hashing."""
    raw = _arrow_bytes(column) if len(column) else None
    if raw is not None:  # one value spelled on every row (one underlying): no hashing
        offsets, data = raw
        width = int(offsets[1] - offsets[0])
        first = data[offsets[0]:offsets[1]].tobytes()
        if bool(((offsets[1:] - offsets[:-1]) == width).all()) and \
                data[offsets[0]:offsets[-1]].tobytes() == first * (offsets.size - 1):
            return (np.zeros(len(column), dtype=np.intp),
                    np.array([first.decode()], dtype=object))
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def _quote_times(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(quote_time as naive UTC datetime64[ns], New York quote date as datetime64[ns]).

    The clock conversions run once per distinct stamp (a chain has one or a few).
    """
    if not isinstance(column.dtype, pd.DatetimeTZDtype):  # parse only when not parsed
        column = pd.to_datetime(column, utc=True)
    stamps = np.array(column.array.as_unit("ns").asi8)  # UTC instants (a copy we own)
    utc = stamps.view("datetime64[ns]")
    if stamps.size and (stamps == stamps[0]).all():
        unique, inverse = stamps[:1], np.zeros(stamps.size, dtype=np.intp)
    else:
        unique, inverse = np.unique(stamps, return_inverse=True)
    qdate = np.array([_QUOTE_DATES.get(int(v), _NAT_NS) for v in unique], dtype=np.int64)
    todo = np.flatnonzero(qdate == _NAT_NS)
    if todo.size:
        local = pd.DatetimeIndex(unique[todo].view("datetime64[ns]")).tz_localize(
            "UTC").tz_convert(EXCHANGE_TZ)
        fresh = local.tz_localize(None).normalize().as_unit("ns").asi8
        qdate[todo] = fresh
        if len(_QUOTE_DATES) > _QUOTE_DATES_SIZE:
            _QUOTE_DATES.clear()
        _QUOTE_DATES.update(zip(unique[todo].tolist(), fresh.tolist()))
    return utc, qdate.view("datetime64[ns]")[inverse.ravel()]


_NAT_NS = np.iinfo(np.int64).min
_QUOTE_DATES: dict[int, int] = {}
"""UTC quote instant (ns) -> its New York calendar date (ns): each converted once per process."""
_QUOTE_DATES_SIZE = 100_000


def chain_arrays(chain: pd.DataFrame) -> dict[str, Any]:
    """Validate the chain and pull the arrays the selection needs (one pass per column)."""
    missing = [c for c in _NEEDED if c not in chain.columns]
    if missing:
        raise ChainSchemaError(
            "candidates need a chain priced by volscreen.implied_vols; missing "
            + ", ".join(missing), column=missing[0])
    is_put, is_call = _right_flags(chain[C.RIGHT])
    unusable = None
    if C.QUOTE_STATUS in chain.columns:
        unusable = text_in(chain[C.QUOTE_STATUS], sorted(_UNUSABLE_QUOTES))
    a = _quote_arrays(chain, is_put, is_call, unusable)
    iv, delta = _col(chain, C.IV), _col(chain, C.DELTA)
    a.update(_chain_columns(chain))
    a.update({
        "priced": a["usable"] & np.isfinite(iv) & np.isfinite(delta),
        "iv": iv, "delta": delta, "gamma": _col(chain, C.GAMMA),
        "vega": _col(chain, C.VEGA_PER_VOLPT), "theta": _col(chain, C.THETA_PER_DAY),
        "forward": _col(chain, C.FORWARD), "t": _col(chain, C.T),
        "discount": _col(chain, C.DISCOUNT, 1.0),
        "otm": (chain[C.OTM].to_numpy(dtype=bool) if C.OTM in chain.columns else None),
    })
    a["spot"] = np.where(np.isfinite(a["spot"]), a["spot"], a["forward"])
    return a


def priced_arrays(p: Any) -> dict[str, Any]:
    """:func:`chain_arrays` of the ``implied_vols`` frame, from a priced chain's arrays.

    ``p`` is a :class:`volscreen._priced.PricedChain`.  The greeks are not
    computed here: ``delta``, ``gamma``, ``vega`` and ``theta`` are left out
    and ``priced`` is the quote-level ``usable & finite iv`` (the caller
    adds the delta condition for the rows it prices).
    """
    chain = p.chain
    missing = [c for c in _NEEDED if c not in chain.columns and c not in _PRICED]
    if missing:
        raise ChainSchemaError(
            "candidates need a chain priced by volscreen.implied_vols; missing "
            + ", ".join(missing), column=missing[0])
    _, is_call, is_put = p.right_letters()
    unusable = None
    if p.quote_status_codes is not None:
        unusable = np.array([isinstance(v, str) and v in _UNUSABLE_QUOTES
                             for v in p.quote_status_values] + [False],
                            dtype=bool)[p.quote_status_codes]
    a = _quote_arrays(chain, is_put, is_call, unusable)
    a.update(_chain_columns(chain))
    a.update({"priced": a["usable"] & np.isfinite(p.iv), "iv": p.iv, "forward": p.forward,
              "t": p.t, "discount": p.discount, "otm": p.otm})
    a["spot"] = np.where(np.isfinite(a["spot"]), a["spot"], p.forward)
    return a


def _quote_arrays(chain: pd.DataFrame, is_put: np.ndarray, is_call: np.ndarray,
                  unusable: np.ndarray | None) -> dict[str, Any]:
    """Rights, quotes and the usable mask (``unusable``: the quote statuses, None: absent)."""
    bid, ask = _col(chain, C.BID), _col(chain, C.ASK)
    mid = _col(chain, C.MID) if C.MID in chain.columns else (bid + ask) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):  # spread_pct is NaN where mid is 0
        spread_pct = (_col(chain, C.SPREAD_PCT) if C.SPREAD_PCT in chain.columns
                      else (ask - bid) / mid)
    if unusable is None:
        unusable = np.zeros(len(chain), dtype=bool)
    usable = np.isfinite(ask) & (ask > 0) & np.isfinite(mid) & (mid > 0) & ~unusable
    return {"n": len(chain), "is_put": is_put, "is_call": is_call, "bid": bid, "ask": ask,
            "mid": mid, "spread_pct": spread_pct, "usable": usable}


def _chain_columns(chain: pd.DataFrame) -> dict[str, Any]:
    """The chain's own columns beside the quotes: clock, underlying, symbols, strike, sizes."""
    quote_time, qdate = _quote_times(chain[C.QUOTE_TIME])
    expiry = chain[C.EXPIRY]
    if expiry.dtype.kind == "M" and not isinstance(expiry.dtype, pd.DatetimeTZDtype):
        # naive datetimes: midnight of the day, as Series.dt.normalize (NaT stays NaT)
        expiry_ns = np.asarray(expiry.array).astype("datetime64[D]").astype("datetime64[ns]")
    else:
        expiry_ns = pd.to_datetime(expiry).dt.normalize().to_numpy(dtype="datetime64[ns]")
    und_codes, und_uniques = _factorize_text(chain[C.UNDERLYING])
    return {
        "und_codes": und_codes,
        "und_uniques": und_uniques,
        "symbols": chain[C.CONTRACT_SYMBOL] if C.CONTRACT_SYMBOL in chain.columns else None,
        "spot": _col(chain, C.UNDERLYING_PRICE),  # the caller falls back on the forward
        "strike": _col(chain, C.STRIKE),
        "oi": _col(chain, C.OPEN_INTEREST), "mult": _col(chain, C.MULTIPLIER, DEFAULT_MULTIPLIER),
        "qdate": qdate,
        "expiry": expiry_ns,
        "quote_time": quote_time,
    }
