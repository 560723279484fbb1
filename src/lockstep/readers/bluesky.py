"""Bluesky / AT Protocol records: Jetstream events, ``listRecords`` repo exports and API post views.

Accepted, one JSON value per line (JSON lines) or as one JSON document, mixed freely:

* Jetstream events (https://github.com/bluesky-social/jetstream): ``{"did", "time_us", "kind": "commit",
  "commit": {"operation", "collection", "rkey", "record", "cid"}}``; ``identity`` events give handles,
  ``account`` events account status (both update accounts; they are not rows); the early format with
  ``"type": "com"`` and ``commit.type`` ``c`` / ``u`` / ``d`` is read too;
* repo records as ``com.atproto.repo.listRecords`` returns them: ``{"uri", "cid", "value"}``, or whole
  pages ``{"records": [...], "cursor"}``;
* post views from the AppView API (``app.bsky.feed.searchPosts`` ``{"posts": [...]}``,
  ``getAuthorFeed`` ``{"feed": [{"post", "reason"}]}``, or one post view per line): these carry the author's
  profile and engagement counts; a ``reasonRepost`` in a feed is a repost by ``reason.by``.

Records map to posts: ``app.bsky.feed.post`` (a reply when ``reply.parent`` is set; a quote when
``embed.record`` / ``embed.recordWithMedia`` points at a post), ``app.bsky.feed.repost`` (kind ``repost``),
``app.bsky.feed.like`` (kind ``like``: the liked post is the parent) and ``app.bsky.graph.follow`` (kind
``follow``: the followed DID is the parent account). ``app.bsky.actor.profile`` records update the account.
The post id is the record's ``at://`` URI and the account id its DID, as in the ``bluesky-csv`` format.
Hashtags, mentions (DIDs) and links come from the post's facets (``tags`` too); images and videos are media
references ``bsky-blob:<CID>``: a blob CID is a hash of the file, so one image posted by two accounts has
one reference. Times are the record's ``createdAt`` (set by the client, so it can be back-dated: Jetstream's
relay time ``time_us`` is kept in ``extra`` as ``relay_time``).

Not posts, and quarantined with the reason so nothing is lost: ``delete`` events (a deletion is itself
evidence; the raw event is kept) and records of other collections (blocks, lists, threadgates, ...).
CAR repository files are binary and not read: convert them to JSON first (e.g. ``goat repo export``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.jsonstream import Action, JsonPath
from lockstep.readers.records import (
    SHAPE_ERRORS,
    RowSink,
    ShapeError,
    count_of,
    dicts,
    entities_from_text,
    epoch_time,
    id_of,
    iso_time,
    iter_values,
    json_extra,
    obj,
    text_of,
)

PLATFORM = "bluesky"
POST, REPOST, LIKE, FOLLOW, PROFILE = (
    "app.bsky.feed.post",
    "app.bsky.feed.repost",
    "app.bsky.feed.like",
    "app.bsky.graph.follow",
    "app.bsky.actor.profile",
)
_KIND = {POST: "original", REPOST: "repost", LIKE: "like", FOLLOW: "follow"}
_PAGE_KEYS = ("records", "posts", "feed")
#: Jetstream before its v0.1 release (mid-2024) wrote ``type`` / ``commit.type`` abbreviations.
_LEGACY_KIND = {"com": "commit", "id": "identity", "acc": "account"}
_LEGACY_OP = {"c": "create", "u": "update", "d": "delete"}


class BlueskyReader(Reader):
    """AT Protocol records, Jetstream events and post views."""

    name = "bluesky"
    version = "1"
    description = "Bluesky AT Protocol records: Jetstream JSON lines, listRecords exports, API post views"

    def sniff(self, probe: Probe) -> float:
        if probe.kind != "jsonl":
            return 0.0
        if probe.has("did", "time_us") and (probe.has("kind") or probe.has("commit")):
            return 0.95
        if b"at://did:" not in probe.head and b"app.bsky." not in probe.head:
            return 0.0
        if probe.has("uri", "cid") and (probe.has("value") or probe.has("author", "record")):
            return 0.9
        if any(probe.has(k) for k in (*_PAGE_KEYS, "post")):
            return 0.9
        if not probe.columns and b'"at://did:' in probe.head:
            return 0.85  # one pretty-printed JSON document
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        sink = RowSink(ctx)
        for line, value, raw in iter_values(ctx, sink, _plan):
            try:
                items = list(_items(value))
            except SHAPE_ERRORS as exc:
                sink.reject(line, exc, None, raw)
                continue
            for i, item in enumerate(items):
                where = f"record {i + 1} of the line" if len(items) > 1 else None
                try:
                    _stage_item(sink, item, line, where)
                except SHAPE_ERRORS as exc:
                    sink.reject(line, exc, where, item)
        sink.close()


def _plan(path: JsonPath) -> Action:
    if not path or (len(path) == 1 and path[0] in _PAGE_KEYS):
        return "walk"
    if len(path) == 1 and path[0].isdigit():
        return "whole"  # a top-level array of records
    if len(path) == 2 and path[0] in _PAGE_KEYS:
        return "whole"
    return "skip"


def _items(value: Any) -> Iterator[Any]:
    """The records in one JSON value: itself, or the elements of a page or an array."""
    if isinstance(value, list):
        yield from value
    elif isinstance(value, dict) and not _is_record(value) and any(isinstance(value.get(k), list) for k in _PAGE_KEYS):
        for k in _PAGE_KEYS:
            if isinstance(value.get(k), list):
                yield from value[k]
    else:
        yield value


def _is_record(v: dict[str, Any]) -> bool:
    return "did" in v or "uri" in v or "post" in v


def _stage_item(sink: RowSink, item: Any, line: int, where: str | None) -> None:
    if not isinstance(item, dict):
        raise ShapeError(f"expected a JSON object, got {type(item).__name__}")
    if "time_us" in item and "did" in item:
        _jetstream(sink, item, line, where)
    elif "post" in item and isinstance(item.get("post"), dict):
        _feed_item(sink, item, line, where)
    elif "author" in item and "record" in item:
        _post_view(sink, item, line, where, item)
    elif "uri" in item and "value" in item:
        uri = text_of(item.get("uri"), "uri") or ""
        did, collection, rkey = _split_uri(uri)
        _record(sink, did, collection, rkey, obj(item.get("value")), line, where, item, {"cid": item.get("cid")})
    else:
        sink.reject(line, "not an AT Protocol record, Jetstream event or post view", where, item)


def _split_uri(uri: str) -> tuple[str, str, str]:
    """``at://did/collection/rkey`` -> its three parts (raises on anything else)."""
    if not uri.startswith("at://"):
        raise ShapeError(f"uri: not an at:// URI: {uri[:80]!r}")
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(parts):
        raise ShapeError(f"uri: expected at://DID/COLLECTION/RKEY, got {uri[:80]!r}")
    return parts[0], parts[1], parts[2]


