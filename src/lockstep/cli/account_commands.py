"""``lockstep accounts``: every scored account, its campaign, score, rank and top reasons."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict

import click

from lockstep import api
from lockstep.campaigns.explain import account_label
from lockstep.cli.options import db_option
from lockstep.exporting.tables import neutralize_cell
from lockstep.store import open_store


@click.command()
@click.option("--campaign", type=int, default=None, help="Only the members of campaign #N (as `campaigns` prints).")
@click.option("--limit", type=int, default=None, help="At most this many accounts (default: all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@db_option
def accounts(campaign: int | None, limit: int | None, fmt: str, db: str) -> None:
    """List every account in the fused network, best first: rank, score, campaign and top reasons.

    Score = fused strength x (1 + community signals fired) x items shared with the campaign; flagged accounts
    (repeated coordination, see lockstep.campaigns.accounts) first, marked * in the table: the ranking
    `evaluate` scores as accounts.
    """
    with open_store(db, read_only=True) as store:
        ranked = api.list_accounts(store, campaign=campaign, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([asdict(a) for a in ranked], indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(
            [
                "rank",
                "platform",
                "account_id",
                "handle",
                "score",
                "strength",
                "community",
                "campaign",
                "signals_fired",
                "flagged",
                "own_items",
                "campaign_items",
                "reasons",
            ]
        )
        for a in ranked:
            w.writerow(
                [
                    a.rank,
                    a.platform,
                    neutralize_cell(a.account_id),
                    neutralize_cell(a.handle or ""),
                    f"{a.score:.6g}",
                    f"{a.strength:.6g}",
                    a.community,
                    a.campaign if a.campaign is not None else "",
                    a.signals_fired,
                    "true" if a.flagged else "false",
                    a.own_items,
                    a.campaign_items,
                    neutralize_cell("; ".join(a.reasons)),
                ]
            )
        return
    if not ranked:
        click.echo("no scored accounts: run `lockstep detect` then `lockstep analyze`", err=True)
        return
    click.echo(f"{'rank':>5} {'account':<28} {'campaign':>8} {'score':>8}  reasons")
    for a in ranked:
        name = account_label(a.account_id, {a.account_id: a.handle} if a.handle else {})[:28]
        camp = ("* " if a.flagged else "") + (f"#{a.campaign}" if a.campaign is not None else "-")
        click.echo(f"{a.rank:>5} {name:<28} {camp:>8} {a.score:>8.3f}  {'; '.join(a.reasons)}")
