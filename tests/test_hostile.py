"""The hostile-input corpus (tests/hostile/): no traceback, and every record accounted for.

Each case runs ``lockstep ingest`` as a user would (then ``info``, and ``analyze`` where times are at stake):
it must either fail with an ``Error:`` message and a non-zero exit, or succeed with read = stored +
duplicates + quarantined and read = the records the file holds. The exact tests below pin what the worst
cases of issue 11 now do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockstep.ingestion import ingest
from lockstep.store import Store, open_store
from tests.conftest import SHARED_DATA
from tests.hostile import corpus
from tests.hostile.harness import run_case

INDEX = json.loads((Path(corpus.__file__).parent / "index.json").read_text(encoding="utf-8"))


def test_corpus_is_large_and_current() -> None:
    cases = corpus.all_small_cases()
    assert len(cases) >= 100
    assert sorted(c.name for c in cases) == sorted(INDEX)
    for c in cases:
        assert (corpus.FILES / c.name).read_bytes() == c.data, f"{c.name}: rerun python -m tests.hostile.corpus"


@pytest.mark.parametrize("name", sorted(INDEX))
def test_hostile_case(name: str, tmp_path: Path) -> None:
    spec = INDEX[name]
    out = run_case(corpus.FILES / name, spec["args"], spec["rows"], spec["analyze"], tmp_path)
    assert out.problem is None, f"{out.problem}\n{out.message}\n{out.crash or ''}"


@pytest.mark.parametrize("case", corpus.big_cases(), ids=lambda c: c.name)
def test_big_hostile_case(case: corpus.Case, tmp_path: Path) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.data)
    out = run_case(path, list(case.args), case.rows, case.analyze, tmp_path)
    assert out.problem is None, f"{out.problem}\n{out.message}\n{out.crash or ''}"


def one(name: str, **kw: object) -> tuple[Store, tuple[int, int, int, dict[str, int]]]:
    store = open_store(":memory:")
    f = ingest(store, [corpus.FILES / name], **kw).files[0]  # type: ignore[arg-type]
    return store, (f.rows_read, f.posts_stored, f.duplicates, f.quarantined)


def test_stray_quote_costs_one_row_of_100k(tmp_path: Path) -> None:
    (case,) = [c for c in corpus.big_cases() if c.name.startswith("big_stray")]
    path = tmp_path / case.name
    path.write_bytes(case.data)
    with open_store(":memory:") as store:
        f = ingest(store, [path]).files[0]
        assert (f.rows_read, f.posts_stored, f.quarantined) == (
            100_000,
            99_999,
            {"unreadable row (a quoted value spans lines and breaks the row)": 1},
        )
        assert store.con.execute("SELECT source_row FROM quarantine").fetchall() == [(11,)]


def test_two_stray_quotes_cost_two_rows() -> None:
    store, got = one("two_stray_quotes.csv")
    assert got[:3] == (30, 28, 0)
    assert store.con.execute("SELECT source_row FROM quarantine ORDER BY 1").fetchall() == [(6,), (21,)]


def test_bom_io_archive_tweets_detected_as_tweets() -> None:
    store, got = one("bom_io_archive_tweets.csv")
    assert got == (5, 5, 0, {})
    assert store.con.execute("SELECT DISTINCT reader FROM posts").fetchall() == [("io-archive-tweets",)]


def test_mixed_line_endings_keep_every_row() -> None:
    store, got = one("mixed_line_endings.csv")
    assert got == (6, 6, 0, {})
    assert store.con.execute("SELECT count(*) FROM posts WHERE text LIKE '%\n%'").fetchone() == (0,)


@pytest.mark.parametrize(
    ("name", "encoding", "texts"),
    [
        ("latin1_io_archive_tweets.csv", "latin-1", ["café crème", "naïve"]),
        ("utf16_io_archive_tweets.csv", "utf-16", ["post number 0 #tag0", "post number 1 #tag1"]),
        ("bom_utf16le_io_archive_tweets.csv", "utf-8", ["post number 0 #tag0", "post number 1 #tag1"]),
        ("cp1252_smart_quotes.csv", "cp1252", ["\u201cquoted\u201d"]),
    ],
)
def test_encodings(name: str, encoding: str, texts: list[str]) -> None:
    store, got = one(name, encoding=encoding)
    assert got[1] >= len(texts) and got[3] == {}
    stored = [r[0] for r in store.con.execute("SELECT text FROM posts ORDER BY post_id").fetchall()]
    assert stored[: len(texts)] == texts


def test_twarc2_wrong_shapes_cost_one_tweet_each() -> None:
    store, got = one("twarc2_entities_list_of_ints.jsonl")
    assert got == (2, 2, 0, {})  # a list where an object belongs is read as no entities
    store, got = one("twarc2_text_int.jsonl")
    assert got == (2, 1, 0, {"unexpected JSON shape (text: expected text, got int)": 1})
    store, got = one("twarc2_lone_surrogate_text.jsonl")
    assert got == (2, 2, 0, {})
    assert store.con.execute("SELECT text FROM posts WHERE post_id = '2000'").fetchone() == ("\ufffd lone",)
    store, got = one("twarc2_data_list_of_ints.jsonl")
    assert got == (3, 1, 0, {"unexpected JSON shape (expected a tweet object, got int)": 2})
    assert store.con.execute("SELECT source_row, field FROM quarantine ORDER BY field").fetchall() == [
        (1, "tweet 1 of the line"),
        (1, "tweet 2 of the line"),
    ]


def test_out_of_range_times_are_quarantined() -> None:
    _, got = one("time_out_of_range_twarc2.jsonl")
    assert got == (
        4,
        1,
        0,
        {
            "unparseable time (pass --map time_format=... or --format)": 2,
            "time out of range (before 1990 or after 2099)": 1,
        },
    )
    _, got = one("time_year_minus_5000.csv")
    assert got[1] == 1 and sum(got[3].values()) == 1


def test_real_twarc2_files_are_detected() -> None:
    folder = SHARED_DATA / "twarc2"
    if not folder.is_dir():
        pytest.skip(f"shared twarc2 samples not found at {folder}")
    with open_store(":memory:") as store:
        report = ingest(store, sorted(folder.glob("*.jsonl")) + sorted(folder.glob("*.csv")))
        formats = {Path(f.path).name: f.format for f in report.files}
        assert formats == {
            "brexit.jsonl": "twarc2",
            "cotweet.jsonl": "twarc2",
            "kpop.jsonl": "twarc2",
            "brexit.csv": "twarc2-csv",
            "kpop.csv": "twarc2-csv",
        }
        assert all(f.quarantined_total == 0 for f in report.files)
        by_reader = dict(
            store.con.execute("SELECT format, sum(rows_read) FROM sources GROUP BY 1 ORDER BY 1").fetchall()
        )
        assert by_reader["twarc2-csv"] == 200  # 100 rows each; the same tweets as the JSON lines (duplicates)
    with open_store(":memory:") as store:
        ingest(store, [folder / "brexit.csv"])
        kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY 1").fetchall())
        assert sum(kinds.values()) == 100 and kinds["repost"] > 0 and kinds["reply"] > 0
