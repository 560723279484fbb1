"""Exports in the formats the field shares: GEXF/GraphML, CSV/Parquet tables, STIX 2.1; pseudonymisation."""

from lockstep.exporting.graph import build_graph, export_graph
from lockstep.exporting.pseudonym import Pseudonymizer
from lockstep.exporting.stix import build_bundle, export_stix
from lockstep.exporting.tables import export_tables

__all__ = ["Pseudonymizer", "build_bundle", "build_graph", "export_graph", "export_stix", "export_tables"]
