"""Write a simulated world in real export formats, streaming, plus its ground truth.

* ``tweets.csv`` / ``users.csv``: the Twitter IO archive layout (31 columns; minute-resolution times, as the
  archive has them);
* ``tweets.jsonl``: X API v2 flattened tweets as twarc2 writes them (second resolution);
* ``tweets.parquet``: the IO-archive columns with second-resolution ``tweet_time``;
* ``truth.csv``: every account with its label (``organic``, ``op1``, ...), role (``core``, ``dormant``,
  ``hijacked``, ``news``, ``fan0``, ``pod1`` ...), AI-face flag and notes; ``labels.csv`` in the layout
  ``lockstep evaluate`` reads; ``config.json``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lockstep.simulate.config import SimulationConfig
from lockstep.simulate.world import Account, Post, World

IO_COLUMNS = [
    "tweetid",
    "userid",
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
    "tweet_language",
    "tweet_text",
    "tweet_time",
    "tweet_client_name",
    "in_reply_to_userid",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "latitude",
    "longitude",
    "quote_count",
    "reply_count",
    "like_count",
    "retweet_count",
    "hashtags",
    "urls",
    "user_mentions",
    "poll_choices",
]
USER_COLUMNS = IO_COLUMNS[1:11]
FORMATS = ("csv", "jsonl", "parquet")
BATCH = 50_000


@dataclasses.dataclass
class SimulationResult:
    """What was written."""

    folder: Path
    accounts: int
    posts: int
    files: list[Path]
    by_label: dict[str, int]


_ACCOUNT_CACHE: dict[int, tuple[list[Any], str]] = {}


def _account_parts(a: Account) -> tuple[list[Any], str]:
    """Per-account fields of an IO row and the account's JSON ``author`` fragment, computed once."""
    key = id(a)
    cached = _ACCOUNT_CACHE.get(key)
    if cached is None or cached[0][0] != a.account_id:
        created = a.created.strftime("%Y-%m-%d")
        io = [a.account_id, a.name, a.handle, a.location, a.bio, "", a.followers, a.following, created, a.language]
        author = json.dumps(
            {
                "id": a.account_id,
                "username": a.handle,
                "name": a.name,
                "location": a.location,
                "created_at": a.created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "profile_image_url": f"https://sim.invalid/avatar/{'gan' if a.ai_face else 'photo'}_{a.account_id}.jpg",
                "public_metrics": {"followers_count": a.followers, "following_count": a.following, "tweet_count": 0},
            },
            ensure_ascii=False,
        )
        cached = (io, author)
        _ACCOUNT_CACHE[key] = cached
    return cached


def _io_row(p: Post, seconds: bool) -> list[Any]:
    io, _ = _account_parts(p.account)
    t = p.time.isoformat(sep=" ")[: 19 if seconds else 16]
    rt = p.kind == "repost"
    reply = p.kind == "reply"
    return [
        p.post_id,
        *io,
        p.language,
        p.text,
        t,
        p.client,
        p.parent_account if reply else "",
        p.parent_id if reply else "",
        "",
        "true" if rt else "false",
        p.parent_account if rt else "",
        p.parent_id if rt else "",
        "absent",
        "absent",
        0,
        0,
        0,
        0,
        str(list(p.hashtags)),
        str(list(p.urls)),
        str(list(p.mentions)),
        "",
    ]


_METRICS = '{"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0}'


