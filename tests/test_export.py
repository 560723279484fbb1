"""Exports: STIX validates with real DISARM ids, GEXF/GraphML round-trip, tables round-trip, pseudonyms."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import igraph as ig
import networkx as nx
import pytest
import stix2
from click.testing import CliRunner

from lockstep.campaigns.disarm import techniques
from lockstep.cli import cli
from lockstep.errors import InputError
from lockstep.exporting import Pseudonymizer, export_graph, export_stix, export_tables
from lockstep.store import Store

from .worlds import OPS, build_world_store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return build_world_store(tmp_path_factory.mktemp("export"))


def test_stix_bundle_validates_and_uses_disarm(world: Store, tmp_path: Path) -> None:
    path = export_stix(world, tmp_path / "bundle.json")
    bundle = stix2.parse(path.read_text(encoding="utf-8"), allow_custom=True)
    types = {o.type for o in bundle.objects}
    assert {
        "campaign",
        "intrusion-set",
        "attack-pattern",
        "relationship",
        "user-account",
        "observed-data",
        "indicator",
        "note",
        "report",
        "identity",
    } <= types
    disarm_ids = {
        r["external_id"]
        for o in bundle.objects
        if o.type == "attack-pattern"
        for r in o.external_references
        if "external_id" in r
    }
    assert "T0049.003" in disarm_ids and disarm_ids <= set(techniques())
    pattern_ids = {o.id for o in bundle.objects if o.type == "attack-pattern"}
    assert pattern_ids <= {
        o["id"]
        for o in json.loads(
            (Path(__file__).parents[1] / "src" / "lockstep" / "data" / "disarm" / "DISARM.json").read_text()
        )["objects"]
    }
    uses = [o for o in bundle.objects if o.type == "relationship" and o.relationship_type == "uses"]
    assert uses and all(o.description for o in uses)
    logins = {o.account_login for o in bundle.objects if o.type == "user-account"}
    assert set(OPS) <= logins
    report = next(o for o in bundle.objects if o.type == "report")
    assert "sha256" in report.description


def test_graph_exports_round_trip(world: Store, tmp_path: Path) -> None:
    gexf = export_graph(world, tmp_path / "n.gexf", "gexf")
    g = nx.read_gexf(gexf)
    node = g.nodes[OPS[0]]
    assert {"community", "strength", "eigenvector", "core", "label", "followers"} <= set(node)
    assert node["followers"] == 0
    edge = g.edges[OPS[0], OPS[1]]
    assert edge["traces"] == "co-retweet" and edge["weight"] > 0 and edge["shared_items"] >= 2
    gml = export_graph(world, tmp_path / "n.graphml", "graphml")
    h = ig.Graph.Read_GraphML(str(gml))
    assert h.vcount() == g.number_of_nodes() and h.ecount() == g.number_of_edges()
    assert {"traces", "weight", "shared_items", "coactions", "min_gap_s", "min_p_value"} <= set(h.es.attributes())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_round_trip(world: Store, tmp_path: Path, fmt: str) -> None:
    files = export_tables(world, tmp_path / fmt, fmt)
    names = {p.name for p in files}
    assert {f"accounts.{fmt}", f"evidence.{fmt}", f"campaigns.{fmt}", "provenance.json"} <= names
    con = duckdb.connect()
    for table in ("network_edges", "evidence", "signals"):
        stored = world.count(table)
        got = con.execute(f"SELECT count(*) FROM '{tmp_path / fmt / f'{table}.{fmt}'}'").fetchone()
        assert got is not None and got[0] == stored
    prov = json.loads((tmp_path / fmt / "provenance.json").read_text())
    assert prov["tool"] == "lockstep" and prov["inputs"][0]["sha256"]


def test_pseudonymised_exports_hold_no_ids(world: Store, tmp_path: Path) -> None:
    p = Pseudonymizer("a private key 123")
    export_tables(world, tmp_path / "t", "csv", pseudonymizer=p)
    export_graph(world, tmp_path / "g.gexf", "gexf", pseudonymizer=p)
    export_stix(world, tmp_path / "s.json", pseudonymizer=p)
    blob = "".join(
        f.read_text(encoding="utf-8") for f in [*(tmp_path / "t").iterdir(), tmp_path / "g.gexf", tmp_path / "s.json"]
    )
    for acct in OPS:
        assert acct not in blob
    assert p.account("x", OPS[0]) in blob
    assert Pseudonymizer("another key 456").account("x", OPS[0]) != p.account("x", OPS[0])
    with pytest.raises(InputError):
        Pseudonymizer("short")


def test_cli_export_and_report(world: Store, tmp_path: Path) -> None:
    db = world.path
    world.close()
    runner = CliRunner()
    r = runner.invoke(cli, ["export", "--format", "stix", "-o", str(tmp_path / "b.json"), "--db", db])
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(
        cli,
        ["export", "--format", "csv", "-o", str(tmp_path / "t"), "--pseudonymize", "--db", db],
        env={"LOCKSTEP_PSEUDONYM_KEY": ""},
    )
    assert r.exit_code == 2 and "needs a key" in r.stderr
    r = runner.invoke(cli, ["report", "-o", str(tmp_path / "r.html"), "--db", db])
    assert r.exit_code == 0 and "wrote" in r.stderr and (tmp_path / "r.html").exists()
