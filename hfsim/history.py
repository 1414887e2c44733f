"""The backcast: ``hfsim run municipality=denmark experiment=history``.

A run with ``history.enabled`` (the ``history`` experiment) measures, in every calendar year of
its horizon, the statistics that Denmark has observed series of, as the sources define them:

* ``homeless_count``: citizens homeless (rough sleeping, sofa surfing, shelter, transitional)
  in week 6 of the year, the week of the national count (a snapshot, not a mean);
* ``shelter_users``: distinct citizens with at least one §110 shelter night in the year;
* ``shelter_nights_per_user``: shelter nights in the year per user of the year;
* ``shelter_stay_mean_days``: mean length of the shelter stays that ended in the year.

``history.csv`` holds, per metric and year of the horizon, the mean and 95 % t-interval over
replications (:func:`hfsim.results.t_interval`), the observed value where there is one
(``hfsim/data/history_dk.csv``, else empty) and ``part``: ``fitted`` where the calibration used
the observation (a target's observed value or the end of its range, see that table's notes),
``held_out`` where it did not (out-of-sample), empty where nothing was observed. Years without
an observation are kept so the model's trajectory is complete. ``history_replications.csv``
has each replication's value; ``history.png`` draws model against observed, with the
timeline's dates as markers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hfsim.agents.citizen import HOMELESS
from hfsim.municipalities import DATA_DIR
from hfsim.processes.timeline import WEEKS_PER_YEAR
from hfsim.results import shelter_nights, stay_days, t_interval

if TYPE_CHECKING:
    from hfsim.config import Config
    from hfsim.model import HousingModel
    from hfsim.runner import RunResult

COUNT_WEEK = 6  # the national count is taken in week 6 of the year [C, VIVE]
METRICS = ("homeless_count", "shelter_users", "shelter_nights_per_user", "shelter_stay_mean_days")
UNITS = {
    "homeless_count": "persons (week 6)",
    "shelter_users": "persons/year",
    "shelter_nights_per_user": "nights",
    "shelter_stay_mean_days": "days",
}
COLUMNS = ("year", "metric", "model_mean", "model_ci_low", "model_ci_high", "observed", "part")
PARTS = ("fitted", "held_out")


def yearly_metrics(model: HousingModel) -> pd.DataFrame:
    """One run's value of each metric in each calendar year of the horizon."""
    rec, cfg = model.recorder, model.cfg
    warm = model.warmup_weeks
    homeless = sorted(int(s) for s in HOMELESS)
    rows = []
    for k in range(cfg.years):
        first = warm + k * WEEKS_PER_YEAR  # the year is the weeks first+1 .. first+52
        users = rec.users_per_year.get(k, 0)
        nights = shelter_nights(model, first, first + WEEKS_PER_YEAR)
        stays = stay_days(rec, first, first + WEEKS_PER_YEAR)
        values = {
            "homeless_count": float(rec.counts[first + COUNT_WEEK][:, homeless].sum()),
            "shelter_users": float(users),
            "shelter_nights_per_user": nights / users if users else np.nan,
            "shelter_stay_mean_days": float(stays.mean()) if len(stays) else np.nan,
        }
        rows += [{"year": cfg.start_year + k, "metric": m, "value": values[m]} for m in METRICS]
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


def observed_table(cfg: Config) -> pd.DataFrame:
    """The observed series (``hfsim/data/<history.observed>.csv``)."""
    table = pd.read_csv(DATA_DIR / f"{cfg.history.observed}.csv")
    bad = set(table.metric) - set(METRICS) or set(table.part) - set(PARTS)
    if bad:  # a hand-edited table: say what is wrong rather than draw a wrong figure
        raise ValueError(f"{cfg.history.observed}.csv: unknown metric or part {sorted(bad)}")
    return table


def summarise_history(per_run: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """``history.csv`` from each replication's yearly values and the observed series."""
    rows = []
    for (metric, year), group in per_run.groupby(["metric", "year"], sort=False):
        mean, low, high = t_interval(group["value"].to_numpy(dtype=float))
        rows.append((int(year), metric, mean, low, high))
    table = pd.DataFrame(rows, columns=list(COLUMNS[:5]))
    seen = observed[["metric", "year", "observed", "part"]]
    table = table.merge(seen, on=["metric", "year"], how="left")
    table["part"] = table["part"].fillna("")
    order = {m: i for i, m in enumerate(METRICS)}
    table = table.sort_values(
        ["metric", "year"], key=lambda c: c.map(order) if c.name == "metric" else c
    )
    return table[list(COLUMNS)].reset_index(drop=True)


def write_history(outdir: Path, cfg: Config, results: list[RunResult]) -> pd.DataFrame:
    """Write ``history.csv``, ``history_replications.csv`` and ``history.png``; return the table."""
    from hfsim.outputs import write_text

    per_run = pd.concat(
        [r.history.assign(replication=r.replication) for r in results], ignore_index=True
    )
    table = summarise_history(per_run, observed_table(cfg))
    write_text(outdir / "history.csv", table.to_csv(index=False))
    write_text(outdir / "history_replications.csv", per_run.to_csv(index=False))
    if cfg.report.figures:
        from hfsim.report.figures import history_figure

        history_figure(table, cfg, outdir / "history.png")
    return table


def history_lines(table: pd.DataFrame) -> list[str]:
    """The rows with an observation, for the console."""
    lines = ["history (model mean [95 % CI] vs observed):"]
    for _, r in table[table.part != ""].iterrows():
        lines.append(
            f"  {r['metric']:24s} {r['year']}  {r['model_mean']:9.1f} "
            f"[{r['model_ci_low']:9.1f}, {r['model_ci_high']:9.1f}]  "
            f"observed {r['observed']:7.0f}  {r['part']}"
        )
    return lines
