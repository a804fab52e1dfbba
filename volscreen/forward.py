"""Put-call-parity forwards, discount factors and implied carry, one row per expiry.

Conventions: ``t`` in years on the minute clock (:func:`volscreen.clock.year_fraction`),
continuously compounded rates, decimals.  Prices are the chain's ``mid``.

Every series (expiry) is computed at once on sorted arrays: the chain is
grouped once, calls and puts are paired once per (series, strike), and the
per-series choices (K*, the closest pairs, their median) are segment
operations on those arrays.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from numbers import Real
from typing import Any, Literal, Union, cast

import numpy as np
import pandas as pd

from . import clock
from . import columns as C
from ._frames import text_array
from ._parity import pairs as _pairs
from ._parity import rows_median as _rows_median
from ._parity import segment_median as _segment_median
from ._parity import theil_sen as _theil_sen
from ._serieskeys import factorize as _factorize
from ._serieskeys import series_ids, series_ids_and_constants  # noqa: F401  (series_ids: API)
from .errors import ChainSchemaError, ConfigError

logger = logging.getLogger(__name__)

RateLike = Union[float, Mapping[object, float], Callable[[float], float], None]

N_PARITY_PAIRS = 5
"""Pairs (smallest |C - P| first) used by the robust forward and the regression."""
MIN_REGRESSION_PAIRS = 3
"""Fewest pairs for the rate-free regression of C - P on K."""
PLAUSIBLE_RATE = (-0.05, 0.25)
"""Implied rates outside this range (continuous, annual) are rejected."""
PLAUSIBLE_CARRY = 1.0
"""|ln(F/S)| above PLAUSIBLE_CARRY * t + 0.05 is rejected as implausible."""

GROUP_COLUMNS = (C.UNDERLYING, C.ROOT, C.QUOTE_TIME, C.EXPIRY, C.SETTLEMENT)
"""Columns (those present) that identify one expiry's option series."""


def group_columns(chain: pd.DataFrame) -> list[str]:
    """The columns of :data:`GROUP_COLUMNS` present in ``chain`` (one series each)."""
    return [c for c in GROUP_COLUMNS if c in chain.columns]


