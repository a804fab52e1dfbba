"""Loaders: option chains and price history from files into canonical frames.

Public functions (re-exported by :mod:`volscreen`): :func:`load_chain`,
:func:`save_chain`, :func:`split_chains`, :func:`load_bars`,
:func:`parse_occ`, :func:`occ_symbol`.
"""
from __future__ import annotations

from .bars import load_bars

__all__ = ["load_bars"]
