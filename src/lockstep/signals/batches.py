"""Creation batches: many accounts of one community created on the same day.

Operations register accounts in bulk (Meta's Spamouflage takedowns; DISARM T0150.008 Bulk Created Asset,
formerly T0090 Create Inauthentic Accounts). For each community: the largest number of its accounts created
on one day, as a share of its accounts with a known creation date; the baseline is the same share for the
baseline population's busiest creation day. Each account in such a batch (at least ``MIN_BATCH`` accounts of
its community on its creation day) gets an account row. Fires when a community has a batch of at least
``MIN_BATCH`` accounts that is at least 30% of it.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

MIN_BATCH = 3


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write ``batches.same_day`` rows."""
    base = baseline_accounts(ctx)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE batch_days AS
        SELECT s.platform, s.community, CAST(a.created_at AS DATE) AS day, count(*) AS n
        FROM account_scores s JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
        WHERE a.created_at IS NOT NULL GROUP BY ALL"""
    )
    insert_rows(
        con,
        f"""WITH sizes AS (SELECT platform, community, sum(n) AS known FROM batch_days GROUP BY ALL),
        best AS (SELECT platform, community, arg_max(day, n) AS day, max(n) AS n FROM batch_days GROUP BY ALL),
        pop AS (SELECT max(n) / sum(n) AS share FROM (
                  SELECT CAST(a.created_at AS DATE) AS day, count(*) AS n FROM accounts a
                  SEMI JOIN {base} b ON b.platform = a.platform AND b.account_id = a.account_id
                  WHERE a.created_at IS NOT NULL GROUP BY 1))
        SELECT 'community' AS scope, b.platform, CAST(b.community AS VARCHAR) AS subject,
               'batches.same_day' AS signal, b.n / s.known AS value, (SELECT share FROM pop) AS baseline,
               b.n >= {MIN_BATCH} AND b.n / s.known >= 0.3 AS fired,
               json_object('day', CAST(b.day AS VARCHAR), 'accounts', b.n, 'with_creation_date', s.known)::VARCHAR
                 AS detail
        FROM best b JOIN sizes s USING (platform, community)""",
    )
    insert_rows(
        con,
        f"""SELECT 'account' AS scope, s.platform, s.account_id AS subject, 'batches.same_day' AS signal,
               CAST(d.n AS DOUBLE) AS value, NULL AS baseline, true AS fired,
               json_object('day', CAST(d.day AS VARCHAR), 'community', s.community)::VARCHAR AS detail
        FROM account_scores s JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
        JOIN batch_days d ON d.platform = s.platform AND d.community = s.community
                         AND d.day = CAST(a.created_at AS DATE)
        WHERE d.n >= {MIN_BATCH}""",
    )
    con.execute("DROP TABLE batch_days")


BATCHES = register(
    Signal(
        name="batches",
        description="accounts of one community created on the same day",
        reference="Meta Q2-Q3 2023 Spamouflage takedown; DISARM T0150.008 (formerly T0090)",
        compute=compute,
        disarm=("T0150.008", "T0090"),
    )
)
