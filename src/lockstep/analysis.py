"""From edges to campaigns in one call: fuse traces, find communities, compute signals, assemble campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lockstep.campaigns.assemble import build_campaigns
from lockstep.network import FusionParams, find_communities, fuse
from lockstep.network.communities import CommunityReport
from lockstep.signals import run_signals
from lockstep.store.store import Store


@dataclass
class AnalysisReport:
    """What :func:`analyze` produced."""

    network_edges: int
    communities: CommunityReport
    signals: dict[str, int]
    campaigns: int

    def summary(self) -> str:
        """One accounting paragraph."""
        c = self.communities
        fired = sum(self.signals.values())
        return (
            f"fused network: {self.network_edges:,} edges among {c.accounts:,} accounts; "
            f"{c.communities:,} communities (largest {c.largest:,}, modularity {c.modularity:.3f}); "
            f"{fired:,} signal rows; {self.campaigns:,} campaigns"
        )


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
    """Run fusion, communities (seeded Leiden), signals (``engine``: see :func:`run_signals`) and campaigns."""
    n = fuse(store, FusionParams(traces=tuple(traces) if traces else None))
    comms = find_communities(store, seed=seed, resolution=resolution)
    sigs = run_signals(store, tz_offset_hours=tz_offset_hours, control=control, **engine)
    camps = build_campaigns(store, min_accounts=min_accounts)
    return AnalysisReport(n, comms, sigs, camps)
