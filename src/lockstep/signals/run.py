"""Run every (or some) signal over the current communities, on the store's DuckDB or on Apache Spark.

The signals written once in Ibis (:data:`lockstep.engine.signals.PORTED`: all ten registered) run on the store's
own DuckDB connection by default (their compiled SQL, :mod:`lockstep.engine.signals.plans`), on Spark with
``engine="spark"``. A signal registered without an Ibis definition (a SQL ``compute`` of its own) runs on the
store's DuckDB whatever the engine.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from lockstep.signals.base import SIGNALS, SignalContext, get_signal
from lockstep.store.store import Store


def run_signals(
    store: Store,
    names: Sequence[str] | None = None,
    *,
    tz_offset_hours: float = 8.0,
    control: Sequence[tuple[str, str]] | None = None,
    engine: str = "duckdb",
    spark_master: str | None = "local[2]",
    spark_session: Any = None,
    parquet_dir: str | Path | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Recompute signals (default: all) into ``signals``; return rows written per signal.

    ``control`` lists (platform, account_id) pairs forming the baseline instead of the whole population.
    ``engine``: ``"duckdb"`` (the store's connection) or ``"spark"`` (a new session on ``spark_master``, or
    ``spark_session``; ``parquet_dir``: ``posts``/``accounts`` Parquet the executors can read).
    ``timings``, when given, receives seconds per signal (and, on Spark, ``export`` and ``engine_start``).
    """
    from lockstep.engine.signals import PORTED, insert_rows, signal_rows
    from lockstep.engine.signals.plans import create_control_table, get_plan, spans_for
    from lockstep.errors import InputError

    timings = timings if timings is not None else {}
    if engine not in ("duckdb", "spark"):
        raise InputError(f"engine {engine!r}: use one of duckdb, spark")
    if engine == "duckdb" and parquet_dir is not None:
        raise InputError("parquet_dir is read by the spark engine only")
    chosen = [get_signal(n) for n in (names or sorted(SIGNALS))]
    ported = [s.name for s in chosen if s.name in PORTED] if engine == "spark" else []
    computed = (
        signal_rows(
            store,
            ported,
            SignalContext(tz_offset_hours=tz_offset_hours),
            control,
            engine=engine,
            master=spark_master,
            session=spark_session,
            parquet_dir=parquet_dir,
            timings=timings,
        )
        if ported
        else {}
    )
    counts: dict[str, int] = {}
    with store.transaction() as con, ExitStack() as stack:
        ctx = SignalContext(tz_offset_hours=tz_offset_hours)
        if control:
            create_control_table(con, "signal_control", control)
            ctx = SignalContext(tz_offset_hours=tz_offset_hours, control="signal_control")
        # the plans run here share one table of the posting accounts (their baseline), made when one reads it
        here = [get_plan(con, s.name, ctx) for s in chosen if s.name in PORTED and s.name not in computed]
        stack.enter_context(spans_for(con, here))
        for sig in chosen:
            t0 = time.perf_counter()
            con.execute("DELETE FROM signals WHERE signal = ? OR starts_with(signal, ?)", [sig.name, sig.name + "."])
            before = con.execute("SELECT count(*) FROM signals").fetchall()[0]
            if sig.name in computed:
                insert_rows(con, computed[sig.name])
            else:
                sig.compute(con, ctx)
            after = con.execute("SELECT count(*) FROM signals").fetchall()[0]
            counts[sig.name] = int((after[0] if after else 0) - (before[0] if before else 0))
            timings[sig.name] = timings.get(sig.name, 0.0) + time.perf_counter() - t0
        con.execute("DROP TABLE IF EXISTS signal_control")
    return counts
