"""The SQLite history store: paths, idempotent records, conflicts, schema versions."""
from __future__ import annotations

import logging
import math
import sqlite3
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volscreen import _store_schema as S
from volscreen import columns as C
from volscreen.errors import StoreError
from volscreen.ranks import iv_rank
from volscreen.store import HistoryStore, Snapshot, default_store_path

QT = pd.Timestamp("2026-07-08 18:35", tz="America/New_York")


def _snap(**kw: object) -> Snapshot:
    base: dict[str, object] = dict(underlying="IWM", date="2026-07-08", iv30=0.2012,
                                   iv60=0.2105, spot=293.48, quote_time=QT,
                                   source="iwm.json", content_hash="ab" * 32)
    base.update(kw)
    return Snapshot(**base)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    with HistoryStore(tmp_path / "h.sqlite") as st:
        yield st


# -- default path ------------------------------------------------------------
def test_default_path_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOLSCREEN_STORE", str(tmp_path / "x.sqlite"))
    assert default_store_path() == tmp_path / "x.sqlite"


@pytest.mark.parametrize(
    "platform, env, expected",
    [
        ("linux", {"XDG_DATA_HOME": "/xdg"}, "/xdg/volscreen/history.sqlite"),
        ("linux", {}, "~/.local/share/volscreen/history.sqlite"),
        ("linux", {"XDG_DATA_HOME": "relative"}, "~/.local/share/volscreen/history.sqlite"),
        ("darwin", {}, "~/Library/Application Support/volscreen/history.sqlite"),
        ("win32", {"LOCALAPPDATA": "/appdata"}, "/appdata/volscreen/history.sqlite"),
    ],
    ids=["xdg", "home", "xdg-relative-ignored", "macos", "windows"],
)
def test_default_path_per_platform(monkeypatch: pytest.MonkeyPatch, platform: str,
                                   env: dict[str, str], expected: str) -> None:
    for name in ("VOLSCREEN_STORE", "XDG_DATA_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.platform", platform)
    assert default_store_path() == Path(expected).expanduser()


