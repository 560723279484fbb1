"""A trace's actions on the store's DuckDB, as SQL compiled once from the trace's one Ibis definition.

A trace declares its actions once, in Ibis (``Trace.seam_actions`` in its module under
:mod:`lockstep.traces.builtin`); the engine seam (:mod:`lockstep.engine.run`) runs that definition on DuckDB or
Spark, and the default engine (:mod:`lockstep.traces.engine`) runs the same definition compiled to DuckDB SQL,
as the signals do (:mod:`lockstep.engine.signals.plans`). The definition is built over *unbound* tables named
as on the store (``posts``, ``post_urls``, ``media_hashes``, with the store's column types from ``DESCRIBE``);
what it materialises (``keep``, :func:`lockstep.engine.actions.materialise`) becomes a temp table of the plan.

Compiling (:mod:`lockstep.engine.trace_plans_compile`) imports Ibis and costs about a second per trace, so a
:class:`TracePlan` is kept by :func:`lockstep.engine.plan_cache.cached` (kind ``trace-plans``): in the process
and on disk, keyed on the trace's name, the :class:`~lockstep.traces.engine.DetectParams` fields its definition
reads (``Trace.seam_params``; compiling refuses a read of any other), the schemas of the tables it reads, and
(through :func:`~lockstep.engine.plan_cache.plan_key`) the source of the definitions and the library versions.
A warm run imports no Ibis.

A trace with a DuckDB-only definition (``Trace.duckdb_actions``: items built in Python by its ``prepare``, or an
engine-specific implementation kept on a measurement, see :class:`~lockstep.traces.base.Trace`) runs that SQL
instead, and a cross-platform one is encoded here (:func:`~lockstep.traces.cross_platform.cross_platform_actions`);
compiled definitions already encode themselves (:func:`lockstep.engine.actions.cross_platform`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from lockstep.engine import embedded, plan_cache
from lockstep.errors import InputError
from lockstep.traces.base import Trace
from lockstep.traces.cross_platform import cross_platform_actions

KIND = "trace-plans"

#: Bump when the layout of a stored plan changes.
PLAN_FORMAT = 1


@dataclass(frozen=True)
class TracePlan:
    """A trace's actions compiled to DuckDB SQL for one key (see the module docstring).

    ``temps``: (name, query) of the temp tables the definition materialises, created in order before ``query``
    and dropped after it; ``query``: the ``SELECT`` of the actions ``(platform, account_id, item, post_id, t)``.
    """

    trace: str
    temps: tuple[tuple[str, str], ...]
    query: str

    def to_json(self) -> str:
        """The plan as JSON text (what the cache stores)."""
        return json.dumps({"format": PLAN_FORMAT, **asdict(self)})

    @classmethod
    def from_json(cls, text: str) -> TracePlan:
        """A plan from :meth:`to_json` text; :class:`ValueError` when it is not one of this format."""
        d = json.loads(text)
        if not isinstance(d, dict) or d.get("format") != PLAN_FORMAT:
            raise ValueError("not a trace plan of this format")
        try:
            return cls(str(d["trace"]), tuple((str(n), str(q)) for n, q in d["temps"]), str(d["query"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed trace plan: {exc}") from exc


def get_plan(con: embedded.Connection, trace: Trace, params: Any) -> TracePlan:
    """The compiled actions of ``trace`` (it must have ``seam_actions``) for the store on ``con`` under
    ``params``: from this process, the cache folder, or compiled now (and kept in both)."""
    if trace.seam_actions is None:
        raise InputError(f"trace {trace.name!r} has no Ibis definition (Trace.seam_actions) to compile")
    schemas = table_schemas(con, trace.seam_inputs)
    read = params_read(trace, params)

    def build() -> TracePlan:
        from lockstep.engine.trace_plans_compile import compile_plan

        return compile_plan(trace, params, schemas)

    key = plan_cache.plan_key(
        {"format": PLAN_FORMAT, "kind": KIND, "trace": trace.name, "params": read, "schemas": schemas}
    )
    return plan_cache.cached(KIND, key, load=TracePlan.from_json, dump=TracePlan.to_json, build=build)


def params_read(trace: Trace, params: Any) -> dict[str, str]:
    """The run's values of the ``DetectParams`` fields the trace's definition reads (``Trace.seam_params``)."""
    return {f: repr(getattr(params, f)) for f in sorted(trace.seam_params)}


def recorded_params(parameters: dict[str, Any]) -> Any:
    """The :class:`~lockstep.traces.engine.DetectParams` of a run from its recorded ``detect_runs.parameters``
    (fields it does not name keep their defaults; what the engine added, such as the window used, is left out)."""
    from dataclasses import fields

    from lockstep.traces.engine import DetectParams

    names = {f.name for f in fields(DetectParams)}
    return DetectParams(**{k: v for k, v in parameters.items() if k in names})


def table_schemas(con: embedded.Connection, tables: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """(column, DuckDB type) of each of ``tables`` on ``con``, as ``DESCRIBE`` gives them."""
    return {table: plan_cache.table_schema(con, table) for table in tables}


@contextmanager
def actions_query(con: embedded.Connection, trace: Trace, params: Any) -> Iterator[str]:
    """A ``SELECT`` of the trace's actions on ``con``, valid inside the ``with`` block (the plan's temp tables
    live until it ends, also when it fails).

    A trace with ``duckdb_actions`` gets that SQL (its ``prepare`` is the caller's to run first); cross-platform
    actions come encoded from a compiled definition only (:func:`create_actions` encodes the others).
    """
    if trace.duckdb_actions is not None:
        yield trace.duckdb_actions
        return
    plan = get_plan(con, trace, params)
    try:
        for temp, query in plan.temps:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(temp)} AS {query}")
        yield plan.query
    finally:
        for temp, _ in plan.temps:
            con.execute(f"DROP TABLE IF EXISTS {_quote(temp)}")


def create_actions(con: embedded.Connection, trace: Trace, params: Any, table: str) -> None:
    """Temp table ``table`` of the trace's actions ``(platform, account_id, item, post_id, t)`` on ``con``,
    encoded for pairing across platforms when the trace is cross-platform (exactly once)."""
    with actions_query(con, trace, params) as query:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(table)} AS {query}")
    if trace.cross_platform and trace.duckdb_actions is not None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(table)} AS {cross_platform_actions(_quote(table))}")


def temp_name(trace: str, index: int) -> str:
    """Name of the ``index``-th temp table a trace's plan materialises."""
    return f"lockstep_trace_{trace}_{index}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
