"""Near-duplicate posts: pairs of texts whose own Jaccard similarity passes the threshold, within the window.

Lightly edited copypasta (a word swapped, a hashtag added) defeats exact co-text. Two posts are
near-duplicates when the Jaccard similarity of their token sets is at least ``threshold`` (default 0.8), the
comparison of the QUT coordination-network-toolkit's ``co_similar_tweet`` (Graham et al.; CNT 1.5.2, MIT):
tokens are CNT's, i.e. the text lower-cased, ``@mentions`` removed, then split at Unicode default word
boundaries (UAX #29: ``don't``, ``3.14`` and ``example.org`` stay whole, every punctuation mark and emoji is a
token of its own, each Han, Hiragana or Thai character is a token). :func:`token_set_sql` builds that set as
a DuckDB expression; a test checks it against CNT's tokenizer.

Every edge rests on one verified pair of posts, never on a chain: A~B and B~C do not link A and C unless A
and C are themselves similar (single-linkage clusters did, and added edges between texts of Jaccard 0.6).
Finding the pairs is sub-quadratic and exact, all in the engine:

1. identical token sets collapse to one *text* (copypasta is mostly exact copies);
2. **prefix filtering** (Chaudhuri, Ganti & Kaushik, ICDE 2006; Bayardo, Ma & Srikant, WWW 2007): with the
   tokens of each text in one global order, two texts of ``n`` and ``m`` tokens with Jaccard >= t share at
   least one of their first ``n - ceil(t n) + 1`` tokens. Texts posted in the same or adjacent window-wide time
   buckets that share a prefix token are candidates, so no pair within the window is missed (MinHash LSH
   would miss some, and without the window it compares texts posted weeks apart);
3. each candidate is verified with its exact Jaccard (float division, as CNT does);
4. posts of two verified texts within the window form the pairs.

A prefix-token bucket (one token, one time bucket) holding more than ``bucket_cap`` distinct texts is not
expanded, and a verified pair of texts posted by more than ``max_item_accounts`` accounts together is viral
and not paired, as the engine does for items; both are counted in :class:`NearDupStats` and reported. Texts
under ``min_tokens`` tokens are not compared (counted and reported too).

Items (what the engine pairs on): ``nd:<text>`` for exact copies of one text, and ``nd:<post>~<post>`` for one
verified pair of posts of two different texts, so every co-action the engine forms is a verified one and
each appears once. Everything runs as DuckDB temp tables, so memory stays within the store's limit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

#: The trace's default window (seconds), used when a run does not set one.
DEFAULT_WINDOW_S = 60.0
#: Distinct texts one prefix-token bucket may hold before it is skipped (and reported).
DEFAULT_BUCKET_CAP = 2000

# Characters of the token rules (UAX #29 word boundaries as CNT applies them through the ``regex`` module).
_WS = r"\s\p{Z}\x{85}\x{0B}\x{1C}-\x{1F}"  # what Python's str.split() treats as whitespace
_LET = r"\p{L}\p{M}\x{AD}\x{200C}\x{200D}"  # letters, their marks, soft hyphen, ZWNJ/ZWJ (WB4: Extend, Format)
_DIG = r"\p{Nd}"
_EXT = r"_\x{203F}\x{2040}\x{2054}\x{FE33}\x{FE34}\x{FE4D}-\x{FE4F}\x{FF3F}"  # ExtendNumLet
_MIDNUMLET = r".'\x{2018}\x{2019}\x{2024}\x{FE52}\x{FF07}\x{FF0E}"
_MIDLETTER = r":\x{B7}\x{387}\x{55F}\x{5F4}\x{2027}\x{FE13}\x{FE55}\x{FF1A}" + _MIDNUMLET
_MIDNUM = r",;\x{37E}\x{589}\x{60C}\x{60D}\x{66C}\x{7F8}\x{2044}\x{FE10}\x{FE14}\x{FE50}\x{FE54}\x{FF0C}\x{FF1B}"
_MIDNUM += _MIDNUMLET
_ANY = f"[{_LET}{_DIG}{_EXT}]"
_L, _D = f"[{_LET}]", f"[{_DIG}]"
#: A word (letters, digits and connectors, joined across ``'``, ``.``, ``:`` between letters and ``,``, ``.``
#: between digits), a regional-indicator pair, or one other visible character with its extenders (emoji with
#: skin tone or ZWJ sequence). A lone ASCII apostrophe is never a token (CNT's split pattern swallows it).
TOKEN_PATTERN = (
    f"(?:{_ANY}*(?:{_L}(?:[{_MIDLETTER}]{_L})+|{_D}(?:[{_MIDNUM}]{_D})+))+{_ANY}*|{_ANY}+"
    r"|[\x{1F1E6}-\x{1F1FF}]{2}"
    f"|[^{_WS}'](?:[\\p{{M}}\\x{{1F3FB}}-\\x{{1F3FF}}]|\\x{{200D}}[^{_WS}]?)*"
)
#: Scripts whose characters are tokens one by one (no UAX #29 rule joins them), and Katakana runs (WB13).
_SINGLE_SCRIPTS = r"[\p{Han}\p{Hiragana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}][\p{Mn}\p{Mc}]*"
_KATAKANA = r"[\p{Katakana}\x{30FC}\x{FF70}]+"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def token_set_sql(column: str) -> str:
    """DuckDB expression: the sorted distinct CNT tokens of ``column`` (a ``VARCHAR[]``)."""
    lowered = f"regexp_replace(lower({column}), '@[^{_WS}]*', '', 'g')"
    spaced = f"regexp_replace(regexp_replace({lowered}, {_sql_str(f'({_SINGLE_SCRIPTS})')}, ' \\1 ', 'g'), "
    spaced += f"{_sql_str(f'({_KATAKANA})')}, ' \\1 ', 'g')"
    return f"list_sort(list_distinct(regexp_extract_all({spaced}, {_sql_str(TOKEN_PATTERN)})))"


def prefix_length(n: int, threshold: float) -> int:
    """Tokens of an ``n``-token text that any text with Jaccard >= ``threshold`` must share at least one of.

    A pair with Jaccard >= t has an overlap of at least ``ceil(t n)`` (the union is at least ``n``), so among
    any ``n - ceil(t n) + 1`` of the text's tokens in a fixed global order one is shared. A hair of slack keeps
    float rounding (``0.8 * 15 = 12.000000000000002``) from shortening the prefix.

    Examples:
        >>> [prefix_length(n, 0.8) for n in (1, 4, 5, 12, 15)]
        [1, 1, 2, 3, 4]
    """
    return max(1, min(n, n - math.ceil(threshold * n - 1e-9) + 1))


@dataclass(frozen=True)
class NearDupStats:
    """What the near-duplicate preparation compared, skipped and found (reported with the run)."""

    texts: int  # posts that are not reposts and have text
    short_texts: int  # of which under min_tokens tokens: not compared
    min_tokens: int
    distinct_texts: int
    candidate_pairs: int  # pairs of distinct texts sharing a prefix token in nearby time buckets
    verified_pairs: int  # of which with Jaccard >= threshold
    capped_buckets: int  # prefix-token buckets over bucket_cap distinct texts: not expanded
    skipped_candidates: int  # the candidate comparisons those buckets would have produced (upper bound)
    bucket_cap: int
    viral_pairs: int  # verified pairs of texts with more than max_item_accounts accounts together: not paired
    post_pairs: int  # verified pairs of posts of two different texts within the window

    def note(self) -> str:
        """One line for the run report."""
        parts = [
            f"{self.short_texts:,} of {self.texts:,} texts under {self.min_tokens} tokens not compared "
            "(--near-dup-min-tokens)",
            f"{self.verified_pairs:,} of {self.candidate_pairs:,} candidate text pairs verified "
            f"(-> {self.post_pairs:,} post pairs)",
        ]
        if self.capped_buckets:
            parts.append(
                f"{self.capped_buckets:,} prefix buckets over {self.bucket_cap:,} texts skipped "
                f"({self.skipped_candidates:,} candidate pairs dropped)"
            )
        else:
            parts.append(f"no prefix bucket over {self.bucket_cap:,} texts")
        if self.viral_pairs:
            parts.append(f"{self.viral_pairs:,} viral text pairs not paired")
        return "near-duplicate: " + "; ".join(parts)


def _window(params: Any) -> float | None:
    """The window the engine will use for this trace, or ``None`` (any time) for 'none' and 'auto'.

    'auto' is estimated by the engine from the actions built here, after this step; candidates are then
    generated over all time so that whatever window it estimates, no verified pair is missing.
    """
    w = params.window_s
    if w is None:
        return DEFAULT_WINDOW_S
    if isinstance(w, str):
        if w.lower() in ("none", "auto"):
            return None
        try:
            w = float(w)
        except ValueError:
            return None  # the engine rejects it with a clear error
    return float(w) if w > 0 else None


def build_actions(con: duckdb.DuckDBPyConnection, params: Any) -> None:
    """Create temp tables ``near_dup_actions(platform, account_id, item, post_id, t)`` and ``near_dup_stats``.

    Called by the engine before the trace's ``actions_sql`` (see :class:`~lockstep.traces.base.Trace`).
    """
    threshold = float(params.near_dup_threshold)
    min_tokens = int(params.near_dup_min_tokens)
    cap = int(getattr(params, "near_dup_bucket_cap", DEFAULT_BUCKET_CAP))
    max_accounts = int(params.max_item_accounts)
    if not 0.0 < threshold <= 1.0 or min_tokens < 1 or cap < 2:
        from lockstep.errors import InputError

        raise InputError("near-duplicate needs 0 < threshold <= 1, min tokens >= 1 and bucket cap >= 2")
    window = _window(params)
    bkt = "0" if window is None else f"CAST(floor(ts / {window!r}) AS BIGINT)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_raw AS
        SELECT platform, post_id, account_id, created_at AS t, epoch(created_at) AS ts,
               {token_set_sql("text")} AS toks
        FROM posts WHERE kind <> 'repost' AND text IS NOT NULL AND account_id IS NOT NULL"""
    )
    texts, short = _row(con, f"SELECT count(*), count(*) FILTER (WHERE len(toks) < {min_tokens}) FROM nd_raw")
    # One id per distinct token set; the prefix is its ``prefix_length`` smallest token hashes (any fixed
    # global order is exact; hashing needs no pass over token frequencies).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_sets AS
        SELECT row_number() OVER (ORDER BY platform, toks) AS set_id, platform, toks, len(toks) AS n,
               list_sort(list_transform(toks, lambda x: hash(x)))[
                 1:greatest(1, len(toks) - CAST(ceil({threshold!r} * len(toks) - 1e-9) AS BIGINT) + 1)] AS prefix
        FROM (SELECT DISTINCT platform, toks FROM nd_raw WHERE len(toks) >= {min_tokens})"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_posts AS
        SELECT s.set_id, r.platform, r.post_id, r.account_id, r.t, r.ts, {bkt} AS bkt
        FROM nd_raw r JOIN nd_sets s ON s.platform = r.platform AND s.toks = r.toks"""
    )
    con.execute("DROP TABLE nd_raw")
    distinct = _row(con, "SELECT count(*) FROM nd_sets")[0]
    # Prefix-token buckets: (platform, token hash, time bucket) -> distinct texts.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_pref AS
        SELECT DISTINCT s.platform, unnest(s.prefix) AS h, b.bkt, s.set_id
        FROM (SELECT DISTINCT set_id, bkt FROM nd_posts) b JOIN nd_sets s USING (set_id)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_bsize AS
        SELECT platform, h, bkt, count(*) AS k FROM nd_pref GROUP BY ALL"""
    )
    near = "" if window is None else " OR (y.bkt = x.bkt + 1)"
    capped, skipped = _row(
        con,
        f"""SELECT count(*) FILTER (WHERE k > {cap}),
               coalesce(sum(CASE WHEN k > {cap} THEN k * (k - 1) / 2 ELSE 0 END), 0)
               + coalesce((SELECT sum(x.k * y.k) FROM nd_bsize x JOIN nd_bsize y
                          ON x.platform = y.platform AND x.h = y.h AND (FALSE{near})
                          WHERE x.k > {cap} OR y.k > {cap}), 0)
        FROM nd_bsize""",
    )
    shift = "" if window is None else ", unnest([bkt - 1, bkt, bkt + 1]) AS jb"
    jb = "bkt" if window is None else "jb"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_cand AS
        WITH ok AS (SELECT p.* FROM nd_pref p SEMI JOIN nd_bsize b
                    ON b.platform = p.platform AND b.h = p.h AND b.bkt = p.bkt AND b.k <= {cap}),
        x AS (SELECT platform, h, set_id{shift if window is not None else ", bkt"} FROM ok)
        SELECT DISTINCT x.set_id AS a, y.set_id AS b
        FROM x JOIN ok y ON x.platform = y.platform AND x.h = y.h AND x.{jb} = y.bkt
        WHERE x.set_id < y.set_id"""
    )
    candidates = _row(con, "SELECT count(*) FROM nd_cand")[0]
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_verified AS
        SELECT a, b FROM (
          SELECT c.a, c.b, sa.n + sb.n AS nn, len(list_intersect(sa.toks, sb.toks)) AS i
          FROM nd_cand c JOIN nd_sets sa ON sa.set_id = c.a JOIN nd_sets sb ON sb.set_id = c.b
          WHERE least(sa.n, sb.n) >= {threshold!r} * greatest(sa.n, sb.n) - 1e-9)
        WHERE i / (nn - i) >= {threshold!r}"""
    )
    verified = _row(con, "SELECT count(*) FROM nd_verified")[0]
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_accounts AS
        SELECT set_id, count(DISTINCT account_id) AS accounts FROM nd_posts GROUP BY set_id"""
    )
    viral = _row(
        con,
        f"""SELECT count(*) FROM nd_verified v JOIN nd_accounts xa ON xa.set_id = v.a
            JOIN nd_accounts xb ON xb.set_id = v.b WHERE xa.accounts + xb.accounts > {max_accounts}""",
    )[0]
    in_window = "TRUE" if window is None else f"abs(x.ts - y.ts) <= {window!r}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_cross AS
        WITH v AS (SELECT v.a, v.b FROM nd_verified v JOIN nd_accounts xa ON xa.set_id = v.a
                   JOIN nd_accounts xb ON xb.set_id = v.b WHERE xa.accounts + xb.accounts <= {max_accounts}),
        x AS (SELECT p.*, v.b AS other{shift} FROM nd_posts p JOIN v ON v.a = p.set_id)
        SELECT x.platform, x.account_id AS acc_x, x.post_id AS post_x, x.t AS t_x,
               y.account_id AS acc_y, y.post_id AS post_y, y.t AS t_y
        FROM x JOIN nd_posts y ON y.set_id = x.other AND y.platform = x.platform AND y.bkt = x.{jb}
        WHERE x.account_id <> y.account_id AND {in_window}"""
    )
    post_pairs = _row(con, "SELECT count(*) FROM nd_cross")[0]
    con.execute(
        """CREATE OR REPLACE TEMP TABLE near_dup_actions AS
        SELECT p.platform, p.account_id, 'nd:' || CAST(p.set_id AS VARCHAR) AS item, p.post_id, p.t
        FROM nd_posts p SEMI JOIN nd_accounts a ON a.set_id = p.set_id AND a.accounts >= 2
        UNION ALL
        SELECT platform, unnest([acc_x, acc_y]), 'nd:' || post_x || '~' || post_y, unnest([post_x, post_y]),
               unnest([t_x, t_y])
        FROM nd_cross"""
    )
    stats = NearDupStats(
        texts=texts,
        short_texts=short,
        min_tokens=min_tokens,
        distinct_texts=distinct,
        candidate_pairs=candidates,
        verified_pairs=verified,
        capped_buckets=capped,
        skipped_candidates=skipped,
        bucket_cap=cap,
        viral_pairs=viral,
        post_pairs=post_pairs,
    )
    fields = asdict(stats)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE near_dup_stats AS SELECT "
        + ", ".join(f"CAST({int(v)} AS BIGINT) AS {k}" for k, v in fields.items())
    )
    for t in ("nd_sets", "nd_posts", "nd_pref", "nd_bsize", "nd_cand", "nd_verified", "nd_accounts", "nd_cross"):
        con.execute(f"DROP TABLE {t}")


