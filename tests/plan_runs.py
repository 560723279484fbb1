"""Run a script on a copy of a store twice in fresh processes, with a plan cache that starts empty: the first run
compiles (cold), the second reads the plans back (warm). For the tests that a warm run imports no Ibis."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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
