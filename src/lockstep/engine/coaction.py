"""Actions -> item statistics -> pairs within a window -> edges, written once in Ibis for every engine.

The same steps, in the same order and with the same arithmetic, as the default engine
(:mod:`lockstep.traces.engine`, which documents the method: bucketed sliding window, TF-IDF cosine of
Luceri et al. WWW 2024, rarity-aware linking). Two choices keep the results *exactly* equal across engines:

- the median gap is computed here from ranks with DuckDB's interpolation (``lo + (hi - lo) * 0.5``), not
  with each engine's own ``median`` (Spark's ``percentile`` interpolates differently; Ibis' ``median`` may
  compile to an approximate percentile);
- quantiles over small reduced sets (the rarity cut, the weight percentile) are computed on the driver with
  DuckDB's formulas (:func:`quantile_disc`, :func:`quantile_cont`).

Weights are sums of products of doubles; neither engine fixes the order of a parallel sum (DuckDB's own
result can move in the last bits with its thread count), so weights agree to about 1e-15 relative, not bit
for bit. Everything else (accounts, items, counts, gaps, times, post ids) is exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.traces.cross_platform import CROSS_PLATFORM

PAIR_KEYS = ("platform", "account_a", "account_b")


def clean_actions(raw: ir.Table, sh: Shims) -> ir.Table:
    """Drop actions without an item or account; item as text; ``ts`` = epoch seconds (double)."""
    raw = raw.filter(raw.item.notnull() & (raw.item.cast("string") != "") & raw.account_id.notnull())
    return raw.select(
        "platform", "account_id", item=raw.item.cast("string"), post_id="post_id", t="t", ts=sh.epoch(raw.t)
    )


def item_stats(act_all: ir.Table) -> ir.Table:
    """Distinct accounts and actions per item."""
    return act_all.group_by(["platform", "item"]).aggregate(
        accounts=act_all.account_id.nunique(), actions=act_all.count()
    )


def pairable(act_all: ir.Table, stats: ir.Table, cap: int) -> ir.Table:
    """Actions on items that 2..``cap`` accounts acted on (more is viral: capped and reported, not paired)."""
    keep = stats.filter((stats.accounts >= 2) & (stats.accounts <= cap)).select("platform", "item")
    return act_all.semi_join(keep, ["platform", "item"])


def pairs(act: ir.Table, window: float | None) -> ir.Table:
    """Every pair of actions on the same item by two accounts (``a < b``) at most ``window`` seconds apart.

    Time is bucketed by the window; each action joins the same item's actions in buckets ``b-1, b, b+1``
    (equality join keys only), and ``|t1 - t2| <= window`` keeps the exact sliding window. On the
    cross-platform pseudo-platform (:func:`lockstep.engine.actions.cross_platform`) a pair of two accounts of
    the same platform is dropped, as the default engine deletes it (:mod:`lockstep.traces.cross_platform`).
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
    cond = cond & ((j.platform != CROSS_PLATFORM) | (j.account_a.split(":")[0] != j.account_b.split(":")[0]))
    if window is not None:
        cond = cond & (gap <= float(window))
    j = j.filter(cond)
    return j.select("platform", "account_a", "account_b", "item", "post_a", "post_b", "time_a", "time_b", gap_s=gap)


def quantile_disc(values: Sequence[float], q: float) -> float | None:
    """DuckDB's ``quantile_disc``: the value at index ``floor((n - 1) * q)`` of the sorted values.

    Examples:
        >>> quantile_disc([4, 1, 3, 2], 0.5), quantile_disc([1, 2, 3, 4, 5], 0.5)
        (2, 3)
    """
    if not values:
        return None
    s = sorted(values)
    return s[math.floor((len(s) - 1) * q)]


