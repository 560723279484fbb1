"""Co-mention: two accounts mention the same account within the window (reposts excluded).

Reference: Graphika 2019-2023 Spamouflage reports (mention storms at journalists and dissidents).
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register

CO_MENTION = register(
    Trace(
        name="co-mention",
        description="mention the same account (reposts excluded)",
        actions_sql="""SELECT platform, account_id, lower(unnest(mentions)) AS item, post_id, created_at AS t
FROM posts WHERE kind <> 'repost' AND len(mentions) > 0""",
        default_window_s=60.0,
        reference="Graphika 2019-2023 Spamouflage reports (mention storms at journalists and dissidents)",
        techniques=("T0049.005",),
        colour="#8c564b",
        item_identifies="handle",
    )
)
