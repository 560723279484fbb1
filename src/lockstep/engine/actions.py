"""Shared helpers for the traces' Ibis definitions, and how an engine finds a trace's definition.

Each trace declares its actions once, on itself (``Trace.seam_actions`` in its own module under
:mod:`lockstep.traces.builtin`): the seam runs the definition on DuckDB or Spark, the default engine runs it
compiled to DuckDB SQL (:mod:`lockstep.engine.trace_plans`), so adding a trace is one module and its test.
``tests/test_engine_equality.py`` runs both engines on the same world and compares edges, weights and
evidence. Engine-specific functions come from
:class:`lockstep.engine.shims.Shims`; what several traces share (the action columns, URL rows, unnested list
columns, the cross-platform encoding) is here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.errors import InputError
from lockstep.traces.base import Trace
from lockstep.traces.cross_platform import CROSS_PLATFORM
from lockstep.traces.engine import DetectParams

Tables = Mapping[str, ir.Table]
ActionsFn = Callable[[Tables, Shims, DetectParams], ir.Table]

#: Canonical tables any trace's seam definition may read (what the engine exports to Parquet from the store).
INPUT_TABLES = ("posts", "post_urls", "media_hashes")


def actions(t: ir.Table, item: ir.Value, time_col: str = "created_at") -> ir.Table:
    """The action columns ``(platform, account_id, item, post_id, t)`` of ``t``'s rows, acting on ``item``."""
    return t.select("platform", "account_id", item=item, post_id=t.post_id, t=t[time_col])


def url_rows(tb: Tables) -> ir.Table:
    """Posts that are not reposts, one row per canonical URL (``posts`` joined to ``post_urls``)."""
    p, u = tb["posts"], tb["post_urls"]
    return p.filter(p.kind != "repost").join(u, ["platform", "post_id"])


def unnested(tb: Tables, column: str, sh: Shims, *, lower: bool) -> ir.Table:
    """One action per element of a list column of posts that are not reposts (case-folded when ``lower``)."""
    p = tb["posts"]
    p = p.filter((p.kind != "repost") & (p[column].length() > 0))
    u = p.mutate(_v=p[column].unnest())
    return actions(u, sh.lower(u._v) if lower else u._v)


def normalised_text(tb: Tables, sh: Shims, *, min_words: int = 4) -> ir.Table:
    """Posts that are not reposts, by the md5 of their normalised text of at least ``min_words`` words."""
    p = tb["posts"]
    p = p.filter((p.kind != "repost") & p.text.notnull())
    n = p.mutate(norm=sh.normalize_text(p.text))
    n = n.filter(n.norm.split(" ").length() >= min_words)
    return actions(n, sh.md5_hex(n.norm))


def cross_platform(acts: ir.Table, tb: Tables) -> ir.Table:
    """:func:`lockstep.traces.cross_platform.cross_platform_actions` in Ibis: one pseudo-platform, ids
    ``platform:account_id``; none at all when the posts come from fewer than two platforms (the default engine
    then runs no actions either).

    Pairs on the pseudo-platform whose two accounts share a platform are dropped by
    :func:`lockstep.engine.coaction.pairs`, as the default engine deletes them.
    """
    posts = tb["posts"]
    platforms = posts.select("platform").distinct().limit(2)
    a = acts.filter(acts.platform.notnull() & acts.account_id.notnull() & ~acts.platform.contains(":"))
    a = a.filter(platforms.count() >= 2)  # a scalar subquery on both engines
    return a.select(
        platform=ibis.literal(CROSS_PLATFORM),
        account_id=a.platform + ":" + a.account_id,
        item=a.item,
        post_id=a.post_id,
        t=a.t,
    )


class _Declared(Mapping[str, ir.Table]):
    """The input tables a trace declares (``Trace.seam_inputs``); reading another one is a clear error."""

    def __init__(self, tables: Tables, trace: Trace) -> None:
        self._tables, self._trace = tables, trace

    def __getitem__(self, table: str) -> ir.Table:
        if table not in self._trace.seam_inputs:
            raise InputError(
                f"trace {self._trace.name!r} reads input table {table!r} on the seam but declares "
                f"seam_inputs={self._trace.seam_inputs!r}"
            )
        return self._tables[table]

    def keep(self, expr: ir.Table) -> ir.Table:
        return materialise(self._tables, expr)

    def __iter__(self) -> Iterator[str]:
        return iter(self._trace.seam_inputs)

    def __len__(self) -> int:
        return len(self._trace.seam_inputs)


def materialise(tables: Tables, expr: ir.Table) -> ir.Table:
    """``expr`` materialised on the engine for the rest of the trace, when ``tables`` are an engine's inputs
    (a temp table of the compiled plan on the default engine; a plain mapping, e.g. in a test, gets ``expr``
    back). For results a definition reads several times."""
    keep = getattr(tables, "keep", None)
    return keep(expr) if callable(keep) else expr


def seam_actions_of(trace: Trace) -> ActionsFn | None:
    """The trace's seam definition (reading only the input tables it declares), or ``None`` when the seam
    does not run it."""
    fn = trace.seam_actions
    if fn is None:
        return None

    def declared(tables: Tables, shims: Shims, params: DetectParams) -> ir.Table:
        return fn(_Declared(tables, trace), shims, params)

    return declared


def why_not_ported(trace: Trace) -> str:
    """Why the seam does not run ``trace`` (its ``seam_unported``, or that no seam definition is declared)."""
    return trace.seam_unported or "the trace declares no seam definition (Trace.seam_actions)"
