"""Mastodon API statuses: the JSON arrays of ``Status`` entities timelines, searches and account feeds return.

Layout from the Mastodon documentation, "Status" entity (docs.joinmastodon.org/entities/Status/): ``id``
(instance-local), ``uri`` (the ActivityPub id, global), ``url``, ``created_at`` (ISO 8601),
``account`` (an ``Account``: ``id``, ``username``, ``acct``, ``url``, ``display_name``, ``note`` (HTML),
``avatar``, ``followers_count``, ``following_count``, ``statuses_count``, ``created_at``), ``content``
(HTML), ``spoiler_text``, ``language``, ``visibility``, ``in_reply_to_id``, ``in_reply_to_account_id``,
``reblog`` (the boosted ``Status`` or null), ``media_attachments[]`` (``url``, ``remote_url``, ``type``,
``blurhash``), ``mentions[]`` (``acct``), ``tags[]`` (``name``), ``card`` (``url``), ``application``
(``name``), ``replies_count``, ``reblogs_count``, ``favourites_count``. An array of statuses, one status per
line, or an array per line are read.

The account id is the full address ``user@instance`` (``acct`` holds only ``user`` for accounts local to the
instance queried; the instance comes from the account's ``url``), so accounts from several instances never
collide. HTML is reduced to text with the standard library's parser (never rendered or evaluated); link
targets other than mentions and hashtags become the post's URLs. A boost is a ``repost`` of the boosted
status, which is stored too (``extra.included``), as the twarc2 reader does with retweeted tweets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from lockstep.readers.api_json import Batch, html_to_text, idstr, iter_items
from lockstep.readers.api_json import parse_iso as _time
from lockstep.readers.base import Probe, Reader, StageContext, register
from lockstep.readers.staging import ShapeError, dicts, json_extra, obj

_STATUS_KEYS = (b'"account"', b'"content"', b'"created_at"')
_MASTODON_KEYS = (b'"reblog"', b'"visibility"', b'"favourites_count"', b'"reblogs_count"', b'"spoiler_text"')
_KNOWN = {
    "id",
    "uri",
    "url",
    "created_at",
    "account",
    "content",
    "language",
    "in_reply_to_id",
    "in_reply_to_account_id",
    "reblog",
    "media_attachments",
    "mentions",
    "tags",
    "card",
    "application",
    "replies_count",
    "reblogs_count",
    "favourites_count",
}


class MastodonReader(Reader):
    """Mastodon API statuses JSON."""

    name = "mastodon-api"
    version = "1"
    description = "Mastodon API statuses JSON (timelines, searches, account feeds), boosts as reposts"

    def sniff(self, probe: Probe) -> float:
        if probe.kind != "jsonl":
            return 0.0
        head = probe.head
        if all(k in head for k in _STATUS_KEYS) and b'"acct"' in head and any(k in head for k in _MASTODON_KEYS):
            return 0.9
        return 0.0

    def stage(self, ctx: StageContext) -> None:
        batch = Batch(ctx)
        for row, where, status in iter_items(ctx.path, batch, _items):
            if not isinstance(status, dict):
                batch.quarantine(row, "unexpected JSON shape (expected a status object)", where, status)
                continue
            try:
                boosted = status.get("reblog")
                post, accounts = _status(status)
                if isinstance(boosted, dict):
                    orig, orig_accounts = _status(boosted)
                    post.update(
                        kind="repost",
                        parent_post_id=orig["post_id"],
                        parent_account_id=orig["account_id"],
                        text=orig["text"],
                        urls=orig["urls"],
                        hashtags=orig["hashtags"],
                        mentions=orig["mentions"],
                        media=orig["media"],
                    )
                    if batch.add(post, accounts, row, where, status):
                        orig["extra"] = json_extra({"included": True})
                        batch.add(orig, orig_accounts, row, f"{where}.reblog", boosted)
                else:
                    batch.add(post, accounts, row, where, status)
            except ShapeError as exc:
                batch.quarantine(row, f"unexpected JSON shape ({exc})", where, status)
        batch.finish()


def _items(doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            yield f"[{i}]", item
    elif isinstance(doc, dict) and "statuses" in doc and isinstance(doc["statuses"], list):
        for i, item in enumerate(doc["statuses"]):  # a /api/v2/search response
            yield f"statuses[{i}]", item
    elif isinstance(doc, dict) and "content" in doc and "account" in doc:
        yield "status", doc
    elif isinstance(doc, dict) and "error" in doc:
        raise ShapeError(f"an API error response ({str(doc.get('error'))[:100]})")
    else:
        raise ShapeError("neither a status nor an array of statuses")


def account_address(account: dict[str, Any]) -> str | None:
    """``user@instance`` for an ``Account`` entity (``acct`` plus the host of ``url`` for local accounts)."""
    acct = account.get("acct")
    if not isinstance(acct, str) or not acct:
        return None
    if "@" in acct:
        return acct.lower()
    url = account.get("url")
    host = urlsplit(url).hostname if isinstance(url, str) else None
    return f"{acct}@{host}".lower() if host else acct.lower()


def _status(s: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    account = s.get("account")
    if not isinstance(account, dict):
        raise ShapeError("account: expected an account object")
    address = account_address(account)
    content = s.get("content")
    text, links = html_to_text(content) if isinstance(content, str) else (None, [])
    spoiler = s.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler and text is not None:
        text = f"{spoiler}\n\n{text}"
    urls = [h for h, cls in links if not re.search(r"\b(mention|hashtag)\b", cls) and h.startswith("http")]
    card = obj(s.get("card")).get("url")
    if isinstance(card, str) and card not in urls:
        urls.append(card)
    media = [m.get("remote_url") or m.get("url") for m in dicts(s.get("media_attachments"))]
    parent_account = None
    if s.get("in_reply_to_account_id") is not None:
        mentioned = {idstr(m.get("id")): m for m in dicts(s.get("mentions"))}
        target = mentioned.get(idstr(s.get("in_reply_to_account_id")))
        parent_account = account_address(target) if target else idstr(s.get("in_reply_to_account_id"))
    extra = {k: v for k, v in s.items() if k not in _KNOWN}
    if s.get("uri") is not None:
        extra["uri"] = s.get("uri")
    if s.get("url") is not None:
        extra["url"] = s.get("url")
    post = {
        "platform": "mastodon",
        "post_id": s.get("id"),
        "account_id": address,
        "created_at": _time(s.get("created_at")),
        "created_at_raw": s.get("created_at"),
        "text": text,
        "language": s.get("language"),
        "kind": "reply" if s.get("in_reply_to_id") is not None else "original",
        "parent_post_id": idstr(s.get("in_reply_to_id")),
        "parent_account_id": parent_account,
        "urls": urls,
        "hashtags": [t.get("name") for t in dicts(s.get("tags")) if isinstance(t.get("name"), str)],
        "mentions": [m.get("acct") for m in dicts(s.get("mentions")) if isinstance(m.get("acct"), str)],
        "media": [m for m in media if isinstance(m, str)],
        "like_count": s.get("favourites_count"),
        "repost_count": s.get("reblogs_count"),
        "reply_count": s.get("replies_count"),
        "client": obj(s.get("application")).get("name"),
        "extra": json_extra(extra),
    }
    accounts = []
    if address is not None:
        note = account.get("note")
        accounts.append(
            {
                "platform": "mastodon",
                "account_id": address,
                "handle": address,
                "display_name": account.get("display_name"),
                "description": html_to_text(note)[0] if isinstance(note, str) else None,
                "created_at": _time(account.get("created_at")),
                "followers": account.get("followers_count"),
                "following": account.get("following_count"),
                "post_count": account.get("statuses_count"),
                "avatar": account.get("avatar"),
                "id_is_hashed": False,
                "extra": json_extra({"id": account.get("id"), "url": account.get("url"), "bot": account.get("bot")}),
            }
        )
    return post, accounts


register(MastodonReader())