def quantile_cont(values: Sequence[float], q: float) -> float | None:
    """DuckDB's ``quantile_cont``: ``lo + (hi - lo) * d`` at position ``(n - 1) * q``.

    Examples:
        >>> quantile_cont([1.0, 2.0, 4.0, 8.0], 0.5)
        3.0
    """
    if not values:
        return None
    s = sorted(values)
    rn = (len(s) - 1) * q
    lo_i, hi_i = math.floor(rn), math.ceil(rn)
    if lo_i == hi_i:
        return s[lo_i]
    lo, hi = s[lo_i], s[hi_i]
    return lo + (hi - lo) * (rn - lo_i)


def rare_cut_from(popularity: Sequence[tuple[int, int]], acting_accounts: int) -> int:
    """:func:`lockstep.traces.engine._rare_cut` from a histogram ``(accounts, items with that many)``.

    The lower quartile (DuckDB's ``quantile_disc``) of the popularity of the items at least two accounts acted
    on, at most 1% of the ``acting_accounts`` of the trace, never under 2.

    Examples:
        >>> rare_cut_from([(2, 6), (3, 1), (10, 1)], 10_000), rare_cut_from([(10, 4)], 40)
        (2, 2)
    """
    hist = sorted((int(a), int(n)) for a, n in popularity if a is not None and int(a) >= 2)
    total = sum(n for _, n in hist)
    quartile = 2
    if total:
        index = math.floor((total - 1) * 0.25)
        seen = 0
        for accounts, n in hist:
            seen += n
            if index < seen:
                quartile = accounts
                break
    return max(2, min(quartile, int(0.01 * int(acting_accounts))))


def rare_pairs(
    act: ir.Table, stats: ir.Table, prs: ir.Table, rare_cut: int, horizon_s: float, guard: bool = True
) -> ir.Table:
    """:func:`lockstep.traces.rarity.add_rare_pairs`: co-actions on rare items (``2 <= accounts <= rare_cut``)
    up to ``horizon_s`` apart that ``prs`` (the window's pairs) does not already hold; with ``guard``, only
    those of pairs with a second item or a common partner (:func:`corroborated`)."""
    rare = stats.filter((stats.accounts >= 2) & (stats.accounts <= int(rare_cut))).select("platform", "item")
    horizon = pairs(act.semi_join(rare, ["platform", "item"]), horizon_s)
    keys = ("platform", "account_a", "account_b", "item", "time_a", "time_b")

    def keyed(t: ir.Table) -> ir.Table:
        return t.mutate(pa_k=t.post_a.cast("string").fill_null("\x00"), pb_k=t.post_b.cast("string").fill_null("\x00"))

    h, w = keyed(horizon), keyed(prs)
    extra = h.anti_join(w, [*keys, "pa_k", "pb_k"]).drop("pa_k", "pb_k")
    return corroborated(extra, prs) if guard else extra


def corroborated(extra: ir.Table, prs: ir.Table) -> ir.Table:
    """The rows of ``extra`` (rare co-actions beyond the window) whose pair shares a second item (two rare items
    in ``extra``, or any co-action in ``prs``) or has a common partner, reached through some other item than
    the pair's own, in the graph of ``prs`` and ``extra``: :func:`lockstep.traces.rarity._corroborated_only`."""
    keys = list(PAIR_KEYS)
    links = extra.group_by(keys).aggregate(items=extra.item.nunique(), item=extra.item.min())
    u = prs.select(*keys, "item").union(extra.select(*keys, "item")).distinct()
    graph = u.select("platform", "item", x="account_a", y="account_b").union(
        u.select("platform", "item", x="account_b", y="account_a")
    )
    ga = graph.select("platform", xa="x", ya="y", ia="item")
    gb = graph.select("platform", xb="x", yb="y", ib="item")
    tri = links.join(ga, [links.platform == ga.platform, links.account_a == ga.xa]).select(*keys, "item", "ya", "ia")
    tri = tri.join(gb, [tri.platform == gb.platform, tri.account_b == gb.xb, tri.ya == gb.yb])
    tri = tri.filter((tri.ia != tri.item) | (tri.ib != tri.item)).select(*keys)
    keep = (
        links.filter(links.items >= 2)
        .select(*keys)
        .union(links.semi_join(prs, keys).select(*keys))
        .union(tri)
        .distinct()
    )
    return extra.semi_join(keep, keys)


