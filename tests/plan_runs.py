"""Run a script on a copy of a store twice in fresh processes, with a plan cache that starts empty: the first run
compiles (cold), the second reads the plans back (warm). For the tests that a warm run imports no Ibis."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lockstep.engine import plan_cache

SRC = str(Path(__file__).resolve().parent.parent / "src")


def cold_then_warm(world: Path, tmp_path: Path, cache_root: Path, script: str) -> list[object]:
    """What ``script`` prints as JSON on its last line, run with the store copy's path as ``sys.argv[1]``, first
    on ``cold.duckdb`` then on ``warm.duckdb`` (both copies of ``world`` in ``tmp_path``), with
    ``LOCKSTEP_CACHE_DIR=cache_root`` and this checkout's ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": SRC, "LOCKSTEP_CACHE_DIR": str(cache_root)}
    seen = []
    for name in ("cold", "warm"):
        path = tmp_path / f"{name}.duckdb"
        shutil.copy(world, path)
        out = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        seen.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return seen


def empty_plan_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> Path:
    """Point the plan cache at an empty folder under ``tmp_path`` and forget the plans kept in this process;
    the folder where plans of ``kind`` will be written."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("LOCKSTEP_CACHE_DIR", str(folder))
    plan_cache.forget()
    return folder / kind
