"""Top-term word counts: the split fast path for plain ASCII texts counts exactly what the term pattern does."""

from __future__ import annotations

import random

import duckdb

from lockstep.campaigns.terms import STOPWORDS, TERM_PATTERN, term_counts

TEXTS = [
    "Buy NOW buy now",
    "  double  spaces and   the   stop words  ",
    "9abc _abc 12_ab3 ab a1 abc_ __x1y a_b 1ab 12345 _ab",
    "http https httpx xhttp Http://example.org/x www.example.org",
    "Ünïcode wörds gehen DURCH das Muster, ça va?",
    "emoji 🚀 rocket #tag @someone don't 3.14",
    "日本語のテキスト and ASCII",
    "tab\tseparated\nnew line",
    "",
    None,
]


def _reference(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    """The counts as the pattern alone gives them (the query before the split fast path)."""
    stop = ", ".join("'" + w + "'" for w in sorted(STOPWORDS))
    return con.execute(
        f"""SELECT community, word, count(*) AS n FROM (
              SELECT community, lower(unnest(regexp_extract_all(coalesce(text, ''), '{TERM_PATTERN}'))) AS word
              FROM src)
            WHERE word NOT IN ({stop}) AND NOT starts_with(word, 'http') GROUP BY ALL ORDER BY ALL"""
    ).fetchall()


def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcXYZ019_  " * 3 + "é-.'#"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(n)]


def test_split_fast_path_counts_what_the_pattern_extracts() -> None:
    con = duckdb.connect()
    texts = TEXTS + _random_texts(seed=5, n=2000)
    con.execute("CREATE TABLE src (community BIGINT, text VARCHAR)")
    con.executemany("INSERT INTO src VALUES (?, ?)", [(i % 3, t) for i, t in enumerate(texts)])
    term_counts(con, "SELECT community, text FROM src", "counted")
    got = con.execute("SELECT community, word, n FROM counted ORDER BY ALL").fetchall()
    expected = _reference(con)
    assert got == expected
    words = {w for _, w, _ in got}
    assert {"abc", "buy", "now", "wörds", "ünïcode", "ab3", "x1y", "rocket"} <= words
    assert not words & {"ab", "the", "and", "http", "https", "httpx"}
