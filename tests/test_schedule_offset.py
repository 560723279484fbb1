"""Schedule fingerprint: the inferred UTC offset of a community's office schedule (signals/calendar.py)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import duckdb

from lockstep import ingest
from lockstep.signals import run_signals
from lockstep.store import Store, open_store

from .conftest import SHARED_DATA, needs_shared


def set_communities(store: Store, groups: dict[int, list[str]]) -> None:
    platform = store.con.execute("SELECT any_value(platform) FROM posts").fetchone()
    for community, accounts in groups.items():
        for a in accounts:
            store.con.execute(
                "INSERT INTO account_scores VALUES (?, ?, ?, 1, 1.0, 1.0, true)",
                [platform[0] if platform else "", a, community],
            )


def inferred(store: Store, community: int) -> tuple[int, dict[str, object]]:
    import json

    row = store.con.execute(
        "SELECT value, detail FROM signals WHERE signal = 'calendar.inferred_offset' AND subject = ?", [str(community)]
    ).fetchone()
    assert row is not None
    return int(row[0]), json.loads(row[1])


def synthetic_store(tmp_path: Path) -> Store:
    """Community 1 posts Monday-Friday 07:00-15:59 UTC (10-19 in Moscow); community 2 posts 13:00-21:59 UTC
    every day (US office hours); a background posts at any hour."""
    rng = random.Random(0)
    rows = []
    start = dt.datetime(2016, 3, 7)  # a Monday
    for day in range(28):
        d = start + dt.timedelta(days=day)
        for acct in ("ru1", "ru2", "ru3"):
            if d.weekday() < 5:
                for _ in range(6):
                    rows.append((acct, d + dt.timedelta(hours=7 + rng.random() * 9)))
        for acct in ("us1", "us2", "us3"):
            for _ in range(4):
                rows.append((acct, d + dt.timedelta(hours=13 + rng.random() * 9)))
        for k in range(20):
            rows.append((f"bg{k}", d + dt.timedelta(hours=rng.random() * 24)))
    src = tmp_path / "posts.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["post_id", "account_id", "created_at", "text"])
        for i, (a, t) in enumerate(rows):
            w.writerow([i, a, t.strftime("%Y-%m-%d %H:%M:%S"), f"post {i}"])
    store = open_store(tmp_path / "s.duckdb")
    ingest(
        store,
        [src],
        format="generic",
        mapping={
            "post_id": "post_id",
            "account_id": "account_id",
            "created_at": "created_at",
            "text": "text",
            "platform": "x",
        },
    )
    set_communities(store, {1: ["ru1", "ru2", "ru3"], 2: ["us1", "us2", "us3"]})
    return store


def test_candidate_zone_kept_when_the_data_cannot_reject_it(tmp_path: Path) -> None:
    with synthetic_store(tmp_path) as store:
        run_signals(store, ["calendar"], tz_offset_hours=3.0)
        off, detail = inferred(store, 1)
        # a 10-19 Moscow office day: UTC+3 fits as well as the best one-template fit, so it is kept
        assert off == 3 and detail["candidate_fit"] >= 0.95
        assert detail["best_fit_offset"] in (1, 2, 3)
        # US office hours reject UTC+3: the best fit is reported instead
        off_us, detail_us = inferred(store, 2)
        assert off_us != 3 and -8 <= off_us <= -3 and detail_us["candidate_fit"] < 0.95


def test_a_wrong_candidate_is_rejected(tmp_path: Path) -> None:
    with synthetic_store(tmp_path) as store:
        run_signals(store, ["calendar"], tz_offset_hours=8.0)  # Beijing: far from both schedules
        off, detail = inferred(store, 1)
        assert off == detail["best_fit_offset"] and off in (1, 2, 3)


@needs_shared
def test_ira_russian_language_accounts_infer_utc_plus_3(tmp_path: Path) -> None:
    """The shared IRA half: Russian-language (NonEnglish) accounts post on a Moscow working day; the English
    trolls post on US hours (they wrote for American audiences), and UTC+3 is rejected for them."""
    tweets = SHARED_DATA / "ira" / "tweets.parquet"
    authors = SHARED_DATA / "ira" / "authors.csv"
    part = tmp_path / "ira_sample.parquet"
    con = duckdb.connect()
    con.execute(
        f"""CREATE TEMP TABLE pick AS
        WITH a AS (SELECT lower(author_id) AS author, account_category AS cat
                   FROM read_csv('{authors}', all_varchar=true)),
        n AS (SELECT lower(author_id) AS author, count(*) AS n FROM '{tweets}'
              WHERE publish_date >= '2016-01-01' AND publish_date < '2016-07-01' GROUP BY 1)
        SELECT author, cat FROM (SELECT a.author, a.cat, row_number() OVER (PARTITION BY a.cat ORDER BY n.n DESC,
                                        a.author) AS r FROM a JOIN n USING (author)
                                 WHERE a.cat IN ('NonEnglish', 'RightTroll'))
        WHERE r <= 15"""
    )
    con.execute(
        f"""COPY (SELECT t.* FROM '{tweets}' t SEMI JOIN pick p ON p.author = lower(t.author_id)
                  WHERE publish_date >= '2016-01-01' AND publish_date < '2016-07-01') TO '{part}' (FORMAT parquet)"""
    )
    groups: dict[str, list[str]] = {}
    for author, cat in con.execute("SELECT author, cat FROM pick").fetchall():
        groups.setdefault(str(cat), []).append(str(author))
    with open_store(tmp_path / "ira.duckdb") as store:
        ingest(store, [part])
        ids = {
            str(r[0]).lower(): str(r[0]) for r in store.con.execute("SELECT DISTINCT account_id FROM posts").fetchall()
        }
        set_communities(
            store,
            {
                1: [ids[a] for a in groups["NonEnglish"] if a in ids],
                2: [ids[a] for a in groups["RightTroll"] if a in ids],
            },
        )
        run_signals(store, ["calendar"], tz_offset_hours=3.0)
        off, detail = inferred(store, 1)
        assert off == 3, detail
        off_us, detail_us = inferred(store, 2)
        assert off_us < 0, detail_us  # US hours: UTC+3 rejected
        assert detail_us["candidate_fit"] < 0.95
