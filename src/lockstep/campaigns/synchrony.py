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

**Session 20 additions** (issue 10, fifth round; measured in docs/evaluation.md):

4. *Chance given the original's age.* Where an item is a post the store holds (a repost of a known post), the
   null model above is wrong for it: everyone reshares a post soon after it appears, so two resharers are
   close in time because the post is fresh, not because they are coordinated. For those items the chance that
   two of its resharers fall within ``w`` of each other is the chance that two repost latencies (time since the
   original) drawn independently from the trace's pooled latencies differ by at most ``w``
   (:func:`latency_closeness`); this is the retweet-latency view of coordinated resharing (RTbust, Mazza et al.
   WebSci 2019; CooRnet, Giglietto et al. 2020, measures the coordination interval from the first share of
   each link). Items without a known original (a repost known only by its text, a link, a copied text) keep
   the shifted-account null.
5. *The window, estimated from the data* (CooRnet estimates its coordination interval from the share-time
   distribution rather than fixing it): the trace's own window ``w0`` and its multiples
   :data:`WINDOW_LADDER` (up to an hour at 60 s), bounded by the null horizon; where ``w0`` accepts a level,
   the test uses the widest of them at which the accepted popularity levels reach at least as far as at
   ``w0``, so the null model itself says how far apart co-actions may be before chance explains more than
   ``FDR`` of them (a trace with nothing accepted at ``w0`` is not widened: a wider window would let a regular
   crowd, such as pairs always 59 minutes apart, pass a test it failed at the minute).
6. *Synchronised co-actions as expansion evidence.* Campaign expansion
   (:func:`lockstep.campaigns.accounts.rank_accounts`) also attaches an account that co-acted with a flagged
   campaign's member within that window on an item of a popularity level ``k`` (2 to 1% of the store's
   accounts) whose in-window co-actions chance explains at most ``FDR`` of, each level tested on its own. One
   hop only, from flagged accounts; the block rule above is unchanged.

The rule reads the posts and the recorded detection parameters only; it adds no network edge, so campaigns,
the fused network and the Spark/Ibis seam are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

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
#: Windows the test tries, as multiples of the trace's own window (60 s: 1, 2, 5, 10, 30 and 60 minutes).
WINDOW_LADDER = (1, 2, 5, 10, 30, 60)
#: The most accounts (as a share of the store's accounts) an item may reach for a synchronised co-action on it
#: to attach an account to a flagged campaign (the ``max_df`` bound of :func:`lockstep.traces.engine._rare_cut`).
EXPANSION_ITEM_SHARE = 0.01

#: ``(platform, account_a, account_b, trace, item)`` with ``account_a < account_b``.
Pair = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class TraceSynchrony:
    """What the synchrony test found in one trace: the accepted popularity levels and their counts."""

    trace: str
    window_s: float
    max_accounts: int
    observed: int
    expected: float
    levels: list[tuple[int, int, float]] = field(default_factory=list)
    #: The trace's own window (``window_s`` is the widest of :data:`WINDOW_LADDER` the test accepted).
    base_window_s: float = 0.0
    #: Popularity levels whose in-window co-actions attach accounts to flagged campaigns (each tested alone).
    expansion_levels: list[int] = field(default_factory=list)
    #: Repost latencies pooled for the original-age null (0: no item of the trace is a post in the store).
    latencies: int = 0


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
    _, blocks, found, _ = rare_evidence(
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
) -> tuple[list[Pair], list[Block], list[TraceSynchrony], list[Pair]]:
    """Campaign expansion's rare co-actions and the synchronised rare blocks from one read of each trace.

    Returns ``(rare co-actions, blocks, per-trace synchrony, synchronised co-actions)``: the first is
    :func:`lockstep.campaigns.expand.rare_coactions` (empty when ``coactions`` is false), the next two
    :func:`synchronised_blocks`, the last the in-window co-actions on popularity levels chance does not explain
    (module docstring, point 6; empty unless both ``coactions`` and ``synchrony``). All read every content
    action and each item's popularity; reading them once (:func:`lockstep.campaigns.expand.content_actions`)
    rather than once per consumer is what keeps them cheap in
    :func:`lockstep.campaigns.accounts.rank_accounts`.
    """
    row = store.con.execute("SELECT count(DISTINCT (platform, account_id)) FROM posts").fetchone()
    accounts = int(row[0]) if row else 0
    pairs: list[Pair] = []
    synced: list[Pair] = []
    links: list[tuple[str, str, str, str]] = []
    found: list[TraceSynchrony] = []
    if not (coactions or synchrony):
        return pairs, [], found, synced
    for actions in content_actions(store, traces):
        if coactions:
            pairs.extend(trace_rare_coactions(store, actions))
        if synchrony:
            tested = _trace_synchrony(store, actions, accounts, fdr, max_item_accounts, expansion=coactions)
            if tested is not None:
                found.append(tested[0])
                links.extend(tested[1])
                synced.extend(tested[2])
    return pairs, _blocks(links, min_items) if synchrony else [], found, synced


def latency_closeness(latencies: np.ndarray, window_s: float) -> float:
    """The chance that two repost latencies drawn independently from ``latencies`` (sorted, seconds since the
    original) differ by at most ``window_s``: the original-age null of the module docstring, point 4.

    Exact over all ordered pairs of distinct draws (no sampling).

    Examples:
        >>> import numpy as np
        >>> latency_closeness(np.array([0.0, 10.0, 1000.0, 1010.0]), 60.0)  # two close pairs of four draws
        0.3333333333333333
    """
    n = len(latencies)
    if n < 2:
        return 0.0
    hi = np.searchsorted(latencies, latencies + window_s, side="right")
    lo = np.searchsorted(latencies, latencies - window_s, side="left")
    return float((hi - lo - 1).sum()) / (n * (n - 1))


