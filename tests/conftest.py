"""Shared fixtures: paths, a fresh store per test, and the skip rule for ../shared/data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lockstep.store import Store, open_store

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"shared data not found at {SHARED_DATA} (only on development machines)"
)


@pytest.fixture(scope="session", autouse=True)
def plan_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled signal plans go to a temp folder, not the user's ``~/.cache`` (unless the caller chose one)."""
    import os

    chosen = os.environ.get("LOCKSTEP_CACHE_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("lockstep-cache")
    os.environ["LOCKSTEP_CACHE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if chosen is None:
            os.environ.pop("LOCKSTEP_CACHE_DIR", None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store in a temp file."""
    with open_store(tmp_path / "test.duckdb") as s:
        yield s


@pytest.fixture
def fixtures() -> Path:
    """The folder of fixture files."""
    return FIXTURES
