"""Compile a ported signal's Ibis definition to a :class:`~lockstep.engine.signals.plans.Plan` of DuckDB SQL.

The definition is built over *unbound* tables (a name and a schema, no connection), so compiling needs no
connection to wrap, no catalogue look-ups and no settings changed on the store's connection; the SQL reads the
tables by name. Intermediate results the definition materialises (its ``cache``) become temp tables of the plan,
read back as unbound tables; in-memory tables it builds are stored in the plan with their data.
"""

from __future__ import annotations

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends.sql.datatypes import DuckDBType
from ibis.formats.pyarrow import PyArrowSchema

from lockstep.engine.shims import DUCKDB
from lockstep.engine.signals.definitions import DEFINITIONS, DRIVER_TABLES
from lockstep.engine.signals.plans import SPANS, SPANS_TABLE, Plan, PlanPart, arrow_to_text
from lockstep.engine.sqlcompile import compile_sql
from lockstep.signals.base import SignalContext


def unbound_tables(schemas: dict[str, list[tuple[str, str]]], ctx: SignalContext) -> dict[str, ir.Table]:
    """Unbound Ibis tables named as on the store (``control``: the table ``ctx.control``; ``account_spans``: the temp
    table :data:`~lockstep.engine.signals.plans.SPANS_TABLE`)."""
    out: dict[str, ir.Table] = {}
    for key, cols in schemas.items():
        name = ctx.control if key == "control" and ctx.control else SPANS_TABLE if key == SPANS else key
        out[key] = ibis.table(ibis.schema({c: DuckDBType.from_string(t) for c, t in cols}), name=name)
    return out


def compile_plan(name: str, ctx: SignalContext, schemas: dict[str, list[tuple[str, str]]]) -> Plan:
    """The plan of the ported signal ``name`` over tables of these ``schemas`` (see :func:`table_schemas`).

    The driver's small tables (:data:`~lockstep.engine.signals.definitions.DRIVER_TABLES`) are unbound tables
    too; the plan carries their data and registers them under their names when it runs.
    """
    temps: list[tuple[str, str]] = []
    memtables: dict[str, str] = {}
    tables = unbound_tables(schemas, ctx)
    driver = {t: make() for t, make in DRIVER_TABLES.items()}
    for t, data in driver.items():
        tables[t] = ibis.table(PyArrowSchema.to_ibis(data.schema), name=t)

    def keep_memtables(expr: ir.Table) -> None:
        """Keep the data of the in-memory and driver tables ``expr`` reads (a plan registers them by name)."""
        for op in expr.op().find(ops.InMemoryTable):
            if op.name not in memtables:
                memtables[op.name] = arrow_to_text(op.data.to_pyarrow(op.schema))
        for op in expr.op().find(ops.UnboundTable):
            if op.name in driver and op.name not in memtables:
                memtables[op.name] = arrow_to_text(driver[op.name])

    def cache(expr: ir.Table) -> ir.Table:
        temp = f"lockstep_signal_{name}_{len(temps)}"
        keep_memtables(expr)
        temps.append((temp, compile_sql(expr)))
        return ibis.table(expr.schema(), name=temp)

    parts = []
    for part in DEFINITIONS[name](tables, DUCKDB, ctx, cache):
        keep_memtables(part.expr)
        parts.append(PlanPart(compile_sql(part.expr), part.detail, part.sql, part.finish))

    return Plan(name, tuple(temps), tuple(memtables.items()), tuple(parts))
