"""The rarity guard's common-partner join (:func:`lockstep.engine.coaction.corroborated`) against its definition.

The join runs over one row per neighbour pair (how many items link them and the smallest); these tests check it
keeps exactly the rare co-actions the definition keeps (:mod:`lockstep.traces.rarity`): a second item, or a third
account co-acting with both through at least one item other than the pair's own, on random small graphs where
partners through several items, through the pair's own item only, and through mixes of both are common.
"""

from __future__ import annotations

import random

import ibis
import pyarrow as pa
import pytest

from lockstep.engine import coaction as co

Row = tuple[str, str, str]  # (account_a, account_b, item), a < b


def _reference(extra: list[Row], prs: list[Row]) -> set[Row]:
    """The definition, by brute force: the rows of ``extra`` whose pair is corroborated."""
    items: dict[tuple[str, str], set[str]] = {}
    for a, b, i in extra:
        items.setdefault((a, b), set()).add(i)
    in_window = {(a, b) for a, b, _ in prs}
    graph: dict[str, set[tuple[str, str]]] = {}  # account -> {(neighbour, item)}
    for a, b, i in set(prs) | set(extra):
        graph.setdefault(a, set()).add((b, i))
        graph.setdefault(b, set()).add((a, i))
    keep = set()
    for (a, b), its in items.items():
        own = min(its)
        partner = any(
            ya == yb and (ia != own or ib != own) for ya, ia in graph.get(a, ()) for yb, ib in graph.get(b, ())
        )
        if len(its) >= 2 or (a, b) in in_window or partner:
            keep.add((a, b))
    return {r for r in extra if (r[0], r[1]) in keep}


def _table(rows: list[Row]) -> pa.Table:
    return pa.table(
        {
            "platform": ["x"] * len(rows),
            "account_a": [r[0] for r in rows],
            "account_b": [r[1] for r in rows],
            "item": [r[2] for r in rows],
        }
    )


def _random_rows(rng: random.Random, n: int, accounts: int, items: int) -> list[Row]:
    rows = set()
    while len(rows) < n:
        a, b = rng.sample(range(accounts), 2)
        lo, hi = min(a, b), max(a, b)
        rows.add((f"u{lo:02d}", f"u{hi:02d}", f"i{rng.randrange(items)}"))
    return sorted(rows)


@pytest.mark.parametrize("seed", range(6))
def test_the_common_partner_join_keeps_what_the_definition_keeps(seed: int) -> None:
    rng = random.Random(seed)
    # Few items among few accounts: partners through the pair's own item, through others, and through both.
    extra = _random_rows(rng, 30, 20, 4)
    prs = [r for r in _random_rows(rng, 12, 20, 4) if r not in set(extra)]
    con = ibis.duckdb.connect()
    e = con.create_table("extra", _table(extra))
    p = con.create_table("prs", _table(prs))
    got = co.corroborated(e, p).to_pyarrow()
    kept = set(zip(got["account_a"].to_pylist(), got["account_b"].to_pylist(), got["item"].to_pylist(), strict=True))
    want = _reference(extra, prs)
    assert kept == want
    assert 0 < len(want) < len(extra), "the world keeps some rare co-actions and drops others"


def test_a_partner_through_the_pairs_own_item_and_another_corroborates() -> None:
    """a~b share s only; y co-acts with a on s and on t, with b on s only: y is a partner through t (the
    smallest item of a~y is the pair's own, so only the item count tells)."""
    extra = [("a", "b", "s"), ("a", "y", "s"), ("a", "y", "t"), ("b", "y", "s")]
    alone = [("a", "b", "s"), ("a", "y", "s"), ("b", "y", "s")]
    con = ibis.duckdb.connect()
    for rows, linked in ((extra, True), (alone, False)):
        got = co.corroborated(
            con.create_table("e", _table(rows), overwrite=True),
            con.create_table("p", _table([("c", "d", "z")]), overwrite=True),
        ).to_pyarrow()
        pairs = set(zip(got["account_a"].to_pylist(), got["account_b"].to_pylist(), strict=True))
        assert (("a", "b") in pairs) is linked
        assert _reference(rows, [("c", "d", "z")]) == {r for r in rows if (r[0], r[1]) in pairs}
