"""Engagement from inside: who reposts, replies to and quotes a community's posts, and empty audiences.

Spamouflage got almost no organic engagement: what it had came from its own accounts (Google TAG 2023;
Graphika), and most of its accounts had no followers (Astroscreen: 67% of 4,016). Per community: among the
reposts, replies and quotes its members *received* whose author is known (``parent_account_id``), the share
made by members of the same community; fires at 0.8 or more with 10+ interactions. And the share of members
with zero followers (baseline: the baseline population's share); fires at 0.5 or more and 0.2 above baseline.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write ``engagement.inside_share`` and ``engagement.zero_followers`` rows."""
    base = baseline_accounts(ctx)
    insert_rows(
        con,
        """WITH received AS (
          SELECT t.platform, t.community, s.community AS source_community, count(*) AS n
          FROM posts p
          JOIN account_scores t ON t.platform = p.platform AND t.account_id = p.parent_account_id
          LEFT JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
          WHERE p.kind IN ('repost', 'reply', 'quote') AND p.account_id <> p.parent_account_id
          GROUP BY ALL)
        SELECT 'community' AS scope, platform, CAST(community AS VARCHAR) AS subject,
               'engagement.inside_share' AS signal,
               sum(n) FILTER (WHERE source_community = community) / sum(n) AS value, NULL AS baseline,
               sum(n) >= 10 AND sum(n) FILTER (WHERE source_community = community) / sum(n) >= 0.8 AS fired,
               json_object('interactions', sum(n),
                           'from_inside', coalesce(sum(n) FILTER (WHERE source_community = community), 0))::VARCHAR
                 AS detail
        FROM received GROUP BY platform, community""",
    )
    insert_rows(
        con,
        f"""WITH pop AS (SELECT avg(CASE WHEN followers = 0 THEN 1.0 ELSE 0.0 END) AS share FROM accounts a
                     SEMI JOIN {base} b ON b.platform = a.platform AND b.account_id = a.account_id
                     WHERE a.followers IS NOT NULL)
        SELECT 'community' AS scope, s.platform, CAST(s.community AS VARCHAR) AS subject,
               'engagement.zero_followers' AS signal,
               avg(CASE WHEN a.followers = 0 THEN 1.0 ELSE 0.0 END) AS value, (SELECT share FROM pop) AS baseline,
               avg(CASE WHEN a.followers = 0 THEN 1.0 ELSE 0.0 END) >= 0.5
                 AND avg(CASE WHEN a.followers = 0 THEN 1.0 ELSE 0.0 END) >= (SELECT share FROM pop) + 0.2 AS fired,
               json_object('with_follower_counts', count(*))::VARCHAR AS detail
        FROM account_scores s JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
        WHERE a.followers IS NOT NULL GROUP BY s.platform, s.community""",
    )


ENGAGEMENT = register(
    Signal(
        name="engagement",
        description="engagement received coming from inside the community; members with zero followers",
        reference="Google TAG 2023 (Dragonbridge); Astroscreen 2020; DISARM T0049.003",
        compute=compute,
        disarm=("T0049.003",),
    )
)
