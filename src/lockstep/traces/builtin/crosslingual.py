"""Cross-lingual co-text: two accounts post the same narrative in different languages within ten minutes.

Clusters come from :mod:`lockstep.traces.crosslingual` (multilingual embeddings, LSH, cosine >= 0.6 across
languages). The default window is ten minutes: a translation takes longer to post than a copy.

Reference: Luceri et al., WWW 2024 (cross-lingual text similarity); DISARM T0085.008 Machine Translated Text.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register
from lockstep.traces.crosslingual import build_clusters

CROSS_LINGUAL = register(
    Trace(
        name="cross-lingual",
        description="post the same text in different languages (multilingual embeddings; needs lockstep[text])",
        duckdb_actions="""SELECT p.platform, p.account_id, c.cluster AS item, p.post_id, p.created_at AS t
FROM posts p JOIN crosslingual_clusters c ON c.platform = p.platform AND c.post_id = p.post_id""",
        default_window_s=600.0,
        reference="Luceri et al. WWW 2024; Universal Sentence Encoder multilingual (Yang et al. 2020)",
        prepare=build_clusters,
        optional_extra="text",
        default=False,
        techniques=("T0085.008", "T0084.001"),
        colour="#ff9896",
        seam_unported="its items are embedding clusters (lockstep[text]) built in Python before the SQL runs",
    )
)
