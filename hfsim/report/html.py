"""The self-contained HTML report (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import pandas as pd

from hfsim.config import Config
from hfsim.report import figures
from hfsim.report.i18n import TEXT
from hfsim.results import KPIS


def write_report(
    outdir: Path,
    cfg: Config,
    summary: dict[str, Any],
    kpis: pd.DataFrame,
    timeseries: pd.DataFrame,
    tenancies: pd.DataFrame,
) -> Path:
    """Write ``figures/*.png`` and ``report.html`` into ``outdir``."""
    t = TEXT[cfg.report.language]
    figdir = Path(outdir) / "figures"
    figdir.mkdir(exist_ok=True)
    made = [
        figures.stock_by_state(timeseries, figdir / "stock_by_state.png", t),
        figures.costs_by_payer(timeseries, figdir / "costs_by_payer.png", t),
    ]
    rows = []
    for kpi in KPIS:
        s = summary["kpis"][kpi.key]
        label = t.get(f"kpi_{kpi.key}", kpi.label)
        rows.append(
            f"<tr><td>{html.escape(label)}</td><td>{_fmt(s['mean'])}</td>"
            f"<td>{_fmt(s['ci_low'])} – {_fmt(s['ci_high'])}</td><td>{html.escape(kpi.unit)}</td></tr>"
        )
    images = "".join(
        f'<figure><img alt="{p.stem}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{p.stem}</figcaption></figure>'
        for p in made
    )
    page = f"""<!DOCTYPE html>
<html lang="{cfg.report.language}"><head><meta charset="utf-8">
<title>{html.escape(t["title"])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left}}
img{{max-width:100%}}</style></head><body>
<h1>{html.escape(t["title"])}</h1>
<p>{html.escape(t["scenario"])}: <b>{html.escape(summary["scenario"])}</b> ·
{html.escape(t["municipality"])}: {html.escape(summary["municipality"])} ·
{html.escape(t["regime"])}: {html.escape(summary["regime"])} ·
{summary["replications"]} {html.escape(t["replications"])} · seed {summary["seed"]} · hfsim {summary["version"]}</p>
<h2>{html.escape(t["kpis"])}</h2>
<table><tr><th>KPI</th><th>{t["mean"]}</th><th>95 % CI</th><th>{t["unit"]}</th></tr>{"".join(rows)}</table>
<h2>{html.escape(t["figures"])}</h2>{images}
</body></html>"""
    path = Path(outdir) / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _fmt(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
