"""Escaping for attacker-controlled text in HTML reports.

Every post, profile, handle and URL in a report comes from the accounts under investigation. Rules:

* HTML text and attributes: escaped by the template engine (autoescape) after :func:`visible` has made
  invisible and direction-changing characters visible (a right-to-left override can reverse what a reader
  sees: ``\u202e`` becomes ``[U+202E]``);
* data for scripts: :func:`json_for_script` emits JSON with ``<``, ``>``, ``&`` and the JavaScript line
  separators escaped, placed in a ``<script type="application/json">`` block that is never executed;
* links: :func:`safe_href` keeps only ``http``/``https`` URLs; ``javascript:``, ``data:`` and the rest become
  plain text.
The page itself carries a Content-Security-Policy that allows only its own hashed scripts and no network.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

#: Bidirectional controls, zero-width characters, BOM, soft hyphen, other invisible format characters.
INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def visible(text: Any) -> str:
    """``text`` with invisible and direction-changing characters shown as ``[U+XXXX]``.

    Examples:
        >>> visible("abc\u202edef\u200b")
        'abc[U+202E]def[U+200B]'
        >>> visible(None)
        ''
    """
    if text is None:
        return ""
    return INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", str(text))


#: Code points XML 1.0 forbids (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/U+FFFF).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: Any) -> str:
    """``text`` with every code point XML 1.0 forbids shown as ``[U+XXXX]`` (a strict parser accepts it).

    Examples:
        >>> xml_safe("a\x01b\x1fc")
        'a[U+0001]b[U+001F]c'
    """
    if text is None:
        return ""
    s = str(text)
    return XML_INVALID.sub(lambda m: f"[U+{ord(m.group()):04X}]", s) if XML_INVALID.search(s) else s


def json_for_script(obj: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">`` (no ``</script>`` break-out).

    Examples:
        >>> json_for_script({"t": "</script><img onerror=x>"})
        '{"t": "\\\\u003c/script\\\\u003e\\\\u003cimg onerror=x\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, default=str)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def safe_href(url: Any) -> str | None:
    """``url`` if it is an absolute http(s) URL, else ``None`` (render it as text).

    Examples:
        >>> safe_href("https://example.org/a?b=1"), safe_href("javascript:alert(1)"), safe_href(" JaVaScRiPt:x")
        ('https://example.org/a?b=1', None, None)
    """
    if not isinstance(url, str):
        return None
    u = url.strip()
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in u for c in "\"'<>` \n\r\t"):
        return None
    return u
