"""Loaders: option chains and price history from files into canonical frames.

Public functions (re-exported by :mod:`volscreen`): :func:`load_chain`,
:func:`save_chain`, :func:`split_chains`, :func:`load_bars`,
:func:`parse_occ`, :func:`occ_symbol`.
"""
from __future__ import annotations

from .bars import load_bars
from .canonical import save_chain, split_chains
from .chain import load_chain
from .formats import FORMAT_NAMES
from .occ import occ_symbol, parse_occ

__all__ = [
    "FORMAT_NAMES", "load_bars", "load_chain", "occ_symbol", "parse_occ", "save_chain",
    "split_chains",
]
