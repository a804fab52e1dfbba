#!/usr/bin/env python
"""Generate volscreen's bundled sample: GENERATED IWM-like bars and option chain.

Nothing written by this script is market data.  It builds, from a fixed seed,
a realistic-looking picture of the motivating case: IWM pinned between $255
and $265 for eight weeks, a 50-day average near $261, Bollinger width at a
multi-month low, breakout targets $275 / $245, and options whose implied
volatility sits a little under the realized volatility ("volatility is cheap,
look at straddles or strangles").

Usage::

    python scripts/make_sample.py            # writes fixtures/
    python scripts/make_sample.py --out DIR  # writes DIR/ (tests compare bytes)

Output (byte-identical on every run: ``numpy.random.default_rng(SEED)``, every
number formatted explicitly, ``\\n`` line endings):

* ``iwm_bars_sample.csv``: ``date,open,high,low,close,volume``.
* ``iwm_chain_sample.csv``: the canonical chain CSV, quoted 2026-02-02 16:00
  America/New_York (``2026-02-02T21:00:00+00:00``), plus ``vendor_iv``.

Bars model
----------
* Calendar: NYSE sessions from 2023-02-01 to 2026-02-02, i.e. weekdays minus
  the exchange holidays in :data:`NYSE_HOLIDAYS` (including the 2025-01-09
  national day of mourning).  Early closes are ordinary sessions here.
* Daily log returns: GJR-GARCH(1,1) with Student-t(5) innovations (unit
  variance), long-run vol :data:`LONG_RUN_VOL` (annual), times a
  regime multiplier that raises volatility in stress windows (March 2023,
  August 2024, April 2025, ...).
* Path: the return series is bridged through anchor closes (:data:`ANCHORS`,
  a small-cap-ETF-like history: ~196 in February 2023, lows near 163 in
  October 2023 and 173 in April 2025, a rally to ~268 in November 2025): in each
  segment between anchors the simulated returns are de-meaned and given the
  drift that joins the two anchors, which keeps the volatility clustering and
  fat tails and pins the levels.
* The box: the last :data:`BOX_SESSIONS` sessions are built directly.  The
  first half swings across the range (closes near both edges, intraday highs
  and lows at $265 / $255), the second half chops around a centre with
  mean-reverting, slightly anti-correlated noise whose scale narrows towards
  the end, so the close-to-close realized vol stays near 16% while the
  Bollinger(20, 2) bandwidth falls to its lowest in months.  The centre is set
  so that the 50-day SMA on the last bar is $261.00 and the last close is
  $262.22 (the chain's spot 262.215 is the mid of a 262.21 / 262.22 quote).
  Intraday prices are capped at the box edges (sellers at $265, buyers at
  $255); no close is outside the box.
* OHLC: each day's return r is split into an overnight gap g = 0.3 r + e and
  an open-to-close move r - g (e ~ N(0, (0.35 sigma)^2), so gaps and intraday
  moves are partly offsetting); high and low are the maximum and minimum of a
  Brownian bridge from the open to the close with the day's intraday
  variance (exact inverse-CDF sampling), so high >= max(open, close) and
  low <= min(open, close) by construction.  Prices are rounded to the cent.
* Volume: 28M shares times a lognormal factor rising with the day's |return|
  and the volatility regime, lower in the quiet box; integers.

Chain model
-----------
* Spot S = 262.215, r = 0.04, q = 0.011 (continuous, flat), forward
  F = S e^{(r - q) t}, discount D = e^{-r t}; t = minutes to 16:00 New York on
  the expiry date / 525,600 (:func:`volscreen.clock.year_fraction`).
* Prices: European Black-76 on F (own closed form with
  :func:`scipy.special.ndtr`, so the fixture never changes when the package's
  pricing code does).  IWM options are American: the early-exercise premium of
  in-the-money options is ignored, so deep in-the-money European puts can be
  worth slightly less than intrinsic; the screen works on the out-of-the-money
  side where the premium is negligible.
* Expiries: Monday/Wednesday/Friday weeklies through 2026-02-20, Friday
  weeklies to 2026-03-13, monthlies (third Friday; 2026-06-18 Thursday because
  Juneteenth falls on the Friday) through January 2027, and end-of-quarter
  expiries 2026-03-31 and 2026-06-30.  No expiry on the 2026-02-16 holiday.
* Strikes: every $1 within +-10% (weeklies) / +-12% (others) of spot, every $5
  beyond, out to S e^{-max(0.10, 3 sd)} below and S e^{+max(0.07, 2.2 sd)}
  above (sd = ATM vol * sqrt(t)), like a real listing.
* Volatility surface (``vendor_iv`` is this model vol, the generator's truth):
  SSVI (Gatheral & Jacquier 2014) in k = ln(K/F),
  w(k, t) = theta_t / 2 * (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)),
  phi = eta / (theta^gamma (1 + theta)^(1 - gamma)), with ATM total variance
  theta_t = s_inf^2 t - (s_inf^2 - s_0^2)(1 - e^{-kappa t}) / kappa (the
  expected average variance of a mean-reverting variance: ATM vol 15.5% in
  the front rising to ~19.8% at one year, low against the history), rho = -0.6,
  eta = 1.0, gamma = 0.5.  theta increasing in t and eta (1 + |rho|) <= 2 make
  the surface free of calendar and butterfly arbitrage (Gatheral & Jacquier,
  Theorems 4.1-4.2, Remark 4.4); the put skew is steepest in the front.
* Quotes: mid = model price; full spread
  s = (max(0.01, 1.2% of time value, 0.05 vega per vol point) + 0.2% of
  intrinsic) * (1 + 0.25 min(|z|, 6)), z = k / (ATM sd); bid = model - s/2
  rounded down to the cent, ask = model + s/2 rounded up (penny increments,
  as IWM trades in pennies); bid = 0 where the model price is under $0.03.
* Activity: volume and open interest are gamma-Poisson counts whose mean
  decays with |z| and with expiry, is higher for puts, monthlies, strikes
  that are multiples of $5 / $10 and the box edges and targets, lower in the
  money.  ``last`` is blank when volume is 0, else a trade near mid moved by
  delta times a random underlying move (trades happened earlier in the day).

Checks run on every generation (the script stops if one fails) and printed:
last close, SMA 50, BBW now and its 126-bar minimum, 20-day realized vol
(close-to-close and Yang-Zhang) against the front and 30-day implied vol.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
from scipy.special import ndtr

ROOT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT_DIR))

from volscreen.clock import year_fraction  # noqa: E402

SEED = 20260202
TRADING_DAYS_PER_YEAR = 252
FIRST_SESSION = dt.date(2023, 2, 1)
LAST_SESSION = dt.date(2026, 2, 2)
BARS_FILE = "iwm_bars_sample.csv"
CHAIN_FILE = "iwm_chain_sample.csv"

NYSE_HOLIDAYS = frozenset(dt.date.fromisoformat(d) for d in (
    "2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
    "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25",
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19",
    "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25",
    "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
    "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",
    "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19",
    "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
    "2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18",
    "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24",
))
"""NYSE full-day closures 2023-2027 (New Year, MLK, Presidents, Good Friday,
Memorial, Juneteenth, Independence, Labor, Thanksgiving, Christmas; observed
dates; 2025-01-09 national day of mourning)."""

# ---------------------------------------------------------------- bars model
LONG_RUN_VOL = 0.20
GARCH_ALPHA, GARCH_GAMMA, GARCH_BETA = 0.04, 0.10, 0.88
T_DOF = 5
GAP_SHARE = 0.3
GAP_NOISE = 0.35
INTRADAY_SHARE = 0.85
BASE_VOLUME = 28e6
ANCHORS = (
    ("2023-02-01", 196.40), ("2023-03-23", 171.20), ("2023-07-31", 201.30),
    ("2023-09-29", 176.20), ("2023-10-13", 168.90), ("2023-10-27", 163.10),
    ("2023-12-27", 204.20), ("2024-02-01", 195.80), ("2024-04-19", 191.00),
    ("2024-07-16", 224.80), ("2024-08-07", 198.90), ("2024-09-30", 221.00),
    ("2024-11-25", 242.10), ("2025-01-10", 214.30), ("2025-02-05", 224.60),
    ("2025-04-08", 173.40), ("2025-07-03", 223.60), ("2025-08-01", 213.10),
    ("2025-09-30", 241.50), ("2025-10-15", 247.50), ("2025-11-12", 268.40),
    ("2025-11-20", 262.80),
)
PRE_BOX_DATE = "2025-12-03"  # last anchor; its close is solved for the 50-day SMA
STRESS = (  # (first, last, peak multiplier of daily vol)
    ("2023-03-08", "2023-03-31", 1.8), ("2023-10-02", "2023-11-03", 1.3),
    ("2024-07-24", "2024-08-14", 1.7), ("2025-03-03", "2025-03-31", 1.4),
    ("2025-04-01", "2025-05-02", 2.4), ("2025-11-13", "2025-11-21", 1.3),
)
BOX_SESSIONS = 40
BOX_FLOOR, BOX_CEILING = 255.0, 265.0
SMA_TARGET = 261.0
LAST_CLOSE = 262.22
BOX_SWING = ((0, 264.3), (4, 256.2), (9, 264.2), (14, 255.8), (19, 264.2))
CALM_PHI = -0.25
CALM_CENTRE = 261.3
BOX_DAILY_VOL = 0.0125  # intraday and gap scale inside the box
CALM_SCALE = (2.4, 1.0)

# ---------------------------------------------------------------- chain model
SPOT = 262.215
RATE = 0.04
DIVIDEND_YIELD = 0.011
QUOTE_TIME = "2026-02-02T21:00:00+00:00"
ATM_VOL_FRONT, ATM_VOL_LONG, ATM_KAPPA = 0.155, 0.225, 2.0
SSVI_RHO, SSVI_ETA, SSVI_GAMMA = -0.6, 1.0, 0.5
ZERO_BID_BELOW = 0.03
CHAIN_HEADER = ("underlying,root,contract_symbol,quote_time,expiry,settlement,strike,right,"
                "bid,ask,last,volume,open_interest,underlying_price,multiplier,vendor_iv")


def trading_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """NYSE sessions from ``first`` to ``last`` inclusive."""
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in NYSE_HOLIDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _stress_multiplier(dates: list[dt.date]) -> np.ndarray:
    mult = np.ones(len(dates))
    ordinal = np.array([d.toordinal() for d in dates], dtype=float)
    for first, last, peak in STRESS:
        a, b = (dt.date.fromisoformat(x).toordinal() for x in (first, last))
        inside = (ordinal >= a) & (ordinal <= b)
        bump = np.sin(np.pi * (ordinal - a + 1) / (b - a + 2))  # smooth rise and fall
        mult = np.where(inside, np.maximum(mult, 1 + (peak - 1) * bump), mult)
    return mult


def _garch_returns(rng: np.random.Generator, n: int, mult: np.ndarray) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """GJR-GARCH(1,1) log returns with unit-variance Student-t shocks; also daily sigma."""
    var_lr = LONG_RUN_VOL**2 / TRADING_DAYS_PER_YEAR
    omega = var_lr * (1 - GARCH_ALPHA - GARCH_GAMMA / 2 - GARCH_BETA)
    shocks = rng.standard_t(T_DOF, size=n) / np.sqrt(T_DOF / (T_DOF - 2))
    ret, sig = np.empty(n), np.empty(n)
    h, prev = var_lr, 0.0
    for i in range(n):
        h = omega + (GARCH_ALPHA + GARCH_GAMMA * (prev < 0)) * prev**2 + GARCH_BETA * h
        sig[i] = np.sqrt(h) * mult[i]
        prev = sig[i] * shocks[i]
        ret[i] = prev
    return ret, sig


def _bridge(ret: np.ndarray, dates: list[dt.date],
            anchors: list[tuple[str, float]]) -> np.ndarray:
    """Give each anchor-to-anchor segment the drift that joins the anchor closes."""
    index = {d: i for i, d in enumerate(dates)}
    out = ret.copy()
    knots = [(index[dt.date.fromisoformat(d)], np.log(p)) for d, p in anchors]
    for (i0, x0), (i1, x1) in zip(knots[:-1], knots[1:]):
        seg = slice(i0 + 1, i1 + 1)
        out[seg] = ret[seg] - ret[seg].mean() + (x1 - x0) / (i1 - i0)
    out[0] = 0.0
    return out


def _path(raw: np.ndarray, dates: list[dt.date], box: np.ndarray) -> np.ndarray:
    """Closes: the bridged history, then the box.

    The last anchor (the session before the box) is solved by bisection so
    that the 50-day SMA on the last bar equals SMA_TARGET."""
    n_before = 50 - len(box)
    wanted = SMA_TARGET * 50 - box.sum()

    def closes(last_anchor: float) -> np.ndarray:
        ret = _bridge(raw, dates, list(ANCHORS) + [(PRE_BOX_DATE, last_anchor)])
        history = ANCHORS[0][1] * np.exp(np.cumsum(ret))
        return np.concatenate([history[:len(dates) - len(box)], box])

    lo, hi = 230.0, 300.0
    for _ in range(60):  # the pre-box sum increases with the anchor
        mid = (lo + hi) / 2
        if closes(mid)[-50:-50 + n_before].sum() < wanted:
            lo = mid
        else:
            hi = mid
    return closes((lo + hi) / 2)


def _box_closes(rng: np.random.Generator) -> np.ndarray:
    """Closes of the last BOX_SESSIONS sessions (swing half, then calm half)."""
    half = BOX_SESSIONS // 2
    knots_x, knots_y = zip(*BOX_SWING)
    swing = np.interp(np.arange(half), knots_x, knots_y) + rng.normal(0, 0.45, half)
    swing[[0, 9]] = np.minimum(swing[[0, 9]], BOX_CEILING - 0.45)
    swing[[4, 14]] = np.maximum(swing[[4, 14]], BOX_FLOOR + 0.45)
    scale = np.linspace(CALM_SCALE[0], CALM_SCALE[1], half)
    noise, u = np.empty(half), 0.0
    shocks = rng.standard_t(8, size=half) / np.sqrt(8 / 6)
    for i in range(half):
        u = CALM_PHI * u + np.sqrt(1 - CALM_PHI**2) * scale[i] * shocks[i]
        noise[i] = u
    calm = CALM_CENTRE + np.clip(noise, -3.2, 3.2)
    calm[-1] = LAST_CLOSE
    return np.concatenate([swing, calm])


def _high_low(rng: np.random.Generator, o: np.ndarray, c: np.ndarray,
              s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max and min of a Brownian bridge from ln o to ln c with variance s^2 (exact)."""
    d = np.log(c / o)
    u1, u2 = rng.random(len(o)), rng.random(len(o))
    up = (d + np.sqrt(d**2 - 2 * s**2 * np.log1p(-u1))) / 2
    dn = (d - np.sqrt(d**2 - 2 * s**2 * np.log1p(-u2))) / 2
    return o * np.exp(up), o * np.exp(dn)


