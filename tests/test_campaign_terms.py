"""Campaign top terms: exact log-odds against the rest of the store, and the seeded sample above a size.

The small world of ``worlds.py`` plus 40 readers who post original texts and coordinate on nothing: the fans'
campaign chants "streaming now #TSTheErasTour", and the readers use some of the same words, so the terms'
scores depend on the background counts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from lockstep.analysis import analyze
from lockstep.campaigns.assemble import STOPWORDS, assemble_campaigns
from lockstep.store import Store

from .worlds import FANS, build_world_store

VOCAB = ["streaming", "tonight", "weather", "coffee", "garden", "train", "music", "erasday3", "football", "bread"]


def readers(seed: int = 11) -> list[dict[str, str]]:
    """400 original posts by 40 accounts at random times over two weeks; no hashtags, reposts or links."""
    rng = random.Random(seed)
    start = dt.datetime(2023, 3, 6)
    return [
        {
            "account_id": f"reader_{i % 40}",
            "handle": f"reader_{i % 40}",
            "created_at": (start + dt.timedelta(seconds=rng.randrange(14 * 86400))).strftime("%Y-%m-%d %H:%M:%S"),
            "followers": "120",
            "account_created_at": "2016-04-01",
            "kind": "original",
            "text": " ".join(rng.choices(VOCAB, k=rng.randrange(3, 9))),
        }
        for i in range(400)
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return build_world_store(tmp_path_factory.mktemp("terms"), extra_rows=readers())


def fans_summary(store: Store) -> dict[str, object]:
    row = store.con.execute(
        "SELECT c.summary FROM campaigns c JOIN account_scores s ON s.community = c.campaign WHERE s.account_id = ?",
        [FANS[0]],
    ).fetchone()
    assert row is not None
    return dict(json.loads(row[0]))


def expected_terms(store: Store, top: int = 10) -> list[list[object]]:
    """The fans' top terms recomputed in Python from every original post (the exact definition)."""
    members = {
        (p, a)
        for p, a in store.con.execute(
            "SELECT platform, account_id FROM account_scores WHERE community = "
            "(SELECT community FROM account_scores WHERE account_id = ?)",
            [FANS[0]],
        ).fetchall()
    }
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    for platform, account, text in store.con.execute(
        "SELECT platform, account_id, text FROM posts WHERE kind <> 'repost'"
    ).fetchall():
        words = [w.lower() for w in re.findall(r"[^\W\d_]\w{2,}", text or "")]
        words = [w for w in words if w not in STOPWORDS and not w.startswith("http")]
        (inside if (platform, account) in members else outside).update(words)
    ta = sum(inside.values())
    tb = sum(outside[w] for w in inside)
    scored = [
        (w, a, math.log((a + 0.5) / (ta - a + 0.5)) - math.log((outside[w] + 0.5) / (tb - outside[w] + 0.5)))
        for w, a in inside.items()
        if a >= 3
    ]
    scored.sort(key=lambda r: (-r[2], -r[1], r[0]))
    return [[w, a, round(s, 3)] for w, a, s in scored[:top]]


def test_top_terms_are_exact_below_the_sample_size(store: Store) -> None:
    report = assemble_campaigns(store, seed=3)
    assert report.term_background is not None and report.term_background.exact
    assert report.term_background.posts == 400  # the readers' posts: every other original is a campaign's
    summary = fans_summary(store)
    content = summary["content"]
    assert isinstance(content, dict)
    assert content["top_terms"] == expected_terms(store)
    assert {t[0] for t in content["top_terms"][:2]} == {"now", "tstheerastour"}  # the readers never use them
    assert "top_terms_background" not in content


def test_top_terms_from_a_seeded_sample_above_it(store: Store) -> None:
    assemble_campaigns(store, seed=3)
    exact = fans_summary(store)
    first = assemble_campaigns(store, seed=3, term_sample=100)
    bg = first.term_background
    assert bg is not None and not bg.exact
    assert bg.posts == 400 and 50 <= bg.sampled <= 150  # a Bernoulli draw of about 100 posts
    sampled = fans_summary(store)
    content, exact_content = sampled["content"], exact["content"]
    assert isinstance(content, dict) and isinstance(exact_content, dict)
    assert content["top_terms_background"] == {"posts": 400, "sampled": bg.sampled, "seed": 3}
    # campaign counts stay exact; only the background counts are estimated
    assert {w: a for w, a, _ in content["top_terms"]} == {w: a for w, a, _ in exact_content["top_terms"]}
    assert {t[0] for t in content["top_terms"][:2]} == {"now", "tstheerastour"}
    # the same seed draws the same posts
    assemble_campaigns(store, seed=3, term_sample=100)
    assert fans_summary(store) == sampled
    # every other part of the summary is unchanged
    rest = {k: v for k, v in content.items() if k not in ("top_terms", "top_terms_background")}
    assert rest == {k: v for k, v in exact_content.items() if k != "top_terms"}


def test_analysis_report_times_each_step(tmp_path: Path, store: Store) -> None:
    report = analyze(store, seed=3, tz_offset_hours=8)
    assert list(report.seconds) == ["fuse", "communities", "signals", "campaigns"]
    assert all(s >= 0 for s in report.seconds.values())
    assert report.term_background is not None and report.term_background.exact
    assert "campaigns (fuse " in report.summary() and "sample" not in report.summary()
