"""Hand-built screen results shared by the render/export/screen tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

from volscreen import columns as C
from volscreen.config import ScreenConfig
from volscreen.result import ScreenResult

PUT_LEG = "IWM260320P00262000"
CALL_LEG = "IWM260320C00262000"


def hand_summary() -> pd.DataFrame:
    return pd.DataFrame({
        C.SCREEN_RANK: [1, 2],
        C.UNDERLYING: ["IWM", "BAD"],
        C.SOURCE_FILE: ["iwm.csv", "=HYPERLINK(\"x\")"],
        C.QUOTE_TIME: pd.to_datetime(["2026-02-02T21:00:00+00:00", None], utc=True),
        C.SCREEN_STATUS: [C.SCR_OK, C.SCR_FAILED],
        C.SCREEN_REASON: ["", "bad.csv: unknown chain format"],
        C.SPOT: [262.215, np.nan],
        C.HS_IV30: [0.155, np.nan],
        C.IV30_STATUS: [C.CM_OK, C.SCR_FAILED],
        C.HS_RV20: [0.171, np.nan],
        C.IV30_RV20: [0.155 / 0.171, np.nan],
        C.BBW_PCTILE_126: [3.0, np.nan],
        C.SQUEEZE_ON: pd.array([True, pd.NA], dtype="boolean"),
        C.SQUEEZE_BARS: [12.0, np.nan],
        C.TARGET_LOW: [245.0, np.nan],
        C.TARGET_HIGH: [275.0, np.nan],
        C.BEST_STRUCTURE: ["straddle", None],
        C.BEST_EXPIRY: pd.to_datetime(["2026-03-20", None]),
        C.BEST_LEGS: [f"{PUT_LEG} {CALL_LEG}", None],
        C.BEST_SCORE: [0.71, np.nan],
    })


def hand_candidates() -> pd.DataFrame:
    return pd.DataFrame({
        C.SCREEN_RANK: [1, 2, 3],
        C.UNDERLYING: ["IWM", "IWM", "IWM"],
        C.STRUCTURE: ["straddle", "strangle_25d", "strangle_range"],
        C.EXPIRY: pd.to_datetime(["2026-03-20", "2026-03-20", "2026-02-20"]),
        C.PUT_STRIKE: [262.0, 250.0, 255.0],
        C.CALL_STRIKE: [262.0, 274.0, 265.0],
        C.DEBIT_NATURAL: [11.32, 4.10, 3.05],
        C.PNL_AT_EXPIRY_LOW: [568.0, 95.0, np.nan],
        C.BREAKEVEN_LOW: [250.68, 245.90, 251.95],
        C.BREAKEVEN_HIGH: [273.32, 278.10, 268.05],
        C.P_BEYOND_BE_IV: [0.41, 0.30, 0.35],
        C.CHEAPNESS: [0.93, 1.10, np.nan],
        C.SCORE: [0.71, 0.60, 0.52],
        C.LEGS: [f"{PUT_LEG} {CALL_LEG}", "IWM260320P00250000 IWM260320C00274000", "-1+2"],
        C.REASONS: ["squeeze_12d;iv_below_rv", "@SUM(A1)", "no_rv"],
    })


def hand_warnings() -> pd.DataFrame:
    return pd.DataFrame({C.UNDERLYING: ["BAD"], C.SOURCE_FILE: ["bad.csv"],
                         C.WARNING_CODE: [C.SCR_FAILED],
                         C.WARNING_MESSAGE: ["bad.csv: unknown chain format"]})


def hand_result() -> ScreenResult:
    return ScreenResult(hand_summary(), hand_candidates(), config=ScreenConfig(),
                        _warnings=hand_warnings())
