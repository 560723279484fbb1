"""Gather what a report shows from the store: overview, provenance, campaigns, the network view, cards."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import igraph as ig

from lockstep import __version__
from lockstep.campaigns.naming import campaign_name, confidence_words
from lockstep.errors import InputError
from lockstep.reporting.evidence import (
    account_creation,
    campaign_zone,
    evidence_pairs,
    example_posts,
    fmt_ts,
    inter_campaign_edges,
    link_items,
)
from lockstep.store.store import Store
from lockstep.traces import TRACES
from lockstep.traces.cross_platform import decoded_network_edges

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


def trace_colour(name: str) -> str:
    """The report colour of trace ``name`` (grey for a trace this version does not know)."""
    trace = TRACES.get(name)
    return trace.colour if trace else "#999999"


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
    show_paths: bool = False,
    pairs: int = 6,
) -> ReportData:
    """Read the report's content from ``store``.

    ``campaign`` is a campaign *rank* number, as ``lockstep campaigns`` and ``explain`` print it (only that
    campaign); ``show_paths`` keeps the sources' full local paths (default: file names only); ``pairs``: how
    many co-action pairs each campaign shows side by side.
    """
    q = store.con.execute
    info = store.info()
    camp_rows = q(
        "SELECT campaign, rank, summary FROM campaigns " + ("WHERE rank = ? " if campaign else "") + "ORDER BY rank",
        [campaign] if campaign else [],
    ).fetchall()
    if campaign and not camp_rows:
        raise InputError(f"no campaign #{campaign}; `lockstep campaigns` lists the campaign numbers")
    data = ReportData(
        title="Lockstep report" + (f": campaign #{campaign}" if campaign else ""),
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        tool_version=__version__,
        overview={
            "posts": info.posts,
            "accounts": info.accounts,
            "first_post": fmt_ts(info.first_post),
            "last_post": fmt_ts(info.last_post),
            "by_platform": info.by_platform,
            "by_kind": info.by_kind,
            "by_language": info.by_language,
            "quarantined": info.quarantined,
            "quarantine_by_reason": info.quarantine_by_reason,
        },
        provenance=provenance(store, show_paths=show_paths),
    )
    for cid, rank, summary in camp_rows:
        s = json.loads(summary)
        s["rank"] = int(rank)
        s["name"] = campaign_name(s)
        s["confidence"], s["confidence_reason"] = confidence_words(s)
        s["period"]["first_post"] = fmt_ts(s["period"].get("first_post"))
        s["period"]["last_post"] = fmt_ts(s["period"].get("last_post"))
        s["zone"] = campaign_zone(store, int(cid), s, tz_offset_hours)
        s["heatmap"] = heatmap(store, int(cid), s["zone"]["offset_hours"])
        s["timeline"] = timeline(store, int(cid))
        s["created"] = account_creation(store, int(cid))
        s["evidence"] = evidence_pairs(store, int(cid), limit=pairs)
        s["examples"] = example_posts(store, int(cid), s)
        data.campaigns.append(s)
    ids = [int(c[0]) for c in camp_rows]
    data.graph, data.cards, note = network_view(store, ids, seed=seed, max_nodes=max_nodes, max_edges=max_edges)
    labels = {int(c["campaign"]): (int(c["rank"]), str(c["name"])) for c in data.campaigns}
    for card in data.cards.values():
        card["campaign"] = labels[int(card["community"])][0] if int(card["community"]) in labels else None
    data.graph["communities"] = [
        {"community": cid, "rank": labels[cid][0], "name": labels[cid][1], "color": PALETTE[i % len(PALETTE)]}
        for i, cid in enumerate(ids)
    ]
    if note:
        data.notes.append(note)
    return data


def provenance(store: Store, *, show_paths: bool = False) -> dict[str, Any]:
    """Tool version, sources with fingerprints, detection and community parameters.

    Source paths are reduced to their file names unless ``show_paths``: a published report should not reveal
    the investigator's local folders.
    """
    q = store.con.execute
    return {
        "sources": [
            dict(
                zip(
                    ("path", "sha256", "format", "rows_read", "posts_stored", "quarantined", "batch_id"),
                    (r[0] if show_paths else PurePath(str(r[0])).name, *r[1:]),
                    strict=True,
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
                              FROM {decoded_network_edges()} e
                              JOIN account_scores a ON a.account_id = e.account_a AND a.platform = e.platform_a
                              JOIN account_scores b ON b.account_id = e.account_b AND b.platform = e.platform_b
                              WHERE a.community IN ({placeholders}) AND b.community = a.community
                              ORDER BY e.weight DESC, e.account_a, e.account_b""",
            communities,
        ).fetchall()
        if str(e[0]) in keep and str(e[1]) in keep
    ]
    inter = inter_campaign_edges(store, communities, keep)
    if len(edges) > max_edges:
        extra = f"the {max_edges:,} strongest of {len(edges):,} edges are drawn"
        note = f"{note} Also, {extra}." if note else f"In the network view, {extra}."
        edges = edges[:max_edges]
    names = [str(n[0]) for n in nodes]
    index = {n: i for i, n in enumerate(names)}
    # Inter-campaign links pull related clusters together in the layout (weakly) and are drawn faded.
    g = ig.Graph(n=len(names), edges=[(index[str(a)], index[str(b)]) for a, b, *_ in [*edges, *inter]])
    ig.set_random_number_generator(random.Random(seed))
    weights = [float(e[2]) for e in edges] + [0.2 * float(e[2]) for e in inter]
    layout = g.layout_fruchterman_reingold(weights=weights or None, niter=300) if names else []
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
                "color": trace_colour(next(iter(t))),
                "inter": False,
            }
            for a, b, w, t, *_ in edges
        ]
        + [
            {
                "source": str(a),
                "target": str(b),
                "weight": float(w),
                "traces": list(t),
                "color": "#bbbbbb",
                "inter": True,
            }
            for a, b, w, t, *_ in inter
        ],
        "trace_colors": {name: trace.colour for name, trace in sorted(TRACES.items())},
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
            "created": fmt_ts(created) if created else None,
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
                "handle": None,
                "items": [],
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
    link_items(store, cards)
    store.con.execute("DROP TABLE card_ids")
    return cards
