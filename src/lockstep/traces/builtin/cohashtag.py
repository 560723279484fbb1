"""Co-hashtag: two accounts use the same hashtag within the window (reposts excluded).

Reference: DISARM T0049.002 flood existing hashtag; Pacheco et al. ICWSM 2021.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register

CO_HASHTAG = register(
    Trace(
        name="co-hashtag",
        description="use the same hashtag (case-folded; reposts excluded)",
        actions_sql="""SELECT platform, account_id, lower(unnest(hashtags)) AS item, post_id, created_at AS t
FROM posts WHERE kind <> 'repost' AND len(hashtags) > 0""",
        default_window_s=60.0,
        reference="DISARM T0049.002 flood existing hashtag; Pacheco et al. ICWSM 2021",
        techniques=("T0049.002",),
        colour="#9467bd",
    )
)
