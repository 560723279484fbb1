"""Fast retweet: two accounts each repost the same author within 60 s of the original, within the window.

Only reposts whose original is in the store (so its time is known) count.

Reference: Luceri et al. WWW 2024 (fast retweet, dt = 60 s; prior work 10 s); Pacheco et al. ICWSM 2021.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lockstep.traces.base import Trace, register

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lockstep.engine.actions import Tables
    from lockstep.engine.shims import Shims
    from lockstep.traces.engine import DetectParams

#: How soon after the original a repost must come to count as fast (seconds).
FAST_SECONDS = 60


def seam_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """The seam's actions (:mod:`lockstep.engine`): reposts within ``FAST_SECONDS`` of an original in the store,
    by the original's author."""
    from lockstep.engine.actions import actions

    posts = tb["posts"]
    r = posts.filter(posts.kind == "repost").select(
        "platform", "account_id", "post_id", "created_at", parent=posts.parent_post_id
    )
    o = posts.select("platform", o_post=posts.post_id, o_account=posts.account_id, o_time=posts.created_at)
    j = r.join(o, [r.platform == o.platform, r.parent == o.o_post])
    lag = sh.epoch(j.created_at) - sh.epoch(j.o_time)
    j = j.filter((lag >= 0) & (lag <= FAST_SECONDS))
    return actions(j, j.o_account)


FAST_RETWEET = register(
    Trace(
        name="fast-retweet",
        description="repost the same author within 60 s of the original's time (original must be in the store)",
        default_window_s=60.0,
        reference="Luceri et al. WWW 2024 (fast retweet, dt = 60 s; prior work 10 s); Pacheco et al. ICWSM 2021",
        techniques=("T0049.003",),
        colour="#17becf",
        item_identifies="account",
        seam_actions=seam_actions,
    )
)
