"""``hfsim sensitivity``: Morris screening and Sobol indices (SALib) with a noise floor.

The parameters and their ranges come from ``sensitivity.parameters`` (dotted key ->
``[low, high]``), the outputs from ``sensitivity.kpis``. SALib draws the sample (Morris
trajectories on a ``sensitivity.levels`` grid; Saltelli/Sobol with ``sensitivity.samples``
base points), every sample point runs ``replications`` times through the sweep machinery
(:func:`hfsim.sweep.run_points`: parallel, on Dask if asked, resumable), and the indices are
computed on the mean over replications.

A stochastic model gives every output some noise, which the indices would mistake for
parameter effects. The replications measure it. ``noise.csv`` compares, per KPI, the spread
across replications (pooled within points) with the spread of the point means that the
parameters cause. Because replication ``r`` of every point runs on the same seed (common
random numbers), the indices are built from *paired* differences, and each parameter gets
its own **noise floor**, the index that replication noise alone would give it:

* Morris: ``sqrt(2/π) · sd_r(EE) / sqrt(R)``, from the spread over replications of each of
  the parameter's elementary effects (:func:`morris_noise_floor`);
* Sobol: ``½ mean_j var_r(f(A_j) - f(AB_ij)) / R / Var`` added to the total index by noise
  (:func:`sobol_noise_floor`).

An index well above its floor is a parameter effect; one near it is indistinguishable from
noise at this number of replications.

Outputs: ``sensitivity.csv`` (one row per KPI and parameter), ``noise.csv``,
``figures/morris_mu_star_sigma.png``, ``figures/sobol_indices.png`` and the runs of each
method in ``morris/`` and ``sobol/`` (``results.parquet``, as ``hfsim sweep`` writes it).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hfsim.cli import UsageError
from hfsim.config import Config, load_config
from hfsim.outputs import make_dir, replacing, write_text
from hfsim.results import KPI_NAMES, KPIS
from hfsim.sweep import cli_base_overrides, config_field, numeric_kind, run_points

DEFAULT_KPIS = (
    "homeless_mean",
    "days_to_housing_median",
    "retention_12m",
    "cost_total_dkk_per_year",
)
METHODS = ("morris", "sobol")
_UNITS = {k.key: k.unit for k in KPIS}


# -- what to analyse -----------------------------------------------------------------------
def parameter_ranges(parameters: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Check ``sensitivity.parameters`` and return key -> (low, high).

    Every key must be a numeric config value and its range must lie inside the allowed range
    of that value.

    Args:
        parameters: Dotted key -> ``[low, high]``.

    Raises:
        UsageError: no parameters, or a key or range that is not allowed (the message names it).
    """
    if not parameters:
        raise UsageError(
            "sensitivity.parameters is empty; give dotted keys and ranges, e.g. "
            "'+sensitivity.parameters={shelter.capacity:[150,250],housing.anvisning_share:[0.2,0.5]}'"
        )
    ranges = {}
    for key, bounds in parameters.items():
        where = f"sensitivity.parameters.{key}"
        try:
            numeric_kind(key)
        except UsageError as err:
            raise UsageError(f"{where}: {err}") from None
        if (
            not isinstance(bounds, Sequence)
            or isinstance(bounds, str)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        ):
            raise UsageError(f"{where} must be [low, high] (two numbers), not {bounds!r}")
        low, high = float(bounds[0]), float(bounds[1])
        meta = config_field(key)[0].metadata
        lo, hi = meta.get("lo"), meta.get("hi")
        if not low < high:
            raise UsageError(f"{where}=[{low:g}, {high:g}]: low must be below high")
        if (lo is not None and low < lo) or (hi is not None and high > hi):
            allowed = (
                f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
            )
            raise UsageError(f"{where}=[{low:g}, {high:g}] leaves the allowed range {allowed}")
        ranges[key] = (low, high)
    return ranges


def chosen_kpis(kpis: Sequence[str]) -> list[str]:
    """``sensitivity.kpis``, or the default few; each must be a KPI name.

    Raises:
        UsageError: an unknown KPI name.
    """
    chosen = list(kpis) or list(DEFAULT_KPIS)
    for kpi in chosen:
        if kpi not in KPI_NAMES:
            raise UsageError(
                f"sensitivity.kpis: unknown KPI {kpi!r}; allowed: {', '.join(KPI_NAMES)}"
            )
    return chosen


def salib_problem(ranges: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """The SALib problem dict of the parameter ranges."""
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [list(b) for b in ranges.values()],
    }


