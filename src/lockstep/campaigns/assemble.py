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
from typing import Any

from lockstep.campaigns.disarm import technique_name
from lockstep.signals import SIGNALS
from lockstep.store.store import Store
from lockstep.traces import TRACES, traces_where
from lockstep.traces.cross_platform import CROSS_PLATFORM, account_sql, evidence_rows, platform_sql

STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "as",
        "not",
        "no",
        "but",
        "if",
        "so",
        "do",
        "does",
        "did",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "its",
        "i",
        "me",
        "my",
        "rt",
        "amp",
        "via",
        "just",
        "will",
        "can",
        "all",
        "has",
        "have",
        "had",
        "more",
        "than",
        "what",
        "who",
        "how",
        "why",
        "when",
        "where",
        "about",
        "out",
        "up",
        "new",
        "get",
        "one",
        "two",
    ]
)


#: Traces that say two accounts are one persona, not that they acted together.
IDENTITY_ONLY_TRACES = frozenset({"cross-platform-persona"})


def build_campaigns(store: Store, *, min_accounts: int = 3, top: int = 10) -> int:
    """Write ``campaigns`` (one row per community with ``min_accounts``+ accounts); return how many."""
    con = store.con
    comms = con.execute(
        "SELECT community, platform, accounts, edges, density, mean_weight, traces, significant_share, "
        "coordination_score FROM communities WHERE accounts >= ? ORDER BY coordination_score DESC, community",
        [min_accounts],
    ).fetchall()
    # A persona match is identity evidence, not coordination: one person with the same name on three
    # platforms is not a campaign. Communities linked by persona matches alone are not reported.
    comms = [c for c in comms if not set(c[6]) <= IDENTITY_ONLY_TRACES]
    _prepare(store)
    rows = []
    for rank, (cid, platform, n_acc, n_edges, density, mean_w, traces, sig_share, score) in enumerate(comms, 1):
        summary = _summary(store, int(cid), str(platform), list(traces), top)
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
    for t in ("camp_words", "camp_word_totals"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    with store.transaction() as c:
        c.execute("DELETE FROM campaigns")
        for r in rows:
            c.execute("INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(r))
    return len(rows)


def _prepare(store: Store) -> None:
    """Word counts per account, computed once for every campaign's top terms."""
    stop = ", ".join("'" + w + "'" for w in sorted(STOPWORDS))
    store.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE camp_words AS
        SELECT platform, account_id, word, count(*) AS n FROM (
          SELECT platform, account_id, lower(unnest(
                   regexp_extract_all(coalesce(text, ''), '[\\p{{L}}][\\p{{L}}\\p{{N}}_]{{2,}}'))) AS word
          FROM posts WHERE kind <> 'repost')
        WHERE word NOT IN ({stop}) AND NOT starts_with(word, 'http') GROUP BY ALL"""
    )
    store.con.execute(
        "CREATE OR REPLACE TEMP TABLE camp_word_totals AS SELECT word, sum(n) AS n FROM camp_words GROUP BY word"
    )


def _members(cid: int) -> str:
    return f"(SELECT platform, account_id FROM account_scores WHERE community = {int(cid)})"


def _summary(store: Store, cid: int, platform: str, traces: list[str], top: int) -> dict[str, Any]:
    q = store.con.execute
    m = _members(cid)
    actors_row = q(
        """SELECT count(*), count(*) FILTER (WHERE s.core), min(a.created_at), max(a.created_at),
                   median(a.followers), avg(CASE WHEN a.followers = 0 THEN 1.0 END)
            FROM account_scores s LEFT JOIN accounts a USING (platform, account_id) WHERE s.community = ?""",
        [cid],
    ).fetchone() or (0, 0, None, None, None, None)
    core = [
        r[0]
        for r in q(
            "SELECT account_id FROM account_scores WHERE community = ? ORDER BY eigenvector DESC, account_id LIMIT ?",
            [cid, top],
        ).fetchall()
    ]
    trace_counts = q(
        f"""SELECT e.trace, count(*), sum(e.shared_items), min(e.p_value) FROM edges e
            SEMI JOIN {m} a ON a.platform = e.platform AND a.account_id = e.account_a
            SEMI JOIN {m} b ON b.platform = e.platform AND b.account_id = e.account_b
            GROUP BY 1 ORDER BY 2 DESC"""
    ).fetchall()
    trace_counts = _with_cross_platform_counts(store, cid, trace_counts)
    platforms = [
        str(r[0])
        for r in q("SELECT DISTINCT platform FROM account_scores WHERE community = ? ORDER BY 1", [cid]).fetchall()
    ] or [platform]
    signals = q(
        """SELECT signal, value, baseline, fired, detail FROM signals
           WHERE scope = 'community' AND subject = ? AND platform = ? ORDER BY signal""",
        [str(cid), platform],
    ).fetchall()
    account_signals = q(
        f"""SELECT signal, count(*) FROM signals s
            SEMI JOIN {m} a ON a.platform = s.platform AND a.account_id = s.subject
            WHERE s.scope = 'account' AND s.fired GROUP BY 1 ORDER BY 2 DESC, 1"""
    ).fetchall()
    narratives = q(
        f"""SELECT e.trace, e.item, count(DISTINCT x.account_id) AS accounts, count(*) AS coactions,
                   any_value(p.text) AS example, any_value(p.post_id) AS example_post
            FROM (SELECT e.*, e.account_a AS member FROM evidence e
                  SEMI JOIN {m} a ON a.platform = e.platform AND a.account_id = e.account_a
                  UNION ALL
                  SELECT e.*, e.account_b AS member FROM evidence e
                  SEMI JOIN {m} b ON b.platform = e.platform AND b.account_id = e.account_b) e
            JOIN (SELECT platform, account_id FROM {m}) x ON x.platform = e.platform AND x.account_id = e.member
            LEFT JOIN posts p ON p.platform = e.platform AND p.post_id = e.post_a
            WHERE list_contains(?::VARCHAR[], e.trace)
            GROUP BY 1, 2 ORDER BY accounts DESC, coactions DESC, 1, 2 LIMIT ?""",
        [traces_where(narrative=True), top],
    ).fetchall()
    hashtags = q(
        f"""SELECT lower(h) AS tag, count(*) n FROM (SELECT unnest(hashtags) AS h FROM posts p
            SEMI JOIN {m} a ON a.platform = p.platform AND a.account_id = p.account_id) GROUP BY 1 ORDER BY 2 DESC, 1
            LIMIT ?""",
        [top],
    ).fetchall()
    domains = q(
        f"""SELECT u.domain, count(*) n FROM post_urls u JOIN posts p USING (platform, post_id)
            SEMI JOIN {m} a ON a.platform = p.platform AND a.account_id = p.account_id
            WHERE u.domain IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?""",
        [top],
    ).fetchall()
    languages = q(
        f"""SELECT coalesce(language, 'und'), count(*) n FROM posts p
            SEMI JOIN {m} a ON a.platform = p.platform AND a.account_id = p.account_id GROUP BY 1 ORDER BY 2 DESC, 1
            LIMIT ?""",
        [top],
    ).fetchall()
    terms = _top_terms(store, m, top)
    mentions = q(
        f"""SELECT lower(x) AS target, count(*) n FROM (SELECT unnest(mentions) AS x FROM posts p
            SEMI JOIN {m} a ON a.platform = p.platform AND a.account_id = p.account_id
            WHERE p.kind <> 'repost') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?""",
        [top],
    ).fetchall()
    replied = q(
        f"""SELECT p.parent_account_id, count(*) n FROM posts p
            SEMI JOIN {m} a ON a.platform = p.platform AND a.account_id = p.account_id
            WHERE p.kind = 'reply' AND p.parent_account_id IS NOT NULL
              AND p.parent_account_id NOT IN (SELECT account_id FROM {m})
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?""",
        [top],
    ).fetchall()
    effect = q(
        f"""SELECT count(*) FILTER (WHERE inside), count(*) FILTER (WHERE NOT inside),
                   count(DISTINCT p.account_id) FILTER (WHERE NOT inside),
                   count(DISTINCT s.community) FILTER (WHERE NOT inside AND s.community IS NOT NULL)
            FROM (SELECT p.*, p.account_id IN (SELECT account_id FROM {m}) AS inside FROM posts p
                  WHERE p.kind IN ('repost', 'reply', 'quote') AND p.parent_account_id IN (SELECT account_id FROM {m})
                    AND p.account_id <> p.parent_account_id AND p.platform = ?) p
            LEFT JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id""",
        [platform],
    ).fetchone() or (0, 0, 0, 0)
    counts = q(
        f"""SELECT count(*), min(created_at), max(created_at), sum(like_count), sum(repost_count) FROM posts p
            SEMI JOIN {m} a ON a.platform = p.platform AND a.account_id = p.account_id"""
    ).fetchone() or (0, None, None, None, None)
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


def _top_terms(store: Store, members: str, top: int) -> list[list[Any]]:
    """Words over-represented in the campaign's posts against the rest (smoothed log-odds ratio)."""
    rows = store.con.execute(
        f"""WITH a AS (SELECT word, sum(n) AS a FROM camp_words w
                     SEMI JOIN {members} m ON m.platform = w.platform AND m.account_id = w.account_id GROUP BY word),
        c AS (SELECT a.word, a.a, t.n - a.a AS b FROM a JOIN camp_word_totals t USING (word)),
        tot AS (SELECT sum(a) AS ta, sum(b) AS tb FROM c)
        SELECT word, a, ln((a + 0.5) / (ta - a + 0.5)) - ln((b + 0.5) / (tb - b + 0.5)) AS lor
        FROM c, tot WHERE a >= 3 ORDER BY lor DESC, a DESC, word LIMIT ?""",
        [top],
    ).fetchall()
    return [[w, int(a), round(float(s), 3)] for w, a, s in rows]


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
