"""Fast retweet: two accounts each repost the same author within 60 s of the original, within the window.

Only reposts whose original is in the store (so its time is known) count.

Reference: Luceri et al. WWW 2024 (fast retweet, dt = 60 s; prior work 10 s); Pacheco et al. ICWSM 2021.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register

#: How soon after the original a repost must come to count as fast (seconds).
FAST_SECONDS = 60

FAST_RETWEET = register(
    Trace(
        name="fast-retweet",
        description="repost the same author within 60 s of the original's time (original must be in the store)",
        actions_sql=f"""SELECT r.platform, r.account_id, o.account_id AS item, r.post_id, r.created_at AS t
FROM posts r JOIN posts o ON o.platform = r.platform AND o.post_id = r.parent_post_id
WHERE r.kind = 'repost' AND epoch(r.created_at) - epoch(o.created_at) BETWEEN 0 AND {FAST_SECONDS}""",
        default_window_s=60.0,
        reference="Luceri et al. WWW 2024 (fast retweet, dt = 60 s; prior work 10 s); Pacheco et al. ICWSM 2021",
        techniques=("T0049.003",),
        colour="#17becf",
        item_identifies="account",
    )
)
