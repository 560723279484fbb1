"""Every account in the fused network, scored and ranked, with the reasons that put it there.

The score: the account's strength in the fused network (the sum of its fused edge weights, Luceri et al.
2024's unsupervised fusion) times ``1 +`` the inauthenticity signals its community fired, times the distinct
items it shared with its own community (``own_items``). Coordination alone ranks an account, inauthenticity
on top of it lifts it, and repetition counts: the rarity-weighted cosine gives a one-post account that shares
its only hashtag a full weight of 1, so strength alone ranks such accounts first. The ranking puts flagged
accounts (the cut below) first, then the rest, each by score; ``evaluate`` scores this order as ``accounts``.
The reasons are the traces that carry most of that strength (with partner counts) and the fired signals: the
first lines of an analyst's "why is this account here?". ``lockstep explain`` gives the full card.

**The account-level cut** (``flagged``): a member of a campaign whose members co-acted on at least
``MIN_CAMPAIGN_ITEMS`` distinct items among themselves. Coordination is *repeated* co-action (CooRnet's
"repeatedly", Giglietto et al. 2020; Pacheco et al. 2021): rarity linking lets one rare shared item link a
pair, so a clique of three customers who happened to use the same rare hashtag is a community, but a campaign
must show more distinct items across its members than the strict rule asks of one pair (two). The account
itself must also carry evidence: two distinct items shared with its campaign, or one item of a *content* trace
(identical or near-identical text, the same retweet, link or media). A single shared hashtag or mention is a
label that people who talk about the same thing share by topic (Pacheco et al. 2021 link on hashtag
*sequences* for that reason; Luceri et al. 2024 find co-hashtag the weakest trace), so alone it does not flag.
Measured on the shared IRA + airline mixes (docs/evaluation.md): organic communities rest on one or two items,
IRA campaigns on three or more, and organic accounts attached to a campaign by one item are attached by a
hashtag or mention, IRA ones by a retweet or a text.

**Campaign expansion** (``expand_campaigns``, default on). Detection keeps a rare co-action beyond the window
out of the network unless a second item or a common partner in the same trace corroborates it
(:mod:`lockstep.traces.rarity`): one such link is what a random crowd produces by the ten thousand. A flagged
campaign is itself a dense block that can corroborate it: an account that shares a rare content item (the same
rare text, retweet, link or media within the null horizon,
:func:`lockstep.campaigns.expand.rare_coactions`) with a member of a flagged campaign is flagged with that
campaign, as analysts hunt the rest of a network from known accounts (seed-and-expand). One hop only:
attached accounts do not attach others, so chance links cannot chain through a crowd. Measured on the IRA +
airline mixes (docs/evaluation.md): 23 accounts attached on the July 2015 week, all IRA. Not done: links
corroborated only *across* traces (a rare text and a rare retweet shared by the same pair) outside flagged
campaigns; measured on the July week, the IRA accounts left unflagged form chains and pairs (3 pairs with
two rare items, no triangle), so the gain would be small.

**Synchronised rare blocks** (``synchrony``, default on; :mod:`lockstep.campaigns.synchrony`). Accounts linked
by co-actions within the trace's window on items at most three accounts ever acted on, at item popularities
where the null model says such coincidences are not chance, form a block; a block whose members co-acted on
two or more distinct items is flagged, joining the campaign of its flagged members if it has any. Measured on
the July 2015 week: 59 more IRA accounts, no airline account; none on the random crowd of ``bench/vs_cnt.py``.
Since session 20 the synchrony test also feeds expansion: an account that co-acted with a flagged campaign's
member inside the test's window, on an item of a popularity level (up to 1% of the accounts) whose in-window
co-actions chance explains at most 5% of, attaches to that campaign (reason "campaign expansion: co-acted within
N s ..."), and so does every account a chain of such co-actions connects to a flagged account (``_chain``);
reposts of a post the store holds are judged against the trace's repost latencies, so the resharers of a fresh
post are not taken for a cell (:mod:`lockstep.campaigns.synchrony`, points 4-6). Measured on the six IRA +
airline mixes: 49 more IRA accounts on the July week, 66 on November 2015, 34 on March 2016, one each on
same-days and October 2016, no airline account; nothing more on the random crowd of ``bench/vs_cnt.py`` or the
simulated worlds (docs/evaluation.md, fifth round).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lockstep.campaigns.synchrony import FDR, Block, TraceSynchrony, linked_roots, rare_evidence
from lockstep.store.store import Store
from lockstep.traces.cross_platform import CROSS_PLATFORM, account_sql, platform_sql

#: Distinct items (per trace) the members of a campaign must have co-acted on among themselves for its
#: members to be flagged: one more than the strict pair rule's two.
MIN_CAMPAIGN_ITEMS = 3
#: Traces whose item is a label (a hashtag, a mention, a domain) rather than a piece of content: one shared
#: label does not flag an account by itself.
LABEL_TRACES = frozenset({"co-hashtag", "co-mention", "co-domain"})


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
    campaign_items: int = 0
    own_items: int = 0
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)


def rank_accounts(
    store: Store,
    *,
    campaign: int | None = None,
    limit: int | None = None,
    reasons: int = 3,
    expand_campaigns: bool = True,
    synchrony: bool = True,
) -> list[AccountRank]:
    """Every account with a fused-network score, best first: flagged accounts, then the rest, each by score
    (ties by account id, so the order is stable).

    ``campaign`` keeps the members of one campaign (its rank number, as ``lockstep campaigns`` prints it);
    ``reasons`` is how many traces to name per account (signals are always listed); ``expand_campaigns``
    (default) attaches to flagged campaigns the accounts that share a rare content item with their members
    (see the module docstring); ``synchrony`` (default) also flags the synchronised rare blocks of
    :mod:`lockstep.campaigns.synchrony`.

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
    # Distinct (trace, item) pairs the members of each community co-acted on among themselves.
    items = dict(
        con.execute(
            """SELECT ma.community, count(DISTINCT (e.trace, e.item)) FROM evidence e
            JOIN account_scores ma ON ma.platform = e.platform AND ma.account_id = e.account_a
            JOIN account_scores mb ON mb.platform = e.platform AND mb.account_id = e.account_b
                 AND mb.community = ma.community
            GROUP BY ma.community"""
        ).fetchall()
    )
    # Per account: distinct items shared with its own community, and whether one is a content item.
    own = {
        (str(p), str(a)): (int(n), bool(c))
        for p, a, n, c in con.execute(
            f"""WITH ev AS (SELECT e.platform, e.account_a, e.account_b, e.trace, e.item FROM evidence e
                JOIN account_scores ma ON ma.platform = e.platform AND ma.account_id = e.account_a
                JOIN account_scores mb ON mb.platform = e.platform AND mb.account_id = e.account_b
                     AND mb.community = ma.community)
            SELECT platform, account, count(DISTINCT (trace, item)),
                   bool_or(trace NOT IN ({", ".join("?" for _ in LABEL_TRACES)}))
            FROM (SELECT platform, account_a AS account, trace, item FROM ev
                  UNION ALL SELECT platform, account_b, trace, item FROM ev)
            GROUP BY ALL""",
            sorted(LABEL_TRACES),
        ).fetchall()
    }
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
                score=float(strength) * (1 + len(names)) * own.get((str(platform), str(account)), (0, False))[0],
                strength=float(strength),
                community=int(community),
                campaign=int(camp_rank) if camp_rank is not None else None,
                signals_fired=len(names),
                campaign_items=int(items.get(community, 0)),
                own_items=own.get((str(platform), str(account)), (0, False))[0],
                flagged=camp_rank is not None
                and int(items.get(community, 0)) >= MIN_CAMPAIGN_ITEMS
                and _own_evidence(own.get((str(platform), str(account)), (0, False))),
                reasons=why,
            )
        )
    # One read of each content trace feeds both the blocks and expansion (rare_evidence).
    need_pairs = expand_campaigns and (synchrony or any(r.flagged for r in scored))
    pairs, blocks, levels, synced = rare_evidence(store, coactions=need_pairs, synchrony=synchrony)
    if synchrony:
        scored = _synchronised(store, scored, blocks, levels)
    if expand_campaigns:
        windows = {t.trace: t.window_s for t in levels}
        scored = _expand(store, scored, items, pairs, synced, windows)
        scored = _chain(store, scored, items, synced, windows)
    scored.sort(key=lambda r: (not r.flagged, -r.score, r.platform, r.account_id))
    out = [replace(r, rank=i + 1) for i, r in enumerate(scored)]
    if campaign is not None:
        out = [a for a in out if a.campaign == campaign]
    return out[:limit] if limit is not None else out


