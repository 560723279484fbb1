"""End-to-end benchmark: ingest + detect + analyze on the vs_cnt input, time and peak RSS per step.

Usage: python bench/end_to_end.py [--scale 1] [--memory-limit 2GB] [--out bench/results/end_to_end_x1.json]
       python bench/end_to_end.py --scale 100 --keep DIR          (generates DIR/input.csv, about 9 GB)
       python bench/end_to_end.py --scale 100 --keep DIR --reuse-input   (times the steps on that CSV again)
       python bench/end_to_end.py --simulate-accounts 2700000 [--days 30] [--memory-limit 8GB] [--keep DIR]

Scale 1 is the 1,020,000-row input of ``bench/vs_cnt.py`` (50k users, retweets, originals with URLs, planted
groups); scale 10 is 10.2M rows. Each step runs in its own process on one store, so its peak RSS is its own
and its time includes starting Python and opening the store, as a user of the CLI pays. ``detect`` runs
every registered trace with default parameters; ``analyze`` fuses them into campaigns. Prints a table and
writes JSON.

``--simulate-accounts N`` replaces the generated CSV with a world from ``lockstep simulate`` (organic users,
hard negatives, planted operations), streamed to one Parquet file in 50,000-row batches, so the world never
sits in memory; the simulate step is timed too. The simulator writes about 1.2 posts per account per day:
2.7M accounts over 30 days is the 100M-post world (its generator is plain Python, 17-40k posts/s, so that
run is hours of generation before ingest starts).
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

from vs_cnt import generate, timed, with_mapping

STEP = with_mapping(
    """
import sys, lockstep
from lockstep.analysis import analyze
from lockstep.traces import detect
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[2])
step = sys.argv[3]
if step == "ingest" and sys.argv[4].endswith(".csv"):
    lockstep.ingest(s, [sys.argv[4]], format="generic", mapping=CSV_MAPPING)
elif step == "ingest":
    lockstep.ingest(s, sys.argv[4:])
elif step == "detect":
    detect(s)
else:
    analyze(s, seed=0)
"""
)

SIMULATE = """
import json, sys
from pathlib import Path
from lockstep.simulate import SimulationConfig, write_world
r = write_world(SimulationConfig(accounts=int(sys.argv[1]), days=int(sys.argv[2]), seed=int(sys.argv[3])),
                sys.argv[4], formats=("parquet",))
Path(sys.argv[4], "summary.json").write_text(json.dumps({"accounts": r.accounts, "posts": r.posts}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--simulate-accounts", type=int, default=None, help="input from the simulator instead")
    ap.add_argument("--days", type=int, default=30, help="days simulated (with --simulate-accounts)")
    ap.add_argument("--keep", default=None, help="folder for the input and store (kept); default a temp folder")
    ap.add_argument("--out", default=None)
    ap.add_argument(
        "--reuse-input",
        action="store_true",
        help="with --keep: time the steps on the input.csv already in DIR instead of generating it again",
    )
    args = ap.parse_args()
    name = f"sim{args.simulate_accounts}x{args.days}d" if args.simulate_accounts else f"x{args.scale}"
    out_path = Path(args.out or Path(__file__).parent / "results" / f"end_to_end_{name}.json")
    result: dict[str, object] = {
        "scale": None if args.simulate_accounts else args.scale,
        "simulate_accounts": args.simulate_accounts,
        "days": args.days if args.simulate_accounts else None,
        "memory_limit": args.memory_limit,
        "machine": platform.platform(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    steps: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(args.keep) if args.keep else Path(tmpdir)
        tmp.mkdir(parents=True, exist_ok=True)
        if args.simulate_accounts:
            world = tmp / "world"
            cmd = [
                sys.executable,
                "-c",
                SIMULATE,
                str(args.simulate_accounts),
                str(args.days),
                str(args.seed),
                str(world),
            ]
            secs, rss = timed(cmd)
            steps["simulate"] = {"seconds": round(secs, 2), "peak_rss_mb": round(rss)}
            print(f"{'simulate':8s} {secs:8.2f} s {rss:8.0f} MB", flush=True)
            inputs = [str(world / "tweets.parquet"), str(world / "users.csv")]
            result["input"] = json.loads((world / "summary.json").read_text())
        else:
            data = tmp / "input.csv"
            if args.reuse_input and data.exists():
                result["input"] = {"reused": str(data), "bytes": data.stat().st_size}
            else:
                result["input"] = generate(data, args.scale, args.seed)
            inputs = [str(data)]
        print(f"input: {result['input']}", flush=True)
        db = str(tmp / "e2e.duckdb")
        for stale in (Path(db), Path(db + ".wal")):
            stale.unlink(missing_ok=True)  # a kept folder's store from an earlier run would make ingest a no-op
        for step in ("ingest", "detect", "analyze"):
            secs, rss = timed([sys.executable, "-c", STEP, db, args.memory_limit, step, *inputs])
            steps[step] = {"seconds": round(secs, 2), "peak_rss_mb": round(rss)}
            print(f"{step:8s} {secs:8.2f} s {rss:8.0f} MB", flush=True)
            result["steps"] = steps
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(result, indent=2) + "\n")  # partial results survive a kill
    total = sum(s["seconds"] for s in steps.values())
    print(f"{'total':8s} {total:8.2f} s {max(s['peak_rss_mb'] for s in steps.values()):8.0f} MB (max)")
    result["steps"] = steps
    result["total_s"] = round(total, 2)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
