"""Exports of attacker-controlled names: strict XML parsers accept GEXF, GraphML and SVG; CSV cells never start
like a formula (OWASP CSV injection) unless ``--raw-cells``; property tests of the two mechanisms."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lockstep.cli import cli
from lockstep.exporting import export_graph, export_tables
from lockstep.exporting.graph import xml_safe_graph
from lockstep.reporting.safe import xml_safe
from lockstep.reporting.svg import xml_text
from lockstep.store import Store

from .worlds import OPS, build_world_store

EVIL_ID = "lucy\x01\x1b\x7fid"
EVIL_HANDLE = '=HYPERLINK("http://evil.example/x","click")'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = build_world_store(tmp_path_factory.mktemp("hostile_export"))
    con = store.con
    old = OPS[1]
    for table, cols in {
        "accounts": ["account_id"],
        "account_scores": ["account_id"],
        "network_edges": ["account_a", "account_b"],
        "edges": ["account_a", "account_b"],
        "evidence": ["account_a", "account_b"],
    }.items():
        for col in cols:
            con.execute(f"UPDATE {table} SET {col} = ? WHERE {col} = ?", [EVIL_ID, old])
    con.execute(
        "UPDATE accounts SET handle = ?, display_name = ?, description = ? WHERE account_id = ?",
        [EVIL_HANDLE, "+cmd|' /C calc'!A0\x02", "@SUM(1)\tx", EVIL_ID],
    )
    con.execute("UPDATE accounts SET handle = ? WHERE account_id = ?", ["-2+3\x0bbell\x07", OPS[2]])
    return store


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_exports_parse_strictly(hostile: Store, tmp_path: Path, fmt: str) -> None:
    path = export_graph(hostile, tmp_path / f"g.{fmt}", fmt)
    root = ET.parse(path).getroot()  # expat: rejects any character XML 1.0 forbids
    assert root is not None
    g = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert "lucy[U+0001][U+001B]\x7fid" in g.nodes
    labels = {d.get("label") for _, d in g.nodes(data=True)}
    assert EVIL_HANDLE in labels and "-2+3[U+000B]bell[U+0007]" in labels


def cells(folder: Path) -> list[tuple[str, str, str]]:
    out = []
    for f in sorted(folder.glob("*.csv")):
        with f.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            for row in reader:
                out.extend((f.name, h, c) for h, c in zip(header, row, strict=True))
    return out


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_csv_cells_are_neutralised(hostile: Store, tmp_path: Path) -> None:
    export_tables(hostile, tmp_path / "safe", "csv")
    got = cells(tmp_path / "safe")
    risky = [(f, h, c) for f, h, c in got if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not is_number(c)]
    assert risky == []
    accounts = {(h, c) for f, h, c in got if f == "accounts.csv"}
    assert ("handle", "'" + EVIL_HANDLE) in accounts
    assert ("display_name", "'+cmd|' /C calc'!A0\x02") in accounts
    assert ("description", "'@SUM(1)\tx") in accounts
    assert ("handle", "'-2+3\x0bbell\x07") in accounts


def test_raw_cells_keeps_values(hostile: Store, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        cli, ["export", "--format", "csv", "-o", str(tmp_path / "raw"), "--raw-cells", "--db", ":memory:"]
    )
    assert res.exit_code != 0  # an empty in-memory store: nothing to export
    export_tables(hostile, tmp_path / "raw", "csv", raw_cells=True)
    accounts = {(h, c) for f, h, c in cells(tmp_path / "raw") if f == "accounts.csv"}
    assert ("handle", EVIL_HANDLE) in accounts


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_xml_safe_text_always_parses(text: str) -> None:
    doc = f'<t a="{xml_text(text)}">{xml_text(text)}</t>'
    root = ET.fromstring(doc)
    assert root.text is None or "\x00" not in root.text
    assert xml_safe(xml_safe(text)) == xml_safe(text)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8)), max_size=6))
def test_xml_safe_graph_exports_parse(tmp_path_factory: pytest.TempPathFactory, edges: list[tuple[str, str]]) -> None:
    g = nx.Graph(provenance="p\x00")
    for a, b in edges:
        g.add_node(a, label=b, platform="x")
        g.add_node(b, label=a, platform="x")
        g.add_edge(a, b, weight=1.0, traces="t\x1f")
    safe = xml_safe_graph(g)
    assert safe.number_of_nodes() == g.number_of_nodes() and safe.number_of_edges() == g.number_of_edges()
    folder = tmp_path_factory.mktemp("g")
    nx.write_gexf(safe, folder / "g.gexf")
    nx.write_graphml(safe, folder / "g.graphml")
    ET.parse(folder / "g.gexf")
    ET.parse(folder / "g.graphml")


def test_report_svgs_parse_strictly(hostile: Store, tmp_path: Path) -> None:
    from lockstep.reporting import write_report

    result = write_report(hostile, tmp_path / "r.html", seed=1)
    assert result.assets
    for svg in result.assets:
        ET.parse(svg)


def test_avatars_are_read_only_under_the_folder(hostile: Store, tmp_path: Path) -> None:
    from lockstep.errors import InputError
    from lockstep.media.store_ops import check_avatars, inside

    folder = tmp_path / "avatars"
    folder.mkdir()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    (folder / "link.png").symlink_to(secret)
    assert inside(folder.resolve(), "../secret.png") is None
    assert inside(folder.resolve(), str(secret)) is None
    assert inside(folder.resolve(), "link.png") is None
    assert inside(folder.resolve(), "a\x00b") is None
    with pytest.raises(InputError, match="pass --folder"):
        check_avatars(hostile, None)
    hostile.con.execute("UPDATE accounts SET avatar = ? WHERE account_id = ?", [str(secret), OPS[0]])
    hostile.con.execute("UPDATE accounts SET avatar = '../secret.png' WHERE account_id = ?", [OPS[2]])
    report = check_avatars(hostile, folder)
    assert report.files == 0
