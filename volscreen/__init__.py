"""volscreen: an options volatility-compression screener.

Is the underlying coiled (compressed realized range and Bollinger width),
and are its options cheap enough that a long straddle or strangle pays if the
range breaks to its measured-move targets?

The public API is re-exported here; import from ``volscreen`` rather than
from submodules.  Submodules load on first use, so ``import volscreen`` stays
fast for the command line.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "VolscreenError": "errors",
    "DataError": "errors",
    "UnreadableFileError": "errors",
    "UnknownFormatError": "errors",
    "SchemaError": "errors",
    "ChainSchemaError": "errors",
    "BarsSchemaError": "errors",
    "EmptyDataError": "errors",
    "DuplicateContractError": "errors",
    "ConfigError": "errors",
    "StoreError": "errors",
    "VolscreenWarning": "errors",
    "DataQualityWarning": "errors",
    # clock
    "year_fraction": "clock",
    "settlement_instant": "clock",
    # loaders
    "load_chain": "loaders",
    "save_chain": "loaders",
    "split_chains": "loaders",
    "load_bars": "loaders",
    "parse_occ": "loaders",
    "occ_symbol": "loaders",
    # pricing and implied volatility
    "bsm_price": "pricing",
    "black_price": "pricing",
    "bsm_greeks": "pricing",
    "black_greeks": "pricing",
    "implied_vol": "implied",
    "black_implied_vol": "implied",
    "implied_vols": "implied",
    "forwards": "forward",
    # surface and term structure
    "term_structure": "surface",
    "constant_maturity": "surface",
    "smile": "surface",
    "fit_svi": "surface",
    "term_slope": "surface",
    "forward_delta": "surface",
    "SviFit": "svi",
    "model_free_vol": "variance",
    "ModelFreeVol": "variance",
    # realized volatility and compression
    "realized_vol": "realized",
    "realized_vols": "realized",
    "vol_cone": "realized",
    "rv_forecast": "realized",
    "RVForecast": "realized",
    "compression": "indicators",
    "compression_summary": "indicators",
    "range_box": "rangebox",
    "RangeBox": "rangebox",
    # candidate structures, targets, probabilities and score
    "candidates": "structures",
    "straddles": "structures",
    "strangles": "structures",
    "build_structures": "structures",
    "pnl_grid": "targets",
    "prob_touch": "probability",
    "prob_beyond": "probability",
    "compression_condition": "probability",
    "HistCondition": "probability",
    "ScoreWeights": "score",
    # the screen
    "screen": "screening",
    "ScreenJob": "screening",
    "jobs_from_paths": "screening",
    "cut_bars": "screening",
    "ScreenResult": "result",
    "ScreenConfig": "config",
    "TickerConfig": "config",
    "load_config": "config",
    "config_from_mapping": "config",
    "write_result": "export",
    "write_frame": "export",
    # IV history store and ranks
    "HistoryStore": "store",
    "Snapshot": "store",
    "RecordResult": "store",
    "iv_rank": "ranks",
    "rank_table": "ranks",
    "RankResult": "ranks",
    "build_snapshot": "snapshot",
    "record_chain": "snapshot",
    "backfill_chains": "snapshot",
    "backfill_series": "snapshot",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover - static analysers see real imports
    from .clock import settlement_instant, year_fraction
    from .config import ScreenConfig, TickerConfig, config_from_mapping, load_config
    from .indicators import compression, compression_summary
    from .errors import (
        BarsSchemaError,
        ChainSchemaError,
        ConfigError,
        DataError,
        DataQualityWarning,
        DuplicateContractError,
        EmptyDataError,
        SchemaError,
        StoreError,
        UnknownFormatError,
        UnreadableFileError,
        VolscreenError,
        VolscreenWarning,
    )
    from .export import write_frame, write_result
    from .forward import forwards
    from .implied import black_implied_vol, implied_vol, implied_vols
    from .loaders import load_bars, load_chain, occ_symbol, parse_occ, save_chain, split_chains
    from .pricing import black_greeks, black_price, bsm_greeks, bsm_price
    from .rangebox import RangeBox, range_box
    from .result import ScreenResult
    from .screening import ScreenJob, cut_bars, jobs_from_paths, screen
    from .realized import RVForecast, realized_vol, realized_vols, rv_forecast, vol_cone
    from .surface import constant_maturity, fit_svi, smile, term_structure
    from .probability import HistCondition, compression_condition, prob_beyond, prob_touch
    from .ranks import RankResult, iv_rank, rank_table
    from .score import ScoreWeights
    from .snapshot import backfill_chains, backfill_series, build_snapshot, record_chain
    from .store import HistoryStore, RecordResult, Snapshot
    from .structures import build_structures, candidates, straddles, strangles
    from .targets import pnl_grid
    from .variance import model_free_vol


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'volscreen' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
