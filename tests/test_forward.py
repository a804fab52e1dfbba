"""Parity forwards and chain-level implied vols on hand-built chains with known answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volscreen as vs
from volscreen import columns as C

QUOTE_TIME = pd.Timestamp("2026-07-14 19:55", tz="UTC")
SPOT = 294.46
RATE = 0.04
CARRY = 0.012


def _smile(k: np.ndarray, f: float) -> np.ndarray:
    return 0.2 - 0.1 * np.log(k / f) + 0.3 * np.log(k / f) ** 2


def make_chain(expiries: tuple[str, ...] = ("2026-08-21", "2026-12-18"),
               strikes: np.ndarray | None = None, half_spread: float = 0.0) -> pd.DataFrame:
    strikes = np.arange(250.0, 341.0, 5.0) if strikes is None else strikes
    rows = []
    for exp in expiries:
        expiry = pd.Timestamp(exp)
        t = float(vs.year_fraction(QUOTE_TIME, expiry, C.PM)[0])
        fwd = SPOT * np.exp((RATE - CARRY) * t)
        for k in strikes:
            vol = float(_smile(np.array(k), fwd))
            for right in (C.CALL, C.PUT):
                p = float(vs.black_price(fwd, k, t, RATE, vol, right))
                rows.append({C.UNDERLYING: "IWM", C.ROOT: "IWM", C.QUOTE_TIME: QUOTE_TIME,
                             C.EXPIRY: expiry, C.SETTLEMENT: C.PM, C.STRIKE: k, C.RIGHT: right,
                             C.BID: p - half_spread, C.ASK: p + half_spread, C.MID: p,
                             C.UNDERLYING_PRICE: SPOT, C.QUOTE_STATUS: C.QS_OK,
                             "true_forward": fwd, "true_vol": vol})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["median", "cboe"])
def test_forward_with_rate_is_exact_on_parity_prices(method: str) -> None:
    chain = make_chain()
    fw = vs.forwards(chain, RATE, method=method)
    truth = chain.groupby(C.EXPIRY)["true_forward"].first().to_numpy()
    np.testing.assert_allclose(fw[C.FORWARD], truth, rtol=1e-12)
    np.testing.assert_allclose(fw[C.IMPLIED_CARRY], CARRY, atol=1e-9)
    assert (fw[C.FORWARD_STATUS] == C.FS_OK).all()
    assert list(fw[C.PARITY_STRIKES_USED]) == ([5, 5] if method == "median" else [1, 1])


def test_rate_as_mapping_and_callable_agree_with_float() -> None:
    chain = make_chain()
    flat = vs.forwards(chain, RATE)
    mapped = vs.forwards(chain, {"2026-08-21": RATE, "2026-12-18": RATE})
    curve = vs.forwards(chain, lambda t: RATE)
    pd.testing.assert_frame_equal(flat, mapped)
    pd.testing.assert_frame_equal(flat, curve)


def test_forward_without_rate_recovers_discount_and_forward() -> None:
    chain = make_chain()
    fw = vs.forwards(chain)
    truth = chain.groupby(C.EXPIRY)["true_forward"].first().to_numpy()
    np.testing.assert_allclose(fw[C.FORWARD], truth, rtol=1e-9)
    np.testing.assert_allclose(fw[C.RATE], RATE, atol=1e-6)
    np.testing.assert_allclose(fw[C.DISCOUNT], np.exp(-RATE * fw[C.T]), rtol=1e-9)


def test_median_forward_ignores_one_bad_pair_at_k_star() -> None:
    chain = make_chain(expiries=("2026-08-21",))
    fw_clean = vs.forwards(chain, RATE)
    bad = chain.copy()
    k_star = fw_clean[C.PARITY_STRIKE].iloc[0]
    sel = (bad[C.STRIKE] == k_star) & (bad[C.RIGHT] == C.CALL)
    bad.loc[sel, C.MID] = bad.loc[sel, C.MID] + 0.30
    median = vs.forwards(bad, RATE)[C.FORWARD].iloc[0]
    cboe = vs.forwards(bad, RATE, method="cboe")[C.FORWARD].iloc[0]
    true = fw_clean[C.FORWARD].iloc[0]
    assert abs(median - true) < 0.05
    assert abs(cboe - true) > 0.25


def test_one_sided_and_no_pair_expiries_get_a_status() -> None:
    chain = make_chain()
    one_sided = chain[~((chain[C.EXPIRY] == pd.Timestamp("2026-08-21"))
                        & (chain[C.RIGHT] == C.PUT))].copy()
    no_pairs = chain.copy()
    no_pairs.loc[(no_pairs[C.EXPIRY] == pd.Timestamp("2026-12-18"))
                 & (no_pairs[C.RIGHT] == C.CALL), C.QUOTE_STATUS] = C.QS_NO_BID
    fw1 = vs.forwards(one_sided, RATE)
    fw2 = vs.forwards(no_pairs, RATE)
    assert list(fw1[C.FORWARD_STATUS]) == [C.FS_ONE_SIDED, C.FS_OK]
    assert list(fw2[C.FORWARD_STATUS]) == [C.FS_OK, C.FS_NO_PAIRS]
    assert np.isnan(fw1[C.FORWARD].iloc[0]) and np.isnan(fw2[C.FORWARD].iloc[1])


def test_implied_vols_recovers_the_smile_and_adds_the_contract_columns() -> None:
    chain = make_chain(half_spread=0.02)
    before = chain.copy()
    out = vs.implied_vols(chain, RATE)
    pd.testing.assert_frame_equal(chain, before)  # input untouched
    for col in (C.T, C.FORWARD, C.DISCOUNT, C.LOG_MONEYNESS, C.IV, C.IV_BID, C.IV_ASK,
                C.IV_STATUS, C.DELTA, C.GAMMA, C.VEGA_PER_VOLPT, C.THETA_PER_DAY, C.OTM):
        assert col in out.columns, col
    ok = out[C.IV_STATUS] == C.IVS_OK
    assert ok.all()
    np.testing.assert_allclose(out[C.IV], out["true_vol"], atol=1e-10)
    assert (out[C.IV_BID] < out[C.IV]).all() and (out[C.IV_ASK] > out[C.IV]).all()
    np.testing.assert_allclose(out[C.LOG_MONEYNESS], np.log(out[C.STRIKE] / out["true_forward"]),
                               atol=1e-12)
    otm_expected = np.where(out[C.RIGHT] == C.CALL, out[C.STRIKE] >= out[C.FORWARD],
                            out[C.STRIKE] < out[C.FORWARD])
    np.testing.assert_array_equal(out[C.OTM], otm_expected)
    # spot delta against vollib's BSM delta at the row's own IV and the implied carry
    from vollib.black_scholes_merton.greeks.analytical import delta as v_delta

    row = out.iloc[7]
    ref = v_delta(row[C.RIGHT].lower(), SPOT, row[C.STRIKE], row[C.T], RATE, row[C.IV], CARRY)
    assert row[C.DELTA] == pytest.approx(ref, abs=1e-9)


def test_implied_vols_bad_quotes_keep_their_row_and_status() -> None:
    chain = make_chain(expiries=("2026-08-21",))
    chain.loc[0, C.QUOTE_STATUS] = C.QS_CROSSED
    chain.loc[1, C.QUOTE_STATUS] = C.QS_NO_BID
    chain.loc[2, C.MID] = 0.0  # the 255 call, deep in the money, at zero: below intrinsic
    chain.loc[3, C.MID] = np.nan
    chain.loc[5, C.MID] = 0.0  # the 260 put, out of the money, at zero: at intrinsic
    out = vs.implied_vols(chain, RATE)
    assert len(out) == len(chain)
    assert list(out[C.IV_STATUS].iloc[:6]) == [C.QS_CROSSED, C.QS_NO_BID, C.IVS_BELOW_INTRINSIC,
                                               C.IVS_NO_PRICE, C.IVS_OK, C.IVS_AT_INTRINSIC]
    assert out[C.IV].iloc[[0, 1, 2, 3, 5]].isna().all()
    assert (out[C.IV_STATUS].iloc[6:] == C.IVS_OK).all()


def test_implied_vols_without_a_forward_flags_every_row() -> None:
    chain = make_chain(expiries=("2026-08-21",))
    calls_only = chain[chain[C.RIGHT] == C.CALL]
    out = vs.implied_vols(calls_only, RATE)
    assert (out[C.IV_STATUS] == C.IVS_NO_FORWARD).all()
    assert out[C.IV].isna().all()


def test_missing_column_is_a_clear_error() -> None:
    chain = make_chain().drop(columns=[C.MID])
    with pytest.raises(vs.ChainSchemaError, match="mid"):
        vs.implied_vols(chain, RATE)


def test_implausible_forward_is_nan_as_documented() -> None:
    """A spot 30 % away from the parity forward: status implausible and a NaN forward.

    Before, the forward of an implausible carry was returned as a number while
    the docs promise NaN for every status other than ok/no_spot.
    """
    chain = make_chain(expiries=("2026-08-21",))
    chain[C.UNDERLYING_PRICE] = SPOT * 1.3  # e.g. a stale or mis-scaled underlying price
    fw = vs.forwards(chain, RATE)
    assert fw[C.FORWARD_STATUS].iloc[0] == C.FS_IMPLAUSIBLE
    assert np.isnan(fw[C.FORWARD].iloc[0])
    assert fw[C.IMPLIED_CARRY].iloc[0] > 1.0  # the reason: a carry of over 100 % a year
    out = vs.implied_vols(chain, RATE)
    assert out[C.IV].isna().all() and (out[C.IV_STATUS] == C.IVS_NO_FORWARD).all()


def test_empty_chain_gives_an_empty_frame_then_a_clear_error() -> None:
    """A chain filtered down to nothing (no expiry in the DTE window, say).

    implied_vols raised pandas' merge ValueError (the empty forwards frame had
    object key columns); it returns an empty frame with every added column, and
    term_structure says the chain is empty instead of a KeyError.
    """
    from volscreen.errors import EmptyDataError

    empty = make_chain().iloc[:0]
    out = vs.implied_vols(empty, RATE)
    assert out.empty
    assert {C.IV, C.IV_STATUS, C.FORWARD, C.DELTA, C.OTM} <= set(out.columns)
    with pytest.raises(EmptyDataError, match="no rows"):
        vs.term_structure(out)


@pytest.mark.parametrize("target", ["forwards", "implied_vols"])
def test_text_strike_and_text_rate_are_volscreen_errors(target: str) -> None:
    """Both raised a bare ValueError (float conversion) before."""
    from volscreen.errors import ChainSchemaError, ConfigError

    func = getattr(vs, target)
    chain = make_chain(expiries=("2026-08-21",))
    chain[C.STRIKE] = chain[C.STRIKE].astype(object)
    chain.loc[3, C.STRIKE] = "abc"
    with pytest.raises(ChainSchemaError, match="strike is not a number") as info:
        func(chain, RATE)
    assert info.value.row == 3 and info.value.column == C.STRIKE
    with pytest.raises(ConfigError, match="rate must be a number"):
        func(make_chain(expiries=("2026-08-21",)), "4%")


def _loop_forwards(chain: pd.DataFrame, rate: float | None, method: str) -> pd.DataFrame:
    """Plain per-expiry reference: one pandas group and Python dicts per series."""
    from statistics import median

    keys = [c for c in (C.UNDERLYING, C.ROOT, C.QUOTE_TIME, C.EXPIRY, C.SETTLEMENT)
            if c in chain.columns]
    rows = []
    for key, g in chain.groupby(keys, sort=True, dropna=False):
        first = g.iloc[0]
        t = float(vs.year_fraction(first[C.QUOTE_TIME], first[C.EXPIRY], first[C.SETTLEMENT])[0])
        spot = float(g[C.UNDERLYING_PRICE].median())
        quotes: dict[tuple[float, str], list[float]] = {}
        rights = set()
        for k, right, mid, qs in zip(g[C.STRIKE], g[C.RIGHT], g[C.MID], g[C.QUOTE_STATUS]):
            rights.add(str(right).upper()[0])
            if qs == C.QS_OK and not np.isnan(mid) and not np.isnan(k):
                quotes.setdefault((float(k), str(right).upper()[0]), []).append(float(mid))
        pairs = sorted((k, sum(quotes[k, "C"]) / len(quotes[k, "C"])
                        - sum(quotes[k, "P"]) / len(quotes[k, "P"]))
                       for k, _ in quotes if (k, "C") in quotes and (k, "P") in quotes)
        pairs = sorted(set(pairs), key=lambda kd: (abs(kd[1]), kd[0]))
        rec = dict(zip(keys, key), t=t, spot=spot, forward=np.nan, k_star=np.nan, used=0,
                   rate=np.nan if rate is None else rate)
        if not t > 0:
            rec["status"] = C.FS_EXPIRED
        elif not {C.CALL, C.PUT} <= rights:
            rec["status"] = C.FS_ONE_SIDED
        elif not pairs:
            rec["status"] = C.FS_NO_PAIRS
        else:
            rec["k_star"] = pairs[0][0]
            near = pairs[:5]
            if rate is None:
                slopes = [(d2 - d1) / (k2 - k1) for i, (k1, d1) in enumerate(near)
                          for k2, d2 in near[i + 1:]]
                slope = median(slopes) if len(near) >= 3 else np.nan
                disc = -slope
                rec["rate"] = -np.log(disc) / t if disc > 0 else np.nan
                fwd = median(d - slope * k for k, d in near) / disc
                rec["used"] = len(near) if len(near) >= 3 else 0
                ok_rate = -0.05 <= rec["rate"] <= 0.25
            else:
                disc = np.exp(-rate * t)
                fwd = (near[0][0] + near[0][1] / disc if method == "cboe"
                       else median(k + d / disc for k, d in near))
                rec["used"] = 1 if method == "cboe" else len(near)
                ok_rate = True
            if len(near) < 3 and rate is None:
                rec["status"] = C.FS_NO_PAIRS
            elif not ok_rate:
                rec["status"] = C.FS_IMPLAUSIBLE
            elif abs(np.log(fwd / spot)) > t + 0.05:
                rec["status"] = C.FS_IMPLAUSIBLE
            else:
                rec["status"], rec["forward"] = C.FS_OK, fwd
        rows.append(rec)
    return pd.DataFrame(rows)


REAL_CHAINS = ["iwm_yf_cboegreeks_2026-07-14_1555ET.json", "iwm_cboe_2026-07-20_0945ET.json",
               "spx_full_chain_20190621.csv.gz", "spy_2021_20contracts_per_day_iv_greeks.csv",
               "vix_index_options_2016-06-01_cboe_datashop.csv"]


@pytest.fixture(scope="module")
def real_chains() -> dict[str, pd.DataFrame]:
    from conftest import SHARED_DATA

    chains = {name: vs.load_chain(SHARED_DATA / "chains" / name) for name in REAL_CHAINS
              if (SHARED_DATA / "chains" / name).exists()}
    for name, chain in chains.items():  # a year of daily snapshots: the first 40 days suffice
        days = np.sort(chain[C.QUOTE_TIME].unique())[:40]
        chains[name] = chain[chain[C.QUOTE_TIME].isin(days)]
    return chains


@pytest.mark.parametrize("method, rate", [("median", RATE), ("cboe", RATE), ("median", None)],
                         ids=["median", "cboe", "implied-rate"])
@pytest.mark.parametrize("name", REAL_CHAINS)
def test_vectorized_forwards_match_a_per_expiry_loop(real_chains: dict[str, pd.DataFrame],
                                                     name: str, method: str,
                                                     rate: float | None) -> None:
    """Every series of real chains (one or many quote times, AM and PM) against the loop."""
    from conftest import shared_path

    shared_path("chains", name)
    chain = real_chains[name]
    fw = vs.forwards(chain, rate, method=method)  # type: ignore[arg-type]
    ref = _loop_forwards(chain, rate, method)
    assert len(fw) == len(ref) > 1
    for key in (C.EXPIRY, C.SETTLEMENT, C.QUOTE_TIME):
        assert (fw[key].to_numpy() == ref[key].to_numpy()).all()
    np.testing.assert_array_equal(fw[C.FORWARD_STATUS].to_numpy(str), ref["status"].to_numpy(str))
    np.testing.assert_allclose(fw[C.T], ref["t"], rtol=0, atol=0)
    np.testing.assert_allclose(fw[C.UNDERLYING_PRICE], ref["spot"], rtol=1e-15)
    np.testing.assert_allclose(fw[C.PARITY_STRIKE], ref["k_star"], rtol=0, atol=0)
    np.testing.assert_array_equal(fw[C.PARITY_STRIKES_USED], ref["used"])
    np.testing.assert_allclose(fw[C.FORWARD], ref["forward"], rtol=1e-13)
    np.testing.assert_allclose(fw[C.RATE], ref["rate"], rtol=1e-9, atol=1e-12)
    assert (fw[C.FORWARD_STATUS] == C.FS_OK).sum() > 0


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"a": ["X"] * 6, "b": [1, 2, 1, 2, 3, 3]}, id="constant-string-key"),
        pytest.param({"a": ["X", "X", None, "X", None, "Y"], "b": [1, 1, 1, 2, 2, 2]},
                     id="missing-strings"),
        pytest.param({"a": [None] * 6, "b": [5, 4, 5, 4, 5, 4]}, id="all-missing-key"),
        pytest.param({"a": pd.to_datetime(["2026-01-02"] * 3 + [None] * 3),
                      "b": [1, 2, 1, 2, 1, 2]}, id="datetime-with-NaT"),
        pytest.param({"a": pd.to_datetime(["2026-01-02"] * 6).tz_localize("UTC"),
                      "b": ["p", "q", "p", "q", "p", "q"]}, id="constant-tz-datetime"),
        pytest.param({"a": ["X"] * 6, "b": ["Y"] * 6}, id="all-constant"),
        pytest.param({"a": ["X"] * 6,
                      "b": pd.to_datetime(["2026-03-20", "2026-01-16", "2026-03-20",
                                           "2026-02-20", "2026-01-16", "2026-03-20"])},
                     id="only-a-date-varies"),
        pytest.param({"a": pd.to_datetime(["2026-01-02 15:00", "2026-01-02 14:00"] * 3)
                      .tz_localize("UTC"), "b": ["p"] * 6}, id="only-a-tz-time-varies"),
        pytest.param({"a": ["X"] * 6,
                      "b": pd.to_datetime(["2026-03-20", None, "2026-01-16", None,
                                           "2026-03-20", "2026-01-16"])},
                     id="only-a-date-with-NaT-varies"),
    ],
)
def test_series_ids_number_series_as_groupby(keys: dict[str, object]) -> None:
    """Series numbers and first rows equal pandas' groupby (sort=True, dropna=False)."""
    from volscreen.forward import series_ids

    frame = pd.DataFrame(keys)
    for name in frame.columns:  # a chain's keys are text and timestamps
        if frame[name].dtype.kind in "iO":
            frame[name] = frame[name].map(lambda v: v if v is None else str(v)).astype("str")
    gid, first = series_ids([frame[c].array for c in frame.columns], len(frame))
    grouped = frame.groupby(list(frame.columns), sort=True, dropna=False)
    ngroup = grouped.ngroup().to_numpy()
    np.testing.assert_array_equal(gid, ngroup)
    np.testing.assert_array_equal(first, [np.flatnonzero(ngroup == g)[0]
                                          for g in range(ngroup.max() + 1)])


