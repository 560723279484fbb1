"""Quantiles and the rarity cut on the driver, with DuckDB's formulas (no Ibis: the default engine imports this).

Both engines compute the quantiles over small reduced sets (the rarity cut over one row per distinct item
popularity, the weight percentile over one value per edge) here, so they agree exactly with DuckDB's
``quantile_disc`` and ``quantile_cont``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def quantile_disc(values: Sequence[float], q: float) -> float | None:
    """DuckDB's ``quantile_disc``: the value at index ``floor((n - 1) * q)`` of the sorted values.

    Examples:
        >>> quantile_disc([4, 1, 3, 2], 0.5), quantile_disc([1, 2, 3, 4, 5], 0.5)
        (2, 3)
    """
    if not values:
        return None
    s = sorted(values)
    return s[math.floor((len(s) - 1) * q)]


def quantile_cont(values: Sequence[float], q: float) -> float | None:
    """DuckDB's ``quantile_cont``: ``lo * (1 - d) + hi * d`` at position ``(n - 1) * q``.

    Exactly DuckDB 2.0's ``median`` (``q = 0.5``, tested); at other quantiles DuckDB's result can still differ
    in the last bit (measured: about 4% of random small sets), which only matters for a value tied with the
    threshold to the last bit.

    Examples:
        >>> quantile_cont([1.0, 2.0, 4.0, 8.0], 0.5)
        3.0
    """
    if not values:
        return None
    s = sorted(values)
    rn = (len(s) - 1) * q
    lo_i, hi_i = math.floor(rn), math.ceil(rn)
    if lo_i == hi_i:
        return s[lo_i]
    lo, hi = s[lo_i], s[hi_i]
    d = rn - lo_i
    return lo * (1 - d) + hi * d


def rare_cut_from(popularity: Sequence[tuple[int, int]], acting_accounts: int) -> int:
    """The item popularity (distinct accounts over the whole data set) at or under which one shared item links,
    from a histogram ``(accounts, items with that many)`` and the number of accounts acting in the trace.

    Derived from the data: the lower quartile (DuckDB's ``quantile_disc``) of the popularity of the items that
    at least two accounts acted on (the rarest quarter of shared items), and never under 2. A co-action on an
    item few accounts ever touched is itself unlikely by chance; on a popular item it is expected, so popular
    items still need ``min_shared`` distinct items (Pacheco et al. 2021 weigh co-shares by item rarity in the
    same spirit; Luceri et al. 2024 do it with TF-IDF). Measured on the real mixes of docs/evaluation.md: the
    median (the earlier rule) let three-account hashtags link and cost precision on one mix; the lower
    quartile changed nothing on the others; the upper quartile and beyond flood the network with organic links.

    A quantile alone is relative: where every shared item is popular (a small crowd passing round two viral
    links), its lower quartile is popular too. So an item is rare only if it also reaches at most 1% of the
    ``acting_accounts`` (the ``max_df`` cut-off of TF-IDF practice, read the other way): on the real mixes
    (~7,700 accounts) that bound is 77 and never binds; in a crowd of 40 it keeps 10-account links out.

    Examples:
        >>> rare_cut_from([(2, 6), (3, 1), (10, 1)], 10_000), rare_cut_from([(10, 4)], 40)
        (2, 2)
    """
    hist = sorted((int(a), int(n)) for a, n in popularity if a is not None and int(a) >= 2)
    total = sum(n for _, n in hist)
    quartile = 2
    if total:
        index = math.floor((total - 1) * 0.25)
        seen = 0
        for accounts, n in hist:
            seen += n
            if index < seen:
                quartile = accounts
                break
    return max(2, min(quartile, int(0.01 * int(acting_accounts))))