def _handles(store: Store) -> dict[tuple[str, str], str]:
    """Each account's handle, by (platform, account id): the reasons name accounts by handle where known."""
    return {
        (str(p), str(a)): str(h)
        for p, a, h in store.con.execute(
            "SELECT platform, account_id, max(handle) FROM accounts WHERE handle IS NOT NULL GROUP BY ALL"
        ).fetchall()
    }


def _own_evidence(own: tuple[int, bool]) -> bool:
    """Two distinct items shared with the campaign, or one content item (see the module docstring)."""
    items, content = own
    return items >= 2 or (items >= 1 and content)


def _synchronised(
    store: Store, scored: list[AccountRank], blocks: list[Block], levels: list[TraceSynchrony]
) -> list[AccountRank]:
    """Flag the members of synchronised rare blocks (:func:`lockstep.campaigns.synchrony.synchronised_blocks`).

    A block account already flagged keeps its campaign; an unflagged one joins the campaign most of the
    block's flagged members belong to (none: no campaign, community ``-1`` when it is outside the network) and
    gets the block as its reason; its own items are the distinct items it co-acted on in the block.
    """
    if not blocks:
        return scored
    windows = {t.trace: (t.window_s, t.max_accounts) for t in levels}
    known = {(r.platform, r.account_id): r for r in scored}
    handles = _handles(store)
    for block in blocks:
        flagged = [known[(block.platform, a)] for a in block.accounts if (block.platform, a) in known]
        camps = sorted(
            {r.campaign for r in flagged if r.flagged and r.campaign is not None},
            key=lambda c: (-sum(1 for r in flagged if r.flagged and r.campaign == c), c),
        )
        anchor = next((r for r in flagged if r.flagged and camps and r.campaign == camps[0]), None)
        trace = block.traces[0]
        window, top = windows.get(trace, (0.0, 0))
        why = (
            f"synchronised rare block: {len(block.accounts)} accounts posted {len(block.items)} distinct rare "
            f"items ({', '.join(block.traces)}; each reached at most {top} accounts) within {window:g} s of "
            "each other"
        )
        for account in block.accounts:
            old = known.get((block.platform, account))
            if old is not None and old.flagged:
                continue
            strength = old.strength if old else 0.0
            signals = anchor.signals_fired if anchor else (old.signals_fired if old else 0)
            known[(block.platform, account)] = AccountRank(
                rank=0,
                platform=block.platform,
                account_id=account,
                handle=old.handle if old else handles.get((block.platform, account)),
                score=strength * (1 + signals) * block.account_items.get(account, 1),
                strength=strength,
                community=anchor.community if anchor else (old.community if old else -1),
                campaign=anchor.campaign if anchor else None,
                signals_fired=signals,
                campaign_items=anchor.campaign_items if anchor else (old.campaign_items if old else 0),
                own_items=block.account_items.get(account, 1),
                flagged=True,
                reasons=[*(old.reasons if old else []), why],
            )
    return list(known.values())


