"""Near-duplicate media: two accounts post near-identical images (PDQ distance <= 31) within the window.

Each post's media reference is resolved to a PDQ hash, from ``media_hashes`` (``lockstep media hash DIR``)
or from the reference itself when the export gives one (``pdq:<64 hex>``); near-identical hashes are found
with the multi-index near-duplicate search of :mod:`lockstep.media.pdq` and joined into clusters
(union-find). The cluster is the item, so resized or recompressed copies of one cartoon link their posters.

Reference: ThreatExchange PDQ (Meta), match threshold 31 of 256 bits; Graphika Spamouflage reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from lockstep.media.pdq import MATCH_DISTANCE, near_duplicate_pairs
from lockstep.traces.base import Trace, register
from lockstep.traces.near_duplicates import _components

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lockstep.engine.actions import Tables
    from lockstep.engine.shims import Shims
    from lockstep.traces.engine import DetectParams


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


def cluster_roots(hashes: list[str]) -> pa.Table:
    """``(hash, cluster)`` for distinct PDQ ``hashes``, as :func:`build_media_clusters` names the clusters.

    The hashes are sorted; near pairs come from the same multi-index search (on a driver-side DuckDB) and the
    same union-find; a cluster is ``pdq-cluster:<index of its smallest hash in the sorted list>``.
    """
    from lockstep.engine import embedded

    ordered = sorted(set(hashes))
    con = embedded.connect()
    try:
        pairs = near_duplicate_pairs(con, [(h, h) for h in ordered], MATCH_DISTANCE) if len(ordered) > 1 else []
    finally:
        con.close()
    index = {h: i for i, h in enumerate(ordered)}
    roots = _components([(index[a], index[b]) for a, b, _ in pairs])
    return pa.table(
        {"hash": ordered, "cluster": [f"pdq-cluster:{roots.get(i, i)}" for i in range(len(ordered))]},
        schema=pa.schema([("hash", pa.string()), ("cluster", pa.string())]),
    )


def seam_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """The seam's actions (:mod:`lockstep.engine`): posts by the PDQ cluster of their media.

    Media references and their hashes are found on the engine; the distinct hashes (one row per image, not
    per post) are collected to the driver, clustered there by :func:`cluster_roots` (the default engine's
    own code: multi-index search in DuckDB, union-find in Python), and the hash -> cluster table goes back to
    the engine to be joined to the posts. That driver step is what limits this trace at scale
    (``docs/scale.md``). ``min`` stands for the SQL's left join to ``media_hashes``: ``lockstep media hash``
    stores at most one PDQ hash per reference.
    """
    import ibis

    posts = tb["posts"]
    p = posts.filter((posts.kind != "repost") & (posts.media.length() > 0))
    m = p.select("platform", "post_id", ref=p.media.unnest())
    h = tb["media_hashes"]
    h = h.filter(h.algorithm == "pdq").group_by("media_ref").aggregate(stored=h.hash.min())
    j = m.left_join(h, m.ref == h.media_ref)
    inline = ibis.cases((j.ref.re_search(r"^pdq:[0-9a-f]{64}\z"), j.ref.substr(4)), else_=ibis.null("string"))
    refs = j.select("platform", "post_id", hash=j.stored.fill_null(inline))
    refs = refs.filter(refs.hash.notnull())
    distinct = refs.select("hash").distinct().to_pyarrow()
    clusters = ibis.memtable(cluster_roots([str(v) for v in distinct.column("hash").to_pylist()]))
    c = refs.join(clusters, "hash").select("platform", "post_id", "cluster").distinct()
    a = posts.join(c, ["platform", "post_id"])
    return a.select("platform", "account_id", item=a.cluster, post_id="post_id", t=a.created_at)


CO_MEDIA_NEAR = register(
    Trace(
        name="co-media-near",
        description="post near-identical images (PDQ Hamming distance <= 31; hashes from `lockstep media hash`)",
        duckdb_actions="""SELECT p.platform, p.account_id, c.cluster AS item, p.post_id, p.created_at AS t
FROM posts p JOIN media_clusters c ON c.platform = p.platform AND c.post_id = p.post_id""",
        default_window_s=60.0,
        reference="ThreatExchange PDQ; Norouzi et al. 2012 (multi-index hashing)",
        prepare=build_media_clusters,
        techniques=("T0084.002",),
        colour="#dbdb8d",
        seam_actions=seam_actions,
        seam_inputs=("posts", "media_hashes"),
    )
)
