"""A/B of the signals step of ``analyze``: this checkout against another, interleaved, on copies of one store.

Usage: python bench/signals_ab.py STORE --other-src /path/to/old/src [--pairs 3] [--tz 8] [--out FILE.json]

STORE must hold communities (run ``analyze`` once; ``bench/end_to_end.py --keep DIR`` leaves one). Each run is
its own process on a fresh copy of STORE (``lockstep.signals.run_signals`` per signal, timed; Python start and
imports excluded, the first signal pays the engine's imports). Each pair runs ``other``, then this checkout
twice: ``this_cold`` with an empty plan cache (``LOCKSTEP_CACHE_DIR`` a new folder: the first ``analyze`` after
an install or a code change pays importing Ibis and compiling every ported signal,
:mod:`lockstep.engine.signals.plans`) and ``this_warm`` with the cache that run filled (every later
``analyze``). Prints a table of seconds per signal (median over the pairs) and writes JSON with every run.
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
from pathlib import Path

RUN = """
import json, sys, time
import pyarrow  # analyze imports it before its signals step (lockstep.analysis); not charged to a signal
import lockstep.signals.run
from lockstep.signals import SIGNALS, run_signals
from lockstep.store import open_store
with open_store(sys.argv[1]) as s:
    per = {}
    for name in sorted(SIGNALS):
        t0 = time.perf_counter()
        run_signals(s, [name], tz_offset_hours=float(sys.argv[2]))
        per[name] = time.perf_counter() - t0
    rows = s.con.execute("SELECT count(*) FROM signals").fetchone()[0]
print(json.dumps({"per": per, "total": sum(per.values()), "rows": rows}))
"""


CODES = ("other", "this_cold", "this_warm")


def _run(src: str, store: Path, tz: float, tmp: Path, cache: Path) -> dict[str, object]:
    work = tmp / "copy.duckdb"
    shutil.copy(store, work)
    env = {**os.environ, "PYTHONPATH": src, "LOCKSTEP_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(work), str(tz)], env=env, capture_output=True, text=True, check=True
    )
    work.unlink()
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--other-src", required=True, help="src/ folder of the checkout to compare against")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--tz", type=float, default=8.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    this_src = str(Path(__file__).resolve().parent.parent / "src")
    runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="signals-ab-") as tmp:
        for i in range(args.pairs):
            cache = Path(tmp) / f"cache{i}"  # empty for this_cold, filled by it for this_warm
            for label in CODES:
                load = _load()
                r = _run(args.other_src if label == "other" else this_src, args.store, args.tz, Path(tmp), cache)
                runs.append({"pair": i, "code": label, "load1": load, **r})
                print(f"pair {i} {label:<9} load {load:>6}  total {float(r['total']):7.2f} s", flush=True)  # type: ignore[arg-type]
            shutil.rmtree(cache, ignore_errors=True)
    names = sorted(runs[0]["per"])  # type: ignore[call-overload]
    print(f"\n{'signal':<16}" + "".join(f"{c + ' (s)':>16}" for c in CODES))
    for name in [*names, "total"]:
        cols = []
        for label in CODES:
            vals = [r["total"] if name == "total" else r["per"][name] for r in runs if r["code"] == label]  # type: ignore[index]
            cols.append(statistics.median(vals))  # type: ignore[type-var]
        print(f"{name:<16}" + "".join(f"{c:>16.2f}" for c in cols))
    if args.out:
        Path(args.out).write_text(json.dumps({"store": str(args.store), "tz": args.tz, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
