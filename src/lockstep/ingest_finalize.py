"""Moving one file's staged rows into the store: its new posts, their canonical URLs, their accounts.

The second half of :mod:`lockstep.ingestion`: that module stages and checks the rows, quarantines what cannot
be used and does the accounting; these functions write what is left, inside the same batch transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from lockstep.engine import embedded
from lockstep.normalize.urls import canonical_url, registered_domain
from lockstep.readers.mapping import ACCOUNT_SNAPSHOT_VALUES, SNAPSHOT_KEY_PREFIX
from lockstep.sqltext import sql_str

if TYPE_CHECKING:
    from lockstep.ingestion import FileReport

#: Ids a spreadsheet turned into floating point (``6.29697E+17``): their digits are gone for good.
SCIENTIFIC_ID = r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+"
#: URLs that are already canonical (lower-case host, no query, fragment, port or bare ``/`` path).
CANONICAL_FAST = r"https?://[a-z0-9-]+(\.[a-z0-9-]+)+(/[^?#\s]+)?"


def scalar(con: embedded.Connection, sql: str) -> int:
    """The single integer ``sql`` returns (0 for no row or NULL)."""
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def insert_quarantine(con: embedded.Connection, select: str, prov: dict[str, str]) -> None:
    """Insert (source_row, reason, field, raw) rows, skipping ones already quarantined from this file (same
    row, reason and field: a twarc2 line can hold several bad tweets, told apart by ``field``)."""
    con.execute(
        f"""INSERT INTO quarantine
        SELECT ?, ?, ?, q.source_row, ?, q.reason, q.field, q.raw FROM ({select}) q
        WHERE NOT EXISTS (SELECT 1 FROM quarantine o WHERE o.source_sha256 = ? AND o.reader = ?
                          AND o.source_row IS NOT DISTINCT FROM q.source_row AND o.reason = q.reason
                          AND o.field IS NOT DISTINCT FROM q.field)""",
        [prov["batch_id"], prov["source_file"], prov["sha"], prov["reader"], prov["sha"], prov["reader"]],
    )


def finalize_posts(
    con: embedded.Connection, prov: dict[str, str], fr: FileReport, ok_n: int, *, clean: bool, more: bool = False
) -> None:
    """Store the ``ok_n`` usable staged posts that are new: at most one temp copy (``stage_new``), one insert.

    When every staged post is usable (``clean``), has an id, and no id repeats in the file or is already in
    the store (two aggregates tell), ``stage_new`` is a view of the staged posts and they are inserted with
    no copy. Otherwise:

    Rows with an id keep it; rows without get md5(content key, occurrence number among identical rows). Rows
    already in the store are dropped by an anti join; within-file duplicates of given ids are then removed only
    when some exist (checked with one aggregate), keeping each id's first row: the same rows as deduplicating
    first, since a duplicated id is either in the store (all its rows go) or not (its first row stays).

    A file staged in chunks is written chunk by chunk in row order, so the earlier chunks' posts are "in the
    store" for a later one: a duplicate across chunks is dropped as within one. The occurrence numbers of
    identical id-less rows continue across chunks through ``derived_seen`` (rows per content key so far),
    kept while ``more`` chunks follow.
    """
    us = "chr(31)"
    content_key = (
        f"md5(concat_ws({us}, platform, account_id, CAST(created_at AS VARCHAR), coalesce(text, ''), kind, "
        "coalesce(parent_post_id, '')))"
    )
    cols = "* EXCLUDE (_problem, _field, created_at_raw, batch_id, source_file, reader, reader_version)"
    derived = scalar(con, "SELECT count(*) FROM stage_posts WHERE post_id IS NULL")
    drop_stage_new(con)
    if clean and not derived and _all_new(con):
        con.execute(
            "CREATE TEMP VIEW stage_new AS SELECT * EXCLUDE (created_at_raw, batch_id, source_file, reader, "
            "reader_version), false AS post_id_derived FROM stage_posts"
        )
        fr.posts_stored, fr.duplicates = ok_n, 0
        _insert_posts(con, prov)
        return
    ok = f"SELECT {cols}, false AS post_id_derived FROM stage_checked WHERE _problem IS NULL AND post_id IS NOT NULL"
    if derived:
        rows = f"SELECT {cols}, {content_key} AS _key FROM stage_checked WHERE _problem IS NULL AND post_id IS NULL"
        seen = _temp_table_exists(con, "derived_seen")
        if seen:
            rows = f"SELECT d.*, coalesce(s.n, 0) AS _seen FROM ({rows}) d LEFT JOIN derived_seen s ON s._key = d._key"
        else:
            rows = f"SELECT *, CAST(0 AS BIGINT) AS _seen FROM ({rows})"
        ok += f"""
        UNION ALL BY NAME
        SELECT * EXCLUDE (_key, post_id, _seen), true AS post_id_derived,
               'h:' || md5(_key || '|' || CAST(row_number() OVER (PARTITION BY _key ORDER BY source_row) + _seen
                                               AS VARCHAR)) AS post_id
        FROM ({rows})"""
        if more:
            tally = (
                f"SELECT {content_key} AS _key, count(*) AS n FROM stage_checked "
                "WHERE _problem IS NULL AND post_id IS NULL GROUP BY 1"
            )
            if seen:
                tally = (
                    f"SELECT _key, CAST(sum(n) AS BIGINT) AS n FROM (SELECT * FROM derived_seen UNION ALL {tally}) "
                    "GROUP BY _key"
                )
            con.execute(f"CREATE OR REPLACE TEMP TABLE derived_seen_next AS {tally}")
    con.execute(
        f"""CREATE TEMP TABLE stage_new AS
        SELECT f.* FROM ({ok}) f ANTI JOIN posts p ON p.platform = f.platform AND p.post_id = f.post_id"""
    )
    counts = con.execute("SELECT count(*), count(DISTINCT post_id) FROM stage_new").fetchone()
    new_n, distinct_n = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    if distinct_n < new_n:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE stage_new AS SELECT * FROM stage_new
            QUALIFY row_number() OVER (PARTITION BY platform, post_id ORDER BY source_row) = 1"""
        )
        new_n = scalar(con, "SELECT count(*) FROM stage_new")
    fr.posts_stored, fr.duplicates = new_n, ok_n - new_n
    _insert_posts(con, prov)
    if derived and more:
        con.execute("CREATE OR REPLACE TEMP TABLE derived_seen AS SELECT * FROM derived_seen_next")
        con.execute("DROP TABLE derived_seen_next")


