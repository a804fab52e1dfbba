"""Terminal rendering: ScreenResult and stage frames -> rich tables / text.

Pure functions: they build rich renderables or return strings rendered at a
given width; nothing here writes to the terminal (the CLI does).  Vols and
probabilities are shown in percent (15.5%), prices with two decimals; a
missing value shows as ``-`` (its reason is in the status columns of the
exports and in the wide view).

Default tables fit an 80-column terminal; ``wide=True`` adds columns (IV
rank, term slope, range box, legs, reasons, P&L at the targets).
Colour (only when asked for): cheap numbers (IV/RV < 1, cheapness < 1) green,
an active squeeze yellow, failed tickers red.

The screen's tables are built as light grids (:class:`_Grid`): rendered
without colour, a grid whose cells are plain ASCII and whose natural width
fits is laid out here exactly as rich lays out the equivalent table (cells
joined by one space, a rule of the table's width under the header, the
title on its own line), so ``volscreen screen`` need not import rich; any
other case (colour, a cell to shrink or wrap, markup-like text) is handed
to rich.
"""
from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import columns as C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from rich.console import RenderableType
    from rich.table import Table

    from .result import ScreenResult

MISSING = "-"
FREE_TEXT = frozenset({"Legs", "Reasons", "Status"})
"""Columns allowed to wrap inside their cell (wide view)."""
DEFAULT_WIDTH = 80

Formatter = Callable[[Any], str]
Cell = tuple[str, str]  # (text, rich style or "")
_PLAIN_TEXT = re.compile(r"[ -Z\\^-~]*\Z")
"""Printable ASCII without ``[`` and ``]`` (rich markup): laid out without rich."""
RULE = "\u2500"
"""The header rule's character (rich's SIMPLE_HEAD box)."""


class _Grid:
    """A table's title, columns (header, justify) and rows of styled cells.

    (_Grid and _Line are plain classes: a dataclass costs about a
    millisecond to create when this module is imported.)
    """

    __slots__ = ("title", "columns", "rows")

    def __init__(self, title: str | None, columns: list[tuple[str, str]],
                 rows: list[list[Cell]] | None = None) -> None:
        self.title = title
        self.columns = columns
        self.rows: list[list[Cell]] = [] if rows is None else rows

    def to_rich(self) -> Table:
        """The rich Table (cells with a style become ``[style]text[/]`` markup)."""
        table = _table(self.title, self.columns)
        for row in self.rows:
            table.add_row(*(f"[{style}]{text}[/]" if style else text for text, style in row))
        return table

    def plain_lines(self, width: int) -> list[str] | None:
        """The uncoloured lines rich would print, or None when rich must lay it out."""
        columns, rows = self.columns, self.rows
        texts = [h for h, _ in columns] + [t for row in rows for t, _ in row]
        if (not rows or any(len(row) != len(columns) for row in rows)
                or any(j not in ("left", "right") for _, j in columns)
                or not all(_PLAIN_TEXT.match(t) and t == t.strip()  # rich strips a cell
                           for t in texts + [self.title or ""])):
            return None
        widths = [max(len(h), *(len(row[i][0]) for row in rows))
                  for i, (h, _) in enumerate(columns)]
        total = sum(widths) + len(widths) - 1
        if total > width or len(self.title or "") > total:
            return None  # rich would shrink a column or wrap the title

        def line(cells: Sequence[str]) -> str:
            return " ".join(c.rjust(w) if j == "right" else c.ljust(w)
                            for c, w, (_, j) in zip(cells, widths, columns))

        out = [self.title] if self.title else []
        out += [line([h for h, _ in columns]), RULE * total]
        out += [line([t for t, _ in row]) for row in rows]
        return out


class _Line:
    """One line of styled text (a rich Text)."""

    __slots__ = ("text", "style")

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def to_rich(self) -> Any:
        from rich.text import Text

        return Text(self.text, style=self.style)

    def plain_lines(self, width: int) -> list[str] | None:
        ok = len(self.text) <= width and re.fullmatch(r"[ -~]*", self.text) is not None
        return [self.text] if ok else None


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def fmt_pct(value: Any, digits: int = 1) -> str:
    """0.155 -> ``15.5%``; missing -> ``-``."""
    return f"{100 * float(value):.{digits}f}%" if _finite(value) else MISSING


