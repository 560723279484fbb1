"""Snapshots of a store's detection results, and the comparison the engine equality tests make.

Everything is compared exactly except ``weight``, a parallel sum of products of doubles whose order neither
engine fixes (relative 1e-12).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lockstep.store import open_store

EDGE_COLS = (
    "trace, platform, account_a, account_b, shared_items, coactions, min_gap_s, median_gap_s, weight, "
    "null_mean, z_score, p_value"
)
EVIDENCE_COLS = "trace, platform, account_a, account_b, item, post_a, post_b, time_a, time_b, gap_s"
RUN_COLS = "trace, actions, items, capped_items, capped_actions, pairs, edges"

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(path: Path) -> Snapshot:
    """Edges, evidence, capped items and per-trace run counts of the store at ``path``, sorted."""
    with open_store(path, read_only=True) as s:
        return {
            "edges": s.con.execute(f"SELECT {EDGE_COLS} FROM edges ORDER BY ALL").fetchall(),
            "evidence": s.con.execute(f"SELECT {EVIDENCE_COLS} FROM evidence ORDER BY ALL").fetchall(),
            "capped": s.con.execute(
                "SELECT trace, platform, item, accounts, actions FROM capped_items ORDER BY ALL"
            ).fetchall(),
            "runs": s.con.execute(f"SELECT {RUN_COLS} FROM detect_runs ORDER BY ALL").fetchall(),
        }


def assert_same(default: Snapshot, seam: Snapshot) -> None:
    """Evidence, capped items and run counts equal; edges equal, weights to a relative 1e-12."""
    for table in ("evidence", "capped", "runs"):
        assert seam[table] == default[table], table
    assert len(seam["edges"]) == len(default["edges"])
    weight = EDGE_COLS.split(", ").index("weight")
    for d, s in zip(default["edges"], seam["edges"], strict=True):
        assert d[:weight] == s[:weight] and d[weight + 1 :] == s[weight + 1 :], (d, s)
        assert math.isclose(d[weight], s[weight], rel_tol=1e-12, abs_tol=1e-300), (d, s)
