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
VANNA = "vanna"  # d(delta)/d(vol) per vol point (0.01 of vol)
VOLGA = "volga"  # d(vega_per_volpt)/d(vol) per vol point
# forward_status codes (one per expiry)
FS_OK = "ok"
FS_ONE_SIDED = "one_sided"  # calls or puts only: no parity pair
FS_NO_PAIRS = "no_pairs"  # no strike with both sides validly quoted
FS_IMPLAUSIBLE = "implausible"  # implied discount or carry outside plausible bounds
FS_EXPIRED = "expired"  # settlement at or before the quote time
FS_NO_SPOT = "no_spot"  # forward found but no underlying price for the carry
FORWARD_STATUSES = (FS_OK, FS_ONE_SIDED, FS_NO_PAIRS, FS_IMPLAUSIBLE, FS_EXPIRED, FS_NO_SPOT)

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
FWD_DELTA = "fwd_delta"  # undiscounted forward delta: N(d1) for calls, N(d1) - 1 for puts
SLOPE_DIFF = "slope_diff"  # IV(short) - IV(long) constant maturity, decimal vol
SLOPE_RATIO = "slope_ratio"  # IV(short) / IV(long)
TS_NO_WING = "no_25d_wing"  # ATM fine, but no OTM quotes bracketing 25 delta on a side
TS_OK = "ok"
TS_THIN = "thin"  # fewer usable OTM quotes than the minimum: numbers kept, not trusted
TS_NO_BRACKET = "no_bracket"  # no usable OTM strike on one side of the forward
TS_EXPIRED = "expired"  # t <= 0
TS_NO_FORWARD = "no_forward"  # forward missing for the expiry
TS_0DTE = "0dte"  # expires on the quote day: numbers kept, not trusted
FV_OK = "ok"
FV_FIRST = "first_expiry"  # no earlier expiry to difference against
FV_NEGATIVE = "negative_forward_variance"  # calendar arbitrage or event kink
FV_MISSING = "missing_atm"  # an ATM vol of the pair is NaN
FV_UNTRUSTED = "untrusted_expiry"  # thin expiry: left out of forward vols and kinks
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
# realized.py
RV_PREFIX = "rv_"  # rv_<window>: rolling realized vol over <window> bars, annual decimal
RV_STATUS = "rv_status"  # RVS_* code beside the rv_<window> columns
WINDOW = "window"  # rolling window length in bars (vol cone index)
CONE_QUANTILE_PREFIX = "q"  # q<percent>: cone quantile column, e.g. q10, q50, q100
RV_CURRENT = "current"  # latest rolling RV in the cone, annual decimal
RV_CURRENT_PCTILE = "current_pctile"  # 100 * share of history strictly below current
N_OBS = "n_obs"  # number of observations a statistic is based on
RVS_OK = "ok"
RVS_WARMUP = "warmup"  # a window is not yet full: its rv_<window> is NaN
RVS_SUSPECT_SPLIT = "suspect_split"  # the window holds a move matching a split ratio: NaN
RV_STATUSES = (RVS_OK, RVS_WARMUP, RVS_SUSPECT_SPLIT)
# indicators.py (volscreen.compression): one row per bar
BB_UPPER = "bb_upper"  # middle + 2 population sigma(20) of close
BB_MIDDLE = "bb_middle"  # SMA(20) of close
BB_LOWER = "bb_lower"  # middle - 2 population sigma(20)
BBW = "bbw"  # Bollinger bandwidth (upper - lower) / middle, a fraction
PCT_B = "pct_b"  # (close - lower) / (upper - lower), unclipped
BBW_PCTILE_126 = "bbw_pctile_126"  # 100 * share of the previous 126 bbw values below today's
BBW_PCTILE_252 = "bbw_pctile_252"  # same over the previous 252 bars
BBW_NEW_LOW = "bbw_new_low"  # bbw is the lowest of the trailing N bars (Bollinger's squeeze)
KC_UPPER = "kc_upper"  # kc_middle + 1.5 * ATR(20) Wilder
KC_MIDDLE = "kc_middle"  # EMA(20) of close, alpha 2/21, seeded by SMA(20)
KC_LOWER = "kc_lower"  # kc_middle - 1.5 * ATR(20) Wilder
SQUEEZE_ON = "squeeze_on"  # TTM squeeze: Bollinger bands inside the Keltner channel
SQUEEZE_BARS = "squeeze_bars"  # consecutive bars with squeeze_on ending at this bar
ATR = "atr"  # Wilder ATR(14), price units
ATR_PCT = "atr_pct"  # atr / close, a fraction
ATR_PCTILE_252 = "atr_pctile_252"  # 100 * share of the previous 252 atr_pct values below today's
RSI = "rsi"  # Wilder RSI(14), 0..100
SMA_20 = "sma_20"  # simple moving average of close, 20 bars
SMA_50 = "sma_50"  # 50 bars
SMA_200 = "sma_200"  # 200 bars
DIST_SMA_20 = "dist_sma_20"  # close / sma_20 - 1, a fraction
DIST_SMA_50 = "dist_sma_50"  # close / sma_50 - 1
DIST_SMA_200 = "dist_sma_200"  # close / sma_200 - 1
COMPRESSION_STATUS = "compression_status"  # CS_* code explaining NaNs in the row
CS_OK = "ok"
CS_WARMUP = "warmup"  # at least one indicator's window is not yet full (its value is NaN)
CS_FLAT = "flat"  # no price movement in the window: bbw 0, pct_b / rsi undefined (NaN)
COMPRESSION_STATUSES = (CS_OK, CS_WARMUP, CS_FLAT)
# compression_summary (latest bar)
AS_OF = "as_of"  # label of the bar the summary describes
RV_RATIO = "rv_ratio"  # short / long realized vol, rv_10 / rv_60 by default
RANGE_PCT = "range_pct"  # (max high - min low) / close over the last N bars, a fraction
# rangebox.py: RangeBox.status codes
BOX_OK = "box"  # a consolidation held for at least min_sessions with touches on both edges
BOX_WEAK = "weak_box"  # held, but an edge was touched fewer than twice
BOX_NONE = "no_box"  # trending or too short: no consolidation
BOX_USER = "user_range"  # ceiling and floor supplied by the user
BOX_STATUSES = (BOX_OK, BOX_WEAK, BOX_NONE, BOX_USER)

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

