"""Gather what a report shows from the store: overview, provenance, campaigns, the network view, cards."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any

import igraph as ig

from lockstep import __version__
from lockstep.errors import InputError
from lockstep.store.store import Store

MAX_NODES = 5_000
MAX_EDGES = 100_000
PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#ad494a",
    "#637939",
    "#7b4173",
    "#e7ba52",
    "#3182bd",
]
TRACE_COLORS = {
    "co-retweet": "#1f77b4",
    "co-text": "#d62728",
    "near-duplicate": "#ff7f0e",
    "co-link": "#2ca02c",
    "co-domain": "#98df8a",
    "co-hashtag": "#9467bd",
    "hashtag-sequence": "#c5b0d5",
    "co-mention": "#8c564b",
    "co-reply": "#e377c2",
    "fast-retweet": "#17becf",
    "reactivation": "#7f7f7f",
    "co-media": "#bcbd22",
}


@dataclass
class ReportData:
    """Everything the template needs."""

    title: str
    generated_at: str
    tool_version: str
    overview: dict[str, Any]
    provenance: dict[str, Any]
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    graph: dict[str, Any] = field(default_factory=dict)
    cards: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def collect(
    store: Store,
    *,
    campaign: int | None = None,
    seed: int = 0,
    max_nodes: int = MAX_NODES,
    max_edges: int = MAX_EDGES,
    tz_offset_hours: float | None = None,
) -> ReportData:
    """Read the report's content from ``store`` (``campaign``: only that campaign)."""
    q = store.con.execute
    info = store.info()
    camp_rows = q(
        "SELECT campaign, rank, summary FROM campaigns "
        + ("WHERE campaign = ? " if campaign else "")
        + "ORDER BY rank",
        [campaign] if campaign else [],
    ).fetchall()
    if campaign and not camp_rows:
        raise InputError(f"no campaign {campaign}; see `lockstep campaigns`")
    data = ReportData(
        title="Lockstep report" + (f": campaign {campaign}" if campaign else ""),
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        tool_version=__version__,
        overview={
            "posts": info.posts,
            "accounts": info.accounts,
            "first_post": info.first_post,
            "last_post": info.last_post,
            "by_platform": info.by_platform,
            "by_kind": info.by_kind,
            "by_language": info.by_language,
            "quarantined": info.quarantined,
            "quarantine_by_reason": info.quarantine_by_reason,
        },
        provenance=provenance(store),
    )
    for cid, rank, summary in camp_rows:
        s = json.loads(summary)
        s["rank"] = int(rank)
        offset = tz_offset_hours
        if offset is None:
            inferred = s["behaviour"]["signals"].get("calendar.inferred_offset")
            offset = float(inferred["value"]) if inferred and inferred["value"] is not None else 0.0
        s["heatmap"] = heatmap(store, int(cid), offset)
        s["timeline"] = timeline(store, int(cid))
        data.campaigns.append(s)
    ids = [int(c[0]) for c in camp_rows]
    data.graph, data.cards, note = network_view(store, ids, seed=seed, max_nodes=max_nodes, max_edges=max_edges)
    if note:
        data.notes.append(note)
    return data


def provenance(store: Store) -> dict[str, Any]:
    """Tool version, sources with fingerprints, detection and community parameters."""
    q = store.con.execute
    return {
        "sources": [
            dict(
                zip(
                    ("path", "sha256", "format", "rows_read", "posts_stored", "quarantined", "batch_id"), r, strict=True
                )
            )
            for r in q(
                "SELECT path, sha256, format, rows_read, posts_stored, quarantined, batch_id "
                "FROM sources ORDER BY batch_id, path"
            ).fetchall()
        ],
        "detect_runs": [
            dict(zip(("trace", "run_id", "started_at", "parameters", "edges"), r, strict=True))
            for r in q("""SELECT trace, arg_max(run_id, started_at), max(started_at),
                                             arg_max(parameters, started_at), arg_max(edges, started_at)
                                      FROM detect_runs GROUP BY trace ORDER BY trace""").fetchall()
        ],
        "communities": (q("SELECT any_value(parameters) FROM communities").fetchone() or (None,))[0],
        "tool_version": __version__,
    }


def heatmap(store: Store, community: int, offset_hours: float) -> dict[str, Any]:
    """168 hour-of-week counts (Monday 00h first) of a community's posts at UTC+``offset_hours``."""
    rows = store.con.execute(
        f"""SELECT (isodow(p.created_at + INTERVAL ({float(offset_hours)!r} * 3600) SECOND) - 1) * 24
                   + hour(p.created_at + INTERVAL ({float(offset_hours)!r} * 3600) SECOND) AS how, count(*)
            FROM posts p SEMI JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
                                                    AND s.community = ?
            GROUP BY 1""",
        [community],
    ).fetchall()
    counts = [0] * 168
    for how, n in rows:
        counts[int(how)] = int(n)
    return {"offset_hours": offset_hours, "counts": counts}


def timeline(store: Store, community: int) -> list[tuple[str, int]]:
    """Posts per day by a community's accounts."""
    rows = store.con.execute(
        """SELECT CAST(CAST(p.created_at AS DATE) AS VARCHAR), count(*) FROM posts p
           SEMI JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id AND s.community = ?
           GROUP BY 1 ORDER BY 1""",
        [community],
    ).fetchall()
    return [(str(d), int(n)) for d, n in rows]


