"""Figures, tables and the self-contained HTML report of a run or a comparison (en, da)."""

from hfsim.report.html import ReportInput, render_report, write_report

__all__ = ["ReportInput", "render_report", "write_report"]
