"""Co-link: two accounts share the same canonical URL within the window.

Reposts are excluded: they repeat the original's links (co-retweet covers them).

Reference: Giglietto et al. 2020 (CooRnet coordinated link sharing); Luceri et al. WWW 2024 (co-URL).
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
    """The seam's actions (:mod:`lockstep.engine`): the canonical URL (reposts excluded)."""
    from lockstep.engine.actions import actions, url_rows

    j = url_rows(tb)
    return actions(j, j.url)


CO_LINK = register(
    Trace(
        name="co-link",
        description="share the same canonical URL (reposts excluded)",
        default_window_s=60.0,
        reference="Giglietto et al. 2020 (CooRnet coordinated link sharing); Luceri et al. WWW 2024 (co-URL)",
        techniques=("T0049",),
        colour="#2ca02c",
        narrative=True,
        seam_actions=seam_actions,
        seam_inputs=("posts", "post_urls"),
    )
)
