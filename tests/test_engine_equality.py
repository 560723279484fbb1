"""Every trace the seam ports gives the same edges, weights and evidence on Spark as on the default engine.

The default engine (:mod:`lockstep.traces.engine`, DuckDB SQL) and the seam (:mod:`lockstep.engine`, Ibis) run
on copies of one store built by :func:`tests.engine_world.build_engine_world`. Everything is compared exactly
except ``weight``, a parallel sum of products of doubles whose order neither engine fixes (relative 1e-12).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")

from lockstep.engine import detect as seam_detect
from lockstep.engine import ported_traces
from lockstep.errors import InputError
from lockstep.store import open_store
from lockstep.traces import DetectParams, detect
from tests.engine_world import build_engine_world
from tests.spark_session import spark_or_skip

PORTED = sorted(n for n, why in ported_traces().items() if why is None)
EDGE_COLS = (
    "trace, platform, account_a, account_b, shared_items, coactions, min_gap_s, median_gap_s, weight, "
    "null_mean, z_score, p_value"
)
EVIDENCE_COLS = "trace, platform, account_a, account_b, item, post_a, post_b, time_a, time_b, gap_s"
RUN_COLS = "trace, actions, items, capped_items, capped_actions, pairs, edges"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_engine_world(tmp_path_factory.mktemp("engine") / "world.duckdb")


def _copy(world: Path, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(world, path)
    return path


def _snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with open_store(path, read_only=True) as s:
        return {
            "edges": s.con.execute(f"SELECT {EDGE_COLS} FROM edges ORDER BY ALL").fetchall(),
            "evidence": s.con.execute(f"SELECT {EVIDENCE_COLS} FROM evidence ORDER BY ALL").fetchall(),
            "capped": s.con.execute(
                "SELECT trace, platform, item, accounts, actions FROM capped_items ORDER BY ALL"
            ).fetchall(),
            "runs": s.con.execute(f"SELECT {RUN_COLS} FROM detect_runs ORDER BY ALL").fetchall(),
        }


def _assert_same(default: dict[str, list[tuple[Any, ...]]], seam: dict[str, list[tuple[Any, ...]]]) -> None:
    for table in ("evidence", "capped", "runs"):
        assert seam[table] == default[table], table
    assert len(seam["edges"]) == len(default["edges"])
    weight = EDGE_COLS.split(", ").index("weight")
    for d, s in zip(default["edges"], seam["edges"], strict=True):
        assert d[:weight] == s[:weight] and d[weight + 1 :] == s[weight + 1 :], (d, s)
        assert math.isclose(d[weight], s[weight], rel_tol=1e-12, abs_tol=1e-300), (d, s)


def _run_both(world: Path, tmp_path: Path, traces: list[str], params: DetectParams, **seam: Any) -> None:
    with open_store(_copy(world, tmp_path, "default")) as s:
        detect(s, traces, params)
    with open_store(_copy(world, tmp_path, "seam")) as s:
        seam_detect(s, traces, params, **seam)
    default, other = _snapshot(tmp_path / "default.duckdb"), _snapshot(tmp_path / "seam.duckdb")
    assert default["edges"] and default["evidence"], "the world must give edges"
    for trace in traces:
        assert any(r[0] == trace for r in default["edges"]), f"{trace}: no edges in the test world"
    _assert_same(default, other)


def test_ported_traces_are_listed_with_reasons() -> None:
    info = ported_traces()
    assert {"co-retweet", "co-text", "co-link", "co-hashtag", "co-mention", "co-domain", "co-reply"} <= set(PORTED)
    assert {"hashtag-sequence", "fast-retweet", "co-media", "reactivation"} <= set(PORTED)
    assert info["near-duplicate"] and "MinHash" in str(info["near-duplicate"])


def test_seam_on_duckdb_matches_default_engine(world: Path, tmp_path: Path) -> None:
    _run_both(world, tmp_path, PORTED, DetectParams(null_replicates=3, seed=7), engine="duckdb")


def test_spark_matches_default_engine_on_every_ported_trace(world: Path, tmp_path: Path) -> None:
    session = spark_or_skip()
    _run_both(world, tmp_path, PORTED, DetectParams(null_replicates=3, seed=7), engine="spark", session=session)


def test_spark_matches_with_strict_linking_percentile_and_auto_window(world: Path, tmp_path: Path) -> None:
    session = spark_or_skip()
    params = DetectParams(window_s="auto", linking="strict", min_weight_percentile=50, null_replicates=0)
    _run_both(world, tmp_path, ["co-retweet"], params, engine="spark", session=session)


def test_unported_trace_is_refused_by_name_and_skipped_in_all(world: Path, tmp_path: Path) -> None:
    with open_store(_copy(world, tmp_path, "refuse")) as s:
        with pytest.raises(InputError, match=r"near-duplicate.*MinHash"):
            seam_detect(s, ["near-duplicate"], engine="duckdb")
        with pytest.raises(InputError, match=r"engine 'flink'"):
            seam_detect(s, ["co-text"], engine="flink")
        report = seam_detect(s, None, DetectParams(null_replicates=0), engine="duckdb")
    skipped = {t.trace: t.skipped for t in report.traces if t.skipped}
    assert "near-duplicate" in skipped and "not ported" in str(skipped["near-duplicate"])
    assert {t.trace for t in report.traces if not t.skipped} == set(PORTED)


def test_parquet_dir_is_read_instead_of_the_store_tables(world: Path, tmp_path: Path) -> None:
    from lockstep.engine.backends import export_inputs

    with open_store(_copy(world, tmp_path, "exported"), read_only=True) as s:
        export_inputs(s.con, tmp_path / "parquet")
    params = DetectParams(null_replicates=0)
    with open_store(_copy(world, tmp_path, "default")) as s:
        detect(s, ["co-link", "co-hashtag"], params)
    with open_store(_copy(world, tmp_path, "seam")) as s:
        s.con.execute("DELETE FROM post_urls")  # the seam must read the Parquet copy, not the store
        seam_detect(s, ["co-link", "co-hashtag"], params, engine="duckdb", parquet_dir=tmp_path / "parquet")
    _assert_same(_snapshot(tmp_path / "default.duckdb"), _snapshot(tmp_path / "seam.duckdb"))
    with open_store(_copy(world, tmp_path, "missing")) as s, pytest.raises(InputError, match=r"no posts\.parquet"):
        seam_detect(s, ["co-link"], params, engine="duckdb", parquet_dir=tmp_path / "nowhere")


def test_cli_parquet_dir_needs_the_spark_engine(world: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lockstep.cli import cli

    db = _copy(world, tmp_path, "cli")
    result = CliRunner().invoke(cli, ["detect", "--db", str(db), "--parquet-dir", str(tmp_path), "-q"])
    assert result.exit_code == 2 and "--parquet-dir needs --engine spark" in result.output
