"""Near-duplicate text clusters by MinHash LSH, computed in the engine (no per-post Python).

Lightly edited copypasta (a word swapped, a hashtag added) defeats exact co-text. Each post's text becomes a
set of word tokens (normalised as for exact co-text: case, URLs, mentions and emoji removed); two posts are
near-duplicates when the Jaccard similarity of their token sets is at least ``threshold`` (default 0.8, the
QUT toolkit's ``co_similar_tweet`` comparison). Finding them is sub-quadratic:

1. identical token sets collapse to one *distinct set* first (copypasta is mostly exact copies);
2. each distinct set gets ``bands x rows`` MinHash values (``min hash(token, seed_k)`` over its tokens, with
   DuckDB's hash and seeds derived from the run's ``seed``), and sets sharing any band key are candidates
   (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3). With 12 bands of 4 rows,
   a pair at Jaccard 0.8 becomes a candidate with probability 0.998, at 0.5 with 0.54, at 0.3 with 0.09;
3. candidates are verified with the exact Jaccard of their token sets; a band bucket holding more than
   ``BUCKET_CAP`` sets compares each member with the bucket's first set only (linear, not quadratic);
4. verified pairs are joined into clusters (connected components, union-find): single linkage, so a chain
   A~B~C puts A and C in one cluster even when they are less similar than the threshold. The cluster is the
   item of the ``near-duplicate`` trace.

Texts with fewer than ``min_tokens`` distinct tokens are left out (one hashtag and a mention match by chance).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from lockstep.normalize.text import normalize_text_sql

BANDS = 12
ROWS = 4
BUCKET_CAP = 200
TOKEN_PATTERN = r"[\p{L}\p{N}_#]+"


def build_clusters(con: duckdb.DuckDBPyConnection, params: Any) -> None:
    """Create temp table ``near_dup_clusters(platform, post_id, cluster)`` for every eligible post."""
    threshold = float(params.near_dup_threshold)
    min_tokens = int(params.near_dup_min_tokens)
    seed = int(params.seed)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_posts AS
        SELECT platform, post_id,
               list_sort(list_distinct(regexp_extract_all({normalize_text_sql("text")}, '{TOKEN_PATTERN}')))
                 AS toks
        FROM posts WHERE kind <> 'repost' AND text IS NOT NULL"""
    )
    con.execute(f"DELETE FROM nd_posts WHERE len(toks) < {min_tokens}")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_sets AS
        SELECT row_number() OVER (ORDER BY platform, toks) AS set_id, platform, toks
        FROM (SELECT DISTINCT platform, toks FROM nd_posts)"""
    )
    mins = ", ".join(
        f"list_min(list_transform(toks, lambda t: hash(t, {seed * 1009 + k})))" for k in range(BANDS * ROWS)
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE nd_sig AS SELECT set_id, platform, [{mins}] AS sig FROM nd_sets")
    keys = ", ".join(f"hash(sig[{b * ROWS + 1}:{(b + 1) * ROWS}])" for b in range(BANDS))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_bands AS
        SELECT set_id, platform, unnest(range({BANDS})) AS band, unnest([{keys}]) AS bkey FROM nd_sig"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_candidates AS
        WITH sized AS (SELECT *, count(*) OVER (PARTITION BY platform, band, bkey) AS n,
                              min(set_id) OVER (PARTITION BY platform, band, bkey) AS first_id
                       FROM nd_bands),
        small AS (SELECT x.set_id AS a, y.set_id AS b FROM sized x JOIN sized y
                  ON x.platform = y.platform AND x.band = y.band AND x.bkey = y.bkey
                  WHERE x.n > 1 AND x.n <= {BUCKET_CAP} AND x.set_id < y.set_id),
        big AS (SELECT first_id AS a, set_id AS b FROM sized WHERE n > {BUCKET_CAP} AND set_id <> first_id)
        SELECT DISTINCT a, b FROM (SELECT * FROM small UNION ALL SELECT * FROM big)"""
    )
    pairs = con.execute(
        f"""SELECT c.a, c.b FROM nd_candidates c
        JOIN nd_sets sa ON sa.set_id = c.a JOIN nd_sets sb ON sb.set_id = c.b
        WHERE len(list_intersect(sa.toks, sb.toks)) >= {threshold!r}
              * (len(sa.toks) + len(sb.toks) - len(list_intersect(sa.toks, sb.toks)))"""
    ).fetchall()
    roots = _components(pairs)
    table = pa.table({"set_id": pa.array(list(roots), pa.int64()), "root": pa.array(list(roots.values()), pa.int64())})
    con.register("_nd_roots", table)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE near_dup_clusters AS
        SELECT p.platform, p.post_id, 'nd:' || CAST(coalesce(r.root, s.set_id) AS VARCHAR) AS cluster
        FROM nd_posts p JOIN nd_sets s ON s.platform = p.platform AND s.toks = p.toks
        LEFT JOIN _nd_roots r ON r.set_id = s.set_id"""
    )
    con.unregister("_nd_roots")
    for t in ("nd_posts", "nd_sets", "nd_sig", "nd_bands", "nd_candidates"):
        con.execute(f"DROP TABLE {t}")


def _components(pairs: list[tuple[int, int]]) -> dict[int, int]:
    """Union-find: each set id in ``pairs`` -> the smallest id of its connected component.

    Examples:
        >>> _components([(1, 2), (2, 3), (7, 9)])
        {1: 1, 2: 1, 3: 1, 7: 7, 9: 7}
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in sorted(parent)}
