"""Identity shift: an account whose dominant posting language changes (hijacked, bought, repurposed).

Graphika and Meta found Spamouflage using hijacked and purchased accounts whose earlier life was in another
language (DISARM T0150.005 Compromised Asset, T0150.004 Repurposed Asset). For each account in a community
with at least ``MIN_POSTS`` posts with a language: the dominant language of its first half of posts against
that of its second half; the shift point is the time of the first post of the second half. Fires when the two
differ and each is at least 60% of its half. The engagement collapse that often follows is reported by the
engagement signal.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, insert_rows, register

MIN_POSTS = 20


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write ``identity_shift.language`` rows."""
    insert_rows(
        con,
        f"""WITH p AS (
          SELECT p.platform, p.account_id, p.language, p.created_at,
                 ntile(2) OVER (PARTITION BY p.platform, p.account_id ORDER BY p.created_at, p.post_id) AS half
          FROM posts p SEMI JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
          WHERE p.language IS NOT NULL AND p.language NOT IN ('und', 'zxx', 'qme', 'qht')),
        enough AS (SELECT platform, account_id FROM p GROUP BY ALL HAVING count(*) >= {MIN_POSTS}),
        langs AS (SELECT platform, account_id, half, language, count(*) AS n,
                         count(*) / sum(count(*)) OVER (PARTITION BY platform, account_id, half) AS share,
                         min(created_at) AS first_at
                  FROM p SEMI JOIN enough USING (platform, account_id)
                  GROUP BY platform, account_id, half, language),
        top AS (SELECT platform, account_id, half, arg_max(language, n) AS lang, max(share) AS share,
                       min(first_at) AS first_at FROM langs GROUP BY ALL)
        SELECT 'account' AS scope, a.platform, a.account_id AS subject, 'identity_shift.language' AS signal,
               least(a.share, b.share) AS value, 0.6 AS baseline,
               a.lang <> b.lang AND a.share >= 0.6 AND b.share >= 0.6 AS fired,
               json_object('before', a.lang, 'after', b.lang, 'shift_at', CAST(b.first_at AS VARCHAR))::VARCHAR
                 AS detail
        FROM top a JOIN top b ON a.platform = b.platform AND a.account_id = b.account_id AND a.half = 1
                             AND b.half = 2""",
    )


IDENTITY_SHIFT = register(
    Signal(
        name="identity_shift",
        description="the account's dominant language changes between the first and second half of its posts",
        reference="Graphika 2019-2023 Spamouflage reports (hijacked accounts); DISARM T0150.005, T0150.004",
        compute=compute,
        disarm=("T0150.005", "T0150.004"),
    )
)
