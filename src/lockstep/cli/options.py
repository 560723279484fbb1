"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from lockstep.store import DEFAULT_DB

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """``--db PATH``: the store file."""
    return click.option(
        "--db",
        "db",
        default=DEFAULT_DB,
        show_default=True,
        envvar="LOCKSTEP_DB",
        help="DuckDB store file (created if missing).",
    )(func)


def quiet_option(func: F) -> F:
    """``--quiet``: no progress bar and no accounting line."""
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar or accounting line.")(func)


def memory_option(func: F) -> F:
    """``--memory-limit``: DuckDB's memory cap (it spills to disk beyond)."""
    return click.option(
        "--memory-limit",
        default="2GB",
        show_default=True,
        help="Memory cap for the engine; larger inputs spill to disk.",
    )(func)


def engine_options(runs: str, tables: str) -> Callable[[F], F]:
    """``--engine``, ``--spark-master`` and ``--parquet-dir`` of a command that can run on Spark.

    ``runs`` says what ``--engine spark`` moves to Spark; ``tables`` names the Parquet folders it reads. The
    command calls :func:`check_parquet_dir` first.
    """

    def apply(func: F) -> F:
        func = click.option(
            "--parquet-dir",
            type=click.Path(file_okay=False),
            default=None,
            help=f"--engine spark: read {tables} Parquet from here instead of exporting the store's tables.",
        )(func)
        func = click.option(
            "--spark-master", default="local[2]", show_default=True, help="Spark master URL (--engine spark)."
        )(func)
        return click.option(
            "--engine",
            type=click.Choice(["duckdb", "spark"]),
            default="duckdb",
            show_default=True,
            help=f"duckdb: the default engine; spark: {runs} on Apache Spark (needs lockstep[spark]; "
            "see docs/scale.md).",
        )(func)

    return apply


def check_parquet_dir(engine: str, parquet_dir: str | None) -> None:
    """``--parquet-dir`` is a Spark input: refuse it with the default engine instead of ignoring it."""
    if parquet_dir and engine != "spark":
        raise click.UsageError("--parquet-dir needs --engine spark")
