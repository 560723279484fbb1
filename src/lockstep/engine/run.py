"""``detect`` on any engine of the seam: actions, pairs and edges run on the engine; results go into the store.

The store is written in the same schema and the same way as the default engine (:mod:`lockstep.traces.engine`):
each trace's earlier edges and evidence are replaced, viral items go to ``capped_items``, one ``detect_runs``
row per trace (its parameters name the engine), so ``analyze``, ``report`` and ``export`` run unchanged.

What runs on the driver, on reduced data only: quantiles of the rarity cut (one row per distinct item
popularity) and of the weight percentile (one value per edge), and the null model, which runs the default
engine's own code (:func:`lockstep.traces.null_model.null_model`) in the store's DuckDB on the kept edges and the
actions of their accounts only. That step stops scaling when the accounts in edges hold more actions than one
machine's DuckDB can join (see ``docs/scale.md``); ``null_replicates=0`` skips it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from lockstep import __version__
from lockstep.engine import ENGINES
from lockstep.engine import coaction as co
from lockstep.engine.actions import seam_actions_of, why_not_ported
from lockstep.engine.backends import Backend, duckdb_backend, export_inputs, spark_backend
from lockstep.errors import InputError
from lockstep.store.store import Store
from lockstep.traces.base import TRACES, Trace, get_trace
from lockstep.traces.engine import (
    DetectParams,
    DetectReport,
    ProgressFn,
    TraceReport,
    _fmt_window,
    resolve_window,
)
from lockstep.traces.null_model import null_model


def detect(
    store: Store,
    traces: Sequence[str] | None = None,
    params: DetectParams | None = None,
    *,
    engine: str = "spark",
    master: str | None = "local[2]",
    session: Any = None,
    parquet_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    timings: dict[str, float] | None = None,
) -> DetectReport:
    """Run the ported ``traces`` (default: every default trace the seam ports) on ``engine``; write to ``store``.

    ``engine``: ``"spark"`` (a new session on ``master``, or the given ``session``) or ``"duckdb"`` (the seam on
    a fresh in-memory DuckDB; the default engine, :func:`lockstep.traces.detect`, is faster there).
    ``parquet_dir``: read the input tables from Parquet already there instead of exporting the store's (on a
    cluster it must be storage the executors see: ``s3a://``, ``gs://``, ``abfss://``, ``dbfs:/``, HDFS; the
    default export goes to a driver-local temp folder, which only ``local[*]`` masters can read).
    Traces the seam does not port are reported as skipped when running all of them, and refused by name.
    ``timings``, when given, receives seconds per stage: ``export``, ``engine_start``, and per trace
    ``<trace>:engine`` (actions, pairs, edges, evidence on the engine) and ``<trace>:store`` (null model on the
    driver and the write into the store).
    """
    timings = timings if timings is not None else {}
    if engine not in ENGINES:
        raise InputError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
    params = params or DetectParams()
    params.validate()
    names = list(traces) if traces else sorted(n for n, t in TRACES.items() if t.default)
    for n in names:
        if traces and seam_actions_of(get_trace(n)) is None:
            raise InputError(f"trace {n!r} does not run on the {engine} engine: {why_not_ported(get_trace(n))}")
    report = DetectReport(params)
    backend_cm: AbstractContextManager[Backend] = (
        spark_backend(master, session=session) if engine == "spark" else nullcontext(duckdb_backend())
    )
    with tempfile.TemporaryDirectory(prefix="lockstep-engine-") as tmp:
        t0 = time.perf_counter()
        inputs = str(parquet_dir) if parquet_dir else str(export_inputs(store.con, Path(tmp)))
        timings["export"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with backend_cm as backend:
            backend.read_inputs(inputs)
            timings["engine_start"] = time.perf_counter() - t0
            for i, name in enumerate(names):
                if progress:
                    progress(name, i, len(names))
                trace = get_trace(name)
                if seam_actions_of(trace) is None:
                    report.traces.append(
                        TraceReport(
                            name,
                            "",
                            trace.default_window_s,
                            skipped=f"not ported to the {engine} engine: {why_not_ported(trace)}",
                        )
                    )
                    continue
                report.traces.append(_run_trace(backend, store, trace, params, timings))
    if progress:
        progress("", len(names), len(names))
    return report


def _window_for(backend: Backend, act: ir.Table, trace: Trace, params: DetectParams) -> tuple[float | None, str | None]:
    return resolve_window(params, trace, lambda: _auto_window(backend, act, trace))


def _auto_window(backend: Backend, act: ir.Table, trace: Trace) -> tuple[float | None, str | None]:
    """CooRnet's estimate as the default engine makes it; per-item half-times on the engine, the rest here."""
    t50 = [
        v for v in backend.to_arrow(co.item_half_times(act).select("t50")).column("t50").to_pylist() if v is not None
    ]
    q10 = co.quantile_cont(t50, 0.1)
    estimate = co.quantile_cont([v for v in t50 if q10 is not None and v <= q10], 0.5)
    if estimate is None or math.isnan(estimate):
        return trace.default_window_s, (
            f"--window auto: no item is shared twice, so no window can be estimated; "
            f"used the trace's default ({_fmt_window(trace.default_window_s)})"
        )
    estimate = max(1.0, float(estimate))
    row = backend.scalar_row(act.aggregate(n=act.count(), minute=(act.ts % 60 == 0).all()))
    if row.get("n") and row.get("minute") and estimate < 60.0:
        return 60.0, (
            f"--window auto: timestamps are minute-resolution; estimate {estimate:g} s widened to one minute-wide "
            "bucket (60 s)"
        )
    return estimate, None