def draw_sample(method: str, problem: Mapping[str, Any], cfg: Config) -> np.ndarray:
    """SALib's sample for one method, seeded from ``seed``.

    Args:
        method: ``morris`` (``samples`` trajectories on ``levels`` levels) or ``sobol``
            (``samples`` base points, first- and total-order indices).
        problem: From :func:`salib_problem`.
        cfg: Supplies ``sensitivity.samples``, ``sensitivity.levels`` and ``seed``.
    """
    s = cfg.sensitivity
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(dict(problem), N=s.samples, num_levels=s.levels, seed=cfg.seed)
    from SALib.sample import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # we warn about N = 2^m ourselves
        return sobol.sample(dict(problem), s.samples, calc_second_order=False, seed=cfg.seed)


# -- noise ---------------------------------------------------------------------------------
def replicate_matrix(runs: pd.DataFrame, kpi: str, n_points: int) -> np.ndarray:
    """The KPI as a points × replications matrix (replication r of every point shares a seed)."""
    table = runs.pivot(index="point", columns="replication", values=kpi)
    return table.reindex(range(n_points)).to_numpy(dtype=float)


def kpi_noise(y: np.ndarray) -> dict[str, float]:
    """Spread across replications (pooled within points) against spread across points."""
    within = float(np.sqrt(np.nanmean(np.nanvar(y, axis=1, ddof=1))))
    means = np.nanmean(y, axis=1)
    return {
        "noise_sd": within,
        "replications": int(y.shape[1]),
        "noise_sem": within / math.sqrt(y.shape[1]),
        "point_mean_sd": float(np.nanstd(means, ddof=1)),
    }


