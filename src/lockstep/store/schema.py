"""The canonical data model: one DuckDB schema every reader writes into and every analysis reads from.

`docs/data-model.md` documents each column; keep the two in step (a test checks that every column here is
named there). Times are UTC and stored as naive ``TIMESTAMP``. Lists keep their order (hashtags in order are
a coordination trace of their own).
"""

from __future__ import annotations

SCHEMA_VERSION = 5

PROVENANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_file", "VARCHAR"),
    ("source_row", "BIGINT"),
    ("batch_id", "VARCHAR"),
    ("reader", "VARCHAR"),
    ("reader_version", "VARCHAR"),
)

POST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("post_id", "VARCHAR NOT NULL"),
    ("post_id_derived", "BOOLEAN NOT NULL"),
    ("account_id", "VARCHAR NOT NULL"),
    ("created_at", "TIMESTAMP NOT NULL"),
    ("text", "VARCHAR"),
    ("language", "VARCHAR"),
    ("kind", "VARCHAR NOT NULL"),
    ("parent_post_id", "VARCHAR"),
    ("parent_account_id", "VARCHAR"),
    ("quoted_post_id", "VARCHAR"),
    ("urls", "VARCHAR[]"),
    ("hashtags", "VARCHAR[]"),
    ("mentions", "VARCHAR[]"),
    ("media", "VARCHAR[]"),
    ("like_count", "BIGINT"),
    ("repost_count", "BIGINT"),
    ("reply_count", "BIGINT"),
    ("quote_count", "BIGINT"),
    ("client", "VARCHAR"),
    ("extra", "VARCHAR"),
    *PROVENANCE_COLUMNS,
)

ACCOUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("account_id", "VARCHAR NOT NULL"),
    ("handle", "VARCHAR"),
    ("display_name", "VARCHAR"),
    ("description", "VARCHAR"),
    ("location", "VARCHAR"),
    ("created_at", "TIMESTAMP"),
    ("followers", "BIGINT"),
    ("following", "BIGINT"),
    ("post_count", "BIGINT"),
    ("language", "VARCHAR"),
    ("avatar", "VARCHAR"),
    ("id_is_hashed", "BOOLEAN NOT NULL"),
    ("extra", "VARCHAR"),
    *PROVENANCE_COLUMNS,
)

POST_URL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("post_id", "VARCHAR NOT NULL"),
    ("position", "INTEGER NOT NULL"),
    ("url_raw", "VARCHAR NOT NULL"),
    ("url", "VARCHAR NOT NULL"),
    ("domain", "VARCHAR"),
)

QUARANTINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("batch_id", "VARCHAR NOT NULL"),
    ("source_file", "VARCHAR NOT NULL"),
    ("source_sha256", "VARCHAR NOT NULL"),
    ("source_row", "BIGINT"),
    ("reader", "VARCHAR NOT NULL"),
    ("reason", "VARCHAR NOT NULL"),
    ("field", "VARCHAR"),
    ("raw", "VARCHAR"),
)

SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("batch_id", "VARCHAR NOT NULL"),
    ("path", "VARCHAR NOT NULL"),
    ("sha256", "VARCHAR NOT NULL"),
    ("size_bytes", "BIGINT NOT NULL"),
    ("format", "VARCHAR NOT NULL"),
    ("reader_version", "VARCHAR NOT NULL"),
    ("options", "VARCHAR NOT NULL"),
    ("rows_read", "BIGINT NOT NULL"),
    ("posts_stored", "BIGINT NOT NULL"),
    ("accounts_stored", "BIGINT NOT NULL"),
    ("duplicates", "BIGINT NOT NULL"),
    ("quarantined", "BIGINT NOT NULL"),
)

BATCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("batch_id", "VARCHAR NOT NULL"),
    ("started_at", "TIMESTAMP NOT NULL"),
    ("finished_at", "TIMESTAMP NOT NULL"),
    ("tool_version", "VARCHAR NOT NULL"),
    ("parameters", "VARCHAR"),
)

EDGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "VARCHAR NOT NULL"),
    ("trace", "VARCHAR NOT NULL"),
    ("platform", "VARCHAR NOT NULL"),
    ("account_a", "VARCHAR NOT NULL"),
    ("account_b", "VARCHAR NOT NULL"),
    ("shared_items", "BIGINT NOT NULL"),
    ("coactions", "BIGINT NOT NULL"),
    ("min_gap_s", "DOUBLE NOT NULL"),
    ("median_gap_s", "DOUBLE NOT NULL"),
    ("weight", "DOUBLE NOT NULL"),
    ("null_mean", "DOUBLE"),
    ("z_score", "DOUBLE"),
    ("p_value", "DOUBLE"),
)

EVIDENCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "VARCHAR NOT NULL"),
    ("trace", "VARCHAR NOT NULL"),
    ("platform", "VARCHAR NOT NULL"),
    ("account_a", "VARCHAR NOT NULL"),
    ("account_b", "VARCHAR NOT NULL"),
    ("item", "VARCHAR NOT NULL"),
    ("post_a", "VARCHAR NOT NULL"),
    ("post_b", "VARCHAR NOT NULL"),
    ("time_a", "TIMESTAMP NOT NULL"),
    ("time_b", "TIMESTAMP NOT NULL"),
    ("gap_s", "DOUBLE NOT NULL"),
)

DETECT_RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "VARCHAR NOT NULL"),
    ("trace", "VARCHAR NOT NULL"),
    ("started_at", "TIMESTAMP NOT NULL"),
    ("tool_version", "VARCHAR NOT NULL"),
    ("parameters", "VARCHAR NOT NULL"),
    ("actions", "BIGINT NOT NULL"),
    ("items", "BIGINT NOT NULL"),
    ("capped_items", "BIGINT NOT NULL"),
    ("capped_actions", "BIGINT NOT NULL"),
    ("pairs", "BIGINT NOT NULL"),
    ("edges", "BIGINT NOT NULL"),
    ("seconds", "DOUBLE NOT NULL"),
)

