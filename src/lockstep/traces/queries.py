"""Read edges and evidence back from the store (what ``lockstep edges`` and ``lockstep evidence`` show)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lockstep.errors import InputError
from lockstep.store.store import Store

EDGE_SORTS = {
    "weight": "weight DESC",
    "shared": "shared_items DESC",
    "coactions": "coactions DESC",
    "z": "z_score DESC NULLS LAST",
    "gap": "median_gap_s ASC",
}


@dataclass(frozen=True)
class Edge:
    """One account-pair edge of one trace."""

    trace: str
    platform: str
    account_a: str
    account_b: str
    shared_items: int
    coactions: int
    min_gap_s: float
    median_gap_s: float
    weight: float
    z_score: float | None
    p_value: float | None


@dataclass(frozen=True)
class Evidence:
    """One co-action: both posts on the same item, and how far apart."""

    trace: str
    item: str
    post_a: str
    post_b: str
    time_a: dt.datetime
    time_b: dt.datetime
    gap_s: float
    text_a: str | None
    text_b: str | None


def edges(store: Store, *, trace: str | None = None, sort: str = "weight", limit: int = 20) -> list[Edge]:
    """Stored edges, strongest first by ``sort`` (weight, shared, coactions, z, gap)."""
    if sort not in EDGE_SORTS:
        raise InputError(f"sort {sort!r}: choose one of {', '.join(EDGE_SORTS)}")
    where, params = ("WHERE trace = ?", [trace]) if trace else ("", [])
    rows = store.con.execute(
        f"""SELECT trace, platform, account_a, account_b, shared_items, coactions, min_gap_s, median_gap_s,
                   weight, z_score, p_value FROM edges {where}
            ORDER BY {EDGE_SORTS[sort]}, trace, account_a, account_b LIMIT ?""",
        [*params, limit],
    ).fetchall()
    return [Edge(*r) for r in rows]


def evidence(
    store: Store, account_a: str, account_b: str, *, trace: str | None = None, limit: int = 50
) -> list[Evidence]:
    """Why two accounts are linked: every stored co-action between them (either order), earliest first."""
    a, b = sorted((account_a, account_b))
    where = "AND e.trace = ?" if trace else ""
    params: list[object] = [a, b] + ([trace] if trace else []) + [limit]
    rows = store.con.execute(
        f"""SELECT e.trace, e.item, e.post_a, e.post_b, e.time_a, e.time_b, e.gap_s, pa.text, pb.text
        FROM evidence e
        LEFT JOIN posts pa ON pa.platform = e.platform AND pa.post_id = e.post_a
        LEFT JOIN posts pb ON pb.platform = e.platform AND pb.post_id = e.post_b
        WHERE e.account_a = ? AND e.account_b = ? {where}
        ORDER BY least(e.time_a, e.time_b), e.trace, e.item, e.post_a, e.post_b LIMIT ?""",
        params,
    ).fetchall()
    return [Evidence(*r) for r in rows]