def morris_noise_floor(
    x: np.ndarray, y: np.ndarray, problem: Mapping[str, Any], levels: int
) -> np.ndarray:
    """Per parameter, the μ* that replication noise alone would give it.

    Every elementary effect is measured in each replication on the same seed (common random
    numbers), so its noise is the spread of those paired effects: ``se = sd_r(EE_r) / sqrt(R)``.
    If the true effect were zero, the mean of ``|N(0, se)|`` is ``sqrt(2/π) · se``.

    Args:
        x: The Morris sample (trajectories of ``D + 1`` rows each).
        y: The KPI, points × replications.
        problem: The SALib problem.
        levels: Morris grid levels.
    """
    n_vars = problem["num_vars"]
    delta = levels / (2.0 * (levels - 1))
    var_sum, count = np.zeros(n_vars), np.zeros(n_vars)
    for t in range(len(x) // (n_vars + 1)):
        rows = slice(t * (n_vars + 1), (t + 1) * (n_vars + 1))
        steps = np.diff(x[rows], axis=0)
        effects = np.diff(y[rows], axis=0) / delta  # per step and replication
        for j, step in enumerate(steps):
            i = int(np.argmax(np.abs(step)))
            var_sum[i] += np.var(effects[j], ddof=1)
            count[i] += 1
    se = np.sqrt(var_sum / np.maximum(count, 1) / y.shape[1])
    return math.sqrt(2.0 / math.pi) * se


def sobol_noise_floor(y: np.ndarray, problem: Mapping[str, Any]) -> np.ndarray:
    """Per parameter, the total index (Jansen, as SALib) that replication noise alone gives.

    ``ST_i = ½ mean_j (f(A_j) - f(AB_ij))² / Var``: noise adds ``½ mean_j var_r(d_j) / R`` to
    the numerator, where ``d`` is the paired difference between ``A_j`` and ``AB_ij`` in one
    replication.
    """
    n_vars = problem["num_vars"]
    step = n_vars + 2
    a, b = y[0::step], y[step - 1 :: step]
    variance = np.var(np.r_[a.mean(axis=1), b.mean(axis=1)])
    floors = np.full(n_vars, np.nan)
    if variance > 0:
        for i in range(n_vars):
            d = a - y[i + 1 :: step]
            floors[i] = 0.5 * np.mean(np.var(d, axis=1, ddof=1)) / y.shape[1] / variance
    return floors


# -- analyses --------------------------------------------------------------------------------
def analyse_morris(
    problem: Mapping[str, Any], x: np.ndarray, runs: pd.DataFrame, kpis: Sequence[str], cfg: Config
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """μ*, its confidence half-width, μ, σ and the noise floor per KPI and parameter."""
    from SALib.analyze import morris

    def indices(y: np.ndarray, means: np.ndarray) -> dict[str, np.ndarray]:
        si = morris.analyze(
            dict(problem), x, means, num_levels=cfg.sensitivity.levels, seed=cfg.seed
        )
        return {
            **{k: si[k] for k in ("mu_star", "mu_star_conf", "mu", "sigma")},
            "mu_star_noise_floor": morris_noise_floor(x, y, problem, cfg.sensitivity.levels),
        }

    return _analyse("morris", problem, runs, len(x), kpis, indices, constant_ok=True)


def analyse_sobol(
    problem: Mapping[str, Any], runs: pd.DataFrame, n_points: int, kpis: Sequence[str], cfg: Config
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order and total Sobol indices, confidence half-widths and noise floors."""
    from SALib.analyze import sobol

    def indices(y: np.ndarray, means: np.ndarray) -> dict[str, np.ndarray]:
        si = sobol.analyze(dict(problem), means, calc_second_order=False, seed=cfg.seed)
        return {
            **{k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
            "ST_noise_floor": sobol_noise_floor(y, problem),
        }

    return _analyse("sobol", problem, runs, n_points, kpis, indices, constant_ok=False)


def _analyse(
    method: str,
    problem: Mapping[str, Any],
    runs: pd.DataFrame,
    n_points: int,
    kpis: Sequence[str],
    indices: Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]],
    constant_ok: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per KPI: its noise, then ``indices(replicates, means)`` as one row per parameter."""
    rows, noise_rows = [], []
    for kpi in kpis:
        y = replicate_matrix(runs, kpi, n_points)
        noise_rows.append({"method": method, "kpi": kpi, "unit": _UNITS[kpi], **kpi_noise(y)})
        means = y.mean(axis=1)
        if not np.isfinite(y).all() or not (constant_ok or np.ptp(means) > 0):
            _warn_nan(kpi, method)
            continue
        columns = indices(y, means)
        for i, name in enumerate(problem["names"]):
            rows.append(
                {"kpi": kpi, "parameter": name, **{k: float(v[i]) for k, v in columns.items()}}
            )
    return pd.DataFrame(rows), pd.DataFrame(noise_rows)


def _warn_nan(kpi: str, method: str) -> None:
    print(
        f"hfsim sensitivity: {kpi} is undefined or constant at some {method} points; "
        "no indices for it",
        file=sys.stderr,
    )


# -- running a study -------------------------------------------------------------------------
def run_sensitivity(base: Mapping[str, Any], outdir: Path, progress: bool = True) -> pd.DataFrame:
    """Run the study the config describes and write its tables and figures.

    Args:
        base: Overrides, with ``sensitivity.parameters`` etc. (as on the command line).
        outdir: The output directory (resumable: rerunning continues the runs).
        progress: Show a progress bar on stderr.

    Returns:
        The table written to ``sensitivity.csv``.

    Raises:
        UsageError: bad parameters or KPIs, or ``replications`` below 2.
        ConfigError: a range end that the model does not accept.
    """
    cfg = load_config(base)
    ranges = parameter_ranges(cfg.sensitivity.parameters)
    kpis = chosen_kpis(cfg.sensitivity.kpis)
    if cfg.replications < 2:
        raise UsageError("replications must be at least 2: the noise floor needs replications")
    methods = METHODS if cfg.sensitivity.method == "both" else (cfg.sensitivity.method,)
    if "sobol" in methods and cfg.sensitivity.samples & (cfg.sensitivity.samples - 1):
        print(
            f"hfsim sensitivity: sensitivity.samples={cfg.sensitivity.samples} is not a power of "
            "2; Sobol indices converge best with N = 2^m",
            file=sys.stderr,
        )
    problem = salib_problem(ranges)
    outdir = Path(outdir)
    tables, noises = [], []
    for method in methods:
        x = draw_sample(method, problem, cfg)
        points = [dict(zip(problem["names"], map(float, row), strict=True)) for row in x]
        runs = run_points(
            base, points, outdir / method, ranges, f"sensitivity-{method}", _command(base), progress
        )
        if method == "morris":
            table, noise = analyse_morris(problem, x, runs, kpis, cfg)
        else:
            table, noise = analyse_sobol(problem, runs, len(x), kpis, cfg)
        tables.append(table)
        noises.append(noise)
    table = _merge(tables)
    noise = pd.concat(noises, ignore_index=True)
    write_text(outdir / "sensitivity.csv", table.to_csv(index=False))
    write_text(outdir / "noise.csv", noise.to_csv(index=False))
    write_figures(outdir / "figures", table, kpis)
    print_table(table, noise, cfg)
    return table


def _command(base: Mapping[str, Any]) -> list[str]:
    return [f"{k}={v}" for k, v in base.items()]


def _merge(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    tables = [t for t in tables if not t.empty]
    if not tables:
        return pd.DataFrame(columns=["kpi", "parameter"])
    merged = tables[0]
    for t in tables[1:]:
        merged = merged.merge(t, on=["kpi", "parameter"], how="outer")
    order = {k: i for i, k in enumerate(KPI_NAMES)}
    merged["_order"] = merged["kpi"].map(order)
    sort = ["_order", "mu_star" if "mu_star" in merged else "ST"]
    return (
        merged.sort_values(sort, ascending=[True, False])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def print_table(table: pd.DataFrame, noise: pd.DataFrame, cfg: Config) -> None:
    """The indices per KPI on stdout, with the replication noise and each noise floor."""
    if table.empty:
        print("hfsim sensitivity: no indices (see the messages above)")
        return
    cols = (
        "mu_star",
        "mu_star_conf",
        "mu_star_noise_floor",
        "sigma",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
        "ST_noise_floor",
    )
    for kpi, rows in table.groupby("kpi", sort=False):
        spread = noise[noise["kpi"] == kpi].iloc[0]
        print(
            f"\n{kpi} [{_UNITS[kpi]}]: sd across replications {spread['noise_sd']:.4g}, "
            f"sd of point means {spread['point_mean_sd']:.4g} ({cfg.replications} replications)"
        )
        shown = rows.set_index("parameter")[[c for c in cols if c in rows]]
        print(shown.to_string(float_format=lambda v: f"{v:.4g}"))


# -- figures ----------------------------------------------------------------------------------
def write_figures(folder: Path, table: pd.DataFrame, kpis: Sequence[str]) -> list[Path]:
    """μ*–σ plot (Morris) and S1/ST bars with confidence intervals (Sobol), one panel per KPI."""
    import matplotlib

    matplotlib.use("Agg")
    make_dir(folder)
    written = []
    present = [k for k in kpis if k in set(table.get("kpi", []))]
    if "mu_star" in table and present:
        written.append(_morris_figure(folder / "morris_mu_star_sigma.png", table, present))
    if "ST" in table and present:
        written.append(_sobol_figure(folder / "sobol_indices.png", table, present))
    return written


def _panels(n: int, width: float, height: float):  # noqa: ANN202 - matplotlib figure and axes
    import matplotlib.pyplot as plt

    cols = min(n, 2)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _morris_figure(path: Path, table: pd.DataFrame, kpis: Sequence[str]) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = _panels(len(kpis), 6.0, 4.6)
    for ax, kpi in zip(axes, kpis, strict=False):
        rows = table[(table["kpi"] == kpi) & table["mu_star"].notna()]
        ax.errorbar(
            rows["mu_star"],
            rows["sigma"],
            xerr=rows["mu_star_conf"],
            fmt="o",
            color="#0072B2",
            ecolor="#56B4E9",
            capsize=2,
        )
        for _, r in rows.iterrows():
            ax.annotate(
                r["parameter"],
                (r["mu_star"], r["sigma"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        ax.plot(
            rows["mu_star_noise_floor"],
            rows["sigma"],
            "|",
            color="#D55E00",
            markersize=14,
            label="noise floor of each parameter",
        )
        ax.legend(loc="lower right", fontsize=7)
        right = float(np.nanmax(rows["mu_star"] + rows["mu_star_conf"])) if len(rows) else 1.0
        ax.set_xlim(0, 1.5 * right if right > 0 else 1.0)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(f"μ* ({_UNITS[kpi]}, effect across the whole range)")
        ax.set_ylabel("σ")
        ax.set_title(kpi, fontsize=10)
    fig.suptitle("Morris screening: mean absolute effect μ* against its spread σ")
    fig.tight_layout()
    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
    return path


def _sobol_figure(path: Path, table: pd.DataFrame, kpis: Sequence[str]) -> Path:
    import matplotlib.pyplot as plt

    n_params = table["parameter"].nunique()
    fig, axes = _panels(len(kpis), 6.0, 1.2 + 0.42 * n_params)
    for ax, kpi in zip(axes, kpis, strict=False):
        rows = table[(table["kpi"] == kpi) & table["ST"].notna()].sort_values("ST")
        pos = np.arange(len(rows))
        ax.barh(
            pos - 0.2,
            rows["S1"],
            0.4,
            xerr=rows["S1_conf"],
            color="#E69F00",
            label="first order S1",
            capsize=2,
        )
        ax.barh(
            pos + 0.2,
            rows["ST"],
            0.4,
            xerr=rows["ST_conf"],
            color="#0072B2",
            label="total ST",
            capsize=2,
        )
        ax.plot(
            rows["ST_noise_floor"],
            pos + 0.2,
            "|",
            color="#D55E00",
            markersize=12,
            markeredgewidth=2,
            label="ST noise floor",
        )
        ax.set_yticks(pos, rows["parameter"], fontsize=7)
        ax.set_xlabel("Sobol index (share of variance), 95 % CI")
        ax.set_title(kpi, fontsize=10)
        ax.legend(loc="lower right", fontsize=7)
    fig.suptitle("Sobol indices")
    fig.tight_layout()
    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
    return path


def _cmd_sensitivity(cfg: Config, outdir: Path) -> int:
    base, _ = cli_base_overrides()
    run_sensitivity(base, outdir)
    print(f"\nhfsim sensitivity: sensitivity.csv, noise.csv and figures/ in {outdir}")
    return 0
