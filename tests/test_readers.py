"""Each reader on small real fixtures: exact rows, fields and accounting."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep import ingest
from lockstep.errors import FormatError, MissingColumnsError, OutOfMemoryError
from lockstep.store import Store


def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    return store.con.execute(sql).fetchall()


def test_io_archive_tweets_31_columns(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "io_archive_tweets_31col.csv"])
    f = report.files[0]
    assert (f.format, f.rows_read, f.posts_stored, f.duplicates, f.quarantined_total) == (
        "io-archive-tweets",
        25,
        25,
        0,
        0,
    )
    (post,) = rows(
        store,
        "SELECT post_id, account_id, created_at::VARCHAR, kind, hashtags, language, client, "
        "source_row FROM posts WHERE post_id = '894109669869985793'",
    )
    assert post == (
        "894109669869985793",
        "4125840934",
        "2017-08-06 08:15:00",
        "original",
        ["SyrianArmy", "Hama", "InsideSyriaMC"],
        "en",
        "WordPress.com",
        1,
    )
    (url,) = rows(store, "SELECT url_raw, url, domain FROM post_urls WHERE post_id = '894109669869985793'")
    assert url == ("http://en.insidesyriamc.com/2017/08/06/new-convoy-of-syrian-army-arrived-in-hama/",) * 2 + (
        "insidesyriamc.com",
    )


def test_io_archive_retweet_fields(store: Store, fixtures: Path) -> None:
    ingest(store, [fixtures / "io_archive_tweets_31col.csv"])
    (rt,) = rows(
        store,
        "SELECT kind, parent_post_id, parent_account_id, mentions FROM posts WHERE post_id = '580819440469602304'",
    )
    assert rt == ("repost", "580819071475826688", "16307778", ["16307778"])


def test_io_archive_hashed_ids_and_absent_coordinates(store: Store, fixtures: Path) -> None:
    ingest(store, [fixtures / "io_archive_tweets_31col.csv"])
    hashed = rows(
        store,
        "SELECT count(*) FILTER (WHERE id_is_hashed), count(*) FILTER (WHERE NOT id_is_hashed) FROM accounts",
    )
    assert hashed[0][0] > 0 and hashed[0][1] > 0
    (extra,) = rows(store, "SELECT extra FROM posts WHERE post_id = '894109669869985793'")
    assert '"latitude":"absent"' in str(extra[0])  # unmapped columns are kept as written


def test_io_archive_30_columns_reordered_reads_the_same(store: Store, fixtures: Path) -> None:
    ingest(store, [fixtures / "io_archive_tweets_30col_reordered.csv"])
    (post,) = rows(
        store,
        "SELECT account_id, created_at::VARCHAR, hashtags FROM posts WHERE post_id = '894109669869985793'",
    )
    assert post == ("4125840934", "2017-08-06 08:15:00", ["SyrianArmy", "Hama", "InsideSyriaMC"])


def test_io_archive_truncated_last_line_is_quarantined(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "io_archive_truncated_last_line.csv"])
    f = report.files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined) == (6, 5, {"unreadable row (quote never closed)": 1})
    (q,) = rows(store, "SELECT source_row, field, starts_with(raw, '\"929990851115212800\"') FROM quarantine")
    # the record starts on line 8 of the file (an earlier tweet holds a line break)
    assert q == (8, None, True)


def test_io_archive_users(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "io_archive_users_hashed.csv"])
    assert (report.files[0].format, report.files[0].accounts_stored) == ("io-archive-users", 12)
    (acct,) = rows(
        store,
        "SELECT handle, created_at::VARCHAR, followers, following, language, id_is_hashed "
        "FROM accounts WHERE account_id = '919755217121316864'",
    )
    assert acct == ("wuming11xia", "2017-10-16 00:00:00", 0, 0, "zh-cn", False)


def test_ira_parquet(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "ira_tweets.parquet"])
    assert (report.files[0].format, report.files[0].posts_stored) == ("ira", 12)
    got = rows(store, "SELECT kind, count(*) FROM posts GROUP BY 1 ORDER BY 1")
    assert got == [("original", 8), ("repost", 4)]
    (acct,) = rows(store, "SELECT account_id, handle, followers, following, post_count FROM accounts")
    assert acct[:2] == ("10_gop", "10_gop")
    assert all(r[0].startswith("h:") for r in rows(store, "SELECT post_id FROM posts"))


def test_ira_identical_rows_are_both_kept(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "ira_identical_rows.csv"])
    assert (report.files[0].rows_read, report.files[0].posts_stored) == (2, 2)
    ids = rows(store, "SELECT post_id FROM posts ORDER BY post_id")
    assert len({i[0] for i in ids}) == 2


def test_airline_times_from_snowflake_ids(store: Store, fixtures: Path) -> None:
    ingest(store, [fixtures / "airline_tweets.csv"])
    (post,) = rows(
        store,
        "SELECT account_id, created_at::VARCHAR, mentions FROM posts WHERE post_id = '570306133677760513'",
    )
    # the CSV says 2/24/2015 11:35 (US Pacific); the id says 19:35:52.701 UTC
    assert post == ("cairdin", "2015-02-24 19:35:52.701", ["VirginAmerica", "dhepburn"])


def test_bluesky_csv(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "bluesky_posts.csv"])
    assert (report.files[0].format, report.files[0].posts_stored) == ("bluesky-csv", 10)
    (acct,) = rows(
        store,
        "SELECT handle, followers, created_at::VARCHAR FROM accounts "
        "WHERE account_id = 'did:plc:nywb5oene54cllowkfwouxzz'",
    )
    assert acct == ("chadloder.bsky.social", 77322, "2023-04-30 18:10:33.161")
    (post,) = rows(
        store,
        "SELECT created_at::VARCHAR, language, repost_count FROM posts WHERE post_id = "
        "'at://did:plc:nywb5oene54cllowkfwouxzz/app.bsky.feed.post/3lytamfylbs2f'",
    )
    assert post == ("2025-09-14 21:33:53.61", "en", 1709)
    assert rows(store, "SELECT count(*) FROM post_urls")[0][0] >= 2


def test_twarc2_pages_and_flattened_lines(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "twarc2_page_and_flat.jsonl"])
    # rows read counts tweets (a response page holds several), so read = stored + duplicates + quarantined
    assert (report.files[0].format, report.files[0].rows_read, report.files[0].posts_stored) == (
        "twarc2",
        4,
        4,
    )
    got = rows(
        store,
        "SELECT post_id, account_id, kind, parent_post_id, parent_account_id, created_at::VARCHAR "
        "FROM posts ORDER BY post_id",
    )
    assert got == [
        ("1599999999999999999", "99", "original", None, None, "2022-12-06 07:59:30"),
        ("1600000000000000001", "11", "repost", "1599999999999999999", "99", "2022-12-06 08:00:01"),
        ("1600000000000000002", "12", "original", None, None, "2022-12-06 08:00:03"),
        ("1600000000000000003", "13", "reply", "1600000000000000002", "12", "2022-12-06 08:01:00"),
    ]
    (p2,) = rows(store, "SELECT hashtags, media, like_count FROM posts WHERE post_id = '1600000000000000002'")
    assert p2 == (["统一", "和平", "发展"], ["https://pbs.twimg.com/media/cartoon1.jpg"], 2)
    (u,) = rows(store, "SELECT url FROM post_urls WHERE post_id = '1600000000000000001'")
    assert u == ("https://news.example.org/vote?id=9",)
    (a,) = rows(store, "SELECT handle, followers, avatar FROM accounts WHERE account_id = '12'")
    assert a == ("peace_lover88", 3, "https://pbs.twimg.com/profile_images/1/a.jpg")


def test_twarc2_malformed_line_is_quarantined(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "twarc2_malformed_line.jsonl"])
    f = report.files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined) == (5, 4, {"unreadable row (invalid JSON)": 1})
    assert rows(store, "SELECT source_row FROM quarantine") == [(2,)]


def test_generic_with_column_map(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "export.tsv"
    src.write_text("id\tuser\twhen\tbody\n1\tann\t2024-01-01 10:00:00\thi #a #b\n", encoding="utf-8")
    ingest(
        store,
        [src],
        format="generic",
        mapping={
            "post_id": "id",
            "account_id": "user",
            "created_at": "when",
            "text": "body",
            "platform": "forum",
        },
    )
    assert rows(store, "SELECT platform, post_id, account_id, hashtags FROM posts") == [
        ("forum", "1", "ann", ["a", "b"])
    ]


def test_record_longer_than_the_fast_readers_limit_is_kept(store: Store, tmp_path: Path) -> None:
    """A record over DuckDB's line limit sends the file through the line-aware reader: every row is stored."""
    from lockstep.readers.tabular import MAX_LINE_BYTES

    long_body = "x" * (MAX_LINE_BYTES + 10)
    src = tmp_path / "export.csv"
    src.write_text(
        f"id,user,when,body\n1,ann,2024-01-01 10:00:00,short\n2,bob,2024-01-01 10:01:00,{long_body}\n"
        "3,cid,2024-01-01 10:02:00,after\n",
        encoding="utf-8",
    )
    report = ingest(
        store,
        [src],
        format="generic",
        mapping={"post_id": "id", "account_id": "user", "created_at": "when", "text": "body", "platform": "forum"},
    )
    assert (report.files[0].rows_read, report.files[0].posts_stored, report.files[0].quarantined_total) == (3, 3, 0)
    assert rows(store, "SELECT post_id, length(text) FROM posts ORDER BY post_id") == [
        ("1", 5),
        ("2", MAX_LINE_BYTES + 10),
        ("3", 5),
    ]


