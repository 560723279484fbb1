"""The CLI: exact output and exit codes, error paths included."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from lockstep.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_then_info(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    code, out, err = run("ingest", str(fixtures / "io_archive_truncated_last_line.csv"), "--db", db)
    assert code == 0 and out == ""
    assert err == (
        "read 6 rows from 1 file(s); stored 5 posts and 2 new accounts; duplicates 0; "
        "quarantined 1 (1 unreadable row (quote never closed))\n"
    )
    code, out, _ = run("info", "--db", db)
    assert code == 0
    assert out.splitlines()[1:5] == [
        "posts        5",
        "accounts     2 (2 with posts)",
        "sources      1 file(s)",
        "time range   2014-12-30 07:27:00 .. 2017-08-06 08:15:00 UTC",
    ]
    assert out.splitlines()[-2:] == ["quarantined  1", "           1  unreadable row (quote never closed)"]


def test_reingest_says_skipped(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    path = str(fixtures / "airline_tweets.csv")
    run("ingest", path, "--db", db)
    code, _, err = run("ingest", path, "--db", db)
    assert code == 0
    assert "skipped (already ingested in batch" in err
    assert err.endswith(
        "read 0 rows from 0 file(s), skipped 1 already ingested; stored 0 posts and 0 new "
        "accounts; duplicates 0; quarantined 0\n"
    )


def test_quiet(tmp_path: Path, fixtures: Path) -> None:
    code, out, err = run("ingest", "-q", str(fixtures / "airline_tweets.csv"), "--db", str(tmp_path / "s.duckdb"))
    assert (code, out, err) == (0, "", "")


def test_missing_columns_exit_2(tmp_path: Path, fixtures: Path) -> None:
    code, out, err = run("ingest", str(fixtures / "missing_required_column.csv"), "--db", str(tmp_path / "s.db"))
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and "missing required column(s) 'userid'" in err
    assert "closest found 'user_id'" in err


def test_unknown_format_exit_2(tmp_path: Path, fixtures: Path) -> None:
    code, _, err = run(
        "ingest", str(fixtures / "airline_tweets.csv"), "--format", "nope", "--db", str(tmp_path / "s.db")
    )
    assert code == 2 and err.startswith("Error: unknown format 'nope'; formats are: ")


def test_bad_map_flag_exit_2(tmp_path: Path, fixtures: Path) -> None:
    code, _, err = run("ingest", str(fixtures / "airline_tweets.csv"), "--map", "text", "--db", str(tmp_path / "s"))
    assert code == 2 and err == "Error: --map 'text': expected FIELD=COLUMN, e.g. --map text=body\n"


def test_mapping_file(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("id,who,at,msg\n1,ann,2024-01-01 00:00:00,hello\n", encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text('{"post_id": "id", "account_id": "who", "created_at": "at", "text": "msg"}')
    db = str(tmp_path / "s.duckdb")
    code, _, err = run("ingest", str(src), "--format", "generic", "--mapping", str(mapping), "--db", db)
    assert code == 0, err
    code, out, _ = run("info", "--db", db)
    assert "posts        1" in out and "generic 1" in out


def test_info_without_store_exit_1(tmp_path: Path) -> None:
    code, _, err = run("info", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "no such store" in err


def test_formats_lists_every_reader() -> None:
    from lockstep.readers import READERS

    code, out, _ = run("formats")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(READERS)


def test_demo_runs(tmp_path: Path) -> None:
    code, out, err = run("demo", "--db", str(tmp_path / "demo.duckdb"), "-q")
    assert code == 0, err
    assert out.startswith(
        "read 16,778 rows from 3 file(s); stored 16,578 posts, 45 profile rows and 7,746 new accounts; "
        "duplicates 155; quarantined 0"
    )
    assert "posts        16,578" in out
    assert re.search(r"^  #1 '[^']+': (strong|moderate|weak) evidence; ", out, re.M)  # campaigns named by content
    # what the demo found, against the bundled IRA author list (45 IRA accounts in the sample)
    assert re.search(r"^against the bundled IRA author list: \d+ of 45 IRA accounts are in a campaign ", out, re.M)
    assert re.search(r"^account-level cut \(`lockstep accounts`.*: \d+ of 45 IRA accounts flagged ", out, re.M)


def test_every_command_has_help() -> None:
    for name in cli.commands:
        code, out, _ = run(name, "--help")
        assert code == 0 and out.startswith(f"Usage: cli {name}")


def test_detect_edges_evidence(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(
        "post_id,account_id,created_at,kind,repost_of\n"
        "1,a,2024-01-01 10:00:59,repost,900\n2,b,2024-01-01 10:01:01,repost,900\n"
        "3,a,2024-01-01 12:00:00,repost,901\n4,b,2024-01-01 12:00:30,repost,901\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.duckdb")
    mapping = ["--map", "kind=kind", "--map", "repost_of=repost_of"]
    assert run("ingest", str(src), "--format", "generic", *mapping, "--db", db, "-q")[0] == 0
    code, _, err = run("detect", "--trace", "co-retweet", "--null-replicates", "0", "--db", db)
    assert code == 0
    assert err == (
        "co-retweet: 4 actions on 2 items, window 60 s; 2 co-action pairs -> 1 edges among 2 accounts"
        + err[err.index(" (") :]
    )
    code, out, _ = run("edges", "--db", db)
    assert code == 0 and out.splitlines()[1].split() == ["co-retweet", "a", "b", "2", "2", "16", "1.000", "-", "-"]
    code, out, _ = run("evidence", "b", "a", "--db", db)
    assert code == 0
    assert out.splitlines()[0] == "[co-retweet] item '900'  gap 2 s"
    assert out.splitlines()[1] == "  2024-01-01 10:00:59  a  post 1: -"
    code, _, err = run("evidence", "a", "zz", "--db", db)
    assert code == 0 and err == "no evidence links a and zz\n"
    code, out, _ = run("traces")
    assert code == 0 and out.splitlines()[0].startswith("co-domain")
    code, _, err = run("detect", "--trace", "nope", "--db", db)
    assert code == 2 and err.startswith("Error: unknown trace 'nope'")
