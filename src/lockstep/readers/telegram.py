"""Telegram Desktop's JSON export (``result.json``): one chat or a whole account, channels and groups.

Layout (Telegram Desktop "Export chat history" / "Export Telegram data", machine-readable JSON):

* one chat: ``{"name", "type", "id", "messages": [...]}``, ``type`` one of ``public_channel``,
  ``private_channel``, ``public_supergroup``, ``private_supergroup``, ``private_group``, ``personal_chat``,
  ``saved_messages``, ``bot_chat``;
* a whole account: ``{"about", "personal_information", ..., "chats": {"list": [chat, ...]},
  "left_chats": {"list": [...]}}``, each chat as above.

A message has ``id`` (unique within its chat only, so the post id is ``<chat id>/<message id>``),
``type`` (``message``; ``service`` for joins, pins and title changes, which are not posts and are not read
as rows), ``date`` (the exporting computer's local time, zone not recorded) and, since 2021, ``date_unixtime``
(UTC seconds, used when present), ``from`` / ``from_id`` (``user123``, ``channel123``), ``text`` (a string,
or a list mixing strings and entity objects ``{"type": "link", "text": ...}``), ``text_entities`` (the same
entities as a flat list), ``forwarded_from`` (the source's name: a forward is a repost whose original id the
export does not give), ``reply_to_message_id`` (a reply in the same chat, or in ``reply_to_peer_id``),
``photo`` / ``file`` (paths relative to the export folder, or ``(File not included...)`` when media was not
downloaded: such placeholders are not media references) and ``reactions``. Channel posts are the channel's
own (``from_id`` ``channel<id>``). Every field not mapped is kept in ``extra``.

The document is streamed (:mod:`lockstep.readers.jsonstream`): a multi-gigabyte export is read one message
at a time. A document cut short keeps every message before the cut and quarantines the rest as one row.
"""

from __future__ import annotations

import re
from typing import Any

from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.jsonstream import Action, BrokenDocument, JsonPath, walk_document
from lockstep.readers.records import (
    RowSink,
    ShapeError,
    count_of,
    dicts,
    entities_from_text,
    epoch_time,
    fill_parent_authors,
    id_of,
    iso_time,
    json_extra,
    text_of,
)

PLATFORM = "telegram"
CHAT_TYPES = (
    "personal_chat",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "public_channel",
    "private_channel",
    "saved_messages",
    "bot_chat",
)
_CHAT_TYPE = re.compile(rb'"type"\s*:\s*"(' + b"|".join(t.encode() for t in CHAT_TYPES) + rb')"')
_NOT_INCLUDED = "(File "
_MAPPED = {
    "id",
    "type",
    "date",
    "date_unixtime",
    "from_id",
    "text",
    "text_entities",
    "reply_to_message_id",
    "forwarded_from_id",
}


class TelegramReader(Reader):
    """Telegram Desktop ``result.json``."""

    name = "telegram"
    version = "1"
    description = "Telegram Desktop export result.json (one chat or the whole account; channels and groups)"

    def sniff(self, probe: Probe) -> float:
        if probe.kind != "jsonl":
            return 0.0
        head = probe.head
        if b'"personal_information"' in head and b'"about"' in head:
            return 0.95
        if b'"messages"' in head and _CHAT_TYPE.search(head) and (b'"date_unixtime"' in head or b'"from_id"' in head):
            return 0.95
        if b'"messages"' in head and _CHAT_TYPE.search(head):
            return 0.8
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        sink = RowSink(ctx)
        chats: dict[JsonPath, dict[str, Any]] = {}
        try:
            for path, line, value in walk_document(ctx.path, _plan):
                if len(path) >= 2 and path[-2] == "messages":
                    chat = chats.setdefault(path[:-2], {})
                    _message(sink, chat, value, line)
                elif len(path) == 3 and path[1] == "list":
                    why = f"unexpected JSON shape (expected a chat object, got {type(value).__name__})"
                    sink.reject(line, why, "/".join(path), value)
                elif path and path[-1] in ("messages", "chats", "list", "left_chats"):
                    # A container of the wrong JSON type: its messages cannot be read.
                    why = f"unexpected JSON shape ({path[-1]}: expected a list or object, got {type(value).__name__})"
                    sink.reject(line, why, "/".join(path), value)
                elif path and path[-1] in ("name", "type", "id"):
                    chats.setdefault(path[:-1], {})[path[-1]] = value
        except BrokenDocument as exc:
            sink.reject(
                exc.line,
                f"unreadable row ({exc.detail}; the rest of the file cannot be read)",
                None,
                exc.raw,
            )
        sink.close()
        fill_parent_authors(ctx)


def _plan(path: JsonPath) -> Action:
    """Which parts of the export to walk into, decode or skip (contacts, sessions ... are skipped)."""
    n = len(path)
    if n == 0:
        return "walk"
    if path[0] in ("chats", "left_chats"):
        if n <= 3:  # chats / chats.list / chats.list[i]
            return "walk" if n < 3 or path[1] == "list" else "skip"
        return _chat_plan(path[3:]) if path[1] == "list" else "skip"
    if path[0] in ("name", "type", "id", "messages") or (n > 1 and path[0] == "messages"):
        return _chat_plan(path)
    return "skip"


def _chat_plan(rest: JsonPath) -> Action:
    if rest == ("messages",):
        return "walk"
    if len(rest) == 2 and rest[0] == "messages":
        return "whole"
    if len(rest) == 1 and rest[0] in ("name", "type", "id"):
        return "whole"
    return "skip"


