"""Open a tabular file (CSV, TSV, JSON lines, Parquet) as a DuckDB relation of text columns, losing nothing.

Every column is read as text; a row the parser cannot read (wrong column count, invalid UTF-8, an
unterminated quote at a truncated end) goes to the quarantine with its line number and raw text instead of
stopping the run. The CSV dialect is given explicitly rather than sniffed: DuckDB's sniffer treats a quoted
line starting with ``#`` as a comment and cannot be trusted on tweets.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from lockstep.engine import embedded
from lockstep.errors import FormatError
from lockstep.sqltext import ident, sql_str

#: Longest record DuckDB's fast CSV reader accepts. DuckDB sizes each read buffer at 16 times this, per thread,
#: so it bounds the reader's memory: at 256 MiB a 9 GB file asked for 4 GiB blocks and ran out of memory at
#: 100M rows. A longer record is rejected there and the file goes through the line-aware Python reader, which
#: has no length limit, so nothing is lost.
MAX_LINE_BYTES = 8 * 1024 * 1024
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
    try:
        with path.open(encoding=encoding, errors="replace", newline="") as fh:
            # A BOM before a quoted first name would otherwise keep the quotes in the name.
            lines = (line.replace("\x00", "").lstrip("\ufeff") for line in fh)
            header = next(csv.reader(lines, delimiter=delimiter), None)
    except csv.Error as exc:
        raise FormatError(f"{path}: unreadable header row ({exc})") from exc
    if header:
        header[0] = header[0].lstrip("\ufeff")
    if not header or not any(h.strip() for h in header):
        raise FormatError(f"{path}: empty file, or no header row")
    return header


def json_keys(path: Path, encoding: str, sample_lines: int = 200) -> list[str]:
    """Keys of the first JSON objects in a JSON-lines file, in order of first appearance."""
    keys: dict[str, None] = {}
    for _, obj, _, _ in itertools.islice(iter_json_lines(path, encoding), sample_lines):
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(clean_text(k) for k in obj))
    return list(keys)


def stage_tabular(
    con: embedded.Connection,
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
    con: embedded.Connection,
    path: Path,
    table: str,
    delimiter: str,
    encoding: str,
    sink: list[dict[str, Any]],
) -> TabularSource:
    """DuckDB's fast reader when the file is clean; the line-aware Python parser when it is not.

    DuckDB is trusted only if it rejects nothing and no cell holds what looks like a whole swallowed row (a
    stray quote at the start of a field makes every later row part of one value). Otherwise the file is
    re-read by :func:`iter_records`, which quarantines only the lines that are really unreadable.
    """
    header = read_csv_header(path, delimiter, encoding)
    names = _dedupe_names(header)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig") and _duckdb_reads_cleanly(
        path, delimiter, names
    ):
        fast = _stage_delimited_duckdb(con, path, table, delimiter, names)
        if fast is not None:
            return fast
    return _stage_delimited_python(con, path, table, delimiter, encoding, names, sink)


def _read_csv_sql(path: Path, delimiter: str, names: list[str], rejects: str | None, scan: str | None) -> str:
    """DuckDB's strict read of the file; with ``rejects`` and ``scan`` rejected rows are stored there (the
    scan goes on), without them the first unreadable row is an error."""
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    store = (
        f"store_rejects = true, rejects_table = {sql_str(rejects)}, rejects_scan = {sql_str(scan)}, rejects_limit = 0"
        if rejects and scan
        else "store_rejects = false"
    )
    return f"""read_csv({sql_str(str(path))}, columns = {columns}, auto_detect = false, header = true,
                      delim = {sql_str(delimiter)}, quote = '"', escape = '"', comment = '',
                      encoding = 'utf-8', max_line_size = {MAX_LINE_BYTES}, strict_mode = true,
                      null_padding = false, all_varchar = true, {store})"""


def _duckdb_reads_cleanly(path: Path, delimiter: str, names: list[str]) -> bool:
    """Whether DuckDB parses the file without an error or a rejected row."""
    return _duckdb_clean_rows(path, delimiter, names) is not None


def _duckdb_clean_rows(path: Path, delimiter: str, names: list[str]) -> int | None:
    """The file's row count if DuckDB parses it without an error or a rejected row, else ``None``.

    Checked on a scratch connection: an error inside the ingest's transaction would abort it, and the
    line-aware fallback must still be able to run there.
    """
    scratch = embedded.connect()
    try:
        # CREATE ... AS runs the scan to the end, so the rejects table is complete when it returns.
        scratch.execute(
            f"CREATE TEMP TABLE n AS SELECT count(*) AS n FROM {_read_csv_sql(path, delimiter, names, 'rj', 'rs')}"
        )
        rejected = scratch.execute("SELECT count(*) FROM rj").fetchone()
        counted = scratch.execute("SELECT n FROM n").fetchone()
    except embedded.Error:
        return None
    finally:
        scratch.close()
    if rejected is None or rejected[0] != 0 or counted is None:
        return None
    return int(counted[0])


def _stage_delimited_duckdb(
    con: embedded.Connection, path: Path, table: str, delimiter: str, names: list[str]
) -> TabularSource | None:
    rejects, scan = f"{table}_rejects", f"{table}_scans"
    # If the scan fails (out of memory, say) the ingest's transaction is aborted and rolls back with these
    # temp tables; dropping them there would fail too and hide the scan's own error, so they are dropped
    # only after a scan that worked.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT row_number() OVER () AS _row, * FROM {_read_csv_sql(path, delimiter, names, rejects, scan)}"""
    )
    try:
        rejected = _count(con, rejects)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {rejects}")
        con.execute(f"DROP TABLE IF EXISTS {scan}")
    if rejected or (len(names) >= 3 and _swallowed_rows(con, table, names, delimiter)):
        con.execute(f"DROP TABLE IF EXISTS {table}")
        return None
    n = _count(con, table)
    return TabularSource(table, names, n, 0)


