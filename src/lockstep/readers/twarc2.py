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

from lockstep.readers.base import Probe, Reader, StageContext, register
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
    json_extra,
)
from lockstep.readers.staging import obj as _obj
from lockstep.readers.tabular import clean_text, iter_json_lines

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
        # The keys of the first lines (a response page is often longer than the probe's first bytes).
        if probe.kind != "jsonl":
            return 0.0
        if probe.has("data") and (probe.has("includes") or probe.has("meta") or probe.has("__twarc")):
            return 0.95
        if probe.has("id", "text", "created_at") and (probe.has("author_id") or probe.has("author")):
            return 0.9
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        posts: dict[str, list[Any]] = {f: [] for f in POST_FIELDS}
        accounts: dict[str, list[Any]] = {f: [] for f in ACCOUNT_FIELDS}
        records = 0
        for lineno, obj, raw, problem in iter_json_lines(ctx.path, ctx.encoding):
            if problem is not None or not isinstance(obj, dict):
                ctx.quarantine.append(
                    {
                        "source_row": lineno,
                        "reason": f"unreadable row ({problem or 'not a JSON object'})",
                        "field": None,
                        "raw": raw,
                    }
                )
                continue
            try:
                items = list(_records(obj))
            except SHAPE_ERRORS as exc:
                ctx.quarantine.append(_shape_problem(lineno, None, exc, raw))
                continue
            for i, item in enumerate(items):
                where = f"tweet {i + 1} of the line"
                if isinstance(item, Exception):
                    ctx.quarantine.append(_shape_problem(lineno, where, item, raw))
                    continue
                post, users = item
                try:
                    row = _checked_post({**post, "source_row": lineno})
                except SHAPE_ERRORS as exc:
                    ctx.quarantine.append(_shape_problem(lineno, where, exc, raw))
                    continue
                records += 1
                _append(posts, row)
                for user in users:
                    _append(accounts, _checked_account({**_account(user, post), "source_row": lineno}))
            if len(posts["post_id"]) >= BATCH:
                flush_stage(ctx, posts, accounts)
        flush_stage(ctx, posts, accounts)
        ctx.rows_read = records + len(ctx.quarantine)


_INT64 = 2**63


def _shape_problem(lineno: int, where: str | None, exc: BaseException, raw: str) -> dict[str, Any]:
    detail = str(exc) if isinstance(exc, ShapeError) else "a field of an unexpected type"
    return {
        "source_row": lineno,
        "reason": f"unexpected JSON shape ({detail})",
        "field": where,
        "raw": raw,
    }


