"""Diff the detect output of two stores, trace by trace: are two versions of the code giving the same result?

Usage: python bench/diff_detect.py STORE_A STORE_B [--rel 1e-12] [--traces co-retweet,co-text] [--out FILE]

Both stores should hold the same posts and have had ``detect`` run on them (e.g. one copy of a store detected
with the old code and one with the new). For every trace it compares, ignoring run ids and timings:

- **edges**: the same account pairs; ``shared_items`` and ``coactions`` exactly; ``min_gap_s``,
  ``median_gap_s``, ``weight``, ``null_mean``, ``z_score`` and ``p_value`` within ``--rel`` relative
  (of the larger of the two; so 0 only against 0), a NULL only against a NULL;
- **evidence**: the same rows as a multiset (pair, item, both posts, both times, the gap), exactly;
- **run counts** of each trace's latest ``detect_runs`` row: actions, items, capped items and actions, pairs,
  edges, and the recorded parameters (window used included);
- **capped items** of those runs, as a multiset.

Prints one line per trace and exits 1 when anything differs (the first differing edges are printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import duckdb

DOUBLES = ("min_gap_s", "median_gap_s", "weight", "null_mean", "z_score", "p_value")
COUNTS = ("actions", "items", "capped_items", "capped_actions", "pairs", "edges")
EVIDENCE = "trace, platform, account_a, account_b, item, post_a, post_b, time_a, time_b, gap_s"


def _latest_runs(db: str) -> str:
    return f"""(SELECT * FROM {db}.detect_runs QUALIFY row_number() OVER (PARTITION BY trace
                ORDER BY started_at DESC, run_id DESC) = 1)"""


def diff(store_a: str, store_b: str, rel: float = 1e-12, traces: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per trace: counts of edges on each side and of every kind of difference (all 0 when equal)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{store_a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{store_b}' AS b (READ_ONLY)")
    names = [
        r[0]
        for r in con.execute(
            f"SELECT trace FROM {_latest_runs('a')} UNION SELECT trace FROM {_latest_runs('b')} ORDER BY 1"
        ).fetchall()
    ]
    if traces:
        names = [n for n in names if n in traces]
    close = " AND ".join(
        f"((x.{c} IS NULL AND y.{c} IS NULL) OR abs(x.{c} - y.{c}) <= {rel!r} * greatest(abs(x.{c}), abs(y.{c})))"
        for c in DOUBLES
    )
    out: dict[str, dict[str, Any]] = {}
    for t in names:
        key = "x.platform = y.platform AND x.account_a = y.account_a AND x.account_b = y.account_b"
        row = con.execute(
            f"""WITH x AS (SELECT * FROM a.edges WHERE trace = $t), y AS (SELECT * FROM b.edges WHERE trace = $t)
            SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM y),
                   count(*) FILTER (WHERE y.account_a IS NULL), count(*) FILTER (WHERE x.account_a IS NULL),
                   count(*) FILTER (WHERE x.account_a IS NOT NULL AND y.account_a IS NOT NULL
                                    AND NOT (x.shared_items = y.shared_items AND x.coactions = y.coactions
                                             AND {close}))
            FROM x FULL JOIN y ON {key}""",
            {"t": t},
        ).fetchone()
        assert row is not None
        edges_a, edges_b, only_a, only_b, changed = (int(v) for v in row)
        ev = con.execute(
            f"""SELECT (SELECT count(*) FROM (SELECT {EVIDENCE} FROM a.evidence WHERE trace = $t
                                              EXCEPT ALL SELECT {EVIDENCE} FROM b.evidence WHERE trace = $t)),
                       (SELECT count(*) FROM (SELECT {EVIDENCE} FROM b.evidence WHERE trace = $t
                                              EXCEPT ALL SELECT {EVIDENCE} FROM a.evidence WHERE trace = $t)),
                       (SELECT count(*) FROM a.evidence WHERE trace = $t)""",
            {"t": t},
        ).fetchone()
        assert ev is not None
        runs = con.execute(
            f"""SELECT {", ".join(COUNTS)}, parameters FROM {_latest_runs("a")} WHERE trace = $t
                UNION ALL SELECT {", ".join(COUNTS)}, parameters FROM {_latest_runs("b")} WHERE trace = $t""",
            {"t": t},
        ).fetchall()
        run_diff = [] if len(runs) == 2 and runs[0] == runs[1] else [str(r) for r in runs]
        capped = con.execute(
            f"""WITH ra AS (SELECT run_id FROM {_latest_runs("a")} WHERE trace = $t),
                     rb AS (SELECT run_id FROM {_latest_runs("b")} WHERE trace = $t),
                ca AS (SELECT platform, item, accounts, actions FROM a.capped_items SEMI JOIN ra USING (run_id)),
                cb AS (SELECT platform, item, accounts, actions FROM b.capped_items SEMI JOIN rb USING (run_id))
            SELECT (SELECT count(*) FROM (SELECT * FROM ca EXCEPT ALL SELECT * FROM cb))
                 + (SELECT count(*) FROM (SELECT * FROM cb EXCEPT ALL SELECT * FROM ca))""",
            {"t": t},
        ).fetchone()
        assert capped is not None
        res = {
            "edges_a": edges_a,
            "edges_b": edges_b,
            "edges_only_a": only_a,
            "edges_only_b": only_b,
            "edges_changed": changed,
            "evidence_a": int(ev[2]),
            "evidence_only_a": int(ev[0]),
            "evidence_only_b": int(ev[1]),
            "capped_differ": int(capped[0]),
            "runs_differ": run_diff,
        }
        if changed or only_a or only_b:
            res["examples"] = [
                str(r)
                for r in con.execute(
                    f"""WITH x AS (SELECT * FROM a.edges WHERE trace = $t),
                    y AS (SELECT * FROM b.edges WHERE trace = $t)
                    SELECT x.account_a, x.account_b, y.account_a, y.account_b, x.shared_items, y.shared_items,
                           x.coactions, y.coactions, {", ".join(f"x.{c}, y.{c}" for c in DOUBLES)}
                    FROM x FULL JOIN y ON {key}
                    WHERE x.account_a IS NULL OR y.account_a IS NULL
                       OR NOT (x.shared_items = y.shared_items AND x.coactions = y.coactions AND {close})
                    LIMIT 5""",
                    {"t": t},
                ).fetchall()
            ]
        out[t] = res
    return out


def equal(res: dict[str, dict[str, Any]]) -> bool:
    """Whether every trace of a :func:`diff` result is identical."""
    return all(
        not (r["edges_only_a"] or r["edges_only_b"] or r["edges_changed"])
        and not (r["evidence_only_a"] or r["evidence_only_b"] or r["capped_differ"] or r["runs_differ"])
        for r in res.values()
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store_a")
    ap.add_argument("store_b")
    ap.add_argument("--rel", type=float, default=1e-12, help="relative tolerance of the double columns")
    ap.add_argument("--traces", default="", help="comma-separated traces (default: every trace either ran)")
    ap.add_argument("--out", default=None, help="also write the result as JSON here")
    args = ap.parse_args()
    res = diff(args.store_a, args.store_b, args.rel, args.traces.split(",") if args.traces else None)
    print(
        f"{'trace':<24} {'edges a':>8} {'edges b':>8} {'only a':>7} {'only b':>7} {'changed':>8} "
        f"{'evidence':>9} {'ev diff':>8} {'capped':>7} runs"
    )
    for t, r in res.items():
        print(
            f"{t:<24} {r['edges_a']:>8,} {r['edges_b']:>8,} {r['edges_only_a']:>7,} {r['edges_only_b']:>7,} "
            f"{r['edges_changed']:>8,} {r['evidence_a']:>9,} {r['evidence_only_a'] + r['evidence_only_b']:>8,} "
            f"{r['capped_differ']:>7,} {'same' if not r['runs_differ'] else 'DIFFER'}"
        )
        for line in r.get("examples", []) + r["runs_differ"]:
            print("    " + line)
    same = equal(res)
    print("identical" if same else "DIFFERENT")
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {"a": args.store_a, "b": args.store_b, "rel": args.rel, "identical": same, "traces": res}, indent=1
            )
        )
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
