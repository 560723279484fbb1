"""Open a tabular file (CSV, TSV, JSON lines, Parquet) as a DuckDB relation of text columns, losing nothing.

Every column is read as text; a row the parser cannot read (wrong column count, invalid UTF-8, an
unterminated quote at a truncated end) goes to the quarantine with its line number and raw text instead of
stopping the run. The CSV dialect is given explicitly rather than sniffed: DuckDB's sniffer treats a quoted
line starting with ``#`` as a comment and cannot be trusted on tweets.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lockstep.errors import FormatError

MAX_LINE_BYTES = 256 * 1024 * 1024
JSON_BATCH_ROWS = 50_000
#: Column holding, as a JSON object, the keys of a JSON-lines record that the first lines did not show.
EXTRA_JSON_COLUMN = "_more_json"


@dataclass
class TabularSource:
    """A tabular file staged as the temp table ``table`` with text columns ``columns`` and ``_row``."""

    table: str
    columns: list[str]
    rows_read: int
    rejected: int


def sql_str(value: str) -> str:
    """``value`` as a single-quoted SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def detect_kind(path: Path, head: bytes) -> str:
    """``csv``, ``tsv``, ``jsonl`` or ``parquet`` from the file's first bytes and name."""
    if head.startswith(b"PAR1"):
        return "parquet"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "jsonl"
    first_line = head.split(b"\n", 1)[0]
    if path.suffix.lower() in {".tsv", ".tab"} or first_line.count(b"\t") > first_line.count(b","):
        return "tsv"
    return "csv"


def read_csv_header(path: Path, delimiter: str, encoding: str) -> list[str]:
    """The header row of a delimited file, read with Python's csv module (quoted names allowed)."""
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header:
        raise FormatError(f"{path}: empty file, or no header row")
    header[0] = header[0].lstrip("\ufeff")
    return header


def json_keys(path: Path, encoding: str, sample_lines: int = 200) -> list[str]:
    """Keys of the first JSON objects in a JSON-lines file, in order of first appearance."""
    keys: dict[str, None] = {}
    with path.open(encoding=encoding, errors="replace") as fh:
        for line in itertools.islice(fh, sample_lines):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
    return list(keys)


def stage_tabular(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    table: str,
    *,
    encoding: str = "utf-8",
    quarantine: list[dict[str, Any]] | None = None,
) -> TabularSource:
    """Load ``path`` into temp table ``table`` (all columns text, plus ``_row``: 1-based record number).

    Unreadable rows are appended to ``quarantine`` as dicts (``source_row``, ``reason``, ``field``, ``raw``).
    """
    sink = quarantine if quarantine is not None else []
    if kind == "parquet":
        return _stage_parquet(con, path, table)
    if kind == "jsonl":
        return _stage_jsonl(con, path, table, encoding, sink)
    return _stage_delimited(con, path, table, "\t" if kind == "tsv" else ",", encoding, sink)


