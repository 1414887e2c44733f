"""Statistics behind the report: t-intervals, paired differences, Kaplan-Meier curves.

Everything here works on tidy tables (one row per scenario and replication, or per tenancy)
and returns tidy tables, so the figures, the HTML tables and ``comparison.csv`` share one
definition of "mean and 95 % confidence interval".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hfsim.results import t_interval  # one definition of the interval, shared with runs

COMPARISON_COLUMNS = (
    "kpi", "scenario", "baseline", "mean", "baseline_mean", "diff_mean", "diff_ci_low",
    "diff_ci_high",
)  # fmt: skip


def mean_band(frame: pd.DataFrame, by: Sequence[str], value: str = "value") -> pd.DataFrame:
    """Mean and 95 % t-interval of ``value`` over replications, per group.

    Args:
        frame: Tidy rows with a ``replication`` column.
        by: Grouping columns (e.g. scenario, step).
        value: The column to summarise.

    Returns:
        ``by`` columns plus ``mean``, ``low``, ``high`` (low = high = mean with one replication).
    """
    rows = []
    for key, group in frame.groupby(list(by), sort=True):
        mean, low, high = t_interval(group[value].to_numpy())
        if math.isnan(low):
            low = high = mean
        rows.append((*((key,) if len(by) == 1 else key), mean, low, high))
    return pd.DataFrame(rows, columns=[*by, "mean", "low", "high"])


def paired_differences(
    kpis: pd.DataFrame, pairs: Mapping[str, str], kpi_names: Sequence[str]
) -> pd.DataFrame:
    """Differences of each scenario from its baseline, paired over replications.

    Replication ``r`` of every scenario ran on the same seed (common random numbers), so
    the difference is taken replication by replication and its 95 % t-interval reflects
    only the noise that the scenarios do not share. Means are over the replications where
    both scenarios have a value, so ``diff_mean == mean - baseline_mean``.

    Args:
        kpis: One row per scenario and replication (columns ``scenario``, ``replication``
            and one per KPI).
        pairs: Scenario -> the baseline it is compared with.
        kpi_names: The KPI columns to compare.

    Returns:
        The rows of ``comparison.csv`` (:data:`COMPARISON_COLUMNS`).
    """
    by_scenario = {name: g.set_index("replication") for name, g in kpis.groupby("scenario")}
    rows = []
    for kpi in kpi_names:
        for scenario, baseline in pairs.items():
            joined = pd.concat(
                [by_scenario[scenario][kpi].rename("s"), by_scenario[baseline][kpi].rename("b")],
                axis=1,
                join="inner",
            ).astype(float)
            joined = joined[np.isfinite(joined["s"]) & np.isfinite(joined["b"])]
            diff, low, high = t_interval((joined["s"] - joined["b"]).to_numpy())
            rows.append(
                {
                    "kpi": kpi,
                    "scenario": scenario,
                    "baseline": baseline,
                    "mean": float(joined["s"].mean()) if len(joined) else math.nan,
                    "baseline_mean": float(joined["b"].mean()) if len(joined) else math.nan,
                    "diff_mean": diff,
                    "diff_ci_low": low,
                    "diff_ci_high": high,
                }
            )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def kaplan_meier_curve(durations: np.ndarray, events: np.ndarray) -> pd.DataFrame:
    """Kaplan-Meier survival curve with a 95 % Greenwood interval (log-log transform).

    Args:
        durations: Follow-up time of each subject.
        events: 1 where follow-up ended in the event, 0 where it was censored.

    Returns:
        One row per distinct follow-up time, after a first row at time 0: ``time``,
        ``survival``, ``low``, ``high``, ``at_risk``.
    """
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=float)
    times, inverse = np.unique(durations, return_inverse=True)
    ended = np.bincount(inverse, minlength=len(times)).astype(float)
    deaths = np.bincount(inverse, weights=events, minlength=len(times))
    at_risk = len(durations) - np.concatenate([[0.0], np.cumsum(ended)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - np.where(at_risk > 0, deaths / at_risk, 0.0))
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), 0.0)
    var_sum = np.cumsum(terms)
    low, high = _loglog_interval(survival, var_sum)
    frame = pd.DataFrame(
        {"time": times, "survival": survival, "low": low, "high": high, "at_risk": at_risk}
    )
    start = pd.DataFrame(
        {"time": [0.0], "survival": [1.0], "low": [1.0], "high": [1.0], "at_risk": [len(durations)]}
    )
    return pd.concat([start, frame], ignore_index=True)


def _loglog_interval(survival: np.ndarray, var_sum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greenwood interval on the log(-log S) scale, which keeps the bounds inside [0, 1]."""
    z = float(stats.norm.ppf(0.975))
    inside = (survival > 0.0) & (survival < 1.0) & (var_sum > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(inside, z * np.sqrt(var_sum) / np.abs(np.log(survival)), 0.0)
        low = np.where(inside, survival ** np.exp(half), survival)
        high = np.where(inside, survival ** np.exp(-half), survival)
    return low, high


FAN_QUANTILES = (0.1, 0.25, 0.75, 0.9)


def spread_band(frame: pd.DataFrame, by: Sequence[str], value: str = "value") -> pd.DataFrame:
    """Mean and the spread over replications (the 10, 25, 75 and 90 % quantiles), per group.

    Unlike :func:`mean_band`, which says how well the mean is known, this says how far single
    replications range: the fan of a fan chart.

    Args:
        frame: Tidy rows with one value per replication and group.
        by: Grouping columns (e.g. scenario, step).
        value: The column to summarise.

    Returns:
        ``by`` columns plus ``mean``, ``q10``, ``q25``, ``q75``, ``q90``.
    """
    groups = frame.groupby(list(by), sort=True)[value]
    out = groups.mean().rename("mean").to_frame()
    for q in FAN_QUANTILES:
        out[f"q{round(100 * q)}"] = groups.quantile(q)
    return out.reset_index()
