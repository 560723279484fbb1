"""Near-duplicate trace: verified pairs (no chaining), the short-text rule, cap reporting, CNT's tokens, and
agreement with a brute-force Jaccard over every pair of posts on a seeded random corpus."""

from __future__ import annotations

import datetime as dt
import random
from itertools import combinations
from pathlib import Path

import duckdb
from click.testing import CliRunner

from lockstep.cli import cli
from lockstep.store import Store
from lockstep.traces import DetectParams, detect
from lockstep.traces.near_duplicates import (
    annotate_report,
    last_stats,
    prefix_length,
    token_hash_lists_sql,
    token_rows_sql,
    token_sets,
)
from lockstep.traces.queries import edges
from tests.test_traces import make_store, post

ANY_PAIR = DetectParams(null_replicates=0, min_shared_items=1, linking="strict", max_item_accounts=10**6)
WORDS12 = [f"word{i}" for i in range(1, 13)]


def pairs(store: Store) -> set[tuple[str, str]]:
    return {(e.account_a, e.account_b) for e in edges(store, trace="near-duplicate", limit=100_000)}


def test_no_chaining_a_b_and_b_c_similar_a_c_not(tmp_path: Path) -> None:
    a = " ".join(WORDS12)
    b = a + " extra1"  # J(a, b) = 12/13
    c = " ".join(WORDS12[1:]) + " extra1 extra2"  # J(b, c) = 12/14, J(a, c) = 11/14 < 0.8
    rows = [post("A", "10:00:00", text=a), post("B", "10:00:10", text=b), post("C", "10:00:20", text=c)]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], ANY_PAIR)
        assert pairs(store) == {("A", "B"), ("B", "C")}
        stats = last_stats(store.con)
        assert stats is not None
        assert (stats.candidate_pairs, stats.verified_pairs, stats.post_pairs) == (3, 2, 2)


def test_pairs_outside_the_window_do_not_link(tmp_path: Path) -> None:
    a = " ".join(WORDS12)
    rows = [post("A", "10:00:00", text=a), post("B", "10:01:01", text=a + " extra1")]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], ANY_PAIR)
        assert pairs(store) == set()
        detect(store, ["near-duplicate"], DetectParams(**{**ANY_PAIR.__dict__, "window_s": 61}))
        assert pairs(store) == {("A", "B")}


def test_short_texts_are_counted_and_the_rule_is_an_option(tmp_path: Path) -> None:
    rows = [post("A", "10:00:00", text="good morning all"), post("B", "10:00:05", text="Good morning, all")]
    with make_store(tmp_path, rows) as store:
        report = detect(store, ["near-duplicate"], ANY_PAIR)  # default: at least 5 tokens
        assert pairs(store) == set()
        stats = last_stats(store.con)
        assert stats is not None and (stats.texts, stats.short_texts, stats.min_tokens) == (2, 2, 5)
        annotate_report(store.con, report)
        assert "2 of 2 texts under 5 tokens not compared" in report.summary()
        # "good morning all" vs "good morning , all": 3 of 4 tokens, J = 0.75; the exact copy links.
        rows_params = DetectParams(**{**ANY_PAIR.__dict__, "near_dup_min_tokens": 1, "near_dup_threshold": 0.75})
        detect(store, ["near-duplicate"], rows_params)
        assert pairs(store) == {("A", "B")}
        assert last_stats(store.con).short_texts == 0  # type: ignore[union-attr]


