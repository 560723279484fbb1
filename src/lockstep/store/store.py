"""Open, create and describe the canonical store (one DuckDB file, no server)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockstep.engine import embedded
from lockstep.errors import StoreError, StoreStateError
from lockstep.store.schema import SCHEMA_VERSION, TABLES, create_table_sql

DEFAULT_DB = "lockstep.duckdb"


class Store:
    """A Lockstep store: a DuckDB database holding the canonical tables.

    Use :func:`open_store` to get one. The connection runs in UTC so that every timestamp reads the same on
    every machine.
    """

    def __init__(
        self,
        path: str | Path = DEFAULT_DB,
        *,
        read_only: bool = False,
        memory_limit: str | None = None,
        threads: int | None = None,
    ) -> None:
        self.path = str(path)
        config: dict[str, Any] = {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such store; run `lockstep ingest FILE --db {self.path}` first")
        try:
            self.con = embedded.connect(self.path, read_only=read_only, config=config)
        except embedded.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        if not read_only:
            self._migrate()
        self._check_version()

    def _migrate(self) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            return  # refused by _check_version
        # Migrations so far only add tables: create whatever is missing, then record the version.
        for name, cols in TABLES.items():
            self.con.execute(create_table_sql(name, cols))
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    def _check_version(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except embedded.CatalogException as exc:
            raise StoreError(f"{self.path}: not a Lockstep store (no meta table)") from exc
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema version {row[0] if row else '?'} is newer than this Lockstep "
                f"understands ({SCHEMA_VERSION}); upgrade lockstep"
            )

    @contextmanager
    def transaction(self) -> Iterator[embedded.Connection]:
        """Run a block atomically: everything or nothing is written (a killed process leaves no trace)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def require(self, stage: str) -> None:
        """Raise :class:`StoreStateError` naming the command to run if this store is not ready for ``stage``
        (``posts``, ``accounts``, ``detect`` or ``analyze``); library entry points call it first."""
        check_stage(self.con, self.path, stage)

    def count(self, table: str) -> int:
        """Number of rows in one of the canonical tables."""
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def info(self, *, top: int = 10) -> StoreInfo:
        """Summarise what the store holds: counts by platform, kind and language, time range, quarantine."""
        q = self.con.execute
        posts = self.count("posts")
        rng = q("SELECT min(created_at), max(created_at) FROM posts").fetchone()
        return StoreInfo(
            path=self.path,
            posts=posts,
            accounts=self.count("accounts"),
            posting_accounts=_scalar(q("SELECT count(DISTINCT (platform, account_id)) FROM posts").fetchone()),
            sources=self.count("sources"),
            first_post=rng[0] if rng else None,
            last_post=rng[1] if rng else None,
            by_platform=_pairs(q("SELECT platform, count(*) n FROM posts GROUP BY 1 ORDER BY n DESC, 1")),
            by_kind=_pairs(q("SELECT kind, count(*) n FROM posts GROUP BY 1 ORDER BY n DESC, 1")),
            by_language=_pairs(
                q(
                    "SELECT coalesce(language, '(unknown)'), count(*) n FROM posts GROUP BY 1 "
                    "ORDER BY n DESC, 1 LIMIT ?",
                    [top],
                )
            ),
            edges_by_trace=_pairs(q("SELECT trace, count(*) n FROM edges GROUP BY 1 ORDER BY n DESC, 1")),
            campaigns=self.count("campaigns"),
            quarantined=self.count("quarantine"),
            quarantine_by_reason=_pairs(
                q(
                    "SELECT reason, count(*) n FROM quarantine GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
                    [top],
                )
            ),
        )

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class StoreInfo:
    """What :meth:`Store.info` reports."""

    path: str
    posts: int
    accounts: int
    posting_accounts: int
    sources: int
    first_post: dt.datetime | None
    last_post: dt.datetime | None
    by_platform: list[tuple[str, int]] = field(default_factory=list)
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    edges_by_trace: list[tuple[str, int]] = field(default_factory=list)
    campaigns: int = 0
    quarantined: int = 0
    quarantine_by_reason: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> str:
        """The text ``lockstep info`` prints."""
        lines = [
            f"store        {self.path}",
            f"posts        {self.posts:,}",
            f"accounts     {self.accounts:,} ({self.posting_accounts:,} with posts)",
            f"sources      {self.sources:,} file(s)",
            f"time range   {self.first_post or '-'} .. {self.last_post or '-'} UTC",
        ]
        for title, pairs in (("platform", self.by_platform), ("kind", self.by_kind), ("language", self.by_language)):
            if pairs:
                lines.append(f"by {title:<10}" + ", ".join(f"{k} {n:,}" for k, n in pairs))
        if self.edges_by_trace:
            lines.append("edges        " + ", ".join(f"{k} {n:,}" for k, n in self.edges_by_trace))
            lines.append(f"campaigns    {self.campaigns:,}")
        lines.append(f"quarantined  {self.quarantined:,}")
        lines.extend(f"  {n:>10,}  {reason}" for reason, n in self.quarantine_by_reason)
        return "\n".join(lines)


