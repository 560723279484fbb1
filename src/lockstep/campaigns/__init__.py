"""Campaigns: assembly and ABC(DE) characterisation, DISARM mapping, account cards, seed-and-expand."""

from lockstep.campaigns.assemble import build_campaigns
from lockstep.campaigns.expand import Candidate, Expansion, expand, read_seeds
from lockstep.campaigns.explain import AccountCard, explain, format_card

__all__ = ["AccountCard", "Candidate", "Expansion", "build_campaigns", "expand", "explain", "format_card", "read_seeds"]
