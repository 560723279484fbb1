"""The fused account network: traces -> one multiplex graph -> scores and communities."""

from lockstep.network.communities import CommunityReport, find_communities
from lockstep.network.fusion import FusionParams, fuse

__all__ = ["CommunityReport", "FusionParams", "find_communities", "fuse"]
