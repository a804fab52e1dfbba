"""Type aliases shared across volscreen (no logic here)."""
from __future__ import annotations

import datetime as _dt
import os
from typing import Literal, Union

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]
ArrayLike = npt.ArrayLike

Right = Literal["C", "P"]
RightLike = Union[str, npt.ArrayLike]
Settlement = Literal["AM", "PM"]
RVEstimator = Literal[
    "close_to_close", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang", "ewma"
]
ChainFormat = Literal[
    "canonical",
    "cboe_datashop",
    "yfinance",
    "hod",
    "deltaneutral",
    "options_desk_json",
    "cboe_snapshot_json",
    "cboe_delayed_json",
    "parquet",
]
PathLike = Union[str, "os.PathLike[str]"]
DateLike = Union[str, _dt.date, _dt.datetime, np.datetime64]