def make_bars(rng: np.random.Generator) -> dict[str, np.ndarray | list[dt.date]]:
    """Simulate the bars; returns dates and float OHLC / integer volume arrays."""
    dates = trading_days(FIRST_SESSION, LAST_SESSION)
    n = len(dates)
    mult = _stress_multiplier(dates)
    raw, sig = _garch_returns(rng, n, mult)
    nb = n - BOX_SESSIONS
    assert dates[nb - 1] == dt.date.fromisoformat(PRE_BOX_DATE)
    close = _path(raw, dates, _box_closes(rng))
    sig[nb:] = BOX_DAILY_VOL
    ret = np.diff(np.log(close), prepend=np.log(close[0]) - raw[0])
    gap = GAP_SHARE * ret + rng.normal(0, GAP_NOISE, n) * sig
    prev_close = np.concatenate([[close[0] * np.exp(-ret[0])], close[:-1]])
    opens = prev_close * np.exp(gap)
    opens[nb:] = np.clip(opens[nb:], BOX_FLOOR + 0.3, BOX_CEILING - 0.3)
    high, low = _high_low(rng, opens, close, INTRADAY_SHARE * sig)
    high[nb:] = np.minimum(high[nb:], BOX_CEILING)
    low[nb:] = np.maximum(low[nb:], BOX_FLOOR)
    for i in (0, 9):  # the swing tops tag the ceiling, the bottoms the floor
        high[nb + i] = BOX_CEILING - 0.01 * rng.integers(0, 8)
    for i in (4, 14):
        low[nb + i] = BOX_FLOOR + 0.01 * rng.integers(0, 8)
    high = np.maximum(high, np.maximum(opens, close))
    low = np.minimum(low, np.minimum(opens, close))
    vol_level = np.log(sig / np.median(sig[:nb]))
    log_vol = (np.log(BASE_VOLUME) + 0.35 * vol_level + 12.0 * np.abs(ret - ret.mean())
               + rng.normal(0, 0.2, n) - 0.12 * (np.arange(n) >= nb))
    volume = np.rint(np.exp(log_vol - 6.0 * np.abs(ret).mean())).astype(np.int64)
    return {"date": dates, "open": opens, "high": high, "low": low, "close": close,
            "volume": volume}


