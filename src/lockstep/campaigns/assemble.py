"""Campaigns: each community with enough accounts, characterised in ABC(DE) form with DISARM techniques.

Actors, Behaviour, Content (Francois 2019), Distribution (Alaphilippe 2020) and Degree/Effect (Pamment
2020), answered from the data:

* **Actors**: accounts, core accounts (eigenvector pruning), creation batches, persona templates, followers;
* **Behaviour**: traces with edge counts, coordination score and null-model standing, schedule fingerprint;
* **Content**: narratives (the shared items most of the campaign's accounts acted on, with an example post),
  top terms (by log-odds against the rest of the store), hashtags, domains, languages;
* **Distribution**: platforms; targets (accounts most mentioned and replied to);
* **Effect**: interactions received from inside vs outside, other communities reached, and a Breakout Scale
  category (Nimmo 2020) with its reason. Categories 4-6 need evidence outside platform data (media pick-up,
  celebrity amplification, policy response): the reason says so rather than guessing.

Every fired signal and every trace maps to DISARM techniques (:mod:`lockstep.campaigns.disarm`) with the
evidence that supports it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from lockstep.campaigns.disarm import technique_name
from lockstep.campaigns.terms import STOPWORDS, TERM_SAMPLE, TermBackground, count_words
from lockstep.signals import SIGNALS
from lockstep.store.store import Store
from lockstep.traces import TRACES, traces_where
from lockstep.traces.cross_platform import CROSS_PLATFORM, account_sql, evidence_rows, platform_sql

__all__ = ["STOPWORDS", "CampaignReport", "TermBackground", "assemble_campaigns", "build_campaigns"]

#: Traces that say two accounts are one persona, not that they acted together.
IDENTITY_ONLY_TRACES = frozenset({"cross-platform-persona"})


@dataclass(frozen=True)
class CampaignReport:
    """What :func:`assemble_campaigns` wrote: how many campaigns, and what their top terms were scored against
    (``None`` when there are no campaigns)."""

    campaigns: int
    term_background: TermBackground | None


def build_campaigns(
    store: Store, *, min_accounts: int = 3, top: int = 10, seed: int = 0, term_sample: int = TERM_SAMPLE
) -> int:
    """Write ``campaigns`` (see :func:`assemble_campaigns`); return how many."""
    return assemble_campaigns(store, min_accounts=min_accounts, top=top, seed=seed, term_sample=term_sample).campaigns


def assemble_campaigns(
    store: Store, *, min_accounts: int = 3, top: int = 10, seed: int = 0, term_sample: int = TERM_SAMPLE
) -> CampaignReport:
    """Write ``campaigns`` (one row per community with ``min_accounts``+ accounts).

    Every part of every summary is computed for all campaigns at once (one grouped query per part, top-N by
    window function), so the cost is a few scans of the store however many campaigns there are: a query per
    campaign made this step quadratic (thousands of communities x full scans of the posts at 10M posts).
    Top terms are scored against the rest of the store; when it holds more than ``term_sample`` original
    posts, their word counts are estimated from a ``seed``-ed sample of that size (:func:`_count_words`).
    """
    con = store.con
    comms = con.execute(
        "SELECT community, platform, accounts, edges, density, mean_weight, traces, significant_share, "
        "coordination_score FROM communities WHERE accounts >= ? ORDER BY coordination_score DESC, community",
        [min_accounts],
    ).fetchall()
    # A persona match is identity evidence, not coordination: one person with the same name on three
    # platforms is not a campaign. Communities linked by persona matches alone are not reported.
    comms = [c for c in comms if not set(c[6]) <= IDENTITY_ONLY_TRACES]
    parts, background = _gather(store, min_accounts, top, seed, term_sample) if comms else ({}, None)
    cross = bool(comms) and _has_cross_platform_edges(store)
    rows = []
    for rank, (cid, platform, n_acc, n_edges, density, mean_w, traces, sig_share, score) in enumerate(comms, 1):
        summary = _summary(store, parts, int(cid), str(platform), top, cross)
        if background is not None and not background.exact:  # say the baseline is an estimate
            summary["content"]["top_terms_background"] = {
                "posts": background.posts,
                "sampled": background.sampled,
                "seed": background.seed,
            }
        summary["behaviour"].update(
            edges=int(n_edges),
            density=float(density),
            mean_fused_weight=float(mean_w),
            significant_edge_share=float(sig_share),
            coordination_score=float(score),
        )
        rows.append(
            (
                int(cid),
                rank,
                str(platform),
                int(n_acc),
                float(score),
                float(sig_share),
                list(traces),
                summary["effect"]["breakout_category"],
                summary["effect"]["breakout_reason"],
                json.dumps([t["id"] for t in summary["techniques"]]),
                json.dumps(summary, default=str),
            )
        )
    for t in ("camp_members", "camp_posts", "camp_words", "camp_word_totals"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    with store.transaction() as c:
        c.execute("DELETE FROM campaigns")
        if rows:
            c.executemany("INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [list(r) for r in rows])
    return CampaignReport(len(rows), background if rows else None)


Parts = dict[str, dict[int, list[tuple[Any, ...]]]]


def _grouped(con: Any, sql: str, params: list[Any] | dict[str, Any] | None = None) -> dict[int, list[tuple[Any, ...]]]:
    """Rows of ``sql`` (first column the community) grouped by community, order kept."""
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in con.execute(sql, params or []).fetchall():
        out[int(row[0])].append(tuple(row[1:]))
    return out


def _top(sql: str, order: str) -> str:
    """Keep the first ``$top`` rows per community of ``sql`` under ``order``, in that order."""
    return (
        f"SELECT * FROM ({sql}) QUALIFY row_number() OVER (PARTITION BY community ORDER BY {order}) <= $top "
        f"ORDER BY community, {order}"
    )


def _gather(store: Store, min_accounts: int, top: int, seed: int, term_sample: int) -> tuple[Parts, TermBackground]:
    """Every summary part for every campaign, keyed by part then community, and the top terms' background."""
    con = store.con
    con.execute(
        """CREATE OR REPLACE TEMP TABLE camp_members AS
        SELECT s.platform, s.account_id, s.community, s.core, s.eigenvector FROM account_scores s
        SEMI JOIN (SELECT community FROM communities WHERE accounts >= ?) c ON c.community = s.community""",
        [min_accounts],
    )
    # the members' posts found by their keys alone (row ids), then only those rows read whole: joining ``posts`` to
    # the members directly read every column of every post (text, hashtags, mentions) for the 2% that match
    # (10M-post world: 200k posts, 2.1 -> 1.4 s of CPU, the same rows)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE camp_posts AS
        WITH hit AS MATERIALIZED (
          SELECT p.rowid AS rid, m.community FROM posts p
          JOIN camp_members m ON m.platform = p.platform AND m.account_id = p.account_id)
        SELECT h.community, p.platform, p.post_id, p.account_id, p.created_at, p.text, p.language, p.kind,
               p.parent_account_id, p.hashtags, p.mentions, p.like_count, p.repost_count
        FROM posts p JOIN hit h ON p.rowid = h.rid"""
    )
    background = count_words(con, seed, term_sample)
    t: dict[str, Any] = {"top": top}
    q = _grouped
    parts: Parts = {}
    parts["actors"] = q(
        con,
        """SELECT s.community, count(*), count(*) FILTER (WHERE s.core), min(a.created_at), max(a.created_at),
                  median(a.followers), avg(CASE WHEN a.followers = 0 THEN 1.0 END)
           FROM camp_members s LEFT JOIN accounts a USING (platform, account_id) GROUP BY s.community""",
    )
    parts["core"] = q(
        con,
        _top("SELECT community, account_id, eigenvector FROM camp_members", "eigenvector DESC, account_id"),
        t,
    )
    parts["traces"] = q(
        con,
        """SELECT a.community, e.trace, count(*), sum(e.shared_items), min(e.p_value) FROM edges e
           JOIN camp_members a ON a.platform = e.platform AND a.account_id = e.account_a
           JOIN camp_members b ON b.platform = e.platform AND b.account_id = e.account_b
           WHERE a.community = b.community GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2""",
    )
    parts["signals"] = q(
        con,
        """SELECT CAST(m.community AS BIGINT), s.signal, s.value, s.baseline, s.fired, s.detail FROM signals s
           JOIN (SELECT DISTINCT community, platform FROM camp_members) m
             ON s.subject = CAST(m.community AS VARCHAR) AND s.platform = m.platform
           WHERE s.scope = 'community' ORDER BY 1, 2""",
    )
    parts["account_signals"] = q(
        con,
        """SELECT m.community, s.signal, count(*) AS n FROM signals s
           JOIN camp_members m ON m.platform = s.platform AND m.account_id = s.subject
           WHERE s.scope = 'account' AND s.fired GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2""",
    )
    narratives = _top(
        """SELECT community, trace, item, count(DISTINCT (platform, member)) AS accounts, count(*) AS coactions,
                  min(post_a) AS example_post, arg_min(platform, post_a) AS example_platform FROM (
             SELECT m.community, e.platform, e.trace, e.item, e.post_a, e.account_a AS member FROM evidence e
             JOIN camp_members m ON m.platform = e.platform AND m.account_id = e.account_a
             WHERE list_contains($narrative_traces, e.trace)
             UNION ALL
             SELECT m.community, e.platform, e.trace, e.item, e.post_a, e.account_b AS member FROM evidence e
             JOIN camp_members m ON m.platform = e.platform AND m.account_id = e.account_b
             WHERE list_contains($narrative_traces, e.trace))
           GROUP BY 1, 2, 3""",
        "accounts DESC, coactions DESC, trace, item",
    )
    parts["narratives"] = q(
        con,
        f"""SELECT n.community, n.trace, n.item, n.accounts, n.coactions, p.text, n.example_post
            FROM ({narratives}) n
            LEFT JOIN posts p ON p.platform = n.example_platform AND p.post_id = n.example_post
            ORDER BY n.community, n.accounts DESC, n.coactions DESC, n.trace, n.item""",
        {**t, "narrative_traces": traces_where(narrative=True)},
    )
    parts["platforms"] = q(con, "SELECT DISTINCT community, platform FROM camp_members ORDER BY 1, 2")
    parts["hashtags"] = q(
        con,
        _top(
            """SELECT community, lower(h) AS tag, count(*) AS n FROM (
                 SELECT community, unnest(hashtags) AS h FROM camp_posts) GROUP BY 1, 2""",
            "n DESC, tag",
        ),
        t,
    )
    parts["domains"] = q(
        con,
        _top(
            """SELECT p.community, u.domain, count(*) AS n FROM post_urls u
               JOIN camp_posts p USING (platform, post_id) WHERE u.domain IS NOT NULL GROUP BY 1, 2""",
            "n DESC, domain",
        ),
        t,
    )
    parts["languages"] = q(
        con,
        _top(
            "SELECT community, coalesce(language, 'und') AS lang, count(*) AS n FROM camp_posts GROUP BY 1, 2",
            "n DESC, lang",
        ),
        t,
    )
    parts["terms"] = q(
        con,
        _top(
            """WITH a AS (SELECT community, word, n AS a FROM camp_words WHERE community IS NOT NULL),
            c AS (SELECT a.community, a.word, a.a, t.n - a.a AS b FROM a JOIN camp_word_totals t USING (word)),
            tot AS (SELECT community, sum(a) AS ta, sum(b) AS tb FROM c GROUP BY community)
            SELECT community, word, a, ln((a + 0.5) / (ta - a + 0.5)) - ln((b + 0.5) / (tb - b + 0.5)) AS lor
            FROM c JOIN tot USING (community) WHERE a >= 3""",
            "lor DESC, a DESC, word",
        ),
        t,
    )
    parts["mentions"] = q(
        con,
        _top(
            """SELECT community, lower(x) AS target, count(*) AS n FROM (
                 SELECT community, unnest(mentions) AS x FROM camp_posts WHERE kind <> 'repost') GROUP BY 1, 2""",
            "n DESC, target",
        ),
        t,
    )
    parts["replied"] = q(
        con,
        _top(
            """SELECT p.community, p.parent_account_id AS target, count(*) AS n FROM camp_posts p
               WHERE p.kind = 'reply' AND p.parent_account_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM camp_members m WHERE m.community = p.community
                                 AND m.account_id = p.parent_account_id)
               GROUP BY 1, 2""",
            "n DESC, target",
        ),
        t,
    )
    parts["effect"] = q(
        con,
        """SELECT c, count(*) FILTER (WHERE inside), count(*) FILTER (WHERE NOT inside),
                  count(DISTINCT account_id) FILTER (WHERE NOT inside),
                  count(DISTINCT actor_community) FILTER (WHERE NOT inside AND actor_community IS NOT NULL)
           FROM (SELECT m.community AS c, p.account_id, s.community AS actor_community,
                        coalesce(s.community = m.community, false) AS inside
                 FROM posts p JOIN camp_members m ON m.platform = p.platform AND m.account_id = p.parent_account_id
                 LEFT JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
                 WHERE p.kind IN ('repost', 'reply', 'quote') AND p.account_id <> p.parent_account_id)
           GROUP BY c""",
    )
    parts["counts"] = q(
        con,
        """SELECT community, count(*), min(created_at), max(created_at), sum(like_count), sum(repost_count)
           FROM camp_posts GROUP BY community""",
    )
    return parts, background


def _summary(store: Store, parts: Parts, cid: int, platform: str, top: int, cross: bool) -> dict[str, Any]:
    actors_row = (parts["actors"].get(cid) or [(0, 0, None, None, None, None)])[0]
    core = [r[0] for r in parts["core"].get(cid, [])]
    trace_counts = parts["traces"].get(cid, [])
    if cross:
        trace_counts = _with_cross_platform_counts(store, cid, trace_counts)
    platforms = [str(r[0]) for r in parts["platforms"].get(cid, [])] or [platform]
    signals = parts["signals"].get(cid, [])
    account_signals = [(s, n) for s, n in parts["account_signals"].get(cid, [])]
    narratives = parts["narratives"].get(cid, [])
    hashtags = parts["hashtags"].get(cid, [])
    domains = parts["domains"].get(cid, [])
    languages = parts["languages"].get(cid, [])
    terms = [[w, int(a), round(float(s), 3)] for w, a, s in parts["terms"].get(cid, [])]
    mentions = parts["mentions"].get(cid, [])
    replied = parts["replied"].get(cid, [])
    effect = (parts["effect"].get(cid) or [(0, 0, 0, 0)])[0]
    counts = (parts["counts"].get(cid) or [(0, None, None, None, None)])[0]
    inside, outside, outside_accounts, reached = (int(x or 0) for x in effect)
    category, reason = _breakout(len(platforms), inside, outside, outside_accounts, reached)
    techniques = _techniques([t for t, *_ in trace_counts], signals, account_signals)
    fingerprint = {
        s[0]: {"value": s[1], "baseline": s[2], "fired": s[3], "detail": json.loads(s[4]) if s[4] else None}
        for s in signals
    }
    return {
        "campaign": cid,
        "platforms": platforms,
        "period": {"first_post": counts[1], "last_post": counts[2], "posts": int(counts[0] or 0)},
        "actors": {
            "accounts": int(actors_row[0] or 0),
            "core_accounts": int(actors_row[1] or 0),
            "top_accounts": core,
            "created_first": actors_row[2],
            "created_last": actors_row[3],
            "median_followers": actors_row[4],
            "zero_follower_share": actors_row[5],
            "accounts_flagged_by_signal": dict(account_signals),
        },
        "behaviour": {
            "traces": [
                {"trace": t, "edges": int(n), "shared_items": int(si or 0), "best_p_value": p}
                for t, n, si, p in trace_counts
            ],
            "signals": fingerprint,
        },
        "content": {
            "narratives": [
                {"trace": t, "item": i, "accounts": int(a), "coactions": int(c), "example": ex, "example_post": ep}
                for t, i, a, c, ex, ep in narratives
            ],
            "top_terms": terms,
            "hashtags": [[h, int(n)] for h, n in hashtags],
            "domains": [[d, int(n)] for d, n in domains],
            "languages": [[lg, int(n)] for lg, n in languages],
        },
        "distribution": {
            "platforms": platforms,
            "targets_mentioned": [[t, int(n)] for t, n in mentions],
            "targets_replied_to": [[t, int(n)] for t, n in replied],
        },
        "effect": {
            "interactions_from_inside": inside,
            "interactions_from_outside": outside,
            "outside_accounts": outside_accounts,
            "other_communities_reached": reached,
            "likes_received": counts[3],
            "reposts_received": counts[4],
            "breakout_category": category,
            "breakout_reason": reason,
        },
        "techniques": techniques,
        "cross_platform": _cross_platform(store, cid, top) if len(platforms) > 1 else [],
    }


def _has_cross_platform_edges(store: Store) -> bool:
    """Whether any cross-platform trace left edges (campaign summaries then count them too)."""
    row = store.con.execute("SELECT count(*) FROM edges WHERE platform = ?", [CROSS_PLATFORM]).fetchone()
    return bool(row and row[0])


def _with_cross_platform_counts(store: Store, cid: int, counts: list[Any]) -> list[Any]:
    """``counts`` (trace, edges, shared items, best p) plus the cross-platform traces' edges inside ``cid``.

    Cross-platform edges name accounts as ``platform:account_id`` (:mod:`lockstep.traces.cross_platform`).
    """
    pa, aa, pb, ab = (f(c) for c in ("e.account_a", "e.account_b") for f in (platform_sql, account_sql))
    extra = store.con.execute(
        f"""SELECT e.trace, count(*), sum(e.shared_items), min(e.p_value) FROM edges e
            SEMI JOIN account_scores a ON a.community = ? AND a.platform = {pa} AND a.account_id = {aa}
            SEMI JOIN account_scores b ON b.community = ? AND b.platform = {pb} AND b.account_id = {ab}
            WHERE e.platform = ? GROUP BY 1""",
        [cid, cid, CROSS_PLATFORM],
    ).fetchall()
    return sorted([*counts, *extra], key=lambda r: (-int(r[1]), str(r[0])))


def _cross_platform(store: Store, cid: int, top: int) -> list[dict[str, Any]]:
    """The campaign's cross-platform evidence: one row per co-action across platforms, both sides named."""
    members = [
        (str(p), str(a))
        for p, a in store.con.execute(
            "SELECT platform, account_id FROM account_scores WHERE community = ? ORDER BY 1, 2", [cid]
        ).fetchall()
    ]
    return evidence_rows(store.con, members, limit=top * 3)


