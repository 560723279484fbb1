"""Rarity linking up to the null horizon, and significance reachable with the default null model."""

from __future__ import annotations

from pathlib import Path

from lockstep.analysis import analyze
from lockstep.store import Store
from lockstep.traces import DetectParams, detect
from lockstep.traces.queries import Evidence, evidence

from .test_traces import make_store, post
from .worlds import OPS, build_world_store


def test_one_rare_item_links_hours_apart_popular_items_do_not(tmp_path: Path) -> None:
    rows = [
        # a and b post the same rare retweet two hours apart (a scheduled operation, not a live crowd)
        post("a", "08:00:00", kind="repost", repost_of="rare"),
        post("b", "10:00:00", kind="repost", repost_of="rare"),
        # a popular item: six accounts, hours apart; and a pair of them again on one more popular item
        *[post(f"p{i}", f"{9 + i:02d}:00:00", kind="repost", repost_of="popular") for i in range(6)],
        *[post(f"p{i}", f"{9 + i:02d}:30:00", kind="repost", repost_of="popular2") for i in range(6)],
        # c and d share a rare item two days apart: beyond the null horizon (one day)
        post("c", "08:00:00", kind="repost", repost_of="late"),
        at("d", 3, "09:00:00", "late"),
        # e and f share a rare item an hour apart on three more days: rare items here are shared close
        # together far more often than chance timing gives, so rarity linking reaches beyond the window
        *[at(acct, day, f"1{k}:00:00", f"sched{day}") for day in (5, 7, 9) for k, acct in enumerate("ef")],
    ]
    with make_store(tmp_path, rows) as store:
        # the unguarded rule: one rare co-action within the horizon links, corroborated or not
        detect(store, ["co-retweet"], DetectParams(seed=1, rarity_guard=False))
        ev = evidence(store, "a", "b", trace="co-retweet")
        assert [(e.item, e.gap_s) for e in ev] == [("rare", 7200.0)]
        linked = {r[0] + r[1] for r in store.con.execute("SELECT account_a, account_b FROM edges").fetchall()}
        assert linked == {"ab", "ef"}
        # the default guard: a~b rests on one rare item hours apart with no second item and no common partner,
        # a chance coincidence in a crowd; e~f share three rare items
        detect(store, ["co-retweet"], DetectParams(seed=1))
        linked = {r[0] + r[1] for r in store.con.execute("SELECT account_a, account_b FROM edges").fetchall()}
        assert linked == {"ef"}
        detect(store, ["co-retweet"], DetectParams(seed=1, linking="strict"))
        assert store.count("edges") == 0
        # the null model tests synchrony (co-actions inside the window): this link rests on a rare item
        # two hours apart, no timing evidence, so p = 1
        detect(store, ["co-retweet"], DetectParams(seed=1, rarity_guard=False))
        (p,) = store.con.execute("SELECT p_value FROM edges WHERE account_a = 'a'").fetchone()
        assert p == 1.0


