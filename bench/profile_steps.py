"""Per-statement profile of ``ingest`` or ``detect`` on one store: where the time goes, trace by trace.

Usage: python bench/profile_steps.py STORE detect [--traces co-text,near-duplicate] [--memory-limit 8GB]
       python bench/profile_steps.py STORE ingest --csv FILE   (the ``bench/vs_cnt.py`` CSV layout)

Wraps the store's connection so that every statement Lockstep runs is timed, in wall and CPU seconds (CPU: user +
system of the process, DuckDB's threads included, less distorted by a shared machine's load; its first 110
characters are the label), groups the time by trace (detect) and prints the total, the peak RSS, the time per
trace and the top statements; writes the same as JSON (``--out``, default
``bench/results/profile_<step>.json``). Statements run on other connections (ingest's scratch check that DuckDB
reads the CSV cleanly) and Python work between statements are in the total only. Detect replaces the store's
earlier edges: profile a copy of the store.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import lockstep
from lockstep.traces import detect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vs_cnt import CSV_MAPPING


def cpu_seconds() -> float:
    """User + system CPU time of this process so far, all threads (DuckDB's workers included)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class TimedConnection:
    """A DuckDB connection whose ``execute`` calls are timed (wall and CPU seconds) and labelled with the
    current ``tag``."""

    def __init__(self, con: Any, live: Any = None) -> None:
        self._con = con
        self.log: list[tuple[str, float, str]] = []
        self.cpu: list[float] = []
        self.tag = ""
        self.live = live  # an open text file: each statement is appended as it ends (long runs, killed runs)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), cpu_seconds()
        result = self._con.execute(sql, *args, **kwargs)
        self.log.append((self.tag, time.perf_counter() - started, re.sub(r"\s+", " ", sql.strip())[:110]))
        self.cpu.append(cpu_seconds() - cpu)
        if self.live is not None:
            tag, secs, head = self.log[-1]
            stamp = time.strftime("%H:%M:%S", time.gmtime())
            print(f"{stamp} {secs:8.2f} {self.cpu[-1]:8.2f}  {tag:<22} {head}", file=self.live, flush=True)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("step", choices=("ingest", "detect"))
    ap.add_argument("--csv", help="input for ingest (the bench/vs_cnt.py layout)")
    ap.add_argument("--traces", default="", help="comma-separated traces for detect (default: all)")
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", default=None)
    ap.add_argument("--live", default=None, help="append each statement (time, wall s, CPU s, trace) to this file")
    args = ap.parse_args()
    if args.step == "ingest" and not args.csv:
        ap.error("ingest needs --csv FILE")
    store = lockstep.open_store(args.store, memory_limit=args.memory_limit)
    live = open(args.live, "a", encoding="utf-8") if args.live else None  # noqa: SIM115 - open until exit
    timed = TimedConnection(store.con, live)
    store.con = timed  # type: ignore[assignment]
    started, cpu_started = time.perf_counter(), cpu_seconds()
    if args.step == "ingest":
        print(lockstep.ingest(store, [args.csv], format="generic", mapping=CSV_MAPPING).summary())
    else:

        def progress(name: str, i: int, n: int) -> None:
            timed.tag = name

        chosen = args.traces.split(",") if args.traces else None
        print(detect(store, chosen, progress=progress).summary())
    total, total_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    by_tag: dict[str, float] = {}
    cpu_by_tag: dict[str, float] = {}
    for (tag, secs, _), cpu in zip(timed.log, timed.cpu, strict=True):
        by_tag[tag or "-"] = by_tag.get(tag or "-", 0.0) + secs
        cpu_by_tag[tag or "-"] = cpu_by_tag.get(tag or "-", 0.0) + cpu
    print(f"total {total:.2f} s ({total_cpu:.2f} s CPU), peak RSS {peak_mb:,.0f} MB")
    for tag, secs in sorted(by_tag.items(), key=lambda x: -x[1]):
        print(f"  {tag:<28} {secs:8.2f} s ({cpu_by_tag[tag]:.2f} s CPU)")
    top = sorted(zip(timed.log, timed.cpu, strict=True), key=lambda x: -x[0][1])[: args.top]
    print("top statements (wall s, CPU s):")
    for (tag, secs, head), cpu in top:
        print(f"{secs:8.2f} {cpu:8.2f}  {tag:<22} {head}")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None
    out = Path(args.out or Path(__file__).parent / "results" / f"profile_{args.step}.json")
    out.write_text(
        json.dumps(
            {
                "step": args.step,
                "store": args.store,
                "total_s": round(total, 3),
                "total_cpu_s": round(total_cpu, 3),
                "peak_rss_mb": round(peak_mb),
                "by_trace_s": {k: round(v, 3) for k, v in by_tag.items()},
                "by_trace_cpu_s": {k: round(v, 3) for k, v in cpu_by_tag.items()},
                "top": [
                    {"trace": t, "seconds": round(s, 3), "cpu_s": round(c, 3), "statement": h} for (t, s, h), c in top
                ],
                "load_average": load,
            },
            indent=1,
        )
    )
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