def settlement_of(chain: pd.DataFrame) -> np.ndarray:
    """``settlement`` column, else inferred from ``root``, else ``"PM"``."""
    if C.SETTLEMENT in chain.columns:
        return chain[C.SETTLEMENT].to_numpy(dtype=object)
    if C.ROOT in chain.columns:
        return clock.settlement_style(chain[C.ROOT])
    return np.full(len(chain), C.PM, dtype=object)


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow view of ``frame`` without ``attrs``, for reading columns.

    pandas deep-copies ``attrs`` (a loader's provenance) into every column it
    hands out; stages that read a dozen columns of a chain read them here.
    """
    if not frame.attrs:
        return frame
    view = frame.copy(deep=False)
    view.attrs = {}
    return view


def _first_letters(spellings: Any) -> np.ndarray:
    return np.array([str(u).upper()[:1] for u in spellings], dtype=object)


def column_array(chain: pd.DataFrame, name: str) -> Any:
    """Column ``name``'s values as stored (a NumPy or extension array), without a Series.

    ``chain[name]`` builds a Series (and its index) per call; the stages
    read a dozen columns per chain, straight from the frame when pandas
    exposes them.  A NumPy array comes back read-only: the caller's data.
    """
    getter = getattr(chain, "_get_column_array", None)
    loc = chain.columns.get_loc(name)
    if getter is None or not isinstance(loc, int):
        return chain[name].array
    values = getter(loc)
    if isinstance(values, np.ndarray):
        values = values.view()
        values.flags.writeable = False
    return values


def _float64(values: Any) -> np.ndarray | None:
    """A stored float64 column (from :func:`column_array`) as a NumPy array, else None."""
    if isinstance(values, np.ndarray):
        return values if values.dtype == np.float64 else None
    if isinstance(values, pd.arrays.NumpyExtensionArray) and values.dtype == np.float64:
        view = values.to_numpy().view()
        view.flags.writeable = False  # the caller's data
        return view
    return None


def _strikes(chain: pd.DataFrame) -> np.ndarray:
    """``strike`` as float (read-only); text that is not a number raises, naming its row."""
    stored = _float64(column_array(chain, C.STRIKE))
    if stored is not None:  # the loaders' dtype: nothing to parse
        return stored
    column = chain[C.STRIKE]
    if column.dtype.kind == "f":
        return column.to_numpy(dtype=np.float64, copy=False)
    numeric = pd.to_numeric(column, errors="coerce")
    text = numeric.isna() & column.notna()
    if text.any():
        row = chain.index[text.to_numpy()][0]
        raise ChainSchemaError(f"strike is not a number: {chain.loc[row, C.STRIKE]!r}",
                               row=row, column=C.STRIKE)
    return numeric.to_numpy(dtype=float, na_value=np.nan)


def _floats(chain: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` as a new float64 array; text that is not a number is NaN."""
    stored = _float64(column_array(chain, name))
    if stored is not None:  # the loaders' dtype: nothing to parse
        return stored.copy()
    column = chain[name]
    if column.dtype.kind == "f":  # the loaders' dtype: nothing to parse
        return column.to_numpy(dtype=np.float64, copy=True)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _as_times(values: Any) -> Any:
    """A datetime key column as the clock reads it without a copy: a datetime64[ns] array as
    is (naive or tz-aware), another unit as a DatetimeIndex, anything else as a Series."""
    if isinstance(values, pd.arrays.DatetimeArray):
        return values if values.unit == "ns" else pd.DatetimeIndex(values)
    return pd.Series(values)


def _series_are_expiries(chain: pd.DataFrame, key_cols: dict[str, Any],
                         is_constant: dict[str, bool]) -> bool:
    """True when the series are the term structure's groups: (expiry date, settlement).

    That is when every other key is constant, ``settlement`` is a column
    of text without missing values (or of one value), and the expiries are
    naive datetime64[ns] midnights without NaT: the series' numbering (keys
    ascending) and first rows are then those of grouping by expiry date and
    settlement.
    """
    if C.SETTLEMENT not in chain.columns or C.EXPIRY not in key_cols:
        return False
    if not all(is_constant[k] for k in key_cols if k not in (C.EXPIRY, C.SETTLEMENT)):
        return False
    expiry = key_cols[C.EXPIRY]
    if not (isinstance(expiry, pd.arrays.DatetimeArray) and expiry.dtype == _NS):
        return False
    stamps = np.asarray(cast(Any, expiry).asi8)
    if (stamps == np.iinfo(np.int64).min).any() or (stamps % _NS_PER_DAY).any():
        return False
    settlement = key_cols[C.SETTLEMENT]
    return is_constant[C.SETTLEMENT] or (isinstance(settlement.dtype, pd.StringDtype)
                                         and not bool(pd.isna(settlement).any()))


_NS = np.dtype("datetime64[ns]")
_NS_PER_DAY = 86_400 * 10**9


def rate_for(rate: RateLike, expiry: Any, t: float) -> float:
    """Resolve a rate given as a float, a mapping expiry -> rate, or a callable t -> rate."""
    if rate is None:
        return float("nan")
    if callable(rate):
        return float(rate(t))
    if isinstance(rate, Mapping):
        key = pd.Timestamp(expiry).normalize()
        for k, v in rate.items():
            if pd.Timestamp(cast(Any, k)).normalize() == key:
                return float(v)
        raise ConfigError(f"no rate given for expiry {key.date()}", column=C.RATE)
    try:
        return float(rate)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"rate must be a number, a mapping expiry -> rate or a callable; "
                          f"got {rate!r}", column=C.RATE) from exc


def _rates(rate: RateLike, expiries: Any, t: np.ndarray) -> np.ndarray:
    """One rate per series (a number is resolved once, a mapping or curve per series)."""
    if rate is None or isinstance(rate, (Real, np.number)):
        return np.full(t.size, rate_for(rate, None, np.nan))
    return np.array([rate_for(rate, e, float(x)) for e, x in zip(expiries, t)], dtype=float)


