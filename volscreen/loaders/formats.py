"""Vendor formats: detection and column mapping, one table entry per format.

Each format is a :class:`FormatSpec`: the raw columns that identify it, a
``raw -> canonical`` rename, how its quote time reads (:data:`QuoteClock`)
and, where a vendor needs it, a small hook.  Columns a spec does not name are
kept as ``vendor_<snake_case_name>``.  JSON payloads are first flattened to a
table (``_flatten_json``) and then go through the same table.
"""
from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DataError, UnknownFormatError

QuoteClock = Literal["exact", "date_close", "at_1545", "session"]
"""How a format's quote-time values are read.

* ``exact``: timestamps as written (offset honoured, naive = New York);
  date-only values mean the 16:00 New York close.
* ``date_close``: a date; the quote is the official close, 16:00 New York.
* ``at_1545``: a date; the quote is the 15:45 New York snapshot (Cboe DataShop).
* ``session``: a fetch timestamp; inside regular hours it is used as is,
  outside them it moves back to the last session close (16:00 New York of
  the latest weekday at or before it).
"""

Hook = Callable[[pd.DataFrame], pd.DataFrame]

DATASHOP_BID, DATASHOP_ASK = "underlying_bid_1545", "underlying_ask_1545"


def _snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name).strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def vendor_name(raw: str) -> str:
    """``vendor_`` + snake_case of a raw column name (``IVMean`` -> ``vendor_iv_mean``)."""
    return C.VENDOR_PREFIX + _snake(raw)


@dataclass(frozen=True)
class FormatSpec:
    """One vendor layout.  ``signature`` columns identify it (all must be present)."""

    name: str
    signature: frozenset[str]
    rename: Mapping[str, str]
    clock: QuoteClock
    hook: Hook | None = None
    drop: frozenset[str] = field(default_factory=frozenset)


def _datashop_hook(frame: pd.DataFrame) -> pd.DataFrame:
    # the underlying price is the mid of the 15:45 underlying bid/ask
    if DATASHOP_BID in frame and DATASHOP_ASK in frame:
        bid = pd.to_numeric(frame[DATASHOP_BID], errors="coerce")
        ask = pd.to_numeric(frame[DATASHOP_ASK], errors="coerce")
        frame = frame.assign(**{C.UNDERLYING_PRICE: (bid + ask) / 2})
    return frame


def _yfinance_hook(frame: pd.DataFrame) -> pd.DataFrame:
    # quote time: spot_date (the close of that date), else the download time
    if "spot_date" in frame:
        return frame.assign(**{C.QUOTE_TIME: frame["spot_date"]})
    if "downloaded_at_utc" in frame:
        return frame.assign(**{C.QUOTE_TIME: frame["downloaded_at_utc"],
                               "_clock": "session"})
    return frame


_GREEKS = {"delta": C.VENDOR_DELTA, "gamma": C.VENDOR_GAMMA, "theta": C.VENDOR_THETA,
           "vega": C.VENDOR_VEGA, "rho": C.VENDOR_RHO}

