"""Ingest benchmark: rows/s and peak RSS for the shared IRA parquet and a generated 1M-row IO-archive CSV.

Usage: python bench/ingest.py [--rows 1000000] [--memory-limit 2GB] [--out bench/results/ingest.json]
       python bench/ingest.py --vs-cnt-scale 1 [--csv FILE] [--ab OLD_SRC,NEW_SRC --pairs 3] [--out ...]

Each case runs in a fresh subprocess (a new store in a temp dir) so that peak RSS is its own. Prints a table
and writes JSON. The IO-archive CSV is generated from the 31-column schema with realistic field contents
(quoted newlines, Python-list strings, hashed ids), seeded.

``--vs-cnt-scale N`` ingests the ``bench/vs_cnt.py`` input instead (N x 1,020,000 rows, the input of
``bench/end_to_end.py``; generated unless ``--csv`` names it). With ``--ab OLD,NEW`` (two ``src`` folders of
two checkouts) it runs ``--pairs`` interleaved pairs, old then new, each with ``PYTHONPATH`` set to its
folder, and reports each run (wall and CPU seconds: user + system of the ingest call, all threads) with
the load average and the medians: the A/B comparison of two versions of
the code in the same conditions.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lockstep.simulate.writers import IO_COLUMNS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vs_cnt import CSV_MAPPING

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


def run_case(
    path: Path,
    memory_limit: str,
    mapping: dict[str, str] | None = None,
    src: str | None = None,
    keep: Path | None = None,
) -> dict[str, object]:
    """Ingest ``path`` into a fresh store in a subprocess; return timing, counts and peak RSS.

    ``mapping`` (with format ``generic``) is the column map; ``src`` a ``src`` folder put first on
    ``PYTHONPATH`` so that the subprocess runs that checkout's code; ``keep`` a path where the store is kept
    (replaced if it exists), else it is deleted.
    """
    code = (
        "import json, sys, time, resource, lockstep\n"
        "m = json.loads(sys.argv[4]); kw = {'format': 'generic', 'mapping': m} if m else {}\n"
        "s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[3])\n"
        "u = resource.getrusage(resource.RUSAGE_SELF); c = u.ru_utime + u.ru_stime\n"
        "t = time.perf_counter(); r = lockstep.ingest(s, [sys.argv[2]], **kw); dt = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_SELF); c = u.ru_utime + u.ru_stime - c\n"
        "print(json.dumps({'seconds': dt, 'cpu_s': c, 'rows_read': r.total('rows_read'),"
        " 'posts': r.total('posts_stored'),"
        " 'quarantined': r.total('quarantined'), 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF)"
        ".ru_maxrss / 1024, 'code': lockstep.__file__}))\n"
    )
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        db = keep or Path(tmp) / "b.duckdb"
        for stale in (db, Path(f"{db}.wal")):
            stale.unlink(missing_ok=True)
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                str(db),
                str(path),
                memory_limit,
                json.dumps(mapping or {}),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    # The result is the last JSON line (anything the library prints to stdout comes before it).
    last = [line for line in out.stdout.splitlines() if line.startswith("{")][-1]
    result: dict[str, object] = json.loads(last)
    result["rows_per_s"] = float(result["rows_read"]) / float(result["seconds"])  # type: ignore[arg-type]
    result["load_before"] = load_before
    result["load_after"] = _load()
    return result


def _load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (``None`` where the system does not say)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run_ab(
    path: Path, memory_limit: str, sources: list[str], pairs: int, keep: Path | None = None
) -> dict[str, object]:
    """``pairs`` interleaved runs of each source folder on ``path`` (vs_cnt layout); runs and medians.

    With ``keep`` (a folder) each source's last store is kept there and the stores are compared with
    ``bench/compare_stores.py`` (the result's ``stores_identical``).
    """
    runs: dict[str, list[dict[str, object]]] = {src: [] for src in sources}
    kept: list[str] = []
    for i in range(pairs):
        for k, src in enumerate(sources):
            db = keep / f"ab_{k}.duckdb" if keep else None
            r = run_case(path, memory_limit, CSV_MAPPING, src, db)
            if db and i == pairs - 1:
                kept.append(str(db))
            runs[src].append(r)
            print(
                f"pair {i + 1} {src:<28} {r['seconds']:7.2f} s  {r['cpu_s']:6.2f} s CPU  "
                f"peak RSS {r['peak_rss_mb']:7,.0f} MB  "
                f"load {r['load_before']} -> {r['load_after']}",
                flush=True,
            )
    medians = {
        src: {
            "seconds": statistics.median(float(r["seconds"]) for r in rs),  # type: ignore[arg-type]
            "cpu_s": statistics.median(float(r["cpu_s"]) for r in rs),  # type: ignore[arg-type]
            "peak_rss_mb": statistics.median(float(r["peak_rss_mb"]) for r in rs),  # type: ignore[arg-type]
            "rows_read": rs[0]["rows_read"],
        }
        for src, rs in runs.items()
    }
    result: dict[str, object] = {"runs": runs, "medians": medians}
    if len(kept) > 1:
        from compare_stores import compare

        diffs = [compare(kept[0], other) for other in kept[1:]]
        result["stores_identical"] = all(
            t["only_a"] == 0 and t["only_b"] == 0 and t["rows_a"] == t["rows_b"] for d in diffs for t in d.values()
        )
        result["stores"] = kept
        print(f"stores identical: {result['stores_identical']} ({', '.join(kept)})", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "ingest.json"))
    ap.add_argument("--vs-cnt-scale", type=int, default=None, help="ingest the bench/vs_cnt.py input instead")
    ap.add_argument("--csv", default=None, help="the vs_cnt input, already generated (with --vs-cnt-scale)")
    ap.add_argument("--ab", default=None, help="OLD_SRC,NEW_SRC: interleaved runs of two checkouts")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--keep", default=None, help="with --ab: folder where the stores are kept and compared")
    args = ap.parse_args()
    if args.vs_cnt_scale is not None:
        vs_cnt_main(args)
        return
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


def vs_cnt_main(args: argparse.Namespace) -> None:
    """The ``--vs-cnt-scale`` mode: one run, or interleaved A/B pairs, on the vs_cnt input."""
    from vs_cnt import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.csv) if args.csv else Path(tmp) / "input.csv"
        if not args.csv:
            generate(path, args.vs_cnt_scale, 3)
        sources = args.ab.split(",") if args.ab else [""]
        keep = Path(args.keep) if args.keep else None
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
        result = run_ab(path, args.memory_limit, sources, args.pairs if args.ab else 1, keep)
    meta = {
        "input": f"bench/vs_cnt.py --scale {args.vs_cnt_scale} (seed 3)",
        "memory_limit": args.memory_limit,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    medians: dict[str, dict[str, object]] = result["medians"]  # type: ignore[assignment]
    print(f"{'code':<28} {'rows':>12} {'median s':>9} {'median CPU s':>13} {'median peak RSS MB':>19}")
    for src, m in medians.items():
        print(
            f"{src or 'current':<28} {m['rows_read']:>12,} {m['seconds']:>9.2f} {m['cpu_s']:>13.2f} "
            f"{m['peak_rss_mb']:>19,.0f}"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, **result}, indent=2))


if __name__ == "__main__":
    main()
