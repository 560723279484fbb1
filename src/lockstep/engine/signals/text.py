"""Text tests the content signals make, spelled so that DuckDB (RE2) and Spark (``java.util.regex``) agree.

The SQL these replace matched ``lower(text)`` against lower-case terms and a ``(?i)`` location pattern. Both
steps differ between the engines on some inputs: Spark's ``lower`` follows Java's full mappings (``İ`` becomes
``i`` + U+0307, a final ``Σ`` becomes ``ς``), DuckDB's maps each code point on its own; under ``(?i)`` RE2 folds
the Kelvin sign onto ``k`` and the long s onto ``s`` while Java (without ``UNICODE_CASE``) folds ASCII only, and
with it also folds ``ı`` onto ``i``. So no ``lower`` and no flag is used: every letter of a term becomes the
class of the code points that match it (:func:`lower_class`: those DuckDB's ``lower`` maps onto it;
:func:`fold_class`: RE2's case-fold orbit), a class of literal characters, which both engines read alike. The
match is then the one the DuckDB SQL made, on either engine, and no Python UDF runs on Spark
(``tests/test_engine_text.py`` checks each class against DuckDB on every code point).

The patterns hold no backslash (a Spark SQL literal would unescape it), no ``$`` (Java's also matches before a
final line break) and no ``(?i)``. What DuckDB's one-argument ``trim`` removes (the Unicode space separators,
category Zs) Spark's ``trim`` does not: :func:`trim_spaces` trims exactly that set on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.engine.textnorm import _lower_table

#: The code points DuckDB's one-argument ``trim`` removes from both ends (category Zs, measured on every code point).
ZS = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

#: Letters RE2's ``(?i)`` folds onto an ASCII letter besides its other case (Unicode simple case folding).
_FOLD_EXTRA = {"k": "\u212a", "s": "\u017f"}
#: Characters that would need escaping in a regular expression or inside a class; terms must not contain them.
_SPECIAL = set("\\^$.|?*+()[]{}-")


@lru_cache(maxsize=1)
def _lower_preimages() -> dict[str, str]:
    """Code point -> every other code point DuckDB's ``lower`` maps onto it."""
    out: dict[str, str] = {}
    for cp, low in sorted(_lower_table().items()):
        out[chr(low)] = out.get(chr(low), "") + chr(cp)
    return out


def lower_class(c: str) -> str:
    """A pattern matching exactly the characters ``x`` with DuckDB ``lower(x) = c``."""
    if c in _SPECIAL:
        raise ValueError(f"{c!r} needs escaping; not allowed in a term")
    members = ("" if ord(c) in _lower_table() else c) + _lower_preimages().get(c, "")
    if not members:
        raise ValueError(f"no character lower-cases to {c!r}: a term holding it never matches")
    return members if len(members) == 1 else f"[{members}]"


def fold_class(c: str) -> str:
    """A pattern matching exactly what RE2 matches for ``c`` under ``(?i)`` (``c`` ASCII, or a caseless character)."""
    if c in _SPECIAL:
        raise ValueError(f"{c!r} needs escaping; not allowed in a term")
    if not ("a" <= c.lower() <= "z"):
        return c
    members = c.lower() + c.upper() + _FOLD_EXTRA.get(c.lower(), "")
    return f"[{members}]"


def lower_terms_pattern(terms: Iterable[str]) -> str:
    """Matches where DuckDB's ``lower(text)`` contains one of ``terms`` (lower-case), run on the text itself."""
    return "|".join("".join(lower_class(c) for c in term) for term in terms)


def fold_terms_pattern(terms: Iterable[str]) -> str:
    """Matches where RE2's ``(?i)`` alternation of ``terms`` would (``' ?'`` after a character: optional)."""
    out = []
    for term in terms:
        parts = []
        for c in term:
            parts.append("?" if c == "?" else fold_class(c))
        out.append("".join(parts))
    return "|".join(out)


@ibis.udf.scalar.builtin(name="trim")  # type: ignore[untyped-decorator]
def _duck_trim(s: str) -> str:  # type: ignore[empty-body]
    """DuckDB one-argument ``trim`` (removes :data:`ZS` from both ends)."""


@ibis.udf.scalar.builtin(name="btrim")  # type: ignore[untyped-decorator]
def _spark_btrim(s: str, chars: str) -> str:  # type: ignore[empty-body]
    """Spark ``btrim(str, trimStr)``: removes the characters of ``trimStr`` from both ends."""


def trim_spaces(sh: Shims, s: ir.StringValue) -> ir.StringValue:
    """DuckDB's one-argument ``trim`` on either engine (the Zs space separators from both ends)."""
    if sh.engine == "duckdb":
        return _duck_trim(s)
    return _spark_btrim(s, ZS)
