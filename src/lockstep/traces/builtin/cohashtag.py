"""Co-hashtag: two accounts use the same hashtag within the window (reposts excluded).

Reference: DISARM T0049.002 flood existing hashtag; Pacheco et al. ICWSM 2021.
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
    """The seam's actions (:mod:`lockstep.engine`): each hashtag, case-folded (reposts excluded)."""
    from lockstep.engine.actions import unnested

    return unnested(tb, "hashtags", sh, lower=True)


CO_HASHTAG = register(
    Trace(
        name="co-hashtag",
        description="use the same hashtag (case-folded; reposts excluded)",
        default_window_s=60.0,
        reference="DISARM T0049.002 flood existing hashtag; Pacheco et al. ICWSM 2021",
        techniques=("T0049.002",),
        colour="#9467bd",
        seam_actions=seam_actions,
    )
)
