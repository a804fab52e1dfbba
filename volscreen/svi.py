"""Raw SVI smile per expiry (Gatheral) with the Gatheral-Jacquier butterfly check.

Raw SVI gives total implied variance as a function of log-moneyness
k = ln(K/F):

    w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)),   w = iv^2 t.

A slice is free of butterfly arbitrage when its risk-neutral density is
non-negative, i.e. (Gatheral & Jacquier 2014, "Arbitrage-free SVI volatility
surfaces", eq. 2.1)

    g(k) = (1 - k w'/(2w))^2 - (w'^2 / 4) (1/w + 1/4) + w''/2 >= 0.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import columns as C
from ._typing import ArrayLike, FloatArray

logger = logging.getLogger(__name__)

MIN_SVI_POINTS = 5
"""Fewer usable points than this and no fit is attempted (5 parameters)."""
MAX_RMSE_VOLPTS = 5.0
"""A fit worse than this (vol points) is rejected for the fallback."""
G_GRID_POINTS = 401
"""Points of the k grid on which g(k) >= 0 is checked."""
G_TOLERANCE = -1e-9
"""g(k) below this counts as butterfly arbitrage (round-off allowance)."""
VOLPTS = 100.0
"""Vol points per unit of decimal vol."""


def svi_total_variance(k: ArrayLike, a: float, b: float, rho: float, m: float,
                       sigma: float) -> FloatArray:
    """Raw-SVI total variance w(k) (see the module docstring)."""
    x = np.asarray(k, dtype=float) - m
    return a + b * (rho * x + np.sqrt(x * x + sigma * sigma))


def svi_g(k: ArrayLike, a: float, b: float, rho: float, m: float, sigma: float) -> FloatArray:
    """Gatheral-Jacquier density function g(k) of a raw-SVI slice.

    Negative values mark butterfly arbitrage; where w(k) <= 0 the slice is
    meaningless and g is returned as -inf.
    """
    kk = np.asarray(k, dtype=float)
    x = kk - m
    root = np.sqrt(x * x + sigma * sigma)
    w = a + b * (rho * x + root)
    w1 = b * (rho + x / root)
    w2 = b * sigma * sigma / root**3
    with np.errstate(divide="ignore", invalid="ignore"):  # w <= 0 handled just below
        g = (1 - kk * w1 / (2 * w)) ** 2 - w1 * w1 / 4 * (1 / w + 0.25) + w2 / 2
    return np.where(w > 0, g, -np.inf)


@dataclass(frozen=True)
class SviFit:
    """A fitted raw-SVI slice.

    Attributes
    ----------
    a, b, rho, m, sigma
        Raw-SVI parameters (total-variance units, k = ln(K/F)); NaN when no
        fit was kept.
    t
        Time to expiry in years the slice was fitted at.
    rmse_volpts
        Root-mean-square error of the fitted vols against the inputs, in vol
        points (1.0 = 0.01 decimal vol); for the fallback, 0 at the inputs.
    status
        ``ok``, ``butterfly_arbitrage`` (fit kept, g(k) < 0 inside the
        checked range), ``fallback_interpolation`` (fit failed or too poor:
        :meth:`iv` interpolates the inputs linearly in total variance) or
        ``too_few_points``.
    n_points
        Points used in the fit.
    min_g
        Smallest g(k) on the check grid (NaN without a fit).
    """

    a: float
    b: float
    rho: float
    m: float
    sigma: float
    t: float
    rmse_volpts: float
    status: str
    n_points: int
    min_g: float
    k_data: tuple[float, ...] = ()
    w_data: tuple[float, ...] = ()

    @property
    def params(self) -> tuple[float, float, float, float, float]:
        return (self.a, self.b, self.rho, self.m, self.sigma)

    @property
    def has_fit(self) -> bool:
        return self.status in (C.SVI_OK, C.SVI_BUTTERFLY_ARB)

    def total_variance(self, k: ArrayLike) -> FloatArray:
        """w(k) from the fit, or linear interpolation of the inputs for the fallback.

        The fallback is NaN outside the input range (no extrapolation).
        """
        kk = np.asarray(k, dtype=float)
        if self.has_fit:
            return svi_total_variance(kk, *self.params)
        if self.status == C.SVI_FALLBACK and len(self.k_data) >= 2:
            kd, wd = np.asarray(self.k_data), np.asarray(self.w_data)
            return np.interp(kk, kd, wd, left=np.nan, right=np.nan)
        return np.full(kk.shape, np.nan)

    def iv(self, k: ArrayLike) -> FloatArray:
        """Implied vol sqrt(w(k)/t); NaN where w <= 0 or undefined."""
        w = self.total_variance(k)
        with np.errstate(invalid="ignore"):
            return np.where(w > 0, np.sqrt(np.where(w > 0, w, 0.0) / self.t), np.nan)

    def to_dict(self) -> dict[str, Any]:
        return {C.SVI_A: self.a, C.SVI_B: self.b, C.SVI_RHO: self.rho, C.SVI_M: self.m,
                C.SVI_SIGMA: self.sigma, C.T: self.t, C.SVI_RMSE_VOLPTS: self.rmse_volpts,
                C.SVI_STATUS: self.status, "n_points": self.n_points, "min_g": self.min_g}


def _starts(k: FloatArray, w: FloatArray) -> list[FloatArray]:
    """A few starting points spread over plausible shapes."""
    wmin = float(w.min())
    k_at_min = float(k[np.argmin(w)])
    span = max(float(k.max() - k.min()), 1e-3)
    slope = max(float(np.ptp(w)) / span, 1e-4)
    return [np.array([wmin * 0.9, slope, rho, k_at_min, 0.2 * span]) for rho in (-0.6, 0.0)]


def fit_svi(
    log_moneyness: ArrayLike,
    iv: ArrayLike,
    t: float,
    *,
    weights: ArrayLike | None = None,
) -> SviFit:
    """Fit a raw-SVI slice to one expiry's implied vols.

    Parameters
    ----------
    log_moneyness
        k = ln(K/F) of each quote (use the OTM side: puts below F, calls at
        or above it).
    iv
        Implied vols (decimal).  Non-finite or non-positive points are
        ignored.
    t
        Time to expiry in years (minute clock), > 0.
    weights
        Optional non-negative weights per point (e.g. vega); equal by
        default.

    Returns
    -------
    SviFit
        Parameters, RMSE in vol points and a status (see :class:`SviFit`).

    Notes
    -----
    Least squares on the vol error of each point, (w_fit - w) / (2 iv t)
    with w = iv^2 t (the first-order vol error, so every point counts in vol
    points, as the reported RMSE does; a plain total-variance objective
    would weight each point by its vol and let the deep put wing pull the fit
    off the money), with
    :func:`scipy.optimize.least_squares` (trust-region reflective) from
    two starting points (rho = -0.6 and 0), an analytic Jacobian, bounds b >= 0, |rho| < 1, sigma > 0, and the
    penalty-free constraint a + b sigma sqrt(1 - rho^2) >= 0 (the minimum
    of w is non-negative) checked after the fit.  The best fit is then
    checked for butterfly arbitrage: g(k) (module docstring) on
    401 points over the data range widened by half its width on each side;
    any g < -1e-9 gives status ``butterfly_arbitrage`` (parameters kept).
    If every start fails, the minimum variance is negative, or the RMSE
    exceeds 5 vol points, the status is ``fallback_interpolation`` and
    :meth:`SviFit.iv` interpolates the inputs linearly in total variance.
    """
    k = np.asarray(log_moneyness, dtype=float).ravel()
    vol = np.asarray(iv, dtype=float).ravel()
    wts = np.ones_like(k) if weights is None else np.asarray(weights, dtype=float).ravel()
    with np.errstate(invalid="ignore"):
        good = np.isfinite(k) & np.isfinite(vol) & (vol > 0) & np.isfinite(wts) & (wts >= 0)
    k, vol, wts = k[good], vol[good], wts[good]
    order = np.argsort(k)
    k, vol, wts = k[order], vol[order], wts[order]
    w = vol * vol * t
    nan5 = (np.nan,) * 5
    if not (np.isfinite(t) and t > 0) or k.size < MIN_SVI_POINTS:
        return SviFit(*nan5, t=float(t), rmse_volpts=np.nan, status=C.SVI_TOO_FEW,
                      n_points=int(k.size), min_g=np.nan)

    from scipy.optimize import least_squares  # heavy: imported only when fitting

    sw = np.sqrt(wts / wts.mean()) if wts.sum() > 0 else np.ones_like(k)
    span = float(k.max() - k.min())
    lower = [-float(w.max()), 0.0, -0.999, float(k.min()) - span, 1e-4]
    upper = [float(w.max()), 10.0, 0.999, float(k.max()) + span, 5.0]

    # Residuals in vol, not in total variance: dw = 2 iv t d(iv), so dividing by
    # 2 iv t turns a total-variance error into its vol error to first order.  Raw
    # total-variance residuals weight each point by its own vol, which lets a
    # high-vol deep put wing of one-cent quotes pull the fit away from the money.
    scale = 2.0 * vol * t

    def resid(p: FloatArray) -> FloatArray:
        return sw * (svi_total_variance(k, *p) - w) / scale

    def jac(p: FloatArray) -> FloatArray:
        _, b, rho, m, sig = p
        x = k - m
        root = np.sqrt(x * x + sig * sig)
        cols = (np.ones_like(k), rho * x + root, b * x, -b * (rho + x / root), b * sig / root)
        return (sw / scale)[:, None] * np.column_stack(cols)

    best = None
    for x0 in _starts(k, w):
        x0 = np.clip(x0, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
        try:
            res = least_squares(resid, x0, jac=jac, bounds=(lower, upper), method="trf",
                                max_nfev=300, x_scale="jac")
        except (ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
            logger.debug("SVI start %s failed: %s", x0, exc)
            continue
        if best is None or res.cost < best.cost:
            best = res
    fallback = SviFit(*nan5, t=float(t), rmse_volpts=0.0, status=C.SVI_FALLBACK,
                      n_points=int(k.size), min_g=np.nan, k_data=tuple(k), w_data=tuple(w))
    if best is None:
        return fallback
    a, b, rho, m, sigma = (float(x) for x in best.x)
    w_fit = svi_total_variance(k, a, b, rho, m, sigma)
    min_w = a + b * sigma * np.sqrt(1 - rho * rho)
    if min_w < 0 or np.any(w_fit <= 0):
        return fallback
    rmse = float(np.sqrt(np.mean((np.sqrt(w_fit / t) - vol) ** 2)) * VOLPTS)
    if not rmse <= MAX_RMSE_VOLPTS:
        return fallback
    grid = np.linspace(k.min() - span / 2, k.max() + span / 2, G_GRID_POINTS)
    min_g = float(np.min(svi_g(grid, a, b, rho, m, sigma)))
    status = C.SVI_OK if min_g >= G_TOLERANCE else C.SVI_BUTTERFLY_ARB
    return SviFit(a, b, rho, m, sigma, t=float(t), rmse_volpts=rmse, status=status,
                  n_points=int(k.size), min_g=min_g)


__all__ = ["SviFit", "fit_svi", "svi_g", "svi_total_variance"]
