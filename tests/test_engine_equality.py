"""Every trace the seam ports gives the same edges, weights and evidence on Spark as on the default engine.

The default engine (:mod:`lockstep.traces.engine`, DuckDB SQL; each trace's actions compiled from its Ibis
definition, :mod:`lockstep.engine.trace_plans`) and the seam (:mod:`lockstep.engine`, Ibis) run on copies of one
store built by :func:`tests.engine_world.build_engine_world`. Everything is compared exactly
except ``weight``, a parallel sum of products of doubles whose order neither engine fixes (relative 1e-12).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")

from lockstep.engine import detect as seam_detect
from lockstep.engine import ported_traces
from lockstep.errors import InputError
from lockstep.store import open_store
from lockstep.traces import TRACES, DetectParams, detect
from tests.engine_compare import assert_same, snapshot
from tests.engine_world import build_engine_world
from tests.spark_session import spark_or_skip

#: Traces with their own equality tests on worlds made for them (tests/test_engine_near_duplicates.py,
#: tests/test_engine_media_near.py): left out of the runs here.
OWN_TESTS = {"near-duplicate", "co-media-near"}
#: The other ported traces of one platform (the cross-platform ones need a multi-platform world:
#: tests/test_engine_cross_platform.py).
PORTED = sorted(
    n for n, why in ported_traces().items() if why is None and not TRACES[n].cross_platform and n not in OWN_TESTS
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_engine_world(tmp_path_factory.mktemp("engine") / "world.duckdb")


def _copy(world: Path, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(world, path)
    return path


def _run_both(world: Path, tmp_path: Path, traces: list[str], params: DetectParams, **seam: Any) -> None:
    with open_store(_copy(world, tmp_path, "default")) as s:
        detect(s, traces, params)
    with open_store(_copy(world, tmp_path, "seam")) as s:
        seam_detect(s, traces, params, **seam)
    default, other = snapshot(tmp_path / "default.duckdb"), snapshot(tmp_path / "seam.duckdb")
    assert default["edges"] and default["evidence"], "the world must give edges"
    for trace in traces:
        assert any(r[0] == trace for r in default["edges"]), f"{trace}: no edges in the test world"
    assert_same(default, other)


def test_ported_traces_are_listed_with_reasons() -> None:
    info = ported_traces()
    assert {"co-retweet", "co-text", "co-link", "co-hashtag", "co-mention", "co-domain", "co-reply"} <= set(PORTED)
    assert {"hashtag-sequence", "fast-retweet", "co-media", "reactivation"} <= set(PORTED)
    assert info["cross-platform-persona"] and "profile matching" in str(info["cross-platform-persona"])


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
        with pytest.raises(InputError, match=r"cross-platform-persona.*profile matching"):
            seam_detect(s, ["cross-platform-persona"], engine="duckdb")
        with pytest.raises(InputError, match=r"engine 'flink'"):
            seam_detect(s, ["co-text"], engine="flink")
        report = seam_detect(s, None, DetectParams(null_replicates=0), engine="duckdb")
    skipped = {t.trace: t.skipped for t in report.traces if t.skipped}
    assert "cross-platform-persona" in skipped and "not ported" in str(skipped["cross-platform-persona"])
    ran = {t.trace for t in report.traces if not t.skipped}
    assert ran == {n for n, why in ported_traces().items() if why is None and TRACES[n].default}


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
    assert_same(snapshot(tmp_path / "default.duckdb"), snapshot(tmp_path / "seam.duckdb"))
    with open_store(_copy(world, tmp_path, "missing")) as s, pytest.raises(InputError, match=r"no posts\.parquet"):
        seam_detect(s, ["co-link"], params, engine="duckdb", parquet_dir=tmp_path / "nowhere")


def test_cli_parquet_dir_needs_the_spark_engine(world: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lockstep.cli import cli

    db = _copy(world, tmp_path, "cli")
    result = CliRunner().invoke(cli, ["detect", "--db", str(db), "--parquet-dir", str(tmp_path), "-q"])
    assert result.exit_code == 2 and "--parquet-dir needs --engine spark" in result.output
