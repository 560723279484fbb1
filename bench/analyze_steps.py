"""Time each step of ``analyze`` in-process on an existing store, and fingerprint what it wrote.

Usage: python bench/analyze_steps.py STORE [--memory-limit 8GB] [--skip-signals] [--repeat 1]
       [--dump campaigns.parquet] [--statements 20] [--out bench/results/analyze_steps_<name>.json]

The store must hold detection results (``lockstep detect``); ``--skip-signals`` reuses the ``signals``
table already there (run one full ``analyze`` first), so fusion, communities and campaign assembly can be
profiled over and over without the signals; ``--only-campaigns`` times campaign assembly alone, on the
communities already there. Each step is timed with ``time.perf_counter`` in one process
(no start-up or store opening), and the campaigns table's content is hashed (``campaigns_md5``) so two
versions of the code can be compared on the same store; ``--dump`` writes the table itself to Parquet.
``--statements N`` also times every statement run on the store's connection (``bench/profile_steps.py``'s
wrapper, tagged with the step) and prints the N dearest by CPU seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lockstep
from lockstep.campaigns import assemble
from lockstep.network import FusionParams, find_communities, fuse
from lockstep.signals import run_signals

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_steps import TimedConnection

SIGNAL_OF = re.compile(r"'(\w+)\.\w+' AS \"signal\"|lockstep_signal_([a-z_]+?)_\d")


class StepConnection(TimedConnection):
    """:class:`TimedConnection` whose signal statements are tagged ``signals:<signal>`` (from the row label or the
    temp table a compiled plan names)."""

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        step = self.tag
        found = SIGNAL_OF.search(sql) if step == "signals" else None
        if found:
            self.tag = f"signals:{found.group(1) or found.group(2)}"
        try:
            return super().execute(sql, *args, **kwargs)
        finally:
            self.tag = step


CAMPAIGN_ROWS = (
    "SELECT campaign, rank, platform, accounts, coordination_score, significant_share, traces, "
    "breakout_category, breakout_reason, techniques, summary FROM campaigns ORDER BY rank"
)


def fingerprint(store: lockstep.Store) -> dict[str, str]:
    """md5 of the rows of the tables analyze writes (campaigns, communities, account_scores, signals)."""
    out = {}
    for name, sql in (
        ("campaigns", CAMPAIGN_ROWS),
        ("communities", "SELECT * FROM communities ORDER BY community"),
        ("account_scores", "SELECT * FROM account_scores ORDER BY platform, account_id"),
        ("signals", "SELECT * FROM signals ORDER BY ALL"),
    ):
        rows = store.con.execute(sql).fetchall()
        out[f"{name}_md5"] = hashlib.md5(repr(rows).encode()).hexdigest()
        out[f"{name}_rows"] = str(len(rows))
    return out


def cpu_seconds() -> float:
    """User + system CPU time of this process so far, all threads (DuckDB's workers included)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_once(
    store: lockstep.Store,
    skip_signals: bool,
    term_sample: int | None,
    only_campaigns: bool = False,
    only_signals: bool = False,
) -> dict[str, Any]:
    """Run the steps once; wall and CPU seconds per step, campaigns written, top-term background."""
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        if isinstance(store.con, StepConnection):
            store.con.tag = name
        t, c = time.perf_counter(), cpu_seconds()
        out = fn()
        wall[name], cpu[name] = round(time.perf_counter() - t, 2), round(cpu_seconds() - c, 2)
        return out

    if only_signals:
        timed("signals", lambda: run_signals(store))
        return {"wall_s": wall, "cpu_s": cpu, "campaigns": None, "term_background": None}
    if not only_campaigns:
        timed("fuse", lambda: fuse(store, FusionParams()))
        timed("communities", lambda: find_communities(store, seed=0))
    if not skip_signals and not only_campaigns:
        timed("signals", lambda: run_signals(store))
    if hasattr(assemble, "assemble_campaigns"):  # since issue 12 part 3: seeded term sample
        kw = {} if term_sample is None else {"term_sample": term_sample}
        report = timed("campaigns", lambda: assemble.assemble_campaigns(store, seed=0, **kw))
        n, background = report.campaigns, report.term_background
    else:
        n, background = timed("campaigns", lambda: assemble.build_campaigns(store)), None
    return {"wall_s": wall, "cpu_s": cpu, "campaigns": n, "term_background": str(background)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--skip-signals", action="store_true")
    ap.add_argument("--only-campaigns", action="store_true", help="reuse the communities (and signals) there")
    ap.add_argument("--only-signals", action="store_true", help="the signals step alone, on the communities there")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--term-sample", type=int, default=None, help="top-term background sample (new code only)")
    ap.add_argument("--dump", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--statements", type=int, default=0, help="time every statement; print the N dearest")
    args = ap.parse_args()
    runs = []
    statements: list[dict[str, Any]] = []
    with lockstep.open_store(args.store, memory_limit=args.memory_limit) as store:
        raw = store.con
        if args.statements:
            store.con = StepConnection(raw)  # type: ignore[assignment]
        for _ in range(args.repeat):
            run = run_once(store, args.skip_signals, args.term_sample, args.only_campaigns, args.only_signals)
            runs.append(run)
            steps = " ".join(f"{k} {v:.2f} s ({run['cpu_s'][k]:.2f} cpu)" for k, v in run["wall_s"].items())
            print(steps, f"({run['campaigns']} campaigns; {run['term_background']})", flush=True)
        if isinstance(store.con, StepConnection):
            pairs = list(zip(store.con.log, store.con.cpu, strict=True))
            by_tag: dict[str, list[float]] = {}
            for (tag, secs, _), cpu in pairs:
                acc = by_tag.setdefault(tag, [0.0, 0.0])
                acc[0], acc[1] = acc[0] + secs, acc[1] + cpu
            print("per tag, wall s (CPU s):", ", ".join(f"{t} {w:.2f} ({c:.2f})" for t, (w, c) in by_tag.items()))
            log = sorted(pairs, key=lambda x: -x[1])[: args.statements]
            for (tag, secs, head), cpu in log:
                print(f"{secs:8.2f} {cpu:8.2f}  {tag:<24} {head}")
                statements.append({"step": tag, "seconds": round(secs, 3), "cpu_s": round(cpu, 3), "statement": head})
            store.con = raw
        prints = fingerprint(store)
        print(json.dumps(prints))
        if args.dump:
            store.con.execute(f"COPY ({CAMPAIGN_ROWS}) TO '{args.dump}' (FORMAT parquet)")
    result = {
        "store": args.store,
        "machine": platform.platform(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "runs": runs,
        "statements": statements,
        **prints,
    }
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
