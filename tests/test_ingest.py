"""Ingest guarantees: nothing lost, nothing duplicated, bad rows quarantined with reasons, all or nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import lockstep.ingestion as ingestion
from lockstep import ingest
from lockstep.errors import InputError
from lockstep.store import Store

TABLES = ("posts", "accounts", "post_urls", "quarantine", "sources", "ingest_batches")


def snapshot(store: Store) -> dict[str, int]:
    return {t: store.count(t) for t in TABLES}


def test_reingest_adds_nothing_and_is_skipped(store: Store, fixtures: Path) -> None:
    files = [fixtures / "io_archive_tweets_31col.csv", fixtures / "io_archive_truncated_last_line.csv"]
    ingest(store, files)
    before = snapshot(store)
    again = ingest(store, files)
    assert all(f.skipped for f in again.files)
    after = snapshot(store)
    assert {k: after[k] for k in TABLES[:4]} == {k: before[k] for k in TABLES[:4]}


def test_forced_reingest_counts_duplicates_and_changes_no_data(store: Store, fixtures: Path) -> None:
    path = fixtures / "io_archive_truncated_last_line.csv"
    ingest(store, [path])
    before = snapshot(store)
    again = ingest(store, [path], force=True)
    f = again.files[0]
    assert (f.posts_stored, f.duplicates, f.accounts_stored) == (0, 5, 0)
    after = snapshot(store)
    assert {k: after[k] for k in TABLES[:4]} == {k: before[k] for k in TABLES[:4]}


def test_derived_ids_are_stable_across_stores(tmp_path: Path, fixtures: Path) -> None:
    from lockstep.store import open_store

    ids = []
    for name in ("a", "b"):
        with open_store(tmp_path / f"{name}.duckdb") as s:
            ingest(s, [fixtures / "ira_tweets.parquet"])
            ids.append(s.con.execute("SELECT list(post_id ORDER BY post_id) FROM posts").fetchone())
    assert ids[0] == ids[1]


def test_invalid_utf8_row_is_quarantined_others_kept(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "invalid_utf8_row.csv"], format="generic", mapping={"platform": "test"})
    f = report.files[0]
    assert (f.rows_read, f.posts_stored, f.quarantined) == (3, 2, {"unreadable row (invalid encoding)": 1})
    assert store.con.execute("SELECT source_row, field FROM quarantine").fetchall() == [(3, "text")]


def test_latin1_file_reads_with_encoding_option(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "latin1.csv"
    src.write_bytes("post_id,account_id,created_at,text\n1,jos\xe9,2024-05-01 10:00:00,caf\xe9\n".encode("latin-1"))
    ingest(store, [src], format="generic", encoding="latin-1")
    assert store.con.execute("SELECT account_id, text FROM posts").fetchall() == [("josé", "café")]


def test_nul_byte_is_kept(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "nul_byte_in_text.csv"], format="generic")
    assert report.files[0].posts_stored == 2
    assert store.con.execute("SELECT text FROM posts WHERE post_id = '1'").fetchone() == ("nul\x00inside",)


def test_excel_mangled_ids_are_quarantined(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "excel_mangled_ids.csv"], format="generic")
    f = report.files[0]
    assert f.posts_stored == 1
    assert sorted(store.con.execute("SELECT source_row, field FROM quarantine").fetchall()) == [
        (1, "post_id"),
        (2, "account_id"),
    ]
    assert all("scientific notation" in r for r in f.quarantined)


def test_unparseable_time_is_quarantined_with_raw_row(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "unparseable_time.csv"], format="generic")
    assert report.files[0].posts_stored == 1
    (q,) = store.con.execute("SELECT reason, field, raw FROM quarantine").fetchall()
    assert q[0].startswith("unparseable time") and q[1] == "created_at" and "yesterday at noon" in q[2]
    assert store.con.execute("SELECT created_at::VARCHAR FROM posts").fetchone() == ("2024-05-01 10:00:00",)


def test_quoted_newlines_and_hash_lines(store: Store, fixtures: Path) -> None:
    ingest(store, [fixtures / "quoted_newlines.csv"], format="generic")
    got = store.con.execute("SELECT text, hashtags FROM posts ORDER BY post_id").fetchall()
    assert got == [('line one\n#hashtag line two\n"quoted"', ["hashtag"]), ("a, b", [])]


def test_ten_megabyte_field(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "big_field.csv"
    big = "x" * (10 * 1024 * 1024)
    src.write_text(f"post_id,account_id,created_at,text\n1,a,2024-01-01 00:00:00,{big}\n2,b,2024-01-01 00:00:01,s\n")
    report = ingest(store, [src], format="generic")
    assert report.files[0].posts_stored == 2
    assert store.con.execute("SELECT length(text) FROM posts WHERE post_id = '1'").fetchone() == (len(big),)


def test_zip_archive_members(store: Store, fixtures: Path, tmp_path: Path) -> None:
    archive = tmp_path / "china_082019_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(fixtures / "io_archive_tweets_31col.csv", "china_082019_1_tweets_csv_hashed.csv")
        zf.write(fixtures / "io_archive_users_hashed.csv", "china_082019_1_users_csv_hashed.csv")
    report = ingest(store, [archive])
    assert [f.format for f in report.files] == ["io-archive-tweets", "io-archive-users"]
    assert report.files[0].path.endswith("china_082019_1.zip!china_082019_1_tweets_csv_hashed.csv")
    assert store.count("posts") == 25


def test_failure_midway_leaves_store_as_before(store: Store, fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(store, [fixtures / "airline_tweets.csv"])
    before = snapshot(store)
    real = ingestion.finalize_accounts
    calls = {"n": 0}

    def explode(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed half-way")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingestion, "finalize_accounts", explode)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [fixtures / "io_archive_tweets_31col.csv", fixtures / "bluesky_posts.csv"])
    assert snapshot(store) == before


def test_accounting_line(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "io_archive_truncated_last_line.csv", fixtures / "airline_tweets.csv"])
    assert report.summary() == (
        "read 21 rows from 2 file(s); stored 20 posts and 13 new accounts; duplicates 0; "
        "quarantined 1 (1 unreadable row (quote never closed))"
    )


def test_missing_file_and_directory(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        ingest(store, [tmp_path / "nope.csv"])
    with pytest.raises(InputError, match="is a directory"):
        ingest(store, [tmp_path])


def test_sources_and_provenance(store: Store, fixtures: Path) -> None:
    report = ingest(store, [fixtures / "airline_tweets.csv"])
    (src,) = store.con.execute("SELECT format, rows_read, posts_stored, length(sha256) FROM sources").fetchall()
    assert src == ("airline-csv", 15, 15, 64)
    prov = store.con.execute("SELECT DISTINCT batch_id, reader, reader_version FROM posts").fetchall()
    assert prov == [(report.batch_id, "airline-csv", "1")]


def test_whitespace_only_text_is_kept(store: Store, tmp_path: Path) -> None:
    # found by hypothesis: a text of one no-break space was read as missing
    src = tmp_path / "ws.csv"
    src.write_text(
        "post_id,account_id,created_at,text\n1,a,2024-01-01 00:00:00,\xa0\n2,a,2024-01-01 00:00:01,  \n",
        encoding="utf-8",
    )
    ingest(store, [src], format="generic")
    assert store.con.execute("SELECT text FROM posts ORDER BY post_id").fetchall() == [("\xa0",), ("  ",)]
