"""Seed-and-expand: hunt the survivors of a takedown from a list of known accounts.

Given seed accounts (ids or handles, or a Meta threat-indicator CSV whose ``Indicator`` column holds profile
URLs such as ``https://twitter[.]com/EttaJac84185457``), every other account is ranked by its coordination
with the seeds: the sum of its fused edge weights to seeds, then the number of distinct seeds it is linked
to. Each candidate comes with the traces and the strongest evidence linking it to a seed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockstep.errors import InputError
from lockstep.store.store import Store

_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:www\[?\.\]?)?(twitter|x|tiktok|facebook|instagram|bsky)\[?\.\]?(?:com|app)/@?([^/?#\s]+)",
    re.IGNORECASE,
)
_PLATFORM = {
    "twitter": "twitter",
    "x": "twitter",
    "tiktok": "tiktok",
    "facebook": "facebook",
    "instagram": "instagram",
    "bsky": "bluesky",
}


@dataclass
class Candidate:
    """One account ranked by its coordination with the seeds."""

    platform: str
    account_id: str
    handle: str | None
    score: float
    seeds_linked: int
    traces: list[str]
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Expansion:
    """Seeds found in the store, seeds not found, and the ranked candidates."""

    seeds_found: list[tuple[str, str]]
    seeds_missing: list[str]
    candidates: list[Candidate]


def read_seeds(path: str | Path) -> list[str]:
    """Seed names from a file: one id/handle per line, or a CSV with an ``Indicator`` column (Meta layout)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: seeds file not found")
    text = p.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    seeds: list[str] = []
    if "indicator" in first.lower() and "," in first:
        for row in csv.DictReader(text.splitlines()):
            ind = (row.get("Indicator") or row.get("indicator") or "").strip()
            m = _PROFILE_URL.search(ind)
            if m:
                seeds.append(m.group(2).rstrip("/"))
    else:
        seeds = [s.strip().lstrip("@") for s in text.splitlines() if s.strip() and not s.startswith("#")]
    if not seeds:
        raise InputError(f"{p}: no seed accounts found (one id or handle per line, or a Meta indicator CSV)")
    return seeds


def expand(store: Store, seeds: list[str], *, limit: int = 50, evidence_per_candidate: int = 2) -> Expansion:
    """Rank accounts by fused coordination with ``seeds`` (ids or handles)."""
    con = store.con
    found: list[tuple[str, str]] = []
    missing: list[str] = []
    for s in seeds:
        row = con.execute(
            "SELECT platform, account_id FROM accounts WHERE account_id = ? OR lower(handle) = lower(?) LIMIT 1", [s, s]
        ).fetchone()
        if row:
            found.append((str(row[0]), str(row[1])))
        else:
            missing.append(s)
    found = sorted(set(found))
    if not found:
        return Expansion([], missing, [])
    con.execute("CREATE OR REPLACE TEMP TABLE expand_seeds (platform VARCHAR, account_id VARCHAR)")
    con.executemany("INSERT INTO expand_seeds VALUES (?, ?)", found)
    rows = con.execute(
        """WITH links AS (
          SELECT e.platform, CASE WHEN s1.account_id IS NOT NULL THEN e.account_b ELSE e.account_a END AS cand,
                 CASE WHEN s1.account_id IS NOT NULL THEN e.account_a ELSE e.account_b END AS seed,
                 e.weight, e.traces
          FROM network_edges e
          LEFT JOIN expand_seeds s1 ON s1.platform = e.platform AND s1.account_id = e.account_a
          LEFT JOIN expand_seeds s2 ON s2.platform = e.platform AND s2.account_id = e.account_b
          WHERE (s1.account_id IS NOT NULL) <> (s2.account_id IS NOT NULL))
        SELECT l.platform, l.cand, a.handle, sum(l.weight) AS score, count(DISTINCT l.seed) AS seeds,
               list_sort(list_distinct(flatten(list(l.traces)))) AS traces, arg_max(l.seed, l.weight) AS best_seed
        FROM links l LEFT JOIN accounts a ON a.platform = l.platform AND a.account_id = l.cand
        GROUP BY l.platform, l.cand, a.handle ORDER BY score DESC, seeds DESC, l.cand LIMIT ?""",
        [limit],
    ).fetchall()
    out = []
    for platform, cand, handle, score, n_seeds, traces, best in rows:
        a, b = sorted((str(cand), str(best)))
        ev = con.execute(
            "SELECT trace, item, post_a, post_b, time_a, time_b, gap_s FROM evidence WHERE platform = ? AND "
            "account_a = ? AND account_b = ? ORDER BY gap_s, time_a LIMIT ?",
            [platform, a, b, evidence_per_candidate],
        ).fetchall()
        out.append(
            Candidate(
                str(platform),
                str(cand),
                handle,
                float(score),
                int(n_seeds),
                list(traces),
                [
                    dict(zip(("trace", "item", "post_a", "post_b", "time_a", "time_b", "gap_s"), r, strict=True))
                    | {"seed": best}
                    for r in ev
                ],
            )
        )
    con.execute("DROP TABLE expand_seeds")
    return Expansion(found, missing, out)


#: Traces whose item is a piece of content copied or reshared (the text, the retweeted post, the link, the
#: media file): one rare shared item of these can attach an account to a campaign (:func:`rare_coactions`).
CONTENT_TRACES = ("co-text", "co-retweet", "co-link", "co-media")