def _run_trace(
    backend: Backend, store: Store, trace: Trace, params: DetectParams, timings: dict[str, float]
) -> TraceReport:
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    run_id = f"r{now:%Y%m%dT%H%M%S%f}-{trace.name}"
    cached = backend.trace_cache()  # what the trace materialises, released when it ends
    try:
        return _run_trace_cached(backend, store, trace, params, timings, cached, started, now, run_id)
    finally:
        for t in cached:  # the engine's temp tables / cached views, also when the trace fails
            t.release()


def _run_trace_cached(
    backend: Backend,
    store: Store,
    trace: Trace,
    params: DetectParams,
    timings: dict[str, float],
    cached: list[ir.Table],
    started: float,
    now: dt.datetime,
    run_id: str,
) -> TraceReport:
    sh = backend.shims
    cap = params.max_item_accounts

    def cache(expr: ir.Table) -> ir.Table:
        table = backend.cache(expr)
        cached.append(table)
        return table

    def step_cache(expr: ir.Table) -> ir.Table:
        """The co-action definitions' own intermediates: temp tables on DuckDB, local checkpoints on Spark
        (:meth:`Backend.keep`), which cut the plan: as cached views, or left inside the plan, the edges' plan
        grew until Spark's analysis ran out of driver heap on the test world."""
        return backend.keep(expr) if backend.name == "spark" else cache(expr)

    seam_actions = seam_actions_of(trace)
    if seam_actions is None:
        raise InputError(f"trace {trace.name!r} does not run on the seam: {why_not_ported(trace)}")
    act_all = cache(co.clean_actions(seam_actions(backend.tables, sh, params), sh))
    stats = cache(co.item_stats(act_all))
    capped = backend.to_arrow(stats.filter(stats.accounts > cap).select("platform", "item", "accounts", "actions"))
    act = cache(co.pairable(act_all, stats, cap))
    window, note = _window_for(backend, act, trace, params)
    rep = TraceReport(trace.name, run_id, window, note=note)
    counts = backend.scalar_row(stats.aggregate(actions=stats.actions.sum(), items=stats.count()))
    rep.actions, rep.items = int(counts.get("actions") or 0), int(counts.get("items") or 0)
    rep.capped_items = capped.num_rows
    rep.capped_actions = int(sum(capped.column("actions").to_pylist()))
    prs = cache(co.pairs(act, window, trace.cross_platform))
    rep.pairs = int(backend.scalar_row(prs.aggregate(n=prs.count())).get("n") or 0)
    min_shared = params.min_shared_items or trace.default_min_shared
    rare_cut = 0
    if params.linking == "rarity" and min_shared > 1 and trace.rarity_linking:
        hist = backend.to_arrow(co.popularity_histogram(stats)).to_pylist()
        accts = act.select("platform", "account_id").distinct()
        acting = backend.scalar_row(accts.aggregate(n=accts.count()))
        rare_cut = co.rare_cut_from([(r["accounts"], r["items"]) for r in hist], int(acting.get("n") or 0))
        rep.note = (rep.note + "; " if rep.note else "") + (
            f"rarity linking: one shared item links a pair when at most {rare_cut} accounts acted on it"
        )
        # Rare items link beyond the window, up to the null model's horizon (lockstep.traces.rarity).
        rare = co.rare_pairs(
            act,
            stats,
            prs,
            rare_cut,
            params.null_shift_s,
            params.rarity_guard,
            cross_platform=trace.cross_platform,
            cache=step_cache,
        )
        prs = cache(prs.union(rare))
    edges = cache(co.edges(act, prs, stats, min_shared, rare_cut, sh, cache=step_cache))
    if params.min_weight_percentile is not None:
        weights = backend.to_arrow(edges.select("weight")).column("weight").to_pylist()
        threshold = co.quantile_cont(weights, params.min_weight_percentile / 100.0)
        if threshold is not None:
            edges = edges.filter(edges.weight >= threshold)
    edge_rows = backend.to_arrow(edges)
    evidence = backend.to_arrow(co.evidence(prs, edges))
    edge_acts = None
    if params.null_replicates and window is not None and edge_rows.num_rows:
        accounts = edges.select("platform", account_id="account_a").union(
            edges.select("platform", account_id="account_b")
        )
        edge_acts = backend.to_arrow(
            act.semi_join(accounts, ["platform", "account_id"]).select("platform", "account_id", "item", "ts")
        )
        rep.note = (rep.note + "; " if rep.note else "") + (
            f"null model: on the driver (DuckDB) over the {edge_acts.num_rows:,} actions of the edges' accounts"
        )
    engine_done = time.perf_counter()
    timings[f"{trace.name}:engine"] = engine_done - started
    with store.transaction() as con:
        _write(con, trace, run_id, rep, params, window, capped, edge_rows, evidence, edge_acts, now, backend.name)
    rep.edges = edge_rows.num_rows
    rep.seconds = time.perf_counter() - started
    timings[f"{trace.name}:store"] = time.perf_counter() - engine_done
    with store.transaction() as con:
        con.execute("UPDATE detect_runs SET seconds = ? WHERE run_id = ?", [rep.seconds, run_id])
    return rep


