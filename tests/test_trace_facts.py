"""A trace's facts (DISARM techniques, colour, narrative use, what an item names) live on the trace itself.

Adding a trace is one module: the campaign, report and export code read the facts from the registry. The last
test registers a trace nobody else knows and follows it through detect -> analyze -> campaigns -> report ->
pseudonymised export.
"""

from __future__ import annotations

import csv
import importlib
import json
import pkgutil
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lockstep.analysis import analyze
from lockstep.campaigns.disarm import RETIRED, techniques
from lockstep.exporting import Pseudonymizer
from lockstep.exporting.tables import export_tables
from lockstep.ingestion import ingest
from lockstep.reporting.data import collect, trace_colour
from lockstep.store import Store, open_store
from lockstep.traces import TRACES, DetectParams, Trace, detect, traces_where
from lockstep.traces import builtin as builtin_pkg
from lockstep.traces.builtin import coretweet

from .worlds import COLUMNS, OPS, world


def test_every_builtin_module_is_discovered_and_registers_a_trace() -> None:
    for info in pkgutil.iter_modules(builtin_pkg.__path__):
        module = importlib.import_module(f"lockstep.traces.builtin.{info.name}")
        declared = [v for v in vars(module).values() if isinstance(v, Trace)]
        assert declared, f"{info.name} defines no Trace"
        assert all(TRACES.get(t.name) is t for t in declared), f"{info.name} defines an unregistered Trace"


@pytest.mark.parametrize("name", sorted(TRACES))
def test_builtin_trace_facts_are_complete_and_valid(name: str) -> None:
    trace = TRACES[name]
    assert trace.techniques, f"{name} declares no DISARM technique"
    known = techniques()
    for tid in trace.techniques:
        assert tid in known or tid in RETIRED, f"{name}: {tid} is not in the DISARM bundle"
    assert re.fullmatch(r"#[0-9a-f]{6}", trace.colour), trace.colour
    assert trace.item_identifies in (None, "handle", "account")


def test_colours_are_distinct_and_unknown_traces_are_grey() -> None:
    colours = [t.colour for t in TRACES.values()]
    assert len(set(colours)) == len(colours)
    assert trace_colour("no-such-trace") == "#999999"


def test_traces_where_reads_the_facts() -> None:
    assert "co-text" in traces_where(narrative=True)
    assert "co-hashtag" not in traces_where(narrative=True)
    assert traces_where(item_identifies="handle") == ["co-mention"]
    assert traces_where(item_identifies="account") == ["fast-retweet"]


def test_invalid_item_identifies_is_refused() -> None:
    with pytest.raises(ValueError, match="item_identifies"):
        Trace(name="x", description="x", seam_actions=reposted_post_seam, item_identifies="url")


def test_a_trace_declares_its_actions_once() -> None:
    with pytest.raises(ValueError, match="declare its actions"):
        Trace(name="x", description="x")
    with pytest.raises(ValueError, match="prepare builds tables for duckdb_actions"):
        Trace(name="x", description="x", seam_actions=reposted_post_seam, prepare=lambda con, params: None)
    assert not [
        n
        for n, t in TRACES.items()
        if t.seam_actions is not None and t.duckdb_actions is not None and n not in ("near-duplicate", "co-media-near")
    ], "only the measured engine-specific ones"


def reposted_post_seam(tb: Any, sh: Any, params: DetectParams) -> Any:
    """The test trace's actions, in Ibis (what a trace module declares as ``seam_actions``): reposts, by the
    reposted post (its parent id); the default engine runs them compiled, the seam on DuckDB or Spark."""
    from lockstep.engine.actions import actions

    p = tb["posts"]
    p = p.filter((p.kind == "repost") & p.parent_post_id.notnull())
    return actions(p, p.parent_post_id)


def _custom_trace() -> Trace:
    """A trace nobody else knows, declared in one place, as a trace module would."""
    return Trace(
        name="test-reposted-post",
        description="repost the same post (test-only trace)",
        default_window_s=coretweet.CO_RETWEET.default_window_s,
        techniques=("T0049.003",),
        colour="#123456",
        narrative=True,
        item_identifies="account",
        seam_actions=reposted_post_seam,
    )


