"""Progress on stderr: a bar when stderr is a terminal, nothing when piped or quiet."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:  # a type only: importing ingestion loads every reader and pyarrow
    from lockstep.ingestion import ProgressFn


def file_progress(quiet: bool = False) -> AbstractContextManager[ProgressFn | None]:
    """Progress over input files (see :func:`step_progress`)."""
    return step_progress("ingest", quiet, unit="files")


@contextmanager
def step_progress(label: str, quiet: bool = False, unit: str = "steps") -> Iterator[ProgressFn | None]:
    """A callback ``(name, done, total)`` drawing a bar on stderr, or ``None`` when quiet or piped."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} " + unit),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task: TaskID | None = None

        def update(name: str, done: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task(label, total=total)
            bar.update(task, completed=done, description=f"{label} {name[-50:]}" if name else label)

        yield update
