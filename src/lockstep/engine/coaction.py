"""Actions -> item statistics -> pairs within a window -> edges, written once in Ibis for every engine.

The one definition of the co-action steps (the method is documented in :mod:`lockstep.traces.engine`:
bucketed sliding window, TF-IDF cosine of Luceri et al. WWW 2024, rarity-aware linking). The Spark engine runs
these expressions through the seam (:mod:`lockstep.engine.run`); the default engine runs them compiled to
DuckDB SQL over its temp tables (:mod:`lockstep.engine.coaction_plans`). Choices that keep the results
*exactly* equal across engines:

- the median gap is an explicit shim (:meth:`~lockstep.engine.shims.Shims.aggregate_with_median`): DuckDB's
  native ``median``; on Spark the rank formulation with DuckDB's interpolation (``lo + (hi - lo) * 0.5``)
  (Spark's ``percentile`` interpolates differently; Ibis' ``median`` may compile to an approximate percentile);
- quantiles over small reduced sets (the rarity cut, the weight percentile) are computed on the driver with
  DuckDB's formulas (:func:`quantile_disc`, :func:`quantile_cont`).

Steps that materialise an intermediate take a ``cache`` (the seam's engine cache, or a temp table of a
compiled plan); without one the expression stays whole.

Weights are sums of products of doubles; neither engine fixes the order of a parallel sum (DuckDB's own
result can move in the last bits with its thread count), so weights agree to about 1e-15 relative, not bit
for bit. Everything else (accounts, items, counts, gaps, times, post ids) is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from lockstep.engine.quantiles import quantile_cont, quantile_disc, rare_cut_from
from lockstep.engine.shims import Shims

__all__ = ["quantile_cont", "quantile_disc", "rare_cut_from"]  # re-exported: the seam reads them from here

PAIR_KEYS = ("platform", "account_a", "account_b")

#: Materialises an intermediate table (the seam's engine cache, or a temp table of a compiled plan).
Cache = Callable[[ir.Table], ir.Table]


def _whole(t: ir.Table) -> ir.Table:
    return t


def clean_actions(raw: ir.Table, sh: Shims) -> ir.Table:
    """Drop actions without an item or account; item as text; ``ts`` = epoch seconds (double)."""
    raw = raw.filter(raw.item.notnull() & (raw.item.cast("string") != "") & raw.account_id.notnull())
    return raw.select(
        "platform", "account_id", item=raw.item.cast("string"), post_id="post_id", t="t", ts=sh.epoch(raw.t)
    )


def item_stats(act_all: ir.Table) -> ir.Table:
    """Distinct accounts and actions per item.

    Distinct accounts as two plain aggregates (per account, then per item): on DuckDB a third faster than
    ``count(DISTINCT)`` over millions of mostly single-action items, same counts.
    """
    per = act_all.group_by(["platform", "item", "account_id"]).aggregate(n=act_all.count())
    return per.group_by(["platform", "item"]).aggregate(accounts=per.count(), actions=per.n.sum())


#: The item-hash slice :func:`repeat_sample` reads: one item hash in this many.
SAMPLE_BUCKETS = 64


def repeat_sample(act_all: ir.Table) -> ir.Table:
    """One row ``(actions, repeated)``: the actions whose item hash falls in one slice of the hash space (one in
    :data:`SAMPLE_BUCKETS`, every action of an item or none), and how many of them are on a repeated hash.

    An estimate, for a choice of plan only (:func:`candidates` or not; the results are the same): the share of
    actions on items acted on more than once. Sampling items, not rows, keeps the share unbiased.
    """
    h = act_all.select(_h=act_all.item.hash())
    h = h.filter(h._h % SAMPLE_BUCKETS == 0)
    per = h.group_by("_h").aggregate(n=h.count())
    return per.aggregate(actions=per.n.sum(), repeated=per.n.sum(where=per.n >= 2))


def candidates(act_all: ir.Table) -> ir.Table:
    """The actions on items whose hash repeats: every action of every item acted on twice or more.

    The item-hash prefilter: an item acted on once cannot pair, and counting it needs no statistics (one
    action, one account). Grouping by an integer hash is cheaper than grouping by (platform, item, account)
    strings; a collision (two items, or one item on two platforms, with one hash) only keeps a few more
    actions, whose exact statistics :func:`item_stats` then computes, so the result is exact. Every action
    left out is the only action of its item: ``items = actions - len(candidates) + len(item_stats(candidates))``.
    """
    a = act_all.mutate(_h=act_all.item.hash())
    rep = a.group_by("_h").aggregate(_n=a.count())
    return a.semi_join(rep.filter(rep._n >= 2).select("_h"), "_h").drop("_h")


def pairable(act_all: ir.Table, stats: ir.Table, cap: int) -> ir.Table:
    """Actions on items that 2..``cap`` accounts acted on (more is viral: capped and reported, not paired)."""
    keep = stats.filter((stats.accounts >= 2) & (stats.accounts <= cap)).select("platform", "item")
    return act_all.semi_join(keep, ["platform", "item"])


def pairs(act: ir.Table, window: float | None, cross_platform: bool = False) -> ir.Table:
    """Every pair of actions on the same item by two accounts (``a < b``) at most ``window`` seconds apart.

    Time is bucketed by the window; each action joins the same item's actions in buckets ``b-1, b, b+1``
    (equality join keys only), and ``|t1 - t2| <= window`` keeps the exact sliding window. For a
    ``cross_platform`` trace (accounts ``platform:id``, :mod:`lockstep.traces.cross_platform`) a pair of two
    accounts of the same platform is dropped.
    """
    if window is None:
        x = act.mutate(jb=ibis.literal(0, "int64"))
        y = act.mutate(bkt=ibis.literal(0, "int64"))
    else:
        w = float(window)
        both = act.mutate(bkt=(act.ts / w).floor().cast("int64"))
        x = both.mutate(jb=ibis.array([both.bkt - 1, both.bkt, both.bkt + 1]).unnest())
        y = both
    x = x.select("platform", "item", "jb", account_a="account_id", post_a="post_id", time_a="t", ts_a="ts")
    y = y.select("platform", "item", "bkt", account_b="account_id", post_b="post_id", time_b="t", ts_b="ts")
    j = x.join(y, [x.platform == y.platform, x.item == y.item, x.jb == y.bkt])
    gap = (j.ts_a - j.ts_b).abs()
    cond = j.account_a < j.account_b
    if window is not None:
        cond = cond & (gap <= float(window))
    j = j.filter(cond)
    out = j.select("platform", "account_a", "account_b", "item", "post_a", "post_b", "time_a", "time_b", gap_s=gap)
    return cross_platform_only(out) if cross_platform else out


def cross_platform_only(prs: ir.Table) -> ir.Table:
    """The pairs of ``prs`` whose two cross-platform accounts (``platform:id``) are on different platforms."""
    return prs.filter(_platform_of(prs.account_a) != _platform_of(prs.account_b))


def _platform_of(account: ir.StringValue) -> ir.StringValue:
    """The platform part of a cross-platform account id (before the first ``:``; the whole id without one)."""
    return account.split(":")[0]


def rare_pairs(
    act: ir.Table,
    stats: ir.Table,
    prs: ir.Table,
    rare_cut: int,
    horizon_s: float,
    guard: bool = True,
    *,
    cross_platform: bool = False,
    cache: Cache = _whole,
) -> ir.Table:
    """The co-actions that rarity-aware linking adds to ``prs`` (:mod:`lockstep.traces.rarity`).

    Co-actions on rare items (``2 <= accounts <= rare_cut``) up to ``horizon_s`` apart that ``prs`` (the
    window's pairs) does not already hold; with ``guard``, only those of pairs with a second item or a common
    partner (:func:`corroborated`). A ``cross_platform`` trace keeps only pairs across platforms, after the
    guard (a same-platform rare co-action may still make a common partner).
    """
    rare = stats.filter((stats.accounts >= 2) & (stats.accounts <= int(rare_cut))).select("platform", "item")
    r = act.semi_join(rare, ["platform", "item"])
    x = r.select("platform", "item", account_a="account_id", post_a="post_id", time_a="t", ts_a="ts")
    y = r.select("platform", "item", account_b="account_id", post_b="post_id", time_b="t", ts_b="ts")
    # Rare items have few accounts: a plain equality join, no time buckets.
    j = x.join(y, ["platform", "item"])
    gap = (j.ts_a - j.ts_b).abs()
    cand = j.filter((j.account_a < j.account_b) & (gap <= float(horizon_s))).select(
        "platform", "account_a", "account_b", "item", "post_a", "post_b", "time_a", "time_b", gap_s=gap
    )
    same = [cand[k] == prs[k] for k in ("platform", "account_a", "account_b", "item", "time_a", "time_b")]
    same += [cand.post_a.identical_to(prs.post_a), cand.post_b.identical_to(prs.post_b)]
    extra = cand.anti_join(prs, same)
    if guard:
        extra = corroborated(cache(extra), prs, cache=cache)
    return cross_platform_only(extra) if cross_platform else extra


def corroborated(extra: ir.Table, prs: ir.Table, *, cache: Cache = _whole) -> ir.Table:
    """The rows of ``extra`` (rare co-actions beyond the window) whose pair shares a second item (two rare items
    in ``extra``, or any co-action in ``prs``) or has a common partner, reached through some other item than
    the pair's own, in the graph of ``prs`` and ``extra`` (:mod:`lockstep.traces.rarity`)."""
    keys = list(PAIR_KEYS)
    links = cache(extra.group_by(keys).aggregate(items=extra.item.nunique(), item=extra.item.min()))
    u = prs.select(*keys, "item").union(extra.select(*keys, "item")).distinct()
    both = u.select("platform", x="account_a", y="account_b", item="item").union(
        u.select("platform", x="account_b", y="account_a", item="item")
    )
    # One row per neighbour (x, y): how many items link them and the smallest. A partner y of the link (a, b,
    # item) corroborates unless both a-y and b-y are linked through that one item only, so the triangle join
    # visits each partner once instead of once per pair of items (the same rows as joining every item of a-y
    # with every item of b-y and keeping those with one item other than the link's). ``u`` holds each
    # (pair, item) once and its pairs have a < b, so the rows of ``both`` are distinct: count() counts items.
    graph = cache(both.group_by(["platform", "x", "y"]).aggregate(n=both.count(), i=both.item.min()))
    ga = graph.select("platform", xa="x", ya="y", na="n", ia="i")
    gb = graph.select("platform", xb="x", yb="y", nb="n", ib="i")
    tri = links.join(ga, [links.platform == ga.platform, links.account_a == ga.xa]).select(
        *keys, "item", "ya", "na", "ia"
    )
    tri = tri.join(gb, [tri.platform == gb.platform, tri.account_b == gb.xb, tri.ya == gb.yb])
    other = (tri.na >= 2) | (tri.ia != tri.item) | (tri.nb >= 2) | (tri.ib != tri.item)
    tri = tri.filter(other).select(*keys)
    keep = cache(
        links.filter(links.items >= 2)
        .select(*keys)
        .union(links.semi_join(prs, keys).select(*keys))
        .union(tri)
        .distinct()
    )
    return extra.semi_join(keep, keys)


def accounts_per_platform(act: ir.Table) -> ir.Table:
    """``(platform, n)``: the distinct accounts of ``act`` per platform (TF-IDF's ``N``; summed, the acting
    accounts of the rarity cut). One table for both, so the distinct pass over the actions runs once."""
    return act.group_by("platform").aggregate(n=act.account_id.nunique())


def popularity_histogram(stats: ir.Table) -> ir.Table:
    """``(accounts, items)``: how many items each popularity has (small: one row per distinct popularity)."""
    return stats.group_by("accounts").aggregate(items=stats.count())


def median_by(t: ir.Table, keys: Sequence[str], column: str, name: str) -> ir.Table:
    """Per group of ``keys``: DuckDB's ``median(column)`` (``quantile_cont`` at 0.5), from ranks.

    Written out so every engine agrees: nulls left out, the middle value, or ``lo * 0.5 + hi * 0.5`` for an even
    count (DuckDB 2.0 interpolates as ``lo * (1 - d) + hi * d``; ``lo + (hi - lo) * 0.5`` differs in the last bit
    for about one pair of doubles in four, measured in ``tests/test_engine_shims.py``).
    """
    group = list(keys)
    t = t.filter(t[column].notnull())  # as DuckDB's median; Spark would also rank its nulls first
    ranked = t.select(
        *group,
        column,
        _rn=ibis.row_number().over(ibis.window(group_by=group, order_by=column)),
        _n=t[column].count().over(ibis.window(group_by=group)),
    )
    mid = ranked.filter((ranked._rn == (ranked._n - 1) // 2) | (ranked._rn == ranked._n // 2))
    m = mid.group_by(group).aggregate(_lo=mid[column].min(), _hi=mid[column].max())
    half = ibis.literal(0.5, "float64")
    return m.select(*group, **{name: m._lo * half + m._hi * half})


def edges(
    act: ir.Table,
    prs: ir.Table,
    stats: ir.Table,
    min_shared: int,
    rare_cut: int,
    sh: Shims,
    *,
    cache: Cache = _whole,
    accounts: ir.Table | None = None,
) -> ir.Table:
    """Edges: pairs aggregated per account pair, kept by the linking rule, with the TF-IDF cosine weight.

    Columns: platform, account_a, account_b, shared_items, coactions, min_gap_s, median_gap_s, weight.
    TF-IDF vectors are built only for the accounts of kept edges (each vector complete: its norm is the
    account's); ``N`` counts every account of ``act`` and ``df`` is the item's distinct accounts from
    ``stats`` (which counted exactly the actions ``act`` keeps of every item in it). ``accounts``: that ``N``
    already computed (:func:`accounts_per_platform` of ``act``).
    """
    keys = list(PAIR_KEYS)
    pj = prs.left_join(stats.select("platform", "item", "accounts"), ["platform", "item"])
    agg = sh.aggregate_with_median(
        pj,
        keys,
        {
            "shared_items": pj.item.nunique(),
            "coactions": pj.count(),
            "min_gap_s": pj.gap_s.min(),
            "min_accounts": pj.accounts.min(),
        },
        "gap_s",
        "median_gap_s",
    )
    agg = cache(agg.filter((agg.shared_items >= min_shared) | (agg.min_accounts <= rare_cut)).drop("min_accounts"))
    kept = prs.semi_join(agg, keys)
    shared = kept.select(*keys, "item").distinct()

    linked = agg.select("platform", account_id="account_a").union(agg.select("platform", account_id="account_b"))
    n = accounts if accounts is not None else accounts_per_platform(act)
    tf = act.semi_join(linked, ["platform", "account_id"])
    tf = tf.group_by(["platform", "account_id", "item"]).aggregate(tf=tf.count())
    j = tf.join(stats.select("platform", "item", df="accounts"), ["platform", "item"]).join(n, "platform")
    tfidf = cache(j.select("platform", "account_id", "item", w=j.tf * (1 + j.n / j.df).ln()))

    ta = tfidf.select("platform", account_a="account_id", item="item", wa="w")
    tb = tfidf.select("platform", account_b="account_id", item="item", wb="w")
    d = shared.join(ta, ["platform", "account_a", "item"]).join(tb, ["platform", "account_b", "item"])
    dots = d.group_by(keys).aggregate(dot=(d.wa * d.wb).sum())
    norms = tfidf.group_by(["platform", "account_id"]).aggregate(norm=(tfidf.w * tfidf.w).sum().sqrt())
    na = norms.select("platform", account_a="account_id", na="norm")
    nb = norms.select("platform", account_b="account_id", nb="norm")
    e = agg.join(dots, keys).join(na, ["platform", "account_a"]).join(nb, ["platform", "account_b"])
    weight = ibis.cases(((e.na > 0) & (e.nb > 0), e.dot / (e.na * e.nb)), else_=ibis.null("float64")).fill_null(0.0)
    return e.select(*PAIR_KEYS, "shared_items", "coactions", "min_gap_s", "median_gap_s", weight=weight.cast("float64"))


def item_half_times(act: ir.Table) -> ir.Table:
    """Per item shared at least twice: the median delay of its actions after its first (CooRnet's ``t50``)."""
    w = ibis.window(group_by=["platform", "item"])
    s = act.select("platform", "item", dt=act.ts - act.ts.min().over(w), n=act.ts.count().over(w))
    return median_by(s.filter(s.n >= 2), ["platform", "item"], "dt", "t50")


def evidence(prs: ir.Table, kept_edges: ir.Table) -> ir.Table:
    """The pairs behind the kept edges (one evidence row per co-action)."""
    return prs.semi_join(kept_edges.select(*PAIR_KEYS), list(PAIR_KEYS))
