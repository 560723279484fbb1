"""Cross-platform traces: time on a synthetic three-platform store, against co-text on the same data.

Usage: python bench/cross_platform.py [--posts 150000] [--seed 0] [--out bench/results/cross_platform.json]

Writes one generic CSV per platform (telegram, bluesky, twitter; random 8-word texts over a 5,000-word
vocabulary, 30% with one of 100,000 URLs; ten posts per account; each user has the same display name and
handle stem on every platform, so persona linking has real work), ingests them (not timed), then times
``detect`` for each trace alone and prints a table from the run's own accounting.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

import lockstep
from lockstep.traces import detect

TRACES = ("co-text", "cross-platform-text", "cross-platform-url", "cross-platform-media", "cross-platform-persona")


def write_platform(path: Path, platform: str, posts: int, rng: random.Random) -> None:
    """One platform's posts as a generic CSV."""
    words = [f"w{i}" for i in range(5000)]
    start = dt.datetime(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["post_id", "account_id", "handle", "display_name", "created_at", "text"])
        for i in range(posts):
            a = rng.randrange(max(1, posts // 10))
            t = start + dt.timedelta(seconds=rng.randrange(86_400 * 30))
            url = f" https://site{rng.randrange(2000)}.example/p{rng.randrange(50)}" if rng.random() < 0.3 else ""
            text = " ".join(rng.choice(words) for _ in range(8)) + url
            w.writerow([f"{platform}{i}", f"u{a}", f"user_{a}_{platform[:2]}", f"User {a}", t.isoformat(), text])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=150_000, help="posts over the three platforms")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "cross_platform.json"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = lockstep.open_store(str(Path(tmp) / "s.duckdb"))
        for platform in ("telegram", "bluesky", "twitter"):
            path = Path(tmp) / f"{platform}.csv"
            write_platform(path, platform, args.posts // 3, rng)
            mapping = {"platform": platform, "handle": "handle", "display_name": "display_name"}
            lockstep.ingest(store, [path], format="generic", mapping=mapping)
        for trace in TRACES:
            t0 = time.perf_counter()
            report = detect(store, traces=[trace])
            seconds = time.perf_counter() - t0
            r = report.traces[0]
            rows.append(
                {"trace": trace, "actions": r.actions, "pairs": r.pairs, "edges": r.edges, "seconds": round(seconds, 2)}
            )
        store.close()
    print("| trace | posts | actions | pairs | edges | seconds |\n|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['trace']} | {args.posts:,} | {r['actions']:,} | {r['pairs']:,} | {r['edges']:,} | {r['seconds']} |"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"posts": args.posts, "seed": args.seed, "traces": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