def forwards(chain: pd.DataFrame, rate: RateLike = None, *,
             method: Literal["median", "cboe"] = "median") -> pd.DataFrame:
    """Forward, discount factor and implied carry per expiry from put-call parity.

    Parameters
    ----------
    chain
        Canonical chain.  Needs ``expiry``, ``quote_time``, ``strike``,
        ``right``, ``mid`` and ``quote_status`` (or ``bid``/``ask``); uses
        ``underlying_price`` for the carry and ``settlement`` (or ``root``)
        for the clock when present.
    rate
        Continuously compounded risk-free rate: a float, a mapping
        expiry -> rate, a callable ``t -> rate``, or None to imply the
        discount factor from the chain (see Notes).
    method
        With a rate: ``"median"`` (default) or ``"cboe"`` (see Notes).

    Returns
    -------
    pandas.DataFrame
        One row per series (``underlying``, ``root``, ``quote_time``,
        ``expiry``, ``settlement``, those present) with ``t``, ``rate``,
        ``discount`` (e^{-rt}), ``forward``, ``underlying_price``,
        ``implied_carry`` (q = r - ln(F/S)/t), ``parity_strike`` (K*),
        ``parity_strikes_used`` and ``forward_status`` (``FS_*`` codes in
        :mod:`volscreen.columns`); ``forward`` is NaN whenever the status is
        not ``ok``/``no_spot``.

    Notes
    -----
    Valid pairs are strikes where both the call and the put have quote_status
    ``ok`` (both sides quoted, not crossed, not wide).  K* minimises
    |C_mid - P_mid| (ties: the lowest strike).  ``t`` and ``underlying_price``
    are the series' first row's clock and the median underlying price.

    * ``method="cboe"``: F = K* + e^{rt}(C - P) at K* alone (Cboe VIX rule).
    * ``method="median"`` (default): the median of F_i = K_i + e^{rt}(C_i - P_i)
      over the 5 pairs with the smallest |C - P|.  One stale or wide pair at
      K* moves the Cboe forward by its whole error; the median ignores it,
      and on a clean chain the two agree within the bid-ask noise.
    * ``rate=None``: a Theil-Sen regression of C - P = D F - D K on K over the
      same 5 pairs gives D (minus the slope) and F (intercept / D); rates
      outside :data:`PLAUSIBLE_RATE` are rejected (status ``implausible``).
      Short expiries rarely pin D down: pass a rate when you have one.

    A forward whose log distance from spot exceeds ``t + 0.05`` is reported
    with status ``implausible`` and a NaN forward.
    """
    return forwards_by_row(chain, rate, method=method)[0]