def _stage_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    delimiter: str,
    encoding: str,
    sink: list[dict[str, Any]],
) -> TabularSource:
    header = read_csv_header(path, delimiter, encoding)
    names = _dedupe_names(header)
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    rejects, scan = f"{table}_rejects", f"{table}_scans"
    enc = encoding.lower().replace("_", "-")
    enc = {"utf8": "utf-8", "latin1": "latin-1", "iso-8859-1": "latin-1", "utf16": "utf-16"}.get(enc, enc)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT row_number() OVER () AS _row, *
        FROM read_csv({sql_str(str(path))}, columns = {columns}, auto_detect = false, header = true,
                      delim = {sql_str(delimiter)}, quote = '"', escape = '"', comment = '',
                      encoding = {sql_str(enc)}, max_line_size = {MAX_LINE_BYTES}, strict_mode = true,
                      null_padding = false, all_varchar = true, store_rejects = true,
                      rejects_table = {sql_str(rejects)}, rejects_scan = {sql_str(scan)},
                      rejects_limit = 0)"""
    )
    rejected = con.execute(
        f"""SELECT line, string_agg(DISTINCT lower(error_type), '; ' ORDER BY lower(error_type)),
                   string_agg(DISTINCT column_name, ', ' ORDER BY column_name), any_value(csv_line)
            FROM {rejects} GROUP BY line ORDER BY line"""
    ).fetchall()
    for line, reason, field, raw in rejected:
        sink.append({"source_row": line, "reason": f"unreadable row ({reason})", "field": field, "raw": raw})
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {scan}")
    n = _count(con, table)
    return TabularSource(table, names, n + len(rejected), len(rejected))


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> TabularSource:
    schema = con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_str(str(path))})").fetchall()
    names = [r[0] for r in schema]
    casts = ", ".join(
        f"CAST({ident(n)} AS VARCHAR) AS {ident(n)}"
        if not str(t).endswith("[]") and "STRUCT" not in str(t)
        else f"CAST(to_json({ident(n)}) AS VARCHAR) AS {ident(n)}"
        for n, t, *_ in schema
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT file_row_number + 1 AS _row, {casts}
        FROM read_parquet({sql_str(str(path))}, file_row_number = true)"""
    )
    n = _count(con, table)
    return TabularSource(table, names, n, 0)


def _stage_jsonl(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, encoding: str, sink: list[dict[str, Any]]
) -> TabularSource:
    names = json_keys(path, encoding)
    if not names:
        raise FormatError(f"{path}: no JSON object found in the first lines")
    index = {n: i for i, n in enumerate(names)}
    names_out = [*names, EXTRA_JSON_COLUMN]
    con.execute(f"DROP TABLE IF EXISTS {table}")
    created = False
    total = 0
    for batch in _json_batches(path, encoding, names, index, sink):
        total += len(batch[0])
        arrays = [pa.array(batch[0], pa.int64())] + [pa.array(c, pa.string()) for c in batch[1:]]
        arrow = pa.Table.from_arrays(arrays, names=["_row", *names_out])
        con.register("_json_batch", arrow)
        if created:
            con.execute(f"INSERT INTO {table} SELECT * FROM _json_batch")
        else:
            con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM _json_batch")
            created = True
        con.unregister("_json_batch")
    if not created:
        cols = ", ".join(f"{ident(n)} VARCHAR" for n in names_out)
        con.execute(f"CREATE TEMP TABLE {table} (_row BIGINT, {cols})")
    bad = sum(1 for q in sink if q.get("_json"))
    return TabularSource(table, names_out, total + bad, bad)


def _json_batches(
    path: Path, encoding: str, names: list[str], index: dict[str, int], sink: list[dict[str, Any]]
) -> Iterator[list[list[Any]]]:
    width = len(names) + 2
    cols: list[list[Any]] = [[] for _ in range(width)]
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode(encoding))
            except (UnicodeDecodeError, ValueError) as exc:
                reason = "invalid encoding" if isinstance(exc, UnicodeDecodeError) else "invalid JSON"
                sink.append(
                    {
                        "source_row": lineno,
                        "reason": f"unreadable row ({reason})",
                        "field": None,
                        "raw": raw.decode(encoding, errors="replace"),
                        "_json": True,
                    }
                )
                continue
            if not isinstance(obj, dict):
                sink.append(
                    {
                        "source_row": lineno,
                        "reason": "unreadable row (not a JSON object)",
                        "field": None,
                        "raw": raw.decode(encoding, errors="replace"),
                        "_json": True,
                    }
                )
                continue
            cols[0].append(lineno)
            for i in range(1, width):
                cols[i].append(None)
            leftover: dict[str, Any] = {}
            for key, value in obj.items():
                j = index.get(key)
                if j is None:
                    leftover[key] = value
                else:
                    cols[j + 1][-1] = _json_text(value)
            if leftover:
                cols[-1][-1] = json.dumps(leftover, ensure_ascii=False)
            if len(cols[0]) >= JSON_BATCH_ROWS:
                yield cols
                cols = [[] for _ in range(width)]
    if cols[0]:
        yield cols


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _dedupe_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        name = name.strip() or f"column{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