def _expand(
    store: Store,
    scored: list[AccountRank],
    items: dict[object, object],
    pairs: list[tuple[str, str, str, str, str]],
    synced: list[tuple[str, str, str, str, str]] | None = None,
    windows: dict[str, float] | None = None,
) -> list[AccountRank]:
    """Campaign expansion: flag the accounts that share a rare content item with a flagged campaign's members,
    or co-acted with them in synchrony beyond chance.

    See the module docstring. An account attaches to the flagged campaign it shares the most items with
    (ties: the better-ranked campaign); it keeps its own strength (0 outside the network), and its own items
    are the items it shares with that campaign's members. ``pairs`` are
    :func:`lockstep.campaigns.expand.rare_coactions`'s rows, ``synced`` the synchronised co-actions of
    :func:`lockstep.campaigns.synchrony.rare_evidence` (in-window, at popularity levels chance does not explain;
    ``windows``: each trace's window, for the reason).
    """
    members = {(r.platform, r.account_id): r for r in scored if r.flagged}
    if not members:
        return scored
    shared: dict[tuple[str, str], dict[int, tuple[set[str], set[str]]]] = {}
    rare_only: set[str] = set()
    for rows, synchronised in ((pairs, False), (synced or [], True)):
        for platform, a, b, trace, item in rows:
            for x, m in ((a, b), (b, a)):
                anchor = members.get((platform, m))
                if anchor is None or (platform, x) in members or anchor.campaign is None:
                    continue
                its, who = shared.setdefault((platform, x), {}).setdefault(anchor.campaign, (set(), set()))
                its.add(f"{trace}:{item}")
                who.add(m)
                if not synchronised:
                    rare_only.add(f"{trace}:{item}")
    if not shared:
        return scored
    by_campaign = {r.campaign: r for r in sorted(members.values(), key=lambda r: r.rank or 0)}
    known = {(r.platform, r.account_id): r for r in scored}
    handles = _handles(store)
    for (platform, account), camps in shared.items():
        camp, (its, who) = min(camps.items(), key=lambda kv: (-len(kv[1][0]), kv[0]))
        anchor = by_campaign[camp]
        trace = sorted(its)[0].split(":", 1)[0]
        if its & rare_only:
            why = (
                f"campaign expansion: shares {len(its)} rare content item{'s' if len(its) != 1 else ''} with "
                f"{len(who)} member{'s' if len(who) != 1 else ''} of campaign {camp} (e.g. {sorted(who)[0]}; {trace})"
            )
        else:
            window = (windows or {}).get(trace, 0.0)
            why = (
                f"campaign expansion: co-acted within {window:g} s with {len(who)} member"
                f"{'s' if len(who) != 1 else ''} of campaign {camp} on {len(its)} content item"
                f"{'s' if len(its) != 1 else ''} ({trace}; e.g. {sorted(who)[0]}), at item popularities where "
                f"chance explains at most {FDR:.0%} of such coincidences"
            )
        known[(platform, account)] = _expanded(
            known.get((platform, account)), (platform, account), anchor, camp, len(its), items, handles, why
        )
    return list(known.values())


