"""End-to-end benchmark: ingest + detect + analyze on the vs_cnt input, time and peak RSS per step.

Usage: python bench/end_to_end.py [--scale 1] [--memory-limit 2GB] [--out bench/results/end_to_end_x1.json]

Scale 1 is the 1,020,000-row input of ``bench/vs_cnt.py`` (50k users, retweets, originals with URLs, planted
groups); scale 10 is 10.2M rows. Each step runs in its own process on one store, so its peak RSS is its own
and its time includes starting Python and opening the store, as a user of the CLI pays. ``detect`` runs
every registered trace with default parameters; ``analyze`` fuses them into campaigns. Prints a table and
writes JSON. The 100M-post streamed run is not implemented here.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_cnt import generate, timed

STEP = """
import sys, lockstep
from lockstep.analysis import analyze
from lockstep.traces import detect
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[2])
step = sys.argv[3]
if step == "ingest":
    lockstep.ingest(s, [sys.argv[4]], format="generic", mapping={
        "post_id": "message_id", "account_id": "user_id", "handle": "username", "repost_of": "repost_id",
        "reply_to": "reply_id", "text": "message", "created_at": "timestamp", "urls": "urls", "platform": "bench"})
elif step == "detect":
    detect(s)
else:
    analyze(s, seed=0)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out_path = Path(args.out or Path(__file__).parent / "results" / f"end_to_end_x{args.scale}.json")
    result: dict[str, object] = {
        "scale": args.scale,
        "memory_limit": args.memory_limit,
        "machine": platform.platform(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    steps: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "input.csv"
        result["input"] = generate(data, args.scale, args.seed)
        db = str(tmp / "e2e.duckdb")
        for step in ("ingest", "detect", "analyze"):
            secs, rss = timed([sys.executable, "-c", STEP, db, args.memory_limit, step, str(data)])
            steps[step] = {"seconds": round(secs, 2), "peak_rss_mb": round(rss)}
            print(f"{step:8s} {secs:8.2f} s {rss:8.0f} MB", flush=True)
    total = sum(s["seconds"] for s in steps.values())
    print(f"{'total':8s} {total:8.2f} s {max(s['peak_rss_mb'] for s in steps.values()):8.0f} MB (max)")
    result["steps"] = steps
    result["total_s"] = round(total, 2)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
