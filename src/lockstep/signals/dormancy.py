"""Dormancy then reactivation: accounts waking after a long silence, many in the same week.

Takedown survivors and stockpiled accounts sit silent, then wake together (DISARM T0150.002 Dormant Asset;
detections F00019, F00062). Per account: the longest silence between consecutive posts (days) and, when at
least ``DORMANT_DAYS``, the week it woke. Per community: the largest number of its accounts waking in one
week; fires at ``MIN_COHORT`` or more. Baseline: share of baseline accounts that ever reactivated.

Written once in Ibis (:mod:`lockstep.engine.signals.activity`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

DORMANT_DAYS = 180
MIN_COHORT = 3


DORMANCY = register(
    Signal(
        name="dormancy",
        description="accounts resuming after >= 180 days of silence, several in the same week",
        reference="DISARM T0150.002 Dormant Asset, detections F00019/F00062; Meta 2023 Spamouflage survivors",
        compute=engine_compute("dormancy"),
        disarm=("T0150.002",),
    )
)
