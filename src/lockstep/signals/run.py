"""Run every (or some) signal over the current communities."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from lockstep.signals.base import SIGNALS, SignalContext, get_signal
from lockstep.store.store import Store


def run_signals(
    store: Store,
    names: Sequence[str] | None = None,
    *,
    tz_offset_hours: float = 8.0,
    control: Sequence[tuple[str, str]] | None = None,
) -> dict[str, int]:
    """Recompute signals (default: all) into ``signals``; return rows written per signal.

    ``control`` lists (platform, account_id) pairs forming the baseline instead of the whole population.
    """
    chosen = [get_signal(n) for n in (names or sorted(SIGNALS))]
    counts: dict[str, int] = {}
    with store.transaction() as con:
        ctx = SignalContext(tz_offset_hours=tz_offset_hours)
        if control:
            con.register(
                "_control", pa.table({"platform": [p for p, _ in control], "account_id": [a for _, a in control]})
            )
            con.execute("CREATE OR REPLACE TEMP TABLE signal_control AS SELECT * FROM _control")
            con.unregister("_control")
            ctx = SignalContext(tz_offset_hours=tz_offset_hours, control="signal_control")
        for sig in chosen:
            con.execute("DELETE FROM signals WHERE signal = ? OR starts_with(signal, ?)", [sig.name, sig.name + "."])
            before = con.execute("SELECT count(*) FROM signals").fetchone()
            sig.compute(con, ctx)
            after = con.execute("SELECT count(*) FROM signals").fetchone()
            counts[sig.name] = int((after[0] if after else 0) - (before[0] if before else 0))
        con.execute("DROP TABLE IF EXISTS signal_control")
    return counts