def _scalar(row: tuple[Any, ...] | None) -> int:
    return int(row[0]) if row and row[0] is not None else 0


def _pairs(rel: embedded.Connection) -> list[tuple[str, int]]:
    return [(str(k), int(n)) for k, n in rel.fetchall()]


def open_store(
    path: str | Path = DEFAULT_DB,
    *,
    read_only: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Store:
    """Open (creating if needed) the store at ``path``; ``":memory:"`` gives a throwaway store.

    Examples:
        >>> with open_store(":memory:") as store:
        ...     store.count("posts")
        0
    """
    return Store(path, read_only=read_only, memory_limit=memory_limit, threads=threads)


#: What each stage of the pipeline needs in the store, and the command that provides it.
STAGES: dict[str, tuple[str, str, str]] = {
    "store": ("", "", ""),
    "posts": ("SELECT count(*) FROM posts", "holds no posts", "lockstep ingest FILE --db {db}"),
    "accounts": ("SELECT count(*) FROM accounts", "holds no accounts", "lockstep ingest FILE --db {db}"),
    "detect": ("SELECT count(*) FROM detect_runs", "has no detection results", "lockstep detect --db {db}"),
    "analyze": (
        "SELECT (SELECT count(*) FROM account_scores) + (SELECT count(*) FROM campaigns)",
        "has no analysis results (no scored accounts or campaigns)",
        "lockstep analyze --db {db}",
    ),
}


def require_store(path: str | Path, stage: str = "store") -> None:
    """Raise :class:`StoreStateError` naming the command to run if the store at ``path`` is not ready for
    ``stage`` (``store``: it exists; ``posts``, ``accounts``; ``detect``: detection ran; ``analyze``: the
    network and campaigns exist). Earlier stages are checked first, so the hint is always the next step.
    Never creates a store.
    """
    db = str(path)
    if db == ":memory:":
        return
    if not Path(db).exists():
        raise StoreStateError(f"{db}: no such store; create it with `lockstep ingest FILE --db {db}` first")
    if Path(db).is_dir():
        raise StoreStateError(f"{db}: is a directory, not a store file; pass the store file with --db")
    try:
        con = embedded.connect(db, read_only=True)
    except embedded.Error as exc:
        raise StoreError(f"{db}: cannot open the store: {exc}") from exc
    try:
        try:
            con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except embedded.Error as exc:
            raise StoreError(f"{db}: not a Lockstep store (no meta table)") from exc
        check_stage(con, db, stage)
    finally:
        con.close()


def check_stage(con: embedded.Connection, db: str, stage: str) -> None:
    """Raise :class:`StoreStateError` if the store behind ``con`` lacks what ``stage`` needs (see ``STAGES``)."""
    order = ["posts", "detect", "analyze"]
    needed = ["accounts"] if stage == "accounts" else order[: order.index(stage) + 1] if stage in order else []
    for step in needed:
        sql, what, hint = STAGES[step]
        try:
            row = con.execute(sql).fetchone()
        except embedded.CatalogException:
            row = None
        if not row or not row[0]:
            raise StoreStateError(f"{db}: the store {what}; run `{hint.format(db=db)}` first")
