"""Creation batches, dormancy, volume and engagement, written once in Ibis (methods: :mod:`lockstep.signals`).

Each function mirrors the module of the same name in :mod:`lockstep.signals` (its docstring gives the method,
references and thresholds, which these read from there) and returns the same rows. Differences from the SQL
these replace, all on ties or in speed, not in values:

- ``arg_max`` ties take the smallest value (earliest day, week or wake; first client name), see
  :func:`lockstep.engine.signals.common.first_of_max`.
- dormancy orders posts (the ``lag`` window) only for accounts whose first and last post are at least
  ``DORMANT_DAYS`` apart (less one second, for rounding): no other account can hold such a silence. Accounts with
  two or more posts still count in the baseline's denominator.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.engine.signals.common import (
    Cache,
    Part,
    Tables,
    account_spans,
    day_number,
    day_sql,
    dbl,
    first_of_max,
    in_base,
    in_base_of_posts,
    in_base_posts,
    json_sql,
    rows,
    share,
    top_count_day,
    unpack_count_day,
    week_start,
)
from lockstep.signals.base import SignalContext
from lockstep.signals.batches import MIN_BATCH
from lockstep.signals.dormancy import DORMANT_DAYS, MIN_COHORT
from lockstep.signals.volume import HIGHLY_SUSPICIOUS_PER_DAY, SUSPICIOUS_PER_DAY

KEYS = ["platform", "account_id"]
COMMUNITY = ["platform", "community"]


def _members(tb: Tables) -> ir.Table:
    s = tb["account_scores"]
    return s.select("platform", "account_id", "community")


def batches(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``batches.same_day``: the largest same-day creation batch per community, and each batch's accounts."""
    a = tb["accounts"]
    a = a.filter(a.created_at.notnull())
    a = a.select("platform", "account_id", day=day_number(sh.epoch_us(a.created_at)))
    joined = _members(tb).join(a, KEYS)
    days = joined.group_by([*COMMUNITY, "day"]).aggregate(n=joined.count())
    best = days.group_by(COMMUNITY).aggregate(known=days.n.sum(), packed=top_count_day(days.n, days.day))
    n, day = unpack_count_day(best.packed)
    best = best.select(*COMMUNITY, "known", n=n, day=day)
    pop_days = in_base(a, tb).group_by("day").aggregate(n=ibis._.count())
    pop = pop_days.aggregate(pop_share=share(pop_days.n.max(), pop_days.n.sum()))
    c = best.cross_join(pop)
    value = share(c.n, c.known)
    community = rows(
        c,
        "community",
        c.community,
        "batches.same_day",
        value,
        c.pop_share,
        (c.n >= MIN_BATCH) & (value >= 0.3),
        d_day=c.day,
        d_accounts=c.n,
        d_known=c.known,
    )
    big = days.filter(days.n >= MIN_BATCH)
    acc = joined.join(big, [*COMMUNITY, "day"])
    account = rows(
        acc, "account", acc.account_id, "batches.same_day", acc.n, None, True, d_day=acc.day, d_community=acc.community
    )
    return [
        Part(
            community,
            json_sql(day=day_sql("d_day"), accounts="d_accounts", with_creation_date="d_known"),
        ),
        Part(account, json_sql(day=day_sql("d_day"), community="d_community")),
    ]


