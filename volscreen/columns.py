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

# --- implied / pricing (IV engine) ---

# --- surface / term structure ---

# --- realized / compression ---
