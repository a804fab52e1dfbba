"""Screen settings: frozen dataclasses and the ``volscreen.toml`` reader.

A config holds the defaults of a screen (rate, DTE window, strangle deltas,
score weights, thresholds) and an optional watchlist (per ticker: chain
file(s), price history, targets or range, settlement style).  Command-line
flags override config values through :meth:`ScreenConfig.replace`, which
validates exactly like the file reader, so a bad value is reported the same
way wherever it comes from.

File layout (every section and key optional)::

    [defaults]
    rate = 0.04              # flat continuously-compounded rate, decimal
    dte = [7, 60]            # calendar-day window of expiries to screen
    deltas = [0.25, 0.16]    # strangle deltas
    top = 10                 # candidates shown per screen
    iv_shift = [-0.03, 0.0, 0.03]
    store = "history.sqlite" # IV history store (relative to this file)

    [weights]                # score weights (normalised by their sum)
    compression = 0.3
    cheapness = 0.3
    target_reach = 0.25
    liquidity = 0.15

    [thresholds]
    min_quotes = 50          # fewer usable quotes: the ticker is "thin"

    [watchlist.IWM]
    chains = ["iwm_chain_sample.csv"]   # or chain = "..." (file or directory)
    bars = "iwm_bars_sample.csv"
    targets = [245, 275]     # or range = [255, 265] (floor, ceiling)
    settlement = "PM"

Relative paths are resolved against the directory of the config file.
Unknown keys and wrong types raise :class:`~volscreen.errors.ConfigError`
naming the file and the dotted key.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_RATE = 0.04
DEFAULT_DTE = (7, 60)
DEFAULT_DELTAS = (0.25, 0.16)
DEFAULT_TOP = 10
DEFAULT_IV_SHIFT = (-0.03, 0.0, 0.03)
DEFAULT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("compression", 0.30),
    ("cheapness", 0.30),
    ("target_reach", 0.25),
    ("liquidity", 0.15),
)
DEFAULT_MIN_QUOTES = 50
MAX_RATE = 1.0  # |rate| above 100 % is surely a percent typed as a number
SETTLEMENTS = ("AM", "PM")


@dataclass(frozen=True)
class TickerConfig:
    """One watchlist entry.

    Attributes
    ----------
    ticker
        Underlying symbol (upper case).
    chains
        Chain files or directories (every chain file inside is screened).
    bars
        Daily OHLCV history of the underlying, or None (then the realized
        and compression columns are NaN with a reason).
    targets
        Price levels to test candidates against, or None.
    range
        ``(floor, ceiling)`` of a user-given range box, or None (detected
        from the bars).
    settlement
        ``"AM"``/``"PM"`` to force the settlement style, or None (inferred
        from the option root).
    rate
        Per-ticker rate overriding the default, or None.
    """

    ticker: str
    chains: tuple[Path, ...] = ()
    bars: Path | None = None
    targets: tuple[float, ...] | None = None
    range: tuple[float, float] | None = None
    settlement: str | None = None
    rate: float | None = None


@dataclass(frozen=True)
class ScreenConfig:
    """Everything a screen uses, so a run can be reproduced.

    Attributes
    ----------
    rate
        Flat continuously-compounded rate (decimal, 0.04 = 4 %).
    dte
        ``(min, max)`` calendar days to expiry of the expiries screened,
        both inclusive.
    deltas
        Absolute call/put deltas of the strangles by delta.
    top
        Number of candidates kept per ticker in the rendered table (the
        result and exports keep all of them).
    iv_shift
        Implied-vol shifts (decimal vol) of the horizon P&L scenarios.
    weights
        ``(component, weight)`` pairs of the score.
    min_quotes
        A chain with fewer usable quotes (``quote_status == "ok"``) is thin:
        screened, with a warning.
    targets
        Targets applied to every ticker without its own, or None.
    store
        Path of the IV history store, or None (no IV rank).
    strict
        Fail (exit non-zero) when any ticker fails.
    watchlist
        Watchlist entries, in file order.
    source
        The config file this was read from, or None.
    """

    rate: float = DEFAULT_RATE
    dte: tuple[int, int] = DEFAULT_DTE
    deltas: tuple[float, ...] = DEFAULT_DELTAS
    top: int = DEFAULT_TOP
    iv_shift: tuple[float, ...] = DEFAULT_IV_SHIFT
    weights: tuple[tuple[str, float], ...] = DEFAULT_WEIGHTS
    min_quotes: int = DEFAULT_MIN_QUOTES
    targets: tuple[float, ...] | None = None
    store: Path | None = None
    strict: bool = False
    watchlist: tuple[TickerConfig, ...] = field(default=())
    source: Path | None = None

    def replace(self, **overrides: Any) -> ScreenConfig:
        """Return a copy with ``overrides`` applied and validated.

        ``None`` values are ignored, so CLI options that were not given can be
        passed straight through.  Raises :class:`ConfigError` naming the key
        for unknown keys or bad values.
        """
        values: dict[str, Any] = {}
        for key, value in overrides.items():
            if value is None:
                continue
            if key not in _DEFAULT_KEYS and key not in {"watchlist", "strict", "weights"}:
                raise ConfigError(f"unknown setting {key!r}", column=key)
            if key == "weights":
                values[key] = _weights(dict(value), "weights", None)
            elif key == "watchlist":
                values[key] = tuple(value)
            elif key == "strict":
                values[key] = bool(value)
            else:
                values[key] = _DEFAULT_KEYS[key](value, key, None)
        return dataclasses.replace(self, **values)

    @property
    def weight_map(self) -> dict[str, float]:
        """Score weights as a dict."""
        return dict(self.weights)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (paths as strings, tuples as lists)."""
        plain = _plain(dataclasses.asdict(self))
        plain["weights"] = dict(self.weights)
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