def test_cli_flag_sets_the_short_text_rule_and_reports_it(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(
        "post_id,account_id,created_at,text\n"
        "1,a,2024-01-01 10:00:00,buy now please\n2,b,2024-01-01 10:00:30,buy now please\n"
        "3,a,2024-01-01 12:00:00,buy now please\n4,b,2024-01-01 12:00:30,buy now please\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(src), "--format", "generic", "--db", db, "-q"]).exit_code == 0
    base = ["detect", "--trace", "near-duplicate", "--null-replicates", "0", "--min-shared", "1", "--db", db]
    res = runner.invoke(cli, base)
    assert res.exit_code == 0, res.output
    assert "4 of 4 texts under 5 tokens not compared" in res.stderr
    assert "-> 0 edges" in res.stderr
    res = runner.invoke(cli, [*base, "--near-dup-min-tokens", "3"])
    assert res.exit_code == 0, res.output
    assert "0 of 4 texts under 3 tokens not compared" in res.stderr
    assert "-> 1 edges" in res.stderr


def test_bucket_cap_is_reported_with_the_dropped_candidates(tmp_path: Path) -> None:
    base = " ".join(WORDS12)
    rows = [post(f"acct{i}", f"10:00:{i:02d}", text=f"{base} extra{i}") for i in range(6)]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], ANY_PAIR)
        full = pairs(store)
        assert len(full) == 15  # six variants, pairwise J = 12/14
        uncapped = last_stats(store.con)
        assert uncapped is not None and uncapped.capped_buckets == 0
        report = detect(store, ["near-duplicate"], DetectParams(**{**ANY_PAIR.__dict__, "near_dup_bucket_cap": 3}))
        stats = last_stats(store.con)
        assert stats is not None
        assert stats.capped_buckets > 0 and stats.skipped_candidates >= 15
        assert pairs(store) < full
        annotate_report(store.con, report)
        assert f"{stats.capped_buckets:,} prefix buckets over 3 texts skipped" in report.summary()


def test_viral_text_pairs_are_counted_not_paired(tmp_path: Path) -> None:
    a = " ".join(WORDS12)
    rows = [post(f"x{i}", f"10:00:0{i}", text=a) for i in range(3)] + [post("y", "10:00:05", text=a + " extra")]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], DetectParams(**{**ANY_PAIR.__dict__, "max_item_accounts": 3}))
        stats = last_stats(store.con)
        assert stats is not None and stats.viral_pairs == 1
        assert pairs(store) == {("x0", "x1"), ("x0", "x2"), ("x1", "x2")}  # the exact copies still pair


def _random_corpus(seed: int) -> list[tuple[str, int, str]]:
    """(account, seconds after 10:00, text): copies, light edits and unrelated texts from a small vocabulary."""
    rng = random.Random(seed)
    vocab = [f"v{i}" for i in range(40)]
    templates = [rng.sample(vocab, rng.randrange(3, 14)) for _ in range(25)]
    out = []
    for i in range(260):
        words = list(rng.choice(templates))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            op = rng.randrange(3)
            if op == 0:
                words.append(rng.choice(vocab))
            elif op == 1 and len(words) > 1:
                words.pop(rng.randrange(len(words)))
            else:
                words[rng.randrange(len(words))] = rng.choice(vocab)
        out.append((f"u{rng.randrange(40)}", rng.randrange(1800), " ".join(words)))
        del i
    return out


def _brute_force(corpus: list[tuple[str, int, str]], window: float | None, min_tokens: int) -> set[tuple[str, str]]:
    found = set()
    for (acc1, t1, x1), (acc2, t2, x2) in combinations(corpus, 2):
        s1, s2 = set(x1.split()), set(x2.split())
        if acc1 == acc2 or len(s1) < min_tokens or len(s2) < min_tokens:
            continue
        if (window is None or abs(t1 - t2) <= window) and len(s1 & s2) / len(s1 | s2) >= 0.8:
            found.add((min(acc1, acc2), max(acc1, acc2)))
    return found


