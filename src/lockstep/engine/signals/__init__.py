"""Inauthenticity signals written once in Ibis: ``analyze`` runs them on the store's DuckDB or on Apache Spark.

:data:`PORTED` maps a signal of :mod:`lockstep.signals` (which keeps each signal's method, references,
thresholds and DISARM techniques) to its Ibis definition. :func:`compute` runs the definitions on a
:class:`~lockstep.engine.backends.Backend` and returns the ``signals`` rows as Arrow; the engine does the
per-post work, the driver builds each row's JSON ``detail`` from the reduced rows. :func:`signal_rows` picks the
engine:

- ``"duckdb"`` (the default ``analyze``): the store's own connection, no export;
- ``"spark"``: ``posts`` and ``accounts`` from Parquet (exported from the store, or ``parquet_dir``), the
  communities (``account_scores``, from this ``analyze``) and the control accounts sent from the driver.

``ai_faces`` runs on the engine over ``avatar_checks``; the image work that fills that table (``lockstep media
faces``) stays on the driver. Not ported, run by their SQL on the store's DuckDB whatever the engine
(``docs/scale.md``): ``language`` and ``camouflage`` (regular expressions and ``lower`` over every post's text;
Spark would need the shims' Python UDF for ``lower``, see :mod:`lockstep.engine.shims`) and ``personas``
(profile text of members, on the driver; lists whose order the SQL leaves open).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lockstep.engine.backends import SIGNAL_COLUMNS, Backend, export_inputs, spark_backend, store_backend
from lockstep.engine.shims import Shims
from lockstep.engine.signals.activity import batches, dormancy, engagement, volume
from lockstep.engine.signals.calendar import calendar
from lockstep.engine.signals.common import Cache, Part, Tables, detail_json
from lockstep.engine.signals.members import ai_faces, identity_shift
from lockstep.errors import InputError
from lockstep.signals.base import SignalContext
from lockstep.store.store import Store

SignalFn = Callable[[Tables, Shims, SignalContext, Cache], list[Part]]

#: Signal name -> its Ibis definition.
PORTED: dict[str, SignalFn] = {
    "ai_faces": ai_faces,
    "batches": batches,
    "calendar": calendar,
    "dormancy": dormancy,
    "engagement": engagement,
    "identity_shift": identity_shift,
    "volume": volume,
}

#: Store tables the definitions read (on Spark, ``account_scores`` and ``avatar_checks`` go from the driver).
STORE_TABLES = ("posts", "accounts", "account_scores", "avatar_checks")

SIGNAL_SCHEMA = pa.schema(
    [
        ("scope", pa.string()),
        ("platform", pa.string()),
        ("subject", pa.string()),
        ("signal", pa.string()),
        ("value", pa.float64()),
        ("baseline", pa.float64()),
        ("fired", pa.bool_()),
        ("detail", pa.string()),
    ]
)


def compute(backend: Backend, names: Sequence[str], ctx: SignalContext) -> dict[str, pa.Table]:
    """Rows of ``signals`` per ported signal in ``names``, computed on ``backend`` (its tables set)."""
    return {name: _compute_one(backend, name, ctx) for name in names}


def _compute_one(backend: Backend, name: str, ctx: SignalContext) -> pa.Table:
    cached: list[ir.Table] = []

    def cache(expr: ir.Table) -> ir.Table:
        table = backend.cache(expr)
        cached.append(table)
        return table

    try:
        return _collect(backend, PORTED[name](backend.tables, backend.shims, ctx, cache))
    finally:
        for t in cached:  # the engine's temp tables / cached views, also when the signal fails
            t.release()


def compute_on_connection(con: Any, name: str, ctx: SignalContext) -> None:
    """Compute ``name`` through the seam on the store's DuckDB connection ``con`` and insert its rows.

    ``ctx.control``, when set, names a temp table of control accounts on ``con`` (see
    :func:`lockstep.signals.run_signals`).
    """
    with store_backend(con, STORE_TABLES) as backend:
        if ctx.control:
            backend.tables["control"] = backend.con.table(ctx.control)
        rows = _compute_one(backend, name, ctx)
    insert_rows(con, rows)


def insert_rows(con: Any, rows: pa.Table) -> None:
    """Append ``signals`` rows (Arrow, :data:`SIGNAL_SCHEMA`) to the store's ``signals`` table."""
    con.register("_signal_rows", rows)
    try:
        con.execute("INSERT INTO signals BY NAME SELECT * FROM _signal_rows")
    finally:
        con.unregister("_signal_rows")


