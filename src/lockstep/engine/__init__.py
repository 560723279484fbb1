"""The backend seam: the exact traces written once (Ibis) and run on DuckDB or Apache Spark.

``lockstep.engine.detect(store, engine="spark", master="local[2]" | session=spark)`` runs the ported traces
on Spark and writes edges and evidence into the store in the default engine's schema. The default engine
(:mod:`lockstep.traces.engine`) stays the fast path on one machine. Needs ``pip install 'lockstep[spark]'``
(Ibis, PySpark); importing this package does not import either.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENGINES", "detect", "ported_traces"]

ENGINES = ("duckdb", "spark")


def detect(*args: Any, **kwargs: Any) -> Any:
    """:func:`lockstep.engine.run.detect` (imported on first use: it needs the ``spark`` extra's Ibis)."""
    try:
        from lockstep.engine.run import detect as run
    except ImportError as exc:
        from lockstep.errors import MissingExtraError

        raise MissingExtraError("the engine seam (--engine)", "spark", exc.name or "ibis") from exc
    return run(*args, **kwargs)


def ported_traces() -> dict[str, str | None]:
    """Every registered trace -> ``None`` when the seam runs it, else why not."""
    from lockstep.traces.base import TRACES

    def why(t: Any) -> str:
        return str(t.seam_unported or "the trace declares no seam definition (Trace.seam_actions)")

    return {n: None if t.seam_actions is not None else why(t) for n, t in sorted(TRACES.items())}