def _breakout(platforms: int, inside: int, outside: int, outside_accounts: int, reached: int) -> tuple[int, str]:
    """Breakout Scale category (Nimmo 2020) supported by platform data, with the reason."""
    limits = "categories 4-6 need evidence beyond platform data (media, celebrity or policy pick-up)"
    if platforms > 1 and reached >= 2:
        return 3, f"on {platforms} platforms and engaged by {reached} other communities; {limits}"
    if platforms > 1 or reached >= 2:
        where = f"{platforms} platforms" if platforms > 1 else f"engaged by {reached} other communities"
        return 2, f"{where}; {limits}"
    total = inside + outside
    share = f"{outside}/{total} interactions from outside" if total else "no interactions recorded"
    return 1, f"one platform, at most one other community reached ({share}, {outside_accounts} outside accounts)"


def _techniques(
    traces: list[str], signals: list[tuple[Any, ...]], account_signals: list[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    found: dict[str, list[str]] = defaultdict(list)
    for t in traces:
        for tid in TRACES[t].techniques if t in TRACES else ():
            found[tid].append(f"trace {t}")
    fired = {str(s[0]) for s in signals if s[3]} | {str(s[0]) for s in account_signals}
    for name in sorted(fired):
        sig = SIGNALS.get(name.split(".")[0])
        if sig is None:
            continue
        for tid in sig.techniques_for(name):
            found[tid].append(f"signal {name}")
    return [{"id": tid, "name": technique_name(tid), "evidence": sorted(set(ev))} for tid, ev in sorted(found.items())]
