"""A pure-Python replica of the DuckDB text normalisation, for engines that lack DuckDB's functions.

:func:`lockstep.normalize.text.normalize_text_sql` is what the default (DuckDB) engine runs: ``nfc_normalize``,
``lower`` (utf8proc: one code point to one code point, no context rules), RE2 regexes and ``trim`` (the
Unicode space separators, not tabs). Spark has no NFC function, lower-cases with Java's context rules (a final
capital sigma becomes ``ς``, ``İ`` becomes two code points) and matches with ``java.util.regex`` (whose
``\\s`` includes the vertical tab). :func:`normalize_like_duckdb` reproduces the DuckDB expression code point
by code point so the Spark engine can run it as a vectorised UDF; ``tests/test_engine_shims.py`` checks the two
agree on hostile text.

The RE2 details reproduced here: ``\\s`` is ``[\\t\\n\\f\\r ]``; under ``(?i)`` an ASCII letter also matches the
letters that case-fold to it (``ſ`` folds to ``s``, the Kelvin sign to ``k``), but nothing else (Python's
``re.IGNORECASE`` would also let ``ı`` and ``İ`` match ``[A-Za-z]``, so the classes are spelled out instead).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lockstep.normalize.text import EMOJI_CLASS

_WS = "\\t\\n\\f\\r "
# After lower() only lower-case ASCII letters remain, plus the two non-ASCII letters that RE2 folds onto ASCII
# letters under (?i): U+017F (long s, folds to s) and U+212A (Kelvin sign; lower() already maps it to k).
_S = "[sS\u017f]"
_K = "[kK\u212a]"
_WORD = "A-Za-z0-9_\u017f\u212a"
_URL = f'[hH][tT][tT][pP]{_S}?://[^{_WS}<>"]+|[wW][wW][wW]\\.[^{_WS}<>"]+'
_MENTION = f"@[{_WORD}](?:[{_WORD}.-]*[{_WORD}])?"
_STRIP = re.compile(f"{_URL}|{_MENTION}|[{EMOJI_CLASS}]")
_RT = re.compile(f"^rt @[A-Za-z0-9_]+:?[{_WS}]*")
_SPACES = re.compile(f"[{_WS}]+")
#: What DuckDB's one-argument ``trim`` removes: the Unicode space separators (category Zs), not tabs or newlines.
_ZS = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
del _K


@lru_cache(maxsize=1)
def _lower_table() -> dict[int, int]:
    """Per-code-point simple lower-case mapping (what utf8proc's ``tolower`` does, without context rules)."""
    table: dict[int, int] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        low = chr(cp).lower()
        if len(low) == 1 and low != chr(cp):
            table[cp] = ord(low)
    table[0x0130] = ord("i")  # İ: the full mapping is "i̇"; the simple one (utf8proc's) is "i"
    return table


def lower_like_duckdb(text: str) -> str:
    """DuckDB's ``lower``: each code point mapped on its own (``ΟΔΟΣ`` -> ``οδοσ``, ``İ`` -> ``i``).

    Examples:
        >>> lower_like_duckdb("ΟΔΟΣ İ Kelvin\u212a")
        'οδοσ i kelvink'
    """
    return text.translate(_lower_table())


def normalize_like_duckdb(text: object) -> str:
    """What ``normalize_text_sql`` computes in DuckDB, in Python (``''`` for a null: ``None``, or the ``NaN``
    pandas uses for a missing string).

    Examples:
        >>> normalize_like_duckdb("RT @bot1: Fake NEWS!!  https://t.co/x 🇺🇸 @CNN #MAGA")
        'fake news!! #maga'
    """
    if not isinstance(text, str):
        return ""
    s = lower_like_duckdb(unicodedata.normalize("NFC", text))
    s = _RT.sub("", s, count=1)
    s = _STRIP.sub(" ", s)
    return _SPACES.sub(" ", s).strip(_ZS)
