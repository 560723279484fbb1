"""Staging for readers that build rows record by record in Python (JSON exports): typing, batching, quarantine.

A reader hands :class:`RowSink` one canonical post (and any account snapshots) per record; the sink checks
every value's type (a wrong type in an id, the text or the time quarantines the record with the field at
fault; elsewhere it is kept as JSON text), writes batches to ``stage_posts`` / ``stage_accounts`` through
Arrow, and counts rows so that read = staged + quarantined.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from lockstep.normalize.text import extract_hashtags
from lockstep.readers.base import StageContext
from lockstep.readers.jsonstream import Action, BrokenDocument, JsonPath, first_line_is_json, walk_document
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
    dicts,
    flush_stage,
    obj,
)
from lockstep.readers.tabular import clean_text, iter_json_lines

__all__ = [
    "SHAPE_ERRORS",
    "RowSink",
    "ShapeError",
    "count_of",
    "dicts",
    "entities_from_text",
    "epoch_time",
    "fill_parent_authors",
    "id_of",
    "iso_time",
    "iter_values",
    "json_extra",
    "obj",
    "raw_json",
    "text_of",
]

MAX_RAW_CHARS = 100_000


def raw_json(value: Any) -> str:
    """``value`` as JSON text for the quarantine's ``raw`` column (cut at 100,000 characters)."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return clean_text(text[:MAX_RAW_CHARS])


def json_extra(extra: dict[str, Any]) -> str | None:
    """The record's unmapped fields as JSON text (``None`` when there are none)."""
    extra = {k: v for k, v in extra.items() if v not in (None, "", [], {})}
    return raw_json(extra) if extra else None


def epoch_time(value: Any) -> dt.datetime | None:
    """UTC naive datetime from Unix seconds (int, float or digit string), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value:
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def iso_time(value: Any) -> dt.datetime | None:
    """UTC naive datetime from ISO 8601 text (``Z``, ``+00:00``, ``+0000``, or naive = UTC), else ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


_MENTION = re.compile(r"(?:^|[^\w])@([A-Za-z0-9_]{1,32})")
_URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]'…]")


