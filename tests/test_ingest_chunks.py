"""Chunked ingest (issue 12, the 100M run): a file staged and written in chunks gives exactly the store one chunk
gives: posts, accounts, URLs, quarantine rows with the file's own row numbers, the file registry and the counts,
including duplicates and identical id-less rows across chunks, bad rows in later chunks and account snapshots
reduced over the whole file. An ingest interrupted between chunks keeps the committed chunks' posts but does
not register the file, and the next run completes it to the same store."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

import lockstep.ingest_finalize as ingest_finalize
import lockstep.ingestion as ingestion
from lockstep import ingest, open_store
from lockstep.errors import InputError
from lockstep.ingestion import IngestReport
from lockstep.readers.tabular_chunks import _chunk_sizes, iter_tabular_chunks
from lockstep.store import Store

MAPPING = {
    "post_id": "id",
    "account_id": "user",
    "handle": "name",
    "followers": "followers",
    "display_name": "shown",
    "created_at": "time",
    "text": "text",
    "urls": "urls",
}
HEADER = ["id", "user", "name", "followers", "shown", "time", "text", "urls"]
ROWS = [
    ["p1", "u1", "alice", "10", "", "2020-01-01 00:00:00", "hello", "https://a.example/x"],
    ["p2", "u2", "bob", "", "Bob", "2020-01-01 00:01:00", "hi", ""],
    ["", "u3", "carol", "5", "", "2020-01-01 00:02:00", "same text", ""],
    ["p4", "", "dave", "1", "", "2020-01-01 00:03:00", "no account", ""],
    ["p1", "u1", "alice2", "20", "", "2020-01-01 00:04:00", "dup of p1", ""],
    ["", "u3", "carol", "5", "", "2020-01-01 00:02:00", "same text", ""],
    ["p7", "u2", "bob2", "7", "", "2020-01-02 00:00:00", "later bob", "https://B.Example/Y?utm_source=z"],
    ["p8", "u1", "", "", "", "not a time", "bad time", ""],
    ["p9", "6.29697E+17", "x", "1", "", "2020-01-03 00:00:00", "sci", ""],
    ["p2", "u2", "bob3", "8", "Old Bob", "2019-12-31 00:00:00", "older dup", ""],
    ["", "u3", "carol", "5", "", "2020-01-01 00:02:00", "same text", ""],
    ["p12", "u4", "eve", "3", "", "2020-01-05 00:00:00", "multi\nline", "https://a.example/x"],
    ["p13", "u1", "alice3", "", "Alice", "2020-01-01 00:00:30", "early alice", ""],
    ["p14", "u3", "", "6", "", "2020-01-06 00:00:00", "carol again", ""],
]
#: Rows compared per table, without the run's batch id.
TABLES = ("posts", "accounts", "post_urls", "quarantine", "sources")


def _write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in TABLES:
        cols = "*" if table == "post_urls" else "* EXCLUDE (batch_id)"
        rows = store.con.execute(f"SELECT {cols} FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def _ingest(tmp_path: Path, name: str, files: list[Path], **kw: Any) -> tuple[dict[str, Any], IngestReport]:
    with open_store(tmp_path / f"{name}.duckdb") as s:
        report = ingest(s, files, **kw)
        return _contents(s), report


def _same_report(a: IngestReport, b: IngestReport) -> None:
    for fa, fb in zip(a.files, b.files, strict=True):
        assert (fa.rows_read, fa.posts_stored, fa.accounts_stored, fa.duplicates, fa.quarantined, fa.account_rows) == (
            fb.rows_read,
            fb.posts_stored,
            fb.accounts_stored,
            fb.duplicates,
            fb.quarantined,
            fb.account_rows,
        )


def test_chunk_sizes_are_equal_and_bounded() -> None:
    assert _chunk_sizes(10, 3) == [3, 3, 2, 2]
    assert _chunk_sizes(10, 10) == [10]
    assert _chunk_sizes(10, 100) == [10]
    assert _chunk_sizes(0, 5) == [0]
    assert sum(_chunk_sizes(10_200_000, 12_000_000)) == 10_200_000
    assert _chunk_sizes(102_000_000, 12_000_000) == [11_333_334] * 3 + [11_333_333] * 6


def test_chunks_keep_the_files_row_numbers(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    con = duckdb.connect()
    seen: list[tuple[int, bool, list[int]]] = []
    for src, more in iter_tabular_chunks(con, path, "csv", "src_rows", chunk_rows=4):
        rows = [r[0] for r in con.execute("SELECT _row FROM src_rows ORDER BY _row").fetchall()]
        ids = [r[0] for r in con.execute("SELECT id FROM src_rows ORDER BY _row").fetchall()]
        assert ids == [(r[0] or None) for r in ROWS[rows[0] - 1 : rows[-1]]]
        seen.append((src.rows_read, more, rows))
        con.execute("DROP TABLE src_rows")
    assert [(n, more) for n, more, _ in seen] == [(4, True), (4, True), (3, True), (3, False)]
    assert [r for _, _, rows in seen for r in rows] == list(range(1, len(ROWS) + 1))


@pytest.mark.parametrize("chunk_rows", [1, 2, 4, 5, 13])
def test_chunked_store_equals_one_chunk(tmp_path: Path, chunk_rows: int) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    one, r1 = _ingest(tmp_path, "one", [path], format="generic", mapping=MAPPING)
    many, rn = _ingest(tmp_path, "many", [path], format="generic", mapping=MAPPING, chunk_rows=chunk_rows)
    assert many == one
    _same_report(rn, r1)
    f = r1.files[0]
    # p1 and p2 repeat across chunks; the three identical id-less carol rows are three posts.
    assert (f.rows_read, f.posts_stored, f.duplicates, f.quarantined_total) == (14, 9, 2, 3)
    assert sum(1 for p in one["posts"] if str(p[1]).startswith("h:")) == 3
    db = duckdb.connect(str(tmp_path / "one.duckdb"), read_only=True)
    # The quarantined rows keep the file's own record numbers, from later chunks too.
    assert db.execute("SELECT source_row, field FROM quarantine ORDER BY 1").fetchall() == [
        (4, "account_id"),
        (8, "created_at"),
        (9, "account_id"),
    ]
    # Snapshots are the latest non-empty value over the whole file: bob2's handle (2020-01-02) beats the
    # duplicate row's older bob3, and the display name comes from the only rows that have one.
    accounts = db.execute("SELECT account_id, handle, followers, display_name FROM accounts ORDER BY 1").fetchall()
    assert accounts == [
        ("u1", "alice2", 20, "Alice"),
        ("u2", "bob2", 7, "Bob"),
        ("u3", "carol", 6, None),
        ("u4", "eve", 3, None),
    ]
    db.close()


def test_chunked_parquet_equals_one_chunk(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    parquet = tmp_path / "posts.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)"
    )
    one, r1 = _ingest(tmp_path, "one", [parquet], format="generic", mapping=MAPPING)
    many, rn = _ingest(tmp_path, "many", [parquet], format="generic", mapping=MAPPING, chunk_rows=3)
    assert many == one
    _same_report(rn, r1)
    assert r1.files[0].posts_stored == 9


def test_account_only_file_chunked(tmp_path: Path) -> None:
    header = ["userid", "user_screen_name", "account_creation_date", "follower_count", "user_display_name"]
    rows = [
        ["a1", "one", "2015-01-01", "10", "One"],
        ["a2", "two", "2015-01-02", "", ""],
        ["", "nobody", "2015-01-03", "1", ""],
        ["a1", "one_b", "2015-01-01", "", ""],
        ["a3", "three", "2015-01-04", "3", ""],
        ["a2", "", "2015-01-02", "22", "Two"],
        ["6.1E+17", "sci", "2015-01-05", "1", ""],
    ]
    path = _write_csv(tmp_path / "users.csv", rows, header)
    one, r1 = _ingest(tmp_path, "one", [path], format="io-archive-users")
    many, rn = _ingest(tmp_path, "many", [path], format="io-archive-users", chunk_rows=2)
    assert many == one
    _same_report(rn, r1)
    f = r1.files[0]
    assert (f.account_rows, f.quarantined_total, f.accounts_stored) == (5, 2, 3)


def test_unclean_file_is_one_chunk_through_the_line_aware_reader(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('p99,u9,zed,1,,2020-01-07 00:00:00,"never closed\n')
    one, r1 = _ingest(tmp_path, "one", [path], format="generic", mapping=MAPPING)
    many, rn = _ingest(tmp_path, "many", [path], format="generic", mapping=MAPPING, chunk_rows=2)
    assert many == one
    _same_report(rn, r1)
    assert any(str(q[4]).startswith("unreadable row") for q in one["quarantine"])


def test_interrupted_chunked_ingest_is_not_registered_and_a_rerun_completes_it(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    real = ingest_finalize.finalize_posts
    calls = {"n": 0}

    def killed_in_chunk_two(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed between chunks")
        real(*args, **kwargs)

    monkeypatch.setattr(ingestion, "finalize_posts", killed_in_chunk_two)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [path], format="generic", mapping=MAPPING, chunk_rows=4)
    assert calls["n"] == 2
    # Chunk one (rows 1-4: p1, p2, one id-less row, one row without account) was committed; the file is not
    # registered and its accounts are not written.
    assert (store.count("posts"), store.count("quarantine")) == (3, 1)
    for table in ("accounts", "sources", "ingest_batches"):
        assert store.count(table) == 0, table
    monkeypatch.setattr(ingestion, "finalize_posts", real)
    report = ingest(store, [path], format="generic", mapping=MAPPING, chunk_rows=4)
    f = report.files[0]
    assert f.skipped is None and (f.posts_stored, f.duplicates) == (6, 5)
    one, _ = _ingest(tmp_path, "one", [path], format="generic", mapping=MAPPING)
    mine = _contents(store)
    assert {t: mine[t] for t in TABLES if t != "sources"} == {t: one[t] for t in TABLES if t != "sources"}


def test_chunked_reingest_is_skipped_and_forced_reingest_duplicates_nothing(tmp_path: Path, store: Store) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    ingest(store, [path], format="generic", mapping=MAPPING, chunk_rows=3)
    before = _contents(store)
    again = ingest(store, [path], format="generic", mapping=MAPPING, chunk_rows=3)
    assert again.files[0].skipped
    forced = ingest(store, [path], format="generic", mapping=MAPPING, chunk_rows=3, force=True)
    f = forced.files[0]
    assert (f.posts_stored, f.accounts_stored, f.duplicates, f.quarantined_total) == (0, 0, 11, 3)
    after = _contents(store)
    assert {t: after[t] for t in TABLES if t != "sources"} == {t: before[t] for t in TABLES if t != "sources"}
    assert len(after["sources"]) == 2


def test_chunk_rows_must_be_positive(store: Store, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    with pytest.raises(InputError):
        ingest(store, [path], format="generic", mapping=MAPPING, chunk_rows=0)


KILLED_IN_CHUNK_TWO = """
import os, signal, sys
import lockstep.ingestion as ingestion
from lockstep import ingest, open_store

