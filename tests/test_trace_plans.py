"""The default engine runs each trace's one Ibis definition compiled to DuckDB SQL (:mod:`lockstep.engine.trace_plans`).

Every trace declares its actions once; the compiled plan gives the rows ``ibis.duckdb`` gives for the same
definition, typed as the engine reads them; a plan read back from the cache folder gives a fresh compile's
edges, and a warm run imports no Ibis; the key follows the schemas and the parameters the definition reads,
and reading an undeclared parameter is refused; a plan's temp tables never outlive it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed")

from lockstep.engine import embedded, plan_cache, trace_plans
from lockstep.errors import InputError
from lockstep.store import open_store
from lockstep.traces import TRACES, DetectParams, detect
from tests.plan_runs import cold_then_warm, empty_plan_cache
from tests.worlds import build_world_store

#: Traces the default engine runs from their compiled Ibis definition.
COMPILED = sorted(n for n, t in TRACES.items() if t.duckdb_actions is None)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("trace-plans")
    build_world_store(tmp).close()
    return tmp / "w.duckdb"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return empty_plan_cache(tmp_path, monkeypatch, trace_plans.KIND)


def _edges(path: Path) -> list[tuple[object, ...]]:
    with open_store(path, read_only=True) as s:
        return s.con.execute(
            "SELECT trace, platform, account_a, account_b, shared_items, coactions, weight FROM edges ORDER BY ALL"
        ).fetchall()


def _detect(world: Path, tmp_path: Path, name: str, traces: list[str]) -> list[tuple[object, ...]]:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        detect(s, traces, DetectParams(null_replicates=0))
    return _edges(path)


def test_every_trace_has_one_definition_the_default_engine_runs() -> None:
    assert {"co-retweet", "co-text", "co-link", "cross-platform-text", "reactivation"} <= set(COMPILED)
    for name, t in TRACES.items():
        assert (t.seam_actions is None) == (name in ("cross-lingual", "cross-platform-persona")), name
        if t.duckdb_actions is None:
            assert t.prepare is None, f"{name}: a compiled trace has nothing for a prepare step to feed"


@pytest.mark.parametrize("name", COMPILED)
def test_the_compiled_actions_are_the_ibis_definitions_rows(name: str, world: Path, cache: Path) -> None:
    """The plan's rows equal what ``ibis.duckdb`` computes from the same definition on the same store."""
    import ibis

    from lockstep.engine.actions import seam_actions_of
    from lockstep.engine.shims import DUCKDB

    trace = TRACES[name]
    params = DetectParams()
    with open_store(world, read_only=True) as s, trace_plans.actions_query(s.con, trace, params) as query:
        got = s.con.execute(f"SELECT * FROM ({query}) ORDER BY ALL").fetchall()
        types = [str(r[1]) for r in s.con.execute(f"DESCRIBE {query}").fetchall()]
    assert types == ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "TIMESTAMP"]
    con = ibis.duckdb.connect(str(world), read_only=True)
    try:
        fn = seam_actions_of(trace)
        assert fn is not None
        tables = {t: con.table(t) for t in trace.seam_inputs}
        want = con.to_pyarrow(fn(tables, DUCKDB, params)).to_pylist()
    finally:
        con.disconnect()
    cols = ("platform", "account_id", "item", "post_id", "t")
    assert sorted(tuple(r[c] for c in cols) for r in want) == got


def test_a_cached_plan_gives_the_edges_of_a_fresh_compile(world: Path, tmp_path: Path, cache: Path) -> None:
    traces = ["co-retweet", "co-text", "co-link"]
    fresh = _detect(world, tmp_path, "fresh", traces)
    assert fresh and len(list(cache.glob("*.json"))) == len(traces)
    plan_cache.forget()  # read back from the folder this time
    assert _detect(world, tmp_path, "cached", traces) == fresh
    for path in cache.glob("*.json"):
        plan = trace_plans.TracePlan.from_json(path.read_text(encoding="utf-8"))
        assert trace_plans.TracePlan.from_json(plan.to_json()) == plan
    with pytest.raises(ValueError, match="trace plan"):
        trace_plans.TracePlan.from_json(json.dumps({"format": -1}))


def test_a_warm_detect_imports_no_ibis(world: Path, tmp_path: Path, cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from lockstep.store import open_store\n"
        "from lockstep.traces import DetectParams, detect\n"
        "with open_store(sys.argv[1]) as s:\n"
        "    detect(s, ['co-retweet', 'co-text', 'cross-platform-url'], DetectParams(null_replicates=1))\n"
        "print(json.dumps({'ibis': 'ibis' in sys.modules}))\n"
    )
    seen = cold_then_warm(world, tmp_path, cache.parent, script)
    assert seen == [{"ibis": True}, {"ibis": False}]


def test_the_key_follows_the_schemas_and_the_parameters_read(
    world: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = replace(TRACES["co-reply"], name="test-reads-a-param", seam_params=("max_item_accounts",))
    monkeypatch.setitem(TRACES, reads.name, reads)
    with open_store(world) as s:
        trace_plans.get_plan(s.con, reads, DetectParams())
        trace_plans.get_plan(s.con, reads, DetectParams(seed=7))  # a field it does not read: the same plan
        assert len(list(cache.glob("*.json"))) == 1
        trace_plans.get_plan(s.con, reads, DetectParams(max_item_accounts=50))
        assert len(list(cache.glob("*.json"))) == 2
        s.con.execute("ALTER TABLE posts ADD COLUMN lockstep_test_extra VARCHAR")
        trace_plans.get_plan(s.con, reads, DetectParams())
        assert len(list(cache.glob("*.json"))) == 3
        s.con.execute("ALTER TABLE posts DROP COLUMN lockstep_test_extra")


def test_reading_an_undeclared_parameter_is_refused(world: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = TRACES["co-reply"].seam_actions
    assert base is not None

    def sneaky(tb: Any, sh: Any, params: Any) -> Any:
        return base(tb, sh, params).limit(params.max_item_accounts)

    trace = replace(TRACES["co-reply"], name="test-sneaky", seam_actions=sneaky)
    with open_store(world, read_only=True) as s, pytest.raises(InputError, match=r"DetectParams.max_item_accounts"):
        trace_plans.get_plan(s.con, trace, DetectParams())


def test_a_failing_plan_leaves_no_temp_table(
    world: Path, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Near-duplicate's Ibis definition materialises its intermediate results: temp tables of the plan.
    nd = replace(TRACES["near-duplicate"], name="test-nd-compiled", duckdb_actions=None, prepare=None)
    path = tmp_path / "fail.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        plan = trace_plans.get_plan(s.con, nd, DetectParams())
        assert plan.temps
        with trace_plans.actions_query(s.con, nd, DetectParams()) as query:
            assert s.con.execute(f"SELECT count(*) FROM ({query})").fetchone() is not None
        broken = replace(plan, query="SELECT * FROM no_such_table")
        monkeypatch.setattr(trace_plans, "get_plan", lambda con, trace, params: broken)
        with pytest.raises(embedded.Error), trace_plans.actions_query(s.con, nd, DetectParams()) as query:
            s.con.execute(query)
        left = s.con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'lockstep_%'").fetchall()
        assert left == []
