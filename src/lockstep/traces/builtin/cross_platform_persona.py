"""Cross-platform persona: accounts on different platforms presenting the same persona.

Links come from :mod:`lockstep.traces.persona` (handle, display name, avatar hash and bio similarity; two
matching fields needed). Each link becomes one shared item, acted on by both accounts with their first post,
at any time (a persona is not an event). The evidence row's item says which fields matched and every score.

Reference: Goga et al. KDD 2015 (profile matching across networks); Zafarani & Liu KDD 2013; DISARM
T0144.001 Present Persona across Platforms.
"""

from __future__ import annotations

from lockstep.traces.base import Trace, register
from lockstep.traces.persona import build_persona_actions

CROSS_PLATFORM_PERSONA = register(
    Trace(
        name="cross-platform-persona",
        description="present the same persona on different platforms (handle, name, avatar hash, bio)",
        duckdb_actions="SELECT platform, account_id, item, post_id, t FROM persona_actions",
        default_window_s=None,
        reference="Goga et al. KDD 2015; Zafarani & Liu KDD 2013; DISARM T0144.001",
        default_min_shared=1,
        prepare=build_persona_actions,
        cross_platform=True,
        techniques=("T0144.001",),
        colour="#6b6ecf",
        seam_unported="its links come from profile matching in Python (lockstep.traces.persona) before the SQL runs",
    )
)
