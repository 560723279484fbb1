"""Evaluation metrics on tiny label sets, computed by hand."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import pytest

from lockstep.errors import InputError
from lockstep.evaluation import adjusted_mutual_info, evaluate, precision_at_k, rarity_probe, read_labels
from lockstep.metrics import (
    adjusted_rand_index,
    average_precision,
    normalized_mutual_info,
    precision_recall_f1,
    recall_at_precision,
    roc_auc,
)

from .worlds import BACKGROUND, DORMANT, FANS, OPS, build_world_store


def test_precision_recall_f1_by_hand() -> None:
    truth = [True, True, True, False, False]
    pred = [True, True, False, True, False]
    # tp 2, fp 1, fn 1 -> P 2/3, R 2/3, F1 2/3
    p, r, f1 = precision_recall_f1(truth, pred)
    assert (p, r, f1) == pytest.approx((2 / 3, 2 / 3, 2 / 3))


def test_roc_auc_by_hand() -> None:
    # positives 0.8, 0.6; negatives 0.7, 0.1: pairs (0.8>0.7, 0.8>0.1, 0.6<0.7, 0.6>0.1) -> 3/4
    assert roc_auc([True, True, False, False], [0.8, 0.6, 0.7, 0.1]) == 0.75
    assert math.isnan(roc_auc([True, True], [0.1, 0.2]))


def test_average_precision_and_recall_at_precision_by_hand() -> None:
    truth = [True, False, True, True, False]
    scores = [0.9, 0.8, 0.7, 0.6, 0.1]
    # thresholds: (P 1, R 1/3), (1/2, 1/3), (2/3, 2/3), (3/4, 1), (3/5, 1)
    assert average_precision(truth, scores) == pytest.approx(1 * 1 / 3 + 2 / 3 * 1 / 3 + 3 / 4 * 1 / 3)
    assert recall_at_precision(truth, scores, 0.95) == pytest.approx(1 / 3)
    assert recall_at_precision(truth, scores, 0.7) == 1.0


def test_partition_agreement_by_hand() -> None:
    a = [0, 0, 0, 1, 1, 1]
    b = [0, 0, 1, 1, 2, 2]
    # contingency [[2,1,0],[0,1,2]]: sum_ij C2 = 2; sum_a = 6; sum_b = 3; expected = 18/15 = 1.2; max = 4.5
    assert adjusted_rand_index(a, b) == pytest.approx((2 - 1.2) / (4.5 - 1.2))
    assert normalized_mutual_info(a, a) == 1.0
    assert 0 < normalized_mutual_info(a, b) < 1


def test_read_labels(tmp_path: Path) -> None:
    f = tmp_path / "labels.csv"
    f.write_text("account_id,label\nu1,spamouflage\nu2,organic\nu3,\n", encoding="utf-8")
    assert read_labels(f) == {"u1": (True, "spamouflage"), "u2": (False, "organic"), "u3": (False, "")}
    bad = tmp_path / "bad.csv"
    bad.write_text("id,kind\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs columns account_id and label"):
        read_labels(bad)


def test_precision_at_k_by_hand() -> None:
    truth = [True, False, True, False, True]
    scores = [0.9, 0.8, 0.7, 0.6, 0.1]
    assert precision_at_k(truth, scores, 1) == 1.0
    assert precision_at_k(truth, scores, 2) == 0.5
    assert precision_at_k(truth, scores, 3) == pytest.approx(2 / 3)
    # k beyond the list counts the missing places as misses
    assert precision_at_k(truth, scores, 10) == pytest.approx(3 / 10)


def test_adjusted_mutual_info_matches_the_permutation_expectation() -> None:
    # AMI = (MI - E[MI]) / (mean(H) - E[MI]); E[MI] by brute force over every permutation of b.
    a = [0, 0, 1, 1, 2, 2]
    b = [0, 0, 1, 2, 2, 2]

    def mi(x: list[int], y: tuple[int, ...] | list[int]) -> float:
        n = len(x)
        cx, cy, j = Counter(x), Counter(y), Counter(zip(x, y, strict=True))
        return sum(v / n * math.log(n * v / (cx[p] * cy[q])) for (p, q), v in j.items())

    def h(x: list[int]) -> float:
        return -sum(v / len(x) * math.log(v / len(x)) for v in Counter(x).values())

    perms = list(itertools.permutations(b))
    emi = sum(mi(a, p) for p in perms) / len(perms)
    expected = (mi(a, b) - emi) / ((h(a) + h(b)) / 2 - emi)
    assert adjusted_mutual_info(a, b) == pytest.approx(expected)
    assert adjusted_mutual_info(a, a) == 1.0
    assert abs(adjusted_mutual_info([0, 1] * 50, [0] * 50 + [1] * 50)) < 0.05


def test_evaluate_scores_every_labelled_account_and_agreement_over_all(tmp_path: Path) -> None:
    with build_world_store(tmp_path) as store:
        labels = {a: (True, "op") for a in OPS} | {a: (False, "organic") for a in FANS + DORMANT + BACKGROUND}
        ev = evaluate(store, labels)
        accounts = len({r[0] for r in store.con.execute("SELECT account_id FROM posts").fetchall()} & set(labels))
    assert ev.labelled_accounts == accounts == len(labels)
    rows = {s.detector: s for s in ev.detectors}
    assert {"fused", "fused+signals", "accounts"} <= set(rows)
    for s in rows.values():
        # negatives are scored too: every labelled account counts, not only the flagged or the positives
        assert s.accounts == len(labels) and s.positives == len(OPS)
        assert set(s.precision_at_k) == {"10", "50", "100", str(len(OPS))}
    acc = rows["accounts"]
    # The fans and the dormant cohort do coordinate (they are labelled negative here): flagged, so precision
    # falls while recall stays 1; the ranking still puts the operation first.
    assert acc.recall == 1.0 and acc.precision == pytest.approx(len(OPS) / acc.flagged) and acc.precision < 1
    assert acc.precision_at_k[str(len(OPS))] == 1.0 and acc.roc_auc == 1.0
    # Community agreement covers every labelled account: the fans' campaign is a wrong class there, so ARI
    # is below 1 even though the operation is one pure campaign (scoring positives alone would give 1.0).
    assert ev.community_accounts == len(labels)
    assert ev.positives_in_campaigns == len(OPS)
    assert ev.community_ari is not None and 0 < ev.community_ari < 1
    assert ev.community_ami is not None and 0 < ev.community_ami < 1
    assert "P@10" in ev.to_markdown() and "over all" in ev.to_markdown()


def test_rarity_probe_pairs_accounts_on_texts_at_most_three_accounts_posted(tmp_path: Path) -> None:
    """The issue-10 baseline: a text posted by 2-3 accounts (any kind, any gap) flags them; 4 accounts do not."""

    def post(acct: str, when: str, text: str, kind: str = "original") -> dict[str, str]:
        return {"account_id": acct, "handle": acct, "created_at": when, "text": text, "kind": kind}

    extra = [
        post("troll_a", "2023-03-07 05:00:00", "The leaked memo proves it, share now http://x.example/1"),
        # the same text reshared days later, as the IRA export writes a retweet: normalised, it is one text
        post("troll_b", "2023-03-11 09:00:00", "the leaked memo proves it,   share now", kind="repost"),
        post("troll_b", "2023-03-08 09:00:00", "second rare line of the week"),
        post("troll_c", "2023-03-08 10:00:00", "Second rare line of the week"),
        *[post(f"crowd_{i}", f"2023-03-09 0{i}:00:00", "happy friday everyone") for i in range(4)],
        post("loner", "2023-03-09 05:00:00", "nobody else wrote this one"),
    ]
    with build_world_store(tmp_path, extra) as store:
        labels = {
            "troll_a": (True, "op"),
            "troll_b": (True, "op"),
            "troll_c": (False, "organic"),
            "loner": (True, "op"),
        }
        labels |= {f"crowd_{i}": (False, "organic") for i in range(4)}
        probe = rarity_probe(store, labels)
        wider = rarity_probe(store, labels, max_accounts=4)
        with pytest.raises(InputError, match="no labelled account"):
            rarity_probe(store, {"nobody": (True, "op")})
    assert probe.detector == "probe" and probe.accounts == len(labels) and probe.positives == 3
    # flagged: troll_a, troll_b (two rare texts), troll_c; not the crowd (4 accounts), not the loner (1)
    assert probe.flagged == 3
    assert probe.precision == pytest.approx(2 / 3) and probe.recall == pytest.approx(2 / 3)
    assert wider.flagged == 7  # at four accounts the crowd's text is "rare" too
