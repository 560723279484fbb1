"""Co-domain: two accounts link to the same registered domain within the window.

Platform and shortener domains are excluded: they say nothing about the content.

Reference: CooRnet domain-level coordination; DFRLab link-network analyses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lockstep.traces.base import Trace, register

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lockstep.engine.actions import Tables
    from lockstep.engine.shims import Shims
    from lockstep.traces.engine import DetectParams

#: Platform and shortener domains: a link to them says nothing about the content.
EXCLUDED_DOMAINS = (
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


def seam_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """The seam's actions (:mod:`lockstep.engine`): the registered domain, excluded domains left out."""
    from lockstep.engine.actions import actions, url_rows

    j = url_rows(tb)
    j = j.filter(j.domain.notnull() & ~j.domain.isin(EXCLUDED_DOMAINS))
    return actions(j, j.domain)


CO_DOMAIN = register(
    Trace(
        name="co-domain",
        description="link to the same registered domain (platform/shortener domains excluded)",
        default_window_s=60.0,
        reference="CooRnet domain-level coordination; DFRLab link-network analyses",
        techniques=("T0049",),
        colour="#98df8a",
        seam_actions=seam_actions,
        seam_inputs=("posts", "post_urls"),
    )
)
