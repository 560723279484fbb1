"""Every command on a missing, an empty and a half-built store: a message naming the next step, never a
traceback, and never a store created as a side effect."""

from __future__ import annotations

import traceback
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lockstep.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def invocations(tmp: Path) -> dict[str, list[str]]:
    """One invocation of every registered command that touches a store (arguments filled in)."""
    seeds = tmp / "seeds.txt"
    seeds.write_text("someone\n", encoding="utf-8")
    labels = tmp / "labels.csv"
    labels.write_text("account_id,label\na,organic\n", encoding="utf-8")
    media = tmp / "media"
    media.mkdir(exist_ok=True)
    return {
        "info": ["info"],
        "detect": ["detect", "--quiet"],
        "edges": ["edges"],
        "evidence": ["evidence", "a", "b"],
        "window": ["window", "co-hashtag"],
        "sensitivity": ["sensitivity", "co-hashtag"],
        "analyze": ["analyze"],
        "campaigns": ["campaigns"],
        "accounts": ["accounts"],
        "explain": ["explain", "a"],
        "expand": ["expand", "--seeds", str(seeds)],
        "evaluate": ["evaluate", "--labels", str(labels)],
        "langid": ["langid"],
        "report": ["report", "-o", str(tmp / "r.html")],
        "export": ["export", "--format", "csv", "-o", str(tmp / "out")],
        "media hash": ["media", "hash", str(media)],
        "media faces": ["media", "faces"],
    }


def registered(group: click.Group, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out |= registered(cmd, f"{prefix}{name} ")
        else:
            out.add(f"{prefix}{name}")
    return out


def test_every_store_command_is_covered(tmp_path: Path) -> None:
    no_store = {"ingest", "formats", "traces", "signals", "simulate", "demo"}
    assert registered(cli) - no_store == set(invocations(tmp_path))


def invoke(args: list[str], db: Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [*args, "--db", str(db)], env={"LOCKSTEP_DEBUG": "1"})
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        pytest.fail("traceback:\n" + "".join(traceback.format_exception(res.exception)))
    return res.exit_code, res.output


@pytest.mark.parametrize("name", sorted(invocations(Path("/tmp"))))
def test_missing_store(tmp_path: Path, name: str) -> None:
    db = tmp_path / "missing.duckdb"
    code, out = invoke(invocations(tmp_path)[name], db)
    assert code == 1
    assert f"Error: {db}: no such store; create it with `lockstep ingest FILE --db {db}` first" in out
    assert not db.exists()


@pytest.mark.parametrize("name", sorted(invocations(Path("/tmp"))))
def test_empty_store(tmp_path: Path, name: str) -> None:
    from lockstep.store import open_store

    db = tmp_path / "empty.duckdb"
    open_store(db).close()
    code, out = invoke(invocations(tmp_path)[name], db)
    if name in ("info", "media hash"):
        assert code == 0, out
    else:
        assert code == 1, out
        assert "run `lockstep ingest FILE --db" in out


HALF_BUILT = {
    "edges": "lockstep detect --db",
    "evidence": "lockstep detect --db",
    "sensitivity": "lockstep detect --db",
    "analyze": "lockstep detect --db",
    "campaigns": "lockstep detect --db",
    "report": "lockstep detect --db",
    "export": "lockstep detect --db",
}


@pytest.mark.parametrize("name", sorted(HALF_BUILT))
def test_half_built_store(tmp_path: Path, name: str) -> None:
    db = tmp_path / "half.duckdb"
    assert (
        CliRunner().invoke(cli, ["ingest", str(FIXTURES / "ira_identical_rows.csv"), "--db", str(db), "-q"]).exit_code
        == 0
    )
    code, out = invoke(invocations(tmp_path)[name], db)
    assert code == 1
    assert f"run `{HALF_BUILT[name]} {db}` first" in out


def test_report_after_detect_before_analyze(tmp_path: Path) -> None:
    db = tmp_path / "half.duckdb"
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["ingest", str(FIXTURES / "ira_identical_rows.csv"), "--db", str(db), "-q"]).exit_code == 0
    )
    assert runner.invoke(cli, ["detect", "--db", str(db), "-q"]).exit_code == 0
    code, out = invoke(["report", "-o", str(tmp_path / "r.html")], db)
    assert code == 1
    assert f"run `lockstep analyze --db {db}` first" in out


def test_unexpected_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lockstep.cli.store_commands as sc

    def boom(*a: object, **k: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(sc, "ingest_files", boom)
    monkeypatch.delenv("LOCKSTEP_DEBUG", raising=False)
    res = CliRunner().invoke(cli, ["ingest", str(FIXTURES / "ira_identical_rows.csv"), "--db", str(tmp_path / "s")])
    assert res.exit_code == 70
    assert res.stderr.startswith("Error: unexpected ZeroDivisionError: division by zero. This is a bug")
    assert "--debug" in res.stderr and "Traceback" not in res.stderr
    res = CliRunner().invoke(
        cli, ["--debug", "ingest", str(FIXTURES / "ira_identical_rows.csv"), "--db", str(tmp_path / "s")]
    )
    assert isinstance(res.exception, ZeroDivisionError)
