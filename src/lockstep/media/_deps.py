"""Optional imports with a clear message when the extra is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from lockstep.errors import MissingExtraError


def need(module: str, feature: str, extra: str = "media") -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``lockstep[extra]``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(feature, extra, module) from exc