def test_agrees_with_brute_force_jaccard_on_a_random_corpus(tmp_path: Path) -> None:
    corpus = _random_corpus(seed=7)
    start = dt.datetime(2024, 3, 1, 10)
    rows = [post(a, (start + dt.timedelta(seconds=s)).strftime("%H:%M:%S"), text=x) for a, s, x in corpus]
    with make_store(tmp_path, rows) as store:
        for window, min_tokens in ((60, 5), (60, 1), (300, 3), (None, 5)):
            params = {**ANY_PAIR.__dict__, "window_s": window if window else "none", "near_dup_min_tokens": min_tokens}
            detect(store, ["near-duplicate"], DetectParams(**params))
            expected = _brute_force(corpus, window, min_tokens)
            assert expected, "the corpus must contain near-duplicates"
            assert pairs(store) == expected, (window, min_tokens)


def test_long_and_short_texts_verify_alike(tmp_path: Path) -> None:
    """Texts around 64 distinct tokens, where verification switches from a scan to ``list_intersect``: both
    count the same intersection (checked against brute force, edits straddling the threshold)."""
    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(400)]
    corpus = []
    for k in range(30):
        base = rng.sample(vocab, rng.randrange(55, 75))
        for j in range(4):
            words = list(base)
            for _ in range(rng.randrange(0, 14)):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            corpus.append((f"u{4 * k + j}", rng.randrange(600), " ".join(words)))
    start = dt.datetime(2024, 3, 1, 10)
    rows = [post(a, (start + dt.timedelta(seconds=s)).strftime("%H:%M:%S"), text=x) for a, s, x in corpus]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], DetectParams(**{**ANY_PAIR.__dict__, "window_s": "none"}))
        expected = _brute_force(corpus, None, 5)
        assert len(expected) > 10
        assert pairs(store) == expected


def test_token_hash_lists_are_the_token_rows_hashed() -> None:
    # The trace builds each text's sorted distinct token hashes as a list (plain texts split in place, others
    # through the token rows); they must be exactly the hashes of token_rows_sql's tokens, whatever the text.
    texts = [x for _, _, x in _random_corpus(seed=11)] + [
        "",
        "   ",
        "Hello @user, don't e.g. 3.14!! 👩\u200d🔬 团结就是力量 カタカナ",
        "plain words only",
        "UPPER case Words",
        "a  b\tc\n",
        "@only @mentions",
    ]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (pid BIGINT, text VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
    rows = con.execute(
        "SELECT pid, list_sort(list(DISTINCT hash(tok))) "
        f"FROM ({token_rows_sql('SELECT pid, text FROM t')}) GROUP BY pid"
    ).fetchall()
    expected = {int(pid): list(hs) for pid, hs in rows}
    got = {int(pid): list(hs) for pid, hs in con.execute(token_hash_lists_sql("SELECT pid, text FROM t")).fetchall()}
    assert got == {i: expected.get(i, []) for i in range(len(texts))}
    n = len(texts)
    assert got[n - 7] == [] and got[n - 6] == [] and len(got[n - 4]) == 3  # '', '   ', 'plain words only'


def test_tokens_follow_cnt() -> None:
    # Expected sets are CNT 1.5.2's tokenize() output (coordination_network_toolkit.similarity) on these texts.
    cases = {
        "the great #peace day!": {"!", "#", "day", "great", "peace", "the"},
        "don't e.g. 3.14 1,000 a.1 foo_bar x:y 'orange'": {
            ".",
            "1",
            "1,000",
            "3.14",
            "a",
            "don't",
            "e.g",
            "foo_bar",
            "orange",
            "x:y",
        },
        "see https://site1.example.org/a/5 now @user": {
            ".",
            "/",
            "5",
            ":",
            "a",
            "example.org",
            "https",
            "now",
            "see",
            "site1",
        },
        "中文字 カタカナ emoji 😀😀 👍🏽 🇺🇸": {"中", "文", "字", "カタカナ", "emoji", "😀", "👍🏽", "🇺🇸"},
        "RT @x: Second HERE!! a-b": {"rt", "second", "here", "!", "a", "-", "b"},
    }
    got = token_sets(duckdb.connect(), list(cases))
    for (text, expected), mine in zip(cases.items(), got, strict=True):
        assert mine == expected, text


def test_prefix_length_never_shorter_than_the_overlap_bound() -> None:
    for n in range(1, 60):
        for t in (0.5, 0.6, 0.75, 0.8, 0.9, 1.0):
            p = prefix_length(n, t)
            # any set with J >= t overlaps in at least n - p + 1 tokens: check the bound on the tightest case
            need = min(k for k in range(n + 1) if k / n >= t - 1e-12)
            assert p >= n - need + 1


def test_long_texts_get_their_whole_prefix(tmp_path: Path) -> None:
    # 400 distinct tokens need a prefix of 81 at Jaccard 0.8, more than the first pass keeps (64).
    long_text = " ".join(f"t{i}" for i in range(400))
    edited = long_text.replace("t7 ", "x7 ").replace("t300 ", "x300 ")  # J = 398 / 402
    rows = [post("A", "10:00:00", text=long_text), post("B", "10:00:30", text=edited)]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], ANY_PAIR)
        assert pairs(store) == {("A", "B")}


