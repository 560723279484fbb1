"""Lockstep: find coordinated inauthentic behaviour in social-media data and turn it into evidence.

The public API is small; each CLI command mirrors one of these functions.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lockstep.ingestion import IngestReport, ingest
    from lockstep.store import Store, StoreInfo, open_store

# Imported on first use (PEP 562), so ``import lockstep`` (and ``lockstep --version``) stays cheap.
_LAZY = {
    "IngestReport": "lockstep.ingestion",
    "ingest": "lockstep.ingestion",
    "Store": "lockstep.store",
    "StoreInfo": "lockstep.store",
    "open_store": "lockstep.store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'lockstep' has no attribute {name!r}")


__all__ = ["IngestReport", "Store", "StoreInfo", "__version__", "ingest", "open_store"]
