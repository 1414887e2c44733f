"""The short summary ``hfsim run`` and ``hfsim compare`` print, in the report's language.

KPIs are named by their keys (what the CSV files and ``summary.json`` use); values, units,
intervals and the surrounding words follow ``report.language``, with intervals cut to the
possible range as in the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hfsim.report import i18n


def _interval(kpi: str, low: float, high: float, language: str, diff: bool) -> str:
    low, high, informative = i18n.shown_interval(kpi, low, high, diff)
    text = f"[{i18n.format_kpi(kpi, low, language, diff)}, {i18n.format_kpi(kpi, high, language, diff)}]"
    return text if informative else f"{text} ({i18n.text(language)['interval_wide']})"


def comparison_lines(
    comparison: pd.DataFrame,
    pairs: Mapping[str, str],
    kpis: Iterable[str],
    header: Mapping[str, Any],
    language: str,
) -> list[str]:
    """The lines ``hfsim compare`` prints: a header, then per pair each KPI's difference.

    Args:
        comparison: Rows of ``comparison.csv``.
        pairs: Scenario -> its baseline.
        kpis: The KPIs to print.
        header: ``scenarios``, ``municipality`` and ``replications`` for the first line.
        language: ``en`` or ``da``.
    """
    t = i18n.text(language)
    lines = [t["console_compare"].format(**header)]
    rows = comparison.set_index(["scenario", "kpi"])
    for scenario, baseline in pairs.items():
        lines.append(f"  {scenario} − {baseline}:")
        for kpi in kpis:
            r = rows.loc[(scenario, kpi)]
            lines.append(
                f"    {kpi:30s} {i18n.format_kpi(kpi, r['mean'], language):>18s} {t['versus']} "
                f"{i18n.format_kpi(kpi, r['baseline_mean'], language):>18s}   "
                f"{i18n.format_kpi(kpi, r['diff_mean'], language, diff=True):>20s}  "
                + _interval(kpi, r["diff_ci_low"], r["diff_ci_high"], language, diff=True)
            )
    return lines


def run_lines(summary: Mapping[str, Any], kpis: Sequence[str], language: str) -> list[str]:
    """The lines ``hfsim run`` prints: a header, then each KPI's mean and 95 % interval.

    Args:
        summary: The run's ``summary.json`` content.
        kpis: The KPIs to print (those without a value are left out).
        language: ``en`` or ``da``.
    """
    t = i18n.text(language)
    lines = [t["console_run"].format(**summary)]
    for kpi in kpis:
        s = summary["kpis"][kpi]
        if s["mean"] is None or kpi not in i18n.KPI_TEXT[language]:
            continue
        low = float("nan") if s["ci_low"] is None else s["ci_low"]
        high = float("nan") if s["ci_high"] is None else s["ci_high"]
        lines.append(
            f"  {kpi:30s} {i18n.format_kpi(kpi, s['mean'], language):>18s}  "
            + _interval(kpi, low, high, language, diff=False)
        )
    return lines


def written_line(outdir: Path, what: str, language: str) -> str:
    """The closing line: where the outputs are (``what``: ``outputs``, ``comparison`` or
    ``comparison_report``)."""
    return i18n.text(language)[f"console_{what}"].format(outdir=outdir)