def _message(sink: RowSink, chat: dict[str, Any], msg: Any, line: int) -> None:
    chat_id = _chat_id(chat)
    where = f"chat {chat_id or '?'} message"
    if not isinstance(msg, dict):
        sink.reject(line, ShapeError(f"expected a message object, got {type(msg).__name__}"), where, msg)
        return
    if msg.get("type", "message") != "message":
        return  # service message (join, pin, title change): not a post, not a row
    try:
        row, account = _post(chat, chat_id, msg)
    except (ShapeError, TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
        sink.reject(line, exc, f"{where} {msg.get('id')!r}", msg)
        return
    sink.post(row, line, msg, [account] if account else [], f"{where} {msg.get('id')!r}")


def _chat_id(chat: dict[str, Any]) -> str | None:
    value = chat.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _post(
    chat: dict[str, Any], chat_id: str | None, msg: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    msg_id = id_of(msg.get("id"), "id")
    if msg_id is None:
        raise ShapeError("id: missing message id")
    chat_type = chat.get("type") if isinstance(chat.get("type"), str) else None
    account_id = _from_id(msg.get("from_id"))
    if account_id is None and chat_type in ("public_channel", "private_channel") and chat_id:
        account_id = f"channel{chat_id}"
    unix = msg.get("date_unixtime")
    created = epoch_time(unix) if unix is not None else None
    raw_time = unix if unix is not None else msg.get("date")
    local_time = created is None and iso_time(msg.get("date")) is not None
    if local_time:  # the exporting computer's local time: the zone is not recorded
        created, raw_time = iso_time(msg.get("date")), msg.get("date")
    text, entities = _text(msg)
    kind, parent, parent_account = "original", None, None
    if msg.get("forwarded_from") is not None or msg.get("forwarded_from_id") is not None:
        kind, parent_account = "repost", _from_id(msg.get("forwarded_from_id"))
    elif msg.get("reply_to_message_id") is not None:
        reply_id = id_of(msg.get("reply_to_message_id"), "reply_to_message_id")
        peer = id_of(msg.get("reply_to_peer_id"), "reply_to_peer_id") or chat_id
        kind, parent = "reply", f"{peer}/{reply_id}"
    hashtags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    if entities is None:  # exports before text_entities existed: take them from the text
        hashtags, mentions, urls = entities_from_text(text)
    for e in entities or ():
        etype, etext = e.get("type"), e.get("text")
        if etype == "hashtag" and isinstance(etext, str):
            hashtags.append(etext.lstrip("#"))
        elif etype == "mention" and isinstance(etext, str):
            mentions.append(etext.lstrip("@"))
        elif etype == "mention_name" and e.get("user_id") is not None:
            mentions.append(f"user{id_of(e.get('user_id'), 'user_id')}")
        elif etype == "link" and isinstance(etext, str):
            urls.append(etext)
        elif etype == "text_link" and isinstance(e.get("href"), str):
            urls.append(e["href"])
    media = [v for k in ("photo", "file") if isinstance(v := msg.get(k), str) and v and not v.startswith(_NOT_INCLUDED)]
    reactions = [count_of(r.get("count")) for r in dicts(msg.get("reactions"))]
    extra = {k: v for k, v in msg.items() if k not in _MAPPED}
    extra["chat"] = {"id": chat.get("id"), "name": chat.get("name"), "type": chat_type}
    if local_time:
        extra["time_zone"] = "unknown: the export's local time, read as UTC"
    row = {
        "platform": PLATFORM,
        "post_id": f"{chat_id}/{msg_id}" if chat_id else None,
        "account_id": account_id,
        "created_at": created,
        "created_at_raw": str(raw_time) if raw_time is not None else None,
        "text": text,
        "language": None,
        "kind": kind,
        "parent_post_id": parent,
        "parent_account_id": parent_account,
        "quoted_post_id": None,
        "urls": urls,
        "hashtags": hashtags,
        "mentions": mentions,
        "media": media,
        "like_count": sum(c for c in reactions if c is not None) if reactions else None,
        "repost_count": None,
        "reply_count": None,
        "quote_count": None,
        "client": msg.get("via_bot") if isinstance(msg.get("via_bot"), str) else None,
        "extra": json_extra(extra),
    }
    if row["post_id"] is None:
        raise ShapeError("id: the chat has no id, so its message ids are not unique")
    name = msg.get("from")
    account = (
        {
            "platform": PLATFORM,
            "account_id": account_id,
            "display_name": name if isinstance(name, str) else None,
            "id_is_hashed": False,
            "observed_at": created,
        }
        if account_id
        else None
    )
    return row, account


def _from_id(value: Any) -> str | None:
    """``from_id`` as exported (``user123``, ``channel123``); old exports give a bare number."""
    return id_of(value, "from_id")


def _text(msg: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The message text and its entities, from ``text`` (string or list of parts) and ``text_entities``.

    Entities are ``None`` when the export gives none at all (a plain-string ``text`` and no
    ``text_entities``), so the caller can extract them from the text instead.
    """
    value = msg.get("text")
    parts: list[str] = []
    inline: list[dict[str, Any]] = []
    if isinstance(value, list):
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text", ""), str):
                parts.append(part.get("text", ""))
                inline.append(part)
            else:
                raise ShapeError(f"text: expected text or entity objects, got {type(part).__name__}")
        text: str | None = "".join(parts)
    else:
        text = text_of(value, "text")
    listed = msg.get("text_entities")
    if listed is not None and not isinstance(listed, list):
        raise ShapeError(f"text_entities: expected a list, got {type(listed).__name__}")
    if listed is None and not isinstance(value, list):
        return (text or None), None
    return (text or None), (dicts(listed) if listed is not None else inline)


register(TelegramReader())