def test_store_uses_env_path_and_creates_folders(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "h.sqlite"
    monkeypatch.setenv("VOLSCREEN_STORE", str(target))
    with HistoryStore() as st:
        assert st.path == target
    assert target.exists()


def test_missing_store_without_create_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no history store"):
        HistoryStore(tmp_path / "none.sqlite", create=False)


# -- records -------------------------------------------------------------------
def test_record_round_trip(store: HistoryStore) -> None:
    res = store.record(_snap(reasons={"iv90": "not_bracketed"}))
    assert res.action == C.REC_INSERTED and not res.conflict
    frame = store.history("iwm")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row[C.HS_SESSION_DATE] == pd.Timestamp("2026-07-08")
    assert row[C.HS_IV30] == 0.2012 and row[C.HS_SPOT] == 293.48
    assert math.isnan(row[C.HS_IV90])
    assert row[C.HS_REASONS] == "iv90:not_bracketed"
    assert row[C.HS_QUOTE_TIME] == pd.Timestamp("2026-07-08 22:35", tz="UTC")
    assert row[C.HS_KIND] == C.KIND_OWN
    assert str(row[C.HS_RECORDED_AT].tz) == "UTC"
    assert store.underlyings() == ["IWM"]


def test_same_values_twice_is_a_no_op(store: HistoryStore) -> None:
    store.record(_snap())
    stamp = store.history("IWM")[C.HS_RECORDED_AT].iloc[0]
    again = store.record(_snap(source="elsewhere/iwm.json"))  # same bytes, other path
    assert again.action == C.REC_UNCHANGED and again.changes == {}
    frame = store.history("IWM")
    assert len(frame) == 1
    assert frame[C.HS_RECORDED_AT].iloc[0] == stamp  # nothing written
    assert frame[C.HS_SOURCE].iloc[0] == "iwm.json"


def test_conflict_updates_and_warns(store: HistoryStore, caplog: pytest.LogCaptureFixture) -> None:
    store.record(_snap())
    with caplog.at_level(logging.WARNING, logger="volscreen.store"):
        res = store.record(_snap(iv30=0.25, iv60=float("nan")))
    assert res.action == C.REC_UPDATED
    assert res.changes == {C.HS_IV30: (0.2012, 0.25)}  # a NaN is not a change
    assert res.kept_stored == {C.HS_IV60: 0.2105}
    assert "IWM 2026-07-08" in caplog.text and "iv30" in caplog.text
    assert "iv60" not in caplog.text
    row = store.history("IWM").iloc[0]
    assert row[C.HS_IV30] == 0.25 and row[C.HS_IV60] == 0.2105
    assert len(store.history("IWM")) == 1


# -- a re-record with fewer inputs keeps stored values ---------------------------------
NO_BARS = {C.HS_RV20: "no_bars", C.HS_BBW: "no_bars", C.HS_BBW_PCTILE: "no_bars"}
WITH_BARS = {C.HS_RV20: 0.198, C.HS_BBW: 0.0612, C.HS_BBW_PCTILE: 11.9}


@pytest.mark.parametrize("on_conflict", ["update", "keep", "raise"])
def test_rerecord_without_bars_keeps_stored_values(store: HistoryStore, on_conflict: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    store.record(_snap(**WITH_BARS))
    before = store.history("IWM")
    with caplog.at_level(logging.INFO, logger="volscreen.store"):
        res = store.record(_snap(reasons=NO_BARS),
                           on_conflict=on_conflict)  # type: ignore[arg-type]
    assert res.action == C.REC_UNCHANGED and res.changes == {}
    assert res.kept_stored == WITH_BARS
    assert "no new value for rv20, bbw, bbw_pctile" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    pd.testing.assert_frame_equal(store.history("IWM"), before)  # not even recorded_at


def test_rerecord_with_other_values_updates_and_keeps_missing(store: HistoryStore) -> None:
    store.record(_snap(**WITH_BARS, reasons={C.HS_IV90: "above_listed_range"}))
    res = store.record(_snap(iv30=0.2101, reasons={**NO_BARS, C.HS_IV90: "not_bracketed"}))
    assert res.action == C.REC_UPDATED
    assert res.changes == {C.HS_IV30: (0.2012, 0.2101)}
    assert res.kept_stored == WITH_BARS
    row = store.history("IWM").iloc[0]
    assert row[C.HS_IV30] == 0.2101
    assert [row[k] for k in WITH_BARS] == list(WITH_BARS.values())
    # reasons describe the row: none for kept values; iv90 keeps its stored reason
    assert row[C.HS_REASONS] == "iv90:above_listed_range"


def test_a_new_value_fills_a_stored_gap_and_drops_its_reason(store: HistoryStore) -> None:
    store.record(_snap(reasons=NO_BARS))
    rest = {C.HS_BBW: "no_bars", C.HS_BBW_PCTILE: "no_bars"}
    res = store.record(_snap(rv20=0.198, reasons=rest))
    assert res.action == C.REC_UPDATED and res.changes == {C.HS_RV20: (None, 0.198)}
    row = store.history("IWM").iloc[0]
    assert row[C.HS_RV20] == 0.198
    assert row[C.HS_REASONS] == "bbw:no_bars;bbw_pctile:no_bars"


def test_missing_provenance_keeps_the_stored_one(store: HistoryStore) -> None:
    store.record(_snap())
    res = store.record(_snap(content_hash=None, quote_time=None))
    assert res.action == C.REC_UNCHANGED
    assert res.kept_stored == {C.HS_QUOTE_TIME: QT.tz_convert("UTC").isoformat(),
                               C.HS_CONTENT_HASH: "ab" * 32}
    assert store.history("IWM")[C.HS_CONTENT_HASH].iloc[0] == "ab" * 32


def test_replace_forces_a_full_overwrite(store: HistoryStore,
                                         caplog: pytest.LogCaptureFixture) -> None:
    store.record(_snap(**WITH_BARS))
    with caplog.at_level(logging.WARNING, logger="volscreen.store"):
        res = store.record(_snap(reasons=NO_BARS), on_conflict="replace")
    assert res.action == C.REC_UPDATED and res.kept_stored == {}
    assert res.changes == {k: (v, None) for k, v in WITH_BARS.items()}
    assert "rv20 0.198 -> None" in caplog.text
    row = store.history("IWM").iloc[0]
    assert all(math.isnan(row[k]) for k in WITH_BARS)
    assert row[C.HS_REASONS] == "bbw:no_bars;bbw_pctile:no_bars;rv20:no_bars"
    # the same snapshot again is now a no-op
    assert store.record(_snap(reasons=NO_BARS), on_conflict="replace").action == \
        C.REC_UNCHANGED


def test_unknown_on_conflict_names_the_choices(store: HistoryStore) -> None:
    with pytest.raises(StoreError, match="'update', 'keep', 'raise', 'replace'.*'merge'"):
        store.record(_snap(), on_conflict="merge")  # type: ignore[arg-type]


_MAYBE = st.one_of(st.none(), st.floats(0.01, 2.0, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(stored=st.lists(_MAYBE, min_size=3, max_size=3),
       new=st.lists(_MAYBE, min_size=3, max_size=3), replace=st.booleans())
def test_merge_matches_a_plain_loop(stored: list[float | None], new: list[float | None],
                                    replace: bool) -> None:
    names = (C.HS_IV30, C.HS_RV20, C.HS_BBW)
    nan = float("nan")
    with tempfile.TemporaryDirectory() as folder, HistoryStore(Path(folder) / "h.sqlite") as hs:
        old_values = {k: nan if v is None else v for k, v in zip(names, stored)}
        new_values = {k: nan if v is None else v for k, v in zip(names, new)}
        hs.record(Snapshot("IWM", "2026-07-14", **old_values))  # type: ignore[arg-type]
        res = hs.record(Snapshot("IWM", "2026-07-14", **new_values),  # type: ignore[arg-type]
                        on_conflict="replace" if replace else "update")
        row = hs.history("IWM").iloc[0]
    expected, changed = {}, {}
    for name, old, fresh in zip(names, stored, new):
        value = fresh if (replace or fresh is not None) else old
        same = value is old or (value is not None and old is not None
                                and math.isclose(value, old, rel_tol=1e-12))
        expected[name] = old if same else value
        if not same:
            changed[name] = (old, value)
    for name in names:
        got = None if math.isnan(row[name]) else row[name]
        assert got == expected[name]
    assert res.changes == changed
    assert res.action == (C.REC_UPDATED if changed else C.REC_UNCHANGED)


def test_conflict_keep_and_raise_write_nothing(store: HistoryStore) -> None:
    store.record(_snap())
    kept = store.record(_snap(iv30=0.3), on_conflict="keep")
    assert kept.action == C.REC_KEPT and C.HS_IV30 in kept.changes
    with pytest.raises(StoreError, match="already recorded with different values.*iv30"):
        store.record(_snap(iv30=0.3), on_conflict="raise")
    assert store.history("IWM")[C.HS_IV30].iloc[0] == 0.2012


def test_record_many_is_all_or_nothing(store: HistoryStore) -> None:
    store.record(_snap())
    batch = [_snap(date="2026-07-09"), _snap(iv30=0.9)]
    with pytest.raises(StoreError):
        store.record_many(batch, on_conflict="raise")
    assert list(store.history("IWM")[C.HS_SESSION_DATE]) == [pd.Timestamp("2026-07-08")]


def test_own_and_proxy_rows_are_kept_apart(store: HistoryStore) -> None:
    store.record(_snap(underlying="SPX", iv30=0.15))
    store.record(Snapshot("SPX", "2026-07-08", kind=C.KIND_PROXY, iv30=0.18, proxy_of="^VIX"))
    assert len(store.history("SPX")) == 2
    assert store.series("SPX", "iv30").tolist() == [0.15]
    proxy = store.series("SPX", "iv30", kind=C.KIND_PROXY)
    assert proxy.tolist() == [0.18] and proxy.attrs[C.HS_PROXY_OF] == "^VIX"


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"kind": "mine"}, "kind"),
        ({"iv30": float("inf")}, "infinite"),
        ({"iv30": "abc"}, "not a number"),
        ({"quote_time": pd.Timestamp("2026-07-08 16:00")}, "tz-aware"),
        ({"underlying": " "}, "no underlying"),
        ({"date": "not a date"}, "invalid session date"),
    ],
    ids=["bad-kind", "inf", "text", "naive-time", "no-underlying", "bad-date"],
)
def test_bad_snapshots_are_store_errors(kw: dict[str, object], match: str) -> None:
    with pytest.raises(StoreError, match=match):
        _snap(**kw)


