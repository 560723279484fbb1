"""TikTok Research API responses: video queries (``data.videos[]``) and comment lists (``data.comments[]``).

Layout from TikTok for Developers, "Research API: Query Videos" (``POST /v2/research/video/query/``) and
"Query Video Comments" (``POST /v2/research/video/comment/list/``): a response is
``{"data": {"videos" | "comments": [...], "cursor", "has_more", "search_id"}, "error": {"code", ...}}``.
Response pages, arrays of pages and JSON lines of pages or of bare items are all read.

Videos: ``id``, ``username`` (the account: the API returns no numeric user id), ``create_time`` (Unix
seconds, UTC), ``video_description`` (the text), ``hashtag_names``, ``video_mention_list`` (the mentions,
when requested; else the @names of the description), ``like_count``, ``share_count``, ``comment_count``;
``region_code``, ``view_count``, ``music_id``, ``effect_ids``, ``playlist_id``, ``voice_to_text`` and the
rest are kept in ``extra``. ``music_id`` is also a media reference (``tiktok-music:ID``): many videos
reusing one sound within minutes is a co-media trace.

Comments: ``id``, ``video_id``, ``text``, ``like_count``, ``reply_count``, ``parent_comment_id``,
``create_time``. The Research API returns no author for a comment, so a comment is usable only when the
collector added one (``username``, as some collection tools do); otherwise it is quarantined with that
reason rather than attributed to an invented account. A comment is a reply to its parent comment, or to the
video when ``parent_comment_id`` is absent or equals ``video_id`` (the API's convention for top-level ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lockstep.readers.api_json import Batch, idstr, iter_items, parse_epoch
from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.staging import ShapeError, json_extra, obj

_HEAD = re.compile(rb'"(videos|comments)"\s*:')
_VIDEO_KEYS = ("video_description", "hashtag_names", "region_code", "music_id", "voice_to_text")
_VIDEO_KNOWN = {
    "id",
    "username",
    "create_time",
    "video_description",
    "hashtag_names",
    "like_count",
    "share_count",
    "comment_count",
    "video_mention_list",
}
_COMMENT_KNOWN = {"id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time"}
NO_AUTHOR = "comment without author (the TikTok Research API returns none; add a username column to use it)"


class TikTokReader(Reader):
    """TikTok Research API JSON (videos and comments)."""

    name = "tiktok-research"
    version = "1"
    description = "TikTok Research API JSON: video query (data.videos) and comment list (data.comments) responses"

    def sniff(self, probe: Probe) -> float:
        if probe.kind != "jsonl":
            return 0.0
        head = probe.head
        if _HEAD.search(head) and b'"create_time"' in head and (b'"data"' in head or b'"search_id"' in head):
            return 0.95
        if probe.has("create_time") and (any(probe.has(k) for k in _VIDEO_KEYS) or probe.has("video_id", "text")):
            return 0.9
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        batch = Batch(ctx)
        for row, where, item in iter_items(ctx.path, batch, _items):
            kind, record = item
            if not isinstance(record, dict):
                batch.quarantine(row, f"unexpected JSON shape (expected a {kind} object)", where, record)
            elif kind == "video":
                post, accounts = _video(record)
                batch.add(post, accounts, row, where, record)
            else:
                post, accounts = _comment(record)
                if post["account_id"] is None:
                    batch.quarantine(row, NO_AUTHOR, f"{where}.username", record)
                else:
                    batch.add(post, accounts, row, where, record)
        batch.finish()


def _items(doc: Any) -> Iterator[tuple[str, Any]]:
    """``(where, (kind, record))`` for each video or comment in one response page, array or bare item."""
    if isinstance(doc, list):
        for i, sub in enumerate(doc):
            for where, item in _items(sub):
                yield f"[{i}].{where}", item
        return
    if not isinstance(doc, dict):
        raise ShapeError(f"expected a response object, got {type(doc).__name__}")
    data = doc.get("data")
    if isinstance(data, dict) and ("videos" in data or "comments" in data):
        for key, kind in (("videos", "video"), ("comments", "comment")):
            values = data.get(key)
            if values is None:
                continue
            if not isinstance(values, list):
                raise ShapeError(f"data.{key}: expected a list, got {type(values).__name__}")
            for i, v in enumerate(values):
                yield f"data.{key}[{i}]", (kind, v)
        return
    if "data" in doc and "error" in doc:
        err = obj(doc.get("error"))
        raise ShapeError(f"a response without videos or comments (error code {err.get('code')!r})")
    if "video_id" in doc and "text" in doc and "video_description" not in doc:
        yield "comment", ("comment", doc)
    elif "create_time" in doc:
        yield "video", ("video", doc)
    else:
        raise ShapeError("neither a response page nor a video or comment object")


def _video(v: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    user = v.get("username")
    music = idstr(v.get("music_id"))
    names = v.get("hashtag_names")
    tags = [t for t in names if isinstance(t, str)] if isinstance(names, list) else []
    post = {
        "platform": "tiktok",
        "post_id": v.get("id"),
        "account_id": user,
        "created_at": parse_epoch(v.get("create_time")),
        "created_at_raw": None if v.get("create_time") is None else str(v.get("create_time")),
        "text": v.get("video_description"),
        "language": None,
        "kind": "original",
        "urls": [],
        "hashtags": tags,
        "mentions": _video_mentions(v),
        "media": [f"tiktok-music:{music}"] if music else [],
        "like_count": v.get("like_count"),
        "repost_count": v.get("share_count"),
        "reply_count": v.get("comment_count"),
        "extra": json_extra({k: x for k, x in v.items() if k not in _VIDEO_KNOWN}),
    }
    accounts = (
        [{"platform": "tiktok", "account_id": user, "handle": user, "id_is_hashed": False}]
        if isinstance(user, str) and user
        else []
    )
    return post, accounts


def _comment(c: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    user = c.get("username") if isinstance(c.get("username"), str) and c.get("username") else None
    video = idstr(c.get("video_id"))
    parent = idstr(c.get("parent_comment_id"))
    if parent is None or parent == video:
        parent = video
    post = {
        "platform": "tiktok",
        "post_id": c.get("id"),
        "account_id": user,
        "created_at": parse_epoch(c.get("create_time")),
        "created_at_raw": None if c.get("create_time") is None else str(c.get("create_time")),
        "text": c.get("text"),
        "kind": "reply",
        "parent_post_id": parent,
        "urls": [],
        "hashtags": re.findall(r"#(\w+)", c["text"]) if isinstance(c.get("text"), str) else [],
        "mentions": _mentions(c.get("text")),
        "media": [],
        "like_count": c.get("like_count"),
        "reply_count": c.get("reply_count"),
        "extra": json_extra({"video_id": video, **{k: x for k, x in c.items() if k not in _COMMENT_KNOWN}}),
    }
    accounts = [{"platform": "tiktok", "account_id": user, "handle": user, "id_is_hashed": False}] if user else []
    return post, accounts


def _video_mentions(v: dict[str, Any]) -> list[str]:
    """``video_mention_list`` when the export has it (a newer field), else the @names in the description."""
    listed = v.get("video_mention_list")
    if isinstance(listed, list) and listed:
        return [m.lstrip("@") for m in listed if isinstance(m, str) and m]
    return _mentions(v.get("video_description"))


def _mentions(text: Any) -> list[str]:
    return re.findall(r"(?<![\w@])@([\w.]{2,24})", text) if isinstance(text, str) else []


register(TikTokReader())
