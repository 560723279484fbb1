"""The holiday ratio's day counts, on the driver (method: :mod:`lockstep.signals.calendar`; no Ibis import).

The engine sums each community's posts on holidays and on working weekdays and gives its first and last day
(:func:`lockstep.engine.signals.calendar.calendar`); the driver counts the holidays and weekdays between them
here, from the calendar of :data:`lockstep.signals.calendar.LUNAR_NEW_YEAR` and the October Golden Week.
"""

from __future__ import annotations

import bisect
import datetime as dt
from functools import lru_cache
from typing import Any

from lockstep.signals.calendar import LUNAR_NEW_YEAR

EPOCH_DATE = dt.date(1970, 1, 1)


def day_of_date(d: dt.date) -> int:
    """Day number (days since 1970-01-01) of a date."""
    return (d - EPOCH_DATE).days


@lru_cache(maxsize=1)
def holiday_days() -> tuple[int, ...]:
    """Day numbers (since 1970-01-01) of the Chinese public holidays ``holiday_ratio`` uses, sorted."""
    days = {day_of_date(dt.date.fromisoformat(d)) + o for d in LUNAR_NEW_YEAR for o in range(-1, 6)} | {
        day_of_date(dt.date(y, 10, d)) for y in range(2012, 2031) for d in range(1, 8)
    }
    return tuple(sorted(days))


def weekdays(lo: int, hi: int) -> int:
    """Monday-Friday days among day numbers ``lo..hi`` (1970-01-01 was a Thursday)."""
    total = hi - lo + 1
    weeks, rest = divmod(total, 7)
    start = (lo + 3) % 7
    return weeks * 5 + sum(1 for k in range(rest) if (start + k) % 7 < 5)


def holiday_counts(lo: int, hi: int) -> tuple[int, int]:
    """(holiday days, of which weekdays) among day numbers ``lo..hi``."""
    days = holiday_days()
    inside = days[bisect.bisect_left(days, lo) : bisect.bisect_right(days, hi)]
    return len(inside), sum(1 for d in inside if (d + 3) % 7 < 5)


def holiday_row(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``calendar.holiday_ratio`` row of one community's reduced row (none without holidays or weekday
    posts in its span): posts per holiday over posts per working weekday."""
    days, weekday_holidays = holiday_counts(r["d_lo"], r["d_hi"])
    working = weekdays(r["d_lo"], r["d_hi"]) - weekday_holidays
    if days == 0 or r["d_wp"] == 0:
        return []
    value = (r["d_hp"] / days) / (r["d_wp"] / working)
    return [{**r, "value": value, "detail": {"holiday_days": days, "holiday_posts": r["d_hp"]}}]
