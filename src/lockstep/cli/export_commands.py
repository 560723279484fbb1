"""Commands that produce shareable evidence: report, export."""

from __future__ import annotations

import os

import click

from lockstep import api
from lockstep.cli.options import db_option
from lockstep.errors import InputError
from lockstep.store import open_store


@click.command()
@click.option(
    "-o", "--output", default=None, type=click.Path(dir_okay=False), help="File to write [lockstep-report.html/.pdf]."
)
@click.option(
    "--campaign",
    type=int,
    default=None,
    help="Only campaign #N: the campaign number (rank) that `lockstep campaigns` and `explain` print.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the network layout.")
@click.option(
    "--tz",
    "tz_offset",
    type=float,
    default=None,
    help="UTC offset of every heatmap (default: each campaign's inferred zone, named on the page).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default="html",
    show_default=True,
    help="pdf: print the report with headless Chromium (needs chromium on PATH).",
)
@click.option("--show-paths", is_flag=True, help="Show the sources' full local paths (default: file names only).")
@click.option("--no-assets", is_flag=True, help="Do not write the SVG images beside the report.")
@db_option
def report(
    output: str | None,
    campaign: int | None,
    seed: int,
    tz_offset: float | None,
    fmt: str,
    show_paths: bool,
    no_assets: bool,
    db: str,
) -> None:
    """Write a single-file HTML report (opens offline; key findings first) and SVG images of its charts."""
    with open_store(db, read_only=True) as store:
        result = api.report(
            store,
            output or f"lockstep-report.{fmt}",
            campaign=campaign,
            seed=seed,
            assets=not no_assets,
            tz_offset_hours=tz_offset,
            show_paths=show_paths,
            fmt=fmt,
        )
    click.echo(
        f"wrote {result.path} ({result.bytes / 1e6:.1f} MB; {result.campaigns} campaigns, {result.nodes:,} "
        f"accounts and {result.edges:,} edges in the network view)"
        + (f" and {len(result.assets)} SVG images in {result.assets[0].parent}" if result.assets else ""),
        err=True,
    )
    if result.pdf:
        click.echo(f"wrote {result.pdf} ({result.pdf.stat().st_size / 1e6:.1f} MB)", err=True)


@click.command()
@click.option("--format", "fmt", required=True, type=click.Choice(["gexf", "graphml", "csv", "parquet", "stix"]))
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="File (gexf, graphml, stix) or folder (csv, parquet)."
)
@click.option("--campaign", type=int, default=None, help="Only campaign #N, as `lockstep campaigns` numbers it.")
@click.option("--pseudonymize", is_flag=True, help="Replace account ids and handles with keyed pseudonyms.")
@click.option("--key", default=None, help="Pseudonymisation key (default: $LOCKSTEP_PSEUDONYM_KEY).")
@click.option(
    "--raw-cells",
    is_flag=True,
    help="CSV: keep text cells starting with = + - @ as they are (default: prefix a ' so spreadsheets "
    "do not run them as formulas).",
)
@db_option
def export(
    fmt: str, output: str, campaign: int | None, pseudonymize: bool, key: str | None, raw_cells: bool, db: str
) -> None:
    """Export the results: GEXF/GraphML for Gephi, CSV/Parquet tables, or a STIX 2.1 bundle with DISARM."""
    secret = None
    if pseudonymize:
        secret = key or os.environ.get("LOCKSTEP_PSEUDONYM_KEY")
        if not secret:
            raise InputError("--pseudonymize needs a key: --key KEY or LOCKSTEP_PSEUDONYM_KEY (keep it private)")
    with open_store(db, read_only=True) as store:
        paths = api.export(store, fmt, output, campaign=campaign, pseudonym_key=secret, raw_cells=raw_cells)
    click.echo(f"wrote {', '.join(str(p) for p in paths)}", err=True)