def _swallowed_rows(con: embedded.Connection, table: str, names: list[str], delimiter: str) -> bool:
    """Whether some cell of ``table`` (a table or a table function) holds a line with a whole row's worth of
    delimiters (a stray quote's doing)."""
    d = re.escape(delimiter)
    # RE2 allows at most 1,000 repetitions; 500 delimiters on one embedded line is already a whole row.
    pattern = sql_str(f"\\n([^\\n]*{d}){{{min(len(names) - 1, 500)}}}")
    tests = " OR ".join(f"(contains({ident(n)}, chr(10)) AND regexp_matches({ident(n)}, {pattern}))" for n in names)
    row = con.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {tests})").fetchone()
    return bool(row and row[0])


def _stage_delimited_python(
    con: embedded.Connection,
    path: Path,
    table: str,
    delimiter: str,
    encoding: str,
    names: list[str],
    sink: list[dict[str, Any]],
) -> TabularSource:
    width = len(names)
    con.execute(f"DROP TABLE IF EXISTS {table}")
    cols = ", ".join(f"{ident(n)} VARCHAR" for n in names)
    con.execute(f"CREATE TEMP TABLE {table} (_row BIGINT, {cols})")
    batch: list[list[Any]] = [[] for _ in range(width + 1)]
    good = bad = 0
    records = iter_records(path, delimiter, encoding, width)
    next(records, None)  # the header
    for lineno, fields, raw, problem in records:
        if problem is None and fields is not None and len(fields) != width:
            problem = f"expected {width} fields, found {len(fields)}"
        field = None
        if problem is None and fields is not None:
            field = next((names[i] for i, f in enumerate(fields) if _BAD_TEXT.search(f)), None)
            problem = "invalid encoding" if field else None
        if problem is not None or fields is None:
            bad += 1
            sink.append(
                {"source_row": lineno, "reason": f"unreadable row ({problem})", "field": field, "raw": clean_text(raw)}
            )
            continue
        good += 1
        batch[0].append(lineno)
        for i, f in enumerate(fields):
            batch[i + 1].append(clean_text(f))
        if len(batch[0]) >= JSON_BATCH_ROWS:
            _insert_batch(con, table, names, batch)
            batch = [[] for _ in range(width + 1)]
    if batch[0]:
        _insert_batch(con, table, names, batch)
    return TabularSource(table, names, good + bad, bad)


def _insert_batch(con: embedded.Connection, table: str, names: list[str], batch: list[list[Any]]) -> None:
    arrays = [pa.array(batch[0], pa.int64())] + [pa.array(c, pa.string()) for c in batch[1:]]
    arrow = pa.Table.from_arrays(arrays, names=["_row", *(f"c{i}" for i in range(len(names)))])
    con.register("_csv_batch", arrow)
    con.execute(f"INSERT INTO {table} SELECT * FROM _csv_batch")
    con.unregister("_csv_batch")


#: Text that cannot be stored: undecodable bytes (kept as surrogate escapes while parsing).
_BAD_TEXT = re.compile("[\udc80-\udcff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_RECORD_LINES = 5_000
MAX_RECORD_CHARS = 32 * 1024 * 1024
#: Longest single value the line-aware reader accepts. Python's csv module stops at 131,072 characters by
#: default, which made a long post's row "unreadable"; the limit is raised (never lowered) for this process.
MAX_FIELD_CHARS = 256 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))


