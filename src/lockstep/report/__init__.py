"""Readable evidence: the single-file HTML report and its static images."""

from lockstep.report.render import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
