"""``rank_accounts`` and ``lockstep accounts`` on the small seeded world (see worlds.py for what is planted)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from lockstep.campaigns.accounts import rank_accounts
from lockstep.cli import cli

from .worlds import BACKGROUND, DORMANT, FANS, OPS, build_world_store


def test_every_network_account_is_ranked_with_campaign_and_reasons(tmp_path: Path) -> None:
    with build_world_store(tmp_path) as store:
        ranked = rank_accounts(store)
        in_network = {r[0] for r in store.con.execute("SELECT account_id FROM account_scores").fetchall()}
        camp_of = dict(
            store.con.execute(
                "SELECT s.account_id, c.rank FROM account_scores s JOIN campaigns c ON c.campaign = s.community"
            ).fetchall()
        )
        by_id = {a.account_id: a for a in ranked}
    assert set(by_id) == in_network
    assert [a.rank for a in ranked] == list(range(1, len(ranked) + 1))
    # Flagged accounts first, each part by score.
    flags = [a.flagged for a in ranked]
    assert flags == sorted(flags, reverse=True)
    for part in (True, False):
        scores = [a.score for a in ranked if a.flagged is part]
        assert scores == sorted(scores, reverse=True)
    for a in ranked:
        assert a.campaign == camp_of.get(a.account_id)
        assert a.score == a.strength * (1 + a.signals_fired) * a.own_items
        assert a.own_items <= a.campaign_items
        if a.flagged:
            assert a.campaign is not None and a.campaign_items >= 3 and a.own_items >= 1
    # The operation fired inauthenticity signals, the fans did not: every operator outranks every fan, and
    # the reasons say which trace linked them and which signals fired. Background accounts reposting from a
    # pool of 400 posts over two weeks can share one of them within a day (rarity linking counts rare items up
    # to a day apart), so a few enter the network, but with chance links only: below every planted account.
    assert all(by_id[a].flagged for a in OPS + FANS + DORMANT)
    assert max(by_id[a].rank for a in OPS) < min(by_id[a].rank for a in FANS)
    planted = [by_id[a].rank for a in OPS + FANS + DORMANT]
    assert max(planted) < min((by_id[a].rank for a in BACKGROUND if a in by_id), default=len(ranked) + 1)
    op = by_id[OPS[0]]
    assert op.reasons[0].startswith("co-retweet links to 5 partners")
    assert op.reasons[-1].startswith("community signals: ") and "batches.same_day" in op.reasons[-1]
    assert not any(r.startswith("community signals") for r in by_id[FANS[0]].reasons)


def test_accounts_command_formats_and_campaign_filter(tmp_path: Path) -> None:
    build_world_store(tmp_path).close()
    db = str(tmp_path / "w.duckdb")
    runner = CliRunner()
    table = runner.invoke(cli, ["accounts", "--db", db])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split()[:4] == ["rank", "account", "campaign", "score"]
    as_json = json.loads(runner.invoke(cli, ["accounts", "--db", db, "--format", "json"]).output)
    first_campaign = as_json[0]["campaign"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                runner.invoke(
                    cli, ["accounts", "--db", db, "--format", "csv", "--campaign", str(first_campaign)]
                ).output
            )
        )
    )
    assert rows and {r["campaign"] for r in rows} == {str(first_campaign)}
    assert {r["flagged"] for r in rows} <= {"true", "false"} and all(r["own_items"].isdigit() for r in rows)
    assert all(a["flagged"] in (True, False) for a in as_json)
    flagged_lines = [line for line in table.output.splitlines()[1:] if "* #" in line]
    assert len(flagged_lines) == sum(1 for a in as_json if a["flagged"])
    assert {r["account_id"] for r in rows} == {a["account_id"] for a in as_json if a["campaign"] == first_campaign}
    assert len(json.loads(runner.invoke(cli, ["accounts", "--db", db, "--format", "json", "--limit", "2"]).output)) == 2


def test_accounts_before_analyze_says_what_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["accounts", "--db", str(tmp_path / "missing.duckdb")])
    assert result.exit_code != 0
    assert "lockstep" in result.output and "Traceback" not in result.output


def test_campaign_expansion_attaches_an_account_sharing_one_rare_item_with_a_flagged_campaign(
    tmp_path: Path,
) -> None:
    """One rare retweet shared hours apart is no network link (the rarity guard), but shared with a member of a
    flagged campaign it attaches the account to that campaign; shared with an unflagged account it does not."""

    def repost(acct: str, when: str, item: str) -> dict[str, str]:
        return {"account_id": acct, "handle": acct, "created_at": when, "kind": "repost", "repost_of": item}

    extra = [
        repost(OPS[0], "2023-03-07 05:00:00", "leak1"),
        repost("late_joiner", "2023-03-07 09:00:00", "leak1"),
        repost(BACKGROUND[0], "2023-03-08 05:00:00", "chance1"),
        repost("stranger", "2023-03-08 09:00:00", "chance1"),
    ]
    with build_world_store(tmp_path, extra) as store:
        network = {r[0] for r in store.con.execute("SELECT account_id FROM account_scores").fetchall()}
        assert "late_joiner" not in network and "stranger" not in network
        by_id = {a.account_id: a for a in rank_accounts(store)}
        plain = {a.account_id: a for a in rank_accounts(store, expand_campaigns=False)}
    ops = by_id[OPS[0]]
    assert ops.flagged
    joiner = by_id["late_joiner"]
    assert joiner.flagged and joiner.campaign == ops.campaign and joiner.own_items == 1
    assert joiner.reasons[-1].startswith("campaign expansion: shares 1 rare content item with 1 member")
    assert joiner.rank > max(by_id[a].rank for a in OPS)  # attached accounts rank after the campaign's core
    assert "stranger" not in by_id or not by_id["stranger"].flagged
    assert "late_joiner" not in plain
