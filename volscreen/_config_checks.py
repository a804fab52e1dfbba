"""Validators of config values: each takes (value, dotted key, source file) and raises
:class:`~volscreen.errors.ConfigError` naming the file and the key."""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("compression", 0.30),
    ("cheapness", 0.30),
    ("target_reach", 0.25),
    ("liquidity", 0.15),
)
MAX_RATE = 1.0  # |rate| above 100 % is surely a percent typed as a number
SETTLEMENTS = ("AM", "PM")


def _fail(key: str, source: Path | None, message: str) -> ConfigError:
    return ConfigError(message, source=source, column=key)


def _type_name(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _number(value: Any, key: str, source: Path | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise _fail(key, source, f"expected a number, got {_type_name(value)}") from None
        else:
            raise _fail(key, source, f"expected a number, got {_type_name(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise _fail(key, source, f"expected a finite number, got {value!r}")
    return number


def _rate(value: Any, key: str, source: Path | None) -> float:
    rate = _number(value, key, source)
    if abs(rate) > MAX_RATE:
        raise _fail(key, source, f"rate {rate} is not a decimal (0.04 means 4 %)")
    return rate


def _int(value: Any, key: str, source: Path | None, minimum: int = 0) -> int:
    number = _number(value, key, source)
    if number != int(number) or number < minimum:
        raise _fail(key, source, f"expected a whole number >= {minimum}, got {value!r}")
    return int(number)


def _positive_int(value: Any, key: str, source: Path | None) -> int:
    return _int(value, key, source, minimum=1)


def _non_negative_int(value: Any, key: str, source: Path | None) -> int:
    return _int(value, key, source, minimum=0)


def _numbers(value: Any, key: str, source: Path | None) -> tuple[float, ...]:
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise _fail(key, source, f"expected a list of numbers, got {_type_name(value)}")
    return tuple(_number(v, f"{key}[{i}]", source) for i, v in enumerate(value))


def _targets(value: Any, key: str, source: Path | None) -> tuple[float, ...]:
    levels = _numbers(value, key, source)
    if not levels or any(v <= 0 for v in levels):
        raise _fail(key, source, f"targets must be positive price levels, got {value!r}")
    return tuple(sorted(levels))


def _range(value: Any, key: str, source: Path | None) -> tuple[float, float]:
    levels = _numbers(value, key, source)
    if len(levels) != 2 or not 0 < levels[0] < levels[1]:
        raise _fail(key, source, f"range must be [floor, ceiling] with 0 < floor < ceiling, "
                                 f"got {value!r}")
    return (levels[0], levels[1])


def _dte(value: Any, key: str, source: Path | None) -> tuple[int, int]:
    if isinstance(value, str):
        value = value.split(":")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _fail(key, source, f"expected [min, max] days (CLI: MIN:MAX), got {value!r}")
    low = _non_negative_int(value[0], f"{key}[0]", source)
    high = _non_negative_int(value[1], f"{key}[1]", source)
    if low > high:
        raise _fail(key, source, f"min days {low} is above max days {high}")
    return (low, high)


def _deltas(value: Any, key: str, source: Path | None) -> tuple[float, ...]:
    deltas = _numbers(value, key, source)
    if any(not 0 < d < 0.5 for d in deltas):
        raise _fail(key, source, f"deltas must lie strictly between 0 and 0.5, got {value!r}")
    return deltas


def _path(value: Any, key: str, source: Path | None) -> Path:
    if not isinstance(value, (str, Path)) or not str(value):
        raise _fail(key, source, f"expected a file path, got {_type_name(value)}")
    path = Path(value).expanduser()
    if source is not None and not path.is_absolute():
        path = source.parent / path
    return path


def _paths(value: Any, key: str, source: Path | None) -> tuple[Path, ...]:
    if isinstance(value, (str, Path)):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(key, source, f"expected a path or a list of paths, got {_type_name(value)}")
    return tuple(_path(v, f"{key}[{i}]", source) for i, v in enumerate(value))


def _settlement(value: Any, key: str, source: Path | None) -> str:
    if not isinstance(value, str) or value.upper() not in SETTLEMENTS:
        raise _fail(key, source, f"settlement must be 'AM' or 'PM', got {value!r}")
    return value.upper()


def _loader_check(key: str, source: Path | None, **argument: Any) -> Any:
    """Check one ``load_chain`` keyword with the loader's own rules; ConfigError naming ``key``."""
    from .loaders._args import check_chain_arguments

    values: dict[str, Any] = {"format": None, "underlying": None, "underlying_price": None,
                              "quote_time": None, "columns": None, "wide_threshold": 0.5}
    values.update(argument)
    try:
        return check_chain_arguments(**values)
    except ConfigError as exc:
        raise _fail(key, source, exc.message) from None


def _columns(value: Any, key: str, source: Path | None) -> tuple[tuple[str, str], ...]:
    """``{file_name: canonical}`` (TOML table) or ``"NAME=CANONICAL,..."`` -> pairs."""
    if isinstance(value, str):
        pairs: dict[str, str] = {}
        for part in value.split(","):
            if not part.strip():
                continue
            name, sep, target = part.rpartition("=")
            if not sep or not name.strip() or not target.strip():
                raise _fail(key, source, f"expected NAME=CANONICAL[,NAME=CANONICAL...], "
                                         f"got {part.strip()!r}")
            if name.strip() in pairs:
                raise _fail(key, source, f"column {name.strip()!r} is mapped twice")
            pairs[name.strip()] = target.strip()
        if not pairs:
            raise _fail(key, source, "expected NAME=CANONICAL[,NAME=CANONICAL...], got ''")
        value = pairs
    if not isinstance(value, Mapping) or not value:
        raise _fail(key, source, f"expected a table {{file_name = \"canonical_name\"}}, "
                                 f"got {_type_name(value)}")
    checked = _loader_check(key, source, columns=dict(value))
    return tuple(checked.columns.items())


def _quote_time(value: Any, key: str, source: Path | None) -> Any:
    """An ISO date/time text or a TOML date/datetime (naive = New York; a date = 16:00)."""
    import datetime

    if isinstance(value, datetime.time) or not isinstance(value, (str, datetime.date)):
        raise _fail(key, source, f"expected a date or date-time (e.g. '2025-08-26' or "
                                 f"'2025-08-26 16:00'), got {_type_name(value)}")
    if isinstance(value, str):
        value = value.strip()
    return _loader_check(key, source, quote_time=value).quote_time


def _spot(value: Any, key: str, source: Path | None) -> float:
    spot = _number(value, key, source)
    if spot <= 0:
        raise _fail(key, source, f"spot must be a price above zero, got {value!r}")
    return spot


def _input_format(value: Any, key: str, source: Path | None) -> str:
    if not isinstance(value, str):
        raise _fail(key, source, f"expected a chain format name, got {_type_name(value)}")
    fmt = _loader_check(key, source, format=value).format
    return str(fmt)


def _weights(table: Any, key: str, source: Path | None) -> tuple[tuple[str, float], ...]:
    if not isinstance(table, Mapping):
        raise _fail(key, source, f"expected a table of weights, got {_type_name(table)}")
    known = dict(DEFAULT_WEIGHTS)
    for name, value in table.items():
        if name not in known:
            raise _fail(f"{key}.{name}", source,
                        f"unknown score component (known: {', '.join(known)})")
        weight = _number(value, f"{key}.{name}", source)
        if weight < 0:
            raise _fail(f"{key}.{name}", source, f"weights must be >= 0, got {value!r}")
        known[name] = weight
    if sum(known.values()) <= 0:
        raise _fail(key, source, "at least one weight must be positive")
    return tuple(known.items())


_DEFAULT_KEYS = {
    "rate": _rate,
    "dte": _dte,
    "deltas": _deltas,
    "top": _positive_int,
    "iv_shift": _numbers,
    "targets": _targets,
    "store": _path,
    "min_quotes": _non_negative_int,
}
_THRESHOLD_KEYS = ("min_quotes",)
_TICKER_KEYS = {
    "chain": _paths,
    "chains": _paths,
    "bars": _path,
    "targets": _targets,
    "range": _range,
    "settlement": _settlement,
    "rate": _rate,
    "columns": _columns,
    "quote_time": _quote_time,
    "spot": _spot,
    "input_format": _input_format,
}
LOADER_KEYS = {"columns": "columns", "quote_time": "quote_time", "spot": "underlying_price",
               "input_format": "format"}
"""Watchlist keys passed to ``load_chain``, with the keyword each becomes."""
_TOP_KEYS = ("defaults", "weights", "thresholds", "watchlist", "strict")


def _table(value: Any, key: str, source: Path | None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(key, source, f"expected a table [{key}], got {_type_name(value)}")
    return value
