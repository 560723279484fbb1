"""The reader interface and the registry every input format registers in.

A reader turns one file into rows of the temp tables ``stage_posts`` and ``stage_accounts`` (canonical
columns, see :mod:`lockstep.store.schema`) plus quarantine entries; :mod:`lockstep.ingestion` validates,
deduplicates and commits them. A new format is one new module with one ``register(...)`` line.

A reader may stage a large file in *chunks* (:meth:`Reader.stage_chunks`): ingest then checks, deduplicates
and writes each chunk before the next is staged, so the live temp tables hold at most
:data:`DEFAULT_CHUNK_ROWS` rows whatever the file's size. (Ingest commits after each chunk: DuckDB keeps a dropped temp
table's data until the transaction ends, see docs/benchmarks.md, 100M.)
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockstep.engine import embedded
from lockstep.errors import FormatError, MissingColumnsError


@dataclass
class Probe:
    """What format detection may look at: the file's kind, first bytes and column names."""

    path: Path
    kind: str
    head: bytes
    columns: list[str]

    def has(self, *names: str) -> bool:
        """Whether every one of ``names`` is a column (case-insensitive)."""
        cols = {c.strip().lower() for c in self.columns}
        return all(n.lower() in cols for n in names)


#: Rows of a file staged at a time by readers that can stage in chunks (CSV/TSV read by DuckDB, Parquet). A
#: file of up to this many rows is one chunk, as before chunking (the 10.2M-row end-to-end input is one); a
#: larger one is split into equal chunks of at most this many rows. At 12M rows a chunk's temp tables stay
#: within an 8 GB memory limit (the 10M ingest peaks at about 6 GB) and spill at most a few GB to temp disk.
DEFAULT_CHUNK_ROWS = 12_000_000


@dataclass
class StageContext:
    """Everything a reader needs to stage one file."""

    con: embedded.Connection
    path: Path
    display: str
    kind: str
    encoding: str = "utf-8"
    overrides: dict[str, str] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0
    #: Most rows one chunk may hold (readers that stage in chunks only).
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    #: Set by a chunking reader while it stages a chunk: whether more chunks of the file follow this one.
    more: bool = False


class Reader(ABC):
    """One input format."""

    name: str = ""
    version: str = "1"
    description: str = ""
    #: Columns that identify the format in a tabular file (used for detection and near-miss errors).
    signature: tuple[str, ...] = ()

    @abstractmethod
    def sniff(self, probe: Probe) -> float:
        """Confidence in ``[0, 1]`` that ``probe`` is this format (0: not this format)."""

    @abstractmethod
    def stage(self, ctx: StageContext) -> None:
        """Insert the file's rows into ``stage_posts`` / ``stage_accounts``; set ``ctx.rows_read``."""

    def stage_chunks(self, ctx: StageContext) -> Iterator[None]:
        """Stage the file one chunk at a time, yielding after each (the caller writes and clears the stage
        tables, ``ctx.quarantine`` and ``ctx.rows_read`` before resuming); ``ctx.more`` says whether another
        chunk follows. Row numbers (``source_row``) stay the file's own across chunks.

        The default stages the whole file as one chunk; readers of large tabular files override it.
        """
        ctx.more = False
        self.stage(ctx)
        yield


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    """Add ``reader`` to the registry under its name (later registrations replace earlier ones)."""
    READERS[reader.name] = reader
    return reader


def get_reader(name: str) -> Reader:
    """The reader called ``name``."""
    try:
        return READERS[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; formats are: {', '.join(sorted(READERS))}") from None


def detect_reader(probe: Probe) -> Reader:
    """The registered reader most confident about ``probe``; raise if none recognises it."""
    scored = sorted(((r.sniff(probe), r.name) for r in READERS.values()), reverse=True)
    if not scored or scored[0][0] <= 0:
        _raise_near_miss(probe)
        cols = ", ".join(probe.columns[:15]) + (" ..." if len(probe.columns) > 15 else "")
        raise FormatError(
            f"{probe.path}: cannot tell the format (a {probe.kind} file with columns: {cols or 'none'}). "
            f"Pass --format with one of: {', '.join(sorted(READERS))}; for other layouts use --format "
            "generic with --map FIELD=COLUMN or --mapping FILE."
        )
    return READERS[scored[0][1]]


def _raise_near_miss(probe: Probe) -> None:
    """If most of some format's signature columns are present, name the missing ones and their look-alikes."""
    best: tuple[float, Reader | None] = (0.0, None)
    for reader in READERS.values():
        if reader.signature:
            share = sum(probe.has(c) for c in reader.signature) / len(reader.signature)
            if share > best[0]:
                best = (share, reader)
    share, near = best
    if near is None or share < 0.5:
        return
    lower = {c.lower(): c for c in probe.columns}
    missing = [c for c in near.signature if not probe.has(c)]
    hints = {}
    for m in missing:
        close = difflib.get_close_matches(m.lower(), list(lower), n=1, cutoff=0.5)
        if close:
            hints[m] = lower[close[0]]
    raise MissingColumnsError(str(probe.path), near.name, missing, probe.columns, hints)