def _all_new(con: embedded.Connection) -> bool:
    """Whether no staged post id repeats in the file or is already stored (for the same platform)."""
    row = con.execute("SELECT count(*) = count(DISTINCT post_id) FROM stage_posts").fetchone()
    if not (row and row[0]):
        return False
    row = con.execute(
        "SELECT EXISTS (SELECT 1 FROM stage_posts s SEMI JOIN posts p ON p.platform = s.platform "
        "AND p.post_id = s.post_id)"
    ).fetchone()
    return not (row and row[0])


def _insert_posts(con: embedded.Connection, prov: dict[str, str]) -> None:
    con.execute(
        "INSERT INTO posts BY NAME SELECT *, ? AS batch_id, ? AS source_file, ? AS reader, ? AS reader_version "
        "FROM stage_new",
        [prov["batch_id"], prov["source_file"], prov["reader"], prov["reader_version"]],
    )
    _finalize_urls(con)


def drop_stage_new(con: embedded.Connection) -> None:
    """Drop ``stage_new``, a table or a view (dropping the wrong kind is an error that aborts the batch)."""
    row = con.execute(
        "SELECT EXISTS (SELECT 1 FROM duckdb_views() WHERE temporary AND view_name = 'stage_new')"
    ).fetchone()
    con.execute(f"DROP {'VIEW' if row and row[0] else 'TABLE'} IF EXISTS stage_new")


