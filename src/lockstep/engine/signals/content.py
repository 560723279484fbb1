"""Language mix, spam camouflage and persona templates, written once in Ibis (methods: :mod:`lockstep.signals`).

Each function mirrors the module of the same name in :mod:`lockstep.signals` (method, references, terms,
thresholds) and returns the rows its SQL wrote. The text tests are spelled so that both engines agree
(:mod:`lockstep.engine.signals.text`): the terms match the text itself through classes of the characters
DuckDB's ``lower`` maps onto each letter (no ``lower`` pass, no Python UDF on Spark), the location pattern's
``(?i)`` is spelled out as RE2's case-fold classes, and ``trim`` is DuckDB's on both. Changes from the SQL
these replace: lists in a ``detail`` have a defined order, as the SQL's had none (``personas.digit_handles``'
handle shapes sorted; ``personas.reused_bios``' bios sorted by text, each bio's accounts sorted).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.engine.signals.common import (
    Cache,
    Part,
    Tables,
    dbl,
    in_base,
    in_base_of_posts,
    json_sql,
    ordered_sum,
    rows,
    share,
)
from lockstep.engine.signals.text import fold_terms_pattern, lower_terms_pattern, trim_spaces
from lockstep.signals.base import SignalContext
from lockstep.signals.camouflage import MIN_POSTS, POLITICAL_TERMS
from lockstep.signals.language import LOCATION_TERMS, NO_LANGUAGE, SIMPLIFIED_ONLY
from lockstep.signals.personas import DIGITS

KEYS = ["platform", "account_id"]
COMMUNITY = ["platform", "community"]

#: A character of the CJK Unified Ideographs block (U+4E00-U+9FFF), as literal characters.
CJK = "[\u4e00-\u9fff]"


def _flag(b: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 when ``b``, else 0.0 (the SQL's ``CASE WHEN b THEN 1.0 ELSE 0.0 END``)."""
    return ibis.ifelse(b, dbl(1.0), dbl(0.0))


