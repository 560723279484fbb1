"""A small seeded world that gives every trace the seam ports something to find, plus hostile text.

The campaign world of :mod:`tests.worlds` (reposts, chants, a dormant cohort) is ingested through the generic
reader; rows for the other traces are inserted straight into ``posts`` and ``post_urls`` so the world can
hold what readers rarely produce but engines must agree on: fractional-second times, reposts without a
parent id, two gaps exactly one window apart, Greek capitals and ``İ`` in hashtags and mentions, texts in
NFD and NFC forms, emoji and URLs inside copypasta.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from functools import lru_cache
from pathlib import Path

from lockstep import ingest
from lockstep.store import Store, open_store
from tests.worlds import COLUMNS, world

GROUP = [f"grp_{i}" for i in range(5)]
CROWD = [f"crowd_{i:02d}" for i in range(12)]
TEXTS = [
    "RT @Boss: The ELECTION was stolen, share before they delete https://t.co/abc 🇺🇸",
    "The election was STOLEN, share before they delete www.example.com/x @news",
    "Cafe\u0301 owners say prices doubled this week, unbelievable",  # NFD; NFC twin below
    "Caf\u00e9 owners say prices doubled this week, unbelievable",
    "ΟΔΟΣ ΣΤΑ ΝΕΑ σήμερα είναι κλειστή για όλους",
    "İstanbul rally tonight bring everyone you know 👩‍👩‍👧",
    "httpſ://evil.example/a the long s url trick here now",
    "short one",
]
TAGS = ["Vote", "ΟΔΟΣ", "İzmir", "Truth", "NOW", "Σ"]
DOMAINS = ["news.example", "t.co", "blog.example", "bit.ly", "propaganda.example"]


def _rows(seed: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(seed)
    posts: list[dict[str, object]] = []
    urls: list[dict[str, object]] = []
    start = dt.datetime(2023, 4, 3, 12, 0, 0)
    n = 0

    def add(acct: str, t: dt.datetime, kind: str = "original", **kw: object) -> str:
        nonlocal n
        n += 1
        pid = f"e{n}"
        posts.append(
            {
                "platform": "x",
                "post_id": pid,
                "account_id": acct,
                "created_at": t,
                "kind": kind,
                "text": kw.get("text"),
                "parent_post_id": kw.get("parent"),
                "hashtags": kw.get("hashtags", []),
                "mentions": kw.get("mentions", []),
                "media": kw.get("media", []),
            }
        )
        for pos, url in enumerate(kw.get("urls", [])):  # type: ignore[arg-type]
            domain = url.split("/")[2]
            urls.append({"platform": "x", "post_id": pid, "position": pos, "url": url, "domain": domain})
        return pid

    def jitter() -> dt.timedelta:
        return dt.timedelta(seconds=rng.randrange(45), microseconds=rng.choice([0, 250_000, 500_000, 123_457]))

    for burst in range(8):
        t0 = start + dt.timedelta(hours=burst * 5, minutes=rng.randrange(60))
        author = CROWD[burst % len(CROWD)]
        original = add(author, t0, text=f"original {burst}")
        tags = [rng.choice(TAGS) for _ in range(3)]
        url = f"https://{DOMAINS[burst % len(DOMAINS)]}/story/{burst}"
        for acct in GROUP:
            t = t0 + dt.timedelta(seconds=5) + jitter()
            add(acct, t, "repost", parent=original, text="RT")
            add(acct, t + jitter(), "repost", parent=None, text=TEXTS[burst % 2])
            add(
                acct,
                t + jitter(),
                text=TEXTS[2 + burst % 6],
                hashtags=[h.upper() if rng.random() < 0.5 else h for h in tags],
                mentions=[rng.choice(["@Target", "@TARGET", "@İnci", "@ΣΟΦΙΑ"])],
                media=[f"pdq:{burst:064x}"] if burst % 2 else [f"img{burst}.jpg"],
                urls=[url, f"https://t.co/{burst}"],
            )
            add(acct, t + jitter(), "reply", parent=original, text="agreed!!")
    # Two accounts exactly one window (60 s) apart, and a pair with an even number of co-actions.
    edge_t = start + dt.timedelta(days=3)
    add("edge_a", edge_t, "reply", parent="e1", text="x")
    add("edge_b", edge_t + dt.timedelta(seconds=60), "reply", parent="e1", text="y")
    add("edge_c", edge_t + dt.timedelta(seconds=60, microseconds=1), "reply", parent="e1", text="z")
    # Crowd: random activity over the same days.
    for acct in CROWD:
        for _ in range(12):
            t = start + dt.timedelta(seconds=rng.randrange(3 * 86400), microseconds=rng.randrange(10**6))
            r = rng.random()
            if r < 0.3:
                add(acct, t, "repost", parent=f"e{rng.randrange(1, 40)}", text="RT")
            elif r < 0.6:
                add(
                    acct,
                    t,
                    text=rng.choice(TEXTS),
                    hashtags=rng.sample(TAGS, 3),
                    urls=[f"https://{rng.choice(DOMAINS)}/p/{rng.randrange(6)}"],
                )
            else:
                add(acct, t, "reply", parent=f"e{rng.randrange(1, 40)}", text="lol", mentions=["@Target"])
    return posts, urls


def build_engine_world(path: Path, seed: int = 11) -> Path:
    """Write the world into a new store at ``path`` (no detection) and return the path."""
    src = path.parent / "campaign.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(world()):
            w.writerow({"post_id": str(i + 1), **r})
    with open_store(path) as store:
        mapping = {c: c for c in COLUMNS if c != "handle"} | {"handle": "handle", "platform": "x"}
        ingest(store, [src], format="generic", mapping=mapping)
        _insert(store, *_rows(seed))
    return path


def original_post(
    platform: str, pid: str, account: str, t: dt.datetime, text: str, media: list[str] | None = None
) -> dict[str, object]:
    """One original post as a ``posts`` row for :func:`_insert` (no hashtags, mentions or parent)."""
    return {
        "platform": platform,
        "post_id": pid,
        "account_id": account,
        "created_at": t,
        "text": text,
        "kind": "original",
        "parent_post_id": None,
        "hashtags": [],
        "mentions": [],
        "media": media or [],
    }


def _insert(store: Store, posts: list[dict[str, object]], urls: list[dict[str, object]]) -> None:
    with store.transaction() as con:
        for p in posts:
            con.execute(
                """INSERT INTO posts (platform, post_id, post_id_derived, account_id, created_at, text, kind,
                       parent_post_id, hashtags, mentions, media)
                   VALUES (?, ?, false, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    p["platform"],
                    p["post_id"],
                    p["account_id"],
                    p["created_at"],
                    p["text"],
                    p["kind"],
                    p["parent_post_id"],
                    p["hashtags"],
                    p["mentions"],
                    p["media"],
                ],
            )
        for u in urls:
            con.execute(
                "INSERT INTO post_urls (platform, post_id, position, url_raw, url, domain) VALUES (?, ?, ?, ?, ?, ?)",
                [u["platform"], u["post_id"], u["position"], u["url"], u["url"], u["domain"]],
            )


@lru_cache(maxsize=4)
def world_rows(seed: int = 11) -> int:
    """How many rows the extra world adds (a cheap determinism check)."""
    posts, urls = _rows(seed)
    return len(posts) + len(urls)
