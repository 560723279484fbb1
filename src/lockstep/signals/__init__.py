"""Inauthenticity signals, one module each; importing this package registers them."""

from lockstep.signals import (  # noqa: F401  (registration)
    ai_faces,
    batches,
    calendar,
    camouflage,
    dormancy,
    engagement,
    identity_shift,
    language,
    personas,
    volume,
)
from lockstep.signals.base import SIGNALS, Signal, SignalContext, get_signal, register
from lockstep.signals.run import run_signals

__all__ = ["SIGNALS", "Signal", "SignalContext", "get_signal", "register", "run_signals"]
