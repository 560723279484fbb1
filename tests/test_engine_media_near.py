"""The near-duplicate media trace (co-media-near) gives the same results on the seam as on the default engine.

The world is :mod:`tests.engine_world` (its odd bursts post inline ``pdq:`` hashes a few bits apart, so they
form one cluster) plus stored PDQ hashes (``media_hashes``) for some of its plain image references: one within
31 bits of an inline hash, one far from every other. Clusters are built on the driver with the default
engine's own code; the test checks that the seam names and joins them as the default engine does.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")

from lockstep.engine import detect as seam_detect
from lockstep.store import open_store
from lockstep.traces import DetectParams, detect
from lockstep.traces.builtin.comedia_near import cluster_roots
from tests.engine_compare import assert_same, snapshot
from tests.engine_world import build_engine_world
from tests.spark_session import spark_or_skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_engine_world(tmp_path_factory.mktemp("media") / "world.duckdb")
    rng = random.Random(3)
    near = (1 << 255) ^ (1 << 7) ^ 3  # 2 bits from burst 3's inline hash (3), so in the inline hashes' cluster
    with open_store(path) as store:
        for ref, value in (("img0.jpg", near), ("img2.jpg", rng.getrandbits(256)), ("img4.jpg", near)):
            store.con.execute("INSERT INTO media_hashes VALUES (?, 'pdq', ?, 100, 'test')", [ref, f"{value:064x}"])
    return path


def _run_both(world: Path, tmp_path: Path, params: DetectParams, **seam: object) -> None:
    for name in ("default", "seam"):
        shutil.copy(world, tmp_path / f"{name}.duckdb")
    with open_store(tmp_path / "default.duckdb") as s:
        detect(s, ["co-media-near"], params)
    with open_store(tmp_path / "seam.duckdb") as s:
        seam_detect(s, ["co-media-near"], params, **seam)
    default = snapshot(tmp_path / "default.duckdb")
    assert default["edges"], "the world must give co-media-near edges"
    assert_same(default, snapshot(tmp_path / "seam.duckdb"))


def test_cluster_roots_name_clusters_by_sorted_position() -> None:
    a, b, far = "0" * 63 + "1", "0" * 63 + "3", "f" * 64
    table = cluster_roots([far, b, a, b]).to_pylist()
    assert table == [
        {"hash": a, "cluster": "pdq-cluster:0"},
        {"hash": b, "cluster": "pdq-cluster:0"},
        {"hash": far, "cluster": "pdq-cluster:2"},
    ]


def test_seam_on_duckdb_matches_default_engine(world: Path, tmp_path: Path) -> None:
    _run_both(world, tmp_path, DetectParams(null_replicates=2, seed=5), engine="duckdb")


def test_spark_matches_default_engine(world: Path, tmp_path: Path) -> None:
    session = spark_or_skip()
    _run_both(world, tmp_path, DetectParams(null_replicates=0), engine="spark", session=session)
