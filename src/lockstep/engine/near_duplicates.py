"""The near-duplicate trace's actions in Ibis: :func:`lockstep.traces.near_duplicates.build_actions` on any engine.

Same method and same results (see that module: CNT's tokens, prefix filtering of Chaudhuri et al. 2006 and
Bayardo et al. 2007 within window-wide time buckets, every candidate verified by its exact Jaccard, no
chaining), step for step, with the engine-neutral choices stated in
:func:`lockstep.traces.builtin.neardup.seam_actions`: token sets keyed by their sorted tokens, prefixes in md5
order of the tokens. Everything runs on the engine; nothing is collected to the driver. Results read several
times are materialised (:func:`lockstep.engine.actions.materialise`) so Spark does not inline their plans at
every use.
"""

from __future__ import annotations

from functools import partial

import ibis
import ibis.expr.types as ir

from lockstep.engine.actions import Tables, materialise
from lockstep.engine.shims import Shims
from lockstep.traces.engine import DetectParams
from lockstep.traces.near_duplicates import settings


def _buckets(t: ir.Table, window: float | None) -> ir.Table:
    """``t`` with ``jb``: its own and, with a window, the two neighbouring time buckets (one row each)."""
    if window is None:
        return t.mutate(jb=t.bkt)
    return t.mutate(jb=ibis.array([t.bkt - 1, t.bkt, t.bkt + 1]).unnest())


def near_duplicate_actions(tb: Tables, sh: Shims, params: DetectParams) -> ir.Table:
    """Actions ``(platform, account_id, item, post_id, t)``: ``nd:<post>`` per text posted at least twice and
    ``nd:<post>~<post>`` per verified pair of posts of two different texts within the window."""
    threshold, min_tokens, cap, max_accounts, window = settings(params)

    posts = tb["posts"]
    eligible = posts.filter((posts.kind != "repost") & posts.text.notnull() & posts.account_id.notnull())
    if "row_id" in eligible.columns:
        pid = eligible.row_id.cast("int64")
    else:  # Parquet from elsewhere: post-id order names the pairs (the edges do not change)
        pid = ibis.row_number().over(ibis.window(order_by=[eligible.platform, eligible.post_id]))
    ts = sh.epoch(eligible.created_at)
    bkt = ibis.literal(0, "int64") if window is None else (ts / window).floor().cast("int64")
    raw = eligible.select("platform", "post_id", "account_id", "text", pid=pid, t=eligible.created_at, ts=ts, bkt=bkt)
    # Distinct tokens per post; the set's key is its sorted tokens (tokens never hold a space).
    keep = partial(materialise, tb)
    tok = keep(raw.select("pid", tok=sh.cnt_tokens(raw.text).unnest()).distinct())
    per_post = tok.group_by("pid").aggregate(n=tok.count(), key=tok.tok.collect().sort().join(" "))
    posts0 = raw.drop("text").join(per_post, "pid")
    posts0 = posts0.filter(posts0.n >= min_tokens)
    # One set per distinct token set: its id is its first post's pid, its name its smallest post id.
    sets = keep(
        posts0.group_by(["platform", "key"]).aggregate(
            sid=posts0.pid.min(), n=posts0.n.max(), name=posts0.post_id.min(), posts=posts0.count()
        )
    )
    nd_posts = keep(
        posts0.join(sets, ["platform", "key"]).select("sid", "platform", "post_id", "account_id", "t", "ts", "bkt")
    )
    # Prefix tokens of each set, in md5 order, and the time buckets its posts fall in.
    stok = keep(
        tok.join(sets.select("sid", "platform", "n"), tok.pid == sets.sid).select("sid", "platform", "n", "tok")
    )
    order = ibis.window(group_by="sid", order_by=[sh.md5_hex(stok.tok), stok.tok])
    plen = stok.n - (threshold * stok.n - 1e-9).ceil().cast("int64") + 1
    ranked = stok.mutate(rn=ibis.row_number().over(order), plen=plen)
    pre = ranked.filter(ranked.rn < ranked.plen).select("sid", "platform", h="tok")
    pref = pre.join(nd_posts.select("sid", "bkt").distinct(), "sid")
    bsize = pref.group_by(["platform", "h", "bkt"]).aggregate(k=pref.count())
    ok = keep(pref.semi_join(bsize.filter(bsize.k <= cap), ["platform", "h", "bkt"]))
    x = _buckets(ok, window).select("platform", "h", "jb", a="sid")
    y = ok.select("platform", "h", "bkt", b="sid")
    cand = x.join(y, [x.platform == y.platform, x.h == y.h, x.jb == y.bkt])
    cand = keep(cand.filter(cand.a < cand.b).select("a", "b").distinct())
    # Verify: the length filter, then the exact Jaccard of the two token sets.
    ends = cand.select(sid="a").union(cand.select(sid="b"))
    ends_posts = nd_posts.semi_join(ends, "sid")
    acc = ends_posts.group_by("sid").aggregate(accounts=ends_posts.account_id.nunique())
    sa = sets.select(a="sid", na="n")
    sb = sets.select(b="sid", nb="n")
    xa = acc.select(a="sid", acc_a="accounts")
    xb = acc.select(b="sid", acc_b="accounts")
    c = cand.join(sa, "a").join(sb, "b").join(xa, "a").join(xb, "b")
    c = c.filter(ibis.least(c.na, c.nb) >= threshold * ibis.greatest(c.na, c.nb) - 1e-9)
    c = c.select("a", "b", "na", "nb", accounts=c.acc_a + c.acc_b)
    ta = stok.select(a="sid", h="tok")
    tb_ = stok.select(b="sid", h="tok")
    inter = c.select("a", "b").join(ta, "a").join(tb_, ["b", "h"]).group_by(["a", "b"]).aggregate(i=ibis._.count())
    v = c.join(inter, ["a", "b"])
    v = keep(v.filter(v.i / (v.na + v.nb - v.i) >= threshold).select("a", "b", "accounts"))
    # Posts of two verified texts within the window (viral pairs are left out, as the default engine does).
    px = nd_posts.join(v.filter(v.accounts <= max_accounts), nd_posts.sid == v.a)
    px = _buckets(px, window).select(
        "platform", "jb", other="b", acc_x="account_id", post_x="post_id", t_x="t", ts_x="ts"
    )
    py = nd_posts.select("platform", "sid", "bkt", acc_y="account_id", post_y="post_id", t_y="t", ts_y="ts")
    cross = px.join(py, [px.other == py.sid, px.platform == py.platform, px.jb == py.bkt])
    in_pair = cross.acc_x != cross.acc_y
    if window is not None:
        in_pair = in_pair & ((cross.ts_x - cross.ts_y).abs() <= window)
    cross = materialise(tb, cross.filter(in_pair))
    pair_item = ibis.literal("nd:") + cross.post_x + "~" + cross.post_y
    copies = nd_posts.join(sets.filter(sets.posts >= 2).select("sid", "name"), "sid")
    cols = ("platform", "account_id", "item", "post_id", "t")
    return ibis.union(
        copies.select("platform", "account_id", item=ibis.literal("nd:") + copies.name, post_id="post_id", t="t"),
        cross.select("platform", account_id=cross.acc_x, item=pair_item, post_id=cross.post_x, t=cross.t_x),
        cross.select("platform", account_id=cross.acc_y, item=pair_item, post_id=cross.post_y, t=cross.t_y),
        distinct=False,
    ).select(*cols)
