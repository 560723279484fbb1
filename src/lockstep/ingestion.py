"""Ingest: read export files into the canonical store, atomically, idempotently, losing nothing.

One call is one *batch* and one transaction: a run killed half-way leaves the store as it was (except for a
file of several chunks, below). For each file
the reader stages rows; this module then

1. quarantines rows that cannot be used (no account id, no parseable time, ids mangled into scientific
   notation by a spreadsheet), with the reason and the raw row;
2. gives rows without a post id a deterministic content id (platform, account, time, text, kind, parent, and
   the occurrence number among identical rows), so repeated identical rows are all kept and re-ingest is a
   no-op;
3. drops duplicates (same platform and post id) within the file and against the store, counting them;
4. writes posts, their canonical URLs (:mod:`lockstep.normalize.urls`, computed once per distinct URL) and
   the latest account snapshots, filling blanks in accounts already stored (:mod:`lockstep.ingest_finalize`).

A file already ingested with the same format and options (same SHA-256) is skipped unless ``force``.

A large CSV/TSV/Parquet file is staged and written in chunks of at most ``chunk_rows`` rows (the 100M-post run
of issue 12), steps 1-4 once per chunk, committing after each chunk but the last (DuckDB keeps a dropped temp
table until the commit, so only committing bounds temp disk and memory by the chunk); the store is the one a
single chunk gives (duplicates and occurrence numbers across chunks, snapshots reduced over the whole file).
The file's accounts and its ``sources`` row are written after its last chunk: a run killed between chunks
leaves the posts (and quarantined rows) of the chunks committed so far, and everything before the file in
the batch, but does not register the file, so the next run reads it again, counts those posts as duplicates
and ends with the store an uninterrupted run gives.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import shutil
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

import lockstep.readers  # noqa: F401  (registers the built-in readers)
from lockstep import __version__
from lockstep.engine import embedded
from lockstep.errors import AccountingError, FormatError, InputError, OutOfMemoryError
from lockstep.ingest_finalize import (
    SCIENTIFIC_ID,
    collect_accounts,
    drop_stage_new,
    finalize_accounts,
    finalize_posts,
    insert_quarantine,
    scalar,
)
from lockstep.readers.base import DEFAULT_CHUNK_ROWS, Probe, Reader, StageContext, detect_reader, get_reader
from lockstep.readers.mapping import ACCOUNT_SNAPSHOT_VALUES, SNAPSHOT_KEY_PREFIX
from lockstep.readers.tabular import detect_kind, json_keys, read_csv_header
from lockstep.sqltext import sql_str
from lockstep.store.schema import ACCOUNT_COLUMNS, POST_COLUMNS, create_table_sql
from lockstep.store.store import Store

INNER_SUFFIXES = {".csv", ".tsv", ".tab", ".jsonl", ".json", ".ndjson", ".parquet", ".txt"}

ProgressFn = Callable[[str, int, int], None]


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    format: str
    rows_read: int = 0
    posts_stored: int = 0
    accounts_stored: int = 0
    duplicates: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None
    #: Account rows read from an account-only file (a users table): they count as "stored".
    account_rows: int = 0

    @property
    def quarantined_total(self) -> int:
        """Rows of this file that went to the quarantine."""
        return sum(self.quarantined.values())


@dataclass
class IngestReport:
    """What one ``ingest`` call did, file by file."""

    batch_id: str
    files: list[FileReport] = field(default_factory=list)

    def total(self, attr: str) -> int:
        """Sum of ``attr`` over files (``quarantined`` sums every reason)."""
        if attr == "quarantined":
            return sum(f.quarantined_total for f in self.files)
        return sum(int(getattr(f, attr)) for f in self.files)

    def quarantine_reasons(self) -> Counter[str]:
        """Quarantined rows by reason over all files."""
        c: Counter[str] = Counter()
        for f in self.files:
            c.update(f.quarantined)
        return c

    def summary(self) -> str:
        """The accounting line: read, stored, duplicates, quarantined by reason."""
        reasons = self.quarantine_reasons()
        why = f" ({'; '.join(f'{n:,} {r}' for r, n in reasons.most_common())})" if reasons else ""
        skipped = sum(1 for f in self.files if f.skipped)
        profiles = self.total("account_rows")
        return (
            f"read {self.total('rows_read'):,} rows from {len(self.files) - skipped} file(s)"
            + (f", skipped {skipped} already ingested" if skipped else "")
            + f"; stored {self.total('posts_stored'):,} posts"
            + (f", {profiles:,} profile rows" if profiles else "")
            + f" and {self.total('accounts_stored'):,} new accounts"
            + f"; duplicates {self.total('duplicates'):,}; quarantined {self.total('quarantined'):,}{why}"
        )


def ingest(
    store: Store,
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    mapping: dict[str, str] | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> IngestReport:
    """Read ``paths`` into ``store`` in one atomic batch and return the accounting.

    Atomic per batch, with one exception: a file of more than ``chunk_rows`` rows is committed chunk by chunk
    (DuckDB keeps dropped temp tables until the commit, so one transaction would hold every chunk's staging)
    and registered only after its last chunk; an interrupted run leaves its committed chunks, and re-running
    the same ingest completes the file to the store an uninterrupted run gives (``docs/reliability.md``).

    ``format`` overrides detection (see ``lockstep formats``); ``mapping`` maps canonical fields to column
    names (``{"text": "body"}``) for tabular formats; ``force`` re-reads files already ingested (still
    without duplicating anything). ``chunk_rows`` bounds the rows of a large CSV/TSV/Parquet file staged at a
    time (see :data:`lockstep.readers.base.DEFAULT_CHUNK_ROWS`); the store is the same whatever it is.
    """
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be at least 1, not {chunk_rows}")
    files = [Path(p) for p in paths]
    encoding = check_encoding(encoding)
    for p in files:
        if not p.exists():
            raise InputError(f"{p}: no such file")
        if p.is_dir():
            raise InputError(f"{p}: is a directory; pass the files in it (e.g. {p}/*.csv)")
    reader_fixed = get_reader(format) if format else None
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = IngestReport(batch_id=f"b{started:%Y%m%dT%H%M%S%f}")
    options = json.dumps({"encoding": encoding, "mapping": mapping or {}}, sort_keys=True)
    with store.transaction() as con:
        for i, path in enumerate(files):
            for display, real in _expand(path):
                if progress:
                    progress(display, i, len(files))
                report.files.append(
                    _ingest_file(
                        con,
                        report.batch_id,
                        real,
                        display,
                        reader_fixed,
                        encoding,
                        mapping or {},
                        options,
                        force,
                        chunk_rows,
                    )
                )
        con.execute(
            "INSERT INTO ingest_batches VALUES (?, ?, ?, ?, ?)",
            [
                report.batch_id,
                started,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                __version__,
                json.dumps(
                    {
                        "format": format,
                        "encoding": encoding,
                        "mapping": mapping or {},
                        "force": force,
                        "files": [str(p) for p in files],
                    }
                ),
            ],
        )
    if progress:
        progress("", len(files), len(files))
    return report


def probe_file(path: Path, encoding: str = "utf-8") -> Probe:
    """Look at a file's kind, first bytes and columns, for format detection."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    kind = detect_kind(path, head)
    columns: list[str] = []
    if kind in ("csv", "tsv"):
        columns = read_csv_header(path, "\t" if kind == "tsv" else ",", encoding)
    elif kind == "jsonl":
        columns = json_keys(path, encoding)
    elif kind == "parquet":
        con = embedded.connect()
        try:
            columns = [
                r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_str(str(path))})").fetchall()
            ]
        except embedded.Error as exc:
            raise FormatError(f"{path}: unreadable Parquet file ({str(exc).strip().splitlines()[0]})") from exc
        finally:
            con.close()
    return Probe(path=path, kind=kind, head=head, columns=columns)


