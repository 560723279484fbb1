"""A small seeded world shared by the campaign and report tests (see test_campaigns.py for what is planted)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from lockstep import ingest
from lockstep.analysis import analyze
from lockstep.store import Store, open_store
from lockstep.traces import DetectParams, detect

COLUMNS = [
    "post_id",
    "account_id",
    "handle",
    "created_at",
    "text",
    "kind",
    "repost_of",
    "hashtags",
    "followers",
    "account_created_at",
    "description",
    "urls",
]
OPS = [f"lucy{84185450 + i}" for i in range(6)]
FANS = ["swiftie_amy", "taylorfan_bo", "redera_cat", "folklore_dee", "midnights_eve", "lover_fay"]
DORMANT = ["sleeper_one", "sleeper_two", "sleeper_three"]
BACKGROUND = [f"person_{c}" for c in "abcdefghijklmnop"]


def world(seed: int = 5) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []

    def add(acct: str, t: dt.datetime, followers: int, created: str, **kw: str) -> None:
        rows.append(
            {
                "account_id": acct,
                "handle": acct,
                "created_at": t.strftime("%Y-%m-%d %H:%M:%S"),
                "followers": str(followers),
                "account_created_at": created,
                "kind": "original",
                **kw,
            }
        )

    start = dt.datetime(2023, 3, 6)  # a Monday
    # Operation: weekdays 09-12 and 13:30-18 Beijing (01-04, 05:30-10 UTC), reposting the same posts together.
    for day in range(10):
        d = start + dt.timedelta(days=day)
        if d.weekday() >= 5:
            continue
        for k in range(4):
            hour_utc = rng.choice([1, 2, 3, 6, 7, 8, 9])
            t0 = d.replace(hour=hour_utc, minute=rng.randrange(60))
            item = f"src{day}_{k}"
            for acct in OPS:
                add(
                    acct,
                    t0 + dt.timedelta(seconds=rng.randrange(40)),
                    0,
                    "2023-02-01",
                    kind="repost",
                    repost_of=item,
                    text="RT",
                )
    # Fans: chant one hashtag together every evening, including weekends, at 20:00 UTC.
    for day in range(10):
        d = start + dt.timedelta(days=day)
        for acct in FANS:
            add(
                acct,
                d.replace(hour=20) + dt.timedelta(seconds=rng.randrange(50)),
                500 + rng.randrange(500),
                f"201{rng.randrange(10)}-0{1 + rng.randrange(9)}-1{rng.randrange(10)}",
                text=f"streaming now #TSTheErasTour #ErasDay{day}",
                hashtags=f"['TSTheErasTour', 'ErasDay{day}']",
            )
    # Dormant cohort: active in 2022, silent, then all wake in the week of 2023-03-13 sharing links.
    for acct in DORMANT:
        add(acct, dt.datetime(2022, 5, 2, 12), 3, "2021-06-01", text="hello world")
        for k in range(3):
            add(
                acct,
                dt.datetime(2023, 3, 14 + k, 10, 0, rng.randrange(30)),
                3,
                "2021-06-01",
                kind="repost",
                repost_of=f"wake{k}",
                text="RT",
            )
    # Background: random times, random items.
    for acct in BACKGROUND:
        for _ in range(15):
            t = start + dt.timedelta(seconds=rng.randrange(14 * 86400))
            add(
                acct,
                t,
                rng.randrange(50, 900),
                f"2015-0{1 + rng.randrange(9)}-01",
                kind="repost",
                repost_of=f"bg{rng.randrange(400)}",
                text="RT",
            )
    return rows


def build_world_store(tmp_path: Path, extra_rows: list[dict[str, str]] | None = None) -> Store:
    """Ingest the world (plus ``extra_rows``), detect, analyse; return the open store."""
    src = tmp_path / "world.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(world() + (extra_rows or [])):
            w.writerow({"post_id": str(i + 1), **r})
    store = open_store(tmp_path / "w.duckdb")
    mapping = {c: c for c in COLUMNS if c != "handle"} | {"handle": "handle", "platform": "x"}
    ingest(store, [src], format="generic", mapping=mapping)
    detect(store, ["co-retweet", "co-hashtag", "reactivation"], DetectParams(null_replicates=5, seed=1))
    analyze(store, seed=3, tz_offset_hours=8)
    return store
