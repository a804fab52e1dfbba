"""Prices and greeks against published values (Haug, py_vollib) and vollib per option."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import volscreen as vs
from volscreen.errors import VolscreenError

from conftest import SHARED_DATA, shared_path


def _rows(name: str) -> list[dict[str, str]]:
    path = SHARED_DATA / "oracles" / name
    if not path.exists():
        return [{"case": "absent"}]
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


HAUG = _rows("haug_black_scholes_merton_reference_values.csv")
DOCTEST = _rows("py_vollib_doctest_reference_values.csv")


@pytest.mark.shared
@pytest.mark.parametrize(
    "row", HAUG, ids=[f"haug{r.get('case')}-{r.get('quantity')}-{r.get('type')}" for r in HAUG])
def test_haug_reference_values(row: dict[str, str]) -> None:
    shared_path("oracles", "haug_black_scholes_merton_reference_values.csv")
    s, k, q, r, t, v = (float(row[c]) for c in ("spot", "strike", "q", "r", "t", "vol"))
    right = row["type"]
    g = vs.bsm_greeks(s, k, t, r, q, v, right)
    price = float(vs.bsm_price(s, k, t, r, q, v, right))
    quantity = row["quantity"]
    if quantity == "value":
        got = price
    elif quantity == "delta":
        got = float(g["delta"])
    elif quantity == "gamma":
        got = float(g["gamma"])
    elif quantity == "vega":
        got = float(g["vega_per_volpt"]) * 100.0
    elif quantity == "theta":
        got = float(g["theta_per_day"]) * 365.0
    elif quantity == "theta_per_day":
        got = float(g["theta_per_day"])
    elif quantity == "rho":
        got = float(g["rho_per_pct"]) * 100.0
    elif quantity == "elasticity":
        got = float(g["delta"]) * s / price
    elif quantity == "dividend_rho":  # not a returned greek: central difference of the price
        h = 1e-6
        got = float(vs.bsm_price(s, k, t, r, q + h, v, right)
                    - vs.bsm_price(s, k, t, r, q - h, v, right)) / (2 * h)
    else:  # pragma: no cover - a new quantity in the table must be handled here
        pytest.fail(f"unhandled quantity {quantity}")
    assert got == pytest.approx(float(row["expected"]), abs=float(row["tolerance"]))


@pytest.mark.shared
@pytest.mark.parametrize(
    "row", DOCTEST,
    ids=[f"{r.get('model')}-{r.get('quantity')}-{r.get('flag')}-{i}"
         for i, r in enumerate(DOCTEST)])
def test_py_vollib_doctest_values(row: dict[str, str]) -> None:
    shared_path("oracles", "py_vollib_doctest_reference_values.csv")
    s, k, t, r, v, q = (float(row[c]) for c in ("S_or_F", "K", "t", "r", "sigma", "q"))
    flag, quantity, model = row["flag"], row["quantity"], row["model"]
    expected, tol = float(row["expected"]), float(row["tolerance"])
    if model == "black":
        got = float(vs.black_price(s, k, t, r, v, flag))
    elif quantity == "price":
        got = float(vs.bsm_price(s, k, t, r, q, v, flag))
        if "implied_volatility" in row["note"]:
            solved = float(vs.implied_vol(expected, s, k, t, r, q, flag))
            assert solved == pytest.approx(v, abs=1e-12)
    elif quantity == "delta":
        got = float(vs.bsm_greeks(s, k, t, r, q, v, flag)["delta"])
    elif quantity == "theta_per_year":
        got = float(vs.bsm_greeks(s, k, t, r, q, v, flag)["theta_per_day"]) * 365.0
    else:  # pragma: no cover
        pytest.fail(f"unhandled quantity {quantity}")
    assert got == pytest.approx(expected, abs=tol)


def _vollib_table() -> list[tuple[int, dict[str, float]]]:
    path = SHARED_DATA / "oracles" / "py_vollib_black_scholes_benchmark_table.json"
    if not path.exists():
        return [(-1, {})]
    data = json.loads(path.read_text())
    return [(int(i), dict(zip(data["columns"], row)))
            for i, row in zip(data["index"], data["data"])]


VOLLIB_TABLE = _vollib_table()


@pytest.mark.shared
@pytest.mark.parametrize("idx,row", VOLLIB_TABLE, ids=[f"row{i}" for i, _ in VOLLIB_TABLE])
def test_py_vollib_benchmark_table(idx: int, row: dict[str, float]) -> None:
    shared_path("oracles", "py_vollib_black_scholes_benchmark_table.json")
    s, k, r, t, v = row["S"], row["K"], row["R"], row["t"], row["v"]
    for right, pre in (("c", "C"), ("p", "P")):
        price = float(vs.bsm_price(s, k, t, r, 0.0, v, right))
        ref = row["bs_call" if right == "c" else "bs_put"]
        assert price == pytest.approx(ref, rel=1e-6, abs=1e-6)
        g = vs.bsm_greeks(s, k, t, r, 0.0, v, right)
        assert float(g["delta"]) == pytest.approx(row[pre + "D"], rel=1e-6, abs=1e-6)
        assert float(g["gamma"]) == pytest.approx(row[pre + "G"], rel=1e-6, abs=1e-6)
        assert float(g["theta_per_day"]) * 365 == pytest.approx(row[pre + "T"], rel=1e-6, abs=1e-6)
        assert float(g["vega_per_volpt"]) * 100 == pytest.approx(row[pre + "V"], rel=1e-6, abs=1e-6)
        assert float(g["rho_per_pct"]) * 100 == pytest.approx(row[pre + "R"], rel=1e-6, abs=1e-6)


def _vollib_case(seed: int) -> tuple[float, ...]:
    rng = np.random.default_rng(seed)
    return (float(rng.uniform(50, 150)), float(rng.uniform(60, 140)), float(rng.uniform(0.01, 2)),
            float(rng.uniform(-0.01, 0.08)), float(rng.uniform(0, 0.05)),
            float(rng.uniform(0.05, 1.5)))


@pytest.mark.parametrize("seed", range(25), ids=[f"case{i}" for i in range(25)])
@pytest.mark.parametrize("flag", ["c", "p"])
def test_greeks_match_vollib_analytical(seed: int, flag: str) -> None:
    from vollib.black import black as v_black
    from vollib.black.greeks import analytical as vb
    from vollib.black_scholes_merton import black_scholes_merton as v_bsm
    from vollib.black_scholes_merton.greeks import analytical as va

    s, k, t, r, q, v = _vollib_case(seed)
    g = vs.bsm_greeks(s, k, t, r, q, v, flag)
    assert float(vs.bsm_price(s, k, t, r, q, v, flag)) == pytest.approx(
        v_bsm(flag, s, k, t, r, v, q), rel=1e-12, abs=1e-13)
    for name, ref in (("delta", va.delta), ("gamma", va.gamma), ("vega_per_volpt", va.vega),
                      ("theta_per_day", va.theta), ("rho_per_pct", va.rho)):
        expected = ref(flag, s, k, t, r, v, q)
        assert float(g[name]) == pytest.approx(expected, rel=1e-12, abs=1e-14), name
    f = s * np.exp((r - q) * t)
    gb = vs.black_greeks(f, k, t, r, v, flag)
    assert float(vs.black_price(f, k, t, r, v, flag)) == pytest.approx(
        v_black(flag, f, k, t, r, v), rel=1e-12, abs=1e-13)
    for name, ref in (("delta", vb.delta), ("gamma", vb.gamma), ("vega_per_volpt", vb.vega),
                      ("theta_per_day", vb.theta), ("rho_per_pct", vb.rho)):
        expected = ref(flag, f, k, t, r, v)
        assert float(gb[name]) == pytest.approx(expected, rel=1e-12, abs=1e-14), name


@pytest.mark.parametrize("flag", ["C", "P"])
def test_vanna_volga_match_finite_differences(flag: str) -> None:
    s, k, t, r, q, v = 100.0, 110.0, 0.5, 0.03, 0.01, 0.25
    g = vs.bsm_greeks(s, k, t, r, q, v, flag)
    h = 1e-5
    up, dn = vs.bsm_greeks(s, k, t, r, q, v + h, flag), vs.bsm_greeks(s, k, t, r, q, v - h, flag)
    assert float(g["vanna"]) == pytest.approx(float(up["delta"] - dn["delta"]) / (2 * h) * 0.01,
                                              rel=1e-6)
    assert float(g["volga"]) == pytest.approx(
        float(up["vega_per_volpt"] - dn["vega_per_volpt"]) / (2 * h) * 0.01, rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(s=st.floats(1, 1000), k_ratio=st.floats(0.3, 3), t=st.floats(1e-4, 5),
       r=st.floats(-0.02, 0.1), q=st.floats(0, 0.1), v=st.floats(0.01, 3))
def test_put_call_parity(s: float, k_ratio: float, t: float, r: float, q: float, v: float) -> None:
    k = s * k_ratio
    call = float(vs.bsm_price(s, k, t, r, q, v, "C"))
    put = float(vs.bsm_price(s, k, t, r, q, v, "P"))
    parity = s * np.exp(-q * t) - k * np.exp(-r * t)
    assert call - put == pytest.approx(parity, abs=1e-12 * (s + k))


def test_broadcasting_and_right_spellings() -> None:
    prices = vs.black_price(100.0, np.array([90.0, 100.0, 110.0]), 0.5, 0.01, 0.2,
                            ["call", "P", "c"])
    assert prices.shape == (3,)
    assert prices[0] == pytest.approx(float(vs.black_price(100.0, 90.0, 0.5, 0.01, 0.2, "C")))
    with pytest.raises(VolscreenError, match="right"):
        vs.black_price(100.0, 100.0, 0.5, 0.01, 0.2, "X")


def test_zero_time_is_intrinsic_and_greeks_nan() -> None:
    assert float(vs.black_price(110.0, 100.0, 0.0, 0.05, 0.2, "C")) == 10.0
    assert np.isnan(vs.black_greeks(110.0, 100.0, 0.0, 0.05, 0.2, "C")["delta"])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_arrays_equal_option_by_option(n: int, seed: int) -> None:
    """A vector call (both N() in one batch) gives exactly the scalar call of each option."""
    rng = np.random.default_rng(seed)
    f, k = rng.uniform(50, 150, n), rng.uniform(40, 160, n)
    t, v = rng.choice([0.0, 1e-6, 0.1, 2.0], n), rng.choice([0.0, 0.05, 0.3, 2.5], n)
    right = rng.choice(["C", "P", "call", "put"], n)
    prices = vs.black_price(f, k, t, 0.03, v, right)
    greeks = vs.bsm_greeks(f, k, t, 0.03, 0.01, v, right)
    for i in range(n):
        one = vs.black_price(f[i], k[i], t[i], 0.03, v[i], str(right[i]))
        np.testing.assert_array_equal(prices[i], one)
        g = vs.bsm_greeks(f[i], k[i], t[i], 0.03, 0.01, v[i], str(right[i]))
        for name in g:
            np.testing.assert_array_equal(greeks[name][i], g[name])
