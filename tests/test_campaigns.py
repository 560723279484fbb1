"""From edges to campaigns on a small seeded world with exact expectations.

Planted: an operation cluster (UTC+8 office hours with a lunch break, created the same day, zero followers,
digit-suffixed handles, synchronised reposts), a dormant cohort waking in the same week, an organic fan
cluster that coordinates (one hashtag at a set time) but shows no inauthenticity signal, and a background
population.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lockstep.analysis import analyze
from lockstep.campaigns import expand, explain, format_card, read_seeds
from lockstep.store import Store

from .worlds import BACKGROUND, DORMANT, FANS, OPS, build_world_store


@pytest.fixture
def analysed(tmp_path: Path) -> Store:
    return build_world_store(tmp_path)


def members(store: Store) -> dict[str, int]:
    return dict(store.con.execute("SELECT account_id, community FROM account_scores").fetchall())


def fired(store: Store, scope: str, subject: str) -> set[str]:
    rows = store.con.execute(
        "SELECT signal FROM signals WHERE scope = ? AND subject = ? AND fired", [scope, subject]
    ).fetchall()
    return {r[0] for r in rows}


def test_planted_clusters_are_separate_communities(analysed: Store) -> None:
    m = members(analysed)
    assert {m[a] for a in OPS} == {m[OPS[0]]}
    assert {m[a] for a in FANS} == {m[FANS[0]]}
    assert {m[a] for a in DORMANT} == {m[DORMANT[0]]}
    assert len({m[OPS[0]], m[FANS[0]], m[DORMANT[0]]}) == 3
    # Background accounts repost from a pool of 400 posts; rarity linking can join two that repost the same
    # one within a day, but never into a planted cluster.
    assert not any(m.get(a) in {m[OPS[0]], m[FANS[0]], m[DORMANT[0]]} for a in BACKGROUND)


def test_operation_fires_inauthenticity_signals_fans_do_not(analysed: Store) -> None:
    m = members(analysed)
    ops = fired(analysed, "community", str(m[OPS[0]]))
    assert {"calendar.office_share", "batches.same_day", "engagement.zero_followers", "personas.digit_handles"} <= ops
    assert fired(analysed, "community", str(m[FANS[0]])) == set()
    assert "dormancy.reactivation" in fired(analysed, "community", str(m[DORMANT[0]]))


def test_calendar_values_of_the_operation(analysed: Store) -> None:
    cid = str(members(analysed)[OPS[0]])
    vals = dict(
        analysed.con.execute(
            "SELECT signal, value FROM signals WHERE scope = 'community' AND subject = ? AND starts_with(signal, "
            "'calendar.')",
            [cid],
        ).fetchall()
    )
    assert vals["calendar.office_share"] == 1.0
    assert vals["calendar.weekend_ratio"] == 0.0
    assert vals["calendar.lunch_dip"] == 0.0  # nothing between 12:00 and 13:29 Beijing
    assert vals["calendar.inferred_offset"] == 8.0


def test_campaigns_rank_and_disarm(analysed: Store) -> None:
    rows = analysed.con.execute(
        "SELECT campaign, accounts, traces, techniques, breakout_category FROM campaigns ORDER BY rank"
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    ops = by_id[members(analysed)[OPS[0]]]
    assert ops[1] == 6 and ops[2] == ["co-retweet"]
    assert {"T0049.003", "T0150.008", "T0090", "T0144.002"} <= set(eval_json(ops[3]))
    assert ops[4] == 1


def eval_json(text: str) -> list[str]:
    import json

    return list(json.loads(text))


def test_explain_card(analysed: Store) -> None:
    card = explain(analysed, f"@{OPS[0]}")
    assert card.community == members(analysed)[OPS[0]]
    assert {link["account"] for link in card.links} == set(OPS[1:])
    assert all(link["traces"] == ["co-retweet"] for link in card.links)
    assert any(s["signal"] == "calendar.office_share" and s["fired"] for s in card.community_signals)
    text = format_card(card)
    assert "linked to" in text and "FIRED calendar.office_share" in text


def test_expand_from_half_the_operation(analysed: Store, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(OPS[:3]) + "\nnot_in_store\n", encoding="utf-8")
    result = expand(analysed, read_seeds(seeds), limit=5)
    assert result.seeds_missing == ["not_in_store"]
    assert [c.account_id for c in result.candidates[:3]] and {c.account_id for c in result.candidates[:3]} == set(
        OPS[3:]
    )
    assert all(c.seeds_linked == 3 for c in result.candidates[:3])


def test_meta_indicator_csv_seeds(tmp_path: Path) -> None:
    f = tmp_path / "meta.csv"
    f.write_text(
        "Tactic,Technique,Procedure,Indicator,Note\n"
        "0. Acquiring assets,0.9,0.9.4 Acquiring X / Twitter accounts,https://twitter[.]com/EttaJac84185457,\n"
        "0. Acquiring assets,0.9,0.9.4 Acquiring X / Twitter accounts,https://twitter[.]com/hyo1592/,\n"
        "6. Posting,6.1,6.1.3 Blogs,some blog title,\n",
        encoding="utf-8",
    )
    assert read_seeds(f) == ["EttaJac84185457", "hyo1592"]


def test_communities_are_reproducible(tmp_path: Path, analysed: Store) -> None:
    first = members(analysed)
    analyze(analysed, seed=3, tz_offset_hours=8)
    assert members(analysed) == first


def test_holiday_ratio_sees_golden_week_silence(tmp_path: Path) -> None:
    import csv as _csv
    import datetime as _dt

    from lockstep import ingest
    from lockstep.store import open_store
    from lockstep.traces import DetectParams, detect

    rows = []
    day = _dt.date(2023, 9, 25)
    k = 0
    while day <= _dt.date(2023, 10, 13):
        holiday = _dt.date(2023, 10, 1) <= day <= _dt.date(2023, 10, 7)
        if day.weekday() < 5 and not holiday:  # an office team: weekdays, but not the Golden Week
            for acct in ("w1", "w2", "w3"):
                k += 1
                rows.append([str(k), acct, f"{day} 02:00:{k % 50:02d}", "repost", f"item{day}"])
        day += _dt.timedelta(days=1)
    src = tmp_path / "office.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = _csv.writer(fh)
        w.writerow(["post_id", "account_id", "created_at", "kind", "repost_of"])
        w.writerows(rows)
    with open_store(tmp_path / "h.duckdb") as store:
        ingest(store, [src], format="generic", mapping={"kind": "kind", "repost_of": "repost_of"})
        detect(store, ["co-retweet"], DetectParams(null_replicates=0))
        analyze(store, seed=1, tz_offset_hours=8)
        (value, detail) = store.con.execute(
            "SELECT value, detail FROM signals WHERE signal = 'calendar.holiday_ratio'"
        ).fetchone() or (None, None)
    assert value == 0.0 and '"holiday_days":7' in str(detail)
