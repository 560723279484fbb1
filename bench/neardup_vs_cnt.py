"""Near-duplicate trace vs CNT 1.5.2 ``co_similar_tweet``: time, peak RSS, edges, recall and precision.

Usage: python bench/neardup_vs_cnt.py [--world vs_cnt|sim] [--scale 1] [--sim-accounts 20000] [--seed 3]
       [--memory-limit 2GB] [--skip-cnt] [--cnt-venv DIR] [--out bench/results/neardup_vs_cnt_x1.json]

The input is ``bench/vs_cnt.py``'s generator (imported): at scale 1, 1,020,000 rows with 408,000 original
texts (8 to 16 words from a 5,000-word vocabulary, 30 days) and planted groups that post the same text within
a minute and lightly edited copies an hour later. ``--world sim`` instead writes the Lockstep simulator's
world (``--sim-accounts`` accounts, about 50 posts each: short organic posts from small topic vocabularies,
news syndication, fan and activist groups, copy-paste waves with light edits), the kind of input on which
single-linkage clusters chained. Both tools get the same CSV and run with a 60 s window,
Jaccard >= 0.8, minimum edge weight 1 and CNT's default minimum document size (1 token): Lockstep with
``min_shared_items=1``, no viral cap, no null model, ``near_dup_min_tokens=1``, and the store's memory limit
(default 2 GB, the CLI's). CNT's directed counts are symmetrised and self-loops dropped. Recall is the share
of CNT's edges Lockstep finds; precision the share of Lockstep's edges CNT has. Each step runs in its own
process; times include starting Python and opening the store; peak RSS is the process's maximum. Wall and
CPU seconds (user + system over all threads and child processes) are both reported: the machine is shared,
so wall time is noisy.

CNT is installed from PyPI into a venv (``--cnt-venv`` keeps it between runs; otherwise a throwaway one).
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_cnt import generate, with_mapping

WRAPPER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(time.perf_counter() - t, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024)"
)


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd`` in a wrapper process; return (wall seconds, CPU seconds, peak RSS MB) of the command.

    CPU seconds (user + system, all threads and child processes) are reported beside wall time because the
    benchmark machine is shared: wall time grows with other users' load, CPU time much less.
    """
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], check=True, capture_output=True, text=True)
    wall, cpu, rss = out.stdout.split()
    return float(wall), float(cpu), float(rss)


STEP = with_mapping(
    """
import json, sys, lockstep
from lockstep.traces import DetectParams, detect
from lockstep.traces.near_duplicates import last_stats
s = lockstep.open_store(sys.argv[1], memory_limit=sys.argv[2])
if sys.argv[3] == "ingest":
    lockstep.ingest(s, [sys.argv[4]], format="generic", mapping=CSV_MAPPING)
else:
    rep = detect(s, ["near-duplicate"], DetectParams(window_s=60, min_shared_items=1, max_item_accounts=10**9,
                                                     null_replicates=0, near_dup_min_tokens=1))
    s.con.execute("COPY (SELECT account_a, account_b FROM edges WHERE trace = 'near-duplicate') TO '"
                  + sys.argv[4] + "'")
    stats = last_stats(s.con)
    with open(sys.argv[5], "w") as fh:
        json.dump({"stats": stats.__dict__ if stats else None, "in_process_s": rep.traces[0].seconds,
                   "pairs": rep.traces[0].pairs}, fh)
"""
)


def simulated_world(path: Path, accounts: int, seed: int) -> dict[str, int]:
    """Write the Lockstep simulator's world (short organic texts from small vocabularies, copy-paste waves with
    light edits) as a CNT-layout CSV; return its counts."""
    import duckdb

    from lockstep.simulate import SimulationConfig, write_world

    folder = path.parent / "sim"
    res = write_world(SimulationConfig(accounts=accounts, seed=seed), folder, formats=("parquet",))
    duckdb.connect().execute(
        f"""COPY (SELECT tweetid AS message_id, userid AS user_id, user_screen_name AS username,
                   CASE WHEN is_retweet = 'true' THEN retweet_tweetid ELSE '' END AS repost_id,
                   coalesce(in_reply_to_tweetid, '') AS reply_id, tweet_text AS message,
                   CAST(epoch(CAST(tweet_time AS TIMESTAMP)) AS BIGINT) AS timestamp, '' AS urls
            FROM read_parquet('{folder / "tweets.parquet"}')) TO '{path}' (HEADER)"""
    )
    return {"rows": res.posts, "accounts": res.accounts, **{f"accounts_{k}": v for k, v in res.by_label.items()}}


