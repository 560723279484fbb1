"""The default engine runs the co-action steps compiled from their one Ibis definition, cached like signal plans.

:mod:`lockstep.engine.coaction_plans` compiles :mod:`lockstep.engine.coaction` to DuckDB SQL over the default
engine's temp tables; the plans are kept in the process and in the cache folder, keyed on the literals compiled
in, so a warm run imports no Ibis and a changed parameter never reads a stale plan.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lockstep.engine import coaction, coaction_plans, embedded, plan_cache
from lockstep.store import open_store
from lockstep.traces import DetectParams, detect
from tests.engine_compare import Snapshot, assert_same, snapshot
from tests.engine_world import build_engine_world
from tests.plan_runs import cold_then_warm, empty_plan_cache

TRACES = ["co-hashtag", "co-retweet", "co-text"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_engine_world(tmp_path_factory.mktemp("coaction") / "world.duckdb")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield empty_plan_cache(tmp_path, monkeypatch, coaction_plans.KIND)
    plan_cache.forget()


def _detect(world: Path, tmp_path: Path, name: str, params: DetectParams | None = None) -> Snapshot:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(world, path)
    with open_store(path) as s:
        detect(s, TRACES, params)
    return snapshot(path)


def test_plans_are_cached_and_a_broken_file_is_compiled_again(world: Path, tmp_path: Path, cache: Path) -> None:
    fresh = _detect(world, tmp_path, "fresh")
    files = sorted(cache.glob("*.json"))
    assert files, "the steps' plans are written to the cache folder"
    for path in files:
        plan = json.loads(path.read_text(encoding="utf-8"))
        assert plan and all(isinstance(sql, str) and sql.startswith("SELECT") for _, sql in plan)
    for path in files:
        path.write_text("[not json", encoding="utf-8")
    plan_cache.forget()
    again = _detect(world, tmp_path, "again")
    assert fresh["edges"], "the world gives edges"
    assert_same(fresh, again)


def test_the_key_follows_the_literals_compiled_in(world: Path, tmp_path: Path, cache: Path) -> None:
    _detect(world, tmp_path, "w60", DetectParams(window_s=60))
    before = {p.name for p in cache.glob("*.json")}
    _detect(world, tmp_path, "w61", DetectParams(window_s=61))
    after = {p.name for p in cache.glob("*.json")}
    assert after > before, "another window is another pairs plan"
    w60 = snapshot(tmp_path / "w60.duckdb")["evidence"]
    w61 = snapshot(tmp_path / "w61.duckdb")["evidence"]
    assert len(w61) >= len(w60), "a wider window keeps every co-action of the narrower one"


def test_a_warm_run_imports_no_ibis(world: Path, tmp_path: Path, cache: Path) -> None:
    script = (
        "import json, sys\n"
        "from lockstep.store import open_store\n"
        "from lockstep.traces import detect\n"
        "with open_store(sys.argv[1]) as s:\n"
        f"    detect(s, {TRACES!r})\n"
        "print(json.dumps('ibis' in sys.modules))\n"
    )
    seen = cold_then_warm(world, tmp_path, cache.parent, script)
    assert seen == [True, False]
    assert_same(snapshot(tmp_path / "cold.duckdb"), snapshot(tmp_path / "warm.duckdb"))


def test_steps_read_the_engine_temp_tables_and_drop_their_intermediates(cache: Path) -> None:
    con = embedded.connect()
    con.execute(
        """CREATE TEMP TABLE act AS SELECT *, epoch(t) AS ts FROM (VALUES
             ('x', 'a', 'i1', 'p1', TIMESTAMP '2024-01-01 00:00:00'),
             ('x', 'b', 'i1', 'p2', TIMESTAMP '2024-01-01 00:00:30'),
             ('x', 'a', 'i2', 'p3', TIMESTAMP '2024-01-02 00:00:00'),
             ('x', 'b', 'i2', 'p4', TIMESTAMP '2024-01-02 05:00:00'))
           v(platform, account_id, item, post_id, t)"""
    )
    con.execute("CREATE TEMP VIEW act_all AS SELECT * FROM act")
    coaction_plans.run_step(con, "item_stats", "item_stats")
    assert con.execute("SELECT item, accounts, actions FROM item_stats ORDER BY item").fetchall() == [
        ("i1", 2, 2),
        ("i2", 2, 2),
    ]
    coaction_plans.run_step(con, "pairs", "pairs", window=60.0, cross_platform=False)
    assert con.execute("SELECT account_a, account_b, item, gap_s FROM pairs").fetchall() == [("a", "b", "i1", 30.0)]
    coaction_plans.accounts(con)
    assert con.execute("SELECT platform, n FROM act_accounts").fetchall() == [("x", 2)]
    assert coaction_plans.rare_cut(con) == 2
    from lockstep.traces.rarity import add_rare_pairs

    # The second item is rare and 5 h apart: added (the pair already shares i1 inside the window).
    assert add_rare_pairs(con, 2, 86_400.0) == 1
    coaction_plans.run_step(con, "edges", "edge_tmp", min_shared=2, rare_cut=2)
    row = con.execute("SELECT shared_items, coactions, min_gap_s, median_gap_s FROM edge_tmp").fetchall()
    assert row == [(2, 2, 30.0, (30.0 + 18_000.0) / 2)]
    temps = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    assert temps == {"act", "item_stats", "act_accounts", "pairs", "edge_tmp"}


def _forced(monkeypatch: pytest.MonkeyPatch, on: bool) -> list[str]:
    """Force the item-hash prefilter on or off; returns the list the steps run are appended to."""
    from lockstep.traces import engine

    monkeypatch.setattr(engine, "PREFILTER_MIN_SAMPLE", 0 if on else 2**62)
    monkeypatch.setattr(engine, "PREFILTER_MAX_SHARE", 1.0)
    steps: list[str] = []
    run_step = coaction_plans.run_step

    def recording(con: embedded.Connection, step: str, into: str, **kw: object) -> None:
        steps.append(step)
        run_step(con, step, into, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(coaction_plans, "run_step", recording)
    return steps


@pytest.mark.parametrize("cap", [1000, 3])
def test_the_item_hash_prefilter_changes_no_result(
    world: Path, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    params = DetectParams(max_item_accounts=cap)
    with monkeypatch.context() as m:
        steps = _forced(m, on=False)
        plain = _detect(world, tmp_path, "plain", params)
        assert "candidates" not in steps
    with monkeypatch.context() as m:
        steps = _forced(m, on=True)
        filtered = _detect(world, tmp_path, "filtered", params)
        assert steps.count("candidates") == len(TRACES), "every trace took the prefilter"
    assert plain["edges"] and plain["runs"]
    if cap == 3:
        assert plain["capped"], "a small cap caps items, counted the same way on both plans"
    assert_same(plain, filtered)


def test_candidates_keep_every_action_of_repeated_items_and_the_sample_counts_them(cache: Path) -> None:
    con = embedded.connect()
    con.execute(
        """CREATE TEMP TABLE act_all AS SELECT *, epoch(t) AS ts FROM (VALUES
             ('x', 'a', 'i1', 'p1', TIMESTAMP '2024-01-01 00:00:00'),
             ('x', 'b', 'i1', 'p2', TIMESTAMP '2024-01-01 00:00:30'),
             ('x', 'a', 'i2', 'p3', TIMESTAMP '2024-01-02 00:00:00'),
             ('x', 'a', 'i2', 'p4', TIMESTAMP '2024-01-02 05:00:00'),
             ('x', 'c', 'i3', 'p5', TIMESTAMP '2024-01-02 05:00:00'),
             ('y', 'c', 'i1', 'p6', TIMESTAMP '2024-01-02 05:00:00'))
           v(platform, account_id, item, post_id, t)"""
    )
    coaction_plans.run_step(con, "candidates", "cand")
    # i3 (one action) is left out; i1 on platform y has one action but shares its hash with x's i1: kept.
    assert [r[0] for r in con.execute("SELECT post_id FROM cand ORDER BY post_id").fetchall()] == [
        "p1",
        "p2",
        "p3",
        "p4",
        "p6",
    ]
    for n in range(400):  # items of one action and items of two: the sampled slice sees both
        con.execute(
            "INSERT INTO act_all SELECT 'x', 'a', ?, ?, TIMESTAMP '2024-01-01', 0 FROM range(?)",
            [f"r{n}", f"q{n}", 1 + n % 2],
        )
    coaction_plans.run_step(con, "repeat_sample", "sample")
    got = con.execute("SELECT actions, repeated FROM sample").fetchone()
    # The slice: items whose hash is a multiple of the bucket count; all their actions, and those repeated.
    want = con.execute(
        f"""WITH s AS (SELECT item, count(*) AS n FROM act_all
                       WHERE hash(item) % {coaction.SAMPLE_BUCKETS} = 0 GROUP BY item)
            SELECT sum(n), sum(n) FILTER (WHERE n >= 2) FROM s"""
    ).fetchone()
    assert got == want
    assert want and want[0] and want[1] and want[0] > want[1], "the slice holds single and repeated items"
