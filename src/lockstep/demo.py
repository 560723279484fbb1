"""The bundled demo: the whole pipeline that exists, on a small real sample, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lockstep import api
from lockstep.ingestion import ProgressFn, ingest
from lockstep.store import Store, open_store
from lockstep.traces import DetectParams
from lockstep.traces.queries import edges

DEMO_FILES = (
    "ira_authors_2015-02-16_25.csv",
    "ira_tweets_2015-02-16_25.parquet",
    "us_airline_tweets_2015-02.csv",
)


def demo_paths() -> list[Path]:
    """Paths of the bundled demo files (IRA accounts and organic airline tweets, Feb 2015)."""
    base = resources.files("lockstep") / "data" / "demo"
    return [Path(str(base / name)) for name in DEMO_FILES]


def run_demo(
    db: str | Path, *, progress: ProgressFn | None = None, seed: int = 0, report_path: str | Path = "lockstep-demo.html"
) -> str:
    """Ingest the demo sample into ``db``, detect coordination with every trace, and return what a person
    should read: the ingest accounting, the store summary, the detection accounting and the strongest edges.
    """
    from lockstep.campaigns.naming import campaign_name, confidence_words

    with open_store(db) as store:
        report = ingest(store, demo_paths(), progress=progress)
        info = store.info()
        found = api.detect(store, params=DetectParams(null_replicates=10, seed=seed))
        top = edges(store, sort="shared", limit=10)
        analysis = api.analyze(store, seed=seed, tz_offset_hours=3.0)  # the IRA worked from St Petersburg (UTC+3)
        camps = api.list_campaigns(store)
        score = score_against_authors(store)
    lines = [report.summary(), "", info.summary(), "", found.summary(), "", "strongest edges (by shared items):"]
    lines += [
        f"  {e.trace:<17} {e.account_a} ~ {e.account_b}: {e.shared_items} shared items, {e.coactions} co-actions, "
        f"median gap {e.median_gap_s:.0f} s, weight {e.weight:.3f}"
        + (f", p = {e.p_value:.2g}" if e.p_value is not None else "")
        for e in top
    ]
    if top:
        lines.append(f"see why: lockstep evidence {top[0].account_a} {top[0].account_b} --db {db}")
    lines += ["", analysis.summary(), "campaigns (named from their top hashtags and terms):"]
    lines += [
        f"  #{c.rank} {campaign_name(c.summary)!r}: {confidence_words(c.summary)[0]} evidence; "
        f"{c.accounts} accounts, score {c.coordination_score:.3f}, traces {', '.join(c.traces)}; DISARM "
        f"{', '.join(c.techniques) or '-'}"
        for c in camps
    ]
    lines.append(
        f"against the bundled IRA author list: {score.ira_flagged} of {score.ira} IRA accounts are in a campaign "
        f"(recall {score.recall:.2f}); {score.ira_flagged} of {score.flagged} campaign accounts are IRA "
        f"(precision {score.precision:.2f}); the rest are organic airline customers"
    )
    with open_store(db, read_only=True) as store:
        cut = score_flagged_accounts(store)
    lines.append(
        f"account-level cut (`lockstep accounts`, repeated coordination): {cut.ira_flagged} of {cut.ira} IRA "
        f"accounts flagged (recall {cut.recall:.2f}); {cut.ira_flagged} of {cut.flagged} flagged accounts are IRA "
        f"(precision {cut.precision:.2f})"
    )
    top_accounts = camps[0].summary["actors"]["top_accounts"] if camps else []
    if top_accounts:
        lines.append(f"see an account card: lockstep explain {top_accounts[0]} --db {db}")
    with open_store(db, read_only=True) as store:
        result = api.report(store, report_path, seed=seed)
    lines += ["", f"report: {result.path.resolve()} (open it in a browser; works offline)"]
    return "\n".join(lines)


@dataclass(frozen=True)
class DemoScore:
    """Campaign members of the demo against its labels: IRA authors (bundled list) vs organic customers."""

    ira: int
    flagged: int
    ira_flagged: int

    @property
    def recall(self) -> float:
        return self.ira_flagged / self.ira if self.ira else 0.0

    @property
    def precision(self) -> float:
        return self.ira_flagged / self.flagged if self.flagged else 0.0


def score_against_authors(store: Store) -> DemoScore:
    """How many of the demo's IRA accounts (posts read by the IRA reader) ended up in a campaign, and how many
    campaign members are IRA: the demo's answer to "did it find the operation?"."""
    row = store.con.execute(
        """WITH ira AS (SELECT DISTINCT account_id FROM posts WHERE reader = 'ira'),
        flagged AS (SELECT DISTINCT s.account_id FROM account_scores s JOIN campaigns c ON c.campaign = s.community)
        SELECT (SELECT count(*) FROM ira), (SELECT count(*) FROM flagged),
               (SELECT count(*) FROM flagged SEMI JOIN ira USING (account_id))"""
    ).fetchone()
    ira, flagged, both = (int(v) for v in row) if row else (0, 0, 0)
    return DemoScore(ira, flagged, both)


def score_flagged_accounts(store: Store) -> DemoScore:
    """The same count for the accounts ``lockstep accounts`` flags (see :mod:`lockstep.campaigns.accounts`)."""
    from lockstep.campaigns.accounts import rank_accounts

    rows = store.con.execute("SELECT DISTINCT account_id FROM posts WHERE reader = 'ira'").fetchall()
    ira = {str(r[0]) for r in rows}
    flagged = {a.account_id for a in rank_accounts(store) if a.flagged}
    return DemoScore(len(ira), len(flagged), len(flagged & ira))
