"""Lockstep: find coordinated inauthentic behaviour in social-media data and turn it into evidence.

The public API is small; each CLI command mirrors one of these functions (see :mod:`lockstep.api`)::

    import lockstep

    with lockstep.open_store("case.duckdb") as store:
        lockstep.ingest(store, ["tweets.jsonl"])   # lockstep ingest
        lockstep.detect(store)                     # lockstep detect
        lockstep.analyze(store)                    # lockstep analyze
        lockstep.list_campaigns(store)             # lockstep campaigns
        lockstep.list_accounts(store)              # lockstep accounts
        lockstep.explain(store, "@handle")         # lockstep explain
        lockstep.report(store, "report.html")      # lockstep report
        lockstep.export(store, "stix", "b.json")   # lockstep export
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lockstep.api import (
        Campaign,
        analyze,
        detect,
        export,
        find_accounts,
        list_accounts,
        list_campaigns,
        report,
    )
    from lockstep.campaigns.expand import expand, read_seeds
    from lockstep.campaigns.explain import explain
    from lockstep.evaluation import evaluate, read_labels
    from lockstep.ingestion import IngestReport, ingest
    from lockstep.store import Store, StoreInfo, open_store
    from lockstep.traces import DetectParams

# Imported on first use (PEP 562), so ``import lockstep`` (and ``lockstep --version``) stays cheap.
_LAZY = {
    "Campaign": "lockstep.api",
    "list_accounts": "lockstep.api",
    "analyze": "lockstep.api",
    "list_campaigns": "lockstep.api",
    "detect": "lockstep.api",
    "export": "lockstep.api",
    "find_accounts": "lockstep.api",
    "report": "lockstep.api",
    "expand": "lockstep.campaigns",
    "explain": "lockstep.campaigns",
    "read_seeds": "lockstep.campaigns",
    "evaluate": "lockstep.evaluation",
    "read_labels": "lockstep.evaluation",
    "DetectParams": "lockstep.traces",
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


__all__ = [
    "Campaign",
    "DetectParams",
    "IngestReport",
    "Store",
    "StoreInfo",
    "__version__",
    "analyze",
    "detect",
    "evaluate",
    "expand",
    "explain",
    "export",
    "find_accounts",
    "ingest",
    "list_accounts",
    "list_campaigns",
    "open_store",
    "read_labels",
    "read_seeds",
    "report",
]
