"""Synchronised rare blocks: who is flagged, who is not, and the reason given."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lockstep.campaigns.accounts import rank_accounts
from lockstep.campaigns.expand import content_actions, rare_coactions
from lockstep.campaigns.synchrony import latency_closeness, rare_evidence, synchronised_blocks

from .worlds import BACKGROUND, OPS, build_world_store


def repost(acct: str, when: str, item: str) -> dict[str, str]:
    return {"account_id": acct, "handle": acct, "created_at": when, "kind": "repost", "repost_of": item}


#: A cell of three accounts resharing two rare posts, each within seconds of another member: a block with two
#: items. A syndicated pair: one rare post reshared by two accounts in the same minute (one item). A slow pair:
#: two rare posts shared hours apart (no synchrony).
CELL = [
    repost("cell_a", "2023-03-09 14:00:00", "rare_post_1"),
    repost("cell_b", "2023-03-09 14:00:12", "rare_post_1"),
    repost("cell_b", "2023-03-10 16:30:00", "rare_post_2"),
    repost("cell_c", "2023-03-10 16:30:40", "rare_post_2"),
    repost("synd_a", "2023-03-11 10:00:00", "headline_1"),
    repost("synd_b", "2023-03-11 10:00:05", "headline_1"),
    repost("slow_a", "2023-03-08 10:00:00", "slow_post_1"),
    repost("slow_b", "2023-03-08 15:00:00", "slow_post_1"),
    repost("slow_a", "2023-03-09 10:00:00", "slow_post_2"),
    repost("slow_b", "2023-03-09 16:00:00", "slow_post_2"),
]


def test_a_cell_repeating_rare_reshares_in_synchrony_is_flagged_syndication_and_slow_pairs_are_not(
    tmp_path: Path,
) -> None:
    with build_world_store(tmp_path, CELL) as store:
        blocks, levels = synchronised_blocks(store)
        by_id = {a.account_id: a for a in rank_accounts(store)}
        plain = {a.account_id: a for a in rank_accounts(store, synchrony=False)}
    cell = next(b for b in blocks if "cell_a" in b.accounts)
    assert cell.accounts == ["cell_a", "cell_b", "cell_c"] and len(cell.items) == 2 and cell.traces == ["co-retweet"]
    assert cell.account_items == {"cell_a": 1, "cell_b": 2, "cell_c": 1}
    assert not any({"synd_a", "slow_a"} & set(b.accounts) for b in blocks)
    retweet = next(t for t in levels if t.trace == "co-retweet")
    # The widest window of the ladder at which chance still explains at most 5% of the in-window co-actions:
    # the slow pair's reposts, five and six hours apart, stay out of it.
    assert retweet.max_accounts >= 2 and retweet.base_window_s == 60.0 and retweet.window_s == 600.0
    assert retweet.expected <= 0.05 * retweet.observed
    for account in cell.accounts:
        assert by_id[account].flagged
        assert by_id[account].reasons[-1] == (
            "synchronised rare block: 3 accounts posted 2 distinct rare items (co-retweet; each reached at most "
            f"{retweet.max_accounts} accounts) within 600 s of each other"
        )
        assert account not in plain or not plain[account].flagged
    assert by_id["cell_b"].own_items == 2
    for account in ("synd_a", "synd_b", "slow_a", "slow_b"):
        assert account not in by_id or not by_id[account].flagged


def test_no_block_where_chance_explains_the_coincidences(tmp_path: Path) -> None:
    """Four hundred pairs sharing a rare post an hour apart: under the null model's one-day shifts, about 0.28
    of them would fall in the same minute by chance, more than 5% of the three in-window co-actions, so
    no popularity level is accepted and the cell is not flagged."""
    crowd = [
        row
        for i in range(400)
        for row in (
            repost(f"crowd_{i}_x", f"2023-03-{7 + i % 5:02d} {i % 24:02d}:00:00", f"crowd_post_{i}"),
            repost(f"crowd_{i}_y", f"2023-03-{7 + i % 5:02d} {i % 24:02d}:59:00", f"crowd_post_{i}"),
        )
    ]
    with build_world_store(tmp_path, CELL + crowd) as store:
        blocks, levels = synchronised_blocks(store)
        by_id = {a.account_id: a for a in rank_accounts(store)}
    retweet = next(t for t in levels if t.trace == "co-retweet")
    assert retweet.max_accounts == 0 and retweet.levels == []
    assert not any("cell_a" in b.accounts for b in blocks)
    assert "cell_a" not in by_id or not by_id["cell_a"].flagged


def test_one_read_of_each_trace_gives_what_expansion_and_the_blocks_each_read_alone(tmp_path: Path) -> None:
    """``rare_evidence`` (one pass over each trace's actions, used by ``rank_accounts``) returns exactly the
    rare co-actions of ``rare_coactions`` and the blocks and levels of ``synchronised_blocks``; the shared
    action tables are gone afterwards, also when a consumer stops reading early."""
    with build_world_store(tmp_path, CELL) as store:
        pairs, blocks, levels, _ = rare_evidence(store)
        alone_pairs = rare_coactions(store)
        alone_blocks, alone_levels = synchronised_blocks(store)
        assert sorted(pairs) == sorted(alone_pairs)
        # The slow pair's rare posts, hours apart, are expansion's links (within the null horizon), not a block.
        assert {(a, b, t, i) for _, a, b, t, i in pairs} >= {
            ("slow_a", "slow_b", "co-retweet", "slow_post_1"),
            ("slow_a", "slow_b", "co-retweet", "slow_post_2"),
        }
        assert blocks == alone_blocks and levels == alone_levels
        assert rare_evidence(store, coactions=False, synchrony=False) == ([], [], [], [])
        gen = content_actions(store)
        actions = next(gen)
        row = store.con.execute(f"SELECT count(*) FROM {actions.table} WHERE k >= 2").fetchone()
        assert row is not None and row[0] > 0
        gen.close()
        temp = {r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    assert not temp & {"c_raw", "c_act", "c_stats"}


def original(acct: str, when: str, post_id: str) -> dict[str, str]:
    return {"account_id": acct, "handle": acct, "created_at": when, "kind": "original", "post_id": post_id}


def fresh_chain(known: bool) -> list[dict[str, str]]:
    """Forty posts, each reshared 20-40 s after it appeared by two accounts of a chain (``fan_i`` reshares posts
    ``i - 1`` and ``i``): every reshare pair is within a minute, and the chain is one block of forty items. With
    ``known`` the originals are in the store; without, the reposts name posts the store does not hold."""
    rows: list[dict[str, str]] = []
    for i in range(40):
        t = f"2023-03-{7 + i % 6:02d} {(i * 5) % 24:02d}:{i % 60:02d}"
        if known:
            rows.append(original(f"outlet_{i}", f"{t}:00", f"fresh_{i}"))
        rows.append(repost(f"fan_{i}", f"{t}:20", f"fresh_{i}"))
        rows.append(repost(f"fan_{i + 1}", f"{t}:40", f"fresh_{i}"))
    return rows


def test_reshares_of_a_fresh_known_post_are_explained_by_its_age_not_flagged(tmp_path: Path) -> None:
    """Resharers of a post the store holds are compared with the repost latencies of the whole trace: when
    every repost comes 20-40 s after its original, two resharers within a minute of each other is what the
    post's freshness gives, so no level is accepted and the chain is not flagged. The same reposts of posts the
    store does not hold keep the shifted-account null, under which forty in-window pairs are far beyond chance:
    the chain is a block."""
    (tmp_path / "known").mkdir()
    (tmp_path / "unknown").mkdir()
    with build_world_store(tmp_path / "known", CELL + fresh_chain(known=True)) as store:
        blocks, levels = synchronised_blocks(store)
        by_id = {a.account_id: a for a in rank_accounts(store)}
    retweet = next(t for t in levels if t.trace == "co-retweet")
    assert retweet.latencies >= 80
    assert not any("fan_1" in b.accounts for b in blocks)
    # (The chain is also a community of the fused network, which the detection itself may flag; the blocks do
    # not add to it.)
    assert not any("synchronised rare block" in r for a in by_id.values() for r in a.reasons)
    with build_world_store(tmp_path / "unknown", CELL + fresh_chain(known=False)) as store:
        blocks, levels = synchronised_blocks(store)
    retweet = next(t for t in levels if t.trace == "co-retweet")
    assert retweet.latencies == 0 and retweet.max_accounts >= 2
    chain = next(b for b in blocks if "fan_1" in b.accounts)
    assert len(chain.accounts) == 41 and len(chain.items) == 40


def test_latency_closeness_counts_pairs_of_distinct_draws() -> None:
    lat = np.sort(np.array([0.0, 30.0, 45.0, 4000.0]))
    # Ordered pairs of distinct draws within 60 s: (0, 30), (0, 45), (30, 45) both ways = 6 of 12.
    assert latency_closeness(lat, 60.0) == 0.5
    assert latency_closeness(lat, 1e6) == 1.0
    assert latency_closeness(np.array([5.0]), 60.0) == 0.0


def test_synchronised_coaction_on_a_busier_item_attaches_to_a_flagged_campaign_only(tmp_path: Path) -> None:
    """An item four accounts reshared is above campaign expansion's rare cut, so sharing it with a campaign
    member attaches nobody by itself; reshared within seconds of the member, at a popularity level where the
    null model explains under 5% of in-window co-actions, it attaches the resharers to the member's campaign
    (with the window in the reason), and so does a chain of such co-actions that reaches it (the resharers of
    another busy item, in synchrony with an attached account). The same in-window reshares among accounts of no
    flagged campaign, and reshares of a four-account item hours after the member, attach nobody."""
    crowd = [original(f"bystander_{i}", f"2023-03-0{7 + i % 3} 1{i % 10}:00:00", f"by_{i}") for i in range(400)]
    busy = [
        repost(OPS[0], "2023-03-08 03:00:00", "busy_1"),
        repost("joiner_a", "2023-03-08 03:00:10", "busy_1"),
        repost("joiner_b", "2023-03-08 03:00:25", "busy_1"),
        repost("joiner_c", "2023-03-08 03:00:40", "busy_1"),
        repost(BACKGROUND[1], "2023-03-09 12:00:00", "busy_2"),
        repost("loner_a", "2023-03-09 12:00:10", "busy_2"),
        repost("loner_b", "2023-03-09 12:00:20", "busy_2"),
        repost("loner_c", "2023-03-09 12:00:30", "busy_2"),
        repost(OPS[1], "2023-03-10 03:00:00", "busy_3"),
        repost("late_a", "2023-03-10 09:00:00", "busy_3"),
        repost("late_b", "2023-03-10 13:00:00", "busy_3"),
        repost("late_c", "2023-03-10 17:00:00", "busy_3"),
        repost("joiner_c", "2023-03-09 05:00:00", "busy_4"),
        repost("chain_x", "2023-03-09 05:00:10", "busy_4"),
        repost("chain_y", "2023-03-09 05:00:20", "busy_4"),
        repost("chain_z", "2023-03-09 05:00:30", "busy_4"),
    ]
    with build_world_store(tmp_path, CELL + crowd + busy) as store:
        _, _, levels, synced = rare_evidence(store)
        by_id = {a.account_id: a for a in rank_accounts(store)}
        plain = {a.account_id: a for a in rank_accounts(store, synchrony=False)}
    retweet = next(t for t in levels if t.trace == "co-retweet")
    assert 4 in retweet.expansion_levels
    assert {frozenset((a, b)) for _, a, b, _, i in synced if i == "busy_1"} >= {frozenset((OPS[0], "joiner_a"))}
    campaign = by_id[OPS[0]].campaign
    assert by_id[OPS[0]].flagged and campaign is not None
    for account in ("joiner_a", "joiner_b", "joiner_c"):
        assert by_id[account].flagged and by_id[account].campaign == campaign
        assert (
            by_id[account]
            .reasons[-1]
            .startswith(
                f"campaign expansion: co-acted within {retweet.window_s:g} s with 1 member of campaign {campaign} on "
                "1 content item (co-retweet; e.g. "
            )
        )
        assert account not in plain or not plain[account].flagged
    # A chain: the resharers of busy_4 co-acted in synchrony with joiner_c only, who reached the campaign.
    for account in ("chain_x", "chain_y", "chain_z"):
        assert by_id[account].flagged and by_id[account].campaign == campaign
        why = by_id[account].reasons[-1]
        assert why.startswith("campaign expansion: a chain of ") and f"of campaign {campaign} " in why
        assert account not in plain or not plain[account].flagged
    for account in ("loner_a", "loner_b", "loner_c", "late_a", "late_b", "late_c"):
        assert account not in by_id or not by_id[account].flagged