def last_stats(con: duckdb.DuckDBPyConnection) -> NearDupStats | None:
    """The statistics of the last near-duplicate preparation on this connection, if any."""
    try:
        cur = con.execute("SELECT * FROM near_dup_stats")
    except duckdb.CatalogException:
        return None
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description or []]
    return NearDupStats(**{k: int(v) for k, v in zip(names, row, strict=True)})


def annotate_report(con: duckdb.DuckDBPyConnection, report: Any) -> None:
    """Add :meth:`NearDupStats.note` to the near-duplicate line of a :class:`~lockstep.traces.DetectReport`.

    The engine's trace report has no slot for what a trace's preparation skipped, so ``detect`` callers (the
    CLI does) call this on the same connection right after the run; the numbers also stay in the temp table
    ``near_dup_stats`` (see :func:`last_stats`).
    """
    stats = last_stats(con)
    if stats is None:
        return
    for rep in report.traces:
        if rep.trace == "near-duplicate" and not rep.skipped:
            rep.note = (rep.note + "; " if rep.note else "") + stats.note()


def _row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, ...]:
    row = con.execute(sql).fetchone()
    return tuple(int(v or 0) for v in row) if row else (0,)


def _components(pairs: list[tuple[int, int]]) -> dict[int, int]:
    """Union-find: each id in ``pairs`` -> the smallest id of its connected component.

    Used by the media and cross-lingual traces, whose items are clusters; this trace no longer is.

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
