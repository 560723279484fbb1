"""What every record-by-record (JSON) reader stages, written once: the stage columns, their Arrow types, the
batch write into ``stage_posts`` / ``stage_accounts``, and the small helpers for JSON of an unexpected shape.

The stage columns derive from the canonical schema (:mod:`lockstep.store.schema`) so the two cannot drift;
``twarc2``, :mod:`lockstep.readers.records` (Telegram, Bluesky, Meta Content Library, 4CAT) and
:mod:`lockstep.readers.api_json` (TikTok, YouTube, Mastodon) all stage through here.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from lockstep.readers.base import StageContext
from lockstep.readers.tabular import clean_text
from lockstep.store.schema import ACCOUNT_COLUMNS, POST_COLUMNS

#: Rows collected before one write into the stage tables.
BATCH = 20_000
_STAGED_BY_ENGINE = {"post_id_derived", "source_file", "batch_id", "reader", "reader_version"}
POST_FIELDS = (*(c for c, _ in POST_COLUMNS if c not in _STAGED_BY_ENGINE), "created_at_raw")
ACCOUNT_FIELDS = (*(c for c, _ in ACCOUNT_COLUMNS if c not in _STAGED_BY_ENGINE), "observed_at")
LIST_FIELDS = frozenset({"urls", "hashtags", "mentions", "media"})
TIME_FIELDS = frozenset({"created_at", "observed_at"})
INT_FIELDS = frozenset(
    {"like_count", "repost_count", "reply_count", "quote_count", "followers", "following", "post_count", "source_row"}
)
ID_FIELDS = frozenset({"post_id", "account_id", "parent_post_id", "parent_account_id", "quoted_post_id"})
#: Post fields whose wrong JSON type quarantines the record (elsewhere a wrong type becomes ``None``).
STRICT_POST_FIELDS = frozenset({"post_id", "account_id", "text", "created_at_raw"})


class ShapeError(ValueError):
    """A record whose JSON shape the reader cannot map (caught per record; the record is quarantined)."""


#: Errors a record of an unexpected JSON shape raises while being mapped (caught per record).
SHAPE_ERRORS = (ShapeError, TypeError, AttributeError, ValueError, KeyError, OverflowError, RecursionError)


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (optional nested objects)."""
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict[str, Any]]:
    """The objects in ``value`` if it is a JSON array, else none."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def json_extra(extra: dict[str, Any]) -> str | None:
    """Unmapped fields as JSON text (``None`` when there are none; an int too long to print becomes its repr)."""
    if not extra:
        return None
    try:
        return clean_text(json.dumps(extra, ensure_ascii=False))
    except ValueError:
        return clean_text(json.dumps({k: repr(v)[:1000] for k, v in extra.items()}, ensure_ascii=False))


def arrow_batch(cols: dict[str, list[Any]]) -> pa.Table:
    """Collected stage columns as an Arrow table with the stage tables' types."""
    arrays = []
    for name, values in cols.items():
        if name in LIST_FIELDS:
            typ: pa.DataType = pa.list_(pa.string())
        elif name in TIME_FIELDS:
            typ = pa.timestamp("us")
        elif name in INT_FIELDS:
            typ = pa.int64()
        elif name == "id_is_hashed":
            typ = pa.bool_()
        else:
            typ = pa.string()
        arrays.append(pa.array(values, typ))
    return pa.Table.from_arrays(arrays, names=list(cols))


def flush_stage(ctx: StageContext, posts: dict[str, list[Any]], accounts: dict[str, list[Any]]) -> None:
    """Write the collected rows into ``stage_posts`` / ``stage_accounts`` and empty the collections."""
    for table, cols in (("stage_posts", posts), ("stage_accounts", accounts)):
        if not next(iter(cols.values())):
            continue
        ctx.con.register("_stage_batch", arrow_batch(cols))
        ctx.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _stage_batch")
        ctx.con.unregister("_stage_batch")
        for v in cols.values():
            v.clear()
