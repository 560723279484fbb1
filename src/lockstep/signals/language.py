"""Language mix and script tells: many languages from one persona; Simplified Chinese from "Taiwan" or "Hong Kong".

Spamouflage posted in many languages (often machine-translated, DISARM T0085.008) and its personas claiming
to be from Taiwan or Hong Kong wrote in Simplified characters, which people there rarely use (DISARM
T0143.002 Fabricated Persona). Per account: the Shannon entropy (bits) of its post languages (baseline: the
baseline population's median). Per account claiming a Taiwan/Hong Kong location: the share of its Chinese-
script posts containing Simplified-only characters; fires at 0.5 or more with 3+ such posts.

Written once in Ibis (:mod:`lockstep.engine.signals.content`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

#: Characters that exist only in Simplified Chinese (their Traditional forms differ).
SIMPLIFIED_ONLY = "这们国说时个来对会发经过还没为学长东车门问间见现电话书红边给让吗么认识买卖将从关开网际爱"
#: A profile location claims Taiwan or Hong Kong when it contains one of these, ignoring case (``" ?"``: an
#: optional space); the SQL this replaced matched ``(?i)(taiwan|...|hong ?kong|...)``.
LOCATION_TERMS = ("taiwan", "taipei", "台灣", "台湾", "臺灣", "台北", "hong ?kong", "香港", "九龍", "九龙")
#: Language codes that name no language (undetermined, no linguistic content).
NO_LANGUAGE = ("und", "zxx")


LANGUAGE = register(
    Signal(
        name="language",
        description="many post languages per account; Simplified Chinese from accounts claiming Taiwan/Hong Kong",
        reference="Graphika/ISD Spamouflage reports; DISARM T0085.008, T0143.002",
        compute=engine_compute("language"),
        disarm=("T0143.002",),
        # many languages is a lead, not evidence of machine translation (which needs the cross-lingual trace)
        disarm_map={"language.entropy": (), "language.simplified_from_tw_hk": ("T0143.002",)},
    )
)
