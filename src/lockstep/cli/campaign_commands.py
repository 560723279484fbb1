"""Commands from edges to campaigns: analyze, campaigns, explain, expand, signals."""

from __future__ import annotations

import json

import click

from lockstep import api
from lockstep.campaigns import expand as run_expand
from lockstep.campaigns import explain as run_explain
from lockstep.campaigns import format_card, read_seeds
from lockstep.campaigns.naming import campaign_name, confidence_words
from lockstep.cli.options import check_parquet_dir, db_option, engine_options, memory_option, quiet_option
from lockstep.errors import InputError
from lockstep.signals import SIGNALS
from lockstep.store import open_store


@click.command()
@click.option("--seed", default=0, show_default=True, help="Seed of the community detection.")
@click.option("--trace", "traces", multiple=True, help="Fuse only these traces (default: all with edges).")
@click.option(
    "--tz",
    "tz_offset",
    default=8.0,
    show_default=True,
    help="Candidate UTC offset (hours) for the work-calendar fingerprint (8 = Beijing).",
)
@click.option("--min-accounts", default=3, show_default=True, help="Smallest community reported as a campaign.")
@click.option("--resolution", default=1.0, show_default=True, help="Leiden modularity resolution.")
@click.option(
    "--control",
    type=click.Path(exists=True, dir_okay=False),
    help="File of control account ids (one per line) forming the signal baseline.",
)
@engine_options(runs="the signals", tables="posts/accounts")
@db_option
@memory_option
@quiet_option
def analyze(
    seed: int,
    traces: tuple[str, ...],
    tz_offset: float,
    min_accounts: int,
    resolution: float,
    control: str | None,
    engine: str,
    spark_master: str,
    parquet_dir: str | None,
    db: str,
    memory_limit: str,
    quiet: bool,
) -> None:
    """Fuse the trace edges, find communities, compute signals and assemble campaigns."""
    check_parquet_dir(engine, parquet_dir)
    with open_store(db, memory_limit=memory_limit) as store:
        ctrl = None
        if control:
            with open(control, encoding="utf-8") as fh:
                ctrl = api.find_accounts(store, [line.strip() for line in fh if line.strip()])
        report = api.analyze(
            store,
            seed=seed,
            traces=traces or None,
            tz_offset_hours=tz_offset,
            min_accounts=min_accounts,
            resolution=resolution,
            control=ctrl,
            engine=engine,
            spark_master=spark_master,
            parquet_dir=parquet_dir,
        )
    if not quiet:
        click.echo(report.summary(), err=True)


@click.command()
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print each campaign's full ABC(DE) summary as JSON.")
@db_option
def campaigns(limit: int, as_json: bool, db: str) -> None:
    """List campaigns, strongest coordination first (run `lockstep analyze` first).

    The first column, #, is the campaign number used by `report --campaign`, `explain` and the report.
    """
    with open_store(db, read_only=True) as store:
        found = api.list_campaigns(store, limit=limit)
    if as_json:
        click.echo(json.dumps([c.summary for c in found], indent=2, default=str, ensure_ascii=False))
        return
    if not found:
        click.echo("no campaigns: run `lockstep detect` then `lockstep analyze`", err=True)
        return
    click.echo(
        f"{'#':>4} {'id':>5} {'platform':<9} {'accounts':>8} {'score':>7} {'signif':>6} {'BS':>2}  "
        "traces / DISARM / fired signals"
    )
    for c in found:
        click.echo(
            f"{c.rank:>4} {c.community:>5} {c.platform:<9} {c.accounts:>8,} {c.coordination_score:>7.3f} "
            f"{c.significant_share:>6.2f} {c.breakout_category:>2}  {', '.join(c.traces)}"
        )
        spans = c.summary.get("platforms") or [c.platform]
        click.echo(
            f"{'':>49}name {campaign_name(c.summary)}; {confidence_words(c.summary)[0]} evidence of coordination"
            + (f"; spans {', '.join(spans)}" if len(spans) > 1 else "")
        )
        fired = c.fired_signals
        click.echo(
            f"{'':>49}DISARM {', '.join(c.techniques) or '-'}" + (f"; signals {', '.join(fired)}" if fired else "")
        )


