"""Cross-platform co-link: accounts on different platforms share the same canonical URL within ten minutes.

URLs are the canonical forms computed at ingest (:mod:`lockstep.normalize.urls`: tracking parameters,
fragments and ``www.`` removed), so the same article shared from X, Telegram and Bluesky matches whatever
each platform's client appended. Reposts are excluded, as in co-link.

Reference: Giglietto et al. 2020 (CooRnet coordinated link sharing) carried across platforms; DFRLab and
EU DisinfoLab, "Doppelganger" (2022-2024: the same cloned-news URLs pushed on several platforms); DISARM
T0119.002 Post across Platform.
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
    """The seam's actions (:mod:`lockstep.engine`): co-link's, encoded for pairing across platforms."""
    from lockstep.engine.actions import actions, cross_platform, url_rows

    j = url_rows(tb)
    return cross_platform(actions(j, j.url), tb)


CROSS_PLATFORM_URL = register(
    Trace(
        name="cross-platform-url",
        description="share the same canonical URL on different platforms (reposts excluded)",
        default_window_s=600.0,
        reference="Giglietto et al. 2020 (CooRnet); EU DisinfoLab Doppelganger reports; DISARM T0119.002",
        cross_platform=True,
        techniques=("T0119.002",),
        colour="#31a354",
        seam_actions=seam_actions,
        seam_inputs=("posts", "post_urls"),
    )
)