CAPPED_ITEM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "VARCHAR NOT NULL"),
    ("trace", "VARCHAR NOT NULL"),
    ("platform", "VARCHAR NOT NULL"),
    ("item", "VARCHAR NOT NULL"),
    ("accounts", "BIGINT NOT NULL"),
    ("actions", "BIGINT NOT NULL"),
)

NETWORK_EDGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("account_a", "VARCHAR NOT NULL"),
    ("account_b", "VARCHAR NOT NULL"),
    ("traces", "VARCHAR[] NOT NULL"),
    ("n_traces", "BIGINT NOT NULL"),
    ("weight", "DOUBLE NOT NULL"),
    ("shared_items", "BIGINT NOT NULL"),
    ("coactions", "BIGINT NOT NULL"),
    ("min_gap_s", "DOUBLE NOT NULL"),
    ("min_p_value", "DOUBLE"),
    ("significant", "BIGINT NOT NULL"),
)

ACCOUNT_SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("account_id", "VARCHAR NOT NULL"),
    ("community", "BIGINT NOT NULL"),
    ("degree", "BIGINT NOT NULL"),
    ("strength", "DOUBLE NOT NULL"),
    ("eigenvector", "DOUBLE NOT NULL"),
    ("core", "BOOLEAN NOT NULL"),
)

COMMUNITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("community", "BIGINT NOT NULL"),
    ("platform", "VARCHAR NOT NULL"),
    ("accounts", "BIGINT NOT NULL"),
    ("edges", "BIGINT NOT NULL"),
    ("density", "DOUBLE NOT NULL"),
    ("mean_weight", "DOUBLE NOT NULL"),
    ("traces", "VARCHAR[] NOT NULL"),
    ("significant_share", "DOUBLE NOT NULL"),
    ("coordination_score", "DOUBLE NOT NULL"),
    ("seed", "BIGINT NOT NULL"),
    ("parameters", "VARCHAR NOT NULL"),
)

SIGNAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("scope", "VARCHAR NOT NULL"),
    ("platform", "VARCHAR NOT NULL"),
    ("subject", "VARCHAR NOT NULL"),
    ("signal", "VARCHAR NOT NULL"),
    ("value", "DOUBLE"),
    ("baseline", "DOUBLE"),
    ("fired", "BOOLEAN NOT NULL"),
    ("detail", "VARCHAR"),
)

CAMPAIGN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("campaign", "BIGINT NOT NULL"),
    ("rank", "BIGINT NOT NULL"),
    ("platform", "VARCHAR NOT NULL"),
    ("accounts", "BIGINT NOT NULL"),
    ("coordination_score", "DOUBLE NOT NULL"),
    ("significant_share", "DOUBLE NOT NULL"),
    ("traces", "VARCHAR[] NOT NULL"),
    ("breakout_category", "INTEGER NOT NULL"),
    ("breakout_reason", "VARCHAR NOT NULL"),
    ("techniques", "VARCHAR NOT NULL"),
    ("summary", "VARCHAR NOT NULL"),
)

MEDIA_HASH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("media_ref", "VARCHAR NOT NULL"),
    ("algorithm", "VARCHAR NOT NULL"),
    ("hash", "VARCHAR NOT NULL"),
    ("quality", "INTEGER"),
    ("source", "VARCHAR NOT NULL"),
)

AVATAR_CHECK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("account_id", "VARCHAR NOT NULL"),
    ("image", "VARCHAR NOT NULL"),
    ("eye_distance", "DOUBLE"),
    ("gan_like", "BOOLEAN NOT NULL"),
    ("reason", "VARCHAR NOT NULL"),
)

POST_LANGUAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("platform", "VARCHAR NOT NULL"),
    ("post_id", "VARCHAR NOT NULL"),
    ("language", "VARCHAR NOT NULL"),
    ("confidence", "DOUBLE NOT NULL"),
)

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "posts": POST_COLUMNS,
    "accounts": ACCOUNT_COLUMNS,
    "post_urls": POST_URL_COLUMNS,
    "quarantine": QUARANTINE_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "ingest_batches": BATCH_COLUMNS,
    "edges": EDGE_COLUMNS,
    "evidence": EVIDENCE_COLUMNS,
    "detect_runs": DETECT_RUN_COLUMNS,
    "capped_items": CAPPED_ITEM_COLUMNS,
    "network_edges": NETWORK_EDGE_COLUMNS,
    "account_scores": ACCOUNT_SCORE_COLUMNS,
    "communities": COMMUNITY_COLUMNS,
    "signals": SIGNAL_COLUMNS,
    "campaigns": CAMPAIGN_COLUMNS,
    "media_hashes": MEDIA_HASH_COLUMNS,
    "avatar_checks": AVATAR_CHECK_COLUMNS,
    "post_languages": POST_LANGUAGE_COLUMNS,
}


def create_table_sql(name: str, columns: tuple[tuple[str, str], ...], *, temp: bool = False) -> str:
    """``CREATE TABLE`` statement for ``columns`` (``temp`` drops NOT NULL so staging can hold raw rows)."""
    cols = ", ".join(f'"{col}" {typ.replace(" NOT NULL", "") if temp else typ}' for col, typ in columns)
    kind = "TEMP TABLE" if temp else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {name} ({cols})"


def column_names(columns: tuple[tuple[str, str], ...]) -> list[str]:
    """The names of ``columns``, in order."""
    return [c for c, _ in columns]