@click.command()
@click.argument("account")
@click.option("--links", default=10, show_default=True, help="Linked accounts to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the card as JSON.")
@db_option
def explain(account: str, links: int, as_json: bool, db: str) -> None:
    """Why is ACCOUNT (id or handle) flagged: campaign, links with evidence, signals against the baseline."""
    with open_store(db, read_only=True) as store:
        card = run_explain(store, account, links=links)
    if as_json:
        click.echo(json.dumps(card.__dict__, indent=2, default=str, ensure_ascii=False))
    else:
        click.echo(format_card(card))


@click.command()
@click.option(
    "--seeds",
    "seeds_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Seed accounts: one id/handle per line, or a Meta threat-indicator CSV.",
)
@click.option("--limit", default=30, show_default=True)
@db_option
def expand(seeds_file: str, limit: int, db: str) -> None:
    """Rank accounts by their coordination with known SEEDS (hunt the survivors of a takedown)."""
    seeds = read_seeds(seeds_file)
    with open_store(db, read_only=True) as store:
        result = run_expand(store, seeds, limit=limit)
    click.echo(
        f"seeds: {len(seeds)} given, {len(result.seeds_found)} found in the store, "
        f"{len(result.seeds_missing)} not found",
        err=True,
    )
    for i, c in enumerate(result.candidates, 1):
        click.echo(
            f"{i:>3}. {c.account_id}"
            + (f" @{c.handle}" if c.handle and c.handle != c.account_id else "")
            + f"  score {c.score:.3f}, linked to {c.seeds_linked} seed(s) by {', '.join(c.traces)}"
        )
        for ev in c.evidence:
            click.echo(
                f"       [{ev['trace']}] with {ev['seed']}: {str(ev['item'])[:60]!r} "
                f"{ev['time_a']} / {ev['time_b']} ({ev['gap_s']:.0f} s)"
            )


@click.command()
def signals() -> None:
    """List the inauthenticity signals and the DISARM techniques each evidences."""
    width = max(len(n) for n in SIGNALS)
    for name in sorted(SIGNALS):
        s = SIGNALS[name]
        click.echo(f"{name:<{width}}  {s.description} [{', '.join(s.disarm)}]")


@click.command()
@click.option(
    "--labels",
    "labels_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV with account_id and label columns ('organic' = negative), optional group.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of Markdown.")
@db_option
def evaluate(labels_file: str, as_json: bool, db: str) -> None:
    """Score the stored results against account labels: per trace, fused, and community agreement."""
    from lockstep.evaluation import evaluate as run_evaluate
    from lockstep.evaluation import read_labels

    labels = read_labels(labels_file)
    with open_store(db, read_only=True) as store:
        result = run_evaluate(store, labels)
    click.echo(result.to_json() if as_json else result.to_markdown())


@click.command()
@click.option("--accounts", default=10_000, show_default=True, help="Accounts in the world.")
@click.option("--days", default=30, show_default=True, help="Days simulated.")
@click.option("--seed", default=0, show_default=True, help="Seed: the same seed writes the same world.")
@click.option(
    "--hard-negatives",
    type=click.Choice(["normal", "heavy"]),
    default="normal",
    show_default=True,
    help="'heavy' multiplies fan groups, activists, pods and syndication (a stress test for precision).",
)
@click.option(
    "--formats",
    default="csv,jsonl,parquet",
    show_default=True,
    help="Comma-separated subset of csv (IO archive), jsonl (X API v2), parquet.",
)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write.")
def simulate(accounts: int, days: int, seed: int, hard_negatives: str, formats: str, output: str) -> None:
    """Write a simulated world (organic users, hard negatives, two planted operations) and its ground truth."""
    import dataclasses

    from lockstep.simulate import SimulationConfig, write_world

    config = SimulationConfig(accounts=accounts, days=days, seed=seed)
    if hard_negatives == "heavy":
        config = dataclasses.replace(
            config,
            fan_groups=12,
            activist_groups=8,
            engagement_pods=10,
            syndication_probability=0.6,
            live_event_share=0.4,
        )
    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    bad = [f for f in wanted if f not in ("csv", "jsonl", "parquet")]
    if bad:
        raise InputError(f"unknown format(s) {', '.join(bad)}: choose from csv, jsonl, parquet")
    result = write_world(config, output, wanted)
    click.echo(
        f"wrote {result.posts:,} posts by {result.accounts:,} accounts "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.by_label.items()))}) to {result.folder}; "
        "ground truth in truth.csv, labels for `lockstep evaluate` in labels.csv",
        err=True,
    )
