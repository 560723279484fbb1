"""The posts behind the report's claims: co-action pairs side by side, example posts, creation dates, zones.

Published network findings (Graphika, DFRLab, ISD) show, for each claim, the posts that support it: two accounts'
posts side by side with their times, example posts per narrative, account-creation dates, activity in one named
time zone. This module reads those from the store for :mod:`lockstep.reporting.data`. Everything returned is data;
the template escapes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lockstep.reporting.safe import safe_href
from lockstep.store.store import Store

#: A representative place for whole-hour UTC offsets (winter time), used only to name a heatmap's zone.
ZONE_NAMES: dict[float, str] = {
    -8.0: "US Pacific",
    -7.0: "US Mountain",
    -6.0: "US Central",
    -5.0: "US Eastern",
    -3.0: "Buenos Aires, São Paulo",
    0.0: "UTC, London",
    1.0: "Central Europe",
    2.0: "Eastern Europe, Kyiv",
    3.0: "Moscow, St Petersburg",
    3.5: "Tehran",
    4.0: "Dubai, Baku",
    5.0: "Pakistan",
    5.5: "India",
    7.0: "Bangkok, Jakarta",
    8.0: "China, Singapore",
    9.0: "Korea, Japan",
    10.0: "Eastern Australia",
}


def fmt_ts(value: Any) -> str | None:
    """A timestamp to the second (``YYYY-MM-DD HH:MM:SS``); ``None`` stays ``None``.

    Examples:
        >>> fmt_ts("2015-02-16 17:43:00.123456"), fmt_ts(dt.datetime(2015, 2, 16, 17, 43, 5, 99)), fmt_ts(None)
        ('2015-02-16 17:43:00', '2015-02-16 17:43:05', None)
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text.split(".", 1)[0] if len(text) > 19 and text[19] == "." else text


def zone_label(offset_hours: float) -> str:
    """``UTC+3 (Moscow, St Petersburg)``: the offset and, where known, a place that keeps it.

    Examples:
        >>> zone_label(-6.0), zone_label(5.75)
        ('UTC-6 (US Central)', 'UTC+5.75')
    """
    sign = "+" if offset_hours >= 0 else "-"
    base = f"UTC{sign}{abs(offset_hours):g}"
    place = ZONE_NAMES.get(float(offset_hours))
    return f"{base} ({place})" if place else base


def _campaign_columns(store: Store) -> set[str]:
    rows = store.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'campaigns'"
    ).fetchall()
    return {str(r[0]) for r in rows}


def campaign_zone(store: Store, community: int, summary: dict[str, Any], forced: float | None) -> dict[str, Any]:
    """The one time zone a campaign's heatmap is drawn in: ``forced`` (``--tz``), else the stored inferred zone
    (a ``campaigns`` time-zone column, when the store has one), else the calendar signal's inferred offset,
    else UTC."""
    if forced is not None:
        return {"offset_hours": float(forced), "label": zone_label(float(forced)), "source": "chosen with --tz"}
    cols = _campaign_columns(store)
    for col in ("tz_offset_hours", "inferred_tz_offset", "utc_offset_hours"):
        if col in cols:
            row = store.con.execute(f'SELECT "{col}" FROM campaigns WHERE campaign = ?', [community]).fetchone()
            if row and row[0] is not None:
                off = float(row[0])
                return {"offset_hours": off, "label": zone_label(off), "source": "inferred from posting hours"}
    signal = (summary.get("behaviour") or {}).get("signals", {}).get("calendar.inferred_offset")
    if signal and signal.get("value") is not None:
        off = float(signal["value"])
        return {"offset_hours": off, "label": zone_label(off), "source": "inferred from posting hours"}
    return {"offset_hours": 0.0, "label": zone_label(0.0), "source": "no zone inferred; UTC"}


