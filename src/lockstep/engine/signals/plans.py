"""The signals on the store's DuckDB as compiled SQL: built from the Ibis definitions once, then reused.

The default ``analyze`` runs every signal on the store's own connection. Importing Ibis and building and
compiling the signals' expressions costs seconds (about 4 s for the ten on the shared 2-core test machine,
about what running all ten takes at 1M posts; ``docs/scale.md``), and the result depends only on the code, the
versions of Ibis, sqlglot and DuckDB, the store's table schemas and the signal's parameters. So a signal runs
from a :class:`Plan`: the SQL of its intermediate tables and of each part, the small in-memory tables the
definitions use, and how the driver finishes each part (:mod:`lockstep.engine.signals.driver`).
:func:`get_plan` compiles a plan on first use (:mod:`lockstep.engine.signals.compile`, which imports Ibis),
keeps it for the process and writes it to a cache folder; a later ``analyze`` with the same key reads it back
and imports no Ibis at all.

The key hashes everything the SQL depends on: the source of the definitions and the library versions
(:func:`lockstep.engine.plan_cache.plan_key`), the signal, the time zone offset, the control table's name and
the column names and types of every table read. A changed definition or schema is a new key, so a stale plan is
never read. The cache (:mod:`lockstep.engine.plan_cache`) keeps one JSON file per key (a few kB to 100 kB) in
its ``signal-plans/`` folder.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass

import pyarrow as pa

from lockstep.engine import embedded, plan_cache
from lockstep.engine.signals.driver import SIGNAL_SCHEMA, finish_sql, finished_rows
from lockstep.signals.base import SignalContext

#: Store tables the ported signals read on the store's connection (the control accounts: ``ctx.control``).
STORE_TABLES = ("posts", "accounts", "account_scores", "avatar_checks", "evidence")

#: Bump when the layout of a stored plan changes.
PLAN_FORMAT = 1

#: Key of the input table of every posting account's span (``posts``, ``first``, ``last``: its count of posts and
#: its first and last post's time), the temp table that holds it on the store's connection, and its SQL. Without a
#: control set every posting account is the baseline (:func:`lockstep.engine.signals.common.base_accounts`), and
#: four signals (batches, engagement, personas, ai_faces) take their baseline from a table other than ``posts``,
#: semi-joined to these accounts: each used to scan ``posts`` for them (1.4-1.7 s of CPU each at 10M posts under
#: load), and dormancy grouped ``posts`` by account once more for the spans. The runner makes the table once per
#: run (:func:`spans_for`) or, for a plan run on its own, once for that plan. Where it is absent (Spark, the seam)
#: the definitions compute the same rows (:func:`lockstep.engine.signals.common.account_spans`).
SPANS = "account_spans"
SPANS_TABLE = "lockstep_signal_account_spans"
SPANS_SQL = (
    'SELECT platform, account_id, count(*) AS posts, min(created_at) AS "first", max(created_at) AS "last" '
    "FROM posts GROUP BY platform, account_id"
)


@dataclass(frozen=True)
class PlanPart:
    """One part of a signal: its query on the engine and how the driver finishes the reduced rows.

    ``detail``/``sql``/``finish``: as :class:`lockstep.engine.signals.common.Part` (a DuckDB expression giving
    the JSON detail, a whole query over the reduced rows ``r``, or a finisher's name).
    """

    query: str
    detail: str | None = None
    sql: str | None = None
    finish: str | None = None


@dataclass(frozen=True)
class Plan:
    """A ported signal compiled to DuckDB SQL for one key (see the module docstring).

    ``temps``: (name, query) of the intermediate tables, created in order and dropped after the parts;
    ``memtables``: (name, Arrow IPC stream, base64) of the small tables the definitions build in Python
    (the calendar's office-hours map), registered while the plan runs.
    """

    signal: str
    temps: tuple[tuple[str, str], ...]
    memtables: tuple[tuple[str, str], ...]
    parts: tuple[PlanPart, ...]

    def to_json(self) -> str:
        """The plan as JSON text (what the cache stores)."""
        return json.dumps({"format": PLAN_FORMAT, **asdict(self)})

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """A plan from :meth:`to_json` text; :class:`ValueError` when it is not one of this format."""
        d = json.loads(text)
        if not isinstance(d, dict) or d.get("format") != PLAN_FORMAT:
            raise ValueError("not a signal plan of this format")
        try:
            return cls(
                signal=str(d["signal"]),
                temps=tuple((str(n), str(q)) for n, q in d["temps"]),
                memtables=tuple((str(n), str(b)) for n, b in d["memtables"]),
                parts=tuple(PlanPart(**p) for p in d["parts"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed signal plan: {exc}") from exc


def arrow_to_text(table: pa.Table) -> str:
    """An Arrow table as base64 text of its IPC stream (a memtable of a stored plan)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode("ascii")


def text_to_arrow(text: str) -> pa.Table:
    """The Arrow table of :func:`arrow_to_text` text."""
    return pa.ipc.open_stream(base64.b64decode(text)).read_all()


KIND = "signal-plans"


def get_plan(con: embedded.Connection, name: str, ctx: SignalContext) -> Plan:
    """The plan of the ported signal ``name`` for the store on ``con``: from this process, the cache folder,
    or compiled now (and stored in both; :func:`lockstep.engine.plan_cache.cached`)."""
    schemas = table_schemas(con, ctx)

    def build() -> Plan:
        from lockstep.engine.signals.compile import compile_plan

        return compile_plan(name, ctx, schemas)

    return plan_cache.cached(KIND, plan_key(name, ctx, schemas), load=Plan.from_json, dump=Plan.to_json, build=build)


def table_schemas(con: embedded.Connection, ctx: SignalContext) -> dict[str, list[tuple[str, str]]]:
    """(column, DuckDB type) of each table a ported signal reads on ``con`` (the control table as ``control``)."""
    names = {t: t for t in STORE_TABLES}
    if ctx.control:
        names["control"] = ctx.control
    schemas = {key: plan_cache.table_schema(con, table) for key, table in names.items()}
    types = dict(schemas["posts"])  # the account spans (:data:`SPANS_SQL`)
    schemas[SPANS] = [
        ("platform", types["platform"]),
        ("account_id", types["account_id"]),
        ("posts", "BIGINT"),
        ("first", types["created_at"]),
        ("last", types["created_at"]),
    ]
    return schemas


def plan_key(name: str, ctx: SignalContext, schemas: dict[str, list[tuple[str, str]]]) -> str:
    """The hash naming the plan of ``name`` for these parameters and schemas under this code and these versions."""
    what = {
        "format": PLAN_FORMAT,
        "signal": name,
        "tz_offset_hours": repr(float(ctx.tz_offset_hours)),
        "control": ctx.control,
        "schemas": schemas,
    }
    return plan_cache.plan_key(what)


def plan_rows(con: embedded.Connection, plan: Plan) -> pa.Table:
    """Run ``plan`` on ``con``; its ``signals`` rows as Arrow (:data:`.driver.SIGNAL_SCHEMA`)."""
    out = list(_run(con, plan, insert=False))
    return pa.concat_tables(out) if out else SIGNAL_SCHEMA.empty_table()


def insert_plan(con: embedded.Connection, plan: Plan) -> None:
    """Run ``plan`` on ``con`` and append its rows to ``signals`` (on the engine: no rows cross to Python but a
    finisher's few)."""
    for _ in _run(con, plan, insert=True):
        pass


def reads_spans(plan: Plan) -> bool:
    """Whether ``plan``'s SQL reads the account spans' temp table (:data:`SPANS_TABLE`)."""
    return any(SPANS_TABLE in q for q in (*(q for _, q in plan.temps), *(p.query for p in plan.parts)))


@contextmanager
def spans_for(con: embedded.Connection, plans: Sequence[Plan]) -> Iterator[None]:
    """Make :data:`SPANS_TABLE` on ``con`` for the duration, when one of ``plans`` reads it (else nothing), so
    the plans run inside share one pass over ``posts``; dropped afterwards, also when a plan fails."""
    if not any(reads_spans(p) for p in plans):
        yield
        return
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{SPANS_TABLE}" AS {SPANS_SQL}')
    try:
        yield
    finally:
        con.execute(f'DROP TABLE IF EXISTS "{SPANS_TABLE}"')


def _has_spans(con: embedded.Connection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [SPANS_TABLE]
    ).fetchone()
    return bool(row and row[0])


def _run(con: embedded.Connection, plan: Plan, *, insert: bool) -> Iterator[pa.Table]:
    """Run ``plan``; yield each part's rows, or insert them. The intermediate tables are dropped and the memtables
    unregistered afterwards, also when a query fails. A plan reading the account spans makes their table
    for itself unless the caller made it (:func:`spans_for`)."""
    with ExitStack() as stack:
        if reads_spans(plan) and not _has_spans(con):
            stack.enter_context(spans_for(con, [plan]))
        for mem, data in plan.memtables:
            stack.enter_context(embedded.registered(con, mem, text_to_arrow(data)))
        stack.callback(_drop, con, [t for t, _ in plan.temps])
        for temp, query in plan.temps:
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{temp}" AS {query}')
        for part in plan.parts:
            yield from _run_part(con, part, insert=insert)


def _run_part(con: embedded.Connection, part: PlanPart, *, insert: bool) -> Iterator[pa.Table]:
    if part.finish is not None:  # a few reduced rows finished in Python
        rows = finished_rows(part.finish, con.sql(part.query).to_arrow_table())
        if insert:
            insert_arrow(con, rows)
        else:
            yield rows
        return
    query = f"SELECT * FROM (WITH r AS ({part.query}) SELECT * FROM ({finish_sql(part.detail, part.sql)}))"
    if insert:
        con.execute(f"INSERT INTO signals BY NAME {query}")
    else:
        yield con.sql(query).to_arrow_table().cast(SIGNAL_SCHEMA)


def _drop(con: embedded.Connection, temps: list[str]) -> None:
    for temp in temps:
        con.execute(f'DROP TABLE IF EXISTS "{temp}"')


def insert_arrow(con: embedded.Connection, rows: pa.Table) -> None:
    """Append ``signals`` rows (Arrow, :data:`~lockstep.engine.signals.driver.SIGNAL_SCHEMA`) to ``signals``."""
    with embedded.registered(con, "_lockstep_signal_rows", rows):
        con.execute("INSERT INTO signals BY NAME SELECT * FROM _lockstep_signal_rows")


def create_control_table(con: embedded.Connection, name: str, control: Sequence[tuple[str, str]]) -> None:
    """Make (or replace) the temp table ``name`` of (platform, account_id) control accounts on ``con``."""
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{name}" AS '
        "SELECT unnest($1::VARCHAR[]) AS platform, unnest($2::VARCHAR[]) AS account_id",
        [[p for p, _ in control], [a for _, a in control]],
    )
