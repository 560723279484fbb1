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

**The corroboration guard** (default; ``DetectParams(rarity_guard=False)`` keeps the unguarded rule). One rare
co-action hours apart is no evidence in a crowd where every item is rare: on the ``bench/vs_cnt.py`` world
(50k accounts retweeting 200k objects at random, three accounts per object on average) the unguarded rule
linked 49,345 random pairs on one rare retweet each. A single co-action cannot be significant for one pair
among the billion pairs of such a crowd; what separates an operation is structure: coordinated accounts act
together *repeatedly* (CooRnet, Giglietto et al. 2020; Pacheco et al. ICWSM 2021) and form *dense blocks* of
accounts and items (CopyCatch, Beutel et al. WWW 2013; SynchroTrap, Cao et al. CCS 2014), while chance rare
co-actions in a crowd form a sparse random graph. So a rare co-action beyond the window is kept when its pair

* shares a second item (another rare co-action beyond the window, or any co-action inside it), or
* has a common partner: a third account co-acting with both (inside the window, or on a rare item within the
  horizon) through at least one other item, the smallest dense block (the three accounts of one item shared
  by three are partners through that one co-action only, which corroborates nothing).

A sparse random graph of mean degree ``k`` has about ``k**3 / 6`` triangles whatever its size, so the guard
removes chance links in a crowd and keeps the cliques an operation's shared content forms (measured on the
shared IRA mixes: 169 of 238 IRA pairs linked by one rare text beyond the window in the July 2015 week have
a common partner; none of the 5 organic pairs does). Co-actions inside the window keep the rule of
:func:`lockstep.traces.engine._rare_cut`: one rare item in synchrony links.
"""

from __future__ import annotations

from lockstep.engine.embedded import Connection


def add_rare_pairs(con: Connection, rare_cut: int, horizon_s: float, guard: bool = True) -> int:
    """Add to temp table ``pairs`` the co-actions on rare items (``accounts <= rare_cut``) within ``horizon_s``.

    Pairs already there (inside the trace's window) are not duplicated. With ``guard`` (the default), only the
    co-actions of corroborated pairs are added (a second item or a common partner, see the module docstring).
    Returns the number of pairs added. Needs the engine's temp tables ``act``, ``item_stats`` and ``pairs``.
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
    if guard:
        _corroborated_only(con)
    con.execute("INSERT INTO pairs SELECT * FROM rare_pairs")
    con.execute("DROP TABLE rare_pairs")
    con.execute("DROP TABLE rare_items")
    row = con.execute("SELECT count(*) FROM pairs").fetchone()
    return (int(row[0]) if row else 0) - before


def _corroborated_only(con: Connection) -> None:
    """Keep in temp table ``rare_pairs`` the co-actions of pairs with a second item or a common partner.

    The partner graph is every (account pair, item) of ``pairs`` (the window's co-actions) and of
    ``rare_pairs``. A common partner of a pair resting on one item must be reached through some other item:
    the three accounts of one item shared by three are each other's partners through that item alone, which is
    one co-action, not a block.
    """
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rare_links AS
        SELECT platform, account_a, account_b, count(DISTINCT item) AS items, min(item) AS item FROM rare_pairs
        GROUP BY platform, account_a, account_b"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rare_graph AS
        WITH u AS (SELECT platform, account_a, account_b, item FROM pairs
                   UNION SELECT platform, account_a, account_b, item FROM rare_pairs)
        SELECT platform, account_a AS x, account_b AS y, item FROM u
        UNION ALL SELECT platform, account_b, account_a, item FROM u"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rare_keep AS
        SELECT platform, account_a, account_b FROM rare_links WHERE items >= 2
        UNION SELECT DISTINCT l.platform, l.account_a, l.account_b FROM rare_links l
          SEMI JOIN pairs p ON p.platform = l.platform AND p.account_a = l.account_a AND p.account_b = l.account_b
        UNION SELECT DISTINCT l.platform, l.account_a, l.account_b FROM rare_links l
          JOIN rare_graph ga ON ga.platform = l.platform AND ga.x = l.account_a
          JOIN rare_graph gb ON gb.platform = l.platform AND gb.x = l.account_b AND gb.y = ga.y
          WHERE ga.item <> l.item OR gb.item <> l.item"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE rare_pairs AS SELECT r.* FROM rare_pairs r SEMI JOIN rare_keep k
           ON k.platform = r.platform AND k.account_a = r.account_a AND k.account_b = r.account_b"""
    )
    for t in ("rare_keep", "rare_graph", "rare_links"):
        con.execute(f"DROP TABLE {t}")
