"""Compile a trace's Ibis definition (``Trace.seam_actions``) to a :class:`~lockstep.engine.trace_plans.TracePlan`.

Imported only on a cache miss of :func:`lockstep.engine.trace_plans.get_plan` (it imports Ibis). The definition
is built over unbound tables named as on the store, with the DuckDB shims (:data:`lockstep.engine.shims.DUCKDB`);
each result it materialises becomes a temp table of the plan, read back as an unbound table of that name.
The definition sees only the ``DetectParams`` fields its trace declares (``Trace.seam_params``): the plan's key
holds their values, so reading another field would let a plan compiled for one run serve another with a
different value; it raises instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends.sql.datatypes import DuckDBType

from lockstep.engine.actions import seam_actions_of
from lockstep.engine.shims import DUCKDB
from lockstep.engine.sqlcompile import compile_sql
from lockstep.engine.trace_plans import TracePlan, temp_name
from lockstep.errors import InputError
from lockstep.traces.base import Trace


class _UnboundInputs(Mapping[str, ir.Table]):
    """The store's tables as unbound Ibis tables; ``keep`` turns an expression into a temp table of the plan."""

    def __init__(self, trace: Trace, schemas: dict[str, list[tuple[str, str]]]) -> None:
        self._trace = trace.name
        self._tables = {
            name: ibis.table(ibis.schema({c: DuckDBType.from_string(t) for c, t in cols}), name=name)
            for name, cols in schemas.items()
        }
        self.temps: list[tuple[str, str]] = []

    def __getitem__(self, table: str) -> ir.Table:
        return self._tables[table]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def keep(self, expr: ir.Table) -> ir.Table:
        _refuse_memtables(self._trace, expr)
        name = temp_name(self._trace, len(self.temps))
        self.temps.append((name, compile_sql(expr)))
        return ibis.table(expr.schema(), name=name)


class _DeclaredParams:
    """The run's parameters, reading only the fields the trace declares (``Trace.seam_params``)."""

    def __init__(self, trace: Trace, params: Any) -> None:
        self._trace, self._params = trace, params

    def __getattr__(self, field: str) -> Any:
        if field.startswith("_") or field not in self._trace.seam_params:
            raise InputError(
                f"trace {self._trace.name!r}: its Ibis definition reads DetectParams.{field}, which it does not "
                f"declare in Trace.seam_params={self._trace.seam_params!r} (the compiled plan's key)"
            )
        return getattr(self._params, field)


def _refuse_memtables(trace: str, expr: ir.Table) -> None:
    """A plan holds SQL only: a definition building tables in Python (or reading a bound one) cannot compile."""
    if any(True for _ in expr.op().find(ops.InMemoryTable)):
        raise InputError(f"trace {trace!r}: its Ibis definition builds an in-memory table; it cannot be compiled")


def compile_plan(trace: Trace, params: Any, schemas: dict[str, list[tuple[str, str]]]) -> TracePlan:
    """The plan of ``trace``'s actions over tables of these ``schemas`` (see
    :func:`lockstep.engine.trace_plans.table_schemas`) under ``params``."""
    fn = seam_actions_of(trace)
    if fn is None:
        raise InputError(f"trace {trace.name!r} has no Ibis definition (Trace.seam_actions) to compile")
    inputs = _UnboundInputs(trace, schemas)
    expr = fn(inputs, DUCKDB, _DeclaredParams(trace, params))  # type: ignore[arg-type]
    _refuse_memtables(trace.name, expr)
    return TracePlan(trace.name, tuple(inputs.temps), compile_sql(expr))
