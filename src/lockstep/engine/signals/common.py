"""What every ported signal shares: its output rows, calendar arithmetic, the baseline accounts, ties.

A ported signal returns :class:`Part` s: an Ibis expression with the columns of ``signals`` except ``detail``
(``scope, platform, subject, signal, value, baseline, fired``) plus the columns its detail needs, and how the
driver builds the detail from those reduced rows (a DuckDB ``json_object`` over the Arrow result, so the
text is the same whichever engine ran: Spark's ``to_json`` renders numbers differently).

Calendar parts (day, weekday, hour, minute) are integer arithmetic on epoch microseconds
(:meth:`lockstep.engine.shims.Shims.epoch_us`) with a non-negative modulo, so they are the same on every engine
and for times before 1970 (DuckDB's and Spark's ``%`` keep the dividend's sign; Ibis' ``//`` is a ``FLOOR`` of a
double division).

Ties: where the SQL these replace took ``arg_max(x, n)`` (any ``x`` of the largest ``n``, whichever the engine
met first), the port takes the smallest ``x`` among the largest ``n`` (:func:`first_of_max`), so both engines
give the same row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.engine.signals.plans import SPANS

Tables = Mapping[str, ir.Table]
Cache = Callable[[ir.Table], ir.Table]

US_PER_DAY = 86_400_000_000
US_PER_HOUR = 3_600_000_000
#: 1970-01-01 was a Thursday: weekday index (0 = Monday) of day number ``d`` is ``(d + 3) mod 7``.
EPOCH_WEEKDAY = 3


@dataclass(frozen=True)
class Part:
    """One query of a signal: rows of ``signals`` (without ``detail``) and how the driver finishes them.

    ``detail``: a DuckDB expression over the result's columns giving the JSON detail (:func:`json_sql`); the
    driver runs it on the reduced rows (Arrow) in an in-memory DuckDB, vectorised, so the detail text is the one
    ``json_object`` writes whichever engine computed the rows. ``sql``, instead: a whole query over the result
    (relation ``r``) giving the eight columns of ``signals`` (several rows per result row: the calendar metrics).
    ``finish``, instead: the name of a Python finisher (:data:`lockstep.engine.signals.driver.FINISHERS`) from
    one result row to its finished rows: for values the driver computes from a few reduced rows (the holiday
    ratio's day counts). A name, not a function, so a compiled plan can be stored as text.
    """

    expr: ir.Table
    detail: str | None = None
    sql: str | None = None
    finish: str | None = None


def json_sql(**fields: str) -> str:
    """``json_object('name', <expr>, ...)::VARCHAR`` over the result's columns (driver side, DuckDB)."""
    return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in fields.items()) + ")::VARCHAR"


def day_sql(column: str) -> str:
    """``YYYY-MM-DD`` of a day-number column (DuckDB's ``CAST(date AS VARCHAR)``)."""
    return f"CAST(DATE '1970-01-01' + CAST({column} AS INTEGER) AS VARCHAR)"


def rows(
    t: ir.Table,
    scope: str,
    subject: ir.Value,
    signal: str,
    value: ir.Value,
    baseline: ir.Value | float | None,
    fired: ir.Value | bool,
    **extra: ir.Value,
) -> ir.Table:
    """``t`` as rows of ``signals`` (``fired`` NULL counts as false, as ``signals.base.insert_rows`` does)."""
    base: ir.Value
    if baseline is None:
        base = ibis.null("float64")
    elif isinstance(baseline, float):
        base = dbl(baseline)
    else:
        base = baseline
    fire = ibis.literal(fired) if isinstance(fired, bool) else fired.fill_null(False)
    return t.select(
        scope=ibis.literal(scope),
        platform=t.platform,
        subject=subject.cast("string"),
        signal=ibis.literal(signal),
        value=value.cast("float64"),
        baseline=base.cast("float64"),
        fired=fire,
        **extra,
    )


def dbl(x: float) -> ir.FloatingValue:
    """A double literal on every engine (Spark reads a bare ``0.5`` as a DECIMAL, and Ibis drops a cast of a
    float64 literal to float64, so a column or ``CASE`` of literals alone would be DECIMAL there)."""
    return ibis.literal(repr(float(x))).cast("float64")


def pmod(x: ir.IntegerValue, m: int) -> ir.IntegerValue:
    """``x mod m`` in ``[0, m)`` for negative ``x`` too."""
    return ((x % m) + m) % m


