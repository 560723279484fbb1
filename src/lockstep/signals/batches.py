"""Creation batches: many accounts of one community created on the same day.

Operations register accounts in bulk (Meta's Spamouflage takedowns; DISARM T0150.008 Bulk Created Asset,
formerly T0090 Create Inauthentic Accounts). For each community: the largest number of its accounts created
on one day, as a share of its accounts with a known creation date; the baseline is the same share for the
baseline population's busiest creation day. Each account in such a batch (at least ``MIN_BATCH`` accounts of
its community on its creation day) gets an account row. Fires when a community has a batch of at least
``MIN_BATCH`` accounts that is at least 30% of it.

Written once in Ibis (:mod:`lockstep.engine.signals.activity`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

MIN_BATCH = 3


BATCHES = register(
    Signal(
        name="batches",
        description="accounts of one community created on the same day",
        reference="Meta Q2-Q3 2023 Spamouflage takedown; DISARM T0150.008 (formerly T0090)",
        compute=engine_compute("batches"),
        disarm=("T0150.008", "T0090"),
    )
)
