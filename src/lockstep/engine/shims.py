"""Engine-specific functions behind one interface: time to epoch seconds, lower-casing, hashing, text normalisation.

Everything else in the engine-neutral definitions (:mod:`lockstep.engine.actions`, :mod:`lockstep.engine.coaction`)
is plain Ibis. These functions are the ones where a naive translation gives *different answers* on Spark:

- epoch microseconds (an integer; the signals' calendar parts): DuckDB ``epoch_us``, Spark ``unix_micros``.
- epoch seconds: Ibis' ``epoch_seconds`` is an integer (fractions lost); DuckDB has ``epoch`` (a double),
  Spark ``unix_micros / 1e6`` (the same double: DuckDB divides the same microsecond count).
- lower: DuckDB maps each code point on its own (utf8proc's tables); Spark follows Java's context rules
  (final sigma, ``İ``) and a newer Unicode version. The Spark shim runs DuckDB's mapping as a Python UDF.
- text normalisation: Spark has no NFC; it runs :func:`lockstep.engine.textnorm.normalize_like_duckdb` as a
  vectorised (Arrow) UDF.
- md5: both engines hash the UTF-8 bytes to lower-case hex (Ibis ``hexdigest('md5')``), kept here so every
  engine-specific choice sits in one place.
- median (the edges' median gap): DuckDB's ``median`` is ``quantile_cont(x, 0.5)``, ``lo + (hi - lo) * 0.5``
  at an even count; Spark's ``percentile`` interpolates as ``lo * 0.5 + hi * 0.5`` (not always the same
  double) and Ibis' ``median`` may compile to an approximate percentile there. DuckDB runs its native
  aggregate (one pass, inside the other aggregates); Spark computes DuckDB's formula from ranks
  (:func:`lockstep.engine.coaction.median_by`).
- CNT tokens (near-duplicate): DuckDB runs the RE2 patterns of :mod:`lockstep.traces.near_duplicates`; Spark's
  Java regexes lack ``\\p{Han}`` and follow another Unicode version, so it runs
  :func:`lockstep.engine.tokens.tokens_like_duckdb` as a vectorised UDF.

``tests/test_engine_shims.py`` checks each Spark shim against the DuckDB one on hostile strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from lockstep.normalize.text import EMOJI_CLASS, MENTION_PATTERN, RETWEET_PREFIX, URL_PATTERN


@ibis.udf.scalar.builtin(name="epoch")  # type: ignore[untyped-decorator]
def _duck_epoch(t: dt.datetime) -> float:  # type: ignore[empty-body]
    """DuckDB ``epoch``: seconds since 1970 as a double."""


@ibis.udf.scalar.builtin(name="epoch_us")  # type: ignore[untyped-decorator]
def _duck_epoch_us(t: dt.datetime) -> int:  # type: ignore[empty-body]
    """DuckDB ``epoch_us``: microseconds since 1970 as a BIGINT."""


@ibis.udf.scalar.builtin(name="nfc_normalize")  # type: ignore[untyped-decorator]
def _duck_nfc(s: str) -> str:  # type: ignore[empty-body]
    """DuckDB ``nfc_normalize``."""


@ibis.udf.scalar.builtin(name="lower")  # type: ignore[untyped-decorator]
def _lower(s: str) -> str:  # type: ignore[empty-body]
    """SQL ``lower`` (Ibis' ``lower`` is the same call; named here so the shim says which one runs)."""


@ibis.udf.scalar.builtin(name="trim")  # type: ignore[untyped-decorator]
def _duck_trim(s: str) -> str:  # type: ignore[empty-body]
    """DuckDB one-argument ``trim`` (spaces only; Ibis' ``strip`` trims all whitespace)."""


@ibis.udf.scalar.builtin(name="regexp_replace")  # type: ignore[untyped-decorator]
def _duck_regexp_replace(s: str, pattern: str, replacement: str, flags: str) -> str:  # type: ignore[empty-body]
    """DuckDB ``regexp_replace`` with an options string (``'g'``: every match)."""


@ibis.udf.scalar.builtin(name="regexp_replace")  # type: ignore[untyped-decorator]
def _duck_regexp_replace_first(s: str, pattern: str, replacement: str) -> str:  # type: ignore[empty-body]
    """DuckDB ``regexp_replace`` of the first match."""


@ibis.udf.scalar.builtin(name="strlen")  # type: ignore[untyped-decorator]
def _duck_strlen(s: str) -> int:  # type: ignore[empty-body]
    """DuckDB ``strlen``: the length in bytes (UTF-8)."""


@ibis.udf.scalar.builtin(name="length")  # type: ignore[untyped-decorator]
def _duck_length(s: str) -> int:  # type: ignore[empty-body]
    """DuckDB ``length``: the length in characters (grapheme clusters)."""


@ibis.udf.scalar.builtin(name="contains")  # type: ignore[untyped-decorator]
def _duck_contains(s: str, needle: str) -> bool:  # type: ignore[empty-body]
    """DuckDB ``contains``: whether ``needle`` occurs in ``s``."""


@ibis.udf.scalar.builtin(name="starts_with")  # type: ignore[untyped-decorator]
def _duck_starts_with(s: str, prefix: str) -> bool:  # type: ignore[empty-body]
    """DuckDB ``starts_with``."""


@ibis.udf.scalar.builtin(name="ends_with")  # type: ignore[untyped-decorator]
def _duck_ends_with(s: str, suffix: str) -> bool:  # type: ignore[empty-body]
    """DuckDB ``ends_with``."""


@ibis.udf.scalar.builtin(name="chr")  # type: ignore[untyped-decorator]
def _duck_chr(code: int) -> str:  # type: ignore[empty-body]
    """DuckDB ``chr``: the character of a code point (keeps control characters out of SQL literals)."""


@ibis.udf.agg.builtin(name="median")  # type: ignore[untyped-decorator]
def _duck_median(x: float) -> float:  # type: ignore[empty-body]
    """DuckDB's ``median`` aggregate (``quantile_cont(x, 0.5)``)."""


@ibis.udf.scalar.builtin(name="unix_micros")  # type: ignore[untyped-decorator]
def _spark_unix_micros(t: dt.datetime) -> int:  # type: ignore[empty-body]
    """Spark ``unix_micros`` (microseconds since 1970)."""


@ibis.udf.scalar.pandas(name="lockstep_normalize_text")  # type: ignore[untyped-decorator]
def _spark_normalize(s: str) -> str:
    """Vectorised :func:`~lockstep.engine.textnorm.normalize_like_duckdb` (runs in the Spark Python workers)."""
    from lockstep.engine.textnorm import normalize_like_duckdb

    return s.map(normalize_like_duckdb)  # type: ignore[attr-defined, no-any-return]


@ibis.udf.scalar.builtin(name="regexp_extract_all")  # type: ignore[untyped-decorator]
def _duck_extract_all(s: str, pattern: str) -> list[str]:  # type: ignore[empty-body]
    """DuckDB ``regexp_extract_all`` (RE2): every non-overlapping match."""


@ibis.udf.scalar.pandas(name="lockstep_cnt_tokens")  # type: ignore[untyped-decorator]
def _spark_cnt_tokens(s: str) -> list[str]:
    """Vectorised :func:`~lockstep.engine.tokens.tokens_like_duckdb` (runs in the Spark Python workers)."""
    from lockstep.engine.tokens import tokens_like_duckdb

    return s.map(lambda v: tokens_like_duckdb(v) if isinstance(v, str) else None)  # type: ignore[attr-defined, no-any-return]


@ibis.udf.scalar.pandas(name="lockstep_lower")  # type: ignore[untyped-decorator]
def _spark_lower(s: str) -> str:
    """Vectorised :func:`~lockstep.engine.textnorm.lower_like_duckdb` (runs in the Spark Python workers)."""
    from lockstep.engine.textnorm import lower_like_duckdb

    return s.map(lambda v: lower_like_duckdb(v) if isinstance(v, str) else None)  # type: ignore[attr-defined, no-any-return]


def _duck_normalize_text(s: ir.StringValue) -> ir.StringValue:
    """:func:`lockstep.normalize.text.normalize_text_sql` in Ibis, the same expression with its fast path.

    A lower-cased ASCII text without ``@``, ``http`` or ``www.`` can match neither the retweet prefix, a URL, a
    mention nor an emoji, so only the whitespace steps run on it, and those only when it holds a run of
    whitespace or a space at either end (that function says why the result is the same string). At 1M posts
    the three regular expressions on every text made co-text's actions cost about 2.5x the default engine's.
    """
    strip = f"(?i){URL_PATTERN}|{MENTION_PATTERN}|[{EMOJI_CLASS}]"
    low = _lower(_duck_nfc(s))
    full = _duck_regexp_replace_first(low, RETWEET_PREFIX, "")
    full = _duck_regexp_replace(full, strip, " ", "g")
    full = _duck_trim(_duck_regexp_replace(full, r"\s+", " ", "g"))
    plain = (
        (_duck_strlen(low) == _duck_length(low))
        & ~_duck_contains(low, "@")
        & ~_duck_contains(low, "http")
        & ~_duck_contains(low, "www.")
    )
    spaced = _duck_contains(low, "  ")
    for code in (9, 10, 12, 13):
        spaced = spaced | _duck_contains(low, _duck_chr(code))
    ends = _duck_starts_with(low, " ") | _duck_ends_with(low, " ")
    fast = ibis.cases(
        (spaced, _duck_trim(_duck_regexp_replace(low, r"\s+", " ", "g"))), (ends, _duck_trim(low)), else_=low
    )
    return ibis.cases((plain, fast), else_=full).fill_null("")


@dataclass(frozen=True)
class Shims:
    """The engine-specific functions one engine runs (see the module docstring for why each exists)."""

    engine: str

    def epoch(self, t: ir.TimestampValue) -> ir.FloatingValue:
        """Seconds since 1970 with microsecond fractions, as a double."""
        if self.engine == "duckdb":
            return _duck_epoch(t)
        # Spark: naive timestamps (TIMESTAMP_NTZ from Parquet) are read as UTC; the session runs in UTC.
        micros: Any = _spark_unix_micros(t.cast("timestamp('UTC')"))
        return micros.cast("float64") / 1_000_000.0

    def epoch_us(self, t: ir.TimestampValue) -> ir.IntegerValue:
        """Microseconds since 1970 as an integer (calendar parts are integer arithmetic on it, exact on both)."""
        if self.engine == "duckdb":
            return _duck_epoch_us(t)
        return _spark_unix_micros(t.cast("timestamp('UTC')"))

    def lower(self, s: ir.StringValue) -> ir.StringValue:
        """Lower-case one code point at a time (DuckDB's ``lower``)."""
        if self.engine == "duckdb":
            return _lower(s)
        # Spark's lower follows Java/ICU: a final capital sigma becomes ς, İ two code points, and characters new
        # in Unicode 16 (e.g. U+1C89) get mappings DuckDB's utf8proc lacks. The Python table equals DuckDB's
        # lower on every code point (tests/test_engine_shims.py), so Spark runs it as a vectorised UDF.
        return _spark_lower(s)

    def aggregate_with_median(
        self, t: ir.Table, keys: Sequence[str], aggs: Mapping[str, ir.Scalar], column: str, name: str
    ) -> ir.Table:
        """``t`` grouped by ``keys`` with the aggregates ``aggs`` and ``name`` = DuckDB's ``median(column)``.

        DuckDB: one aggregate, its native ``median``. Spark: the aggregates joined to the median computed from
        ranks with DuckDB's interpolation (:func:`lockstep.engine.coaction.median_by`).
        """
        group = list(keys)
        if self.engine == "duckdb":
            return t.group_by(group).aggregate(**aggs, **{name: _duck_median(t[column])})
        from lockstep.engine.coaction import median_by

        agg = t.group_by(group).aggregate(**aggs)
        med = median_by(t, group, column, name)
        # A left join: a group whose values are all null has a null median, as in DuckDB.
        j = agg.left_join(med, [agg[k] == med[k] for k in group])
        return j.select(*[agg[k] for k in group], *[agg[a] for a in aggs], med[name])

    def md5_hex(self, s: ir.StringValue) -> ir.StringValue:
        """Lower-case hex MD5 of the UTF-8 bytes."""
        return s.hexdigest("md5")

    def normalize_text(self, s: ir.StringValue) -> ir.StringValue:
        """:func:`lockstep.normalize.text.normalize_text_sql`, as this engine computes it exactly."""
        if self.engine == "duckdb":
            return _duck_normalize_text(s)
        return _spark_normalize(s).fill_null("")

    def cnt_tokens(self, s: ir.StringValue) -> ir.ArrayValue:
        """The near-duplicate trace's CNT tokens of ``s`` (with repeats), as
        :func:`lockstep.traces.near_duplicates.token_rows_sql` computes them in DuckDB."""
        if self.engine == "duckdb":
            from lockstep.traces.near_duplicates import _KATAKANA, _SINGLE_SCRIPTS, _WS, TOKEN_PATTERN

            # One pass over the whole text: no pattern matches a space, so this equals the default engine's
            # split at spaces then per-chunk extraction (which only saves the regex on plain chunks).
            cut = _duck_regexp_replace(_lower(s), f"@[^{_WS}]*", "", "g")
            spaced = _duck_regexp_replace(cut, f"({_SINGLE_SCRIPTS})", " \\1 ", "g")
            spaced = _duck_regexp_replace(spaced, f"({_KATAKANA})", " \\1 ", "g")
            return _duck_extract_all(spaced, TOKEN_PATTERN)
        return _spark_cnt_tokens(s)


DUCKDB = Shims("duckdb")
SPARK = Shims("spark")
