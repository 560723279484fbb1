"""Shared plumbing for readers of platform API responses saved as JSON (TikTok, YouTube, Mastodon).

API collectors save responses in three shapes, all accepted: one JSON document (a response page, possibly
pretty-printed), a JSON array of pages or of items, or JSON lines (one page or one item per line).
:func:`iter_documents` yields each top-level value with the row number quarantine entries will carry: the
line number in JSON lines, ``1`` for a single document. A single document that does not parse is a
:class:`~lockstep.errors.FormatError` naming the file, line and column (nothing of it can be read); a bad
line of a JSON-lines file is quarantined and reading goes on.

:class:`Batch` collects canonical post and account rows, coerces every value to its column's type (a field
of the wrong type in an id, the text or the time sends the item to the quarantine with the field named;
anywhere else the value is kept as JSON text or dropped to NULL) and writes them to the stage tables.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from lockstep.errors import FormatError
from lockstep.readers.base import StageContext
from lockstep.readers.staging import (
    ACCOUNT_FIELDS,
    BATCH,
    ID_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    POST_FIELDS,
    SHAPE_ERRORS,
    STRICT_POST_FIELDS,
    TIME_FIELDS,
    ShapeError,
    flush_stage,
)
from lockstep.readers.tabular import clean_text, iter_json_lines

_INT64 = 2**63
#: Whole-document JSON is parsed in memory (several times its size in Python objects); larger files must be
#: JSON lines.
MAX_DOCUMENT_BYTES = 256 << 20


def iter_documents(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, Any, str, str | None]]:
    """Top-level JSON values of ``path`` as ``(row, value, raw text, problem)`` (see the module docstring)."""
    with path.open("rb") as fh:
        first = b""
        for line in fh:
            if line.strip():
                first = line
                break
    try:
        json.loads(first.lstrip(b"\xef\xbb\xbf").decode(encoding))
        single_line_values = True
    except (ValueError, RecursionError):
        single_line_values = False
    if single_line_values:
        yield from iter_json_lines(path, encoding)
        return
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise FormatError(
            f"{path}: a single JSON document over {MAX_DOCUMENT_BYTES >> 20} MiB; save it as JSON lines "
            f"(one response page or item per line, e.g. jq -c '.[]' {path.name} > {path.stem}.jsonl) to read it"
        )
    text = path.read_bytes().decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); the file is one JSON "
            "document, so nothing of it could be read (a truncated download?)"
        ) from exc
    except RecursionError as exc:
        raise FormatError(f"{path}: JSON nested too deep") from exc
    yield 1, value, "", None


def iter_items(
    path: Path, batch: Batch, extract: Callable[[Any], Iterator[tuple[str, Any]]]
) -> Iterator[tuple[int, str, Any]]:
    """Each item of each document as ``(row, where, item)``; unreadable lines and shapes are quarantined.

    ``extract(document)`` yields ``(where, item)`` (``where`` names the item's place, e.g.
    ``data.videos[3]``) and raises :class:`ShapeError` for a document it does not recognise. ``row`` is the
    line number in JSON lines, and the item's ordinal (1-based) in a single document.
    """
    ordinal = 0
    for lineno, doc, raw, problem in iter_documents(path, batch.ctx.encoding):
        single = raw == "" and problem is None
        if problem is not None:
            batch.quarantine(lineno, f"unreadable row ({problem})", None, raw)
            continue
        try:
            items = list(extract(doc))
        except SHAPE_ERRORS as exc:
            detail = str(exc) if isinstance(exc, ShapeError) else "a field of an unexpected type"
            batch.quarantine(lineno, f"unexpected JSON shape ({detail})", None, raw or raw_text(doc))
            continue
        for where, item in items:
            ordinal += 1
            yield (ordinal if single else lineno), where, item


def idstr(value: Any) -> str | None:
    """An id as text (JSON numbers become their digits); other types give ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) and value else None


