"""Each trace's actions on the default engine: the hand-written DuckDB SQL of an older checkout against the
trace's Ibis definition compiled (:mod:`lockstep.engine.trace_plans`), on one store, in one process.

Usage: python bench/actions_compiled_ab.py STORE --old-src /path/to/old/src [--reps 2] [--memory-limit 2GB]
       [--traces co-text,co-link] [--out bench/results/actions_compiled_s20actions.json]

``--old-src`` is the ``src`` folder of a checkout whose traces still carry ``actions_sql`` (``main`` before
issue 14's "actions written once"); their SQL is read in a subprocess. Each trace's actions are created as a temp
table both ways, alternately (old, new, old, new, ...), on a copy of ``STORE``; the plan is compiled before the
timed runs. Prints wall and process CPU seconds of each, and whether the two tables hold the same rows (as a
multiset; a cross-platform trace's old actions are encoded as the default engine did). A store holding one
platform gives no cross-platform actions on the new side (the engine skips those traces there anyway).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DUMP = (
    "import json; from lockstep.traces import TRACES; print(json.dumps({n: t.actions_sql for n, t in TRACES.items()}))"
)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--old-src", required=True)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--traces", default=None)
    ap.add_argument("--out", default="bench/results/actions_compiled_s20actions.json")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": args.old_src}
    old = json.loads(subprocess.run([sys.executable, "-c", DUMP], env=env, check=True, capture_output=True).stdout)

    import lockstep
    from lockstep.engine import trace_plans
    from lockstep.traces import TRACES, DetectParams
    from lockstep.traces.cross_platform import cross_platform_actions

    work = Path(tempfile.mkdtemp(prefix="actions-ab-"))
    copy = work / "store.duckdb"
    shutil.copy(args.store, copy)
    store = lockstep.open_store(copy, memory_limit=args.memory_limit)
    con, params = store.con, DetectParams()
    names = args.traces.split(",") if args.traces else sorted(n for n, t in TRACES.items() if t.duckdb_actions is None)
    out: dict[str, dict[str, object]] = {}
    for name in names:
        trace = TRACES[name]
        with trace_plans.actions_query(con, trace, params):
            pass  # compiled (or read from the cache) before timing
        runs: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for _ in range(args.reps):
            for side in ("old", "new"):
                t0, c0 = time.perf_counter(), _cpu()
                if side == "old":
                    con.execute(f"CREATE OR REPLACE TEMP TABLE a_old AS {old[name]}")
                    if trace.cross_platform:
                        con.execute(f"CREATE OR REPLACE TEMP TABLE a_old AS {cross_platform_actions('a_old')}")
                else:
                    trace_plans.create_actions(con, trace, params, "a_new")
                runs[side].append((round(time.perf_counter() - t0, 3), round(_cpu() - c0, 3)))
        row = con.execute(
            """SELECT (SELECT count(*) FROM a_old), (SELECT count(*) FROM a_new),
                      (SELECT count(*) FROM (SELECT * FROM a_old EXCEPT ALL SELECT * FROM a_new)),
                      (SELECT count(*) FROM (SELECT * FROM a_new EXCEPT ALL SELECT * FROM a_old))"""
        ).fetchone()
        assert row is not None
        out[name] = {"wall_cpu_s": runs, "rows_old": row[0], "rows_new": row[1], "only_old": row[2], "only_new": row[3]}
        print(
            f"{name:22s} old {runs['old']}  new {runs['new']}  rows {row[0]:,} / {row[1]:,}, differ {row[2]} / {row[3]}"
        )
    store.close()
    shutil.rmtree(work)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None
    Path(args.out).write_text(json.dumps({"store": args.store, "load_after": load, "traces": out}, indent=1))


if __name__ == "__main__":
    main()
