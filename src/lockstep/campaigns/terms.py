"""Word counts behind a campaign's top terms: its own original posts, and the rest of the store as background.

A term is a letter followed by two or more letters, digits or underscores (:data:`TERM_PATTERN`), lower-cased,
minus stop words and anything starting with ``http``. A campaign's terms are scored by the log-odds ratio
of their frequency in its posts against the rest of the store, with 0.5 added to every count (the smoothed
log-odds of Monroe, Colaresi & Quinn 2008, "Fightin' Words", section 3.3), in
:mod:`lockstep.campaigns.assemble`.

Tokenising every original post of the store with the regex was most of ``analyze`` at 10M posts (4M texts:
91 of 108 s of the campaign step under load; about 5 us of CPU a text). Campaign posts are still counted
exactly, and so is the rest of the store up to ``sample`` posts; above that the background counts are
estimated from a seeded sample (:func:`count_words`). Splitting ASCII texts in Python instead
(``str.translate`` and ``str.split``, then a ``Counter``) was tried and cost more CPU than the regex in
DuckDB (2.4 against 1.7 s for the 319k campaign texts of the 1M benchmark world).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "as",
        "not",
        "no",
        "but",
        "if",
        "so",
        "do",
        "does",
        "did",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "its",
        "i",
        "me",
        "my",
        "rt",
        "amp",
        "via",
        "just",
        "will",
        "can",
        "all",
        "has",
        "have",
        "had",
        "more",
        "than",
        "what",
        "who",
        "how",
        "why",
        "when",
        "where",
        "about",
        "out",
        "up",
        "new",
        "get",
        "one",
        "two",
    ]
)

#: A term: a letter, then two or more letters, digits or underscores (lower-cased once extracted).
TERM_PATTERN = "[\\p{L}][\\p{L}\\p{N}_]{2,}"

#: Background posts (originals outside every campaign) above which top-term baselines come from a sample.
TERM_SAMPLE = 1_000_000


@dataclass(frozen=True)
class TermBackground:
    """The posts a campaign's top terms were scored against: the store's original posts outside campaigns.

    ``sampled == posts`` means every one was counted (exact); otherwise ``sampled`` of them, drawn by a
    seeded hash of the post id, and their word counts were scaled by ``posts / sampled``.
    """

    posts: int
    sampled: int
    seed: int

    @property
    def exact(self) -> bool:
        """Whether every background post was counted."""
        return self.sampled == self.posts


def count_words(con: Any, seed: int, sample: int) -> TermBackground:
    """Write ``camp_words`` (community, word, n) and ``camp_word_totals`` (word, n: over every original post).

    Needs ``camp_members`` and ``camp_posts`` (:func:`lockstep.campaigns.assemble.assemble_campaigns`).
    Campaign members' original posts are counted exactly. The rest of the store (originals by accounts in
    no campaign) is counted exactly when it holds at most ``sample`` posts; above that, about ``sample``
    are drawn (Bernoulli, by a hash of post id, platform and ``seed``: the same posts for the same store and
    seed whatever the thread count) and each word's count is scaled by posts / drawn. That estimate of a
    word's background count ``b`` is unbiased, with a relative standard error of about
    ``sqrt((1 - f) / (f * b))`` for the drawn fraction ``f``; a campaign's total over its vocabulary is
    near exact.
    """
    term_counts(con, "SELECT community, text FROM camp_posts WHERE kind <> 'repost'", "camp_words")
    rest = """FROM posts p ANTI JOIN camp_members m ON m.platform = p.platform AND m.account_id = p.account_id
              WHERE p.kind <> 'repost'"""
    row = con.execute(f"SELECT count(*) {rest}").fetchone()
    posts = int(row[0]) if row else 0
    scale = ""
    if posts <= sample:
        drawn = posts
        term_counts(con, f"SELECT 0 AS community, p.text {rest}", "camp_rest_words")
    else:
        cut = int(sample / posts * 2**64)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE camp_rest_sample AS SELECT 0 AS community, p.text {rest}
                AND hash(p.post_id, p.platform, {int(seed)}) < {cut}::UBIGINT"""
        )
        row = con.execute("SELECT count(*) FROM camp_rest_sample").fetchone()
        drawn = int(row[0]) if row else 0
        term_counts(con, "SELECT * FROM camp_rest_sample", "camp_rest_words")
        con.execute("DROP TABLE camp_rest_sample")
        scale = f" * {posts / max(1, drawn)!r}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE camp_word_totals AS SELECT word, sum(n) AS n FROM (
             SELECT word, n FROM camp_words
             UNION ALL SELECT word, n{scale} FROM camp_rest_words SEMI JOIN camp_words USING (word))
           GROUP BY word"""
    )
    con.execute("DROP TABLE camp_rest_words")
    return TermBackground(posts=posts, sampled=drawn, seed=int(seed))


def term_counts(con: Any, source: str, table: str) -> None:
    """Write temp table ``table`` (community, word, n): the terms of ``source``'s (community, text) rows.

    A text made only of ASCII letters, digits, underscores and spaces (most texts) is split at its spaces
    instead of going through :data:`TERM_PATTERN`: there a term is each space-free chunk from its first letter
    on, when that is three characters or more, exactly what the pattern extracts (a chunk's characters all
    continue a term). Stop words and ``http`` are dropped after counting, per distinct word: DuckDB otherwise
    evaluates the word expression once per test and probes the stop-word list for every word (measured on
    1M texts of 11.5M words: 5.4 s of CPU before, 2.0-2.5 s now, identical counts).
    """
    stop = ", ".join("'" + w + "'" for w in sorted(STOPWORDS))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        WITH counted AS MATERIALIZED (
          SELECT community, word, count(*) AS n FROM (
            -- a pattern match starts with a letter, lower-cased >= 'a' (ASCII a-z, or a UTF-8 lead byte); a
            -- chunk that does not starts with a digit or '_' (or is empty): its term starts at its first letter
            SELECT community, CASE WHEN w >= 'a' THEN w ELSE regexp_extract(w, '[a-z][a-z0-9_]*') END AS word
            FROM (SELECT community,
                         lower(unnest(CASE WHEN regexp_full_match(text, '[A-Za-z0-9_ ]*') THEN string_split(text, ' ')
                                           ELSE regexp_extract_all(coalesce(text, ''), '{TERM_PATTERN}') END)) AS w
                  FROM ({source})))
          GROUP BY ALL)
        SELECT community, word, n FROM counted
        WHERE strlen(word) >= 3 AND word NOT IN ({stop}) AND NOT starts_with(word, 'http')"""
    )