def _write(
    con: Any,
    trace: Trace,
    run_id: str,
    rep: TraceReport,
    params: DetectParams,
    window: float | None,
    capped: pa.Table,
    edge_rows: pa.Table,
    evidence: pa.Table,
    edge_acts: pa.Table | None,
    now: dt.datetime,
    engine: str,
) -> None:
    """Write one trace's results into the store, as the default engine does (same tables, same columns)."""
    con.register("_capped", capped)
    con.execute(
        "INSERT INTO capped_items SELECT ?, ?, platform, item, accounts, actions FROM _capped", [run_id, trace.name]
    )
    con.unregister("_capped")
    con.register("_edges", edge_rows)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE edge_tmp AS SELECT platform, account_a, account_b, shared_items, coactions,
               min_gap_s, median_gap_s, weight, CAST(NULL AS DOUBLE) AS null_mean, CAST(NULL AS DOUBLE) AS z_score,
               CAST(NULL AS DOUBLE) AS p_value FROM _edges"""
    )
    con.unregister("_edges")
    if edge_acts is not None and window is not None:
        con.register("_edge_acts", edge_acts)
        con.execute("CREATE OR REPLACE TEMP TABLE act AS SELECT * FROM _edge_acts")
        con.unregister("_edge_acts")
        # The null model counts the edges' observed in-window co-actions from ``pairs``: the evidence holds
        # exactly the kept edges' pairs.
        con.register("_evidence_pairs", evidence)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE pairs AS SELECT platform, account_a, account_b, gap_s FROM _evidence_pairs"
        )
        con.unregister("_evidence_pairs")
        null_model(con, params, window)
        con.execute("DROP TABLE act")
        con.execute("DROP TABLE pairs")
    con.execute("DELETE FROM edges WHERE trace = ?", [trace.name])
    con.execute("DELETE FROM evidence WHERE trace = ?", [trace.name])
    con.execute(
        """INSERT INTO edges SELECT ?, ?, platform, account_a, account_b, shared_items, coactions, min_gap_s,
               median_gap_s, weight, null_mean, z_score, p_value FROM edge_tmp""",
        [run_id, trace.name],
    )
    con.register("_evidence", evidence)
    con.execute(
        """INSERT INTO evidence SELECT ?, ?, platform, account_a, account_b, item, post_a, post_b,
               CAST(time_a AS TIMESTAMP), CAST(time_b AS TIMESTAMP), gap_s FROM _evidence""",
        [run_id, trace.name],
    )
    con.unregister("_evidence")
    row = con.execute(
        "SELECT count(*) FROM (SELECT account_a FROM edge_tmp UNION SELECT account_b FROM edge_tmp)"
    ).fetchone()
    rep.accounts = int(row[0]) if row else 0
    con.execute("DROP TABLE edge_tmp")
    con.execute(
        "INSERT INTO detect_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            trace.name,
            now,
            __version__,
            json.dumps({**asdict(params), "window_used_s": window, "engine": engine}),
            rep.actions,
            rep.items,
            rep.capped_items,
            rep.capped_actions,
            rep.pairs,
            edge_rows.num_rows,
            0.0,
        ],
    )