SPECS: tuple[FormatSpec, ...] = (
    FormatSpec(
        "canonical", frozenset({C.UNDERLYING, C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK}),
        {}, "exact",
    ),
    FormatSpec(
        "hod", frozenset({"underlying", "underlying_last", "optionroot", "type", "expiration",
                          "quotedate"}),
        {"underlying": C.UNDERLYING, "underlying_last": C.UNDERLYING_PRICE,
         "optionroot": C.VENDOR_SYMBOL, "type": C.RIGHT, "expiration": C.EXPIRY,
         "quotedate": C.QUOTE_TIME, "strike": C.STRIKE, "last": C.LAST, "bid": C.BID,
         "ask": C.ASK, "volume": C.VOLUME, "openinterest": C.OPEN_INTEREST,
         "impliedvol": C.VENDOR_IV, **_GREEKS},
        "date_close",
    ),
    FormatSpec(
        "deltaneutral", frozenset({"UnderlyingSymbol", "UnderlyingPrice", "OptionSymbol", "Type",
                                   "Expiration", "DataDate"}),
        {"UnderlyingSymbol": C.UNDERLYING, "UnderlyingPrice": C.UNDERLYING_PRICE,
         "OptionSymbol": C.VENDOR_SYMBOL, "Type": C.RIGHT, "Expiration": C.EXPIRY,
         "DataDate": C.QUOTE_TIME, "Strike": C.STRIKE, "Last": C.LAST, "Bid": C.BID,
         "Ask": C.ASK, "Volume": C.VOLUME, "OpenInterest": C.OPEN_INTEREST,
         "IVMean": C.VENDOR_IV, "IVBid": C.VENDOR_IV_BID, "IVAsk": C.VENDOR_IV_ASK,
         "Delta": C.VENDOR_DELTA, "Gamma": C.VENDOR_GAMMA, "Theta": C.VENDOR_THETA,
         "Vega": C.VENDOR_VEGA},
        "date_close",
    ),
    FormatSpec(
        "cboe_datashop", frozenset({"underlying_symbol", "quote_date", "root", "expiration",
                                    "option_type", "bid_1545", "ask_1545"}),
        {"underlying_symbol": C.UNDERLYING, "quote_date": C.QUOTE_TIME, "root": C.ROOT,
         "expiration": C.EXPIRY, "strike": C.STRIKE, "option_type": C.RIGHT,
         "close": C.LAST, "trade_volume": C.VOLUME, "bid_1545": C.BID, "ask_1545": C.ASK,
         "open_interest": C.OPEN_INTEREST},
        "at_1545", _datashop_hook,
    ),
    FormatSpec(
        "yfinance", frozenset({"contractSymbol", "strike", "bid", "ask"}),
        {"contractSymbol": C.CONTRACT_SYMBOL, "ticker": C.UNDERLYING, "lastPrice": C.LAST,
         "volume": C.VOLUME, "openInterest": C.OPEN_INTEREST,
         "impliedVolatility": C.VENDOR_IV, "S": C.UNDERLYING_PRICE, "bid": C.BID,
         "ask": C.ASK, "strike": vendor_name("strike")},
        "date_close", _yfinance_hook,
    ),
    FormatSpec(
        "options_desk_json", frozenset({"_json", "updated", "underlyingPrice", "side"}),
        {"_underlying": C.UNDERLYING, "updated": C.QUOTE_TIME,
         "underlyingPrice": C.UNDERLYING_PRICE, "symbol": C.CONTRACT_SYMBOL,
         "expiration": vendor_name("expiration"), "side": C.RIGHT, "strike": vendor_name("strike"),
         "bid": C.BID, "ask": C.ASK, "last": C.LAST, "volume": C.VOLUME,
         "openInterest": C.OPEN_INTEREST, "iv": C.VENDOR_IV, **_GREEKS},
        "session",
    ),
    FormatSpec(
        "cboe_snapshot_json", frozenset({"_json", "feed_timestamp", "spot", "exp"}),
        {"ticker": C.UNDERLYING, "feed_timestamp": C.QUOTE_TIME, "spot": C.UNDERLYING_PRICE,
         "type": C.RIGHT, "exp": C.EXPIRY, "strike": C.STRIKE, "bid": C.BID, "ask": C.ASK,
         "oi": C.OPEN_INTEREST, "volume": C.VOLUME, "iv": C.VENDOR_IV, **_GREEKS},
        "session",
    ),
    FormatSpec(
        "cboe_delayed_json", frozenset({"_json", "timestamp", "current_price", "option"}),
        {"symbol": C.UNDERLYING, "timestamp": C.QUOTE_TIME,
         "current_price": C.UNDERLYING_PRICE, "option": C.CONTRACT_SYMBOL, "bid": C.BID,
         "ask": C.ASK, "last_trade_price": C.LAST, "volume": C.VOLUME,
         "open_interest": C.OPEN_INTEREST, "iv": C.VENDOR_IV, **_GREEKS},
        "session",
    ),
)
FORMAT_NAMES = tuple(s.name for s in SPECS) + ("parquet",)
_BY_NAME = {s.name: s for s in SPECS}
JSON_TIME_ZONES = {"cboe_snapshot_json": "UTC", "cboe_delayed_json": "UTC"}
"""Zones of naive JSON timestamps (Cboe writes UTC without an offset)."""


