"""Co-domain: two accounts link to the same registered domain within the window.

Platform and shortener domains are excluded: they say nothing about the content.

Reference: CooRnet domain-level coordination; DFRLab link-network analyses.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register

EXCLUDED = ", ".join(
    f"'{d}'"
    for d in (
        "twitter.com",
        "x.com",
        "t.co",
        "bsky.app",
        "facebook.com",
        "fb.me",
        "bit.ly",
        "ow.ly",
        "tinyurl.com",
        "buff.ly",
        "dlvr.it",
        "ift.tt",
        "goo.gl",
        "youtu.be",
    )
)

CO_DOMAIN = register(
    Trace(
        name="co-domain",
        description="link to the same registered domain (platform/shortener domains excluded)",
        actions_sql=f"""SELECT p.platform, p.account_id, u.domain AS item, p.post_id, p.created_at AS t
FROM posts p JOIN post_urls u ON u.platform = p.platform AND u.post_id = p.post_id
WHERE p.kind <> 'repost' AND u.domain IS NOT NULL AND u.domain NOT IN ({EXCLUDED})""",
        default_window_s=60.0,
        reference="CooRnet domain-level coordination; DFRLab link-network analyses",
        techniques=("T0049",),
        colour="#98df8a",
    )
)
