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

import contextlib
import logging
import math
import sys
from collections.abc import Callable, Iterator
from typing import Literal, overload

import numpy as np
import pandas as pd

from . import columns as C
from .forward import RateLike
from .pricing import is_call
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


@contextlib.contextmanager
def using_engine(engine: Literal["auto", "numpy", "compiled"]) -> Iterator[None]:
    """Set :data:`ENGINE` inside a ``with`` block and restore it after.

    The two engines agree to a few 1e-15 in vol, not to the last bit: a
    computation that must give the same bits wherever it runs (the screen,
    in one process or several) fixes its engine with this.
    """
    global ENGINE
    if engine not in ("auto", "numpy", "compiled"):
        raise ValueError(f"engine must be 'auto', 'numpy' or 'compiled', got {engine!r}")
    before, ENGINE = ENGINE, engine
    try:
        yield
    finally:
        ENGINE = before


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
    from ._priced import price_chain, priced_frame

    p = price_chain(chain, rate, price=price, forward_method=forward_method)
    out = priced_frame(chain, p)
    if len(p) and logger.isEnabledFor(logging.INFO):
        logger.info("implied_vols: %s", dict(out[C.IV_STATUS].value_counts()))
    return out
