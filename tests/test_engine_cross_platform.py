"""The cross-platform exact traces give the same edges, weights and evidence on the seam as on the default engine.

The world is the three-platform operation of :mod:`tests.test_cross_platform` (Telegram, Bluesky and X personas
posting the same texts, URLs and images within minutes, sixty organic accounts around them) plus rows that
exercise the cross-platform rules: a copy on the *same* platform inside the window (such pairs are dropped), a
rare text and URL shared across platforms two hours apart, twice (a rare pair beyond the 600 s window, kept: the
rarity guard wants a second shared item before it keeps a co-action beyond the window), and the same on one
platform (dropped). On a store holding one platform the traces run no actions on either engine.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")

from lockstep import ingest
from lockstep.engine import detect as seam_detect
from lockstep.store import open_store
from lockstep.traces import TRACES, DetectParams, detect
from tests.engine_compare import assert_same, snapshot
from tests.engine_world import _insert, build_engine_world, original_post
from tests.spark_session import spark_or_skip
from tests.test_cross_platform import NARRATIVES, START, TELEGRAM_MAP, _plant

CROSS = sorted(n for n, t in TRACES.items() if t.cross_platform and t.seam_actions is not None)
RARE_TEXT = "A very specific rumour about the harbour master and a second yacht moored at night"
RARE_URL = "https://harbour-files.example.org/yacht"
RARE_TEXT_2 = "Ask the harbour master who paid for the second mooring and why the logbook page is missing"
RARE_URL_2 = "https://harbour-files.example.org/logbook"


def _extra_rows() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    posts = [
        # a copy on the operation's own platform, within the window: only its cross-platform pairs count
        original_post(
            "telegram", "xp1", "tg_copycat", START + dt.timedelta(minutes=31), NARRATIVES[0], ["photos/copy.jpg"]
        ),
        # a rare text, URL and image across platforms two hours apart (beyond 600 s, within the one-day horizon)
        original_post("telegram", "xp2", "tg_late", START + dt.timedelta(days=1), RARE_TEXT, ["sha256:rare"]),
        original_post("twitter", "xp3", "x_late", START + dt.timedelta(days=1, hours=2), RARE_TEXT, ["sha256:rare"]),
        # ... and a second rare text and URL by the same two accounts, so the pair is corroborated
        original_post("telegram", "xp6", "tg_late", START + dt.timedelta(days=1, hours=3), RARE_TEXT_2, []),
        original_post("twitter", "xp7", "x_late", START + dt.timedelta(days=1, hours=5), RARE_TEXT_2, []),
        # the same on one platform only: never linked
        original_post(
            "bluesky", "xp4", "did:plc:lone1", START + dt.timedelta(days=1, hours=5), RARE_TEXT + " again", []
        ),
        original_post(
            "bluesky", "xp5", "did:plc:lone2", START + dt.timedelta(days=1, hours=6), RARE_TEXT + " again", []
        ),
    ]
    urls = [
        {"platform": "telegram", "post_id": "xp2", "position": 0, "url": RARE_URL, "domain": "example.org"},
        {"platform": "twitter", "post_id": "xp3", "position": 0, "url": RARE_URL, "domain": "example.org"},
        {"platform": "telegram", "post_id": "xp6", "position": 0, "url": RARE_URL_2, "domain": "example.org"},
        {"platform": "twitter", "post_id": "xp7", "position": 0, "url": RARE_URL_2, "domain": "example.org"},
    ]
    return posts, urls


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("xp")
    path = tmp / "world.duckdb"
    tg_path, bs_path, x_path = _plant(tmp)
    with open_store(path) as store:
        ingest(store, [tg_path], format="generic", mapping=TELEGRAM_MAP)
        ingest(store, [bs_path, x_path])
        for i in range(len(NARRATIVES)):
            pdq = f"{i + 1:x}" * 64
            for ref in (
                f"photos/photo_{i + 1}@06-05-2024_09-00-00.jpg",
                f"https://pbs.twimg.com/media/GN{i + 1}xYz.jpg",
            ):
                store.con.execute("INSERT INTO media_hashes VALUES (?, 'pdq', ?, 100, 'test')", [ref, pdq[:64]])
        store.con.execute("INSERT INTO media_hashes VALUES ('photos/copy.jpg', 'pdq', ?, 100, 'test')", ["1" * 64])
        _insert(store, *_extra_rows())
    return path


def _run_both(world: Path, tmp_path: Path, params: DetectParams, *, expect_edges: bool, **seam: Any) -> None:
    for name in ("default", "seam"):
        shutil.copy(world, tmp_path / f"{name}.duckdb")
    with open_store(tmp_path / "default.duckdb") as s:
        detect(s, CROSS, params)
    with open_store(tmp_path / "seam.duckdb") as s:
        seam_detect(s, CROSS, params, **seam)
    default = snapshot(tmp_path / "default.duckdb")
    if expect_edges:
        for trace in CROSS:
            assert any(r[0] == trace for r in default["edges"]), f"{trace}: no edges in the test world"
        items = {r[4] for r in default["evidence"]}
        assert any(i.startswith("pdq:") for i in items), "the media trace must link by PDQ hash"
        gaps = [r[-1] for r in default["evidence"]]
        assert max(gaps) > 600, "a rare pair beyond the window must be in the evidence"
        for r in default["evidence"]:
            assert r[2].split(":")[0] != r[3].split(":")[0], r  # never two accounts of one platform
    else:
        assert not default["edges"] and all(r[1] == 0 for r in default["runs"])
    assert_same(default, snapshot(tmp_path / "seam.duckdb"))


def test_cross_platform_traces_are_ported() -> None:
    assert CROSS == ["cross-platform-media", "cross-platform-text", "cross-platform-url"]
    assert TRACES["cross-platform-media"].seam_inputs == ("posts", "media_hashes")


def test_seam_on_duckdb_matches_default_engine_across_platforms(world: Path, tmp_path: Path) -> None:
    _run_both(world, tmp_path, DetectParams(null_replicates=3, seed=7), expect_edges=True, engine="duckdb")


def test_spark_matches_default_engine_across_platforms(world: Path, tmp_path: Path) -> None:
    session = spark_or_skip()
    params = DetectParams(null_replicates=3, seed=7)
    _run_both(world, tmp_path, params, expect_edges=True, engine="spark", session=session)


def test_one_platform_store_gives_no_actions_on_either_engine(tmp_path: Path) -> None:
    one = build_engine_world(tmp_path / "one.duckdb")
    _run_both(one, tmp_path, DetectParams(null_replicates=0), expect_edges=False, engine="duckdb")
