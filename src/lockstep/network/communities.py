"""Communities and node scores on the fused network: each community is a candidate campaign.

Communities come from Leiden (Traag, Waltman & van Eck 2019) optimising weighted modularity, with igraph's
built-in implementation (measured here 12x faster than ``leidenalg`` for the same objective), seeded: the
vertex order is sorted by account id and igraph's random generator is a ``random.Random(seed)``, so a seed
reproduces the partition. Per account: degree, strength (sum of fused weights) and eigenvector centrality
within its community (scaled to max 1); accounts at or above ``core_threshold`` form the community's core,
after the eigenvector-centrality pruning of Luceri et al. (WWW 2024). Per community: size, density, mean
fused weight, traces present, the share of edges with a trace significant under the null model, and a
coordination score ``density x mean weight x distinct traces`` (dense, strong and multi-trace ranks first).

Each platform is partitioned on its own, unless cross-platform traces link platforms: those platforms then
form one network (vertices ``platform:account_id``), so a community can span platforms; its ``platform`` is
the one most of its accounts are on (:func:`_platform_graphs`).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from lockstep.store.store import Store
from lockstep.traces.cross_platform import CROSS_PLATFORM, encode_account, split_account


@dataclass
class CommunityReport:
    """What :func:`find_communities` produced."""

    accounts: int
    edges: int
    communities: int
    largest: int
    modularity: float


def find_communities(
    store: Store,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    core_threshold: float = 0.25,
    min_size: int = 2,
    min_gain: float = 0.0,
) -> CommunityReport:
    """Partition ``network_edges`` into communities; write ``account_scores`` and ``communities``.

    Leiden iterates until the partition stops changing (``min_gain`` 0, the default). With ``min_gain`` > 0 it
    stops after the first iteration that raises modularity by less than that: on the 1M benchmark network
    (45,745 edges) convergence takes 52 iterations, and ``min_gain=1e-5`` stops at 14 with modularity 0.96044
    against 0.96056, for about a quarter of the CPU (``docs/benchmarks.md``). Partitions then differ.
    """
    rows = store.con.execute(
        "SELECT platform, account_a, account_b, weight, traces, significant FROM network_edges "
        "ORDER BY platform, account_a, account_b"
    ).fetchall()
    by_platform = _platform_graphs(rows)
    score_rows: list[tuple[str, str, int, int, float, float, bool]] = []
    community_rows: list[tuple[object, ...]] = []
    next_id = 1
    total_q = 0.0
    params = json.dumps(
        {
            "seed": seed,
            "resolution": resolution,
            "core_threshold": core_threshold,
            "min_size": min_size,
            "objective": "modularity",
        }
    )
    for group in sorted(by_platform):
        edges = by_platform[group]
        names = sorted({a for a, *_ in edges} | {b for _, b, *_ in edges})
        index = {n: i for i, n in enumerate(names)}
        g = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b, *_ in edges])
        g.vs["name"] = names
        g.es["weight"] = [w for _, _, w, *_ in edges]
        ig.set_random_number_generator(random.Random(seed))
        part = _leiden(g, resolution, min_gain)
        total_q += g.modularity(part.membership, weights="weight", resolution=resolution)
        members: dict[int, list[int]] = defaultdict(list)
        for v, c in enumerate(part.membership):
            members[c].append(v)
        # edges inside each community, in one pass (selecting them per community is quadratic)
        within: dict[int, list[int]] = defaultdict(list)
        membership = part.membership
        for i, (a, b, *_) in enumerate(edges):
            ca = membership[index[a]]
            if ca == membership[index[b]]:
                within[ca].append(i)
        # stable community ids: by size desc, then smallest account name
        order = sorted(members, key=lambda c: (-len(members[c]), names[min(members[c])]))
        for c in order:
            vs = sorted(members[c])
            if len(vs) < min_size:
                continue
            cid = next_id
            next_id += 1
            e_ids = within[c]
            if len(vs) == 2 and len(e_ids) == 1:  # a lone pair (most communities of a big network): no subgraph
                w = float(edges[e_ids[0]][2])
                degree, strength, ev = [1, 1], [w, w], [1.0, 1.0]
            else:
                sub = g.induced_subgraph(vs)
                ev = sub.eigenvector_centrality(weights="weight", scale=True) if sub.ecount() else [1.0] * len(vs)
                strength = sub.strength(weights="weight")
                degree = sub.degree()
            homes = [_home(group, names[v]) for v in vs]
            for k in range(len(vs)):
                score_rows.append(
                    (
                        homes[k][0],
                        homes[k][1],
                        cid,
                        int(degree[k]),
                        float(strength[k]),
                        float(ev[k]),
                        float(ev[k]) >= core_threshold,
                    )
                )
            n_e = len(e_ids)
            n_v = len(vs)
            density = 2 * n_e / (n_v * (n_v - 1)) if n_v > 1 else 0.0
            mean_w = sum(edges[i][2] for i in e_ids) / n_e if n_e else 0.0
            traces = sorted({t for i in e_ids for t in edges[i][3]})
            sig_share = sum(1 for i in e_ids if edges[i][4] > 0) / n_e if n_e else 0.0
            community_rows.append(
                (
                    cid,
                    _main_platform([h[0] for h in homes]),
                    n_v,
                    n_e,
                    density,
                    mean_w,
                    traces,
                    sig_share,
                    density * mean_w * len(traces),
                    seed,
                    params,
                )
            )
    with store.transaction() as con:
        con.execute("DELETE FROM account_scores")
        con.execute("DELETE FROM communities")
        if score_rows:
            _insert(con, "account_scores", SCORE_TYPES, score_rows)
        if community_rows:  # one insert: a statement per community costs seconds with thousands of them
            _insert(con, "communities", COMMUNITY_TYPES, community_rows)
    sizes = [int(r[2]) for r in community_rows]  # type: ignore[call-overload]
    return CommunityReport(
        accounts=len(score_rows),
        edges=len(rows),
        communities=len(community_rows),
        largest=max(sizes, default=0),
        modularity=total_q / max(1, len(by_platform)),
    )


Edge = tuple[str, str, float, list[str], int]


def _leiden(g: ig.Graph, resolution: float, min_gain: float) -> Any:
    """Leiden on ``g`` (weighted modularity) until the partition is stable, or until an iteration gains less
    than ``min_gain`` modularity. Single iterations from the previous membership draw the same random numbers
    as igraph's own loop (``n_iterations=-1``), so the stable partition is the same either way."""
    kw: dict[str, Any] = {"objective_function": "modularity", "weights": "weight", "resolution": resolution}
    if min_gain <= 0:
        return g.community_leiden(n_iterations=-1, **kw)
    part = g.community_leiden(n_iterations=1, **kw)
    q = g.modularity(part.membership, weights="weight", resolution=resolution)
    while True:
        step = g.community_leiden(n_iterations=1, initial_membership=part.membership, **kw)
        if step.membership == part.membership:
            return step
        gain = g.modularity(step.membership, weights="weight", resolution=resolution) - q
        part, q = step, q + gain
        if gain < min_gain:
            return part