real = ingestion.finalize_posts
calls = [0]


def finalize_then_die(*args, **kwargs):
    calls[0] += 1
    if calls[0] == 2:  # chunk one is written (uncommitted); the process dies without any cleanup
        os.kill(os.getpid(), signal.SIGKILL)
    real(*args, **kwargs)


ingestion.finalize_posts = finalize_then_die
store = open_store(sys.argv[1])
ingest(store, [sys.argv[2]], format="generic", mapping=MAPPING, chunk_rows=4)
"""


def test_process_killed_between_chunks_is_completed_by_a_rerun(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "posts.csv", ROWS)
    db = tmp_path / "killed.duckdb"
    code = KILLED_IN_CHUNK_TWO.replace("MAPPING", repr(MAPPING))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", code, str(db), str(path)], env=env, capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    with open_store(db) as s:
        # The first chunk's commit survives the kill; the file is not registered.
        assert (s.count("posts"), s.count("accounts"), s.count("sources")) == (3, 0, 0)
        report = ingest(s, [path], format="generic", mapping=MAPPING, chunk_rows=4)
        assert report.files[0].skipped is None and report.files[0].posts_stored == 6
    one, _ = _ingest(tmp_path, "one", [path], format="generic", mapping=MAPPING)
    with open_store(db) as s:
        mine = _contents(s)
    assert {t: mine[t] for t in TABLES if t != "sources"} == {t: one[t] for t in TABLES if t != "sources"}
