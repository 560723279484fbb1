"""Near-duplicate media: two accounts post near-identical images (PDQ distance <= 31) within the window.

Each post's media reference is resolved to a PDQ hash, from ``media_hashes`` (``lockstep media hash DIR``)
or from the reference itself when the export gives one (``pdq:<64 hex>``); near-identical hashes are found
with the multi-index near-duplicate search of :mod:`lockstep.media.pdq` and joined into clusters
(union-find). The cluster is the item, so resized or recompressed copies of one cartoon link their posters.

Reference: ThreatExchange PDQ (Meta), match threshold 31 of 256 bits; Graphika Spamouflage reports.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from lockstep.media.pdq import MATCH_DISTANCE, near_duplicate_pairs
from lockstep.traces.base import Trace, register
from lockstep.traces.near_duplicates import _components


def build_media_clusters(con: Any, params: Any) -> None:
    """Temp table ``media_clusters(platform, post_id, cluster)`` for posts whose media have a PDQ hash."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE media_refs AS
        SELECT p.platform, p.post_id, m.ref,
               coalesce(h.hash, CASE WHEN regexp_full_match(m.ref, 'pdq:[0-9a-f]{64}') THEN substr(m.ref, 5) END)
                 AS hash
        FROM (SELECT platform, post_id, unnest(media) AS ref FROM posts WHERE kind <> 'repost' AND len(media) > 0) m
        JOIN posts p USING (platform, post_id)
        LEFT JOIN media_hashes h ON h.media_ref = m.ref AND h.algorithm = 'pdq'"""
    )
    hashes = [
        (str(h), str(h))
        for (h,) in con.execute("SELECT DISTINCT hash FROM media_refs WHERE hash IS NOT NULL ORDER BY 1").fetchall()
    ]
    pairs = near_duplicate_pairs(con, hashes, MATCH_DISTANCE) if len(hashes) > 1 else []
    index = {h: i for i, (h, _) in enumerate(hashes)}
    roots = _components([(index[a], index[b]) for a, b, _ in pairs])
    con.register(
        "_mroots", pa.table({"hash": [h for h, _ in hashes], "root": [roots.get(i, i) for i in range(len(hashes))]})
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE media_clusters AS
        SELECT DISTINCT r.platform, r.post_id, 'pdq-cluster:' || CAST(m.root AS VARCHAR) AS cluster
        FROM media_refs r JOIN _mroots m USING (hash)"""
    )
    con.unregister("_mroots")
    con.execute("DROP TABLE media_refs")


CO_MEDIA_NEAR = register(
    Trace(
        name="co-media-near",
        description="post near-identical images (PDQ Hamming distance <= 31; hashes from `lockstep media hash`)",
        actions_sql="""SELECT p.platform, p.account_id, c.cluster AS item, p.post_id, p.created_at AS t
FROM posts p JOIN media_clusters c ON c.platform = p.platform AND c.post_id = p.post_id""",
        default_window_s=60.0,
        reference="ThreatExchange PDQ; Norouzi et al. 2012 (multi-index hashing)",
        prepare=build_media_clusters,
        techniques=("T0084.002",),
        colour="#dbdb8d",
        seam_unported="its items are PDQ clusters built before the SQL runs (multi-index search in DuckDB, "
        "union-find in Python)",
    )
)
