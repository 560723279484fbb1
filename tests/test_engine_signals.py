"""Every signal gives the same rows on the default path, the seam on DuckDB and the seam on Spark.

The default path is ``analyze`` (the seam on the store's own DuckDB connection); the seam on a fresh in-memory
DuckDB reads the store's exported Parquet; Spark (``local[2]``, one shared session) runs ``analyze`` with
``engine="spark"`` (a control baseline, UTC-7). The world is the campaign world of :mod:`tests.worlds`, analysed,
with posting clients, reposts' authors, a copy of the members' posts on the Spring Festival days (holiday ratio),
post languages, avatar checks, fractional seconds and a post before 1970 (calendar arithmetic on negative times),
and hostile text for the content signals (claimed locations, Chinese scripts, political terms behind a dotted
capital I, bios padded with no-break spaces, template handles; see the fixture).
Values, baselines and the numbers inside ``detail`` are compared to a relative 1e-12 (sums of doubles, ``log2``);
everything else exactly.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed")

from lockstep import api
from lockstep.engine.backends import SIGNAL_COLUMNS, duckdb_backend, export_inputs
from lockstep.engine.signals import PORTED, signal_rows
from lockstep.errors import InputError
from lockstep.signals import run_signals
from lockstep.signals.base import SignalContext
from lockstep.store import open_store
from tests.spark_session import spark_or_skip
from tests.worlds import OPS, build_world_store

NAMES = sorted(PORTED)
Row = tuple[Any, ...]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("signals")
    store = build_world_store(tmp)
    con = store.con
    ops = ", ".join(f"'{a}'" for a in OPS)
    con.execute(f"UPDATE posts SET client = CASE WHEN account_id IN ({ops}) THEN 'Bot App' ELSE 'Phone' END")
    con.execute("UPDATE posts SET client = NULL WHERE post_id LIKE '%7'")
    con.execute(
        f"""UPDATE posts SET parent_account_id = CASE WHEN account_id IN ({ops}) THEN '{OPS[1]}' ELSE '{OPS[0]}' END
            WHERE kind = 'repost'"""
    )
    con.execute(
        f"""UPDATE posts SET language = CASE WHEN account_id IN ({ops}) AND created_at >= TIMESTAMP '2023-03-09'
                                             THEN 'zh' WHEN post_id LIKE '%3' THEN 'und' ELSE 'en' END"""
    )
    con.execute(
        """INSERT INTO avatar_checks SELECT platform, account_id, account_id || '.jpg',
               CASE WHEN account_id LIKE 'lucy%' THEN 0.01 ELSE 0.3 END, account_id LIKE 'lucy%', 'eyes'
           FROM (SELECT DISTINCT platform, account_id FROM posts WHERE account_id NOT LIKE 'person_p%')"""
    )
    con.execute(
        """INSERT INTO posts BY NAME SELECT * REPLACE ('h' || post_id AS post_id,
               created_at - INTERVAL 43 DAY + INTERVAL 250 MILLISECOND AS created_at)
           FROM posts SEMI JOIN account_scores USING (platform, account_id)"""
    )
    con.execute(
        """INSERT INTO posts BY NAME SELECT * REPLACE ('old' || post_id AS post_id,
               TIMESTAMP '1969-12-31 23:59:59.5' AS created_at)
           FROM posts WHERE post_id = (SELECT min(post_id) FROM posts)"""
    )
    # content signals: claimed locations (a Kelvin-sign K matches "hong kong" as RE2's (?i) did; a dotted capital
    # I does not match "taiwan"), Chinese posts with and without Simplified-only characters, political terms
    # (one behind a dotted capital I, which DuckDB's lower maps to i and Java's to i + U+0307), reused bios
    # (one padded with no-break spaces, which DuckDB's trim removes and Spark's does not), template handles
    # (one with a trailing newline, which Java's "$" would have let match)
    con.execute(
        f"""UPDATE accounts SET location = CASE account_id WHEN '{OPS[0]}' THEN 'Taipei, 台灣'
                WHEN '{OPS[1]}' THEN 'hong \u212aong' WHEN '{OPS[2]}' THEN 'TA\u0130WAN' ELSE location END,
              description = CASE WHEN account_id IN ('{OPS[0]}', '{OPS[1]}') THEN 'Proud patriot. Love my country'
                WHEN account_id = '{OPS[2]}' THEN '\u00a0Proud patriot. Love my country\u00a0 '
                WHEN account_id = '{OPS[3]}' THEN 'short' ELSE description END,
              handle = CASE WHEN account_id = '{OPS[0]}' THEN 'EttaJac84185457'
                WHEN account_id = '{OPS[1]}' THEN 'bob12345' || chr(10)
                WHEN account_id = '{OPS[2]}' THEN 'Ann_Lee2024' ELSE handle END"""
    )
    con.execute(
        f"""UPDATE posts SET text = CASE
                WHEN post_id LIKE '%1' THEN '这是我们的国家 ' || post_id
                WHEN post_id LIKE '%2' THEN '這是臺灣 ' || post_id
                WHEN post_id LIKE '%5' THEN 'THE PRES\u0130DENT and the Government ' || post_id
                WHEN post_id LIKE '%9' THEN 'Выборы в ПАРЛАМЕНТ: ΟΔΟΣ ' || post_id
                ELSE text END
            WHERE account_id IN ({ops})"""
    )
    run_signals(store)
    store.close()
    return tmp / "w.duckdb"


def _copy(world: Path, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(world, path)
    return path


def _rows(path: Path) -> list[Row]:
    with open_store(path, read_only=True) as s:
        return s.con.execute("SELECT * FROM signals ORDER BY scope, platform, subject, signal").fetchall()


def _arrow_rows(tables: dict[str, Any]) -> list[Row]:
    rows = [tuple(r.values()) for t in tables.values() for r in t.to_pylist()]
    return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3]))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _assert_same(default: list[Row], other: list[Row]) -> None:
    assert [r[:4] for r in other] == [r[:4] for r in default]
    for d, o in zip(default, other, strict=True):
        assert d[6] == o[6], (d, o)
        assert _same(d[4], o[4]) and _same(d[5], o[5]), (d, o)
        dd, od = (json.loads(x) if x is not None else None for x in (d[7], o[7]))
        assert _same(dd, od), (d, o)


def _ported(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r[3].split(".")[0] in PORTED]


def test_world_gives_every_ported_row_kind(world: Path) -> None:
    kinds = {(r[0], r[3]) for r in _rows(world)}
    for kind in (
        ("community", "batches.same_day"),
        ("account", "batches.same_day"),
        ("community", "calendar.office_share"),
        ("account", "calendar.js_divergence"),
        ("community", "calendar.inferred_offset"),
        ("community", "dormancy.reactivation"),
        ("account", "dormancy.reactivation"),
        ("account", "volume.max_per_day"),
        ("community", "engagement.inside_share"),
        ("community", "engagement.zero_followers"),
        ("account", "identity_shift.language"),
        ("account", "ai_faces.gan_avatar"),
        ("community", "ai_faces.gan_avatar"),
        ("account", "language.entropy"),
        ("account", "language.simplified_from_tw_hk"),
        ("community", "camouflage.political_share"),
        ("community", "personas.digit_handles"),
        ("community", "personas.reused_bios"),
    ):
        assert kind in kinds, kind


def test_seam_on_fresh_duckdb_matches_the_default_path(world: Path, tmp_path: Path) -> None:
    holidays = 0
    with open_store(_copy(world, tmp_path, "default")) as s:
        inputs = str(export_inputs(s.con, tmp_path / "parquet", SIGNAL_COLUMNS))
        for tz in (5.5, -3.0):
            run_signals(s, NAMES, tz_offset_hours=tz)
            backend = duckdb_backend()
            backend.read_inputs(inputs, tuple(SIGNAL_COLUMNS))
            seam = _arrow_rows(signal_rows(s, NAMES, SignalContext(tz_offset_hours=tz), backend=backend))
            _assert_same(_ported(_rows_of(s)), seam)
            holidays += sum(r[3] == "calendar.holiday_ratio" for r in seam)
    assert holidays, "the world must cover a holiday"


def _rows_of(s: Any) -> list[Row]:
    return s.con.execute("SELECT * FROM signals ORDER BY scope, platform, subject, signal").fetchall()


def test_spark_analyze_matches_the_default_analyze(world: Path, tmp_path: Path) -> None:
    session = spark_or_skip()
    control = [("x", a) for a in OPS[:2]] + [("x", "person_a"), ("x", "person_b")]
    for name, engine in (("default", {}), ("spark", {"engine": "spark", "spark_session": session})):
        with open_store(_copy(world, tmp_path, name)) as s:
            api.analyze(s, seed=3, tz_offset_hours=-7.0, control=control, **engine)
    default, spark = _rows(tmp_path / "default.duckdb"), _rows(tmp_path / "spark.duckdb")
    assert {r[3].split(".")[0] for r in default} >= set(NAMES)
    _assert_same(default, spark)


def test_engine_options_are_checked(world: Path, tmp_path: Path) -> None:
    with open_store(_copy(world, tmp_path, "opts")) as s:
        with pytest.raises(InputError, match="parquet_dir is read by the spark engine only"):
            api.analyze(s, parquet_dir=tmp_path)
        with pytest.raises(InputError, match="engine 'flink'"):
            run_signals(s, ["calendar"], engine="flink")
        with pytest.raises(InputError, match="not written for the engine seam"):
            signal_rows(s, ["horoscope"], SignalContext())


def test_cli_analyze_parquet_dir_needs_the_spark_engine(world: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lockstep.cli import cli

    db = _copy(world, tmp_path, "cli")
    result = CliRunner().invoke(cli, ["analyze", "--db", str(db), "--parquet-dir", str(tmp_path), "-q"])
    assert result.exit_code == 2 and "--parquet-dir needs --engine spark" in result.output