def fmt_num(value: Any, digits: int = 2) -> str:
    """Fixed decimals; missing -> ``-``."""
    return f"{float(value):,.{digits}f}" if _finite(value) else MISSING


def fmt_int(value: Any) -> str:
    """Whole number; missing -> ``-``."""
    return f"{int(round(float(value)))}" if _finite(value) else MISSING


def _missing(value: Any) -> bool:
    import pandas as pd

    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-like cell
        return False


def fmt_text(value: Any) -> str:
    """Text cell; missing -> ``-``."""
    return MISSING if _missing(value) else str(value)


def fmt_date(value: Any) -> str:
    """``YYYY-MM-DD``; missing -> ``-``."""
    import pandas as pd

    if _missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _get(row: Any, name: str) -> Any:
    return row.get(name) if hasattr(row, "get") else None


def _records(frame: pd.DataFrame, names: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of the ``names`` it has, cells as Python objects.

    The cells are those ``DataFrame.iterrows`` gives (each column's
    ``to_numpy(object)``: floats, ``Timestamp``, ``str``, NaN/NaT/NA) at a
    fraction of its cost: only the shown columns are converted, once, and no
    Series is built per row.
    """
    present = [name for name in dict.fromkeys(names) if name in frame.columns]
    columns = [frame[name].to_numpy(object) for name in present]
    if not columns:
        return [{} for _ in range(len(frame))]
    return [dict(zip(present, cells)) for cells in zip(*columns)]


def _pair(row: Any, low: str, high: str, digits: int = 0) -> str:
    a, b = _get(row, low), _get(row, high)
    if not _finite(a) and not _finite(b):
        return MISSING
    return f"{fmt_num(a, digits)}/{fmt_num(b, digits)}"


def _squeeze(row: Any) -> str:
    on = _get(row, C.SQUEEZE_ON)
    bars = _get(row, C.SQUEEZE_BARS)
    if _missing(on):
        return MISSING
    return f"{fmt_int(bars)}d" if bool(on) else "off"


def _table(title: str | None, headers: Sequence[tuple[str, str]]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  padding=(0, 0), title_justify="left", expand=False)
    for header, justify in headers:
        free = header in FREE_TEXT  # long text wraps; every other cell stays whole
        table.add_column(header, justify=justify, no_wrap=not free,  # type: ignore[arg-type]
                         overflow="fold" if free else "ellipsis",
                         min_width=None if free else len(header))
    return table


def _style_cheap(value: Any, threshold: float = 1.0) -> str:
    return "green" if _finite(value) and float(value) < threshold else ""


def summary_table(result: ScreenResult, *, wide: bool = False) -> Table:
    """Ranked per-ticker summary as a rich Table."""
    return _summary_grid(result, wide=wide).to_rich()


SUMMARY_SHOWN = (C.SCREEN_STATUS, C.BEST_SCORE, C.BEST_EXPIRY, C.BEST_STRUCTURE, C.IV30_RV20,
                 C.SQUEEZE_ON, C.SQUEEZE_BARS, C.SCREEN_RANK, C.UNDERLYING, C.SPOT, C.HS_IV30,
                 C.HS_RV20, C.BBW_PCTILE_126, C.TARGET_LOW, C.TARGET_HIGH, C.IV_RANK,
                 C.TERM_SLOPE, C.BOX_FLOOR, C.BOX_CEILING, C.BEST_LEGS)
"""Summary columns the screen table reads."""
CANDIDATES_SHOWN = (C.PUT_STRIKE, C.CALL_STRIKE, C.CHEAPNESS, C.SCREEN_RANK, C.UNDERLYING,
                    C.STRUCTURE, C.EXPIRY, C.DEBIT_NATURAL, C.BREAKEVEN_LOW, C.BREAKEVEN_HIGH,
                    C.P_BEYOND_BE_IV, C.SCORE, C.P_BEYOND_BE_RV, C.P_BEYOND_BE_HIST,
                    C.PNL_AT_EXPIRY_LOW, C.PNL_AT_EXPIRY_HIGH, C.LEGS, C.REASONS)
"""Candidate columns the candidates table reads."""


def _summary_grid(result: ScreenResult, *, wide: bool = False) -> _Grid:
    headers = [("#", "right"), ("Ticker", "left"), ("Spot", "right"), ("IV30", "right"),
               ("RV20", "right"), ("IV/RV", "right"), ("BBW%", "right"),
               ("Sqz", "right"), ("Targets", "right"), ("Best", "left"),
               ("Score", "right")]
    if wide:
        headers[7:7] = [("IVrank", "right"), ("Slope", "right"), ("Box", "right")]
        headers += [("Legs", "left"), ("Status", "left")]
    table = _Grid("Screen", headers)
    for row in _records(result.summary, SUMMARY_SHOWN):
        failed = _get(row, C.SCREEN_STATUS) == C.SCR_FAILED
        best = MISSING
        if _finite(_get(row, C.BEST_SCORE)):
            expiry = _get(row, C.BEST_EXPIRY)
            best = f"{fmt_text(_get(row, C.BEST_STRUCTURE))} {fmt_date(expiry)[5:]}"
        ratio = _get(row, C.IV30_RV20)
        squeeze = _squeeze(row)
        cells = _plain(
            fmt_int(_get(row, C.SCREEN_RANK)),
            fmt_text(_get(row, C.UNDERLYING)),
            fmt_num(_get(row, C.SPOT)),
            fmt_pct(_get(row, C.HS_IV30)),
            fmt_pct(_get(row, C.HS_RV20)),
        )
        cells += [(fmt_num(ratio), _style_cheap(ratio)),
                  (fmt_int(_get(row, C.BBW_PCTILE_126)), ""),
                  (squeeze, "yellow" if squeeze.endswith("d") else ""),
                  (_pair(row, C.TARGET_LOW, C.TARGET_HIGH), ""),
                  (best, "") if not failed else ("failed", "red"),
                  (fmt_num(_get(row, C.BEST_SCORE)), "")]
        if wide:
            cells[7:7] = _plain(fmt_int(_get(row, C.IV_RANK)), fmt_pct(_get(row, C.TERM_SLOPE)),
                                _pair(row, C.BOX_FLOOR, C.BOX_CEILING))
            cells += _plain(fmt_text(_get(row, C.BEST_LEGS)),
                            fmt_text(_get(row, C.SCREEN_STATUS)))
        table.rows.append(cells)
    return table


def _plain(*texts: str) -> list[Cell]:
    return [(text, "") for text in texts]


def candidates_table(result: ScreenResult, *, top: int | None = None,
                     wide: bool = False) -> Table:
    """Ranked candidates (the best ``top`` across tickers) as a rich Table."""
    return _candidates_grid(result, top=top, wide=wide).to_rich()


def _candidates_grid(result: ScreenResult, *, top: int | None = None,
                     wide: bool = False) -> _Grid:
    headers = [("#", "right"), ("Ticker", "left"), ("Structure", "left"), ("Expiry", "left"),
               ("Strikes", "right"), ("Debit", "right"), ("Breakevens", "right"),
               ("P>BE", "right"), ("Cheap", "right"), ("Score", "right")]
    if wide:
        headers[8:8] = [("P>BE rv", "right"), ("P>BE hist", "right"), ("PnL low", "right"),
                        ("PnL high", "right")]
        headers += [("Legs", "left"), ("Reasons", "left")]
    frame = result.candidates
    shown = frame if top is None else frame.head(top)
    title = "Candidates" if top is None or len(frame) <= top else \
        f"Candidates (top {top} of {len(frame)})"
    table = _Grid(title, headers)
    for row in _records(shown, CANDIDATES_SHOWN):
        put, call = _get(row, C.PUT_STRIKE), _get(row, C.CALL_STRIKE)
        strikes = (fmt_num(put, 0) if _finite(put) and put == call
                   else f"{fmt_num(put, 0)}/{fmt_num(call, 0)}")
        cheap = _get(row, C.CHEAPNESS)
        cells = _plain(
            fmt_int(_get(row, C.SCREEN_RANK)),
            fmt_text(_get(row, C.UNDERLYING)),
            fmt_text(_get(row, C.STRUCTURE)),
            fmt_date(_get(row, C.EXPIRY)),
            strikes,
            fmt_num(_get(row, C.DEBIT_NATURAL)),
            _pair(row, C.BREAKEVEN_LOW, C.BREAKEVEN_HIGH, 1),
            fmt_pct(_get(row, C.P_BEYOND_BE_IV), 0),
        )
        cells += [(fmt_num(cheap), "green" if _style_cheap(cheap) else ""),
                  (fmt_num(_get(row, C.SCORE)), "")]
        if wide:
            cells[8:8] = _plain(fmt_pct(_get(row, C.P_BEYOND_BE_RV), 0),
                                fmt_pct(_get(row, C.P_BEYOND_BE_HIST), 0),
                                fmt_num(_get(row, C.PNL_AT_EXPIRY_LOW), 0),
                                fmt_num(_get(row, C.PNL_AT_EXPIRY_HIGH), 0))
            cells += _plain(fmt_text(_get(row, C.LEGS)), fmt_text(_get(row, C.REASONS)))
        table.rows.append(cells)
    return table


def warnings_lines(result: ScreenResult) -> list[str]:
    """One line per warning: ``TICKER: code: message``."""
    frame = result.warnings
    if frame.empty:
        return []
    return [f"{fmt_text(_get(row, C.UNDERLYING))}: {fmt_text(_get(row, C.WARNING_CODE))}: "
            f"{fmt_text(_get(row, C.WARNING_MESSAGE))}"
            for row in _records(frame, (C.UNDERLYING, C.WARNING_CODE, C.WARNING_MESSAGE))]


def screen_renderables(result: ScreenResult, *, wide: bool = False,
                       top: int | None = None) -> list[RenderableType]:
    """Summary table, candidates table and warning lines, in display order."""
    return [part.to_rich() for part in _screen_parts(result, wide=wide, top=top)]


def _screen_parts(result: ScreenResult, *, wide: bool = False,
                  top: int | None = None) -> list[_Grid | _Line]:
    if top is None and result.config is not None:
        top = result.config.top
    parts: list[_Grid | _Line] = [_summary_grid(result, wide=wide)]
    if not result.candidates.empty:
        parts += [_Line(""), _candidates_grid(result, top=top, wide=wide)]
    lines = warnings_lines(result)
    if lines:
        parts += [_Line(""), _Line("Warnings", style="bold")]
        parts += [_Line(f"  {line}", style="red" if ": failed:" in line else "")
                  for line in lines]
    return parts


def to_text(renderables: Sequence[Any], *, width: int = DEFAULT_WIDTH,
            color: bool = False) -> str:
    """Render to a string at a fixed width (plain text unless ``color``).

    ``renderables`` are rich renderables or this module's grids and lines;
    without colour, grids and lines that fit are laid out without rich.
    """
    light = all(isinstance(part, (_Grid, _Line)) for part in renderables)
    if light and not color:
        lines: list[str] = []
        for part in renderables:
            plain = part.plain_lines(width)
            if plain is None:
                break
            lines += plain
        else:
            return "\n".join(line.rstrip() for line in lines) + "\n"
    renderables = [part.to_rich() if isinstance(part, (_Grid, _Line)) else part
                   for part in renderables]
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=not color, force_terminal=color,
                      color_system="standard" if color else None, highlight=False,
                      emoji=False, legacy_windows=False, soft_wrap=False)
    for part in renderables:
        console.print(part)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def render_text(result: ScreenResult, *, width: int = DEFAULT_WIDTH, wide: bool = False,
                color: bool = False, top: int | None = None) -> str:
    """The whole screen as text at ``width`` columns."""
    return to_text(_screen_parts(result, wide=wide, top=top), width=width, color=color)


def frame_table(frame: pd.DataFrame, spec: Sequence[tuple[str, str, Formatter]], *,
                title: str | None = None, limit: int | None = None) -> Table:
    """A rich Table of selected columns of any frame.

    Parameters
    ----------
    frame
        The data (rows shown in order).
    spec
        ``(column, header, formatter)`` triples; columns absent from the frame
        are skipped.
    title
        Table title.
    limit
        Show at most this many rows (the title says so).
    """
    present = [(c, h, f) for c, h, f in spec if c in frame.columns]
    shown = frame if limit is None else frame.head(limit)
    if limit is not None and len(frame) > limit:
        title = f"{title or ''} (first {limit} of {len(frame)} rows)".strip()
    justify: dict[Formatter, str] = {fmt_text: "left", fmt_date: "left"}
    table = _table(title, [(h, justify.get(f, "right")) for _, h, f in present])
    for _, row in shown.iterrows():
        table.add_row(*(f(row[c]) for c, _, f in present))
    return table
