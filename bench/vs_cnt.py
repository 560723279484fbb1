"""Lockstep vs the QUT coordination-network-toolkit (CNT 1.5.2) on one generated input.

Usage: python bench/vs_cnt.py [--scale 1] [--seed 3] [--skip-cnt] [--skip-bare] [--traces co-retweet,co-text,co-link]
       [--out bench/results/vs_cnt_x1.json]

Three tools on one input, each step in its own process: Lockstep, CNT and the floor, a bare DuckDB load and
window self-join per exact trace (no cleaning, weights, evidence or provenance). The table gives CNT / Lockstep
(speed-up) and Lockstep / bare (overhead over the floor) with edge-set equality against both.

Scale 1 is the issue's input: 50k users, 600k retweets of 200k objects and 400k originals with one URL each
over 30 days, with planted coordinated groups (each group retweets the same objects within 30 s, posts the
same text with the same link within a minute, and posts lightly edited copies). Scale 10 multiplies every
count by ten.

CNT is installed from PyPI into a throwaway venv (``pip`` must reach the registry). Both tools get the same
CSV (CNT's own layout: message_id, user_id, username, repost_id, reply_id, message, timestamp, urls); both
run with a 60 s window and minimum edge weight 1 (Lockstep: ``min_shared_items=1``, no viral cap, no null
model, so the edge sets are comparable). Generated texts carry no URLs, mentions or emoji and URLs are already
canonical, so the two tools' text and URL definitions coincide on this input. CNT's edges are directed
counts: they are symmetrised and self-loops dropped. Each step runs in its own process; peak RSS is that
process's (and its children's) maximum.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: How Lockstep maps the benchmark CSV's columns (CNT's own layout) onto its canonical fields. Code run in a
#: child process gets it through :func:`with_mapping`.
CSV_MAPPING = {
    "post_id": "message_id",
    "account_id": "user_id",
    "handle": "username",
    "repost_of": "repost_id",
    "reply_to": "reply_id",
    "text": "message",
    "created_at": "timestamp",
    "urls": "urls",
    "platform": "bench",
}
WORDS = [f"w{i}" for i in range(5000)]
BASE = 1_567_296_000  # 2019-09-01 UTC
DAY = 86_400


def generate(path: Path, scale: int, seed: int) -> dict[str, int]:
    """Write the benchmark CSV; return the planted counts."""
    rng = random.Random(seed)
    n_users, n_objects = 50_000 * scale, 200_000 * scale
    n_rt, n_orig = 600_000 * scale, 400_000 * scale
    n_groups, group_size = 40 * scale, 10
    planted = [[f"g{g}_{i}" for i in range(group_size)] for g in range(n_groups)]
    obj_time = [BASE + rng.randrange(30 * DAY) for _ in range(n_objects)]
    mid = 0
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"])

        def emit(user: str, repost: str, text: str, ts: int, url: str) -> None:
            nonlocal mid, rows
            mid += 1
            rows += 1
            w.writerow([f"m{mid}", user, user, repost, "", text, str(ts), url])

        planted_rt = planted_orig = 0
        for _ in range(n_rt):
            obj = int(n_objects * rng.random() ** 1.5)
            ts = obj_time[obj] + int(rng.expovariate(1 / 21_600))
            emit(f"u{rng.randrange(n_users)}", f"o{obj}", "", ts, "")
        for _ in range(n_orig):
            text = " ".join(rng.choices(WORDS, k=rng.randrange(8, 16)))
            url = f"https://site{rng.randrange(2000)}.example.org/a/{int(100_000 * scale * rng.random() ** 2)}"
            emit(f"u{rng.randrange(n_users)}", "", text, BASE + rng.randrange(30 * DAY), url)
        for group in planted:
            for _ in range(30):  # synchronised retweets
                obj = rng.randrange(n_objects)
                t0 = BASE + rng.randrange(30 * DAY)
                for acct in group:
                    emit(acct, f"o{obj}", "", t0 + rng.randrange(30), "")
                    planted_rt += 1
            for _ in range(10):  # copypasta with the same link, and lightly edited copies
                words = rng.choices(WORDS, k=12)
                url = f"https://campaign{rng.randrange(100)}.example.net/story/{rng.randrange(10**6)}"
                t0 = BASE + rng.randrange(30 * DAY)
                for acct in group:
                    emit(acct, "", " ".join(words), t0 + rng.randrange(60), url)
                    edited = list(words)
                    edited[rng.randrange(12)] = rng.choice(WORDS)
                    emit(acct, "", " ".join(edited), t0 + 3600 + rng.randrange(60), "")
                    planted_orig += 2
    return {
        "rows": rows,
        "planted_accounts": n_groups * group_size,
        "planted_retweets": planted_rt,
        "planted_originals": planted_orig,
    }


def with_mapping(code: str) -> str:
    """``code`` (a child process's script) with ``CSV_MAPPING`` written where it says ``CSV_MAPPING``."""
    return code.replace("CSV_MAPPING", repr(CSV_MAPPING))


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd`` in a wrapper process; return (seconds, peak RSS MB of the command)."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], check=True, capture_output=True, text=True)
    secs, rss = out.stdout.split()
    return float(secs), float(rss)


LOCKSTEP_STEP = with_mapping(
    """
import sys, lockstep
from lockstep.traces import DetectParams, detect
s = lockstep.open_store(sys.argv[1], memory_limit="4GB")
if sys.argv[2] == "ingest":
    lockstep.ingest(s, [sys.argv[3]], format="generic", mapping=CSV_MAPPING)
else:
    detect(s, [sys.argv[2]], DetectParams(window_s=60, min_shared_items=1, max_item_accounts=10**9,
                                          null_replicates=0, near_dup_min_tokens=1))
    s.con.execute("COPY (SELECT account_a, account_b FROM edges WHERE trace = ?) TO '" + sys.argv[3] + "'",
                  [sys.argv[2]])
"""
)

PAIRS = {"co-retweet": "co_retweet", "co-text": "co_tweet", "co-link": "co_link", "near-duplicate": "co_similar_tweet"}
#: The exact traces compared by default (near-duplicate has its own benchmark, ``bench/neardup_vs_cnt.py``).
EXACT = ("co-retweet", "co-text", "co-link")

#: The floor: the same input loaded into DuckDB as is, and each exact trace as a bare window self-join
#: (distinct account pairs acting on the same item within 60 s), with nothing else a tool does.
BARE_STEP = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
step = sys.argv[2]
if step == "ingest":
    con.execute("CREATE TABLE m AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [sys.argv[3]])
else:
    items = {
        "co-retweet": "SELECT user_id, repost_id AS item, timestamp FROM m WHERE coalesce(repost_id, '') <> ''",
        "co-text": "SELECT user_id, message AS item, timestamp FROM m "
                   "WHERE coalesce(repost_id, '') = '' AND coalesce(message, '') <> ''",
        "co-link": "SELECT user_id, unnest(string_split(urls, ' ')) AS item, timestamp FROM m "
                   "WHERE coalesce(urls, '') <> ''",
    }[step]
    con.execute(
        f\"\"\"COPY (WITH a AS (SELECT user_id, item, CAST(timestamp AS BIGINT) AS ts FROM ({items}) WHERE item <> '')
            SELECT DISTINCT x.user_id AS a, y.user_id AS b FROM a x JOIN a y
            ON x.item = y.item AND x.user_id < y.user_id AND abs(x.ts - y.ts) <= 60) TO '{sys.argv[3]}'\"\"\"
    )
"""


def read_pairs(path: Path, cnt: bool) -> tuple[set[tuple[str, str]], int]:
    pairs: set[tuple[str, str]] = set()
    loops = 0
    with path.open(encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        next(r, None)
        for row in r:
            a, b = row[0], row[1]
            if a == b:
                loops += 1
                continue
            pairs.add((min(a, b), max(a, b)))
    return pairs, loops


def _f(value: object, spec: str) -> str:
    return format(float(value), spec) if isinstance(value, int | float) else "-"


def _ratio(num: object, den: object) -> str:
    if isinstance(num, int | float) and isinstance(den, int | float) and den:
        return f"{num / den:.1f}x"
    return "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--skip-cnt", action="store_true", help="run Lockstep only (e.g. at 10x)")
    ap.add_argument("--traces", default=",".join(EXACT), help=f"comma-separated subset of {', '.join(PAIRS)}")
    ap.add_argument("--skip-bare", action="store_true", help="do not run the bare DuckDB join")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out_path = Path(args.out or Path(__file__).parent / "results" / f"vs_cnt_x{args.scale}.json")
    traces = args.traces.split(",")
    result: dict[str, object] = {"scale": args.scale, "seed": args.seed, "steps": {}}
    steps: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "input.csv"
        t = time.perf_counter()
        result["input"] = generate(data, args.scale, args.seed)
        result["generate_s"] = time.perf_counter() - t
        db = str(tmp / "l.duckdb")
        secs, rss = timed([sys.executable, "-c", LOCKSTEP_STEP, db, "ingest", str(data)])
        steps["ingest"] = {"lockstep_s": secs, "lockstep_rss_mb": rss}
        for trace in traces:
            edges_csv = tmp / f"l_{trace}.csv"
            secs, rss = timed([sys.executable, "-c", LOCKSTEP_STEP, db, trace, str(edges_csv)])
            steps[trace] = {"lockstep_s": secs, "lockstep_rss_mb": rss}
        if not args.skip_bare:
            bdb = str(tmp / "bare.duckdb")
            secs, rss = timed([sys.executable, "-c", BARE_STEP, bdb, "ingest", str(data)])
            steps["ingest"].update(bare_s=secs, bare_rss_mb=rss)
            for trace in traces:
                if trace not in EXACT:
                    continue
                out_csv = tmp / f"b_{trace}.csv"
                secs, rss = timed([sys.executable, "-c", BARE_STEP, bdb, trace, str(out_csv)])
                bare_pairs, _ = read_pairs(out_csv, cnt=False)
                lock_pairs, _ = read_pairs(tmp / f"l_{trace}.csv", cnt=False)
                steps[trace].update(
                    bare_s=secs, bare_rss_mb=rss, bare_edges=len(bare_pairs), identical_to_bare=bare_pairs == lock_pairs
                )
        if not args.skip_cnt:
            venv = tmp / "cnt"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", "coordination-network-toolkit==1.5.2"], check=True
            )
            cnt, cdb = str(venv / "bin" / "compute_networks"), str(tmp / "cnt.db")
            secs, rss = timed([cnt, cdb, "preprocess", "--format", "csv", str(data)])
            steps["ingest"].update(cnt_s=secs, cnt_rss_mb=rss)
            for trace in traces:
                out_csv = tmp / f"c_{trace}.csv"
                # CNT's own CSV export crashes in 1.5.2 (output_gephi_csv gets an unexpected n_messages), so
                # the network table is read from its SQLite database after the timed compute step.
                cmd = [cnt, cdb, "compute", PAIRS[trace], "--time_window", "60", "--min_edge_weight", "1"]
                secs, rss = timed(cmd)
                steps[trace].update(cnt_s=secs, cnt_rss_mb=rss)
                with sqlite3.connect(cdb) as sq, out_csv.open("w", newline="") as fh:
                    cw = csv.writer(fh)
                    cw.writerow(["user_1", "user_2", "weight"])
                    cw.writerows(sq.execute(f"SELECT user_1, user_2, weight FROM {PAIRS[trace]}_network"))
                cnt_pairs, loops = read_pairs(out_csv, cnt=True)
                lock_pairs, _ = read_pairs(tmp / f"l_{trace}.csv", cnt=False)
                both = cnt_pairs & lock_pairs
                phantom: set[tuple[str, str]] = set()
                if trace == "co-link":  # CNT 1.5.2 stores an empty URL for link-less posts and co-links them
                    with sqlite3.connect(cdb) as sq:
                        phantom = {
                            (min(a, b), max(a, b))
                            for a, b in sq.execute(
                                "SELECT DISTINCT m1.user_id, m2.user_id FROM message_url m1 JOIN message_url m2 "
                                "ON m1.url = m2.url AND m1.url = '' AND abs(m1.timestamp - m2.timestamp) <= 60 "
                                "AND m1.user_id <> m2.user_id"
                            )
                        }
                    only_phantom = {p for p in cnt_pairs - lock_pairs if p in phantom}
                    steps[trace].update(
                        cnt_phantom_empty_url_edges=len(only_phantom),
                        identical_without_phantom=(cnt_pairs - only_phantom) == lock_pairs,
                    )
                steps[trace].update(
                    cnt_edges=len(cnt_pairs),
                    lockstep_edges=len(lock_pairs),
                    common=len(both),
                    recall_of_cnt=len(both) / len(cnt_pairs) if cnt_pairs else 1.0,
                    identical=cnt_pairs == lock_pairs,
                    cnt_self_loops=loops,
                )
        else:
            for trace in traces:
                steps[trace]["lockstep_edges"] = len(read_pairs(tmp / f"l_{trace}.csv", cnt=False)[0])
    result["steps"] = steps
    print(f"input: {result['input']}")
    print(
        f"{'step':<15} {'Lockstep s':>10} {'CNT s':>8} {'bare s':>7} {'CNT/L':>6} {'L/bare':>6} {'L RSS MB':>8} "
        f"{'L edges':>8} {'CNT edges':>9} {'bare edges':>10} {'=CNT':>5} {'=bare':>5}"
    )
    for name, st in steps.items():
        ls = float(st["lockstep_s"])  # type: ignore[arg-type]
        cnt_s, bare_s = st.get("cnt_s"), st.get("bare_s")
        same_cnt = st.get("identical_without_phantom", st.get("identical", "-"))
        print(
            f"{name:<15} {ls:>10.2f} {_f(cnt_s, '.1f'):>8} {_f(bare_s, '.2f'):>7} "
            f"{_ratio(cnt_s, ls):>6} {_ratio(ls, bare_s):>6} {float(st['lockstep_rss_mb']):>8.0f} "  # type: ignore[arg-type]
            f"{st.get('lockstep_edges', '-')!s:>8} {st.get('cnt_edges', '-')!s:>9} {st.get('bare_edges', '-')!s:>10} "
            f"{same_cnt!s:>5} {st.get('identical_to_bare', '-')!s:>5}"
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
