"""What the driver does with a signal's reduced rows, whichever engine computed them (no Ibis import here).

The engine computes each part of a signal down to a few rows per community or member; the driver gives every
row its JSON ``detail`` (DuckDB's ``json_object`` over the reduced rows, so the text is the same whichever engine
ran) or, for values the driver computes from a few reduced rows, runs a Python *finisher* named by the part
(:data:`FINISHERS`). Finishers are named, not passed as functions, so a compiled plan
(:mod:`lockstep.engine.signals.plans`) can be stored as text and run without building any Ibis expression.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from lockstep.engine import embedded
from lockstep.engine.signals.holidays import holiday_row

#: The columns of ``signals`` every part gives, in the store's order.
SIGNAL_SCHEMA = pa.schema(
    [
        ("scope", pa.string()),
        ("platform", pa.string()),
        ("subject", pa.string()),
        ("signal", pa.string()),
        ("value", pa.float64()),
        ("baseline", pa.float64()),
        ("fired", pa.bool_()),
        ("detail", pa.string()),
    ]
)

#: DuckDB types of :data:`SIGNAL_SCHEMA`.
SIGNAL_TYPES = {
    "scope": "VARCHAR",
    "platform": "VARCHAR",
    "subject": "VARCHAR",
    "signal": "VARCHAR",
    "value": "DOUBLE",
    "baseline": "DOUBLE",
    "fired": "BOOLEAN",
    "detail": "VARCHAR",
}

#: The columns of ``signals`` a part's expression carries (``detail`` is built on the driver).
ROW_COLUMNS = "scope, platform, subject, signal, value, baseline, fired"

#: Finisher name -> function from one reduced row to its finished rows (each with ``detail`` an object).
FINISHERS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "calendar.holiday_ratio": holiday_row,
}


def detail_json(detail: dict[str, Any] | None) -> str | None:
    """Compact JSON, as DuckDB's ``json_object(...)::VARCHAR`` writes it (non-ASCII kept)."""
    return None if detail is None else json.dumps(detail, separators=(",", ":"), ensure_ascii=False)


def finish_sql(detail: str | None, sql: str | None) -> str:
    """The driver's query over a part's reduced rows (relation ``r``): ``sql`` itself, or ``r``'s row columns
    with ``detail`` (a DuckDB expression over ``r``'s columns; none: a NULL detail)."""
    return sql or f"SELECT {ROW_COLUMNS}, {detail or 'NULL'} AS detail FROM r"


def finished_rows(finisher: str, reduced: pa.Table) -> pa.Table:
    """Run the finisher ``finisher`` over every reduced row; the ``signals`` rows, details as JSON text."""
    rows = [r for row in reduced.to_pylist() for r in FINISHERS[finisher](row)]
    for r in rows:
        r["detail"] = detail_json(r["detail"])
    return embedded.arrow_table({c: [r[c] for r in rows] for c in SIGNAL_TYPES}, SIGNAL_TYPES)
