"""Keyword arguments of :func:`~volscreen.loaders.load_chain`, checked up front.

A wrong type or value is a :class:`~volscreen.errors.ConfigError` naming the
argument, raised before any file is read, never a numpy or pandas exception
from deep inside the pipeline.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import ConfigError
from .formats import FORMAT_NAMES, yyyymmdd_text

INPUT_COLUMNS = (C.UNDERLYING, C.ROOT, C.CONTRACT_SYMBOL, C.QUOTE_TIME, C.EXPIRY, C.SETTLEMENT,
                 C.STRIKE, C.RIGHT, C.BID, C.ASK, C.LAST, C.VOLUME, C.OPEN_INTEREST,
                 C.UNDERLYING_PRICE, C.MULTIPLIER)
"""Canonical names a ``columns=`` mapping may target (besides ``vendor_*``)."""


@dataclass(frozen=True)
class ChainArguments:
    """The checked keyword arguments (``columns`` targets lower-cased)."""

    format: str | None
    underlying: str | None
    underlying_price: float | None
    quote_time: object | None
    columns: dict[str, str]
    wide_threshold: float


def _positive_number(value: object, argument: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{argument}={value!r} must be a number, not {type(value).__name__}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ConfigError(f"{argument}={value!r} must be a finite number above zero")
    return number


def _quote_time(value: object) -> object:
    if isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"quote_time={value!r} is not a date or time")
    try:
        stamp = pd.Timestamp(yyyymmdd_text(value))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise ConfigError(f"quote_time={value!r} is not a date or time "
                          "(e.g. '2026-03-06 16:00', naive = New York)")
    return value


def _columns(mapping: object) -> dict[str, str]:
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"columns= must be a mapping {{file_name: canonical_name}}, "
                          f"not {type(mapping).__name__}")
    out: dict[str, str] = {}
    for key, target in mapping.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"columns= key {key!r} is not a column name")
        if not isinstance(target, str):
            raise ConfigError(f"columns={{{key!r}: {target!r}}}: the target must be a "
                              "canonical column name")
        name = target.strip().lower()
        if name not in INPUT_COLUMNS and not name.startswith(C.VENDOR_PREFIX):
            raise ConfigError(f"columns={{{key!r}: {target!r}}}: {target!r} is not a chain "
                              f"column (valid: {', '.join(INPUT_COLUMNS)}, or vendor_*)")
        if name in out.values():
            raise ConfigError(f"columns= maps more than one column onto {name!r}")
        out[key] = name
    return out


def check_chain_arguments(
    *,
    format: object,  # noqa: A002 - the public keyword is "format"
    underlying: object,
    underlying_price: object,
    quote_time: object,
    columns: object,
    wide_threshold: object,
) -> ChainArguments:
    """Validate :func:`load_chain`'s keywords.

    Raises
    ------
    ConfigError
        Naming the argument: an unknown ``format`` (the valid names are
        listed), a blank or non-text ``underlying``, an ``underlying_price``
        or ``wide_threshold`` that is not a finite number above zero, an
        unreadable ``quote_time``, or a ``columns`` mapping that is not
        ``{str: canonical column name}``.
    """
    fmt = None
    if format is not None:
        if not isinstance(format, str) or format.strip().lower() not in FORMAT_NAMES:
            raise ConfigError(f"format={format!r} is not a known chain format "
                              f"(valid: {', '.join(FORMAT_NAMES)})")
        fmt = format.strip().lower()
    if underlying is not None and (not isinstance(underlying, str) or not underlying.strip()):
        raise ConfigError(f"underlying={underlying!r} must be a non-empty symbol")
    return ChainArguments(
        format=fmt,
        underlying=underlying,
        underlying_price=None if underlying_price is None
        else _positive_number(underlying_price, "underlying_price"),
        quote_time=None if quote_time is None else _quote_time(quote_time),
        columns={} if columns is None else _columns(columns),
        wide_threshold=_positive_number(wide_threshold, "wide_threshold"),
    )
