"""Running replications (in parallel) and writing a run's output directory.

Replication ``r`` of a config with seed ``s`` always runs on :func:`hfsim.rng.replication_seed`
``(s, r)``, whatever the number of workers, so results never depend on how they were run and
two scenarios with the same seed meet the same people and vacancies (common random numbers).
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hfsim.config import Config
from hfsim.outputs import make_dir, replacing, write_text
from hfsim.results import compute_kpis, summarise, tenancy_table, timeseries_table
from hfsim.rng import replication_seed


@dataclass
class RunResult:
    """The outputs of one replication."""

    replication: int
    seed: int
    kpis: dict[str, float]
    timeseries: pd.DataFrame
    tenancies: pd.DataFrame
    events: int
    history: pd.DataFrame | None = None  # experiment=history: the yearly observed series


def scenario_name(cfg: Config) -> str:
    """The label of a config's scenario (``scenario`` if set, else the policy's name)."""
    return cfg.scenario or cfg.policy.name


def run_replication(cfg: Config, replication: int, tables: bool = True) -> RunResult:
    """Run one replication of a config.

    Args:
        cfg: A validated config.
        replication: Index of the replication (sets its seed).
        tables: Also build the time-series and tenancy tables.
    """
    from hfsim.model import HousingModel

    seed = replication_seed(cfg.seed, replication)
    model = HousingModel(cfg, seed=seed).run()
    kpis = compute_kpis(model)
    timeseries = timeseries_table(model) if tables else pd.DataFrame()
    tenancies = tenancy_table(model) if tables else pd.DataFrame()
    history = None
    if cfg.history.enabled:
        from hfsim.history import yearly_metrics

        history = yearly_metrics(model)
    return RunResult(
        replication, seed, kpis, timeseries, tenancies, model.events_processed, history
    )


def _worker(args: tuple[Config, int, bool]) -> RunResult:
    return run_replication(*args)


def default_workers(requested: int) -> int:
    """``requested`` workers, or every core the process may use when 0."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _context():
    """Forkserver with hfsim preloaded where available (workers start fast, and forking a
    process that holds other threads, e.g. pyarrow's, is avoided); spawn elsewhere."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = get_context("forkserver")
        context.set_forkserver_preload(["hfsim.model", "hfsim.results"])
        return context
    return get_context("spawn")


def make_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool for replications, on the context of :func:`_context`."""
    return ProcessPoolExecutor(workers, mp_context=_context())


def run_replications(
    cfg: Config,
    replications: Iterable[int] | None = None,
    workers: int | None = None,
    tables: bool = True,
    progress: Callable[[Iterable[RunResult], int], Iterable[RunResult]] | None = None,
) -> list[RunResult]:
    """Run replications of one config, in parallel processes when ``workers`` > 1.

    Args:
        cfg: A validated config.
        replications: Which replications (default ``range(cfg.replications)``).
        workers: Processes (default ``cfg.output.workers``; 0 means all cores).
        tables: Also build the time-series and tenancy tables.
        progress: Wraps the stream of finished results, e.g. a tqdm bar.
    """
    reps = list(range(cfg.replications) if replications is None else replications)
    n_workers = min(default_workers(cfg.output.workers if workers is None else workers), len(reps))
    jobs = [(cfg, r, tables) for r in reps]
    wrap = progress or (lambda it, total: it)
    if n_workers <= 1:
        results = list(wrap(map(_worker, jobs), len(jobs)))
    else:
        with make_pool(n_workers) as pool:
            results = list(wrap(pool.map(_worker, jobs), len(jobs)))
    return sorted(results, key=lambda r: r.replication)


def tqdm_progress(label: str) -> Callable[[Iterable[RunResult], int], Iterable[RunResult]]:
    """A progress bar on stderr (quiet when stderr is not a terminal and CI is set)."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: replications may fork

    def wrap(it: Iterable[RunResult], total: int) -> Iterable[RunResult]:
        return tqdm(it, total=total, desc=label, unit="run", file=sys.stderr, leave=True)

    return wrap


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def config_dict(cfg: Config) -> dict[str, Any]:
    """The fully resolved config as plain data (what ``config.yaml`` holds)."""
    return asdict(cfg)


def kpi_frame(results: list[RunResult], scenario: str) -> pd.DataFrame:
    """One row per replication: scenario, replication, seed, then every KPI."""
    rows = [
        {"scenario": scenario, "replication": r.replication, "seed": r.seed, **r.kpis}
        for r in results
    ]
    return pd.DataFrame(rows)


def write_outputs(
    outdir: Path, cfg: Config, results: list[RunResult], figures: bool | None = None
) -> dict[str, Any]:
    """Write a run's output directory (DESIGN §3) and return the summary.

    Args:
        outdir: The directory (created if needed).
        cfg: The config that was run.
        results: Its replications.
        figures: Write figures and the report (default ``cfg.report.figures``).
    """
    from hfsim import __version__

    outdir = make_dir(Path(outdir))
    scenario = scenario_name(cfg)
    kpis = kpi_frame(results, scenario)
    summary = {
        "version": __version__,
        "scenario": scenario,
        "seed": cfg.seed,
        "replications": len(results),
        "replication_seeds": [r.seed for r in results],
        "policy": cfg.policy.name,
        "regime": cfg.regime.name,
        "municipality": cfg.municipality.name,
        "years": cfg.years,
        "warmup_years": cfg.warmup_years,
        "start_year": cfg.start_year,
        "timeline": cfg.timeline,
        "kpis": summarise(kpis),
    }
    write_text(outdir / "config.yaml", yaml.safe_dump(config_dict(cfg), sort_keys=False))
    write_text(outdir / "kpis.csv", kpis.to_csv(index=False))
    timeseries = pd.concat(
        [r.timeseries.assign(scenario=scenario, replication=r.replication) for r in results],
        ignore_index=True,
    )[["scenario", "replication", "step", "municipality", "metric", "value"]]
    tenancies = pd.concat(
        [r.tenancies.assign(scenario=scenario, replication=r.replication) for r in results],
        ignore_index=True,
    )
    _atomic_parquet(outdir / "timeseries.parquet", timeseries)
    _atomic_parquet(outdir / "tenancies.parquet", tenancies)
    if cfg.report.figures if figures is None else figures:
        from hfsim.report import write_report

        write_report(outdir, cfg, summary, kpis, timeseries, tenancies)
    # last: a directory with summary.json holds a finished run
    write_text(outdir / "summary.json", json.dumps(_clean(summary), indent=2))
    return summary


def _atomic_parquet(path: Path, frame: pd.DataFrame) -> None:
    with replacing(path) as tmp:
        frame.to_parquet(tmp, index=False)
