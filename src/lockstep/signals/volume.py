"""Volume and automation: superhuman posting rates and one posting client across a community.

DFRLab's heuristic: more than 72 posts a day is suspicious, more than 144 highly suspicious (DISARM T0146.007
Automated Account Asset; formerly T0090.003 Create Bot Accounts). Per account: the most posts on one UTC
day; fires above 72 (the detail says whether above 144). Per community: the share of its posts made with its
most used client (client-name homogeneity; baseline: the same share in the baseline population); fires at
0.9 or more with 3+ members posting with a known client.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

SUSPICIOUS_PER_DAY = 72
HIGHLY_SUSPICIOUS_PER_DAY = 144


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write ``volume.max_per_day`` and ``volume.client_homogeneity`` rows."""
    base = baseline_accounts(ctx)
    insert_rows(
        con,
        f"""WITH d AS (SELECT p.platform, p.account_id, CAST(p.created_at AS DATE) AS day, count(*) AS n
                   FROM posts p SEMI JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
                   GROUP BY ALL)
        SELECT 'account' AS scope, platform, account_id AS subject, 'volume.max_per_day' AS signal,
               CAST(max(n) AS DOUBLE) AS value, {SUSPICIOUS_PER_DAY}.0 AS baseline,
               max(n) > {SUSPICIOUS_PER_DAY} AS fired,
               json_object('day', CAST(arg_max(day, n) AS VARCHAR),
                           'days_over_72', count(*) FILTER (WHERE n > {SUSPICIOUS_PER_DAY}),
                           'highly_suspicious', max(n) > {HIGHLY_SUSPICIOUS_PER_DAY})::VARCHAR AS detail
        FROM d GROUP BY platform, account_id""",
    )
    insert_rows(
        con,
        f"""WITH c AS (SELECT s.platform, s.community, p.client, count(*) AS n, count(DISTINCT p.account_id) AS m
                   FROM posts p JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
                   WHERE p.client IS NOT NULL GROUP BY ALL),
        pop AS (SELECT max(n) / sum(n) AS share FROM (
                  SELECT p.client, count(*) AS n FROM posts p
                  SEMI JOIN {base} b ON b.platform = p.platform AND b.account_id = p.account_id
                  WHERE p.client IS NOT NULL GROUP BY 1))
        SELECT 'community' AS scope, platform, CAST(community AS VARCHAR) AS subject,
               'volume.client_homogeneity' AS signal, max(n) / sum(n) AS value, (SELECT share FROM pop) AS baseline,
               max(n) / sum(n) >= 0.9 AND sum(m) >= 3 AS fired,
               json_object('client', arg_max(client, n))::VARCHAR AS detail
        FROM c GROUP BY platform, community""",
    )


VOLUME = register(
    Signal(
        name="volume",
        description="more than 72 posts on one day; one posting client across a community",
        reference="DFRLab #BotSpot heuristics; DISARM T0146.007 (formerly T0090.003)",
        compute=compute,
        disarm=("T0146.007", "T0090.003"),
        disarm_map={"volume.client_homogeneity": ("T0146.007",)},
    )
)
