"""Canonical column names and status codes.

This module is the only place where column names and status codes are
spelled; every other module imports these constants.  Values are decimals
(0.182 is 18.2 % volatility); units are part of the name wherever there
could be doubt (``theta_per_day``, ``vega_per_volpt``).
"""
from __future__ import annotations

# --------------------------------------------------------------------------
# Chain: one row per option quote
# --------------------------------------------------------------------------
UNDERLYING = "underlying"
ROOT = "root"
CONTRACT_SYMBOL = "contract_symbol"
QUOTE_TIME = "quote_time"  # tz-aware UTC timestamp
EXPIRY = "expiry"  # datetime64 date (midnight, naive) of the expiration day
SETTLEMENT = "settlement"  # "AM" or "PM"
STRIKE = "strike"
RIGHT = "right"  # "C" or "P"
BID = "bid"
ASK = "ask"
LAST = "last"
VOLUME = "volume"
OPEN_INTEREST = "open_interest"
UNDERLYING_PRICE = "underlying_price"
MULTIPLIER = "multiplier"
VENDOR_PREFIX = "vendor_"
VENDOR_IV = "vendor_iv"
VENDOR_DELTA = "vendor_delta"

# derived by the loader
MID = "mid"
SPREAD = "spread"
SPREAD_PCT = "spread_pct"  # spread / mid, a fraction
QUOTE_STATUS = "quote_status"

# derived by later stages
T = "t"  # years, minutes to the settlement instant / 525,600
FORWARD = "forward"
DISCOUNT = "discount"
LOG_MONEYNESS = "log_moneyness"  # ln(K / F)
IV = "iv"
IV_BID = "iv_bid"
IV_ASK = "iv_ask"
IV_STATUS = "iv_status"
OTM = "otm"
DELTA = "delta"
GAMMA = "gamma"
VEGA_PER_VOLPT = "vega_per_volpt"
THETA_PER_DAY = "theta_per_day"
RHO_PER_PCT = "rho_per_pct"

CHAIN_REQUIRED = (
    UNDERLYING,
    QUOTE_TIME,
    EXPIRY,
    STRIKE,
    RIGHT,
    BID,
    ASK,
)
"""Columns a chain must have before anything can be computed."""

CHAIN_COLUMNS = (
    UNDERLYING,
    ROOT,
    CONTRACT_SYMBOL,
    QUOTE_TIME,
    EXPIRY,
    SETTLEMENT,
    STRIKE,
    RIGHT,
    BID,
    ASK,
    LAST,
    VOLUME,
    OPEN_INTEREST,
    UNDERLYING_PRICE,
    MULTIPLIER,
    MID,
    SPREAD,
    SPREAD_PCT,
    QUOTE_STATUS,
)
"""Canonical chain columns, in output order (vendor columns follow)."""

# rights and settlement styles
CALL = "C"
PUT = "P"
AM = "AM"
PM = "PM"

# quote_status codes (per row; rows are never dropped)
QS_OK = "ok"
QS_NO_BID = "no_bid"  # bid is zero: the option can be sold for nothing
QS_ZERO_ASK = "zero_ask"  # ask is zero or missing
QS_CROSSED = "crossed"  # bid > ask
QS_WIDE = "wide"  # spread_pct above the threshold
QS_EXPIRED = "expired"  # settlement instant at or before the quote time
QS_BAD_STRIKE = "bad_strike"  # strike missing, zero or negative
QS_NO_QUOTE = "no_quote"  # bid and ask both missing
QUOTE_STATUSES = (
    QS_OK,
    QS_NO_BID,
    QS_ZERO_ASK,
    QS_CROSSED,
    QS_WIDE,
    QS_EXPIRED,
    QS_BAD_STRIKE,
    QS_NO_QUOTE,
)

# iv_status codes
IVS_OK = "ok"
IVS_BELOW_INTRINSIC = "below_intrinsic"
IVS_AT_INTRINSIC = "at_intrinsic"
IVS_ABOVE_MAX = "above_max"
IVS_NO_PRICE = "no_price"
IVS_EXPIRED = "expired"
IVS_NOT_CONVERGED = "not_converged"
IVS_BAD_INPUT = "bad_input"
IVS_NO_FORWARD = "no_forward"
IV_STATUSES = (
    IVS_OK,
    IVS_BELOW_INTRINSIC,
    IVS_AT_INTRINSIC,
    IVS_ABOVE_MAX,
    IVS_NO_PRICE,
    IVS_EXPIRED,
    IVS_NOT_CONVERGED,
    IVS_BAD_INPUT,
    IVS_NO_FORWARD,
)

# --------------------------------------------------------------------------
# Bars: daily OHLCV of the underlying, indexed by date
# --------------------------------------------------------------------------
DATE = "date"
OPEN = "open"
HIGH = "high"
LOW = "low"
CLOSE = "close"
ADJ_CLOSE = "adj_close"
BAR_COLUMNS = (OPEN, HIGH, LOW, CLOSE, VOLUME)
BAR_REQUIRED = (OPEN, HIGH, LOW, CLOSE)

