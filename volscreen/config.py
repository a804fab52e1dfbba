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

    [watchlist.SPY]          # a file the loader cannot fully read by itself
    chain = "spy_yf_2025-08-26_afterclose.csv"
    quote_time = 2025-08-26  # no time in the file: a date alone is the 16:00 New York close
    spot = 645.16            # no underlying price in the file
    # columns = { "Strike Px" = "strike" }  # a broker's column -> canonical column
    # input_format = "yfinance"             # force the chain format (else detected)

Relative paths are resolved against the directory of the config file.
Unknown keys and wrong types raise :class:`~volscreen.errors.ConfigError`
naming the file and the dotted key.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._config_checks import (
    _DEFAULT_KEYS,
    _THRESHOLD_KEYS,
    _TICKER_KEYS,
    _TOP_KEYS,
    DEFAULT_WEIGHTS,
    LOADER_KEYS,
    MAX_RATE,
    SETTLEMENTS,
    _fail,
    _numbers,
    _table,
    _type_name,
    _weights,
)
from .errors import ConfigError

__all__ = ["DEFAULT_WEIGHTS", "MAX_RATE", "SETTLEMENTS", "ScreenConfig", "TickerConfig",
           "config_from_mapping", "load_config", "parse_numbers"]

DEFAULT_RATE = 0.04
DEFAULT_DTE = (7, 60)
DEFAULT_DELTAS = (0.25, 0.16)
DEFAULT_TOP = 10
DEFAULT_IV_SHIFT = (-0.03, 0.0, 0.03)
DEFAULT_MIN_QUOTES = 50


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
    columns
        ``(file_name, canonical_name)`` pairs mapping a broker's columns onto
        canonical ones (``load_chain(columns=...)``), or None.
    quote_time
        Quote time of every row for files without one (``load_chain(quote_time=...)``;
        naive = New York, a date alone = the 16:00 close), or None.
    spot
        Underlying price for rows without one (``load_chain(underlying_price=...)``),
        or None.
    input_format
        Chain format forced instead of detected (``load_chain(format=...)``), or None.
    """

    ticker: str
    chains: tuple[Path, ...] = ()
    bars: Path | None = None
    targets: tuple[float, ...] | None = None
    range: tuple[float, float] | None = None
    settlement: str | None = None
    rate: float | None = None
    columns: tuple[tuple[str, str], ...] | None = None
    quote_time: Any = None
    spot: float | None = None
    input_format: str | None = None

    def load_options(self) -> dict[str, Any]:
        """Keyword arguments of ``load_chain`` set by this entry (None values left out)."""
        values = {keyword: getattr(self, key) for key, keyword in LOADER_KEYS.items()}
        if values["columns"] is not None:
            values["columns"] = dict(values["columns"])
        return {k: v for k, v in values.items() if v is not None}


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
        for entry, original in zip(plain["watchlist"], self.watchlist):
            if original.columns is not None:
                entry["columns"] = dict(original.columns)
            if original.quote_time is not None:
                entry["quote_time"] = str(original.quote_time)
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
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
            raise _fail("strict", source,
                        f"expected true or false, got {_type_name(data['strict'])}")
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


def parse_numbers(value: Any, key: str) -> tuple[float, ...]:
    """``"245,275"`` (or a list) -> ``(245.0, 275.0)``; ConfigError naming ``key``."""
    return _numbers(value, key, None)
