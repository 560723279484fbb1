"""Exact co-text: two accounts post the same normalised text within the window (copypasta).

Text is normalised by :func:`lockstep.normalize.text.normalize_text` (case, URLs, mentions, emoji and
whitespace removed); texts of fewer than four words are left out, since short phrases ("thank you") match
by chance. Words are counted as spaces plus one, exactly the parts of ``string_split(norm, ' ')``, without
building the list. A translation is a different text: this trace never links it (the cross-lingual trace does).

Reference: Keller et al. 2020 (co-tweet); Luceri et al. WWW 2024 (text similarity); DISARM T0084.001 copypasta.
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
    """The seam's actions (:mod:`lockstep.engine`): the md5 of the normalised text of >= 4 words."""
    from lockstep.engine.actions import normalised_text

    return normalised_text(tb, sh, min_words=4)


CO_TEXT = register(
    Trace(
        name="co-text",
        description="post the same normalised text, >= 4 words (reposts excluded)",
        default_window_s=60.0,
        reference="Keller et al. 2020 (co-tweet); Luceri et al. WWW 2024 (text similarity); DISARM T0084.001 copypasta",
        techniques=("T0084.001",),
        colour="#d62728",
        narrative=True,
        seam_actions=seam_actions,
    )
)
