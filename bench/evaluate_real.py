"""Real labelled benchmarks on the shared data (IRA + organic airline tweets; IRA alone; seed-and-expand).

Usage: python bench/evaluate_real.py [--seed 0] [--null-replicates 10] [--out bench/results/evaluate_real.json]

1. **IRA + airline, Feb 2015**: every IRA tweet of February 2015 (the IRA accounts active then) mixed with the
   organic US-airline tweets of 16-24 Feb 2015; labels: IRA accounts positive, airline accounts negative.
   All traces, fused network, per-trace and fused scores.
2. **Seed-and-expand** on that mix: the IRA accounts are split in half (seeded); one half seeds
   ``expand``; the other half must come back. Precision and recall at k = the hidden half's size, and
   ROC AUC of the expand score over all non-seed accounts.
3. **IRA alone** (1.17M tweets): communities against ``account_category`` (ARI, NMI) and the schedule
   fingerprint of the largest campaigns in UTC+3 (St Petersburg).
Prints Markdown and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import lockstep
from lockstep.analysis import analyze
from lockstep.campaigns import expand
from lockstep.evaluation import evaluate
from lockstep.metrics import roc_auc
from lockstep.traces import DetectParams, detect

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def ira_labels() -> dict[str, tuple[bool, str]]:
    rows = (
        duckdb.connect()
        .execute(
            f"SELECT lower(author_id), account_category FROM read_csv('{SHARED}/ira/authors.csv', all_varchar=true)"
        )
        .fetchall()
    )
    return {str(a): (True, str(c)) for a, c in rows}


def mix_benchmark(tmp: Path, seed: int, replicates: int) -> dict[str, object]:
    feb = tmp / "ira_feb2015.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT * FROM '{SHARED}/ira/tweets.parquet'
                  WHERE publish_date >= '2015-02-01' AND publish_date < '2015-03-01') TO '{feb}' (FORMAT parquet)"""
    )
    store = lockstep.open_store(tmp / "mix.duckdb")
    lockstep.ingest(store, [feb, SHARED / "organic" / "us_airline_tweets_2015-02.csv"])
    t = time.perf_counter()
    detect(store, params=DetectParams(null_replicates=replicates, seed=seed))
    analyze(store, seed=seed, tz_offset_hours=3.0)
    seconds = time.perf_counter() - t
    ira = ira_labels()
    airline = [
        str(r[0])
        for r in store.con.execute("SELECT DISTINCT account_id FROM posts WHERE reader = 'airline-csv'").fetchall()
    ]
    labels = {a: (False, "organic") for a in airline} | {a: v for a, v in ira.items()}
    ev = evaluate(store, labels)
    ira_present = sorted(
        str(r[0]) for r in store.con.execute("SELECT DISTINCT account_id FROM posts WHERE reader = 'ira'").fetchall()
    )
    rng = random.Random(seed)
    seeds = sorted(rng.sample(ira_present, len(ira_present) // 2))
    hidden = set(ira_present) - set(seeds)
    result = expand(store, seeds, limit=100_000)
    ranked = [c.account_id for c in result.candidates]
    k = len(hidden)
    top = ranked[:k]
    found = len([a for a in top if a in hidden])
    non_seed = [a for a in ira_present + airline if a not in seeds]
    score = {c.account_id: c.score for c in result.candidates}
    auc = roc_auc([a in hidden for a in non_seed], [score.get(a, 0.0) for a in non_seed])
    store.close()
    return {
        "posts": None,
        "ira_accounts": len(ira_present),
        "airline_accounts": len(airline),
        "detect_analyze_seconds": seconds,
        "evaluation": json.loads(ev.to_json()),
        "markdown": ev.to_markdown(),
        "expand": {
            "seeds": len(seeds),
            "hidden": k,
            "candidates_ranked": len(ranked),
            "hidden_in_top_k": found,
            "precision_at_k": found / k if k else 0.0,
            "recall_at_k": found / k if k else 0.0,
            "hidden_ranked_at_all": len([a for a in ranked if a in hidden]),
            "roc_auc": auc,
        },
    }


def ira_benchmark(tmp: Path, seed: int, replicates: int) -> dict[str, object]:
    store = lockstep.open_store(tmp / "ira.duckdb", memory_limit="4GB")
    lockstep.ingest(store, [SHARED / "ira" / "tweets.parquet", SHARED / "ira" / "authors.csv"])
    t = time.perf_counter()
    detect(store, params=DetectParams(null_replicates=replicates, seed=seed))
    analyze(store, seed=seed, tz_offset_hours=3.0)
    seconds = time.perf_counter() - t
    ev = evaluate(store, ira_labels())
    fingerprints = store.con.execute(
        """SELECT c.rank, c.campaign, c.accounts,
                  max(s.value) FILTER (WHERE s.signal = 'calendar.office_share') AS office_utc3,
                  max(s.value) FILTER (WHERE s.signal = 'calendar.weekend_ratio') AS weekend_ratio,
                  max(s.value) FILTER (WHERE s.signal = 'calendar.lunch_dip') AS lunch_dip,
                  max(s.value) FILTER (WHERE s.signal = 'calendar.inferred_offset') AS inferred_offset,
                  max(s.baseline) FILTER (WHERE s.signal = 'calendar.office_share') AS office_baseline
           FROM campaigns c LEFT JOIN signals s ON s.scope = 'community' AND s.subject = CAST(c.campaign AS VARCHAR)
           GROUP BY ALL ORDER BY c.rank LIMIT 10"""
    ).fetchall()
    cats = store.con.execute(
        """SELECT c.rank, json_extract_string(a.extra, '$.account_category') AS cat, count(*) FROM campaigns c
           JOIN account_scores s ON s.community = c.campaign
           JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
           WHERE c.rank <= 10 GROUP BY ALL ORDER BY 1, 3 DESC"""
    ).fetchall()
    store.close()
    return {
        "detect_analyze_seconds": seconds,
        "community_ari": ev.community_ari,
        "community_nmi": ev.community_nmi,
        "accounts_in_communities": ev.community_accounts,
        "markdown": ev.to_markdown(),
        "fingerprints": [list(r) for r in fingerprints],
        "categories_by_campaign": [list(r) for r in cats],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--null-replicates", type=int, default=10)
    ap.add_argument("--skip-ira", action="store_true")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "evaluate_real.json"))
    args = ap.parse_args()
    if not (SHARED / "ira").exists():
        sys.exit(f"needs {SHARED}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        out: dict[str, object] = {"seed": args.seed, "null_replicates": args.null_replicates}
        out["ira_airline_feb2015"] = mix = mix_benchmark(tmp, args.seed, args.null_replicates)
        print("## IRA + airline, Feb 2015\n")
        print(mix["markdown"])
        print("\nseed-and-expand:", json.dumps(mix["expand"]))
        if not args.skip_ira:
            out["ira"] = ira = ira_benchmark(tmp, args.seed, args.null_replicates)
            print("\n## IRA alone\n")
            print(ira["markdown"])
            print(
                "\nschedule fingerprints (rank, campaign, accounts, office share UTC+3, weekend ratio, lunch dip, "
                "inferred offset, baseline office share):"
            )
            for row in ira["fingerprints"]:  # type: ignore[attr-defined]
                print("  ", row)
            print("categories:", ira["categories_by_campaign"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