def fdiv(x: ir.IntegerValue, m: int) -> ir.IntegerValue:
    """``floor(x / m)`` exactly (the division of an exact multiple)."""
    return ((x - pmod(x, m)) // m).cast("int64")


def local_us(sh: Shims, t: ir.TimestampValue, offset_hours: float) -> ir.IntegerValue:
    """Epoch microseconds of ``t`` (naive UTC) moved to the zone ``offset_hours`` east of UTC."""
    shift = round(float(offset_hours) * 3600 * 1_000_000)
    us = sh.epoch_us(t)
    return us + shift if shift else us


def day_number(us: ir.IntegerValue) -> ir.IntegerValue:
    """Days since 1970-01-01 of a (local) epoch-microsecond value."""
    return fdiv(us, US_PER_DAY)


def weekday(day: ir.IntegerValue) -> ir.IntegerValue:
    """0 = Monday ... 6 = Sunday (``isodow - 1``) of a day number."""
    return pmod(day + EPOCH_WEEKDAY, 7)


def week_start(day: ir.IntegerValue) -> ir.IntegerValue:
    """Day number of the Monday of ``day``'s week (``date_trunc('week', ...)``)."""
    return day - weekday(day)


def base_accounts(tb: Tables) -> ir.Table:
    """The baseline population: the control accounts when given (table ``control``), else every posting account
    (the accounts of table :data:`SPANS` when the runner made it, else the distinct accounts of ``posts``: the
    same rows)."""
    if "control" in tb:
        return tb["control"].select("platform", "account_id")
    if SPANS in tb:
        return tb[SPANS].select("platform", "account_id")
    p = tb["posts"]
    return p.select("platform", "account_id").distinct()


def account_spans(tb: Tables) -> ir.Table:
    """Per posting account: ``posts`` (its count of posts), ``first`` and ``last`` (its first and last post's time);
    table :data:`SPANS` when the runner made it (:data:`lockstep.engine.signals.plans.SPANS_SQL`), else computed."""
    if SPANS in tb:
        return tb[SPANS].select("platform", "account_id", "posts", "first", "last")
    p = tb["posts"]
    return p.group_by(["platform", "account_id"]).aggregate(
        posts=p.count(), first=p.created_at.min(), last=p.created_at.max()
    )


def in_base(t: ir.Table, tb: Tables) -> ir.Table:
    """Rows of ``t`` (with ``platform``, ``account_id``) whose account is in the baseline."""
    return t.semi_join(base_accounts(tb), ["platform", "account_id"])


def in_base_of_posts(t: ir.Table, tb: Tables) -> ir.Table:
    """:func:`in_base` for a table ``t`` built from ``posts`` (every account of it posts): without a control set
    every posting account is the baseline, so no join (it would scan ``posts`` for its distinct accounts)."""
    return in_base(t, tb) if "control" in tb else t


def in_base_posts(tb: Tables) -> ir.Table:
    """The baseline's posts (every post when there is no control set: no join)."""
    return in_base(tb["posts"], tb) if "control" in tb else tb["posts"]


def first_of_max(t: ir.Table, keys: Sequence[str], by: str, *pick: str) -> ir.Table:
    """Per ``keys``, the row with the largest ``by``; among ties the smallest ``pick`` (then the next ``pick``).

    Grouped maxima and minima joined back (hash aggregates; a ``row_number`` window sorts every group). The
    rows of ``t`` must be unique per ``keys`` and ``pick`` s.
    """
    keys = list(keys)
    for col, agg in ((by, "max"), *((c, "min") for c in pick)):
        t = t.view()  # a join's result joined again would extend its join chain
        best = t.group_by(keys).aggregate(_best=getattr(t[col], agg)())
        j = t.join(best, [*(t[k] == best[k] for k in keys), t[col] == best._best])
        t = j.select(*(t[c] for c in t.columns))
    return t


#: :func:`top_count_day` packs (count, day) into one integer: count * 2**24 + (2**23 - day).
_DAY_BITS = 24
_DAY_BIAS = 2**23


def top_count_day(n: ir.IntegerValue, day: ir.IntegerValue) -> ir.IntegerScalar:
    """Aggregate: the largest ``n`` and, among its ties, the smallest ``day``, packed in one integer ``max``.

    One hash aggregate on every engine (no window, no join back); unpack with :func:`unpack_count_day`. Day
    numbers must lie within 2**23 days (23,000 years) of 1970.
    """
    return (n.cast("int64") * 2**_DAY_BITS + (_DAY_BIAS - day)).max()


def unpack_count_day(packed: ir.IntegerValue) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    """(count, day) of a :func:`top_count_day` value."""
    return fdiv(packed, 2**_DAY_BITS), _DAY_BIAS - pmod(packed, 2**_DAY_BITS)


def ordered_sum(sh: Shims, x: ir.FloatingValue, by: ir.Value) -> ir.FloatingScalar:
    """Aggregate: the sum of the doubles ``x`` added in the order of ``by`` (unique within a group), so the same on
    every run: a parallel ``sum`` adds in the order its threads meet the rows, and the last bits differ between
    runs. For small groups (a profile's 168 hour-of-week bins, an account's languages): the values are collected
    in order and summed in that order. DuckDB: ``list_sum(array_agg(x ORDER BY by))``; Spark has no ordered
    ``collect_list``, so there the (``by``, ``x``) pairs are collected and the array sorted (``x`` must not be
    NULL: Spark's array sum would then be NULL)."""
    if sh.engine == "duckdb":
        return x.collect(order_by=by).sums()
    pairs = ibis.struct({"k": by, "v": x}).collect().sort()
    return pairs.map(lambda s: s.v).sums()


def share(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    """``part / whole`` as a double (integer counts divided as DuckDB divides them)."""
    return part.cast("float64") / whole.cast("float64")
