"""Co-reply: two accounts reply to the same post within the window (harassment swarms, reply-guy amplification).

Reference: Pacheco et al. ICWSM 2021; Graphika Spamouflage reports (reply swarms on dissidents' posts).
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register

CO_REPLY = register(
    Trace(
        name="co-reply",
        description="reply to the same post",
        actions_sql="""SELECT platform, account_id, parent_post_id AS item, post_id, created_at AS t
FROM posts WHERE kind = 'reply' AND parent_post_id IS NOT NULL""",
        default_window_s=60.0,
        reference="Pacheco et al. ICWSM 2021; Graphika Spamouflage reports (reply swarms on dissidents' posts)",
        techniques=("T0049.005",),
        colour="#e377c2",
    )
)
