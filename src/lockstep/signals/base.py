"""The inauthenticity-signal interface and registry.

Coordination (the traces) and inauthenticity (these signals) are reported separately: fans, newsrooms and
activists coordinate too. A signal measures one account or community property against the population
baseline (every account in the store, or a control set when one is given), writes rows to ``signals``
(``scope`` = ``account`` or ``community``, ``value``, ``baseline``, ``fired``, a JSON ``detail``), and names
the DISARM techniques it evidences. A new signal is one module with one ``register(...)`` line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lockstep.engine import embedded
from lockstep.errors import InputError


@dataclass(frozen=True)
class SignalContext:
    """Parameters shared by every signal of a run.

    ``tz_offset_hours`` is the candidate time zone for schedule fingerprints (UTC+8 for Beijing);
    ``control`` is a temp table name of (platform, account_id) controls, or ``None`` for the population.
    """

    tz_offset_hours: float = 8.0
    control: str | None = None


@dataclass(frozen=True)
class Signal:
    """One inauthenticity signal."""

    name: str
    description: str
    reference: str
    compute: Callable[[embedded.Connection, SignalContext], None]
    disarm: tuple[str, ...] = field(default_factory=tuple)
    #: Per sub-signal techniques (``"language.entropy": ()``) where they differ from ``disarm``.
    disarm_map: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def techniques_for(self, row_signal: str) -> tuple[str, ...]:
        """DISARM ids evidenced when the row ``row_signal`` (e.g. ``personas.digit_handles``) fires."""
        return self.disarm_map.get(row_signal, self.disarm)


SIGNALS: dict[str, Signal] = {}


def register(signal: Signal) -> Signal:
    """Add ``signal`` to the registry."""
    SIGNALS[signal.name] = signal
    return signal


def get_signal(name: str) -> Signal:
    """The signal called ``name``."""
    try:
        return SIGNALS[name]
    except KeyError:
        raise InputError(f"unknown signal {name!r}; signals are: {', '.join(sorted(SIGNALS))}") from None


def engine_compute(name: str) -> Callable[[embedded.Connection, SignalContext], None]:
    """``compute`` of a signal written once in Ibis (:mod:`lockstep.engine.signals`): runs on ``con`` itself."""

    def compute(con: embedded.Connection, ctx: SignalContext) -> None:
        from lockstep.engine.signals import compute_on_connection

        compute_on_connection(con, name, ctx)

    compute.__doc__ = f"Write the ``{name}`` rows through the engine seam (:mod:`lockstep.engine.signals`)."
    return compute


def baseline_accounts(ctx: SignalContext) -> str:
    """SQL relation of the accounts that form the baseline (controls, or every posting account)."""
    if ctx.control:
        return f"(SELECT platform, account_id FROM {ctx.control})"
    return "(SELECT DISTINCT platform, account_id FROM posts)"


def insert_rows(con: embedded.Connection, select_sql: str, params: list[Any] | None = None) -> None:
    """Insert ``(scope, platform, subject, signal, value, baseline, fired, detail)`` rows into ``signals``."""
    con.execute(
        f"INSERT INTO signals BY NAME SELECT * REPLACE (coalesce(fired, false) AS fired) FROM ({select_sql})",
        params or [],
    )