def forwards_by_row(chain: pd.DataFrame, rate: RateLike = None, *,
                    method: Literal["median", "cboe"] = "median"
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`forwards` and the row of its result that each chain row belongs to."""
    per_series, gid, _ = forward_arrays(chain, rate, method=method)
    return pd.DataFrame(per_series), gid


def forward_arrays(chain: pd.DataFrame, rate: RateLike = None, *,
                   method: Literal["median", "cboe"] = "median",
                   with_keys: bool = True
                   ) -> tuple[dict[str, Any], np.ndarray, dict[str, np.ndarray]]:
    """:func:`forwards` as columns (name -> array, one row per series), no DataFrame built.

    ``with_keys=False`` leaves out the series' key columns (underlying, root, ...).

    Also returns the series of each chain row and the per-row arrays read on
    the way (``strike``, ``mid`` as float, ``is_call``, ``is_put``), so a
    caller such as :func:`volscreen.implied_vols` parses them once, and
    ``series_has_forward`` (per series: status ``ok`` or ``no_spot``),
    ``series_first`` (each series' first row) and ``series_by_expiry`` (see
    :func:`_series_are_expiries`).
    """
    missing = [c for c in (C.EXPIRY, C.QUOTE_TIME, C.STRIKE, C.RIGHT, C.MID)
               if c not in chain.columns]
    if missing:
        raise ChainSchemaError(f"forwards needs columns {missing}", column=missing[0])
    if method not in ("median", "cboe"):
        raise ConfigError(f"method must be 'median' or 'cboe', got {method!r}")
    chain = without_attrs(chain)
    strike = _strikes(chain)
    keys = group_columns(chain) + ([] if C.SETTLEMENT in chain.columns else [C.SETTLEMENT])
    key_cols = {k: (column_array(chain, k) if k in chain.columns
                    else pd.array(settlement_of(chain).astype(str), dtype="str"))
                for k in keys}
    gid, first, constant = series_ids_and_constants(list(key_cols.values()), len(chain))
    n_series = first.size
    is_constant = dict(zip(key_cols, constant))

    def first_rows(key: str) -> Any:  # a constant column's first rows are any rows: a slice
        col = key_cols[key]
        return col[:n_series] if is_constant[key] else col.take(first)

    clock_keys = (C.QUOTE_TIME, C.EXPIRY, C.SETTLEMENT)
    out: dict[str, Any] = {k: first_rows(k) for k in clock_keys}

    t = clock.year_fraction(_as_times(out[C.QUOTE_TIME]), _as_times(out[C.EXPIRY]),
                            np.asarray(out[C.SETTLEMENT], dtype=object))
    r = _rates(rate, out[C.EXPIRY], t)
    spot = np.full(n_series, np.nan)
    if C.UNDERLYING_PRICE in chain.columns:
        price = _float64(column_array(chain, C.UNDERLYING_PRICE))
        price = _floats(chain, C.UNDERLYING_PRICE) if price is None else price
        if price.size and not np.isnan(price[0]) and (price == price[0]).all():
            spot = np.full(n_series, price[0])  # one price for the chain: every median is it
        else:
            spot = _segment_median(price, gid, n_series)

    # the distinct spellings of right and quote_status (a few each) are classified once
    right_codes, right_spellings = _factorize(column_array(chain, C.RIGHT))
    letters = _first_letters(right_spellings)
    is_call = (letters == C.CALL)[right_codes]
    is_put = (letters == C.PUT)[right_codes]
    mid = _floats(chain, C.MID)
    if C.QUOTE_STATUS in chain.columns:
        qs_codes, qs_values = _factorize(column_array(chain, C.QUOTE_STATUS))
        quoted = np.array([v == C.QS_OK for v in qs_values] + [False], dtype=bool)[qs_codes]
    else:
        bid, ask = chain[C.BID].to_numpy(float), chain[C.ASK].to_numpy(float)
        quoted = (bid > 0) & (ask >= bid)
    valid = quoted & ~np.isnan(mid) & ~np.isnan(strike) & (is_call | is_put)
    pair_g, pair_k, diff = _pairs(gid, strike, is_call, mid, valid)

    # closest pairs first within each series (stable: ties keep the lower strike)
    order = np.lexsort((np.abs(diff), pair_g))
    pair_g, pair_k, diff = pair_g[order], pair_k[order], diff[order]
    n_pairs = np.bincount(pair_g, minlength=n_series)
    start = np.concatenate(([0], np.cumsum(n_pairs)[:-1]))
    rank = np.arange(pair_g.size) - start[pair_g]
    near = rank < N_PARITY_PAIRS
    k_near = np.full((n_series, N_PARITY_PAIRS), np.nan)
    d_near = np.full((n_series, N_PARITY_PAIRS), np.nan)
    k_near[pair_g[near], rank[near]] = pair_k[near]
    d_near[pair_g[near], rank[near]] = diff[near]
    n_near = np.minimum(n_pairs, N_PARITY_PAIRS)
    has_pairs = n_pairs > 0

    both = (np.bincount(gid, weights=is_call, minlength=n_series) > 0) & \
        (np.bincount(gid, weights=is_put, minlength=n_series) > 0)
    status = np.full(n_series, C.FS_OK, dtype=object)
    alive = t > 0
    status[~alive] = C.FS_EXPIRED
    status[alive & ~both] = C.FS_ONE_SIDED
    status[alive & both & ~has_pairs] = C.FS_NO_PAIRS
    solve = alive & both & has_pairs
    parity_strike = np.where(solve, k_near[:, 0], np.nan)
    used = np.zeros(n_series, dtype=np.int64)
    disc = np.full(n_series, np.nan)
    forward = np.full(n_series, np.nan)
    rate_out = r.copy()

    with np.errstate(divide="ignore", invalid="ignore"):  # NaN rows carry a status
        regress = solve & np.isnan(r)
        few = regress & (n_near < MIN_REGRESSION_PAIRS)
        status[few] = C.FS_NO_PAIRS
        reg = regress & ~few
        if reg.any():
            slope, intercept = _theil_sen(k_near[reg], d_near[reg])
            d_reg = -slope
            r_reg = np.where(d_reg > 0, -np.log(d_reg) / t[reg], np.nan)
            rate_out[reg] = r_reg
            used[reg] = n_near[reg]
            plausible = (PLAUSIBLE_RATE[0] <= r_reg) & (r_reg <= PLAUSIBLE_RATE[1])
            status[np.flatnonzero(reg)[~plausible]] = C.FS_IMPLAUSIBLE
            ok_reg = np.flatnonzero(reg)[plausible]
            forward[ok_reg] = (intercept / d_reg)[plausible]
            disc[ok_reg] = d_reg[plausible]
        given = solve & ~np.isnan(r)
        d_given = np.exp(-r[given] * t[given])
        disc[given] = d_given
        if method == "cboe":
            forward[given] = k_near[given, 0] + d_near[given, 0] / d_given
            used[given] = 1
        else:
            forward[given] = _rows_median(k_near[given] + d_near[given] / d_given[:, None])
            used[given] = n_near[given]

        priced = solve & (status == C.FS_OK)
        bad_forward = priced & ~(forward > 0)
        status[bad_forward] = C.FS_IMPLAUSIBLE
        priced &= ~bad_forward
        has_spot = np.isfinite(spot) & (spot > 0)
        log_carry = np.log(forward / spot)
        carry = np.where(priced & has_spot, rate_out - log_carry / t, np.nan)
        far = priced & has_spot & (np.abs(log_carry) > PLAUSIBLE_CARRY * t + 0.05)
    status[far] = C.FS_IMPLAUSIBLE  # the carry it implies stays, as the reason
    status[priced & ~has_spot] = C.FS_NO_SPOT
    has_forward = (status == C.FS_OK) | (status == C.FS_NO_SPOT)  # a few series: no sort
    forward[~has_forward] = np.nan

    out[C.T] = t
    out[C.RATE] = rate_out
    out[C.DISCOUNT] = disc
    out[C.FORWARD] = forward
    out[C.UNDERLYING_PRICE] = spot
    out[C.IMPLIED_CARRY] = carry
    out[C.PARITY_STRIKE] = parity_strike
    out[C.PARITY_STRIKES_USED] = used
    out[C.FORWARD_STATUS] = text_array(status)
    bad = status != C.FS_OK
    if bad.any():
        logger.info("forwards: %d of %d expiries without an ok forward", int(bad.sum()), n_series)
    if with_keys:  # the series' key columns first, as forwards() reports them
        out = {k: (out[k] if k in out else first_rows(k)) for k in key_cols} | {
            k: v for k, v in out.items() if k not in key_cols}
    else:
        out = {k: v for k, v in out.items() if k not in key_cols}
    rows = {C.STRIKE: strike, C.MID: mid, "is_call": is_call, "is_put": is_put,
            "series_has_forward": has_forward, "series_first": first,
            "series_by_expiry": _series_are_expiries(chain, key_cols, is_constant),
            "right_codes": right_codes, "right_spellings": right_spellings}
    if C.QUOTE_STATUS in chain.columns:
        rows["quote_status_codes"] = qs_codes
        rows["quote_status_values"] = qs_values
    return out, gid, rows
