"""Offline language identification for posts (py3langid: 97 languages, ~12k posts/s here, no download).

Needs the ``text`` extra. :func:`identify_posts` labels posts whose export gave no usable language and stores
the result in ``post_languages`` (the export's own value is never overwritten), which the cross-lingual
trace and the language signals read.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from lockstep.media._deps import need
from lockstep.store.store import Store

_IDENTIFIER = None


def identify(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(ISO 639-1 code, probability) for each text.

    Examples:
        >>> [code for code, _ in identify(["the weather is lovely today", "今天天气很好"])]
        ['en', 'zh']
    """
    global _IDENTIFIER
    if _IDENTIFIER is None:
        langid = need("py3langid.langid", "language identification", "text")
        _IDENTIFIER = langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)
    out = []
    for t in texts:
        code, prob = _IDENTIFIER.classify(t or "")
        out.append((str(code), float(prob)))
    return out


def identify_posts(store: Store, *, batch: int = 50_000) -> int:
    """Detect the language of posts lacking one (or ``und``); return how many were labelled."""
    con = store.con
    rows = con.execute(
        """SELECT p.platform, p.post_id, p.text FROM posts p
           ANTI JOIN post_languages l ON l.platform = p.platform AND l.post_id = p.post_id
           WHERE (p.language IS NULL OR p.language IN ('und', 'zxx', 'qme')) AND p.text IS NOT NULL"""
    ).fetchall()
    done = 0
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        labels = identify([r[2] for r in chunk])
        con.register(
            "_langs",
            pa.table(
                {
                    "platform": [r[0] for r in chunk],
                    "post_id": [r[1] for r in chunk],
                    "language": [c for c, _ in labels],
                    "confidence": [p for _, p in labels],
                }
            ),
        )
        con.execute("INSERT INTO post_languages SELECT * FROM _langs")
        con.unregister("_langs")
        done += len(chunk)
    return done