def post_link(platform: str, post_id: str, derived: bool | None, handle: str | None) -> str | None:
    """The public address of a post where its id allows one (Twitter/X numeric ids, Bluesky at:// URIs).

    Examples:
        >>> post_link("twitter", "5704", False, "a"), post_link("twitter", "h:9f", True, None)
        ('https://twitter.com/a/status/5704', None)
        >>> post_link("bluesky", "at://did:plc:x/app.bsky.feed.post/3k", False, None)
        'https://bsky.app/profile/did:plc:x/post/3k'
    """
    if derived:
        return None
    if platform in ("twitter", "x") and post_id.isdigit():
        who = handle if handle and handle.replace("_", "").isalnum() else "i/web"
        return f"https://twitter.com/{who}/status/{post_id}"
    if platform == "bluesky" and post_id.startswith("at://"):
        parts = post_id[5:].split("/")
        if len(parts) == 3 and parts[1] == "app.bsky.feed.post":
            return safe_href(f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}")
    return None


def evidence_pairs(store: Store, community: int, *, limit: int = 6) -> list[dict[str, Any]]:
    """The strongest co-actions inside a campaign: one per account pair, strongest pairs first, each with both
    posts (text, time, link), the shared item and the gap."""
    rows = store.con.execute(
        """WITH ev AS (
             SELECT e.trace, e.platform, e.account_a, e.account_b, e.item, e.post_a, e.post_b, e.time_a, e.time_b,
                    e.gap_s, n.weight
             FROM evidence e
             JOIN account_scores sa ON sa.platform = e.platform AND sa.account_id = e.account_a AND sa.community = ?
             JOIN account_scores sb ON sb.platform = e.platform AND sb.account_id = e.account_b AND sb.community = ?
             JOIN network_edges n ON n.platform = e.platform AND n.account_a = e.account_a
                                 AND n.account_b = e.account_b
             QUALIFY row_number() OVER (PARTITION BY e.platform, e.account_a, e.account_b
                                        ORDER BY e.gap_s, e.time_a, e.trace, e.item) = 1)
           SELECT ev.trace, ev.platform, ev.item, ev.gap_s, ev.weight,
                  ev.account_a, aa.handle, ev.post_a, ev.time_a, pa.text, pa.post_id_derived,
                  ev.account_b, ab.handle, ev.post_b, ev.time_b, pb.text, pb.post_id_derived
           FROM ev
           LEFT JOIN accounts aa ON aa.platform = ev.platform AND aa.account_id = ev.account_a
           LEFT JOIN accounts ab ON ab.platform = ev.platform AND ab.account_id = ev.account_b
           LEFT JOIN posts pa ON pa.platform = ev.platform AND pa.post_id = ev.post_a
           LEFT JOIN posts pb ON pb.platform = ev.platform AND pb.post_id = ev.post_b
           ORDER BY ev.weight DESC, ev.gap_s, ev.account_a, ev.account_b LIMIT ?""",
        [community, community, limit],
    ).fetchall()
    out = []
    for trace, platform, item, gap, weight, *sides in rows:
        posts = []
        for acc, handle, post, time, text, derived in (sides[:6], sides[6:]):
            posts.append(
                {
                    "account": str(acc),
                    "handle": handle,
                    "post": str(post),
                    "time": fmt_ts(time),
                    "text": text,
                    "link": post_link(str(platform), str(post), derived, handle),
                }
            )
        first, second = sorted(posts, key=lambda p: (p["time"] or "", p["account"]))
        out.append(
            {
                "trace": trace,
                "item": item,
                "item_link": safe_href(item),
                "gap_s": float(gap),
                "weight": round(float(weight), 3),
                "first": first,
                "second": second,
            }
        )
    return out


def example_posts(store: Store, community: int, summary: dict[str, Any], per: int = 1) -> list[dict[str, Any]]:
    """Narratives from the posts: for each top hashtag (or, without hashtags, top term) of the campaign, how many
    of its accounts used it, in how many posts, and the earliest example post."""
    content = summary.get("content") or {}
    keys = [("hashtag", str(h[0])) for h in (content.get("hashtags") or [])[:3]]
    if not keys:
        keys = [("term", str(t[0])) for t in (content.get("top_terms") or [])[:3]]
    out = []
    for kind, key in keys:
        cond = (
            "list_contains(list_transform(p.hashtags, lambda x: lower(x)), lower(?))"
            if kind == "hashtag"
            else "contains(lower(p.text), lower(?))"
        )
        base = f"""FROM posts p JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
                   AND s.community = ? LEFT JOIN accounts a ON a.platform = p.platform AND a.account_id = p.account_id
                   WHERE {cond}"""
        stats = store.con.execute(f"SELECT count(*), count(DISTINCT p.account_id) {base}", [community, key]).fetchone()
        ex = store.con.execute(
            f"SELECT p.account_id, a.handle, p.created_at, p.text {base} ORDER BY p.created_at, p.post_id LIMIT ?",
            [community, key, per],
        ).fetchall()
        out.append(
            {
                "kind": kind,
                "key": key,
                "posts": int(stats[0]) if stats else 0,
                "accounts": int(stats[1]) if stats else 0,
                "examples": [{"account": str(a), "handle": h, "time": fmt_ts(t), "text": text} for a, h, t, text in ex],
            }
        )
    return out