def edge_set(rows: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Undirected edges without self-loops."""
    return {(min(a, b), max(a, b)) for a, b in rows if a != b}


def read_csv_pairs(path: Path) -> set[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return edge_set([tuple(line.split(",")[:2]) for line in lines])  # type: ignore[misc]


def cnt_binary(venv: Path) -> str:
    """The venv's ``compute_networks``, installing CNT 1.5.2 there first if needed."""
    exe = venv / "bin" / "compute_networks"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "coordination-network-toolkit==1.5.2"], check=True)
    return str(exe)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--world", choices=["vs_cnt", "sim"], default="vs_cnt")
    ap.add_argument("--sim-accounts", type=int, default=20_000, help="--world sim: accounts (about 50 posts each)")
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--skip-cnt", action="store_true")
    ap.add_argument("--cnt-venv", default=None, help="venv to install CNT into and reuse")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    tag = f"x{args.scale}" if args.world == "vs_cnt" else f"sim{args.sim_accounts}"
    out_path = Path(args.out or Path(__file__).parent / "results" / f"neardup_vs_cnt_{tag}.json")
    result: dict[str, object] = {
        "world": args.world,
        "scale": args.scale,
        "seed": args.seed,
        "memory_limit": args.memory_limit,
        "machine": platform.platform(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "input.csv"
        if args.world == "vs_cnt":
            result["input"] = generate(data, args.scale, args.seed)
        else:
            result["input"] = simulated_world(data, args.sim_accounts, args.seed)
        db, edges_csv, stats_json = str(tmp / "l.duckdb"), tmp / "l.csv", tmp / "stats.json"
        secs, cpu, rss = timed([sys.executable, "-c", STEP, db, args.memory_limit, "ingest", str(data)])
        result["lockstep_ingest"] = {"seconds": secs, "cpu_s": cpu, "peak_rss_mb": rss}
        step = [sys.executable, "-c", STEP, db, args.memory_limit, "detect", str(edges_csv), str(stats_json)]
        lock_s, lock_cpu, rss = timed(step)
        lock = read_csv_pairs(edges_csv)
        lock_res: dict[str, object] = {"seconds": lock_s, "cpu_s": lock_cpu, "peak_rss_mb": rss, "edges": len(lock)}
        lock_res.update(json.loads(stats_json.read_text()))
        result["lockstep"] = lock_res
        if not args.skip_cnt:
            cnt = cnt_binary(Path(args.cnt_venv) if args.cnt_venv else tmp / "cnt")
            cdb = str(tmp / "cnt.db")
            secs, cpu, rss = timed([cnt, cdb, "preprocess", "--format", "csv", str(data)])
            result["cnt_preprocess"] = {"seconds": secs, "cpu_s": cpu, "peak_rss_mb": rss}
            cmd = [cnt, cdb, "compute", "co_similar_tweet", "--time_window", "60", "--min_edge_weight", "1"]
            cnt_s, cnt_cpu, rss = timed(cmd)
            with sqlite3.connect(cdb) as sq:
                theirs = edge_set(list(sq.execute("SELECT user_1, user_2 FROM co_similar_tweet_network")))
            common = lock & theirs
            result["cnt"] = {"seconds": cnt_s, "cpu_s": cnt_cpu, "peak_rss_mb": rss, "edges": len(theirs)}
            result["comparison"] = {
                "common": len(common),
                "recall_of_cnt": len(common) / len(theirs) if theirs else 1.0,
                "precision_vs_cnt": len(common) / len(lock) if lock else 1.0,
                "only_lockstep": sorted(lock - theirs)[:20],
                "only_cnt": sorted(theirs - lock)[:20],
                "speedup": cnt_s / lock_s,
                "speedup_cpu": cnt_cpu / lock_cpu,
            }
    print(f"input: {result['input']}")
    print(f"{'tool':<10} {'seconds':>8} {'CPU s':>8} {'peak RSS MB':>11} {'edges':>8} {'recall':>7} {'precision':>9}")
    cmp: dict[str, Any] = result.get("comparison") or {}  # type: ignore[assignment]
    for name in ("lockstep", "cnt"):
        r = result.get(name)
        if not isinstance(r, dict):
            continue
        rec = f"{cmp['recall_of_cnt']:.4f}" if cmp and name == "lockstep" else "-"
        prec = f"{cmp['precision_vs_cnt']:.4f}" if cmp and name == "lockstep" else "-"
        print(
            f"{name:<10} {r['seconds']:>8.1f} {r['cpu_s']:>8.1f} {r['peak_rss_mb']:>11.0f} {r['edges']:>8,} "
            f"{rec:>7} {prec:>9}"
        )
    if cmp:
        print(f"speed-up (CNT / Lockstep): {cmp['speedup']:.1f}x wall, {cmp['speedup_cpu']:.1f}x CPU")
    print(f"lockstep near-duplicate stats: {lock_res.get('stats')}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
