"""Engagement from inside: who reposts, replies to and quotes a community's posts, and empty audiences.

Spamouflage got almost no organic engagement: what it had came from its own accounts (Google TAG 2023;
Graphika), and most of its accounts had no followers (Astroscreen: 67% of 4,016). Per community: among the
reposts, replies and quotes its members *received* whose author is known (``parent_account_id``), the share
made by members of the same community; fires at 0.8 or more with 10+ interactions. And the share of members
with zero followers (baseline: the baseline population's share); fires at 0.5 or more and 0.2 above baseline.

Written once in Ibis (:mod:`lockstep.engine.signals.activity`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

ENGAGEMENT = register(
    Signal(
        name="engagement",
        description="engagement received coming from inside the community; members with zero followers",
        reference="Google TAG 2023 (Dragonbridge); Astroscreen 2020; DISARM T0049.003",
        compute=engine_compute("engagement"),
        disarm=("T0049.003",),
    )
)
