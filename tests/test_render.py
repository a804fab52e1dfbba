"""Rendering: golden text at a fixed width, 80-column fit, colour only when asked."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _screen_data import hand_result
from volscreen import columns as C
from volscreen.render import (
    fmt_num,
    fmt_pct,
    frame_table,
    render_text,
    to_text,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("VOLSCREEN_REGEN_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_golden_hand_result_80() -> None:
    check_golden("hand_result_80.txt", render_text(hand_result(), width=80))


def test_golden_hand_result_wide() -> None:
    check_golden("hand_result_wide.txt", render_text(hand_result(), width=200, wide=True))


@pytest.mark.parametrize("width", [80, 100], ids=["w80", "w100"])
def test_default_tables_fit_without_truncation(width: int) -> None:
    text = render_text(hand_result(), width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text  # nothing had to be cut
    assert "\x1b[" not in text


def test_summary_text_shows_values_in_percent() -> None:
    text = hand_result().summary_text()
    assert "15.5%" in text and "17.1%" in text and "262.21" in text
    assert "12d" in text and "245/275" in text and "failed" in text
    assert "BAD: failed: bad.csv: unknown chain format" in text


def test_wide_adds_legs_and_reasons() -> None:
    narrow = render_text(hand_result(), width=200)
    wide = render_text(hand_result(), width=200, wide=True)
    assert "IWM260320P00262000" not in narrow
    assert "IWM260320P00262000 IWM260320C00262000" in wide and "squeeze_12d" in wide


def test_top_limits_candidates() -> None:
    text = render_text(hand_result(), width=80, top=1)
    assert "top 1 of 3" in text and "strangle_25d" not in text


def test_colour_only_when_asked() -> None:
    coloured = render_text(hand_result(), width=80, color=True)
    assert "\x1b[" in coloured
    assert "\x1b[" not in render_text(hand_result(), width=80, color=False)


@pytest.mark.parametrize(
    "value,pct,num",
    [(0.155, "15.5%", "0.15"), (np.nan, "-", "-"), (None, "-", "-"),
     (1234.5, "123450.0%", "1,234.50"),
     (pd.NA, "-", "-"), (-0.0312, "-3.1%", "-0.03")],
    ids=["vol", "nan", "none", "thousands", "na", "negative"],
)
def test_formatters(value: object, pct: str, num: str) -> None:
    assert fmt_pct(value) == pct and fmt_num(value) == num


def test_frame_table_skips_absent_columns_and_limits_rows() -> None:
    frame = pd.DataFrame({C.STRIKE: [250.0, 255.0, 260.0], C.IV: [0.2, np.nan, 0.18]})
    table = frame_table(frame, [(C.STRIKE, "Strike", fmt_num), (C.IV, "IV", fmt_pct),
                                (C.DELTA, "Delta", fmt_num)], title="Chain", limit=2)
    text = to_text([table], width=60)
    assert "Delta" not in text and "first 2 of 3 rows" in " ".join(text.split())
    assert "20.0%" in text and "-" in text and "260" not in text


def _rich_text(parts, width: int) -> str:
    """The rich rendering of grids and lines (the reference for the plain layout)."""
    from volscreen.render import _Grid, _Line

    return to_text([p.to_rich() if isinstance(p, (_Grid, _Line)) else p for p in parts],
                   width=width)


_CELL = st.one_of(st.from_regex(r"[a-zA-Z0-9./%:-]{1,7}( [a-z0-9]{1,4})?", fullmatch=True),
                  st.just("-"))


@settings(max_examples=120, deadline=None)
@given(headers=st.lists(st.tuples(st.from_regex(r"[A-Z#%>/][a-z>]{0,5}", fullmatch=True),
                                  st.sampled_from(["left", "right"])), min_size=1, max_size=6),
       cells=st.lists(st.lists(st.tuples(_CELL, st.sampled_from(["", "green", "red"])),
                               min_size=6, max_size=6), min_size=1, max_size=4),
       title=st.one_of(st.none(), st.from_regex(r"[A-Z][a-z]{0,9}( \(top [0-9]{1,3}\))?",
                                                fullmatch=True)),
       width=st.integers(8, 120), odd=st.sampled_from([""] * 6 + ["[b]", "é", "\t", "x]", " "]))
def test_plain_layout_equals_rich(headers, cells, title, width, odd) -> None:
    # odd: markup-like, non-ASCII or edge-space text (rich strips a cell) that goes to rich
    from volscreen.render import _Grid, _Line

    rows = [row[:len(headers)] for row in cells]
    if rows and odd:
        rows[0][0] = (rows[0][0][0] + odd, rows[0][0][1])
    grid = _Grid(title, headers, rows)
    parts = [grid, _Line(""), _Line("  a warning: line", style="red")]
    assert to_text(parts, width=width) == _rich_text(parts, width)


@pytest.mark.parametrize("width", [40, 80, 200], ids=["w40-rich", "w80", "w200"])
@pytest.mark.parametrize("wide", [False, True], ids=["default", "wide"])
def test_screen_layout_without_rich_equals_rich(width: int, wide: bool) -> None:
    from volscreen.render import _screen_parts

    parts = _screen_parts(hand_result(), wide=wide)
    assert render_text(hand_result(), width=width, wide=wide) == _rich_text(parts, width)


@pytest.mark.parametrize("table", ["summary", "candidates", "warnings"])
def test_rows_are_the_cells_iterrows_gives(table: str) -> None:
    """The tables read each row's cells as ``DataFrame.iterrows`` would give them."""
    from volscreen.render import CANDIDATES_SHOWN, SUMMARY_SHOWN, _records

    frame = getattr(hand_result(), table)
    names = {"summary": SUMMARY_SHOWN, "candidates": CANDIDATES_SHOWN,
             "warnings": (C.UNDERLYING, C.WARNING_CODE, C.WARNING_MESSAGE)}[table]
    present = [n for n in names if n in frame.columns]
    assert len(present) >= 3
    got = _records(frame, [*names, "no_such_column"])
    assert len(got) == len(frame) > 0
    for row, (_, series) in zip(got, frame.iterrows()):
        assert list(row) == present
        for name in present:
            want, cell = series[name], row[name]
            assert type(cell) is type(want)
            assert (pd.isna(want) and pd.isna(cell)) if pd.isna(want) is True else cell == want