def network_view(
    store: Store, communities: list[int], *, seed: int, max_nodes: int, max_edges: int
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Nodes with seeded layout positions, edges, account cards; sampled to the caps (and saying so)."""
    q = store.con.execute
    if not communities:
        return {"nodes": [], "edges": []}, {}, None
    placeholders = ", ".join("?" for _ in communities)
    nodes = q(
        f"""SELECT s.account_id, s.community, s.strength, s.eigenvector, s.core, a.handle
                  FROM account_scores s LEFT JOIN accounts a USING (platform, account_id)
                  WHERE s.community IN ({placeholders}) ORDER BY s.strength DESC, s.account_id""",
        communities,
    ).fetchall()
    note = None
    if len(nodes) > max_nodes:
        note = (
            f"The network view shows the {max_nodes:,} accounts with the highest strength of {len(nodes):,}; "
            "the tables and exports hold all of them."
        )
        nodes = nodes[:max_nodes]
    keep = {str(n[0]) for n in nodes}
    edges = [
        e
        for e in q(
            f"""SELECT e.account_a, e.account_b, e.weight, e.traces, e.shared_items, e.min_gap_s
                              FROM network_edges e
                              JOIN account_scores a ON a.account_id = e.account_a AND a.platform = e.platform
                              JOIN account_scores b ON b.account_id = e.account_b AND b.platform = e.platform
                              WHERE a.community IN ({placeholders}) AND b.community = a.community
                              ORDER BY e.weight DESC, e.account_a, e.account_b""",
            communities,
        ).fetchall()
        if str(e[0]) in keep and str(e[1]) in keep
    ]
    if len(edges) > max_edges:
        extra = f"the {max_edges:,} strongest of {len(edges):,} edges are drawn"
        note = f"{note} Also, {extra}." if note else f"In the network view, {extra}."
        edges = edges[:max_edges]
    names = [str(n[0]) for n in nodes]
    index = {n: i for i, n in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(index[str(a)], index[str(b)]) for a, b, *_ in edges])
    ig.set_random_number_generator(random.Random(seed))
    layout = g.layout_fruchterman_reingold(weights=[float(e[2]) for e in edges] or None, niter=300) if names else []
    comm_color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(communities)}
    graph = {
        "nodes": [
            {
                "id": str(n[0]),
                "label": n[5] or str(n[0]),
                "community": int(n[1]),
                "strength": float(n[2]),
                "core": bool(n[4]),
                "x": float(layout[i][0]),
                "y": float(layout[i][1]),
                "color": comm_color[int(n[1])],
            }
            for i, n in enumerate(nodes)
        ],
        "edges": [
            {
                "source": str(a),
                "target": str(b),
                "weight": float(w),
                "traces": list(t),
                "color": TRACE_COLORS.get(next(iter(t)), "#999999"),
            }
            for a, b, w, t, *_ in edges
        ],
        "trace_colors": TRACE_COLORS,
    }
    cards = account_cards(store, names)
    return graph, cards, note


def account_cards(store: Store, accounts: list[str], links: int = 5) -> dict[str, Any]:
    """Compact cards for the accounts in view: profile, scores, strongest links, fired signals."""
    if not accounts:
        return {}
    q = store.con.execute
    store.con.execute("CREATE OR REPLACE TEMP TABLE card_ids (account_id VARCHAR)")
    store.con.executemany("INSERT INTO card_ids VALUES (?)", [[a] for a in accounts])
    cards: dict[str, Any] = {}
    for acc, handle, name, desc, loc, created, followers, comm, strength, eig, core in q(
        """SELECT s.account_id, a.handle, a.display_name, a.description, a.location, CAST(a.created_at AS VARCHAR),
                  a.followers, s.community, s.strength, s.eigenvector, s.core
           FROM account_scores s SEMI JOIN card_ids c USING (account_id)
           LEFT JOIN accounts a USING (platform, account_id)"""
    ).fetchall():
        cards[str(acc)] = {
            "account": acc,
            "handle": handle,
            "name": name,
            "bio": desc,
            "location": loc,
            "created": created,
            "followers": followers,
            "community": comm,
            "strength": round(float(strength), 3),
            "eigenvector": round(float(eig), 3),
            "core": bool(core),
            "links": [],
            "signals": [],
        }
    for acc, other, traces, weight, shared, gap in q(
        """SELECT acc, other, traces, weight, shared_items, min_gap_s FROM (
             SELECT account_a AS acc, account_b AS other, traces, weight, shared_items, min_gap_s FROM network_edges
             UNION ALL SELECT account_b, account_a, traces, weight, shared_items, min_gap_s FROM network_edges)
           SEMI JOIN card_ids c ON c.account_id = acc
           QUALIFY row_number() OVER (PARTITION BY acc ORDER BY weight DESC, other) <= ?""",
        [links],
    ).fetchall():
        cards[str(acc)]["links"].append(
            {
                "account": other,
                "traces": list(traces),
                "weight": round(float(weight), 3),
                "shared_items": int(shared),
                "min_gap_s": float(gap),
            }
        )
    for subject, signal, value, baseline in q(
        """SELECT subject, signal, value, baseline FROM signals SEMI JOIN card_ids c ON c.account_id = subject
           WHERE scope = 'account' AND fired ORDER BY signal"""
    ).fetchall():
        cards[str(subject)]["signals"].append({"signal": signal, "value": value, "baseline": baseline})
    store.con.execute("DROP TABLE card_ids")
    return cards
