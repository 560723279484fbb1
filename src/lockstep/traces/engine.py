"""The co-action engine: actions -> account pairs within a sliding window -> edges with evidence.

For every trace (see :mod:`lockstep.traces.base`):

1. **Actions** come from the trace's SQL. Items acted on by more than ``max_item_accounts`` distinct accounts
   are *viral*: they are not paired (the pairs would be quadratic and, by TF-IDF, near-weightless), but each
   is recorded in ``capped_items`` with its counts and reported, never dropped silently.
2. **Pairs**: a true sliding window, exact at every clock boundary, with only equality join keys: time is
   bucketed by the window ``w``; each action joins the same item's actions in buckets ``b-1, b, b+1`` and
   pairs with ``|t1 - t2| <= w`` are kept (as measured here, a range join is quadratic in the busiest item).
   Every pair is an evidence row (trace, accounts, item, both post ids, both times, the gap).
3. **Edges** aggregate pairs per account pair: distinct shared items, co-actions, minimum and median gap, and
   a rarity-weighted cosine (Luceri et al., WWW 2024): each account is a vector over items with weight
   ``tf * idf`` (smoothed ``idf = ln(1 + N / df)`` over the trace's accounts, so an item everyone shares
   still counts); the cosine's numerator runs over the items the
   pair co-acted on within the window. Edges need ``min_shared_items`` distinct items (default 2: single
   shared actions on popular items form degenerate cliques) or, with rarity linking (the default), one item
   that few accounts in the whole data set ever acted on (state trolls often share exactly one rare item, a
   retweeted news text, within the same minute, while organic crowds share viral items), and optionally a
   weight at or above a percentile (ties kept: CooRTweet's strict ``>`` drops perfectly coordinated groups
   whose weights all tie).
4. **Null model**: each account's timeline is shifted by a random offset (uniform in
   ``±null_shift_s``, seeded), co-actions of each kept edge are recounted; R replicates give each edge its null
   mean and a z-score. A permutation p-value ``(1 + #{null >= observed}) / (R + 1)`` can never fall below
   ``1 / (R + 1)`` (0.091 with 10 replicates), so no edge could ever be called significant at 0.05 or 0.01.
   The p-value is instead the upper tail of a Poisson law whose rate is the null co-action count per replicate,
   smoothed by half a co-action (``(S + 0.5) / R`` for ``S`` null co-actions over ``R`` replicates; the
   Jeffreys-style correction keeps an edge never seen under the null from getting ``p = 0``):
   ``p = P(X >= observed | X ~ Poisson(rate))``. Co-action counts of a pair under random time shifts are sums
   of many rare, nearly independent coincidences, the textbook Poisson case; it is an approximation, and the
   raw null mean and z-score stay on the edge for anyone who prefers them.

Window estimation follows CooRnet (Giglietto et al. 2020): the median, over the fastest 10% of items, of the
time each item takes to reach 50% of its shares.

Steps 1-3 (item statistics, pairs, the rarity cut's inputs, rare pairs, edges) are written once, in Ibis
(:mod:`lockstep.engine.coaction`); this engine runs them compiled to DuckDB SQL over its temp tables
(:mod:`lockstep.engine.coaction_plans`), the Spark seam runs the same expressions.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from lockstep import __version__
from lockstep.engine import coaction_plans, embedded, trace_plans
from lockstep.errors import InputError, MissingExtraError
from lockstep.store.store import Store
from lockstep.traces.base import TRACES, Trace, get_trace
from lockstep.traces.cross_platform import (
    NO_ACTIONS,
    ONE_PLATFORM_NOTE,
    single_platform,
)
from lockstep.traces.null_model import null_model

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DetectParams:
    """Parameters of a detection run (recorded with every run).

    ``window_s``: seconds; ``None`` uses each trace's default; ``"auto"`` estimates it from the data;
    ``"none"`` pairs actions on the same item at any time. ``min_shared_items``: ``None`` uses each trace's
    default (2; 1 for reactivation). ``linking``: ``"rarity"`` (default) also links a pair on one shared item
    when the item is rare in the whole data set (see :func:`lockstep.engine.quantiles.rare_cut_from`);
    ``"strict"`` needs ``min_shared_items`` distinct items.
    """

    window_s: float | str | None = None
    min_shared_items: int | None = None
    max_item_accounts: int = 1000
    min_weight_percentile: float | None = None
    null_replicates: int = 10
    null_shift_s: float = 86_400.0
    seed: int = 0
    near_dup_threshold: float = 0.8
    near_dup_min_tokens: int = 5
    linking: str = "rarity"
    #: Rare co-actions beyond the window link a pair only with a second item or a common partner
    #: (:mod:`lockstep.traces.rarity`); ``False`` keeps the unguarded rule.
    rarity_guard: bool = True
    #: Distinct texts a near-duplicate prefix bucket may hold before it is skipped (and reported).
    near_dup_bucket_cap: int = 2000

    def validate(self) -> None:
        """Raise :class:`InputError` for parameters no engine can run (every engine calls this first)."""
        if (
            (self.min_shared_items is not None and self.min_shared_items < 1)
            or self.max_item_accounts < 2
            or self.null_replicates < 0
        ):
            raise InputError("min_shared_items >= 1, max_item_accounts >= 2 and null_replicates >= 0 are required")
        if self.linking not in ("rarity", "strict"):
            raise InputError(f"linking {self.linking!r}: use 'rarity' or 'strict'")
        if self.min_weight_percentile is not None and not 0 <= self.min_weight_percentile <= 100:
            raise InputError("min_weight_percentile must be between 0 and 100")


@dataclass
class TraceReport:
    """What one trace produced."""

    trace: str
    run_id: str
    window_s: float | None
    actions: int = 0
    items: int = 0
    capped_items: int = 0
    capped_actions: int = 0
    pairs: int = 0
    edges: int = 0
    accounts: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    note: str | None = None


@dataclass
class DetectReport:
    """What one ``detect`` call produced, trace by trace."""

    params: DetectParams
    traces: list[TraceReport] = field(default_factory=list)

    def summary(self) -> str:
        """One accounting line per trace."""
        lines = []
        for t in self.traces:
            if t.skipped:
                lines.append(f"{t.trace}: skipped ({t.skipped})")
                continue
            window = _fmt_window(t.window_s)
            capped = f", {t.capped_items:,} viral items capped ({t.capped_actions:,} actions)" if t.capped_items else ""
            lines.append(
                f"{t.trace}: {t.actions:,} actions on {t.items:,} items, window {window}{capped}; "
                f"{t.pairs:,} co-action pairs -> {t.edges:,} edges among {t.accounts:,} accounts ({t.seconds:.1f} s)"
                + (f"\n  note: {t.note}" if t.note else "")
            )
        return "\n".join(lines)


def detect(
    store: Store,
    traces: Sequence[str] | None = None,
    params: DetectParams | None = None,
    *,
    progress: ProgressFn | None = None,
) -> DetectReport:
    """Run ``traces`` (default: all) over the store, replacing their earlier edges and evidence."""
    params = params or DetectParams()
    params.validate()
    names = list(traces) if traces else sorted(n for n, t in TRACES.items() if t.default)
    chosen = [get_trace(n) for n in names]
    report = DetectReport(params)
    for i, trace in enumerate(chosen):
        if progress:
            progress(trace.name, i, len(chosen))
        try:
            with store.transaction() as con:
                report.traces.append(_run_trace(con, trace, params))
        except MissingExtraError as exc:
            if traces:
                raise
            report.traces.append(TraceReport(trace.name, "", trace.default_window_s, skipped=str(exc)))
    if progress:
        progress("", len(chosen), len(chosen))
    return report


def resolve_window(
    params: DetectParams, trace: Trace, auto: Callable[[], tuple[float | None, str | None]]
) -> tuple[float | None, str | None]:
    """The window ``trace`` runs with under ``params`` and a note for the user; ``auto()`` is the engine's own
    estimate, called only for ``window_s="auto"`` (every engine reads ``window_s`` through here)."""
    w = params.window_s
    if w is None:
        return trace.default_window_s, None
    if isinstance(w, str):
        if w.lower() == "none":
            return None, None
        if w.lower() == "auto":
            return auto()
        try:
            w = float(w)
        except ValueError:
            raise InputError(f"window {w!r}: give seconds, 'auto' or 'none'") from None
    if w <= 0:
        raise InputError("window must be positive seconds, 'auto' or 'none'")
    return float(w), None


def _window_for(con: embedded.Connection, trace: Trace, params: DetectParams) -> tuple[float | None, str | None]:
    """The window this trace runs with, and a note for the user when ``auto`` had to adjust or fall back."""
    return resolve_window(params, trace, lambda: _auto_window(con, trace))


def _auto_window(con: embedded.Connection, trace: Trace) -> tuple[float | None, str | None]:
    """CooRnet's estimate, made safe: per-trace fallback to the default, and never finer than the timestamps.

    A trace whose items are never shared twice cannot be estimated; it falls back to its default window with a
    note instead of failing the whole run. Exports that truncate times to the minute (the IO archive, the
    airline data) make every gap a multiple of 60 s, so an estimate under a minute would only pair actions of
    the same clock minute: the window is widened to one minute-wide bucket and the output says so.
    """
    try:
        estimate = _estimate_from_actions(con)
    except InputError:
        return trace.default_window_s, (
            f"--window auto: no item is shared twice, so no window can be estimated; "
            f"used the trace's default ({_fmt_window(trace.default_window_s)})"
        )
    row = con.execute("SELECT count(*) > 0 AND bool_and(ts % 60 = 0) FROM act").fetchone()
    if row and row[0] and estimate < 60.0:
        return 60.0, (
            f"--window auto: timestamps are minute-resolution; estimate {estimate:g} s widened to one minute-wide "
            "bucket (60 s)"
        )
    return estimate, None


def _fmt_window(window: float | None) -> str:
    return "any time" if window is None else f"{window:g} s"


def _run_trace(con: embedded.Connection, trace: Trace, params: DetectParams) -> TraceReport:
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    run_id = f"r{now:%Y%m%dT%H%M%S%f}-{trace.name}"
    one_platform = trace.cross_platform and single_platform(con)
    prepared = trace.prepare(con, params) if trace.prepare is not None and not one_platform else None
    # Materialise the trace's actions first: filtering in the same statement makes DuckDB evaluate
    # expensive item expressions (text normalisation) twice. They are the trace's one Ibis definition compiled
    # to DuckDB SQL (cached; lockstep.engine.trace_plans), already encoded when the trace is cross-platform.
    # The cleaning projection is a view over it (one copy of the actions is materialised before ``act``).
    if one_platform:
        con.execute(f"CREATE OR REPLACE TEMP TABLE act_raw AS {NO_ACTIONS}")
    else:
        trace_plans.create_actions(con, trace, params, "act_raw")
    con.execute(
        """CREATE OR REPLACE TEMP VIEW act_all AS
        SELECT platform, account_id, CAST(item AS VARCHAR) AS item, post_id, t, epoch(t) AS ts
        FROM act_raw WHERE item IS NOT NULL AND item <> '' AND account_id IS NOT NULL"""
    )
    # The co-action steps are compiled from their one definition (lockstep.engine.coaction).
    prefiltered = _prefilter(con)
    left_out = 0  # actions the prefilter leaves out: each is the only action of its item
    if prefiltered:
        # Statistics and pairable actions only from the actions of repeated items; the rest are counted.
        n_all = _counts(con, "SELECT count(*) FROM act_all")[0]
        coaction_plans.run_step(con, "candidates", "act_cand")
        con.execute("DROP VIEW act_all")
        con.execute("DROP TABLE act_raw")
        con.execute("ALTER TABLE act_cand RENAME TO act_all")
        left_out = n_all - _counts(con, "SELECT count(*) FROM act_all")[0]
    coaction_plans.run_step(con, "item_stats", "item_stats")
    cap = params.max_item_accounts
    con.execute(
        "INSERT INTO capped_items SELECT ?, ?, platform, item, accounts, actions FROM item_stats WHERE accounts > ?",
        [run_id, trace.name, cap],
    )
    coaction_plans.run_step(con, "act", "act", cap=int(cap))
    if prefiltered:
        con.execute("DROP TABLE act_all")
    else:
        con.execute("DROP VIEW act_all")
        con.execute("DROP TABLE act_raw")
    window, note = _window_for(con, trace, params)
    notes = [n for n in (note, ONE_PLATFORM_NOTE if one_platform else None, prepared) if isinstance(n, str) and n]
    rep = TraceReport(trace.name, run_id, window, note="; ".join(notes) or None)
    actions, items = _counts(con, "SELECT coalesce(sum(actions), 0), count(*) FROM item_stats")
    rep.actions, rep.items = actions + left_out, items + left_out
    rep.capped_items, rep.capped_actions = _counts(
        con, f"SELECT count(*), coalesce(sum(actions), 0) FROM item_stats WHERE accounts > {int(cap)}"
    )
    coaction_plans.run_step(con, "pairs", "pairs", window=window, cross_platform=trace.cross_platform)
    rep.pairs = _counts(con, "SELECT count(*) FROM pairs")[0]
    min_shared = params.min_shared_items or trace.default_min_shared
    rarity = params.linking == "rarity" and min_shared > 1 and trace.rarity_linking
    coaction_plans.accounts(con)
    rare_cut = coaction_plans.rare_cut(con) if rarity else 0
    if rare_cut:
        rep.note = (rep.note + "; " if rep.note else "") + (
            f"rarity linking: one shared item links a pair when at most {rare_cut} accounts acted on it"
        )
    _edges(con, params, min_shared, rare_cut, cross_platform=trace.cross_platform)
    if params.null_replicates and window is not None:
        null_model(con, params, window)
    con.execute("DELETE FROM edges WHERE trace = ?", [trace.name])
    con.execute("DELETE FROM evidence WHERE trace = ?", [trace.name])
    con.execute(
        """INSERT INTO edges SELECT ?, ?, platform, account_a, account_b, shared_items, coactions, min_gap_s,
               median_gap_s, weight, null_mean, z_score, p_value FROM edge_tmp""",
        [run_id, trace.name],
    )
    con.execute(
        """INSERT INTO evidence SELECT ?, ?, p.platform, p.account_a, p.account_b, p.item, p.post_a, p.post_b,
               p.time_a, p.time_b, p.gap_s
        FROM pairs p SEMI JOIN edge_tmp e
          ON e.platform = p.platform AND e.account_a = p.account_a AND e.account_b = p.account_b""",
        [run_id, trace.name],
    )
    rep.edges = _counts(con, "SELECT count(*) FROM edge_tmp")[0]
    rep.accounts = _counts(
        con, "SELECT count(*) FROM (SELECT account_a FROM edge_tmp UNION SELECT account_b FROM edge_tmp)"
    )[0]
    rep.seconds = time.perf_counter() - started
    con.execute(
        "INSERT INTO detect_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            trace.name,
            now,
            __version__,
            json.dumps({**asdict(params), "window_used_s": window}),
            rep.actions,
            rep.items,
            rep.capped_items,
            rep.capped_actions,
            rep.pairs,
            rep.edges,
            rep.seconds,
        ],
    )
    for t in ("item_stats", "act", "act_accounts", "pairs", "edge_tmp"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return rep


#: Take the item-hash prefilter (:func:`lockstep.engine.coaction.candidates`) when at most this share of the
#: sampled actions is on repeated items: measured on the ``bench/vs_cnt.py`` world (5x 1M, 2 threads), it cuts
#: the CPU of item statistics and pairable actions 2.4x on co-text (1% repeated) and costs 1.3x on co-retweet
#: (94% repeated), where the candidates are nearly all actions and would be scanned once more.
PREFILTER_MAX_SHARE = 0.5
#: Below this many sampled actions the share is not estimated and the plan without the prefilter runs (small
#: data: nothing to gain).
PREFILTER_MIN_SAMPLE = 1000


def _prefilter(con: embedded.Connection) -> bool:
    """Whether to compute item statistics from :func:`~lockstep.engine.coaction.candidates` only (same results
    either way): from the share of repeated actions in one slice of the item-hash space."""
    coaction_plans.run_step(con, "repeat_sample", "coaction_sample")
    try:
        row = con.execute("SELECT coalesce(actions, 0), coalesce(repeated, 0) FROM coaction_sample").fetchone()
    finally:
        con.execute("DROP TABLE coaction_sample")
    sampled, repeated = (int(row[0]), int(row[1])) if row else (0, 0)
    return sampled >= PREFILTER_MIN_SAMPLE and repeated <= PREFILTER_MAX_SHARE * sampled


def _edges(
    con: embedded.Connection,
    params: DetectParams,
    min_shared: int,
    rare_cut: int = 0,
    *,
    cross_platform: bool = False,
) -> None:
    """Temp table ``edge_tmp`` (edges with empty null statistics) from ``act``, ``item_stats`` and ``pairs``."""
    from lockstep.traces.rarity import add_rare_pairs

    # Rare items link beyond the window, up to the null model's horizon (see lockstep.traces.rarity); before
    # the edges, so the accounts those pairs add get TF-IDF vectors too.
    if rare_cut:
        add_rare_pairs(con, rare_cut, params.null_shift_s, params.rarity_guard, cross_platform=cross_platform)
    coaction_plans.run_step(
        con,
        "edges",
        "edge_tmp",
        add="CAST(NULL AS DOUBLE) AS null_mean, CAST(NULL AS DOUBLE) AS z_score, CAST(NULL AS DOUBLE) AS p_value",
        min_shared=int(min_shared),
        rare_cut=int(rare_cut),
    )
    if params.min_weight_percentile is not None:
        con.execute(
            "DELETE FROM edge_tmp WHERE weight < (SELECT quantile_cont(weight, ?) FROM edge_tmp)",
            [params.min_weight_percentile / 100.0],
        )


def _estimate_from_actions(con: embedded.Connection) -> float:
    row = con.execute(
        """WITH s AS (SELECT platform, item, ts - min(ts) OVER (PARTITION BY platform, item) AS dt,
                             count(*) OVER (PARTITION BY platform, item) AS n FROM act),
        t50 AS (SELECT platform, item, quantile_cont(dt, 0.5) AS t50 FROM s WHERE n >= 2 GROUP BY ALL),
        fast AS (SELECT t50 FROM t50 WHERE t50 <= (SELECT quantile_cont(t50, 0.1) FROM t50))
        SELECT median(t50) FROM fast"""
    ).fetchone()
    value = row[0] if row else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise InputError("cannot estimate a window: no item is shared twice; pass --window SECONDS")
    return max(1.0, float(value))


def estimate_window(store: Store, trace: str) -> float:
    """CooRnet's window for ``trace`` on the store's data (seconds, at least 1)."""
    t = get_trace(trace)
    with store.transaction() as con, trace_plans.actions_query(con, t, DetectParams()) as actions:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE act AS SELECT platform, account_id, CAST(item AS VARCHAR) AS item,
                   post_id, t, epoch(t) AS ts FROM ({actions}) WHERE item IS NOT NULL AND item <> ''"""
        )
        try:
            return _estimate_from_actions(con)
        finally:
            con.execute("DROP TABLE act")