def test_from_mapping_names_unknown_fields() -> None:
    with pytest.raises(StoreError, match="unknown snapshot fields: iv45"):
        Snapshot.from_mapping({"underlying": "IWM", "date": "2026-07-08", "iv45": 0.2})


def test_series_unknown_name(store: HistoryStore) -> None:
    with pytest.raises(StoreError, match="unknown series"):
        store.series("IWM", "iv45")


# -- schema ------------------------------------------------------------------------
def test_new_store_header(store: HistoryStore) -> None:
    assert store.schema_version == S.current_version() == 1
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == S.APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this volscreen"):
        HistoryStore(path)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a volscreen history store"):
        HistoryStore(other)
    text = tmp_path / "notes.sqlite"
    text.write_text("hello, this is not a database at all" * 100)
    with pytest.raises(StoreError, match="notes.sqlite"):
        HistoryStore(text)


def test_migration_keeps_data_and_bumps_version(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as st:
        st.record(_snap())
    monkeypatch.setitem(S.MIGRATIONS, 2, f"ALTER TABLE {S.TABLE} ADD COLUMN iv120 REAL;"
                        f"CREATE INDEX by_kind ON {S.TABLE} (kind, date)")
    with HistoryStore(path) as st:
        assert st.schema_version == 2
        assert st.history("IWM")[C.HS_IV30].tolist() == [0.2012]
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({S.TABLE})")]
    con.close()
    assert "iv120" in cols
    monkeypatch.delitem(S.MIGRATIONS, 2)
    with pytest.raises(StoreError, match="schema version 2"):
        HistoryStore(path)


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as st:
        st.record(_snap())
    monkeypatch.setitem(S.MIGRATIONS, 2, f"ALTER TABLE {S.TABLE} ADD COLUMN iv120 REAL;"
                        "THIS IS NOT SQL")
    with pytest.raises(StoreError, match="rolled back"):
        HistoryStore(path)
    monkeypatch.delitem(S.MIGRATIONS, 2)
    with HistoryStore(path) as st:
        assert st.schema_version == 1
        assert "iv120" not in st.history("IWM").columns


# -- ranks through the store -----------------------------------------------------
def _fill(store: HistoryStore, kind: str, n: int, start: str = "2025-01-02") -> None:
    dates = pd.bdate_range(start, periods=n)
    snaps = [Snapshot("SPX", d, kind=kind, iv30=0.10 + 0.001 * i, rv20=0.30 - 0.001 * i,
                      proxy_of="^VIX" if kind == C.KIND_PROXY else None)
             for i, d in enumerate(dates)]
    store.record_many(snaps)


def test_iv_rank_from_store_own_then_proxy_fallback(store: HistoryStore) -> None:
    _fill(store, C.KIND_PROXY, 300)
    last = pd.bdate_range("2025-01-02", periods=300)[-1]
    res = iv_rank(store, "spx", on=last)
    # our own history is empty: the proxy ranks, and says so
    assert res.kind == C.KIND_PROXY and res.proxy_of == "^VIX"
    assert res.status == C.RS_OK and res.rank == 100.0 and res.percentile == 100.0
    rv = iv_rank(store, "SPX", on=last, series="rv20", kind="proxy")
    assert rv.rank == 0.0 and rv.percentile == 0.0
    own = iv_rank(store, "SPX", on=last, kind="own")
    assert own.status == C.RS_NO_VALUE_TODAY and own.kind == C.KIND_OWN
    _fill(store, C.KIND_OWN, 300)
    mine = iv_rank(store, "SPX", on=last)
    assert mine.kind == C.KIND_OWN and mine.proxy_of is None and mine.status == C.RS_OK
