"""The ``lockstep`` command: a thin layer over the library, one command per library function.

Library errors (:class:`lockstep.errors.LockstepError`) become ``Error: ...`` on stderr and a non-zero
exit code (2 for unusable input); nothing here parses files or computes results itself. Anything else
becomes one line and exit code 70 unless ``--debug`` / ``LOCKSTEP_DEBUG=1`` asks for the traceback (see
:mod:`lockstep.cli.guard`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

import click

from lockstep import __version__
from lockstep.cli.guard import BUG_EXIT, debug_enabled, guard_command, unexpected
from lockstep.errors import LockstepError

# Command name -> the module that defines it. A command's module (and the library it pulls in: DuckDB,
# pyarrow, igraph, stix2 ...) is imported only when that command is looked up, so ``lockstep --version``
# and ``lockstep ingest`` do not pay for the rest.
COMMAND_MODULES: dict[str, str] = {
    **dict.fromkeys(("ingest", "info", "formats", "demo"), "lockstep.cli.store_commands"),
    **dict.fromkeys(("detect", "traces", "edges", "evidence", "window", "sensitivity"), "lockstep.cli.detect_commands"),
    **dict.fromkeys(
        ("analyze", "campaigns", "explain", "expand", "signals", "evaluate", "simulate"),
        "lockstep.cli.campaign_commands",
    ),
    **dict.fromkeys(("media", "langid"), "lockstep.cli.media_commands"),
    **dict.fromkeys(("report", "export"), "lockstep.cli.export_commands"),
    "accounts": "lockstep.cli.account_commands",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's command table: names are known up front, each command is imported on first access."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = dict(modules)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._modules:
                raise KeyError(name)
            command = getattr(importlib.import_module(self._modules[name]), name)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._modules[name]}.{name} is not a click command")
            self._loaded[name] = guard_command(command, name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._modules.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._modules and name not in self._loaded:
            raise KeyError(name)
        self._modules.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._modules), **dict.fromkeys(self._loaded)})

    def __len__(self) -> int:
        return len(set(self._modules) | set(self._loaded))


class LockstepGroup(click.Group):
    """Turns library errors into one-line messages and exit codes; no traceback reaches a user."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LockstepError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug_enabled(bool(ctx.params.get("debug"))):
                raise
            click.echo(unexpected(exc), err=True)
            sys.exit(BUG_EXIT)


@click.group(cls=LockstepGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lockstep")
@click.option("--debug", is_flag=True, help="Show the full traceback of unexpected errors (or LOCKSTEP_DEBUG=1).")
def cli(debug: bool) -> None:
    """Lockstep: find networks of accounts acting in lockstep, and the evidence for each."""


cli.commands = LazyCommands(COMMAND_MODULES)


def main() -> None:
    """Console-script entry point."""
    cli()
