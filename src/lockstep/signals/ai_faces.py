"""AI-generated avatars: the share of a community's checked avatars with eyes at the StyleGAN positions.

Graphika (2020) first spotted Spamouflage personas with GAN faces by their identically placed eyes; Meta's
2023 takedown listed AI-faced accounts that carried on after earlier takedowns (DISARM T0145.002
AI-Generated Account Imagery). Reads ``avatar_checks`` (``lockstep media faces``); per account, a GAN-like
avatar fires; per community, the share of checked avatars that are GAN-like against the baseline population's
share (the base rate in the wild is ~0.02-0.05% of active accounts); fires at 0.2 or more with 2+ GAN-like.
Diffusion-model faces are out of reach of this check.

Written once in Ibis (:mod:`lockstep.engine.signals.members`); runs on the store's DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

AI_FACES = register(
    Signal(
        name="ai_faces",
        description="avatars with eyes at the StyleGAN positions (run `lockstep media faces` first)",
        reference="Yang, Singh & Menczer 2024; Graphika 2020; DISARM T0145.002",
        compute=engine_compute("ai_faces"),
        disarm=("T0145.002",),
    )
)
