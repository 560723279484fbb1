"""Language mix and script tells: many languages from one persona; Simplified Chinese from "Taiwan" or "Hong Kong".

Spamouflage posted in many languages (often machine-translated, DISARM T0085.008) and its personas claiming
to be from Taiwan or Hong Kong wrote in Simplified characters, which people there rarely use (DISARM
T0143.002 Fabricated Persona). Per account: the Shannon entropy (bits) of its post languages (baseline: the
baseline population's median). Per account claiming a Taiwan/Hong Kong location: the share of its Chinese-
script posts containing Simplified-only characters; fires at 0.5 or more with 3+ such posts.
"""

from __future__ import annotations

from lockstep.engine import embedded
from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

#: Characters that exist only in Simplified Chinese (their Traditional forms differ).
SIMPLIFIED_ONLY = "这们国说时个来对会发经过还没为学长东车门问间见现电话书红边给让吗么认识买卖将从关开网际爱"
TW_HK = r"(?i)(taiwan|taipei|台灣|台湾|臺灣|台北|hong ?kong|香港|九龍|九龙)"


def compute(con: embedded.Connection, ctx: SignalContext) -> None:
    """Write ``language.entropy`` and ``language.simplified_from_tw_hk`` rows."""
    base = baseline_accounts(ctx)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE lang_entropy AS
        WITH l AS (SELECT platform, account_id, language, count(*) AS n FROM posts
                   WHERE language IS NOT NULL AND language NOT IN ('und', 'zxx') GROUP BY ALL),
        t AS (SELECT platform, account_id, n / sum(n) OVER (PARTITION BY platform, account_id) AS q,
                     sum(n) OVER (PARTITION BY platform, account_id) AS total FROM l)
        SELECT platform, account_id, -sum(q * log2(q)) AS entropy, any_value(total) AS posts,
               count(*) AS languages FROM t GROUP BY platform, account_id"""
    )
    insert_rows(
        con,
        f"""WITH pop AS (SELECT median(entropy) AS m FROM lang_entropy e
                     SEMI JOIN {base} b ON b.platform = e.platform AND b.account_id = e.account_id)
        SELECT 'account' AS scope, e.platform, e.account_id AS subject, 'language.entropy' AS signal,
               e.entropy AS value, (SELECT m FROM pop) AS baseline, e.languages >= 3 AND e.entropy >= 1.0 AS fired,
               json_object('languages', e.languages, 'posts', e.posts)::VARCHAR AS detail
        FROM lang_entropy e SEMI JOIN account_scores s ON s.platform = e.platform AND s.account_id = e.account_id""",
    )
    insert_rows(
        con,
        f"""WITH claim AS (SELECT platform, account_id, location FROM accounts
                       WHERE regexp_matches(coalesce(location, ''), '{TW_HK}')),
        cjk AS (SELECT p.platform, p.account_id,
                       regexp_matches(p.text, '[{SIMPLIFIED_ONLY}]') AS simplified
                FROM posts p SEMI JOIN claim c ON c.platform = p.platform AND c.account_id = p.account_id
                WHERE regexp_matches(coalesce(p.text, ''), '[\\x{{4e00}}-\\x{{9fff}}]'))
        SELECT 'account' AS scope, k.platform, k.account_id AS subject, 'language.simplified_from_tw_hk' AS signal,
               avg(CASE WHEN simplified THEN 1.0 ELSE 0.0 END) AS value, NULL AS baseline,
               count(*) >= 3 AND avg(CASE WHEN simplified THEN 1.0 ELSE 0.0 END) >= 0.5 AS fired,
               json_object('claimed_location', any_value(c.location), 'chinese_posts', count(*))::VARCHAR AS detail
        FROM cjk k JOIN claim c USING (platform, account_id) GROUP BY k.platform, k.account_id""",
    )
    con.execute("DROP TABLE lang_entropy")


LANGUAGE = register(
    Signal(
        name="language",
        description="many post languages per account; Simplified Chinese from accounts claiming Taiwan/Hong Kong",
        reference="Graphika/ISD Spamouflage reports; DISARM T0085.008, T0143.002",
        compute=compute,
        disarm=("T0143.002",),
        # many languages is a lead, not evidence of machine translation (which needs the cross-lingual trace)
        disarm_map={"language.entropy": (), "language.simplified_from_tw_hk": ("T0143.002",)},
    )
)
