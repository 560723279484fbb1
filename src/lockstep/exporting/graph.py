"""The fused network for Gephi and other tools: GEXF (Gephi's format) and GraphML.

Nodes carry community, strength, eigenvector centrality, core flag, handle and followers; edges carry the
fused weight, the traces (``;``-joined), shared items, co-actions, minimum gap and the best null-model
p-value. The graph's attributes hold the provenance JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from lockstep.errors import InputError
from lockstep.exporting.provenance import provenance
from lockstep.exporting.pseudonym import Pseudonymizer
from lockstep.reporting.safe import xml_safe
from lockstep.store.store import Store
from lockstep.traces.cross_platform import decoded_network_edges

if TYPE_CHECKING:
    import networkx as nx


def build_graph(store: Store, *, campaign: int | None = None, pseudonymizer: Pseudonymizer | None = None) -> nx.Graph:
    """The fused network (optionally one campaign's) as a networkx graph with attributes."""
    q = store.con.execute
    where = "WHERE s.community = ?" if campaign is not None else ""
    params = [campaign] if campaign is not None else []
    import networkx as nx

    g = nx.Graph()
    prov = provenance(store, campaign=campaign, pseudonymized=pseudonymizer is not None)
    g.graph["provenance"] = json.dumps(prov, default=str)
    g.graph["tool"] = f"lockstep {prov['tool_version']}"
    name: dict[tuple[str, str], str] = {}
    for platform, acc, comm, strength, eig, core, degree, handle, followers in q(
        f"""SELECT s.platform, s.account_id, s.community, s.strength, s.eigenvector, s.core, s.degree, a.handle,
                   a.followers
            FROM account_scores s LEFT JOIN accounts a USING (platform, account_id) {where}
            ORDER BY s.platform, s.account_id""",
        params,
    ).fetchall():
        node = pseudonymizer.account(platform, acc) if pseudonymizer else str(acc)
        label = (pseudonymizer.handle(platform, handle) if pseudonymizer else handle) or node
        name[(platform, acc)] = node
        g.add_node(
            node,
            label=label,
            platform=platform,
            community=int(comm),
            strength=float(strength),
            eigenvector=float(eig),
            core=bool(core),
            degree=int(degree),
            followers=int(followers) if followers is not None else -1,
        )
    for pa_, a, pb_, b, traces, weight, shared, coacts, gap, p in q(
        f"""SELECT platform_a, account_a, platform_b, account_b, traces, weight, shared_items, coactions, min_gap_s,
                   min_p_value
           FROM {decoded_network_edges()} ORDER BY platform, account_a, account_b"""
    ).fetchall():
        u, v = name.get((pa_, a)), name.get((pb_, b))
        if u is None or v is None:
            continue
        g.add_edge(
            u,
            v,
            weight=float(weight),
            traces=";".join(traces),
            shared_items=int(shared),
            coactions=int(coacts),
            min_gap_s=float(gap),
            min_p_value=float(p) if p is not None else -1.0,
        )
    return g


def xml_safe_graph(g: nx.Graph) -> nx.Graph:
    """A copy of ``g`` whose node ids and text attributes hold no code point XML forbids.

    Account ids, handles and names come from the accounts under investigation; a control character in one
    would make the GEXF/GraphML file unreadable by Gephi or any strict XML parser. Forbidden code points are
    shown as ``[U+XXXX]``; two ids that become equal stay distinct nodes (a ``#2`` suffix).
    """
    names: dict[object, str] = {}
    used: set[str] = set()
    for node in g.nodes:
        name = xml_safe(node)
        base, i = name, 1
        while name in used:
            i += 1
            name = f"{base}#{i}"
        used.add(name)
        names[node] = name

    def clean(attrs: dict[str, object]) -> dict[str, object]:
        return {xml_safe(k): xml_safe(v) if isinstance(v, str) else v for k, v in attrs.items()}

    import networkx as nx

    out = nx.Graph()
    out.graph.update(clean(g.graph))
    out.add_nodes_from((names[n], clean(a)) for n, a in g.nodes(data=True))
    out.add_edges_from((names[u], names[v], clean(a)) for u, v, a in g.edges(data=True))
    return out


def export_graph(
    store: Store, path: str | Path, fmt: str, *, campaign: int | None = None, pseudonymizer: Pseudonymizer | None = None
) -> Path:
    """Write the fused network as ``gexf`` or ``graphml``."""
    import networkx as nx

    store.require("analyze")
    g = xml_safe_graph(build_graph(store, campaign=campaign, pseudonymizer=pseudonymizer))
    out = Path(path)
    if fmt == "gexf":
        nx.write_gexf(g, out)
    elif fmt == "graphml":
        nx.write_graphml(g, out)
    else:
        raise InputError(f"graph format {fmt!r}: choose gexf or graphml")
    return out
