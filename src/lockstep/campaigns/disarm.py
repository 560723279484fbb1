"""DISARM techniques: names from the vendored framework bundle, and which Lockstep evidence maps to which.

The bundle (``lockstep/data/disarm/DISARM.json``, DISARM Foundation, CC BY-SA 4.0, Feb 2025) is read once.
The Feb 2025 restructure retired T0090 (Create Inauthentic Accounts) and T0007 (Create Inauthentic Social
Media Pages and Groups); mappings give the current id first and the retired one after it, so reports match
both old and new analyses.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

#: Retired ids, absent from the current bundle, with their last names.
RETIRED = {
    "T0090": "Create Inauthentic Accounts (retired Feb 2025; see T0146/T0150)",
    "T0090.001": "Create Anonymous Accounts (retired)",
    "T0090.002": "Create Cyborg Accounts (retired)",
    "T0090.003": "Create Bot Accounts (retired; see T0146.007)",
    "T0090.004": "Create Sockpuppet Accounts (retired)",
    "T0007": "Create Inauthentic Social Media Pages and Groups (retired; see T0151)",
}

#: Coordination traces -> techniques they evidence.
TRACE_TECHNIQUES: dict[str, tuple[str, ...]] = {
    "co-retweet": ("T0049.003",),
    "fast-retweet": ("T0049.003",),
    "co-hashtag": ("T0049.002",),
    "hashtag-sequence": ("T0049.002",),
    "co-text": ("T0084.001",),
    "near-duplicate": ("T0084.001", "T0084.002"),
    "co-link": ("T0049",),
    "co-domain": ("T0049",),
    "co-reply": ("T0049.005",),
    "co-mention": ("T0049.005",),
    "reactivation": ("T0150.002",),
    "co-media": ("T0084.002",),
    "co-media-near": ("T0084.002",),
    "cross-lingual": ("T0085.008", "T0084.001"),
    "cross-platform-text": ("T0119.002", "T0084.001"),
    "cross-platform-url": ("T0119.002",),
    "cross-platform-media": ("T0119.002", "T0084.002"),
    "cross-platform-persona": ("T0144.001",),
}


@lru_cache(maxsize=1)
def bundle() -> dict[str, Any]:
    """The vendored DISARM STIX bundle."""
    path = resources.files("lockstep") / "data" / "disarm" / "DISARM.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def techniques() -> dict[str, dict[str, Any]]:
    """Technique id (``T0049.003``) -> its STIX attack-pattern object."""
    out: dict[str, dict[str, Any]] = {}
    for obj in bundle()["objects"]:
        if obj.get("type") != "attack-pattern":
            continue
        for ref in obj.get("external_references", []):
            if ref.get("external_id"):
                out[ref["external_id"]] = obj
    return out


def technique_name(tid: str) -> str:
    """Name of technique ``tid`` (current or retired).

    Examples:
        >>> technique_name("T0084.001"), technique_name("T0090")[:26]
        ('Use Copypasta', 'Create Inauthentic Account')
    """
    obj = techniques().get(tid)
    if obj is not None:
        return str(obj["name"])
    return RETIRED.get(tid, "unknown technique")