def _did_of(uri: str | None) -> str | None:
    if uri and uri.startswith("at://"):
        return uri[5:].split("/", 1)[0] or None
    return None


def _jetstream(sink: RowSink, ev: dict[str, Any], line: int, where: str | None) -> None:
    did = id_of(ev.get("did"), "did")
    relay = epoch_time(ev["time_us"] / 1e6) if isinstance(ev.get("time_us"), int) else None
    kind = ev.get("kind") or _LEGACY_KIND.get(str(ev.get("type")))
    if kind == "identity":
        ident = obj(ev.get("identity"))
        handle = ident.get("handle") if isinstance(ident.get("handle"), str) else None
        sink.account({"platform": PLATFORM, "account_id": did, "handle": handle, "observed_at": relay}, line)
        return
    if kind == "account":
        status = {k: v for k, v in obj(ev.get("account")).items() if k in ("active", "status")}
        extra = json_extra({"account_status": status})
        sink.account({"platform": PLATFORM, "account_id": did, "extra": extra, "observed_at": relay}, line)
        return
    if kind != "commit":
        sink.reject(line, f"unsupported Jetstream event kind {str(kind)[:40]!r}", where, ev)
        return
    commit = ev.get("commit")
    if not isinstance(commit, dict):
        raise ShapeError(f"commit: expected an object, got {type(commit).__name__}")
    op = commit.get("operation") or _LEGACY_OP.get(str(commit.get("type")))
    collection = text_of(commit.get("collection"), "commit.collection") or ""
    rkey = id_of(commit.get("rkey"), "commit.rkey") or ""
    if op == "delete":
        sink.reject(
            line,
            "delete event (the record was deleted; kept here as evidence, not stored as a post)",
            collection or where,
            ev,
        )
        return
    if op not in ("create", "update"):
        sink.reject(line, f"unsupported commit operation {str(op)[:40]!r}", collection or where, ev)
        return
    record = commit.get("record")
    if not isinstance(record, dict):
        raise ShapeError(f"commit.record: expected an object, got {type(record).__name__}")
    _record(
        sink,
        did or "",
        collection,
        rkey,
        record,
        line,
        where,
        ev,
        {"cid": commit.get("cid"), "rev": commit.get("rev"), "operation": op},
        relay,
    )


