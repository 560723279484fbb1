"""Run one hostile case through the CLI as a user would, and judge what happened.

A case passes when no Python traceback escapes (the CLI runs with ``LOCKSTEP_DEBUG=1`` so that the
last-resort handler re-raises instead of hiding a crash) and either the command failed with a message and a
non-zero exit code, or it succeeded and every record is accounted for: rows read = posts stored + duplicates
+ quarantined, and rows read equals the records the case holds.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import duckdb
from click.testing import CliRunner

from lockstep.cli import cli


@dataclass
class Outcome:
    """What one case did."""

    name: str
    exit_code: int
    crash: str | None
    message: str
    rows_read: int | None = None
    accounted: int | None = None
    problem: str | None = None


def run_case(
    path: Path, args: list[str], rows: int | None, analyze: bool, workdir: Path, expect_error: bool = False
) -> Outcome:
    """Ingest ``path`` (then ``info``, and ``analyze`` if asked) into a fresh store under ``workdir``."""
    db = workdir / f"{path.name}.duckdb"
    runner = CliRunner()
    env = {"LOCKSTEP_DEBUG": "1"}
    res = runner.invoke(cli, ["ingest", str(path), "--db", str(db), "--quiet", *args], env=env)
    out = Outcome(path.name, res.exit_code, None, (res.output or "").strip()[-300:])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        out.crash = "".join(traceback.format_exception(res.exception))[-2000:]
        out.problem = "traceback"
        return out
    if res.exit_code != 0:
        if "Error:" not in res.output:
            out.problem = "non-zero exit without an Error: message"
        elif rows is not None and not expect_error:
            out.problem = f"refused a readable file: {res.output.strip()[-200:]}"
        return out
    con = duckdb.connect(str(db), read_only=True)
    try:
        read, stored, dups, quarantined = con.execute(
            "SELECT sum(rows_read), sum(posts_stored), sum(duplicates), sum(quarantined) FROM sources"
        ).fetchone() or (0, 0, 0, 0)
        posts = con.execute("SELECT count(*) FROM posts").fetchone()
        accounts = con.execute("SELECT count(*) FROM accounts").fetchone()
    finally:
        con.close()
    read, stored, dups, quarantined = (int(x or 0) for x in (read, stored, dups, quarantined))
    out.rows_read, out.accounted = read, stored + dups + quarantined
    only_accounts = stored == 0 and posts is not None and posts[0] == 0 and accounts is not None and accounts[0] > 0
    if not only_accounts and read != stored + dups + quarantined:
        out.problem = f"accounting does not add up: read {read} != {stored} + {dups} + {quarantined}"
    elif rows is not None and read != rows:
        out.problem = f"silent loss: file holds {rows} records, read {read}"
    for cmd in (["info"], ["analyze"] if analyze else None):
        if cmd is None:
            continue
        r = runner.invoke(cli, [*cmd, "--db", str(db)], env=env)
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            out.crash = "".join(traceback.format_exception(r.exception))[-2000:]
            out.problem = f"traceback in {cmd[0]}"
        elif r.exit_code != 0 and "Error:" not in r.output:
            out.problem = f"{cmd[0]}: non-zero exit without an Error: message"
    return out
