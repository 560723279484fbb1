"""Stage a large tabular file in chunks of bounded size, keeping the file's own row numbers (issue 12, 100M).

:mod:`lockstep.ingestion` writes each chunk before the next is staged, so the live temp tables hold one chunk
whatever the file's size (it commits after each chunk, as DuckDB keeps dropped ones until the transaction
ends: docs/benchmarks.md, 100M). A file of at most one chunk is
staged exactly as :func:`lockstep.readers.tabular.stage_tabular` stages it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from lockstep.engine import embedded
from lockstep.errors import FormatError
from lockstep.readers.tabular import (
    TabularSource,
    _dedupe_names,
    _duckdb_clean_rows,
    _read_csv_sql,
    _stage_delimited_duckdb,
    _stage_delimited_python,
    _stage_parquet,
    _stage_parquet_checked,
    _swallowed_rows,
    read_csv_header,
    stage_tabular,
)
from lockstep.sqltext import sql_str

#: Rows per Arrow batch when a large CSV is streamed into chunks.
STREAM_BATCH_ROWS = 1_000_000


def iter_tabular_chunks(
    con: embedded.Connection,
    path: Path,
    kind: str,
    table: str,
    *,
    chunk_rows: int,
    encoding: str = "utf-8",
    quarantine: list[dict[str, Any]] | None = None,
) -> Iterator[tuple[TabularSource, bool]]:
    """Stage ``path`` as temp table ``table`` one chunk of at most ``chunk_rows`` rows at a time.

    Yields ``(chunk, more)`` once per chunk with the chunk staged (``_row`` keeps the file's own record
    numbers, ``rows_read`` counts the chunk's rows); the caller uses and drops ``table`` before resuming.
    ``more`` says whether another chunk follows. A file of up to ``chunk_rows`` rows is one chunk, staged as
    by :func:`stage_tabular`. Larger CSV/TSV files that DuckDB reads cleanly are checked whole first (no
    rejected row, no swallowed row), so a file that needs the line-aware reader is known before any chunk is
    written; they are then streamed once, in file order, into equal chunks. Large Parquet files are read by
    row ranges. Files DuckDB cannot read cleanly, and JSON lines, are one chunk.
    """
    sink = quarantine if quarantine is not None else []
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    if kind == "parquet":
        yield from _parquet_chunks(con, path, table, chunk_rows)
        return
    if kind not in ("csv", "tsv") or encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        yield stage_tabular(con, path, kind, table, encoding=encoding, quarantine=sink), False
        return
    delimiter = "\t" if kind == "tsv" else ","
    names = _dedupe_names(read_csv_header(path, delimiter, encoding))
    rows = _duckdb_clean_rows(path, delimiter, names)
    if rows is not None and rows <= chunk_rows:
        fast = _stage_delimited_duckdb(con, path, table, delimiter, names)
        if fast is not None:
            yield fast, False
            return
    elif rows is not None and not (len(names) >= 3 and _file_has_swallowed_rows(path, delimiter, names)):
        yield from _stream_delimited_chunks(con, path, table, delimiter, names, rows, chunk_rows)
        return
    yield _stage_delimited_python(con, path, table, delimiter, encoding, names, sink), False


def _chunk_sizes(rows: int, chunk_rows: int) -> list[int]:
    """``rows`` split into the fewest chunks of at most ``chunk_rows``, as equal as possible."""
    n = max(1, -(-rows // chunk_rows))
    base, extra = divmod(rows, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _stream_delimited_chunks(
    con: embedded.Connection,
    path: Path,
    table: str,
    delimiter: str,
    names: list[str],
    rows: int,
    chunk_rows: int,
) -> Iterator[tuple[TabularSource, bool]]:
    """One parse of a clean delimited file, streamed in file order (DuckDB preserves it) into chunks.

    The scan runs on a second connection to the same database (same memory limit), as Arrow batches; each
    chunk is numbered here, continuing the file's record numbers, and copied into ``table``.
    """
    sizes = _chunk_sizes(rows, chunk_rows)
    reader_con = con.cursor()
    try:
        stream = reader_con.sql(f"SELECT * FROM {_read_csv_sql(path, delimiter, names, None, None)}").to_arrow_reader(
            min(STREAM_BATCH_ROWS, sizes[0])
        )
        pending: list[pa.RecordBatch] = []
        have = 0
        first = 1
        for i, size in enumerate(sizes):
            while have < size:
                try:
                    batch = stream.read_next_batch()
                except StopIteration:
                    break
                pending.append(batch)
                have += batch.num_rows
            whole = pa.Table.from_batches(pending, schema=stream.schema)
            chunk, rest = whole.slice(0, size), whole.slice(size)
            pending, have = rest.to_batches(), rest.num_rows
            del whole, rest
            if chunk.num_rows != size:
                raise FormatError(f"{path}: read {chunk.num_rows:,} rows for a chunk of {size:,}; the file changed?")
            _copy_chunk(con, table, names, chunk, first)
            del chunk
            first += size
            yield TabularSource(table, names, size, 0), i + 1 < len(sizes)
        if have or _next_batch_rows(stream):
            raise FormatError(f"{path}: more rows than the {rows:,} counted; the file changed while being read")
    finally:
        reader_con.close()


def _next_batch_rows(stream: pa.RecordBatchReader) -> int:
    try:
        return int(stream.read_next_batch().num_rows)
    except StopIteration:
        return 0


def _copy_chunk(con: embedded.Connection, table: str, names: list[str], chunk: pa.Table, first: int) -> None:
    """``chunk`` as temp table ``table``, with ``_row`` numbering its rows from ``first``."""
    import numpy as np  # only here: numbering a large file's chunks

    numbered = chunk.add_column(0, "_row", pa.array(np.arange(first, first + chunk.num_rows, dtype=np.int64)))
    con.register("_csv_chunk", numbered)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _csv_chunk")
    finally:
        con.unregister("_csv_chunk")


def _file_has_swallowed_rows(path: Path, delimiter: str, names: list[str]) -> bool:
    """:func:`_swallowed_rows` over the whole file, read by DuckDB on a scratch connection (before chunking)."""
    scratch = embedded.connect()
    try:
        return _swallowed_rows(scratch, _read_csv_sql(path, delimiter, names, None, None), names, delimiter)
    finally:
        scratch.close()


def _parquet_chunks(
    con: embedded.Connection, path: Path, table: str, chunk_rows: int
) -> Iterator[tuple[TabularSource, bool]]:
    try:
        row = con.execute(f"SELECT count(*) FROM read_parquet({sql_str(str(path))})").fetchone()
    except embedded.Error as exc:
        raise FormatError(f"{path}: unreadable Parquet file ({str(exc).strip().splitlines()[0]})") from exc
    rows = int(row[0]) if row else 0
    if rows <= chunk_rows:
        yield _stage_parquet(con, path, table), False
        return
    sizes = _chunk_sizes(rows, chunk_rows)
    start = 0
    for i, size in enumerate(sizes):
        try:
            src = _stage_parquet_checked(con, path, table, (start, start + size))
        except embedded.Error as exc:
            raise FormatError(f"{path}: unreadable Parquet file ({str(exc).strip().splitlines()[0]})") from exc
        start += size
        yield src, i + 1 < len(sizes)