def popularity_histogram(stats: ir.Table) -> ir.Table:
    """``(accounts, items)``: how many items each popularity has (small: one row per distinct popularity)."""
    return stats.group_by("accounts").aggregate(items=stats.count())


def median_by(t: ir.Table, keys: Sequence[str], column: str, name: str) -> ir.Table:
    """Per group of ``keys``: DuckDB's ``median(column)`` (``quantile_cont`` at 0.5), from ranks.

    Written out so every engine agrees: the middle value, or ``lo + (hi - lo) * 0.5`` for an even count.
    """
    group = list(keys)
    ranked = t.select(
        *group,
        column,
        _rn=ibis.row_number().over(ibis.window(group_by=group, order_by=column)),
        _n=t[column].count().over(ibis.window(group_by=group)),
    )
    mid = ranked.filter((ranked._rn == (ranked._n - 1) // 2) | (ranked._rn == ranked._n // 2))
    m = mid.group_by(group).aggregate(_lo=mid[column].min(), _hi=mid[column].max())
    return m.select(*group, **{name: m._lo + (m._hi - m._lo) * 0.5})


def edges(act: ir.Table, prs: ir.Table, stats: ir.Table, min_shared: int, rare_cut: int) -> ir.Table:
    """Edges: pairs aggregated per account pair, kept by the linking rule, with the TF-IDF cosine weight.

    Columns: platform, account_a, account_b, shared_items, coactions, min_gap_s, median_gap_s, weight.
    """
    n = act.group_by("platform").aggregate(n=act.account_id.nunique())
    df = act.group_by(["platform", "item"]).aggregate(df=act.account_id.nunique())
    tf = act.group_by(["platform", "account_id", "item"]).aggregate(tf=act.count())
    j = tf.join(df, ["platform", "item"]).join(n, "platform")
    tfidf = j.select("platform", "account_id", "item", w=j.tf * (1 + j.n / j.df).ln())

    pj = prs.left_join(stats.select("platform", "item", "accounts"), ["platform", "item"])
    agg = pj.group_by(list(PAIR_KEYS)).aggregate(
        shared_items=pj.item.nunique(),
        coactions=pj.count(),
        min_gap_s=pj.gap_s.min(),
        min_accounts=pj.accounts.min(),
    )
    agg = agg.filter((agg.shared_items >= min_shared) | (agg.min_accounts <= rare_cut)).drop("min_accounts")
    kept = prs.semi_join(agg, list(PAIR_KEYS))
    shared = kept.select(*PAIR_KEYS, "item").distinct()
    ta = tfidf.select("platform", account_a="account_id", item="item", wa="w")
    tb = tfidf.select("platform", account_b="account_id", item="item", wb="w")
    d = shared.join(ta, ["platform", "account_a", "item"]).join(tb, ["platform", "account_b", "item"])
    dots = d.group_by(list(PAIR_KEYS)).aggregate(dot=(d.wa * d.wb).sum())
    norms = tfidf.group_by(["platform", "account_id"]).aggregate(norm=(tfidf.w * tfidf.w).sum().sqrt())
    na = norms.select("platform", account_a="account_id", na="norm")
    nb = norms.select("platform", account_b="account_id", nb="norm")
    e = (
        agg.join(median_by(kept, PAIR_KEYS, "gap_s", "median_gap_s"), list(PAIR_KEYS))
        .join(dots, list(PAIR_KEYS))
        .join(na, ["platform", "account_a"])
        .join(nb, ["platform", "account_b"])
    )
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