def _check_records(rows: list[Any], name: str) -> None:
    bad = next((i for i, row in enumerate(rows) if not isinstance(row, dict)), None)
    if bad is not None:
        raise DataError(f"JSON quote {bad} is not an object of named fields: "
                        f"{str(rows[bad])[:40]!r}", source=name, row=bad)


def _records(rows: Any, scalars: Mapping[str, Any], name: str) -> pd.DataFrame:
    _check_records(rows, name)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    broadcast = {key: value for key, value in scalars.items()
                 if not isinstance(value, (dict, list)) and key not in frame.columns}
    broadcast["_json"] = True
    # one block of constant columns, rather than one insertion per column
    return pd.concat([frame, pd.DataFrame(broadcast, index=frame.index)], axis=1)


def flatten_json(payload: Any, name: str) -> pd.DataFrame:
    """Turn a chain JSON document into one flat table (scalars broadcast to rows).

    Recognised shapes: ``{symbol, updated, underlyingPrice, quotes: [...]}``
    (options-desk), ``{ticker, feed_timestamp, spot, options: [...]}`` (Cboe
    snapshot), ``{timestamp, data: {symbol, current_price, options: [...]}}``
    (Cboe delayed quotes) and a plain list of canonical records.
    """
    if isinstance(payload, list):
        _check_records(payload, name)
        return pd.DataFrame.from_records(payload)
    if not isinstance(payload, dict):
        raise DataError("JSON document is neither an object nor a list of quotes", source=name)
    if isinstance(payload.get("data"), dict):  # Cboe delayed quotes
        inner = payload["data"]
        scalars = {k: v for k, v in inner.items() if k != "options"}
        scalars["timestamp"] = payload.get("timestamp")
        options = inner.get("options") or []
        if not isinstance(options, list):
            raise DataError("JSON 'data.options' is not a list of quotes", source=name)
        frame = _records(options, scalars, name)
        return frame
    for key in ("quotes", "options"):
        if isinstance(payload.get(key), list):
            scalars = {k: v for k, v in payload.items() if k != key}
            if "symbol" in scalars:  # the chain symbol; rows carry their own "symbol"
                scalars["_underlying"] = scalars.pop("symbol")
            return _records(payload[key], scalars, name)
    raise DataError("JSON document has no 'quotes', 'options' or 'data.options' list",
                    source=name)


_BY_SYMBOL = frozenset({C.CONTRACT_SYMBOL, C.BID, C.ASK})
"""A canonical file may give OCC symbols instead of underlying/expiry/strike/right."""
_CANONICAL_NAMES = frozenset(C.CHAIN_COLUMNS) | {C.QUOTE_TIME}