def clean_text(value: str) -> str:
    """``value`` with lone surrogates (undecodable bytes, bad JSON escapes) replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value


def iter_records(
    path: Path, delimiter: str, encoding: str, width: int | None = None
) -> Iterator[tuple[int, list[str] | None, str, str | None]]:
    """Records of a delimited file as ``(first line, fields, raw text, problem)``, recovering per line.

    Any line ending is accepted (``\\n``, ``\\r\\n``, ``\\r``, mixed). A quote opening a field that spans
    several lines is accepted only if the record it closes has ``width`` fields; otherwise (a stray quote, or
    one never closed before the end of the file) only its first line is reported as unreadable and parsing
    resumes on the next line, so one bad quote costs one row, not the rest of the file.
    """
    pending: deque[tuple[int, str]] = deque()
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        source = enumerate(fh, start=1)

        def take() -> tuple[int, str] | None:
            return pending.popleft() if pending else next(source, None)

        first_record = True
        while (item := take()) is not None:
            lineno, line = item
            if first_record:
                line = line.lstrip("\ufeff")
                item = (lineno, line)
                first_record = False
            if not line.strip("\r\n"):
                continue
            buf = [item]
            in_quote, sloppy = _scan(line, delimiter, False)
            chars = len(line)
            while in_quote and len(buf) < MAX_RECORD_LINES and chars < MAX_RECORD_CHARS:
                nxt = take()
                if nxt is None:
                    break
                buf.append(nxt)
                chars += len(nxt[1])
                in_quote, more = _scan(nxt[1], delimiter, True)
                sloppy = sloppy or more
            text = "".join(part for _, part in buf)
            fields = None if in_quote else _split(text, delimiter)
            if fields is not None and (len(buf) == 1 or (not sloppy and (width is None or len(fields) == width))):
                yield lineno, fields, text, None
                continue
            why = "quote never closed" if in_quote else "a quoted value spans lines and breaks the row"
            if len(buf) == 1 or not _rows_inside(buf[1:50], delimiter, width):
                # A value that really spans lines (a record truncated at the end): one unreadable row.
                yield lineno, None, text, why
                continue
            yield lineno, None, line, why
            pending.extendleft(reversed(buf[1:]))


def _rows_inside(lines: list[tuple[int, str]], delimiter: str, width: int | None) -> bool:
    """Whether some of ``lines`` read as whole rows on their own (a stray quote swallowed them)."""
    if width is None:
        return True
    return any(len(_split(text, delimiter) or ()) == width for _, text in lines)


def _scan(line: str, delimiter: str, in_quote: bool) -> tuple[bool, bool]:
    """Whether a record is still inside a quoted value after ``line`` (Python csv's non-strict rules), and
    whether a quoted value closed with text after it (``"a"b``: legal to Python, never written by a tool)."""
    if '"' not in line:
        return in_quote, False
    sloppy = False
    field_start = 0
    skip = -1
    for m in re.finditer('["' + re.escape(delimiter) + "]", line):
        p = m.start()
        if p <= skip:
            continue
        ch = line[p]
        if in_quote:
            if ch == '"':
                if p + 1 < len(line) and line[p + 1] == '"':
                    skip = p + 1
                else:
                    in_quote = False
                    sloppy = sloppy or line[p + 1 : p + 2] not in ("", delimiter, "\r", "\n")
        elif ch == delimiter:
            field_start = p + 1
        elif p == field_start:
            in_quote = True
    return in_quote, sloppy


def _split(text: str, delimiter: str) -> list[str] | None:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return None
    if len(rows) != 1:
        return None
    return rows[0]


def _stage_parquet(con: embedded.Connection, path: Path, table: str) -> TabularSource:
    try:
        return _stage_parquet_checked(con, path, table)
    except embedded.Error as exc:
        raise FormatError(f"{path}: unreadable Parquet file ({str(exc).strip().splitlines()[0]})") from exc


def _stage_parquet_checked(
    con: embedded.Connection, path: Path, table: str, rows: tuple[int, int] | None = None
) -> TabularSource:
    """The Parquet file (or its rows ``rows[0]`` to ``rows[1]`` - 1, 0-based) as ``table``."""
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
        FROM read_parquet({sql_str(str(path))}, file_row_number = true)
        {f"WHERE file_row_number >= {int(rows[0])} AND file_row_number < {int(rows[1])}" if rows else ""}"""
    )
    n = _count(con, table)
    return TabularSource(table, names, n, 0)


