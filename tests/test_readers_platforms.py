"""Platform export readers (Telegram, Meta Content Library, CrowdTangle, Bluesky AT Protocol, 4CAT) on fixtures
named by edge case: detection, exact stored rows, re-ingest without duplicates, bad rows quarantined with why."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockstep import ingest
from lockstep.errors import LockstepError
from lockstep.ingestion import probe_file
from lockstep.readers import detect_reader
from lockstep.store import Store

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    return store.con.execute(sql).fetchall()


def quarantine(store: Store) -> list[tuple[object, ...]]:
    return rows(store, "SELECT source_row, reason, field FROM quarantine ORDER BY source_row, reason")


def detected(path: Path) -> str:
    return detect_reader(probe_file(path)).name


def ingest_twice(store: Store, path: Path) -> tuple[int, int, int, int]:
    """Ingest ``path``, then force a re-read: the second adds nothing and finds every post a duplicate."""
    first = ingest(store, [path]).files[0]
    again = ingest(store, [path], force=True).files[0]
    assert again.posts_stored == 0 and again.accounts_stored == 0
    assert again.duplicates == first.posts_stored
    assert again.quarantined == first.quarantined
    n_quarantine = rows(store, "SELECT count(*) FROM quarantine")[0][0]
    assert n_quarantine == first.quarantined_total  # re-reading does not add quarantine rows again
    return first.rows_read, first.posts_stored, first.duplicates, first.quarantined_total


# --- Telegram ------------------------------------------------------------------------------------------------

TELEGRAM = FORMATS / "telegram"


@pytest.mark.parametrize(
    "name",
    [
        "forwarded_from_channel.json",
        "full_account_chats_list.json",
        "text_string_no_unixtime.json",
        "bom_and_crlf.json",
        "bad_message_wrong_types.json",
        "truncated_mid_message.json",
    ],
)
def test_telegram_is_detected(name: str) -> None:
    assert detected(TELEGRAM / name) == "telegram"


def test_telegram_channel_round_trip(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "forwarded_from_channel.json") == (3, 3, 0, 0)
    got = rows(
        store,
        "SELECT post_id, account_id, created_at, kind, parent_post_id, parent_account_id, text, urls, hashtags, "
        "mentions, media, like_count, source_row FROM posts ORDER BY post_id",
    )
    assert got == [
        (
            "1500000001/2",
            "channel1500000001",
            dt.datetime(2024, 3, 1, 10, 0),
            "original",
            None,
            None,
            "Breaking: the dam report is fake #DamHoax read https://example-news.test/dam?utm_source=tg via "
            "@truthwire source",
            ["https://example-news.test/dam?utm_source=tg", "https://archive.test/x1"],
            ["DamHoax"],
            ["truthwire"],
            ["photos/photo_1@01-03-2024_10-00-00.jpg"],
            15,
            18,
        ),
        # A forward is a repost; the video was not downloaded, so its placeholder is not a media reference.
        (
            "1500000001/3",
            "channel1500000001",
            dt.datetime(2024, 3, 1, 10, 5),
            "repost",
            None,
            None,
            "They don't want you to see this",
            [],
            [],
            [],
            [],
            None,
            99,
        ),
        (
            "1500000001/4",
            "channel1500000001",
            dt.datetime(2024, 3, 1, 10, 7, 30),
            "reply",
            "1500000001/2",
            "channel1500000001",
            "Update: more at https://example-news.test/dam2",
            ["https://example-news.test/dam2"],
            [],
            [],
            [],
            None,
            119,
        ),
    ]
    (extra,) = rows(store, "SELECT extra FROM posts WHERE post_id = '1500000001/3'")[0]
    kept = json.loads(str(extra))
    assert kept["forwarded_from"] == "Patriot Voice" and kept["media_type"] == "video_file"
    assert kept["chat"] == {"id": 1500000001, "name": "Daily Truth News", "type": "public_channel"}
    assert rows(store, "SELECT account_id, display_name FROM accounts") == [("channel1500000001", "Daily Truth News")]
    (url,) = rows(store, "SELECT url FROM post_urls WHERE post_id = '1500000001/2' AND position = 1")[0]
    assert url == "https://example-news.test/dam"  # tracking parameter removed by canonicalisation


def test_telegram_full_account_export_reads_every_chat(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "full_account_chats_list.json") == (7, 7, 0, 0)
    got = rows(store, "SELECT post_id, account_id, kind, parent_post_id, parent_account_id FROM posts ORDER BY 1")
    assert got == [
        ("1500000001/2", "channel1500000001", "original", None, None),
        ("1500000001/3", "channel1500000001", "repost", None, None),
        ("1500000001/4", "channel1500000001", "reply", "1500000001/2", "channel1500000001"),
        ("1700000002/10", "user111", "original", None, None),
        ("1700000002/11", "user222", "reply", "1700000002/10", "user111"),
        # A newer export names the forward's source: the channel above.
        ("1700000002/12", "user222", "repost", None, "channel1500000001"),
        ("1800000003/7", "channel1800000003", "original", None, None),  # a chat the user left
    ]
    # Entities from a list-valued text: mention_name becomes the user's id, like from_id.
    assert rows(store, "SELECT text, mentions FROM posts WHERE post_id = '1700000002/11'") == [
        ("Anna yes, forwarded it", ["user111"])
    ]


def test_telegram_same_rows_with_bom_and_crlf(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "bom_and_crlf.json") == (3, 3, 0, 0)
    assert rows(store, "SELECT post_id, text FROM posts ORDER BY 1") == [
        ("1700000002/10", "Did anyone else see #DamHoax ?"),
        ("1700000002/11", "Anna yes, forwarded it"),
        ("1700000002/12", "Breaking: the dam report is fake"),
    ]


def test_telegram_old_export_without_unixtime_or_entities(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "text_string_no_unixtime.json") == (2, 2, 0, 0)
    got = rows(
        store, "SELECT post_id, account_id, created_at, created_at::VARCHAR, hashtags, urls FROM posts ORDER BY 1"
    )
    assert got == [
        # Old exports give from_id as a number; entities come from the text; the time is the export's local time.
        (
            "1600000004/100",
            "1600000004",
            dt.datetime(2021, 5, 4, 18, 30),
            "2021-05-04 18:30:00",
            ["tag"],
            ["https://example.test/a"],
        ),
        # No from_id in a channel: the channel itself.
        ("1600000004/101", "channel1600000004", dt.datetime(2021, 5, 4, 18, 31), "2021-05-04 18:31:00", [], []),
    ]
    (extra,) = rows(store, "SELECT extra FROM posts WHERE post_id = '1600000004/100'")[0]
    assert "time_zone" in json.loads(str(extra))


def test_telegram_bad_messages_are_quarantined_with_the_field(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "bad_message_wrong_types.json") == (9, 2, 0, 7)
    assert quarantine(store) == [
        (14, "unexpected JSON shape (text: expected text, got int)", "chat 1900000005 message 2: text"),
        (22, "unexpected JSON shape (expected a message object, got str)", "chat 1900000005 message"),
        (23, "unexpected JSON shape (id: expected an id, got list)", "chat 1900000005 message [3]: id"),
        (32, "unexpected JSON shape (from_id: expected an id, got dict)", "chat 1900000005 message 4: from_id"),
        (41, "unparseable time (pass --map time_format=... or --format)", "created_at"),
        (
            48,
            "unexpected JSON shape (text: expected text or entity objects, got int)",
            "chat 1900000005 message 6: text",
        ),
        (
            58,
            "unexpected JSON shape (text_entities: expected a list, got str)",
            "chat 1900000005 message 7: text_entities",
        ),
    ]
    # Control characters (NUL, BEL, RTL override) are data: kept exactly as written.
    assert rows(store, "SELECT text FROM posts WHERE post_id = '1900000005/8'") == [("ctrl\x00nul \x07bell \u202eRTL",)]


def test_telegram_truncated_export_keeps_what_came_before(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "truncated_mid_message.json") == (3, 2, 0, 1)
    ((line, reason, field),) = quarantine(store)
    assert line == 57 and field is None
    assert reason.startswith("unreadable row (truncated or invalid JSON") and "rest of the file" in reason


# --- Bluesky (AT Protocol) -----------------------------------------------------------------------------------

BLUESKY = FORMATS / "bluesky"
A = "did:plc:aaaa2222bbbb3333cccc4444"
B = "did:plc:bbbb5555cccc6666dddd7777"
C = "did:plc:cccc8888dddd9999eeee0000"
P1 = f"at://{A}/app.bsky.feed.post/3l3qo2vutsw2b"
IMAGE = "bsky-blob:bafkreibmwhk3fsjdblobimage1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


@pytest.mark.parametrize(
    "name",
    [
        "jetstream_posts_reposts_likes_follows.jsonl",
        "jetstream_legacy_type_field.jsonl",
        "list_records_repo_export.json",
        "post_views_search_and_feed.jsonl",
        "bad_row_wrong_type.jsonl",
        "bom_and_crlf.jsonl",
    ],
)
def test_bluesky_is_detected(name: str) -> None:
    assert detected(BLUESKY / name) == "bluesky"


def test_bluesky_csv_is_still_its_own_format(fixtures: Path) -> None:
    assert detected(fixtures / "bluesky_posts.csv") == "bluesky-csv"


def test_bluesky_jetstream_round_trip(store: Store) -> None:
    assert ingest_twice(store, BLUESKY / "jetstream_posts_reposts_likes_follows.jsonl") == (9, 7, 0, 2)
    got = rows(
        store,
        "SELECT source_row, post_id, account_id, created_at, kind, parent_post_id, parent_account_id, quoted_post_id, "
        "text, language, urls, hashtags, mentions, media FROM posts ORDER BY source_row",
    )
    text1 = "The dam report is fake #DamHoax read example-news.test/dam @bob.bsky.social"
    assert got == [
        (
            1,
            P1,
            A,
            dt.datetime(2024, 9, 9, 19, 46, 2, 102000),
            "original",
            None,
            None,
            None,
            text1,
            "en",
            ["https://example-news.test/dam?utm_source=bsky"],
            ["DamHoax"],
            [B],
            [IMAGE],
        ),
        (
            2,
            f"at://{B}/app.bsky.feed.post/3l3qo3aaaaa2b",
            B,
            dt.datetime(2024, 9, 9, 19, 46, 10),
            "reply",
            P1,
            A,
            None,
            "Exactly what I said",
            "en",
            [],
            [],
            [],
            [],
        ),
        (
            3,
            f"at://{C}/app.bsky.feed.post/3l3qo3bbbbb2b",
            C,
            dt.datetime(2024, 9, 9, 19, 46, 15),
            "quote",
            P1,
            A,
            P1,
            "Everyone needs to see this",
            "en",
            [],
            [],
            [],
            [],
        ),
        # recordWithMedia: a quote carrying the same image (same blob CID, so the same media reference).
        (
            4,
            f"at://{C}/app.bsky.feed.post/3l3qo3ccccc2b",
            C,
            dt.datetime(2024, 9, 9, 19, 46, 16),
            "quote",
            P1,
            A,
            P1,
            "Same picture, quoted",
            None,
            [],
            [],
            [],
            [IMAGE],
        ),
        (
            5,
            f"at://{B}/app.bsky.feed.repost/3l3qo3ddddd2b",
            B,
            dt.datetime(2024, 9, 9, 19, 46, 20),
            "repost",
            P1,
            A,
            None,
            None,
            None,
            [],
            [],
            [],
            [],
        ),
        (
            6,
            f"at://{C}/app.bsky.feed.like/3l3qo3eeeee2b",
            C,
            dt.datetime(2024, 9, 9, 19, 46, 21),
            "like",
            P1,
            A,
            None,
            None,
            None,
            [],
            [],
            [],
            [],
        ),
        (
            7,
            f"at://{C}/app.bsky.graph.follow/3l3qo3fffff2b",
            C,
            dt.datetime(2024, 9, 9, 19, 46, 22),
            "follow",
            None,
            A,
            None,
            None,
            None,
            [],
            [],
            [],
            [],
        ),
    ]
    # Profile record and identity event update the account; an account event records a takedown.
    assert rows(
        store, "SELECT account_id, handle, display_name, description, avatar, extra FROM accounts ORDER BY 1"
    ) == [
        (A, "truthseeker.bsky.social", "Truth Seeker", "Just asking questions", "bsky-blob:bafkreiavatar", None),
        (B, None, None, None, None, '{"account_status": {"active": false, "status": "takendown"}}'),
        (C, None, None, None, None, None),
    ]
    assert quarantine(store) == [
        (
            11,
            "delete event (the record was deleted; kept here as evidence, not stored as a post)",
            "app.bsky.feed.post",
        ),
        (
            12,
            "unsupported record type 'app.bsky.graph.block' (not a post, repost, like or follow)",
            "app.bsky.graph.block",
        ),
    ]
    (extra,) = rows(store, f"SELECT extra FROM posts WHERE post_id = '{P1}'")[0]
    assert json.loads(str(extra))["relay_time"] == "2024-09-09T19:46:02.329308"


def test_bluesky_legacy_jetstream_fields(store: Store) -> None:
    assert ingest_twice(store, BLUESKY / "jetstream_legacy_type_field.jsonl") == (2, 1, 0, 1)
    assert rows(store, "SELECT post_id, kind, text, language, hashtags FROM posts") == [
        (f"at://{B}/app.bsky.feed.post/3kvlegacy1", "original", "legacy jetstream line #old", "de", ["old"])
    ]


def test_bluesky_list_records_document(store: Store) -> None:
    assert ingest_twice(store, BLUESKY / "list_records_repo_export.json") == (3, 3, 0, 0)
    assert rows(store, "SELECT source_row, kind, parent_post_id, urls, hashtags, media FROM posts ORDER BY 1") == [
        # No facets: entities come from the text.
        (3, "original", None, ["https://plain.test/x"], ["tagged"], []),
        (15, "repost", f"at://{C}/app.bsky.feed.post/3k2orig", [], [], []),
        (27, "original", None, [], ["outline"], ["bsky-blob:bafkreivideo1"]),
    ]


def test_bluesky_post_views_carry_profiles_and_counts(store: Store) -> None:
    assert ingest_twice(store, BLUESKY / "post_views_search_and_feed.jsonl") == (3, 3, 0, 0)
    got = rows(
        store,
        "SELECT source_row, post_id, account_id, kind, parent_post_id, like_count, repost_count, reply_count, "
        "quote_count FROM posts ORDER BY source_row, post_id",
    )
    assert got == [
        (1, f"at://{B}/app.bsky.feed.post/3lytamfylbs2f", B, "original", None, 7431, 1709, 579, 12),
        (2, f"at://{B}/app.bsky.feed.post/3lytfeed0001", B, "original", None, 7431, 1709, 579, 12),
        (
            2,
            f"at://{C}/app.bsky.feed.repost/3lytrepost01",
            C,
            "repost",
            f"at://{B}/app.bsky.feed.post/3lytfeed0001",
            None,
            None,
            None,
            None,
        ),
    ]
    assert rows(store, "SELECT account_id, handle, display_name, created_at FROM accounts ORDER BY 1") == [
        (B, "bob.bsky.social", "Bob", dt.datetime(2023, 4, 30, 18, 10, 33, 161000)),
        (C, "carol.bsky.social", "Carol", None),
    ]


def test_bluesky_bad_rows_are_quarantined_with_the_field(store: Store) -> None:
    assert ingest_twice(store, BLUESKY / "bad_row_wrong_type.jsonl") == (9, 2, 0, 7)
    assert quarantine(store) == [
        (2, "unreadable row (invalid JSON)", None),
        (3, "unexpected JSON shape (expected a JSON object, got int)", None),
        (4, "unexpected JSON shape (text: expected text, got int)", "text"),
        (5, "unexpected JSON shape (subject: expected an object, got str)", "subject"),
        (6, "unexpected JSON shape (uri: not an at:// URI: 'https://bsky.app/profile/x/post/y')", "uri"),
        (7, "unparseable time (pass --map time_format=... or --format)", "created_at"),
        (9, "unexpected JSON shape (commit.record: expected an object, got str)", "commit.record"),
    ]
    assert rows(store, "SELECT text FROM posts WHERE source_row = 8") == [("ctrl \x00 \x07 \u202e kept",)]


def test_bluesky_bom_and_crlf(store: Store) -> None:
    assert ingest_twice(store, BLUESKY / "bom_and_crlf.jsonl") == (3, 3, 0, 0)
    assert rows(store, "SELECT source_row, kind FROM posts ORDER BY 1") == [
        (1, "original"),
        (2, "reply"),
        (3, "quote"),
    ]


# --- CrowdTangle ---------------------------------------------------------------------------------------------

CROWDTANGLE = FORMATS / "crowdtangle"
DAM_TEXT = "The dam report is fake #DamHoax, read it: https://example-news.test/dam"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("facebook_page_posts.csv", "crowdtangle"),
        ("group_export_group_name.csv", "crowdtangle"),
        ("bom_and_crlf.csv", "crowdtangle"),
        ("bad_rows_zone_id_width.csv", "crowdtangle"),
        ("instagram_account_posts.csv", "crowdtangle-instagram"),
    ],
)
def test_crowdtangle_is_detected(name: str, fmt: str) -> None:
    assert detected(CROWDTANGLE / name) == fmt


def test_crowdtangle_facebook_round_trip(store: Store) -> None:
    assert ingest_twice(store, CROWDTANGLE / "facebook_page_posts.csv") == (3, 3, 0, 0)
    got = rows(
        store,
        "SELECT source_row, platform, post_id, account_id, created_at, kind, text, urls, hashtags, like_count, "
        "repost_count, reply_count FROM posts ORDER BY source_row",
    )
    assert got == [
        # EST is UTC-5; the shared link keeps its comma; counts lose their thousands separator.
        (
            1,
            "facebook",
            "https://www.facebook.com/100064000000001/posts/pfbid02abc",
            "100064000000001",
            dt.datetime(2024, 3, 1, 10, 0),
            "original",
            DAM_TEXT,
            ["https://example-news.test/dam?utm_source=fb&a=1,2"],
            ["DamHoax"],
            1000,
            54,
            150,
        ),
        (
            2,
            "facebook",
            "https://www.facebook.com/patriotvoice/photos/a.1/2/",
            "100064000000002",
            dt.datetime(2024, 3, 1, 10, 0, 40),
            "original",
            "The dam report is fake #DamHoax",
            ["https://www.facebook.com/patriotvoice/photos/a.1/2/"],
            ["DamHoax"],
            250,
            20,
            30,
        ),
        # EDT is UTC-4; a quoted multi-line message is one value; Final Link wins over Link.
        (
            3,
            "facebook",
            "https://www.facebook.com/100064000000003/posts/3",
            "100064000000003",
            dt.datetime(2024, 7, 4, 16, 0),
            "original",
            'Multi-line\nmessage with "quotes" and a tab\there',
            ["https://final.test/landing"],
            [],
            5,
            0,
            0,
        ),
    ]
    assert rows(
        store, "SELECT account_id, handle, display_name, description, created_at, followers FROM accounts ORDER BY 1"
    ) == [
        (
            "100064000000001",
            "dailytruthnews",
            "Daily Truth News",
            "News they won't tell you",
            dt.datetime(2019, 6, 1, 15, 0),
            18911,
        ),
        ("100064000000002", "patriotvoice", "Patriot Voice", None, dt.datetime(2020, 1, 1, 5, 0), 9500),
        ("100064000000003", None, "Summer Time Page", None, None, None),
    ]
    (extra,) = rows(store, "SELECT extra FROM posts WHERE source_row = 2")[0]
    assert json.loads(str(extra))["Image Text"] == "FAKE"  # unmapped columns are kept


def test_crowdtangle_group_export(store: Store) -> None:
    assert ingest_twice(store, CROWDTANGLE / "group_export_group_name.csv") == (1, 1, 0, 0)
    assert rows(
        store, "SELECT p.account_id, p.created_at, a.display_name FROM posts p JOIN accounts a USING (account_id)"
    ) == [
        ("200000000000001", dt.datetime(2024, 3, 2, 7, 0), "Neighbourhood Watch")  # CET is UTC+1
    ]


def test_crowdtangle_bom_and_crlf_read_the_same(store: Store) -> None:
    assert ingest_twice(store, CROWDTANGLE / "bom_and_crlf.csv") == (1, 1, 0, 0)
    # The BOM before a quoted first header must not hide the "Page Name" column.
    assert rows(store, "SELECT display_name FROM accounts") == [("Daily Truth News",)]
    assert rows(store, "SELECT text, created_at FROM posts") == [(DAM_TEXT, dt.datetime(2024, 3, 1, 10, 0))]


def test_crowdtangle_bad_rows_are_quarantined(store: Store) -> None:
    assert ingest_twice(store, CROWDTANGLE / "bad_rows_zone_id_width.csv") == (6, 2, 0, 4)
    assert quarantine(store) == [
        (3, "unparseable time (pass --map time_format=... or --format)", "created_at"),  # unknown zone XYZT
        (
            4,
            "account id in scientific notation (spreadsheet-mangled, digits lost; re-export ids as text)",
            "account_id",
        ),
        (5, "missing account id", "account_id"),
        (6, "unreadable row (expected 40 fields, found 3)", None),
    ]
    assert rows(store, "SELECT text FROM posts WHERE source_row = 7") == [("NUL\x00 BEL\x07 RTL\u202e kept",)]


def test_crowdtangle_instagram(store: Store) -> None:
    assert ingest_twice(store, CROWDTANGLE / "instagram_account_posts.csv") == (1, 1, 0, 0)
    assert rows(
        store,
        "SELECT platform, post_id, account_id, created_at, text, hashtags, mentions, media, like_count FROM posts",
    ) == [
        (
            "instagram",
            "https://www.instagram.com/p/C4abc123/",
            "truthseeker_ig",
            dt.datetime(2024, 3, 1, 11, 0),
            "The dam report is fake #DamHoax @patriotvoice",
            ["DamHoax"],
            ["patriotvoice"],
            ["https://scontent.cdninstagram.test/v/t51/123_n.jpg?x=1,2"],
            900,
        )
    ]


# --- Meta Content Library ------------------------------------------------------------------------------------

MCL = FORMATS / "meta_content_library"
FB_TEXT = "The dam report is fake #DamHoax https://example-news.test/dam @dailytruth"


@pytest.mark.parametrize(
    "name",
    [
        "facebook_api_pages.jsonl",
        "instagram_posts_array.json",
        "facebook_posts_download.csv",
        "instagram_posts_download.csv",
        "bom_and_crlf.csv",
        "bad_row_wrong_type.jsonl",
    ],
)
def test_meta_content_library_is_detected(name: str) -> None:
    assert detected(MCL / name) == "meta-content-library"


FB_POSTS = [
    (
        "facebook",
        "1187654321098765",
        "5550001",
        dt.datetime(2024, 3, 1, 10, 0),
        FB_TEXT,
        "en",
        ["https://example-news.test/dam?utm_source=fb", "https://example-news.test/dam"],
        ["DamHoax"],
        ["dailytruth"],
        1204,
        54,
        150,
    ),
    (
        "facebook",
        "1187654321098766",
        "5550002",
        dt.datetime(2024, 3, 1, 10, 0, 40),
        "The dam report is fake #DamHoax",
        "en",
        [],
        ["DamHoax"],
        [],
        250,
        20,
        30,
    ),
    # +0100 offset converted to UTC.
    (
        "facebook",
        "1187654321098767",
        "5550003",
        dt.datetime(2024, 3, 2, 7, 0),
        "Group post about #DamHoax",
        "de",
        [],
        ["DamHoax"],
        [],
        12,
        0,
        2,
    ),
]
POST_COLUMNS = (
    "SELECT platform, post_id, account_id, created_at, text, language, urls, hashtags, mentions, like_count, "
    "repost_count, reply_count FROM posts ORDER BY post_id"
)


def test_meta_content_library_api_json_and_csv_download_store_the_same_posts(tmp_path: Path) -> None:
    from lockstep.store import open_store

    for name in ("facebook_api_pages.jsonl", "facebook_posts_download.csv"):
        with open_store(tmp_path / f"{name}.duckdb") as store:
            assert ingest_twice(store, MCL / name) == (3, 3, 0, 0)
            assert rows(store, POST_COLUMNS) == FB_POSTS
            assert rows(store, "SELECT account_id, handle, display_name FROM accounts ORDER BY 1") == [
                ("5550001", "dailytruthnews", "Daily Truth News"),
                ("5550002", "patriotvoice", "Patriot Voice"),
                ("5550003", None, "Neighbourhood Watch"),
            ]


def test_meta_content_library_api_media_are_mcl_ids(store: Store) -> None:
    ingest(store, [MCL / "facebook_api_pages.jsonl"])
    # Two posts with the same MCL media id share one media reference (whatever their CDN URLs).
    assert rows(store, "SELECT post_id, media FROM posts ORDER BY 1") == [
        ("1187654321098765", ["mcl-media:mm_900001"]),
        ("1187654321098766", ["mcl-media:mm_900001"]),
        ("1187654321098767", []),
    ]


def test_meta_content_library_instagram(store: Store) -> None:
    assert ingest_twice(store, MCL / "instagram_posts_array.json") == (2, 2, 0, 0)
    assert rows(
        store, "SELECT platform, post_id, created_at, hashtags, mentions, media, like_count FROM posts ORDER BY 2"
    ) == [
        (
            "instagram",
            "1799000000000001",
            dt.datetime(2024, 3, 1, 11, 0),
            ["DamHoax", "truth"],
            ["patriotvoice"],
            ["mcl-media:igm_1", "https://scontent.cdninstagram.test/2.mp4"],
            900,
        ),
        ("instagram", "1799000000000002", dt.datetime(2024, 3, 1, 12, 0), [], [], [], 3),  # epoch seconds
    ]
    store.con.execute("DELETE FROM posts")
    ingest(store, [MCL / "instagram_posts_download.csv"])
    assert rows(store, "SELECT platform, post_id, like_count FROM posts") == [("instagram", "1799000000000001", 900)]


def test_meta_content_library_platform_override(store: Store) -> None:
    ingest(store, [MCL / "facebook_api_pages.jsonl"], mapping={"platform": "facebook-archive"})
    assert rows(store, "SELECT DISTINCT platform FROM posts") == [("facebook-archive",)]


def test_meta_content_library_bom_and_crlf(store: Store) -> None:
    assert ingest_twice(store, MCL / "bom_and_crlf.csv") == (1, 1, 0, 0)
    assert rows(store, POST_COLUMNS) == FB_POSTS[:1]


def test_meta_content_library_bad_rows_are_quarantined(store: Store) -> None:
    assert ingest_twice(store, MCL / "bad_row_wrong_type.jsonl") == (9, 3, 0, 6)
    assert quarantine(store) == [
        (2, "unreadable row (invalid JSON)", None),
        (3, "unexpected JSON shape (text: expected text, got list)", "text"),
        (4, "unexpected JSON shape (post_owner: expected an object, got str)", "post_owner"),
        (5, "unparseable time (pass --map time_format=... or --format)", "created_at"),
        (6, "missing account id", "account_id"),
        (8, "unexpected JSON shape (expected a post object, got int)", "post 2 of the line"),
    ]
    assert rows(store, "SELECT text FROM posts WHERE post_id = '1187654321098774'") == [
        ("NUL\x00 BEL\x07 RTL\u202e kept",)
    ]


# --- 4CAT ----------------------------------------------------------------------------------------------------

FOURCAT = FORMATS / "fourcat"


@pytest.mark.parametrize(
    "name",
    [
        "mapped_tiktok_export.csv",
        "mapped_telegram_export.csv",
        "mapped_custom_import.ndjson",
        "zeeschuimer_raw_items.ndjson",
        "telegram_raw_messages.ndjson",
        "bom_and_crlf.csv",
        "bad_row_wrong_type.ndjson",
    ],
)
def test_fourcat_is_detected(name: str) -> None:
    assert detected(FOURCAT / name) == "4cat"


def test_fourcat_mapped_tiktok_csv(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "mapped_tiktok_export.csv") == (2, 2, 0, 0)
    assert rows(
        store,
        "SELECT platform, post_id, account_id, created_at, text, hashtags, like_count, repost_count FROM posts "
        "ORDER BY 2",
    ) == [
        (
            "tiktok",
            "7341000000000000001",
            "truthseeker_tt",
            dt.datetime(2024, 3, 1, 12, 0),
            "The dam report is fake #DamHoax #truth",
            ["DamHoax", "truth"],
            321,
            1,
        ),
        (
            "tiktok",
            "7341000000000000002",
            "echo_tt",
            dt.datetime(2024, 3, 1, 12, 0, 30),
            "The dam report is fake #DamHoax",
            ["DamHoax"],
            12,
            1,
        ),
    ]
    assert rows(store, "SELECT account_id, handle, display_name FROM accounts ORDER BY 1") == [
        ("echo_tt", "echo_tt", "Echo"),
        ("truthseeker_tt", "truthseeker_tt", "Truth Seeker"),
    ]
    (extra,) = rows(store, "SELECT extra FROM posts WHERE post_id = '7341000000000000001'")[0]
    assert json.loads(str(extra))["music_id"] == "7340000000000000001"


def test_fourcat_mapped_telegram_csv(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "mapped_telegram_export.csv") == (4, 4, 0, 0)
    assert rows(
        store,
        "SELECT platform, post_id, account_id, created_at, kind, parent_post_id, parent_account_id "
        "FROM posts ORDER BY 2",
    ) == [
        # unix_timestamp wins over timestamp (the 4CAT server's local time); ids are per chat; a reply's parent
        # author comes from the replied-to message in the same file.
        ("telegram", "dailytruthnews/2", "1500000001", dt.datetime(2024, 3, 1, 10, 0), "original", None, None),
        ("telegram", "dailytruthnews/3", "1500000001", dt.datetime(2024, 3, 1, 10, 5), "repost", None, None),
        (
            "telegram",
            "dailytruthnews/4",
            "1500000001",
            dt.datetime(2024, 3, 1, 10, 7, 30),
            "reply",
            "dailytruthnews/2",
            "1500000001",
        ),
        ("telegram", "otherchannel/2", "1600000009", dt.datetime(2024, 3, 1, 10, 9), "original", None, None),
    ]


def test_fourcat_mapped_ndjson_custom_import(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "mapped_custom_import.ndjson") == (2, 2, 0, 0)
    assert rows(store, "SELECT platform, post_id, account_id, created_at, hashtags FROM posts ORDER BY 2") == [
        ("4cat", "c1", "alice", dt.datetime(2024, 3, 1, 12, 0), ["DamHoax"]),
        ("4cat", "c2", "bob", dt.datetime(2024, 3, 1, 12, 1), []),  # an epoch-seconds timestamp
    ]


def test_fourcat_raw_zeeschuimer_items(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "zeeschuimer_raw_items.ndjson") == (3, 2, 0, 1)
    assert rows(
        store, "SELECT platform, post_id, account_id, created_at, hashtags, mentions, like_count FROM posts ORDER BY 1"
    ) == [
        ("instagram", "3312345678901234567_7770001", "7770001", dt.datetime(2024, 3, 1, 11, 0), ["DamHoax"], [], 900),
        (
            "tiktok",
            "7341000000000000003",
            "raw_tt",
            dt.datetime(2024, 3, 1, 12, 1, 40),
            ["DamHoax"],
            ["truthseeker_tt"],
            40,
        ),
    ]
    assert quarantine(store) == [
        (
            3,
            "raw 4CAT item from 'linkedin.com' is not mapped here; export the dataset from 4CAT as CSV, which maps it",
            "source_platform",
        )
    ]


def test_fourcat_raw_telegram_messages(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "telegram_raw_messages.ndjson") == (3, 3, 0, 0)
    assert rows(store, "SELECT post_id, account_id, kind, parent_post_id, parent_account_id FROM posts ORDER BY 1") == [
        ("dailytruthnews/2", "1500000001", "original", None, None),
        ("dailytruthnews/3", "1500000001", "repost", None, "1600000004"),
        ("watchgroup/11", "222", "reply", "watchgroup/10", None),
    ]
    assert rows(store, "SELECT account_id, handle, display_name FROM accounts ORDER BY 1") == [
        ("1500000001", "dailytruthnews", "Daily Truth News"),
        ("222", "boris", "Boris B"),
    ]


def test_fourcat_bom_and_crlf(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "bom_and_crlf.csv") == (1, 1, 0, 0)
    assert rows(store, "SELECT platform, post_id, text FROM posts") == [
        ("tiktok", "7341000000000000001", "The dam report is fake #DamHoax #truth")
    ]


def test_fourcat_bad_rows_are_quarantined(store: Store) -> None:
    assert ingest_twice(store, FOURCAT / "bad_row_wrong_type.ndjson") == (7, 2, 0, 5)
    assert quarantine(store) == [
        (2, "unreadable row (invalid JSON)", None),
        (3, "unexpected JSON shape (data: expected an object, got str)", "data"),
        (4, "unexpected JSON shape (desc: expected text, got dict)", "desc"),
        (5, "unparseable time (pass --map time_format=... or --format)", "created_at"),
        (7, "unexpected JSON shape (expected a JSON object, got list)", None),
    ]
    assert rows(store, "SELECT text FROM posts WHERE post_id = '7341000000000000011'") == [
        ("NUL\x00 BEL\x07 RTL\u202e kept",)
    ]


# --- every new format: registry and `lockstep formats` --------------------------------------------------------

NEW_FORMATS = ("telegram", "bluesky", "crowdtangle", "crowdtangle-instagram", "meta-content-library", "4cat")


def test_formats_command_lists_the_new_formats() -> None:
    from click.testing import CliRunner

    from lockstep.cli import cli

    out = CliRunner().invoke(cli, ["formats"])
    assert out.exit_code == 0
    listed = {line.split()[0] for line in out.output.splitlines() if line.strip()}
    assert set(NEW_FORMATS) <= listed


def test_formats_doc_names_every_registered_format() -> None:
    from lockstep.readers import READERS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "formats.md").read_text(encoding="utf-8")
    assert [name for name in READERS if f"`{name}`" not in doc] == []


def test_every_fixture_folder_names_its_source() -> None:
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir()):
        readme = (folder / "README.md").read_text(encoding="utf-8")
        named = {p.name for p in folder.iterdir() if p.name != "README.md"}
        assert named and all(f"`{n}`" in readme for n in named), folder
        assert "licen" in readme.lower(), folder


def test_telegram_wrong_containers_and_a_nesting_bomb(store: Store) -> None:
    assert ingest_twice(store, TELEGRAM / "wrong_container_types_and_nesting_bomb.json") == (4, 1, 0, 3)
    assert quarantine(store) == [
        (7, "unexpected JSON shape (expected a chat object, got str)", "chats/list/0"),
        (8, "unexpected JSON shape (messages: expected a list or object, got str)", "chats/list/1/messages"),
        (11, "unreadable row (JSON nested too deep; the rest of the file cannot be read)", None),
    ]
    assert rows(store, "SELECT post_id, text FROM posts") == [("43/1", "before the bomb")]


# --- hostile records: any mutation is stored or quarantined, never lost, never a crash -------------------------

FAST = settings(
    max_examples=int(os.environ.get("LOCKSTEP_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def accounted(path: Path, fmt: str) -> None:
    from lockstep.store import open_store

    with open_store(":memory:") as store:
        try:
            report = ingest(store, [path], format=fmt)
        except LockstepError:
            return
        for f in report.files:
            assert f.rows_read == f.posts_stored + f.duplicates + f.account_rows + f.quarantined_total
        assert rows(store, "SELECT count(*) FROM posts")[0][0] == report.total("posts_stored")


def first_record(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text(encoding="utf-8").splitlines()[0]))


BASES = {
    "bluesky": first_record(BLUESKY / "jetstream_posts_reposts_likes_follows.jsonl"),
    "meta-content-library": json.loads((MCL / "instagram_posts_array.json").read_text(encoding="utf-8"))[0],
    "4cat": first_record(FOURCAT / "zeeschuimer_raw_items.ndjson"),
}
NESTED = {"bluesky": ("commit", "record"), "meta-content-library": ("statistics",), "4cat": ("data",)}


def _mutate(
    base: dict[str, object], path: tuple[str, ...], top: dict[str, object], inner: dict[str, object]
) -> dict[str, object]:
    out: dict[str, object] = json.loads(json.dumps(base))
    node = out
    for key in path:
        nxt = node.get(key)
        if not isinstance(nxt, dict):
            break
        node = nxt
    node.update(inner)
    out.update(top)
    return out


@pytest.mark.parametrize("fmt", sorted(BASES))
@FAST
@given(data=st.data())
def test_json_readers_account_for_every_mutated_record(tmp_path: Path, fmt: str, data: st.DataObject) -> None:
    base = BASES[fmt]
    inner_keys = set()
    node: object = base
    for key in NESTED[fmt]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        inner_keys = set(node)
    lines = []
    for _ in range(data.draw(st.integers(1, 4))):
        top = data.draw(st.dictionaries(st.sampled_from(sorted(base)), json_value, max_size=3))
        inner = data.draw(st.dictionaries(st.sampled_from(sorted(inner_keys or {"x"})), json_value, max_size=3))
        text = json.dumps(_mutate(base, NESTED[fmt], top, inner))
        if data.draw(st.integers(0, 5)) == 0:
            text = text[: data.draw(st.integers(0, len(text)))]
        lines.append(text)
    path = tmp_path / "records.jsonl"
    path.write_bytes(("\ufeff" if data.draw(st.booleans()) else "").encode() + "\r\n".join(lines).encode())
    accounted(path, fmt)


@FAST
@given(data=st.data())
def test_telegram_accounts_for_every_mutated_message(tmp_path: Path, data: st.DataObject) -> None:
    doc = json.loads((TELEGRAM / "forwarded_from_channel.json").read_text(encoding="utf-8"))
    keys = sorted({k for m in doc["messages"] for k in m})
    for m in doc["messages"]:
        m.update(data.draw(st.dictionaries(st.sampled_from(keys), json_value, max_size=3)))
    text = json.dumps(doc, indent=1)
    if data.draw(st.booleans()):
        text = text[: data.draw(st.integers(1, len(text)))]
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    accounted(path, "telegram")


CSV_HEADERS = {
    "crowdtangle": (CROWDTANGLE / "facebook_page_posts.csv").read_text(encoding="utf-8").splitlines()[0],
    "meta-content-library": (MCL / "facebook_posts_download.csv").read_text(encoding="utf-8").splitlines()[0],
    "4cat": (FOURCAT / "mapped_telegram_export.csv").read_text(encoding="utf-8").splitlines()[0],
}
cell = st.one_of(
    st.text(max_size=10),
    st.sampled_from(['"', '""', "\r\n", ",", "\x00", "2024-03-01 05:00:00 EST", "1709287200", "1.2E+14", "9" * 30]),
)


@pytest.mark.parametrize("fmt", sorted(CSV_HEADERS))
@FAST
@given(data=st.data())
def test_csv_readers_account_for_every_row(tmp_path: Path, fmt: str, data: st.DataObject) -> None:
    header = CSV_HEADERS[fmt]
    width = len(next(csv.reader([header])))
    body = data.draw(st.lists(st.lists(cell, min_size=width - 1, max_size=width + 1), max_size=5))
    text = header + "\n" + "".join(",".join(r) + "\n" for r in body)
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    accounted(path, fmt)
