"""Each exact trace's actions, written once in Ibis: ``(platform, account_id, item, post_id, t)`` per co-action.

These mirror the ``actions_sql`` of the traces in :mod:`lockstep.traces.builtin` (the default DuckDB engine
runs those); ``tests/test_engine_equality.py`` runs both on the same world and compares edges, weights and
evidence. Engine-specific functions come from :class:`lockstep.engine.shims.Shims`.

Not ported (listed in :data:`NOT_PORTED` with the reason): the traces whose items are clusters built in
Python before the SQL runs (near-duplicate text, near-duplicate media, cross-lingual text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ibis
import ibis.expr.types as ir

from lockstep.engine.shims import Shims
from lockstep.traces.builtin.codomain import EXCLUDED
from lockstep.traces.builtin.fast_retweet import FAST_SECONDS
from lockstep.traces.builtin.reactivation import DORMANT_DAYS

Tables = Mapping[str, ir.Table]
ActionsFn = Callable[[Tables, Shims], ir.Table]

#: Canonical tables the ported traces read (what the Spark engine exports to Parquet).
INPUT_TABLES = ("posts", "post_urls")

_EXCLUDED_DOMAINS = tuple(d.strip().strip("'") for d in EXCLUDED.split(","))


def _out(t: ir.Table, item: ir.Value, time_col: str = "created_at") -> ir.Table:
    return t.select("platform", "account_id", item=item, post_id=t.post_id, t=t[time_col])


def co_retweet(tb: Tables, sh: Shims) -> ir.Table:
    """Reposts of the same post; without a parent id, of the same normalised text.

    The two cases are a union of two filters rather than one ``coalesce`` so Spark runs the text UDF only on
    reposts without a parent id (the results are the same rows).
    """
    p = tb["posts"].filter(lambda p: p.kind == "repost")
    with_parent = p.filter(p.parent_post_id.notnull())
    without = p.filter(p.parent_post_id.isnull())
    return _out(with_parent, with_parent.parent_post_id).union(
        _out(without, ibis.literal("text:") + sh.md5_hex(sh.normalize_text(without.text))), distinct=False
    )


def co_text(tb: Tables, sh: Shims) -> ir.Table:
    """The same normalised text of at least four words (reposts excluded)."""
    p = tb["posts"]
    p = p.filter((p.kind != "repost") & p.text.notnull())
    n = p.mutate(norm=sh.normalize_text(p.text))
    n = n.filter(n.norm.split(" ").length() >= 4)
    return _out(n, sh.md5_hex(n.norm))


def _urls(tb: Tables) -> ir.Table:
    p, u = tb["posts"], tb["post_urls"]
    j = p.filter(p.kind != "repost").join(u, ["platform", "post_id"])
    return j


def co_link(tb: Tables, sh: Shims) -> ir.Table:
    """The same canonical URL (reposts excluded)."""
    j = _urls(tb)
    return _out(j, j.url)


def co_domain(tb: Tables, sh: Shims) -> ir.Table:
    """The same registered domain, platform and shortener domains excluded (reposts excluded)."""
    j = _urls(tb)
    j = j.filter(j.domain.notnull() & ~j.domain.isin(_EXCLUDED_DOMAINS))
    return _out(j, j.domain)


def _unnested(tb: Tables, column: str, sh: Shims, *, lower: bool) -> ir.Table:
    p = tb["posts"]
    p = p.filter((p.kind != "repost") & (p[column].length() > 0))
    u = p.mutate(_v=p[column].unnest())
    return _out(u, sh.lower(u._v) if lower else u._v)


def co_hashtag(tb: Tables, sh: Shims) -> ir.Table:
    """The same hashtag, case-folded (reposts excluded)."""
    return _unnested(tb, "hashtags", sh, lower=True)


def co_mention(tb: Tables, sh: Shims) -> ir.Table:
    """The same mentioned account, case-folded (reposts excluded)."""
    return _unnested(tb, "mentions", sh, lower=True)


def co_media(tb: Tables, sh: Shims) -> ir.Table:
    """The same media reference or hash (reposts excluded)."""
    return _unnested(tb, "media", sh, lower=False)


def co_reply(tb: Tables, sh: Shims) -> ir.Table:
    """Replies to the same post."""
    p = tb["posts"]
    p = p.filter((p.kind == "reply") & p.parent_post_id.notnull())
    return _out(p, p.parent_post_id)


def hashtag_sequence(tb: Tables, sh: Shims) -> ir.Table:
    """The same ordered sequence of three or more hashtags, case-folded.

    Joined first, then lower-cased: the same string, since ``lower`` maps each code point on its own, and Spark
    cannot call a Python UDF (the Spark ``lower`` shim) inside an array lambda.
    """
    p = tb["posts"]
    p = p.filter((p.kind != "repost") & (p.hashtags.length() >= 3))
    return _out(p, sh.lower(p.hashtags.join(" ")))


def fast_retweet(tb: Tables, sh: Shims) -> ir.Table:
    """Reposts of the same author within ``FAST_SECONDS`` of the original (original in the store)."""
    posts = tb["posts"]
    r = posts.filter(posts.kind == "repost").select(
        "platform", "account_id", "post_id", "created_at", parent=posts.parent_post_id
    )
    o = posts.select("platform", o_post=posts.post_id, o_account=posts.account_id, o_time=posts.created_at)
    j = r.join(o, [r.platform == o.platform, r.parent == o.o_post])
    lag = sh.epoch(j.created_at) - sh.epoch(j.o_time)
    j = j.filter((lag >= 0) & (lag <= FAST_SECONDS))
    return _out(j, j.o_account)


def reactivation(tb: Tables, sh: Shims) -> ir.Table:
    """The ISO week (Monday) in which an account posts after ``DORMANT_DAYS`` of silence."""
    p = tb["posts"]
    w = ibis.window(group_by=[p.platform, p.account_id], order_by=[p.created_at, p.post_id])
    s = p.mutate(silence_s=sh.epoch(p.created_at) - sh.epoch(p.created_at.lag().over(w)))
    s = s.filter(s.silence_s >= DORMANT_DAYS * 86400)
    week = s.created_at.truncate("W").date().cast("string")
    return _out(s, ibis.literal("week:") + week)


#: Trace name -> its Ibis action definition.
ACTIONS: dict[str, ActionsFn] = {
    "co-retweet": co_retweet,
    "co-text": co_text,
    "co-link": co_link,
    "co-domain": co_domain,
    "co-hashtag": co_hashtag,
    "co-mention": co_mention,
    "co-media": co_media,
    "co-reply": co_reply,
    "hashtag-sequence": hashtag_sequence,
    "fast-retweet": fast_retweet,
    "reactivation": reactivation,
}

#: Traces the seam does not run, and why.
NOT_PORTED: dict[str, str] = {
    "near-duplicate": "its items are MinHash-LSH clusters built in Python on the driver before the SQL runs",
    "co-media-near": "its items are PDQ clusters built in Python (multi-index search) before the SQL runs",
    "cross-lingual": "its items are embedding clusters (lockstep[text]) built in Python before the SQL runs",
}
