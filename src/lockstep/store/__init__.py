"""The canonical store: DuckDB schema, transactions and summaries."""

from lockstep.store.store import DEFAULT_DB, Store, StoreInfo, open_store

__all__ = ["DEFAULT_DB", "Store", "StoreInfo", "open_store"]
