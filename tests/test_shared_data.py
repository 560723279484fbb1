"""Ingest of the full shared data sets: every row accounted for (skipped where ../shared/data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep import ingest
from lockstep.store import Store

from .conftest import SHARED_DATA, needs_shared

pytestmark = needs_shared


def accounted(store: Store, paths: list[Path]) -> None:
    report = ingest(store, paths)
    for f in report.files:
        assert f.rows_read == f.posts_stored + f.duplicates + f.quarantined_total or f.format.endswith(
            ("users", "authors")
        ), f


def test_ira_full(store: Store) -> None:
    accounted(store, [SHARED_DATA / "ira" / "tweets.parquet"])
    info = store.info()
    assert (info.posts, info.accounts) == (1_166_601, 1_407)
    assert dict(info.by_kind) == {"repost": 625_550, "original": 524_955, "quote": 16_096}


@pytest.mark.parametrize(
    ("relpath", "fmt", "posts", "duplicates", "quarantined"),
    [
        ("organic/us_airline_tweets_2015-02.csv", "airline-csv", 14_485, 155, 0),
        ("organic/bluesky_homelessness_posts_2025.csv", "bluesky-csv", 3_226, 0, 0),
        ("twitter_io_archive/fogarty_speed_layer_sample.csv", "io-archive-tweets", 407, 0, 1),
    ],
)
def test_shared_files(store: Store, relpath: str, fmt: str, posts: int, duplicates: int, quarantined: int) -> None:
    report = ingest(store, [SHARED_DATA / relpath])
    f = report.files[0]
    assert (f.format, f.posts_stored, f.duplicates, f.quarantined_total) == (
        fmt,
        posts,
        duplicates,
        quarantined,
    )
    assert f.rows_read == f.posts_stored + f.duplicates + f.quarantined_total


def test_io_archive_users_full(store: Store) -> None:
    report = ingest(store, [SHARED_DATA / "twitter_io_archive" / "china_082019_1_users_csv_hashed.csv"])
    f = report.files[0]
    assert f.rows_read == f.accounts_stored + f.quarantined_total
