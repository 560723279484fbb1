"""Hashtag sequence: two accounts post the same ordered sequence of three or more hashtags within the window.

Reference: Pacheco et al. ICWSM 2021 (hashtag sequences, >= 5); Luceri et al. WWW 2024 (>= 3).
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
    """The seam's actions (:mod:`lockstep.engine`): the joined hashtag list (>= 3), case-folded.

    Joined first, then lower-cased: the same string, since ``lower`` maps each code point on its own, and Spark
    cannot call a Python UDF (the Spark ``lower`` shim) inside an array lambda.
    """
    from lockstep.engine.actions import actions

    p = tb["posts"]
    p = p.filter((p.kind != "repost") & (p.hashtags.length() >= 3))
    return actions(p, sh.lower(p.hashtags.join(" ")))


HASHTAG_SEQUENCE = register(
    Trace(
        name="hashtag-sequence",
        description="post the same ordered sequence of >= 3 hashtags (case-folded)",
        default_window_s=60.0,
        reference="Pacheco et al. ICWSM 2021 (hashtag sequences, >= 5); Luceri et al. WWW 2024 (>= 3)",
        techniques=("T0049.002",),
        colour="#c5b0d5",
        narrative=True,
        seam_actions=seam_actions,
    )
)
