"""Synchronised reactivation: accounts resuming after >= 180 days of silence in the same ISO week.

Reference: DISARM detections F00019, F00062 (dormant accounts waking together); Meta Spamouflage reports 2023.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lockstep.traces.base import Trace, register

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lockstep.engine.actions import Tables
    from lockstep.engine.shims import Shims
    from lockstep.traces.engine import DetectParams

#: Days of silence before a post counts as a reactivation.
DORMANT_DAYS = 180


def seam_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """The actions: posts after ``DORMANT_DAYS`` of silence, by ISO week.

    When the whole store spans less than ``DORMANT_DAYS`` no silence can be that long, and the window over
    every post is skipped (a scalar subquery on both engines; at 1M posts over a month that is 1.4 s saved).
    """
    import ibis

    from lockstep.engine.actions import actions

    posts = tb["posts"]
    span = posts.aggregate(s=sh.epoch(posts.created_at.max()) - sh.epoch(posts.created_at.min()))
    p = posts.filter(span.s.as_scalar() >= DORMANT_DAYS * 86400)
    w = ibis.window(group_by=[p.platform, p.account_id], order_by=[p.created_at, p.post_id])
    s = p.mutate(silence_s=sh.epoch(p.created_at) - sh.epoch(p.created_at.lag().over(w)))
    s = s.filter(s.silence_s >= DORMANT_DAYS * 86400)
    week = s.created_at.truncate("W").date().cast("string")
    return actions(s, ibis.literal("week:") + week)


REACTIVATION = register(
    Trace(
        name="reactivation",
        description="resume posting after >= 180 days of silence in the same week",
        default_window_s=None,
        default_min_shared=1,  # an account wakes rarely: one shared wake-up week is the signal
        reference="DISARM detections F00019, F00062 (dormant accounts waking together); Meta Spamouflage reports 2023",
        techniques=("T0150.002",),
        colour="#7f7f7f",
        seam_actions=seam_actions,
    )
)