def fold_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename headers that spell a canonical name in another case (``STRIKE``, `` Bid``).

    A name already present exactly wins; otherwise the first column that
    folds onto it is used and any later one is kept as a vendor column.
    """
    taken = {c for c in frame.columns if c in _CANONICAL_NAMES}
    mapping: dict[object, str] = {}
    for col in frame.columns:
        folded = str(col).strip().lower()
        if col not in taken and folded in _CANONICAL_NAMES and folded not in taken:
            mapping[col] = folded
            taken.add(folded)
    return frame.rename(columns=mapping) if mapping else frame


def _is_canonical(cols: AbstractSet[object]) -> bool:
    return _BY_NAME["canonical"].signature <= cols or _BY_SYMBOL <= cols


def vendor_spec(columns: AbstractSet[object]) -> FormatSpec | None:
    """The first spec whose signature ``columns`` hold exactly (None: none does)."""
    return next((spec for spec in SPECS if spec.signature <= columns), None)


def detect(frame: pd.DataFrame, name: str, forced: str | None) -> FormatSpec:
    """The spec whose signature the columns match (``forced`` wins).

    Vendor formats match their headers exactly (``hod`` and ``deltaneutral``
    differ only by case); the canonical format is tried last, case-insensitively
    (see :func:`fold_canonical`), and also matches ``contract_symbol, bid, ask``.
    """
    if forced is not None:
        if forced not in _BY_NAME:
            raise UnknownFormatError(name, FORMAT_NAMES, [f"format={forced!r} is not known"])
        return _BY_NAME[forced]
    cols = set(frame.columns)
    spec = vendor_spec(cols)
    if spec is not None:
        return spec
    if _is_canonical(cols) or _is_canonical(set(fold_canonical(frame).columns)):
        return _BY_NAME["canonical"]
    raise UnknownFormatError(name, FORMAT_NAMES, [str(c) for c in frame.columns])


def spec_columns(frame: pd.DataFrame, spec: FormatSpec
                 ) -> tuple[dict[str, pd.Series], QuoteClock]:
    """Rename to canonical names (unknown columns become ``vendor_*``) as a ``name -> Series``
    mapping (no copy of the table), with the quote clock for its ``quote_time`` values.

    Series keep ``frame``'s index and name.  Where two columns map onto one name, the
    first (in column order) wins.
    """
    if spec.hook is not None:
        frame = spec.hook(frame)
    clock: QuoteClock = spec.clock
    if "_clock" in frame.columns:
        clock = frame["_clock"].iloc[0]
    unique = frame.columns.is_unique
    out = {target: frame[frame.columns[pos]] if unique else frame.iloc[:, pos]
           for target, pos in column_targets(frame.columns, spec).items()}
    return out, clock


_KEEP_CANONICAL = frozenset(C.CHAIN_COLUMNS) | {C.QUOTE_TIME}
"""Raw names kept as they are (besides ``vendor_*`` ones)."""


def column_targets(columns: Iterable[object], spec: FormatSpec) -> dict[str, int]:
    """Canonical or ``vendor_*`` name -> position of the raw column it takes, in column order.

    Markers (``_json``, ``_clock``) and unnamed columns are skipped; where two
    columns map onto one name, the first wins (see :func:`spec_columns`).
    """
    out: dict[str, int] = {}
    for pos, col in enumerate(columns):
        if col in ("_json", "_clock") or str(col).startswith("Unnamed:") or col == "":
            continue
        if col in spec.rename:
            target = spec.rename[col]
        elif col in _KEEP_CANONICAL or str(col).startswith(C.VENDOR_PREFIX):
            target = col  # type: ignore[assignment]  # a str, or a name as given
        else:
            target = vendor_name(col)  # type: ignore[arg-type]
        out.setdefault(target, pos)
    return out


YYYYMMDD_RANGE = (19000101, 29991231)
"""Numbers in a date column are read as YYYYMMDD when in this range."""
NOT_A_DATE = "<not a date>"


def yyyymmdd_text(value: object) -> object:
    """A number in a date column as YYYYMMDD text (``20260320`` -> ``"20260320"``).

    pandas reads a bare integer as nanoseconds since 1970, which would turn
    ``20260320`` into 1970-01-01 without complaint.  Numbers outside
    :data:`YYYYMMDD_RANGE` or with a fraction become :data:`NOT_A_DATE`
    (reported as unparseable); anything else, missing values included, is
    returned unchanged.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return value
    if value != value:  # NaN
        return value
    lo, hi = YYYYMMDD_RANGE
    if float(value).is_integer() and lo <= value <= hi:
        return str(int(value))
    return NOT_A_DATE


def factorize_text(values: pd.Series) -> tuple[np.ndarray, pd.Index | np.ndarray]:
    """``pd.factorize(values)``, quicker for a text column holding one value.

    Chains repeat one underlying, quote time or settlement on every row; for
    Arrow-backed text, finding that the column has one distinct value is
    cheaper than hashing it into codes.
    """
    if isinstance(values.dtype, pd.StringDtype) and len(values):
        distinct = values.unique()
        if len(distinct) == 1 and not pd.isna(distinct[0]):
            return np.zeros(len(values), dtype=np.intp), pd.Index(distinct)
    return pd.factorize(values, use_na_sentinel=True)


def unique_parse(values: pd.Series, parser: Callable[[pd.Series], Any]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Apply a slow element parser to the unique values only (dates repeat a lot)."""
    codes, uniques = factorize_text(values)
    parsed = np.asarray(parser(pd.Series(uniques, dtype=object)))
    if not len(parsed):  # every value missing
        return np.zeros(len(values), dtype=np.int64), codes < 0
    out = parsed[np.where(codes < 0, 0, codes)]
    return out, codes < 0
