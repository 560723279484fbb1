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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store in a temp file."""
    with open_store(tmp_path / "test.duckdb") as s:
        yield s


@pytest.fixture
def fixtures() -> Path:
    """The folder of fixture files."""
    return FIXTURES