@dataclass(frozen=True)
class ContentActions:
    """One content trace's actions, read once: the temp table ``table`` holds ``platform, account_id, item, ts,
    k`` (``k``: the distinct accounts that ever acted on the item), ``stats`` one row per item with its ``k``.

    Campaign expansion (:func:`rare_coactions`) and the synchronised rare blocks
    (:mod:`lockstep.campaigns.synchrony`) both need every content action and each item's popularity; the
    action query (text normalisation over every post) is most of their cost, so they share this one pass
    (:func:`lockstep.campaigns.synchrony.rare_evidence`).
    """

    name: str
    parameters: dict[str, Any]
    table: str
    stats: str


def content_actions(store: Store, traces: Sequence[str] = CONTENT_TRACES) -> Generator[ContentActions, None, None]:
    """Yield :class:`ContentActions` for each of ``traces`` the last ``detect`` ran (others are skipped).

    The tables live while the consumer handles the trace and are dropped before the next one is read (and when
    the iteration stops early), so at most one trace's actions are held at a time.
    """
    from lockstep.engine import trace_plans
    from lockstep.traces.base import TRACES

    con = store.con
    runs = {
        str(t): json.loads(str(p))
        for t, p in con.execute(
            "SELECT trace, arg_max(parameters, started_at) FROM detect_runs GROUP BY trace"
        ).fetchall()
    }
    for name in traces:
        trace = TRACES.get(name)
        if name not in runs or trace is None or trace.prepare is not None or trace.cross_platform:
            continue
        try:
            with trace_plans.actions_query(con, trace, trace_plans.recorded_params(runs[name])) as actions_sql:
                con.execute(
                    f"""CREATE OR REPLACE TEMP TABLE c_raw AS
                    SELECT platform, account_id, CAST(item AS VARCHAR) AS item, epoch(t) AS ts
                    FROM ({actions_sql})
                    WHERE item IS NOT NULL AND CAST(item AS VARCHAR) <> '' AND account_id IS NOT NULL"""
                )
            con.execute(
                """CREATE OR REPLACE TEMP TABLE c_stats AS
                SELECT platform, item, count(DISTINCT account_id) AS k FROM c_raw GROUP BY ALL"""
            )
            con.execute(
                """CREATE OR REPLACE TEMP TABLE c_act AS
                SELECT a.platform, a.account_id, a.item, a.ts, s.k FROM c_raw a JOIN c_stats s USING (platform, item)"""
            )
            con.execute("DROP TABLE c_raw")
            yield ContentActions(name, runs[name], "c_act", "c_stats")
        finally:
            con.execute("DROP TABLE IF EXISTS c_raw")
            con.execute("DROP TABLE IF EXISTS c_act")
            con.execute("DROP TABLE IF EXISTS c_stats")


def rare_coactions(store: Store, traces: Sequence[str] = CONTENT_TRACES) -> list[tuple[str, str, str, str, str]]:
    """Every pair of accounts that acted on the same *rare* content item within the null model's horizon.

    Rows ``(platform, account_a, account_b, trace, item)`` with ``account_a < account_b``, for the ``traces``
    the last ``detect`` ran (others are skipped). "Rare" and the horizon are the detection's own: at most
    :func:`lockstep.engine.coaction.rare_cut_from` accounts ever acted on the item (the lower quartile of
    shared items' popularity, capped at 1% of the trace's acting accounts), co-actions at most ``null_shift_s``
    apart (from the run's recorded parameters). These are the links the rarity guard
    (:mod:`lockstep.traces.rarity`) keeps out of the network when no second item or common partner
    corroborates them; campaign expansion (:func:`lockstep.campaigns.accounts.rank_accounts`) lets a flagged
    campaign corroborate them instead.
    """
    out: list[tuple[str, str, str, str, str]] = []
    for actions in content_actions(store, traces):
        out.extend(trace_rare_coactions(store, actions))
    return out


def trace_rare_coactions(store: Store, actions: ContentActions) -> list[tuple[str, str, str, str, str]]:
    """:func:`rare_coactions` for one trace whose actions are already read (:func:`content_actions`)."""
    from lockstep.engine.coaction import rare_cut_from

    con = store.con
    horizon = float(actions.parameters.get("null_shift_s", 86_400.0))
    cap = int(actions.parameters.get("max_item_accounts", 1000))
    hist = con.execute(f"SELECT k, count(*) FROM {actions.stats} GROUP BY 1").fetchall()
    row = con.execute(
        f"SELECT count(DISTINCT (platform, account_id)) FROM {actions.table} WHERE k BETWEEN 2 AND ?", [cap]
    ).fetchone()
    cut = rare_cut_from([(int(a), int(n)) for a, n in hist], int(row[0]) if row else 0)
    return [
        (str(p), str(a), str(b), actions.name, str(i))
        for p, a, b, i in con.execute(
            f"""WITH r AS (SELECT * FROM {actions.table} WHERE k BETWEEN 2 AND ?)
            SELECT DISTINCT x.platform, x.account_id, y.account_id, x.item FROM r x JOIN r y
              ON x.platform = y.platform AND x.item = y.item
            WHERE x.account_id < y.account_id AND abs(x.ts - y.ts) <= ?""",
            [cut, horizon],
        ).fetchall()
    ]
