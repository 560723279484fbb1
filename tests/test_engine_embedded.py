"""The embedded engine's driver: connections are quiet unless asked, and settings reach the engine."""

from __future__ import annotations

from lockstep.engine import embedded


def _setting(con: embedded.Connection, name: str) -> object:
    row = con.execute(f"SELECT current_setting('{name}')").fetchone()
    assert row is not None
    return row[0]


def test_progress_bar_is_off_by_default_and_can_be_asked_for() -> None:
    with embedded.connect() as quiet:
        assert _setting(quiet, "enable_progress_bar") is False
    with embedded.connect(config={"enable_progress_bar": True}) as shown:
        assert _setting(shown, "enable_progress_bar") is True


def test_global_settings_are_applied_at_open() -> None:
    with embedded.connect(config={"threads": 1, "memory_limit": "256MB"}) as con:
        assert _setting(con, "threads") == 1
        assert str(_setting(con, "memory_limit")).replace(" ", "") in {"256.0MiB", "244.1MiB", "256MB"}
