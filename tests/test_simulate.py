"""The world simulator: reproducible by seed, planted properties hold, readable by Lockstep's own readers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from lockstep import ingest
from lockstep.cli import cli
from lockstep.simulate import SimulationConfig, World, write_world
from lockstep.store import open_store

SMALL = SimulationConfig(
    accounts=400, days=14, seed=11, news_outlets=10, fan_groups=1, activist_groups=1, engagement_pods=1
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    write_world(SMALL, out)
    return out


def test_same_seed_same_world(small: Path, tmp_path: Path) -> None:
    again = write_world(SMALL, tmp_path / "again")
    for name in ("tweets.csv", "tweets.jsonl", "truth.csv", "labels.csv"):
        assert digest(small / name) == digest(again.folder / name), name
    other = write_world(
        SimulationConfig(
            accounts=400, days=14, seed=12, news_outlets=10, fan_groups=1, activist_groups=1, engagement_pods=1
        ),
        tmp_path / "other",
        ("csv",),
    )
    assert digest(small / "tweets.csv") != digest(other.folder / "tweets.csv")


def test_exact_counts_for_the_seed(small: Path) -> None:
    truth = list(csv.DictReader((small / "truth.csv").open(encoding="utf-8")))
    assert Counter(r["label"] for r in truth) == {"organic": 384, "op1": 12, "op2": 4}
    with (small / "tweets.csv").open(encoding="utf-8", newline="") as fh:
        n = sum(1 for _ in csv.reader(fh)) - 1
    assert n == sum(1 for _ in World(SMALL).posts())


def test_planted_properties_hold() -> None:
    world = World(SimulationConfig(accounts=2000, days=21, seed=3))
    posts = list(world.posts())
    op1 = {a.account_id for op, members in world.ops if op.name == "op1" for a in members}
    op_posts = [p for p in posts if p.account.account_id in op1 and p.time >= world.config.start]
    local = [p.time + dt.timedelta(hours=8) for p in op_posts]
    weekdays = [t for t in local if t.weekday() < 5]
    office = sum(1 for t in weekdays if 9 <= t.hour < 21) / len(weekdays)
    assert office >= 0.97  # Beijing work schedule (waves and reposts spill a few minutes past the hour)
    weekend = sum(1 for t in local if t.weekday() >= 5) / len(local)
    assert weekend < 0.1
    lunch = sum(1 for t in local if t.weekday() < 5 and (t.hour == 12 or (t.hour == 13 and t.minute < 30)))
    assert lunch / len(local) < 0.02  # the lunch break
    created = Counter(a.created.date() for op, members in world.ops if op.name == "op1" for a in members)
    assert created.most_common(1)[0][1] >= 40  # a creation batch
    narratives = Counter(p.text for p in op_posts if p.kind == "original" and "#scenery" not in p.text)
    reused = sum(n for n in narratives.values() if n > 1) / sum(narratives.values())
    assert reused >= 0.5  # copy-pasted text
    dormant = [a for op, members in world.ops for a in members if a.role == "dormant"]
    assert dormant and all("wakes" in " ".join(a.notes) for a in dormant)


def test_lockstep_reads_every_format(small: Path, tmp_path: Path) -> None:
    counts = {}
    for name in ("tweets.csv", "tweets.jsonl", "tweets.parquet"):
        with open_store(tmp_path / f"{name}.duckdb") as store:
            report = ingest(store, [small / name])
            f = report.files[0]
            assert f.quarantined_total == 0, (name, f.quarantined)
            counts[name] = store.count("posts")
    assert len(set(counts.values())) == 1, counts


def test_simulate_command(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli,
        ["simulate", "--accounts", "300", "--days", "5", "--seed", "2", "--formats", "csv", "-o", str(tmp_path / "w")],
    )
    assert r.exit_code == 0, r.stderr
    assert "ground truth in truth.csv" in r.stderr and (tmp_path / "w" / "tweets.csv").exists()
    r = CliRunner().invoke(cli, ["simulate", "--formats", "xml", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2 and "unknown format" in r.stderr
