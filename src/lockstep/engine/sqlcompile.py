"""DuckDB SQL of an Ibis expression, without a connection: what every compiled plan is made of.

Signals (:mod:`lockstep.engine.signals.compile`), a trace's actions (:mod:`lockstep.engine.trace_plans_compile`)
and the co-action steps are defined once in Ibis over *unbound* tables (a name and a schema) and compiled here
to the SQL ``ibis.duckdb`` would run; the SQL reads the tables by name. Only code that compiles imports this
module (it imports Ibis); running a cached plan does not.
"""

from __future__ import annotations

import ibis.expr.types as ir
from ibis.backends.sql.compilers.duckdb import compiler
from ibis.backends.sql.datatypes import DuckDBType


def compile_sql(expr: ir.Table) -> str:
    """DuckDB SQL of ``expr`` (what ``ibis.duckdb`` runs for it, without a connection), each column cast to the
    type Ibis gives it.

    The casts make the result what ``ibis.duckdb`` returns and stores: DuckDB sums BIGINTs to a HUGEINT (a
    DECIMAL in Arrow) where Ibis says ``int64``, and Ibis converts its results (and types the tables its
    ``cache`` creates) to its own schema.
    """
    sql = compiler.to_sqlglot(expr).sql(dialect=compiler.dialect, pretty=False, copy=False)
    cols = ", ".join(f"CAST({quote(c)} AS {DuckDBType.to_string(t)}) AS {quote(c)}" for c, t in expr.schema().items())
    return f"SELECT {cols} FROM ({sql}) AS lockstep_typed"


def quote(name: str) -> str:
    """``name`` as a DuckDB quoted identifier."""
    return '"' + name.replace('"', '""') + '"'