def test_one_edited_copy_does_not_link_under_default_rarity_linking(tmp_path: Path) -> None:
    """Each edited pair is its own item (shared by exactly two accounts), so rarity would call every one rare:
    the trace opts out of rarity linking and needs two distinct near-duplicate items, as strict linking does."""
    a = " ".join(WORDS12)
    b = " ".join(f"other{i}" for i in range(12))
    one = [post("A", "10:00:00", text=a), post("B", "10:00:10", text=a + " extra1")]
    two = [*one, post("A", "11:00:00", text=b), post("B", "11:00:10", text=b + " extra2")]
    defaults = DetectParams(null_replicates=0)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with make_store(tmp_path / "one", one) as store:
        detect(store, ["near-duplicate"], defaults)
        assert pairs(store) == set()
    with make_store(tmp_path / "two", two) as store:
        detect(store, ["near-duplicate"], defaults)
        assert pairs(store) == {("A", "B")}


def test_a_text_posted_in_several_time_buckets_is_a_candidate_in_each(tmp_path: Path) -> None:
    # One token set posted 30 minutes apart (two time buckets): its edited copy next to the later post pairs
    # with that post only; the candidate pair of the two texts is counted once.
    a = " ".join(WORDS12)
    rows = [
        post("A", "10:00:00", text=a),
        post("B", "10:30:00", text=a),
        post("C", "10:30:20", text=a + " extra1"),
    ]
    with make_store(tmp_path, rows) as store:
        detect(store, ["near-duplicate"], ANY_PAIR)
        assert pairs(store) == {("B", "C")}
        stats = last_stats(store.con)
        assert stats is not None
        assert (stats.distinct_texts, stats.candidate_pairs, stats.verified_pairs, stats.post_pairs) == (2, 1, 1, 1)


def test_the_signature_bound_and_the_plain_verification_find_the_same_pairs(tmp_path: Path) -> None:
    """Both verification paths agree with brute force: on the random corpus with no window every text is
    compared (candidates outnumber texts twice over, so signatures bound the overlap first); with a 5 s window
    few texts are (no signatures)."""
    corpus = _random_corpus(seed=3)
    start = dt.datetime(2024, 3, 1, 10)
    rows = [post(a, (start + dt.timedelta(seconds=s)).strftime("%H:%M:%S"), text=x) for a, s, x in corpus]
    with make_store(tmp_path, rows) as store:
        for window in (None, 5):
            params = {**ANY_PAIR.__dict__, "window_s": window if window else "none", "near_dup_min_tokens": 1}
            detect(store, ["near-duplicate"], DetectParams(**params))
            stats = last_stats(store.con)
            assert stats is not None
            assert (stats.candidate_pairs > 2 * stats.distinct_texts) == (window is None), (window, stats)
            expected = _brute_force(corpus, window, 1)
            assert expected and pairs(store) == expected, window