def test_implied_vols_invalid_right_names_its_row() -> None:
    from volscreen.errors import VolscreenError

    chain = make_chain(expiries=("2026-08-21",))
    chain.loc[7, C.RIGHT] = "X"
    with pytest.raises(VolscreenError, match="right must be") as info:
        vs.implied_vols(chain, RATE)
    assert info.value.row == 7 and info.value.column == C.RIGHT


def test_forward_arrays_without_keys_are_the_forwards_columns() -> None:
    from volscreen.forward import GROUP_COLUMNS, forward_arrays

    chain = make_chain()
    frame = vs.forwards(chain, RATE)
    values, _, _ = forward_arrays(chain, RATE, with_keys=False)
    assert not set(values) & set(GROUP_COLUMNS)
    assert list(values) == [c for c in frame.columns if c not in GROUP_COLUMNS]
    for name, column in values.items():
        np.testing.assert_array_equal(np.asarray(column), frame[name].to_numpy())


def test_a_chain_picks_its_engine_by_rows_not_by_its_three_prices(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Mid, bid and ask are one batch of 3 n options; the engine is the one for n rows."""
    import volscreen.implied as implied

    chain = make_chain()  # 76 rows: 228 options in one batch
    seen: list[int] = []
    real = implied._kernel
    monkeypatch.setattr(implied, "_kernel", lambda n: seen.append(n) or real(n))
    vs.implied_vols(chain, RATE)
    assert seen == [len(chain)]


@settings(max_examples=60, deadline=None)
@given(days=st.lists(st.integers(0, 6), min_size=1, max_size=40),
       nat=st.lists(st.booleans(), min_size=40, max_size=40))
def test_series_ids_one_varying_date_is_groupby(days: list[int], nat: list[bool]) -> None:
    """The one-varying-date shortcut (and its NaT fallback) numbers series as groupby does."""
    from volscreen.forward import series_ids

    dates = pd.Series(pd.Timestamp("2026-01-16") + pd.to_timedelta(days, unit="D"))
    dates[np.array(nat[:len(days)])] = pd.NaT
    frame = pd.DataFrame({"u": pd.array(["IWM"] * len(days), dtype="str"), "e": dates})
    gid, first = series_ids([frame[c].array for c in frame.columns], len(frame))
    ngroup = frame.groupby(["u", "e"], sort=True, dropna=False).ngroup().to_numpy()
    np.testing.assert_array_equal(gid, ngroup)
    np.testing.assert_array_equal(first, [np.flatnonzero(ngroup == g)[0]
                                          for g in range(ngroup.max() + 1)])


@pytest.mark.parametrize("values", [
    pytest.param(["C", "P", "P", "call", "C"], id="no-missing"),
    pytest.param(["P", None, "C", None], id="missing"),
    pytest.param([], id="empty"),
])
def test_factorize_is_pandas_factorize(values: list[object]) -> None:
    """The Arrow shortcut gives pandas' codes and uniques (order of appearance)."""
    from volscreen.forward import _factorize

    arr = pd.array(values, dtype="str")
    codes, uniques = _factorize(arr)
    ref_codes, ref_uniques = pd.factorize(arr, use_na_sentinel=False)
    np.testing.assert_array_equal(codes, ref_codes)
    assert codes.dtype == ref_codes.dtype
    ref = np.asarray(ref_uniques, dtype=object)
    assert uniques.dtype == object and len(uniques) == len(ref)
    assert all((a == b) or (a != a and b != b) for a, b in zip(uniques, ref))


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.none(),
                                 st.sampled_from(["", "a", "ab", "ba", "PM", "AM", "é"])),
                       min_size=1, max_size=12),
       start=st.integers(0, 3), large=st.booleans(), chunks=st.integers(1, 2))
