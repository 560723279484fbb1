"""From edges to campaigns in one call: fuse traces, find communities, compute signals, assemble campaigns."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lockstep.campaigns.assemble import TermBackground, assemble_campaigns
from lockstep.network import FusionParams, find_communities, fuse
from lockstep.network.communities import CommunityReport
from lockstep.signals import run_signals
from lockstep.store.store import Store


@dataclass
class AnalysisReport:
    """What :func:`analyze` produced, and how long each step took (``seconds``: fuse, communities, signals,
    campaigns)."""

    network_edges: int
    communities: CommunityReport
    signals: dict[str, int]
    campaigns: int
    seconds: dict[str, float] = field(default_factory=dict)
    term_background: TermBackground | None = None

    def summary(self) -> str:
        """One accounting paragraph."""
        c = self.communities
        fired = sum(self.signals.values())
        text = (
            f"fused network: {self.network_edges:,} edges among {c.accounts:,} accounts; "
            f"{c.communities:,} communities (largest {c.largest:,}, modularity {c.modularity:.3f}); "
            f"{fired:,} signal rows; {self.campaigns:,} campaigns"
        )
        bg = self.term_background
        if bg is not None and not bg.exact:
            text += (
                f"; top terms scored against a sample of {bg.sampled:,} of the {bg.posts:,} original posts "
                f"outside campaigns (seed {bg.seed})"
            )
        if self.seconds:
            text += " (" + ", ".join(f"{step} {s:.1f} s" for step, s in self.seconds.items()) + ")"
        return text


def analyze(
    store: Store,
    *,
    seed: int = 0,
    traces: Sequence[str] | None = None,
    tz_offset_hours: float = 8.0,
    min_accounts: int = 3,
    resolution: float = 1.0,
    control: Sequence[tuple[str, str]] | None = None,
    **engine: Any,
) -> AnalysisReport:
    """Run fusion, communities (seeded Leiden), signals and campaign assembly over the stored edges.

    ``seed`` seeds Leiden and the sample that top terms are scored against in stores too big to count whole
    (:func:`lockstep.campaigns.assemble.assemble_campaigns`); ``engine`` chooses where the signals run (see
    :func:`lockstep.signals.run_signals`).
    """
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    n = fuse(store, FusionParams(traces=tuple(traces) if traces else None))
    seconds["fuse"], t = time.perf_counter() - t, time.perf_counter()
    comms = find_communities(store, seed=seed, resolution=resolution)
    seconds["communities"], t = time.perf_counter() - t, time.perf_counter()
    sigs = run_signals(store, tz_offset_hours=tz_offset_hours, control=control, **engine)
    seconds["signals"], t = time.perf_counter() - t, time.perf_counter()
    camps = assemble_campaigns(store, min_accounts=min_accounts, seed=seed)
    seconds["campaigns"] = time.perf_counter() - t
    return AnalysisReport(n, comms, sigs, camps.campaigns, seconds, camps.term_background)