# --------------------------------------------------------------------------
# Stage outputs.  Each stage adds its constants in its own section below.
# --------------------------------------------------------------------------

# forward.py: one row per expiry
RATE = "rate"
IMPLIED_CARRY = "implied_carry"  # q = r - ln(F/S)/t, continuous
PARITY_STRIKE = "parity_strike"  # K* minimising |C_mid - P_mid|
PARITY_STRIKES_USED = "parity_strikes_used"
FORWARD_STATUS = "forward_status"

# --- loaders ---
VENDOR_SYMBOL = "vendor_symbol"  # the vendor's own option symbol when not standard OCC
VENDOR_IV_BID = "vendor_iv_bid"  # vendor IV at the bid (DeltaNeutral IVBid)
VENDOR_IV_ASK = "vendor_iv_ask"  # vendor IV at the ask (DeltaNeutral IVAsk)
VENDOR_GAMMA = "vendor_gamma"  # vendor gamma, vendor units
VENDOR_THETA = "vendor_theta"  # vendor theta, vendor units (usually per day)
VENDOR_VEGA = "vendor_vega"  # vendor vega, vendor units
VENDOR_RHO = "vendor_rho"  # vendor rho, vendor units

# --- implied / pricing (IV engine) ---

# --- surface / term structure ---
DAYS = "days"  # calendar days from the New York quote date to the expiry date
ATM_IV = "atm_iv"  # ATM vol at k = ln(K/F) = 0, linear in total variance between OTM strikes
ATM_IV_SVI = "atm_iv_svi"  # ATM vol at k = 0 read from the raw-SVI fit of the slice
ATM_STRIKE = "atm_strike"  # listed strike nearest the forward
STRADDLE_MID = "straddle_mid"  # call mid + put mid at atm_strike, per share
STRADDLE_NATURAL = "straddle_natural"  # call ask + put ask at atm_strike (cost to buy), per share
IMPLIED_MOVE = "implied_move"  # straddle_mid / underlying price, a fraction
MOVE_1SD = "move_1sd"  # one-sigma move in price units, F * atm_iv * sqrt(t)
RR25 = "rr25"  # 25-delta risk reversal, iv(25d call) - iv(25d put), decimal vol
BF25 = "bf25"  # 25-delta butterfly, (iv25c + iv25p) / 2 - atm_iv, decimal vol
N_QUOTES = "n_quotes"  # OTM quotes with a usable IV in the expiry
TERM_STATUS = "term_status"  # why an expiry's ATM numbers are NaN or untrusted (TS_* codes)
TOTAL_VARIANCE = "total_variance"  # w = atm_iv**2 * t
FWD_VOL = "fwd_vol"  # forward vol from the previous expiry to this one, annualised
FWD_VAR_STATUS = "fwd_var_status"  # FV_* code beside fwd_vol
EVENT_KINK = "event_kink"  # True where atm total variance stands out from its neighbours
CM_STATUS = "cm_status"  # CM_* reason beside a constant-maturity vol
TS_OK = "ok"
TS_THIN = "thin"  # fewer usable OTM quotes than the minimum: numbers kept, not trusted
TS_NO_BRACKET = "no_bracket"  # no usable OTM strike on one side of the forward
TS_EXPIRED = "expired"  # t <= 0
TS_NO_FORWARD = "no_forward"  # forward missing for the expiry
FV_OK = "ok"
FV_FIRST = "first_expiry"  # no earlier expiry to difference against
FV_NEGATIVE = "negative_forward_variance"  # calendar arbitrage or event kink
FV_MISSING = "missing_atm"  # an ATM vol of the pair is NaN
CM_OK = "ok"
CM_BELOW_RANGE = "below_listed_range"  # target shorter than the first usable expiry
CM_ABOVE_RANGE = "above_listed_range"  # target longer than the last usable expiry
CM_EXTRAPOLATED = "extrapolated_flat_vol"  # outside the range, flat vol on request
CM_NO_DATA = "no_usable_expiry"  # no expiry with a finite ATM vol
# smile / SVI
SVI_A = "svi_a"  # raw SVI level a (total variance)
SVI_B = "svi_b"  # raw SVI slope b >= 0
SVI_RHO = "svi_rho"  # raw SVI rotation, |rho| < 1
SVI_M = "svi_m"  # raw SVI translation m (log-moneyness)
SVI_SIGMA = "svi_sigma"  # raw SVI smoothness sigma > 0
SVI_RMSE_VOLPTS = "svi_rmse_volpts"  # fit RMSE in vol points (1.0 = 0.01 vol)
SVI_STATUS = "svi_status"  # SVI_* code
IV_SVI = "iv_svi"  # implied vol from the fitted SVI slice at the row's log-moneyness
SVI_OK = "ok"
SVI_BUTTERFLY_ARB = "butterfly_arbitrage"  # fitted slice has g(k) < 0 somewhere
SVI_FALLBACK = "fallback_interpolation"  # fit failed: linear interpolation in total variance
SVI_TOO_FEW = "too_few_points"  # fewer than 5 usable points: no fit
# model-free (VIX-style) variance, per term and per strike
K0 = "k0"  # first listed strike at or below the forward
SIGMA2 = "sigma2"  # model-free variance of the term, annualised
DK = "dk"  # strike interval: half the distance between included neighbours
CONTRIBUTION = "contribution"  # dK / K^2 * e^(rT) * Q(K)
WEIGHT = "weight"  # weight of the term in the 30-day interpolation (0 if unused)
MFV_STATUS = "mfv_status"  # MF_* code per term
N_PUTS = "n_puts"  # puts included below K0
N_CALLS = "n_calls"  # calls included above K0
MF_OK = "ok"
MF_NONPOSITIVE_T = "nonpositive_time"  # term expired or expiring now
MF_NO_PARITY = "no_parity_strike"  # no strike with a two-sided call and put quote
MF_K0_UNPRICED = "k0_unpriced"  # call or put at K0 has no usable quote
MF_NO_STRIKES = "no_otm_strikes"  # no OTM strike survived the zero-bid rules
MF_NOT_BRACKETED = "not_bracketed"  # no term on one side of the target
MF_NEGATIVE = "negative_variance"  # computed variance <= 0

