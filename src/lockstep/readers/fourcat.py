"""4CAT exports (https://github.com/digitalmethodsinitiative/4cat): mapped CSV / NDJSON, and raw NDJSON items.

4CAT's CSV (and a mapped NDJSON) has one row per item with the columns its data sources' ``map_item`` write:
always ``id``, ``thread_id``, ``author``, ``body``, ``timestamp`` (``YYYY-MM-DD HH:MM:SS``; for some sources
the 4CAT server's local time) and mostly ``unix_timestamp`` (UTC seconds, preferred), plus source-specific
columns (``author_fullname`` / ``author_full`` / ``author_name``, ``author_username``, ``hashtags`` as
``a,b``, ``likes``, ``comments``, ``shares``, ``url`` ...). Columns no field uses are kept in ``extra``.
The source platform is not recorded in the file: it is recognised from source-specific columns (Telegram:
``author_forwarded_from_name``; TikTok: ``tiktok_url``), else ``4cat``; ``--map platform=NAME`` sets it.
Telegram message ids are unique per chat only, so a Telegram post id is ``<thread_id>/<id>``; a forwarded
message (``author_forwarded_from_*``) is a repost, ``reply_to`` a reply in the same chat (its parent's
author is filled when the parent is in the same file). TikTok accounts
are identified by their handle (4CAT's ``author``; raw items' ``author.uniqueId``), as the TikTok Research
API identifies them.

Raw NDJSON (a 4CAT dataset's ``.ndjson`` result file, or Zeeschuimer's upload file) holds each item as the
platform returned it. Read here: Zeeschuimer items (``{"source_platform": "tiktok.com" | "instagram.com",
"data": {...}}``; TikTok ``desc``/``createTime``/``author``/``stats``/``textExtra``, Instagram
``taken_at``/``user``/``caption``/``code``) and 4CAT Telegram messages (Telethon fields ``_chat``,
``_sender``, ``message``, ``date``, ``fwd_from``, ``reply_to_msg_id``). Items of other platforms are
quarantined with the platform named: export those datasets from 4CAT as CSV, which maps them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.records import (
    SHAPE_ERRORS,
    RowSink,
    ShapeError,
    count_of,
    dicts,
    entities_from_text,
    epoch_time,
    fill_parent_authors,
    id_of,
    json_extra,
    obj,
    text_of,
)
from lockstep.readers.table_reader import TableReader
from lockstep.readers.tabular import iter_json_lines, json_keys, read_csv_header

MAPPED = ("id", "thread_id", "author", "body", "timestamp")
_TIME = "coalesce(nullif(trim(unix_timestamp), ''), \"timestamp\")"
_OPTIONAL = (
    "unix_timestamp",
    "author_username",
    "author_fullname",
    "author_full",
    "author_name",
    "reply_to",
    "author_forwarded_from_name",
    "author_forwarded_from_username",
)

FOURCAT = ColumnMap(
    platform="4cat",
    columns={
        "post_id": "id",
        "account_id": "author",
        "text": "body",
        "hashtags": "hashtags",
        "like_count": "likes",
        "repost_count": "shares",
        "reply_count": "comments",
    },
    expressions={
        "created_at": _TIME,
        "handle": "coalesce(nullif(trim(author_username), ''), author)",
        "display_name": "coalesce(nullif(author_fullname, ''), nullif(author_full, ''), nullif(author_name, ''))",
    },
    required=("post_id", "account_id"),
)

TELEGRAM_4CAT = ColumnMap(
    platform="telegram",
    columns={"account_id": "author", "text": "body", "handle": "author_username", "display_name": "author_name"},
    expressions={
        "created_at": _TIME,
        "post_id": "CASE WHEN trim(coalesce(id, '')) <> '' THEN thread_id || '/' || trim(id) END",
        "is_repost": "CASE WHEN coalesce(author_forwarded_from_name, '') <> '' "
        "OR coalesce(author_forwarded_from_username, '') <> '' THEN 'true' END",
        "reply_to": "CASE WHEN trim(coalesce(reply_to, '')) NOT IN ('', '0') "
        "THEN thread_id || '/' || trim(reply_to) END",
    },
    required=("account_id",),
)


def _platform_map(columns: set[str]) -> ColumnMap:
    if "author_forwarded_from_name" in columns:
        return TELEGRAM_4CAT
    if "tiktok_url" in columns:
        return replace(FOURCAT, platform="tiktok")
    return FOURCAT


class FourCatReader(Reader):
    """4CAT mapped CSV/NDJSON and raw NDJSON items."""

    name = "4cat"
    version = "1"
    description = "4CAT exports: mapped CSV/NDJSON (id, thread_id, author, body, timestamp) and raw NDJSON items"
    signature = MAPPED

    def sniff(self, probe: Probe) -> float:
        if probe.kind not in ("csv", "tsv", "jsonl"):
            return 0.0
        if probe.has(*MAPPED):
            return 0.9
        if probe.kind == "jsonl" and (
            probe.has("source_platform", "data") or probe.has("_chat", "message", "date", "_sender")
        ):
            return 0.9
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        if ctx.kind in ("csv", "tsv"):
            header = read_csv_header(ctx.path, "\t" if ctx.kind == "tsv" else ",", ctx.encoding)
            self._stage_mapped(ctx, {c.lower() for c in header})
            fill_parent_authors(ctx)
            return
        keys = {k.lower() for k in json_keys(ctx.path, ctx.encoding)}
        if {c.lower() for c in MAPPED} <= keys:
            self._stage_mapped(ctx, keys)
        else:
            _stage_raw(ctx)
        fill_parent_authors(ctx)

    def _stage_mapped(self, ctx: StageContext, columns: set[str]) -> None:
        cmap = _platform_map(columns)
        TableReader(
            self.name,
            cmap,
            signature=MAPPED,
            description=self.description,
            ensure_columns=_OPTIONAL,
        ).stage(ctx)


def _stage_raw(ctx: StageContext) -> None:
    sink = RowSink(ctx)
    for line, item, raw, problem in iter_json_lines(ctx.path, ctx.encoding):
        if problem is not None:
            sink.reject(line, f"unreadable row ({problem})", None, raw)
            continue
        try:
            mapped = _raw_item(item, ctx.overrides.get("platform"))
        except SHAPE_ERRORS as exc:
            sink.reject(line, exc, None, raw)
            continue
        if isinstance(mapped, str):
            sink.reject(line, mapped, "source_platform", raw)
            continue
        row, account = mapped
        sink.post(row, line, raw, [account])
    sink.close()


def _raw_item(item: Any, platform: str | None) -> tuple[dict[str, Any], dict[str, Any]] | str:
    """A raw 4CAT / Zeeschuimer item as (post, account), or why it cannot be read."""
    if not isinstance(item, dict):
        raise ShapeError(f"expected a JSON object, got {type(item).__name__}")
    if "_chat" in item and "message" in item:
        return _telegram(item, platform or "telegram")
    source = item.get("source_platform")
    data = item.get("data")
    if not isinstance(data, dict):
        raise ShapeError(f"data: expected an object, got {type(data).__name__}")
    if source == "tiktok.com":
        return _tiktok(data, item, platform or "tiktok")
    if source == "instagram.com":
        return _instagram(data, item, platform or "instagram")
    return (
        f"raw 4CAT item from {str(source)[:40]!r} is not mapped here; export the dataset from 4CAT as CSV, "
        "which maps it"
    )


def _row(platform: str, **fields: Any) -> dict[str, Any]:
    hashtags, mentions, urls = entities_from_text(fields.get("text"))
    base: dict[str, Any] = {
        "platform": platform,
        "kind": "original",
        "hashtags": hashtags,
        "mentions": mentions,
        "urls": urls,
        "media": [],
    }
    base.update({k: v for k, v in fields.items() if v is not None or k not in base})
    return base


def _account(platform: str, account_id: str | None, observed: Any, **fields: Any) -> dict[str, Any]:
    return {"platform": platform, "account_id": account_id, "observed_at": observed, **fields}


def _tiktok(d: dict[str, Any], wrap: dict[str, Any], platform: str) -> tuple[dict[str, Any], dict[str, Any]]:
    author = d.get("author")
    if isinstance(author, dict):  # the handle is the account id, as in 4CAT's CSV and the Research API
        handle, name = text_of(author.get("uniqueId"), "author.uniqueId"), author.get("nickname")
        account_id = handle or id_of(author.get("id"), "author.id")
    else:
        account_id = handle = text_of(author, "author")
        name = d.get("nickname")
    created = epoch_time(d.get("createTime"))
    extra_text = dicts(d.get("textExtra"))
    tags = [e["hashtagName"] for e in extra_text if isinstance(e.get("hashtagName"), str) and e["hashtagName"]]
    users = [e["userUniqueId"] for e in extra_text if isinstance(e.get("userUniqueId"), str) and e["userUniqueId"]]
    stats = obj(d.get("stats"))
    music = obj(d.get("music"))
    row = _row(
        platform,
        post_id=id_of(d.get("id"), "id"),
        account_id=account_id,
        created_at=created,
        created_at_raw=str(d.get("createTime")) if d.get("createTime") is not None else None,
        text=text_of(d.get("desc"), "desc"),
        like_count=count_of(stats.get("diggCount")),
        repost_count=count_of(stats.get("shareCount")),
        reply_count=count_of(stats.get("commentCount")),
        extra=json_extra(
            {
                "music": {"id": music.get("id"), "title": music.get("title")},
                "playCount": stats.get("playCount"),
                "source_url": wrap.get("source_url"),
                "timestamp_collected": wrap.get("timestamp_collected"),
            }
        ),
    )
    if tags:
        row["hashtags"] = tags
    if users:
        row["mentions"] = users
    return row, _account(platform, account_id, created, handle=handle, display_name=name)


def _instagram(d: dict[str, Any], wrap: dict[str, Any], platform: str) -> tuple[dict[str, Any], dict[str, Any]]:
    user = obj(d.get("user")) or obj(d.get("owner"))
    account_id = id_of(user.get("pk", user.get("id")), "user.pk")
    created = epoch_time(d.get("taken_at", d.get("taken_at_timestamp")))
    caption = d.get("caption")
    text = text_of(obj(caption).get("text") if isinstance(caption, dict) else caption, "caption")
    code = d.get("code", d.get("shortcode"))
    row = _row(
        platform,
        post_id=id_of(d.get("id"), "id"),
        account_id=account_id,
        created_at=created,
        created_at_raw=str(d.get("taken_at")) if d.get("taken_at") is not None else None,
        text=text,
        like_count=count_of(d.get("like_count")),
        reply_count=count_of(d.get("comment_count")),
        extra=json_extra(
            {
                "url": f"https://www.instagram.com/p/{code}/" if isinstance(code, str) else None,
                "media_type": d.get("media_type"),
                "source_url": wrap.get("source_url"),
            }
        ),
    )
    return row, _account(platform, account_id, created, handle=user.get("username"), display_name=user.get("full_name"))


def _telegram(m: dict[str, Any], platform: str) -> tuple[dict[str, Any], dict[str, Any]]:
    chat = obj(m.get("_chat"))
    chat_key = id_of(chat.get("username") or chat.get("id"), "_chat.username")
    msg_id = id_of(m.get("id"), "id")
    sender = obj(m.get("_sender"))
    account_id = id_of(sender.get("id"), "_sender.id")
    created = epoch_time(m.get("date"))
    fwd = obj(m.get("fwd_from"))
    reply = id_of(m.get("reply_to_msg_id"), "reply_to_msg_id")
    kind, parent, parent_account = "original", None, None
    if fwd:
        source = obj(fwd.get("from_id"))
        kind, parent_account = "repost", id_of(source.get("channel_id", source.get("user_id")), "fwd_from.from_id")
    elif reply:
        kind, parent = "reply", f"{chat_key}/{reply}"
    name = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if isinstance(p, str)) or sender.get(
        "title"
    )
    row = _row(
        platform,
        post_id=f"{chat_key}/{msg_id}" if chat_key and msg_id else None,
        account_id=account_id,
        created_at=created,
        created_at_raw=str(m.get("date")) if m.get("date") is not None else None,
        text=text_of(m.get("message"), "message"),
        kind=kind,
        parent_post_id=parent,
        parent_account_id=parent_account,
        extra=json_extra(
            {
                "chat": chat.get("username") or chat.get("id"),
                "views": m.get("views"),
                "forwards": m.get("forwards"),
                "fwd_from": fwd or None,
            }
        ),
    )
    account = _account(platform, account_id, created, handle=sender.get("username"), display_name=name or None)
    return row, account


register(FourCatReader())
