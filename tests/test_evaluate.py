"""Evaluation metrics on tiny label sets, computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from lockstep.errors import InputError
from lockstep.evaluation import read_labels
from lockstep.metrics import (
    adjusted_rand_index,
    average_precision,
    normalized_mutual_info,
    precision_recall_f1,
    recall_at_precision,
    roc_auc,
)


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
