"""The engines the seam runs on: an Ibis connection, its shims, and the canonical tables as Parquet.

Only this module (and :mod:`lockstep.engine.run`, for the store) touches a concrete engine. Both engines read
the store's input tables from Parquet: :func:`export_inputs` writes them from the store (DuckDB ``COPY``), or
a platform points ``parquet_dir`` at tables it already holds (``posts/``, ``post_urls/``: Parquet files or
folders of part files, in the columns of :mod:`lockstep.store.schema`).

Versions: Ibis 12's ``create_table`` and ``Table.release`` fail next to DuckDB 2.0.1 with a parser error at
``DROP VIEW IF EXISTS``; the cause is sqlglot >= 30.18, which renders Ibis' ``Drop`` without the table name
(measured: 30.17.0 renders ``DROP TABLE IF EXISTS x``, 30.18.0 to 30.30.0 render ``DROP TABLE IF EXISTS``).
The ``spark`` extra pins ``sqlglot<30.18``. Inputs come from ``read_parquet``, intermediates from
``Table.cache()`` (released after each trace).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lockstep.engine.actions import INPUT_TABLES
from lockstep.engine.shims import DUCKDB, SPARK, Shims
from lockstep.errors import InputError, MissingExtraError

#: Columns of each input table the traces' seam definitions read (exported in this order).
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "posts": (
        "platform",
        "post_id",
        "account_id",
        "created_at",
        "text",
        "kind",
        "parent_post_id",
        "hashtags",
        "mentions",
        "media",
    ),
    "post_urls": ("platform", "post_id", "url", "domain"),
    "media_hashes": ("media_ref", "algorithm", "hash"),
}
#: Columns exported besides the canonical ones: the store's row order of posts (``row_id``), which the
#: near-duplicate trace uses to name a pair of texts as the default engine does (optional in ``--parquet-dir``).
EXTRA_EXPORT: dict[str, str] = {"posts": "rowid AS row_id"}


#: Columns of the store tables the ported signals read from Parquet (:mod:`lockstep.engine.signals`; the
#: communities and avatar checks go from the driver: they are small and made on the driver).
SIGNAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "posts": (
        "platform",
        "post_id",
        "account_id",
        "created_at",
        "kind",
        "parent_account_id",
        "client",
        "language",
        "text",
    ),
    "accounts": (
        "platform",
        "account_id",
        "created_at",
        "followers",
        "handle",
        "description",
        "location",
        "id_is_hashed",
    ),
}


def export_inputs(con: Any, directory: Path, columns: dict[str, tuple[str, ...]] | None = None) -> Path:
    """Write the store's input tables to ``directory/<table>.parquet`` (``con``: the store's DuckDB connection).

    ``columns``: table -> columns to write (default: what the ported traces read, :data:`INPUT_COLUMNS`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    for table, wanted in (columns or INPUT_COLUMNS).items():
        path = directory / f"{table}.parquet"
        extra = [EXTRA_EXPORT[table]] if columns is None and table in EXTRA_EXPORT else []
        cols = ", ".join((*wanted, *extra))
        con.execute(f"COPY (SELECT {cols} FROM {table}) TO '{_sql_path(path)}' (FORMAT parquet)")
    return directory


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _input_path(directory: str, table: str) -> str:
    """``<directory>/<table>.parquet`` or the folder ``<directory>/<table>``; a URI (``s3a://``, ``dbfs:/``,
    ``gs://``, ``abfss://``) is taken as a folder of part files, unchecked: only the cluster can see it."""
    if "://" in directory or directory.startswith("dbfs:"):
        return f"{directory.rstrip('/')}/{table}"
    base = Path(directory)
    for candidate in (base / f"{table}.parquet", base / table):
        if candidate.exists():
            return str(candidate / "*.parquet") if candidate.is_dir() else str(candidate)
    raise InputError(f"{directory}: no {table}.parquet file or {table}/ folder of Parquet files")


#: Characters of a Spark plan description kept (``spark.sql.maxPlanStringLength``) while Lockstep runs on a
#: session (its own or one passed in; a smaller value already set is kept, and the old value is restored).
PLAN_STRING_CAP = 100_000
_PLAN_STRING_KEY = "spark.sql.maxPlanStringLength"


def _bytes(value: str | None) -> int | None:
    """A Spark byte-size setting (``"2147483632"``, ``"2147483632b"``, ``"64k"``) in bytes; ``None`` if unreadable."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmgt]?)b?\s*", (value or "").lower())
    if not match:
        return None
    scale: int = 1024 ** " kmgt".index(match.group(2) or " ")
    return int(match.group(1)) * scale


class InputTables(MutableMapping[str, ir.Table]):
    """The input tables of one engine, each read from Parquet when a trace first asks for it.

    ``posts`` (every trace reads it) is read at once, so a wrong folder fails before any trace runs; a table
    only some traces read (``post_urls``, ``media_hashes``) is needed in ``--parquet-dir`` only when one of them
    runs, and a missing one raises :class:`InputError` naming the folder and the table. ``names``: the tables
    it may read (the traces' :data:`INPUT_TABLES`; the signals read ``posts`` and ``accounts``).
    """

    def __init__(self, backend: Backend, directory: str | None = None, names: tuple[str, ...] = INPUT_TABLES) -> None:
        self._backend, self._directory, self._names = backend, directory, names
        self._read: dict[str, ir.Table] = {}

    def __getitem__(self, table: str) -> ir.Table:
        if table not in self._read:
            if self._directory is None or table not in self._names:
                raise KeyError(table)
            path = _input_path(self._directory, table)
            if self._backend.name == "spark" and path.endswith("*.parquet"):
                path = path[: -len("/*.parquet")]
            self._read[table] = self._backend.con.read_parquet(path, table_name=f"lockstep_{table}")
        return self._read[table]

    def keep(self, expr: ir.Table) -> ir.Table:
        """Materialise ``expr`` on the engine for the rest of the trace (see :meth:`Backend.keep`)."""
        return self._backend.keep(expr)

    def __setitem__(self, table: str, expr: ir.Table) -> None:
        """Add a table made elsewhere (e.g. one sent from the driver as a memtable)."""
        self._read[table] = expr

    def __delitem__(self, table: str) -> None:
        del self._read[table]

    def __iter__(self) -> Iterator[str]:
        names = self._names if self._directory is not None else ()
        return iter((*names, *(t for t in self._read if t not in names)))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class _SparkKept:
    """A Spark local checkpoint behind a temp view, dropped by :meth:`release`."""

    session: Any
    view: str
    df: Any

    def release(self) -> None:
        self.session.catalog.dropTempView(self.view)
        self.df.unpersist()


@dataclass
class Backend:
    """One engine: an Ibis connection, its shims, and the input tables read from Parquet."""

    name: str
    con: Any
    shims: Shims
    tables: MutableMapping[str, ir.Table] = field(default_factory=dict)
    session: Any = None
    #: What was materialised for the trace now running (each has ``release()``); see :meth:`trace_cache`.
    kept: list[Any] = field(default_factory=list)

    def trace_cache(self) -> list[Any]:
        """A fresh list of what the next trace materialises (the caller calls ``release()`` on each at its end)."""
        self.kept = []
        return self.kept

    def keep(self, expr: ir.Table) -> ir.Table:
        """Materialise ``expr`` for the rest of the trace, cutting its plan off: a trace's seam definition calls
        this (through :func:`lockstep.engine.actions.materialise`) where a result is read several times.

        On Spark a cached view is not enough: each reuse still carries the whole plan below it (measured: the
        near-duplicate plan's description alone filled the driver's heap and hung the run), so Spark takes a
        local checkpoint (kept by the executors, no shared path needed) and reads it as a temp view.
        """
        if self.name != "spark":
            table = self.cache(expr)
            self.kept.append(table)
            return table
        self.con._run_pre_execute_hooks(expr)
        df = self.session.sql(self.con.compile(expr)).localCheckpoint(eager=True)
        name = f"lockstep_kept_{uuid.uuid4().hex}"
        df.createOrReplaceTempView(name)
        self.kept.append(_SparkKept(self.session, name, df))
        return self.con.table(name)

    def read_inputs(self, directory: str, tables: tuple[str, ...] = INPUT_TABLES) -> None:
        """Point the input ``tables`` at ``directory``, a local path or a URI (see :func:`export_inputs`)."""
        inputs = InputTables(self, directory, tables)
        inputs[tables[0]]  # read now: a wrong folder fails before any trace runs
        self.tables = inputs

    def cache(self, expr: ir.Table) -> ir.Table:
        """Materialise ``expr`` on the engine (a temp table in DuckDB, a cached temp view in Spark)."""
        if self.name == "spark":
            self.con._run_pre_execute_hooks(expr)  # Ibis' cache() does not register Python UDFs itself
        return expr.cache()

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        """Run ``expr`` and bring the result to the driver as Arrow (only for reduced results)."""
        if self.name == "spark":
            self.con._run_pre_execute_hooks(expr)  # registers the shims' Python UDFs with the session
            return self.session.sql(self.con.compile(expr)).toArrow()
        return self.con.to_pyarrow(expr)

    def scalar_row(self, expr: ir.Table) -> dict[str, Any]:
        """The one row of an aggregate expression."""
        rows = self.to_arrow(expr).to_pylist()
        return rows[0] if rows else {}

    def write_parquet(self, expr: ir.Table, path: Path) -> None:
        """Write ``expr`` to Parquet (a file for DuckDB, a folder of part files for Spark)."""
        if self.name == "spark":
            self.con._run_pre_execute_hooks(expr)
            self.session.sql(self.con.compile(expr)).write.mode("overwrite").parquet(str(path))
        else:
            self.con.to_parquet(expr, str(path))


@contextmanager
def store_backend(con: Any, tables: tuple[str, ...]) -> Iterator[Backend]:
    """The seam on the store's own DuckDB connection (``analyze``'s default path: no export, no copy).

    Ibis sets the connection's ``TimeZone`` to UTC and turns ``python_enable_replacements`` off when it wraps a
    connection; both are put back afterwards, so the store's other code sees its connection as it was.
    """
    saved = {
        name: con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0]
        for name in ("TimeZone", "python_enable_replacements")
    }
    try:
        ibis_con = ibis.duckdb.from_connection(con)
        yield Backend("duckdb", ibis_con, DUCKDB, {t: ibis_con.table(t) for t in tables})
    finally:
        con.execute(f"SET TimeZone = '{saved['TimeZone']}'")
        con.execute(f"SET python_enable_replacements = {str(saved['python_enable_replacements']).lower()}")


def duckdb_backend(threads: int | None = None) -> Backend:
    """The seam on a fresh in-memory DuckDB (the equality test's middle term; the default engine is faster)."""
    con = ibis.duckdb.connect(threads=threads) if threads else ibis.duckdb.connect()
    return Backend("duckdb", con, DUCKDB)


def _require_spark() -> Any:
    try:
        import pyspark.sql
    except ImportError as exc:
        raise MissingExtraError("the Spark engine", "spark", "pyspark") from exc
    return pyspark.sql


@contextmanager
def spark_backend(
    master: str | None = "local[2]", *, session: Any = None, shuffle_partitions: int | None = None
) -> Iterator[Backend]:
    """The seam on Spark: an existing ``session``, or a new one on ``master`` (stopped afterwards).

    The session's time zone is set to UTC for the run (store times are naive UTC) and restored afterwards.
    """
    sql = _require_spark()
    own = session is None
    if own:
        builder = sql.SparkSession.builder.appName("lockstep").config("spark.sql.session.timeZone", "UTC")
        warehouse = Path(tempfile.gettempdir()) / "lockstep-spark-warehouse"
        builder = builder.config("spark.sql.warehouse.dir", str(warehouse))
        if master:
            builder = builder.master(master)
        if master and master.startswith("local"):
            builder = builder.config("spark.ui.enabled", "false")
            builder = builder.config(
                "spark.sql.shuffle.partitions", str(shuffle_partitions or 2 * (os.cpu_count() or 2))
            )
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    elif shuffle_partitions:
        session.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions))
    previous_tz = session.conf.get("spark.sql.session.timeZone")
    session.conf.set("spark.sql.session.timeZone", "UTC")
    # Plan descriptions are built for every adaptive-plan update; capped, a deep plan cannot fill the heap.
    previous_cap = session.conf.get(_PLAN_STRING_KEY)
    session.conf.set(_PLAN_STRING_KEY, str(min(PLAN_STRING_CAP, _bytes(previous_cap) or PLAN_STRING_CAP)))
    try:
        yield Backend("spark", ibis.pyspark.connect(session), SPARK, session=session)
    finally:
        session.conf.set("spark.sql.session.timeZone", previous_tz)
        session.conf.set(_PLAN_STRING_KEY, previous_cap)
        if own:
            session.stop()
