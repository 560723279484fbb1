"""The default ``analyze`` runs each signal from a compiled plan (:mod:`lockstep.engine.signals.plans`).

A plan read back from the cache folder gives the rows a fresh compile gives; a warm run imports neither Ibis nor
pandas; the key changes with every input of the SQL; a broken or unwritable cache only costs a compile; a
failing plan leaves no temp table or registration behind.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed")

from lockstep.engine import embedded, plan_cache
from lockstep.engine.signals import PORTED, plans
from lockstep.signals import run_signals
from lockstep.signals.base import SignalContext
from lockstep.store import open_store
from tests.plan_runs import cold_then_warm, empty_plan_cache
from tests.worlds import build_world_store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("plans")
    build_world_store(tmp).close()
    return tmp / "w.duckdb"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return empty_plan_cache(tmp_path, monkeypatch, plans.KIND)


def _same(a: object, b: object) -> bool:
    """Equal, doubles to a relative 1e-12 (sums run in parallel may differ in the last bit between runs)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
    if isinstance(a, str) and isinstance(b, str) and a.startswith("{") and b.startswith("{"):
        return _same(json.loads(a), json.loads(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _signals(path: Path) -> list[tuple[object, ...]]:
    with open_store(path, read_only=True) as s:
        return s.con.execute("SELECT * FROM signals ORDER BY scope, platform, subject, signal").fetchall()


def _run(world: Path, tmp_path: Path, name: str) -> list[tuple[object, ...]]:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        run_signals(s)
    return _signals(path)


def test_a_cached_plan_gives_the_rows_of_a_fresh_compile(world: Path, tmp_path: Path, cache: Path) -> None:
    fresh = _run(world, tmp_path, "fresh")
    assert len(list(cache.glob("*.json"))) == len(PORTED)
    plan_cache.forget()  # read back from the folder this time
    assert _same(_run(world, tmp_path, "cached"), fresh)
    for path in cache.glob("*.json"):
        plan = plans.Plan.from_json(path.read_text(encoding="utf-8"))
        assert plans.Plan.from_json(plan.to_json()) == plan


def test_a_warm_run_imports_neither_ibis_nor_pandas(world: Path, tmp_path: Path, cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from lockstep.signals import run_signals\n"
        "from lockstep.store import open_store\n"
        "with open_store(sys.argv[1]) as s:\n"
        "    run_signals(s)\n"
        "print(json.dumps({m: m in sys.modules for m in ('ibis', 'pandas')}))\n"
    )
    seen = cold_then_warm(world, tmp_path, cache.parent, script)
    assert seen[0]["ibis"], "the cold run compiles"
    assert seen[1] == {"ibis": False, "pandas": False}


def test_the_key_follows_every_input_of_the_sql(world: Path) -> None:
    with open_store(world, read_only=True) as s:
        schemas = plans.table_schemas(s.con, SignalContext())
    base = plans.plan_key("calendar", SignalContext(), schemas)
    assert plans.plan_key("calendar", SignalContext(), schemas) == base
    other_schema = {**schemas, "posts": [*schemas["posts"], ("new_column", "VARCHAR")]}
    for key in (
        plans.plan_key("volume", SignalContext(), schemas),
        plans.plan_key("calendar", SignalContext(tz_offset_hours=5.5), schemas),
        plans.plan_key("calendar", SignalContext(control="signal_control"), schemas),
        plans.plan_key("calendar", SignalContext(), other_schema),
    ):
        assert key != base


def test_a_broken_cache_file_is_compiled_again(world: Path, tmp_path: Path, cache: Path) -> None:
    fresh = _run(world, tmp_path, "fresh")
    for path in cache.glob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    plan_cache.forget()
    assert _same(_run(world, tmp_path, "again"), fresh)
    for path in cache.glob("*.json"):
        plans.Plan.from_json(path.read_text(encoding="utf-8"))  # rewritten


def test_an_unwritable_or_disabled_cache_still_runs(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("LOCKSTEP_CACHE_DIR", str(blocker))
    plan_cache.forget()
    rows = _run(world, tmp_path, "unwritable")
    monkeypatch.setenv("LOCKSTEP_CACHE_DIR", "off")
    assert plan_cache.cache_folder(plans.KIND) is None
    plan_cache.forget()
    assert _same(_run(world, tmp_path, "off"), rows)


def test_a_failing_plan_leaves_nothing_behind(world: Path, tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "fail.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        plan = plans.get_plan(s.con, "calendar", SignalContext())
        assert plan.temps and plan.memtables
        broken = dataclasses.replace(plan, parts=(*plan.parts, plans.PlanPart("SELECT * FROM no_such_table")))
        with pytest.raises(embedded.Error):
            plans.insert_plan(s.con, broken)
        left = s.con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lockstep_%'").fetchall()
        assert left == []
        for name, _ in plan.memtables:
            with pytest.raises(embedded.CatalogException):
                s.con.execute(f'SELECT * FROM "{name}"').fetchall()


class _Recording:
    """The store's connection, recording every statement run through ``execute``."""

    def __init__(self, con: embedded.Connection) -> None:
        self._con = con
        self.statements: list[str] = []

    def execute(self, sql: str, *args: object, **kwargs: object) -> object:
        self.statements.append(sql)
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def _spans_left(con: embedded.Connection) -> list[tuple[object, ...]]:
    return con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name = ?", [plans.SPANS_TABLE]).fetchall()


def test_one_table_of_account_spans_serves_every_signal_of_a_run(world: Path, tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "spans.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        raw = s.con
        s.con = _Recording(raw)  # type: ignore[assignment]
        run_signals(s)
        made = [q for q in s.con.statements if q.startswith(f'CREATE OR REPLACE TEMP TABLE "{plans.SPANS_TABLE}"')]
        s.con = raw
        read_by = {name for name in PORTED if plans.reads_spans(plans.get_plan(raw, name, SignalContext()))}
        assert _spans_left(raw) == []
    # the baseline signals on accounts or avatar checks, and dormancy's spans, read the one table made for the run
    assert {"ai_faces", "batches", "dormancy", "engagement", "personas"} <= read_by
    assert len(made) == 1


def test_a_plan_run_alone_makes_the_spans_for_itself(world: Path, tmp_path: Path, cache: Path) -> None:
    together = _run(world, tmp_path, "together")
    path = tmp_path / "alone.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        s.con.execute("DELETE FROM signals")
        for name in PORTED:  # each plan on its own: a plan reading the spans makes and drops them
            plans.insert_plan(s.con, plans.get_plan(s.con, name, SignalContext()))
            assert _spans_left(s.con) == []
    assert _same(_signals(path), together)


def test_the_spans_table_holds_what_the_definitions_compute_without_it(world: Path) -> None:
    with open_store(world, read_only=True) as s:
        made = s.con.execute(f"SELECT * FROM ({plans.SPANS_SQL}) ORDER BY ALL").fetchall()
        schemas = plans.table_schemas(s.con, SignalContext())
        from lockstep.engine.signals.common import account_spans
        from lockstep.engine.signals.compile import unbound_tables
        from lockstep.engine.sqlcompile import compile_sql

        tables = unbound_tables({k: v for k, v in schemas.items() if k != plans.SPANS}, SignalContext())
        computed = s.con.execute(f"SELECT * FROM ({compile_sql(account_spans(tables))}) ORDER BY ALL").fetchall()
        described = s.con.execute(f"DESCRIBE {plans.SPANS_SQL}").fetchall()
    assert made == computed and len(made) > 0
    assert [(str(r[0]), str(r[1])) for r in described] == schemas[plans.SPANS]
