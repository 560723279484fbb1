"""The work-calendar fingerprint (:mod:`lockstep.signals.calendar`: method, references, thresholds) in Ibis.

Every statistic comes from hour-of-week histograms, so posts are read twice at most:

- the baseline's 336-bin histogram (hour of week x first/second half hour, local time) in one grouped scan of
  the baseline's posts: office share, lunch dip, weekend ratio and the hour-of-week profile all follow from it;
- the members' posts once, grouped per account into bins of (local hour of week, half hour, UTC hour of week):
  account and community statistics, the Jensen-Shannon divergence and the inferred offset are sums over these
  bins; the holiday ratio groups the members' posts per community and local day.

The SQL this replaces materialised every post with its community and hour first. The values are the same
(``tests/test_engine_signals.py``; sums of doubles may differ in the last bits); ties of the best-fit offset
now go to the offset nearest the candidate zone, then the smaller (before: whichever the engine met first).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lockstep.engine import embedded
from lockstep.engine.shims import Shims
from lockstep.engine.signals.common import (
    US_PER_HOUR,
    Cache,
    Part,
    Tables,
    day_number,
    fdiv,
    first_of_max,
    in_base_posts,
    json_sql,
    local_us,
    ordered_sum,
    pmod,
    rows,
    share,
    weekday,
)
from lockstep.engine.signals.holidays import holiday_days
from lockstep.signals.base import SignalContext
from lockstep.signals.calendar import CANDIDATE_FIT, MIN_POSTS

RULE = (
    "candidate zone kept when its office share is within 5% of the best under an 08-17, 09-18 or 10-19 office "
    "day; else the best 09-18 fit"
)
OFFSETS = tuple(range(-12, 15))


def _half_hour_of_week(us: ir.IntegerValue) -> ir.IntegerValue:
    """0..335: the half hour of the week (Monday 00:00 = 0) of an epoch-microsecond value (1970-01-01 was a
    Thursday: half hour 144 of its week)."""
    return pmod(fdiv(us, US_PER_HOUR // 2) + 144, 336)


def _bins(t: ir.Table, sh: Shims, tz: float, keys: list[str], utc: bool) -> ir.Table:
    """Posts of ``t`` counted per ``keys`` x local hour of week x half hour (x UTC hour of week).

    Each post gives one or two integers (its local and UTC half hour of the week); hours come after the count.
    """
    cols: dict[str, Any] = {"hh": _half_hour_of_week(local_us(sh, t.created_at, tz))}
    if utc:
        cols["hh_utc"] = _half_hour_of_week(sh.epoch_us(t.created_at))
    b = t.select(*keys, **cols)
    b = b.group_by([*keys, *cols]).aggregate(c=b.count())
    out: dict[str, Any] = {"how": b.hh // 2, "half": (b.hh % 2).cast("int8")}
    if utc:
        out["how_utc"] = b.hh_utc // 2
    return b.select(*keys, **out, c=b.c)


def _stats(b: ir.Table, keys: list[str]) -> ir.Table:
    """Posts, office share, lunch dip and weekend ratio from a bins table (``how``, ``half``, ``c``)."""
    weekday_ = b.how < 120
    hr = b.how % 24
    first, second = b.half == 0, b.half == 1
    office = weekday_ & (hr >= 9) & (hr <= 17)
    lunch = weekday_ & ((hr == 12) | ((hr == 13) & first))
    around = weekday_ & (hr.isin([10, 11, 14]) | ((hr == 13) & second) | ((hr == 15) & first))
    agg = {
        "n": b.c.sum(),
        "k_office": b.c.sum(where=office).fill_null(0),
        "k_lunch": b.c.sum(where=lunch).fill_null(0),
        "k_around": b.c.sum(where=around).fill_null(0),
        "k_weekend": b.c.sum(where=~weekday_).fill_null(0),
        "k_weekday": b.c.sum(where=weekday_).fill_null(0),
    }
    s = b.group_by(keys).aggregate(**agg) if keys else b.aggregate(**agg)
    return s.select(
        *keys,
        n=s.n,
        office_share=share(s.k_office, s.n),
        lunch_dip=(s.k_lunch.cast("float64") / 90.0) / (s.k_around.cast("float64") / 240.0).nullif(0.0),
        weekend_ratio=(s.k_weekend.cast("float64") / 2.0) / (s.k_weekday.cast("float64") / 5.0).nullif(0.0),
    )


def _js(sh: Shims, bins: ir.Table, groups: ir.Table, base_p: ir.Table, keys: list[str]) -> ir.Table:
    """Jensen-Shannon divergence (base 2) of each group's hour-of-week profile from the baseline's.

    Over the baseline's bins, as the SQL this replaces summed: where the group has no post (``q = 0``) a bin
    adds ``p * log2(2) = p``, so those bins add the baseline's total less its mass on the group's bins and only
    the group's own bins are joined (not every group x 168 bins).
    """
    h = bins.group_by([*keys, "how"]).aggregate(c=bins.c.sum())
    h = h.join(groups.select(*keys, "n"), keys)
    h = h.select(*keys, "how", q=share(h.c, h.n))
    j = h.join(base_p, "how")
    m = (j.p + j.q) / 2
    kp = j.p * (j.p / m).log2()
    kq = j.q * (j.q / m).log2()
    per = j.group_by(keys).aggregate(
        on_p=ordered_sum(sh, j.p, j.how), kp=ordered_sum(sh, kp, j.how), kq=ordered_sum(sh, kq, j.how)
    )
    grid = groups.select(*keys).cross_join(base_p.aggregate(total_p=ordered_sum(sh, base_p.p, base_p.how)))
    grid = grid.filter(grid.total_p.notnull())  # no baseline posts: no divergence rows
    grid = grid.left_join(per, keys).select(*(grid[k] for k in keys), "total_p", "on_p", "kp", "kq")
    return grid.select(
        *keys,
        js=0.5 * (grid.total_p - grid.on_p.fill_null(0.0) + grid.kp.fill_null(0.0)) + 0.5 * grid.kq.fill_null(0.0),
    )


@lru_cache(maxsize=1)
def _office_map() -> dict[str, list[int]]:
    """(UTC hour of week, offset) pairs whose local hour falls in an office day (08-17, 09-18 or 10-19 Mon-Fri).

    The offset's office share is the posts on these bins over all posts: joining a group's UTC histogram to
    the map touches about 9 rows per bin instead of one per offset (27).
    """
    out: dict[str, list[int]] = {"how_utc": [], "o": [], "s8": [], "s9": [], "s10": []}
    for how in range(168):
        for o in OFFSETS:
            local = (how + o + 168) % 168
            flags = [int(local < 120 and start <= local % 24 <= start + 8) for start in (8, 9, 10)]
            if any(flags):
                out["how_utc"].append(how)
                out["o"].append(o)
                for start, flag in zip((8, 9, 10), flags, strict=True):
                    out[f"s{start}"].append(flag)
    return out


#: Name of the table of :func:`office_hours_table` among a definition's input tables.
OFFICE_HOURS = "lockstep_office_hours"
#: Name of the table of :func:`offsets_table` (the candidate UTC offsets) among a definition's input tables.
UTC_OFFSETS = "lockstep_utc_offsets"


def office_hours_table() -> pa.Table:
    """:func:`_office_map` as Arrow (built by DuckDB: pyarrow's constructors import pandas, about 1 s)."""
    m = _office_map()
    return embedded.arrow_table(m, {c: "BIGINT" if c in ("how_utc", "o") else "TINYINT" for c in m})


def offsets_table() -> pa.Table:
    """The candidate UTC offsets, -12 to +14, as Arrow (column ``o``)."""
    return embedded.arrow_table({"o": OFFSETS}, {"o": "BIGINT"})


def _offsets(tb: Tables, bins: ir.Table, groups: ir.Table, keys: list[str], candidate: int) -> ir.Table:
    """The inferred UTC offset per group (rule: :mod:`lockstep.signals.calendar`)."""
    u = bins.group_by([*keys, "how_utc"]).aggregate(n=bins.c.sum()).semi_join(groups, keys)
    totals = u.group_by(keys).aggregate(total=u.n.sum())
    office = tb[OFFICE_HOURS]
    x = u.join(office, "how_utc")
    hits = x.group_by([*keys, "o"]).aggregate(
        **{f"k{start}": x.n.sum(where=x[f"s{start}"] == 1) for start in (8, 9, 10)}
    )
    offs = tb[UTC_OFFSETS]
    grid = totals.cross_join(offs)
    s = grid.left_join(hits, [*(grid[k] == hits[k] for k in keys), grid.o == hits.o]).select(
        *(grid[k] for k in keys),
        grid.o,
        **{f"share{start}": share(hits[f"k{start}"].fill_null(0), grid.total) for start in (8, 9, 10)},
        dist=(grid.o - candidate).abs(),
    )
    free = first_of_max(s, keys, "share9", "dist", "o").select(*keys, free_offset="o")
    mx = s.group_by(keys).aggregate(m8=s.share8.max(), m9=s.share9.max(), m10=s.share10.max())
    at = s.filter(s.o == candidate).join(mx, keys)
    fit = at.select(
        *keys,
        candidate_fit=ibis.greatest(
            at.share8 / at.m8.nullif(0.0), at.share9 / at.m9.nullif(0.0), at.share10 / at.m10.nullif(0.0)
        ),
    )
    pick = free.left_join(fit, keys).select(*(free[k] for k in keys), free.free_offset, fit.candidate_fit)
    pick = pick.mutate(
        best_offset=ibis.ifelse(pick.candidate_fit >= CANDIDATE_FIT, ibis.literal(candidate, "int64"), pick.free_offset)
    )
    j = pick.join(s, [*(pick[k] == s[k] for k in keys), pick.best_offset == s.o])
    return j.select(*(pick[k] for k in keys), "best_offset", "free_offset", "candidate_fit", best_share=s.share9)


def calendar(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """Every ``calendar.*`` row: communities and members with ``MIN_POSTS`` posts, and holiday ratios.

    Reads the driver's small tables :data:`OFFICE_HOURS` and :data:`UTC_OFFSETS` from ``tb`` besides the store's
    (:data:`lockstep.engine.signals.definitions.DRIVER_TABLES`: on DuckDB they are registered by name, on Spark
    sent as in-memory tables; an Ibis memtable built here would import pandas on the default path).
    """
    tz = float(ctx.tz_offset_hours)
    candidate = round(tz)
    base_bins = cache(_bins(in_base_posts(tb), sh, tz, [], utc=False))
    base = _stats(base_bins, []).select(b_office="office_share", b_lunch="lunch_dip", b_weekend="weekend_ratio")
    hp = base_bins.group_by("how").aggregate(c=base_bins.c.sum())
    base_p = hp.cross_join(hp.aggregate(total=hp.c.sum()))
    base_p = base_p.select("how", p=share(base_p.c, base_p.total))
    members = tb["account_scores"].select("platform", "account_id", "community")
    mp = tb["posts"].select("platform", "account_id", "created_at").join(members, ["platform", "account_id"])
    acct_bins = cache(_bins(mp, sh, tz, ["platform", "account_id", "community"], utc=True))
    comm_bins = acct_bins.group_by(["platform", "community", "how", "half", "how_utc"]).aggregate(c=acct_bins.c.sum())
    parts: list[Part] = []
    for scope, bins, key in (("community", comm_bins, "community"), ("account", acct_bins, "account_id")):
        keys = ["platform", key]
        groups = cache(_stats(bins, keys).filter(lambda g: g.n >= MIN_POSTS))
        js = cache(_js(sh, bins, groups, base_p, keys))
        g = groups.cross_join(base).left_join(js, keys)
        g = g.select(*(groups[k] for k in keys), *(c for c in g.columns if c not in keys and not c.endswith("_right")))
        if scope == "community":
            offset = cache(_offsets(tb, bins, groups, keys, candidate))
            g = g.left_join(offset, keys)
            g = g.select(*(c for c in g.columns if not c.endswith("_right")))
            parts.append(_inferred(offset, candidate))
        else:
            g = g.mutate(best_offset=ibis.null("int64"), best_share=ibis.null("float64"))
        metrics = rows(
            g,
            scope,
            g[key],
            "calendar.office_share",
            g.office_share,
            g.b_office,
            (g.office_share >= 0.5) & (g.office_share >= g.b_office + 0.15) & (g.weekend_ratio.fill_null(0) <= 0.6),
            d_n=g.n,
            d_lunch=g.lunch_dip,
            d_weekend=g.weekend_ratio,
            d_js=g.js,
            d_offset=g.best_offset,
            d_share=g.best_share,
            b_lunch=g.b_lunch,
            b_weekend=g.b_weekend,
        )
        parts.append(Part(metrics, sql=_metric_sql(tz)))
        parts.append(Part(rows(js, scope, js[key], "calendar.js_divergence", js.js, 0.0, False)))
    parts.append(_holidays(mp, sh, tz))
    return parts


def _metric_sql(tz: float) -> str:
    """The office share, lunch dip and weekend ratio rows of each group, sharing one detail (driver side)."""
    detail = json_sql(
        posts="d_n",
        tz_offset_hours=repr(tz),
        lunch_dip="d_lunch",
        weekend_ratio="d_weekend",
        js_divergence="d_js",
        inferred_offset="d_offset",
        office_share_at_inferred="d_share",
    )
    cols = "scope, platform, subject"
    return f"""WITH d AS (SELECT *, {detail} AS detail FROM r)
        SELECT {cols}, signal, value, baseline, fired, detail FROM d
        UNION ALL SELECT {cols}, 'calendar.lunch_dip', d_lunch, b_lunch, false, detail FROM d
        UNION ALL SELECT {cols}, 'calendar.weekend_ratio', d_weekend, b_weekend, false, detail FROM d"""


def _inferred(offset: ir.Table, candidate: int) -> Part:
    expr = rows(
        offset,
        "community",
        offset.community,
        "calendar.inferred_offset",
        offset.best_offset,
        None,
        False,
        d_share=offset.best_share,
        d_free=offset.free_offset,
        d_fit=offset.candidate_fit,
    )
    detail = json_sql(
        office_share="d_share",
        best_fit_offset="d_free",
        candidate_offset=str(candidate),
        candidate_fit="d_fit",
        rule="'" + RULE + "'",
    )
    return Part(expr, detail)


def _holidays(mp: ir.Table, sh: Shims, tz: float) -> Part:
    """``calendar.holiday_ratio`` per community: the engine sums posts per day kind; the driver counts days."""
    d = mp.select("platform", "community", day=day_number(local_us(sh, mp.created_at, tz)))
    d = d.group_by(["platform", "community", "day"]).aggregate(n=d.count())
    hol = d.day.isin(list(holiday_days()))
    k = d.group_by(["platform", "community"]).aggregate(
        lo=d.day.min(),
        hi=d.day.max(),
        hp=d.n.sum(where=hol).fill_null(0),
        wp=d.n.sum(where=~hol & (weekday(d.day) < 5)).fill_null(0),
    )
    expr = rows(
        k,
        "community",
        k.community,
        "calendar.holiday_ratio",
        ibis.null("float64"),
        1.0,
        False,
        d_lo=k.lo,
        d_hi=k.hi,
        d_hp=k.hp,
        d_wp=k.wp,
    )
    return Part(expr, finish="calendar.holiday_ratio")