def _record(
    sink: RowSink,
    did: str,
    collection: str,
    rkey: str,
    record: dict[str, Any],
    line: int,
    where: str | None,
    raw: Any,
    meta: dict[str, Any],
    relay: Any = None,
    author: dict[str, Any] | None = None,
    counts: dict[str, Any] | None = None,
    observed: Any = None,
) -> None:
    if collection == PROFILE:
        sink.account(
            {
                "platform": PLATFORM,
                "account_id": did or None,
                "display_name": record.get("displayName"),
                "description": record.get("description"),
                "avatar": _blob(record.get("avatar")),
                "observed_at": relay,
            },
            line,
        )
        return
    if collection not in _KIND:
        sink.reject(
            line,
            f"unsupported record type {collection[:60]!r} (not a post, repost, like or follow)",
            where or collection,
            raw,
        )
        return
    row = _post_row(did, collection, rkey, record, meta, relay, counts or {})
    accounts = [_account(author, did, observed or relay or row["created_at"])] if author else []
    sink.post(row, line, raw, accounts, where)


def _post_row(
    did: str,
    collection: str,
    rkey: str,
    record: dict[str, Any],
    meta: dict[str, Any],
    relay: Any,
    counts: dict[str, Any],
) -> dict[str, Any]:
    kind = _KIND[collection]
    raw_time = text_of(record.get("createdAt"), "createdAt")
    created = iso_time(raw_time)
    if raw_time is None and relay is not None:
        created, raw_time = relay, str(relay)
    text = text_of(record.get("text"), "text") if collection == POST else None
    parent = parent_account = quoted = None
    if collection in (REPOST, LIKE):
        subject = record.get("subject")
        if not isinstance(subject, dict):
            raise ShapeError(f"subject: expected an object, got {type(subject).__name__}")
        parent = text_of(subject.get("uri"), "subject.uri")
        parent_account = _did_of(parent)
    elif collection == FOLLOW:
        parent_account = id_of(record.get("subject"), "subject")
    else:
        reply = obj(record.get("reply"))
        reply_to = text_of(obj(reply.get("parent")).get("uri"), "reply.parent.uri")
        quoted = _quoted(obj(record.get("embed")))
        if reply_to:
            kind, parent, parent_account = "reply", reply_to, _did_of(reply_to)
        elif quoted:
            kind, parent, parent_account = "quote", quoted, _did_of(quoted)
    hashtags, mentions, urls = _facets(record, text)
    langs = record.get("langs")
    known = {"$type", "text", "createdAt", "langs", "facets", "reply", "subject", "tags"}
    extra = {k: v for k, v in record.items() if k not in known}
    extra.update({k: v for k, v in meta.items() if v is not None})
    if relay is not None:
        extra["relay_time"] = relay.isoformat()
    return {
        "platform": PLATFORM,
        "post_id": f"at://{did}/{collection}/{rkey}" if did and rkey else None,
        "account_id": did or None,
        "created_at": created,
        "created_at_raw": raw_time,
        "text": text,
        "language": langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None,
        "kind": kind,
        "parent_post_id": parent,
        "parent_account_id": parent_account,
        "quoted_post_id": quoted,
        "urls": urls,
        "hashtags": hashtags,
        "mentions": mentions,
        "media": _media(obj(record.get("embed"))),
        "like_count": count_of(counts.get("likeCount")),
        "repost_count": count_of(counts.get("repostCount")),
        "reply_count": count_of(counts.get("replyCount")),
        "quote_count": count_of(counts.get("quoteCount")),
        "client": None,
        "extra": json_extra(extra),
    }


def _quoted(embed: dict[str, Any]) -> str | None:
    """The quoted post's URI (``app.bsky.embed.record`` or ``recordWithMedia``); feeds and lists are not posts."""
    rec = obj(embed.get("record"))
    if "record" in rec and isinstance(rec.get("record"), dict):  # recordWithMedia
        rec = rec["record"]
    uri = rec.get("uri")
    return uri if isinstance(uri, str) and f"/{POST}/" in uri else None


