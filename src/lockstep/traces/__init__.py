"""Coordination traces: co-action edges between accounts, each with the evidence that made it.

Importing this package registers every built-in trace.
"""

from lockstep.traces import builtin  # noqa: F401  (registration)
from lockstep.traces.base import TRACES, Trace, get_trace, register, traces_where
from lockstep.traces.engine import DetectParams, DetectReport, TraceReport, detect, estimate_window, sensitivity

__all__ = [
    "TRACES",
    "DetectParams",
    "DetectReport",
    "Trace",
    "TraceReport",
    "detect",
    "estimate_window",
    "get_trace",
    "register",
    "sensitivity",
    "traces_where",
]
