"""The report's figures: one function per figure, each drawing every scenario.

All figures use the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), label their axes with units and mark the warm-up. Time series are fan charts:
the mean over replications, shaded with the spread of single replications (10-90 % and
25-75 %); curves that estimate one quantity (waiting times, tenancy survival) show the
95 % confidence band of the mean instead. A run is the one-scenario case of a
comparison, so ``hfsim run`` and ``hfsim compare`` draw the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from hfsim.ledger import CATEGORIES, PAYERS  # noqa: E402
from hfsim.outputs import make_dir, replacing  # noqa: E402
from hfsim.report import i18n  # noqa: E402
from hfsim.report.stats import kaplan_meier_curve, mean_band, spread_band  # noqa: E402
from hfsim.results import BREAKDOWN_CAUSES  # noqa: E402

# Okabe-Ito: scenario lines (yellow last: it is faint on white)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]
STATE_COLOURS = {
    "rough_sleeping": "#D55E00",
    "sofa_surfing": "#E69F00",
    "shelter": "#56B4E9",
    "transitional": "#CC79A7",
    "housed": "#009E73",
}
# line styles too, so scenarios stay apart in grey print and where lines coincide
LINESTYLES = ["-", "--", "-.", (0, (3, 1, 1, 1, 1, 1)), ":"]
CAPACITY_STYLE = {"ls": (0, (6, 3)), "lw": 1.1}
CATEGORY_COLOURS = dict(zip(CATEGORIES, PALETTE, strict=False))
STATES = tuple(STATE_COLOURS)
HOMELESS_STATES = STATES[:4]
WEEKS_PER_YEAR = 52.0
DAYS_PER_MONTH = 365.25 / 12
DPI = 110


@dataclass
class FigureData:
    """What the figures draw, for one or more scenarios run on the same seeds.

    Args:
        scenarios: Scenario names in display order.
        labels: Scenario -> the name shown in legends.
        timeseries: Tidy rows: scenario, replication, step, municipality, metric, value.
        tenancies: One row per tenancy (``hfsim.results.tenancy_table``) plus scenario and
            replication.
        kpis: One row per scenario and replication, one column per KPI.
        warmup_weeks: Length of the warm-up.
        support_capacity: Scenario -> client places over all support teams.
        language: ``en`` or ``da``.
        comparison: Rows of ``comparison.csv`` (None for a single run).
        headline: KPIs for the differences figure.
    """

    scenarios: list[str]
    labels: dict[str, str]
    timeseries: pd.DataFrame
    tenancies: pd.DataFrame
    kpis: pd.DataFrame
    warmup_weeks: int
    support_capacity: dict[str, float]
    language: str = "en"
    comparison: pd.DataFrame | None = None
    headline: list[str] = field(default_factory=list)

    @property
    def t(self) -> dict[str, str]:
        return i18n.text(self.language)

    @property
    def replications(self) -> int:
        return int(self.kpis.groupby("scenario")["replication"].nunique().min())

    def colour(self, scenario: str) -> str:
        return PALETTE[self.scenarios.index(scenario) % len(PALETTE)]

    def linestyle(self, scenario: str) -> str | tuple:
        return LINESTYLES[self.scenarios.index(scenario) % len(LINESTYLES)]


@dataclass(frozen=True)
class Figure:
    """A drawn figure and the texts the report shows with it."""

    path: Path
    title: str
    caption: str
    how_to_read: str


# ---------------------------------------------------------------------------------------
# Data preparation
# ---------------------------------------------------------------------------------------
def national(timeseries: pd.DataFrame, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Sum the metrics over municipalities (trust: mean), per scenario, replication and step."""
    rows = timeseries[timeseries.metric.isin(metrics)].dropna(subset=["value"])
    keys = ["scenario", "replication", "step", "metric"]
    summed = rows[rows.metric != "landlord_trust"].groupby(keys, as_index=False)["value"].sum()
    trust = rows[rows.metric == "landlord_trust"].groupby(keys, as_index=False)["value"].mean()
    return pd.concat([summed, trust], ignore_index=True)


