"""The ported signals on a :class:`~lockstep.engine.backends.Backend`: Spark, or the seam over a fresh DuckDB.

``analyze --engine spark`` runs here: ``posts`` and ``accounts`` from Parquet (exported from the store, or
``parquet_dir``), the communities (``account_scores``, from this ``analyze``), the avatar checks and the control
accounts sent from the driver as in-memory tables. The equality test runs the same code on a fresh in-memory
DuckDB over the exported Parquet. The engine does the per-post work; the driver builds each row's ``detail``
from the reduced rows (:mod:`lockstep.engine.signals.driver`) in an in-memory DuckDB, vectorised.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lockstep.engine import embedded
from lockstep.engine.backends import SIGNAL_COLUMNS, Backend, export_inputs, spark_backend
from lockstep.engine.signals.common import Part
from lockstep.engine.signals.definitions import DEFINITIONS, DRIVER_TABLES
from lockstep.engine.signals.driver import SIGNAL_SCHEMA, finish_sql, finished_rows
from lockstep.signals.base import SignalContext
from lockstep.store.store import Store


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
        return _collect(backend, DEFINITIONS[name](backend.tables, backend.shims, ctx, cache))
    finally:
        for t in cached:  # the engine's temp tables / cached views, also when the signal fails
            t.release()


def _collect(backend: Backend, parts: list[Part]) -> pa.Table:
    """Run each part on the engine; finish its reduced rows on the driver (details in an in-memory DuckDB)."""
    out: list[pa.Table] = []
    with embedded.connect() as local:
        for part in parts:
            result = backend.to_arrow(part.expr)
            if part.finish is not None:
                out.append(finished_rows(part.finish, result))
                continue
            with embedded.registered(local, "r", result):
                out.append(local.sql(finish_sql(part.detail, part.sql)).to_arrow_table().cast(SIGNAL_SCHEMA))
    return pa.concat_tables(out) if out else SIGNAL_SCHEMA.empty_table()


def backend_rows(
    store: Store,
    names: Sequence[str],
    ctx: SignalContext,
    control: pa.Table | None,
    *,
    master: str | None,
    session: Any,
    parquet_dir: str | Path | None,
    backend: Backend | None,
    timings: dict[str, float],
) -> dict[str, pa.Table]:
    """The rows of ``names`` on ``backend`` (its ``posts`` and ``accounts`` already read), else on Spark."""
    if backend is not None:
        return _run(backend, names, ctx, control, _driver_tables(store), timings)
    backend_cm: AbstractContextManager[Backend] = spark_backend(master, session=session)
    with tempfile.TemporaryDirectory(prefix="lockstep-signals-") as tmp:
        t0 = time.perf_counter()
        inputs = str(parquet_dir) if parquet_dir else str(export_inputs(store.con, Path(tmp), SIGNAL_COLUMNS))
        timings["export"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with backend_cm as spark:
            spark.read_inputs(inputs, tuple(SIGNAL_COLUMNS))
            timings["engine_start"] = time.perf_counter() - t0
            return _run(spark, names, ctx, control, _driver_tables(store), timings)


def _driver_tables(store: Store) -> dict[str, pa.Table]:
    """Tables sent from the driver: this ``analyze``'s communities (one row per member), the avatar checks (made
    on the driver by ``lockstep media faces``) and the coordination evidence's post pairs (made by ``detect``,
    read by camouflage; one row per evidence pair)."""
    return {
        "account_scores": store.con.sql("SELECT platform, account_id, community FROM account_scores").to_arrow_table(),
        "avatar_checks": store.con.sql(
            "SELECT platform, account_id, image, eye_distance, gan_like, reason FROM avatar_checks"
        ).to_arrow_table(),
        "evidence": store.con.sql("SELECT platform, post_a, post_b FROM evidence").to_arrow_table(),
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
    for name, make in DRIVER_TABLES.items():
        backend.tables[name] = ibis.memtable(make())
    if control is not None:
        backend.tables["control"] = ibis.memtable(control)
    out: dict[str, pa.Table] = {}
    for name in names:
        t0 = time.perf_counter()
        out.update(compute(backend, [name], ctx))
        timings[name] = time.perf_counter() - t0
    return out
