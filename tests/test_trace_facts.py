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
from pathlib import Path

import pytest

from lockstep.analysis import analyze
from lockstep.campaigns.disarm import RETIRED, techniques
from lockstep.exporting import Pseudonymizer
from lockstep.exporting.tables import export_tables
from lockstep.ingestion import ingest
from lockstep.reporting.data import collect, trace_colour
from lockstep.store import open_store
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
        Trace(name="x", description="x", actions_sql="SELECT 1", item_identifies="url")


def test_a_new_trace_needs_only_its_own_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trace registered outside the package flows into campaigns, the report and pseudonymised exports."""
    custom = Trace(
        name="test-reposted-author",
        description="repost the same author (test-only trace)",
        actions_sql=coretweet.CO_RETWEET.actions_sql,
        default_window_s=coretweet.CO_RETWEET.default_window_s,
        techniques=("T0049.003",),
        colour="#123456",
        narrative=True,
        item_identifies="account",
    )
    monkeypatch.setitem(TRACES, custom.name, custom)

    src = tmp_path / "world.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(world()):
            w.writerow({"post_id": str(i + 1), **r})
    store = open_store(tmp_path / "w.duckdb")
    mapping = {c: c for c in COLUMNS if c != "handle"} | {"handle": "handle", "platform": "x"}
    ingest(store, [src], format="generic", mapping=mapping)
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
