"""Column maps: how the columns of a tabular export become canonical posts and accounts.

A :class:`ColumnMap` names, for each canonical field, the export column that holds it. Built-in readers
(IO archive, IRA, presets for shared CSVs) are column maps plus a few trusted SQL expressions; users give their
own maps with ``--map field=column`` flags or a JSON mapping file, which may only name columns (user input is
never executed as SQL). Selection is by column name, case-insensitive, in any order.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lockstep.errors import MappingError, MissingColumnsError
from lockstep.normalize.languages import language_code_sql
from lockstep.normalize.text import HASHTAG_SQL_PATTERN, MENTION_SQL_PATTERN, URL_SQL_PATTERN
from lockstep.readers.tabular import EXTRA_JSON_COLUMN
from lockstep.sqltext import ident, sql_str
from lockstep.store.schema import ACCOUNT_COLUMNS

POST_FIELDS = (
    "post_id",
    "account_id",
    "created_at",
    "text",
    "language",
    "kind",
    "is_repost",
    "repost_of",
    "repost_of_account",
    "reply_to",
    "reply_to_account",
    "quote_of",
    "quote_of_account",
    "urls",
    "hashtags",
    "mentions",
    "media",
    "like_count",
    "repost_count",
    "reply_count",
    "quote_count",
    "client",
)
ACCOUNT_FIELDS = (
    "handle",
    "display_name",
    "description",
    "location",
    "account_created_at",
    "followers",
    "following",
    "post_count",
    "account_language",
    "avatar",
)
ALL_FIELDS = POST_FIELDS + ACCOUNT_FIELDS

DEFAULT_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d",
    "%a %b %d %H:%M:%S +0000 %Y",
)
#: Values of a ``kind`` column, as exports write them, mapped to canonical kinds.
KIND_VALUES = {
    "original": "original",
    "post": "original",
    "tweet": "original",
    "status": "original",
    "": "original",
    "repost": "repost",
    "retweet": "repost",
    "retweeted": "repost",
    "rt": "repost",
    "r": "repost",
    "share": "repost",
    "forward": "repost",
    "boost": "repost",
    "quote": "quote",
    "quoted": "quote",
    "q": "quote",
    "reply": "reply",
    "replied_to": "reply",
    "comment": "reply",
}
TRUE_VALUES = ("true", "t", "1", "yes", "y")


@dataclass(frozen=True)
class ColumnMap:
    """Where each canonical field lives in an export, and how to read it.

    ``columns`` maps canonical field names (see ``ALL_FIELDS``) to export column names; ``expressions`` maps
    field names to trusted SQL (built-in readers only). ``required`` fields must be present.
    """

    platform: str
    columns: dict[str, str] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ("account_id", "created_at")
    time_formats: tuple[str, ...] = DEFAULT_TIME_FORMATS
    timezone: str = "UTC"
    time_from_snowflake: bool = False
    hashed_id_pattern: str | None = None
    null_values: tuple[str, ...] = ("",)
    has_posts: bool = True
    #: (time expression, shape) pairs found on a sample by :meth:`with_time_hints`: a fast first parse.
    time_hints: tuple[tuple[str, str], ...] = ()

    def resolve(self, path: str, fmt: str, found: list[str]) -> ColumnMap:
        """Bind column names case-insensitively to ``found``; raise naming what is missing and what is near."""
        lower = {c.lower(): c for c in found}
        bound: dict[str, str] = {}
        for fld, col in self.columns.items():
            if fld not in ALL_FIELDS:
                raise MappingError(f"unknown field {fld!r} in the column map; fields are {', '.join(ALL_FIELDS)}")
            if col in found:
                bound[fld] = col
            elif col.lower() in lower:
                bound[fld] = lower[col.lower()]
        missing = [f for f in self.required if f not in bound and f not in self.expressions]
        if missing:
            wanted = [self.columns.get(f, f) for f in missing]
            hints = {}
            for w in wanted:
                close = difflib.get_close_matches(w.lower(), list(lower), n=1, cutoff=0.5)
                if close:
                    hints[w] = lower[close[0]]
            raise MissingColumnsError(path, fmt, wanted, found, hints)
        return replace(self, columns=bound)

    def with_overrides(self, overrides: dict[str, str]) -> ColumnMap:
        """This map with ``overrides`` (field -> column) applied, as given by ``--map`` or a mapping file."""
        for fld in overrides:
            if fld not in ALL_FIELDS and fld not in _OPTION_KEYS:
                raise MappingError(f"unknown field {fld!r}; fields are {', '.join(ALL_FIELDS)}")
        opts: dict[str, Any] = {}
        if "platform" in overrides:
            opts["platform"] = overrides["platform"]
        if "timezone" in overrides:
            opts["timezone"] = overrides["timezone"]
        if "time_format" in overrides:
            opts["time_formats"] = (overrides["time_format"], *self.time_formats)
        cols = {**self.columns, **{k: v for k, v in overrides.items() if k in ALL_FIELDS}}
        exprs = {k: v for k, v in self.expressions.items() if k not in overrides}
        return replace(self, columns=cols, expressions=exprs, **opts)

    # --- SQL -----------------------------------------------------------------------------------------
    def _col(self, fld: str) -> str | None:
        if fld in self.expressions:
            return f"({self.expressions[fld]})"
        col = self.columns.get(fld)
        if col is None:
            return None
        nulls = ", ".join(sql_str(v) for v in self.null_values)
        return f"(CASE WHEN trim({ident(col)}) IN ({nulls}) THEN NULL ELSE {ident(col)} END)"

    def _text(self, fld: str) -> str:
        # Free text keeps its whitespace: only a cell exactly equal to a null value is missing.
        if fld in self.expressions:
            return f"({self.expressions[fld]})"
        col = self.columns.get(fld)
        if col is None:
            return "NULL"
        nulls = ", ".join(sql_str(v) for v in self.null_values)
        return f"(CASE WHEN {ident(col)} IN ({nulls}) THEN NULL ELSE {ident(col)} END)"

    def _id(self, fld: str) -> str:
        c = self._trimmed(fld)
        return c if c else "CAST(NULL AS VARCHAR)"

    def _trimmed(self, fld: str) -> str | None:
        """``trim`` of :meth:`_col`, written so the cell is trimmed once: ``trim(CASE WHEN trim(c) IN (nulls)
        THEN NULL ELSE c END)`` is ``CASE WHEN trim(c) IN (nulls) THEN NULL ELSE trim(c) END``, which for the
        usual null values (the empty cell only) is ``nullif(trim(c), '')``."""
        if fld in self.expressions:
            return f"trim(({self.expressions[fld]}))"
        col = self.columns.get(fld)
        if col is None:
            return None
        if self.null_values == ("",):
            return f"nullif(trim({ident(col)}), '')"
        nulls = ", ".join(sql_str(v) for v in self.null_values)
        return f"(CASE WHEN trim({ident(col)}) IN ({nulls}) THEN NULL ELSE trim({ident(col)}) END)"

    def _trim_of(self, expr: str) -> str:
        """``trim(expr)`` for ``expr`` a :meth:`_col` expression, as :meth:`_trimmed` writes it."""
        for fld in self.columns:
            if self._col(fld) == expr:
                return str(self._trimmed(fld))
        return f"trim({expr})"

    def _int(self, fld: str) -> str:
        c = self._col(fld)
        if c is None:
            return "CAST(NULL AS BIGINT)"
        return f"TRY_CAST(TRY_CAST(replace({c}, ',', '') AS DOUBLE) AS BIGINT)"

    def _local(self, naive: str) -> str:
        if self.timezone.upper() != "UTC":
            return f"CAST(({naive}) AT TIME ZONE {sql_str(self.timezone)} AS TIMESTAMP)"
        return naive

    def _time(self, expr: str | None) -> str:
        if expr is None:
            return "CAST(NULL AS TIMESTAMP)"
        fmts = "[" + ", ".join(sql_str(f) for f in self.time_formats) + "]"
        t = self._trim_of(expr)
        naive = self._local(f"try_strptime({t}, {fmts})")
        aware = f"CAST(TRY_CAST({t} AS TIMESTAMPTZ) AS TIMESTAMP)"
        # Unix epoch seconds (9-11 digits, optional fraction), as research tools export them. The shape is
        # tested first, so an epoch column is parsed in one step instead of failing every strptime format
        # (no format matches bare digits, and a TIMESTAMPTZ cast of them is NULL: the result is unchanged).
        full = (
            f"CASE WHEN regexp_full_match({t}, '[0-9]{{9,11}}(\\.[0-9]+)?') "
            f"THEN CAST(to_timestamp(CAST({t} AS DOUBLE)) AS TIMESTAMP) "
            f"ELSE coalesce({naive}, {aware}) END"
        )
        hint = dict(self.time_hints).get(expr)
        if hint == EPOCH_HINT:
            # Whole epoch seconds converted in integer arithmetic, without the timestamp-with-time-zone round
            # trip: the same instant as the double conversion (exact for 9-11 digits); anything else takes the
            # full parse.
            return (
                f"CASE WHEN regexp_full_match({t}, '[0-9]{{9,11}}') "
                f"THEN make_timestamp(CAST({t} AS BIGINT) * 1000000) ELSE {full} END"
            )
        if hint is not None:
            # The format the sample showed: where it parses a value, the full parse gives the same instant
            # (see _fast_format); elsewhere the full parse runs.
            return f"coalesce({self._local(f'try_strptime({t}, {sql_str(hint)})')}, {full})"
        return full

    def with_time_hints(self, con: Any, table: str) -> ColumnMap:
        """This map with a fast first parse for each time column whose first 1,000 values share one shape.

        The shape (whole epoch seconds, or the first time format that parses every sampled value) only picks
        the parse tried first: a value it does not fit gets the full parse, so the result never depends on
        the sample. This is the "parse by detected format" of issue 12: one parse per value instead of a
        regex and up to seven ``strptime`` formats.
        """
        hints = []
        for fld in ("created_at", "account_created_at"):
            expr = self._col(fld)
            if expr is None:
                continue
            values = [
                r[0]
                for r in con.execute(f"SELECT trim({expr}) FROM {table} WHERE {expr} IS NOT NULL LIMIT 1000").fetchall()
            ]
            hint = _detect_time_shape(con, values, self.time_formats)
            if hint is not None:
                hints.append((expr, hint))
        return replace(self, time_hints=tuple(hints))

    def _list(self, fld: str, pattern_from_text: str | None, strip: str) -> str:
        c = self._col(fld)
        if c is None:
            if pattern_from_text is None or self._col("text") is None:
                return "CAST([] AS VARCHAR[])"
            group = 1 if "(" in pattern_from_text.replace("(?:", "") else 0
            text = self._col("text")
            if "text" not in self.expressions and self.null_values == ("",):
                # A cell holding the marker is not blank, so the null test cannot change what is extracted.
                text = ident(self.columns["text"])
            # Most posts carry no entity of a kind: a cheap substring test skips the Unicode regex for them.
            marker = {HASHTAG_SQL_PATTERN: "#", MENTION_SQL_PATTERN: "@", URL_SQL_PATTERN: "http"}[pattern_from_text]
            return (
                f"CASE WHEN contains({text}, {sql_str(marker)}) "
                f"THEN coalesce(regexp_extract_all({text}, {sql_str(pattern_from_text)}, {group}), []) "
                "ELSE CAST([] AS VARCHAR[]) END"
            )
        items = (
            f"list_filter(list_transform(regexp_extract_all({c}, {sql_str(LIST_ITEM_PATTERN)}), "
            f"lambda x: ltrim(trim(x, {sql_str(chr(39) + chr(34) + ' ')}), {sql_str(strip)})), lambda x: x <> '')"
        )
        # Most cells are empty or one bare item (a single URL): such a cell is its own only item, so the
        # item regex and the two lambdas run only on cells with list syntax (the result is the same).
        # Such a cell is not blank and has no white space, so with nothing to strip it is its own item.
        single = (
            f"[{c}]"
            if not strip
            else f"CASE WHEN ltrim({c}, {sql_str(strip)}) = '' THEN CAST([] AS VARCHAR[]) "
            f"ELSE [ltrim({c}, {sql_str(strip)})] END"
        )
        return (
            f"CASE WHEN {c} IS NULL THEN CAST([] AS VARCHAR[]) "
            f"WHEN NOT regexp_matches({c}, {sql_str(LIST_SYNTAX_PATTERN)}) THEN {single} "
            f"ELSE coalesce({items}, []) END"
        )

    def kind_sql(self) -> str:
        """Canonical kind: from a ``kind`` column if mapped, else from repost/reply/quote references."""
        if "kind" in self.expressions:
            return self.expressions["kind"]
        kind_col = self._col("kind")
        cases = []
        if kind_col:
            values = ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in KIND_VALUES.items())
            cases.append(f"MAP {{{values}}}[lower(trim({kind_col}))]")
        flag = self._col("is_repost")
        truthy = ", ".join(sql_str(v) for v in TRUE_VALUES)
        derived = (
            "CASE WHEN false THEN NULL "
            + (f"WHEN lower(trim({flag})) IN ({truthy}) THEN 'repost' " if flag else "")
            + (f"WHEN {self._id('repost_of')} IS NOT NULL THEN 'repost' " if self._col("repost_of") else "")
            + (f"WHEN {self._id('reply_to')} IS NOT NULL THEN 'reply' " if self._col("reply_to") else "")
            + (f"WHEN {self._id('quote_of')} IS NOT NULL THEN 'quote' " if self._col("quote_of") else "")
            + "ELSE 'original' END"
        )
        cases.append(derived)
        return f"coalesce({', '.join(cases)})"

    def posts_select(self, table: str, all_columns: list[str]) -> str:
        """``SELECT`` producing staged posts (canonical columns plus ``created_at_raw``) from ``table``."""
        created_raw = self._col("created_at")
        created = self._time(created_raw)
        if self.time_from_snowflake and self._col("post_id"):
            snow = f"make_timestamp(((TRY_CAST({self._id('post_id')} AS BIGINT) >> 22) + 1288834974657) * 1000)"
            created = (
                f"coalesce(CASE WHEN TRY_CAST({self._id('post_id')} AS BIGINT) > 30000000000000000 "
                f"THEN {snow} END, {created})"
            )
        parent = (
            f"CASE _kind WHEN 'repost' THEN {self._id('repost_of')} WHEN 'reply' THEN {self._id('reply_to')} "
            f"WHEN 'quote' THEN {self._id('quote_of')} END"
        )
        parent_account = (
            f"CASE _kind WHEN 'repost' THEN {self._id('repost_of_account')} "
            f"WHEN 'reply' THEN {self._id('reply_to_account')} "
            f"WHEN 'quote' THEN {self._id('quote_of_account')} END"
        )
        return f"""
        SELECT * EXCLUDE (_kind) FROM (
          SELECT
            {sql_str(self.platform)} AS platform,
            {self._id("post_id")} AS post_id,
            {self._id("account_id")} AS account_id,
            {created} AS created_at,
            CAST({created_raw or "NULL"} AS VARCHAR) AS created_at_raw,
            {self._text("text")} AS text,
            {language_code_sql(self._id("language"))} AS language,
            {self.kind_sql()} AS _kind,
            _kind AS kind,
            {parent} AS parent_post_id,
            {parent_account} AS parent_account_id,
            {self._id("quote_of")} AS quoted_post_id,
            {self._list("urls", URL_SQL_PATTERN, "")} AS urls,
            {self._list("hashtags", HASHTAG_SQL_PATTERN, "#")} AS hashtags,
            {self._list("mentions", MENTION_SQL_PATTERN, "@")} AS mentions,
            {self._list("media", None, "")} AS media,
            {self._int("like_count")} AS like_count,
            {self._int("repost_count")} AS repost_count,
            {self._int("reply_count")} AS reply_count,
            {self._int("quote_count")} AS quote_count,
            {self._text("client")} AS client,
            {self.extra_sql(all_columns)} AS extra,
            _row AS source_row
          FROM {table})"""

    def accounts_select(self, table: str, all_columns: list[str], posts_table: str | None = None) -> str:
        """``SELECT`` producing staged account snapshots from ``table``.

        An account-only file (a users table) stages one snapshot per row, so unusable rows can be quarantined
        one by one. A file of posts stages one row per account: each field's latest non-empty value, by the
        same rule (and with the same range checks) ingest applies when it reduces snapshots, so the result is
        unchanged while a file of millions of posts by thousands of accounts stages thousands of rows, not
        millions. Each picked value comes with its ordering key (``_k_<column>``), so that ingest can reduce
        the rows of a file staged in several chunks to the value the whole file would give.

        ``posts_table``, the posts already staged from ``table`` by :meth:`posts_select`, supplies each row's
        observation time (the post's time, parsed once) instead of parsing the time column again; it is not
        used when post times come from snowflake ids, which the observation time does not. Snapshot fields
        the map does not fill are NULL without being aggregated.
        """
        if self.time_from_snowflake and self._col("post_id"):
            posts_table = None
        rows = self._account_rows(table, all_columns, posts_table if self.has_posts else None)
        if not self.has_posts:
            return rows
        filled = self._snapshot_fields()
        picks = ",\n".join(
            f"arg_max({c}, _k) FILTER (WHERE {c} IS NOT NULL) AS {c}, "
            f"max(_k) FILTER (WHERE {c} IS NOT NULL) AS {SNAPSHOT_KEY_PREFIX}{c}"
            if c in filled
            else f"NULL AS {c}"
            for c in ACCOUNT_SNAPSHOT_VALUES
        )
        return f"""
          SELECT platform, account_id, {picks}, bool_or(coalesce(id_is_hashed, false)) AS id_is_hashed,
                 max(observed_at) AS observed_at, min(source_row) AS source_row
          FROM (SELECT * REPLACE (CASE WHEN created_at >= TIMESTAMP '1900-01-01'
                                        AND created_at < TIMESTAMP '2100-01-01' THEN created_at END AS created_at),
                       coalesce(epoch_us(observed_at), source_row) AS _k
                FROM (SELECT * REPLACE (CASE WHEN observed_at >= TIMESTAMP '1990-01-01'
                                              AND observed_at < TIMESTAMP '2100-01-01' THEN observed_at END
                                         AS observed_at) FROM ({rows})))
          GROUP BY platform, account_id"""

    def _snapshot_fields(self) -> set[str]:
        """Account snapshot columns this map can fill (the others are NULL on every row)."""
        source = {"created_at": "account_created_at", "language": "account_language", "extra": None}
        filled = set()
        for c in ACCOUNT_SNAPSHOT_VALUES:
            fld = source.get(c, c)
            if fld is not None and (fld in self.columns or fld in self.expressions):
                filled.add(c)
        if not self.has_posts:
            filled.add("extra")
        return filled

    def _account_rows(self, table: str, all_columns: list[str], posts_table: str | None = None) -> str:
        hashed = (
            f"coalesce(regexp_full_match({self._id('account_id')}, {sql_str(self.hashed_id_pattern)}), false)"
            if self.hashed_id_pattern
            else "false"
        )
        observed = self._time(self._col("created_at")) if self.has_posts else "CAST(NULL AS TIMESTAMP)"
        source = table
        if posts_table is not None:
            # Names no export column can take (a join must not make a mapped column ambiguous).
            observed = "_lockstep_posted_at"
            source = (
                f"{table} LEFT JOIN (SELECT source_row AS _lockstep_posted_row, created_at AS _lockstep_posted_at "
                f"FROM {posts_table}) ON _lockstep_posted_row = {table}._row"
            )
        extra = "NULL" if self.has_posts else self.extra_sql(all_columns)
        return f"""
          SELECT
            {sql_str(self.platform)} AS platform,
            {self._id("account_id")} AS account_id,
            {self._id("handle")} AS handle,
            {self._text("display_name")} AS display_name,
            {self._text("description")} AS description,
            {self._text("location")} AS location,
            {self._time(self._col("account_created_at"))} AS created_at,
            {self._int("followers")} AS followers,
            {self._int("following")} AS following,
            {self._int("post_count")} AS post_count,
            {language_code_sql(self._id("account_language"))} AS language,
            {self._text("avatar")} AS avatar,
            {hashed} AS id_is_hashed,
            {extra} AS extra,
            {observed} AS observed_at,
            {table}._row AS source_row
          FROM {source}"""

    def extra_sql(self, all_columns: list[str]) -> str:
        """JSON object of the columns no field uses (nothing in the export is dropped)."""
        used = set(self.columns.values())
        rest = [c for c in all_columns if c not in used and c != EXTRA_JSON_COLUMN]
        if EXTRA_JSON_COLUMN in all_columns:
            # JSON lines: objects and arrays were kept as JSON text; put them back as nested JSON.
            parts = [
                f"{sql_str(c)}, CASE WHEN left({ident(c)}, 1) IN ('{{', '[') AND json_valid({ident(c)}) "
                f"THEN CAST({ident(c)} AS JSON) ELSE to_json({ident(c)}) END"
                for c in rest
            ]
        else:
            parts = [f"{sql_str(c)}, {ident(c)}" for c in rest]
        obj = f"json_object({', '.join(parts)})" if parts else "NULL"
        if EXTRA_JSON_COLUMN in all_columns:
            more = ident(EXTRA_JSON_COLUMN)
            obj = f"CASE WHEN {more} IS NULL THEN {obj} ELSE json_merge_patch({obj}, {more}) END" if parts else more
        return f"CAST({obj} AS VARCHAR)"


#: Time hint: whole Unix epoch seconds.
EPOCH_HINT = "epoch"
_EPOCH_INT = re.compile(r"[0-9]{9,11}")


def _fast_format(fmt: str, formats: tuple[str, ...]) -> bool:
    """Whether trying ``fmt`` alone first gives the full parse's result wherever ``fmt`` parses a value.

    It must not parse what looks like epoch seconds (the full parse reads digits with an optional fraction as
    epoch seconds first): its literal text holds something other than a digit or a dot. And no format before
    it in ``formats`` may parse a value it parses: it is the first format, or it and all before it are
    default formats, whose shapes exclude each other.
    """
    if not any(ch not in "0123456789." for ch in re.sub("%.", "", fmt)):
        return False
    i = formats.index(fmt)
    return i == 0 or all(f in DEFAULT_TIME_FORMATS for f in formats[: i + 1])


def _detect_time_shape(con: Any, values: list[str], formats: tuple[str, ...]) -> str | None:
    """:data:`EPOCH_HINT`, a format of ``formats`` that parses every one of ``values``, or ``None``."""
    if not values:
        return None
    if all(_EPOCH_INT.fullmatch(v) for v in values):
        return EPOCH_HINT
    for fmt in formats:
        row = con.execute(
            "SELECT count(*) FROM (SELECT unnest(?::VARCHAR[]) AS v) WHERE try_strptime(v, ?) IS NOT NULL",
            [values, fmt],
        ).fetchone()
        if row and row[0] == len(values):
            return fmt if _fast_format(fmt, formats) else None
    return None


#: Prefix of the staged column holding the ordering key of a reduced snapshot value (``_k_handle``: when the
#: picked ``handle`` was observed), so snapshots reduced chunk by chunk reduce again to the whole file's value.
SNAPSHOT_KEY_PREFIX = "_k_"

#: Account fields reduced to their latest non-empty value (the stored snapshot's value columns).
ACCOUNT_SNAPSHOT_VALUES = tuple(
    c
    for c, _ in ACCOUNT_COLUMNS
    if c
    not in (
        "platform",
        "account_id",
        "id_is_hashed",
        "source_file",
        "source_row",
        "batch_id",
        "reader",
        "reader_version",
    )
)

#: One item of a list-valued cell: a quoted string (Python or JSON list syntax) or a bare token.
LIST_ITEM_PATTERN = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,\[\]'\"]+"
#: A character that cannot be part of a bare item: a cell without one is a single item.
LIST_SYNTAX_PATTERN = r"[\s,\[\]'\"]"

_OPTION_KEYS = ("platform", "timezone", "time_format")


def load_mapping_file(path: str | Path) -> dict[str, str]:
    """Read a JSON mapping file: ``{"post_id": "id", "text": "body", "timezone": "Asia/Shanghai"}``."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{p}: mapping file not found") from exc
    except ValueError as exc:
        raise MappingError(f"{p}: mapping file is not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise MappingError(f'{p}: a mapping file is one JSON object of field -> column, e.g. {{"text": "body"}}')
    return data


def parse_map_flags(flags: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["text=body", "post_id=id"]`` -> ``{"text": "body", "post_id": "id"}``."""
    out = {}
    for item in flags:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise MappingError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map text=body")
        out[key.strip()] = value.strip()
    return out