def test_text_constant_check_is_arrows_comparison(values: list[str | None], start: int,
                                                  large: bool, chunks: int) -> None:
    """The buffer-reading constant check agrees with comparing every string in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from volscreen._serieskeys import _constant, _text_all_equal

    kind = pa.large_string() if large else pa.string()
    arr = pa.array(values, type=kind).slice(min(start, len(values) - 1))  # offsets not at 0
    if chunks == 2 and len(arr) > 1:
        arr = pa.chunked_array([arr.slice(0, 1), arr.slice(1)])
    column = pd.array(pd.arrays.ArrowStringArray(pa.chunked_array(arr).cast(pa.large_string())),
                      dtype="str")
    expected = pc.all(pc.equal(arr, arr[0]), skip_nulls=False).as_py() is True
    assert _text_all_equal(pa.chunked_array(arr)) in (expected, None)  # None: Arrow decides
    if chunks == 1:
        assert _text_all_equal(pa.chunked_array([arr])) is expected
    assert _constant(column) is expected


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.sampled_from(["C", "P", "c", "p", "X", "", "CP", "é"]),
                                 st.none()), min_size=1, max_size=15),
       start=st.integers(0, 3))
def test_factorize_agrees_with_pandas_on_generated_text(values: list[str | None],
                                                        start: int) -> None:
    """Letters (the one-byte shortcut), words, empty text, non-ASCII and missing values."""
    import pyarrow as pa

    from volscreen.forward import _factorize

    arr = pa.array(values, type=pa.large_string()).slice(min(start, len(values) - 1))
    column = pd.array(pd.arrays.ArrowStringArray(pa.chunked_array([arr])), dtype="str")
    codes, uniques = _factorize(column)
    ref_codes, ref_uniques = pd.factorize(column, use_na_sentinel=False)
    np.testing.assert_array_equal(codes, ref_codes)
    assert codes.dtype == np.intp
    ref = np.asarray(ref_uniques, dtype=object)
    assert len(uniques) == len(ref)
    assert all(type(a) is type(b) and ((a == b) or (a != a and b != b))
               for a, b in zip(uniques, ref))


@pytest.mark.parametrize("form", ["object", "Float64", "seconds"])
def test_columns_of_other_dtypes_price_as_the_loaders_dtypes(form: str) -> None:
    # the stored float64 / datetime64[ns] columns are read straight from the frame; every
    # other dtype goes through the parsing path: same forwards, same vols, caller untouched
    from volscreen.forward import forward_arrays

    chain = make_chain(half_spread=0.05)
    other = chain.copy()
    if form == "seconds":
        other[C.EXPIRY] = other[C.EXPIRY].astype("datetime64[s]")
        other[C.QUOTE_TIME] = other[C.QUOTE_TIME].dt.as_unit("s")
    else:
        for name in (C.STRIKE, C.MID, C.BID, C.ASK, C.UNDERLYING_PRICE):
            other[name] = other[name].astype(form)
    before = other.copy()
    got, got_gid, got_rows = forward_arrays(other, RATE)
    ref, ref_gid, ref_rows = forward_arrays(chain, RATE)
    np.testing.assert_array_equal(got_gid, ref_gid)
    for name in (C.T, C.FORWARD, C.DISCOUNT, C.UNDERLYING_PRICE, C.IMPLIED_CARRY):
        np.testing.assert_array_equal(got[name], ref[name])
    for name in (C.STRIKE, C.MID):
        np.testing.assert_array_equal(got_rows[name], ref_rows[name])
    assert not ref_rows[C.STRIKE].flags.writeable  # a view of the caller's column
    pd.testing.assert_frame_equal(vs.implied_vols(other, RATE)[[C.IV, C.DELTA]],
                                  vs.implied_vols(chain, RATE)[[C.IV, C.DELTA]])
    pd.testing.assert_frame_equal(other, before)


@settings(max_examples=80, deadline=None)
@given(quotes=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.booleans(),
                                 st.integers(1, 400), st.booleans()),
                       max_size=40),
       shuffle=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_parity_pairs_equal_a_plain_loop(quotes: list[tuple[int, int, bool, int, bool]],
                                         shuffle: bool, seed: int) -> None:
    """(series, strike, C - P) per quoted pair, duplicates averaged: a dict of lists."""
    from volscreen._parity import pairs

    rows = list(quotes)
    if shuffle:
        np.random.default_rng(seed).shuffle(rows)
    else:  # a loader's order: by series, strike, call before put (with or without duplicates)
        rows.sort(key=lambda q: (q[0], q[1], not q[2]))
    gid = np.array([q[0] for q in rows], dtype=np.intp)
    strike = np.array([100.0 + 5 * q[1] for q in rows])
    call = np.array([q[2] for q in rows], dtype=bool)
    mid = np.array([q[3] / 8 for q in rows])
    valid = np.array([q[4] for q in rows], dtype=bool)
    sides: dict[tuple[int, float, bool], list[float]] = {}
    for g, k, c, m, v in zip(gid, strike, call, mid, valid):
        if v:
            sides.setdefault((int(g), float(k), bool(c)), []).append(float(m))
    want = [(g, k, np.mean(sides[g, k, True]) - np.mean(sides[g, k, False]))
            for g, k in sorted({(g, k) for g, k, _ in sides})
            if (g, k, True) in sides and (g, k, False) in sides]
    got_g, got_k, got_d = pairs(gid, strike, call, mid, valid)
    assert list(zip(got_g.tolist(), got_k.tolist())) == [(g, k) for g, k, _ in want]
    np.testing.assert_allclose(got_d, [d for _, _, d in want], rtol=1e-15, atol=0)