def account_creation(store: Store, community: int) -> dict[str, Any]:
    """Creation dates of a campaign's accounts: first, last, how many known, and a per-month histogram."""
    rows = store.con.execute(
        """SELECT CAST(a.created_at AS DATE) FROM account_scores s
           LEFT JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
           WHERE s.community = ?""",
        [community],
    ).fetchall()
    dates = sorted(r[0] for r in rows if r[0] is not None)
    months: dict[str, int] = {}
    for d in dates:
        months[d.strftime("%Y-%m")] = months.get(d.strftime("%Y-%m"), 0) + 1
    return {
        "first": dates[0].isoformat() if dates else None,
        "last": dates[-1].isoformat() if dates else None,
        "known": len(dates),
        "unknown": len(rows) - len(dates),
        "months": sorted(months.items()),
    }


def inter_campaign_edges(store: Store, communities: list[int], keep: set[str]) -> list[tuple[Any, ...]]:
    """Fused edges that join two different campaigns in view (drawn faded: one operation may span two)."""
    if len(communities) < 2:
        return []
    ph = ", ".join("?" for _ in communities)
    rows = store.con.execute(
        f"""SELECT e.account_a, e.account_b, e.weight, e.traces, e.shared_items, e.min_gap_s
            FROM network_edges e
            JOIN account_scores a ON a.account_id = e.account_a AND a.platform = e.platform
            JOIN account_scores b ON b.account_id = e.account_b AND b.platform = e.platform
            WHERE a.community IN ({ph}) AND b.community IN ({ph}) AND a.community <> b.community
            ORDER BY e.weight DESC, e.account_a, e.account_b""",
        [*communities, *communities],
    ).fetchall()
    return [r for r in rows if str(r[0]) in keep and str(r[1]) in keep]


def link_items(store: Store, cards: dict[str, Any], per_link: int = 3) -> None:
    """Fill each card link with the partner's handle and the shared items behind the link (closest first)."""
    pairs = [(acc, str(link["account"])) for acc, c in cards.items() for link in c["links"]]
    if not pairs:
        return
    store.con.execute("CREATE OR REPLACE TEMP TABLE card_pairs (acc VARCHAR, other VARCHAR)")
    store.con.executemany("INSERT INTO card_pairs VALUES (?, ?)", [list(p) for p in pairs])
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for acc, other, trace, item, gap in store.con.execute(
        """SELECT acc, other, trace, item, gap FROM (
             SELECT c.acc, c.other, e.trace, e.item, min(e.gap_s) AS gap FROM card_pairs c
             JOIN evidence e ON e.account_a = least(c.acc, c.other) AND e.account_b = greatest(c.acc, c.other)
             GROUP BY c.acc, c.other, e.trace, e.item)
           QUALIFY row_number() OVER (PARTITION BY acc, other ORDER BY gap, trace, item) <= ?
           ORDER BY acc, other, gap, trace, item""",
        [per_link],
    ).fetchall():
        found.setdefault((str(acc), str(other)), []).append({"trace": trace, "item": item, "gap_s": float(gap)})
    handles = dict(
        store.con.execute(
            "SELECT a.account_id, any_value(a.handle) FROM accounts a SEMI JOIN card_pairs c ON c.other = a.account_id "
            "GROUP BY 1"
        ).fetchall()
    )
    for acc, c in cards.items():
        for link in c["links"]:
            link["items"] = found.get((acc, str(link["account"])), [])
            link["handle"] = handles.get(str(link["account"]))
    store.con.execute("DROP TABLE card_pairs")
