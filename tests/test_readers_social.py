"""TikTok Research API, YouTube Data API v3 and Mastodon API readers: detection, exact rows, bad rows, re-ingest.

Fixtures live in ``tests/fixtures/formats/<format>/``, named by the edge case they hold; each folder's README
names the public documentation the layout follows.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

from lockstep import ingest
from lockstep.errors import FormatError
from lockstep.ingestion import probe_file
from lockstep.readers import detect_reader
from lockstep.readers.api_json import html_to_text
from lockstep.readers.tiktok import NO_AUTHOR
from lockstep.store import Store

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    return store.con.execute(sql).fetchall()


def quarantine(store: Store) -> list[tuple[object, ...]]:
    return rows(store, "SELECT source_row, reason, field FROM quarantine ORDER BY source_row, reason")


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("tiktok-research/video_query_page_pretty.json", "tiktok-research"),
        ("tiktok-research/video_query_pages_truncated_line.jsonl", "tiktok-research"),
        ("tiktok-research/comment_list_no_author.json", "tiktok-research"),
        ("youtube-api/video_list_response.json", "youtube-api"),
        ("youtube-api/search_list_response_channel_result.json", "youtube-api"),
        ("youtube-api/comment_threads_with_replies.json", "youtube-api"),
        ("youtube-api/comment_threads_bad_rows.jsonl", "youtube-api"),
        ("mastodon-api/statuses_timeline_boost_reply_html.json", "mastodon-api"),
        ("mastodon-api/statuses_bad_rows.jsonl", "mastodon-api"),
    ],
)
def test_detected_by_content_whatever_the_name(tmp_path: Path, path: str, fmt: str) -> None:
    renamed = tmp_path / "export.dat"
    shutil.copy(FORMATS / path, renamed)
    assert detect_reader(probe_file(renamed)).name == fmt


def test_tiktok_video_page_exact_rows(store: Store) -> None:
    report = ingest(store, [FORMATS / "tiktok-research/video_query_page_pretty.json"])
    f = report.files[0]
    assert (f.format, f.rows_read, f.posts_stored, f.duplicates, f.quarantined_total) == ("tiktok-research", 3, 3, 0, 0)
    (post,) = rows(
        store,
        "SELECT platform, account_id, created_at::VARCHAR, text, kind, hashtags, mentions, media, like_count, "
        "repost_count, reply_count, source_row, json_extract_string(extra, '$.region_code') "
        "FROM posts WHERE post_id = '7301234567890123001'",
    )
    assert post == (
        "tiktok",
        "harbour.daily",
        "2024-06-01 11:00:00",
        "Ferry schedule changes this week #harbour #commute @city.transit",
        "original",
        ["harbour", "commute"],
        ["city.transit"],
        ["tiktok-music:7001112223334445556"],
        120,
        4,
        9,
        1,
        "US",
    )
    (extra,) = rows(store, "SELECT extra FROM posts WHERE post_id = '7301234567890123001'")
    assert '"view_count": 5400' in str(extra[0]) and '"voice_to_text"' in str(extra[0])
    assert rows(store, "SELECT account_id, handle FROM accounts ORDER BY 1") == [
        ("harbour.daily", "harbour.daily"),
        ("lena_bakes", "lena_bakes"),
    ]


def test_tiktok_reingest_and_pages_in_lines_do_not_duplicate(store: Store) -> None:
    ingest(store, [FORMATS / "tiktok-research/video_query_page_pretty.json"])
    again = ingest(store, [FORMATS / "tiktok-research/video_query_page_pretty.json"], force=True)
    assert (again.files[0].posts_stored, again.files[0].duplicates) == (0, 3)
    lines = ingest(store, [FORMATS / "tiktok-research/video_query_pages_truncated_line.jsonl"]).files[0]
    # the same three videos, saved as two pages, plus a truncated third line
    assert (lines.rows_read, lines.posts_stored, lines.duplicates, lines.quarantined_total) == (4, 0, 3, 1)
    assert store.count("posts") == 3
    assert quarantine(store) == [(3, "unreadable row (invalid JSON)", None)]


def test_tiktok_bad_rows_are_quarantined_with_row_and_field(store: Store) -> None:
    f = ingest(store, [FORMATS / "tiktok-research/video_query_bad_rows.json"]).files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined_total) == (6, 1, 5)
    assert quarantine(store) == [
        (2, "missing time", "created_at"),
        (3, "unexpected JSON shape (post_id: expected text, got dict)", "data.videos[2]"),
        (4, "missing account id", "account_id"),
        (5, "unexpected JSON shape (expected a video object)", "data.videos[4]"),
        (6, "unparseable time (pass --map time_format=... or --format)", "created_at"),
    ]
    (raw,) = rows(store, "SELECT raw FROM quarantine WHERE source_row = 3")
    assert '"bad.id"' in str(raw[0])


def test_tiktok_comments_need_an_author(store: Store) -> None:
    f = ingest(store, [FORMATS / "tiktok-research/comment_list_no_author.json"]).files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined) == (2, 0, {NO_AUTHOR: 2})
    assert [r[2] for r in quarantine(store)] == ["data.comments[0].username", "data.comments[1].username"]
    g = ingest(store, [FORMATS / "tiktok-research/comment_list_with_collector_username.json"]).files[0]
    assert (g.posts_stored, g.quarantined_total) == (2, 0)
    assert rows(store, "SELECT post_id, account_id, kind, parent_post_id FROM posts ORDER BY post_id") == [
        ("7302000000000000001", "mira.k", "reply", "7301234567890123001"),
        ("7302000000000000002", "harbour.daily", "reply", "7302000000000000001"),
    ]


def test_youtube_videos_exact_rows(store: Store) -> None:
    f = ingest(store, [FORMATS / "youtube-api/video_list_response.json"]).files[0]
    assert (f.format, f.rows_read, f.posts_stored, f.quarantined_total) == ("youtube-api", 2, 2, 0)
    assert rows(
        store,
        "SELECT post_id, account_id, created_at::VARCHAR, text, language, hashtags, urls, media, like_count, "
        "reply_count FROM posts ORDER BY post_id",
    ) == [
        (
            "dQw4w9WgXc1",
            "UCaaaaaaaaaaaaaaaaaaaa01",
            "2024-06-01 10:00:00",
            "Port strike explained\n\nWhat the strike means for you https://example.org/strike-faq?utm_source=yt",
            "en",
            ["port", "strike"],
            ["https://example.org/strike-faq?utm_source=yt"],
            ["https://i.ytimg.com/vi/dQw4w9WgXc1/hqdefault.jpg"],
            12,
            3,
        ),
        (
            "dQw4w9WgXc2",
            "UCaaaaaaaaaaaaaaaaaaaa02",
            "2024-06-01 09:30:00",
            "Quiet morning",
            "de",
            [],
            [],
            ["https://i.ytimg.com/vi/dQw4w9WgXc2/hqdefault.jpg"],
            12,
            3,
        ),
    ]
    assert rows(store, "SELECT url FROM post_urls") == [("https://example.org/strike-faq",)]
    (extra,) = rows(store, "SELECT extra FROM posts WHERE post_id = 'dQw4w9WgXc1'")
    assert '"viewCount": "1000"' in str(extra[0]) and '"favoriteCount": "0"' in str(extra[0])
    assert rows(store, "SELECT display_name FROM accounts ORDER BY 1") == [("Channel aa01",), ("Channel aa02",)]


def test_youtube_search_results_keep_videos_only(store: Store) -> None:
    f = ingest(store, [FORMATS / "youtube-api/search_list_response_channel_result.json"]).files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined_total) == (3, 1, 2)
    assert quarantine(store) == [
        (2, "search result that is not a video (youtube#channel)", "items[1].id"),
        (3, "unparseable time (pass --map time_format=... or --format)", "created_at"),
    ]
    assert rows(store, "SELECT post_id, account_id FROM posts") == [("srchVideo01", "UCbbbbbbbbbbbbbbbbbbbb01")]


def test_youtube_comment_threads_with_replies(store: Store) -> None:
    f = ingest(store, [FORMATS / "youtube-api/comment_threads_with_replies.json"]).files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined_total) == (3, 3, 0)
    assert rows(
        store, "SELECT post_id, account_id, kind, parent_post_id, parent_account_id, text, urls FROM posts ORDER BY 1"
    ) == [
        (
            "UgThread1",
            "UCcccccccccccccccccccc01",
            "reply",
            "dQw4w9WgXc1",
            "UCaaaaaaaaaaaaaaaaaaaa01",
            "Who pays for this? #strike",
            [],
        ),
        (
            "UgThread1.r1",
            "UCcccccccccccccccccccc02",
            "reply",
            "UgThread1",
            None,
            "@dockworker_sam the port authority",
            [],
        ),
        (
            "UgThread2",
            "UCcccccccccccccccccccc03",
            "reply",
            "dQw4w9WgXc1",
            "UCaaaaaaaaaaaaaaaaaaaa01",
            "Read this & weep\nline two",
            ["https://example.org/a?b=1&c=2"],
        ),
    ]
    assert rows(store, "SELECT handle, avatar FROM accounts WHERE account_id = 'UCcccccccccccccccccccc02'") == [
        ("mira-k", "https://yt3.ggpht.com/UCcccccccccccccccccccc02=s48")
    ]


def test_youtube_bad_rows(store: Store) -> None:
    f = ingest(store, [FORMATS / "youtube-api/comment_threads_bad_rows.jsonl"]).files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined_total) == (6, 2, 4)
    assert quarantine(store) == [
        (1, "missing account id", "account_id"),
        (1, "unexpected JSON shape (snippet.topLevelComment: expected a comment object)", "items[2]"),
        (1, "unsupported item kind (youtube#playlist)", "items[3].kind"),
        (2, "unreadable row (invalid JSON)", None),
    ]
    assert rows(store, "SELECT post_id, parent_post_id FROM posts ORDER BY 1") == [("UgBare", "UgOk"), ("UgOk", "v1")]


def test_mastodon_timeline_boost_reply_and_html(store: Store) -> None:
    f = ingest(store, [FORMATS / "mastodon-api/statuses_timeline_boost_reply_html.json"]).files[0]
    # four statuses plus the boosted original (already in the file: a duplicate, not a second copy)
    assert (f.format, f.rows_read, f.posts_stored, f.duplicates, f.quarantined_total) == ("mastodon-api", 5, 4, 1, 0)
    got = rows(
        store,
        "SELECT post_id, account_id, kind, parent_post_id, parent_account_id, text, urls, hashtags, mentions, media, "
        "client FROM posts ORDER BY post_id",
    )
    text = "Ferry strike update: news.example.org/ferry #ferry\nSecond <para> & more"
    assert got == [
        (
            "110000000000000001",
            "harbourwatch@mastodon.social",
            "original",
            None,
            None,
            text,
            ["https://news.example.org/ferry?utm_source=masto"],
            ["ferry"],
            [],
            ["https://files.mastodon.social/media/1.png"],
            "Web",
        ),
        (
            "110000000000000002",
            "lena@fosstodon.org",
            "reply",
            "110000000000000001",
            "harbourwatch@mastodon.social",
            "@harbourwatch is the 7am one cancelled?",
            [],
            [],
            ["harbourwatch@mastodon.social"],
            [],
            "Web",
        ),
        (
            "110000000000000003",
            "lena@fosstodon.org",
            "repost",
            "110000000000000001",
            "harbourwatch@mastodon.social",
            text,
            ["https://news.example.org/ferry?utm_source=masto"],
            ["ferry"],
            [],
            ["https://files.mastodon.social/media/1.png"],
            "Web",
        ),
        (
            "110000000000000004",
            "harbourwatch@mastodon.social",
            "original",
            None,
            None,
            "strike talk\n\ndetails inside",
            [],
            [],
            [],
            [],
            "Web",
        ),
    ]
    assert rows(store, "SELECT account_id, display_name, description FROM accounts ORDER BY 1") == [
        ("harbourwatch@mastodon.social", "Harbour Watch", "Port news & links"),
        ("lena@fosstodon.org", "Lena 🍞", ""),
    ]
    again = ingest(store, [FORMATS / "mastodon-api/statuses_timeline_boost_reply_html.json"], force=True).files[0]
    assert (again.posts_stored, again.duplicates) == (0, 5)


def test_mastodon_bad_rows(store: Store) -> None:
    f = ingest(store, [FORMATS / "mastodon-api/statuses_bad_rows.jsonl"]).files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined_total) == (7, 2, 5)
    assert quarantine(store) == [
        (2, "unexpected JSON shape (account: expected an account object)", "status"),
        (3, "missing time", "created_at"),
        (4, "unreadable row (invalid JSON)", None),
        (5, "unexpected JSON shape (expected a status object)", "[1]"),
        (6, "missing account id", "account_id"),
    ]


def test_single_document_that_does_not_parse_names_line_and_column(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text((FORMATS / "youtube-api/video_list_response.json").read_text()[:700])
    with pytest.raises(FormatError, match=r"cut\.json: invalid JSON at line \d+, column \d+"):
        ingest(store, [cut], format="youtube-api")


def test_html_to_text_never_keeps_markup_or_code() -> None:
    text, links = html_to_text(
        '<p>a &lt;b&gt; <script>alert(1)</script>c</p><p>d<br>e</p><a href="https://x.org">x</a>'
    )
    assert text == "a <b> c\nd\ne\nx"
    assert links == [("https://x.org", "")]


def _random_posts(seed: int, n: int = 40) -> list[dict[str, object]]:
    """Canonical posts with awkward text: quotes, angle brackets, ampersands, emoji, non-Latin scripts."""
    rng = random.Random(seed)
    pieces = ["plain", "<b>not bold</b>", "&amp; literal", '"quoted"', "emoji 🙂", "Ελληνικά", "中文", "a&b", "x<y"]
    start = dt.datetime(2024, 3, 1)
    return [
        {
            "post_id": str(7_000_000_000_000_000_000 + i),
            "account": f"acct_{rng.randrange(8)}",
            "time": start + dt.timedelta(seconds=rng.randrange(86_400 * 10)),
            "text": " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))),
            "tags": sorted({f"tag{rng.randrange(5)}" for _ in range(rng.randint(0, 3))}),
        }
        for i in range(n)
    ]


def _as_tiktok(posts: list[dict[str, object]]) -> str:
    videos = [
        {
            "id": int(str(p["post_id"])),
            "username": p["account"],
            "create_time": int(cast(dt.datetime, p["time"]).replace(tzinfo=dt.UTC).timestamp()),
            "video_description": p["text"],
            "hashtag_names": p["tags"],
        }
        for p in posts
    ]
    return json.dumps({"data": {"videos": videos, "cursor": len(videos), "has_more": False}, "error": {"code": "ok"}})


def _as_youtube(posts: list[dict[str, object]]) -> str:
    items = [
        {
            "kind": "youtube#video",
            "id": p["post_id"],
            "snippet": {
                "publishedAt": cast(dt.datetime, p["time"]).isoformat() + "Z",
                "channelId": p["account"],
                "title": p["text"],
                "description": "",
                "tags": p["tags"],
            },
        }
        for p in posts
    ]
    return json.dumps({"kind": "youtube#videoListResponse", "items": items}, indent=1)


def _as_mastodon(posts: list[dict[str, object]]) -> str:
    statuses = []
    for p in posts:
        tags = cast(list[str], p["tags"])
        statuses.append(
            {
                "id": p["post_id"],
                "created_at": cast(dt.datetime, p["time"]).isoformat() + ".000Z",
                "content": f"<p>{html.escape(str(p['text']))}</p>",
                "account": {"id": "1", "acct": p["account"], "url": f"https://example.social/@{p['account']}"},
                "reblog": None,
                "visibility": "public",
                "tags": [{"name": t} for t in tags],
            }
        )
    return "\n".join(json.dumps(s) for s in statuses) + "\n"


@pytest.mark.parametrize(
    ("fmt", "writer", "account_suffix"),
    [
        ("tiktok-research", _as_tiktok, ""),
        ("youtube-api", _as_youtube, ""),
        ("mastodon-api", _as_mastodon, "@example.social"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_round_trip_canonical_posts(
    store: Store,
    tmp_path: Path,
    fmt: str,
    writer: Callable[[list[dict[str, object]]], str],
    account_suffix: str,
    seed: int,
) -> None:
    """Canonical posts written in the platform's layout read back exactly (ids, accounts, times, text, tags)."""
    posts = _random_posts(seed)
    path = tmp_path / "export.json"
    path.write_text(writer(posts), encoding="utf-8")
    f = ingest(store, [path]).files[0]
    assert (f.format, f.posts_stored, f.quarantined_total) == (fmt, len(posts), 0)
    got = rows(store, "SELECT post_id, account_id, created_at, text, hashtags FROM posts ORDER BY post_id")
    want = [
        (p["post_id"], f"{p['account']}{account_suffix}", p["time"], p["text"], p["tags"])
        for p in sorted(posts, key=lambda p: str(p["post_id"]))
    ]
    assert got == want


def test_tiktok_video_mention_list_wins_over_description(store: Store, tmp_path: Path) -> None:
    video = {"id": 1, "username": "a", "create_time": 1717239600, "video_description": "hi @old"}
    path = tmp_path / "videos.jsonl"
    path.write_text(
        json.dumps(video) + "\n" + json.dumps({**video, "id": 2, "video_mention_list": ["@new", "other"]}) + "\n"
    )
    ingest(store, [path])
    assert rows(store, "SELECT post_id, mentions FROM posts ORDER BY 1") == [("1", ["old"]), ("2", ["new", "other"])]


def test_oversized_single_document_asks_for_json_lines(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lockstep.readers import api_json

    monkeypatch.setattr(api_json, "MAX_DOCUMENT_BYTES", 100)
    big = tmp_path / "big.json"
    shutil.copy(FORMATS / "youtube-api/video_list_response.json", big)
    with pytest.raises(FormatError, match=r"big\.json: a single JSON document over .* JSON lines"):
        ingest(store, [big])