def language(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``language.entropy`` per member and ``language.simplified_from_tw_hk`` per account claiming TW/HK."""
    p = tb["posts"]
    lp = p.filter(p.language.notnull() & ~p.language.isin(NO_LANGUAGE))
    per_lang = lp.group_by([*KEYS, "language"]).aggregate(n=lp.count())
    totals = per_lang.group_by(KEYS).aggregate(total=per_lang.n.sum(), languages=per_lang.count())
    j = per_lang.join(totals, KEYS)
    q = share(j.n, j.total)
    entropy = cache(
        j.group_by(KEYS).aggregate(
            entropy=-ordered_sum(sh, q * q.log2(), j.language), posts=j.total.max(), languages=j.languages.max()
        )
    )
    pop = in_base_of_posts(entropy, tb).aggregate(m=ibis._.entropy.median())
    members = tb["account_scores"].select(*KEYS)
    e = entropy.semi_join(members, KEYS).cross_join(pop)
    entropy_rows = rows(
        e,
        "account",
        e.account_id,
        "language.entropy",
        e.entropy,
        e.m,
        (e.languages >= 3) & (e.entropy >= dbl(1.0)),
        d_languages=e.languages,
        d_posts=e.posts,
    )
    a = tb["accounts"]
    claim = a.filter(a.location.fill_null("").re_search(fold_terms_pattern(LOCATION_TERMS))).select(*KEYS, "location")
    # the claimants' posts first, then the two text tests as aggregate filters: a filter on the text would be
    # pushed below the join and test every post's text
    cp = p.semi_join(claim, KEYS)
    cp = cp.select(
        *KEYS,
        cjk=cp.text.fill_null("").re_search(CJK),
        simplified=_flag(cp.text.re_search(f"[{SIMPLIFIED_ONLY}]")),
    )
    per = cp.group_by(KEYS).aggregate(v=cp.simplified.mean(where=cp.cjk), n=cp.count(where=cp.cjk))
    per = per.filter(per.n > 0).join(claim, KEYS)
    simplified_rows = rows(
        per,
        "account",
        per.account_id,
        "language.simplified_from_tw_hk",
        per.v,
        None,
        (per.n >= 3) & (per.v >= dbl(0.5)),
        d_location=per.location,
        d_n=per.n,
    )
    return [
        Part(entropy_rows, json_sql(languages="d_languages", posts="d_posts")),
        Part(simplified_rows, json_sql(claimed_location="d_location", chinese_posts="d_n")),
    ]


def camouflage(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``camouflage.political_share`` per community (members with ``MIN_POSTS`` posts with text)."""
    p = tb["posts"]
    p = p.filter(p.text.notnull())
    pattern = lower_terms_pattern(POLITICAL_TERMS)
    # per account: posts with text and political ones (every text tested once, for the population's share);
    # the members' posts are tested again below, so no per-post table of every post is kept
    per_account = cache(p.group_by(KEYS).aggregate(n=p.count(), political=p.count(where=p.text.re_search(pattern))))
    ev = tb["evidence"]
    coord = ev.select("platform", post_id=ev.post_a).union(ev.select("platform", post_id=ev.post_b), distinct=True)
    enough = per_account.filter(per_account.n >= MIN_POSTS).select(*KEYS)
    members = tb["account_scores"].select("platform", "account_id", "community").semi_join(enough, KEYS)
    mp = p.join(members, KEYS)
    c = mp.select(*KEYS, "post_id", "community", political=mp.text.re_search(pattern))
    c = c.left_join(coord, [c.platform == coord.platform, c.post_id == coord.post_id]).select(
        platform=c.platform,
        community=c.community,
        political=c.political,
        coordinated=_flag(coord.post_id.notnull()),
    )
    share_political = _flag(c.political).mean()
    per = c.group_by(COMMUNITY).aggregate(
        value=share_political,
        posts=c.count(),
        pc=c.coordinated.mean(where=c.political),
        fc=c.coordinated.mean(where=~c.political),
    )
    # the mean of the posts' 0/1 flags: the political count over the count, the division AVG makes
    pop = in_base_of_posts(per_account, tb).aggregate(pop_share=share(ibis._.political.sum(), ibis._.n.sum()))
    per = per.cross_join(pop)
    pc, fc = per.pc.fill_null(dbl(0.0)), per.fc.fill_null(dbl(0.0))
    fired = per.value.between(dbl(0.05), dbl(0.40)) & (pc >= 2 * fc) & (pc > 0)
    out = rows(
        per,
        "community",
        per.community,
        "camouflage.political_share",
        per.value,
        per.pop_share,
        fired,
        d_posts=per.posts,
        d_pc=per.pc,
        d_fc=per.fc,
    )
    detail = json_sql(posts="d_posts", political_coordinated_share="d_pc", filler_coordinated_share="d_fc")
    return [Part(out, detail)]


def personas(tb: Tables, sh: Shims, ctx: SignalContext, cache: Cache) -> list[Part]:
    """``personas.digit_handles`` and ``personas.reused_bios`` per community."""
    a = tb["accounts"]
    named = a.filter(a.handle.notnull() & ~a.id_is_hashed)
    # "ends in DIGITS or more ASCII digits": its last DIGITS characters are digits (no "$", see .text)
    digit = _flag(named.handle.right(DIGITS).re_search(f"^[0-9]{{{DIGITS}}}"))
    pop = in_base(named.select(*KEYS, digit=digit), tb).aggregate(pop_share=ibis._.digit.mean())
    members = tb["account_scores"].select("platform", "account_id", "community")
    mine = named.semi_join(members, KEYS)  # shapes of members only (two regex passes per handle)
    mine = mine.select(
        *KEYS,
        digit=_flag(mine.handle.right(DIGITS).re_search(f"^[0-9]{{{DIGITS}}}")),
        shape=mine.handle.re_replace("[A-Za-z_]+", "a").re_replace("[0-9]+", "9"),
    )
    m = members.join(mine, KEYS)
    per = m.group_by(COMMUNITY).aggregate(
        value=m.digit.mean(), n=m.count(), shapes=m.shape.collect(distinct=True).sort()
    )
    per = per.cross_join(pop)
    digit_rows = rows(
        per,
        "community",
        per.community,
        "personas.digit_handles",
        per.value,
        per.pop_share,
        (per.n >= 3) & (per.value >= dbl(0.5)) & (per.value >= per.pop_share + dbl(0.25)),
        d_shapes=per.shapes,
    )
    bios = members.join(a.select(*KEYS, bio=trim_spaces(sh, a.description.fill_null(""))), KEYS)
    bios = bios.filter(bios.bio.length() >= 10)
    b = bios.group_by([*COMMUNITY, "bio"]).aggregate(n=bios.count(), who=bios.account_id.collect().sort())
    b = b.filter(b.n >= 2)
    reused = b.group_by(COMMUNITY).aggregate(
        n=b.n.sum(), bios=ibis.struct({"bio": b.bio, "accounts": b.who}).collect().sort()
    )
    bio_rows = rows(
        reused,
        "community",
        reused.community,
        "personas.reused_bios",
        reused.n,
        0.0,
        True,
        d_bios=reused.bios,
    )
    return [Part(digit_rows, json_sql(shapes="d_shapes")), Part(bio_rows, json_sql(bios="d_bios"))]
