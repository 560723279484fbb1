"""X API v2 JSON lines as twarc2 writes them.

Two shapes are accepted, even mixed in one file: response pages (``{"data": [...], "includes": {...}}``,
what ``twarc2 search`` writes) and flattened tweets (one tweet per line with ``author`` and other expansions
inlined, what ``twarc2 flatten`` writes). Referenced tweets found in ``includes.tweets`` are stored as posts
too (their ``extra`` says ``"included": true``): a retweet's original and its time are what the fast-retweet
trace needs. Users come from ``includes.users`` or ``author``; media keys resolve to their URLs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.store.schema import ACCOUNT_COLUMNS, POST_COLUMNS

BATCH = 20_000
_STAGED_BY_ENGINE = {"post_id_derived", "source_file", "batch_id", "reader", "reader_version"}
#: Staged columns, derived from the canonical schema so the two cannot drift.
_POST_FIELDS = (*(c for c, _ in POST_COLUMNS if c not in _STAGED_BY_ENGINE), "created_at_raw")
_ACCOUNT_FIELDS = (*(c for c, _ in ACCOUNT_COLUMNS if c not in _STAGED_BY_ENGINE), "observed_at")
_LIST_FIELDS = {"urls", "hashtags", "mentions", "media"}
_TIME_FIELDS = {"created_at", "observed_at"}
_INT_FIELDS = {
    "like_count",
    "repost_count",
    "reply_count",
    "quote_count",
    "followers",
    "following",
    "post_count",
    "source_row",
}
_KIND = {"retweeted": "repost", "quoted": "quote", "replied_to": "reply"}


def parse_time(value: Any) -> dt.datetime | None:
    """UTC naive datetime from an ISO 8601 string (``2023-01-02T03:04:05.000Z``), else ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


