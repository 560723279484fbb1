"""The near-duplicate trace gives the same edges, weights and evidence on the seam as on the default engine.

The world is :mod:`tests.engine_world` plus lightly edited copypasta (a word swapped, a hashtag added) posted by
several accounts: within the window, across a time-bucket boundary, further apart than the window, twice by
one account, in Turkish, Greek, Chinese and emoji, with post ids whose text order is not the store's order
(the default engine names a pair of texts by the store's order). The tokenizer shim is compared with the
DuckDB SQL on hostile text, and its Unicode class tables with DuckDB's RE2 on every code point.
"""

from __future__ import annotations

import datetime as dt
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")

import ibis

from lockstep.engine import detect as seam_detect
from lockstep.engine.re2_classes import RANGES
from lockstep.engine.shims import DUCKDB, SPARK
from lockstep.engine.tokens import CLASSES, re2_class_ranges, tokens_like_duckdb
from lockstep.store import open_store
from lockstep.traces import DetectParams, detect
from lockstep.traces.near_duplicates import token_rows_sql
from tests.engine_compare import assert_same, snapshot
from tests.engine_world import _insert, build_engine_world, original_post
from tests.spark_session import spark_or_skip

BASE = "the mayor secretly sold the harbour land to a foreign company last night"
VARIANTS = [
    BASE,
    BASE.replace("secretly", "quietly"),
    BASE + " #harbourgate",
    BASE.replace("last night", "yesterday night"),
    "İstanbul belediyesi limanı gizlice yabancı bir şirkete sattı dün gece",
    "İSTANBUL belediyesi limanı gizlice yabancı bir şirkete sattı dün akşam",
    "ΟΔΟΣ ΣΤΑ ΝΕΑ σήμερα είναι κλειστή για όλους τους οδηγούς",
    "ΟΔΟΣ ΣΤΑ ΝΕΑ σήμερα είναι κλειστή για όλους τους πεζούς",
    "市长 秘密 出售 港口 土地 给 外国 公司 😀👍🏽",
    "市长 秘密 出售 港口 土地 给 外国 公司 😀👍🏿",
]
HOSTILE = [
    *VARIANTS,
    "RT @x: Second HERE!! a-b don't e.g. 3.14 1,000 a.1 foo_bar x:y 'orange'",
    "中文字 カタカナ emoji 😀😀 👍🏽 🇺🇸 ｶﾀｶﾅｰ",
    "tab\there\u00a0nbsp\u2028line\u0085nel\x0bvt\x1cfs ſ \u212a",
    "ǅemal Ǉ ǈ ǋ ϴ ẞ Ω \u0e01\u0e33 \u1c89\u088f \U00016ff2 \U000116d0",
    "@ıab @ſam @\u212aate @a. @b- @.c @_x_ a@b",
    "",
    "   ",
]


def _copypasta() -> list[dict[str, object]]:
    start = dt.datetime(2023, 4, 5, 9, 0, 0)
    rows = []
    for k, text in enumerate(VARIANTS):
        group = k // 2  # two variants of one text per group
        t0 = start + dt.timedelta(hours=group)
        for j in range(3):
            acct = f"nd_{(k + j) % 6}"
            # ids count down so their text order is not the store's order; one post sits past a bucket boundary
            pid = f"nd{99 - 3 * k - j}"
            t = t0 + dt.timedelta(seconds=59 + 7 * j + (k % 2), microseconds=500_000 * (j % 2))
            rows.append(original_post("x", pid, acct, t, text))
    rows.append(
        original_post("x", "nd_far", "nd_far", start + dt.timedelta(minutes=30), VARIANTS[1])
    )  # beyond the window
    rows.append(
        original_post("x", "nd_self", "nd_0", start + dt.timedelta(seconds=61), VARIANTS[1])
    )  # the same account again
    return rows


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_engine_world(tmp_path_factory.mktemp("nd") / "world.duckdb")
    with open_store(path) as store:
        _insert(store, _copypasta(), [])
    return path


def _run_both(world: Path, tmp_path: Path, params: DetectParams, **seam: Any) -> str:
    """Run both engines on copies of ``world``, compare, and return the default engine's note."""
    for name in ("default", "seam"):
        shutil.copy(world, tmp_path / f"{name}.duckdb")
    with open_store(tmp_path / "default.duckdb") as s:
        note = str(detect(s, ["near-duplicate"], params).traces[0].note)
    with open_store(tmp_path / "seam.duckdb") as s:
        seam_detect(s, ["near-duplicate"], params, **seam)
    default = snapshot(tmp_path / "default.duckdb")
    items = {r[4] for r in default["evidence"]}
    assert any("~" in i for i in items), "the world must give verified pairs of two different texts"
    assert any("~" not in i for i in items), "the world must give exact copies"
    assert_same(default, snapshot(tmp_path / "seam.duckdb"))
    return note


