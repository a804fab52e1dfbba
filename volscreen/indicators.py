"""Compression: Bollinger width, Keltner/TTM squeeze, ATR, RSI, moving averages.

Indicators use the raw (unadjusted) OHLC, like the prices on a chart and
the strikes of the options; realized-vol terms in the summary follow the
adjustment rules of :mod:`volscreen.realized`.  Every window is aligned on
its last bar and is NaN until full; ``compression_status`` explains every NaN
of a row.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import columns as col
from ._rolling import (
    check_bars,
    ema,
    rolling_mean,
    rolling_std,
    run_length,
    trailing_percentile,
    trailing_percentiles,
    wilder,
)
from ._typing import FloatArray
from .errors import ConfigError

__all__ = ["compression", "compression_summary"]

BB_PERIOD = 20
BB_NDEV = 2.0
KC_PERIOD = 20
KC_ATR_MULT = 1.5
ATR_PERIOD = 14
RSI_PERIOD = 14
SMA_PERIODS = (20, 50, 200)
BBW_PCTILE_WINDOWS = (126, 252)
BBW_LOW_LOOKBACK = 126
ATR_PCTILE_WINDOW = 252
_STATUS_DTYPE = pd.CategoricalDtype(list(col.COMPRESSION_STATUSES))
"""dtype of ``compression_status`` (built once: it costs more than the codes)."""
KELTNER_VARIANT = "EMA(20) +/- 1.5 x Wilder ATR(20) (Raschke / TTM-squeeze Keltner)"
"""The Keltner channel variant used for the squeeze."""


def true_range(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """max(H - L, |H - C_prev|, |L - C_prev|); NaN at the first bar (no previous close)."""
    prev = np.concatenate(([np.nan], close[:-1]))
    tr = np.maximum(high - low, np.maximum(np.abs(high - prev), np.abs(low - prev)))
    tr[0] = np.nan
    return tr


def atr(high: FloatArray, low: FloatArray, close: FloatArray, period: int) -> FloatArray:
    """Wilder ATR: mean of the first ``period`` true ranges (bars 1..period), then Wilder."""
    return wilder(true_range(high, low, close), period, first=1)


def rsi(close: FloatArray, period: int) -> FloatArray:
    """Wilder RSI (TA-Lib default): first value at bar ``period``; NaN where there is no move."""
    diff = np.concatenate(([np.nan], np.diff(close)))
    gain = wilder(np.where(diff > 0, diff, 0.0), period, first=1)
    loss = wilder(np.where(diff < 0, -diff, 0.0), period, first=1)
    total = gain + loss
    # 0/0 on flat stretches -> NaN, reported as status flat
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100.0 * gain / total, np.nan)


def compression(
    bars: pd.DataFrame,
    *,
    bb_period: int = BB_PERIOD,
    bb_ndev: float = BB_NDEV,
    kc_period: int = KC_PERIOD,
    kc_atr_mult: float = KC_ATR_MULT,
    atr_period: int = ATR_PERIOD,
    rsi_period: int = RSI_PERIOD,
    low_lookback: int = BBW_LOW_LOOKBACK,
) -> pd.DataFrame:
    """Compression indicators, one row per bar.

    Parameters
    ----------
    bars
        Daily bars (``volscreen.load_bars``): needs ``open``, ``high``,
        ``low``, ``close`` (raw prices); any increasing index.
    bb_period, bb_ndev
        Bollinger window and width in standard deviations (20, 2).
    kc_period, kc_atr_mult
        Keltner EMA/ATR window and ATR multiple (20, 1.5).
    atr_period, rsi_period
        Wilder periods of the ``atr`` and ``rsi`` columns (14, 14).
    low_lookback
        N of the ``bbw_new_low`` flag (126 bars).

    Returns
    -------
    pandas.DataFrame
        Same index as ``bars``; columns ``bb_upper``, ``bb_middle``,
        ``bb_lower``, ``bbw``, ``pct_b``, ``bbw_pctile_126``,
        ``bbw_pctile_252``, ``bbw_new_low``, ``kc_upper``, ``kc_middle``,
        ``kc_lower``, ``squeeze_on``, ``squeeze_bars``, ``atr``,
        ``atr_pct``, ``atr_pctile_252``, ``rsi``, ``sma_20``, ``sma_50``,
        ``sma_200``, ``dist_sma_20``, ``dist_sma_50``, ``dist_sma_200``,
        ``compression_status`` (``ok``, ``warmup``: some window not full,
        its value NaN; ``flat``: no price movement, ``pct_b``/``rsi`` NaN;
        a categorical column).

    Notes
    -----
    * Bollinger: M = SMA_20(C), U/L = M +/- 2 sigma with sigma the
      *population* standard deviation (ddof = 0) of the same 20 closes;
      BBW = (U - L)/M as a fraction; %B = (C - L)/(U - L), unclipped.
    * BBW percentile over N = 126 or 252: 100 x (number of the previous N
      bars whose BBW is strictly below today's) / N; a new N-bar low is 0.
    * ``bbw_new_low``: today's BBW is the lowest of the last ``low_lookback``
      bars, today included (Bollinger's squeeze).
    * ATR (Wilder): TR_t = max(H - L, |H - C_{t-1}|, |L - C_{t-1}|) from bar
      1; the first ATR (bar n) is the mean of TR_1..TR_n, then
      ATR_t = (ATR_{t-1} (n - 1) + TR_t)/n.  ``atr_pct`` = ATR/C.
    * RSI (Wilder, as TA-Lib): average gain/loss seeded by the means of the
      first n changes, then Wilder smoothing; RSI = 100 AG/(AG + AL).
    * Keltner, variant named in ``KELTNER_VARIANT``: middle = EMA_20(C) with
      alpha = 2/21 seeded by SMA_20; bands = middle +/- 1.5 x ATR_20 (Wilder).
    * TTM squeeze (John Carter): on while U < KC upper and L > KC lower;
      ``squeeze_bars`` counts consecutive squeeze bars ending at the bar.
    * SMA 20/50/200 of C; ``dist_sma_n`` = C/SMA_n - 1.
    """
    params: dict[str, Any] = {
        "bb_period": int(bb_period), "bb_ndev": float(bb_ndev), "kc_period": int(kc_period),
        "kc_atr_mult": float(kc_atr_mult), "atr_period": int(atr_period),
        "rsi_period": int(rsi_period), "low_lookback": int(low_lookback)}
    _check_periods(params)
    data = _indicators(check_bars(bars), **params)
    bbw = data[col.BBW]
    # the new-low flag shares the comparison pass: today's BBW is the lowest of the last
    # N bars exactly when none of the N - 1 before it is strictly below (NaN -> False)
    pct_126, pct_252, pct_low = trailing_percentiles(
        bbw, BBW_PCTILE_WINDOWS + (params["low_lookback"] - 1,))
    data[col.BBW_PCTILE_126] = pct_126
    data[col.BBW_PCTILE_252] = pct_252
    data[col.BBW_NEW_LOW] = pct_low == 0.0
    data[col.ATR_PCTILE_252] = trailing_percentile(data[col.ATR_PCT], ATR_PCTILE_WINDOW)
    codes = _status_codes(data, np.arange(bbw.shape[0]) >= params["rsi_period"])
    ordered: dict[str, Any] = {name: data[name] for name in _COLUMNS}
    ordered[col.COMPRESSION_STATUS] = pd.Categorical.from_codes(codes, dtype=_STATUS_DTYPE)
    return pd.DataFrame(ordered, index=bars.index.copy())


_COLUMNS = (
    col.BB_UPPER, col.BB_MIDDLE, col.BB_LOWER, col.BBW, col.PCT_B, col.BBW_PCTILE_126,
    col.BBW_PCTILE_252, col.BBW_NEW_LOW, col.KC_UPPER, col.KC_MIDDLE, col.KC_LOWER,
    col.SQUEEZE_ON, col.SQUEEZE_BARS, col.ATR, col.ATR_PCT, col.ATR_PCTILE_252, col.RSI,
    col.SMA_20, col.SMA_50, col.SMA_200, col.DIST_SMA_20, col.DIST_SMA_50, col.DIST_SMA_200,
)
"""Output columns of :func:`compression`, in order (the status column follows)."""


def _check_periods(params: dict[str, Any]) -> None:
    for name in ("bb_period", "kc_period", "atr_period", "rsi_period", "low_lookback"):
        if params[name] < 2:
            raise ConfigError(f"{name} must be at least 2, got {params[name]!r}")


def _indicators(
    arrays: dict[str, FloatArray],
    *,
    bb_period: int,
    bb_ndev: float,
    kc_period: int,
    kc_atr_mult: float,
    atr_period: int,
    rsi_period: int,
    low_lookback: int,
) -> dict[str, Any]:
    """Every column of :func:`compression` but the trailing percentiles, ``bbw_new_low``
    and the status, from validated arrays (``high``, ``low``, ``close``)."""
    del low_lookback  # used by the callers, which look back over the BBW history
    high, low, close = arrays[col.HIGH], arrays[col.LOW], arrays[col.CLOSE]
    middle = rolling_mean(close, bb_period)
    sigma = rolling_std(close, bb_period, ddof=0)
    upper = middle + bb_ndev * sigma
    lower = middle - bb_ndev * sigma
    bbw = (upper - lower) / middle
    width = upper - lower
    flat = width == 0.0
    with np.errstate(invalid="ignore", divide="ignore"):  # zero width -> NaN, status flat
        pct_b = np.where(flat, np.nan, (close - lower) / np.where(flat, 1.0, width))

    atr_kc = atr(high, low, close, kc_period)
    kc_mid = ema(close, kc_period)
    kc_up = kc_mid + kc_atr_mult * atr_kc
    kc_lo = kc_mid - kc_atr_mult * atr_kc
    squeeze = (upper < kc_up) & (lower > kc_lo)
    atr_n = atr_kc if atr_period == kc_period else atr(high, low, close, atr_period)

    data: dict[str, Any] = {
        col.BB_UPPER: upper,
        col.BB_MIDDLE: middle,
        col.BB_LOWER: lower,
        col.BBW: bbw,
        col.PCT_B: pct_b,
        col.KC_UPPER: kc_up,
        col.KC_MIDDLE: kc_mid,
        col.KC_LOWER: kc_lo,
        col.SQUEEZE_ON: squeeze,
        col.SQUEEZE_BARS: run_length(squeeze),
        col.ATR: atr_n,
        col.ATR_PCT: atr_n / close,
        col.RSI: rsi(close, rsi_period),
        "_flat": flat,
    }
    for n, sma_name, dist_name in zip(SMA_PERIODS, (col.SMA_20, col.SMA_50, col.SMA_200),
                                      (col.DIST_SMA_20, col.DIST_SMA_50, col.DIST_SMA_200)):
        sma = middle if n == bb_period else rolling_mean(close, n)
        data[sma_name] = sma
        data[dist_name] = close / sma - 1.0
    return data


def _status_codes(data: dict[str, Any], past_rsi_warmup: np.ndarray) -> np.ndarray:
    """Positions in COMPRESSION_STATUSES for the rows of ``data`` (arrays of equal length).

    A window-driven NaN is warmup; a NaN beyond every warmup is explained by a
    flat market (RSI is defined from bar ``rsi_period`` on, whatever the ATR
    period: ``past_rsi_warmup`` marks those rows).
    """
    any_nan = np.zeros(past_rsi_warmup.shape[0], dtype=bool)
    for name in _COLUMNS:
        value = data[name]
        if value.dtype.kind == "f":
            any_nan |= np.isnan(value)
    flat_row = data["_flat"] | (np.isnan(data[col.RSI]) & past_rsi_warmup)
    return np.where(flat_row, 2, np.where(any_nan, 1, 0))


def compression_summary(
    bars: pd.DataFrame,
    *,
    as_of: object | None = None,
    range_days: int = 20,
    rv_short: int = 10,
    rv_long: int = 60,
) -> pd.Series:
    """Compression state of the latest bar (or of the bar labelled ``as_of``).

    Parameters
    ----------
    bars
        Daily bars as for :func:`compression`.
    as_of
        Bar label to summarise (history after it is ignored); default the last bar.
    range_days
        N of the high-low range.
    rv_short, rv_long
        Windows of the realized-vol ratio (Yang-Zhang, 10 and 60 bars).

    Returns
    -------
    pandas.Series
        ``as_of``, ``close``, ``bbw``, ``bbw_pctile_126``, ``bbw_pctile_252``,
        ``bbw_new_low``, ``squeeze_on``, ``squeeze_bars``, ``rv_10``,
        ``rv_60`` (names follow the windows), ``rv_ratio`` (short/long),
        ``range_pct`` = (max high - min low over ``range_days``)/close,
        ``atr``, ``atr_pct``, ``atr_pctile_252``, ``rsi``, ``sma_50``,
        ``dist_sma_50``, ``sma_200``, ``dist_sma_200``, and
        ``compression_status`` / ``rv_status`` explaining any NaN.
    """
    if as_of is not None:
        if as_of not in bars.index:
            raise ConfigError(f"as_of {as_of!r} is not a bar of the history")
        bars = bars.loc[:as_of]
    return _summary(bars, check_bars(bars), None, range_days=range_days, rv_short=rv_short,
                    rv_long=rv_long)


def _summary(bars: pd.DataFrame, arrays: dict[str, FloatArray], parts: Any, *,
             range_days: int = 20, rv_short: int = 10, rv_long: int = 60) -> pd.Series:
    """:func:`compression_summary` of the last bar from ``check_bars`` arrays and the
    split-checked :class:`volscreen.realized._Parts` of ``bars`` (None: built here), so a
    caller that has them (the screen's bars stage) does not validate the bars again."""
    from .realized import _prepare, _rv_arrays

    params: dict[str, Any] = {
        "bb_period": BB_PERIOD, "bb_ndev": BB_NDEV, "kc_period": KC_PERIOD,
        "kc_atr_mult": KC_ATR_MULT, "atr_period": ATR_PERIOD, "rsi_period": RSI_PERIOD,
        "low_lookback": BBW_LOW_LOOKBACK}
    data = _indicators(arrays, **params)
    # only the latest bar is reported: its percentiles and flags need only its own windows
    last = {name: value[-1:] for name, value in data.items()}
    bbw = data[col.BBW]
    for name, window in zip((col.BBW_PCTILE_126, col.BBW_PCTILE_252), BBW_PCTILE_WINDOWS):
        last[name] = trailing_percentile(bbw[-(window + 1):], window)[-1:]
    last[col.ATR_PCTILE_252] = trailing_percentile(
        data[col.ATR_PCT][-(ATR_PCTILE_WINDOW + 1):], ATR_PCTILE_WINDOW)[-1:]
    recent = bbw[-BBW_LOW_LOOKBACK:]
    # the last value of rolling_extreme(recent, BBW_LOW_LOOKBACK, "min"): the minimum of a
    # full window without NaN, else NaN (no comparison is True)
    full = recent.size == BBW_LOW_LOOKBACK and not np.isnan(recent).any()
    last[col.BBW_NEW_LOW] = recent[-1:] <= (recent.min() if full else np.nan)
    n_bars = bbw.shape[0]
    code = int(_status_codes(last, np.array([n_bars - 1 >= RSI_PERIOD]))[0])

    if parts is None:
        parts = _prepare(bars, True, arrays)
    rv_data, rv_status = _rv_arrays(parts, (rv_short, rv_long), "yang_zhang")
    short_name, long_name = f"{col.RV_PREFIX}{rv_short}", f"{col.RV_PREFIX}{rv_long}"
    high, low, close = arrays[col.HIGH], arrays[col.LOW], arrays[col.CLOSE]
    n = min(int(range_days), n_bars)
    rv_s, rv_l = float(rv_data[short_name][-1]), float(rv_data[long_name][-1])
    summary = {
        col.AS_OF: bars.index[-1],
        col.CLOSE: close[-1],
        col.BBW: last[col.BBW][0],
        col.BBW_PCTILE_126: last[col.BBW_PCTILE_126][0],
        col.BBW_PCTILE_252: last[col.BBW_PCTILE_252][0],
        col.BBW_NEW_LOW: bool(last[col.BBW_NEW_LOW][0]),
        col.SQUEEZE_ON: bool(last[col.SQUEEZE_ON][0]),
        col.SQUEEZE_BARS: int(last[col.SQUEEZE_BARS][0]),
        short_name: rv_s,
        long_name: rv_l,
        col.RV_RATIO: rv_s / rv_l if rv_l > 0 else np.nan,
        col.RANGE_PCT: (np.max(high[-n:]) - np.min(low[-n:])) / close[-1],
        col.ATR: last[col.ATR][0],
        col.ATR_PCT: last[col.ATR_PCT][0],
        col.ATR_PCTILE_252: last[col.ATR_PCTILE_252][0],
        col.RSI: last[col.RSI][0],
        col.SMA_50: last[col.SMA_50][0],
        col.DIST_SMA_50: last[col.DIST_SMA_50][0],
        col.SMA_200: last[col.SMA_200][0],
        col.DIST_SMA_200: last[col.DIST_SMA_200][0],
        col.COMPRESSION_STATUS: col.COMPRESSION_STATUSES[code],
        col.RV_STATUS: rv_status[-1],
    }
    return pd.Series(summary, name=bars.index[-1], dtype=object)
