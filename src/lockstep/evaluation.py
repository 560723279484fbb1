"""Score the store's results against account labels: per trace, fused, and community agreement.

Labels are a CSV with ``account_id`` and ``label`` columns (optionally ``platform``); the label ``organic``
(or empty) is negative, anything else names an operation (its sub-group, where known, can be given as
``group``). Every labelled account with posts in the store is scored:

* per trace: score = the account's strongest edge weight in that trace (0 without one); predicted positive
  = has an edge in that trace;
* fused: score = the account's strength in the fused network; predicted positive = member of a campaign;
* fused+signals: coordination and inauthenticity together: score = strength x (1 + community signals
  fired); predicted positive = member of a campaign whose community fired at least ``MIN_SIGNALS`` signals;
* accounts: the ranking and account-level cut of ``lockstep accounts`` (:mod:`lockstep.campaigns.accounts`):
  score = the position in its order; predicted positive = ``flagged`` (repeated coordination: a campaign
  member whose campaign co-acted on enough distinct items, with evidence of its own);
* precision, recall, F1, ROC AUC, average precision, recall at precision 0.95 and 0.99, and precision at k
  for k = 10, 50, 100 and the number of positives (R-precision);
* the issue-10 rarity probe (:func:`rarity_probe`), a baseline the default detectors must not fall below: pair
  accounts on texts shared by at most three accounts in the whole store;
* community agreement over **every** labelled account (negatives included): the truth partition puts each
  positive in its operation (or sub-group) and every negative in one "organic" class; the predicted partition
  puts each campaign member in its campaign and every other account in one "no campaign" class. ARI, AMI
  (adjusted for chance, Vinh, Epps & Bailey, JMLR 2010) and NMI. Scoring positives only (the earlier rule)
  rewards a detector that finds four accounts and puts them in one community (ARI 1.0 on 4 accounts).
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Hashable, Sequence
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
from lockstep.normalize.text import normalize_text_sql
from lockstep.store.store import Store

NEGATIVE = {"", "organic", "control", "0", "false", "negative"}
#: Community signals that must fire for ``fused+signals`` to flag a campaign member.
MIN_SIGNALS = 2
#: Cut-offs of precision at k (the number of positives is added: R-precision).
PRECISION_KS = (10, 50, 100)
#: The rarity probe's cut: a text links the accounts that posted it when at most this many accounts did.
PROBE_MAX_ACCOUNTS = 3


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
    precision_at_k: dict[str, float] = field(default_factory=dict)


@dataclass
class Evaluation:
    """All scores of one evaluation."""

    labelled_accounts: int
    detectors: list[Scores] = field(default_factory=list)
    community_ari: float | None = None
    community_ami: float | None = None
    community_nmi: float | None = None
    community_accounts: int = 0
    positives_in_campaigns: int = 0

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
        if self.detectors:
            ks = list(self.detectors[0].precision_at_k)
            lines += ["", "| detector | " + " | ".join(f"P@{k}" for k in ks) + " |", "|---|" + "---:|" * len(ks)]
            for s in self.detectors:
                lines.append(f"| {s.detector} | " + " | ".join(f"{s.precision_at_k[k]:.3f}" for k in ks) + " |")
        if self.community_ari is not None:
            lines.append("")
            lines.append(
                f"Community agreement over all {self.community_accounts:,} labelled accounts (negatives one "
                f"organic class, accounts outside campaigns one class; {self.positives_in_campaigns:,} positives "
                f"in campaigns): ARI {self.community_ari:.3f}, AMI {_fmt(self.community_ami)}, "
                f"NMI {_fmt(self.community_nmi)}."
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


def _labelled_accounts(store: Store, labels: dict[str, tuple[bool, str]]) -> list[str]:
    """The labelled accounts that have posts in the store, sorted: what every detector is scored over."""
    accounts = [
        str(r[0])
        for r in store.con.execute("SELECT DISTINCT account_id FROM posts ORDER BY 1").fetchall()
        if str(r[0]) in labels
    ]
    if not accounts:
        raise InputError("no labelled account has posts in the store: check the account ids in the labels file")
    return accounts


def evaluate(store: Store, labels: dict[str, tuple[bool, str]]) -> Evaluation:
    """Score every trace and the fused network against ``labels``."""
    con = store.con
    accounts = _labelled_accounts(store, labels)
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
    # Coordination plus inauthenticity: strength x (1 + community signals fired); flagged = campaign members
    # whose community fired two or more signals.
    ranked = {r.account_id: r for r in rank_accounts(store)}
    ev.detectors.append(
        _scores(
            "fused+signals",
            truth,
            [ranked[a].strength * (1 + ranked[a].signals_fired) if a in ranked else 0.0 for a in accounts],
            [a in in_campaign and a in ranked and ranked[a].signals_fired >= MIN_SIGNALS for a in accounts],
        )
    )
    # The `lockstep accounts` order (flagged first, then by score) as a score: earlier rank, higher score.
    ev.detectors.append(
        _scores(
            "accounts",
            truth,
            [float(len(ranked) + 1 - ranked[a].rank) if a in ranked else 0.0 for a in accounts],
            [a in ranked and ranked[a].flagged for a in accounts],
        )
    )
    community = dict(
        con.execute(
            "SELECT s.account_id, s.community FROM account_scores s SEMI JOIN campaigns c ON c.campaign = s.community"
        ).fetchall()
    )
    predicted: list[Hashable] = [("campaign", community[a]) if a in community else "none" for a in accounts]
    actual: list[Hashable] = [("op", labels[a][1]) if labels[a][0] else "organic" for a in accounts]
    ev.community_accounts = len(accounts)
    ev.positives_in_campaigns = sum(1 for a in accounts if labels[a][0] and a in community)
    ev.community_ari = adjusted_rand_index(predicted, actual)
    ev.community_ami = adjusted_mutual_info(predicted, actual)
    ev.community_nmi = normalized_mutual_info(predicted, actual)
    return ev


def rarity_probe(store: Store, labels: dict[str, tuple[bool, str]], max_accounts: int = PROBE_MAX_ACCOUNTS) -> Scores:
    """The issue-10 baseline ("probe"): flag every account that posted a text that at least one other and at
    most ``max_accounts`` accounts in the whole store posted (normalised as co-text normalises, every post kind,
    any time apart, no second item, no structure); score = how many such texts the account posted.

    Issue 10 measured it at F1 0.52 on a private IRA mix where the default pipeline scored 0; the default
    detectors should not fall below it on any labelled mix. Scored over the same accounts as :func:`evaluate`
    (every labelled account with posts), as detector ``probe``.
    """
    con = store.con
    accounts = _labelled_accounts(store, labels)
    shared = dict(
        con.execute(
            f"""WITH n AS MATERIALIZED (SELECT account_id, {normalize_text_sql("text")} AS norm FROM posts
                                       WHERE text IS NOT NULL),
            rare AS (SELECT norm FROM n WHERE norm <> '' GROUP BY norm
                     HAVING count(DISTINCT account_id) BETWEEN 2 AND ?)
            SELECT account_id, count(DISTINCT norm) FROM n SEMI JOIN rare USING (norm) GROUP BY account_id""",
            [int(max_accounts)],
        ).fetchall()
    )
    truth = [labels[a][0] for a in accounts]
    return _scores(
        "probe", truth, [float(shared.get(a, 0)) for a in accounts], [shared.get(a, 0) > 0 for a in accounts]
    )


def precision_at_k(truth: Sequence[bool], scores: Sequence[float], k: int) -> float:
    """Share of positives among the ``k`` best-scored accounts (ties broken by input order, which is stable).

    Examples:
        >>> precision_at_k([True, False, True, False], [0.9, 0.8, 0.7, 0.1], 2)
        0.5
    """
    if k <= 0 or not truth:
        return 0.0
    order = sorted(range(len(truth)), key=lambda i: -scores[i])[:k]
    return sum(1 for i in order if truth[i]) / k


def adjusted_mutual_info(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Adjusted mutual information (arithmetic-mean normalisation), Vinh, Epps & Bailey (JMLR 2010).

    ``(MI - E[MI]) / (mean(H(a), H(b)) - E[MI])`` with the exact expected MI under the hypergeometric
    model of random partitions with the same cluster sizes; 1 for identical partitions, about 0 for random.

    Examples:
        >>> adjusted_mutual_info([0, 0, 1, 1], [5, 5, 7, 7])
        1.0
    """
    n = len(a)
    if n != len(b):
        raise ValueError("partitions of different lengths")
    ca, cb = Counter(a), Counter(b)
    if n == 0 or (len(ca) == 1 and len(cb) == 1):
        return 1.0
    joint = Counter(zip(a, b, strict=True))
    mi = sum(nij / n * math.log(n * nij / (ca[i] * cb[j])) for (i, j), nij in joint.items())
    ha = -sum(x / n * math.log(x / n) for x in ca.values())
    hb = -sum(x / n * math.log(x / n) for x in cb.values())
    lg = math.lgamma
    emi = 0.0
    for ai in ca.values():
        for bj in cb.values():
            base = lg(ai + 1) + lg(bj + 1) + lg(n - ai + 1) + lg(n - bj + 1) - lg(n + 1)
            for nij in range(max(1, ai + bj - n), min(ai, bj) + 1):
                log_p = base - lg(nij + 1) - lg(ai - nij + 1) - lg(bj - nij + 1) - lg(n - ai - bj + nij + 1)
                emi += nij / n * math.log(n * nij / (ai * bj)) * math.exp(log_p)
    denom = (ha + hb) / 2 - emi
    if abs(denom) < 1e-12:
        return 1.0 if abs(mi - emi) < 1e-12 else 0.0
    return (mi - emi) / denom


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
        precision_at_k={str(k): precision_at_k(truth, scores, k) for k in (*PRECISION_KS, sum(truth)) if k > 0},
    )