# --- structures / targets / score ---
# candidates (structures.py): one row per long straddle/strangle
STRUCTURE = "structure"  # "straddle", "strangle_25d", "strangle_255_265", "strangle_range"
STRUCTURE_KIND = "structure_kind"  # "straddle" / "strangle_delta" / "strangle_strikes" / "strangle_range"
TRADING_DAYS = "trading_days"  # weekdays from the quote date to expiry (exchange holidays ignored)
SPOT = "spot"  # underlying price the chain was quoted against
PUT_STRIKE = "put_strike"
CALL_STRIKE = "call_strike"
PUT_SYMBOL = "put_symbol"  # OCC symbol of the put leg
CALL_SYMBOL = "call_symbol"  # OCC symbol of the call leg
PUT_BID = "put_bid"
PUT_ASK = "put_ask"
PUT_MID = "put_mid"
PUT_IV = "put_iv"
PUT_DELTA = "put_delta"
CALL_BID = "call_bid"
CALL_ASK = "call_ask"
CALL_MID = "call_mid"
CALL_IV = "call_iv"
CALL_DELTA = "call_delta"
STRUCTURE_IV = "structure_iv"  # vega-weighted average of the two legs' IVs
DEBIT_MID = "debit_mid"  # put mid + call mid, per share
DEBIT_NATURAL = "debit_natural"  # put ask + call ask, per share (paying the offer)
SPREAD_COST = "spread_cost"  # debit_natural - debit_mid, per share
DEBIT_MID_PER_CONTRACT = "debit_mid_per_contract"  # dollars, x multiplier
DEBIT_NATURAL_PER_CONTRACT = "debit_natural_per_contract"  # dollars, x multiplier
SPREAD_COST_PER_CONTRACT = "spread_cost_per_contract"  # dollars, x multiplier
BREAKEVEN_LOW = "breakeven_low"  # put strike - natural debit
BREAKEVEN_HIGH = "breakeven_high"  # call strike + natural debit
BREAKEVEN_LOW_MID = "breakeven_low_mid"  # put strike - mid debit
BREAKEVEN_HIGH_MID = "breakeven_high_mid"  # call strike + mid debit
BREAKEVEN_MOVE_PCT = "breakeven_move_pct"  # distance to the nearer breakeven / spot, a fraction
MIN_OPEN_INTEREST = "min_open_interest"  # smaller open interest of the two legs
MAX_SPREAD_PCT = "max_spread_pct"  # wider spread_pct of the two legs, a fraction
CANDIDATE_STATUS = "candidate_status"  # leg selection status (CAND_* codes)
SELECTION_NOTE = "selection_note"  # ";"-joined notes on how the legs were chosen
# targets (targets.py)
TARGET_LOW = "target_low"  # nearest target level below spot
TARGET_HIGH = "target_high"  # nearest target level above spot
PNL_AT_EXPIRY_LOW = "pnl_at_expiry_low"  # dollars per contract at target_low at expiry, natural debit
PNL_AT_EXPIRY_HIGH = "pnl_at_expiry_high"
RETURN_ON_DEBIT_LOW = "return_on_debit_low"  # pnl_at_expiry_low / natural debit, a fraction
RETURN_ON_DEBIT_HIGH = "return_on_debit_high"
HORIZON_DATE = "horizon_date"  # date the horizon repricing assumes the target is reached
HORIZON_T = "horizon_t"  # years from the quote to the horizon
PNL_AT_HORIZON_LOW = "pnl_at_horizon_low"  # dollars per contract, sticky strike, no IV shift
PNL_AT_HORIZON_HIGH = "pnl_at_horizon_high"
PNL_AT_HORIZON_PREFIX = "pnl_at_horizon_"  # + low/high + _iv_m3/_iv_p3 for IV-shift scenarios
BREAKEVEN_INSIDE_TARGETS = "breakeven_inside_targets"  # target_low <= BE_low and BE_high <= target_high
BE_LOW_SIGMAS = "be_low_sigmas"  # (spot - BE_low) / (spot structure_iv sqrt t)
BE_HIGH_SIGMAS = "be_high_sigmas"  # (BE_high - spot) / (spot structure_iv sqrt t)
BE_LOW_ATRS = "be_low_atrs"  # (spot - BE_low) / ATR
BE_HIGH_ATRS = "be_high_atrs"
BE_LOW_BOX_HEIGHTS = "be_low_box_heights"  # (spot - BE_low) / range-box height
BE_HIGH_BOX_HEIGHTS = "be_high_box_heights"
# probabilities (probability.py); the suffix names the measure
P_BEYOND_BE_IV = "p_beyond_be_iv"  # risk-neutral lognormal on the forward, each side its leg's IV
P_BEYOND_BE_RV = "p_beyond_be_rv"  # lognormal, zero drift, RV forecast
P_BEYOND_BE_HIST = "p_beyond_be_hist"  # overlapping historical windows of the same trading days
P_BEYOND_BE_HIST_SE = "p_beyond_be_hist_se"  # moving-block bootstrap standard error
P_TOUCH_LOW_IV = "p_touch_low_iv"  # touch target_low before expiry, GBM at the put IV, drift r - q
P_TOUCH_HIGH_IV = "p_touch_high_iv"
P_TOUCH_LOW_RV = "p_touch_low_rv"  # touch under the RV forecast, zero drift
P_TOUCH_HIGH_RV = "p_touch_high_rv"
P_TOUCH_LOW_HIST = "p_touch_low_hist"  # share of historical windows whose low reached the level
P_TOUCH_HIGH_HIST = "p_touch_high_hist"
HIST_SAMPLE_SIZE = "hist_sample_size"  # number of overlapping windows behind the *_hist columns
HIST_CONDITION = "hist_condition"  # window starts kept, e.g. "bbw_pctile_126 in [0, 20)"
# cheapness and score (score.py)
RV_FORECAST = "rv_forecast"  # annual decimal vol on the trading-day (sqrt 252) clock
FAIR_DEBIT_RV = "fair_debit_rv"  # Black-76 structure value at the RV forecast, per share
CHEAPNESS = "cheapness"  # debit_natural / fair_debit_rv (< 1 cheap)
IV_RV_RATIO = "iv_rv_ratio"  # sqrt(structure_iv^2 t / (rv^2 trading_days / 252))
IV_RANK = "iv_rank"  # 0-100, from the history store when given
SCORE_COMPRESSION = "score_compression"  # component in [0, 1]
SCORE_CHEAPNESS = "score_cheapness"
SCORE_TARGET_REACH = "score_target_reach"
SCORE_LIQUIDITY = "score_liquidity"
SCORE = "score"  # weighted mean of the available components, in [0, 1]
SCORE_COVERAGE = "score_coverage"  # share of the weight whose component was available
REASONS = "reasons"  # ";"-joined reason codes
DATA_STATUS = "data_status"  # ";"-joined codes for optional inputs that were missing (DS_*)

