"""A/B of the signals step of ``analyze``: this checkout against another, interleaved, on copies of one store.

Usage: python bench/signals_ab.py STORE --other-src /path/to/old/src [--pairs 2] [--tz 8] [--out FILE.json]

STORE must hold communities (run ``analyze`` once; ``bench/end_to_end.py --keep DIR`` leaves one). Each run is
its own process on a fresh copy of STORE (``lockstep.signals.run_signals`` per signal, timed; Python start and
imports excluded, the first signal pays the engine's imports), alternating ``other`` and ``this`` so both see
the same load. Prints a table of seconds per signal (median over the pairs) and writes JSON with every run.
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


def _run(src: str, store: Path, tz: float, tmp: Path) -> dict[str, object]:
    work = tmp / "copy.duckdb"
    shutil.copy(store, work)
    env = {**os.environ, "PYTHONPATH": src}
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
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--tz", type=float, default=8.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    this_src = str(Path(__file__).resolve().parent.parent / "src")
    runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="signals-ab-") as tmp:
        for i in range(args.pairs):
            for label, src in (("other", args.other_src), ("this", this_src)):
                load = _load()
                r = _run(src, args.store, args.tz, Path(tmp))
                runs.append({"pair": i, "code": label, "load1": load, **r})
                print(f"pair {i} {label:<5} load {load:>6}  total {float(r['total']):7.2f} s", flush=True)  # type: ignore[arg-type]
    names = sorted(runs[0]["per"])  # type: ignore[call-overload]
    print(f"\n{'signal':<16}{'other (s)':>11}{'this (s)':>11}")
    for name in [*names, "total"]:
        cols = []
        for label in ("other", "this"):
            vals = [r["total"] if name == "total" else r["per"][name] for r in runs if r["code"] == label]  # type: ignore[index]
            cols.append(statistics.median(vals))  # type: ignore[type-var]
        print(f"{name:<16}{cols[0]:>11.2f}{cols[1]:>11.2f}")
    if args.out:
        Path(args.out).write_text(json.dumps({"store": str(args.store), "tz": args.tz, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
