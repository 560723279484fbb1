"""Scoring metrics, in plain Python so results are exact and dependency-free.

Binary detection at account level (precision, recall, F1, ROC AUC, average precision, recall at a precision
floor) and partition agreement (adjusted Rand index, Hubert & Arabie 1985; normalised mutual information with
the arithmetic-mean normalisation, as scikit-learn's default).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence


def precision_recall_f1(truth: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``predicted`` against ``truth`` (0.0 where undefined).

    Examples:
        >>> precision_recall_f1([True, True, False, False], [True, False, True, False])
        (0.5, 0.5, 0.5)
    """
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def roc_auc(truth: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve (ties count half), or NaN when one class is absent.

    Examples:
        >>> roc_auc([True, False, True, False], [0.9, 0.1, 0.4, 0.4])
        0.875
    """
    pos = [s for t, s in zip(truth, scores, strict=True) if t]
    neg = [s for t, s in zip(truth, scores, strict=True) if not t]
    if not pos or not neg:
        return float("nan")
    ranked = sorted(scores)
    # rank-sum (Mann-Whitney U) with average ranks for ties
    ranks: dict[float, float] = {}
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1] == ranked[i]:
            j += 1
        ranks[ranked[i]] = (i + j) / 2 + 1
        i = j + 1
    r_pos = sum(ranks[s] for s in pos)
    u = r_pos - len(pos) * (len(pos) + 1) / 2
    return u / (len(pos) * len(neg))


def _curve(truth: Sequence[bool], scores: Sequence[float]) -> list[tuple[float, float]]:
    """(precision, recall) after each distinct score threshold, highest first."""
    total_pos = sum(1 for t in truth if t)
    pairs = sorted(zip(scores, truth, strict=True), key=lambda x: -x[0])
    out = []
    tp = fp = 0
    i = 0
    while i < len(pairs):
        s = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == s:
            tp += pairs[i][1]
            fp += not pairs[i][1]
            i += 1
        out.append((tp / (tp + fp), tp / total_pos if total_pos else 0.0))
    return out


def average_precision(truth: Sequence[bool], scores: Sequence[float]) -> float:
    """Average precision (step-wise area under the precision-recall curve).

    Examples:
        >>> average_precision([True, False, True, False], [0.9, 0.8, 0.7, 0.1])
        0.8333333333333333
    """
    ap = prev_recall = 0.0
    for precision, recall in _curve(truth, scores):
        ap += precision * (recall - prev_recall)
        prev_recall = recall
    return ap


def recall_at_precision(truth: Sequence[bool], scores: Sequence[float], floor: float) -> float:
    """Highest recall reached at any threshold whose precision is at least ``floor`` (0.0 if none).

    Examples:
        >>> recall_at_precision([True, False, True, False], [0.9, 0.8, 0.7, 0.1], 0.95)
        0.5
    """
    return max((r for p, r in _curve(truth, scores) if p >= floor), default=0.0)


def adjusted_rand_index(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Adjusted Rand index of two labelings of the same items (1 identical, ~0 random).

    Examples:
        >>> adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0])
        1.0
        >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]), 3)
        -0.5
    """
    n = len(a)

    def comb(k: int) -> float:
        return k * (k - 1) / 2

    cont = Counter(zip(a, b, strict=True))
    sum_ij = sum(comb(v) for v in cont.values())
    sum_a = sum(comb(v) for v in Counter(a).values())
    sum_b = sum(comb(v) for v in Counter(b).values())
    expected = sum_a * sum_b / comb(n) if n > 1 else 0.0
    maximum = (sum_a + sum_b) / 2
    return (sum_ij - expected) / (maximum - expected) if maximum != expected else 1.0


def normalized_mutual_info(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Normalised mutual information (arithmetic mean of the entropies), in [0, 1].

    Examples:
        >>> normalized_mutual_info([0, 0, 1, 1], [5, 5, 7, 7])
        1.0
    """
    n = len(a)
    if n == 0:
        return 0.0
    ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b, strict=True))

    def h(c: Counter[Hashable]) -> float:
        return -sum(v / n * math.log(v / n) for v in c.values())

    mi = sum(v / n * math.log((v / n) / ((ca[x] / n) * (cb[y] / n))) for (x, y), v in cab.items())
    ha, hb = h(ca), h(cb)
    if ha == 0 and hb == 0:
        return 1.0
    return mi / ((ha + hb) / 2) if ha + hb else 0.0
