"""Vectorized European option prices and greeks: Black-76 and Black-Scholes-Merton.

Conventions (all functions)
---------------------------
* ``t`` in years (the minute clock of :mod:`volscreen.clock`: minutes / 525,600).
* ``rate`` and ``div_yield`` are continuously compounded annual decimals (0.04).
* ``vol`` is an annual decimal (0.182 is 18.2 %).
* ``right`` is ``"C"``/``"P"`` (also ``"c"``/``"p"``, ``"call"``/``"put"``, any
  case), scalar or array.  Every argument broadcasts like numpy.
* Prices and greeks are per unit of underlying (multiply by the contract
  multiplier for a contract).

Greek units (the names carry them)
----------------------------------
``delta``            dV/dS (BSM) or dV/dF (Black-76), per 1.00 of underlying.
``gamma``            d2V/dS2 (BSM) or d2V/dF2 (Black-76).
``vega_per_volpt``   dV/dvol x 0.01: price change for one vol point.
``theta_per_day``    dV/dt x (-1/365): price change for one calendar day
                     passing, spot (BSM) or forward (Black-76) held fixed.
``rho_per_pct``      dV/drate x 0.01 (BSM: forward moves with the rate, spot
                     fixed; Black-76: forward fixed, only discounting moves).
``vanna``            d(delta)/dvol x 0.01: delta change for one vol point.
``volga``            d(vega_per_volpt)/dvol x 0.01.

These are the units of vollib's analytical greeks (``vollib.*.greeks.analytical``),
which the tests use as the reference.
"""
from __future__ import annotations

import numpy as np

from ._special import ndtr
from ._typing import ArrayLike, FloatArray, RightLike
from .errors import VolscreenError

DAYS_PER_YEAR = 365.0
"""Calendar days per year: theta is quoted per calendar day."""
VOL_POINT = 0.01
"""One volatility point (1 % of vol) as a decimal."""
RATE_POINT = 0.01
"""One percentage point of rate as a decimal."""

GREEK_NAMES = ("delta", "gamma", "vega_per_volpt", "theta_per_day", "rho_per_pct", "vanna", "volga")
"""Keys of the dicts returned by :func:`bsm_greeks` and :func:`black_greeks`."""

_CALL_WORDS = frozenset({"C", "CALL"})
_PUT_WORDS = frozenset({"P", "PUT"})


def is_call(right: RightLike) -> np.ndarray:
    """Boolean array: True for calls, False for puts.

    Parameters
    ----------
    right
        ``"C"``/``"P"``, ``"c"``/``"p"``, ``"call"``/``"put"`` (any case), a
        scalar or an array of them; a boolean array (True = call) is returned
        as it is.

    Raises
    ------
    VolscreenError
        If any value is not one of the accepted spellings (the message shows
        the first offending value and its position).
    """
    import pandas as pd  # lazy: the array functions do not need pandas loaded

    if isinstance(right, np.ndarray) and right.dtype.kind == "b":
        return right
    if isinstance(right, str):  # one right for every option: no factorizing
        word = right.strip().upper()
        if word in _CALL_WORDS or word in _PUT_WORDS:
            return np.array(word in _CALL_WORDS)
    arr = np.asarray(right, dtype=object)
    flat = arr.ravel()
    # a chain spells a right two to four ways: classify each spelling once
    codes, spellings = pd.factorize(flat, use_na_sentinel=False)
    upper = [str(v).strip().upper() for v in spellings]
    call_words = np.array([u in _CALL_WORDS for u in upper] + [False], dtype=bool)
    put_words = np.array([u in _PUT_WORDS for u in upper] + [False], dtype=bool)
    calls, puts = call_words[codes], put_words[codes]
    bad = ~(calls | puts)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise VolscreenError(
            f"right must be 'C'/'P' (or 'call'/'put'); got {flat[pos]!r}",
            row=pos if arr.ndim else None,
            column="right",
        )
    return calls.reshape(arr.shape)


def _ndtr(x: FloatArray) -> FloatArray:
    return np.asarray(ndtr(x), dtype=np.float64)


