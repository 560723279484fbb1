"""The planted cross-platform operation of ``test_cross_platform``, read from the platforms' native exports.

``test_cross_platform`` reads Telegram from a mapped CSV (what a Telethon scrape gives). Here the same posts are
written as a Telegram Desktop ``result.json`` (the persona as a channel, the organic users in a group) and a
Bluesky Jetstream capture (with the profile and identity events that carry names and handles), next to the
same X API v2 JSON lines, and the formats are detected, not named. The operation must still come out as one
campaign spanning the three platforms, with cross-platform evidence between every pair of its personas.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from lockstep import ingest
from lockstep.analysis import analyze
from lockstep.store import Store
from lockstep.traces import DetectParams, detect
from lockstep.traces.cross_platform import split_account

from .test_cross_platform import NARRATIVES, _plant

CHANNEL_ID = 1_700_000_001
GROUP_ID = 1_700_000_002
OPERATION = {
    ("telegram", f"channel{CHANNEL_ID}"),
    ("bluesky", "did:plc:harbourtruth0001"),
    ("twitter", "990000000000000001"),
}


def _epoch(text: str) -> int:
    return int(dt.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC).timestamp())


def _telegram_exports(csv_path: Path, folder: Path) -> list[Path]:
    """The mapped Telegram CSV as two Desktop exports: the persona's channel and the organic users' group."""
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    channel: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for r in rows:
        t = _epoch(r["created_at"])
        msg: dict[str, Any] = {
            "type": "message",
            "date": dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(t),
            "text": r["text"],
        }
        if r["account_id"] == "tg_harbour_truth":
            msg |= {"id": len(channel) + 1, "from": "Harbour Truth", "from_id": f"channel{CHANNEL_ID}"}
            if r["media"]:
                msg |= {"photo": r["media"], "width": 1280, "height": 720}
            channel.append(msg)
        else:
            k = r["account_id"].removeprefix("tg_user")
            msg |= {"id": len(group) + 1, "from": r["display_name"], "from_id": f"user{500 + int(k)}"}
            group.append(msg)
    paths = []
    for name, chat in (
        ("channel", {"name": "Harbour Truth", "type": "public_channel", "id": CHANNEL_ID, "messages": channel}),
        ("group", {"name": "Harbour readers", "type": "public_supergroup", "id": GROUP_ID, "messages": group}),
    ):
        path = folder / f"telegram_{name}" / "result.json"
        path.parent.mkdir()
        path.write_text(json.dumps(chat, ensure_ascii=False, indent=1), encoding="utf-8")
        paths.append(path)
    return paths


def _jetstream(csv_path: Path, path: Path) -> Path:
    """The Bluesky CSV as a Jetstream capture: identity and profile events, then one commit per post."""
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lines: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in rows:
        did, t = r["author_did"], _epoch(r["created_at"])
        if did not in seen:
            seen.add(did)
            lines.append(
                {
                    "did": did,
                    "time_us": (t - 60) * 1_000_000,
                    "kind": "identity",
                    "identity": {"did": did, "handle": r["author_handle"], "seq": 1, "time": r["created_at"]},
                }
            )
            profile = {"$type": "app.bsky.actor.profile", "displayName": r["author_display_name"]}
            if r["author_description"]:
                profile["description"] = r["author_description"]
            lines.append(
                {
                    "did": did,
                    "time_us": (t - 59) * 1_000_000,
                    "kind": "commit",
                    "commit": {
                        "rev": "3kprofile",
                        "operation": "create",
                        "collection": "app.bsky.actor.profile",
                        "rkey": "self",
                        "record": profile,
                        "cid": f"bafyprofile{len(seen)}",
                    },
                }
            )
        rkey = r["uri"].rsplit("/", 1)[-1]
        lines.append(
            {
                "did": did,
                "time_us": t * 1_000_000 + 1234,
                "kind": "commit",
                "commit": {
                    "rev": rkey,
                    "operation": "create",
                    "collection": "app.bsky.feed.post",
                    "rkey": rkey,
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "createdAt": r["created_at"],
                        "langs": ["en"],
                        "text": r["text"],
                    },
                    "cid": r["cid"],
                },
            }
        )
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_native_exports_link_the_operation_across_three_platforms(store: Store, tmp_path: Path) -> None:
    tg_csv, bs_csv, x_path = _plant(tmp_path)
    native = tmp_path / "native"
    native.mkdir()
    files = [*_telegram_exports(tg_csv, native), _jetstream(bs_csv, native / "jetstream.jsonl"), x_path]
    report = ingest(store, files)
    assert [f.format for f in report.files] == ["telegram", "telegram", "bluesky", "twarc2"]
    assert report.total("quarantined") == 0
    counts = dict(store.con.execute("SELECT platform, count(*) FROM posts GROUP BY 1").fetchall())
    assert counts == {"telegram": 105, "bluesky": 105, "twitter": 105}
    for i in range(len(NARRATIVES)):  # the two platforms' copies of each image hash alike (`lockstep media hash`)
        for ref in (f"photos/photo_{i + 1}@06-05-2024_09-00-00.jpg", f"https://pbs.twimg.com/media/GN{i + 1}xYz.jpg"):
            store.con.execute("INSERT INTO media_hashes VALUES (?, 'pdq', ?, 100, 'test')", [ref, f"{i + 1:x}" * 64])

    detect(store, params=DetectParams(seed=1))
    analyze(store, seed=1)

    camps = store.con.execute("SELECT campaign, summary FROM campaigns").fetchall()
    assert len(camps) == 1
    cid, summary_json = camps[0]
    summary = json.loads(summary_json)
    members = set(
        store.con.execute("SELECT platform, account_id FROM account_scores WHERE community = ?", [cid]).fetchall()
    )
    assert members == OPERATION
    assert summary["platforms"] == ["bluesky", "telegram", "twitter"]
    pairs = {
        frozenset([(e["platform_a"], e["account_a"]), (e["platform_b"], e["account_b"])])
        for e in summary["cross_platform"]
    }
    assert len(pairs) == 3  # every pair of the three personas
    traces = {e["trace"] for e in summary["cross_platform"]}
    assert {"cross-platform-text", "cross-platform-url", "cross-platform-media"} <= traces
    linked = store.con.execute(
        "SELECT DISTINCT account_a FROM edges WHERE trace LIKE 'cross-platform-%' "
        "UNION SELECT DISTINCT account_b FROM edges WHERE trace LIKE 'cross-platform-%'"
    ).fetchall()
    assert {split_account(a) for (a,) in linked} == OPERATION
