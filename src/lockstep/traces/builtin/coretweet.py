"""Co-retweet: two accounts repost the same post within the window.

Reference: Keller et al. 2020; Luceri et al. WWW 2024 (co-retweet, TF-IDF cosine);
QUT coordination-network-toolkit co_retweet.
"""

from __future__ import annotations

from lockstep.normalize.text import normalize_text_sql
from lockstep.traces.base import Trace, register

CO_RETWEET = register(
    Trace(
        name="co-retweet",
        description="repost the same post (item: the reposted post id; without ids, the reposted text)",
        actions_sql=f"""SELECT platform, account_id,
       coalesce(parent_post_id, 'text:' || md5({normalize_text_sql("text")})) AS item, post_id, created_at AS t
FROM posts WHERE kind = 'repost'""",
        default_window_s=60.0,
        reference="Keller et al. 2020; Luceri et al. WWW 2024 (co-retweet, TF-IDF cosine); QUT toolkit co_retweet",
        techniques=("T0049.003",),
        colour="#1f77b4",
        narrative=True,
    )
)