def _blob(value: Any) -> str | None:
    """``bsky-blob:<CID>`` for a blob (``{"ref": {"$link": CID}}``, or the legacy ``{"cid": CID}``)."""
    b = obj(value)
    cid = obj(b.get("ref")).get("$link") or b.get("cid")
    return f"bsky-blob:{cid}" if isinstance(cid, str) and cid else None


def _media(embed: dict[str, Any]) -> list[str]:
    if "media" in embed and isinstance(embed.get("media"), dict):  # recordWithMedia
        embed = embed["media"]
    refs = [_blob(img.get("image")) for img in dicts(embed.get("images"))]
    refs.append(_blob(embed.get("video")))
    return [r for r in refs if r]


def _facets(record: dict[str, Any], text: str | None) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentioned DIDs and links from the facets (and ``tags``, ``embed.external``), in order."""
    hashtags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    facets = record.get("facets")
    if facets is None and text:
        hashtags, _, urls = entities_from_text(text)
    for facet in dicts(facets):
        for feat in dicts(facet.get("features")):
            ftype = feat.get("$type")
            if ftype == "app.bsky.richtext.facet#tag" and isinstance(feat.get("tag"), str):
                hashtags.append(feat["tag"].lstrip("#"))
            elif ftype == "app.bsky.richtext.facet#mention" and isinstance(feat.get("did"), str):
                mentions.append(feat["did"])
            elif ftype == "app.bsky.richtext.facet#link" and isinstance(feat.get("uri"), str):
                urls.append(feat["uri"])
    tags = record.get("tags")
    hashtags += [t.lstrip("#") for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    external = obj(obj(record.get("embed")).get("external")).get("uri")
    if isinstance(external, str) and external not in urls:
        urls.append(external)
    return hashtags, mentions, urls


def _account(author: dict[str, Any], did: str, observed: Any) -> dict[str, Any]:
    known = {
        "did",
        "handle",
        "displayName",
        "description",
        "avatar",
        "createdAt",
        "followersCount",
        "followsCount",
        "postsCount",
    }
    return {
        "platform": PLATFORM,
        "account_id": did or author.get("did"),
        "handle": author.get("handle"),
        "display_name": author.get("displayName"),
        "description": author.get("description"),
        "created_at": iso_time(author.get("createdAt")),
        "followers": count_of(author.get("followersCount")),
        "following": count_of(author.get("followsCount")),
        "post_count": count_of(author.get("postsCount")),
        "avatar": author.get("avatar"),
        "extra": json_extra({k: v for k, v in author.items() if k not in known}),
        "observed_at": observed,
    }


def _post_view(sink: RowSink, view: dict[str, Any], line: int, where: str | None, raw: Any) -> None:
    uri = text_of(view.get("uri"), "uri") or ""
    did, collection, rkey = _split_uri(uri)
    author = obj(view.get("author"))
    record = view.get("record")
    if not isinstance(record, dict):
        raise ShapeError(f"record: expected an object, got {type(record).__name__}")
    meta = {"cid": view.get("cid"), "indexedAt": view.get("indexedAt"), "labels": view.get("labels")}
    indexed = iso_time(view.get("indexedAt"))
    _record(sink, did, collection, rkey, record, line, where, raw, meta, None, author, view, indexed)


def _feed_item(sink: RowSink, item: dict[str, Any], line: int, where: str | None) -> None:
    view = item["post"]
    _post_view(sink, view, line, where, item)
    reason = obj(item.get("reason"))
    if reason.get("$type") != "app.bsky.feed.defs#reasonRepost":
        return
    by = obj(reason.get("by"))
    did = id_of(by.get("did"), "reason.by.did")
    uri = text_of(reason.get("uri"), "reason.uri")
    when = text_of(reason.get("indexedAt"), "reason.indexedAt")
    parent = text_of(view.get("uri"), "uri")
    row: dict[str, Any] = {
        "platform": PLATFORM,
        "post_id": uri,
        "account_id": did,
        "created_at": iso_time(when),
        "created_at_raw": when,
        "text": None,
        "kind": "repost",
        "parent_post_id": parent,
        "parent_account_id": _did_of(parent),
        "urls": [],
        "hashtags": [],
        "mentions": [],
        "media": [],
        "extra": json_extra({"from": "feed reasonRepost (time is when the AppView indexed it)"}),
    }
    label = "repost by reason.by" + (f" ({where})" if where else "")
    sink.post(row, line, item, [_account(by, did or "", iso_time(when))], label)


register(BlueskyReader())