def _finalize_urls(con: embedded.Connection) -> None:
    """Store the URLs of the new posts with their canonical form and registered domain.

    A URL that is already canonical (:data:`CANONICAL_FAST`: lower-case host of ``[a-z0-9.-]``, then nothing
    or a path) is its own canonical form, and its host is the text between ``://`` and the first ``/``, which
    is what the host pattern extracts from it: both are computed per row, with no lookup. Only the distinct
    other URLs are canonicalised (in Python, once each) and only the distinct hosts get their registered
    domain (Python), each joined back from a small table in the one insert.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_urls AS
        SELECT *, regexp_full_match(url_raw, {sql_str(CANONICAL_FAST)}) AS fast FROM (
          SELECT platform, post_id, CAST(generate_subscripts(urls, 1) AS INTEGER) AS position,
                 trim(unnest(urls)) AS url_raw
          FROM stage_new WHERE len(urls) > 0)
        WHERE url_raw IS NOT NULL AND url_raw <> ''"""
    )
    slow = [r[0] for r in con.execute("SELECT DISTINCT url_raw FROM new_urls WHERE NOT fast").fetchall()]
    canon = pa.table(
        {
            "raw": pa.array(slow, pa.string()),
            "url": pa.array([canonical_url(u) or u for u in slow], pa.string()),
        }
    )
    con.register("_url_canon", canon)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE url_map AS
        SELECT raw AS url_raw, url,
               lower(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)', 1)) AS host
        FROM _url_canon"""
    )
    con.unregister("_url_canon")
    fast_host = "split_part(substr(n.url_raw, strpos(n.url_raw, '://') + 3), '/', 1)"
    rows = (
        f"""SELECT n.platform, n.post_id, n.position, n.url_raw,
               CASE WHEN n.fast THEN n.url_raw ELSE m.url END AS url,
               CASE WHEN n.fast THEN {fast_host} ELSE m.host END AS host
        FROM new_urls n LEFT JOIN url_map m ON m.url_raw = n.url_raw"""
        if slow
        else f"SELECT n.platform, n.post_id, n.position, n.url_raw, n.url_raw AS url, {fast_host} AS host "
        "FROM new_urls n"
    )
    hosts = [
        r[0]
        for r in con.execute(
            f"""SELECT DISTINCT host FROM (SELECT {fast_host} AS host FROM new_urls n WHERE n.fast
                                           UNION ALL SELECT host FROM url_map) WHERE host <> ''"""
        ).fetchall()
    ]
    domains = pa.table(
        {
            "host": pa.array(hosts, pa.string()),
            "domain": pa.array([registered_domain("http://" + h) for h in hosts], pa.string()),
        }
    )
    con.register("_hosts", domains)
    con.execute(
        f"""INSERT INTO post_urls
        SELECT m.platform, m.post_id, m.position, m.url_raw, m.url, h.domain
        FROM ({rows}) m LEFT JOIN _hosts h ON h.host = m.host"""
    )
    con.unregister("_hosts")


def collect_accounts(con: embedded.Connection, prov: dict[str, str], *, partial: bool) -> None:
    """Check one chunk's staged account snapshots; with ``partial`` (a file staged in several chunks) merge
    them into ``acc_partial`` (one row per account) and add the accounts of the chunk's new posts to
    ``file_new_accounts``.

    Each value in ``acc_partial`` keeps its ordering key (``_k_<column>``: observation time, else row
    number), so :func:`finalize_accounts` reduces the chunks to the value the whole file would give.
    """
    sci = sql_str(SCIENTIFIC_ID)
    # Profile times outside any plausible range (year 0, 99999) would break every later date computation.
    con.execute(
        """UPDATE stage_accounts SET created_at = NULL
           WHERE created_at < TIMESTAMP '1900-01-01' OR created_at >= TIMESTAMP '2100-01-01'"""
    )
    con.execute(
        """UPDATE stage_accounts SET observed_at = NULL
           WHERE observed_at < TIMESTAMP '1990-01-01' OR observed_at >= TIMESTAMP '2100-01-01'"""
    )
    # Account-only files (no posts staged): unusable ids go to the quarantine here.
    insert_quarantine(
        con,
        f"""SELECT source_row, CASE WHEN account_id IS NULL THEN 'missing account id' ELSE
              'account id in scientific notation (spreadsheet-mangled, digits lost; re-export ids as text)' END
              AS reason, 'account_id' AS field, CAST(to_json(a) AS VARCHAR) AS raw
            FROM stage_accounts a
            WHERE (account_id IS NULL OR regexp_full_match(account_id, {sci}))
              AND NOT EXISTS (SELECT 1 FROM stage_posts LIMIT 1)""",
        prov,
    )
    if not partial:
        return
    if not _temp_table_exists(con, "acc_partial"):
        con.execute(f"CREATE TEMP TABLE acc_partial AS {_reduce_snapshots(_keyed_snapshots())}")
        con.execute("CREATE TEMP TABLE file_new_accounts AS SELECT DISTINCT platform, account_id FROM stage_new")
        return
    # Merged at once, so the table stays one row per account of the file (not one per account and chunk).
    keyed = [*ACCOUNT_SNAPSHOT_VALUES, *map(_key, ACCOUNT_SNAPSHOT_VALUES)]
    snapshot_cols = ", ".join(["platform", "account_id", *keyed, "id_is_hashed", "source_row"])
    merged = _reduce_snapshots(
        f"SELECT {snapshot_cols} FROM acc_partial UNION ALL BY NAME SELECT {snapshot_cols} FROM ({_keyed_snapshots()})"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE acc_partial AS {merged}")
    con.execute(
        """INSERT INTO file_new_accounts SELECT DISTINCT platform, account_id FROM stage_new n
        ANTI JOIN file_new_accounts f ON f.platform = n.platform AND f.account_id = n.account_id"""
    )


def _reduce_snapshots(rows: str) -> str:
    """``rows`` (keyed snapshots) reduced to one per account: each field's value of the highest key, with it."""
    picks = ",\n".join(
        f"arg_max({c}, {_key(c)}) FILTER (WHERE {c} IS NOT NULL) AS {c}, "
        f"max({_key(c)}) FILTER (WHERE {c} IS NOT NULL) AS {_key(c)}"
        for c in ACCOUNT_SNAPSHOT_VALUES
    )
    return f"""SELECT platform, account_id, {picks}, bool_or(coalesce(id_is_hashed, false)) AS id_is_hashed,
               min(source_row) AS source_row
        FROM ({rows}) GROUP BY platform, account_id"""


