"""The Ibis definition of every ported signal (importing this imports Ibis).

A definition takes the input tables, the engine's shims, the run's :class:`~lockstep.signals.base.SignalContext`
and a ``cache`` (materialise an intermediate result on the engine) and returns its
:class:`~lockstep.engine.signals.common.Part` s.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from lockstep.engine.shims import Shims
from lockstep.engine.signals.activity import batches, dormancy, engagement, volume
from lockstep.engine.signals.calendar import OFFICE_HOURS, UTC_OFFSETS, calendar, office_hours_table, offsets_table
from lockstep.engine.signals.common import Cache, Part, Tables
from lockstep.engine.signals.content import camouflage, language, personas
from lockstep.engine.signals.members import ai_faces, identity_shift
from lockstep.signals.base import SignalContext

SignalFn = Callable[[Tables, Shims, SignalContext, Cache], list[Part]]

#: Signal name -> its Ibis definition (the names are :data:`lockstep.engine.signals.PORTED`).
DEFINITIONS: dict[str, SignalFn] = {
    "ai_faces": ai_faces,
    "batches": batches,
    "calendar": calendar,
    "camouflage": camouflage,
    "dormancy": dormancy,
    "engagement": engagement,
    "identity_shift": identity_shift,
    "language": language,
    "personas": personas,
    "volume": volume,
}

#: Small tables the definitions read besides the store's, made on the driver: name -> its maker.
DRIVER_TABLES: dict[str, Callable[[], pa.Table]] = {
    OFFICE_HOURS: office_hours_table,
    UTC_OFFSETS: offsets_table,
}
