"""The ``lockstep`` command: a thin layer over the library, one command per library function.

Library errors (:class:`lockstep.errors.LockstepError`) become ``Error: ...`` on stderr and a non-zero
exit code (2 for unusable input); nothing here parses files or computes results itself. Anything else
becomes one line and exit code 70 unless ``--debug`` / ``LOCKSTEP_DEBUG=1`` asks for the traceback (see
:mod:`lockstep.cli.guard`).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from lockstep import __version__
from lockstep.cli.campaign_commands import analyze, campaigns, evaluate, expand, explain, signals, simulate
from lockstep.cli.detect_commands import detect, edges, evidence, sensitivity, traces, window
from lockstep.cli.export_commands import export, report
from lockstep.cli.guard import BUG_EXIT, debug_enabled, guard_commands, unexpected
from lockstep.cli.media_commands import langid, media
from lockstep.cli.store_commands import demo, formats, info, ingest
from lockstep.errors import LockstepError


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


for command in (
    ingest,
    info,
    formats,
    detect,
    traces,
    edges,
    evidence,
    window,
    sensitivity,
    analyze,
    campaigns,
    explain,
    expand,
    signals,
    evaluate,
    simulate,
    media,
    langid,
    report,
    export,
    demo,
):
    cli.add_command(command)
guard_commands(cli)


def main() -> None:
    """Console-script entry point."""
    cli()
