"""Fuse the per-trace edges into one multiplex account network.

Each account pair gets one fused edge listing every trace that links it (Luceri et al., WWW 2024: the union
of trace networks beats any single trace). The fused weight is the sum of the per-trace weights (each a
cosine in [0, 1]), so a pair linked by several independent traces outranks a pair linked strongly by one;
``significant`` counts the traces whose null-model p-value is at most ``alpha``. Edges whose every trace is
insignificant can be dropped with ``require_significant`` (off by default: small data sets cannot reach
low p-values with few null replicates).
"""

from __future__ import annotations

from dataclasses import dataclass

from lockstep.store.store import Store


@dataclass(frozen=True)
class FusionParams:
    """How traces combine."""

    traces: tuple[str, ...] | None = None
    alpha: float = 0.05
    require_significant: bool = False
    min_weight: float = 0.0


def fuse(store: Store, params: FusionParams | None = None) -> int:
    """Build table ``network_edges`` from ``edges``; return its number of rows."""
    p = params or FusionParams()
    where = ["weight >= ?"]
    args: list[object] = [p.min_weight]
    if p.traces:
        where.append(f"trace IN ({', '.join('?' for _ in p.traces)})")
        args.extend(p.traces)
    with store.transaction() as con:
        con.execute("DELETE FROM network_edges")
        con.execute(
            f"""INSERT INTO network_edges
            SELECT platform, account_a, account_b,
                   list(trace ORDER BY trace) AS traces,
                   count(*) AS n_traces,
                   sum(weight) AS weight,
                   sum(shared_items) AS shared_items,
                   sum(coactions) AS coactions,
                   min(min_gap_s) AS min_gap_s,
                   min(p_value) AS min_p_value,
                   count(*) FILTER (WHERE p_value <= {float(p.alpha)!r}) AS significant
            FROM edges WHERE {" AND ".join(where)}
            GROUP BY platform, account_a, account_b
            {
                "HAVING count(*) FILTER (WHERE p_value <= " + repr(float(p.alpha)) + ") > 0"
                if p.require_significant
                else ""
            }""",
            args,
        )
    return store.count("network_edges")
