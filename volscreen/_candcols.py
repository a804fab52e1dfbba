"""Column plumbing shared by the candidate stages: status codes, float inputs, new columns.

The stages (targets, probabilities, cheapness, score) compute on a dict of
numpy arrays; :class:`StatusCodes` collects the ``data_status`` codes they
raise and joins them once at the end, and :func:`volscreen._frames.frame_of`
builds the output frame once from the ordered dict of columns.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import columns as C


class StatusCodes:
    """``data_status`` codes of ``n`` rows: the codes already there, then each flag in order.

    A row's codes keep the order in which they were first raised; a code
    raised twice for a row appears once; a row without codes reads ``ok``.
    """

    def __init__(self, n: int, prior: Any = None) -> None:
        self.n = n
        self.prior = None if prior is None else [
            [c for c in str(s).split(";") if c and c != C.DS_OK] for s in prior]
        self.flags: list[tuple[str, np.ndarray]] = []

    @classmethod
    def of(cls, frame: pd.DataFrame) -> StatusCodes:
        """The codes of ``frame``'s ``data_status`` column (none when it has no such column)."""
        prior = frame[C.DATA_STATUS].tolist() if C.DATA_STATUS in frame.columns else None
        return cls(len(frame), prior)

    def flag(self, mask: Any, code: str) -> None:
        """Raise ``code`` on the rows where ``mask`` is True (a scalar applies to every row)."""
        rows = np.broadcast_to(np.asarray(mask, dtype=bool), (self.n,))
        if rows.any():
            self.flags.append((code, rows))

    def joined(self) -> np.ndarray:
        """``;``-joined codes per row (object array of str)."""
        if self.n == 0:
            return np.empty(0)  # an empty list of codes, as a column: float64, like pandas'
        if self.prior is None:
            if not self.flags:
                return np.full(self.n, C.DS_OK, dtype=object)
            if len(self.flags) < _PATTERN_BITS:  # each row's flags as the bits of one int
                pattern = np.zeros(self.n, dtype=np.int64)
                for bit, (_, rows) in enumerate(self.flags):
                    pattern |= rows.astype(np.int64) << bit
                codes, inverse = np.unique(pattern, return_inverse=True)
                bits = (codes[:, None] >> np.arange(len(self.flags))) & 1
                labels = np.array([self._join([], row) for row in bits.astype(bool)],
                                  dtype=object)
                return labels[inverse.ravel()]
            table = np.array([rows for _, rows in self.flags])  # (flags, rows)
            patterns, inverse = np.unique(table.T, axis=0, return_inverse=True)
            labels = np.array([self._join([], pattern) for pattern in patterns], dtype=object)
            return labels[inverse.ravel()]
        table = np.array([rows for _, rows in self.flags]) if self.flags else \
            np.zeros((0, self.n), dtype=bool)
        return np.array([self._join(list(self.prior[i]), table[:, i]) for i in range(self.n)],
                        dtype=object)

    def _join(self, codes: list[str], pattern: np.ndarray) -> str:
        for (code, _), on in zip(self.flags, pattern):
            if on and code not in codes:
                codes.append(code)
        return ";".join(codes) if codes else C.DS_OK


_PATTERN_BITS = 63
"""Flags up to which :meth:`StatusCodes.joined` reads each row's flags as one int64."""


def floats(frame: pd.DataFrame, names: Any) -> dict[str, np.ndarray]:
    """``{name: float array}`` of ``frame``'s columns (one ``to_numpy`` each)."""
    return {k: frame[k].to_numpy(dtype=float) for k in names}


def with_columns(frame: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """A new frame: ``frame`` with the columns of ``new`` replaced or appended in order.

    One concatenation instead of one block insertion per column (the
    candidate stages add dozens of columns to a few dozen rows).
    """
    fresh = {k: v for k, v in new.items() if k not in frame.columns}
    out = pd.concat([frame, pd.DataFrame(fresh, index=frame.index)], axis=1) if fresh \
        else frame.copy()
    for name, values in new.items():
        if name not in fresh:
            out[name] = values
    return out
