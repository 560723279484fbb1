"""Exports in the formats the field shares: GEXF/GraphML, CSV/Parquet tables, STIX 2.1; pseudonymisation."""

from lockstep.export.graph import build_graph, export_graph
from lockstep.export.pseudonym import Pseudonymizer
from lockstep.export.stix import build_bundle, export_stix
from lockstep.export.tables import export_tables

__all__ = ["Pseudonymizer", "build_bundle", "build_graph", "export_graph", "export_stix", "export_tables"]
