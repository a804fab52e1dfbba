"""Stage subcommands of the ``volscreen`` CLI: chain, term, realized, price, record, history.

Registered on :data:`volscreen.cli.cli` when :mod:`volscreen.cli` is
imported.  Like the screen command, each parses options, calls the library
and renders (``--format table``) or exports (csv/json/parquet); heavy imports
happen inside the commands.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import columns as C
from .cli import (
    _check_rate,
    _emit_frame,
    _emit_text,
    _load_options,
    _loader_options,
    _output_options,
    _parse_list,
    _use_color,
    _width,
    cli,
)
from .errors import ConfigError

DEFAULT_ROWS = 60
"""Rows shown by ``--format table`` unless ``--limit`` says otherwise."""


def _rate_option(func: Any) -> Any:
    return click.option("--rate", type=float, default=0.04, show_default=True,
                        callback=_check_rate,
                        help="Flat continuously-compounded rate, decimal (|rate| <= 1).")(func)


def _load_one_chain(path: Path) -> Any:
    from .loaders.chain import load_chain
    from .screening import _latest_chains

    subs = _latest_chains(load_chain(path, **_load_options()))
    if len(subs) > 1:
        click.echo(f"volscreen: {path}: {len(subs)} underlyings; showing "
                   f"{subs[0][C.UNDERLYING].iloc[0]}", err=True)
    return subs[0]


@cli.command("chain")
@click.argument("file", type=click.Path(path_type=Path))
@_rate_option
@click.option("--expiry", "expiries", multiple=True, help="Only this expiry (YYYY-MM-DD).")
@click.option("--moneyness", type=float, default=None,
              help="Only |ln(K/F)| <= this (e.g. 0.1).")
@click.option("--otm", is_flag=True, help="Only out-of-the-money rows (puts K<F, calls K>=F).")
@click.option("--limit", type=click.IntRange(0), default=DEFAULT_ROWS, show_default=True,
              help="Rows in the table (0 = all); exports always hold every row.")
@_loader_options
@_output_options
def chain_cmd(file: Path, rate: float, expiries: tuple[str, ...], moneyness: float | None,
              otm: bool, limit: int, fmt: str, output: Path | None, wide: bool,
              width: int | None) -> None:
    """Per-quote implied vols, greeks and statuses of one chain FILE."""
    import numpy as np
    import pandas as pd

    from .implied import implied_vols
    from .render import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_text, frame_table

    frame = implied_vols(_load_one_chain(file), rate)
    if expiries:
        try:
            wanted = pd.to_datetime(list(expiries))
        except (ValueError, TypeError):
            raise click.BadParameter(f"not a date: {', '.join(expiries)}",
                                     param_hint="--expiry") from None
        listed = pd.DatetimeIndex(frame[C.EXPIRY].dropna().unique()).sort_values()
        missing = [w for w in wanted if w not in listed]
        if missing:  # an empty table would look like "no quotes": say what is listed
            shown = ", ".join(d.strftime("%Y-%m-%d") for d in listed[:12])
            more = f" ... ({len(listed)} expiries)" if len(listed) > 12 else ""
            raise ConfigError(f"--expiry {', '.join(d.strftime('%Y-%m-%d') for d in missing)} "
                              f"is not listed; listed: {shown}{more}", source=file,
                              column="expiry")
        frame = frame[frame[C.EXPIRY].isin(wanted)]
    if moneyness is not None:
        frame = frame[np.abs(frame[C.LOG_MONEYNESS].to_numpy(float)) <= moneyness]
    if otm:
        frame = frame[frame[C.OTM].astype(bool)]
    frame = frame.reset_index(drop=True)
    spec = [(C.EXPIRY, "Expiry", fmt_date), (C.STRIKE, "Strike", fmt_num),
            (C.RIGHT, "R", fmt_text), (C.BID, "Bid", fmt_num), (C.ASK, "Ask", fmt_num),
            (C.IV, "IV", fmt_pct), (C.DELTA, "Delta", fmt_num),
            (C.IV_STATUS, "IV status", fmt_text),
            (C.QUOTE_STATUS, "Quote", fmt_text)]
    if wide:
        spec[6:6] = [(C.IV_BID, "IV bid", fmt_pct), (C.IV_ASK, "IV ask", fmt_pct)]
        spec += [(C.GAMMA, "Gamma", lambda v: fmt_num(v, 4)), (C.VEGA_PER_VOLPT, "Vega", fmt_num),
                 (C.THETA_PER_DAY, "Theta/d", fmt_num), (C.OPEN_INTEREST, "OI", fmt_int),
                 (C.CONTRACT_SYMBOL, "Symbol", fmt_text)]
    title = f"{frame[C.UNDERLYING].iloc[0]} chain" if len(frame) else "Chain (no rows)"
    _emit_frame(frame, fmt, output, name="chain", width=width, wide=wide,
                table=lambda: frame_table(frame, spec, title=title, limit=limit or None))


@cli.command("term")
@click.argument("file", type=click.Path(path_type=Path))
@_rate_option
@_loader_options
@_output_options
def term_cmd(file: Path, rate: float, fmt: str, output: Path | None, wide: bool,
             width: int | None) -> None:
    """Term structure of one chain FILE: ATM IV per expiry, IV30/60/90, model-free 30-day vol."""
    from .implied import implied_vols
    from .render import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_text, frame_table, to_text
    from .surface import constant_maturity, term_structure
    from .variance import model_free_vol

    chain = _load_one_chain(file)
    term = term_structure(implied_vols(chain, rate))
    cm = constant_maturity(term, (30, 60, 90), detail=True)
    mf = model_free_vol(chain, rate, 30)
    if fmt != "table":
        _emit_frame(term, fmt, output, name="term_structure", table=lambda: None, width=width,
                    wide=wide)
        return
    spec = [(C.EXPIRY, "Expiry", fmt_date), (C.DAYS, "Days", fmt_int),
            (C.FORWARD, "Forward", fmt_num), (C.ATM_IV, "ATM IV", fmt_pct),
            (C.IMPLIED_MOVE, "Move", fmt_pct), (C.RR25, "RR25", fmt_pct),
            (C.BF25, "BF25", fmt_pct), (C.FWD_VOL, "Fwd vol", fmt_pct),
            (C.TERM_STATUS, "Status", fmt_text)]
    if wide:
        spec[3:3] = [(C.ATM_STRIKE, "ATM K", fmt_num), (C.STRADDLE_MID, "Straddle", fmt_num)]
        spec += [(C.N_QUOTES, "Quotes", fmt_int), (C.FWD_VAR_STATUS, "Fwd status", fmt_text)]
    cm_spec = [(C.DAYS, "Days", fmt_int), (C.ATM_IV, "CM ATM IV", fmt_pct),
               (C.CM_STATUS, "Status", fmt_text)]
    from rich.text import Text

    parts = [frame_table(term, spec, title=f"{chain[C.UNDERLYING].iloc[0]} term structure"),
             Text(""), frame_table(cm, cm_spec, title="Constant maturity"),
             Text(f"Model-free 30-day vol: {fmt_pct(mf.vol)} ({mf.status})")]
    _emit_text(to_text(parts, width=_width(width, wide), color=output is None and _use_color()),
               output)


@cli.command("realized")
@click.argument("bars", type=click.Path(path_type=Path))
@click.option("--as-of", default=None, help="Use bars up to this date (YYYY-MM-DD).")
@_output_options
def realized_cmd(bars: Path, as_of: str | None, fmt: str, output: Path | None, wide: bool,
                 width: int | None) -> None:
    """Realized vol cone, compression summary and range box of daily BARS."""
    import pandas as pd

    from .indicators import compression_summary
    from .loaders import load_bars
    from .rangebox import range_box
    from .realized import vol_cone
    from .render import fmt_num, fmt_pct, fmt_text, frame_table, to_text

    frame = load_bars(bars)
    if as_of is not None:
        try:
            frame = frame[frame.index <= pd.Timestamp(as_of)]
        except (ValueError, TypeError):
            raise click.BadParameter(f"not a date: {as_of}", param_hint="--as-of") from None
        if frame.empty:
            raise ConfigError(f"no bar on or before {as_of}", source=bars)
    cone = vol_cone(frame).reset_index()
    summary = compression_summary(frame)
    box = range_box(frame)
    if fmt != "table":
        if fmt == "json":
            from ._jsontext import dumps
            from .export import export_frame
            from .result import SCHEMA_VERSION, _plain, records

            doc = {C.SCHEMA_VERSION: SCHEMA_VERSION,
                   "cone": records(export_frame(cone).drop(columns=C.SCHEMA_VERSION)),
                   "compression": {k: _plain(v) for k, v in summary.items()},
                   "range_box": {k: _plain(v) for k, v in box.to_dict().items()}}
            _emit_text(dumps(doc, indent=2) + "\n", output)
            return
        _emit_frame(cone, fmt, output, name="cone", table=lambda: None, width=width, wide=wide)
        return
    q = [c for c in cone.columns if str(c).startswith(C.CONE_QUANTILE_PREFIX) and c != "q"]
    spec = [(C.WINDOW, "Window", fmt_text)] + [(c, c, fmt_pct) for c in q] + \
        [(C.RV_CURRENT, "Now", fmt_pct), (C.RV_CURRENT_PCTILE, "Pctile", lambda v: fmt_num(v, 0))]
    from rich.text import Text

    squeeze = (f"on {fmt_num(summary.get(C.SQUEEZE_BARS), 0)}d" if summary.get(C.SQUEEZE_ON)
               else "off")
    pctile = fmt_num(summary.get(C.BBW_PCTILE_126), 0)
    lines = [
        f"As of {fmt_text(summary.get(C.AS_OF))[:10]}: close {fmt_num(summary.get(C.CLOSE))}, "
        f"BBW {fmt_pct(summary.get(C.BBW), 2)} (pctile126 {pctile}), squeeze {squeeze}, "
        f"ATR {fmt_num(summary.get(C.ATR))}, RSI {fmt_num(summary.get(C.RSI), 0)}",
        f"Range box: {box.status} {fmt_num(box.floor)}-{fmt_num(box.ceiling)}, "
        f"{box.sessions} sessions, targets {fmt_num(box.target_down)}/{fmt_num(box.target_up)}"
        + (f" ({box.reason})" if box.reason else ""),
    ]
    parts = [frame_table(cone, spec, title="Realized vol cone (Yang-Zhang, sqrt 252)"), Text("")]
    parts += [Text(line) for line in lines]
    _emit_text(to_text(parts, width=_width(width, wide), color=output is None and _use_color()),
               output)


@cli.command("price")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--structure", type=click.Choice(["straddle", "strangle"]), required=True)
@click.option("--expiry", required=True, help="Expiry date YYYY-MM-DD.")
@click.option("--strikes", required=True, help="Straddle K, or strangle PUT,CALL (e.g. 255,265).")
@click.option("--targets", default=None, help="Target levels, e.g. 245,275.")
@click.option("--bars", type=click.Path(path_type=Path), default=None,
              help="Daily bars (RV forecast, historical probabilities).")
@click.option("--spots", default=None,
              help="Spot levels of the P&L grid (default: around the targets).")
@_rate_option
@_loader_options
@_output_options
def price_cmd(file: Path, structure: str, expiry: str, strikes: str, targets: str | None,
              bars: Path | None, spots: str | None, rate: float, fmt: str, output: Path | None,
              wide: bool, width: int | None) -> None:
    """Price one straddle/strangle of chain FILE against targets, with its P&L grid."""
    import numpy as np
    import pandas as pd

    from .implied import implied_vols
    from .render import fmt_num, fmt_pct, fmt_text, frame_table, to_text
    from .screening import cut_bars
    from .structures import candidates
    from .targets import pnl_grid

    levels = _parse_list(strikes, "--strikes") or ()
    if structure == "straddle" and len(levels) != 1 or structure == "strangle" and len(levels) != 2:
        raise click.BadParameter("straddle takes one strike, strangle PUT,CALL",
                                 param_hint="--strikes")
    pair = (levels[0], levels[-1])
    if pair[0] > pair[1]:  # a put above the call is a guts (both legs in the money): a typo
        raise click.BadParameter(f"strangle is PUT,CALL with PUT <= CALL, got {strikes}",
                                 param_hint="--strikes")
    try:
        when = pd.Timestamp(expiry).normalize()
    except (ValueError, TypeError):
        raise click.BadParameter(f"not a date: {expiry}", param_hint="--expiry") from None
    chain = _load_one_chain(file)
    with_iv = implied_vols(chain, rate)
    with_iv = with_iv[with_iv[C.EXPIRY] == when]
    if with_iv.empty:
        raise ConfigError(f"no quotes for expiry {when.date()}", source=file, column="expiry")
    history = None
    if bars is not None:
        from .loaders import load_bars

        history = cut_bars(load_bars(bars), pd.Timestamp(chain[C.QUOTE_TIME].iloc[0]))
    cands = candidates(with_iv, targets=_parse_list(targets, "--targets"), strikes=[pair],
                       deltas=(), dte=(0, 100_000), bars=history)
    cand = cands[(cands[C.PUT_STRIKE] == pair[0]) & (cands[C.CALL_STRIKE] == pair[1])]
    if cand.empty:
        raise ConfigError(f"strikes {pair[0]:g}/{pair[1]:g} are not listed with usable quotes "
                          f"for {when.date()}", source=file, column="strike")
    cand = cand.iloc[[0]].reset_index(drop=True)
    if structure == "straddle":  # an explicit pair with equal strikes is a straddle
        cand[C.STRUCTURE] = f"straddle_{pair[0]:g}"
    spot = float(cand[C.SPOT].iloc[0])
    tl = _parse_list(targets, "--targets") or ()
    grid_spots = _parse_list(spots, "--spots") or tuple(np.round(np.linspace(
        min((*tl, spot * 0.9)), max((*tl, spot * 1.1)), 9), 2))
    grid = pnl_grid(cand, grid_spots)
    grid.columns = [pd.Timestamp(c).strftime("%Y-%m-%d") for c in grid.columns]
    grid = grid.reset_index()
    if fmt != "table":
        _emit_frame(cand, fmt, output, name="candidate", table=lambda: None, width=width,
                    wide=wide)
        return
    row = cand.iloc[0]
    fields = [("Structure", fmt_text(row.get(C.STRUCTURE))), ("Legs", f"{row.get(C.PUT_SYMBOL)} "
              f"{row.get(C.CALL_SYMBOL)}"), ("Debit natural / mid",
              f"{fmt_num(row.get(C.DEBIT_NATURAL))} / {fmt_num(row.get(C.DEBIT_MID))}"),
              ("Breakevens", f"{fmt_num(row.get(C.BREAKEVEN_LOW))} / "
               f"{fmt_num(row.get(C.BREAKEVEN_HIGH))}"),
              ("P(beyond BE) iv / rv / hist", f"{fmt_pct(row.get(C.P_BEYOND_BE_IV))} / "
               f"{fmt_pct(row.get(C.P_BEYOND_BE_RV))} / {fmt_pct(row.get(C.P_BEYOND_BE_HIST))}"),
              ("P&L at expiry low / high", f"{fmt_num(row.get(C.PNL_AT_EXPIRY_LOW), 0)} / "
               f"{fmt_num(row.get(C.PNL_AT_EXPIRY_HIGH), 0)}"),
              ("Cheapness", fmt_num(row.get(C.CHEAPNESS))), ("Score", fmt_num(row.get(C.SCORE))),
              ("Reasons", fmt_text(row.get(C.REASONS)))]
    from rich.text import Text

    spec = [("spot", "Spot", fmt_num)] + [(c, c, lambda v: fmt_num(v, 0)) for c in grid.columns[1:]]
    parts: list[Any] = [Text(f"{k}: {v}") for k, v in fields]
    parts += [Text(""), frame_table(grid, spec, title="P&L per contract ($, natural debit)")]
    _emit_text(to_text(parts, width=_width(width, wide), color=output is None and _use_color()),
               output)


@cli.command("record")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--bars", type=click.Path(path_type=Path), default=None, help="Daily bars.")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="History store (default: $VOLSCREEN_STORE or the user data folder).")
@_rate_option
@_loader_options
def record_cmd(source: Path, bars: Path | None, store: Path | None, rate: float) -> None:
    """Record IV30/60/90, RV20, BBW, ... of CHAIN_OR_DIR into the history store."""
    from .loaders import load_bars
    from .snapshot import backfill_chains, record_chain
    from .store import HistoryStore

    history = load_bars(bars) if bars is not None else None
    options = _load_options()
    with HistoryStore(store) as hs:
        if source.is_dir():
            from .cli import _progress

            with _progress() as advance:
                done = backfill_chains(hs, source, history, rate=rate, load_options=options,
                                       progress=lambda i, n, p: advance(i, n, Path(p).name))
            records, failures = done.records, done.failures
        else:
            records = record_chain(hs, source, history, rate=rate, load_options=options)
            failures = []
        for res in records:
            click.echo(f"{res.underlying} {res.date} {res.action}")
        for path, message in failures:
            click.echo(f"volscreen: not recorded: {message}", err=True)
        click.echo(f"volscreen: {len(records)} snapshot(s) in {hs.path}", err=True)


@cli.command("history")
@click.argument("ticker")
@click.option("--series", default=C.HS_IV30, show_default=True,
              type=click.Choice(list(C.HS_SERIES)), help="Series to rank.")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="History store (default: $VOLSCREEN_STORE or the user data folder).")
@_output_options
def history_cmd(ticker: str, series: str, store: Path | None, fmt: str, output: Path | None,
                wide: bool, width: int | None) -> None:
    """Stored history of TICKER and the rank/percentile of one series."""
    from .ranks import iv_rank
    from .render import fmt_date, fmt_num, fmt_pct, fmt_text, frame_table, to_text
    from .store import HistoryStore

    with HistoryStore(store, create=False) as hs:
        frame = hs.history(ticker)
        if frame.empty:
            raise ConfigError(f"nothing stored for {ticker.upper()}", source=hs.path)
        ranked = iv_rank(hs, ticker, series=series)
    if fmt != "table":
        _emit_frame(frame, fmt, output, name="history", table=lambda: None, width=width,
                    wide=wide)
        return
    pct_series = series not in (C.HS_SPOT, C.HS_FORWARD, C.HS_BBW_PCTILE)
    spec = [(C.HS_SESSION_DATE, "Date", fmt_date), (C.HS_KIND, "Kind", fmt_text)] + [
        (s, s, fmt_pct if s not in (C.HS_SPOT, C.HS_FORWARD, C.HS_BBW_PCTILE) else fmt_num)
        for s in (C.HS_IV30, C.HS_IV60, C.HS_IV90, C.HS_MFIV30, C.HS_RV20, C.HS_BBW,
                  C.HS_SPOT)]
    from rich.text import Text

    value = fmt_pct(ranked.value) if pct_series else fmt_num(ranked.value)
    line = (f"{series} {value}: rank {fmt_num(ranked.rank, 0)}, percentile "
            f"{fmt_num(ranked.percentile, 0)} over {ranked.n_obs} obs ({ranked.status})")
    parts = [frame_table(frame.tail(DEFAULT_ROWS), spec, title=f"{ticker.upper()} history"),
             Text(line)]
    _emit_text(to_text(parts, width=_width(width, wide), color=output is None and _use_color()),
               output)
