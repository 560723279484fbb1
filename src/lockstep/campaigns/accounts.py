"""Every account in the fused network, scored and ranked, with the reasons that put it there.

The score is the one ``evaluate`` ranks by for ``fused+signals``: the account's strength in the fused network
(the sum of its fused edge weights, Luceri et al. 2024's unsupervised fusion) times ``1 +`` the inauthenticity
signals its community fired, so coordination alone ranks an account and inauthenticity on top of it lifts it.
The reasons are the traces that carry most of that strength (with partner counts) and the fired signals: the
first lines of an analyst's "why is this account here?". ``lockstep explain`` gives the full card.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lockstep.store.store import Store
from lockstep.traces.cross_platform import CROSS_PLATFORM, account_sql, platform_sql


@dataclass(frozen=True)
class AccountRank:
    """One scored account: its rank, score, campaign (rank number, or ``None``) and top reasons."""

    rank: int
    platform: str
    account_id: str
    handle: str | None
    score: float
    strength: float
    community: int
    campaign: int | None
    signals_fired: int
    reasons: list[str] = field(default_factory=list)


def rank_accounts(
    store: Store, *, campaign: int | None = None, limit: int | None = None, reasons: int = 3
) -> list[AccountRank]:
    """Every account with a fused-network score, best first (ties by account id, so the order is stable).

    ``campaign`` keeps the members of one campaign (its rank number, as ``lockstep campaigns`` prints it);
    ``reasons`` is how many traces to name per account (signals are always listed).

    Examples:
        >>> from lockstep.store import open_store
        >>> with open_store(":memory:") as s:
        ...     rank_accounts(s)
        []
    """
    con = store.con
    rows = con.execute(
        """WITH fired AS (SELECT subject, list(DISTINCT signal ORDER BY signal) AS names FROM signals
                          WHERE scope = 'community' AND fired GROUP BY subject),
        handles AS (SELECT platform, account_id, max(handle) AS handle FROM accounts GROUP BY ALL)
        SELECT s.platform, s.account_id, h.handle, s.strength, s.community, c.rank,
               coalesce(f.names, []) AS signals
        FROM account_scores s
        LEFT JOIN campaigns c ON c.campaign = s.community
        LEFT JOIN fired f ON f.subject = CAST(s.community AS VARCHAR)
        LEFT JOIN handles h ON h.platform = s.platform AND h.account_id = s.account_id"""
    ).fetchall()
    by_trace: dict[tuple[str, str], list[tuple[str, float, int]]] = {}
    for platform, account, trace, weight, partners in con.execute(
        f"""WITH raw AS (SELECT platform, account_a AS account_id, account_b AS partner, traces, weight
                        FROM network_edges
                        UNION ALL SELECT platform, account_b, account_a, traces, weight FROM network_edges),
        ends AS (SELECT CASE WHEN platform = '{CROSS_PLATFORM}' THEN {platform_sql("account_id")}
                             ELSE platform END AS platform,
                        CASE WHEN platform = '{CROSS_PLATFORM}' THEN {account_sql("account_id")}
                             ELSE account_id END AS account_id, partner, traces, weight FROM raw)
        SELECT platform, account_id, trace, sum(weight), count(DISTINCT partner)
        FROM (SELECT platform, account_id, partner, unnest(traces) AS trace, weight FROM ends)
        GROUP BY ALL ORDER BY platform, account_id, 4 DESC, trace"""
    ).fetchall():
        by_trace.setdefault((str(platform), str(account)), []).append((str(trace), float(weight), int(partners)))
    scored: list[AccountRank] = []
    for platform, account, handle, strength, community, camp_rank, signal_names in rows:
        names = [str(n) for n in signal_names]
        why = [
            f"{trace} links to {n} partner{'s' if n != 1 else ''} (fused weight {w:.2f})"
            for trace, w, n in by_trace.get((str(platform), str(account)), [])[:reasons]
        ]
        if names:
            why.append("community signals: " + ", ".join(names))
        scored.append(
            AccountRank(
                rank=0,
                platform=str(platform),
                account_id=str(account),
                handle=str(handle) if handle else None,
                score=float(strength) * (1 + len(names)),
                strength=float(strength),
                community=int(community),
                campaign=int(camp_rank) if camp_rank is not None else None,
                signals_fired=len(names),
                reasons=why,
            )
        )
    scored.sort(key=lambda r: (-r.score, r.platform, r.account_id))
    out = [replace(r, rank=i + 1) for i, r in enumerate(scored)]
    if campaign is not None:
        out = [a for a in out if a.campaign == campaign]
    return out[:limit] if limit is not None else out