def _years(step: pd.Series | np.ndarray, warmup_weeks: int) -> np.ndarray:
    return (np.asarray(step, dtype=float) - warmup_weeks) / WEEKS_PER_YEAR


def days_to_housing(tenancies: pd.DataFrame, warmup_weeks: int) -> pd.DataFrame | None:
    """Days from the start of the homelessness spell to move-in, per tenancy after warm-up.

    Needs the tenancy table's ``spell_start_week`` column; returns None without it.
    """
    if "spell_start_week" not in tenancies.columns:
        return None
    moved = tenancies[tenancies.start_week > warmup_weeks]
    days = (moved.start_week - moved.spell_start_week) * 7.0
    return moved[["scenario", "replication"]].assign(days=days.to_numpy())


# ---------------------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------------------
def _new(ncols: int = 1, nrows: int = 1, width: float = 9.0, height: float = 4.2, **kw):
    return plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, **kw)


def _save(fig: plt.Figure, path: Path, rect: tuple[float, ...] = (0, 0, 1, 1)) -> Path:
    fig.tight_layout(rect=rect)
    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=DPI, bbox_inches="tight", pad_inches=0.1)  # never cut a label
    plt.close(fig)
    return path


def _finish(fig: plt.Figure, path: Path, note: str = "", right: float = 1.0) -> Path:
    """Put the scenario legend and a note below the panels (the figure grows to fit), save.

    Args:
        fig: The figure.
        path: Where to save the PNG.
        note: A line of small print at the bottom (e.g. what the bands are).
        right: Right edge of the panels, as a share of the width (room for a side legend).
    """
    handles, labels = {}, []
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in handles:
                handles[label] = handle
                labels.append(label)
    longest = max((len(x) for x in labels), default=0)
    ncol = max(1, min(len(labels), 3 if longest <= 32 else 2 if longest <= 55 else 1))
    rows = -(-len(labels) // ncol)
    note_in = 0.28 if note else 0.08
    legend_in = 0.24 * rows + 0.12 if labels else 0.0
    height = fig.get_figheight() + note_in + legend_in
    fig.set_figheight(height)
    if labels:
        fig.legend([handles[x] for x in labels], labels, loc="lower center", ncol=ncol,
                   fontsize=8, frameon=False, bbox_to_anchor=(0.5, note_in / height))  # fmt: skip
    if note:
        fig.text(0.01, 0.08 / height, note, fontsize=7, color="#444444")
    return _save(fig, path, (0, (note_in + legend_in) / height, right, 1))


def _mark_warmup(ax: Axes, data: FigureData) -> None:
    start = -data.warmup_weeks / WEEKS_PER_YEAR
    if start < 0:
        ax.axvspan(start, 0, color="#999999", alpha=0.15, lw=0)
    ax.axvline(0, color="#777777", lw=0.8)


def _band_lines(ax: Axes, data: FigureData, band: pd.DataFrame, x: str = "x") -> None:
    """One line per scenario with its shading: a fan of the spread over replications where
    the band has quantiles (:func:`spread_band`), else the 95 % band of the mean (``low``,
    ``high``)."""
    for scenario in data.scenarios:
        part = band[band.scenario == scenario].sort_values(x)
        if part.empty:
            continue
        colour = data.colour(scenario)
        ax.plot(part[x], part["mean"], color=colour, ls=data.linestyle(scenario), lw=1.6,
                label=data.labels[scenario])  # fmt: skip
        if "q10" in part:  # fan: light 10-90 %, darker 25-75 % of replications
            ax.fill_between(part[x], part["q10"], part["q90"], color=colour, alpha=0.13, lw=0)
            ax.fill_between(part[x], part["q25"], part["q75"], color=colour, alpha=0.22, lw=0)
            continue
        # every metric drawn is a count, share or level >= 0: the interval is cut at zero
        low = part["low"].clip(lower=0)
        ax.fill_between(part[x], low, part["high"], color=colour, alpha=0.2, lw=0)


def _metric_band(data: FigureData, metric: str, per_week: bool = False) -> pd.DataFrame:
    """Mean and band of one national metric over time, per scenario."""
    rows = national(data.timeseries, (metric,))
    if per_week:  # flows are summed over the interval that ends at each sampled step
        rows = rows.sort_values(["scenario", "replication", "step"])
        weeks = rows.groupby(["scenario", "replication"])["step"].diff()
        rows = rows.assign(value=rows["value"] / weeks).dropna(subset=["value"])
    band = spread_band(rows, ["scenario", "step"])
    return band.assign(x=_years(band.step, data.warmup_weeks))


def _time_panels(
    data: FigureData,
    path: Path,
    panels: list[tuple[str, str, str, bool, str | Callable[[str], float] | None]],
) -> Path:
    """Side-by-side panels of national metrics over time.

    Args:
        data: The figure data.
        path: Where to save the PNG.
        panels: (metric, title, y-axis label, per week?, capacity) per panel; capacity
            is a metric name drawn dashed, a function scenario -> value, or None.
    """
    t = data.t
    fig, axes = _new(ncols=len(panels))
    for ax, (metric, title, ylabel, per_week, capacity) in zip(axes[0], panels, strict=True):
        _mark_warmup(ax, data)
        _band_lines(ax, data, _metric_band(data, metric, per_week))
        if isinstance(capacity, str):
            _capacity_lines(ax, data, _metric_band(data, capacity), t["capacity"])
        elif capacity is not None:
            values = {s: capacity(s) for s in data.scenarios}
            _capacity_constant(ax, data, values, t["capacity"])
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(t["years_after_warmup"])
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
    return _finish(fig, path, t["band_note"].format(n=data.replications))


def _capacity_lines(ax: Axes, data: FigureData, band: pd.DataFrame, label: str) -> None:
    same = band.groupby("x")["mean"].nunique().max() <= 1
    for i, scenario in enumerate(data.scenarios):
        part = band[band.scenario == scenario].sort_values("x")
        colour = "#000000" if same else data.colour(scenario)
        ax.plot(part.x, part["mean"], color=colour, label=label if i == 0 else None,
                **CAPACITY_STYLE)  # fmt: skip
        if same:
            break


def _capacity_constant(ax: Axes, data: FigureData, values: dict[str, float], label: str) -> None:
    same = len(set(values.values())) <= 1
    for i, scenario in enumerate(data.scenarios):
        colour = "#000000" if same else data.colour(scenario)
        ax.axhline(values[scenario], color=colour, label=label if i == 0 else None,
                   **CAPACITY_STYLE)  # fmt: skip
        if same:
            break


# ---------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------
def differences(data: FigureData, figdir: Path) -> Figure | None:
    """Per cent difference of each scenario from its baseline, headline KPIs, with 95 % CIs."""
    if data.comparison is None or data.comparison.empty:
        return None
    t, lang = data.t, data.language
    rows = data.comparison[data.comparison.kpi.isin(data.headline)].copy()
    base = rows.baseline_mean.where(rows.baseline_mean.abs() > 1e-12)
    for col in ("diff_mean", "diff_ci_low", "diff_ci_high"):
        rows[col + "_pct"] = 100 * rows[col] / base
    scenarios = [s for s in data.scenarios if s in set(rows.scenario)]
    kpis = list(data.headline)
    fig, axes = _new(width=9, height=1.0 + 0.42 * len(kpis) * max(1, len(scenarios)) ** 0.5)
    ax = axes[0][0]
    step = 0.8 / max(1, len(scenarios))
    for i, scenario in enumerate(scenarios):
        part = rows[rows.scenario == scenario].set_index("kpi").reindex(kpis)
        y = np.arange(len(kpis)) - 0.4 + step * (i + 0.5)
        err = np.vstack(
            [part.diff_mean_pct - part.diff_ci_low_pct, part.diff_ci_high_pct - part.diff_mean_pct]
        )
        baseline = (
            data.labels.get(part.baseline.dropna().iloc[0], "")
            if part.baseline.notna().any()
            else ""
        )
        ax.errorbar(
            part.diff_mean_pct,
            y,
            xerr=np.nan_to_num(err),
            fmt="o",
            color=data.colour(scenario),
            ms=5,
            capsize=3,
            label=f"{data.labels[scenario]} – {baseline}",
        )
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_yticks(np.arange(len(kpis)), [i18n.kpi_label(k, lang) for k in kpis], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(t["percent_diff"])
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    path = _finish(fig, figdir / "differences.png")
    return Figure(path, t["fig_differences"], t["cap_differences"], t["read_differences"])


def stock_by_state(data: FigureData, figdir: Path) -> Figure:
    """Stacked mean number of people per state over time, one panel per scenario."""
    t = data.t
    rows = national(data.timeseries, STATES)
    mean = rows.groupby(["scenario", "step", "metric"])["value"].mean().unstack("metric")
    homeless = (
        rows[rows.metric.isin(HOMELESS_STATES)]
        .groupby(["scenario", "replication", "step"], as_index=False)["value"]
        .sum()
    )
    total = spread_band(homeless, ["scenario", "step"])
    n = len(data.scenarios)
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig, axes = _new(ncols, nrows, width=4.5 * ncols, height=3.4 * nrows + 0.6, sharey=True)
    for ax, scenario in zip(axes.flat, data.scenarios, strict=False):
        part = mean.loc[scenario].reindex(columns=list(STATES)).fillna(0.0)
        x = _years(part.index, data.warmup_weeks)
        ax.stackplot(
            x,
            part.T.to_numpy(),
            colors=[STATE_COLOURS[s] for s in STATES],
            labels=[t[s] for s in STATES],
        )
        line = total[total.scenario == scenario]
        lx = _years(line.step, data.warmup_weeks)
        ax.plot(lx, line["mean"], color="black", lw=1.3, label=t["homeless_total"])
        for bound in ("q10", "q90"):  # lines, not shading: the layers stay readable
            ax.plot(lx, line[bound], color="black", lw=0.7, ls=":")
        _mark_warmup(ax, data)
        ax.set_title(data.labels[scenario], fontsize=10)
        ax.set_xlabel(t["years_after_warmup"], fontsize=8)
        ax.set_ylabel(t["persons"])
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    # the legend below the panels: at the side it covered the last panel
    path = _finish(
        fig, figdir / "stock_by_state.png", t["band_note_stock"].format(n=data.replications)
    )
    return Figure(path, t["fig_stock"], t["cap_stock"], t["read_stock"])


def tenancy_survival(data: FigureData, figdir: Path) -> Figure:
    """Kaplan-Meier curves of tenancies begun after the warm-up, per scenario."""
    t = data.t
    fig, axes = _new(width=8, height=4.4)
    ax = axes[0][0]
    lowest = 1.0
    for scenario in data.scenarios:
        tens = data.tenancies[
            (data.tenancies.scenario == scenario) & (data.tenancies.start_week > data.warmup_weeks)
        ]
        if tens.empty:
            continue
        curve = kaplan_meier_curve(
            tens.duration_days.to_numpy() / DAYS_PER_MONTH,
            tens.how_ended.isin(BREAKDOWN_CAUSES).to_numpy(dtype=int),
        )
        colour = data.colour(scenario)
        ax.step(curve.time, curve.survival, where="post", color=colour, lw=1.6,
                ls=data.linestyle(scenario), label=f"{data.labels[scenario]} (n = {len(tens):,})")  # fmt: skip
        ax.fill_between(curve.time, curve.low, curve.high, step="post", color=colour, alpha=0.2)
        lowest = min(lowest, float(curve.low.min()))
    for months in (12, 24):
        ax.axvline(months, color="#999999", lw=0.7, ls=":")
    ax.set_ylim(max(0.0, lowest - 0.05), 1.01)
    ax.set_xlim(left=0)
    ax.set_xlabel(t["months_since_movein"])
    ax.set_ylabel(t["share_not_broken_down"])
    path = _finish(fig, figdir / "tenancy_survival.png")
    return Figure(path, t["fig_survival"], t["cap_survival"], t["read_survival"])


def wait_for_housing(data: FigureData, figdir: Path) -> Figure:
    """Distribution of days from becoming homeless to moving in, per scenario."""
    t = data.t
    waits = days_to_housing(data.tenancies, data.warmup_weeks)
    fig, axes = _new(width=8, height=4.4)
    ax = axes[0][0]
    if waits is None or waits.empty:
        _wait_medians(ax, data)
        caption, read = t["cap_wait_medians"], t["read_wait_medians"]
    else:
        _wait_ecdf(ax, data, waits)
        caption, read = t["cap_wait"], t["read_wait"]
    path = _finish(fig, figdir / "days_to_housing.png")
    return Figure(path, t["fig_wait"], caption, read)


def _wait_ecdf(ax: Axes, data: FigureData, waits: pd.DataFrame) -> None:
    """Share housed within x days: per replication, then mean and band over replications."""
    top = float(np.nanpercentile(waits.days, 98)) if len(waits) else 1.0
    grid = np.linspace(0, max(top, 1.0), 200)
    rows = []
    for (scenario, replication), part in waits.groupby(["scenario", "replication"]):
        days = np.sort(part.days.to_numpy())
        share = np.searchsorted(days, grid, side="right") / len(days)
        rows.append(pd.DataFrame({"scenario": scenario, "replication": replication, "x": grid,
                                  "value": share}))  # fmt: skip
    band = mean_band(pd.concat(rows, ignore_index=True), ["scenario", "x"])
    _band_lines(ax, data, band)
    ax.axhline(0.5, color="#999999", lw=0.7, ls=":")
    ax.set_xlabel(data.t["days_waited"])
    ax.set_ylabel(data.t["share_housed_within"])
    ax.set_ylim(0, 1.01)
    ax.set_xlim(left=0)


def _wait_medians(ax: Axes, data: FigureData) -> None:
    """Fallback without per-tenancy spell starts: the median wait of each replication."""
    kpi = "days_to_housing_median"
    for i, scenario in enumerate(data.scenarios):
        values = data.kpis.loc[data.kpis.scenario == scenario, kpi].dropna().to_numpy()
        jitter = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else np.zeros(1)
        colour = data.colour(scenario)
        ax.scatter(values, i + jitter[: len(values)], color=colour, s=18, alpha=0.8)
        if len(values):
            ax.plot([values.mean()] * 2, [i - 0.3, i + 0.3], color=colour, lw=2.5)
    ax.set_yticks(range(len(data.scenarios)), [data.labels[s] for s in data.scenarios])
    ax.invert_yaxis()
    ax.set_xlabel(i18n.kpi_label(kpi, data.language) + f" ({i18n.kpi_unit(kpi, data.language)})")
    ax.set_xlim(left=0)


def yearly_costs(timeseries: pd.DataFrame, warmup_weeks: int) -> pd.DataFrame:
    """Public cost per year after the warm-up, by category and payer.

    Args:
        timeseries: Tidy time series (cost metrics are sums over each sampling interval).
        warmup_weeks: Length of the warm-up.

    Returns:
        Rows of scenario, replication, year (1, 2, ...), category, payer, value (DKK).
    """
    names = {f"cost_{c}_{p}_dkk": (c, p) for c in CATEGORIES for p in PAYERS}
    rows = national(timeseries, tuple(names))
    rows = rows[rows.step > warmup_weeks]
    rows = rows.assign(
        category=rows.metric.map(lambda m: names[m][0]),
        payer=rows.metric.map(lambda m: names[m][1]),
        year=np.ceil((rows.step - warmup_weeks) / WEEKS_PER_YEAR).astype(int),
    )
    keys = ["scenario", "replication", "year", "category", "payer"]
    return rows.groupby(keys, as_index=False)["value"].sum()


def costs_by_payer(data: FigureData, figdir: Path) -> Figure:
    """Mean yearly cost by category and payer (top), yearly totals per payer (bottom)."""
    t = data.t
    rows = yearly_costs(data.timeseries, data.warmup_weeks)
    years = max(1, int(rows.year.max())) if len(rows) else 1
    fig = plt.figure(figsize=(10, 4.0 + 0.45 * len(data.scenarios) * len(PAYERS)))
    grid = fig.add_gridspec(2, 2, height_ratios=[0.35 * len(data.scenarios) * 2 + 1.2, 2.6])
    _cost_bars(fig.add_subplot(grid[0, :]), data, rows, years)
    for j, payer in enumerate(PAYERS):
        ax = fig.add_subplot(grid[1, j])
        per_year = (
            rows[rows.payer == payer]
            .groupby(["scenario", "replication", "year"], as_index=False)["value"]
            .sum()
        )
        band = spread_band(per_year.assign(value=per_year.value / 1e6), ["scenario", "year"])
        _band_lines(ax, data, band, x="year")
        ax.set_title(t[f"payer_{payer}"], fontsize=10)
        ax.set_xlabel(t["year_after_warmup"])
        ax.set_ylabel(t["mio_dkk"])
        ax.set_ylim(bottom=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
    path = _finish(fig, figdir / "costs_by_payer.png", t["band_note"].format(n=data.replications))
    return Figure(path, t["fig_costs"], t["cap_costs"], t["read_costs"])


def _cost_bars(ax: Axes, data: FigureData, rows: pd.DataFrame, years: int) -> None:
    """Horizontal stacked bars: one per scenario and payer, one segment per category."""
    t = data.t
    per_rep = rows.groupby(["scenario", "replication", "payer", "category"])["value"].sum() / years
    by_cat = per_rep.groupby(["scenario", "payer", "category"]).mean() / 1e6
    totals = mean_band(
        per_rep.groupby(["scenario", "replication", "payer"]).sum().rename("value").reset_index(),
        ["scenario", "payer"],
    ).set_index(["scenario", "payer"])
    labels, y = [], 0
    used = set()
    for scenario in data.scenarios:
        for payer in PAYERS:
            left = 0.0
            for category in CATEGORIES:
                width = float(by_cat.get((scenario, payer, category), 0.0))
                if width <= 0:
                    continue
                used.add(category)
                ax.barh(y, width, left=left, color=CATEGORY_COLOURS[category], height=0.7)
                left += width
            if (scenario, payer) in totals.index:
                tot = totals.loc[(scenario, payer)] / 1e6
                ax.errorbar(tot["mean"], y, xerr=[[tot["mean"] - tot["low"]], [tot["high"] - tot["mean"]]],
                            fmt="none", color="black", capsize=3, lw=1)  # fmt: skip
            labels.append(f"{data.labels[scenario]} · {t[f'payer_{payer}']}")
            y += 1
        y += 0.4
    positions = [i + 0.4 * (i // len(PAYERS)) for i in range(len(labels))]
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(t["mio_dkk_per_year"])
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=CATEGORY_COLOURS[c]) for c in CATEGORIES if c in used
    ]
    names = [t[f"cat_{c}"] for c in CATEGORIES if c in used]
    ax.legend(handles, names, fontsize=8, frameon=False, loc="center left",
              bbox_to_anchor=(1.0, 0.5))  # fmt: skip


def landlords(data: FigureData, figdir: Path) -> Figure:
    """Private landlords offering dwellings and their mean trust over time."""
    t = data.t
    path = _time_panels(
        data,
        figdir / "landlords.png",
        [
            ("landlords_active", t["panel_landlords"], t["landlords"], False, None),
            ("landlord_trust", t["panel_trust"], t["trust"], False, None),
        ],
    )
    return Figure(path, t["fig_landlords"], t["cap_landlords"], t["read_landlords"])


def support(data: FigureData, figdir: Path) -> Figure:
    """Clients in housing support against capacity, and the waiting list, over time."""
    t = data.t
    path = _time_panels(
        data,
        figdir / "support.png",
        [
            ("support_active", t["panel_support"], t["persons"], False, data.support_capacity.get),
            ("support_waiting", t["panel_waiting"], t["persons"], False, None),
        ],
    )
    return Figure(path, t["fig_support"], t["cap_support"], t["read_support"])


def shelter(data: FigureData, figdir: Path) -> Figure:
    """Shelter occupancy against places, and people turned away per week."""
    t = data.t
    path = _time_panels(
        data,
        figdir / "shelter_occupancy.png",
        [
            ("shelter_occupied", t["panel_occupied"], t["persons"], False, "shelter_capacity"),
            ("turned_away", t["panel_turned_away"], t["persons_per_week"], True, None),
        ],
    )
    return Figure(path, t["fig_shelter"], t["cap_shelter"], t["read_shelter"])


FIGURES: tuple[Callable[[FigureData, Path], Figure | None], ...] = (
    differences,
    stock_by_state,
    tenancy_survival,
    wait_for_housing,
    costs_by_payer,
    landlords,
    support,
    shelter,
)


def make_figures(data: FigureData, figdir: Path) -> list[Figure]:
    """Draw every figure that applies (the differences figure needs a comparison).

    Args:
        data: What to draw.
        figdir: Directory for the PNG files (created if needed).
    """
    make_dir(figdir)
    made = [draw(data, figdir) for draw in FIGURES]
    return [f for f in made if f is not None]


# ---------------------------------------------------------------------------------------
# The backcast (experiment=history): not part of the report's set, drawn by hfsim.history
# ---------------------------------------------------------------------------------------
HISTORY_TITLES = {
    "homeless_count": "Homeless, national count (week 6)",
    "shelter_users": "Shelter (§110) users per year",
    "shelter_nights_per_user": "Shelter nights per user per year",
    "shelter_stay_mean_days": "Mean length of a shelter stay",
}


def history_figure(table: pd.DataFrame, cfg, path: Path) -> Path:  # noqa: ANN001 - a Config
    """Model mean with its 95 % band against the observed points, one panel per metric;
    filled points were used by the calibration (fitted), open ones are out-of-sample (held
    out); dotted lines mark the timeline's dates."""
    from matplotlib.ticker import MaxNLocator

    from hfsim.history import COUNT_WEEK, METRICS, UNITS

    fig, axes = _new(ncols=2, nrows=2, width=10, height=6.6)
    colour = PALETTE[0]
    for ax, metric in zip(axes.flat, METRICS, strict=True):
        part = table[table.metric == metric].sort_values("year")
        # the count is a snapshot in week 6; the other values are the year's, drawn mid-year
        x = part.year + (COUNT_WEEK / WEEKS_PER_YEAR if metric == "homeless_count" else 0.5)
        ax.plot(x, part.model_mean, color=colour, lw=1.6, label="model (mean)")
        ax.fill_between(x, part.model_ci_low.clip(lower=0), part.model_ci_high, color=colour,
                        alpha=0.2, lw=0, label="model (95 % CI of the mean)")  # fmt: skip
        for kind, face, label in (("fitted", "#000000", "observed, fitted (calibration)"),
                                  ("held_out", "white", "observed, held out (out-of-sample)")):  # fmt: skip
            seen = part.part == kind
            ax.scatter(x[seen], part.observed[seen], s=30, marker="o", facecolor=face,
                       edgecolor="#000000", zorder=3, label=label)  # fmt: skip
        for entry in cfg.timeline:
            ax.axvline(entry["at"], color="#999999", lw=0.8, ls=":")
        ax.set_title(HISTORY_TITLES[metric], fontsize=9)
        ax.set_ylabel(UNITS[metric], fontsize=8)
        ax.set_xlim(cfg.start_year, cfg.start_year + cfg.years)
        ax.grid(color="#eeeeee", lw=0.6)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    top = axes[0][0]
    for entry in cfg.timeline:  # name the decisions once, on the first panel
        label = ", ".join(  # the key's last part; a regime by its name
            str(v) if k == "regime.name" else str(k).rsplit(".", 1)[-1]
            for k, v in entry["set"].items()
        )
        top.annotate(label, (entry["at"], 1), xycoords=("data", "axes fraction"), fontsize=6,
                     rotation=90, va="top", ha="right", color="#555555")  # fmt: skip
    note = (f"{cfg.municipality.name}, {cfg.replications} replications; dotted lines: the "
            "timeline's dates (experiments/history.md)")  # fmt: skip
    return _finish(fig, path, note)
