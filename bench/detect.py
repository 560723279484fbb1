"""Detection benchmark: every trace on the shared IRA data (1,166,601 posts), time and peak RSS.

Usage: python bench/detect.py [--null-replicates 10] [--memory-limit 2GB] [--out bench/results/detect.json]

Ingests the IRA parquet into a fresh store (not timed here; see bench/ingest.py), then runs `detect` for all
traces in one subprocess and prints the per-trace table from the run's own accounting.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

CODE = """
import json, sys, time, resource, lockstep
from lockstep.traces import DetectParams, detect
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[3])
lockstep.ingest(s, [sys.argv[2]])
t = time.perf_counter()
r = detect(s, params=DetectParams(null_replicates=int(sys.argv[4])))
total = time.perf_counter() - t
print(json.dumps({"seconds": total, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "traces": [t.__dict__ for t in r.traces]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--null-replicates", type=int, default=10)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "detect.json"))
    args = ap.parse_args()
    ira = SHARED / "ira" / "tweets.parquet"
    if not ira.exists():
        sys.exit(f"needs {ira}")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                CODE,
                str(Path(tmp) / "d.duckdb"),
                str(ira),
                args.memory_limit,
                str(args.null_replicates),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    res = json.loads(out.stdout)
    print(f"{'trace':<18} {'actions':>9} {'items':>9} {'capped':>7} {'pairs':>9} {'edges':>7} {'seconds':>8}")
    for t in res["traces"]:
        print(
            f"{t['trace']:<18} {t['actions']:>9,} {t['items']:>9,} {t['capped_items']:>7,} {t['pairs']:>9,} "
            f"{t['edges']:>7,} {t['seconds']:>8.1f}"
        )
    print(
        f"all traces: {res['seconds']:.1f} s, peak RSS {res['peak_rss_mb']:,.0f} MB "
        f"(null replicates {args.null_replicates})"
    )
    res["meta"] = {
        "null_replicates": args.null_replicates,
        "memory_limit": args.memory_limit,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