@contextmanager
def _tempdir() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="lockstep-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def check_encoding(encoding: str) -> str:
    """The canonical name of ``encoding``; an unknown name is an :class:`InputError`."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}; use e.g. --encoding utf-8, latin-1, cp1252 or utf-16"
        ) from None


@contextmanager
def as_utf8(path: Path, encoding: str) -> Iterator[Path]:
    """``path`` itself if it is UTF-8 text or binary (Parquet), else a UTF-8 copy of it (temp file).

    Readers see UTF-8 only: a file in another ``encoding``, or one starting with a UTF-16/32 byte-order mark
    whatever the flag says, is decoded by Python (bytes that do not decode become U+FFFD) and written out as
    UTF-8 without a BOM. This is what lets ``--encoding latin-1`` or ``utf-16`` work on every reader.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    name = codecs.lookup(encoding).name
    if head.startswith(b"PAR1"):
        yield path
        return
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        name = "utf-32"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        name = "utf-16"
    if name == "utf-8":
        yield path
        return
    with _tempdir() as tmp:
        target = tmp / f"utf8{path.suffix}"
        with (
            path.open(encoding=name, errors="replace", newline="") as src,
            target.open("w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk.lstrip("\ufeff") if dst.tell() == 0 else chunk)
        yield target


def _expand(path: Path) -> Iterator[tuple[str, Path]]:
    """The readable files in ``path``: itself, or each data member of a zip archive (extracted to temp)."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"\x1f\x8b"):
        raise FormatError(f"{path}: gzip-compressed; decompress it first (gunzip -k {path})")
    if not zipfile.is_zipfile(path):
        if magic == b"PK\x03\x04":
            raise FormatError(f"{path}: damaged zip archive (truncated?); re-download or re-create it")
        yield str(path), path
        return
    try:
        yield from _expand_zip(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise FormatError(f"{path}: damaged or unsupported zip archive ({exc}); re-download or re-create it") from exc
    except OSError as exc:  # a member offset past the end of a damaged archive, or no room to extract
        raise FormatError(
            f"{path}: cannot extract the zip archive ({exc}); check the file and free disk space"
        ) from exc


def _expand_zip(path: Path) -> Iterator[tuple[str, Path]]:
    with zipfile.ZipFile(path) as zf, _tempdir() as tmp:
        members = [
            m
            for m in zf.infolist()
            if not m.is_dir()
            and Path(m.filename).suffix.lower() in INNER_SUFFIXES
            and not Path(m.filename).name.startswith(".")
        ]
        if not members:
            raise FormatError(f"{path}: zip archive holds no CSV/TSV/JSONL/Parquet member")
        for m in members:
            target = tmp / f"{len(list(tmp.iterdir()))}{Path(m.filename).suffix.lower()}"
            with zf.open(m) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            yield f"{path}!{m.filename}", target
            target.unlink()


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _ingest_file(
    con: embedded.Connection,
    batch_id: str,
    path: Path,
    display: str,
    reader_fixed: Reader | None,
    encoding: str,
    mapping: dict[str, str],
    options: str,
    force: bool,
    chunk_rows: int,
) -> FileReport:
    sha, size = _sha256(path)
    with as_utf8(path, encoding) as text_path:
        return _ingest_text(
            con, batch_id, text_path, display, reader_fixed, mapping, options, force, sha, size, chunk_rows
        )


def _ingest_text(
    con: embedded.Connection,
    batch_id: str,
    path: Path,
    display: str,
    reader_fixed: Reader | None,
    mapping: dict[str, str],
    options: str,
    force: bool,
    sha: str,
    size: int,
    chunk_rows: int,
) -> FileReport:
    encoding = "utf-8"
    reader = reader_fixed or detect_reader(probe_file(path, encoding))
    if not force:
        prior = con.execute(
            "SELECT batch_id FROM sources WHERE sha256 = ? AND format = ? AND options = ? LIMIT 1",
            [sha, reader.name, options],
        ).fetchone()
        if prior:
            return FileReport(display, reader.name, skipped=f"already ingested in batch {prior[0]}")
    # Also the per-file tables a run interrupted after a chunk's commit left on this connection.
    _drop_stage(con, whole_file=True)
    _create_stage(con)
    with path.open("rb") as fh:
        head = fh.read(8192)
    ctx = StageContext(
        con=con,
        path=path,
        display=display,
        kind=detect_kind(path, head),
        encoding=encoding,
        overrides=mapping,
        chunk_rows=chunk_rows,
    )
    fr = FileReport(display, reader.name)
    prov = {
        "batch_id": batch_id,
        "source_file": display,
        "reader": reader.name,
        "reader_version": reader.version,
        "sha": sha,
    }
    partial = any_posts = False
    for _ in _staged_chunks(reader, ctx, display):
        partial = partial or ctx.more
        cr = FileReport(display, reader.name, rows_read=ctx.rows_read)
        _quarantine_reader_rows(con, ctx.quarantine, prov)
        staged = scalar(con, "SELECT count(*) FROM stage_posts")
        any_posts = any_posts or staged > 0
        problems = _check_rows(con, prov)
        finalize_posts(con, prov, cr, staged - sum(problems.values()), clean=not problems, more=ctx.more)
        collect_accounts(con, prov, partial=partial)
        _account_for(con, ctx, cr, staged, problems)
        _add_chunk(fr, cr)
        ctx.quarantine.clear()
        ctx.rows_read = 0
        if ctx.more:
            _drop_stage(con)
            # DuckDB keeps a dropped temp table's data until the transaction ends: committing here is what
            # bounds temp disk and memory by the chunk. The file is not registered (no sources row, no
            # accounts) until its last chunk; a run stopped in between leaves posts that a re-run finds.
            con.execute("COMMIT")
            con.execute("BEGIN TRANSACTION")
            _create_stage(con)
    finalize_accounts(con, prov, fr, partial=partial, any_posts=any_posts)
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            display,
            sha,
            size,
            reader.name,
            reader.version,
            options,
            fr.rows_read,
            fr.posts_stored,
            fr.accounts_stored,
            fr.duplicates,
            fr.quarantined_total,
        ],
    )
    _drop_stage(con, whole_file=True)
    return fr


def _staged_chunks(reader: Reader, ctx: StageContext, display: str) -> Iterator[None]:
    """``reader.stage_chunks(ctx)``, its engine errors named as errors reading ``display``.

    Only the staging is wrapped: an error while a staged chunk is being written is not the file's fault.
    """
    try:
        yield from reader.stage_chunks(ctx)
    except embedded.OutOfMemoryException as exc:
        raise OutOfMemoryError(
            f"{display}: ran out of memory while reading it as {reader.name} ({_first_line(exc)}); nothing was "
            "stored. Give the store more memory (--memory-limit, or memory_limit= in open_store) or split the file"
        ) from exc
    except embedded.Error as exc:
        raise FormatError(
            f"{display}: cannot be read as {reader.name} ({_first_line(exc)}); check --format, --encoding and the "
            "column map"
        ) from exc


def _add_chunk(fr: FileReport, chunk: FileReport) -> None:
    """Add one chunk's counts to its file's report."""
    fr.rows_read += chunk.rows_read
    fr.posts_stored += chunk.posts_stored
    fr.duplicates += chunk.duplicates
    fr.account_rows += chunk.account_rows
    for reason, n in chunk.quarantined.items():
        fr.quarantined[reason] = fr.quarantined.get(reason, 0) + n


def _drop_stage(con: embedded.Connection, *, whole_file: bool = False) -> None:
    """Drop one chunk's stage tables and views (``whole_file``: also those kept across a file's chunks)."""
    con.execute("DROP VIEW IF EXISTS stage_checked")
    drop_stage_new(con)
    tables = ["stage_posts", "stage_accounts", "new_urls", "url_map"]
    if whole_file:
        tables += [
            "acc_partial",
            "file_new_accounts",
            "derived_seen",
            "derived_seen_next",
            "acc_reduced",
            "new_accounts",
        ]
    for t in tables:
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _account_for(
    con: embedded.Connection, ctx: StageContext, fr: FileReport, staged_posts: int, problems: Counter[str]
) -> None:
    """Fill the quarantine counts and check that read = stored + duplicates + quarantined for this file.

    Counts come from this run (not from the quarantine table, which keeps one entry per row across re-reads):
    ``problems`` are the staged posts :func:`_check_rows` found unusable, by reason.
    """
    reasons: Counter[str] = Counter(str(q["reason"]) for q in ctx.quarantine)
    reasons.update(problems)
    account_only = staged_posts == 0 and fr.rows_read > len(ctx.quarantine)
    if account_only:
        for reason, n in con.execute(
            f"""SELECT CASE WHEN account_id IS NULL THEN 'missing account id' ELSE
                  'account id in scientific notation (spreadsheet-mangled, digits lost; re-export ids as text)' END,
                  count(*) FROM stage_accounts
                WHERE account_id IS NULL OR regexp_full_match(account_id, {sql_str(SCIENTIFIC_ID)}) GROUP BY 1"""
        ).fetchall():
            reasons[str(reason)] += int(n)
        fr.account_rows = scalar(
            con,
            f"SELECT count(*) FROM stage_accounts WHERE account_id IS NOT NULL "
            f"AND NOT regexp_full_match(account_id, {sql_str(SCIENTIFIC_ID)})",
        )
    fr.quarantined = dict(reasons)
    accounted = fr.posts_stored + fr.duplicates + fr.account_rows + fr.quarantined_total
    if fr.rows_read != accounted:
        raise AccountingError(
            f"{fr.path}: read {fr.rows_read:,} rows but stored {fr.posts_stored:,}"
            + (f" (and {fr.account_rows:,} profile rows)" if fr.account_rows else "")
            + f", found {fr.duplicates:,} duplicates and quarantined {fr.quarantined_total:,}: "
            f"{fr.rows_read - accounted:+,} rows unaccounted for. Nothing was written; please report this with "
            f"the file's format ({fr.format})."
        )


def _first_line(exc: Exception) -> str:
    """The first line of an engine error's message (its hints follow on later lines), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _create_stage(con: embedded.Connection) -> None:
    post_cols = (*tuple(c for c in POST_COLUMNS if c[0] != "post_id_derived"), ("created_at_raw", "VARCHAR"))
    con.execute(create_table_sql("stage_posts", post_cols, temp=True))
    keys = tuple((f"{SNAPSHOT_KEY_PREFIX}{c}", "BIGINT") for c in ACCOUNT_SNAPSHOT_VALUES)
    con.execute(create_table_sql("stage_accounts", (*ACCOUNT_COLUMNS, ("observed_at", "TIMESTAMP"), *keys), temp=True))


def _quarantine_reader_rows(con: embedded.Connection, rows: list[dict[str, Any]], prov: dict[str, str]) -> None:
    if not rows:
        return
    table = pa.table(
        {
            "source_row": pa.array([r.get("source_row") for r in rows], pa.int64()),
            "reason": pa.array([r["reason"] for r in rows], pa.string()),
            "field": pa.array([r.get("field") for r in rows], pa.string()),
            "raw": pa.array([r.get("raw") for r in rows], pa.string()),
        }
    )
    con.register("_reader_rejects", table)
    insert_quarantine(con, "SELECT source_row, reason, field, raw FROM _reader_rejects", prov)
    con.unregister("_reader_rejects")


def _check_rows(con: embedded.Connection, prov: dict[str, str]) -> Counter[str]:
    """Define the view ``stage_checked`` (staged posts with ``_problem`` and ``_field``), quarantine the rows
    with a problem and return their counts by reason (one scan when, as usual, there are none)."""
    sci = sql_str(SCIENTIFIC_ID)
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW stage_checked AS
        SELECT s.*,
          CASE WHEN account_id IS NULL THEN 'missing account id'
               WHEN regexp_full_match(account_id, {sci})
                 THEN 'account id in scientific notation (spreadsheet-mangled, digits lost; re-export ids as text)'
               WHEN post_id IS NOT NULL AND regexp_full_match(post_id, {sci})
                 THEN 'post id in scientific notation (spreadsheet-mangled, digits lost; re-export ids as text)'
               WHEN created_at IS NULL AND created_at_raw IS NULL THEN 'missing time'
               WHEN created_at IS NULL THEN 'unparseable time (pass --map time_format=... or --format)'
               WHEN created_at < TIMESTAMP '1990-01-01' OR created_at >= TIMESTAMP '2100-01-01'
                 THEN 'time out of range (before 1990 or after 2099)'
          END AS _problem,
          CASE WHEN account_id IS NULL OR regexp_full_match(account_id, {sci}) THEN 'account_id'
               WHEN post_id IS NOT NULL AND regexp_full_match(post_id, {sci}) THEN 'post_id'
               WHEN created_at IS NULL OR created_at < TIMESTAMP '1990-01-01'
                 OR created_at >= TIMESTAMP '2100-01-01' THEN 'created_at' END AS _field
        FROM stage_posts s"""
    )
    problems: Counter[str] = Counter()
    for reason, n in con.execute(
        "SELECT _problem, count(*) FROM stage_checked WHERE _problem IS NOT NULL GROUP BY 1"
    ).fetchall():
        problems[str(reason)] += int(n)
    if problems:
        insert_quarantine(
            con,
            "SELECT source_row, _problem AS reason, _field AS field, "
            "CAST(to_json(c) AS VARCHAR) AS raw FROM stage_checked c WHERE _problem IS NOT NULL",
            prov,
        )
    return problems
