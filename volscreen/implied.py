"""Implied volatility: vectorized arrays (BSM and Black-76) and whole chains.

Conventions
-----------
* ``t`` in years on the minute clock (minutes / 525,600), continuously
  compounded ``rate`` and ``div_yield``, decimals everywhere (0.182).
* European exercise, solved on the forward (Black-76): BSM inputs are mapped
  to ``F = S e^{(r-q)t}`` and the undiscounted price ``price e^{rt}``.
* Every NaN comes with a status code (``IVS_*`` in :mod:`volscreen.columns`):
  ``ok``, ``below_intrinsic``, ``at_intrinsic`` (zero time value, or for an
  in-the-money option one within rounding of the intrinsic value, 16 ulp of
  max(F, K): every solver returns noise there),
  ``above_max``, ``no_price`` (NaN price), ``expired`` (t <= 0),
  ``not_converged``, ``bad_input`` (non-positive or non-finite F, K).

One algorithm, two engines: the compiled kernel (:mod:`volscreen._ivkernel`,
numba, both cores for large batches) runs once this process has loaded it,
or for batches of :data:`NUMPY_MAX_SIZE` options and more; otherwise its
NumPy twin (:mod:`volscreen._ivnumpy`, no compiler, no start-up cost), so a
fresh process solving a chain never pays the kernel's first load (numba
and the cached kernel: 0.4-0.9 s; about 3 s when it has to compile).
:data:`ENGINE` forces either.  The two agree to a few 1e-15 in vol.
vollib (Jaeckel's Let's Be Rational) is the reference the tests compare
with; it is not needed here.
"""
from __future__ import annotations

import copy
import logging
import math
import sys
from collections.abc import Callable
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from . import columns as C
from .errors import ChainSchemaError, VolscreenError
from .forward import RateLike, forward_arrays, without_attrs
from .pricing import bsm_greeks, is_call
from ._typing import ArrayLike, FloatArray, ObjectArray, RightLike

logger = logging.getLogger(__name__)

STATUS_CODES = (
    C.IVS_OK,
    C.IVS_BELOW_INTRINSIC,
    C.IVS_AT_INTRINSIC,
    C.IVS_ABOVE_MAX,
    C.IVS_NO_PRICE,
    C.IVS_EXPIRED,
    C.IVS_NOT_CONVERGED,
    C.IVS_BAD_INPUT,
)
"""iv_status strings indexed by the kernel's integer codes."""
_STATUS_ARRAY = np.array(STATUS_CODES, dtype=object)

NUMPY_MAX_SIZE = 20_000
"""Batches shorter than this are solved by the NumPy twin of the kernel (no numba import),
unless the compiled kernel is already loaded in this process."""
ENGINE: Literal["auto", "numpy", "compiled"] = "auto"
"""Which solver runs: ``"auto"`` (see :func:`_kernel`), or one of them for every batch."""
PARALLEL_MIN_SIZE = 50_000
"""Compiled batches at least this long run on all cores; smaller ones on one thread.

Waking the worker threads costs little on idle cores, but when other
processes hold them the slowest thread sets the pace: at 10,530 options
(one chain's mid, bid and ask) with the load average at 2.8 on 2 cores, the
median was 0.9 M IV/s on both cores against 3.0 M on one thread."""

UNUSABLE_QUOTES = (C.QS_NO_BID, C.QS_ZERO_ASK, C.QS_CROSSED, C.QS_EXPIRED, C.QS_BAD_STRIKE,
                   C.QS_NO_QUOTE)
"""quote_status codes whose rows get no IV; their iv_status repeats the quote status."""
# iv_status of a chain row as one integer: the solver's codes, then no_forward, then the
# unusable quote statuses (mapped to strings once, at the end)
_ALL_STATUS = np.array(STATUS_CODES + (C.IVS_NO_FORWARD,) + UNUSABLE_QUOTES, dtype=object)
_NO_FORWARD_CODE = len(STATUS_CODES)
_QUOTE_CODE = {q: _NO_FORWARD_CODE + 1 + i for i, q in enumerate(UNUSABLE_QUOTES)}