def _collect(backend: Backend, parts: list[Part]) -> pa.Table:
    """Run each part on the engine; finish its reduced rows on the driver (details in an in-memory DuckDB)."""
    import duckdb

    out: list[pa.Table] = []
    with duckdb.connect() as local:
        for part in parts:
            result = backend.to_arrow(part.expr)
            if part.finish is not None:
                rows = [r for row in result.to_pylist() for r in part.finish(row)]
                for r in rows:
                    r["detail"] = detail_json(r["detail"])
                out.append(
                    pa.Table.from_pylist([{f.name: r[f.name] for f in SIGNAL_SCHEMA} for r in rows], SIGNAL_SCHEMA)
                )
                continue
            local.register("r", result)
            cols = "scope, platform, subject, signal, value, baseline, fired"
            sql = part.sql or f"SELECT {cols}, {part.detail or 'NULL'} AS detail FROM r"
            out.append(local.sql(sql).to_arrow_table().cast(SIGNAL_SCHEMA))
            local.unregister("r")
    return pa.concat_tables(out) if out else SIGNAL_SCHEMA.empty_table()


def signal_rows(
    store: Store,
    names: Sequence[str],
    ctx: SignalContext,
    control: Sequence[tuple[str, str]] | None = None,
    *,
    engine: str = "duckdb",
    master: str | None = "local[2]",
    session: Any = None,
    parquet_dir: str | Path | None = None,
    backend: Backend | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, pa.Table]:
    """Compute the ported signals ``names`` for ``store`` on ``engine`` (``"duckdb"``: the store's connection).

    ``backend``: run on this backend instead, its ``posts`` and ``accounts`` already read (the equality test's
    seam on a fresh DuckDB over Parquet); the communities and controls still come from ``store``.
    ``timings``, when given, receives seconds per stage: ``export``, ``engine_start`` and one per signal.
    """
    timings = timings if timings is not None else {}
    for n in names:
        if n not in PORTED:
            raise InputError(f"signal {n!r} is not written for the engine seam; ported: {', '.join(sorted(PORTED))}")
    if engine not in ("duckdb", "spark"):
        raise InputError(f"engine {engine!r}: use one of duckdb, spark")
    if engine == "duckdb" and parquet_dir is not None:
        raise InputError("parquet_dir is read by the spark engine only")
    control_table = (
        pa.table({"platform": [p for p, _ in control], "account_id": [a for _, a in control]}) if control else None
    )
    if backend is not None:
        return _run(backend, names, ctx, control_table, _driver_tables(store), timings)
    if engine == "duckdb":
        with store_backend(store.con, STORE_TABLES) as on_store:
            return _run(on_store, names, ctx, control_table, {}, timings)
    backend_cm: AbstractContextManager[Backend] = spark_backend(master, session=session)
    with tempfile.TemporaryDirectory(prefix="lockstep-signals-") as tmp:
        t0 = time.perf_counter()
        inputs = str(parquet_dir) if parquet_dir else str(export_inputs(store.con, Path(tmp), SIGNAL_COLUMNS))
        timings["export"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with backend_cm as spark:
            spark.read_inputs(inputs, tuple(SIGNAL_COLUMNS))
            timings["engine_start"] = time.perf_counter() - t0
            return _run(spark, names, ctx, control_table, _driver_tables(store), timings)


def _driver_tables(store: Store) -> dict[str, pa.Table]:
    """Tables sent from the driver: this ``analyze``'s communities (one row per member) and the avatar checks
    (made on the driver by ``lockstep media faces``)."""
    return {
        "account_scores": store.con.sql("SELECT platform, account_id, community FROM account_scores").to_arrow_table(),
        "avatar_checks": store.con.sql(
            "SELECT platform, account_id, image, eye_distance, gan_like, reason FROM avatar_checks"
        ).to_arrow_table(),
    }


def _run(
    backend: Backend,
    names: Sequence[str],
    ctx: SignalContext,
    control: pa.Table | None,
    driver: dict[str, pa.Table],
    timings: dict[str, float],
) -> dict[str, pa.Table]:
    for name, table in driver.items():
        backend.tables[name] = ibis.memtable(table)
    if control is not None:
        backend.tables["control"] = ibis.memtable(control)
    out: dict[str, pa.Table] = {}
    for name in names:
        t0 = time.perf_counter()
        out.update(compute(backend, [name], ctx))
        timings[name] = time.perf_counter() - t0
    return out