def sensitivity(
    store: Store, trace: str, percentiles: Sequence[float] = (0, 50, 65, 80, 90, 95, 99, 99.5)
) -> list[tuple[float, float, int, int]]:
    """Edges and accounts kept at each weight percentile threshold (``>=``, ties kept) for ``trace``.

    Returns rows ``(percentile, threshold weight, edges kept, accounts kept)`` over the stored edges.
    """
    out = []
    for p in percentiles:
        row = con_row(
            store,
            """WITH th AS (SELECT quantile_cont(weight, ?) AS w FROM edges WHERE trace = ?),
            kept AS (SELECT account_a, account_b FROM edges, th WHERE trace = ? AND weight >= th.w)
            SELECT (SELECT w FROM th), (SELECT count(*) FROM kept),
                   (SELECT count(*) FROM (SELECT account_a FROM kept UNION SELECT account_b FROM kept))""",
            [p / 100.0, trace, trace],
        )
        w, n_edges, n_accounts = row
        out.append(
            (
                float(p),
                float(w) if isinstance(w, int | float) else float("nan"),
                int(n_edges) if isinstance(n_edges, int) else 0,
                int(n_accounts) if isinstance(n_accounts, int) else 0,
            )
        )
    return out


def con_row(store: Store, sql: str, params: list[object]) -> tuple[object, ...]:
    """One row of a query (never ``None``)."""
    row = store.con.execute(sql, params).fetchone()
    return tuple(row) if row else ()


def _counts(con: embedded.Connection, sql: str) -> tuple[int, int]:
    row = con.execute(sql).fetchone()
    if not row:
        return 0, 0
    vals = [int(v) if v is not None else 0 for v in row]
    return (vals[0], vals[1] if len(vals) > 1 else 0)
