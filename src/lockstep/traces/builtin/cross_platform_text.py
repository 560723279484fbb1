"""Cross-platform co-text: accounts on different platforms post the same normalised text within ten minutes.

The same normalisation and four-word minimum as co-text (:mod:`lockstep.traces.builtin.cotext`); pairs are
kept only when the two accounts are on different platforms (:mod:`lockstep.traces.cross_platform`). The window
is ten minutes: an operator pasting one text into several platforms' clients takes longer than a copy within
one. One person cross-posting their own text to two platforms is linked too (two accounts, one person): a
campaign needs more accounts than that, and the persona evidence shows when the accounts look alike.

Reference: Graphika, "Spamouflage Breakout" (2023) and Meta Adversarial Threat Reports (2023-2024) on the same
texts across 50+ platforms; DISARM T0119.002 Post across Platform, T0084.001 copypasta.
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
    """The seam's actions (:mod:`lockstep.engine`): co-text's, encoded for pairing across platforms."""
    from lockstep.engine.actions import cross_platform, normalised_text

    return cross_platform(normalised_text(tb, sh, min_words=4), tb)


CROSS_PLATFORM_TEXT = register(
    Trace(
        name="cross-platform-text",
        description="post the same normalised text (>= 4 words) on different platforms (reposts excluded)",
        default_window_s=600.0,
        reference="Graphika Spamouflage Breakout 2023; Meta Adversarial Threat Reports; DISARM T0119.002",
        cross_platform=True,
        techniques=("T0119.002", "T0084.001"),
        colour="#843c39",
        seam_actions=seam_actions,
    )
)
