"""Near-duplicate on the default engine: its DuckDB-specific ``prepare`` against its Ibis definition compiled.

Usage: python bench/neardup_compiled_ab.py STORE [--pairs 2] [--memory-limit 2GB] [--work DIR]
       [--out bench/results/neardup_compiled_s20actions.json]

Every other trace's default-engine actions are its Ibis definition compiled to DuckDB SQL
(:mod:`lockstep.engine.trace_plans`); near-duplicate keeps :func:`lockstep.traces.near_duplicates.build_actions`
(hash-keyed token sets) as its DuckDB implementation. This measures that choice: each run copies ``STORE`` and
runs ``detect(["near-duplicate"])`` in its own process, either as registered (``prepare``) or with the trace's
``seam_actions`` compiled (the same trace with ``duckdb_actions``/``prepare`` removed; its plan compiled once
before the timed runs, so the runs read it from the cache), sides interleaved. The first copy of each side is
diffed with ``bench/diff_detect.py``: the compiled definition names a pair of texts by post-id order (the store's
``posts`` has no ``row_id`` column), so evidence items may differ where edges do not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff_detect import diff

CODE = """
import json, resource, sys, time
from dataclasses import replace
t0 = time.perf_counter()
import lockstep
from lockstep.traces import TRACES, detect
if sys.argv[3] == "compiled":
    TRACES["near-duplicate"] = replace(TRACES["near-duplicate"], duckdb_actions=None, prepare=None)
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[2])
r = detect(s, ["near-duplicate"])
s.close()
print(json.dumps({"seconds": time.perf_counter() - t0, "trace_s": r.traces[0].seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "edges": r.traces[0].edges}))
"""


def _load() -> list[str] | None:
    p = Path("/proc/loadavg")
    return p.read_text().split()[:3] if p.exists() else None


def run_once(store: Path, copy: Path, side: str, memory_limit: str) -> dict[str, object]:
    """Copy ``store`` to ``copy`` and time near-duplicate's detect on it, ``side`` = prepare or compiled."""
    shutil.copy(store, copy)
    load = _load()
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(copy), memory_limit, side],
        env=dict(os.environ),
        check=True,
        capture_output=True,
        text=True,
    )
    res: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return {"side": side, "load": load, **res}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--work", default=None)
    ap.add_argument("--out", default="bench/results/neardup_compiled_s20actions.json")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="nd-ab-"))
    work.mkdir(parents=True, exist_ok=True)
    store = Path(args.store)
    t0 = time.perf_counter()
    cold = run_once(store, work / "warmup.duckdb", "compiled", args.memory_limit)  # compiles, fills the cache
    cold["wall_s"] = round(time.perf_counter() - t0, 3)
    runs = []
    for i in range(args.pairs):
        for side in ("prepare", "compiled"):
            res = run_once(store, work / f"{side}{i}.duckdb", side, args.memory_limit)
            print(json.dumps(res))
            runs.append(res)
    medians = {
        side: statistics.median(float(str(r["trace_s"])) for r in runs if r["side"] == side)
        for side in ("prepare", "compiled")
    }
    result = diff(str(work / "prepare0.duckdb"), str(work / "compiled0.duckdb"))
    nd = result.get("near-duplicate", {})
    print(f"cold compiled run (compile included): {cold['trace_s']:.1f} s")
    print(f"median near-duplicate seconds: prepare {medians['prepare']:.1f}, compiled {medians['compiled']:.1f}")
    print(f"diff: {json.dumps(nd)}")
    out = {"store": str(store), "cold_compiled": cold, "runs": runs, "median_trace_s": medians, "diff": nd}
    Path(args.out).write_text(json.dumps(out, indent=2), encoding="utf-8")
    for p in work.glob("*.duckdb*"):
        if p.name not in ("prepare0.duckdb", "compiled0.duckdb"):
            p.unlink()


if __name__ == "__main__":
    main()
