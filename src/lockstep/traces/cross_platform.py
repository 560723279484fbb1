"""Cross-platform co-action: how accounts on different platforms are paired, stored and read back.

Every other trace pairs accounts of one platform (edges, evidence and communities are keyed by platform).
A cross-platform trace (``Trace.cross_platform``) runs on one pseudo-platform, :data:`CROSS_PLATFORM`, whose
account ids are ``platform:account_id`` (the platform name never contains ``:``; the id after the first ``:``
is kept whole, so Bluesky DIDs such as ``did:plc:...`` survive), and the engine keeps only pairs whose two
platforms differ. An edge or evidence row of such a trace therefore names both platforms:
``account_a = 'telegram:1001'``, ``account_b = 'twitter:42'``; ``post_a`` and ``post_b`` are the posts' own
ids on those platforms. :mod:`lockstep.network.communities` decodes these ids so a community, and the
campaign assembled from it, can span platforms.

Why this matters: operations such as Spamouflage and Doppelganger post the same texts, links and images on
many platforms within minutes (Graphika, "Spamouflage Breakout", 2023; Meta Adversarial Threat Reports
2023-2024); no single-platform analysis can see that the accounts are one operation.
"""

from __future__ import annotations

from typing import Any

#: The pseudo-platform of cross-platform edges and evidence.
CROSS_PLATFORM = "cross-platform"


#: The actions of a cross-platform trace on a store holding one platform: none (its SQL is not run).
NO_ACTIONS = (
    "SELECT CAST(NULL AS VARCHAR) AS platform, CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS item, "
    "CAST(NULL AS VARCHAR) AS post_id, CAST(NULL AS TIMESTAMP) AS t LIMIT 0"
)
ONE_PLATFORM_NOTE = "the store holds one platform: nothing to link across platforms"


def single_platform(con: Any) -> bool:
    """Whether the store's posts come from at most one platform (cross-platform traces then skip their work)."""
    row = con.execute("SELECT count(*) FROM (SELECT DISTINCT platform FROM posts LIMIT 2)").fetchone()
    return not row or int(row[0]) < 2


def encode_account(platform: str, account_id: str) -> str:
    """The cross-platform id of an account.

    Examples:
        >>> encode_account("bluesky", "did:plc:abc")
        'bluesky:did:plc:abc'
    """
    return f"{platform}:{account_id}"


def split_account(encoded: str) -> tuple[str, str]:
    """``(platform, account_id)`` of a cross-platform account id.

    Examples:
        >>> split_account("bluesky:did:plc:abc")
        ('bluesky', 'did:plc:abc')
    """
    platform, _, account = encoded.partition(":")
    return platform, account


def platform_sql(col: str) -> str:
    """SQL for the platform part of a cross-platform account id column."""
    return f"split_part({col}, ':', 1)"


def account_sql(col: str) -> str:
    """SQL for the account-id part of a cross-platform account id column."""
    return f"substr({col}, strpos({col}, ':') + 1)"


def cross_platform_actions(table: str) -> str:
    """``SELECT`` turning a trace's actions into cross-platform actions (pseudo-platform, encoded ids).

    A platform name holding ``:`` (possible only through ``--map platform=...``) could not be decoded, so its
    posts take no part in cross-platform traces.
    """
    return (
        f"SELECT '{CROSS_PLATFORM}' AS platform, platform || ':' || account_id AS account_id, item, post_id, t "
        f"FROM {table} WHERE platform IS NOT NULL AND account_id IS NOT NULL AND strpos(platform, ':') = 0"
    )


def same_platform_pair(col_a: str, col_b: str) -> str:
    """SQL condition: two cross-platform account ids are on the same platform."""
    return f"{platform_sql(col_a)} = {platform_sql(col_b)}"


def evidence_rows(con: Any, members: list[tuple[str, str]] | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Cross-platform evidence rows, both sides decoded, with the two posts' texts.

    ``members``: keep rows whose two accounts are both in this list of ``(platform, account_id)``; ``None``
    keeps all. Rows come ordered by trace, smallest gap first. Texts are returned as stored (attacker
    controlled: escape them wherever they are shown).
    """
    member_cte, member_sql = "", ""
    args: list[Any] = []
    if members is not None:
        if not members:
            return []
        member_cte = f"m(platform, account_id) AS (VALUES {', '.join('(?, ?)' for _ in members)}),"
        args = [x for m in members for x in m]
        member_sql = f"""SEMI JOIN m ma ON ma.platform = {platform_sql("e.account_a")}
                                   AND ma.account_id = {account_sql("e.account_a")}
            SEMI JOIN m mb ON mb.platform = {platform_sql("e.account_b")}
                          AND mb.account_id = {account_sql("e.account_b")}"""
    rows = con.execute(
        f"""WITH {member_cte} e AS (SELECT e.* FROM evidence e {member_sql} WHERE e.platform = '{CROSS_PLATFORM}'
                       ORDER BY e.trace, e.gap_s, e.account_a, e.account_b, e.item LIMIT ?)
        SELECT e.trace, {platform_sql("e.account_a")} AS pa, {account_sql("e.account_a")} AS aa,
               {platform_sql("e.account_b")} AS pb, {account_sql("e.account_b")} AS ab, e.item, e.post_a, e.post_b,
               e.time_a, e.time_b, e.gap_s, x.text, y.text
        FROM e
        LEFT JOIN posts x ON x.platform = {platform_sql("e.account_a")} AND x.post_id = e.post_a
        LEFT JOIN posts y ON y.platform = {platform_sql("e.account_b")} AND y.post_id = e.post_b
        ORDER BY e.trace, e.gap_s, e.account_a, e.account_b, e.item""",
        [*args, limit],
    ).fetchall()
    keys = (
        "trace",
        "platform_a",
        "account_a",
        "platform_b",
        "account_b",
        "item",
        "post_a",
        "post_b",
        "time_a",
        "time_b",
        "gap_s",
        "text_a",
        "text_b",
    )
    return [dict(zip(keys, r, strict=True)) for r in rows]


def decoded_network_edges() -> str:
    """``network_edges`` as a subquery with ``platform_a``/``platform_b`` and plain account ids on both ends.

    Same-platform edges get their platform on both ends; cross-platform edges are decoded, so code that
    joins edges to ``account_scores`` by (platform, account) sees cross-platform links too.
    """
    cases = []
    for end in ("a", "b"):
        col = f"account_{end}"
        cases.append(
            f"CASE WHEN platform = '{CROSS_PLATFORM}' THEN {platform_sql(col)} ELSE platform END AS platform_{end}, "
            f"CASE WHEN platform = '{CROSS_PLATFORM}' THEN {account_sql(col)} ELSE {col} END AS {col}"
        )
    return f"(SELECT * EXCLUDE (account_a, account_b), {', '.join(cases)} FROM network_edges)"