# candidate_status codes
CAND_OK = "ok"
CAND_NO_PUT = "no_put_leg"  # no usable put quote for this structure
CAND_NO_CALL = "no_call_leg"  # no usable call quote for this structure
CAND_NO_LEGS = "no_legs"  # neither leg usable
CANDIDATE_STATUSES = (CAND_OK, CAND_NO_PUT, CAND_NO_CALL, CAND_NO_LEGS)
# data_status codes (optional inputs missing -> the matching columns are NaN)
DS_OK = "ok"
DS_NO_RV = "no_rv"  # no RV forecast: *_rv, fair_debit_rv, cheapness, iv_rv_ratio NaN
DS_NO_BARS = "no_bars"  # no price history: *_hist NaN
DS_SHORT_HISTORY = "short_history"  # fewer overlapping windows than the minimum: *_hist NaN
DS_FEW_SIMILAR = "few_similar_windows"  # condition left fewer windows than the minimum: *_hist NaN
DS_NO_TARGET_LOW = "no_target_low"  # no target below spot: *_low target columns NaN
DS_NO_TARGET_HIGH = "no_target_high"  # no target above spot
DS_NO_ATR = "no_atr"  # be_*_atrs NaN
DS_NO_BOX = "no_box"  # be_*_box_heights NaN
DS_NO_COMPRESSION = "no_compression"  # score_compression NaN
DS_NO_IV_RANK = "no_iv_rank"  # iv_rank NaN (no history store value given)
DS_NO_IV = "no_iv"  # a leg has no IV: greeks, IV probabilities, horizon P&L NaN
DS_PAST_HORIZON = "horizon_after_expiry"  # horizon at/after expiry: horizon P&L is the expiry P&L