def test_out_of_memory_names_the_file_and_the_fix_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    """An engine out-of-memory while reading is reported as such (not as a format problem) and rolls back."""
    src = tmp_path / "export.csv"
    lines = [f"{i},u{i % 50},2024-01-01 10:00:00,some text number {i} here" for i in range(100_000)]
    src.write_text("id,user,when,body\n" + "\n".join(lines) + "\n", encoding="utf-8")
    store.con.execute("SET memory_limit = '3MB'")
    with pytest.raises(OutOfMemoryError, match=r"export\.csv: ran out of memory .*--memory-limit"):
        ingest(
            store,
            [src],
            format="generic",
            mapping={"post_id": "id", "account_id": "user", "created_at": "when", "text": "body", "platform": "x"},
        )
    store.con.execute("RESET memory_limit")
    assert rows(store, "SELECT count(*) FROM posts") == [(0,)]


def test_generic_jsonl_keeps_late_keys(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    # keys are learnt from the whole file; one that appears only after line 200 must still be kept
    lines = [f'{{"id": {i}, "user": "u{i}", "ts": "2024-01-01T00:00:00Z"}}' for i in range(300)]
    lines.append('{"id": 999, "user": "u9", "ts": "2024-01-01T00:00:09Z", "late_key": {"deep": [1, 2]}}')
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest(store, [src], format="generic", mapping={"post_id": "id", "account_id": "user", "created_at": "ts"})
    assert rows(store, "SELECT extra FROM posts WHERE post_id = '999'") == [('{"late_key":{"deep":[1,2]}}',)]


def test_unknown_layout_names_the_columns(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "mystery.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"mystery.csv: cannot tell the format .*columns: a, b"):
        ingest(store, [src])


def test_missing_required_column_names_the_closest(store: Store, fixtures: Path) -> None:
    with pytest.raises(MissingColumnsError) as err:
        ingest(store, [fixtures / "missing_required_column.csv"])
    assert err.value.missing == ["userid"]
    assert err.value.suggestions == {"userid": "user_id"}
    assert "missing_required_column.csv" in str(err.value)


def test_forced_format_with_missing_columns(store: Store, fixtures: Path) -> None:
    with pytest.raises(MissingColumnsError, match="'userid': closest found 'user_id'"):
        ingest(store, [fixtures / "missing_required_column.csv"], format="io-archive-tweets")
