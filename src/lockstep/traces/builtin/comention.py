"""Co-mention: two accounts mention the same account within the window (reposts excluded).

Reference: Graphika 2019-2023 Spamouflage reports (mention storms at journalists and dissidents).
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
    """The seam's actions (:mod:`lockstep.engine`): each mentioned account, case-folded (reposts excluded)."""
    from lockstep.engine.actions import unnested

    return unnested(tb, "mentions", sh, lower=True)


CO_MENTION = register(
    Trace(
        name="co-mention",
        description="mention the same account (reposts excluded)",
        default_window_s=60.0,
        reference="Graphika 2019-2023 Spamouflage reports (mention storms at journalists and dissidents)",
        techniques=("T0049.005",),
        colour="#8c564b",
        item_identifies="handle",
        seam_actions=seam_actions,
    )
)