def _ingested(tmp_path: Path, name: str = "w") -> Store:
    src = tmp_path / "world.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(world()):
            w.writerow({"post_id": str(i + 1), **r})
    store = open_store(tmp_path / f"{name}.duckdb")
    mapping = {c: c for c in COLUMNS if c != "handle"} | {"handle": "handle", "platform": "x"}
    ingest(store, [src], format="generic", mapping=mapping)
    return store


def test_a_new_trace_needs_only_its_own_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trace registered outside the package flows into campaigns, the report and pseudonymised exports."""
    custom = _custom_trace()
    monkeypatch.setitem(TRACES, custom.name, custom)
    store = _ingested(tmp_path)
    detect(store, [custom.name], DetectParams(null_replicates=0, seed=1))
    analyze(store, seed=3, tz_offset_hours=8)

    (camp,) = store.con.execute(
        "SELECT DISTINCT c.campaign FROM campaigns c JOIN account_scores s ON s.community = c.campaign "
        "WHERE list_contains(?, s.account_id)",
        [OPS],
    ).fetchone() or (None,)
    assert camp is not None, "the planted operation forms no campaign"
    summary = json.loads(store.con.execute("SELECT summary FROM campaigns WHERE campaign = ?", [camp]).fetchone()[0])
    evidence = {t["id"]: t["evidence"] for t in summary["techniques"]}
    assert f"trace {custom.name}" in evidence["T0049.003"]
    assert any(n["trace"] == custom.name for n in summary["content"]["narratives"])

    data = collect(store, seed=0)
    assert data.graph["trace_colors"][custom.name] == "#123456"

    out = tmp_path / "export"
    export_tables(store, out, "csv", Pseudonymizer("a long enough key"))
    with (out / "evidence.csv").open(encoding="utf-8") as fh:
        items = {r["item"] for r in csv.DictReader(fh) if r["trace"] == custom.name}
    raw = {r[0] for r in store.con.execute("SELECT item FROM evidence WHERE trace = ?", [custom.name]).fetchall()}
    assert items and not (items & raw)
    store.close()


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_a_new_trace_runs_on_the_seam_from_its_one_definition(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same unknown trace runs on the engine seam (DuckDB, Spark) from its own ``seam_actions``, with the
    default engine's edges, evidence and counts."""
    pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")
    from lockstep.engine import detect as seam_detect
    from lockstep.engine import ported_traces
    from tests.engine_compare import assert_same, snapshot
    from tests.spark_session import spark_or_skip

    seam: dict[str, Any] = {"engine": engine}
    if engine == "spark":
        seam["session"] = spark_or_skip()
    custom = _custom_trace()
    monkeypatch.setitem(TRACES, custom.name, custom)
    assert ported_traces()[custom.name] is None
    _ingested(tmp_path).close()
    shutil.copy(tmp_path / "w.duckdb", tmp_path / "seam.duckdb")
    params = DetectParams(null_replicates=2, seed=1)
    with open_store(tmp_path / "w.duckdb") as s:
        detect(s, [custom.name], params)
    with open_store(tmp_path / "seam.duckdb") as s:
        seam_detect(s, [custom.name], params, **seam)
    default = snapshot(tmp_path / "w.duckdb")
    assert default["edges"] and default["evidence"], "the world must give the test trace edges"
    assert_same(default, snapshot(tmp_path / "seam.duckdb"))


def test_a_seam_definition_reads_only_the_tables_it_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")
    from lockstep.engine import detect as seam_detect
    from lockstep.errors import InputError

    def reads_urls(tb: Any, sh: Any, params: DetectParams) -> Any:
        return reposted_post_seam({"posts": tb["post_urls"]}, sh, params)

    custom = replace(_custom_trace(), seam_actions=reads_urls)
    monkeypatch.setitem(TRACES, custom.name, custom)
    with _ingested(tmp_path) as store, pytest.raises(InputError, match=r"'post_urls'.*declares seam_inputs"):
        seam_detect(store, [custom.name], DetectParams(null_replicates=0), engine="duckdb")
