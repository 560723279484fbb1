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
