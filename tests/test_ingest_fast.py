"""The fast paths of ingest (issue 12) give what the full paths give: time shapes found on a sample, bare list
cells, new posts inserted without a copy, account snapshots that reuse the staged post times."""

from __future__ import annotations

from pathlib import Path

import duckdb

import lockstep
from lockstep.readers.mapping import DEFAULT_TIME_FORMATS, EPOCH_HINT, LIST_ITEM_PATTERN, ColumnMap, _fast_format
from lockstep.readers.tabular import sql_str


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def test_time_hint_gives_the_full_parse_on_every_value() -> None:
    # The sample (first 1,000 values) is all one shape; later values include every other shape, epoch
    # seconds with a fraction, junk and blanks: each must parse exactly as without the hint.
    later = [
        "2019-08-01 12:30",
        "2019-08-01T12:30:00",
        "08/01/2019 12:30:00",
        "Thu Aug 01 12:30:00 +0000 2019",
        "1568569751",
        "1568569751.25",
        "2019-08-01",
        "not a time",
        "",
        "  2019-08-01 12:30:00  ",
    ]
    for first in ("2019-08-01 12:30:00", "1568569751", "08/01/2019 12:30", "Thu Aug 01 12:30:00 +0000 2019"):
        con = _con()
        values = [first] * 1000 + later
        con.execute("CREATE TABLE t AS SELECT unnest(?::VARCHAR[]) AS ts, range AS _row FROM range(1)", [values])
        cmap = ColumnMap(platform="x", columns={"created_at": "ts"})
        hinted = cmap.with_time_hints(con, "t")
        assert hinted.time_hints, first
        expr = cmap._col("created_at")
        rows = con.execute(f"SELECT {cmap._time(expr)}, {hinted._time(expr)} FROM t").fetchall()
        assert all(a == b for a, b in rows), first
        assert sum(a is not None for a, _ in rows) == 1000 + 8


def test_epoch_hint_and_no_hint_for_mixed_samples() -> None:
    con = _con()
    con.execute("CREATE TABLE t AS SELECT unnest(['1568569751', '1568569752']) AS ts")
    cmap = ColumnMap(platform="x", columns={"created_at": "ts"})
    assert cmap.with_time_hints(con, "t").time_hints == ((cmap._col("created_at"), EPOCH_HINT),)
    con.execute("CREATE TABLE m AS SELECT unnest(['1568569751', '2019-08-01 12:30:00']) AS ts")
    assert cmap.with_time_hints(con, "m").time_hints == ()


def test_a_format_is_tried_alone_only_when_that_cannot_change_the_result() -> None:
    assert all(_fast_format(f, DEFAULT_TIME_FORMATS) for f in DEFAULT_TIME_FORMATS)
    # Digits and a dot only: could be read as epoch seconds first by the full parse.
    assert not _fast_format("%Y%m%d%H.%M", ("%Y%m%d%H.%M", *DEFAULT_TIME_FORMATS))
    # A user format comes first: a default format after it may not skip it.
    user = ("%d/%m/%Y %H:%M", *DEFAULT_TIME_FORMATS)
    assert _fast_format("%d/%m/%Y %H:%M", user)
    assert not _fast_format("%m/%d/%Y %H:%M", user)


def test_bare_list_cells_give_the_item_regex_result() -> None:
    con = _con()
    cells = ["https://a.example/x", "#tag", "", "  ", None, "['a', 'b']", "a,b", '"q"', "[x]", "#", "a b"]
    con.execute("CREATE TABLE t AS SELECT unnest(?::VARCHAR[]) AS h", [cells])
    cmap = ColumnMap(platform="x", columns={"hashtags": "h"})
    got = con.execute(f"SELECT {cmap._list('hashtags', None, '#')} FROM t").fetchall()
    c = cmap._col("hashtags")
    full = (
        f"coalesce(list_filter(list_transform(regexp_extract_all({c}, {sql_str(LIST_ITEM_PATTERN)}), "
        f"lambda x: ltrim(trim(x, {sql_str(chr(39) + chr(34) + ' ')}), '#')), lambda x: x <> ''), [])"
    )
    want = con.execute(f"SELECT {full} FROM t").fetchall()
    assert got == want
    assert got[0] == (["https://a.example/x"],) and got[1] == (["tag"],) and got[9] == ([],)


def _csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path.write_text("id,user,time,text\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_insert_without_copy_and_with_copy_store_the_same(tmp_path: Path) -> None:
    mapping = {"post_id": "id", "account_id": "user", "created_at": "time", "text": "text", "handle": "user"}
    clean = _csv(tmp_path / "a.csv", [(f"p{i}", f"u{i % 3}", f"{1568569751 + i}", f"t{i}") for i in range(6)])
    # Overlaps the first file (p4, p5), repeats an id within the file (p7) and has an unusable row.
    mixed = _csv(
        tmp_path / "b.csv",
        [
            ("p4", "u1", "1568569755", "t4"),
            ("p5", "u2", "1568569756", "t5"),
            ("p7", "u9", "1568569800", "x"),
            ("p7", "u9", "1568569801", "y"),
            ("p8", "", "1568569802", "z"),
        ],
    )
    store = lockstep.open_store(str(tmp_path / "s.duckdb"))
    r1 = lockstep.ingest(store, [clean], format="generic", mapping=mapping)
    r2 = lockstep.ingest(store, [mixed], format="generic", mapping=mapping)
    assert (r1.total("posts_stored"), r1.total("duplicates")) == (6, 0)
    assert (r2.total("posts_stored"), r2.total("duplicates"), r2.total("quarantined")) == (1, 3, 1)
    rows = store.con.execute("SELECT post_id, account_id, text FROM posts ORDER BY post_id").fetchall()
    assert [r[0] for r in rows] == ["p0", "p1", "p2", "p3", "p4", "p5", "p7"]
    assert rows[-1] == ("p7", "u9", "x")  # the first row of a repeated id
    handles = store.con.execute("SELECT account_id, handle FROM accounts ORDER BY 1").fetchall()
    assert handles == [("u0", "u0"), ("u1", "u1"), ("u2", "u2"), ("u9", "u9")]
    # Re-ingesting both adds nothing.
    r3 = lockstep.ingest(store, [clean, mixed], format="generic", mapping=mapping, force=True)
    assert r3.total("posts_stored") == 0 and r3.total("duplicates") == 10
