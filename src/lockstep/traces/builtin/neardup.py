"""Near-duplicate text: two accounts post texts with Jaccard >= 0.8 (CNT's tokens) within the window.

Pairs come from :mod:`lockstep.traces.near_duplicates` (prefix filtering, each pair verified by its own
Jaccard, no chaining). Items are ``nd:<text>`` for exact copies and ``nd:<post>~<post>`` for one verified
pair of posts of two different texts.

Reference: QUT coordination-network-toolkit co_similar_tweet (Graham et al.); Chaudhuri et al. 2006 and
Bayardo et al. 2007 (prefix filtering); DISARM T0084.002 plagiarise content / T0084.001 copypasta.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lockstep.traces.base import Trace, register
from lockstep.traces.near_duplicates import DEFAULT_WINDOW_S, build_actions

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lockstep.engine.actions import Tables
    from lockstep.engine.shims import Shims
    from lockstep.traces.engine import DetectParams


def seam_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """The seam's actions (:mod:`lockstep.engine`): :func:`lockstep.traces.near_duplicates.build_actions` in Ibis.

    The same steps (token sets, prefix filtering in window-wide time buckets, exact Jaccard, post pairs in the
    window, viral pairs left out) with two engine-neutral choices: a token set is keyed by its sorted tokens
    (not two 64-bit hash sums), and the global token order of the prefixes is the md5 of the token (not
    DuckDB's ``hash``, which Spark lacks). Prefix filtering finds every pair above the threshold whatever the
    order, so the verified pairs, items and edges are the default engine's, except where a prefix bucket is
    over ``near_dup_bucket_cap`` (skipped): which buckets fill up depends on the order. A text is named by its
    smallest post id, and a pair of two texts in the order of their first posts in the store (``row_id`` of
    the exported ``posts``; Parquet without it falls back to post-id order, which changes the item's name
    only, not the edges). The default engine's note (texts compared, candidates, capped buckets) is not made.
    """
    from lockstep.engine.near_duplicates import near_duplicate_actions

    return near_duplicate_actions(tb, sh, params)


NEAR_DUPLICATE = register(
    Trace(
        name="near-duplicate",
        description="post near-identical texts (Jaccard >= 0.8 on CNT's word tokens, each pair verified; "
        "reposts excluded)",
        duckdb_actions="SELECT platform, account_id, item, post_id, t FROM near_dup_actions",
        default_window_s=DEFAULT_WINDOW_S,
        reference="QUT coordination-network-toolkit co_similar_tweet; Bayardo et al. 2007 (prefix filtering)",
        prepare=build_actions,
        techniques=("T0084.001", "T0084.002"),
        colour="#ff7f0e",
        narrative=True,
        rarity_linking=False,
        seam_actions=seam_actions,
        seam_params=(
            "near_dup_threshold",
            "near_dup_min_tokens",
            "near_dup_bucket_cap",
            "max_item_accounts",
            "window_s",
        ),
    )
)
