"""Compiled SQL "plans" kept in the process and on disk, for every definition written once in Ibis.

Ibis definitions (signals, a trace's actions, the co-action steps) are compiled to DuckDB SQL for the default
engine. Importing Ibis and compiling costs seconds, and the SQL depends only on the code, the versions of Ibis,
sqlglot and DuckDB, the schemas read and the definition's parameters; so compiled plans are kept: in this
process, and as one JSON file per key in a cache folder, so a later run with the same key imports no Ibis.

:func:`cached` is the one place that reads and writes the cache; each kind of plan (``signal-plans``,
``trace-plans``, ...) has its own sub-folder and builds its own key with :func:`plan_key`, which always hashes
the source of the definitions (:func:`source_digest`) and the library versions (:func:`library_versions`), so a
changed definition or library is a new key and a stale plan is never read.

Cache folder: ``$LOCKSTEP_CACHE_DIR`` (``off``: no disk cache), else ``$XDG_CACHE_HOME/lockstep``, else
``~/.cache/lockstep``; files are written atomically; an unreadable or unwritable cache only costs a compile.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from lockstep.engine import embedded

T = TypeVar("T")

#: Packages whose source the compiled SQL depends on (definitions, shims, thresholds, normalisation).
SOURCE_PACKAGES = ("engine", "signals", "traces", "normalize")

_MEMORY: dict[tuple[str, str], Any] = {}


def cached(kind: str, key: str, *, load: Callable[[str], T], dump: Callable[[T], str], build: Callable[[], T]) -> T:
    """The plan of ``kind`` named ``key``: from this process, the cache folder (``load`` of the file's text;
    a ``ValueError`` from it means unusable), or ``build()`` now, then kept in both (``dump`` gives the text)."""
    hit = _MEMORY.get((kind, key))
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    folder = cache_folder(kind)
    path = folder / f"{key}.json" if folder is not None else None
    plan: T | None = None
    if path is not None:
        try:
            plan = load(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            plan = None
    if plan is None:
        plan = build()
        if path is not None:
            write_atomically(path, dump(plan))
    _MEMORY[(kind, key)] = plan
    return plan


def table_schema(con: embedded.Connection, table: str) -> list[tuple[str, str]]:
    """``(column, DuckDB type)`` of a table or view on ``con``, in order, as ``DESCRIBE`` gives them (what a plan's
    key records of each table its SQL reads)."""
    quoted = '"' + table.replace('"', '""') + '"'
    return [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {quoted}").fetchall()]


def forget(kind: str | None = None) -> None:
    """Drop the plans kept in this process (of ``kind``, or all); the cache folder is untouched."""
    for k in [k for k in _MEMORY if kind is None or k[0] == kind]:
        del _MEMORY[k]


def plan_key(what: dict[str, Any]) -> str:
    """The hash naming a plan: ``what`` (the definition's name, parameters and schemas) with the code digest
    and the library versions."""
    full = {**what, "code": source_digest(), "versions": library_versions()}
    return hashlib.sha256(json.dumps(full, sort_keys=True, default=repr).encode()).hexdigest()[:40]


@lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 of the source of the packages the compiled SQL depends on (:data:`SOURCE_PACKAGES`)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(p for pkg in SOURCE_PACKAGES for p in (root / pkg).rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Versions of the libraries the compiled SQL depends on (read from package metadata: no import)."""
    out = {"duckdb": embedded.VERSION}
    for dist in ("ibis-framework", "sqlglot"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def cache_folder(kind: str) -> Path | None:
    """Where plans of ``kind`` are kept (module docstring), or ``None`` when ``LOCKSTEP_CACHE_DIR=off``."""
    env = os.environ.get("LOCKSTEP_CACHE_DIR")
    if env is not None and env.strip().lower() == "off":
        return None
    if env:
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "lockstep"
    return base / kind


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file and a rename; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".plan-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