class Twarc2Reader(Reader):
    """X API v2 / twarc2 JSONL."""

    name = "twarc2"
    version = "1"
    description = "X API v2 JSON lines as twarc2 writes them (response pages or flattened tweets)"

    def sniff(self, probe: Probe) -> float:
        if probe.kind != "jsonl":
            return 0.0
        first = probe.head.split(b"\n", 1)[0]
        try:
            obj = json.loads(first)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            if isinstance(obj.get("data"), list | dict) and ("includes" in obj or "meta" in obj):
                return 0.95
            if "id" in obj and "text" in obj and ("author_id" in obj or "author" in obj) and "created_at" in obj:
                return 0.9
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        posts: dict[str, list[Any]] = {f: [] for f in _POST_FIELDS}
        accounts: dict[str, list[Any]] = {f: [] for f in _ACCOUNT_FIELDS}
        read = 0
        with ctx.path.open("rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                read += 1
                try:
                    obj = json.loads(raw.decode(ctx.encoding))
                except (UnicodeDecodeError, ValueError) as exc:
                    why = "invalid encoding" if isinstance(exc, UnicodeDecodeError) else "invalid JSON"
                    ctx.quarantine.append(
                        {
                            "source_row": lineno,
                            "reason": f"unreadable row ({why})",
                            "field": None,
                            "raw": raw.decode(ctx.encoding, errors="replace"),
                        }
                    )
                    continue
                if not isinstance(obj, dict):
                    ctx.quarantine.append(
                        {
                            "source_row": lineno,
                            "reason": "unreadable row (not a JSON object)",
                            "field": None,
                            "raw": raw.decode(ctx.encoding, errors="replace"),
                        }
                    )
                    continue
                for post, users in _records(obj):
                    _append(posts, {**post, "source_row": lineno})
                    for user in users:
                        _append(accounts, {**_account(user, post), "source_row": lineno})
                if len(posts["post_id"]) >= BATCH:
                    _flush(ctx, posts, accounts)
        _flush(ctx, posts, accounts)
        ctx.rows_read = read


def _records(obj: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    if "data" in obj and ("includes" in obj or "meta" in obj or "__twarc" in obj):
        data = obj["data"] if isinstance(obj["data"], list) else [obj["data"]]
        inc = obj.get("includes") or {}
        users = {u.get("id"): u for u in inc.get("users") or [] if isinstance(u, dict)}
        media = {m.get("media_key"): m for m in inc.get("media") or [] if isinstance(m, dict)}
        included = {t.get("id"): t for t in inc.get("tweets") or [] if isinstance(t, dict)}
        for tweet in data:
            if isinstance(tweet, dict):
                author = users.get(tweet.get("author_id"))
                yield _post(tweet, included, media, False), [author] if author else []
        for tweet in included.values():
            author = users.get(tweet.get("author_id"))
            yield _post(tweet, included, media, True), [author] if author else []
    else:
        author = obj.get("author") if isinstance(obj.get("author"), dict) else None
        refs = {r.get("id"): r for r in obj.get("referenced_tweets") or [] if isinstance(r, dict)}
        media = {
            m.get("media_key"): m for m in (obj.get("attachments") or {}).get("media") or [] if isinstance(m, dict)
        }
        yield _post(obj, refs, media, False), [author] if author else []


def _post(t: dict[str, Any], included: dict[Any, Any], media: dict[Any, Any], is_included: bool) -> dict[str, Any]:
    ent = t.get("entities") or {}
    refs = [r for r in t.get("referenced_tweets") or [] if isinstance(r, dict)]
    kind, parent, quoted = "original", None, None
    for r in refs:
        k = _KIND.get(r.get("type", ""))
        if k == "quote":
            quoted = str(r.get("id"))
        if k and (kind == "original" or k == "repost"):
            kind, parent = k, str(r.get("id"))
    if kind == "original" and quoted:
        kind, parent = "quote", quoted
    parent_account = None
    if parent:
        ref = included.get(parent)
        parent_account = ref.get("author_id") if isinstance(ref, dict) else None
        if kind == "reply":
            parent_account = parent_account or t.get("in_reply_to_user_id")
    metrics = t.get("public_metrics") or {}
    keys = (t.get("attachments") or {}).get("media_keys") or []
    media_refs = []
    for k in keys:
        m = media.get(k) or {}
        media_refs.append(m.get("url") or m.get("preview_image_url") or f"media_key:{k}")
    known = {
        "id",
        "author_id",
        "created_at",
        "text",
        "lang",
        "referenced_tweets",
        "entities",
        "public_metrics",
        "source",
        "attachments",
        "author",
        "in_reply_to_user_id",
    }
    extra = {k: v for k, v in t.items() if k not in known}
    if is_included:
        extra["included"] = True
    author_id = t.get("author_id") or (t.get("author") or {}).get("id")
    return {
        "platform": "twitter",
        "post_id": str(t["id"]) if t.get("id") is not None else None,
        "account_id": str(author_id) if author_id is not None else None,
        "created_at": parse_time(t.get("created_at")),
        "created_at_raw": t.get("created_at"),
        "text": t.get("text"),
        "language": t.get("lang"),
        "kind": kind,
        "parent_post_id": parent,
        "parent_account_id": str(parent_account) if parent_account else None,
        "quoted_post_id": quoted,
        "urls": [
            u.get("expanded_url") or u.get("url")
            for u in ent.get("urls") or []
            if isinstance(u, dict) and (u.get("expanded_url") or u.get("url"))
        ],
        "hashtags": [h.get("tag") for h in ent.get("hashtags") or [] if isinstance(h, dict) and h.get("tag")],
        "mentions": [m.get("username") for m in ent.get("mentions") or [] if isinstance(m, dict) and m.get("username")],
        "media": media_refs,
        "like_count": metrics.get("like_count"),
        "repost_count": metrics.get("retweet_count"),
        "reply_count": metrics.get("reply_count"),
        "quote_count": metrics.get("quote_count"),
        "client": t.get("source"),
        "extra": json.dumps(extra, ensure_ascii=False) if extra else None,
    }


def _account(u: dict[str, Any], post: dict[str, Any]) -> dict[str, Any]:
    metrics = u.get("public_metrics") or {}
    known = {
        "id",
        "username",
        "name",
        "description",
        "location",
        "created_at",
        "public_metrics",
        "profile_image_url",
    }
    extra = {k: v for k, v in u.items() if k not in known}
    return {
        "platform": "twitter",
        "account_id": str(u["id"]) if u.get("id") is not None else post.get("account_id"),
        "handle": u.get("username"),
        "display_name": u.get("name"),
        "description": u.get("description"),
        "location": u.get("location"),
        "created_at": parse_time(u.get("created_at")),
        "followers": metrics.get("followers_count"),
        "following": metrics.get("following_count"),
        "post_count": metrics.get("tweet_count"),
        "language": None,
        "avatar": u.get("profile_image_url"),
        "id_is_hashed": False,
        "extra": json.dumps(extra, ensure_ascii=False) if extra else None,
        "observed_at": post.get("created_at"),
    }


def _append(cols: dict[str, list[Any]], row: dict[str, Any]) -> None:
    for k, v in cols.items():
        v.append(row.get(k))


def _arrow(cols: dict[str, list[Any]]) -> pa.Table:
    arrays = []
    for name, values in cols.items():
        if name in _LIST_FIELDS:
            typ: pa.DataType = pa.list_(pa.string())
        elif name in _TIME_FIELDS:
            typ = pa.timestamp("us")
        elif name in _INT_FIELDS:
            typ = pa.int64()
        elif name == "id_is_hashed":
            typ = pa.bool_()
        else:
            typ = pa.string()
        if name in _INT_FIELDS:
            values = [v if isinstance(v, int) and not isinstance(v, bool) else None for v in values]
        arrays.append(pa.array(values, typ))
    return pa.Table.from_arrays(arrays, names=list(cols))


def _flush(ctx: StageContext, posts: dict[str, list[Any]], accounts: dict[str, list[Any]]) -> None:
    for table, cols in (("stage_posts", posts), ("stage_accounts", accounts)):
        if not next(iter(cols.values())):
            continue
        ctx.con.register("_twarc_batch", _arrow(cols))
        ctx.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _twarc_batch")
        ctx.con.unregister("_twarc_batch")
        for v in cols.values():
            v.clear()


register(Twarc2Reader())
