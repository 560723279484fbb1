"""Near-duplicate text: two accounts post texts with Jaccard >= 0.8 (CNT's tokens) within the window.

Pairs come from :mod:`lockstep.traces.near_duplicates` (prefix filtering, each pair verified by its own
Jaccard, no chaining). Items are ``nd:<text>`` for exact copies and ``nd:<post>~<post>`` for one verified
pair of posts of two different texts.

Reference: QUT coordination-network-toolkit co_similar_tweet (Graham et al.); Chaudhuri et al. 2006 and
Bayardo et al. 2007 (prefix filtering); DISARM T0084.002 plagiarise content / T0084.001 copypasta.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register
from lockstep.traces.near_duplicates import DEFAULT_WINDOW_S, build_actions

NEAR_DUPLICATE = register(
    Trace(
        name="near-duplicate",
        description="post near-identical texts (Jaccard >= 0.8 on CNT's word tokens, each pair verified; "
        "reposts excluded)",
        actions_sql="SELECT platform, account_id, item, post_id, t FROM near_dup_actions",
        default_window_s=DEFAULT_WINDOW_S,
        reference="QUT coordination-network-toolkit co_similar_tweet; Bayardo et al. 2007 (prefix filtering)",
        prepare=build_actions,
        techniques=("T0084.001", "T0084.002"),
        colour="#ff7f0e",
        narrative=True,
        rarity_linking=False,
        seam_unported="its candidate pairs come from DuckDB-only SQL (prefix filtering over DuckDB's hash of RE2 "
        "tokens) run before the actions",
    )
)