#: Columns and types of the rows :func:`find_communities` writes, in table order.
SCORE_TYPES = {
    "platform": "VARCHAR",
    "account_id": "VARCHAR",
    "community": "BIGINT",
    "degree": "BIGINT",
    "strength": "DOUBLE",
    "eigenvector": "DOUBLE",
    "core": "BOOLEAN",
}
COMMUNITY_TYPES = {
    "community": "BIGINT",
    "platform": "VARCHAR",
    "accounts": "BIGINT",
    "edges": "BIGINT",
    "density": "DOUBLE",
    "mean_weight": "DOUBLE",
    "traces": "VARCHAR[]",
    "significant_share": "DOUBLE",
    "coordination_score": "DOUBLE",
    "seed": "BIGINT",
    "parameters": "VARCHAR",
}


def _insert(con: Any, table: str, types: dict[str, str], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` into ``table`` in one statement, scanned by DuckDB from one NumPy array per column.

    NumPy object arrays rather than Arrow: building an Arrow array imports pandas when it is installed (about
    a second of the ``analyze`` command), and DuckDB scans a dict of NumPy arrays without it.
    """
    numeric = {"BIGINT": np.int64, "DOUBLE": np.float64, "BOOLEAN": np.bool_}
    columns = {
        name: np.array(values, dtype=numeric[t]) if t in numeric else np.fromiter(values, dtype=object)
        for (name, t), values in zip(types.items(), zip(*rows, strict=True), strict=True)
    }
    con.register("_rows", columns)
    select = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t in types.items())
    con.execute(f"INSERT INTO {table} ({', '.join(types)}) SELECT {select} FROM _rows")
    con.unregister("_rows")


def _platform_graphs(rows: list[tuple[Any, ...]]) -> dict[str, list[Edge]]:
    """Fused edges grouped into the graphs Leiden partitions, one per platform or platform group.

    Platforms joined by cross-platform edges (:mod:`lockstep.traces.cross_platform`) form one graph, keyed
    ``platform+platform...``, whose vertices are ``platform:account_id``; every other platform keeps its own
    graph with plain account ids, exactly as without cross-platform data.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for platform, a, b, *_ in rows:
        if platform == CROSS_PLATFORM:
            pa, pb = split_account(a)[0], split_account(b)[0]
            parent[find(pa)] = find(pb)
        else:
            find(platform)
    members: dict[str, set[str]] = defaultdict(set)
    for p in list(parent):
        members[find(p)].add(p)
    key_of = {p: "+".join(sorted(members[find(p)])) for p in parent}
    graphs: dict[str, list[Edge]] = defaultdict(list)
    for platform, a, b, w, traces, sig in rows:
        if platform == CROSS_PLATFORM:
            key = key_of[split_account(a)[0]]
        else:
            key = key_of[platform]
            if "+" in key:
                a, b = encode_account(platform, a), encode_account(platform, b)
        graphs[key].append((a, b, float(w), list(traces), int(sig)))
    return graphs


def _home(group: str, name: str) -> tuple[str, str]:
    """``(platform, account_id)`` of a vertex of the graph ``group``."""
    return split_account(name) if "+" in group else (group, name)


def _main_platform(platforms: list[str]) -> str:
    """The platform most of a community's accounts are on (ties: alphabetical first); the rest are listed in
    the campaign summary's ``platforms``."""
    counts: dict[str, int] = defaultdict(int)
    for p in platforms:
        counts[p] += 1
    return min(counts, key=lambda p: (-counts[p], p))
