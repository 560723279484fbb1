"""Leiden's stopping rule: the default runs to a stable partition; ``min_gain`` stops earlier, lower.

The network is a seeded random sparse graph (a giant component of chains and small clusters, like the fused
networks of the benchmark worlds), where Leiden needs several iterations to settle.
"""

from __future__ import annotations

import random

from lockstep.network import find_communities
from lockstep.store import Store, open_store


def network(seed: int = 4, accounts: int = 3000, edges: int = 3600) -> Store:
    store = open_store(":memory:")
    rng = random.Random(seed)
    pairs = set()
    while len(pairs) < edges:
        a, b = sorted(rng.sample(range(accounts), 2))
        pairs.add((a, b))
    rows = [("x", f"acc{a:05d}", f"acc{b:05d}", ["co-retweet"], 1, rng.random(), 1, 1, 5.0, 0.5, 0) for a, b in pairs]
    store.con.executemany("INSERT INTO network_edges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return store


def partition(store: Store) -> dict[str, int]:
    return dict(store.con.execute("SELECT account_id, community FROM account_scores").fetchall())


def test_single_iterations_reach_the_same_stable_partition() -> None:
    store = network()
    full = find_communities(store, seed=2)
    first = partition(store)
    tiny = find_communities(store, seed=2, min_gain=1e-300)
    assert partition(store) == first
    assert tiny.modularity == full.modularity


def test_min_gain_stops_early_with_lower_or_equal_modularity() -> None:
    store = network()
    full = find_communities(store, seed=2)
    early = find_communities(store, seed=2, min_gain=0.5)  # no iteration gains half a unit: stops after two
    assert early.modularity < full.modularity  # this seeded network needs more than two iterations
    assert early.communities > 0 and early.accounts == full.accounts