def _ndtr_pair(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``N(a), N(b)`` in one :func:`ndtr` call (its fixed cost paid once; values unchanged)."""
    if a.shape != b.shape or a.ndim == 0:
        return _ndtr(a), _ndtr(b)
    both = _ndtr(np.concatenate((a.ravel(), b.ravel())))
    return both[:a.size].reshape(a.shape), both[a.size:].reshape(b.shape)


def _npdf(x: FloatArray) -> FloatArray:
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _floats(*args: ArrayLike) -> list[FloatArray]:
    return [np.asarray(a, dtype=np.float64) for a in args]


def _d1_d2(forward: FloatArray, strike: FloatArray, t: FloatArray,
           vol: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):  # t or vol 0: handled by callers
        s = vol * np.sqrt(t)
        d1 = np.log(forward / strike) / s + 0.5 * s
    return d1, d1 - s, s


def _black_undiscounted(forward: FloatArray, strike: FloatArray, t: FloatArray,
                        vol: FloatArray, call: np.ndarray) -> FloatArray:
    theta = np.where(call, 1.0, -1.0)
    d1, d2, s = _d1_d2(forward, strike, t, vol)
    n1, n2 = _ndtr_pair(theta * d1, theta * d2)
    value = theta * (forward * n1 - strike * n2)
    intrinsic = np.maximum(theta * (forward - strike), 0.0)
    # zero total variance (t == 0 or vol == 0): the option is worth its intrinsic value
    return np.where(s > 0, value, np.where(s == 0, intrinsic, np.nan))


def black_price(forward: ArrayLike, strike: ArrayLike, t: ArrayLike, rate: ArrayLike,
                vol: ArrayLike, right: RightLike) -> FloatArray:
    """Black-76 price of a European option on a forward.

    Parameters
    ----------
    forward, strike
        Forward price for the option's expiry and strike (same units).
    t
        Years to expiry.
    rate
        Continuously compounded discount rate (decimal).
    vol
        Annual volatility (decimal).
    right
        ``"C"``/``"P"`` (see :func:`is_call`).

    Returns
    -------
    numpy.ndarray
        ``e^{-rt} [theta F N(theta d1) - theta K N(theta d2)]``; at ``t == 0`` or
        ``vol == 0`` the discounted intrinsic value; NaN for negative ``t`` or
        ``vol`` and for NaN inputs.

    Notes
    -----
    d1 = ln(F/K)/(vol sqrt t) + vol sqrt t / 2,  d2 = d1 - vol sqrt t,
    theta = +1 for calls, -1 for puts.

    Examples
    --------
    >>> round(float(black_price(100.0, 100.0, 0.5, 0.02, 0.2, "C")), 10)
    5.5811067246
    """
    f, k, tt, r, v = _floats(forward, strike, t, rate, vol)
    call = is_call(right)
    return np.exp(-r * tt) * _black_undiscounted(f, k, tt, v, call)


def bsm_price(spot: ArrayLike, strike: ArrayLike, t: ArrayLike, rate: ArrayLike,
              div_yield: ArrayLike, vol: ArrayLike, right: RightLike) -> FloatArray:
    """Black-Scholes-Merton price with a continuous dividend yield (or carry).

    Parameters
    ----------
    spot, strike
        Underlying price and strike.
    t
        Years to expiry.
    rate, div_yield
        Continuously compounded rate and dividend yield (decimals).
    vol
        Annual volatility (decimal).
    right
        ``"C"``/``"P"`` (see :func:`is_call`).

    Returns
    -------
    numpy.ndarray
        The Black-76 price on the forward ``F = S e^{(r-q)t}`` discounted at
        ``r``; NaN rules as in :func:`black_price`.

    Examples
    --------
    >>> round(float(bsm_price(100.0, 95.0, 0.5, 0.10, 0.05, 0.20, "P")), 4)
    2.4648
    """
    s, k, tt, r, q, v = _floats(spot, strike, t, rate, div_yield, vol)
    forward = s * np.exp((r - q) * tt)
    return black_price(forward, k, tt, r, v, right)


def _greeks(forward: FloatArray, strike: FloatArray, t: FloatArray, rate: FloatArray,
            vol: FloatArray, call: np.ndarray, spot: FloatArray | None,
            div_yield: FloatArray | None) -> dict[str, FloatArray]:
    theta_sign = np.where(call, 1.0, -1.0)
    d1, d2, s = _d1_d2(forward, strike, t, vol)
    disc = np.exp(-rate * t)
    nd1, nd2 = _ndtr_pair(theta_sign * d1, theta_sign * d2)
    pdf1 = _npdf(d1)
    with np.errstate(divide="ignore", invalid="ignore"):  # t == 0 / vol == 0 give NaN greeks
        sqrt_t = np.sqrt(t)
        if spot is None:  # Black-76: derivatives with respect to the forward
            scale = disc  # dV/dF = e^{-rt} N(d1)
            under = forward
            carry_term = rate * disc * theta_sign * (forward * nd1 - strike * nd2)
            rho = -t * disc * theta_sign * (forward * nd1 - strike * nd2)
        else:  # BSM: derivatives with respect to spot, F = S e^{(r-q)t}
            assert div_yield is not None
            scale = disc * forward / spot  # = e^{-qt}
            under = spot
            carry_term = theta_sign * (div_yield * disc * forward * nd1
                                       - rate * disc * strike * nd2)
            rho = theta_sign * t * disc * strike * nd2
        delta = theta_sign * scale * nd1
        gamma = scale * pdf1 / (under * s)
        vega = disc * forward * pdf1 * sqrt_t
        theta_year = -disc * forward * pdf1 * vol / (2.0 * sqrt_t) + carry_term
        vanna = -scale * pdf1 * d2 / vol
        volga = vega * d1 * d2 / vol
    bad = ~(s > 0)
    out = {
        "delta": delta,
        "gamma": gamma,
        "vega_per_volpt": vega * VOL_POINT,
        "theta_per_day": theta_year / DAYS_PER_YEAR,
        "rho_per_pct": rho * RATE_POINT,
        "vanna": vanna * VOL_POINT,
        "volga": volga * VOL_POINT * VOL_POINT,
    }
    return {k: np.where(bad, np.nan, v) for k, v in out.items()}


def black_greeks(forward: ArrayLike, strike: ArrayLike, t: ArrayLike, rate: ArrayLike,
                 vol: ArrayLike, right: RightLike) -> dict[str, FloatArray]:
    """Black-76 greeks (derivatives with respect to the forward).

    Parameters
    ----------
    forward, strike, t, rate, vol, right
        As in :func:`black_price`.

    Returns
    -------
    dict of str to numpy.ndarray
        Keys :data:`GREEK_NAMES`: ``delta`` = e^{-rt} theta N(theta d1),
        ``gamma`` = e^{-rt} n(d1)/(F vol sqrt t), ``vega_per_volpt``,
        ``theta_per_day`` (forward held fixed), ``rho_per_pct`` = -t V x 0.01,
        ``vanna``, ``volga`` (units in the module docstring).  NaN where
        ``t <= 0`` or ``vol <= 0`` (the greeks are not defined there).

    Notes
    -----
    theta (per year) = -e^{-rt} F n(d1) vol / (2 sqrt t) + r V;
    vanna = -e^{-rt} n(d1) d2 / vol; volga = vega d1 d2 / vol.
    Same conventions as ``vollib.black.greeks.analytical``.
    """
    f, k, tt, r, v = _floats(forward, strike, t, rate, vol)
    call = is_call(right)
    f, k, tt, r, v, call = np.broadcast_arrays(f, k, tt, r, v, call)
    return _greeks(f, k, tt, r, v, call, None, None)


def bsm_greeks(spot: ArrayLike, strike: ArrayLike, t: ArrayLike, rate: ArrayLike,
               div_yield: ArrayLike, vol: ArrayLike, right: RightLike) -> dict[str, FloatArray]:
    """Black-Scholes-Merton greeks (derivatives with respect to spot).

    Parameters
    ----------
    spot, strike, t, rate, div_yield, vol, right
        As in :func:`bsm_price`.

    Returns
    -------
    dict of str to numpy.ndarray
        Keys :data:`GREEK_NAMES`: ``delta`` = theta e^{-qt} N(theta d1),
        ``gamma`` = e^{-qt} n(d1)/(S vol sqrt t), ``vega_per_volpt``,
        ``theta_per_day`` (spot held fixed), ``rho_per_pct`` = theta t K
        e^{-rt} N(theta d2) x 0.01, ``vanna``, ``volga``.  NaN where ``t <= 0``
        or ``vol <= 0``.

    Notes
    -----
    theta (per year) = -e^{-qt} S n(d1) vol / (2 sqrt t)
    + theta (q S e^{-qt} N(theta d1) - r K e^{-rt} N(theta d2)).
    Same conventions as ``vollib.black_scholes_merton.greeks.analytical``.
    """
    s, k, tt, r, q, v = _floats(spot, strike, t, rate, div_yield, vol)
    call = is_call(right)
    s, k, tt, r, q, v, call = np.broadcast_arrays(s, k, tt, r, q, v, call)
    forward = s * np.exp((r - q) * tt)
    return _greeks(forward, k, tt, r, v, call, s, q)
