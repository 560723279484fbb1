"""The trace interface and registry.

A *trace* is one kind of co-action: it maps posts to actions ``(platform, account_id, item, post_id, t)``;
two accounts co-act when they act on the same item within a sliding time window. Each trace is one module
with one ``register(...)`` line that also states the trace's facts (DISARM techniques, report colour, whether its
items are narratives, whether an item names an account); the engine in :mod:`lockstep.traces.engine`, the
campaign, report and export code read those facts from the registry, so adding a trace is one module and its
test (modules in :mod:`lockstep.traces.builtin` are discovered, not listed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lockstep.errors import InputError


@dataclass(frozen=True)
class Trace:
    """One coordination trace.

    Its actions are the columns ``platform``, ``account_id``, ``item``, ``post_id`` and ``t`` (UTC timestamp),
    declared once: ``seam_actions``, in Ibis, which both engines run (the default DuckDB engine as SQL compiled
    from it, :mod:`lockstep.engine.trace_plans`; the seam, :mod:`lockstep.engine.run`, on DuckDB or Spark), or,
    for a trace the seam does not run, ``duckdb_actions``. ``default_window_s`` is the co-action window
    (``None``: acting on the same item at any time counts). ``reference`` names the paper or report.
    """

    name: str
    description: str
    #: The DuckDB-only definition of the actions: a ``SELECT`` over the store's tables (and the temp tables
    #: ``prepare`` builds) that the default engine runs instead of compiling ``seam_actions``. Only for a trace
    #: the seam does not run (its items are built in Python by ``prepare``: cross-lingual, cross-platform persona)
    #: or whose DuckDB implementation is kept, with a measurement in ``docs/benchmarks.md``, as the explicit
    #: engine-specific one (near-duplicate, near-duplicate media); every other trace leaves it ``None``.
    duckdb_actions: str | None = None
    default_window_s: float | None = 60.0
    reference: str = ""
    #: Distinct shared items an edge needs unless the run says otherwise (2 avoids degenerate cliques).
    default_min_shared: int = 2
    #: Optional step run before ``duckdb_actions`` (in the same transaction) to build temp tables it reads;
    #: called as ``prepare(con, params)`` with the run's :class:`~lockstep.traces.engine.DetectParams`; a string it
    #: returns (what it skipped, what it capped) is added to the trace's report line, never silently lost.
    prepare: Callable[[Any, Any], str | None] | None = None
    #: The pip extra this trace needs; when it is missing, running every trace skips this one (and says so).
    optional_extra: str | None = None
    #: Whether rarity linking applies (one shared rare item links a pair). Off for traces whose items are made
    #: per pair of posts (near-duplicate: ``nd:<post>~<post>``), where an item's popularity says nothing about
    #: how rare the content is, so every item would look rare.
    rarity_linking: bool = True
    #: Whether ``detect`` without ``--trace`` runs it (the embedding trace is opt-in: ~500 texts/s on 2 cores).
    default: bool = True
    #: DISARM technique ids this trace evidences (current id first, a retired one after it); campaigns, reports
    #: and STIX exports read them from here (names come from the vendored bundle, :mod:`lockstep.campaigns.disarm`).
    techniques: tuple[str, ...] = ()
    #: Colour of this trace's edges in the report's network view.
    colour: str = "#999999"
    #: Whether the items are content worth listing as a campaign's narratives (texts, links, reposted posts).
    narrative: bool = False
    #: What an item names when it identifies an account, so pseudonymised exports replace it: ``"handle"``
    #: (a mentioned handle), ``"account"`` (an account id, e.g. a reposted author) or ``None`` (not an account).
    item_identifies: str | None = None
    #: The actions in Ibis, declared in the trace's own module and run by every engine:
    #: ``seam_actions(tables, shims, params)`` returns an Ibis table of the action columns from ``tables``
    #: (input table name -> Ibis table, read lazily), the engine's :class:`~lockstep.engine.shims.Shims` and the
    #: run's :class:`~lockstep.traces.engine.DetectParams` (only the fields named in ``seam_params``).
    #: ``None``: the seam does not run this trace (``seam_unported`` says why; ``duckdb_actions`` is its
    #: definition). ``tests/test_engine_equality.py`` runs every trace on both engines and compares the results.
    #: (Typed loosely so this module never imports Ibis.)
    seam_actions: Callable[[Any, Any, Any], Any] | None = None
    #: The :class:`~lockstep.traces.engine.DetectParams` fields ``seam_actions`` reads: the default engine's
    #: compiled plan is keyed on their values (reading another field fails the compile).
    seam_params: tuple[str, ...] = ()
    #: The input tables ``seam_actions`` reads (exported to Parquet for the engine, or read from ``--parquet-dir``).
    seam_inputs: tuple[str, ...] = ("posts",)
    #: Why the seam does not run this trace (when ``seam_actions`` is ``None``); shown when it is skipped or refused.
    seam_unported: str | None = None

    def __post_init__(self) -> None:
        if self.item_identifies not in (None, "handle", "account"):
            raise ValueError(f"trace {self.name}: item_identifies must be None, 'handle' or 'account'")
        if self.seam_actions is None and self.duckdb_actions is None:
            raise ValueError(f"trace {self.name}: declare its actions (seam_actions, or duckdb_actions)")
        if self.prepare is not None and self.duckdb_actions is None:
            raise ValueError(f"trace {self.name}: prepare builds tables for duckdb_actions, which it lacks")

    #: Pair accounts across platforms only (see :mod:`lockstep.traces.cross_platform`): the engine runs the
    #: trace on one pseudo-platform whose account ids are ``platform:account_id`` and keeps only pairs whose
    #: platforms differ.
    cross_platform: bool = False


TRACES: dict[str, Trace] = {}


def register(trace: Trace) -> Trace:
    """Add ``trace`` to the registry."""
    TRACES[trace.name] = trace
    return trace


def traces_where(**facts: object) -> list[str]:
    """Names of the registered traces whose facts equal ``facts`` (e.g. ``traces_where(narrative=True)``), sorted."""
    return sorted(n for n, t in TRACES.items() if all(getattr(t, k) == v for k, v in facts.items()))


def get_trace(name: str) -> Trace:
    """The trace called ``name``."""
    try:
        return TRACES[name]
    except KeyError:
        raise InputError(f"unknown trace {name!r}; traces are: {', '.join(sorted(TRACES))}") from None
