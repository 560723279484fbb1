"""Near-duplicate text: two accounts post near-identical texts (Jaccard >= 0.8 on word sets) within the window.

Clusters come from :mod:`lockstep.traces.near_duplicates` (MinHash LSH, verified, single linkage).

Reference: QUT coordination-network-toolkit co_similar_tweet (Graham et al.); Broder 1997 (MinHash);
DISARM T0084.002 plagiarise content / T0084.001 copypasta.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register
from lockstep.traces.near_duplicates import build_clusters

NEAR_DUPLICATE = register(
    Trace(
        name="near-duplicate",
        description="post near-identical texts (Jaccard >= 0.8 on word sets, MinHash LSH; reposts excluded)",
        actions_sql="""SELECT p.platform, p.account_id, c.cluster AS item, p.post_id, p.created_at AS t
FROM posts p JOIN near_dup_clusters c ON c.platform = p.platform AND c.post_id = p.post_id""",
        default_window_s=60.0,
        reference="QUT coordination-network-toolkit co_similar_tweet; Broder 1997 (MinHash LSH)",
        prepare=build_clusters,
        techniques=("T0084.001", "T0084.002"),
        colour="#ff7f0e",
        narrative=True,
    )
)
