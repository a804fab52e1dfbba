"""load_chain: every shared chain file against PROVENANCE.md, quote rules, round trips."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import BAD_INPUT, shared_files, shared_path
from volscreen import columns as C
from volscreen.errors import (
    ChainSchemaError,
    DataError,
    DuplicateContractError,
    EmptyDataError,
    UnknownFormatError,
    UnreadableFileError,
    VolscreenError,
)
from volscreen.loaders import load_chain, save_chain, split_chains

DATA = Path(__file__).resolve().parent / "data"
ET = "America/New_York"

# file -> (format, rows, expiries, first expiry, last expiry, first quote time ET,
#          quote times, underlying price of the first quote time); from PROVENANCE.md
EXPECTED_CHAINS = {
    "iwm_yf_cboegreeks_2026-07-14_1555ET.json": ("options_desk_json", 3510, 31, "2026-07-14",
        "2028-12-15", "2026-07-14 15:55:45.890379", 1, 294.46),
    "iwm_yf_cboegreeks_2026-07-10_close_weekendfetch.json": ("options_desk_json", 3224, 29,
        "2026-07-13", "2028-12-15", "2026-07-10 16:00", 1, 295.99),
    "iwm_yf_2026-07-09_close.json": ("options_desk_json", 1415, 12, "2026-07-10", "2026-08-14",
        "2026-07-09 16:00", 1, 297.24),
    "iwm_yf_2026-07-08_close.json": ("options_desk_json", 1411, 12, "2026-07-08", "2026-07-31",
        "2026-07-08 16:00", 1, 293.48),
    "iwm_cboe_2026-07-20_0945ET.json": ("cboe_snapshot_json", 2480, 16, "2026-07-21",
        "2026-09-30", "2026-07-20 09:45:12", 1, 295.39),
    "amzn_cboe_2026-07-20_1251ET.json": ("cboe_snapshot_json", 830, 10, "2026-07-22",
        "2026-09-18", "2026-07-20 12:51:19", 1, 252.36),
    "spy_yf_cboegreeks_2026-07-14_1556ET.json.gz": ("options_desk_json", 10386, 33,
        "2026-07-14", "2028-12-15", "2026-07-14 15:56:03.472938", 1, 752.06),
    "spy_yf_2026-07-09_close.json": ("options_desk_json", 2874, 12, "2026-07-10", "2026-08-14",
        "2026-07-09 16:00", 1, 751.71),
    "spy_yf_2026-05-01_weekendfetch_with_r_q.csv.gz": ("yfinance", 7722, 24, "2026-05-08",
        "2028-12-15", "2026-05-01 16:00", 1, 720.65),
    "spy_yf_2026-02-10_with_r.csv": ("yfinance", 1568, 6, "2026-02-18", "2028-12-15",
        "2026-02-10 16:00", 1, 692.12),
    "spy_yf_2025-08-26_afterclose.csv": ("yfinance", 7011, 30, "2025-08-26", "2027-12-17",
        "2025-08-26 16:00", 1, 645.16),
    "spy_2021_20contracts_per_day_iv_greeks.csv": ("hod", 5040, 102, None, None,
        "2021-01-04 16:00", 252, 368.79),
    "qqq_yf_cboegreeks_2026-07-14_1555ET.json.gz": ("options_desk_json", 8495, 31, None, None,
        None, 1, 720.15),
    "qqq_yf_2026-07-09_close.json": ("options_desk_json", 2919, 12, "2026-07-10", "2026-08-14",
        "2026-07-09 16:00", 1, 723.28),
    "spx_full_chain_20190425.csv.gz": ("hod", 13340, 35, "2019-04-26", "2021-12-17",
        "2019-04-25 16:00", 1, 2919.04),
    "spx_full_chain_20190513.csv.gz": ("hod", 13522, 35, "2019-05-13", "2021-12-17",
        "2019-05-13 16:00", 1, 2812.98),
    "spx_full_chain_20190621.csv.gz": ("hod", 14546, 38, "2019-06-21", "2021-12-17",
        "2019-06-21 16:00", 1, 2957.50),
    "spx_full_chain_20190704.csv.gz": ("hod", 14506, 38, None, "2021-12-17",
        "2019-07-04 16:00", 1, 2995.82),
    "spx_full_chain_20190722.csv.gz": ("hod", 13974, 36, "2019-07-22", "2021-12-17",
        "2019-07-22 16:00", 1, 2985.45),
    "spxw_2018-01-02_to_2018-02-28_eom_2exp.csv": ("hod", 14438, 2, "2018-01-31", "2018-02-28",
        "2018-01-02 16:00", 40, 2695.79),
    "spx_2017-01_to_2018-12_sparse_monthly_iv_greeks.csv.gz": ("hod", 18820, 26, None, None,
        "2017-01-03 16:00", 500, 2270.32),
    "vxx_2016-12-01_to_2016-12-30.csv.gz": ("hod", 27940, 16, "2016-12-02", "2019-01-19",
        "2016-12-01 16:00", 20, 28.95),
    "A_agilent_2016-01-05_iv_greeks.csv": ("deltaneutral", 208, 7, "2016-01-15", "2018-01-19",
        "2016-01-05 16:00", 1, 40.55),
    "vix_index_options_2016-06-01_cboe_datashop.csv": ("cboe_datashop", 882, 10, "2016-06-01",
        None, "2016-06-01 15:45", 1, None),
}
# files without an underlying price or a quote time: what the user passes
EXTRA_ARGS = {
    "spy_yf_2025-08-26_afterclose.csv": {"quote_time": "2025-08-26 16:00",
                                         "underlying": "SPY", "underlying_price": 645.16},
}


def test_every_shared_chain_file_has_an_expectation():
    names = shared_files("chains")
    if names == ["<shared data absent>"]:
        pytest.skip("real market data not available")
    assert sorted(names) == sorted(EXPECTED_CHAINS)


@pytest.mark.shared
@pytest.mark.parametrize("name", shared_files("chains"), ids=str)
def test_shared_chain_loads(name):
    path = shared_path("chains", name)  # skips with the reason when shared data is absent
    fmt, rows, n_exp, first_exp, last_exp, first_qt, n_qt, spot = EXPECTED_CHAINS[name]
    chain = load_chain(path, **EXTRA_ARGS.get(name, {}))
    assert chain.attrs["format"] == fmt
    assert len(chain) == rows
    assert chain[C.EXPIRY].nunique() == n_exp
    if first_exp:
        assert chain[C.EXPIRY].min() == pd.Timestamp(first_exp)
    if last_exp:
        assert chain[C.EXPIRY].max() == pd.Timestamp(last_exp)
    assert chain[C.QUOTE_TIME].nunique() == n_qt
    first = chain[C.QUOTE_TIME].min()
    if first_qt:
        assert first == pd.Timestamp(first_qt, tz=ET)
    if spot is not None:
        at_first = chain.loc[chain[C.QUOTE_TIME] == first, C.UNDERLYING_PRICE]
        assert at_first.iloc[0] == pytest.approx(spot, abs=0.005)
    # canonical contract
    assert list(chain.columns[: len(C.CHAIN_COLUMNS)]) == list(C.CHAIN_COLUMNS)
    assert all(c.startswith(C.VENDOR_PREFIX) for c in chain.columns[len(C.CHAIN_COLUMNS):])
    assert str(chain[C.QUOTE_TIME].dtype) == "datetime64[ns, UTC]"
    assert str(chain[C.EXPIRY].dtype) == "datetime64[ns]"
    assert set(chain[C.RIGHT]) == {C.CALL, C.PUT}
    assert set(chain[C.QUOTE_STATUS]) <= set(C.QUOTE_STATUSES)
    assert isinstance(chain.index, pd.RangeIndex)
    assert sum(chain.attrs["quote_status_counts"].values()) == rows
    assert chain[C.CONTRACT_SYMBOL].str.fullmatch(r"[A-Z0-9]{1,6}\d{6}[CP]\d{8}").all()
    keys = chain[[C.UNDERLYING, C.QUOTE_TIME, C.EXPIRY, C.STRIKE, C.RIGHT, C.ROOT]]
    assert keys.equals(keys.sort_values(list(keys.columns), kind="stable", ignore_index=True))
    nan_mid = chain[C.MID].isna()
    assert (chain.loc[nan_mid, C.QUOTE_STATUS] != C.QS_OK).all()


@pytest.mark.shared
def test_spx_file_keeps_am_monthlies_and_pm_weeklies_apart():
    chain = load_chain(shared_path("chains", "spx_full_chain_20190621.csv.gz"))
    third_friday = chain[(chain[C.EXPIRY] == "2019-07-19") & (chain[C.STRIKE] == 2950)]
    assert set(zip(third_friday[C.ROOT], third_friday[C.SETTLEMENT])) == {
        ("SPX", C.AM), ("SPXW", C.PM)}
    assert "SPXW190719C02950000" in set(third_friday[C.CONTRACT_SYMBOL])


@pytest.mark.shared
def test_long_vendor_symbol_rebuilt_as_standard_occ():
    chain = load_chain(shared_path("chains",
                                   "spx_2017-01_to_2018-12_sparse_monthly_iv_greeks.csv.gz"))
    row = chain[chain[C.VENDOR_SYMBOL] == "SPX170217C0000205000"].iloc[0]
    assert (row[C.CONTRACT_SYMBOL], row[C.ROOT], row[C.STRIKE]) == (
        "SPX170217C02050000", "SPX", 2050.0)


@pytest.mark.shared
def test_datashop_underlying_is_mid_of_1545_quotes():
    chain = load_chain(shared_path("chains", "vix_index_options_2016-06-01_cboe_datashop.csv"))
    assert chain[C.UNDERLYING].iloc[0] == "VIX"
    assert chain[C.UNDERLYING_PRICE].iloc[0] == pytest.approx(14.575)


@pytest.mark.shared
def test_expired_same_day_expiry_after_close():
    chain = load_chain(shared_path("chains", "iwm_yf_2026-07-08_close.json"))
    same_day = chain[C.EXPIRY] == pd.Timestamp("2026-07-08")
    assert same_day.any()
    assert (chain.loc[same_day, C.QUOTE_STATUS] == C.QS_EXPIRED).all()
    assert not (chain.loc[~same_day, C.QUOTE_STATUS] == C.QS_EXPIRED).any()


@pytest.mark.shared
def test_yfinance_without_quote_time_is_an_error():
    with pytest.raises(ChainSchemaError, match="quote_time="):
        load_chain(shared_path("chains", "spy_yf_2025-08-26_afterclose.csv"))


@pytest.mark.shared
@pytest.mark.parametrize("name", ["iwm_yf_cboegreeks_2026-07-14_1555ET.json",
                                  "spx_full_chain_20190621.csv.gz",
                                  "A_agilent_2016-01-05_iv_greeks.csv"], ids=str)
@pytest.mark.parametrize("ext", ["csv", "csv.gz", "parquet"])
def test_canonical_round_trip_exact(tmp_path, name, ext):
    chain = load_chain(shared_path("chains", name))
    path = save_chain(chain, tmp_path / f"chain.{ext}")
    back = load_chain(path)
    assert back.attrs["format"] == "canonical"
    pd.testing.assert_frame_equal(back, chain, check_exact=True)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left


def test_cboe_delayed_quotes_json():
    """Sample written from the documented shape of Cboe's delayed-quotes JSON
    (cdn.cboe.com/api/global/delayed_quotes/options/<SYM>.json); values are
    illustrative."""
    chain = load_chain(DATA / "cboe_delayed_quotes_sample.json")
    assert chain.attrs["format"] == "cboe_delayed_json"
    assert chain[C.CONTRACT_SYMBOL].tolist() == [
        "IWM260320C00265000", "IWM260320P00265000", "IWM260320C00300000",
        "IWM260417P00245000"]
    # timestamp is UTC: 20:14 UTC = 15:14 ET, inside regular hours
    assert chain[C.QUOTE_TIME].iloc[0] == pd.Timestamp("2026-03-06 15:14:46", tz=ET)
    assert (chain[C.UNDERLYING_PRICE] == 262.41).all()
    assert chain[C.VENDOR_IV].tolist() == [0.1874, 0.1921, 0.2605, 0.2302]
    assert chain[C.QUOTE_STATUS].tolist() == [C.QS_OK, C.QS_OK, C.QS_NO_BID, C.QS_OK]
    assert chain[C.MID].iloc[2] == pytest.approx(0.015)


def _quotes(bid, ask, strike=100.0, expiry="2026-03-20", qt="2026-03-06 15:00"):
    bid, ask, strike = np.atleast_1d(bid), np.atleast_1d(ask), np.atleast_1d(strike)
    return pd.DataFrame({"underlying": "IWM", "quote_time": qt, "expiry": expiry,
                         "strike": strike, "right": "C", "bid": bid, "ask": ask})


# (bid, ask, strike, expiry, status, mid) hand-made rows
STATUS_CASES = {
    "ok": (1.00, 1.10, 100.0, "2026-03-20", C.QS_OK, 1.05),
    "no_bid": (0.0, 0.10, 100.0, "2026-03-20", C.QS_NO_BID, 0.05),
    "missing_bid": (np.nan, 0.10, 100.0, "2026-03-20", C.QS_NO_BID, np.nan),
    "zero_ask": (0.0, 0.0, 100.0, "2026-03-20", C.QS_ZERO_ASK, np.nan),
    "missing_ask": (0.5, np.nan, 100.0, "2026-03-20", C.QS_ZERO_ASK, np.nan),
    "crossed": (1.20, 1.10, 100.0, "2026-03-20", C.QS_CROSSED, np.nan),
    "no_quote": (np.nan, np.nan, 100.0, "2026-03-20", C.QS_NO_QUOTE, np.nan),
    "wide": (1.00, 3.00, 100.0, "2026-03-20", C.QS_WIDE, 2.00),
    "wide_but_penny": (0.01, 0.05, 100.0, "2026-03-20", C.QS_OK, 0.03),
    "at_threshold_not_wide": (3.00, 5.00, 100.0, "2026-03-20", C.QS_OK, 4.00),
    "expired_beats_crossed": (1.2, 1.1, 100.0, "2026-03-05", C.QS_EXPIRED, np.nan),
    "expired_earlier": (1.0, 1.1, 100.0, "2026-03-05", C.QS_EXPIRED, 1.05),
    "bad_strike": (1.0, 1.1, 0.0, "2026-03-20", C.QS_BAD_STRIKE, 1.05),
}


@pytest.mark.parametrize("case", sorted(STATUS_CASES), ids=str)
def test_quote_status_rules(case):
    bid, ask, strike, expiry, status, mid = STATUS_CASES[case]
    chain = load_chain(_quotes(bid, ask, strike, expiry))
    assert chain[C.QUOTE_STATUS].iloc[0] == status
    assert chain[C.MID].iloc[0] == pytest.approx(mid, nan_ok=True)


def test_expired_at_the_settlement_instant_but_not_before():
    at = load_chain(_quotes(1.0, 1.1, expiry="2026-03-06", qt="2026-03-06 16:00"))
    before = load_chain(_quotes(1.0, 1.1, expiry="2026-03-06", qt="2026-03-06 15:59"))
    assert at[C.QUOTE_STATUS].iloc[0] == C.QS_EXPIRED
    assert before[C.QUOTE_STATUS].iloc[0] == C.QS_OK


def test_spread_pct_definition():
    chain = load_chain(_quotes(2.0, 2.2))
    assert chain[C.SPREAD].iloc[0] == pytest.approx(0.2)
    assert chain[C.SPREAD_PCT].iloc[0] == pytest.approx(0.2 / 2.1)


# options-desk style "updated" stamp -> expected quote time (New York)
SESSION_RULE = {
    "in_session": ("2026-07-14T15:55:45-04:00", "2026-07-14 15:55:45"),
    "after_close": ("2026-07-08T22:35:00Z", "2026-07-08 16:00"),
    "late_evening_utc_next_day": ("2026-07-10T01:53:07Z", "2026-07-09 16:00"),
    "sunday_fetch": ("2026-07-12T06:26:00-04:00", "2026-07-10 16:00"),
    "monday_before_open": ("2026-07-13T08:00:00-04:00", "2026-07-10 16:00"),
    "tuesday_before_open": ("2026-07-14T09:29:00-04:00", "2026-07-13 16:00"),
    "at_open": ("2026-07-14T09:30:00-04:00", "2026-07-14 09:30"),
}


@pytest.mark.parametrize("case", sorted(SESSION_RULE), ids=str)
def test_session_rule_for_fetch_timestamps(case):
    stamp, expected = SESSION_RULE[case]
    payload = ('{"symbol": "IWM", "updated": "%s", "underlyingPrice": 290.0, "quotes": ['
               '{"symbol": "IWM261218C00290000", "expiration": "2026-12-18", "side": "call",'
               ' "strike": 290.0, "bid": 10.0, "ask": 10.2}]}' % stamp)
    from volscreen.loaders.formats import flatten_json
    chain = load_chain(flatten_json(__import__("json").loads(payload), "x"))
    assert chain[C.QUOTE_TIME].iloc[0] == pd.Timestamp(expected, tz=ET)


@pytest.mark.shared
def test_weekend_fetch_file_uses_friday_close():
    chain = load_chain(shared_path("chains",
                                   "iwm_yf_cboegreeks_2026-07-10_close_weekendfetch.json"))
    assert (chain[C.QUOTE_TIME] == pd.Timestamp("2026-07-10 16:00", tz=ET)).all()


def test_columns_mapping_for_an_unknown_broker_csv(tmp_path):
    path = tmp_path / "broker.csv"
    path.write_text("Sym,Exp,K,CP,B,A,Px\nIWM,2026-03-20,265,C,3.10,3.16,262.4\n")
    chain = load_chain(path, quote_time="2026-03-06 16:00",
                       columns={"Sym": "underlying", "Exp": "expiry", "K": "strike",
                                "CP": "right", "B": "bid", "A": "ask",
                                "Px": "underlying_price"})
    assert chain[C.CONTRACT_SYMBOL].iloc[0] == "IWM260320C00265000"
    assert chain[C.UNDERLYING_PRICE].iloc[0] == 262.4
    assert chain[C.QUOTE_TIME].iloc[0] == pd.Timestamp("2026-03-06 16:00", tz=ET)


def test_input_frame_not_mutated():
    frame = _quotes([1.0, 2.0], [1.1, 2.2], strike=[100.0, 105.0])
    before = frame.copy()
    load_chain(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_split_chains_yields_each_underlying_and_time():
    frame = pd.concat([_quotes(1.0, 1.1), _quotes(1.0, 1.1, qt="2026-03-05 16:00"),
                       _quotes(1.0, 1.1).assign(underlying="SPY")], ignore_index=True)
    parts = list(split_chains(load_chain(frame)))
    assert [(u, t.tz_convert(ET).strftime("%m-%d %H:%M"), len(s)) for u, t, s in parts] == [
        ("IWM", "03-05 16:00", 1), ("IWM", "03-06 15:00", 1), ("SPY", "03-06 15:00", 1)]


# bad file -> (error class or None when it loads, text in message / expected status)
BAD_CHAINS = {
    "chain_truncated.csv": (DataError, "malformed CSV"),
    "chain_wrong_delimiter.csv": (ChainSchemaError, "row 2, column 'expiry'"),
    "chain_missing_columns.csv": (ChainSchemaError, "['bid', 'ask']"),
    "chain_text_in_numeric.csv": (ChainSchemaError, "row 3, column 'bid'"),
    "chain_negative_bid.csv": (ChainSchemaError, "row 3, column 'bid'"),
    "chain_duplicate_conflict.csv": (DuplicateContractError, "SPY210129P00345000"),
    "chain_empty.csv": (EmptyDataError, "empty"),
    "chain_truncated.json": (DataError, "truncated JSON"),
    "chain_unknown_format.csv": (UnknownFormatError, "columns="),
    "binary_garbage.bin": (UnreadableFileError, "binary"),
    "no_such_chain.csv": (UnreadableFileError, "not found"),
    "chain_crossed.csv": (None, C.QS_CROSSED),
    "chain_duplicate_identical.csv": (None, C.QS_OK),
}


@pytest.mark.parametrize("name", sorted(BAD_CHAINS), ids=str)
def test_bad_chain_files(name):
    cls, text = BAD_CHAINS[name]
    if cls is None:
        chain = load_chain(BAD_INPUT / name)
        assert chain[C.QUOTE_STATUS].tolist() == [text]
        assert chain.attrs["duplicates_dropped"] == int("duplicate" in name)
        return
    with pytest.raises(VolscreenError) as info:
        load_chain(BAD_INPUT / name)
    assert type(info.value) is cls
    message = str(info.value)
    assert name in message and text in message and "\n" not in message
