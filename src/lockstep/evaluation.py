"""Score the store's results against account labels: per trace, fused, and community agreement.

Labels are a CSV with ``account_id`` and ``label`` columns (optionally ``platform``); the label ``organic``
(or empty) is negative, anything else names an operation (its sub-group, where known, can be given as
``group``). Every labelled account with posts in the store is scored:

* per trace: score = the account's strongest edge weight in that trace (0 without one); predicted positive
  = has an edge in that trace;
* fused: score = the account's strength in the fused network; predicted positive = member of a campaign;
* fused+signals: coordination and inauthenticity together: score = strength x (1 + community signals
  fired); predicted positive = member of a campaign whose community fired at least ``MIN_SIGNALS`` signals;
* precision, recall, F1, ROC AUC, average precision, and recall at precision 0.95 and 0.99;
* community agreement on positives placed in communities: ARI and NMI between communities and operations
  (or sub-groups).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lockstep.campaigns.accounts import rank_accounts
from lockstep.errors import InputError
from lockstep.metrics import (
    adjusted_rand_index,
    average_precision,
    normalized_mutual_info,
    precision_recall_f1,
    recall_at_precision,
    roc_auc,
)
from lockstep.store.store import Store

NEGATIVE = {"", "organic", "control", "0", "false", "negative"}
#: Community signals that must fire for ``fused+signals`` to flag a campaign member.
MIN_SIGNALS = 2


@dataclass
class Scores:
    """Detection scores of one detector."""

    detector: str
    accounts: int
    positives: int
    flagged: int
    precision: float
    recall: float
    f1: float
    roc_auc: float
    average_precision: float
    recall_at_p95: float
    recall_at_p99: float


@dataclass
class Evaluation:
    """All scores of one evaluation."""

    labelled_accounts: int
    detectors: list[Scores] = field(default_factory=list)
    community_ari: float | None = None
    community_nmi: float | None = None
    community_accounts: int = 0

    def to_markdown(self) -> str:
        """A Markdown table per detector plus the community agreement line."""
        lines = [
            "| detector | accounts | positives | flagged | precision | recall | F1 | ROC AUC | AP | R@P.95 | R@P.99 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.detectors:
            lines.append(
                f"| {s.detector} | {s.accounts:,} | {s.positives:,} | {s.flagged:,} | {s.precision:.3f} | "
                f"{s.recall:.3f} | {s.f1:.3f} | {_fmt(s.roc_auc)} | {s.average_precision:.3f} | "
                f"{s.recall_at_p95:.3f} | {s.recall_at_p99:.3f} |"
            )
        if self.community_ari is not None:
            lines.append("")
            lines.append(
                f"Community agreement on {self.community_accounts:,} positive accounts in communities: "
                f"ARI {self.community_ari:.3f}, NMI {_fmt(self.community_nmi)}."
            )
        return "\n".join(lines)

    def to_json(self) -> str:
        """The evaluation as JSON."""
        return json.dumps(asdict(self), indent=2)


def _fmt(x: float | None) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def read_labels(path: str | Path) -> dict[str, tuple[bool, str]]:
    """account_id -> (is positive, group) from a labels CSV."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: labels file not found")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = {c.lower(): c for c in reader.fieldnames or []}
        if "account_id" not in cols or "label" not in cols:
            raise InputError(f"{p}: a labels CSV needs columns account_id and label (found {reader.fieldnames})")
        out = {}
        for row in reader:
            label = (row[cols["label"]] or "").strip()
            group = (row.get(cols.get("group", ""), "") or label).strip() if "group" in cols else label
            out[row[cols["account_id"]].strip()] = (label.lower() not in NEGATIVE, group)
    return out


def evaluate(store: Store, labels: dict[str, tuple[bool, str]]) -> Evaluation:
    """Score every trace and the fused network against ``labels``."""
    con = store.con
    accounts = [
        str(r[0])
        for r in con.execute("SELECT DISTINCT account_id FROM posts ORDER BY 1").fetchall()
        if str(r[0]) in labels
    ]
    if not accounts:
        raise InputError("no labelled account has posts in the store: check the account ids in the labels file")
    truth = [labels[a][0] for a in accounts]
    ev = Evaluation(labelled_accounts=len(accounts))
    traces = [str(r[0]) for r in con.execute("SELECT DISTINCT trace FROM edges ORDER BY 1").fetchall()]
    for trace in traces:
        best = dict(
            con.execute(
                """SELECT account, max(weight) FROM (SELECT account_a AS account, weight FROM edges WHERE trace = ?
               UNION ALL SELECT account_b, weight FROM edges WHERE trace = ?) GROUP BY account""",
                [trace, trace],
            ).fetchall()
        )
        ev.detectors.append(
            _scores(trace, truth, [float(best.get(a, 0.0)) for a in accounts], [a in best for a in accounts])
        )
    strength = dict(con.execute("SELECT account_id, strength FROM account_scores").fetchall())
    in_campaign = {
        str(r[0])
        for r in con.execute(
            "SELECT s.account_id FROM account_scores s SEMI JOIN campaigns c ON c.campaign = s.community"
        ).fetchall()
    }
    ev.detectors.append(
        _scores("fused", truth, [float(strength.get(a, 0.0)) for a in accounts], [a in in_campaign for a in accounts])
    )
    # Coordination plus inauthenticity: the `lockstep accounts` ranking (strength x (1 + community signals
    # fired)); flagged = campaign members whose community fired two or more signals.
    ranked = {r.account_id: r for r in rank_accounts(store)}
    ev.detectors.append(
        _scores(
            "fused+signals",
            truth,
            [ranked[a].score if a in ranked else 0.0 for a in accounts],
            [a in in_campaign and a in ranked and ranked[a].signals_fired >= MIN_SIGNALS for a in accounts],
        )
    )
    community = dict(con.execute("SELECT account_id, community FROM account_scores").fetchall())
    placed = [a for a in accounts if labels[a][0] and a in community]
    if len(placed) >= 2:
        ev.community_accounts = len(placed)
        ev.community_ari = adjusted_rand_index([community[a] for a in placed], [labels[a][1] for a in placed])
        ev.community_nmi = normalized_mutual_info([community[a] for a in placed], [labels[a][1] for a in placed])
    return ev


def _scores(name: str, truth: list[bool], scores: list[float], flagged: list[bool]) -> Scores:
    p, r, f1 = precision_recall_f1(truth, flagged)
    return Scores(
        detector=name,
        accounts=len(truth),
        positives=sum(truth),
        flagged=sum(flagged),
        precision=p,
        recall=r,
        f1=f1,
        roc_auc=roc_auc(truth, scores),
        average_precision=average_precision(truth, scores),
        recall_at_p95=recall_at_precision(truth, scores, 0.95),
        recall_at_p99=recall_at_precision(truth, scores, 0.99),
    )
