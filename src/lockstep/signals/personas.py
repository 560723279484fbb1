"""Persona templates: handles made from one pattern, and biographies reused across accounts.

Operators mass-produce personas from templates (DISARM T0144.002 Persona Template): handles like
``EttaJac84185457`` (a name plus a long digit run, Twitter's default suggestion for new accounts, common in
Spamouflage's 2023 X accounts listed by Meta) and copied bios. Per account: the length of the trailing digit
run of its handle and its *shape* (letters -> ``a``, digits -> ``9``, runs collapsed: ``EttaJac84185457`` ->
``a9``). Per community: the share of members whose handle ends in at least ``DIGITS`` digits (baseline: the
same share in the baseline population) and the number of members sharing a non-empty bio with another member.
Fires when the digit-handle share is at least 0.5 and 0.25 above baseline (3+ members), or 2+ members reuse
a bio.

Written once in Ibis (:mod:`lockstep.engine.signals.content`); runs on the store's DuckDB or on Spark. The
detail's lists are sorted (handle shapes; bios by text, each bio's accounts), where the SQL this replaced left
their order open.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

DIGITS = 5


PERSONAS = register(
    Signal(
        name="personas",
        description="handles from one template (long digit suffixes) and bios reused across accounts",
        reference="DISARM T0144.002 Persona Template; Meta Q2 2023 Spamouflage indicators (X handles)",
        compute=engine_compute("personas"),
        disarm=("T0144.002",),
    )
)
