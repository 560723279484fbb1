"""Spam camouflage: a few political posts hidden among filler (scenery, food, sports, clips).

Graphika named Spamouflage for this: accounts posted mostly unrelated content with a minority of political
posts, and only the political posts were synchronised with the network (DISARM T0129.002 Generate Content
Unrelated to Narrative; not T0049.004). The classifier is deliberately transparent: a post is political when
its lower-cased text contains a term of ``POLITICAL_TERMS`` (English, Chinese, Russian; edit the list for
your case). Per community (members with at least ``MIN_POSTS`` posts): the political share of posts, and the
share of political vs filler posts that appear in the coordination evidence. Fires when the political share
is between 5% and 40% and political posts are at least twice as likely as filler to be coordinated.
"""

from __future__ import annotations

import re

from lockstep.engine import embedded
from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

MIN_POSTS = 20
POLITICAL_TERMS = (
    # English
    "government",
    "president",
    "election",
    "vote",
    "democrat",
    "republican",
    "congress",
    "senate",
    "minister",
    "parliament",
    "policy",
    "protest",
    "riot",
    "police",
    "military",
    "war",
    "sanction",
    "human rights",
    "dissident",
    "communist",
    "ccp",
    "xinjiang",
    "uyghur",
    "tibet",
    "taiwan",
    "hong kong",
    "beijing",
    "washington",
    "nato",
    "ukraine",
    "russia",
    "putin",
    "trump",
    "biden",
    "obama",
    "clinton",
    "immigration",
    "refugee",
    "terror",
    "propaganda",
    "censorship",
    "independence",
    "sovereignty",
    "corruption",
    "regime",
    # Chinese
    "政府",
    "总统",
    "選舉",
    "选举",
    "民主",
    "共产党",
    "共產黨",
    "香港",
    "台湾",
    "台灣",
    "新疆",
    "西藏",
    "美国",
    "美國",
    "抗议",
    "示威",
    "警察",
    "暴徒",
    "人权",
    "人權",
    "制裁",
    "主权",
    "独立",
    "獨立",
    "习近平",
    "郭文贵",
    # Russian
    "правительств",
    "президент",
    "выбор",
    "путин",
    "украин",
    "нато",
    "санкци",
    "войн",
    "протест",
    "полиц",
)


def political_sql(column: str) -> str:
    """SQL boolean: ``column`` contains a political term (case-insensitive; one regular-expression pass)."""
    alternation = "|".join(re.escape(t) for t in POLITICAL_TERMS).replace("'", "''")
    return f"regexp_matches(lower(coalesce({column}, '')), '{alternation}')"


def compute(con: embedded.Connection, ctx: SignalContext) -> None:
    """Write ``camouflage.political_share`` rows."""
    base = baseline_accounts(ctx)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE camo AS
        SELECT p.platform, p.account_id, p.post_id, {political_sql("p.text")} AS political
        FROM posts p WHERE p.text IS NOT NULL"""
    )
    insert_rows(
        con,
        f"""WITH coord AS (SELECT DISTINCT platform, post_a AS post_id FROM evidence
                       UNION SELECT DISTINCT platform, post_b FROM evidence),
        members AS (SELECT s.platform, s.account_id, s.community FROM account_scores s
                    JOIN (SELECT platform, account_id FROM camo GROUP BY ALL HAVING count(*) >= {MIN_POSTS}) k
                      USING (platform, account_id)),
        c AS (SELECT m.platform, m.community, c.political, d.post_id IS NOT NULL AS coordinated
              FROM camo c JOIN members m USING (platform, account_id)
              LEFT JOIN coord d ON d.platform = c.platform AND d.post_id = c.post_id),
        pop AS (SELECT avg(CASE WHEN political THEN 1.0 ELSE 0.0 END) AS share FROM camo c
                SEMI JOIN {base} b ON b.platform = c.platform AND b.account_id = c.account_id)
        SELECT 'community' AS scope, platform, CAST(community AS VARCHAR) AS subject,
               'camouflage.political_share' AS signal, avg(CASE WHEN political THEN 1.0 ELSE 0.0 END) AS value,
               (SELECT share FROM pop) AS baseline,
               avg(CASE WHEN political THEN 1.0 ELSE 0.0 END) BETWEEN 0.05 AND 0.40
                 AND coalesce(avg(CASE WHEN coordinated THEN 1.0 ELSE 0.0 END) FILTER (WHERE political), 0)
                     >= 2 * coalesce(avg(CASE WHEN coordinated THEN 1.0 ELSE 0.0 END) FILTER (WHERE NOT political), 0)
                 AND coalesce(avg(CASE WHEN coordinated THEN 1.0 ELSE 0.0 END) FILTER (WHERE political), 0) > 0
                 AS fired,
               json_object('posts', count(*),
                           'political_coordinated_share',
                             avg(CASE WHEN coordinated THEN 1.0 ELSE 0.0 END) FILTER (WHERE political),
                           'filler_coordinated_share',
                             avg(CASE WHEN coordinated THEN 1.0 ELSE 0.0 END) FILTER (WHERE NOT political))::VARCHAR
                 AS detail
        FROM c GROUP BY platform, community""",
    )
    con.execute("DROP TABLE camo")


CAMOUFLAGE = register(
    Signal(
        name="camouflage",
        description="political posts a minority (5-40%) among filler, and the political ones coordinated",
        reference="Graphika 2019 'Spamouflage Dragon'; DISARM T0129.002",
        compute=compute,
        disarm=("T0129.002",),
    )
)