def _key(column: str) -> str:
    return f"{SNAPSHOT_KEY_PREFIX}{column}"


def _keyed_snapshots() -> str:
    """The usable staged snapshots, each value with its ordering key: the key a reader staged with it (a
    value already reduced over the chunk's rows), else the row's observation time, else its row number."""
    sci = sql_str(SCIENTIFIC_ID)
    keys = ", ".join(
        f"coalesce({_key(c)}, coalesce(epoch_us(observed_at), source_row)) AS {_key(c)}"
        for c in ACCOUNT_SNAPSHOT_VALUES
    )
    return f"""SELECT * REPLACE ({keys}) FROM stage_accounts
        WHERE account_id IS NOT NULL AND NOT regexp_full_match(account_id, {sci})"""


def _temp_table_exists(con: embedded.Connection, name: str) -> bool:
    row = con.execute(
        "SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = ?)", [name]
    ).fetchone()
    return bool(row and row[0])


def finalize_accounts(
    con: embedded.Connection, prov: dict[str, str], fr: FileReport, *, partial: bool, any_posts: bool
) -> None:
    """Store the file's account snapshots: each account of its new posts (every account, for an account-only
    file) reduced to its latest non-empty value per field; accounts already stored only have blanks filled.

    ``partial``: the file was staged in chunks, reduced chunk by chunk into ``acc_partial`` by
    :func:`collect_accounts`; otherwise the snapshots are still in ``stage_accounts``. ``any_posts``: some
    chunk staged posts (else this is an account-only file).
    """
    if partial:
        con.execute("CREATE OR REPLACE TEMP TABLE new_accounts AS SELECT * FROM file_new_accounts")
        snapshots = "acc_partial"
    else:
        # The accounts of the new posts, found once (a post file has far fewer accounts than posts).
        con.execute("CREATE OR REPLACE TEMP TABLE new_accounts AS SELECT DISTINCT platform, account_id FROM stage_new")
        snapshots = f"({_keyed_snapshots()})"
    all_of_file = "" if any_posts else f" UNION SELECT platform, account_id FROM {snapshots}"
    picks = ",\n".join(
        f"arg_max({c}, {_key(c)}) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in ACCOUNT_SNAPSHOT_VALUES
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE acc_reduced AS
        WITH snaps AS (
          SELECT a.* FROM {snapshots} a
          SEMI JOIN (SELECT platform, account_id FROM new_accounts{all_of_file}) k
            ON k.platform = a.platform AND k.account_id = a.account_id
          UNION ALL BY NAME
          SELECT platform, account_id, false AS id_is_hashed, CAST(NULL AS BIGINT) AS source_row FROM new_accounts
        )
        SELECT platform, account_id, {picks}, bool_or(coalesce(id_is_hashed, false)) AS id_is_hashed,
               min(source_row) AS source_row
        FROM snaps GROUP BY platform, account_id"""
    )
    sets = ", ".join(f"{c} = coalesce(accounts.{c}, r.{c})" for c in ACCOUNT_SNAPSHOT_VALUES)
    con.execute(
        f"""UPDATE accounts SET {sets}, id_is_hashed = accounts.id_is_hashed OR r.id_is_hashed
        FROM acc_reduced r WHERE accounts.platform = r.platform AND accounts.account_id = r.account_id"""
    )
    before = con.execute("SELECT count(*) FROM accounts").fetchone()
    con.execute(
        """INSERT INTO accounts BY NAME
        SELECT r.*, ? AS batch_id, ? AS source_file, ? AS reader, ? AS reader_version
        FROM acc_reduced r ANTI JOIN accounts a ON a.platform = r.platform AND a.account_id = r.account_id""",
        [prov["batch_id"], prov["source_file"], prov["reader"], prov["reader_version"]],
    )
    after = con.execute("SELECT count(*) FROM accounts").fetchone()
    fr.accounts_stored = int((after[0] if after else 0) - (before[0] if before else 0))
