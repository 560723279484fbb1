"""The co-action steps of :mod:`lockstep.engine.coaction` compiled to DuckDB SQL for the default engine.

The default engine (:mod:`lockstep.traces.engine`) keeps a trace's intermediate results in temp tables of the
store's connection: ``act_all`` (the cleaned actions; with the item-hash prefilter, only those of repeated
items), ``item_stats``, ``act`` (the pairable actions), ``act_accounts`` (their distinct accounts per platform)
and ``pairs``. Each step here is the one Ibis definition of :mod:`lockstep.engine.coaction` built over *unbound*
tables of those names and schemas and compiled to SQL (:func:`lockstep.engine.signals.compile.compile_sql`), so
the default engine and the Spark seam run the same definition. A step's plan is a list of ``(temp table,
SELECT)``: intermediates the definition materialises (its ``cache``) come first, named ``coaction_<step>_<i>``
and dropped after the step; the last one is the step's result.

Plans are cached (:func:`lockstep.engine.plan_cache.cached`, kind ``coaction-plans``); the key holds the step,
the schemas of the tables it reads and the literals compiled into it (window, cap, rarity cut, horizon, guard,
minimum shared items), with the code digest and library versions :func:`~lockstep.engine.plan_cache.plan_key`
adds. Ibis is imported only to build a plan, so a run whose plans are cached imports no Ibis.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lockstep.engine import embedded
from lockstep.engine.plan_cache import cached, plan_key, table_schema

KIND = "coaction-plans"

#: A compiled step: ``(temp table, SELECT)`` in order, the last being the step's result.
StepPlan = list[tuple[str, str]]

#: The temp tables each step reads.
READS: dict[str, tuple[str, ...]] = {
    "repeat_sample": ("act_all",),
    "candidates": ("act_all",),
    "item_stats": ("act_all",),
    "act": ("act_all", "item_stats"),
    "pairs": ("act",),
    "popularity": ("item_stats",),
    "acting": ("act",),
    "rare_pairs": ("act", "item_stats", "pairs"),
    "edges": ("act", "item_stats", "pairs", "act_accounts"),
}


def run_step(con: embedded.Connection, step: str, into: str, *, add: str = "", **literals: Any) -> None:
    """Run ``step`` (a key of :data:`READS`) on the connection's temp tables; its result is temp table ``into``.

    ``literals`` are the step's parameters compiled into the SQL (see :func:`build_step`); ``add``: more
    columns (SQL select items) appended to the result.
    """
    schemas = {t: table_schema(con, t) for t in READS[step]}
    key = plan_key({"step": step, "literals": literals, "schemas": schemas})
    plan = cached(KIND, key, load=_load, dump=_dump, build=lambda: build_step(step, schemas, literals))
    temps = [name for name, _ in plan[:-1]]
    try:
        for name, sql in plan[:-1]:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        result = f"SELECT *, {add} FROM ({plan[-1][1]}) AS lockstep_step" if add else plan[-1][1]
        con.execute(f"CREATE OR REPLACE TEMP TABLE {into} AS {result}")
    finally:
        for name in temps:
            con.execute(f"DROP TABLE IF EXISTS {name}")


def build_step(step: str, schemas: dict[str, list[tuple[str, str]]], literals: dict[str, Any]) -> StepPlan:
    """Compile ``step`` of :mod:`lockstep.engine.coaction` over unbound tables of ``schemas`` (imports Ibis)."""
    import ibis
    import ibis.expr.types as ir
    from ibis.backends.sql.datatypes import DuckDBType

    from lockstep.engine import coaction as co
    from lockstep.engine.shims import DUCKDB
    from lockstep.engine.sqlcompile import compile_sql

    tables = {
        name: ibis.table(ibis.schema({c: DuckDBType.from_string(t) for c, t in cols}), name=name)
        for name, cols in schemas.items()
    }
    plan: StepPlan = []

    def cache(expr: ir.Table) -> ir.Table:
        name = f"coaction_{step}_{len(plan)}"
        plan.append((name, compile_sql(expr)))
        return ibis.table(expr.schema(), name=name)

    lit = literals
    expr: ir.Table
    if step == "repeat_sample":
        expr = co.repeat_sample(tables["act_all"])
    elif step == "candidates":
        expr = co.candidates(tables["act_all"])
    elif step == "item_stats":
        expr = co.item_stats(tables["act_all"])
    elif step == "act":
        expr = co.pairable(tables["act_all"], tables["item_stats"], int(lit["cap"]))
    elif step == "pairs":
        expr = co.pairs(tables["act"], lit["window"], bool(lit["cross_platform"]))
    elif step == "popularity":
        expr = co.popularity_histogram(tables["item_stats"])
    elif step == "acting":
        expr = co.accounts_per_platform(tables["act"])
    elif step == "rare_pairs":
        expr = co.rare_pairs(
            tables["act"],
            tables["item_stats"],
            tables["pairs"],
            int(lit["rare_cut"]),
            float(lit["horizon_s"]),
            bool(lit["guard"]),
            cross_platform=bool(lit["cross_platform"]),
            cache=cache,
        )
    elif step == "edges":
        expr = co.edges(
            tables["act"],
            tables["pairs"],
            tables["item_stats"],
            int(lit["min_shared"]),
            int(lit["rare_cut"]),
            DUCKDB,
            cache=cache,
            accounts=tables["act_accounts"],
        )
    else:
        raise ValueError(f"unknown co-action step {step!r}")
    plan.append(("", compile_sql(expr)))
    return plan


def _dump(plan: StepPlan) -> str:
    return json.dumps([[name, sql] for name, sql in plan])


def _load(text: str) -> StepPlan:
    data = json.loads(text)
    if not isinstance(data, list) or not data:
        raise ValueError("not a co-action plan")
    plan: StepPlan = []
    for entry in data:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(v, str) for v in entry)):
            raise ValueError("not a co-action plan")
        plan.append((entry[0], entry[1]))
    return plan


def accounts(con: embedded.Connection) -> None:
    """Temp table ``act_accounts`` (:func:`lockstep.engine.coaction.accounts_per_platform` of ``act``), read by
    :func:`rare_cut` and the ``edges`` step."""
    run_step(con, "acting", "act_accounts")


def rare_cut(con: embedded.Connection) -> int:
    """:func:`lockstep.engine.coaction.rare_cut_from` over the temp tables ``item_stats`` and ``act_accounts``."""
    from lockstep.engine.quantiles import rare_cut_from

    run_step(con, "popularity", "coaction_popularity")
    try:
        hist: Sequence[tuple[int, int]] = con.execute("SELECT accounts, items FROM coaction_popularity").fetchall()
        row = con.execute("SELECT sum(n) FROM act_accounts").fetchone()
    finally:
        con.execute("DROP TABLE coaction_popularity")
    return rare_cut_from(hist, int(row[0]) if row and row[0] is not None else 0)
