"""Readable evidence: the single-file HTML report and its static images."""

from lockstep.reporting.render import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