def _call_mask(right: np.ndarray) -> np.ndarray:
    """Boolean call mask of ``right`` (its shape); one-character arrays without Python objects.

    ``"C"``/``"c"`` and ``"P"``/``"p"`` as NumPy ``U1``/``S1`` arrays (the
    usual vectorized input) are classified by their character codes, case
    folded with one bit; anything else goes through :func:`volscreen.pricing.is_call`
    (which names the first invalid value).
    """
    kind, size = right.dtype.kind, right.dtype.itemsize
    if kind == "b":
        return right
    if (kind == "U" and size == 4) or (kind == "S" and size == 1):
        code = right.view(np.uint32 if kind == "U" else np.uint8) | 0x20  # lower case
        calls = code == ord("c")
        if bool(np.all(calls | (code == ord("p")))):
            return calls
    if kind == "S":  # bytes: classify (and report) them as text
        return is_call(right.astype(str))
    return is_call(right)


def _kernel_arg(value: ArrayLike, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """1-d, C-contiguous, writable array of length prod(shape), or of length 1 for a scalar.

    The solvers broadcast a length-1 input over every row, so a scalar rate or
    spot is never expanded.  One array type for every argument keeps numba to
    a single compiled specialization (read-only buffers are copied).
    """
    arr: np.ndarray = np.asarray(value, dtype=dtype)
    if arr.size == 1 and arr.ndim <= len(shape):
        flat = arr.reshape(1)
    else:
        if arr.shape != shape:
            arr = np.broadcast_to(arr, shape)
        flat = np.ascontiguousarray(arr).reshape(-1)
    if not flat.flags.writeable:
        flat = flat.copy()
    return flat


def _kernel_loaded() -> bool:
    return "volscreen._ivkernel" in sys.modules


def _kernel(n: int) -> Callable[..., None]:
    """The solver for a batch of ``n`` options (same algorithm and statuses on every path).

    :data:`ENGINE` ``"auto"``: the compiled kernel when this process has
    already loaded it (any size) or for batches of :data:`NUMPY_MAX_SIZE`
    options and more; otherwise the NumPy twin, so that a fresh process
    solving a chain never imports numba, whose import and cache load cost
    more than solving the chain.  Compiled batches run on all cores from
    :data:`PARALLEL_MIN_SIZE` options.
    """
    if ENGINE == "numpy" or (ENGINE == "auto" and n < NUMPY_MAX_SIZE
                             and not _kernel_loaded()):
        from ._ivnumpy import black_iv_numpy

        return black_iv_numpy
    from ._ivkernel import black_iv_kernel, black_iv_kernel_serial  # lazy: numba cache

    return black_iv_kernel if n >= PARALLEL_MIN_SIZE else black_iv_kernel_serial


def _solve(price: ArrayLike, under: ArrayLike, strike: ArrayLike, t: ArrayLike,
           rate: ArrayLike, div: ArrayLike, right: RightLike, spot_mode: bool,
           engine_size: int | None = None) -> tuple[FloatArray, np.ndarray]:
    """Solve a batch; ``engine_size`` (default: the batch size) chooses the engine."""
    arrays = [a if isinstance(a, np.ndarray) else np.asarray(a, dtype=np.float64)
              for a in (price, under, strike, t, rate, div)]
    right_arr = right if isinstance(right, np.ndarray) else np.asarray(right)
    shape = np.broadcast_shapes(*(a.shape for a in arrays), right_arr.shape)
    args = [_kernel_arg(a, shape, np.float64) for a in arrays]
    call = _kernel_arg(_call_mask(right_arr), shape, np.bool_)
    n = math.prod(shape)
    iv = np.empty(n, dtype=np.float64)
    codes = np.empty(n, dtype=np.int8)
    _kernel(n if engine_size is None else engine_size)(*args, call, spot_mode, iv, codes)
    return iv.reshape(shape), codes.reshape(shape)


def black_iv_with_codes(price: ArrayLike, forward: ArrayLike, strike: ArrayLike, t: ArrayLike,
                        rate: ArrayLike, right: RightLike, engine_size: int | None = None
                        ) -> tuple[FloatArray, np.ndarray]:
    """Black-76 implied vol and the kernel's integer status codes (index :data:`STATUS_CODES`).

    ``engine_size`` is the batch size the engine is chosen for (default: the
    number of options).
    """
    return _solve(price, forward, strike, t, rate, 0.0, right, False, engine_size)


@overload
def black_implied_vol(price: ArrayLike, forward: ArrayLike, strike: ArrayLike, t: ArrayLike,
                      rate: ArrayLike, right: RightLike, *,
                      return_status: Literal[False] = ...) -> FloatArray: ...


@overload
def black_implied_vol(price: ArrayLike, forward: ArrayLike, strike: ArrayLike, t: ArrayLike,
                      rate: ArrayLike, right: RightLike, *,
                      return_status: Literal[True]) -> tuple[FloatArray, ObjectArray]: ...


def black_implied_vol(price: ArrayLike, forward: ArrayLike, strike: ArrayLike, t: ArrayLike,
                      rate: ArrayLike, right: RightLike, *, return_status: bool = False
                      ) -> FloatArray | tuple[FloatArray, ObjectArray]:
    """Black-76 implied volatility of European options on a forward.

    Parameters
    ----------
    price
        Option prices (discounted, per unit of underlying).
    forward, strike
        Forward for the option's expiry and strike.
    t
        Years to expiry.
    rate
        Continuously compounded discount rate.
    right
        ``"C"``/``"P"`` (or ``"c"``/``"p"``, ``"call"``/``"put"``).
    return_status
        Also return the status array (``IVS_*`` strings).

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, numpy.ndarray)
        Annual implied vol (decimal), NaN where no volatility reproduces the
        price; with ``return_status`` also the per-element status.

    Notes
    -----
    Solved in normalized coordinates x = ln(F/K), s = vol sqrt(t) on the
    out-of-the-money time value (put-call parity maps every option there),
    from a closed-form initial guess with Householder corrections of order 3;
    accurate to a few 1e-15 in s when the price is exact.
    """
    iv, codes = black_iv_with_codes(price, forward, strike, t, rate, right)
    if return_status:
        return iv, _STATUS_ARRAY[codes]
    return iv


@overload
def implied_vol(price: ArrayLike, spot: ArrayLike, strike: ArrayLike, t: ArrayLike,
                rate: ArrayLike, div_yield: ArrayLike, right: RightLike, *,
                return_status: Literal[False] = ...) -> FloatArray: ...


@overload
def implied_vol(price: ArrayLike, spot: ArrayLike, strike: ArrayLike, t: ArrayLike,
                rate: ArrayLike, div_yield: ArrayLike, right: RightLike, *,
                return_status: Literal[True]) -> tuple[FloatArray, ObjectArray]: ...


def implied_vol(price: ArrayLike, spot: ArrayLike, strike: ArrayLike, t: ArrayLike,
                rate: ArrayLike, div_yield: ArrayLike, right: RightLike, *,
                return_status: bool = False) -> FloatArray | tuple[FloatArray, ObjectArray]:
    """Black-Scholes-Merton implied volatility (same argument order as vollib).

    Parameters
    ----------
    price
        Option prices.
    spot, strike
        Underlying price and strike.
    t
        Years to expiry.
    rate, div_yield
        Continuously compounded rate and dividend yield (decimals).
    right
        ``"C"``/``"P"`` (or ``"c"``/``"p"``, ``"call"``/``"put"``), scalar or array.
    return_status
        Also return the status array (``IVS_*`` strings).

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, numpy.ndarray)
        Annual implied vol; NaN with a status where no vol reproduces the price.

    Notes
    -----
    Solved as Black-76 on F = S e^{(r-q)t} with the undiscounted price
    price e^{rt}.

    Examples
    --------
    >>> round(float(implied_vol(5.87602423383, 100, 100, 0.5, 0.01, 0.0, "c")), 10)
    0.2
    """
    iv, codes = _solve(price, spot, strike, t, rate, div_yield, right, True)
    if return_status:
        return iv, _STATUS_ARRAY[codes]
    return iv


def _price_column(chain: pd.DataFrame, price: str) -> FloatArray:
    if price not in chain.columns:
        raise ChainSchemaError(f"price column {price!r} not in the chain", column=price)
    return pd.to_numeric(chain[price], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def implied_vols(chain: pd.DataFrame, rate: RateLike = None, *, price: str = "mid",
                 forward_method: Literal["median", "cboe"] = "median") -> pd.DataFrame:
    """Implied vols and greeks for every row of a chain, on parity forwards.

    Parameters
    ----------
    chain
        Canonical chain: needs ``quote_time``, ``expiry``, ``strike``,
        ``right``, ``bid``, ``ask``, ``mid`` and the ``price`` column; uses
        ``quote_status``, ``settlement`` (or ``root``) and
        ``underlying_price`` when present.  Not modified.
    rate
        Risk-free rate (float, mapping expiry -> rate, callable t -> rate) or
        None to imply it from the chain (see :func:`volscreen.forwards`).
    price
        Column solved for ``iv`` (``"mid"`` by default; ``"last"`` works).
    forward_method
        Passed to :func:`volscreen.forwards`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``chain`` with ``t``, ``forward``, ``discount``,
        ``log_moneyness`` (ln(K/F)), ``iv``, ``iv_bid``, ``iv_ask``,
        ``iv_status``, ``delta``, ``gamma``, ``vega_per_volpt``,
        ``theta_per_day``, ``vanna``, ``volga`` and ``otm``.

    Notes
    -----
    * ``iv_status``: rows whose ``quote_status`` is one of
      :data:`UNUSABLE_QUOTES` keep that code (no IV); rows of an expiry
      without a forward get ``no_forward``; otherwise the solver's status.
      ``wide`` quotes are solved.  ``iv_bid``/``iv_ask`` are NaN where that
      side has no solution (zero bid, below intrinsic): they carry no status
      of their own.
    * Greeks are BSM greeks at the row's own ``iv`` with spot
      ``underlying_price`` and the implied carry q = r - ln(F/S)/t, i.e. the
      Black-76 price on the forward; delta is dV/dS (comparable with vendor
      deltas).  Without an underlying price, S = F and q = r (Black-76 delta
      on the forward, discounted).
    * ``otm``: puts with K < F and calls with K >= F, the side whose
      European IV is trustworthy for American-style options.
    """
    needed = [C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.BID, C.ASK, C.MID]
    missing = [c for c in needed if c not in chain.columns]
    if missing:
        raise ChainSchemaError(f"implied_vols needs columns {missing}", column=missing[0])
    n = len(chain)
    source = without_attrs(chain)
    per_series, series, rows = forward_arrays(source, rate, method=forward_method,
                                              with_keys=False)

    def per_row(name: str) -> FloatArray:
        return np.asarray(per_series[name], dtype=np.float64)[series]

    t, forward, disc = per_row(C.T), per_row(C.FORWARD), per_row(C.DISCOUNT)
    r, spot = per_row(C.RATE), per_row(C.UNDERLYING_PRICE)
    has_fwd = rows["series_has_forward"][series]
    strike = rows[C.STRIKE]
    call = _chain_calls(source[C.RIGHT], rows["right_codes"], rows["right_spellings"])
    bad_quote = np.zeros(n, dtype=bool)
    q_status = np.zeros(0, dtype=np.intp)
    if C.QUOTE_STATUS in source.columns:
        q_codes, q_values = rows["quote_status_codes"], rows["quote_status_values"]
        lookup = np.array([_QUOTE_CODE.get(v, -1) if isinstance(v, str) else -1
                           for v in q_values] + [-1], dtype=np.intp)
        q_status = lookup[q_codes]
        bad_quote = q_status >= 0
    no_side = ~has_fwd | bad_quote  # rows whose statuses replace every IV: not solved
    solve = np.flatnonzero(~no_side)
    prices = [rows[C.MID] if price == C.MID else _price_column(source, price),
              _price_column(source, C.BID), _price_column(source, C.ASK)]

    with np.errstate(divide="ignore", invalid="ignore"):  # NaN forward / t: status below
        rate_arr = np.where(t > 0, -np.log(disc) / t, r)
        # mid, bid and ask in one batch: one pass of the solver instead of three; the engine
        # is the one for a chain of this many rows (a 14,000-quote SPX chain stays on the
        # NumPy twin in a fresh process, as when it was three batches)
        args = [np.tile(a[solve], 3) for a in (forward, strike, t, rate_arr, call)]
        iv3, codes3 = black_iv_with_codes(np.concatenate([p[solve] for p in prices]), *args,
                                          engine_size=solve.size)
    m = solve.size
    solved = np.full((3, n), np.nan)
    solved[:, solve] = iv3.reshape(3, m)
    codes = np.full(n, _NO_FORWARD_CODE, dtype=np.intp)
    codes[solve] = codes3[:m]
    codes[t <= 0] = STATUS_CODES.index(C.IVS_EXPIRED)
    codes[bad_quote] = q_status[bad_quote]
    ok = codes == STATUS_CODES.index(C.IVS_OK)
    iv = np.where(ok, solved[0], np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        spot_used = np.where(np.isfinite(spot) & (spot > 0), spot, forward)
        carry = rate_arr - np.log(forward / spot_used) / t
        greeks = bsm_greeks(spot_used, strike, t, rate_arr, carry, iv, call)
        log_m = np.log(strike / forward)

    status = _status_text(codes)
    added: dict[str, Any] = {
        C.T: t, C.FORWARD: forward, C.DISCOUNT: disc, C.LOG_MONEYNESS: log_m, C.IV: iv,
        C.IV_BID: solved[1], C.IV_ASK: solved[2],
        C.IV_STATUS: status,
        C.DELTA: greeks["delta"], C.GAMMA: greeks["gamma"],
        C.VEGA_PER_VOLPT: greeks["vega_per_volpt"], C.THETA_PER_DAY: greeks["theta_per_day"],
        C.VANNA: greeks["vanna"], C.VOLGA: greeks["volga"],
        C.OTM: np.where(call, strike >= forward, strike < forward),
    }
    if n and logger.isEnabledFor(logging.INFO):
        logger.info("implied_vols: %s", dict(pd.Series(status).value_counts()))
    return _with_columns(chain, added)


def _status_text(codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``iv_status`` text (``str`` dtype) of status codes, taken in Arrow from the few names.

    Same array as ``pd.array(_ALL_STATUS[codes], dtype="str")`` without a
    Python string object per row.
    """
    try:
        import pyarrow as pa  # pandas' str dtype is Arrow-backed when pyarrow is installed
    except ImportError:  # python-storage strings: one object per row, same values
        return pd.array(_ALL_STATUS[codes], dtype="str")

    global _STATUS_ARROW
    if _STATUS_ARROW is None:
        _STATUS_ARROW = pa.array(_ALL_STATUS.tolist(), type=pa.large_string())
    return pd.array(_STATUS_ARROW.take(pa.array(codes)), dtype="str")


_STATUS_ARROW: Any = None


def _chain_calls(right: pd.Series, codes: np.ndarray, spellings: np.ndarray) -> np.ndarray:
    """Call mask of a chain's ``right`` column; invalid spellings raise as :func:`is_call` does.

    ``codes``/``spellings`` factorize ``right``: the distinct spellings (two
    to four in a chain) are checked once each; only a chain with an invalid
    one pays for the row-by-row check that names its row.
    """
    if len(right) == 0:
        return np.zeros(0, dtype=bool)
    try:
        valid = is_call(spellings)
    except VolscreenError:
        is_call(right.to_numpy(dtype=object))  # raises, naming the first invalid row
        raise
    return valid[codes]


def _with_columns(chain: pd.DataFrame, added: dict[str, Any]) -> pd.DataFrame:
    """A copy of ``chain`` with ``added`` set (replaced in place, else appended), in one step."""
    if any(name in chain.columns for name in added):
        out = chain.copy()
        for name, values in added.items():
            out[name] = values
        return out
    out = pd.concat([chain, pd.DataFrame(added, index=chain.index)], axis=1)
    out.attrs = copy.deepcopy(chain.attrs)
    return out
