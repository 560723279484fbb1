"""Simulated benchmarks: the default world and a hard-negative-heavy world, per trace and fused.

Usage: python bench/evaluate_sim.py [--accounts 10000] [--days 30] [--seed 0] [--out bench/results/evaluate_sim.json]

Each world is written by ``lockstep simulate`` (Parquet only), ingested, run through every trace and the
analysis, and scored with ``lockstep evaluate`` against its ground truth. The hard-negative precision is
reported separately: the share of flagged accounts that are hard negatives (fans, activists, news, pods).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import lockstep
from lockstep.analysis import analyze
from lockstep.campaigns.accounts import rank_accounts
from lockstep.evaluation import evaluate, read_labels
from lockstep.simulate import SimulationConfig, write_world
from lockstep.traces import DetectParams, detect

HARD_NEGATIVE_ROLES = ("fan", "activist", "news", "pod")


def run_world(name: str, config: SimulationConfig, tmp: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    world = write_world(config, tmp / name, ("parquet",))
    t_sim = time.perf_counter() - t0
    store = lockstep.open_store(tmp / f"{name}.duckdb")
    lockstep.ingest(store, [world.folder / "tweets.parquet", world.folder / "users.csv"])
    t1 = time.perf_counter()
    detect(store, params=DetectParams(null_replicates=5, seed=config.seed))
    analyze(store, seed=config.seed)
    t_detect = time.perf_counter() - t1
    ev = evaluate(store, read_labels(world.folder / "labels.csv"))
    roles = {r["account_id"]: r["role"] for r in csv.DictReader((world.folder / "truth.csv").open())}
    campaign_members = [
        str(r[0])
        for r in store.con.execute(
            "SELECT s.account_id FROM account_scores s SEMI JOIN campaigns c ON c.campaign = s.community"
        ).fetchall()
    ]
    fired = {
        str(r[0])
        for r in store.con.execute(
            """SELECT s.account_id FROM account_scores s
           JOIN signals g ON g.scope = 'community' AND g.subject = CAST(s.community AS VARCHAR) AND g.fired
           GROUP BY 1 HAVING count(DISTINCT g.signal) >= 2"""
        ).fetchall()
    }
    hard = {a for a, r in roles.items() if r.startswith(HARD_NEGATIVE_ROLES)}
    flagged_fused = set(campaign_members)
    flagged_signals = flagged_fused & fired
    flagged_accounts = {a.account_id for a in rank_accounts(store) if a.flagged}
    store.close()
    return {
        "posts": world.posts,
        "accounts": world.accounts,
        "labels": world.by_label,
        "simulate_seconds": t_sim,
        "detect_analyze_seconds": t_detect,
        "evaluation": json.loads(ev.to_json()),
        "markdown": ev.to_markdown(),
        "hard_negatives": len(hard),
        "hard_negatives_flagged_fused": len(flagged_fused & hard),
        "hard_negatives_flagged_fused_signals": len(flagged_signals & hard),
        "hard_negatives_flagged_accounts": len(flagged_accounts & hard),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--keep",
        type=Path,
        help="keep the worlds and their stores (<world>.duckdb, detected and analysed) here, not in a temporary folder",
    )
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "evaluate_sim.json"))
    args = ap.parse_args()
    base = SimulationConfig(accounts=args.accounts, days=args.days, seed=args.seed)
    heavy = dataclasses.replace(
        base, fan_groups=12, activist_groups=8, engagement_pods=10, syndication_probability=0.6, live_event_share=0.4
    )
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as d:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            d = str(args.keep)
        for name, cfg in (("default", base), ("hard_negatives", heavy)):
            res = run_world(name, cfg, Path(d))
            out[name] = res
            print(
                f"## simulated world: {name} ({res['posts']:,} posts, {res['accounts']:,} accounts, {res['labels']})\n"
            )
            print(res["markdown"])
            print(
                f"\nhard negatives: {res['hard_negatives']}; flagged by fused: {res['hard_negatives_flagged_fused']}; "
                f"by fused+signals: {res['hard_negatives_flagged_fused_signals']}; by accounts: "
                f"{res['hard_negatives_flagged_accounts']}; simulate "
                f"{res['simulate_seconds']:.1f} s, detect+analyze {res['detect_analyze_seconds']:.1f} s\n"
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
