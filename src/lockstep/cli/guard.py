"""Store-state checks before a command runs, and the last-resort error handler of the ``lockstep`` command.

Each command that reads the store names the pipeline stage it needs (posts, detection, analysis); before it
runs, :func:`lockstep.store.store.require_store` checks the store and, if a step is missing, the user is told
which command to run next (exit 1), and no store is ever created as a side effect. Anything unexpected that
still escapes becomes one line, a non-zero exit and a hint to rerun with ``--debug`` (or
``LOCKSTEP_DEBUG=1``) to see the traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

#: Command (``group sub`` for subcommands) -> stage of the store it needs. Absent: no check.
NEEDS: dict[str, str] = {
    "info": "store",
    "detect": "posts",
    "window": "posts",
    "langid": "posts",
    "edges": "detect",
    "evidence": "detect",
    "sensitivity": "detect",
    "analyze": "detect",
    "campaigns": "analyze",
    "accounts": "analyze",
    "explain": "analyze",
    "expand": "analyze",
    "evaluate": "analyze",
    "report": "analyze",
    "export": "analyze",
    "media hash": "store",
    "media faces": "accounts",
}

#: Exit code of an unexpected error (a bug): ``EX_SOFTWARE`` from sysexits.h.
BUG_EXIT = 70


def debug_enabled(flag: bool = False) -> bool:
    """Whether tracebacks should be shown: ``--debug`` or ``LOCKSTEP_DEBUG`` set to anything but 0/empty."""
    return flag or os.environ.get("LOCKSTEP_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def guard_commands(group: click.Group, prefix: str = "") -> None:
    """Wrap the callback of every command in ``group`` listed in :data:`NEEDS` with its store check."""
    for name, cmd in group.commands.items():
        guard_command(cmd, f"{prefix}{name}")


def guard_command(cmd: click.Command, full: str) -> click.Command:
    """Wrap ``cmd`` (named ``full``, ``group sub`` for subcommands) with its store check, if it needs one.

    Called as each command is loaded, so the lazy command table stays lazy.
    """
    if isinstance(cmd, click.Group):
        guard_commands(cmd, f"{full} ")
    elif full in NEEDS and cmd.callback is not None:
        cmd.callback = _checked(cmd.callback, NEEDS[full])
    return cmd


def _checked(callback: Callable[..., Any], stage: str) -> Callable[..., Any]:
    if getattr(callback, "__lockstep_stage__", None):
        return callback

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        db = kwargs.get("db")
        if db:
            from lockstep.store.store import require_store  # imported on use: keeps --version light

            require_store(db, stage)
        return callback(*args, **kwargs)

    run.__lockstep_stage__ = stage  # type: ignore[attr-defined]
    return run


def unexpected(exc: BaseException) -> str:
    """The one-line message for an unexpected exception."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (
        f"Error: unexpected {type(exc).__name__}{': ' + text[:300] if text else ''}. This is a bug in Lockstep; "
        "rerun with --debug (or LOCKSTEP_DEBUG=1) to see the traceback, and please report it."
    )
