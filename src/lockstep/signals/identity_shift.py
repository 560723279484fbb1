"""Identity shift: an account whose dominant posting language changes (hijacked, bought, repurposed).

Graphika and Meta found Spamouflage using hijacked and purchased accounts whose earlier life was in another
language (DISARM T0150.005 Compromised Asset, T0150.004 Repurposed Asset). For each account in a community
with at least ``MIN_POSTS`` posts with a language: the dominant language of its first half of posts against
that of its second half; the shift point is the time of the first post of the second half. Fires when the two
differ and each is at least 60% of its half. The engagement collapse that often follows is reported by the
engagement signal.

Written once in Ibis (:mod:`lockstep.engine.signals.members`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

MIN_POSTS = 20


IDENTITY_SHIFT = register(
    Signal(
        name="identity_shift",
        description="the account's dominant language changes between the first and second half of its posts",
        reference="Graphika 2019-2023 Spamouflage reports (hijacked accounts); DISARM T0150.005, T0150.004",
        compute=engine_compute("identity_shift"),
        disarm=("T0150.005", "T0150.004"),
    )
)
