"""Traces on tiny hand-made inputs: exact edges and evidence, window edges, ties, viral items, null model."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lockstep import ingest
from lockstep.errors import InputError
from lockstep.store import Store, open_store
from lockstep.traces import DetectParams, detect, estimate_window, sensitivity
from lockstep.traces.base import get_trace
from lockstep.traces.null_model import poisson_tail
from lockstep.traces.queries import edges, evidence

COLUMNS = [
    "post_id",
    "account_id",
    "created_at",
    "text",
    "kind",
    "repost_of",
    "reply_to",
    "urls",
    "hashtags",
    "mentions",
    "media",
]


def make_store(tmp_path: Path, rows: list[dict[str, str]]) -> Store:
    src = tmp_path / "posts.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow({"post_id": str(i + 1), "kind": "original", **r})
    store = open_store(tmp_path / "t.duckdb")
    ingest(store, [src], format="generic", mapping={c: c for c in COLUMNS} | {"platform": "x"})
    return store


def post(acct: str, t: str, **kw: str) -> dict[str, str]:
    return {"account_id": acct, "created_at": f"2024-03-01 {t}", **kw}


# The tests below pin the strict rule (two distinct shared items) unless they say otherwise; the default,
# rarity-aware linking, has its own tests.
NO_NULL = DetectParams(null_replicates=0, linking="strict")


def edge_set(store: Store, trace: str) -> set[tuple[str, str, int, int]]:
    return {(e.account_a, e.account_b, e.shared_items, e.coactions) for e in edges(store, trace=trace, limit=1000)}


def test_two_seconds_apart_across_a_minute_boundary(tmp_path: Path) -> None:
    rows = [
        post("a", "10:00:59", kind="repost", repost_of="900"),
        post("b", "10:01:01", kind="repost", repost_of="900"),
        post("a", "11:59:59", kind="repost", repost_of="901"),
        post("b", "12:00:01", kind="repost", repost_of="901"),
        post("c", "12:01:05", kind="repost", repost_of="901"),  # 64 s after b: outside the window
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["co-retweet"], NO_NULL)
        assert edge_set(store, "co-retweet") == {("a", "b", 2, 2)}
        ev = evidence(store, "b", "a")
        assert [(e.item, e.post_a, e.post_b, e.gap_s) for e in ev] == [("900", "1", "2", 2.0), ("901", "3", "4", 2.0)]


def test_single_shared_item_links_only_when_rare(tmp_path: Path) -> None:
    # a and b share one rare item (only they ever retweeted "9") within seconds; c, d, e, f and b all retweet the
    # popular "7" within the window. Items of the data set: "9" by 2 accounts, "7" by 5, "8" by 2 (e, f): median
    # popularity of shared items is 2, so one shared item links a pair when at most 2 accounts acted on it.
    rows = [post("a", "10:00:00", kind="repost", repost_of="9"), post("b", "10:00:10", kind="repost", repost_of="9")]
    rows += [post(x, f"11:00:0{i}", kind="repost", repost_of="7") for i, x in enumerate("bcdef")]
    rows += [post("e", "12:00:00", kind="repost", repost_of="8"), post("f", "12:00:05", kind="repost", repost_of="8")]
    with make_store(tmp_path, rows) as store:
        report = detect(store, ["co-retweet"], DetectParams(null_replicates=0))
        # a~b by the rare "9"; e~f share "7" and "8": two items, an edge under either rule.
        assert edge_set(store, "co-retweet") == {("a", "b", 1, 1), ("e", "f", 2, 2)}
        assert "at most 2 accounts acted on it" in report.summary()
        detect(store, ["co-retweet"], DetectParams(null_replicates=0, linking="strict"))
        assert edge_set(store, "co-retweet") == {("e", "f", 2, 2)}
        detect(store, ["co-retweet"], DetectParams(null_replicates=0, min_shared_items=1))
        assert len(edge_set(store, "co-retweet")) == 1 + 10  # a~b and every pair of the five on "7"


def test_blank_urls_never_co_link(tmp_path: Path) -> None:
    rows = [post(a, f"10:00:0{i}", urls="[]", text="no link here") for i, a in enumerate("abc")]
    rows += [post(a, f"10:05:0{i}", urls="['']", text="empty link") for i, a in enumerate("abc")]
    rows += [post(a, f"10:10:0{i}", urls="['https://Example.com/x?utm_source=a']") for i, a in enumerate("ab")]
    rows += [post(a, f"10:20:0{i}", urls="['https://example.com/x#frag']") for i, a in enumerate("ab")]
    with make_store(tmp_path, rows) as store:
        assert store.count("post_urls") == 4
        detect(store, ["co-link"], NO_NULL)
        assert edge_set(store, "co-link") == set()  # one shared URL is below the default of two items
        detect(store, ["co-link"], DetectParams(null_replicates=0, min_shared_items=1))
        # the two decorated forms canonicalise to one URL: one item, two co-actions
        assert edge_set(store, "co-link") == {("a", "b", 1, 2)}


def test_translation_is_not_exact_co_text(tmp_path: Path) -> None:
    zh, en = "团结 就是 力量 我们 一起 前进", "unity is strength we move forward together"
    rows = [
        post("a", "10:00:00", text=zh),
        post("b", "10:03:00", text=en),
        post("a", "11:00:00", text="The same words posted by two accounts today"),
        post("c", "11:00:30", text="the SAME words   posted by two accounts today https://t.co/x @someone"),
        post("a", "12:00:00", text="Another copied sentence of five words"),
        post("c", "12:00:20", text="another copied sentence of five words!!"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["co-text"], DetectParams(null_replicates=0, min_shared_items=1, window_s=600))
        assert edge_set(store, "co-text") == {("a", "c", 1, 1)}


def test_hashtag_sequence_needs_order_and_three(tmp_path: Path) -> None:
    rows = [
        post("a", "10:00:00", hashtags="['HK', 'China', 'Peace']"),
        post("b", "10:00:30", hashtags="['hk', 'china', 'peace']"),
        post("c", "10:00:40", hashtags="['China', 'HK', 'Peace']"),
        post("a", "10:10:00", hashtags="['x', 'y']"),
        post("b", "10:10:01", hashtags="['x', 'y']"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["hashtag-sequence"], DetectParams(null_replicates=0, min_shared_items=1))
        assert edge_set(store, "hashtag-sequence") == {("a", "b", 1, 1)}


def test_ties_at_the_percentile_threshold_are_kept(tmp_path: Path) -> None:
    rows = []
    for item in ("1", "2"):
        for i, a in enumerate("abcd"):
            rows.append(post(a, f"10:0{item}:0{i}", kind="repost", repost_of=item))
    with make_store(tmp_path, rows) as store:
        detect(store, ["co-retweet"], DetectParams(null_replicates=0, min_weight_percentile=90))
        assert len(edge_set(store, "co-retweet")) == 6  # all six pairs tie: none dropped
        table = sensitivity(store, "co-retweet", percentiles=(0, 99))
        assert [(p, e, n) for p, _, e, n in table] == [(0.0, 6, 4), (99.0, 6, 4)]


def test_viral_item_is_capped_and_recorded(tmp_path: Path) -> None:
    rows = [post(f"u{i:02d}", f"10:00:{i:02d}", kind="repost", repost_of="viral") for i in range(30)]
    rows += [post(a, f"11:00:0{i}", kind="repost", repost_of=it) for it in ("p", "q") for i, a in enumerate("ab")]
    with make_store(tmp_path, rows) as store:
        report = detect(store, ["co-retweet"], DetectParams(null_replicates=0, max_item_accounts=10))
        t = report.traces[0]
        assert (t.capped_items, t.capped_actions, t.pairs, t.edges) == (1, 30, 2, 1)
        assert store.con.execute("SELECT item, accounts, actions FROM capped_items").fetchall() == [("viral", 30, 30)]
        assert "1 viral items capped (30 actions)" in report.summary()


def test_null_model_is_seeded_and_separates_lockstep_from_chance(tmp_path: Path) -> None:
    rows = []
    for k in range(12):  # a and b retweet 12 posts within seconds of each other
        rows.append(post("a", f"{8 + k // 6:02d}:{(k % 6) * 10:02d}:00", kind="repost", repost_of=f"p{k}"))
        rows.append(post("b", f"{8 + k // 6:02d}:{(k % 6) * 10:02d}:05", kind="repost", repost_of=f"p{k}"))
    with make_store(tmp_path, rows) as store:
        params = DetectParams(null_replicates=20, seed=7)
        detect(store, ["co-retweet"], params)
        (e1,) = edges(store, trace="co-retweet")
        detect(store, ["co-retweet"], params)
        (e2,) = edges(store, trace="co-retweet")
        assert (e1.z_score, e1.p_value) == (e2.z_score, e2.p_value)
        # Analytic Poisson tail with the null rate smoothed by half a co-action over 20 replicates.
        (null_mean,) = store.con.execute("SELECT null_mean FROM edges WHERE trace = 'co-retweet'").fetchone()
        assert e1.coactions == 12
        assert e1.p_value == pytest.approx(poisson_tail(12, null_mean + 0.5 / 20))
        assert e1.p_value < 0.01  # reachable by default now (a permutation p could not go below 1/21)
        assert e1.z_score is None or e1.z_score > 3


def test_weight_is_rarity_weighted_cosine(tmp_path: Path) -> None:
    # a, b share two items; c also acted on item 1, so item 2 is rarer and weighs more.
    rows = [
        post("a", "10:00:00", kind="repost", repost_of="1"),
        post("b", "10:00:01", kind="repost", repost_of="1"),
        post("c", "10:00:02", kind="repost", repost_of="1"),
        post("a", "10:10:00", kind="repost", repost_of="2"),
        post("b", "10:10:01", kind="repost", repost_of="2"),
        post("c", "10:20:00", kind="repost", repost_of="3"),
        post("d", "10:20:01", kind="repost", repost_of="3"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["co-retweet"], NO_NULL)
        (e,) = edges(store, trace="co-retweet")
        # N = 4 accounts; idf(1) = ln(1 + 4/3), idf(2) = ln(1 + 4/2): identical vectors, cosine 1
        assert (e.account_a, e.account_b, e.weight) == ("a", "b", pytest.approx(1.0))


def test_fast_retweet_and_co_reply_and_co_mention(tmp_path: Path) -> None:
    rows = [
        post("src", "10:00:00", text="original one"),  # post 1
        post("src", "10:30:00", text="original two"),  # post 2
        post("a", "10:00:20", kind="repost", repost_of="1"),
        post("b", "10:00:40", kind="repost", repost_of="1"),
        post("a", "10:30:10", kind="repost", repost_of="2"),
        post("b", "10:30:30", kind="repost", repost_of="2"),
        post("c", "10:05:00", kind="repost", repost_of="1"),  # too slow to be fast
        post("a", "11:00:00", kind="reply", reply_to="1", mentions="['Target']"),
        post("b", "11:00:09", kind="reply", reply_to="1", mentions="['target']"),
        post("a", "11:10:00", kind="reply", reply_to="2", mentions="['other']"),
        post("b", "11:10:09", kind="reply", reply_to="2", mentions="['Other']"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["fast-retweet", "co-reply", "co-mention"], NO_NULL)
        assert edge_set(store, "fast-retweet") == set()  # one shared author is below the default of two items
        assert edge_set(store, "co-reply") == {("a", "b", 2, 2)}
        assert edge_set(store, "co-mention") == {("a", "b", 2, 2)}
        detect(store, ["fast-retweet"], DetectParams(null_replicates=0, min_shared_items=1))
        assert edge_set(store, "fast-retweet") == {("a", "b", 1, 2)}


def test_reactivation_same_week(tmp_path: Path) -> None:
    rows = [{"account_id": a, "created_at": "2023-01-02 10:00:00"} for a in "abc"]
    rows += [
        {"account_id": "a", "created_at": "2023-09-04 09:00:00"},
        {"account_id": "b", "created_at": "2023-09-07 18:00:00"},
        {"account_id": "c", "created_at": "2023-09-20 09:00:00"},
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["reactivation"], NO_NULL)
        assert edge_set(store, "reactivation") == {("a", "b", 1, 1)}


def test_window_estimation_coornet(tmp_path: Path) -> None:
    rows = []
    for k in range(10):  # ten links each shared by 3 accounts; k-th link spreads over 10*(k+1) seconds
        for i, a in enumerate("abc"):
            rows.append(post(a, f"1{k}:00:{i * (k + 1) * 5:02d}", urls=f"['https://n.org/{k}']"))
    with make_store(tmp_path, rows) as store:
        # t50 of link k = 5(k+1) s; fastest 10% of ten links is the first: median 5 s
        assert estimate_window(store, "co-link") == 5.0


def test_bad_parameters(tmp_path: Path) -> None:
    with make_store(tmp_path, [post("a", "10:00:00")]) as store:
        with pytest.raises(InputError, match="unknown trace"):
            detect(store, ["co-nothing"])
        with pytest.raises(InputError, match="window"):
            detect(store, ["co-retweet"], DetectParams(window_s="soon"))


def test_near_duplicate_links_light_edits_not_different_texts(tmp_path: Path) -> None:
    base = "the glorious motherland stands united against foreign interference in our internal affairs today"
    rows = [
        post("a", "10:00:00", text=base),
        post("b", "10:00:40", text=base.replace("glorious", "great") + " peace"),  # light edit: J = 0.8
        post("c", "10:00:50", text="completely different words about the weather and football scores here"),
        post("a", "11:00:00", text="second copied message with enough distinct words to count here"),
        post("b", "11:00:30", text="Second copied message with enough distinct words to count HERE!! @x"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], NO_NULL)
        assert edge_set(store, "near-duplicate") == {("a", "b", 2, 2)}
        detect(store, ["near-duplicate"], DetectParams(null_replicates=0, near_dup_threshold=0.95, linking="strict"))
        assert edge_set(store, "near-duplicate") == set()  # the light edit is below 0.95


def test_near_duplicate_components_are_deterministic() -> None:
    from lockstep.traces.near_duplicates import _components

    assert _components([(5, 3), (3, 9), (2, 4)]) == {2: 2, 3: 3, 4: 2, 5: 3, 9: 3}


def test_co_hashtag_and_co_domain_and_exact_co_media(tmp_path: Path) -> None:
    rows = [
        post("a", "10:00:00", hashtags="['Unity']", urls="['https://news.example.org/1']", media="['pdq:aa']"),
        post(
            "b",
            "10:00:30",
            hashtags="['unity']",
            urls="['https://www.news.example.org/2?utm_source=x']",
            media="['pdq:aa']",
        ),
        post("a", "11:00:00", hashtags="['Peace']", urls="['https://t.co/abc']", media="['img:1']"),
        post("b", "11:00:20", hashtags="['PEACE']", urls="['https://t.co/xyz']", media="['img:1']"),
        post("c", "11:05:00", hashtags="['Peace']", urls="['https://t.co/xyz']", media="['img:1']"),  # 280 s late
        post("a", "12:00:00", hashtags="[]", urls="['']", media="[]", kind="repost", repost_of="9"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["co-hashtag", "co-domain", "co-media"], DetectParams(null_replicates=0, min_shared_items=1))
        assert edge_set(store, "co-hashtag") == {("a", "b", 2, 2)}  # case-folded, the late one out of window
        # t.co is a shortener, excluded from co-domain; news.example.org is shared once
        assert edge_set(store, "co-domain") == {("a", "b", 1, 1)}
        assert edge_set(store, "co-media") == {("a", "b", 2, 2)}
        ev = {(e.trace, e.item) for e in evidence(store, "a", "b")}
        assert ev == {
            ("co-hashtag", "unity"),
            ("co-hashtag", "peace"),
            ("co-domain", "example.org"),
            ("co-media", "pdq:aa"),
            ("co-media", "img:1"),
        }


def test_auto_window_on_minute_timestamps_is_one_minute_wide_and_said(tmp_path: Path) -> None:
    # Minute-truncated times: every shared item is retweeted in the same clock minute, so CooRnet's estimate is
    # 0 s (floored to 1 s before); the window becomes one minute-wide bucket and the summary says so.
    rows = [post(a, f"10:0{k}:00", kind="repost", repost_of=f"p{k}") for k in range(4) for a in "ab"]
    with make_store(tmp_path, rows) as store:
        report = detect(store, ["co-retweet"], DetectParams(window_s="auto", null_replicates=0, linking="strict"))
        (t,) = report.traces
        assert t.window_s == 60.0
        assert t.note is not None and "minute-resolution" in t.note
        assert "note: --window auto: timestamps are minute-resolution" in report.summary()
        assert edge_set(store, "co-retweet") == {("a", "b", 4, 4)}


def test_auto_window_falls_back_per_trace_instead_of_failing(tmp_path: Path) -> None:
    # No retweet at all: co-retweet cannot estimate a window; it falls back to its default with a note, and
    # co-text (which can) still runs with its own estimate.
    rows = [post(a, f"10:00:{s:02d}", text="the same words here") for a, s in (("a", 1), ("b", 3), ("c", 9))]
    with make_store(tmp_path, rows) as store:
        report = detect(
            store, ["co-retweet", "co-text"], DetectParams(window_s="auto", null_replicates=0, linking="strict")
        )
        by_name = {t.trace: t for t in report.traces}
        assert by_name["co-retweet"].note is not None and "default" in by_name["co-retweet"].note
        assert by_name["co-retweet"].window_s == get_trace("co-retweet").default_window_s
        assert by_name["co-text"].note is None and by_name["co-text"].window_s is not None