def bars_csv(bars: dict) -> str:
    lines = ["date,open,high,low,close,volume"]
    for i, day in enumerate(bars["date"]):
        lines.append(f"{day.isoformat()},{bars['open'][i]:.2f},{bars['high'][i]:.2f},"
                     f"{bars['low'][i]:.2f},{bars['close'][i]:.2f},{bars['volume'][i]:d}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- chain
def expiries() -> list[tuple[dt.date, str]]:
    """(expiry date, kind) with kind in weekly / monthly / quarterly."""
    out: dict[dt.date, str] = {}
    day = dt.date(2026, 2, 3)
    while day <= dt.date(2026, 3, 13):
        if day not in NYSE_HOLIDAYS and (day.weekday() == 4 or (
                day.weekday() in (0, 2) and day <= dt.date(2026, 2, 20))):
            out[day] = "weekly"
        day += dt.timedelta(days=1)
    for year, month in [(2026, m) for m in range(2, 13)] + [(2027, 1)]:
        first = dt.date(year, month, 1)
        third = first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)
        while third in NYSE_HOLIDAYS:
            third -= dt.timedelta(days=1)
        out[third] = "monthly"
    for quarter_end in (dt.date(2026, 3, 31), dt.date(2026, 6, 30)):
        out.setdefault(quarter_end, "quarterly")
    return sorted(out.items())


