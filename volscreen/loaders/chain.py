"""Option chain files -> the canonical chain (one row per quote)."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import clock
from .. import columns as C
from ..errors import (
    ChainSchemaError,
    DuplicateContractError,
    EmptyDataError,
    UnreadableFileError,
    shown,
)
from . import _io
from ._json_chain import build_chain
from ._json_fast import read_vendor_json
from ._args import check_chain_arguments
from ._chain_rules import DEFAULT_MULTIPLIER, MAX_LISTED_ROWS, NUMERIC, SORT_KEYS
from ._chain_rules import BLANKS as _BLANKS
from ._chain_rules import RANGES as _RANGES
from ._numbers import parse_numbers
from ._vendor import normalise_vendor as _normalise_vendor
from .canonical_csv import CSV_ROW_BASE, _in_order, load_canonical_csv
from .canonical_parquet import load_canonical_parquet
from .formats import (
    JSON_TIME_ZONES,
    detect,
    flatten_json,
    fold_canonical,
    spec_columns,
    yyyymmdd_text,
)
from .occ import occ_strike_ok, occ_symbol, parse_occ_text
from .quotes import WIDE_THRESHOLD, quote_arrays, status_text
from .quotetime import quote_times

logger = logging.getLogger(__name__)

FAST_CANONICAL_CSV = True
"""Load canonical CSV files through :mod:`~volscreen.loaders.canonical_csv` when they qualify
(tests set False to compare with the general path)."""
FAST_CANONICAL_PARQUET = True
"""The same for canonical Parquet files (:mod:`~volscreen.loaders.canonical_parquet`)."""
FAST_VENDOR_JSON = True
"""Read vendor JSON chains through :mod:`~volscreen.loaders._json_fast` when they qualify."""

_RIGHTS = {"C": C.CALL, "CALL": C.CALL, "P": C.PUT, "PUT": C.PUT}
_RIGHT_SPELLINGS = {spelled: right for word, right in _RIGHTS.items()
                    for spelled in (word, word.lower(), word.title())}
"""Plain ASCII spellings of the rights, mapped without the text pipeline."""
STRING_COLUMNS = (C.UNDERLYING, C.ROOT, C.CONTRACT_SYMBOL, C.SETTLEMENT, C.RIGHT,
                  C.QUOTE_STATUS)
_ROOT_HEAD_RE = r"^([A-Za-z0-9.]+?)\s*\d{6}[CPcp]$"
"""A vendor symbol without its trailing strike digits: root, YYMMDD, right."""


def _to_float(series: pd.Series, col: str, name: str, base: int) -> np.ndarray:
    out = _parse_float(series, col, name, base)
    inf = np.flatnonzero(np.isinf(out))
    if inf.size:  # an infinite price or strike would pass every status rule as 'ok'
        rows = [int(b) + base for b in inf[:MAX_LISTED_ROWS]]
        raise ChainSchemaError(f"infinite value in {inf.size} row(s) (first rows {rows})",
                               source=name, row=rows[0], column=col)
    return out


def _parse_float(series: pd.Series, col: str, name: str, base: int) -> np.ndarray:
    values, bad_mask = parse_numbers(series, _BLANKS)
    bad = np.flatnonzero(bad_mask)
    if bad.size:
        rows = [int(b) + base for b in bad[:MAX_LISTED_ROWS]]
        raise ChainSchemaError(
            f"non-numeric values in {bad.size} row(s) (first rows {rows}), e.g. "
            f"{shown(series.iloc[bad[0]])}", source=name, row=rows[0], column=col)
    return values


def _parse_dates(values: pd.Series, col: str, name: str, base: int) -> pd.DatetimeIndex:
    if values.dtype == "datetime64[ns]" and not values.isna().any():  # e.g. from OCC symbols
        return pd.DatetimeIndex(pd.DatetimeIndex(values).normalize().to_numpy())  # no freq
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pd.Series([yyyymmdd_text(u) for u in uniques], dtype=object)
    parsed = pd.to_datetime(texts, format="mixed", errors="coerce")
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    days = idx.normalize()
    # a year like -1 or 9999 parses at a coarser unit: outside the nanosecond
    # range it is an unparseable date (one-line error below), not an overflow
    days = days.where((days >= pd.Timestamp.min) & (days <= pd.Timestamp.max))
    days = days.as_unit("ns").to_numpy()
    out = days[np.where(codes < 0, 0, codes)] if len(days) else \
        np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = (codes < 0) | np.isnat(out)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ChainSchemaError(f"missing or unparseable date: {shown(values.iloc[pos])} "
                               f"({int(bad.sum())} row(s))", source=name, row=pos + base,
                               column=col)
    return pd.DatetimeIndex(out)


def _rights(values: pd.Series, name: str, base: int) -> np.ndarray:
    # a chain spells its rights a few ways: map each distinct spelling once
    codes, uniques = pd.factorize(values)
    spelled = uniques.tolist()
    if all(type(u) is str and u in _RIGHT_SPELLINGS for u in spelled):  # the usual words
        mapped = pd.Series([_RIGHT_SPELLINGS[u] for u in spelled], dtype=object)
    else:
        mapped = pd.Series(uniques, dtype=object).astype("str").str.strip().str.upper().map(
            _RIGHTS)
    first = np.array([*mapped.tolist(), None], dtype=object)[codes]  # code -1: missing
    ok = pd.notna(first)
    if not ok.all():
        pos = int(np.flatnonzero(~ok)[0])
        raise ChainSchemaError(f"right {shown(values.iloc[pos])} is not call/put "
                               f"({int((~ok).sum())} row(s))", source=name, row=pos + base,
                               column=C.RIGHT)
    return first


def _read_source(source: object, name: str) -> tuple[pd.DataFrame, int, str]:
    """Raw table, the row base for messages, and what it came from (``_io.read_any``'s kind)."""
    if isinstance(source, pd.DataFrame):
        return source, 0, "frame"
    if not isinstance(source, (str, os.PathLike)):
        raise UnreadableFileError(f"expected a path or a DataFrame, got {type(source).__name__}",
                                  source=name)
    kind, payload = _io.read_any(source)
    if kind == "parquet":
        return payload, 0, kind
    if kind == "json":
        frame = flatten_json(payload, name)
        if frame.empty or len(frame.columns) <= 1:
            raise EmptyDataError("JSON holds no option quotes", source=name)
        return frame, 0, kind
    return _io.read_csv_text(payload, name), CSV_ROW_BASE, kind


class _Columns(dict[str, pd.Series]):
    """A chain under construction: name -> Series on one shared index.

    Setting a column works as on a DataFrame (arrays and scalars become
    Series on the shared index, a new name goes last) without the block
    bookkeeping a DataFrame does on every assignment; the frame is built once
    at the end.
    """

    def __init__(self, columns: Mapping[str, pd.Series], index: pd.Index) -> None:
        super().__init__(columns)
        self.index = index

    def __setitem__(self, key: str, value: object) -> None:
        series = value if isinstance(value, pd.Series) else pd.Series(value, index=self.index)
        super().__setitem__(key, series)

    def frame(self) -> pd.DataFrame:
        """The columns as one new DataFrame (data copied)."""
        # from arrays on the known index: no per-Series index alignment
        return pd.DataFrame({c: self[c].array for c in self}, index=self.index)


def _fill_from_symbols(out: _Columns, name: str, base: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Fill root, expiry, right and strike from the OCC symbols where the file has none.

    Returns the parsed fields and the symbols as read (compact, upper case).
    """
    sym = out[C.CONTRACT_SYMBOL]
    try:
        parsed, text = parse_occ_text(sym)
    except ChainSchemaError as exc:
        raise ChainSchemaError(exc.message, source=name, row=(exc.row or 0) + base,
                               column=C.CONTRACT_SYMBOL) from None
    parsed.index = out.index
    fills = {col: out[col].where(out[col].notna(), parsed[col]) if col in out else parsed[col]
             for col in (C.ROOT, C.EXPIRY, C.RIGHT, C.STRIKE)}
    out.update(fills)
    return parsed, text.to_numpy(dtype=object)


def _as_parsed(out: _Columns, parsed: pd.DataFrame) -> np.ndarray:
    """Rows whose final root, expiry, right and strike are the ones their symbol gave."""
    same = np.ones(len(out.index), dtype=bool)
    for col in (C.ROOT, C.EXPIRY, C.RIGHT, C.STRIKE):
        same &= out[col].to_numpy() == parsed[col].to_numpy()
    return same


def _roots_from_symbols(symbols: pd.Series) -> pd.Series:
    """Option roots from vendor symbols ``ROOT YYMMDD C|P <strike digits>`` (else NaN).

    The strike digits are cut first, which leaves one head per root, expiry
    and right (a few hundred per chain), so the regex runs on those only.
    """
    text = symbols.astype("str").str.strip()
    head = text.str.rstrip("0123456789")
    has_strike = (head.str.len() < text.str.len()).to_numpy(dtype=bool)
    codes, heads = pd.factorize(head)
    roots = pd.Series(heads).str.extract(_ROOT_HEAD_RE)[0].to_numpy(dtype=object)
    out = pd.Series(np.where(has_strike & (codes >= 0), roots[np.maximum(codes, 0)], None),
                    index=symbols.index, dtype=object)
    return out.where(out.notna())


def _match_columns(present: pd.Index, mapping: Mapping[str, str]) -> dict[object, str]:
    """``columns=`` keys matched to the file's headers: exactly, else ignoring case/blanks."""
    folded: dict[str, list[object]] = {}
    for col in present:
        folded.setdefault(str(col).strip().lower(), []).append(col)
    out: dict[object, str] = {}
    for key, target in mapping.items():
        if key in present:
            out[key] = target
        elif len(folded.get(key.strip().lower(), [])) == 1:
            out[folded[key.strip().lower()][0]] = target
    return out


def _repeated(symbols: pd.Series) -> bool:
    """True when a contract symbol (missing ones aside) appears more than once."""
    present = symbols.dropna().tolist()
    return len(set(present)) < len(present)


def _dedupe(out: pd.DataFrame, name: str, base_pos: np.ndarray, base: int) -> tuple[
        pd.DataFrame, int]:
    key = [C.UNDERLYING, C.QUOTE_TIME, C.CONTRACT_SYMBOL]
    dup = out.duplicated(key, keep=False).to_numpy() & out[C.CONTRACT_SYMBOL].notna().to_numpy()
    if not dup.any():
        return out, 0
    quotes = out.loc[dup, key + [C.BID, C.ASK]].fillna({C.BID: -1.0, C.ASK: -1.0})
    conflicts = quotes.groupby(key, sort=False)[[C.BID, C.ASK]].nunique().max(axis=1) > 1
    if conflicts.any():
        contract = conflicts[conflicts].index[0][2]
        rows = [int(base_pos[i]) + base for i in
                np.flatnonzero(dup & (out[C.CONTRACT_SYMBOL] == contract).to_numpy())]
        raise DuplicateContractError(
            f"contract {contract} quoted more than once with different bid/ask "
            f"(rows {rows[:MAX_LISTED_ROWS]}; {int(conflicts.sum())} contract(s))",
            source=name, row=rows[0], column=C.CONTRACT_SYMBOL)
    keep = ~out.duplicated(key, keep="first").to_numpy()
    dropped = int((~keep).sum())
    logger.info("%s: %d identical duplicate quote(s) dropped", name, dropped)
    return out[keep], dropped


def _sorted(chain: Mapping[str, pd.Series], names: list[str]) -> pd.DataFrame:
    """``frame.sort_values(SORT_KEYS, kind="stable", ignore_index=True)``, by arrays.

    ``chain`` maps each of ``names`` to a column (one shared length); the
    frame holds ``names`` in that order, copied, on a RangeIndex.

    One stable :func:`numpy.lexsort`: numbers and times as they are (NaN
    last, as ``sort_values``), text keys as codes of their sorted distinct
    values (missing last); a key with one value is left out, and each column
    is taken in sorted order once (a chain already in order is copied as is).
    """
    order = _sort_order(chain)
    arrays = {c: chain[c].array for c in names}
    n = len(arrays[names[0]])
    if order is None:
        return pd.DataFrame(arrays, index=pd.RangeIndex(n))  # copies the columns
    # copy=False: the taken arrays are new
    return pd.DataFrame({c: a.take(order) for c, a in arrays.items()}, index=pd.RangeIndex(n),
                        copy=False)


def _sort_order(chain: Mapping[str, pd.Series]) -> np.ndarray | None:
    """The rows' stable sort order by :data:`SORT_KEYS`; None when already in order."""
    keys = []
    for col in reversed(SORT_KEYS):  # lexsort: the last key is the primary one
        values = chain[col]
        if values.dtype.kind in "fiu":
            array = values.to_numpy()
        elif values.dtype.kind == "M" and not values.isna().any():
            array = pd.DatetimeIndex(values).asi8
        else:
            codes, uniques = pd.factorize(values, sort=True)
            array = np.where(codes < 0, len(uniques), codes)
        if len(array) and not (array[0] == array).all():
            keys.append(array)
    if not keys or _in_order(keys[::-1]):  # the usual file: already sorted, no lexsort
        return None
    order = np.lexsort(keys)
    return None if (order == np.arange(len(order))).all() else order


def load_chain(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    format: str | None = None,  # noqa: A002 - the public keyword is "format"
    underlying: str | None = None,
    underlying_price: float | None = None,
    quote_time: object | None = None,
    columns: Mapping[str, str] | None = None,
    wide_threshold: float = WIDE_THRESHOLD,
) -> pd.DataFrame:
    """Load an option chain file (or DataFrame) into the canonical chain.

    Parameters
    ----------
    source
        Path (CSV plain or gzip, JSON, Parquet) or DataFrame (never modified).
    format
        Force a format (see ``volscreen.loaders.FORMAT_NAMES``); detected from
        the columns/keys otherwise.
    underlying
        Underlying symbol where the file has none (yfinance dumps).
    underlying_price
        Underlying price for rows where the file has none.
    quote_time
        Quote time for every row (naive = New York); overrides the file and
        is required when the file has no time information.
    columns
        ``{file_name: canonical_name}`` applied before detection, for any
        other broker layout (e.g. ``{"Exp": "expiry", "K": "strike"}``).
    wide_threshold
        spread / mid above which a quote is ``wide`` (with spread > $0.05).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`volscreen.columns.CHAIN_COLUMNS` then ``vendor_*``;
        sorted by underlying, quote_time, expiry, strike, right, root;
        RangeIndex.  ``attrs``: ``source``, ``format``,
        ``quote_status_counts`` (code -> rows), ``duplicates_dropped``.

    Raises
    ------
    UnreadableFileError, EmptyDataError, UnknownFormatError, ChainSchemaError,
    DuplicateContractError
        One-line messages naming the file and, where relevant, the row
        (CSV: line number; JSON/DataFrame: 0-based record) and column.

    Notes
    -----
    mid = (bid + ask)/2 where 0 <= bid <= ask and ask > 0; spread = ask - bid;
    spread_pct = spread/mid.  See :func:`volscreen.loaders.quotes.quote_arrays`
    for the status rules and docs/data.md for every format.
    """
    args = check_chain_arguments(format=format, underlying=underlying,
                                 underlying_price=underlying_price, quote_time=quote_time,
                                 columns=columns, wide_threshold=wide_threshold)
    underlying, underlying_price, quote_time = (args.underlying, args.underlying_price,
                                                args.quote_time)
    name = _io.source_name(source)
    read = read_vendor_json(source, name, args.format) \
        if FAST_VENDOR_JSON and not args.columns and isinstance(source, (str, os.PathLike)) \
        else None
    if read is not None:  # the general path's columns, read without a flat table
        if underlying is None and underlying_price is None and quote_time is None:
            chain = build_chain(read, name, args.wide_threshold)
            if chain is not None:  # else: a rule of the general path acts on these columns
                return chain
        spec, mapped, rule, n, base = read.spec, read.series(), read.clock, read.rows, 0
    else:
        raw, base, kind = _read_source(source, name)
        if raw.empty:
            raise EmptyDataError("no option quotes", source=name)
        shortcut = {"csv": load_canonical_csv if FAST_CANONICAL_CSV else None,
                    "parquet": load_canonical_parquet if FAST_CANONICAL_PARQUET else None
                    }.get(kind)
        if shortcut is not None and args.format in (None, "canonical") and not args.columns \
                and underlying is None and underlying_price is None and quote_time is None:
            chain = shortcut(raw, name, args.wide_threshold)
            if chain is not None:  # else: not canonical as written, the general path decides
                return chain
        if args.columns:
            raw = raw.rename(columns=_match_columns(raw.columns, args.columns))
        spec = detect(raw, name, None if args.format == "parquet" else args.format)
        if spec.name == "canonical":
            raw = fold_canonical(raw)
        mapped, rule = spec_columns(raw.reset_index(drop=True), spec)
        n = len(raw)
    out = _Columns(mapped, pd.RangeIndex(n))

    if quote_time is not None:
        out[C.QUOTE_TIME], rule = pd.Series([quote_time] * n, dtype=object), "exact"
    if C.QUOTE_TIME not in out:
        raise ChainSchemaError(
            f"no quote time in a {spec.name} file; pass quote_time=... "
            "(CLI: --quote-time '2025-08-26 16:00', New York; a date alone = the 16:00 close)",
            source=name, column=C.QUOTE_TIME)
    parsed = None
    if C.CONTRACT_SYMBOL in out:
        parsed, read_symbols = _fill_from_symbols(out, name, base)
    missing = [c for c in (C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK) if c not in out]
    if missing:
        raise ChainSchemaError(f"missing required column(s) {missing} for format {spec.name}",
                               source=name)

    for col in NUMERIC:
        if col in out:
            out[col] = _to_float(out[col], col, name, base)
    for col, positive, what in _RANGES:
        values = out[col].to_numpy() if col in out else np.zeros(0)
        bad = np.flatnonzero(values <= 0 if positive else values < 0)
        if bad.size:
            raise ChainSchemaError(f"{what} {shown(values[bad[0]])} ({bad.size} row(s))",
                                   source=name, row=int(bad[0]) + base, column=col)
    out[C.EXPIRY] = _parse_dates(out[C.EXPIRY], C.EXPIRY, name, base)
    out[C.RIGHT] = _rights(out[C.RIGHT], name, base)
    tz = JSON_TIME_ZONES.get(spec.name, clock.EXCHANGE_TZ)
    out[C.QUOTE_TIME] = quote_times(out[C.QUOTE_TIME], rule, tz=tz, source=name, row_base=base)

    if C.UNDERLYING not in out or out[C.UNDERLYING].isna().all():
        fallback = underlying or (out[C.ROOT] if C.ROOT in out else None)
        if fallback is None:
            raise ChainSchemaError("no underlying symbol; pass underlying=...", source=name,
                                   column=C.UNDERLYING)
        out[C.UNDERLYING] = fallback
    elif underlying is not None:
        out[C.UNDERLYING] = underlying
    elif out[C.UNDERLYING].isna().any():
        pos = int(np.flatnonzero(out[C.UNDERLYING].isna().to_numpy())[0])
        raise ChainSchemaError(
            f"missing underlying symbol in {int(out[C.UNDERLYING].isna().sum())} row(s); "
            "fill it or pass underlying=...", source=name, row=pos + base, column=C.UNDERLYING)
    out[C.UNDERLYING] = out[C.UNDERLYING].astype("str").str.strip().str.lstrip("^_").str.upper()
    if C.ROOT not in out:
        source_sym = out[C.VENDOR_SYMBOL] if C.VENDOR_SYMBOL in out else None
        roots = _roots_from_symbols(source_sym) if source_sym is not None else None
        out[C.ROOT] = roots.where(roots.notna(), out[C.UNDERLYING]) if roots is not None \
            else out[C.UNDERLYING]
    out[C.ROOT] = out[C.ROOT].astype("str").str.strip().str.upper()
    # a chain has one or a few roots: infer each one's style once (missing: last entry)
    root_codes, root_names = pd.factorize(out[C.ROOT])
    inferred = clock.settlement_style([*root_names.tolist(), None])[root_codes]
    if C.SETTLEMENT not in out:
        out[C.SETTLEMENT] = inferred
    else:  # 'am' must not fall through to the PM clock; blanks take the root's style
        given = out[C.SETTLEMENT].astype("str").str.strip().str.upper()
        given = given.where(out[C.SETTLEMENT].notna() & (given != ""), pd.Series(inferred))
        bad = ~given.isin([C.AM, C.PM]).to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ChainSchemaError(
                f"settlement {shown(out[C.SETTLEMENT].iloc[pos])} is not AM or PM "
                f"({int(bad.sum())} row(s))", source=name, row=pos + base, column=C.SETTLEMENT)
        out[C.SETTLEMENT] = given.to_numpy(dtype=object)
    if C.UNDERLYING_PRICE not in out:
        out[C.UNDERLYING_PRICE] = np.nan
    if underlying_price is not None:
        out[C.UNDERLYING_PRICE] = out[C.UNDERLYING_PRICE].fillna(float(underlying_price))
    out[C.MULTIPLIER] = out[C.MULTIPLIER].fillna(DEFAULT_MULTIPLIER) if C.MULTIPLIER in out \
        else DEFAULT_MULTIPLIER
    for col in (C.LAST, C.VOLUME, C.OPEN_INTEREST):
        if col not in out:
            out[col] = np.nan

    valid = occ_strike_ok(out[C.STRIKE].to_numpy())  # others get the bad_strike status
    symbols = np.full(n, None, dtype=object)
    build = valid
    if parsed is not None:  # a row still as its symbol gave it: that symbol, as read
        kept = valid & _as_parsed(out, parsed)
        symbols[kept] = read_symbols[kept]
        build = valid & ~kept
    if build.any():
        try:
            symbols[build] = occ_symbol(out[C.ROOT].to_numpy()[build],
                                        out[C.EXPIRY].to_numpy()[build],
                                        out[C.RIGHT].to_numpy()[build],
                                        out[C.STRIKE].to_numpy()[build])
        except ChainSchemaError as exc:  # e.g. a root longer than six characters
            pos = int(np.flatnonzero(build)[int(exc.row or 0)])
            raise ChainSchemaError(exc.message, source=name, row=pos + base,
                                   column=exc.column) from None
    if parsed is not None and C.VENDOR_SYMBOL not in out:
        if (read_symbols != symbols).any():
            out[C.VENDOR_SYMBOL] = out[C.CONTRACT_SYMBOL]
    out[C.CONTRACT_SYMBOL] = symbols

    dropped = 0
    if _repeated(out[C.CONTRACT_SYMBOL]):  # else no row can be a duplicate
        table, dropped = _dedupe(out.frame(), name, np.arange(n), base)
        out = _Columns({col: table[col] for col in table.columns}, table.index)
    # mid, spread and status on the columns as they are (no frame of them copied)
    settle = clock.settlement_instant(pd.DatetimeIndex(out[C.EXPIRY]),
                                      out[C.SETTLEMENT].to_numpy(dtype=object)).asi8
    mid, spread, spread_pct, code = quote_arrays(
        out[C.BID].to_numpy(dtype=np.float64), out[C.ASK].to_numpy(dtype=np.float64),
        out[C.STRIKE].to_numpy(dtype=np.float64), settle,
        pd.DatetimeIndex(out[C.QUOTE_TIME]).asi8, args.wide_threshold)
    out[C.MID], out[C.SPREAD], out[C.SPREAD_PCT] = mid, spread, spread_pct
    out[C.QUOTE_STATUS] = status_text(code)
    for col in STRING_COLUMNS:
        out[col] = out[col].astype("str")
    out[C.EXPIRY] = pd.DatetimeIndex(out[C.EXPIRY]).as_unit("ns").to_numpy()
    vendor = [c for c in out if str(c).startswith(C.VENDOR_PREFIX)]
    for col in vendor:
        out[col] = _normalise_vendor(out[col], col)
    chain = _sorted(out, list(C.CHAIN_COLUMNS) + vendor)
    counts = chain[C.QUOTE_STATUS].value_counts()
    chain.attrs = {
        "source": name,
        "format": "parquet" if args.format == "parquet" else spec.name,
        "quote_status_counts": {code: int(counts.get(code, 0)) for code in C.QUOTE_STATUSES},
        "duplicates_dropped": dropped,
    }
    return chain
