"""Cross-platform co-media: accounts on different platforms post the same image within ten minutes.

Each platform serves the same image from its own URL, so references rarely match across platforms; the item
is the image's PDQ hash when ``lockstep media hash`` has computed one (``media_hashes``), else the reference
itself (exports that carry a content hash, such as ``sha256:...``, match directly).

Reference: ThreatExchange PDQ (Meta 2019); Graphika Spamouflage reports (the same cartoons and videos on
many platforms); DISARM T0119.002 Post across Platform, T0084.002 plagiarised content.
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
    """The seam's actions (:mod:`lockstep.engine`): each media reference, as its PDQ hash when one is stored,
    encoded for pairing across platforms.

    ``min`` stands for the SQL's ``any_value``: ``lockstep media hash`` stores at most one PDQ hash per
    reference (it skips references already hashed), so both pick the same hash.
    """
    import ibis

    from lockstep.engine.actions import cross_platform, unnested

    m = unnested(tb, "media", sh, lower=False)
    h = tb["media_hashes"]
    h = h.filter(h.algorithm == "pdq").group_by("media_ref").aggregate(hash=h.hash.min())
    j = m.left_join(h, m.item == h.media_ref)
    item = (ibis.literal("pdq:") + j.hash).fill_null(j.item)
    return cross_platform(j.select("platform", "account_id", item=item, post_id="post_id", t="t"), tb)


CROSS_PLATFORM_MEDIA = register(
    Trace(
        name="cross-platform-media",
        description="post the same image (PDQ hash, else the media reference) on different platforms",
        default_window_s=600.0,
        reference="ThreatExchange PDQ (Meta 2019); Graphika Spamouflage reports; DISARM T0119.002",
        cross_platform=True,
        techniques=("T0119.002", "T0084.002"),
        colour="#b5cf6b",
        seam_actions=seam_actions,
        seam_inputs=("posts", "media_hashes"),
    )
)
