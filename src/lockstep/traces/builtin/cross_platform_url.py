"""Cross-platform co-link: accounts on different platforms share the same canonical URL within ten minutes.

URLs are the canonical forms computed at ingest (:mod:`lockstep.normalize.urls`: tracking parameters,
fragments and ``www.`` removed), so the same article shared from X, Telegram and Bluesky matches whatever
each platform's client appended. Reposts are excluded, as in co-link.

Reference: Giglietto et al. 2020 (CooRnet coordinated link sharing) carried across platforms; DFRLab and
EU DisinfoLab, "Doppelganger" (2022-2024: the same cloned-news URLs pushed on several platforms); DISARM
T0119.002 Post across Platform.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register

CROSS_PLATFORM_URL = register(
    Trace(
        name="cross-platform-url",
        description="share the same canonical URL on different platforms (reposts excluded)",
        actions_sql="""SELECT p.platform, p.account_id, u.url AS item, p.post_id, p.created_at AS t
FROM posts p JOIN post_urls u ON u.platform = p.platform AND u.post_id = p.post_id
WHERE p.kind <> 'repost'""",
        default_window_s=600.0,
        reference="Giglietto et al. 2020 (CooRnet); EU DisinfoLab Doppelganger reports; DISARM T0119.002",
        cross_platform=True,
        techniques=("T0119.002",),
        colour="#31a354",
    )
)
