"""Inauthenticity signals written once in Ibis: ``analyze`` runs them on the store's DuckDB or on Apache Spark.

:data:`PORTED` names the signals of :mod:`lockstep.signals` (which keeps each signal's method, references,
thresholds and DISARM techniques) defined once in Ibis (:mod:`lockstep.engine.signals.definitions`).
:func:`signal_rows` computes their ``signals`` rows as Arrow on an engine:

- ``"duckdb"`` (the default ``analyze``): the store's own connection, running each definition's compiled SQL
  (:mod:`lockstep.engine.signals.plans`: compiled once and cached, so a warm run imports no Ibis);
- ``"spark"``: ``posts`` and ``accounts`` from Parquet (exported from the store, or ``parquet_dir``), the
  communities (``account_scores``, from this ``analyze``) and the control accounts sent from the driver
  (:mod:`lockstep.engine.signals.seam`).

The engine does the per-post work, the driver builds each row's JSON ``detail`` from the reduced rows
(:mod:`lockstep.engine.signals.driver`). ``ai_faces`` runs on the engine over ``avatar_checks``; the image work
that fills that table (``lockstep media faces``) stays on the driver. Every registered signal is ported.
Importing this package imports no Ibis.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from lockstep.engine import embedded
from lockstep.engine.signals.plans import (
    create_control_table,
    get_plan,
    insert_arrow,
    insert_plan,
    plan_rows,
    spans_for,
)
from lockstep.errors import InputError
from lockstep.signals.base import SignalContext
from lockstep.store.store import Store

#: The signals defined once in Ibis (their definitions: :data:`lockstep.engine.signals.definitions.DEFINITIONS`).
PORTED: tuple[str, ...] = (
    "ai_faces",
    "batches",
    "calendar",
    "camouflage",
    "dormancy",
    "engagement",
    "identity_shift",
    "language",
    "personas",
    "volume",
)

#: The temp table of control accounts :func:`signal_rows` makes on the store's connection.
CONTROL_TABLE = "lockstep_signal_control"


def compute_on_connection(con: embedded.Connection, name: str, ctx: SignalContext) -> None:
    """Compute ``name`` on the store's DuckDB connection ``con`` and insert its rows into ``signals``.

    ``ctx.control``, when set, names a temp table of control accounts on ``con`` (see
    :func:`lockstep.signals.run_signals`).
    """
    insert_plan(con, get_plan(con, name, ctx))


def insert_rows(con: embedded.Connection, rows: pa.Table) -> None:
    """Append ``signals`` rows (Arrow, :data:`~lockstep.engine.signals.driver.SIGNAL_SCHEMA`) to ``signals``."""
    insert_arrow(con, rows)


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
    backend: Any = None,
    timings: dict[str, float] | None = None,
) -> dict[str, pa.Table]:
    """Compute the ported signals ``names`` for ``store`` on ``engine`` (``"duckdb"``: the store's connection).

    ``backend``: run on this :class:`~lockstep.engine.backends.Backend` instead, its ``posts`` and ``accounts``
    already read (the equality test's seam on a fresh DuckDB over Parquet); the communities and controls still
    come from ``store``. ``timings``, when given, receives seconds per stage: ``export``, ``engine_start`` and
    one per signal.
    """
    timings = timings if timings is not None else {}
    for n in names:
        if n not in PORTED:
            raise InputError(f"signal {n!r} is not written for the engine seam; ported: {', '.join(sorted(PORTED))}")
    if engine not in ("duckdb", "spark"):
        raise InputError(f"engine {engine!r}: use one of duckdb, spark")
    if engine == "duckdb" and parquet_dir is not None:
        raise InputError("parquet_dir is read by the spark engine only")
    if engine == "duckdb" and backend is None:
        return _on_store(store.con, names, ctx, control, timings)
    from lockstep.engine.signals.seam import backend_rows

    control_table = (
        embedded.arrow_table(
            {"platform": [p for p, _ in control], "account_id": [a for _, a in control]},
            {"platform": "VARCHAR", "account_id": "VARCHAR"},
        )
        if control
        else None
    )
    return backend_rows(
        store,
        names,
        ctx,
        control_table,
        master=master,
        session=session,
        parquet_dir=parquet_dir,
        backend=backend,
        timings=timings,
    )


def _on_store(
    con: embedded.Connection,
    names: Sequence[str],
    ctx: SignalContext,
    control: Sequence[tuple[str, str]] | None,
    timings: dict[str, float],
) -> dict[str, pa.Table]:
    """The rows of ``names`` from their compiled plans on the store's connection (the controls as a temp table)."""
    if control:
        create_control_table(con, CONTROL_TABLE, control)
        ctx = dataclasses.replace(ctx, control=CONTROL_TABLE)
    out: dict[str, pa.Table] = {}
    try:
        plans = [get_plan(con, name, ctx) for name in names]
        with spans_for(con, plans):
            for name, plan in zip(names, plans, strict=True):
                t0 = time.perf_counter()
                out[name] = plan_rows(con, plan)
                timings[name] = time.perf_counter() - t0
    finally:
        if control:
            con.execute(f"DROP TABLE IF EXISTS {CONTROL_TABLE}")
    return out
