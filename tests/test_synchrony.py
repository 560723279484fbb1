"""Synchronised rare blocks: who is flagged, who is not, and the reason given."""

from __future__ import annotations

from pathlib import Path

from lockstep.campaigns.accounts import rank_accounts
from lockstep.campaigns.expand import content_actions, rare_coactions
from lockstep.campaigns.synchrony import rare_evidence, synchronised_blocks

from .worlds import build_world_store


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
    assert retweet.max_accounts >= 2 and retweet.window_s == 60.0
    assert retweet.expected <= 0.05 * retweet.observed
    for account in cell.accounts:
        assert by_id[account].flagged
        assert by_id[account].reasons[-1] == (
            "synchronised rare block: 3 accounts posted 2 distinct rare items (co-retweet; each reached at most "
            f"{retweet.max_accounts} accounts) within 60 s of each other"
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
        pairs, blocks, levels = rare_evidence(store)
        alone_pairs = rare_coactions(store)
        alone_blocks, alone_levels = synchronised_blocks(store)
        assert sorted(pairs) == sorted(alone_pairs)
        # The slow pair's rare posts, hours apart, are expansion's links (within the null horizon), not a block.
        assert {(a, b, t, i) for _, a, b, t, i in pairs} >= {
            ("slow_a", "slow_b", "co-retweet", "slow_post_1"),
            ("slow_a", "slow_b", "co-retweet", "slow_post_2"),
        }
        assert blocks == alone_blocks and levels == alone_levels
        assert rare_evidence(store, coactions=False, synchrony=False) == ([], [], [])
        gen = content_actions(store)
        actions = next(gen)
        row = store.con.execute(f"SELECT count(*) FROM {actions.table} WHERE k >= 2").fetchone()
        assert row is not None and row[0] > 0
        gen.close()
        temp = {r[0] for r in store.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    assert not temp & {"c_raw", "c_act", "c_stats"}
