"""Ingest benchmark: rows/s and peak RSS for the shared IRA parquet and a generated 1M-row IO-archive CSV.

Usage: python bench/ingest.py [--rows 1000000] [--memory-limit 2GB] [--out bench/results/ingest.json]

Each case runs in a fresh subprocess (a new store in a temp dir) so that peak RSS is its own. Prints a table
and writes JSON. The IO-archive CSV is generated from the 31-column schema with realistic field contents
(quoted newlines, Python-list strings, hashed ids), seeded.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lockstep.simulate.writers import IO_COLUMNS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
IO_HEADER = IO_COLUMNS  # the 31-column IO-archive tweets schema, shared with the simulator


def generate_io_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Write a ``rows``-row IO-archive tweets CSV (31 columns), deterministic for ``seed``."""
    rng = random.Random(seed)
    users = [(str(10**9 + i), f"user{i}", rng.choice(["en", "zh-cn", "ru"])) for i in range(50_000)]
    tags = ["HongKong", "香港", "China", "news", "HK", "police", "protest", "MAGA"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(IO_HEADER)
        for i in range(rows):
            uid, name, lang = users[rng.randrange(len(users))]
            rt = rng.random() < 0.5
            ht = rng.sample(tags, rng.randrange(0, 4))
            text = ("RT @src: " if rt else "") + f"post {i} about " + " ".join("#" + t for t in ht)
            if rng.random() < 0.05:
                text += "\nsecond line\n#third"
            url = f"https://news{rng.randrange(500)}.example.com/a/{rng.randrange(100000)}?utm_source=tw"
            day = 1 + rng.randrange(28)
            w.writerow(
                [
                    str(10**17 + i),
                    uid,
                    name,
                    name,
                    "",
                    "bio",
                    "",
                    str(rng.randrange(5000)),
                    "10",
                    "2017-08-30",
                    lang,
                    lang,
                    text,
                    f"2019-08-{day:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}",
                    "Twitter Web Client",
                    "",
                    "",
                    "",
                    "true" if rt else "false",
                    "99" if rt else "",
                    str(10**16 + rng.randrange(200_000)) if rt else "",
                    "absent",
                    "absent",
                    "0",
                    "0",
                    "0",
                    "0",
                    str(ht),
                    str([url]) if rng.random() < 0.4 else "[]",
                    "[]",
                    "",
                ]
            )


def run_case(path: Path, memory_limit: str) -> dict[str, object]:
    """Ingest ``path`` into a fresh store in a subprocess; return timing, counts and peak RSS."""
    code = (
        "import json, sys, time, resource, lockstep\n"
        "s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[3])\n"
        "t = time.perf_counter(); r = lockstep.ingest(s, [sys.argv[2]]); dt = time.perf_counter() - t\n"
        "print(json.dumps({'seconds': dt, 'rows_read': r.total('rows_read'), 'posts': r.total('posts_stored'),"
        " 'quarantined': r.total('quarantined'), 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF)"
        ".ru_maxrss / 1024}))\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", code, str(Path(tmp) / "b.duckdb"), str(path), memory_limit],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, object] = json.loads(out.stdout)
    result["rows_per_s"] = float(result["rows_read"]) / float(result["seconds"])  # type: ignore[arg-type]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "ingest.json"))
    args = ap.parse_args()
    cases: dict[str, dict[str, object]] = {}
    ira = SHARED / "ira" / "tweets.parquet"
    if ira.exists():
        cases["ira-parquet"] = run_case(ira, args.memory_limit)
    else:
        print(f"skipping IRA: {ira} not found", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / "io_tweets.csv"
        generate_io_csv(gen, args.rows)
        cases[f"io-archive-csv-{args.rows}"] = run_case(gen, args.memory_limit)
    print(f"{'case':<24} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}")
    for name, r in cases.items():
        print(
            f"{name:<24} {r['rows_read']:>10,} {r['seconds']:>8.2f} {r['rows_per_s']:>10,.0f} "
            f"{r['peak_rss_mb']:>12,.0f}"
        )
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "memory_limit": args.memory_limit,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "cases": cases}, indent=2))
    _ = resource  # peak RSS is measured inside each subprocess


if __name__ == "__main__":
    main()