def atm_total_variance(t: np.ndarray) -> np.ndarray:
    """theta_t = s_inf^2 t - (s_inf^2 - s_0^2)(1 - e^{-kappa t}) / kappa."""
    lo, hi = ATM_VOL_FRONT**2, ATM_VOL_LONG**2
    return hi * t - (hi - lo) * -np.expm1(-ATM_KAPPA * t) / ATM_KAPPA


def ssvi_total_variance(k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """SSVI total implied variance w(k, t) with the power-law phi."""
    theta = atm_total_variance(t)
    phi = SSVI_ETA / (theta**SSVI_GAMMA * (1 + theta) ** (1 - SSVI_GAMMA))
    rho = SSVI_RHO
    return theta / 2 * (1 + rho * phi * k + np.sqrt((phi * k + rho) ** 2 + 1 - rho**2))


def strikes_for(t: float, kind: str) -> np.ndarray:
    """Listed strikes: $1 near the money, $5 beyond, +-2-3 sd wide."""
    sd = np.sqrt(atm_total_variance(np.array(t)))
    lo = SPOT * np.exp(-max(0.10, 3.0 * sd))
    hi = SPOT * np.exp(max(0.07, 2.2 * sd))
    band = 0.10 if kind == "weekly" else 0.12
    ones = np.arange(np.ceil(SPOT * (1 - band)), np.floor(SPOT * (1 + band)) + 1)
    fives = np.arange(5 * np.ceil(lo / 5), 5 * np.floor(hi / 5) + 1, 5.0)
    grid = np.union1d(ones[(ones >= lo) & (ones <= hi)], fives)
    return grid


def black76(f: np.ndarray, k: np.ndarray, t: np.ndarray, vol: np.ndarray,
            is_call: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Discounted Black-76 price, forward delta (discounted) and vega per vol point."""
    sd = vol * np.sqrt(t)
    d1 = np.log(f / k) / sd + sd / 2
    d2 = d1 - sd
    disc = np.exp(-RATE * t)
    sign = np.where(is_call, 1.0, -1.0)
    price = disc * sign * (f * ndtr(sign * d1) - k * ndtr(sign * d2))
    delta = np.exp(-DIVIDEND_YIELD * t) * sign * ndtr(sign * d1)  # spot delta
    vega = disc * f * np.exp(-d1**2 / 2) / np.sqrt(2 * np.pi) * np.sqrt(t) / 100
    return price, delta, vega


def make_chain(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Rows of the chain as column arrays (model values; formatting is separate)."""
    exp_dates, kinds, strikes = [], [], []
    for day, kind in expiries():
        t = float(year_fraction(QUOTE_TIME, day.isoformat())[0])
        grid = strikes_for(t, kind)
        exp_dates += [day] * (2 * len(grid))
        kinds += [kind] * (2 * len(grid))
        strikes.append(np.repeat(grid, 2))
    strike = np.concatenate(strikes)
    n = len(strike)
    is_call = np.tile([True, False], n // 2)
    t = year_fraction(QUOTE_TIME, [d.isoformat() for d in exp_dates])
    fwd = SPOT * np.exp((RATE - DIVIDEND_YIELD) * t)
    k = np.log(strike / fwd)
    vol = np.sqrt(ssvi_total_variance(k, t) / t)
    price, delta, vega = black76(fwd, strike, t, vol, is_call)
    disc = np.exp(-RATE * t)
    intrinsic = np.maximum(np.where(is_call, fwd - strike, strike - fwd), 0.0) * disc
    z = k / np.sqrt(atm_total_variance(t))
    spread = (np.maximum.reduce([np.full(n, 0.01), 0.012 * (price - intrinsic), 0.05 * vega])
              + 0.002 * intrinsic) * (1 + 0.25 * np.minimum(np.abs(z), 6))
    bid = np.floor(np.round((price - spread / 2) * 100, 6)) / 100
    ask = np.ceil(np.round((price + spread / 2) * 100, 6)) / 100
    bid = np.where((price < ZERO_BID_BELOW) | (bid < 0), 0.0, bid)
    ask = np.maximum(ask, 0.01)
    kind = np.array(kinds)
    itm = intrinsic > 0
    round5 = np.isclose(strike % 5, 0)
    round10 = np.isclose(strike % 10, 0)
    edges = np.isin(strike, (245.0, 255.0, 265.0, 275.0))
    pref = (1 + 0.6 * round5) * (1 + 0.4 * round10) * (1 + 0.5 * edges) \
        * np.where(is_call, 1.0, 1.3) * np.where(itm, 0.35, 1.0)
    vol_mean = 5000 * np.exp(-0.9 * np.abs(z)) * np.exp(-t / 0.2) * pref \
        * np.where(kind == "monthly", 1.5, 1.0)
    oi_mean = 12000 * np.exp(-0.55 * np.abs(z)) * np.exp(-t / 1.5) * pref \
        * np.select([kind == "monthly", kind == "quarterly"], [2.5, 1.0], 0.4)
    volume = rng.poisson(vol_mean * rng.gamma(1.5, 1 / 1.5, n))
    oi = rng.poisson(oi_mean * rng.gamma(2.0, 1 / 2.0, n))
    moved = price + delta * rng.normal(0, 0.9, n) + rng.uniform(-0.5, 0.5, n) * (ask - bid)
    last = np.where(volume > 0, np.maximum(np.round(moved, 2), 0.01), np.nan)
    return {"expiry": np.array(exp_dates), "strike": strike, "is_call": is_call, "t": t,
            "forward": fwd, "vol": vol, "price": price, "bid": bid, "ask": ask, "last": last,
            "volume": volume, "open_interest": oi, "kind": kind}


def _occ(day: dt.date, is_call: bool, strike: float) -> str:
    return f"IWM{day:%y%m%d}{'C' if is_call else 'P'}{int(round(strike * 1000)):08d}"


def _num(x: float) -> str:
    return f"{x:.2f}" if x != int(x) else f"{int(x)}"


def chain_csv(chain: dict) -> str:
    lines = [CHAIN_HEADER]
    for i in range(len(chain["strike"])):
        day, call, strike = chain["expiry"][i], bool(chain["is_call"][i]), chain["strike"][i]
        last = "" if np.isnan(chain["last"][i]) else f"{chain['last'][i]:.2f}"
        lines.append(
            f"IWM,IWM,{_occ(day, call, strike)},{QUOTE_TIME},{day.isoformat()},PM,"
            f"{_num(strike)},{'C' if call else 'P'},{chain['bid'][i]:.2f},{chain['ask'][i]:.2f},"
            f"{last},{chain['volume'][i]:d},{chain['open_interest'][i]:d},{SPOT},100,"
            f"{chain['vol'][i]:.6f}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- checks and main
def bollinger_width(close: np.ndarray, window: int = 20) -> np.ndarray:
    """(U - L) / M of Bollinger(window, 2) with population sigma; NaN until full."""
    out = np.full(len(close), np.nan)
    for i in range(window - 1, len(close)):
        chunk = close[i - window + 1:i + 1]
        out[i] = 4 * chunk.std() / chunk.mean()
    return out


def realized(bars: dict, window: int = 20) -> tuple[float, float]:
    """Annualised close-to-close and Yang-Zhang vol of the last ``window`` sessions."""
    o, h, lo, c = (np.round(bars[x][-window - 1:], 2) for x in ("open", "high", "low", "close"))
    c2c = np.diff(np.log(c)).std(ddof=1)
    o, h, lo, prev, c = o[1:], h[1:], lo[1:], c[:-1], c[1:]
    over = np.log(o / prev).var(ddof=1)
    o2c = np.log(c / o).var(ddof=1)
    rs = np.mean(np.log(h / c) * np.log(h / o) + np.log(lo / c) * np.log(lo / o))
    k = 0.34 / (1.34 + (window + 1) / (window - 1))
    yz = over + k * o2c + (1 - k) * rs
    return (float(c2c * np.sqrt(TRADING_DAYS_PER_YEAR)),
            float(np.sqrt(yz * TRADING_DAYS_PER_YEAR)))


def summary(bars: dict, chain: dict) -> dict[str, float]:
    """The figures the sample is built to show, checked before writing."""
    close = np.round(bars["close"], 2)
    bbw = bollinger_width(close)
    rv_c2c, rv_yz = realized(bars)
    t_front = chain["t"].min()
    return {
        "last_close": float(close[-1]),
        "sma_50": float(close[-50:].mean()),
        "bbw_now": float(bbw[-1]),
        "bbw_min_126": float(np.nanmin(bbw[-126:])),
        "bbw_median_all": float(np.nanmedian(bbw)),
        "rv20_c2c": rv_c2c,
        "rv20_yang_zhang": rv_yz,
        "rv_all_c2c": float(np.diff(np.log(close)).std(ddof=1) * np.sqrt(TRADING_DAYS_PER_YEAR)),
        "iv_front_atm": float(np.sqrt(atm_total_variance(np.array(t_front)) / t_front)),
        "iv30_atm": float(np.sqrt(atm_total_variance(np.array(30 / 365)) / (30 / 365))),
        "iv_1y_atm": float(np.sqrt(atm_total_variance(np.array(1.0)))),
        "box_max_high": float(np.max(bars["high"][-BOX_SESSIONS:])),
        "box_min_low": float(np.min(bars["low"][-BOX_SESSIONS:])),
        "quotes": float(len(chain["strike"])),
        "expiries": float(len(set(chain["expiry"]))),
        "zero_bids": float(np.sum(chain["bid"] == 0)),
    }


def check(figures: dict[str, float], bars: dict, chain: dict) -> list[str]:
    """Reasons the sample does not show the motivating case (empty when it does)."""
    close = np.round(bars["close"][-BOX_SESSIONS:], 2)
    problems = []
    if close.min() < BOX_FLOOR or close.max() > BOX_CEILING:
        problems.append("a close outside the box")
    if abs(figures["sma_50"] - SMA_TARGET) > 0.05:
        problems.append(f"SMA50 {figures['sma_50']:.3f} is not {SMA_TARGET}")
    if figures["bbw_now"] > figures["bbw_min_126"]:
        problems.append("BBW is not at its 126-bar low")
    if not figures["iv_front_atm"] < figures["rv20_c2c"] < figures["iv_front_atm"] + 0.03:
        problems.append("RV20 is not a little above the front implied vol")
    if np.any(chain["bid"] > chain["ask"]):
        problems.append("crossed quotes")
    if figures["box_max_high"] > BOX_CEILING or figures["box_min_low"] < BOX_FLOOR:
        problems.append("intraday prices outside the box")
    return problems


def generate(out_dir: Path) -> dict[str, float]:
    """Build both files from the fixed seed and write them into ``out_dir``."""
    rng = np.random.default_rng(SEED)
    bars = make_bars(rng)
    chain = make_chain(rng)
    figures = summary(bars, chain)
    problems = check(figures, bars, chain)
    if problems:
        raise SystemExit("sample does not show the motivating case: " + "; ".join(problems))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in ((BARS_FILE, bars_csv(bars)), (CHAIN_FILE, chain_csv(chain))):
        with open(out_dir / name, "w", encoding="ascii", newline="\n") as fh:
            fh.write(text)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT_DIR / "fixtures",
                        help="output directory (default: fixtures/)")
    args = parser.parse_args(argv)
    figures = generate(args.out)
    for key, value in figures.items():
        print(f"{key:>18}: {value:.4f}")
    for name in (BARS_FILE, CHAIN_FILE):
        print(f"{name:>24}: {(args.out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
