"""Every module of the package imports on its own, first, in a clean interpreter: no import cycles.

A cycle only shows when the module in the middle of it is the first one imported (``tests/test_normalize.py``
run alone once failed this way while the whole suite passed), so each module is imported first in turn, with
the package's other modules removed from ``sys.modules`` in between.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import lockstep

PROBE = """
import importlib, json, sys
failures = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "lockstep" or m.startswith("lockstep.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:  # report every module that fails, not only the first
        failures[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failures))
"""


def _modules() -> list[str]:
    names = [lockstep.__name__]
    for info in pkgutil.walk_packages(lockstep.__path__, prefix="lockstep."):
        if info.name.endswith("__main__"):
            continue  # runs the CLI when imported
        names.append(info.name)
    return names


def test_each_module_imports_first_without_a_cycle() -> None:
    names = _modules()
    assert "lockstep.normalize.languages" in names and "lockstep.readers.tabular" in names
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(names)], capture_output=True, text=True, timeout=600, check=True
    )
    failures = json.loads(done.stdout.strip().splitlines()[-1])
    assert failures == {}
