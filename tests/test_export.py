"""Exports: re-read equals the result, schema_version, NaN as null, formula guard, atomicity."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from _screen_data import hand_candidates, hand_result, hand_summary
from volscreen import columns as C
from volscreen.errors import ConfigError
from volscreen.export import (
    ExportError,
    atomic_write,
    csv_text,
    format_for,
    json_text,
    neutralize_formulas,
    write_result,
)
from volscreen.result import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]


def test_csv_re_read_matches_candidates(tmp_path: Path) -> None:
    path = write_result(hand_result(), tmp_path / "c.csv")
    back = pd.read_csv(path)
    cands = hand_candidates()
    assert list(back.columns) == [C.SCHEMA_VERSION, *cands.columns]
    assert (back[C.SCHEMA_VERSION] == SCHEMA_VERSION).all()
    for name in (C.DEBIT_NATURAL, C.BREAKEVEN_LOW, C.SCORE, C.CHEAPNESS, C.PNL_AT_EXPIRY_LOW):
        np.testing.assert_array_equal(back[name].to_numpy(), cands[name].to_numpy())
    assert list(back[C.EXPIRY]) == ["2026-03-20", "2026-03-20", "2026-02-20"]
    assert back[C.LEGS][0] == "IWM260320P00262000 IWM260320C00262000"


def test_csv_neutralises_text_formulas_not_numbers() -> None:
    frame = pd.DataFrame({"note": ["=1+1", "+A1", "-2", "@SUM(A1)", "ok", "\tx", None],
                          "pnl": [-5.0, 1.0, -0.5, np.nan, 2.0, 3.0, 4.0]})
    back = pd.read_csv(io.StringIO(csv_text(frame)), keep_default_na=False)
    assert list(back["note"]) == ["'=1+1", "'+A1", "'-2", "'@SUM(A1)", "ok", "'\tx", ""]
    assert list(back["pnl"].astype(str)) == ["-5.0", "1.0", "-0.5", "", "2.0", "3.0", "4.0"]


def test_summary_csv_keeps_quote_time_offset_and_neutralises(tmp_path: Path) -> None:
    path = write_result(hand_result(), tmp_path / "s.csv", table="summary")
    back = pd.read_csv(path)
    assert back[C.QUOTE_TIME][0] == "2026-02-02T21:00:00+00:00"
    assert back[C.SOURCE_FILE][1].startswith("'=HYPERLINK")
    assert back[C.SPOT].isna().tolist() == [False, True]
    # every NaN vol sits beside its status column
    assert back[C.IV30_STATUS][1] == C.SCR_FAILED


def test_json_document(tmp_path: Path) -> None:
    path = write_result(hand_result(), tmp_path / "r.json")
    doc = json.loads(path.read_text())
    assert doc[C.SCHEMA_VERSION] == SCHEMA_VERSION
    assert set(doc) == {C.SCHEMA_VERSION, "config", "summary", "candidates", "warnings"}
    cands = hand_candidates()
    assert len(doc["candidates"]) == len(cands)
    first = doc["candidates"][0]
    assert first[C.DEBIT_NATURAL] == 11.32 and isinstance(first[C.SCREEN_RANK], int)
    assert doc["candidates"][2][C.CHEAPNESS] is None  # NaN -> null
    assert doc["candidates"][2][C.LEGS] == "-1+2"  # JSON text is not altered
    assert doc["summary"][1][C.SPOT] is None and doc["summary"][1][C.SQUEEZE_ON] is None
    assert doc["summary"][0][C.SQUEEZE_ON] is True
    assert doc["summary"][0][C.QUOTE_TIME] == "2026-02-02T21:00:00+00:00"
    assert doc["summary"][0][C.BEST_EXPIRY] == "2026-03-20"
    assert doc["config"]["rate"] == 0.04 and doc["config"]["dte"] == [7, 60]
    assert "NaN" not in path.read_text()


def test_json_of_a_frame() -> None:
    doc = json.loads(json_text(hand_summary(), name="summary"))
    assert doc[C.SCHEMA_VERSION] == SCHEMA_VERSION and len(doc["summary"]) == 2
    assert C.SCHEMA_VERSION not in doc["summary"][0]


def test_parquet_round_trip(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = write_result(hand_result(), tmp_path / "c.parquet")
    back = pd.read_parquet(path)
    cands = hand_candidates()
    np.testing.assert_array_equal(back[C.SCORE].to_numpy(), cands[C.SCORE].to_numpy())
    assert (back[C.SCHEMA_VERSION] == SCHEMA_VERSION).all()
    meta = pq.read_schema(path).metadata
    assert meta[b"volscreen.schema_version"] == str(SCHEMA_VERSION).encode()


@pytest.mark.parametrize("name,fmt", [("a.csv", "csv"), ("a.JSON", "json"),
                                      ("a.parquet", "parquet"),
                                      ("a.pq", "parquet")], ids=["csv", "json", "parquet", "pq"])
def test_format_from_suffix(name: str, fmt: str) -> None:
    assert format_for(name) == fmt


def test_unknown_format_and_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown export format"):
        write_result(hand_result(), tmp_path / "a.xlsx")
    with pytest.raises(ConfigError, match="unknown table"):
        write_result(hand_result(), tmp_path / "a.csv", table="trades")
    with pytest.raises(ExportError, match="directory does not exist"):
        write_result(hand_result(), tmp_path / "missing" / "a.csv")


def _refuse_temp(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise PermissionError(13, "Permission denied", str(Path(kwargs["dir"]) / ".x.tmp"))


@pytest.mark.parametrize("case", ["target-is-directory", "directory-refuses-files"])
def test_unwritable_output_names_the_target_not_the_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    target = tmp_path / "out.csv"
    if case == "target-is-directory":
        target.mkdir()
    else:
        import tempfile

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", _refuse_temp)
    with pytest.raises(ExportError) as info:
        write_result(hand_result(), target)
    assert str(info.value).startswith(f"{target}: ")
    assert ".tmp" not in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == (["out.csv"] if target.is_dir() else [])


def test_interrupted_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"

    def crash(sink):  # type: ignore[no-untyped-def]
        sink.write(b"schema_version,partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, crash)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_previous_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_text("previous")

    def fail_replace(src, dst):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(ExportError, match="out.json: cannot write"):
        write_result(hand_result(), target)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_killed_writer_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from volscreen.export import atomic_write
        def slow(sink):
            sink.write(b"schema_version,half")
            sink.flush()
            print("writing", flush=True)
            time.sleep(30)
        atomic_write({str(target)!r}, slow)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert all(name.startswith(".out.csv.") and name.endswith(".tmp") for name in leftovers)


@given(st.lists(st.text(max_size=8), min_size=1, max_size=6))
def test_neutralise_is_reversible_and_safe(cells: list[str]) -> None:
    out = neutralize_formulas(pd.DataFrame({"t": pd.Series(cells, dtype=object)}))["t"]
    for before, after in zip(cells, out):
        if before[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert after == "'" + before
        else:
            assert after == before


def test_export_does_not_mutate_result() -> None:
    result = hand_result()
    before = result.candidates.copy()
    csv_text(result.candidates)
    pd.testing.assert_frame_equal(result.candidates, before)


# ---------------------------------------------------------------------------
# the vectorized shortcuts against the cell-by-cell general path
# ---------------------------------------------------------------------------
def reference_neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell through one Python call, as the general path does."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
            continue
        text = col.map(lambda v: v if not isinstance(v, str) else
                       ("'" + v if v.startswith(("=", "+", "-", "@", "\t", "\r")) else v))
        out[name] = text.astype(col.dtype) if pd.api.types.is_string_dtype(col) else text
    return out


def reference_dates(col: pd.Series) -> pd.Series:
    return col.map(lambda v: None if pd.isna(v) else v.date().isoformat()).astype(object)


CELLS = st.one_of(st.none(), st.sampled_from(["", "=1+1", "+x", "-3", "@a", "\tz", "\rq",
                                              "IWM260320P00262000", "a,b", "plain"]),
                  st.text(max_size=4))


@given(st.lists(CELLS, min_size=1, max_size=8), st.sampled_from(["str", "object"]))
def test_neutralize_shortcut_is_the_cell_by_cell_path(cells: list, dtype: str) -> None:
    frame = pd.DataFrame({"t": pd.Series(cells, dtype=dtype), "x": np.arange(len(cells))})
    got, want = neutralize_formulas(frame), reference_neutralize(frame)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [type(v) for v in got["t"]] == [type(v) for v in want["t"]]


@given(st.lists(st.one_of(st.none(), st.integers(0, 40_000)), min_size=1, max_size=8))
def test_date_columns_export_as_the_cell_by_cell_path(days: list) -> None:
    from volscreen.export import export_frame

    first = pd.Timestamp("1990-01-01")
    stamps = pd.Series([pd.NaT if d is None else first + pd.Timedelta(days=d) for d in days],
                       dtype="datetime64[ns]")
    got = export_frame(pd.DataFrame({C.EXPIRY: stamps}))[C.EXPIRY]
    want = reference_dates(stamps)
    assert got.dtype == object
    assert [type(v) for v in got] == [type(v) for v in want]
    assert [v for v in got if isinstance(v, str)] == [v for v in want if isinstance(v, str)]


def test_real_candidates_export_as_the_cell_by_cell_path() -> None:
    from volscreen.export import export_frame

    frame = hand_candidates()
    got = neutralize_formulas(export_frame(frame))
    dates = [n for n in frame.columns if pd.api.types.is_datetime64_dtype(frame[n])
             and not isinstance(frame[n].dtype, pd.DatetimeTZDtype)]
    want = export_frame(frame)
    for name in dates:
        want[name] = reference_dates(frame[name].reset_index(drop=True))
    pd.testing.assert_frame_equal(got, reference_neutralize(want), check_exact=True)


@given(st.lists(st.one_of(st.none(), st.integers(0, 2 * 10 ** 18)), max_size=8),
       st.sampled_from(["UTC", "America/New_York", "naive"]))
def test_timestamps_export_as_the_cell_by_cell_map(nanoseconds: list, zone: str) -> None:
    from volscreen.export import export_frame

    first = pd.Timestamp("1990-01-01 09:30", tz="UTC")
    stamps = pd.Series([pd.NaT if n is None else first + pd.Timedelta(n, unit="ns")
                        for n in nanoseconds], dtype="datetime64[ns, UTC]")
    stamps = stamps.dt.tz_localize(None) if zone == "naive" else stamps.dt.tz_convert(zone)
    got = export_frame(pd.DataFrame({C.QUOTE_TIME: stamps}))[C.QUOTE_TIME]
    want = stamps.map(lambda v: None if pd.isna(v) else v.isoformat()).astype(object)
    present = stamps.dropna()
    if zone == "naive" and len(present) and (present == present.dt.normalize()).all():
        return  # all at midnight: a date column, covered above
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert [type(v) for v in got] == [type(v) for v in want]


@pytest.mark.parametrize("cells", [["a", np.str_("b")], ["a", None], ["a", "b"], ["=x", "b"]],
                         ids=["numpy-str", "missing", "plain", "formula"])
def test_neutralize_object_text_as_the_cell_by_cell_path(cells: list) -> None:
    frame = pd.DataFrame({"t": pd.Series(cells, dtype=object)})
    got, want = neutralize_formulas(frame), reference_neutralize(frame)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [type(v) for v in got["t"]] == [type(v) for v in want["t"]]
