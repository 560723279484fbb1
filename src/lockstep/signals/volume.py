"""Volume and automation: superhuman posting rates and one posting client across a community.

DFRLab's heuristic: more than 72 posts a day is suspicious, more than 144 highly suspicious (DISARM T0146.007
Automated Account Asset; formerly T0090.003 Create Bot Accounts). Per account: the most posts on one UTC
day; fires above 72 (the detail says whether above 144). Per community: the share of its posts made with its
most used client (client-name homogeneity; baseline: the same share in the baseline population); fires at
0.9 or more with 3+ members posting with a known client.

Written once in Ibis (:mod:`lockstep.engine.signals.activity`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

SUSPICIOUS_PER_DAY = 72
HIGHLY_SUSPICIOUS_PER_DAY = 144


VOLUME = register(
    Signal(
        name="volume",
        description="more than 72 posts on one day; one posting client across a community",
        reference="DFRLab #BotSpot heuristics; DISARM T0146.007 (formerly T0090.003)",
        compute=engine_compute("volume"),
        disarm=("T0146.007", "T0090.003"),
        disarm_map={"volume.client_homogeneity": ("T0146.007",)},
    )
)
