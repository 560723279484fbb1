"""From edges to campaigns on a small seeded world with exact expectations.

Planted: an operation cluster (UTC+8 office hours with a lunch break, created the same day, zero followers,
digit-suffixed handles, synchronised reposts), a dormant cohort waking in the same week, an organic fan
cluster that coordinates (one hashtag at a set time) but shows no inauthenticity signal, and a background
population.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pytest

from lockstep import ingest
from lockstep.analyze import analyze
from lockstep.campaigns import expand, explain, format_card, read_seeds
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


@pytest.fixture
def analysed(tmp_path: Path) -> Store:
    src = tmp_path / "world.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(world()):
            w.writerow({"post_id": str(i + 1), **r})
    store = open_store(tmp_path / "w.duckdb")
    mapping = {c: c for c in COLUMNS} | {"platform": "x"}
    ingest(store, [src], format="generic", mapping=mapping)
    detect(store, ["co-retweet", "co-hashtag", "reactivation"], DetectParams(null_replicates=5, seed=1))
    analyze(store, seed=3, tz_offset_hours=8)
    return store


def members(store: Store) -> dict[str, int]:
    return dict(store.con.execute("SELECT account_id, community FROM account_scores").fetchall())


def fired(store: Store, scope: str, subject: str) -> set[str]:
    rows = store.con.execute(
        "SELECT signal FROM signals WHERE scope = ? AND subject = ? AND fired", [scope, subject]
    ).fetchall()
    return {r[0] for r in rows}


def test_planted_clusters_are_separate_communities(analysed: Store) -> None:
    m = members(analysed)
    assert {m[a] for a in OPS} == {m[OPS[0]]}
    assert {m[a] for a in FANS} == {m[FANS[0]]}
    assert {m[a] for a in DORMANT} == {m[DORMANT[0]]}
    assert len({m[OPS[0]], m[FANS[0]], m[DORMANT[0]]}) == 3
    assert not any(a in m for a in BACKGROUND)


def test_operation_fires_inauthenticity_signals_fans_do_not(analysed: Store) -> None:
    m = members(analysed)
    ops = fired(analysed, "community", str(m[OPS[0]]))
    assert {"calendar.office_share", "batches.same_day", "engagement.zero_followers", "personas.digit_handles"} <= ops
    assert fired(analysed, "community", str(m[FANS[0]])) == set()
    assert "dormancy.reactivation" in fired(analysed, "community", str(m[DORMANT[0]]))


def test_calendar_values_of_the_operation(analysed: Store) -> None:
    cid = str(members(analysed)[OPS[0]])
    vals = dict(
        analysed.con.execute(
            "SELECT signal, value FROM signals WHERE scope = 'community' AND subject = ? AND starts_with(signal, "
            "'calendar.')",
            [cid],
        ).fetchall()
    )
    assert vals["calendar.office_share"] == 1.0
    assert vals["calendar.weekend_ratio"] == 0.0
    assert vals["calendar.lunch_dip"] == 0.0  # nothing between 12:00 and 13:29 Beijing
    assert vals["calendar.inferred_offset"] == 8.0


def test_campaigns_rank_and_disarm(analysed: Store) -> None:
    rows = analysed.con.execute(
        "SELECT campaign, accounts, traces, techniques, breakout_category FROM campaigns ORDER BY rank"
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    ops = by_id[members(analysed)[OPS[0]]]
    assert ops[1] == 6 and ops[2] == ["co-retweet"]
    assert {"T0049.003", "T0150.008", "T0090", "T0144.002"} <= set(eval_json(ops[3]))
    assert ops[4] == 1


def eval_json(text: str) -> list[str]:
    import json

    return list(json.loads(text))


def test_explain_card(analysed: Store) -> None:
    card = explain(analysed, f"@{OPS[0]}")
    assert card.community == members(analysed)[OPS[0]]
    assert {link["account"] for link in card.links} == set(OPS[1:])
    assert all(link["traces"] == ["co-retweet"] for link in card.links)
    assert any(s["signal"] == "calendar.office_share" and s["fired"] for s in card.community_signals)
    text = format_card(card)
    assert "linked to" in text and "FIRED calendar.office_share" in text


def test_expand_from_half_the_operation(analysed: Store, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(OPS[:3]) + "\nnot_in_store\n", encoding="utf-8")
    result = expand(analysed, read_seeds(seeds), limit=5)
    assert result.seeds_missing == ["not_in_store"]
    assert [c.account_id for c in result.candidates[:3]] and {c.account_id for c in result.candidates[:3]} == set(
        OPS[3:]
    )
    assert all(c.seeds_linked == 3 for c in result.candidates[:3])


def test_meta_indicator_csv_seeds(tmp_path: Path) -> None:
    f = tmp_path / "meta.csv"
    f.write_text(
        "Tactic,Technique,Procedure,Indicator,Note\n"
        "0. Acquiring assets,0.9,0.9.4 Acquiring X / Twitter accounts,https://twitter[.]com/EttaJac84185457,\n"
        "0. Acquiring assets,0.9,0.9.4 Acquiring X / Twitter accounts,https://twitter[.]com/hyo1592/,\n"
        "6. Posting,6.1,6.1.3 Blogs,some blog title,\n",
        encoding="utf-8",
    )
    assert read_seeds(f) == ["EttaJac84185457", "hyo1592"]


def test_communities_are_reproducible(tmp_path: Path, analysed: Store) -> None:
    first = members(analysed)
    analyze(analysed, seed=3, tz_offset_hours=8)
    assert members(analysed) == first