def _jsonl(p: Post) -> str:
    """One flattened X API v2 tweet (built from pre-serialised parts: json.dumps only on the free text)."""
    _, author = _account_parts(p.account)
    dumps = json.dumps
    tags = ", ".join('{"tag": ' + dumps(h, ensure_ascii=False) + "}" for h in p.hashtags)
    urls = ", ".join('{"url": ' + dumps(u) + ', "expanded_url": ' + dumps(u) + "}" for u in p.urls)
    mentions = ", ".join('{"username": ' + dumps(m) + "}" for m in p.mentions)
    parts = [
        f'{{"id": "{p.post_id}", "author_id": "{p.account.account_id}", '
        f'"created_at": "{p.time.isoformat()[:19]}.000Z", "text": {dumps(p.text, ensure_ascii=False)}, '
        f'"lang": "{p.language}", "source": {dumps(p.client)}, '
        f'"entities": {{"hashtags": [{tags}], "urls": [{urls}], "mentions": [{mentions}]}}'
    ]
    if p.kind in ("repost", "reply"):
        ref = "retweeted" if p.kind == "repost" else "replied_to"
        parts.append(f', "referenced_tweets": [{{"type": "{ref}", "id": "{p.parent_id}"}}]')
        if p.kind == "reply":
            parts.append(f', "in_reply_to_user_id": "{p.parent_account}"')
    if p.media:
        keys = ", ".join(dumps(m) for m in p.media)
        media = ", ".join(f'{{"media_key": {dumps(m)}, "type": "photo", "url": {dumps(m)}}}' for m in p.media)
        parts.append(f', "attachments": {{"media_keys": [{keys}], "media": [{media}]}}')
    parts.append(f', "public_metrics": {_METRICS}, "author": {author}}}')
    return "".join(parts)


def write_world(config: SimulationConfig, folder: str | Path, formats: tuple[str, ...] = FORMATS) -> SimulationResult:
    """Generate the world for ``config`` and write it to ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    world = World(config)
    _ACCOUNT_CACHE.clear()
    files: list[Path] = []
    csv_fh = jsonl_fh = None
    writer = pq_writer = None
    if "csv" in formats:
        csv_fh = (out / "tweets.csv").open("w", encoding="utf-8", newline="")
        writer = csv.writer(csv_fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(IO_COLUMNS)
        files.append(out / "tweets.csv")
    if "jsonl" in formats:
        jsonl_fh = (out / "tweets.jsonl").open("w", encoding="utf-8")
        files.append(out / "tweets.jsonl")
    schema = pa.schema([(c, pa.string()) for c in IO_COLUMNS])
    if "parquet" in formats:
        pq_writer = pq.ParquetWriter(out / "tweets.parquet", schema, compression="zstd")
        files.append(out / "tweets.parquet")
    batch: list[list[Any]] = []
    n = 0
    for post in world.posts():
        n += 1
        if writer is not None:
            writer.writerow(_io_row(post, seconds=False))
        if jsonl_fh is not None:
            jsonl_fh.write(_jsonl(post) + "\n")
        if pq_writer is not None:
            batch.append([str(v) for v in _io_row(post, seconds=True)])
            if len(batch) >= BATCH:
                pq_writer.write_table(
                    pa.Table.from_arrays([pa.array(c, pa.string()) for c in zip(*batch, strict=True)], schema=schema)
                )
                batch = []
    if pq_writer is not None:
        if batch:
            pq_writer.write_table(
                pa.Table.from_arrays([pa.array(c, pa.string()) for c in zip(*batch, strict=True)], schema=schema)
            )
        pq_writer.close()
    for fh in (csv_fh, jsonl_fh):
        if fh is not None:
            fh.close()
    files.extend(_write_accounts(world.accounts, out))
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2, default=str), encoding="utf-8")
    files.append(out / "config.json")
    by_label: dict[str, int] = {}
    for a in world.accounts:
        by_label[a.label] = by_label.get(a.label, 0) + 1
    return SimulationResult(out, len(world.accounts), n, files, by_label)


def _write_accounts(accounts: list[Account], out: Path) -> list[Path]:
    with (out / "users.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(USER_COLUMNS)
        for a in accounts:
            w.writerow(
                [
                    a.account_id,
                    a.name,
                    a.handle,
                    a.location,
                    a.bio,
                    "",
                    a.followers,
                    a.following,
                    a.created.strftime("%Y-%m-%d"),
                    a.language,
                ]
            )
    with (out / "truth.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["account_id", "handle", "label", "role", "ai_face", "created_at", "timezone", "notes"])
        for a in accounts:
            w.writerow(
                [a.account_id, a.handle, a.label, a.role, a.ai_face, a.created.isoformat(), a.tz, "; ".join(a.notes)]
            )
    with (out / "labels.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["account_id", "label", "group"])
        for a in accounts:
            w.writerow([a.account_id, a.label, a.label if a.label != "organic" else a.role])
    return [out / "users.csv", out / "truth.csv", out / "labels.csv"]
