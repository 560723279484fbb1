"""Meta Content Library (MCL) exports of Facebook and Instagram posts: CSV downloads and API JSON.

Field names are the API fields of Meta's data dictionary
(https://developers.facebook.com/docs/content-library-and-api/appendix/data-dictionary): ``id`` (an MCL id,
not a Facebook or Instagram id), ``creation_time`` (ISO 8601 with offset, ``2024-03-01T10:00:00+0000``),
``text``, ``lang``, ``post_owner`` (``id``, ``name``, ``username``, ``type``: page, profile, group, event,
user), ``statistics`` (Facebook: ``reaction_count``, ``share_count``, ``comment_count``, ``views``;
Instagram: ``like_count``, ``comment_count``, ``views``), ``multimedia`` (``type``, ``id``, ``url``),
``link_attachment`` (``link``, ``name``, ``caption``, ``description``), ``mcl_url``, ``is_branded_content``.
CSV downloads flatten the nested fields with dots (``post_owner.id``, ``statistics.reaction_count``).

* JSON: one post per line, API response pages (``{"data": [...], "paging": {...}}``) one per line, or one
  document (a page, or an array of posts), streamed.
* CSV: one post per row.

The platform is Instagram when the statistics are Instagram's (``like_count`` without ``reaction_count``) or
``mcl_url`` points at Instagram, else Facebook; ``--map platform=...`` overrides it. Reactions count as likes,
shares as reposts, comments as replies; MCL gives no repost or reply structure, so every post is an
original. URLs are the link attachment and the links in the text; hashtags and mentions come from the text;
media references are ``mcl-media:<id>`` (or the media URL when there is no id).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lockstep.normalize.text import URL_SQL_PATTERN
from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.crowdtangle import quoted_list_sql
from lockstep.readers.jsonstream import Action, JsonPath
from lockstep.readers.mapping import ColumnMap
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
from lockstep.readers.table_reader import TableReader
from lockstep.readers.tabular import read_csv_header
from lockstep.sqltext import sql_str

_CSV_COLUMNS = {
    "post_id": "id",
    "account_id": "post_owner.id",
    "handle": "post_owner.username",
    "display_name": "post_owner.name",
    "created_at": "creation_time",
    "text": "text",
    "language": "lang",
    "repost_count": "statistics.share_count",
    "reply_count": "statistics.comment_count",
}
_REQUIRED = ("post_id", "account_id", "created_at")
#: URLs: the attached link whole, then the links in the text.
_URLS = quoted_list_sql("link_attachment.link")

FACEBOOK_CSV = ColumnMap(
    platform="facebook",
    columns={**_CSV_COLUMNS, "like_count": "statistics.reaction_count"},
    required=_REQUIRED,
)
INSTAGRAM_CSV = ColumnMap(
    platform="instagram",
    columns={**_CSV_COLUMNS, "like_count": "statistics.like_count"},
    required=_REQUIRED,
)
_KNOWN = {"id", "creation_time", "text", "lang", "post_owner", "statistics", "multimedia", "link_attachment"}


class MetaContentLibraryReader(Reader):
    """Meta Content Library CSV downloads and API JSON (Facebook and Instagram posts)."""

    name = "meta-content-library"
    version = "1"
    description = "Meta Content Library Facebook/Instagram posts: CSV downloads and API JSON (pages or lines)"
    signature = ("id", "creation_time", "post_owner.id", "text")

    def sniff(self, probe: Probe) -> float:
        if probe.kind in ("csv", "tsv"):
            return 0.95 if probe.has("id", "creation_time", "post_owner.id") else 0.0
        if probe.kind != "jsonl":
            return 0.0
        if probe.has("id", "creation_time", "post_owner"):
            return 0.95
        head = probe.head
        if b'"creation_time"' in head and b'"post_owner"' in head and (probe.has("data") or not probe.columns):
            return 0.9
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        if ctx.kind in ("csv", "tsv"):
            header = {c.lower() for c in read_csv_header(ctx.path, "\t" if ctx.kind == "tsv" else ",", ctx.encoding)}
            cmap = INSTAGRAM_CSV if _instagram_columns(header) else FACEBOOK_CSV
            cmap = replace(cmap, expressions={"urls": _urls_sql(header)})
            TableReader(
                self.name, cmap, signature=self.signature, description=self.description, kinds=("csv", "tsv")
            ).stage(ctx)
            return
        sink = RowSink(ctx)
        platform = ctx.overrides.get("platform")
        for line, value, raw in iter_values(ctx, sink, _plan):
            posts = value.get("data") if isinstance(value, dict) and isinstance(value.get("data"), list) else None
            items = posts if posts is not None else (value if isinstance(value, list) else [value])
            for i, item in enumerate(items):
                where = f"post {i + 1} of the line" if len(items) > 1 else None
                try:
                    row, account = _post(item, platform)
                except SHAPE_ERRORS as exc:
                    sink.reject(line, exc, where, item if len(items) > 1 else raw)
                    continue
                sink.post(row, line, item, [account], where)
        sink.close()


def _instagram_columns(header: set[str]) -> bool:
    return "statistics.like_count" in header and "statistics.reaction_count" not in header


def _urls_sql(header: set[str]) -> str:
    text_urls = (
        "CASE WHEN contains(\"text\", 'http') THEN array_to_string(list_transform("
        f'regexp_extract_all("text", {sql_str(URL_SQL_PATTERN)}), '
        "lambda u: '\"' || replace(u, '\"', '%22') || '\"'), ' ') END"
    )
    parts = ([_URLS] if "link_attachment.link" in header else []) + ([text_urls] if "text" in header else [])
    return f"nullif(concat_ws(' ', {', '.join(parts)}), '')" if parts else "NULL"


def _plan(path: JsonPath) -> Action:
    if not path or path == ("data",):
        return "walk"
    if len(path) == 1 and path[0].isdigit():
        return "whole"  # a top-level array of posts
    if len(path) == 2 and path[0] == "data":
        return "whole"
    return "skip"


def _post(item: Any, platform: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(item, dict):
        raise ShapeError(f"expected a post object, got {type(item).__name__}")
    owner = item.get("post_owner")
    if owner is not None and not isinstance(owner, dict):
        raise ShapeError(f"post_owner: expected an object, got {type(owner).__name__}")
    owner = owner or {}
    stats = obj(item.get("statistics"))
    raw_time = item.get("creation_time")
    created = epoch_time(raw_time) if isinstance(raw_time, int) else iso_time(text_of(raw_time, "creation_time"))
    text = text_of(item.get("text"), "text")
    hashtags, mentions, urls = entities_from_text(text)
    link = obj(item.get("link_attachment")).get("link")
    if isinstance(link, str) and link and link not in urls:
        urls.insert(0, link)
    media = []
    for m in dicts(item.get("multimedia")):
        ref = id_of(m.get("id"), "multimedia.id")
        media.append(f"mcl-media:{ref}" if ref else m.get("url"))
    if platform is None:
        ig_stats = "like_count" in stats and "reaction_count" not in stats
        mcl_url = item.get("mcl_url")
        platform = "instagram" if ig_stats or (isinstance(mcl_url, str) and "instagram" in mcl_url) else "facebook"
    account_id = id_of(owner.get("id"), "post_owner.id")
    row = {
        "platform": platform,
        "post_id": id_of(item.get("id"), "id"),
        "account_id": account_id,
        "created_at": created,
        "created_at_raw": str(raw_time) if raw_time is not None else None,
        "text": text,
        "language": item.get("lang") if isinstance(item.get("lang"), str) else None,
        "kind": "original",
        "urls": urls,
        "hashtags": hashtags,
        "mentions": mentions,
        "media": [m for m in media if isinstance(m, str) and m],
        "like_count": count_of(stats.get("reaction_count", stats.get("like_count"))),
        "repost_count": count_of(stats.get("share_count")),
        "reply_count": count_of(stats.get("comment_count")),
        "extra": json_extra(
            {k: v for k, v in item.items() if k not in _KNOWN}
            | {"statistics": stats, "post_owner.type": owner.get("type")}
        ),
    }
    account = {
        "platform": platform,
        "account_id": account_id,
        "handle": owner.get("username"),
        "display_name": owner.get("name"),
        "extra": json_extra({k: v for k, v in owner.items() if k not in ("id", "username", "name")}),
        "observed_at": created,
    }
    return row, account


register(MetaContentLibraryReader())
