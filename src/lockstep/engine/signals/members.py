"""Identity shift and AI-generated avatars, written once in Ibis (methods: :mod:`lockstep.signals`).

``identity_shift`` reads the members' posts with a language; ``ai_faces`` reads ``avatar_checks``, which
``lockstep media faces`` fills on the driver from the avatar images (that step stays on the driver; only these
aggregates run on the engine). Ties of the dominant language take the first language code (the SQL this
replaces took any of them).
"""

from __future__ import annotations

import ibis

from lockstep.engine.shims import Shims
from lockstep.engine.signals.common import Cache, Part, Tables, dbl, first_of_max, in_base, json_sql, rows
from lockstep.signals.base import SignalContext
from lockstep.signals.identity_shift import MIN_POSTS

KEYS = ["platform", "account_id"]
NO_LANGUAGE = ("und", "zxx", "qme", "qht")


def identity_shift(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``identity_shift.language``: the dominant language of each half of a member's posts."""
    members = tb["account_scores"].select(*KEYS)
    p = tb["posts"]
    p = p.filter(p.language.notnull() & ~p.language.isin(NO_LANGUAGE)).semi_join(members, KEYS)
    p = p.select(
        "platform",
        "account_id",
        "language",
        "created_at",
        half=ibis.ntile(2).over(group_by=KEYS, order_by=[p.created_at, p.post_id]),
    )
    enough = p.group_by(KEYS).aggregate(n=p.count()).filter(lambda e: e.n >= MIN_POSTS).select(*KEYS)
    p = p.semi_join(enough, KEYS)
    langs = p.group_by([*KEYS, "half", "language"]).aggregate(n=p.count(), first_at=p.created_at.min())
    langs = langs.mutate(share=langs.n.cast("float64") / langs.n.sum().over(group_by=[*KEYS, "half"]).cast("float64"))
    top = first_of_max(langs, [*KEYS, "half"], "n", "language").select(*KEYS, "half", lang="language")
    per = langs.group_by([*KEYS, "half"]).aggregate(share=langs.share.max(), first_at=langs.first_at.min())
    top = top.join(per, [*KEYS, "half"])
    a = top.filter(top.half == 0)
    b = top.filter(top.half == 1).select(*KEYS, lang_b="lang", share_b="share", first_b="first_at")
    j = a.join(b, KEYS)
    expr = rows(
        j,
        "account",
        j.account_id,
        "identity_shift.language",
        ibis.least(j.share, j.share_b),
        0.6,
        (j.lang != j.lang_b) & (j.share >= 0.6) & (j.share_b >= 0.6),
        d_before=j.lang,
        d_after=j.lang_b,
        d_at=j.first_b,
    )
    return [
        Part(
            expr,
            json_sql(before="d_before", after="d_after", shift_at="CAST(d_at AS VARCHAR)"),
        )
    ]


def ai_faces(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``ai_faces.gan_avatar`` per checked member and per community."""
    c = tb["avatar_checks"]
    members = tb["account_scores"].select("platform", "account_id", "community")
    mine = c.semi_join(members, KEYS)
    account = rows(
        mine,
        "account",
        mine.account_id,
        "ai_faces.gan_avatar",
        mine.eye_distance,
        0.025,
        mine.gan_like,
        d_image=mine.image,
        d_reason=mine.reason,
    )
    gan = ibis.ifelse(c.gan_like, dbl(1.0), dbl(0.0))
    checks = c.select("platform", "account_id", "gan_like", gan=gan)
    pop = in_base(checks, tb).aggregate(pop_share=ibis._.gan.mean())
    j = checks.join(members, KEYS)
    per = (
        j.group_by(["platform", "community"])
        .aggregate(v=j.gan.mean(), n=j.count(), k=j.count(where=j.gan_like))
        .cross_join(pop)
    )
    community = rows(
        per,
        "community",
        per.community,
        "ai_faces.gan_avatar",
        per.v,
        per.pop_share,
        (per.k >= 2) & (per.v >= 0.2),
        d_n=per.n,
        d_k=per.k,
    )
    return [
        Part(account, json_sql(image="d_image", reason="d_reason")),
        Part(community, json_sql(checked="d_n", gan_like="d_k")),
    ]