def dormancy(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``dormancy.reactivation``: members silent for ``DORMANT_DAYS`` or more, and the largest cohort per week."""
    p = tb["posts"]
    spans = account_spans(tb)
    long = spans.filter(sh.epoch(spans.last) - sh.epoch(spans.first) >= DORMANT_DAYS * 86400.0 - 1.0)
    lp = p.semi_join(long, KEYS)
    ts = sh.epoch(lp.created_at)
    gaps = lp.select(
        "platform",
        "account_id",
        "created_at",
        "post_id",
        gap=ts - ts.lag().over(group_by=KEYS, order_by=[lp.created_at, lp.post_id]),
    ).filter(lambda g: g.gap.notnull())
    wake = first_of_max(gaps, KEYS, "gap", "created_at", "post_id")
    wakes = wake.select(
        "platform",
        "account_id",
        woke_at=wake.created_at,
        silence_days=wake.gap / 86400.0,
        week=week_start(day_number(sh.epoch_us(wake.created_at))),
    ).filter(lambda w: w.silence_days >= DORMANT_DAYS)
    woke = in_base_of_posts(wakes, tb).aggregate(n=ibis._.count())
    two = in_base_of_posts(spans.filter(spans.posts >= 2), tb).aggregate(d=ibis._.count())
    pop = woke.cross_join(two)
    pop = pop.select(pop_share=share(pop.n, pop.d.nullif(0)))
    mine = wakes.semi_join(_members(tb), KEYS)
    account = rows(
        mine,
        "account",
        mine.account_id,
        "dormancy.reactivation",
        mine.silence_days,
        float(DORMANT_DAYS),
        True,
        d_woke=mine.woke_at,
        d_week=mine.week,
    )
    joined = wakes.join(_members(tb), KEYS)
    cohorts = joined.group_by([*COMMUNITY, "week"]).aggregate(n=joined.count())
    c = cohorts.group_by(COMMUNITY).aggregate(packed=top_count_day(cohorts.n, cohorts.week))
    n, week = unpack_count_day(c.packed)
    c = c.select(*COMMUNITY, n=n, week=week).cross_join(pop)
    community = rows(
        c,
        "community",
        c.community,
        "dormancy.reactivation",
        c.n,
        c.pop_share,
        c.n >= MIN_COHORT,
        d_week=c.week,
        d_accounts=c.n,
    )
    return [
        Part(account, json_sql(woke_at="CAST(d_woke AS VARCHAR)", week=day_sql("d_week"))),
        Part(community, json_sql(week=day_sql("d_week"), accounts="d_accounts")),
    ]


def volume(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``volume.max_per_day`` per member and ``volume.client_homogeneity`` per community."""
    p = tb["posts"]
    mp = p.semi_join(_members(tb), KEYS)
    mp = mp.select("platform", "account_id", day=day_number(sh.epoch_us(mp.created_at)))
    d = mp.group_by([*KEYS, "day"]).aggregate(n=mp.count())
    top = d.group_by(KEYS).aggregate(
        packed=top_count_day(d.n, d.day), days_over=d.count(where=d.n > SUSPICIOUS_PER_DAY)
    )
    n, day = unpack_count_day(top.packed)
    top = top.select(*KEYS, "days_over", n=n, day=day)
    account = rows(
        top,
        "account",
        top.account_id,
        "volume.max_per_day",
        top.n,
        float(SUSPICIOUS_PER_DAY),
        top.n > SUSPICIOUS_PER_DAY,
        d_day=top.day,
        d_over=top.days_over,
        d_high=top.n > HIGHLY_SUSPICIOUS_PER_DAY,
    )
    cp = p.filter(p.client.notnull()).select("platform", "account_id", "client")
    joined = cp.join(_members(tb), KEYS)
    c = joined.group_by([*COMMUNITY, "client"]).aggregate(n=joined.count(), m=joined.account_id.nunique())
    totals = c.group_by(COMMUNITY).aggregate(top_n=c.n.max(), total=c.n.sum(), members=c.m.sum())
    base = in_base_posts(tb)
    pop_c = base.filter(base.client.notnull()).group_by("client").aggregate(n=ibis._.count())
    pop = pop_c.aggregate(pop_share=share(pop_c.n.max(), pop_c.n.sum()))
    k = first_of_max(c, COMMUNITY, "n", "client").join(totals, COMMUNITY).cross_join(pop)
    value = share(k.top_n, k.total)
    community = rows(
        k,
        "community",
        k.community,
        "volume.client_homogeneity",
        value,
        k.pop_share,
        (value >= 0.9) & (k.members >= 3),
        d_client=k.client,
    )
    return [
        Part(
            account,
            json_sql(day=day_sql("d_day"), days_over_72="d_over", highly_suspicious="d_high"),
        ),
        Part(community, json_sql(client="d_client")),
    ]


def engagement(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``engagement.inside_share`` (who engages with a community) and ``engagement.zero_followers``."""
    p = tb["posts"]
    p = p.filter(p.kind.isin(("repost", "reply", "quote")) & (p.account_id != p.parent_account_id))
    p = p.select("platform", "account_id", "parent_account_id")
    m = _members(tb)
    target = m.select("platform", parent_account_id=m.account_id, community=m.community)
    source = m.select("platform", "account_id", source_community=m.community)
    j = p.join(target, ["platform", "parent_account_id"])
    j = j.left_join(source, [j.platform == source.platform, j.account_id == source.account_id]).select(
        platform=j.platform, community=j.community, source_community=source.source_community
    )
    received = j.group_by(["platform", "community", "source_community"]).aggregate(n=j.count())
    inside = received.n.sum(where=received.source_community == received.community)
    per = received.group_by(COMMUNITY).aggregate(total=received.n.sum(), inside=inside)
    value = share(per.inside, per.total)
    inside_rows = rows(
        per,
        "community",
        per.community,
        "engagement.inside_share",
        value,
        None,
        (per.total >= 10) & (value >= 0.8),
        d_total=per.total,
        d_inside=per.inside.fill_null(0),
    )
    a = tb["accounts"]
    a = a.filter(a.followers.notnull()).select(
        "platform", "account_id", zero=ibis.ifelse(a.followers == 0, dbl(1.0), dbl(0.0))
    )
    pop = in_base(a, tb).aggregate(pop_share=ibis._.zero.mean())
    z = m.join(a, KEYS)
    per_z = z.group_by(COMMUNITY).aggregate(v=z.zero.mean(), n=z.count()).cross_join(pop)
    zero_rows = rows(
        per_z,
        "community",
        per_z.community,
        "engagement.zero_followers",
        per_z.v,
        per_z.pop_share,
        (per_z.v >= 0.5) & (per_z.v >= per_z.pop_share + 0.2),
        d_n=per_z.n,
    )
    return [
        Part(inside_rows, json_sql(interactions="d_total", from_inside="d_inside")),
        Part(zero_rows, json_sql(with_follower_counts="d_n")),
    ]