def _trace_synchrony(
    store: Store, actions: ContentActions, accounts: int, fdr: float, max_item_accounts: int, *, expansion: bool
) -> tuple[TraceSynchrony, list[tuple[str, str, str, str]], list[Pair]] | None:
    """The synchrony test of one trace (None when its run had no window), its block links and, when
    ``expansion``, its synchronised co-actions for campaign expansion."""
    window = actions.parameters.get("window_used_s")
    if window is None:
        return None
    con = store.con
    name, table = actions.name, actions.table
    w0, d = float(window), float(actions.parameters.get("null_shift_s", 86_400.0))
    bound = min(max(2, int(0.01 * accounts)), int(max_item_accounts))
    wide = min(max(2, int(EXPANSION_ITEM_SHARE * accounts)), int(actions.parameters.get("max_item_accounts", 1000)))
    top_k = max(bound, wide)
    # Items that are posts the store holds (reposts of a known original): the original-age null applies.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE c_known AS
        SELECT DISTINCT a.platform, a.item FROM {table} a SEMI JOIN posts p ON p.platform = a.platform
        AND p.post_id = a.item WHERE a.k BETWEEN 2 AND ?""",
        [top_k],
    )
    try:
        lat = np.sort(
            np.array(
                [
                    float(r[0])
                    for r in con.execute(
                        f"""SELECT a.ts - epoch(p.created_at) FROM {table} a
                        JOIN posts p ON p.platform = a.platform AND p.post_id = a.item"""
                    ).fetchall()
                ],
                dtype=float,
            )
        )

        def levels(w: float, kmax: int) -> list[tuple[int, int, float]]:
            q = latency_closeness(lat, w)
            return [
                (int(k), int(o), float(e))
                for k, o, e in con.execute(
                    f"""WITH r AS (SELECT a.*, c.item IS NOT NULL AS known FROM {table} a
                        LEFT JOIN c_known c ON c.platform = a.platform AND c.item = a.item
                        WHERE a.k BETWEEN 2 AND ?)
                    SELECT x.k, count(*) FILTER (WHERE abs(x.ts - y.ts) <= ?),
                           coalesce(sum(CASE WHEN x.known THEN ?
                                             WHEN abs(x.ts - y.ts) < 2 * ?
                                             THEN ? * (2 * ? - abs(x.ts - y.ts)) / (2 * ? * ?) ELSE 0 END), 0)
                    FROM r x JOIN r y ON x.platform = y.platform AND x.item = y.item
                    WHERE x.account_id < y.account_id AND (x.known OR abs(x.ts - y.ts) < 2 * ?)
                    GROUP BY x.k ORDER BY x.k""",
                    [kmax, w, q, d, w, d, d, d, d],
                ).fetchall()
            ]

        def accepted(rows: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
            out: list[tuple[int, int, float]] = []
            total_o, total_e = 0, 0.0
            for k, observed, expected in rows:
                if k > bound:
                    break
                total_o, total_e = total_o + observed, total_e + expected
                if total_o == 0 or total_e > fdr * total_o:
                    break
                out.append((k, observed, expected))
            return out

        rows0 = levels(w0, top_k)
        best, best_rows = w0, rows0
        first = accepted(rows0)
        # Widen only from a window that already shows synchrony beyond chance, and only as far as it keeps the
        # popularity levels accepted there.
        reach = first[-1][0] if first else 0
        for m in WINDOW_LADDER:
            w = w0 * m
            if not reach or w <= w0 or w >= d:
                continue
            rows = levels(w, top_k)
            ok = accepted(rows)
            if ok and ok[-1][0] >= reach:
                best, best_rows = w, rows
        chosen = accepted(best_rows)
        top = chosen[-1][0] if chosen else 0
        sync_levels = [k for k, o, e in best_rows if o > 0 and e <= fdr * o and k <= wide]
        tested = TraceSynchrony(
            name,
            best,
            top,
            sum(o for _, o, _ in chosen),
            sum(e for _, _, e in chosen),
            chosen,
            base_window_s=w0,
            expansion_levels=sync_levels,
            latencies=len(lat),
        )
        ks = sorted((set(sync_levels) if expansion else set()) | set(range(2, top + 1)))
        if not ks:
            return tested, [], []
        found = con.execute(
            f"""WITH r AS (SELECT * FROM {table} WHERE list_contains(?, k))
               SELECT DISTINCT x.platform, x.account_id, y.account_id, x.item, x.k
               FROM r x JOIN r y ON x.platform = y.platform AND x.item = y.item
               WHERE x.account_id < y.account_id AND abs(x.ts - y.ts) <= ?""",
            [ks, best],
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS c_known")
    links = [(str(p), str(a), str(b), f"{name}:{i}") for p, a, b, i, k in found if int(k) <= top]
    synced = [(str(p), str(a), str(b), name, str(i)) for p, a, b, i, k in found if expansion and int(k) in sync_levels]
    return tested, links, synced


Account = tuple[str, str]


def linked_roots(links: Iterable[tuple[str, str, str]]) -> Callable[[Account], Account]:
    """Union-find over ``(platform, account_a, account_b)`` links: the returned function maps an account
    ``(platform, account_id)`` to its component's root (the smallest account of the component)."""
    parent: dict[Account, Account] = {}

    def root(x: Account) -> Account:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p, a, b in links:
        ra, rb = root((p, a)), root((p, b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return root


def _blocks(links: list[tuple[str, str, str, str]], min_items: int) -> list[Block]:
    """Connected components of the linked accounts (per platform) with at least ``min_items`` distinct items."""
    root = linked_roots((p, a, b) for p, a, b, _ in links)
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