# --- screen / export ---
# summary (one row per ticker and chain); vols are decimals, ratios plain
SCHEMA_VERSION = "schema_version"  # export column contract version (docs/columns.md)
SCREEN_RANK = "screen_rank"  # 1 = best, across every ticker of the screen
SCREEN_STATUS = "screen_status"  # SCR_* code: ok / thin / failed
SCREEN_REASON = "screen_reason"  # why a ticker failed or is thin (empty when ok)
SOURCE_FILE = "source_file"  # chain file the row was screened from
BARS_AS_OF = "bars_as_of"  # last bar used (bars after the chain's quote date are cut off)
IV30_STATUS = "iv30_status"  # CM_* reason beside iv30
IV60_STATUS = "iv60_status"  # CM_* reason beside iv60
IV90_STATUS = "iv90_status"  # CM_* reason beside iv90
RV20_STATUS = "rv20_status"  # why rv20 is NaN (no_bars, warmup, ...)
IV30_RV20 = "iv30_rv20"  # iv30 / rv20, both annualised (365-day minute clock vs sqrt 252)
TERM_SLOPE = "term_slope"  # iv30 - iv90, decimal vol (0.02 = 2 vol points)
IV_PERCENTILE = "iv_percentile"  # 0..100 from the history store
IV_RANK_N_OBS = "iv_rank_n_obs"  # previous observations behind iv_rank / iv_percentile
IV_RANK_STATUS = "iv_rank_status"  # RS_* code, or no_store
BOX_FLOOR = "box_floor"  # range-box floor, price units
BOX_CEILING = "box_ceiling"  # range-box ceiling, price units
BOX_STATUS = "box_status"  # BOX_* code, or no_bars
TARGETS_SOURCE = "targets_source"  # TGT_* code: where target_low/high came from
N_CANDIDATES = "n_candidates"  # candidates built for the ticker
BEST_STRUCTURE = "best_structure"  # structure of the best-scored candidate
BEST_EXPIRY = "best_expiry"  # its expiry date
BEST_LEGS = "best_legs"  # its legs as OCC symbols, put first, space separated
BEST_DEBIT_NATURAL = "best_debit_natural"  # its natural debit, per share
BEST_SCORE = "best_score"  # its score in [0, 1]
LEGS = "legs"  # candidate legs as OCC symbols, put first, space separated
SCR_OK = "ok"
SCR_THIN = "thin"  # fewer usable quotes than min_quotes: screened, not trusted
SCR_FAILED = "failed"  # the ticker could not be screened; screen_reason says why
SCREEN_STATUSES = (SCR_OK, SCR_THIN, SCR_FAILED)
TGT_USER = "user"  # targets given by the user (CLI/config)
TGT_RANGE = "user_range"  # measured moves of a user-given range
TGT_BOX = "box"  # measured moves of the detected range box
TGT_NONE = "none"  # no targets: target columns NaN
# warnings table
WARNING_CODE = "warning_code"  # short code (thin_chain, failed, no_bars, ...)
WARNING_MESSAGE = "message"  # one-line human-readable explanation
