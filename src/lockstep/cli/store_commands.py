"""Commands that fill and describe the store: ingest, info, formats, demo."""

from __future__ import annotations

import click

from lockstep.cli.options import db_option, memory_option, quiet_option
from lockstep.demo import run_demo
from lockstep.ingestion import ingest as ingest_files
from lockstep.progress import file_progress
from lockstep.readers import READERS
from lockstep.readers.mapping import load_mapping_file, parse_map_flags
from lockstep.store import open_store


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default=None, help="Input format (default: detected). See `lockstep formats`.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Map a canonical field to a column (repeatable), e.g. --map text=body.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON file of FIELD: COLUMN pairs (and platform, timezone, time_format).",
)
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the input files.")
@click.option("--force", is_flag=True, help="Re-read files already ingested (still never duplicates rows).")
@db_option
@memory_option
@quiet_option
def ingest(
    files: tuple[str, ...],
    fmt: str | None,
    maps: tuple[str, ...],
    mapping: str | None,
    encoding: str,
    force: bool,
    db: str,
    memory_limit: str,
    quiet: bool,
) -> None:
    """Read export FILES (CSV, TSV, JSONL, Parquet, or .zip of them) into the store, in one atomic batch.

    A file over 12M rows is committed chunk by chunk and registered after its last chunk: if the run is
    stopped, run the same command again to complete it (nothing is duplicated).
    """
    overrides = {**(load_mapping_file(mapping) if mapping else {}), **parse_map_flags(maps)}
    with open_store(db, memory_limit=memory_limit) as store, file_progress(quiet) as progress:
        report = ingest_files(
            store, files, format=fmt, encoding=encoding, mapping=overrides, force=force, progress=progress
        )
    if not quiet:
        for f in report.files:
            if f.skipped:
                click.echo(f"{f.path}: skipped ({f.skipped}; use --force to re-read)", err=True)
        click.echo(report.summary(), err=True)


@click.command()
@db_option
def info(db: str) -> None:
    """Summarise the store: posts by platform, kind and language, time range, accounts, quarantine."""
    with open_store(db, read_only=True) as store:
        click.echo(store.info().summary())


@click.command()
def formats() -> None:
    """List the input formats Lockstep reads."""
    width = max(len(n) for n in READERS)
    for name in sorted(READERS):
        click.echo(f"{name:<{width}}  {READERS[name].description}")


@click.command()
@click.option("--db", default="lockstep-demo.duckdb", show_default=True, help="Store file for the demo.")
@click.option("-o", "--output", default="lockstep-demo.html", show_default=True, help="Report file to write.")
@quiet_option
def demo(db: str, output: str, quiet: bool) -> None:
    """Run the whole pipeline on the bundled demo sample (IRA + organic airline tweets, Feb 2015)."""
    with file_progress(quiet) as progress:
        text = run_demo(db, progress=progress, report_path=output)
    click.echo(text)
