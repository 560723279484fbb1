"""Co-retweet: two accounts repost the same post within the window.

Reference: Keller et al. 2020; Luceri et al. WWW 2024 (co-retweet, TF-IDF cosine);
QUT coordination-network-toolkit co_retweet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lockstep.traces.base import Trace, register

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lockstep.engine.actions import Tables
    from lockstep.engine.shims import Shims
    from lockstep.traces.engine import DetectParams


def seam_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """The seam's actions (:mod:`lockstep.engine`): reposts of the same post; without a parent id, of the same
    normalised text. A union of two filters rather than one ``coalesce``, so Spark runs the text UDF only on
    reposts without a parent id (the same rows)."""
    import ibis

    from lockstep.engine.actions import actions

    p = tb["posts"].filter(lambda p: p.kind == "repost")
    with_parent = p.filter(p.parent_post_id.notnull())
    without = p.filter(p.parent_post_id.isnull())
    text_item = ibis.literal("text:") + sh.md5_hex(sh.normalize_text(without.text))
    return actions(with_parent, with_parent.parent_post_id).union(actions(without, text_item), distinct=False)


CO_RETWEET = register(
    Trace(
        name="co-retweet",
        description="repost the same post (item: the reposted post id; without ids, the reposted text)",
        default_window_s=60.0,
        reference="Keller et al. 2020; Luceri et al. WWW 2024 (co-retweet, TF-IDF cosine); QUT toolkit co_retweet",
        techniques=("T0049.003",),
        colour="#1f77b4",
        narrative=True,
        seam_actions=seam_actions,
    )
)
