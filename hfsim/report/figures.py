"""The figures of a run (matplotlib, colour-blind-safe palette, labelled axes with units)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STATES = ["rough_sleeping", "sofa_surfing", "shelter", "transitional", "housed"]


def _national(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Sum over municipalities; mean over replications (per scenario, step, metric)."""
    by_rep = timeseries.groupby(["scenario", "replication", "step", "metric"], as_index=False)[
        "value"
    ].sum()
    return by_rep


def stock_by_state(timeseries: pd.DataFrame, path: Path, t: dict[str, str]) -> Path:
    """Stacked mean count per state over time."""
    data = _national(timeseries)
    data = data[data.metric.isin(STATES)]
    mean = data.groupby(["step", "metric"])["value"].mean().unstack("metric")[STATES]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    years = mean.index / 52.0
    ax.stackplot(years, mean.T.values, labels=[t[s] for s in STATES], colors=PALETTE[: len(STATES)])
    ax.set_xlabel(t["years_since_start"])
    ax.set_ylabel(t["persons"])
    ax.set_title(t["fig_stock"])
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def costs_by_payer(timeseries: pd.DataFrame, path: Path, t: dict[str, str]) -> Path:
    """Yearly public cost per category, split between municipality and state."""
    data = _national(timeseries)
    data = data[data.metric.str.startswith("cost_")]
    data = data.assign(year=(data.step - 1).clip(lower=0) // 52)
    per_year = (
        data.groupby(["replication", "year", "metric"])["value"]
        .sum()
        .groupby(["year", "metric"])
        .mean()
    )
    table = per_year.unstack("metric").fillna(0.0) / 1e6
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bottom = None
    for i, column in enumerate(sorted(table.columns)):
        if table[column].abs().sum() == 0:
            continue
        ax.bar(
            table.index,
            table[column],
            bottom=bottom,
            label=column.removeprefix("cost_").removesuffix("_dkk"),
            color=PALETTE[i % len(PALETTE)],
        )
        bottom = table[column] if bottom is None else bottom + table[column]
    ax.set_xlabel(t["year"])
    ax.set_ylabel(t["mio_dkk"])
    ax.set_title(t["fig_costs"])
    ax.legend(fontsize=7, frameon=False, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