def test_seam_on_duckdb_matches_default_engine(world: Path, tmp_path: Path) -> None:
    _run_both(world, tmp_path, DetectParams(null_replicates=2, seed=5), engine="duckdb")


def test_seam_matches_without_a_window_and_with_viral_pairs(world: Path, tmp_path: Path) -> None:
    params = DetectParams(window_s="none", max_item_accounts=6, near_dup_min_tokens=3, null_replicates=0)
    assert "viral text pairs not paired" in _run_both(world, tmp_path, params, engine="duckdb")


def test_capped_buckets_match_when_the_prefix_is_the_whole_text(tmp_path: Path) -> None:
    """Which buckets fill up depends on the token order, except when every token is in the prefix (short texts
    at a low threshold): then the seam skips exactly the default engine's buckets."""
    start = dt.datetime(2023, 4, 5, 9, 0, 0)
    texts = ["red blue green", "red blue gold", "red blue green tea", "red pink", "navy blue green"]
    rows = [
        original_post("x", f"c{i}", f"acct_{i % 4}", start + dt.timedelta(seconds=5 * i), texts[i % 5])
        for i in range(12)
    ]
    with open_store(tmp_path / "cap.duckdb") as store:
        _insert(store, rows, [])
    params = DetectParams(near_dup_threshold=0.2, near_dup_min_tokens=1, near_dup_bucket_cap=3, null_replicates=0)
    note = _run_both(tmp_path / "cap.duckdb", tmp_path, params, engine="duckdb")
    assert "prefix buckets over 3 texts skipped" in note


def test_spark_matches_default_engine(world: Path, tmp_path: Path) -> None:
    session = spark_or_skip()
    _run_both(world, tmp_path, DetectParams(null_replicates=2, seed=5), engine="spark", session=session)


@lru_cache(maxsize=1)
def _con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _duck_tokens(texts: list[str]) -> list[list[str]]:
    con = _con()
    con.execute("CREATE OR REPLACE TABLE t (pid BIGINT, text VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
    out: list[list[str]] = [[] for _ in texts]
    for pid, tok in con.execute(token_rows_sql("SELECT pid, text FROM t")).fetchall():
        out[int(pid)].append(str(tok))
    return [sorted(x) for x in out]


def test_python_tokens_equal_duckdb_sql_on_hostile_text() -> None:
    assert [sorted(tokens_like_duckdb(t)) for t in HOSTILE] == _duck_tokens(HOSTILE)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=20))
def test_python_tokens_equal_duckdb_sql_on_any_text(texts: list[str]) -> None:
    texts = [t.replace("\x00", "") for t in texts]
    assert [sorted(tokens_like_duckdb(t)) for t in texts] == _duck_tokens(texts)


def test_duckdb_shim_tokens_equal_the_sql() -> None:
    t = ibis.memtable({"i": list(range(len(HOSTILE))), "s": HOSTILE})
    rows = ibis.duckdb.connect().to_pyarrow(t.select("i", tok=DUCKDB.cnt_tokens(t.s)).order_by("i")).to_pylist()
    assert [sorted(r["tok"]) for r in rows] == _duck_tokens(HOSTILE)


def test_spark_shim_tokens_equal_the_sql() -> None:
    session = spark_or_skip()
    con = ibis.pyspark.connect(session)
    df = session.createDataFrame([(i, s) for i, s in enumerate(HOSTILE)], "i long, s string")
    df.createOrReplaceTempView("lockstep_nd_tokens")
    table = con.table("lockstep_nd_tokens")
    expr = table.select("i", tok=SPARK.cnt_tokens(table.s)).order_by("i")
    con._run_pre_execute_hooks(expr)
    rows = session.sql(con.compile(expr)).collect()
    assert [sorted(r["tok"]) for r in rows] == _duck_tokens(HOSTILE)


def test_re2_class_tables_equal_duckdb_on_every_code_point() -> None:
    con = duckdb.connect()
    for name in CLASSES:
        assert re2_class_ranges(con, name) == RANGES[name].replace("\n", ""), name
