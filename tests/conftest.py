"""Shared fixtures: where the real market data lives, and skipping without it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "fixtures"
BAD_INPUT = Path(__file__).resolve().parent / "bad_input"


def shared_path(*parts: str) -> Path:
    """Path under ../shared/data; skips the calling test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real market data not available: {path} is absent")
    return path


def shared_files(folder: str, pattern: str = "*") -> list[str]:
    """File names in ../shared/data/<folder> for parametrize (empty when absent).

    Use with a test that calls :func:`shared_path`, so an absent folder turns
    into a skip with its reason rather than an empty parametrization.
    """
    base = SHARED_DATA / folder
    if not base.is_dir():
        return ["<shared data absent>"]
    return sorted(p.name for p in base.glob(pattern) if p.is_file())


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real market data not available: {SHARED_DATA} is absent")
    return SHARED_DATA


def pytest_configure(config: pytest.Config) -> None:
    # module- and session-scoped fixtures run before any monkeypatch: keep the whole
    # run away from the user's own IV history store (``volscreen screen`` reads it)
    folder = tempfile.mkdtemp(prefix="volscreen-test-store-")
    os.environ["VOLSCREEN_STORE"] = os.path.join(folder, "history.sqlite")


@pytest.fixture(autouse=True)
def _no_user_history_store(tmp_path_factory: pytest.TempPathFactory,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the default IV history store at an empty temp folder.

    ``volscreen screen`` reads the default store when it exists; tests must
    never read or write the user's own data folder.
    """
    folder = tmp_path_factory.mktemp("store_home")
    monkeypatch.setenv("VOLSCREEN_STORE", str(folder / "history.sqlite"))
