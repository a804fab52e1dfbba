"""Realized-vol forecasts over an option's life: EWMA and HAR-RV.

Public entry point :func:`rv_forecast` is re-exported by
:mod:`volscreen.realized`.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from ._rolling import rolling_mean
from ._typing import FloatArray
from .errors import ConfigError, EmptyDataError

log = logging.getLogger(__name__)

HAR_LAGS = (1, 5, 22)
"""Daily, weekly and monthly components of the HAR-RV regression (bars)."""
MIN_HAR_OBS = 250
"""Fewest regression rows for a HAR fit; below it the EWMA forecast is used."""
ForecastMethod = Literal["har", "ewma"]


@dataclass(frozen=True)
class RVForecast:
    """A realized-vol forecast with its in-sample record.

    Vols are annual decimals (sqrt(252) convention); errors are the
    root-mean-square difference, in annual vol, between each method's fitted
    value and the realized vol over the following ``horizon_days`` bars,
    over every bar of the history where both are known.
    """

    vol: float  # the forecast of the chosen method
    method: str  # method used for ``vol`` ("har" or "ewma")
    horizon_days: int  # trading days ahead
    ewma_vol: float
    har_vol: float  # NaN when the history is too short for a fit
    ewma_rmse: float
    har_rmse: float
    har_coef: tuple[float, ...] = field(default=())  # intercept, daily, weekly, monthly
    n_obs: int = 0  # regression rows
    note: str = ""


def _daily_proxy(bars: pd.DataFrame, split_check: bool,
                 parts: Any = None) -> tuple[FloatArray, FloatArray]:
    """Daily variance proxy (overnight^2 + Rogers-Satchell) and squared returns.

    ``parts``: the already split-checked ``_prepare(bars, split_check)`` of
    ``bars``, when the caller has it.
    """
    if parts is None:
        from .realized import _prepare  # local: realized imports this module

        parts = _prepare(bars, split_check=split_check)
    proxy = parts.r_on**2 + parts.rs
    return proxy, parts.r_cc**2


def _forward_mean(x: FloatArray, h: int) -> FloatArray:
    """Mean of x[t+1 .. t+h] at each t (NaN where not all known)."""
    out = np.full(x.shape[0], np.nan)
    trailing = rolling_mean(x, h)  # trailing[t] = mean x[t-h+1 .. t]
    out[:-h] = trailing[h:]
    return out


@overload
def rv_forecast(
    bars: pd.DataFrame, horizon_days: int, *, method: ForecastMethod = ...,
    details: Literal[False] = ..., split_check: bool = ...,
) -> float: ...


@overload
def rv_forecast(
    bars: pd.DataFrame, horizon_days: int, *, method: ForecastMethod = ...,
    details: Literal[True], split_check: bool = ...,
) -> RVForecast: ...


def rv_forecast(
    bars: pd.DataFrame,
    horizon_days: int,
    *,
    method: ForecastMethod = "har",
    details: bool = False,
    split_check: bool = True,
) -> float | RVForecast:
    """Forecast the realized vol over the next ``horizon_days`` trading days.

    Parameters
    ----------
    bars
        Daily bars as for :func:`volscreen.realized_vols` (suspected splits
        are excluded from every fit and warned about).
    horizon_days
        Trading days to the option's expiry.  For an expiry ``d`` calendar
        days away use about ``d * 252 / 365``.
    method
        ``"har"`` (default) or ``"ewma"``; ``"har"`` falls back to EWMA,
        with a ``note``, when the history is too short to fit it.
    details
        Return an :class:`RVForecast` (both forecasts and their in-sample
        errors) instead of the float.
    split_check
        As in :func:`volscreen.realized_vols`: one-day moves matching a
        split ratio are left out of the fits (restarting the EWMA) and warned
        about; pass False for series whose big moves are real (VIX).

    Returns
    -------
    float or RVForecast
        Annual decimal vol on the 252-trading-day basis.

    Notes
    -----
    Daily variance proxy: v_t = ln(O_t/C_{t-1})^2 + RS_t, the overnight
    return squared plus the Rogers-Satchell intraday variance (drift-free,
    far less noisy than a squared return).  Target: the mean of
    v_{t+1..t+h}.

    * EWMA (RiskMetrics, lambda = 0.94) of squared close-to-close returns,
      seeded with the mean of the first 20.  The forecast is flat in the
      horizon: sigma^2 = v_T.
    * HAR-RV (Corsi 2009) in vol space, fitted directly for the horizon by
      least squares on square roots:
      sqrt(mean(v_{t+1..t+h})) = b0 + b_d sqrt(v_t) + b_w sqrt(mean(v_{t-4..t}))
      + b_m sqrt(mean(v_{t-21..t})); the forecast is the fitted value at the
      last bar (an expected vol, the quantity an ATM straddle's value is
      linear in).  Overlapping targets: the n_obs rows are not independent
      (about n_obs / h independent ones).

    Why vol space: fitted on variance levels, the regression is dominated by
    crisis spikes (a day of 2008 or 2020 weighs as much as hundreds of quiet
    days) and its intercept alone was ~15 % vol on IWM, so quiet, compressed
    regimes, the ones this screener looks for, got forecasts ~2 vol points
    too high out of sample and straddles looked cheap.  On the square roots
    the out-of-sample error is lower on IWM, SPY, QQQ and the S&P 500 and
    the quiet-regime bias is within about 1 point at 5 and 21 days.

    Default HAR: it carries the mean reversion of vol over multi-week
    horizons, which EWMA's flat forecast cannot, and has the lower error on
    the long real histories (IWM, SPY, QQQ, S&P 500), in and out of sample.
    The default is not switched per history to whichever in-sample RMSE is
    lower: the two are often within 1 % of each other on short histories,
    and switching per horizon would make the forecast jump between expiries
    of one chain (on the generated sample: HAR 18.8 % at 5 days, EWMA 15.3 %
    at 14-21, HAR 22.8 % at 63).  Both RMSEs are reported (``details=True``)
    so the choice can be checked; pass ``method="ewma"`` to override.  With
    fewer than 250 regression rows EWMA is used and ``note`` says so.

    Comparison with implied vol: implied vols here use calendar time
    (t = minutes / 525,600).  Over an option's life the forecast total
    variance is sigma_rv^2 * N / 252 for N trading days, the implied one
    sigma_iv^2 * t; with N ~ 252 t the two annualised numbers compare
    directly (weekends carry little variance).
    """
    if int(horizon_days) < 1:
        raise ConfigError(f"horizon_days must be at least 1, got {horizon_days!r}")
    if method not in ("har", "ewma"):
        raise ConfigError(f"unknown forecast method {method!r}; choose 'har' or 'ewma'")
    return Forecaster(bars, split_check=split_check).forecast(
        horizon_days, method=method, details=details)


class Forecaster:
    """The HAR/EWMA inputs of one history, fitted for any number of horizons.

    The daily proxy, the EWMA and the HAR regressors do not depend on the
    horizon: they are built once here, and :meth:`forecast` only fits the
    regression for a horizon (and caches it), so forecasts for every expiry
    of a chain cost one pass over the bars plus one small least-squares fit
    each.  Results are those of :func:`rv_forecast` exactly.
    """

    def __init__(self, bars: pd.DataFrame, *, split_check: bool = True,
                 parts: Any = None) -> None:
        proxy, ret2 = _daily_proxy(bars, split_check, parts)
        if np.count_nonzero(np.isfinite(ret2)) < 22:
            raise EmptyDataError(
                f"need at least 22 daily returns to forecast vol, got {len(bars)} bars")
        from .realized import TRADING_DAYS_PER_YEAR

        self.annual = float(TRADING_DAYS_PER_YEAR)
        self.proxy = proxy
        self._ret2 = ret2
        comps = [proxy] + [rolling_mean(proxy, lag) for lag in HAR_LAGS[1:]]
        # fitted in vol space (square roots of the variances): a fit on variance levels is
        # dominated by crisis spikes and overstates the vol of quiet regimes (see rv_forecast)
        self.x = np.column_stack([np.ones_like(proxy), *(np.sqrt(c) for c in comps)])
        self.x_ok = np.isfinite(self.x).all(axis=1)
        # the prefix sums of rolling_sum(proxy, h), shared by every horizon's target
        finite = np.isfinite(proxy)
        self._csum = np.concatenate(([0.0], np.cumsum(np.where(finite, proxy, 0.0))))
        self._cbad = np.concatenate(([0], np.cumsum(~finite)))
        self._cores: dict[int, _HarFit] = {}
        self._fits: dict[int, RVForecast] = {}

    @functools.cached_property
    def ewma(self) -> FloatArray:
        """EWMA daily variance of the close-to-close returns (built on first use: the
        HAR forecast, the default, needs it only as its fallback)."""
        from .realized import EWMA_LAMBDA, _ewma_var

        return _ewma_var(np.sqrt(self._ret2), 20, EWMA_LAMBDA)

    @functools.cached_property
    def ewma_vol(self) -> float:
        """The EWMA forecast (annual, flat in the horizon)."""
        last = self.ewma[-1]
        return float(np.sqrt(self.annual * last)) if np.isfinite(last) else np.nan

    def _target(self, h: int) -> FloatArray:
        """:func:`_forward_mean` of the proxy over ``h`` bars, from the shared prefix sums.

        The same differences of the same cumulative sums as
        ``rolling_mean(proxy, h)`` shifted by ``h``, so equal to
        ``_forward_mean(self.proxy, h)`` bit for bit.
        """
        n = self.proxy.shape[0]
        out = np.full(n, np.nan)
        if h >= n:
            return out
        csum, cbad = self._csum, self._cbad
        sums = csum[h + 1:] - csum[1:n - h + 1]  # the trailing sums ending at bars h .. n-1
        nbad = cbad[h + 1:] - cbad[1:n - h + 1]
        out[:n - h] = np.where(nbad == 0, sums, np.nan) / h
        return out

    def vol(self, horizon_days: int) -> float:
        """The default (HAR) forecast for ``horizon_days`` as a float.

        Equal to ``forecast(horizon_days, details=False)``; the in-sample
        errors (only reported with ``details``) are not computed.
        """
        core = self._core(int(horizon_days))
        if core.note:
            log.info("rv_forecast: %s", core.note)
        return float(core.har_vol if np.isfinite(core.har_vol) else self.ewma_vol)

    def forecast(self, horizon_days: int, *, method: ForecastMethod = "har",
                 details: bool = True) -> RVForecast | float:
        """As :func:`rv_forecast` for this history."""
        if int(horizon_days) < 1:
            raise ConfigError(f"horizon_days must be at least 1, got {horizon_days!r}")
        if method not in ("har", "ewma"):
            raise ConfigError(f"unknown forecast method {method!r}; choose 'har' or 'ewma'")
        out = self._details(int(horizon_days), method)
        return out if details else float(out.vol)

    def _details(self, h: int, method: str) -> RVForecast:
        fit = self._fits.get(h)
        if fit is None:
            fit = self._fits[h] = self._fit(h)
        if method == "ewma" or not np.isfinite(fit.har_vol):
            used, vol = "ewma", fit.ewma_vol
        else:
            used, vol = "har", fit.har_vol
        if fit.note and method == "har":
            log.info("rv_forecast: %s", fit.note)
        return RVForecast(
            vol=float(vol), method=used, horizon_days=h, ewma_vol=fit.ewma_vol,
            har_vol=fit.har_vol, ewma_rmse=fit.ewma_rmse, har_rmse=fit.har_rmse,
            har_coef=fit.har_coef, n_obs=fit.n_obs, note=fit.note,
        )

    def _core(self, h: int) -> _HarFit:
        """The HAR regression of horizon ``h`` (cached): what :meth:`vol` needs."""
        core = self._cores.get(h)
        if core is not None:
            return core
        target = self._target(h)
        x = self.x
        y = np.sqrt(target)
        fit_rows = self.x_ok & np.isfinite(y)
        n_obs = int(fit_rows.sum())
        har_vol, note = np.nan, ""
        coef: tuple[float, ...] = ()
        fitted = None
        if n_obs >= MIN_HAR_OBS:
            x_fit, y_fit = _rows_of(fit_rows, n_obs, x, y)
            beta, *_ = np.linalg.lstsq(x_fit, y_fit, rcond=None)
            coef = tuple(float(b) for b in beta)
            fitted = x @ beta
            last = fitted[-1]
            if np.isfinite(last) and last > 0.0:
                har_vol = float(np.sqrt(self.annual) * last)
            else:
                note = "HAR forecast not positive at the last bar; EWMA used"
        else:
            note = f"only {n_obs} HAR regression rows (< {MIN_HAR_OBS}); EWMA used"
        core = self._cores[h] = _HarFit(target, fit_rows, fitted, coef, n_obs, har_vol, note)
        return core

    def _fit(self, h: int) -> RVForecast:
        annual = self.annual
        core = self._core(h)
        target = core.target
        ok = np.isfinite(target) & np.isfinite(self.ewma)
        ewma_rmse = _rmse(self.ewma[ok], target[ok], annual)
        har_rmse = np.nan
        if core.fitted is not None:
            rows = core.fit_rows
            har_rmse = _rmse(np.maximum(core.fitted[rows], 0.0) ** 2, target[rows], annual)
        return RVForecast(vol=core.har_vol, method="har", horizon_days=h,
                          ewma_vol=self.ewma_vol, har_vol=core.har_vol, ewma_rmse=ewma_rmse,
                          har_rmse=har_rmse, har_coef=core.coef, n_obs=core.n_obs,
                          note=core.note)


def _rows_of(rows: np.ndarray, count: int, *arrays: FloatArray) -> list[FloatArray]:
    """``[a[rows] for a in arrays]``, as views when the ``count`` rows are one run.

    The regression rows of a history without gaps are one run (the lags'
    warm-up before it, the horizon's last bars after it): a slice holds the
    same values as the masked copy, without copying them.
    """
    first = int(np.argmax(rows))
    if rows[first:first + count].all():
        return [a[first:first + count] for a in arrays]
    return [a[rows] for a in arrays]


class _HarFit:
    """One horizon's HAR regression: target, rows fitted, fitted values (None: no fit).

    A plain class (not a dataclass, whose generated methods cost more to
    create at import than every use of this one)."""

    __slots__ = ("target", "fit_rows", "fitted", "coef", "n_obs", "har_vol", "note")

    def __init__(self, target: FloatArray, fit_rows: np.ndarray, fitted: FloatArray | None,
                 coef: tuple[float, ...], n_obs: int, har_vol: float, note: str) -> None:
        self.target, self.fit_rows, self.fitted = target, fit_rows, fitted
        self.coef, self.n_obs, self.har_vol, self.note = coef, n_obs, har_vol, note


def _rmse(fitted_var: FloatArray, target_var: FloatArray, annual: float) -> float:
    """RMSE in annual vol between two daily-variance series."""
    if fitted_var.size == 0:
        return float("nan")
    a = np.sqrt(annual * np.maximum(fitted_var, 0.0))
    b = np.sqrt(annual * np.maximum(target_var, 0.0))
    return float(np.sqrt(np.mean((a - b) ** 2)))
