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
:func:`lockstep.engine.quantiles.rare_cut_from`: one rare item in synchrony links.
"""

from __future__ import annotations

from lockstep.engine import coaction_plans
from lockstep.engine.embedded import Connection


def add_rare_pairs(
    con: Connection, rare_cut: int, horizon_s: float, guard: bool = True, *, cross_platform: bool = False
) -> int:
    """Add to temp table ``pairs`` the co-actions on rare items (``accounts <= rare_cut``) within ``horizon_s``.

    Pairs already there (inside the trace's window) are not duplicated. With ``guard`` (the default), only the
    co-actions of corroborated pairs are added (a second item or a common partner, see the module docstring);
    a ``cross_platform`` trace adds only pairs across platforms. The one definition is
    :func:`lockstep.engine.coaction.rare_pairs`, run compiled (:mod:`lockstep.engine.coaction_plans`).
    Returns the number of pairs added. Needs the engine's temp tables ``act``, ``item_stats`` and ``pairs``.
    """
    coaction_plans.run_step(
        con,
        "rare_pairs",
        "rare_pairs",
        rare_cut=int(rare_cut),
        horizon_s=float(horizon_s),
        guard=bool(guard),
        cross_platform=bool(cross_platform),
    )
    try:
        row = con.execute("SELECT count(*) FROM rare_pairs").fetchone()
        con.execute("INSERT INTO pairs SELECT * FROM rare_pairs")
    finally:
        con.execute("DROP TABLE rare_pairs")
    return int(row[0]) if row else 0
