"""Co-media (exact): two accounts post the same media reference or hash within the window.

Near-duplicate media (perceptual hashes) come with the media work; this trace matches exact references.

Reference: ThreatExchange media matching; Graphika Spamouflage reports (reused cartoons and videos).
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
    """The seam's actions (:mod:`lockstep.engine`): each media reference or hash (reposts excluded)."""
    from lockstep.engine.actions import unnested

    return unnested(tb, "media", sh, lower=False)


CO_MEDIA = register(
    Trace(
        name="co-media",
        description="post the same media reference or hash (exact)",
        default_window_s=60.0,
        reference="ThreatExchange media matching; Graphika Spamouflage reports (reused cartoons and videos)",
        techniques=("T0084.002",),
        colour="#bcbd22",
        seam_actions=seam_actions,
    )
)