def entities_from_text(text: str | None) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentions and URLs of ``text`` in order, for exports without entity lists.

    The same rules as the SQL patterns tabular readers use (:mod:`lockstep.normalize.text`), with handles up
    to 32 characters (Telegram, Bluesky and Mastodon names are longer than X's 15).
    """
    if not text:
        return [], [], []
    return extract_hashtags(text), _MENTION.findall(text), _URL.findall(text)


def text_of(value: Any, name: str) -> str | None:
    """A text field that must be text (or missing); any other JSON type raises :class:`ShapeError`."""
    if value is None or isinstance(value, str):
        return value
    raise ShapeError(f"{name}: expected text, got {type(value).__name__}")


def id_of(value: Any, name: str) -> str | None:
    """An id given as text or a JSON integer, as text; any other type raises :class:`ShapeError`."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ShapeError(f"{name}: expected an id, got {type(value).__name__}")


def count_of(value: Any) -> int | None:
    """An engagement count from an int or digit text (``"1,204"``), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str):
        digits = value.replace(",", "").strip()
        if digits.isdigit() and len(digits) < 19:
            return int(digits)
    return None


_INT64 = 2**63


def _clean(value: str) -> str:
    return value if value.isascii() else clean_text(value)


def _checked(row: dict[str, Any], fields: tuple[str, ...], strict: frozenset[str], lenient: bool) -> list[Any]:
    """``row``'s values in ``fields`` order, each of its column's type.

    A wrong type in a ``strict`` field, a list or (unless ``lenient``) a count or time raises
    :class:`ShapeError` (the record is quarantined); other text fields keep a wrong-typed value as JSON text,
    counts that are not integers become null. ``lenient`` (profiles) never raises.
    """
    out: list[Any] = []
    for name in fields:
        v = row.get(name)
        if v is None:
            out.append([] if name in LIST_FIELDS else None)
        elif isinstance(v, str) and not (name in LIST_FIELDS or name in INT_FIELDS or name in TIME_FIELDS):
            out.append(_clean(v))
        elif name in LIST_FIELDS:
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                out.append([_clean(x) for x in v])
            elif lenient:
                out.append([])
            else:
                raise ShapeError(f"{name}: expected a list of text")
        elif isinstance(v, str):  # text where a count or a time belongs
            if not lenient:
                raise ShapeError(f"{name}: expected {'a time' if name in TIME_FIELDS else 'a number'}, got text")
            out.append(None)
        elif name in INT_FIELDS:
            out.append(v if isinstance(v, int) and not isinstance(v, bool) and -_INT64 <= v < _INT64 else None)
        elif name in TIME_FIELDS or name == "id_is_hashed":
            out.append(v)
        elif name in ID_FIELDS and isinstance(v, int) and not isinstance(v, bool) and abs(v) < 10**30:
            out.append(str(v))
        elif name in strict:
            raise ShapeError(f"{name}: expected text, got {type(v).__name__}")
        else:
            out.append(raw_json(v))
    return out


def _append(columns: dict[str, list[Any]], values: list[Any]) -> None:
    for col, value in zip(columns.values(), values, strict=True):
        col.append(value)


class RowSink:
    """Collects a file's posts, accounts and rejects; :meth:`close` stages the rest and sets ``rows_read``."""

    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.posts: dict[str, list[Any]] = {f: [] for f in POST_FIELDS}
        self.accounts: dict[str, list[Any]] = {f: [] for f in ACCOUNT_FIELDS}
        self.records = 0
        self._post_fields = tuple(self.posts)
        self._account_fields = tuple(self.accounts)
        self._last_profile: dict[tuple[Any, Any], str] = {}

    def post(
        self,
        row: dict[str, Any],
        source_row: int,
        raw: Any,
        accounts: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
        where: str | None = None,
    ) -> bool:
        """Stage ``row`` (canonical post fields) and its ``accounts``; quarantine it if a key field is mistyped."""
        try:
            checked = _checked({**row, "source_row": source_row}, self._post_fields, STRICT_POST_FIELDS, False)
        except SHAPE_ERRORS as exc:
            self.reject(source_row, exc, where, raw)
            return False
        self.records += 1
        _append(self.posts, checked)
        for account in accounts:
            self.account(account, source_row)
        if len(self.posts["post_id"]) >= BATCH:
            self.flush()
        return True

    def account(self, row: dict[str, Any], source_row: int) -> None:
        """Stage an account snapshot (wrong-typed profile values are kept as JSON text, never fatal).

        A snapshot whose profile values equal the account's previous one is not staged again: ingestion keeps,
        per column, the latest non-blank value, so repeats change nothing (a channel's 100,000 posts carry one
        profile, not 100,000).
        """
        key = (row.get("platform"), row.get("account_id"))
        values = repr(sorted((k, v) for k, v in row.items() if k != "observed_at"))
        if self._last_profile.get(key) == values:
            return
        self._last_profile[key] = values
        _append(self.accounts, _checked({**row, "source_row": source_row}, self._account_fields, frozenset(), True))

    def reject(self, source_row: int | None, why: BaseException | str, where: str | None, raw: Any) -> None:
        """Quarantine one record: ``why`` is an exception from mapping it or the reason itself."""
        if isinstance(why, str):
            reason = why
        elif isinstance(why, ShapeError):
            reason = f"unexpected JSON shape ({why})"
            name = str(why).split(":", 1)[0] if ":" in str(why) else ""
            if name and " " not in name:  # "text: expected text, got int" names the field
                where = f"{where}: {name}" if where else name
        else:
            reason = "unexpected JSON shape (a field of an unexpected type)"
        self.ctx.quarantine.append(
            {
                "source_row": source_row,
                "reason": reason,
                "field": where,
                "raw": raw if isinstance(raw, str) else raw_json(raw),
            }
        )

    def flush(self) -> None:
        """Write the rows collected so far to the stage tables."""
        flush_stage(self.ctx, self.posts, self.accounts)

    def close(self) -> None:
        """Stage what is left and set the file's row count (posts staged plus records quarantined)."""
        self.flush()
        self.ctx.rows_read = self.records + len(self.ctx.quarantine)


def iter_values(ctx: StageContext, sink: RowSink, plan: Callable[[JsonPath], Action]) -> Iterator[tuple[int, Any, Any]]:
    """``(line, value, raw)`` for each JSON line, or for each value ``plan`` picks out of one JSON document.

    A file whose first line is a JSON value by itself is read as JSON lines (unreadable lines are quarantined
    with their line number); otherwise it is streamed as one document, and a document broken part-way
    quarantines its unread rest as one row.
    """
    if first_line_is_json(ctx.path):
        for line, value, raw, problem in iter_json_lines(ctx.path):
            if problem is not None:
                sink.reject(line, f"unreadable row ({problem})", None, raw)
            else:
                yield line, value, raw
        return
    try:
        for _, line, value in walk_document(ctx.path, plan):
            yield line, value, value
    except BrokenDocument as exc:
        sink.reject(exc.line, f"unreadable row ({exc.detail}; the rest of the file cannot be read)", None, exc.raw)


def fill_parent_authors(ctx: StageContext) -> None:
    """Set the parent author of staged replies and quotes whose parent post is in the same file.

    Exports such as Telegram's name only the replied-to message; its author is found by a join in the engine
    (memory does not grow with the file, and a reply to a later message is resolved too).
    """
    ctx.con.execute(
        """UPDATE stage_posts SET parent_account_id = p.account_id
           FROM (SELECT post_id, any_value(account_id) AS account_id FROM stage_posts
                 WHERE post_id IS NOT NULL GROUP BY post_id) p
           WHERE stage_posts.kind IN ('reply', 'quote') AND stage_posts.parent_account_id IS NULL
             AND stage_posts.parent_post_id = p.post_id"""
    )