def parse_iso(value: Any) -> dt.datetime | None:
    """UTC naive datetime from ISO 8601 text (``2024-01-02T03:04:05.000Z``), else ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


def parse_epoch(value: Any) -> dt.datetime | None:
    """UTC naive datetime from Unix seconds (a number, or digits as text), else ``None``."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def to_int(value: Any) -> int | None:
    """An integer count from a JSON number or digits as text (YouTube sends counts as strings)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64:
        return value
    return None


def raw_text(value: Any) -> str:
    """A JSON value as text for the quarantine's ``raw`` column (capped at 100,000 characters)."""
    try:
        return clean_text(json.dumps(value, ensure_ascii=False))[:100_000]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:100_000]


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment: tags dropped, entities decoded, line breaks kept."""

    BREAKS = frozenset({"br", "p", "div", "li"})
    #: Elements whose content is code, not text: dropped.
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            a = dict(attrs)
            href = a.get("href")
            if href:
                self.links.append((href, a.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)
        if tag in self.BREAKS and tag != "br" and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> tuple[str, list[tuple[str, str]]]:
    """The plain text of an HTML fragment and its links as ``(href, class)``.

    Parsed with the standard library's tolerant HTML parser, never evaluated: script and style content is
    dropped, entities are decoded once, ``<br>`` and paragraph ends become line breaks.
    """
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.parts)
    lines = [ln.strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln).strip(), parser.links


def _text_value(name: str, value: Any, strict: bool) -> str | None:
    if value is None or isinstance(value, str):
        return clean_text(value) if value is not None else None
    if name in ID_FIELDS:
        as_id = idstr(value)
        if as_id is not None:
            return as_id
    if strict:
        raise ShapeError(f"{name}: expected text, got {type(value).__name__}")
    try:
        return clean_text(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return None


def checked(row: dict[str, Any], strict: bool) -> dict[str, Any]:
    """``row`` with each value of its column's type; with ``strict``, a wrong type in a key field raises."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k in LIST_FIELDS:
            items = v if isinstance(v, list) else []
            out[k] = [clean_text(x) for x in items if isinstance(x, str) and x]
            if strict and len(out[k]) != len([x for x in items if x != ""]):
                raise ShapeError(f"{k}: expected a list of text")
        elif k in INT_FIELDS:
            out[k] = to_int(v)
        elif k in TIME_FIELDS or k == "id_is_hashed":
            out[k] = v
        else:
            out[k] = _text_value(k, v, strict and k in STRICT_POST_FIELDS)
    return out


class Batch:
    """Canonical rows for the stage tables, written every :data:`BATCH` posts."""

    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.posts: dict[str, list[Any]] = {f: [] for f in POST_FIELDS}
        self.accounts: dict[str, list[Any]] = {f: [] for f in ACCOUNT_FIELDS}
        self.records = 0

    def quarantine(self, row: int, reason: str, field: str | None, raw: Any) -> None:
        """Send one unreadable item to the quarantine (``field`` names where in the file it is)."""
        self.ctx.quarantine.append(
            {"source_row": row, "reason": reason, "field": field, "raw": raw if isinstance(raw, str) else raw_text(raw)}
        )

    def add(self, post: dict[str, Any], accounts: list[dict[str, Any]], row: int, where: str, raw: Any) -> bool:
        """Stage one post and its accounts; a wrong-typed key field quarantines it instead (returns False)."""
        try:
            p = checked({**post, "source_row": row}, strict=True)
        except SHAPE_ERRORS as exc:
            detail = str(exc) if isinstance(exc, ShapeError) else "a field of an unexpected type"
            self.quarantine(row, f"unexpected JSON shape ({detail})", where, raw)
            return False
        self.records += 1
        for k, v in self.posts.items():
            v.append(p.get(k))
        for a in accounts:
            acc = checked({**a, "source_row": row, "observed_at": post.get("created_at")}, strict=False)
            for k, v in self.accounts.items():
                v.append(acc.get(k))
        if len(self.posts["post_id"]) >= BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        """Write the collected rows to ``stage_posts`` / ``stage_accounts``."""
        flush_stage(self.ctx, self.posts, self.accounts)

    def finish(self) -> None:
        """Flush and set the file's row count: staged posts plus quarantined items."""
        self.flush()
        self.ctx.rows_read = self.records + len(self.ctx.quarantine)