# ---------------------------------------------------------------------------
# validation: each checker takes (value, dotted key, source file)
# ---------------------------------------------------------------------------
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
}
_TOP_KEYS = ("defaults", "weights", "thresholds", "watchlist", "strict")


def _table(value: Any, key: str, source: Path | None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(key, source, f"expected a table [{key}], got {_type_name(value)}")
    return value


def _ticker(name: str, table: Any, source: Path | None) -> TickerConfig:
    key = f"watchlist.{name}"
    entry = _table(table, key, source)
    values: dict[str, Any] = {}
    for item, value in entry.items():
        checker = _TICKER_KEYS.get(item)
        if checker is None:
            raise _fail(f"{key}.{item}", source,
                        f"unknown key (known: {', '.join(_TICKER_KEYS)})")
        values[item] = checker(value, f"{key}.{item}", source)
    chains = values.pop("chain", ()) + values.pop("chains", ())
    if not chains:
        raise _fail(key, source, "a watchlist entry needs chain = \"FILE\" or chains = [...]")
    if "targets" in values and "range" in values:
        raise _fail(key, source, "give targets or range, not both")
    return TickerConfig(ticker=name.upper(), chains=chains, **values)


def config_from_mapping(data: Mapping[str, Any], source: Path | None = None) -> ScreenConfig:
    """Build a validated :class:`ScreenConfig` from a parsed TOML mapping.

    Parameters
    ----------
    data
        The mapping (as returned by ``tomllib.load``).
    source
        The file it came from: named in errors, and the base of relative paths.

    Raises
    ------
    ConfigError
        Unknown key, wrong type or out-of-range value; the message names the
        file and the dotted key.
    """
    values: dict[str, Any] = {}
    for key in data:
        if key not in _TOP_KEYS:
            raise _fail(key, source, f"unknown section or key (known: {', '.join(_TOP_KEYS)})")
    for key, value in _table(data.get("defaults", {}), "defaults", source).items():
        checker = _DEFAULT_KEYS.get(key)
        if checker is None or key in _THRESHOLD_KEYS:
            raise _fail(f"defaults.{key}", source, "unknown key (known: "
                        + ", ".join(k for k in _DEFAULT_KEYS if k not in _THRESHOLD_KEYS) + ")")
        values[key] = checker(value, f"defaults.{key}", source)
    for key, value in _table(data.get("thresholds", {}), "thresholds", source).items():
        if key not in _THRESHOLD_KEYS:
            raise _fail(f"thresholds.{key}", source,
                        f"unknown key (known: {', '.join(_THRESHOLD_KEYS)})")
        values[key] = _DEFAULT_KEYS[key](value, f"thresholds.{key}", source)
    if "weights" in data:
        values["weights"] = _weights(data["weights"], "weights", source)
    if "strict" in data:
        if not isinstance(data["strict"], bool):
            raise _fail("strict", source, f"expected true or false, got {_type_name(data['strict'])}")
        values["strict"] = data["strict"]
    watch = _table(data.get("watchlist", {}), "watchlist", source)
    values["watchlist"] = tuple(_ticker(str(name), table, source) for name, table in watch.items())
    return ScreenConfig(source=source, **values)


def load_config(path: str | Path) -> ScreenConfig:
    """Read and validate a ``volscreen.toml`` file.

    Parameters
    ----------
    path
        The TOML file.

    Returns
    -------
    ScreenConfig
        Defaults overridden by the file; watchlist paths resolved against the
        file's directory.

    Raises
    ------
    ConfigError
        The file is missing, is not valid TOML (line and column given), or has
        an unknown key or a wrong type (dotted key named).
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    source = Path(path)
    try:
        with source.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("config file not found", source=source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror}", source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=source) from None
    return config_from_mapping(data, source=source)