def test_guard_keeps_rare_links_with_a_common_partner_or_a_second_item(tmp_path: Path) -> None:
    """Three accounts passing rare texts round hours apart (a triangle) link; a lone chance pair does not."""
    rows = [
        # a, b, c: each pair shares one rare retweet hours apart: a~b on r1, b~c on r2, a~c on r3
        post("a", "08:00:00", kind="repost", repost_of="r1"),
        post("b", "11:00:00", kind="repost", repost_of="r1"),
        post("b", "09:00:00", kind="repost", repost_of="r2"),
        post("c", "13:00:00", kind="repost", repost_of="r2"),
        post("a", "10:00:00", kind="repost", repost_of="r3"),
        post("c", "15:00:00", kind="repost", repost_of="r3"),
        # g~h: one rare item hours apart and one popular item within the window: two items, linked
        post("g", "08:00:00", kind="repost", repost_of="r4"),
        post("h", "12:00:00", kind="repost", repost_of="r4"),
        *[post(acct, f"16:00:{k:02d}", kind="repost", repost_of="pop") for k, acct in enumerate("ghxyz")],
        # v~w: one rare item hours apart, nothing else links them
        post("v", "08:00:00", kind="repost", repost_of="r5"),
        post("w", "12:00:00", kind="repost", repost_of="r5"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["co-retweet"], DetectParams(null_replicates=0))
        linked = {r[0] + r[1] for r in store.con.execute("SELECT account_a, account_b FROM edges").fetchall()}
        assert {"ab", "bc", "ac", "gh"} <= linked
        assert "vw" not in linked
        detect(store, ["co-retweet"], DetectParams(null_replicates=0, rarity_guard=False))
        linked = {r[0] + r[1] for r in store.con.execute("SELECT account_a, account_b FROM edges").fetchall()}
        assert "vw" in linked


def at(acct: str, day: int, clock: str, item: str) -> dict[str, str]:
    return {"account_id": acct, "created_at": f"2024-03-{day:02d} {clock}", "kind": "repost", "repost_of": item}


def store_evidence(store: Store) -> list[Evidence]:
    pairs = store.con.execute("SELECT DISTINCT account_a, account_b FROM evidence").fetchall()
    return [e for a, b in pairs for e in evidence(store, a, b)]


def test_significant_is_reachable_with_default_detect_params(tmp_path: Path) -> None:
    store = build_world_store(tmp_path)
    try:
        assert DetectParams().null_replicates == 10
        detect(store, ["co-retweet", "co-hashtag", "reactivation"], DetectParams(seed=1))
        analyze(store, seed=3, tz_offset_hours=8)
        (low,) = store.con.execute("SELECT min(p_value) FROM edges WHERE trace = 'co-retweet'").fetchone()
        assert low < 0.01
        (sig,) = store.con.execute("SELECT count(*) FROM network_edges WHERE significant > 0").fetchone()
        assert sig > 0
        (share,) = store.con.execute(
            """SELECT max(c.significant_share) FROM communities c JOIN account_scores s ON s.community = c.community
               WHERE s.account_id = ?""",
            [OPS[0]],
        ).fetchone()
        assert share > 0.5  # the operation's edges are significant, so its report does not say "0%"
    finally:
        store.close()


def _guard_world() -> list[tuple[str, str, str, float]]:
    """(account, item, post, epoch seconds): a, b, c act on one item "t" hours apart; d, e, f pass three
    different items round (d~e on r1, e~f on r2, d~f on r3), hours apart."""
    h = 3600.0
    return [
        ("a", "t", "p1", 0.0),
        ("b", "t", "p2", 2 * h),
        ("c", "t", "p3", 4 * h),
        ("d", "r1", "p4", 0.0),
        ("e", "r1", "p5", 3 * h),
        ("e", "r2", "p6", 5 * h),
        ("f", "r2", "p7", 9 * h),
        ("d", "r3", "p8", 6 * h),
        ("f", "r3", "p9", 8 * h),
    ]


def test_guard_needs_a_partner_through_another_item_both_engines() -> None:
    """Three accounts on one item shared by three are each other's partners through that one co-action only:
    no link. Three accounts passing three items round form a block: linked. The default engine's SQL and the
    engine seam's Ibis expression agree."""
    import duckdb
    import ibis
    import pyarrow as pa

    from lockstep.engine import coaction as co
    from lockstep.traces.rarity import add_rare_pairs

    rows = _guard_world()
    act = pa.table(
        {
            "platform": ["x"] * len(rows),
            "account_id": [r[0] for r in rows],
            "item": [r[1] for r in rows],
            "post_id": [r[2] for r in rows],
            "t": pa.array([int(r[3] * 1e6) for r in rows], pa.timestamp("us")),
            "ts": [r[3] for r in rows],
        }
    )
    con = duckdb.connect()
    con.register("act_src", act)
    con.execute("CREATE TEMP TABLE act AS SELECT * FROM act_src")
    con.execute(
        "CREATE TEMP TABLE item_stats AS SELECT platform, item, count(DISTINCT account_id) AS accounts, "
        "count(*) AS actions FROM act GROUP BY ALL"
    )
    con.execute(
        "CREATE TEMP TABLE pairs AS SELECT x.platform, x.account_id AS account_a, y.account_id AS account_b, "
        "x.item, x.post_id AS post_a, y.post_id AS post_b, x.t AS time_a, y.t AS time_b, abs(x.ts - y.ts) AS gap_s "
        "FROM act x JOIN act y ON x.item = y.item AND x.account_id < y.account_id AND abs(x.ts - y.ts) <= 60"
    )
    add_rare_pairs(con, rare_cut=3, horizon_s=86_400.0)
    linked = {a + b for a, b in con.execute("SELECT DISTINCT account_a, account_b FROM pairs").fetchall()}
    assert linked == {"de", "ef", "df"}
    add_rare_pairs(con, rare_cut=3, horizon_s=86_400.0, guard=False)
    linked = {a + b for a, b in con.execute("SELECT DISTINCT account_a, account_b FROM pairs").fetchall()}
    assert linked == {"ab", "bc", "ac", "de", "ef", "df"}

    ib = ibis.duckdb.connect()
    t = ib.create_table("act", act)
    stats = co.item_stats(t)
    seam = co.rare_pairs(t, stats, co.pairs(t, 60.0), 3, 86_400.0).to_pyarrow()
    assert {a + b for a, b in zip(seam["account_a"].to_pylist(), seam["account_b"].to_pylist(), strict=True)} == {
        "de",
        "ef",
        "df",
    }
