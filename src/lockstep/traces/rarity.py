"""Rare-item co-actions beyond the trace window: the pairs that rarity-aware linking adds.

A co-action on an item that few accounts in the whole data set ever acted on is evidence by itself, whatever
the gap: identical rare texts or retweets posted by two accounts hours apart are how scheduled operations
look (measured on the shared IRA data: most IRA pairs sharing a text shared by 2-5 accounts post it between
one hour and one day apart, not within a minute). Pacheco et al. (ICWSM 2021) link accounts on identical
content with no time window at all; Luceri et al. (WWW 2024) weigh shared items by TF-IDF over the whole
period. Lockstep keeps a bound: the null model's horizon (``null_shift_s``, one day by default). Popular items
keep the trace's window: a co-action on them is expected by chance.

The null model still tests synchrony only: it compares the co-actions *inside the window* with their count
under random time shifts. Rare co-actions further apart are evidence of shared content, not of timing, so an
edge that rests on them alone gets ``p = 1`` (measured: under one-day shifts, counting them would bury a
pair that retweets twelve posts five seconds apart at p 0.04).
"""

from __future__ import annotations

import duckdb


def add_rare_pairs(con: duckdb.DuckDBPyConnection, rare_cut: int, horizon_s: float) -> int:
    """Add to temp table ``pairs`` every co-action on a rare item (``accounts <= rare_cut``) within ``horizon_s``.

    Pairs already there (inside the trace's window) are not duplicated. Returns the number of pairs added.
    Needs the engine's temp tables ``act``, ``item_stats`` and ``pairs``.
    """
    row = con.execute("SELECT count(*) FROM pairs").fetchone()
    before = int(row[0]) if row else 0
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rare_items AS
        SELECT platform, item FROM item_stats WHERE accounts BETWEEN 2 AND {int(rare_cut)}"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rare_pairs AS
        WITH r AS (SELECT a.* FROM act a SEMI JOIN rare_items i ON i.platform = a.platform AND i.item = a.item),
        cand AS (SELECT x.platform, x.account_id AS account_a, y.account_id AS account_b, x.item,
               x.post_id AS post_a, y.post_id AS post_b, x.t AS time_a, y.t AS time_b, abs(x.ts - y.ts) AS gap_s
               FROM r x JOIN r y ON x.platform = y.platform AND x.item = y.item
               WHERE x.account_id < y.account_id AND abs(x.ts - y.ts) <= {float(horizon_s)!r})
        SELECT * FROM cand c WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.platform = c.platform
            AND p.account_a = c.account_a AND p.account_b = c.account_b AND p.item = c.item
            AND p.time_a = c.time_a AND p.time_b = c.time_b
            AND p.post_a IS NOT DISTINCT FROM c.post_a AND p.post_b IS NOT DISTINCT FROM c.post_b)"""
    )
    con.execute("INSERT INTO pairs SELECT * FROM rare_pairs")
    con.execute("DROP TABLE rare_pairs")
    con.execute("DROP TABLE rare_items")
    row = con.execute("SELECT count(*) FROM pairs").fetchone()
    return (int(row[0]) if row else 0) - before