def _stage_jsonl(
    con: embedded.Connection, path: Path, table: str, encoding: str, sink: list[dict[str, Any]]
) -> TabularSource:
    """Load JSON lines; the columns are the keys of every object in the file, however late they first appear.

    A key first seen in a later batch adds a column (earlier rows read it as null); beyond
    ``MAX_JSON_COLUMNS`` distinct keys the rest go, as one JSON object, to ``EXTRA_JSON_COLUMN``.
    """
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TEMP TABLE {table} (_row BIGINT, {ident(EXTRA_JSON_COLUMN)} VARCHAR)")
    columns: dict[str, str] = {}  # JSON key -> column name
    taken: set[str] = {"_row", EXTRA_JSON_COLUMN.lower()}
    rows: list[int] = []
    values: dict[str, list[Any]] = {}
    extra: list[str | None] = []
    good = bad = 0

    def flush() -> None:
        present = [c for c, v in values.items() if any(x is not None for x in v)]
        data = {"_row": pa.array(rows, pa.int64()), EXTRA_JSON_COLUMN: pa.array(extra, pa.string())}
        data.update({c: pa.array(values[c], pa.string()) for c in present})
        con.register("_json_batch", pa.table(data))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _json_batch")
        con.unregister("_json_batch")
        rows.clear()
        extra.clear()
        values.clear()

    for lineno, obj, raw, problem in iter_json_lines(path, encoding):
        if problem is not None or not isinstance(obj, dict):
            bad += 1
            sink.append(
                {
                    "source_row": lineno,
                    "reason": f"unreadable row ({problem or 'not a JSON object'})",
                    "field": None,
                    "raw": raw,
                }
            )
            continue
        good += 1
        n = len(rows)
        rows.append(lineno)
        extra.append(None)
        leftover: dict[str, Any] = {}
        for key, value in obj.items():
            key = clean_text(key)
            col = columns.get(key)
            if col is None:
                if len(columns) >= MAX_JSON_COLUMNS:
                    leftover[key] = value
                    continue
                col = _unique_name(key, taken)
                columns[key] = col
                con.execute(f"ALTER TABLE {table} ADD COLUMN {ident(col)} VARCHAR")
            vals = values.get(col)
            if vals is None:
                vals = values[col] = [None] * n
            vals.extend([None] * (n - len(vals)))
            vals.append(_json_text(value))
        for vals in values.values():
            if len(vals) <= n:
                vals.append(None)
        if leftover:
            extra[-1] = clean_text(json.dumps(leftover, ensure_ascii=False))
        if len(rows) >= JSON_BATCH_ROWS:
            flush()
    if rows:
        flush()
    if not columns and not bad:
        raise FormatError(f"{path}: no JSON object found; expected one JSON object per line")
    names = [*columns.values(), EXTRA_JSON_COLUMN]
    return TabularSource(table, names, good + bad, bad)


MAX_JSON_COLUMNS = 1000
#: Deepest JSON nesting read; deeper values (a recursion bomb) quarantine their line.
MAX_JSON_DEPTH = 200


def iter_json_lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, Any, str, str | None]]:
    """Each non-blank line of a JSON-lines file as ``(line number, value, raw text, problem)``.

    ``problem`` is ``None`` for a parsed line, else why it could not be read (invalid encoding, invalid JSON,
    nesting too deep, a number too long to convert); a BOM on the first line is ignored.
    """
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1:
                raw = raw.lstrip(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            text = raw.decode(encoding, errors="replace")
            try:
                decoded = raw.decode(encoding)
            except UnicodeDecodeError:
                yield lineno, None, text, "invalid encoding"
                continue
            if _too_deep(decoded):
                yield lineno, None, text[:100_000], "JSON nested too deep"
                continue
            try:
                obj = json.loads(decoded, parse_int=_parse_int)
            except (ValueError, RecursionError) as exc:
                why = "number too long" if "digits" in str(exc) else "invalid JSON"
                yield lineno, None, text, why
                continue
            yield lineno, obj, clean_text(text), None


def _parse_int(digits: str) -> int | str:
    """JSON integers as ``int``; one too long for Python to convert (4,300+ digits) stays its text."""
    return int(digits) if len(digits) < 4000 else digits


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") < MAX_JSON_DEPTH:
        return False
    depth = 0
    for ch in re.findall(r'[\[\]{}]|"(?:[^"\\]|\\.)*"', text):
        if ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _unique_name(key: str, taken: set[str]) -> str:
    """A column name for ``key`` not yet used, case-insensitively (DuckDB names ignore case)."""
    base = key.strip() or "column"
    name, i = base, 1
    while name.lower() in taken:
        i += 1
        name = f"{base}_{i}"
    taken.add(name.lower())
    return name


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    try:
        return clean_text(json.dumps(value, ensure_ascii=False))
    except ValueError:  # an int too long to print
        return None


def _number_text(value: int | float) -> str | None:
    try:
        return str(value)
    except ValueError:  # ints beyond sys.get_int_max_str_digits
        return None


def _dedupe_names(header: list[str]) -> list[str]:
    taken: set[str] = {"_row"}
    return [
        _unique_name(clean_text(name).replace("\x00", "") or f"column{i + 1}", taken) for i, name in enumerate(header)
    ]


def _count(con: embedded.Connection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
