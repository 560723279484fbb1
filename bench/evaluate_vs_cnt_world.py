"""Precision on a random organic crowd: the ``bench/vs_cnt.py`` world scored against its planted accounts.

Usage: python bench/evaluate_vs_cnt_world.py [--scale 1] [--seed 3] [--rule rarity] [--rule rarity-unguarded] ...
       [--traces co-retweet,co-link,co-text] [--out bench/results/evaluate_vs_cnt_world.json]

The world of ``bench/vs_cnt.py`` (scale 1: 50k random users, 600k retweets of 200k objects, 400k originals with
one URL, 30 days) has 400 planted coordinated accounts (40 groups of 10 that retweet the same objects within
30 s and post the same text and link within a minute). Everyone else acts at random, so every link between
two of them is a false positive by construction. Each ``--rule`` (default: ``rarity``, the default rule with
its corroboration guard; ``rarity-unguarded``: ``DetectParams(rarity_guard=False)``; ``strict``) runs
``detect`` on the three exact traces with default settings otherwise (default window, viral cap and null
model), then ``analyze``, and scores every account (per trace, fused,
fused+signals and the ``lockstep accounts`` cut) with ``lockstep.evaluation.evaluate``. It also counts the
edges per trace and how many of them rest on random accounts only. Prints Markdown and writes JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from pathlib import Path
from types import ModuleType

import lockstep
from lockstep.analysis import analyze
from lockstep.evaluation import evaluate
from lockstep.traces import DetectParams, detect

HERE = Path(__file__).resolve().parent


def _vs_cnt() -> ModuleType:
    """``bench/vs_cnt.py`` (its generator and CSV column map; bench scripts are not a package)."""
    spec = importlib.util.spec_from_file_location("vs_cnt", HERE / "vs_cnt.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


#: rule name -> DetectParams fields
RULES: dict[str, dict[str, object]] = {
    "rarity": {},
    "rarity-unguarded": {"rarity_guard": False},
    "strict": {"linking": "strict"},
}


def run(db: Path, rule: str, traces: list[str], seed: int) -> dict[str, object]:
    """Detect + analyze + evaluate one linking rule on the ingested store ``db``."""
    store = lockstep.open_store(db, memory_limit="4GB")
    try:
        t = time.perf_counter()
        report = detect(store, traces, DetectParams(seed=seed, **RULES[rule]))  # type: ignore[arg-type]
        t_detect = time.perf_counter() - t
        analyze(store, seed=seed)
        t_all = time.perf_counter() - t
        accounts = [str(r[0]) for r in store.con.execute("SELECT DISTINCT account_id FROM posts").fetchall()]
        labels = {a: (a.startswith("g"), "planted" if a.startswith("g") else "random") for a in accounts}
        ev = evaluate(store, labels)
        per_trace = {
            str(tr): {"edges": int(n), "random_edges": int(r), "significant_p01": int(s)}
            for tr, n, r, s in store.con.execute(
                """SELECT trace, count(*),
                          count(*) FILTER (WHERE NOT account_a LIKE 'g%' AND NOT account_b LIKE 'g%'),
                          count(*) FILTER (WHERE p_value < 0.01)
                   FROM edges GROUP BY trace ORDER BY trace"""
            ).fetchall()
        }
        return {
            "rule": rule,
            "detect_seconds": t_detect,
            "detect_analyze_seconds": t_all,
            "edges": per_trace,
            "notes": [t.note for t in report.traces if t.note],
            "evaluation": json.loads(ev.to_json()),
            "markdown": ev.to_markdown(),
        }
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--rule", action="append", choices=sorted(RULES), help="linking rules to compare (default: rarity)")
    ap.add_argument("--traces", default="co-retweet,co-link,co-text")
    ap.add_argument(
        "--keep",
        type=Path,
        help="keep the generated CSV and the detected stores (<rule>.duckdb) here, not in a temporary folder",
    )
    ap.add_argument("--out", default=str(HERE / "results" / "evaluate_vs_cnt_world.json"))
    args = ap.parse_args()
    rules = args.rule or ["rarity"]
    traces = args.traces.split(",")
    out: dict[str, object] = {"scale": args.scale, "seed": args.seed, "traces": traces, "runs": {}}
    runs: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as d:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            d = str(args.keep)
        tmp = Path(d)
        data = tmp / "input.csv"
        t = time.perf_counter()
        out["input"] = _vs_cnt().generate(data, args.scale, args.seed)
        base = tmp / "base.duckdb"
        store = lockstep.open_store(base, memory_limit="4GB")
        lockstep.ingest(store, [data], format="generic", mapping=_vs_cnt().CSV_MAPPING)
        store.close()
        out["generate_ingest_seconds"] = time.perf_counter() - t
        for rule in rules:
            db = tmp / f"{rule}.duckdb"
            db.write_bytes(base.read_bytes())
            runs[rule] = r = run(db, rule, traces, args.seed)
            secs = f"detect {r['detect_seconds']:.1f} s, detect+analyze {r['detect_analyze_seconds']:.1f} s"
            print(f"## rule {rule}: {secs}\n")
            print("| trace | edges | edges between random accounts | p < 0.01 |\n|---|---:|---:|---:|")
            for tr, e in r["edges"].items():  # type: ignore[attr-defined]
                print(f"| {tr} | {e['edges']:,} | {e['random_edges']:,} | {e['significant_p01']:,} |")
            print()
            print(r["markdown"], "\n")
            for note in r["notes"]:  # type: ignore[attr-defined]
                print("note:", note)
            print()
    out["runs"] = runs
    print("## Summary\n")
    print("| rule | detector | flagged | precision | recall | F1 |\n|---|---|---:|---:|---:|---:|")
    for rule, r in runs.items():
        for det in r["evaluation"]["detectors"]:  # type: ignore[index]
            print(
                f"| {rule} | {det['detector']} | {det['flagged']:,} | {det['precision']:.3f} | {det['recall']:.3f} | "
                f"{det['f1']:.3f} |"
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
