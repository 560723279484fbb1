"""Lockstep: find coordinated inauthentic behaviour in social-media data and turn it into evidence.

The public API is small; each CLI command mirrors one of these functions.
"""

__version__ = "0.1.0"

from lockstep.ingestion import IngestReport, ingest
from lockstep.store import Store, StoreInfo, open_store

__all__ = ["IngestReport", "Store", "StoreInfo", "__version__", "ingest", "open_store"]
