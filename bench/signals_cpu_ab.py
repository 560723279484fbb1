"""A/B of the ported signals on the store's DuckDB: wall and CPU per signal, and the rows compared, old vs new.

Usage: python bench/signals_cpu_ab.py STORE --other-src /path/to/old/src [--pairs 3] [--out FILE.json]

STORE must hold communities (``account_scores``: run ``analyze`` once). Each run is its own process on a fresh
copy of STORE and computes every ported signal from its compiled plan (:mod:`lockstep.engine.signals.plans`),
timing wall and process CPU (``getrusage``: every DuckDB thread) per signal; plan caches are warmed by an untimed
run of each side first, so no run imports Ibis. Pairs are interleaved (``other`` then ``this``) since the shared
machine's load moves. Each side's rows are written to Parquet and compared: exactly, and as
``tests/test_signal_plans.py`` compares (doubles to a relative 1e-12). Prints a table (medians) and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RUN = """
import json, resource, sys, time
import pyarrow as pa, pyarrow.parquet as pq
from lockstep.engine import embedded
from lockstep.engine.signals import PORTED, signal_rows
from lockstep.signals.base import SignalContext
from lockstep.store import open_store

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

with open_store(sys.argv[1]) as s:
    per, out = {}, []
    for name in PORTED:
        t0, c0 = time.perf_counter(), cpu()
        out.append(signal_rows(s, [name], SignalContext())[name])
        per[name] = [time.perf_counter() - t0, cpu() - c0]
pq.write_table(pa.concat_tables(out), sys.argv[2])
print(json.dumps({"per": per, "wall": sum(w for w, _ in per.values()), "cpu": sum(c for _, c in per.values())}))
"""

SIDES = ("other", "this")


def _run(src: str, store: Path, tmp: Path, cache: Path, rows: Path) -> dict[str, Any]:
    work = tmp / "copy.duckdb"
    shutil.copy(store, work)
    env = {**os.environ, "PYTHONPATH": src, "LOCKSTEP_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(work), str(rows)], env=env, capture_output=True, text=True, check=True
    )
    work.unlink()
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _same(a: object, b: object) -> bool:
    """As ``tests/test_signal_plans.py``: doubles to a relative 1e-12, JSON details field by field."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
    if isinstance(a, str) and isinstance(b, str) and a.startswith("{") and b.startswith("{"):
        return _same(json.loads(a), json.loads(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def compare(a: Path, b: Path) -> dict[str, Any]:
    """Rows of two runs: counts, exactly equal rows, equal to 1e-12, the signals with last-bit differences."""
    import duckdb

    con = duckdb.connect()
    q = "SELECT * FROM read_parquet(?) ORDER BY scope, platform, subject, signal, detail"
    ra, rb = con.execute(q, [str(a)]).fetchall(), con.execute(q, [str(b)]).fetchall()
    pairs = list(zip(ra, rb, strict=False))
    return {
        "rows": [len(ra), len(rb)],
        "exactly_equal": sum(x == y for x, y in pairs),
        "same_to_1e-12": len(ra) == len(rb) and all(_same(x, y) for x, y in pairs),
        "last_bit_signals": sorted({str(x[3]) for x, y in pairs if x != y}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--other-src", required=True)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    store = Path(args.store)
    this_src = str(Path(__file__).resolve().parent.parent / "src")
    srcs = {"other": args.other_src, "this": this_src}
    with tempfile.TemporaryDirectory(prefix="signals-cpu-ab-") as d:
        tmp = Path(d)
        caches = {side: tmp / f"cache-{side}" for side in SIDES}
        for side in SIDES:  # warm each side's plan cache (untimed)
            _run(srcs[side], store, tmp, caches[side], tmp / f"warm-{side}.parquet")
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
        for i in range(args.pairs):
            for side in SIDES:
                r = _run(srcs[side], store, tmp, caches[side], tmp / f"{side}-{i}.parquet")
                r["load1"] = Path("/proc/loadavg").read_text().split()[0]
                runs[side].append(r)
                print(f"pair {i} {side:5s} wall {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  load {r['load1']}")
        rows = {
            "other_vs_this": compare(tmp / "other-0.parquet", tmp / "this-0.parquet"),
            "this_vs_this": compare(tmp / "this-0.parquet", tmp / f"this-{args.pairs - 1}.parquet"),
        }
    names = list(runs["this"][0]["per"])
    med = {
        side: {n: [statistics.median(r["per"][n][k] for r in runs[side]) for k in (0, 1)] for n in names}
        for side in SIDES
    }
    print(f"{'signal':16s} {'old wall':>9s} {'new wall':>9s} {'old cpu':>8s} {'new cpu':>8s}")
    for n in [*names]:
        o, t = med["other"][n], med["this"][n]
        print(f"{n:16s} {o[0]:9.2f} {t[0]:9.2f} {o[1]:8.2f} {t[1]:8.2f}")
    tot = {side: [statistics.median(r[k] for r in runs[side]) for k in ("wall", "cpu")] for side in SIDES}
    print(f"{'TOTAL':16s} {tot['other'][0]:9.2f} {tot['this'][0]:9.2f} {tot['other'][1]:8.2f} {tot['this'][1]:8.2f}")
    print(json.dumps(rows, indent=1))
    result = {"store": str(store), "other_src": args.other_src, "runs": runs, "median": med, "total": tot, **rows}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
