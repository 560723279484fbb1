"""Co-reply: two accounts reply to the same post within the window (harassment swarms, reply-guy amplification).

Reference: Pacheco et al. ICWSM 2021; Graphika Spamouflage reports (reply swarms on dissidents' posts).
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
    """The seam's actions (:mod:`lockstep.engine`): replies, by the post replied to."""
    from lockstep.engine.actions import actions

    p = tb["posts"]
    p = p.filter((p.kind == "reply") & p.parent_post_id.notnull())
    return actions(p, p.parent_post_id)


CO_REPLY = register(
    Trace(
        name="co-reply",
        description="reply to the same post",
        default_window_s=60.0,
        reference="Pacheco et al. ICWSM 2021; Graphika Spamouflage reports (reply swarms on dissidents' posts)",
        techniques=("T0049.005",),
        colour="#e377c2",
        seam_actions=seam_actions,
    )
)