def _expanded(
    old: AccountRank | None,
    key: tuple[str, str],
    anchor: AccountRank,
    camp: int | None,
    own_items: int,
    items: dict[object, object],
    handles: dict[tuple[str, str], str],
    why: str,
) -> AccountRank:
    """``key``'s row once expansion attaches it to ``anchor``'s campaign ``camp`` with ``own_items`` items of its
    own: its own strength (0 outside the network) and reasons kept, ``why`` added."""
    strength = old.strength if old else 0.0
    return AccountRank(
        rank=0,
        platform=key[0],
        account_id=key[1],
        handle=old.handle if old else handles.get(key),
        score=strength * (1 + anchor.signals_fired) * own_items,
        strength=strength,
        community=anchor.community,
        campaign=camp,
        signals_fired=anchor.signals_fired,
        campaign_items=int(str(items.get(anchor.community, 0))),
        own_items=own_items,
        flagged=True,
        reasons=[*(old.reasons if old else []), why],
    )


def _chain(
    store: Store,
    scored: list[AccountRank],
    items: dict[object, object],
    synced: list[tuple[str, str, str, str, str]],
    windows: dict[str, float],
) -> list[AccountRank]:
    """Expansion through chains of synchronised co-actions: every account connected to a flagged account by
    in-window co-actions at popularity levels chance does not explain (``synced``, see
    :func:`lockstep.campaigns.synchrony.rare_evidence`) joins that campaign.

    A connected group of such co-actions is a synchronised block (:mod:`lockstep.campaigns.synchrony`); alone it
    needs two distinct items to be flagged, because one item shared in the same minute is what syndication does.
    Reaching a flagged campaign is the corroboration instead (CopyCatch's and SynchroTrap's blocks grown from a
    seed; Beutel et al. 2013, Cao et al. 2014). Only beyond-chance links chain: the rare links of
    :func:`lockstep.campaigns.expand.rare_coactions` (any gap up to the null horizon) do not, since a random
    crowd chains through them (docs/evaluation.md). The group joins the campaign most of its flagged members
    belong to (ties: the lower campaign number; none when they are flagged synchronised rare blocks outside any
    campaign); an account's own items are the items it co-acted on in it.
    """
    flagged = {(r.platform, r.account_id): r for r in scored if r.flagged}
    if not synced or not flagged:
        return scored
    root = linked_roots((platform, a, b) for platform, a, b, _, _ in synced)
    own: dict[tuple[str, str], set[str]] = {}
    for platform, a, b, trace, item in synced:
        own.setdefault((platform, a), set()).add(f"{trace}:{item}")
        own.setdefault((platform, b), set()).add(f"{trace}:{item}")
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for x in own:
        groups.setdefault(root(x), []).append(x)
    known = {(r.platform, r.account_id): r for r in scored}
    handles = _handles(store)
    for group in groups.values():
        anchors = [flagged[x] for x in group if x in flagged]
        if not anchors or len(anchors) == len(group):
            continue
        counts: dict[int, int] = {}
        for r in anchors:
            if r.campaign is not None:
                counts[r.campaign] = counts.get(r.campaign, 0) + 1
        camp = min(counts, key=lambda c: (-counts[c], c)) if counts else None
        anchor = min((r for r in anchors if r.campaign == camp), key=lambda r: (-r.score, r.account_id))
        target = f"campaign {camp}" if camp is not None else "a synchronised rare block"
        for platform, account in group:
            old = known.get((platform, account))
            if old is not None and old.flagged:
                continue
            its = own[(platform, account)]
            trace = sorted(its)[0].split(":", 1)[0]
            why = (
                f"campaign expansion: a chain of {len(group)} accounts co-acting within {windows.get(trace, 0.0):g} s "
                f"reaches {len(anchors)} flagged account{'s' if len(anchors) != 1 else ''} of {target} "
                f"(e.g. {anchor.account_id}; {trace}), at item popularities where chance explains at most "
                f"{FDR:.0%} of such coincidences"
            )
            known[(platform, account)] = _expanded(
                old, (platform, account), anchor, camp, len(its), items, handles, why
            )
    return list(known.values())