# --- realized / compression ---

# --- history store ---
# series kept per (underlying, session date, kind); decimals, never percent
HS_IV30 = "iv30"  # 30-day constant-maturity ATM implied vol
HS_IV60 = "iv60"  # 60-day constant-maturity ATM implied vol
HS_IV90 = "iv90"  # 90-day constant-maturity ATM implied vol
HS_MFIV30 = "mfiv30"  # model-free (VIX-method) 30-day implied vol
HS_FRONT_ATM_IV = "front_atm_iv"  # ATM implied vol of the front (nearest unexpired) expiry
HS_RV20 = "rv20"  # 20-session Yang-Zhang realized vol, annualised with sqrt(252)
HS_BBW = "bbw"  # Bollinger(20, 2) bandwidth (U - L) / M, a fraction
HS_BBW_PCTILE = "bbw_pctile"  # BBW percentile over 126 bars, 0..100
HS_SPOT = "spot"  # underlying price at the quote time
HS_FORWARD = "forward"  # forward of the expiry nearest 30 days
HS_SERIES = (
    HS_IV30, HS_IV60, HS_IV90, HS_MFIV30, HS_FRONT_ATM_IV,
    HS_RV20, HS_BBW, HS_BBW_PCTILE, HS_SPOT, HS_FORWARD,
)
# provenance of a stored snapshot
HS_SESSION_DATE = "date"  # New York session date of the snapshot (ISO text in SQLite)
HS_KIND = "kind"  # "own" (computed from our chains) or "proxy" (imported index series)
HS_QUOTE_TIME = "quote_time"  # tz-aware UTC time of the chain quotes
HS_SOURCE = "source"  # file (or label) the snapshot was built from
HS_CONTENT_HASH = "content_hash"  # SHA-256 hex of the source bytes
HS_PROXY_OF = "proxy_of"  # for proxy rows: the index the values came from (e.g. "^VIX")
HS_REASONS = "reasons"  # "series:reason;..." for every series left NaN
HS_RECORDED_AT = "recorded_at"  # UTC time the row was last written
KIND_OWN = "own"
KIND_PROXY = "proxy"
HS_KINDS = (KIND_OWN, KIND_PROXY)
# record() outcomes
REC_INSERTED = "inserted"  # no row for (underlying, date, kind) before
REC_UNCHANGED = "unchanged"  # same values already stored: nothing written
REC_UPDATED = "updated"  # different values: overwritten, changes reported
REC_KEPT = "kept"  # different values: stored row kept (on_conflict="keep")
# rank / percentile output and status codes
RANK_SERIES = "series"  # name of the ranked series
RANK_VALUE = "value"  # today's value of the series
RANK = "rank"  # 100 (x - min) / (max - min), min/max include today
PERCENTILE = "percentile"  # 100 #{previous obs strictly below today} / N
RANK_N_OBS = "n_obs"  # previous observations in the window, today excluded
WINDOW_START = "window_start"  # first date with an observation in the window
WINDOW_END = "window_end"  # last date with an observation in the window (before today)
RANK_STATUS = "rank_status"
RS_OK = "ok"
RS_TOO_FEW_OBS = "too_few_obs"  # fewer than min_obs previous observations
RS_FLAT = "flat"  # max == min over the window: rank undefined
RS_NO_VALUE_TODAY = "no_value_today"  # no (finite) value on the ranked date
RANK_STATUSES = (RS_OK, RS_TOO_FEW_OBS, RS_FLAT, RS_NO_VALUE_TODAY)
