"""Time per stage vs posts: the default DuckDB engine next to the seam on local Spark (and on DuckDB).

Usage: python bench/spark_scale.py [--scale 1] [--traces co-retweet,co-link,co-text] [--master local[2]]
       [--engines default,spark] [--null-replicates 0] [--out bench/results/spark_scale_x1.json]

Input: the ``bench/vs_cnt.py`` world (1,020,000 rows at scale 1: 50k users, 600k retweets, 400k originals
with one URL each, planted groups; scale 10 is 10.2M). It is ingested once (not timed); each engine then
runs ``detect`` on its own copy of the store, in its own process, so every engine starts cold (the Spark
time includes starting the JVM). Stages: ``export`` (the store's input tables to Parquet), ``engine_start``
(Spark session, Parquet registration), per trace ``engine`` (actions, pairs, edges, evidence on the engine)
and ``store`` (null model on the driver and the write into the store). Also checks that every engine wrote
the same number of edges and evidence rows as the default engine. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_cnt import generate, with_mapping

INGEST = with_mapping(
    """
import sys, lockstep
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[2])
lockstep.ingest(s, [sys.argv[3]], format="generic", mapping=CSV_MAPPING)
"""
)

DETECT = """
import json, resource, sys, time, lockstep
from lockstep.traces import DetectParams, detect
db, memory, engine, master, traces, replicates = sys.argv[1:7]
s = lockstep.open_store(db, memory_limit=memory)
params = DetectParams(null_replicates=int(replicates))
timings = {}
t = time.perf_counter()
if engine == "default":
    r = detect(s, traces.split(","), params)
    for tr in r.traces:
        timings[tr.trace + ":engine"] = tr.seconds
else:
    from lockstep.engine import detect as seam
    r = seam(s, traces.split(","), params, engine=engine, master=master, timings=timings)
total = time.perf_counter() - t
counts = {n: s.con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in ("edges", "evidence")}
print(json.dumps({"seconds": total, "timings": timings, "counts": counts,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "traces": [{"trace": x.trace, "actions": x.actions, "pairs": x.pairs, "edges": x.edges}
                             for x in r.traces]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--traces", default="co-retweet,co-link,co-text")
    ap.add_argument("--engines", default="default,spark")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--null-replicates", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out_path = Path(args.out or Path(__file__).parent / "results" / f"spark_scale_x{args.scale}.json")
    result: dict[str, object] = {
        "scale": args.scale,
        "traces": args.traces.split(","),
        "master": args.master,
        "null_replicates": args.null_replicates,
        "machine": platform.platform(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    runs: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "input.csv"
        result["input"] = generate(data, args.scale, args.seed)
        base = tmp / "base.duckdb"
        subprocess.run([sys.executable, "-c", INGEST, str(base), args.memory_limit, str(data)], check=True)
        for engine in args.engines.split(","):
            db = tmp / f"{engine}.duckdb"
            shutil.copy(base, db)
            cmd = [sys.executable, "-c", DETECT, str(db), args.memory_limit, engine, args.master, args.traces]
            t = time.perf_counter()
            out = subprocess.run([*cmd, str(args.null_replicates)], check=True, capture_output=True, text=True)
            run = json.loads(out.stdout.strip().splitlines()[-1])
            run["wall_s"] = time.perf_counter() - t
            runs[engine] = run
            print(f"{engine}: {run['wall_s']:.1f} s wall, {run['seconds']:.1f} s in detect", flush=True)
    stages = sorted({k for r in runs.values() for k in r["timings"]}, key=lambda k: (":" in k, k))  # type: ignore[attr-defined]
    print(f"{'stage':<24}" + "".join(f"{e:>12}" for e in runs))
    for st in stages:
        print(f"{st:<24}" + "".join(f"{runs[e]['timings'].get(st, float('nan')):>12.2f}" for e in runs))  # type: ignore[attr-defined]
    print(f"{'detect total':<24}" + "".join(f"{runs[e]['seconds']:>12.2f}" for e in runs))
    print(f"{'process wall':<24}" + "".join(f"{runs[e]['wall_s']:>12.2f}" for e in runs))
    for e, r in runs.items():
        print(f"{e}: {r['counts']}")
    ref = runs.get("default", {}).get("counts")
    result["same_counts_as_default"] = {e: r["counts"] == ref for e, r in runs.items()} if ref else None
    result["runs"] = runs
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