def _text_value(name: str, value: Any, strict: bool) -> str | None:
    if value is None or isinstance(value, str):
        return clean_text(value) if value is not None else None
    if name in ID_FIELDS and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    if strict:
        raise ShapeError(f"{name}: expected text, got {type(value).__name__}")
    try:
        return clean_text(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return None


def _checked(row: dict[str, Any], strict: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k in LIST_FIELDS:
            items = v if isinstance(v, list) else []
            out[k] = [clean_text(x) for x in items if isinstance(x, str)]
            if len(out[k]) != len(items):
                raise ShapeError(f"{k}: expected a list of text")
        elif k in INT_FIELDS:
            out[k] = v if isinstance(v, int) and not isinstance(v, bool) and -_INT64 <= v < _INT64 else None
        elif k in TIME_FIELDS or k == "id_is_hashed":
            out[k] = v
        else:
            out[k] = _text_value(k, v, k in strict)
    return out


def _checked_post(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with every value of the type its column needs; wrong types in key fields raise ShapeError."""
    return _checked(row, STRICT_POST_FIELDS)


def _checked_account(row: dict[str, Any]) -> dict[str, Any]:
    """An account row with wrong-typed values kept as JSON text (a profile never costs its tweet)."""
    return _checked(row, frozenset())


def _records(obj: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]] | Exception]:
    if "data" in obj and ("includes" in obj or "meta" in obj or "__twarc" in obj):
        data = obj["data"] if isinstance(obj["data"], list) else [obj["data"]]
        inc = _obj(obj.get("includes"))
        users = {_key(u.get("id")): u for u in dicts(inc.get("users"))}
        media = {_key(m.get("media_key")): m for m in dicts(inc.get("media"))}
        included = {_key(t.get("id")): t for t in dicts(inc.get("tweets"))}
        for tweet in data:
            if not isinstance(tweet, dict):
                yield ShapeError(f"expected a tweet object, got {type(tweet).__name__}")
                continue
            try:
                author = users.get(_key(tweet.get("author_id")))
                yield _post(tweet, included, media, False), [author] if author else []
            except SHAPE_ERRORS as exc:
                yield exc
        for tweet in included.values():
            try:
                author = users.get(_key(tweet.get("author_id")))
                yield _post(tweet, included, media, True), [author] if author else []
            except SHAPE_ERRORS as exc:
                yield exc
    else:
        author = obj.get("author") if isinstance(obj.get("author"), dict) else None
        refs = {_key(r.get("id")): r for r in dicts(obj.get("referenced_tweets"))}
        media = {_key(m.get("media_key")): m for m in dicts(_obj(obj.get("attachments")).get("media"))}
        yield _post(obj, refs, media, False), [author] if author else []


def _idstr(value: Any) -> str | None:
    key = _key(value)
    return str(key) if key is not None and not isinstance(key, bool) else None


def _key(value: Any) -> Any:
    """A hashable lookup key (ids of a wrong type never match)."""
    return value if isinstance(value, str | int) else None


def _post(t: dict[str, Any], included: dict[Any, Any], media: dict[Any, Any], is_included: bool) -> dict[str, Any]:
    ent = _obj(t.get("entities"))
    refs = dicts(t.get("referenced_tweets"))
    kind, parent, quoted = "original", None, None
    for r in refs:
        k = _KIND.get(r["type"]) if isinstance(r.get("type"), str) else None
        if k == "quote":
            quoted = _idstr(r.get("id"))
        if k and (kind == "original" or k == "repost"):
            kind, parent = k, _idstr(r.get("id"))
    if kind == "original" and quoted:
        kind, parent = "quote", quoted
    parent_account = None
    if parent:
        ref = included.get(_key(parent))
        parent_account = ref.get("author_id") if isinstance(ref, dict) else None
        if kind == "reply":
            parent_account = parent_account or t.get("in_reply_to_user_id")
    metrics = _obj(t.get("public_metrics"))
    keys = _obj(t.get("attachments")).get("media_keys")
    media_refs = []
    for k in keys if isinstance(keys, list) else []:
        m = _obj(media.get(_key(k)))
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
    author_id = t.get("author_id") or _obj(t.get("author")).get("id")
    return {
        "platform": "twitter",
        "post_id": t.get("id"),
        "account_id": author_id,
        "created_at": parse_time(t.get("created_at")),
        "created_at_raw": t.get("created_at"),
        "text": t.get("text"),
        "language": t.get("lang"),
        "kind": kind,
        "parent_post_id": parent,
        "parent_account_id": _idstr(parent_account),
        "quoted_post_id": quoted,
        "urls": [
            u.get("expanded_url") or u.get("url")
            for u in dicts(ent.get("urls"))
            if u.get("expanded_url") or u.get("url")
        ],
        "hashtags": [h.get("tag") for h in dicts(ent.get("hashtags")) if h.get("tag")],
        "mentions": [m.get("username") for m in dicts(ent.get("mentions")) if m.get("username")],
        "media": media_refs,
        "like_count": metrics.get("like_count"),
        "repost_count": metrics.get("retweet_count"),
        "reply_count": metrics.get("reply_count"),
        "quote_count": metrics.get("quote_count"),
        "client": t.get("source"),
        "extra": json_extra(extra),
    }


def _account(u: dict[str, Any], post: dict[str, Any]) -> dict[str, Any]:
    metrics = _obj(u.get("public_metrics"))
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
        "account_id": u.get("id") if u.get("id") is not None else post.get("account_id"),
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
        "extra": json_extra(extra),
        "observed_at": post.get("created_at"),
    }


def _append(cols: dict[str, list[Any]], row: dict[str, Any]) -> None:
    for k, v in cols.items():
        v.append(row.get(k))


register(Twarc2Reader())
