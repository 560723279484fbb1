"""The public API: ``lockstep.detect``, ``analyze``, ``campaigns``, ``accounts``, ``report``, ``export``, ...

The CLI is a thin layer over these functions, so the tests here drive the whole pipeline through the names a
notebook user types, check the stage guards, and check that the CLI holds no SQL.
"""

from __future__ import annotations

import ast
import csv
import json
import pkgutil
from pathlib import Path

import pytest

import lockstep
from lockstep.errors import InputError, StoreStateError

from .worlds import COLUMNS, OPS, world

CLI = Path(lockstep.__file__).parent / "cli"


def _world_csv(tmp_path: Path) -> Path:
    src = tmp_path / "world.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for i, r in enumerate(world()):
            w.writerow({"post_id": str(i + 1), **r})
    return src


def test_every_public_name_resolves_and_no_subpackage_shadows_it() -> None:
    """Importing a submodule sets it as an attribute of the package: no public name may share a module's name."""
    for name in lockstep.__all__:
        assert getattr(lockstep, name) is not None, name
    submodules = {m.name for m in pkgutil.iter_modules(lockstep.__path__)}
    assert not (set(lockstep.__all__) & submodules), "a public function is shadowed by a submodule"
    with pytest.raises(AttributeError):
        _ = lockstep.no_such_function  # type: ignore[attr-defined]


def test_the_pipeline_through_the_public_api(tmp_path: Path) -> None:
    mapping = {c: c for c in COLUMNS if c != "handle"} | {"handle": "handle", "platform": "x"}
    with lockstep.open_store(tmp_path / "case.duckdb") as store:
        lockstep.ingest(store, [_world_csv(tmp_path)], format="generic", mapping=mapping)
        found = lockstep.detect(
            store, ["co-retweet", "co-hashtag", "reactivation"], lockstep.DetectParams(null_replicates=5, seed=1)
        )
        assert {t.trace for t in found.traces} == {"co-retweet", "co-hashtag", "reactivation"}
        analysis = lockstep.analyze(store, seed=3, tz_offset_hours=8)
        camps = lockstep.list_campaigns(store)
        assert len(camps) == analysis.campaigns >= 1
        assert [c.rank for c in camps] == list(range(1, len(camps) + 1))
        op = next(c for c in camps if set(OPS) & set(c.summary["actors"]["top_accounts"]))
        assert "calendar.office_share" in op.fired_signals
        assert op.techniques and all(t.startswith("T0") for t in op.techniques)
        assert lockstep.list_campaigns(store, limit=1) == camps[:1]

        ranked = lockstep.list_accounts(store, campaign=op.rank)
        assert set(OPS) <= {a.account_id for a in ranked}
        assert all(a.campaign == op.rank for a in ranked)

        card = lockstep.explain(store, OPS[0])
        assert card.account_id == OPS[0]

        result = lockstep.report(store, tmp_path / "r.html", assets=False)
        assert result.path.exists() and result.pdf is None and result.campaigns == len(camps)

        (bundle,) = lockstep.export(store, "stix", tmp_path / "b.json", campaign=op.rank, pseudonym_key="k" * 12)
        text = bundle.read_text(encoding="utf-8")
        assert json.loads(text)["type"] == "bundle"
        assert not any(a in text for a in OPS)
        tables = lockstep.export(store, "csv", tmp_path / "tables")
        assert {p.name for p in tables} >= {"accounts.csv", "campaigns.csv", "evidence.csv"}
        with pytest.raises(InputError, match="--campaign applies to"):
            lockstep.export(store, "parquet", tmp_path / "t2", campaign=op.rank)
        with pytest.raises(InputError, match="choose one of"):
            lockstep.export(store, "xlsx", tmp_path / "x")
        with pytest.raises(InputError, match="html or pdf"):
            lockstep.report(store, tmp_path / "r.doc", fmt="doc")

        assert lockstep.find_accounts(store, [OPS[0], "nobody"]) == [("x", OPS[0])]


def test_stage_guards_name_the_next_step(tmp_path: Path) -> None:
    with lockstep.open_store(tmp_path / "empty.duckdb") as store:
        with pytest.raises(StoreStateError, match="lockstep ingest"):
            lockstep.detect(store)
        with pytest.raises(StoreStateError):
            lockstep.analyze(store)
        with pytest.raises(StoreStateError):
            lockstep.list_campaigns(store)
        with pytest.raises(StoreStateError):
            lockstep.report(store, tmp_path / "r.html")
    mapping = {c: c for c in COLUMNS if c != "handle"} | {"handle": "handle", "platform": "x"}
    with lockstep.open_store(tmp_path / "ingested.duckdb") as store:
        lockstep.ingest(store, [_world_csv(tmp_path)], format="generic", mapping=mapping)
        with pytest.raises(StoreStateError, match="lockstep detect"):
            lockstep.analyze(store)


def test_the_cli_holds_no_sql_and_the_library_never_imports_the_cli() -> None:
    """Commands call library functions; SQL and connection use live in the library."""
    for path in sorted(CLI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("con", "execute", "sql"), f"{path.name}:{node.lineno} uses .{node.attr}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.lstrip().upper().startswith(("SELECT ", "WITH ", "INSERT ", "UPDATE ")), (
                    f"{path.name}:{node.lineno} holds SQL"
                )
    package = Path(lockstep.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if CLI in path.parents or path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("lockstep.cli"), f"{path} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("lockstep.cli") for a in node.names), f"{path} imports the CLI"
