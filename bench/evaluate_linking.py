"""Strict vs rarity-aware linking on real mixes: IRA accounts and organic airline customers, two windows.

Usage: python bench/evaluate_linking.py [--seed 0] [--out bench/results/evaluate_linking.json]

Each mix ingests the IRA tweets of a window (the shared IRA half) with the organic US-airline tweets of
16-24 Feb 2015, runs the default ``detect`` (all traces, default null replicates) with ``linking`` strict and
rarity, then ``analyze`` (UTC+3), and scores every account (IRA positive, airline negative). Prints Markdown
tables per mix and linking rule and writes JSON. Needs ``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import lockstep
from lockstep.analysis import analyze
from lockstep.evaluation import evaluate
from lockstep.traces import DetectParams, detect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate_real import SHARED, ira_labels

WINDOWS = {
    "IRA Feb 2015 (month) + airline 16-24 Feb": ("2015-02-01", "2015-03-01"),
    "IRA 16-24 Feb 2015 (same days) + airline": ("2015-02-16", "2015-02-25"),
}


def run_mix(tmp: Path, start: str, end: str, linking: str, seed: int) -> dict[str, object]:
    ira_part = tmp / "ira.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT * FROM '{SHARED}/ira/tweets.parquet'
                  WHERE publish_date >= '{start}' AND publish_date < '{end}') TO '{ira_part}' (FORMAT parquet)"""
    )
    with lockstep.open_store(tmp / "mix.duckdb") as store:
        lockstep.ingest(store, [ira_part, SHARED / "organic" / "us_airline_tweets_2015-02.csv"])
        t = time.perf_counter()
        detect(store, params=DetectParams(seed=seed, linking=linking))
        analyze(store, seed=seed, tz_offset_hours=3.0)
        seconds = time.perf_counter() - t
        airline = store.con.execute("SELECT DISTINCT account_id FROM posts WHERE reader = 'airline-csv'").fetchall()
        labels = {str(a): (False, "organic") for (a,) in airline} | ira_labels()
        ev = evaluate(store, labels)
    return {"seconds": seconds, "evaluation": json.loads(ev.to_json()), "markdown": ev.to_markdown()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="bench/results/evaluate_linking.json")
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"needs {SHARED}")
    results: dict[str, dict[str, object]] = {}
    for name, (start, end) in WINDOWS.items():
        for linking in ("strict", "rarity"):
            with tempfile.TemporaryDirectory() as tmp:
                r = run_mix(Path(tmp), start, end, linking, args.seed)
            results[f"{name} | {linking}"] = r
            print(f"### {name}, linking={linking} (detect + analyze {r['seconds']:.1f} s)\n")
            print("\n".join(line for line in str(r["markdown"]).splitlines() if line.startswith("|")) + "\n")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
