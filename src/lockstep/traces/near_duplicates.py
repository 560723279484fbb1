"""Near-duplicate posts: pairs of texts whose own Jaccard similarity passes the threshold, within the window.

Lightly edited copypasta (a word swapped, a hashtag added) defeats exact co-text. Two posts are
near-duplicates when the Jaccard similarity of their token sets is at least ``threshold`` (default 0.8), the
comparison of the QUT coordination-network-toolkit's ``co_similar_tweet`` (Graham et al.; CNT 1.5.2, MIT):
tokens are CNT's, i.e. the text lower-cased, ``@mentions`` removed, then split at Unicode default word
boundaries (UAX #29: ``don't``, ``3.14`` and ``example.org`` stay whole, every punctuation mark and emoji is a
token of its own, each Han, Hiragana or Thai character is a token). :func:`token_rows_sql` builds those tokens as
DuckDB rows; a test checks them against CNT's tokenizer.

Every edge rests on one verified pair of posts, never on a chain: A~B and B~C do not link A and C unless A
and C are themselves similar (single-linkage clusters did, and added edges between texts of Jaccard 0.6).
Finding the pairs is sub-quadratic and exact, all in the engine:

1. identical token sets collapse to one *text* (copypasta is mostly exact copies), keyed by two independent
   64-bit XOR sums of the token hashes;
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
under ``min_tokens`` tokens are not compared (counted and reported too). The default, 5, is where
near-duplication starts to mean something: under 4 tokens Jaccard >= 0.8 holds only for identical sets (the
co-text trace's job), at 4 only for one added token, and short texts ("good morning!") match by chance. CNT's
own default is 1 (``--near-dup-min-tokens 1`` reproduces it).

With ``--window auto`` or ``none`` the engine's window is not known here, so candidates come from all time
(one time bucket): exact, but on large data common prefix tokens then hit the bucket cap (reported).

Items (what the engine pairs on): ``nd:<post id>`` (the smallest post id of the text) for exact copies of one
text, and ``nd:<post>~<post>`` for one verified pair of posts of two different texts, so every co-action the
engine forms is a verified one and each appears once. Everything runs as DuckDB temp tables (each text's
sorted list of token hashes is built row by row, with no grouping over all tokens, and verified with a list
intersection), so memory stays near the store's limit. What this step
skipped (short texts, capped buckets) is the note ``build_actions`` returns; the engine adds it to the trace's
report line.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from lockstep.engine import embedded

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


#: Space-free chunks made only of these are one token each (most words); others go through the full pattern.
_PLAIN_CHUNK = "[a-z0-9_]+"


def chunk_tokens_sql(chunk: str) -> str:
    """DuckDB expression: the CNT tokens (``VARCHAR[]``, with repeats) of one lower-cased, space-free chunk.

    Mentions (``@`` to the next whitespace) are cut first; Han, Hiragana, Thai (...) characters and Katakana runs
    are set apart so that the word pattern cannot join them to neighbours.
    """
    cut = f"regexp_replace({chunk}, '@[^{_WS}]*', '', 'g')"
    spaced = f"regexp_replace(regexp_replace({cut}, {_sql_str(f'({_SINGLE_SCRIPTS})')}, ' \\1 ', 'g'), "
    spaced += f"{_sql_str(f'({_KATAKANA})')}, ' \\1 ', 'g')"
    return f"regexp_extract_all({spaced}, {_sql_str(TOKEN_PATTERN)})"


def token_rows_sql(source: str) -> str:
    """A ``SELECT`` of ``(pid, tok)`` rows: the CNT tokens (with repeats) of ``source``'s ``(pid, text)`` rows.

    Splitting at spaces first is exact (no UAX #29 rule joins across a space) and lets the common chunk, a
    plain lower-case ASCII word (or a whole text of them), skip the regular expression.
    """
    return f"""WITH x AS (SELECT pid, lower(text) AS x, regexp_full_match(lower(text), '[a-z0-9_ ]*') AS plain
                  FROM ({source})),
        ch AS (SELECT pid, unnest(string_split(x, ' ')) AS c FROM x WHERE NOT plain)
        SELECT pid, tok FROM (SELECT pid, unnest(string_split(x, ' ')) AS tok FROM x WHERE plain) WHERE tok <> ''
        UNION ALL
        SELECT pid, c AS tok FROM ch WHERE regexp_full_match(c, '{_PLAIN_CHUNK}')
        UNION ALL
        SELECT pid, unnest({chunk_tokens_sql("c")}) AS tok FROM ch
        WHERE c <> '' AND NOT regexp_full_match(c, '{_PLAIN_CHUNK}')"""


def token_hash_lists_sql(source: str, carry: tuple[str, ...] = ()) -> str:
    """A ``SELECT`` of ``(pid, hs)``: each text's distinct CNT token hashes, sorted (``UBIGINT[]``).

    The same tokens as :func:`token_rows_sql`; a plain text (lower-case ASCII words and spaces, most texts) is
    split into its list in place, so only the few others become token rows and are grouped back. Lists per row
    need neither a ``DISTINCT`` over every token of every text nor a ``GROUP BY`` text to sort them; repeats
    are dropped after the sort (:func:`_distinct_sorted`). A text without tokens has an empty list. Columns
    named in ``carry`` (of ``source``) come along after ``pid``.
    """
    extra = "".join(f", {c}" for c in carry)
    x_extra = "".join(f", x.{c}" for c in carry)
    return f"""WITH x AS (SELECT pid{extra}, lower(text) AS x, regexp_full_match(lower(text), '[a-z0-9_ ]*') AS plain
                  FROM ({source})),
        ch AS (SELECT pid, unnest(string_split(x, ' ')) AS c FROM x WHERE NOT plain),
        other AS (SELECT pid, c AS tok FROM ch WHERE regexp_full_match(c, '{_PLAIN_CHUNK}')
                  UNION ALL
                  SELECT pid, unnest({chunk_tokens_sql("c")}) AS tok FROM ch
                  WHERE c <> '' AND NOT regexp_full_match(c, '{_PLAIN_CHUNK}'))
        SELECT pid{extra}, {_distinct_sorted("s", skip_empty=True)} AS hs
        FROM (SELECT pid{extra}, list_sort(list_transform(string_split(x, ' '), lambda t: hash(t))) AS s
              FROM x WHERE plain)
        UNION ALL
        SELECT pid{extra}, {_distinct_sorted("s")} AS hs
        FROM (SELECT x.pid{x_extra}, coalesce(list_sort(o.hs), CAST([] AS UBIGINT[])) AS s
              FROM x LEFT JOIN (SELECT pid, list(hash(tok)) AS hs FROM other GROUP BY pid) o USING (pid)
              WHERE NOT x.plain)"""


def _distinct_sorted(column: str, *, skip_empty: bool = False) -> str:
    """DuckDB expression: the sorted list ``column`` without repeats (each element unlike the one before it).

    The same list as ``list_sort(list_distinct(...))`` at half the cost: ``list_distinct`` builds a hash set
    per row, as dear as the sort itself (measured on 408k texts: 2.9 s against 0.2 s for this filter). With
    ``skip_empty`` the hash of the empty string (what ``string_split`` yields between two spaces) is dropped
    too, in the same pass: a separate ``list_filter`` of empty strings before hashing cost 14% of the plain
    texts' token lists (0.14 of 1.0 s of CPU on 1M texts).
    """
    keep = f"i = 1 OR h <> {column}[i - 1]"
    if skip_empty:
        keep = f"h <> hash('') AND ({keep})"
    return f"list_filter({column}, lambda h, i: {keep})"


def token_sets(con: embedded.Connection, texts: list[str]) -> list[set[str]]:
    """The CNT token set of each of ``texts``, computed by the same SQL as the trace (for tests and checks)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _nd_texts (pid BIGINT, text VARCHAR)")
    con.executemany("INSERT INTO _nd_texts VALUES (?, ?)", list(enumerate(texts)))
    out: list[set[str]] = [set() for _ in texts]
    for pid, tok in con.execute(token_rows_sql("SELECT pid, text FROM _nd_texts")).fetchall():
        out[int(pid)].add(str(tok))
    con.execute("DROP TABLE _nd_texts")
    return out


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


#: The posts the trace compares: CNT compares every message that is not a repost.
_ELIGIBLE = "kind <> 'repost' AND text IS NOT NULL AND account_id IS NOT NULL"


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


def settings(params: Any) -> tuple[float, int, int, int, float | None]:
    """``(threshold, min_tokens, bucket_cap, max_accounts, window)`` of a run, checked; both engines use these.

    Raises :class:`~lockstep.errors.InputError` for a threshold outside (0, 1], min tokens < 1 or a cap < 2.
    """
    threshold = float(params.near_dup_threshold)
    min_tokens = int(params.near_dup_min_tokens)
    cap = int(getattr(params, "near_dup_bucket_cap", DEFAULT_BUCKET_CAP))
    if not 0.0 < threshold <= 1.0 or min_tokens < 1 or cap < 2:
        from lockstep.errors import InputError

        raise InputError("near-duplicate needs 0 < threshold <= 1, min tokens >= 1 and bucket cap >= 2")
    return threshold, min_tokens, cap, int(params.max_item_accounts), _window(params)


def build_actions(con: embedded.Connection, params: Any) -> str:
    """Create temp tables ``near_dup_actions(platform, account_id, item, post_id, t)`` and ``near_dup_stats``.

    Called by the engine before the trace's ``duckdb_actions`` (see :class:`~lockstep.traces.base.Trace`); returns
    what was skipped (:meth:`NearDupStats.note`), which the engine adds to the trace's report line.
    """
    threshold, min_tokens, cap, max_accounts, window = settings(params)
    bkt = "0" if window is None else f"CAST(floor(epoch(created_at) / {window!r}) AS BIGINT)"
    # Each post's distinct tokens as a sorted list of 64-bit hashes (a collision inside one pair of texts is
    # ~2^-64); the order of hash values is the global token order prefix filtering needs. With them, in the same
    # pass over the posts: the set's size and an order-free key of it (two independent 64-bit XOR sums). A post's
    # id, account and time are not carried: they are read back by ``rowid`` for the few posts that need them
    # (copies and verified texts), which costs less than copying them for every text.
    source = f"""SELECT rowid AS pid, platform, {bkt} AS bkt, text FROM posts WHERE {_ELIGIBLE}"""
    lists = token_hash_lists_sql(source, carry=("platform", "bkt"))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_all AS
        SELECT pid, platform, bkt, hs, len(hs) AS n,
               list_aggregate(hs, 'bit_xor') AS k1,
               list_aggregate(list_transform(hs, lambda h: hash(h, 7)), 'bit_xor') AS k2
        FROM ({lists})"""
    )

    def plen(n: str) -> str:
        return f"{n} - CAST(ceil({threshold!r} * {n} - 1e-9) AS BIGINT) + 1"

    texts, short = _row(con, f"SELECT count(*), count(*) FILTER (WHERE n < {min_tokens}) FROM nd_all")
    # One set per distinct token set: its id is its first post's pid, and the first and last time bucket of its
    # posts (one bucket for most sets: then no distinct buckets to find). Most sets are one post: only the posts
    # of sets posted several times (``nd_pids``: their actions) and, later, of verified sets are joined back
    # (small build sides probed by ``nd_all``), not every post to its set. A set's name (its smallest post id)
    # is found for the sets with actions only.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_sets AS
        SELECT min(pid) AS sid, platform, any_value(n) AS n, count(*) AS posts, k1, k2, min(bkt) AS b0, max(bkt) AS b1
        FROM nd_all WHERE n >= {min_tokens} GROUP BY platform, k1, k2"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_pids AS
        SELECT s.sid, p.pid, p.platform, p.bkt
        FROM nd_all p JOIN (SELECT sid, platform, k1, k2 FROM nd_sets WHERE posts >= 2) s
             ON s.platform = p.platform AND s.k1 = p.k1 AND s.k2 = p.k2"""
    )
    distinct = _row(con, "SELECT count(*) FROM nd_sets")[0]
    # Prefix-token buckets: (platform, token hash, time bucket) -> distinct texts. The prefix is a text's
    # smallest token hashes: hash order is a fixed global order, which is all prefix filtering needs. The
    # platform is a small integer here (``pf``), so the bucket keys are three integers.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_pref AS
        WITH pf AS (SELECT platform, CAST(row_number() OVER (ORDER BY platform) AS INTEGER) AS pf
                    FROM (SELECT DISTINCT platform FROM nd_sets)),
        multi AS (SELECT sid, list(DISTINCT bkt) AS bkts FROM nd_pids
                  SEMI JOIN (SELECT sid FROM nd_sets WHERE b0 <> b1) m USING (sid) GROUP BY sid),
        pre AS (SELECT s.sid, pf.pf, s.n, unnest(a.hs[1:{plen("s.n")}]) AS h,
                       CASE WHEN s.b0 = s.b1 THEN [s.b0] ELSE m.bkts END AS bkts
                FROM nd_sets s JOIN pf USING (platform) JOIN nd_all a ON a.pid = s.sid LEFT JOIN multi m USING (sid))
        SELECT pf, h, unnest(bkts) AS bkt, sid, n FROM pre  -- unique: (sid, h) and (sid, bkt) are"""
    )
    # Bucket sizes, for the cap. A bucket holds at most the texts of its token in 64 consecutive time buckets,
    # so only where those exceed the cap are buckets counted one by one (usually nowhere: grouping the prefix
    # rows into a few coarse groups is much cheaper than into one group per bucket). With a capped bucket, the
    # next-bucket comparisons it drops need its neighbours' sizes too: then every bucket is counted.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_bsize AS
        WITH hot AS (SELECT pf, h, bkt >> 6 AS cb FROM nd_pref GROUP BY ALL HAVING count(*) > {cap})
        SELECT p.pf, p.h, p.bkt, count(*) AS k FROM nd_pref p
        SEMI JOIN hot ON hot.pf = p.pf AND hot.h = p.h AND hot.cb = p.bkt >> 6 GROUP BY ALL"""
    )
    capped, skipped = _row(
        con,
        f"""SELECT count(*) FILTER (WHERE k > {cap}), coalesce(sum(k * (k - 1) // 2) FILTER (WHERE k > {cap}), 0)
        FROM nd_bsize""",
    )
    if capped and window is not None:  # comparisons with the next time bucket that a capped bucket also drops
        con.execute(
            """CREATE OR REPLACE TEMP TABLE nd_bsize AS
            SELECT pf, h, bkt, count(*) AS k FROM nd_pref GROUP BY ALL"""
        )
        skipped += _row(
            con,
            f"""SELECT coalesce(sum(x.k * y.k), 0) FROM nd_bsize x JOIN nd_bsize y
                ON x.pf = y.pf AND x.h = y.h AND y.bkt = x.bkt + 1
                WHERE x.k > {cap} OR y.k > {cap}""",
        )[0]
    ok = "SELECT * FROM nd_pref"
    if capped:
        ok += f""" p ANTI JOIN nd_bsize b ON b.pf = p.pf AND b.h = p.h AND b.bkt = p.bkt AND b.k > {cap}"""
    # Candidates: two texts in one bucket (each pair once: sid order), or in a bucket and the next one (every
    # pair of the two, named in sid order). Each text's size comes along for the length filter.
    shift = "" if window is None else ", unnest([bkt, bkt + 1]) AS jb"
    jb = "bkt" if window is None else "jb"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_cand AS
        WITH ok AS ({ok}),
        x AS (SELECT pf, h, sid, n, bkt{shift} FROM ok)
        SELECT DISTINCT least(x.sid, y.sid) AS a, greatest(x.sid, y.sid) AS b,
               CASE WHEN x.sid < y.sid THEN x.n ELSE y.n END AS na, CASE WHEN x.sid < y.sid THEN y.n ELSE x.n END AS nb
        FROM x JOIN ok y ON x.pf = y.pf AND x.h = y.h AND x.{jb} = y.bkt
        WHERE CASE WHEN x.{jb} = x.bkt THEN x.sid < y.sid ELSE x.sid <> y.sid END"""
    )
    candidates = _row(con, "SELECT count(*) FROM nd_cand")[0]
    # Verify: the exact Jaccard of the two token sets, after the length filter (t * |x| <= |y|). The lists hold
    # distinct hashes, so the intersection is the hashes of one list found in the other: a filter with
    # ``list_contains`` (a dozen comparisons for a dozen tokens) is six times faster than ``list_intersect``,
    # which builds a hash set per pair (measured on 300k candidate pairs: 0.28 s against 1.73 s). The scan is
    # quadratic in the text's length, so long texts (over 64 distinct tokens) keep ``list_intersect``.
    # Where the candidates outnumber the texts twice over (many texts sharing common tokens), a 64-bit signature
    # of each candidate text (bit ``hash % 64`` of each token) first bounds the overlap: a bit set in one text's
    # signature and not in the other's is at least one token of the first that the second lacks, so the overlap
    # is at most ``na - popcount(ma & ~mb)`` (and the same the other way). Jaccard ``i / (na + nb - i)`` grows
    # with ``i`` (in floating point too), so a pair whose bound fails the threshold fails it exactly: no pair is
    # lost, and most candidates are dropped without fetching two lists. Where candidates are few, a signature
    # per text costs more than the lists it spares, and the bound is skipped (the result is the same).
    c = f"SELECT a, b, na, nb FROM nd_cand WHERE least(na, nb) >= {threshold!r} * greatest(na, nb) - 1e-9"
    if candidates > 2 * distinct:
        bit = "lambda h: CAST(1 AS UBIGINT) << CAST(h % 64 AS INTEGER)"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE nd_sig AS
            SELECT pid AS sid, list_aggregate(list_transform(hs, {bit}), 'bit_or') AS m FROM nd_all
            SEMI JOIN (SELECT a AS sid FROM ({c}) UNION SELECT b FROM ({c})) e ON e.sid = nd_all.pid"""
        )
        iu = "least(na - bit_count(ma & ~mb), nb - bit_count(mb & ~ma))"
        c = f"""SELECT a, b, na, nb
                FROM (SELECT c0.*, sa.m AS ma, sb.m AS mb
                      FROM ({c}) c0 JOIN nd_sig sa ON sa.sid = c0.a JOIN nd_sig sb ON sb.sid = c0.b)
                WHERE {iu} / (na + nb - {iu}) >= {threshold!r}"""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_v AS
        WITH c AS ({c}),
        i AS (SELECT c.a, c.b, c.na, c.nb,
                     CASE WHEN c.na <= 64 THEN len(list_filter(la.hs, lambda h: list_contains(lb.hs, h)))
                          ELSE len(list_intersect(la.hs, lb.hs)) END AS i
              FROM c JOIN nd_all la ON la.pid = c.a JOIN nd_all lb ON lb.pid = c.b)
        SELECT a, b FROM i WHERE i / (na + nb - i) >= {threshold!r}"""
    )
    # The posts of the verified texts (a few thousandths of the candidates), and each text's accounts. The posts'
    # ids, accounts and times (of these and of the copies) are read in one pass, by ``rowid``.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_vpids AS
        SELECT s.sid, p.pid, p.platform, p.bkt
        FROM nd_all p JOIN (SELECT sid, platform, k1, k2 FROM nd_sets
                            SEMI JOIN (SELECT a AS sid FROM nd_v UNION SELECT b FROM nd_v) v USING (sid)) s
             ON s.platform = p.platform AND s.k1 = p.k1 AND s.k2 = p.k2"""
    )
    con.execute("DROP TABLE nd_all")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_fetch AS
        SELECT rowid AS pid, post_id, account_id, created_at AS t, epoch(created_at) AS ts FROM posts
        SEMI JOIN (SELECT pid FROM nd_pids UNION ALL SELECT pid FROM nd_vpids) f ON f.pid = posts.rowid"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_vposts AS
        SELECT v.sid, v.platform, f.post_id, f.account_id, f.t, f.ts, v.bkt
        FROM nd_vpids v JOIN nd_fetch f USING (pid)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nd_verified AS
        WITH acc AS (SELECT sid, count(DISTINCT account_id) AS accounts FROM nd_vposts GROUP BY sid)
        SELECT v.a, v.b, xa.accounts + xb.accounts AS accounts
        FROM nd_v v JOIN acc xa ON xa.sid = v.a JOIN acc xb ON xb.sid = v.b"""
    )
    verified, viral = _row(con, f"SELECT count(*), count(*) FILTER (WHERE accounts > {max_accounts}) FROM nd_verified")
    in_window = "TRUE" if window is None else f"abs(x.ts - y.ts) <= {window!r}"
    shift = "" if window is None else ", unnest([bkt - 1, bkt, bkt + 1]) AS jb"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_cross AS
        WITH x AS (SELECT p.*, v.b AS other{shift} FROM nd_vposts p
                   JOIN nd_verified v ON v.a = p.sid AND v.accounts <= {max_accounts})
        SELECT x.platform, x.account_id AS acc_x, x.post_id AS post_x, x.t AS t_x,
               y.account_id AS acc_y, y.post_id AS post_y, y.t AS t_y
        FROM x JOIN nd_vposts y ON y.sid = x.other AND y.platform = x.platform AND y.bkt = x.{jb}
        WHERE x.account_id <> y.account_id AND {in_window}"""
    )
    post_pairs = _row(con, "SELECT count(*) FROM nd_cross")[0]
    con.execute(
        """CREATE OR REPLACE TEMP TABLE near_dup_actions AS
        SELECT p.platform, f.account_id, 'nd:' || min(f.post_id) OVER (PARTITION BY p.sid) AS item, f.post_id, f.t
        FROM nd_pids p JOIN nd_fetch f USING (pid)
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
    for t in ("nd_sets", "nd_pids", "nd_pref", "nd_bsize", "nd_cand", "nd_v", "nd_vpids", "nd_fetch"):
        con.execute(f"DROP TABLE {t}")
    con.execute("DROP TABLE IF EXISTS nd_sig")
    for t in ("nd_vposts", "nd_verified", "nd_cross"):
        con.execute(f"DROP TABLE {t}")
    return stats.note()


def last_stats(con: embedded.Connection) -> NearDupStats | None:
    """The statistics of the last near-duplicate preparation on this connection, if any."""
    try:
        cur = con.execute("SELECT * FROM near_dup_stats")
    except embedded.CatalogException:
        return None
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description or []]
    return NearDupStats(**{k: int(v) for k, v in zip(names, row, strict=True)})


def annotate_report(con: embedded.Connection, report: Any) -> None:
    """Add :meth:`NearDupStats.note` to the near-duplicate line of a :class:`~lockstep.traces.DetectReport`.

    ``detect`` already does this (the note is what :func:`build_actions` returns); this is for a report built
    some other way on the same connection. The numbers also stay in the temp table ``near_dup_stats`` (see
    :func:`last_stats`). A note already present is not added twice.
    """
    stats = last_stats(con)
    if stats is None:
        return
    note = stats.note()
    for rep in report.traces:
        if rep.trace == "near-duplicate" and not rep.skipped and note not in (rep.note or ""):
            rep.note = (rep.note + "; " if rep.note else "") + note


def _row(con: embedded.Connection, sql: str) -> tuple[int, ...]:
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
