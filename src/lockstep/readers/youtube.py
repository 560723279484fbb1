"""YouTube Data API v3 responses: videos, search results, comment threads and comments.

Layout from Google's YouTube Data API v3 reference (developers.google.com/youtube/v3/docs): every response is
``{"kind": "youtube#...ListResponse", "items": [...], "nextPageToken", "pageInfo"}`` and every item names its
own ``kind``:

* ``youtube#video`` (``videos.list``): ``id``; ``snippet.publishedAt``, ``channelId``, ``channelTitle``,
  ``title``, ``description``, ``tags``, ``defaultLanguage``/``defaultAudioLanguage``, ``thumbnails``;
  ``statistics.viewCount``/``likeCount``/``commentCount`` (counts are strings in the API);
* ``youtube#searchResult`` (``search.list``): ``id.videoId`` (other result kinds, channels and playlists, are
  not posts and are quarantined with that reason) and a shorter ``snippet``;
* ``youtube#commentThread`` (``commentThreads.list``): ``snippet.videoId``, ``snippet.topLevelComment`` (a
  ``youtube#comment``) and ``replies.comments[]``;
* ``youtube#comment`` (``comments.list``): ``snippet.authorChannelId.value``, ``authorDisplayName``,
  ``authorProfileImageUrl``, ``textOriginal`` (``textDisplay`` is HTML and is used only without it),
  ``parentId`` (replies), ``likeCount``, ``publishedAt``.

A video's text is its title and description (one post per video); the channel is the account. A top-level
comment is a reply to its video (``parent_account_id`` the video's channel when the thread says it), a reply
comment a reply to its parent comment. Comment authors carry their avatar URL, which persona linking uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lockstep.readers.api_json import Batch, html_to_text, idstr, iter_items
from lockstep.readers.api_json import parse_iso as _time
from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.staging import ShapeError, dicts, json_extra, obj

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_HEAD = re.compile(rb'"kind"\s*:\s*"youtube#')


class YouTubeReader(Reader):
    """YouTube Data API v3 JSON."""

    name = "youtube-api"
    version = "1"
    description = "YouTube Data API v3 JSON: videos, search results, comment threads and comments"

    def sniff(self, probe: Probe) -> float:
        if probe.kind == "jsonl" and _HEAD.search(probe.head):
            return 0.95
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        batch = Batch(ctx)
        for row, where, item in iter_items(ctx.path, batch, _items):
            if not isinstance(item, dict):
                batch.quarantine(row, "unexpected JSON shape (expected an item object)", where, item)
                continue
            kind = item.get("kind")
            try:
                if kind == "youtube#searchResult":
                    ident = obj(item.get("id"))
                    if ident.get("kind") not in (None, "youtube#video"):
                        what = str(ident.get("kind"))[:60]
                        batch.quarantine(row, f"search result that is not a video ({what})", f"{where}.id", item)
                        continue
                    batch.add(*_video(item, ident.get("videoId")), row, where, item)
                elif kind == "youtube#video":
                    batch.add(*_video(item, item.get("id")), row, where, item)
                elif kind == "youtube#commentThread":
                    snip = obj(item.get("snippet"))
                    top = snip.get("topLevelComment")
                    if not isinstance(top, dict):
                        raise ShapeError("snippet.topLevelComment: expected a comment object")
                    channel = idstr(snip.get("channelId"))
                    batch.add(*_comment(top, snip.get("videoId"), channel), row, f"{where}.topLevelComment", item)
                    for i, reply in enumerate(dicts(obj(item.get("replies")).get("comments"))):
                        batch.add(*_comment(reply, snip.get("videoId"), None), row, f"{where}.replies[{i}]", item)
                elif kind == "youtube#comment":
                    batch.add(*_comment(item, None, None), row, where, item)
                else:
                    batch.quarantine(row, f"unsupported item kind ({str(kind)[:60]})", f"{where}.kind", item)
            except ShapeError as exc:
                batch.quarantine(row, f"unexpected JSON shape ({exc})", where, item)
        batch.finish()


def _items(doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, list):
        for i, sub in enumerate(doc):
            for where, item in _items(sub):
                yield f"[{i}].{where}", item
        return
    if not isinstance(doc, dict):
        raise ShapeError(f"expected a response object, got {type(doc).__name__}")
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("ListResponse"):
        items = doc.get("items", [])
        if not isinstance(items, list):
            raise ShapeError(f"items: expected a list, got {type(items).__name__}")
        for i, item in enumerate(items):
            yield f"items[{i}]", item
    elif isinstance(kind, str) and kind.startswith("youtube#"):
        yield "item", doc
    elif "error" in doc:
        err = obj(doc.get("error"))
        raise ShapeError(f"an API error response (code {err.get('code')!r})")
    else:
        raise ShapeError("not a YouTube Data API response or item (no youtube# kind)")


def _video(item: dict[str, Any], video_id: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    snip = obj(item.get("snippet"))
    stats = obj(item.get("statistics"))
    title: str = snip["title"] if isinstance(snip.get("title"), str) else ""
    desc: str = snip["description"] if isinstance(snip.get("description"), str) else ""
    text = "\n\n".join(x for x in (title, desc) if x) or None
    channel = idstr(snip.get("channelId"))
    tags = snip.get("tags")
    thumbs = obj(snip.get("thumbnails"))
    best = next((obj(thumbs[k]).get("url") for k in ("maxres", "high", "medium", "default") if k in thumbs), None)
    known = {"kind", "etag", "id", "snippet", "statistics"}
    extra = {k: v for k, v in item.items() if k not in known}
    extra.update(
        {f"snippet.{k}": v for k, v in snip.items() if k not in ("title", "description", "tags", "thumbnails")}
    )
    unmapped_stats = {k: v for k, v in stats.items() if k not in ("likeCount", "commentCount")}
    if unmapped_stats:
        extra["statistics"] = unmapped_stats
    post = {
        "platform": "youtube",
        "post_id": video_id,
        "account_id": channel,
        "created_at": _time(snip.get("publishedAt")),
        "created_at_raw": snip.get("publishedAt"),
        "text": text,
        "language": snip.get("defaultLanguage") or snip.get("defaultAudioLanguage"),
        "kind": "original",
        "urls": _URL.findall(desc),
        "hashtags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        "mentions": [],
        "media": [best] if isinstance(best, str) else [],
        "like_count": stats.get("likeCount"),
        "reply_count": stats.get("commentCount"),
        "extra": json_extra(extra),
    }
    accounts = []
    if channel:
        accounts.append(
            {
                "platform": "youtube",
                "account_id": channel,
                "display_name": snip.get("channelTitle"),
                "id_is_hashed": False,
            }
        )
    return post, accounts


def _comment(
    c: dict[str, Any], video_id: Any, video_channel: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    snip = obj(c.get("snippet"))
    author = obj(snip.get("authorChannelId")).get("value")
    text = snip.get("textOriginal")
    links: list[str] = []
    if not isinstance(text, str) and isinstance(snip.get("textDisplay"), str):
        text, anchors = html_to_text(snip["textDisplay"])
        links = [h for h, _ in anchors]
    video = idstr(snip.get("videoId")) or idstr(video_id)
    parent = idstr(snip.get("parentId"))
    display = snip.get("authorDisplayName")
    handle = display[1:] if isinstance(display, str) and display.startswith("@") else None
    known = {"authorChannelId", "authorDisplayName", "authorProfileImageUrl", "textOriginal", "textDisplay"}
    known |= {"parentId", "likeCount", "publishedAt", "videoId"}
    post = {
        "platform": "youtube",
        "post_id": c.get("id"),
        "account_id": author,
        "created_at": _time(snip.get("publishedAt")),
        "created_at_raw": snip.get("publishedAt"),
        "text": text,
        "kind": "reply",
        "parent_post_id": parent or video,
        "parent_account_id": None if parent else video_channel,
        "urls": links or (_URL.findall(text) if isinstance(text, str) else []),
        "hashtags": re.findall(r"#(\w+)", text) if isinstance(text, str) else [],
        "mentions": re.findall(r"(?<![\w@])@([\w.-]{3,30})", text) if isinstance(text, str) else [],
        "media": [],
        "like_count": snip.get("likeCount"),
        "extra": json_extra({"video_id": video, **{k: v for k, v in snip.items() if k not in known}}),
    }
    accounts = []
    if author is not None:
        accounts.append(
            {
                "platform": "youtube",
                "account_id": author,
                "handle": handle,
                "display_name": display,
                "avatar": snip.get("authorProfileImageUrl"),
                "id_is_hashed": False,
            }
        )
    return post, accounts


register(YouTubeReader())
