"""A chain priced once, as plain arrays: the hand-off from implied vols to the later stages.

:func:`price_chain` runs the body of :func:`volscreen.implied_vols` (parity
forwards, the IV solve, the status codes) and keeps every per-quote result
as a NumPy array in a :class:`PricedChain`, beside the caller's chain.
:func:`priced_frame` turns it into the public ``implied_vols`` frame
(greeks for every row, the columns appended in one step); the screen
instead hands the arrays straight to the term structure
(:func:`volscreen.surface.term_from_priced`) and the candidates
(:func:`volscreen._candidates.run`), which compute greeks only for the rows
they use.  Every value is computed by the same expressions on the same
inputs, element by element, so the two routes give identical numbers.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from . import columns as C
from .errors import ChainSchemaError, VolscreenError
from .forward import RateLike, _floats, forward_arrays, without_attrs
from .implied import (
    _ALL_STATUS,
    _NO_FORWARD_CODE,
    _QUOTE_CODE,
    STATUS_CODES,
    black_iv_with_codes,
)
from .pricing import bsm_greeks, is_call
from ._frames import frame_of
from ._typing import FloatArray

OK_CODE = STATUS_CODES.index(C.IVS_OK)
"""``iv_status`` code of a solved quote."""
_NEEDED = (C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK, C.MID)


@dataclass(frozen=True, eq=False)
class PricedChain:
    """Per-quote results of :func:`price_chain`, one array element per chain row.

    ``chain`` is the caller's chain without ``attrs`` (read, never written).
    ``call`` is the solver's call mask (:func:`volscreen.pricing.is_call`);
    ``right_codes``/``right_spellings`` factorize ``right`` for the stages
    that classify rights by first letter.  ``codes`` index ``iv_status``
    names (``_ALL_STATUS``); ``iv`` is NaN unless the code is ``ok``.
    ``iv_bid``/``iv_ask`` are None when the sides were not solved.
    ``spot`` is the per-expiry median underlying price, ``spot_used`` the
    greeks' spot (``spot`` when positive, else the forward) and ``carry``
    the greeks' dividend yield q = r - ln(F/S)/t.  ``series`` numbers each
    row's option series (:func:`volscreen.forward.forward_arrays`, keys
    ascending), ``series_first`` is each series' first row, and
    ``series_by_expiry`` says whether the series are the term structure's
    (expiry date, settlement) groups.
    """

    chain: pd.DataFrame
    t: FloatArray
    forward: FloatArray
    discount: FloatArray
    rate: FloatArray
    spot_used: FloatArray
    carry: FloatArray
    strike: FloatArray
    call: np.ndarray
    right_codes: np.ndarray
    right_spellings: np.ndarray
    quote_status_codes: np.ndarray | None
    quote_status_values: np.ndarray | None
    codes: np.ndarray
    iv: FloatArray
    iv_bid: FloatArray | None
    iv_ask: FloatArray | None
    log_moneyness: FloatArray
    otm: np.ndarray
    series: np.ndarray | None = None
    series_first: np.ndarray | None = None
    series_by_expiry: bool = False
    ok_code: ClassVar[int] = OK_CODE

    def __len__(self) -> int:
        return self.t.size

    def greeks(self, rows: np.ndarray | None = None) -> dict[str, FloatArray]:
        """BSM greeks at each row's own ``iv`` (all rows, or the positions ``rows``)."""
        take = (lambda a: a) if rows is None else (lambda a: a[rows])
        with np.errstate(divide="ignore", invalid="ignore"):  # NaN iv / t: NaN greeks
            return bsm_greeks(take(self.spot_used), take(self.strike), take(self.t),
                              take(self.rate), take(self.carry), take(self.iv),
                              take(self.call))

    def right_letters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``right`` by upper-case first letter: (letter number, is_call, is_put) per row.

        The stages that read ``right`` from a frame classify it this way; here
        each distinct spelling is looked at once.
        """
        letters = [str(u).upper()[:1] for u in self.right_spellings]
        number = {letter: i for i, letter in enumerate(dict.fromkeys(letters))}
        codes = self.right_codes
        return (np.array([number[x] for x in letters], dtype=np.intp)[codes],
                np.array([x == C.CALL for x in letters], dtype=bool)[codes],
                np.array([x == C.PUT for x in letters], dtype=bool)[codes])


def _price_column(chain: pd.DataFrame, price: str) -> FloatArray:
    if price not in chain.columns:
        raise ChainSchemaError(f"price column {price!r} not in the chain", column=price)
    return _floats(chain, price)


def _chain_calls(chain: pd.DataFrame, codes: np.ndarray, spellings: np.ndarray) -> np.ndarray:
    """Call mask of a chain's ``right`` column; invalid spellings raise as :func:`is_call` does.

    ``codes``/``spellings`` factorize ``right``: the distinct spellings (two
    to four in a chain) are checked once each; only a chain with an invalid
    one pays for the row-by-row check that names its row.
    """
    if len(codes) == 0:
        return np.zeros(0, dtype=bool)
    known = [_CALL_SPELLINGS.get(v) if isinstance(v, str) else None for v in spellings]
    if None not in known:
        return np.array(known, dtype=bool)[codes]
    try:
        valid = is_call(spellings)
    except VolscreenError:
        is_call(chain[C.RIGHT].to_numpy(dtype=object))  # raises, naming the first invalid row
        raise
    if len(_CALL_SPELLINGS) < _CALL_SPELLINGS_SIZE:
        _CALL_SPELLINGS.update((v, bool(c)) for v, c in zip(spellings, valid) if type(v) is str)
    return valid[codes]


_CALL_SPELLINGS: dict[str, bool] = {}
"""Spellings of ``right`` already classified by :func:`is_call` (True: call), per process."""
_CALL_SPELLINGS_SIZE = 1_000


def price_chain(chain: pd.DataFrame, rate: RateLike = None, *, price: str = "mid",
                forward_method: str = "median", sides: bool = True) -> PricedChain:
    """Forwards, IVs and statuses of every row of ``chain`` (see :func:`volscreen.implied_vols`).

    ``sides=False`` skips the bid and ask IVs (``iv_bid``/``iv_ask`` None):
    the term structure and the candidates do not read them.
    """
    missing = [c for c in _NEEDED if c not in chain.columns]
    if missing:
        raise ChainSchemaError(f"implied_vols needs columns {missing}", column=missing[0])
    n = len(chain)
    source = without_attrs(chain)
    per_series, series, rows = forward_arrays(
        source, rate, method=forward_method, with_keys=False)  # type: ignore[arg-type]

    s_t, s_fwd, s_disc, s_r, s_spot = (np.asarray(per_series[name], dtype=np.float64)
                                       for name in (C.T, C.FORWARD, C.DISCOUNT, C.RATE,
                                                    C.UNDERLYING_PRICE))
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN forward / t: status below
        # per series, then one value per row: the same elementwise arithmetic on fewer values
        s_rate = np.where(s_t > 0, -np.log(s_disc) / s_t, s_r)
        s_spot_used = np.where(np.isfinite(s_spot) & (s_spot > 0), s_spot, s_fwd)
        s_carry = s_rate - np.log(s_fwd / s_spot_used) / s_t
    t, forward, disc, rate_arr, spot_used, carry = (
        a[series] for a in (s_t, s_fwd, s_disc, s_rate, s_spot_used, s_carry))
    has_fwd = rows["series_has_forward"][series]
    strike = rows[C.STRIKE]
    call = _chain_calls(source, rows["right_codes"], rows["right_spellings"])
    bad_quote = np.zeros(n, dtype=bool)
    q_status = np.zeros(0, dtype=np.intp)
    qs_codes = qs_values = None
    if C.QUOTE_STATUS in source.columns:
        qs_codes, qs_values = rows["quote_status_codes"], rows["quote_status_values"]
        lookup = np.array([_QUOTE_CODE.get(v, -1) if isinstance(v, str) else -1
                           for v in qs_values] + [-1], dtype=np.intp)
        q_status = lookup[qs_codes]
        bad_quote = q_status >= 0
    no_side = ~has_fwd | bad_quote  # rows whose statuses replace every IV: not solved
    solve = np.flatnonzero(~no_side)
    prices = [rows[C.MID] if price == C.MID else _price_column(source, price)]
    if sides:
        prices += [_price_column(source, C.BID), _price_column(source, C.ASK)]
    k = len(prices)

    with np.errstate(divide="ignore", invalid="ignore"):  # NaN forward / t: status below
        # mid, bid and ask in one batch: one pass of the solver instead of three; the engine
        # is the one for a chain of this many rows (a 14,000-quote SPX chain stays on the
        # NumPy twin in a fresh process, as when it was three batches)
        fwd_k, strike_k, t_k, rate_k, call_k = (np.tile(a[solve], k) if k > 1 else a[solve]
                                                for a in (forward, strike, t, rate_arr, call))
        ivk, codesk = black_iv_with_codes(np.concatenate([p[solve] for p in prices]), fwd_k,
                                          strike_k, t_k, rate_k, call_k,
                                          engine_size=solve.size)
    m = solve.size
    solved = np.full((k, n), np.nan)
    solved[:, solve] = ivk.reshape(k, m)
    codes = np.full(n, _NO_FORWARD_CODE, dtype=np.intp)
    codes[solve] = codesk[:m]
    codes[t <= 0] = STATUS_CODES.index(C.IVS_EXPIRED)
    codes[bad_quote] = q_status[bad_quote]
    iv = np.where(codes == OK_CODE, solved[0], np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        log_m = np.log(strike / forward)
    return PricedChain(
        chain=source, t=t, forward=forward, discount=disc, rate=rate_arr, spot_used=spot_used,
        carry=carry, strike=strike, call=call, right_codes=rows["right_codes"],
        right_spellings=rows["right_spellings"], quote_status_codes=qs_codes,
        quote_status_values=qs_values, codes=codes, iv=iv,
        iv_bid=solved[1] if sides else None, iv_ask=solved[2] if sides else None,
        log_moneyness=log_m, otm=np.where(call, strike >= forward, strike < forward),
        series=series, series_first=rows["series_first"],
        series_by_expiry=bool(rows["series_by_expiry"]))


def priced_frame(chain: pd.DataFrame, p: PricedChain) -> pd.DataFrame:
    """The :func:`volscreen.implied_vols` frame of ``chain`` priced as ``p`` (sides solved)."""
    if p.iv_bid is None or p.iv_ask is None:
        raise ValueError("priced_frame needs a chain priced with sides=True")
    greeks = p.greeks()
    added: dict[str, Any] = {
        C.T: p.t, C.FORWARD: p.forward, C.DISCOUNT: p.discount,
        C.LOG_MONEYNESS: p.log_moneyness, C.IV: p.iv, C.IV_BID: p.iv_bid, C.IV_ASK: p.iv_ask,
        C.IV_STATUS: status_text(p.codes),
        C.DELTA: greeks["delta"], C.GAMMA: greeks["gamma"],
        C.VEGA_PER_VOLPT: greeks["vega_per_volpt"], C.THETA_PER_DAY: greeks["theta_per_day"],
        C.VANNA: greeks["vanna"], C.VOLGA: greeks["volga"],
        C.OTM: p.otm,
    }
    return _with_columns(chain, added)


def status_text(codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``iv_status`` text (``str`` dtype) of status codes, taken from the few names."""
    if not _STATUS_TABLE:
        _STATUS_TABLE.append(pd.array(_ALL_STATUS.tolist(), dtype="str"))
    return _STATUS_TABLE[0].take(codes.astype(np.intp))


_STATUS_TABLE: list[Any] = []  # the iv_status names as a str array, built on first use


def _with_columns(chain: pd.DataFrame, added: dict[str, Any]) -> pd.DataFrame:
    """A copy of ``chain`` with ``added`` set (replaced in place, else appended), in one step."""
    if any(name in chain.columns for name in added):
        out = chain.copy()
        for name, values in added.items():
            out[name] = values
        return out
    out = pd.concat([chain, frame_of(added, index=chain.index)], axis=1)
    out.attrs = copy.deepcopy(chain.attrs)
    return out
