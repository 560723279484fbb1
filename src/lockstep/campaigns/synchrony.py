"""Synchronised rare blocks: accounts that repeatedly post the same rare content within the same minute.

The account-level cut of :mod:`lockstep.campaigns.accounts` flags members of campaigns (communities of the
fused network) and, by one hop of campaign expansion, the accounts sharing a rare item with them. An operation
made of many small cells, each cell of two or three accounts copying or resharing the same rare post within
seconds of each other, falls through both: a cell on an item shared by three accounts is no network edge
(rarity linking links one item only at the rarest popularity,
:func:`lockstep.engine.quantiles.rare_cut_from`), and
a cell that touches no campaign member is not reached by expansion. Measured on the shared IRA + airline July
2015 mix (docs/evaluation.md): most of the IRA accounts the default cut missed are such cells (Russian-language
accounts with one to five posts in the week, retweeting the same news text as another IRA account within
60 s), while the organic crowd's rare shared texts are hours apart.

**The rule.** Per content trace (the same text, retweet, link or media file; labels such as hashtags are left
out, see :data:`lockstep.campaigns.accounts.LABEL_TRACES`):

1. *Synchrony beyond chance, measured per item popularity.* For the items acted on by exactly ``k`` accounts,
   count the co-actions inside the trace's window (``O_k``) and the number the detection's own null model
   expects by chance (``E_k``): every account's actions shifted by an independent uniform offset in
   ``[-D, D]`` (``D = null_shift_s``, :mod:`lockstep.traces.null_model`), so a co-action ``g`` seconds
   apart falls inside a window ``w`` with probability about ``w (2D - |g|) / (2 D^2)``. Popularity levels
   ``k = 2, 3, ...`` are accepted while the share of chance over the levels accepted so far,
   ``sum E / sum O``, stays at most ``FDR`` (a false discovery rate, Benjamini & Hochberg 1995); the first
   level that fails ends the run. In a random crowd one-minute coincidences on rare items are what chance
   gives (measured on the 50,000-account ``bench/vs_cnt.py`` world: ``E_k / O_k`` about 0.2 at every ``k``
   from 2 to 9), so no level is accepted; in the IRA mixes the share is under 0.02.
2. *Rare items only*: ``k`` at most ``MAX_ITEM_ACCOUNTS`` (3, the issue-10 probe's cut and the accounts of the
   smallest dense block, a triangle) and at most 1% of the store's accounts (the ``max_df`` bound of
   :func:`lockstep.engine.quantiles.rare_cut_from`). The null model tests synchrony, not coordination: organic
   crowds and syndication are synchronised too (measured on the simulated hard-negative world: thousands of
   in-window co-actions on texts posted by four to seven organic accounts, ``E_k / O_k`` 0.002; allowing
   items of up to five accounts flags 74 more organic accounts there).
3. *Repetition at the level of the block* (CooRnet's "repeatedly", Giglietto et al. 2020; the dense blocks of
   CopyCatch, Beutel et al. WWW 2013, and SynchroTrap, Cao et al. CCS 2014). The accepted in-window
   co-actions link accounts; a connected block of them is flagged when its members co-acted on at least
   ``MIN_BLOCK_ITEMS`` distinct items. One item shared in the same minute is what syndication does (the organic
   accounts that posted the same airline deal or news headline within a minute, in every real mix), and it
   never links more than the accounts of that item.

The rule reads the posts and the recorded detection parameters only; it adds no network edge, so campaigns,
the fused network and the Spark/Ibis seam are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lockstep.campaigns.expand import CONTENT_TRACES, ContentActions, content_actions, trace_rare_coactions
from lockstep.store.store import Store

#: The share of chance (expected / observed in-window co-actions) a popularity level may have to be accepted.
FDR = 0.05
#: Distinct items a block's members must have co-acted on in synchrony.
MIN_BLOCK_ITEMS = 2
#: The most accounts an item may reach to count: the issue-10 probe's cut (texts shared by at most three
#: accounts), the accounts of the smallest dense block (a triangle). Measured: five lets the syndicated
#: headlines of the simulated hard-negative world through (+74 flagged organic accounts).
MAX_ITEM_ACCOUNTS = 3


@dataclass(frozen=True)
class TraceSynchrony:
    """What the synchrony test found in one trace: the accepted popularity levels and their counts."""

    trace: str
    window_s: float
    max_accounts: int
    observed: int
    expected: float
    levels: list[tuple[int, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    """A connected group of accounts linked by accepted synchronised rare co-actions."""

    platform: str
    accounts: list[str]
    items: list[str]
    traces: list[str]
    #: Per account: the distinct items it co-acted on in synchrony with other members.
    account_items: dict[str, int] = field(default_factory=dict)


def synchronised_blocks(
    store: Store,
    traces: Sequence[str] = CONTENT_TRACES,
    fdr: float = FDR,
    min_items: int = MIN_BLOCK_ITEMS,
    max_item_accounts: int = MAX_ITEM_ACCOUNTS,
) -> tuple[list[Block], list[TraceSynchrony]]:
    """The flagged synchronised rare blocks (see the module docstring) and, per trace, the accepted levels.

    Blocks with fewer than ``min_items`` distinct ``trace:item`` are left out; items reaching more than
    ``max_item_accounts`` accounts (or 1% of the store's accounts) are not tested. Traces the last ``detect``
    did not run, or ran without a window, are skipped.
    """
    _, blocks, found = rare_evidence(
        store, traces, fdr=fdr, min_items=min_items, max_item_accounts=max_item_accounts, coactions=False
    )
    return blocks, found


def rare_evidence(
    store: Store,
    traces: Sequence[str] = CONTENT_TRACES,
    *,
    fdr: float = FDR,
    min_items: int = MIN_BLOCK_ITEMS,
    max_item_accounts: int = MAX_ITEM_ACCOUNTS,
    coactions: bool = True,
    synchrony: bool = True,
) -> tuple[list[tuple[str, str, str, str, str]], list[Block], list[TraceSynchrony]]:
    """Campaign expansion's rare co-actions and the synchronised rare blocks from one read of each trace.

    Returns ``(rare co-actions, blocks, per-trace synchrony)``: the first is
    :func:`lockstep.campaigns.expand.rare_coactions` (empty when ``coactions`` is false), the others
    :func:`synchronised_blocks` (empty when ``synchrony`` is false). Both read every content action and each
    item's popularity; reading them once (:func:`lockstep.campaigns.expand.content_actions`) rather than once
    per consumer is what keeps the blocks cheap in :func:`lockstep.campaigns.accounts.rank_accounts`.
    """
    row = store.con.execute("SELECT count(DISTINCT (platform, account_id)) FROM posts").fetchone()
    accounts = int(row[0]) if row else 0
    pairs: list[tuple[str, str, str, str, str]] = []
    links: list[tuple[str, str, str, str]] = []
    found: list[TraceSynchrony] = []
    if not (coactions or synchrony):
        return pairs, [], found
    for actions in content_actions(store, traces):
        if coactions:
            pairs.extend(trace_rare_coactions(store, actions))
        if synchrony:
            tested = _trace_synchrony(store, actions, accounts, fdr, max_item_accounts)
            if tested is not None:
                found.append(tested[0])
                links.extend(tested[1])
    return pairs, _blocks(links, min_items) if synchrony else [], found


def _trace_synchrony(
    store: Store, actions: ContentActions, accounts: int, fdr: float, max_item_accounts: int
) -> tuple[TraceSynchrony, list[tuple[str, str, str, str]]] | None:
    """The synchrony test of one trace (None when its run had no window) and its accepted links."""
    window = actions.parameters.get("window_used_s")
    if window is None:
        return None
    con = store.con
    name, table = actions.name, actions.table
    w, d = float(window), float(actions.parameters.get("null_shift_s", 86_400.0))
    bound = min(max(2, int(0.01 * accounts)), int(max_item_accounts))
    levels = con.execute(
        f"""WITH r AS (SELECT * FROM {table} WHERE k BETWEEN 2 AND ?)
           SELECT x.k, count(*) FILTER (WHERE abs(x.ts - y.ts) <= ?),
                  coalesce(sum(? * (2 * ? - abs(x.ts - y.ts)) / (2 * ? * ?)), 0)
           FROM r x JOIN r y ON x.platform = y.platform AND x.item = y.item
           WHERE x.account_id < y.account_id AND abs(x.ts - y.ts) < 2 * ?
           GROUP BY x.k ORDER BY x.k""",
        [bound, w, w, d, d, d, d],
    ).fetchall()
    accepted: list[tuple[int, int, float]] = []
    total_o, total_e = 0, 0.0
    for k, observed, expected in levels:
        total_o, total_e = total_o + int(observed), total_e + float(expected)
        if total_o == 0 or total_e > fdr * total_o:
            break
        accepted.append((int(k), int(observed), float(expected)))
    top = accepted[-1][0] if accepted else 0
    tested = TraceSynchrony(name, w, top, sum(o for _, o, _ in accepted), sum(e for _, _, e in accepted), accepted)
    if not top:
        return tested, []
    links = [
        (str(p), str(a), str(b), f"{name}:{i}")
        for p, a, b, i in con.execute(
            f"""WITH r AS (SELECT * FROM {table} WHERE k BETWEEN 2 AND ?)
               SELECT DISTINCT x.platform, x.account_id, y.account_id, x.item
               FROM r x JOIN r y ON x.platform = y.platform AND x.item = y.item
               WHERE x.account_id < y.account_id AND abs(x.ts - y.ts) <= ?""",
            [top, w],
        ).fetchall()
    ]
    return tested, links


def _blocks(links: list[tuple[str, str, str, str]], min_items: int) -> list[Block]:
    """Connected components of the linked accounts (per platform) with at least ``min_items`` distinct items."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p, a, b, _ in links:
        ra, rb = root((p, a)), root((p, b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[tuple[str, str], set[str]] = {}
    items: dict[tuple[str, str], set[str]] = {}
    own: dict[tuple[str, str], set[str]] = {}
    for p, a, b, item in links:
        r = root((p, a))
        members.setdefault(r, set()).update((a, b))
        items.setdefault(r, set()).add(item)
        own.setdefault((p, a), set()).add(item)
        own.setdefault((p, b), set()).add(item)
    return sorted(
        (
            Block(
                r[0],
                sorted(members[r]),
                sorted(items[r]),
                sorted({i.split(":", 1)[0] for i in items[r]}),
                {a: len(own[(r[0], a)]) for a in sorted(members[r])},
            )
            for r in members
            if len(items[r]) >= min_items
        ),
        key=lambda b: (-len(b.accounts), b.platform, b.accounts[0]),
    )
