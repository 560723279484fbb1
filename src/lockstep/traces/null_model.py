"""The time-shift null model: how many in-window co-actions would an edge's two accounts have by chance?

Each replicate shifts every account's actions by one seeded uniform offset in ``[-null_shift_s, null_shift_s]``
(keeping each account's own rhythm, breaking the synchrony between accounts) and recounts each kept edge's
co-actions within the window. The p-value is the upper tail of a Poisson law at the smoothed null rate (the
method and why it is an approximation are in :mod:`lockstep.traces.engine`, step 4); the raw null mean and
z-score stay on the edge. The engine calls :func:`null_model` once per trace.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from lockstep.engine import embedded

if TYPE_CHECKING:
    from lockstep.traces.engine import DetectParams


def shift_offsets(accounts: Sequence[tuple[str, str]], replicate: int, seed: int, shift_s: float) -> pa.Table:
    """Seeded uniform offsets in ``[-shift_s, shift_s]`` per (platform, account), for one null replicate.

    Examples:
        >>> t = shift_offsets([("x", "a"), ("x", "b")], replicate=1, seed=42, shift_s=10.0)
        >>> [round(v, 3) for v in t.column("offset").to_pylist()]
        [0.097, 5.434]
    """
    rng = random.Random(seed * 1_000_003 + replicate)
    return pa.table(
        {
            "platform": pa.array([p for p, _ in accounts], pa.string()),
            "account_id": pa.array([a for _, a in accounts], pa.string()),
            "offset": pa.array([rng.uniform(-shift_s, shift_s) for _ in accounts], pa.float64()),
        }
    )


def _all_offsets(accounts: Sequence[tuple[str, str]], params: DetectParams) -> pa.Table:
    """:func:`shift_offsets` of replicates ``1..null_replicates`` in one table, with a ``replicate`` column."""
    tables = []
    for r in range(1, params.null_replicates + 1):
        t = shift_offsets(accounts, r, params.seed, params.null_shift_s)
        tables.append(t.append_column("replicate", pa.array([r] * t.num_rows, pa.int32())))
    return pa.concat_tables(tables)


def poisson_tail(observed: int, rate: float) -> float:
    """``P(X >= observed)`` for ``X ~ Poisson(rate)``: the analytic null-model p-value of an edge.

    Summed from the smaller side in log space, so it stays exact for large counts and tiny tails.

    Examples:
        >>> round(poisson_tail(1, 0.05), 4)  # one co-action where 10 replicates saw none
        0.0488
        >>> poisson_tail(2, 0.05) < 0.01
        True
        >>> poisson_tail(0, 3.0)
        1.0
    """
    if observed <= 0:
        return 1.0
    if rate <= 0:
        return 0.0

    def log_pmf(i: int) -> float:
        return -rate + i * math.log(rate) - math.lgamma(i + 1)

    if observed > rate:  # the upper tail: terms fall geometrically after ``observed``
        total, i = 0.0, observed
        first = log_pmf(observed)
        while True:
            term = math.exp(log_pmf(i) - first)
            total += term
            if term < 1e-15 * total or i > observed + 10_000:
                break
            i += 1
        return min(1.0, math.exp(first) * total)
    below = sum(math.exp(log_pmf(i)) for i in range(observed))
    return min(1.0, max(0.0, 1.0 - below))


def null_model(con: embedded.Connection, params: DetectParams, window: float) -> None:
    """Fill ``null_mean``, ``z_score`` and ``p_value`` of temp table ``edge_tmp`` from seeded time-shift replicates.

    Reads the engine's temp tables ``edge_tmp``, ``act`` (the trace's actions) and ``pairs`` (its co-actions).
    """
    accounts = [
        (str(p), str(a))
        for p, a in con.execute(
            """SELECT DISTINCT platform, account_id FROM (
                 SELECT platform, account_a AS account_id FROM edge_tmp UNION
                 SELECT platform, account_b FROM edge_tmp) ORDER BY platform, account_id"""
        ).fetchall()
    ]
    if not accounts or params.null_replicates < 1:  # no replicate: the edges keep NULL null statistics
        return
    con.execute(
        """CREATE OR REPLACE TEMP TABLE edge_acts AS
        SELECT a.* FROM act a SEMI JOIN (SELECT platform, account_a AS account_id FROM edge_tmp UNION
                                         SELECT platform, account_b FROM edge_tmp) k
          ON k.platform = a.platform AND k.account_id = a.account_id"""
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE null_counts (platform VARCHAR, account_a VARCHAR, account_b VARCHAR, "
        "replicate INTEGER, n BIGINT)"
    )
    # The null model tests synchrony: co-actions inside the window, observed and under shifts. Co-actions on
    # rare items further apart (up to the null horizon, lockstep.traces.rarity) are evidence of shared
    # content, not of timing, and are not counted here: an edge resting on them alone gets p = 1.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE edge_sync AS
        SELECT e.platform, e.account_a, e.account_b, count(p.gap_s) AS sync
        FROM edge_tmp e LEFT JOIN pairs p ON p.platform = e.platform AND p.account_a = e.account_a
             AND p.account_b = e.account_b AND p.gap_s <= {window!r}
        GROUP BY ALL"""
    )
    # All replicates in one statement, each shifted action joined only to the other account's shifted actions
    # on the same item in nearby time buckets (equality keys, as the engine pairs actions): recounting every
    # same-item pair of an edge in every replicate grew with the square of a popular item's uses (co-hashtag).
    # Buckets are twice the window wide, so two times within the window always fall in the same or adjacent
    # buckets whatever the float rounding of ``ts / width``; the count is still exactly the pairs with
    # ``abs((ts_a + offset_a) - (ts_b + offset_b)) <= window``, the same arithmetic as a per-replicate recount.
    width = 2.0 * float(window)
    con.register("_offsets", _all_offsets(accounts, params))
    con.execute(
        f"""INSERT INTO null_counts
        WITH s AS (SELECT a.platform, a.account_id, a.item, a.ts + o."offset" AS ts, o.replicate,
                          CAST(floor((a.ts + o."offset") / {width!r}) AS BIGINT) AS bkt
                   FROM edge_acts a JOIN _offsets o USING (platform, account_id)),
        x AS (SELECT *, unnest([bkt - 1, bkt, bkt + 1]) AS jb FROM s)
        SELECT e.platform, e.account_a, e.account_b, x.replicate, count(*) AS n
        FROM edge_tmp e
        JOIN x ON x.platform = e.platform AND x.account_id = e.account_a
        JOIN s y ON y.platform = e.platform AND y.account_id = e.account_b AND y.item = x.item
                AND y.replicate = x.replicate AND y.bkt = x.jb
        WHERE abs(x.ts - y.ts) <= {window!r}
        GROUP BY ALL"""
    )
    con.unregister("_offsets")
    replicates = params.null_replicates
    stats = con.execute(
        f"""SELECT e.platform, e.account_a, e.account_b, k.sync,
                 sum(coalesce(c.n, 0)) AS null_total,
                 CASE WHEN stddev_pop(coalesce(c.n, 0)) > 0
                      THEN (k.sync - avg(coalesce(c.n, 0))) / stddev_pop(coalesce(c.n, 0)) END AS z
          FROM edge_tmp e JOIN edge_sync k USING (platform, account_a, account_b)
          CROSS JOIN range(1, {replicates + 1}) r(replicate)
          LEFT JOIN null_counts c ON c.platform = e.platform AND c.account_a = e.account_a
               AND c.account_b = e.account_b AND c.replicate = r.replicate
          GROUP BY e.platform, e.account_a, e.account_b, k.sync"""
    ).fetchall()
    con.register(
        "_null_stats",
        pa.table(
            {
                "platform": pa.array([r[0] for r in stats], pa.string()),
                "account_a": pa.array([r[1] for r in stats], pa.string()),
                "account_b": pa.array([r[2] for r in stats], pa.string()),
                "mean": pa.array([float(r[4]) / replicates for r in stats], pa.float64()),
                "z": pa.array([r[5] for r in stats], pa.float64()),
                "p": pa.array([poisson_tail(int(r[3]), (float(r[4]) + 0.5) / replicates) for r in stats], pa.float64()),
            }
        ),
    )
    con.execute(
        """UPDATE edge_tmp SET null_mean = s.mean, z_score = s.z, p_value = s.p FROM _null_stats s
        WHERE edge_tmp.platform = s.platform AND edge_tmp.account_a = s.account_a
          AND edge_tmp.account_b = s.account_b"""
    )
    con.unregister("_null_stats")
    con.execute("DROP TABLE edge_acts")
    con.execute("DROP TABLE null_counts")
    con.execute("DROP TABLE edge_sync")
