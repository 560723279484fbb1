"""Only the engine package talks to an engine: ``duckdb`` is imported by :mod:`lockstep.engine.embedded` alone,
``pyspark`` by :mod:`lockstep.engine.backends` alone (issue 14: one pipeline, two engines).

Every module of ``src/lockstep`` is parsed (not imported) and each ``import``/``from ... import`` of either
package, at any depth (inside functions too), and each ``import_module("duckdb...")`` is found. There are no
exceptions: every other module reaches DuckDB through :mod:`lockstep.engine.embedded`.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ENGINES = ("duckdb", "pyspark")

#: The one module allowed to import each engine's Python package.
OWNERS = {"duckdb": {"lockstep.engine.embedded"}, "pyspark": {"lockstep.engine.backends"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def engine_imports(source: str) -> set[str]:
    """The engine packages (:data:`ENGINES`) a module's source imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found.update(e for n in names for e in ENGINES if n == e or n.startswith(e + "."))
    return found


@functools.cache
def _imports_by_module() -> dict[str, set[str]]:
    out = {}
    for path in sorted((SRC / "lockstep").rglob("*.py")):
        found = engine_imports(path.read_text(encoding="utf-8"))
        if found:
            out[_module_name(path)] = found
    return out


def test_the_finder_sees_every_form_of_import() -> None:
    source = """
import os
import duckdb
from pyspark.sql import SparkSession
def f():
    import duckdb.sqltypes as t
    return importlib.import_module("pyspark")
from lockstep.engine import embedded
"""
    assert engine_imports(source) == {"duckdb", "pyspark"}
    assert engine_imports("from lockstep.engine import embedded\nimport duckdbx\n") == set()


def test_only_the_engine_package_imports_an_engine() -> None:
    offenders = {
        module: sorted(engines)
        for module, engines in _imports_by_module().items()
        if any(module not in OWNERS[e] for e in engines)
    }
    assert not offenders, (
        f"import the engine through lockstep.engine.embedded (DuckDB) or lockstep.engine.backends: {offenders}"
    )


def test_each_engine_has_its_owner() -> None:
    imports = _imports_by_module()
    for engine, owners in OWNERS.items():
        for owner in owners:
            assert engine in imports.get(owner, set()), (owner, engine)
