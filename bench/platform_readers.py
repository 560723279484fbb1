"""Platform reader throughput: a synthetic Telegram ``result.json`` and Jetstream JSON lines, time and peak RSS.

Usage: python bench/platform_readers.py [--messages 200000] [--out bench/results/platform_readers.json]

Each export is generated with a fixed seed, then ingested into a fresh store in its own subprocess (so peak
RSS is that ingest's alone). The table reports the whole ingest (read, check, deduplicate, canonicalise URLs,
write) and, separately, the time and memory of streaming the Telegram document without mapping it, which is
what bounds the reader's own memory: it does not grow with the file.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

CODE = """
import json, resource, sys, time
from pathlib import Path
import lockstep
if sys.argv[1] == "walk":
    from lockstep.readers.jsonstream import walk_document
    from lockstep.readers.telegram import _plan
    t = time.perf_counter()
    n = sum(1 for _ in walk_document(Path(sys.argv[2]), _plan))
    print(json.dumps({"rows": n, "seconds": time.perf_counter() - t,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
else:
    s = lockstep.open_store(sys.argv[1])
    t = time.perf_counter()
    r = lockstep.ingest(s, [sys.argv[2]])
    print(json.dumps({"rows": r.total("rows_read"), "stored": r.total("posts_stored"),
                      "seconds": time.perf_counter() - t,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def telegram_export(path: Path, n: int, seed: int) -> None:
    """A public channel's export with list-valued text, entities, forwards and replies."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        f.write('{\n "name": "Bench Channel",\n "type": "public_channel",\n "id": 1234567890,\n "messages": [\n')
        for i in range(1, n + 1):
            tag, link = f"#tag{rng.randrange(50)}", f"https://example.test/a/{rng.randrange(1000)}"
            m: dict[str, object] = {
                "id": i,
                "type": "message",
                "date": "2024-03-01T10:00:00",
                "date_unixtime": str(1709287200 + i),
                "from": "Bench Channel",
                "from_id": "channel1234567890",
                "text": [f"Post {i} about ", {"type": "hashtag", "text": tag}, " see ", {"type": "link", "text": link}],
                "text_entities": [
                    {"type": "plain", "text": f"Post {i} about "},
                    {"type": "hashtag", "text": tag},
                    {"type": "plain", "text": " see "},
                    {"type": "link", "text": link},
                ],
            }
            if i % 7 == 0:
                m["forwarded_from"] = "Other Channel"
            if i % 11 == 0:
                m["reply_to_message_id"] = i - 1
            f.write(json.dumps(m, indent=1) + (",\n" if i < n else "\n"))
        f.write(" ]\n}\n")


def jetstream_lines(path: Path, n: int, seed: int) -> None:
    """Jetstream commit events: posts with tag facets, likes, reposts and follows by 20,000 accounts."""
    rng = random.Random(seed)
    created = "2024-09-09T19:46:02.102Z"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            did = f"did:plc:{rng.randrange(20000):020d}"
            subject = {"cid": "bafy", "uri": f"at://did:plc:x/app.bsky.feed.post/{rng.randrange(5000)}"}
            kind = i % 4
            if kind == 0:
                tag = f"tag{rng.randrange(30)}"
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": tag}
                coll, rec = (
                    "app.bsky.feed.post",
                    {
                        "text": f"post {i} #{tag}",
                        "langs": ["en"],
                        "facets": [{"index": {"byteStart": 0, "byteEnd": 4}, "features": [feature]}],
                    },
                )
            elif kind == 1:
                coll, rec = "app.bsky.feed.like", {"subject": subject}
            elif kind == 2:
                coll, rec = "app.bsky.feed.repost", {"subject": subject}
            else:
                coll, rec = "app.bsky.graph.follow", {"subject": f"did:plc:{rng.randrange(7000):020d}"}
            record = {"$type": coll, "createdAt": created, **rec}
            commit = {"rev": "r", "operation": "create", "collection": coll, "rkey": f"k{i}", "record": record}
            f.write(
                json.dumps({"did": did, "time_us": 1725911162000000 + i * 1000, "kind": "commit", "commit": commit})
            )
            f.write("\n")


def run(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CODE, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "platform_readers.json"))
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        telegram_export(d / "result.json", args.messages, args.seed)
        jetstream_lines(d / "jetstream.jsonl", args.messages, args.seed)
        for name, arg in (
            ("telegram stream only", ("walk", str(d / "result.json"))),
            ("telegram ingest", (str(d / "t.duckdb"), str(d / "result.json"))),
            ("jetstream ingest", (str(d / "j.duckdb"), str(d / "jetstream.jsonl"))),
        ):
            size = (d / ("jetstream.jsonl" if "jetstream" in name else "result.json")).stat().st_size
            r = run(*arg)
            results.append({"case": name, "file_mb": size / 2**20, **r, "rows_per_s": r["rows"] / r["seconds"]})
    print(f"{'case':<22} {'file MB':>8} {'rows':>9} {'seconds':>8} {'rows/s':>8} {'peak RSS MB':>12}")
    for r in results:
        print(
            f"{r['case']:<22} {r['file_mb']:>8.0f} {r['rows']:>9,.0f} {r['seconds']:>8.1f} "
            f"{r['rows_per_s']:>8,.0f} {r['peak_rss_mb']:>12,.0f}"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"messages": args.messages, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
