"""Dormancy then reactivation: accounts waking after a long silence, many in the same week.

Takedown survivors and stockpiled accounts sit silent, then wake together (DISARM T0150.002 Dormant Asset;
detections F00019, F00062). Per account: the longest silence between consecutive posts (days) and, when at
least ``DORMANT_DAYS``, the week it woke. Per community: the largest number of its accounts waking in one
week; fires at ``MIN_COHORT`` or more. Baseline: share of baseline accounts that ever reactivated.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

DORMANT_DAYS = 180
MIN_COHORT = 3


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write ``dormancy.reactivation`` rows."""
    base = baseline_accounts(ctx)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE wakes AS
        SELECT platform, account_id, arg_max(created_at, gap) AS woke_at, max(gap) / 86400.0 AS silence_days
        FROM (SELECT platform, account_id, created_at,
                     epoch(created_at) - epoch(lag(created_at) OVER (PARTITION BY platform, account_id
                                                                     ORDER BY created_at, post_id)) AS gap
              FROM posts)
        WHERE gap IS NOT NULL GROUP BY platform, account_id"""
    )
    baseline = (
        f"(SELECT avg(CASE WHEN silence_days >= {DORMANT_DAYS} THEN 1.0 ELSE 0.0 END) FROM wakes w "
        f"SEMI JOIN {base} b ON b.platform = w.platform AND b.account_id = w.account_id)"
    )
    insert_rows(
        con,
        f"""SELECT 'account' AS scope, w.platform, w.account_id AS subject, 'dormancy.reactivation' AS signal,
               w.silence_days AS value, {DORMANT_DAYS}.0 AS baseline, true AS fired,
               json_object('woke_at', CAST(w.woke_at AS VARCHAR),
                           'week', strftime(date_trunc('week', w.woke_at), '%Y-%m-%d'))::VARCHAR AS detail
        FROM wakes w SEMI JOIN account_scores s ON s.platform = w.platform AND s.account_id = w.account_id
        WHERE w.silence_days >= {DORMANT_DAYS}""",
    )
    insert_rows(
        con,
        f"""WITH cohorts AS (
          SELECT s.platform, s.community, date_trunc('week', w.woke_at) AS week, count(*) AS n
          FROM wakes w JOIN account_scores s ON s.platform = w.platform AND s.account_id = w.account_id
          WHERE w.silence_days >= {DORMANT_DAYS} GROUP BY ALL)
        SELECT 'community' AS scope, platform, CAST(community AS VARCHAR) AS subject,
               'dormancy.reactivation' AS signal, CAST(max(n) AS DOUBLE) AS value, {baseline} AS baseline,
               max(n) >= {MIN_COHORT} AS fired,
               json_object('week', strftime(arg_max(week, n), '%Y-%m-%d'), 'accounts', max(n))::VARCHAR AS detail
        FROM cohorts GROUP BY platform, community""",
    )
    con.execute("DROP TABLE wakes")


DORMANCY = register(
    Signal(
        name="dormancy",
        description="accounts resuming after >= 180 days of silence, several in the same week",
        reference="DISARM T0150.002 Dormant Asset, detections F00019/F00062; Meta 2023 Spamouflage survivors",
        compute=compute,
        disarm=("T0150.002",),
    )
)
