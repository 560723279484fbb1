"""Interleaved A/B of ``detect`` between two checkouts on copies of one store, with a diff of their output.

Usage: python bench/detect_ab.py STORE --a /path/to/old/src --b /path/to/new/src [--pairs 3]
       [--memory-limit 2GB] [--traces near-duplicate] [--work DIR] [--out bench/results/detect_ab.json]

Each run copies ``STORE`` (a store with posts, e.g. the one ``bench/end_to_end.py --keep`` leaves) and runs
every default trace with default parameters in its own process, with ``PYTHONPATH`` set to the checkout's
``src`` (order: a, b, a, b, ...; ``--first b`` for b, a, b, a, ...), timing the process (start-up and
imports included, as a CLI user pays), its CPU seconds (less distorted by load) and its peak RSS. The first
copy of each side is kept and compared with ``bench/diff_detect.py`` (edges, weights, evidence, p-values, run
counts; of ``--traces`` only when given). Prints the runs, the medians and the diff; writes JSON with the load
average before each run (``/proc/loadavg``), since on a shared machine only pairs run back to back compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff_detect import diff, equal

CODE = """
import json, resource, sys, time
t0 = time.perf_counter()
import lockstep
from lockstep.traces import detect
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[2])
r = detect(s, sys.argv[3].split(",") if len(sys.argv) > 3 else None)
s.close()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
                  "peak_rss_mb": ru.ru_maxrss / 1024,
                  "traces": {t.trace: round(t.seconds, 3) for t in r.traces}, "code": lockstep.__file__}))
"""


def _load() -> list[str] | None:
    p = Path("/proc/loadavg")
    return p.read_text().split()[:3] if p.exists() else None


def run_once(store: Path, src: str, copy: Path, memory_limit: str, traces: str = "") -> dict[str, object]:
    """Copy ``store`` to ``copy`` and time one detect of it (``traces``: comma-separated, default all) with the
    code under ``src``; wall and CPU seconds (user + system, DuckDB's threads included) of the process."""
    shutil.copy(store, copy)
    env = {**os.environ, "PYTHONPATH": src}
    load = _load()
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(copy), memory_limit, *([traces] if traces else [])],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    res: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall_s"] = round(time.perf_counter() - started, 3)
    res["load_before"] = load
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--a", required=True, help="the old checkout's src folder")
    ap.add_argument("--b", required=True, help="the new checkout's src folder")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--first", choices=("a", "b"), default="a", help="which side runs first in each pair")
    ap.add_argument("--traces", default="", help="comma-separated traces (default: all)")
    ap.add_argument("--work", default=None, help="folder for the copies (default: next to the store)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "detect_ab.json"))
    args = ap.parse_args()
    store = Path(args.store)
    work = Path(args.work) if args.work else store.parent
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, object]]] = {"a": [], "b": []}
    for i in range(args.pairs):
        sides = (("a", args.a), ("b", args.b))
        for side, src in sides if args.first == "a" else sides[::-1]:
            copy = work / f"ab_{side}{'' if i == 0 else '_tmp'}.duckdb"
            res = run_once(store, src, copy, args.memory_limit, args.traces)
            runs[side].append(res)
            print(
                f"pair {i + 1} {side}: {res['wall_s']:8.2f} s ({res['cpu_s']:.2f} s CPU), "
                f"peak {res['peak_rss_mb']:,.0f} MB, "
                f"load {res['load_before']}",
                flush=True,
            )
            if i:
                copy.unlink()
    med = {side: statistics.median(float(r["wall_s"]) for r in rs) for side, rs in runs.items()}  # type: ignore[arg-type]
    cpu = {side: statistics.median(float(r["cpu_s"]) for r in rs) for side, rs in runs.items()}  # type: ignore[arg-type]
    print(f"median a {med['a']:.2f} s, b {med['b']:.2f} s, a / b {med['a'] / med['b']:.2f}x")
    print(f"median CPU a {cpu['a']:.2f} s, b {cpu['b']:.2f} s, a / b {cpu['a'] / cpu['b']:.2f}x")
    chosen = args.traces.split(",") if args.traces else None
    result = diff(str(work / "ab_a.duckdb"), str(work / "ab_b.duckdb"), traces=chosen)
    same = equal(result)
    print("output identical" if same else "output DIFFERENT: " + json.dumps(result, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            {
                "store": str(store),
                "a": args.a,
                "b": args.b,
                "memory_limit": args.memory_limit,
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "runs": runs,
                "traces": args.traces or "all",
                "median_s": med,
                "median_cpu_s": cpu,
                "identical": same,
                "diff": result,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
