"""The embedded engine's driver: DuckDB, the store's engine and the default engine of every step.

With :mod:`lockstep.engine.backends` (the Ibis connections of the seam) this is the only module that imports
``duckdb`` (``tests/test_engine_imports.py`` enforces it), so the rest of Lockstep names one connection type,
one way to connect and the errors it catches, and a change of DuckDB version (or of engine) is made here. What
it re-exports is DuckDB's own API, unchanged: a :data:`Connection` is a ``duckdb.DuckDBPyConnection``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

#: A connection to the embedded engine (a store's, or an in-memory scratch one).
Connection: TypeAlias = duckdb.DuckDBPyConnection

#: Any error the engine raises (parse, bind, catalog, I/O, constraint, out of memory, ...).
Error = duckdb.Error
#: A table, view or function that does not exist (or already exists).
CatalogException = duckdb.CatalogException
#: The engine ran out of memory under its memory limit (a clearer message than a format error is owed).
OutOfMemoryException = duckdb.OutOfMemoryException
#: The engine could not read or write a file (missing, locked by another process, unreadable).
IOException = duckdb.IOException

#: The engine's version (part of every cache key that depends on how it parses or runs SQL).
VERSION: str = duckdb.__version__


def connect(path: str = ":memory:", *, read_only: bool = False, config: Mapping[str, Any] | None = None) -> Connection:
    """A connection to the database file ``path`` (default: a fresh in-memory database).

    ``config``: engine settings applied at open (``memory_limit``, ``threads``, ...). DuckDB's own progress bar
    is off unless ``config`` turns it on: it writes to the terminal even when output is piped, and Lockstep
    shows its own progress (quiet when piped or with ``--quiet``).
    """
    settings = dict(config or {})
    progress_bar = bool(settings.pop("enable_progress_bar", False))  # a per-connection setting, not a global one
    con = duckdb.connect(path, read_only=read_only, config=settings)
    con.execute(f"SET enable_progress_bar = {'true' if progress_bar else 'false'}")
    return con


@contextmanager
def registered(con: Connection, name: str, table: Any) -> Iterator[str]:
    """``table`` (Arrow, or anything DuckDB scans in place) readable as ``name`` on ``con`` inside the block.

    The name is unregistered afterwards, also when the block fails, so a later statement cannot read stale rows.
    """
    con.register(name, table)
    try:
        yield name
    finally:
        con.unregister(name)


def arrow_table(columns: Mapping[str, Sequence[Any]], types: Mapping[str, str]) -> pa.Table:
    """An Arrow table of Python ``columns`` (equal lengths), each of the DuckDB type ``types[name]``.

    Built by the engine, not by pyarrow: pyarrow's constructors (``pa.array``, ``pa.table``,
    ``Table.from_pylist``) import pandas when it is installed, about 1 s, which a small table on the default
    path should not cost.
    """
    names = list(columns)
    select = ", ".join(
        f'unnest(${i + 1}::{types[n]}[]) AS "{n.replace(chr(34), chr(34) * 2)}"' for i, n in enumerate(names)
    )
    with duckdb.connect() as con:
        return con.sql(f"SELECT {select}", params=[list(columns[n]) for n in names]).to_arrow_table()
