"""ScreenConfig and volscreen.toml: defaults, overrides, and errors naming the key."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from volscreen.config import DEFAULT_WEIGHTS, ScreenConfig, config_from_mapping, load_config
from volscreen.errors import ConfigError

FIXTURE_TOML = Path(__file__).resolve().parents[1] / "fixtures" / "volscreen.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "volscreen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file_round_trip(tmp_path: Path) -> None:
    path = write(tmp_path, """
strict = true
[defaults]
rate = 0.045
dte = [10, 45]
deltas = [0.3]
top = 5
store = "hist.sqlite"
[weights]
cheapness = 0.5
[thresholds]
min_quotes = 20
[watchlist.iwm]
chains = ["data/iwm.csv", "data/more"]
bars = "/abs/IWM.csv"
targets = [275, 245]
settlement = "pm"
[watchlist.SPY]
chain = "spy.json"
range = [640, 660]
""")
    cfg = load_config(path)
    assert (cfg.rate, cfg.dte, cfg.deltas, cfg.top) == (0.045, (10, 45), (0.3,), 5)
    assert cfg.strict is True
    assert cfg.store == tmp_path / "hist.sqlite"
    assert cfg.min_quotes == 20
    assert cfg.weight_map == {**dict(DEFAULT_WEIGHTS), "cheapness": 0.5}
    iwm, spy = cfg.watchlist
    assert iwm.ticker == "IWM" and iwm.chains == (tmp_path / "data/iwm.csv", tmp_path / "data/more")
    assert iwm.bars == Path("/abs/IWM.csv")
    assert iwm.targets == (245.0, 275.0) and iwm.settlement == "PM"
    assert spy.range == (640.0, 660.0) and spy.targets is None and spy.bars is None
    assert cfg.to_dict()["watchlist"][0]["chains"][0] == str(tmp_path / "data/iwm.csv")


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == ScreenConfig(source=tmp_path / "volscreen.toml")


BAD = [
    ("unknown-top", "colour = 1", "colour"),
    ("unknown-default", "[defaults]\nrat = 0.04", "defaults.rat"),
    ("rate-text", "[defaults]\nrate = 'four'", "defaults.rate"),
    ("rate-percent", "[defaults]\nrate = 4.0", "defaults.rate"),
    ("dte-reversed", "[defaults]\ndte = [60, 7]", "defaults.dte"),
    ("dte-scalar", "[defaults]\ndte = 30", "defaults.dte"),
    ("top-zero", "[defaults]\ntop = 0", "defaults.top"),
    ("top-float", "[defaults]\ntop = 2.5", "defaults.top"),
    ("delta-big", "[defaults]\ndeltas = [0.7]", "defaults.deltas"),
    ("weight-name", "[weights]\nluck = 1", "weights.luck"),
    ("weight-negative", "[weights]\ncheapness = -1", "weights.cheapness"),
    ("threshold-name", "[thresholds]\nmax_oi = 1", "thresholds.max_oi"),
    ("strict-text", "strict = 'yes'", "strict"),
    ("ticker-key", "[watchlist.IWM]\nchain = 'a.csv'\ntarget = [1]", "watchlist.IWM.target"),
    ("ticker-no-chain", "[watchlist.IWM]\nbars = 'b.csv'", "watchlist.IWM"),
    ("ticker-both", "[watchlist.IWM]\nchain='a'\ntargets=[1,2]\nrange=[1,2]", "watchlist.IWM"),
    ("range-order", "[watchlist.IWM]\nchain='a'\nrange=[265, 255]", "watchlist.IWM.range"),
    ("settlement", "[watchlist.IWM]\nchain='a'\nsettlement='noon'", "watchlist.IWM.settlement"),
    ("target-negative", "[watchlist.IWM]\nchain='a'\ntargets=[-5]", "watchlist.IWM.targets"),
    ("chain-number", "[watchlist.IWM]\nchain=5", "watchlist.IWM.chain"),
]


@pytest.mark.parametrize("text,key", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_key_is_named(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.column == key
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[defaults]\nrate = = 1\n")
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_replace_validates_and_ignores_none() -> None:
    cfg = ScreenConfig().replace(rate=None, dte="5:30", targets="275,245", top=3)
    assert (cfg.dte, cfg.targets, cfg.top, cfg.rate) == ((5, 30), (245.0, 275.0), 3, 0.04)
    with pytest.raises(ConfigError) as err:
        ScreenConfig().replace(dte="30")
    assert err.value.column == "dte"
    with pytest.raises(ConfigError):
        ScreenConfig().replace(colour=1)


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        ScreenConfig().rate = 0.05  # type: ignore[misc]


@given(low=st.integers(0, 400), span=st.integers(0, 400))
def test_dte_string_round_trip(low: int, span: int) -> None:
    assert ScreenConfig().replace(dte=f"{low}:{low + span}").dte == (low, low + span)


@given(levels=st.lists(st.floats(0.01, 1e5, allow_nan=False), min_size=1, max_size=5))
def test_targets_sorted_from_text(levels: list[float]) -> None:
    text = ",".join(repr(v) for v in levels)
    assert ScreenConfig().replace(targets=text).targets == tuple(sorted(levels))


def test_shipped_example_config_is_valid() -> None:
    if not FIXTURE_TOML.exists():
        pytest.skip("fixtures/volscreen.toml not written yet")
    cfg = load_config(FIXTURE_TOML)
    assert [t.ticker for t in cfg.watchlist] == ["IWM"]
    assert cfg.watchlist[0].targets == (245.0, 275.0)
    assert config_from_mapping({}) == ScreenConfig()


# ---------------------------------------------------------------------------
# loader keys of a watchlist entry: columns, quote_time, spot, input_format
# ---------------------------------------------------------------------------
def test_loader_keys_become_load_chain_keywords(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """
[watchlist.spy]
chain = "spy.csv"
columns = { "Strike Px" = "Strike", "Exp" = "expiry" }
quote_time = 2025-08-26
spot = 645.16
input_format = "YFinance"
"""))
    (entry,) = config.watchlist
    import datetime

    assert entry.load_options() == {
        "columns": {"Strike Px": "strike", "Exp": "expiry"},
        "quote_time": datetime.date(2025, 8, 26), "underlying_price": 645.16,
        "format": "yfinance"}
    plain = config.to_dict()["watchlist"][0]
    assert plain["columns"] == {"Strike Px": "strike", "Exp": "expiry"}
    assert plain["quote_time"] == "2025-08-26"


def test_entry_without_loader_keys_passes_none(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[watchlist.IWM]\nchain = "iwm.csv"\n'))
    assert config.watchlist[0].load_options() == {}


@pytest.mark.parametrize(("line", "key", "words"), [
    pytest.param('columns = "K"', "columns", "NAME=CANONICAL", id="columns-text-no-equals"),
    pytest.param('columns = { K = "nope" }', "columns", "not a chain column",
                 id="columns-unknown-target"),
    pytest.param('columns = { K = 3 }', "columns", "canonical column name",
                 id="columns-target-not-text"),
    pytest.param("columns = {}", "columns", "expected a table", id="columns-empty"),
    pytest.param('quote_time = "yesterday"', "quote_time", "not a date or time",
                 id="quote-time-text"),
    pytest.param("quote_time = 16:00:00", "quote_time", "date or date-time",
                 id="quote-time-time-only"),
    pytest.param("quote_time = 20250826", "quote_time", "date or date-time",
                 id="quote-time-number"),
    pytest.param("spot = -1", "spot", "above zero", id="spot-negative"),
    pytest.param('spot = "abc"', "spot", "expected a number", id="spot-text"),
    pytest.param('input_format = "bloomberg"', "input_format", "not a known chain format",
                 id="input-format-unknown"),
    pytest.param("input_format = 1", "input_format", "format name", id="input-format-number"),
])
def test_bad_loader_key_names_the_dotted_key(tmp_path: Path, line: str, key: str,
                                             words: str) -> None:
    path = write(tmp_path, f'[watchlist.SPY]\nchain = "spy.csv"\n{line}\n')
    with pytest.raises(ConfigError, match=words) as info:
        load_config(path)
    assert info.value.column == f"watchlist.SPY.{key}"
    assert info.value.source == str(path)
