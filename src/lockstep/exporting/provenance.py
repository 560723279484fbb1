"""Provenance attached to every export: tool version, parameters, seeds, input fingerprints, time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from lockstep import __version__
from lockstep.store.store import Store


def provenance(store: Store, **extra: Any) -> dict[str, Any]:
    """What produced the store's results, as a JSON-ready dict."""
    q = store.con.execute
    runs = q("""SELECT trace, arg_max(parameters, started_at), arg_max(run_id, started_at) FROM detect_runs
                GROUP BY trace ORDER BY trace""").fetchall()
    comm = q("SELECT any_value(parameters) FROM communities").fetchone()
    return {
        "tool": "lockstep",
        "tool_version": __version__,
        "exported_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": [
            {"path": p, "sha256": s, "format": f, "rows_read": n}
            for p, s, f, n in q("SELECT path, sha256, format, rows_read FROM sources ORDER BY path").fetchall()
        ],
        "detect_runs": {t: {"run_id": r, "parameters": json.loads(p)} for t, p, r in runs},
        "communities": json.loads(comm[0]) if comm and comm[0] else None,
        **extra,
    }
