"""``hfsim compare``: several scenarios on common random numbers, differences with intervals.

A comparison is a base config (defaults, a named study ``experiment=NAME`` and any
command-line overrides, which apply to every scenario) plus, per scenario, the overrides
that make it (``experiment.scenarios``). With no scenarios given it compares Housing First
with shelter-first, shelter-first being the baseline.

Replication ``r`` of every scenario runs on the same seed, so the scenarios meet the same
people and the same vacancies and differ only by their mechanisms; differences are taken
replication by replication (paired) with a 95 % t-interval.

Outputs (``<outdir>``): one folder per scenario with that scenario's own tables
(``hfsim run``'s files without figures: its figures are in the common report),
``comparison.csv`` (``kpi, scenario, baseline, mean,
baseline_mean, diff_mean, diff_ci_low, diff_ci_high``), ``kpis.csv`` (every scenario and
replication), ``kpi_summary.csv``, ``summary.json``, ``config.yaml`` (the base config),
``figures/*.png`` and ``report.html``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hfsim.config import Config, ConfigError, load_config
from hfsim.config.load import GROUPS
from hfsim.outputs import make_dir, write_text
from hfsim.results import KPI_NAMES

log = logging.getLogger("hfsim")

DEFAULT_SCENARIOS: dict[str, dict[str, Any]] = {
    "housing_first": {"policy": "housing_first"},
    "shelter_first": {"policy": "shelter_first"},
}
DEFAULT_BASELINE = "shelter_first"
# Settings every scenario must share: the seeds and horizon that make the pairing valid, and
# the settings of the comparison itself
SHARED_KEYS = ("seed", "replications", "years", "warmup_years", "scenario")
SHARED_BLOCKS = ("experiment", "report", "output", "sweep", "sensitivity", "calibrate", "bench", "app")  # fmt: skip
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
RESERVED_NAMES = frozenset({"figures"})
PRINTED_KPIS = (
    "homeless_mean",
    "housed_within_12m",  # the censored waiting times lead (they count everyone)
    "days_to_housing_km_median",
    "retention_12m",
    "cost_municipal_dkk_per_year",
    "cost_state_dkk_per_year",
)


@dataclass
class Plan:
    """What a comparison runs: each scenario's config and which baseline it is compared with.

    Args:
        base: The config shared by the scenarios (before their own overrides).
        configs: Scenario -> its validated config, in the order given.
        overrides: Scenario -> its overrides (dotted keys and group choices).
        pairs: Scenario -> the scenario it is compared with.
        command_args: The overrides to show in the reproduce command.
    """

    base: Config
    configs: dict[str, Config]
    overrides: dict[str, dict[str, Any]]
    pairs: dict[str, str]
    command_args: list[str]


@dataclass
class ComparisonResult:
    """The outputs of a comparison (also written to its folder)."""

    outdir: Path
    plan: Plan
    kpis: pd.DataFrame
    comparison: pd.DataFrame
    report: Path | None
    trial: pd.DataFrame | None = None  # experiment=trial: trial.csv


# ---------------------------------------------------------------------------------------
# Planning: scenario configs from the base overrides and the experiment block
# ---------------------------------------------------------------------------------------
def plan_comparison(
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    command_args: list[str] | None = None,
) -> Plan:
    """Build and validate every scenario's config before anything runs.

    Args:
        overrides: Overrides for all scenarios (dotted keys and group choices, e.g.
            ``{"experiment": "reform_effect", "years": 5}``, or ``key=value`` strings).
        command_args: The overrides as typed, for the reproduce command (default: from
            ``overrides``).

    Raises:
        ConfigError: a bad override, scenario, baseline or headline KPI; the message names
            the key and what is allowed.
    """
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):  # strings: read them as the command line does
        from hfsim.cli import parse_cli_overrides

        typed = list(overrides)
        overrides, hydra_args = parse_cli_overrides(typed, sweep_allowed=False)
        if command_args is None:
            command_args = [a for a in typed if a not in hydra_args]
    values = dict(overrides)
    base = load_config(values)
    if base.history.enabled:
        raise ConfigError(
            "experiment=history is a backcast of one world: run it with `hfsim run` "
            "(history.enabled=true is not for compare)"
        )
    experiment = base.experiment
    scenarios = {
        name: _scenario_overrides(name, raw)
        for name, raw in (experiment.scenarios or DEFAULT_SCENARIOS).items()
    }
    if len(scenarios) < 2 and not base.trial.enabled:  # a trial runs in one world
        raise ConfigError(
            f"experiment.scenarios needs at least two scenarios to compare; got {list(scenarios)}"
        )
    pairs = _pairs(base, list(scenarios))
    _check_labels(base, list(scenarios))
    for kpi in experiment.headline:
        if kpi not in KPI_NAMES:
            raise ConfigError(
                f"experiment.headline: {kpi!r} is not a KPI; allowed: {', '.join(KPI_NAMES)}"
            )
    configs = {name: _scenario_config(values, name, ov) for name, ov in scenarios.items()}
    if command_args is None:
        from hfsim.report.html import format_override

        command_args = [format_override(k, v) for k, v in values.items()]
    return Plan(base, configs, scenarios, pairs, list(command_args))


def _scenario_overrides(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A scenario's overrides as dotted keys (nested mappings flattened), checked."""
    if not NAME_PATTERN.match(name) or name in RESERVED_NAMES:
        raise ConfigError(
            f"experiment.scenarios: {name!r} cannot name a scenario (it names a folder); use "
            "letters, digits, '_', '-' or '.', not 'figures'"
        )
    flat = dict(_flatten(raw))
    for key in flat:
        top = key.split(".", 1)[0]
        if key in SHARED_KEYS or top in SHARED_BLOCKS:
            raise ConfigError(
                f"experiment.scenarios.{name}.{key}: cannot differ between scenarios (the "
                f"pairing needs the same {', '.join(SHARED_KEYS[:4])}); set it on the command "
                "line for all scenarios"
            )
    return flat


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and path not in GROUPS:
            yield from _flatten(value, path + ".")
        else:
            yield path, value


def _pairs(base: Config, names: list[str]) -> dict[str, str]:
    """Scenario -> its baseline (``experiment.compare_to`` first, then ``experiment.baseline``)."""
    experiment = base.experiment
    baseline = experiment.baseline or (DEFAULT_BASELINE if DEFAULT_BASELINE in names else names[0])
    if baseline not in names:
        raise ConfigError(
            f"experiment.baseline={baseline!r} is not a scenario; scenarios: {', '.join(names)}"
        )
    for scenario, other in experiment.compare_to.items():
        if scenario not in names or other not in names:
            raise ConfigError(
                f"experiment.compare_to.{scenario}={other!r}: both must be scenarios; "
                f"scenarios: {', '.join(names)}"
            )
    pairs = {}
    for name in names:
        other = experiment.compare_to.get(name, baseline)
        if other != name:
            pairs[name] = other
    return pairs


def _check_labels(base: Config, names: list[str]) -> None:
    from hfsim.report.i18n import LANGUAGES

    for scenario, by_language in base.experiment.labels.items():
        if scenario not in names:
            raise ConfigError(
                f"experiment.labels.{scenario}: not a scenario; scenarios: {', '.join(names)}"
            )
        for language in by_language:
            if language not in LANGUAGES:
                raise ConfigError(
                    f"experiment.labels.{scenario}.{language}: not a report language; "
                    f"allowed: {', '.join(LANGUAGES)}"
                )


def _scenario_config(values: Mapping[str, Any], name: str, overrides: Mapping[str, Any]) -> Config:
    """The base overrides, then the scenario's own (which win), composed from the defaults."""
    try:
        return load_config({**values, **overrides, "scenario": name})
    except ConfigError as err:
        raise ConfigError(f"experiment.scenarios.{name}: {err}") from None


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------
def run_comparison(plan: Plan, outdir: Path, progress: bool = True) -> ComparisonResult:
    """Run every scenario, write its outputs, then the comparison's tables and report.

    Args:
        plan: From :func:`plan_comparison`.
        outdir: Output directory (created if needed).
        progress: Show a progress bar per scenario on stderr.
    """
    from hfsim import __version__
    from hfsim.runner import run_replications, tqdm_progress, write_outputs

    if plan.base.trial.enabled:
        from hfsim.trial import run_trial

        return run_trial(plan, outdir, progress)
    outdir = make_dir(Path(outdir))
    total = len(plan.configs)
    for i, (name, cfg) in enumerate(plan.configs.items(), start=1):
        bar = tqdm_progress(f"{name} [{i}/{total}]") if progress else None
        # the scenario's own tables; its figures are in the comparison's report
        write_outputs(outdir / name, cfg, run_replications(cfg, progress=bar), figures=False)
    kpis = pd.concat(
        [pd.read_csv(outdir / name / "kpis.csv") for name in plan.configs], ignore_index=True
    )
    from hfsim.report.stats import paired_differences

    comparison = paired_differences(kpis, plan.pairs, KPI_NAMES)
    write_text(outdir / "comparison.csv", comparison.to_csv(index=False))
    write_text(outdir / "kpis.csv", kpis.to_csv(index=False))
    write_text(outdir / "config.yaml", _config_yaml(plan))
    report = _write_report(plan, outdir, kpis, comparison, __version__)
    # last: a directory with summary.json holds a finished comparison
    write_text(outdir / "summary.json", json.dumps(_summary(plan, kpis, __version__), indent=2))
    return ComparisonResult(outdir, plan, kpis, comparison, report)


def _write_report(
    plan: Plan, outdir: Path, kpis: pd.DataFrame, comparison: pd.DataFrame, version: str
) -> Path | None:
    from hfsim.report import ReportInput, render_report
    from hfsim.report.html import reproduce_command, summary_table

    if not plan.base.report.figures:
        summary = summary_table(kpis, list(plan.configs))
        write_text(outdir / "kpi_summary.csv", summary.to_csv(index=False))
        return None
    names = list(plan.configs)
    data = ReportInput(
        command="compare",
        configs=plan.configs,
        kpis=kpis,
        timeseries=pd.concat([pd.read_parquet(outdir / n / "timeseries.parquet") for n in names]),
        tenancies=pd.concat([pd.read_parquet(outdir / n / "tenancies.parquet") for n in names]),
        seeds=sorted(set(kpis["seed"]), key=list(kpis["seed"]).index),
        version=version,
        overrides=plan.overrides,
        pairs=plan.pairs,
        comparison=comparison,
        reproduce=reproduce_command("compare", plan.base, plan.command_args),
    )
    return render_report(outdir, data)


def _config_yaml(plan: Plan) -> str:
    from hfsim.report.html import reproduce_command
    from hfsim.runner import config_dict

    header = f"# {reproduce_command('compare', plan.base, plan.command_args)}\n"
    body = config_dict(plan.base)
    body["experiment"]["scenarios"] = plan.overrides
    body["experiment"]["compare_to"] = plan.pairs
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def _summary(plan: Plan, kpis: pd.DataFrame, version: str) -> dict[str, Any]:
    from hfsim.results import summarise

    base = plan.base
    scenarios = {}
    for name, cfg in plan.configs.items():
        rows = kpis[kpis.scenario == name]
        scenarios[name] = {
            "overrides": plan.overrides[name],
            "compared_with": plan.pairs.get(name),
            "policy": cfg.policy.name,
            "regime": cfg.regime.name,
            "municipality": cfg.municipality.name,
            "kpis": _json_safe(summarise(rows)),
        }
    return {
        "version": version,
        "command": "compare",
        "experiment": base.experiment.name,
        "question": base.experiment.question,
        "seed": base.seed,
        "replications": base.replications,
        "replication_seeds": [int(s) for s in kpis[kpis.scenario == next(iter(plan.configs))].seed],
        "years": base.years,
        "warmup_years": base.warmup_years,
        "scenarios": scenarios,
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return None
    return value


def print_table(result: ComparisonResult, kpis: Iterable[str] = PRINTED_KPIS) -> None:
    """A short table of differences on stdout (the full table is ``comparison.csv``)."""
    if result.trial is not None:
        from hfsim.trial import print_trial

        return print_trial(result)
    from hfsim.report.console import comparison_lines, written_line

    plan, lang = result.plan, result.plan.base.report.language
    header = {"scenarios": len(plan.configs), "municipality": plan.base.municipality.name,
              "replications": plan.base.replications}  # fmt: skip
    for line in comparison_lines(result.comparison, plan.pairs, kpis, header, lang):
        print(line)
    print(written_line(result.outdir, "comparison_report" if result.report else "comparison", lang))


# ---------------------------------------------------------------------------------------
# Library and command-line entry points
# ---------------------------------------------------------------------------------------
def compare(
    outdir: Path | str,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    progress: bool = False,
) -> ComparisonResult:
    """Compare scenarios on common random numbers (what ``hfsim compare`` does).

    Args:
        outdir: Output directory.
        overrides: Overrides for all scenarios, e.g. ``["experiment=housing_supply",
            "years=5"]``.
        progress: Show progress bars.

    Example:
        >>> from hfsim.compare import compare
        >>> result = compare("out/cmp", ["municipality=small_town", "replications=3"])
        >>> result.comparison.query("kpi == 'homeless_mean'")  # doctest: +SKIP
    """
    return run_comparison(plan_comparison(overrides), Path(outdir), progress=progress)


def _run_command(cfg: Config, outdir: Path) -> int:
    """``hfsim compare``: plan from the typed overrides, run, print the short table."""
    from hfsim.cli import current_overrides, parse_cli_overrides

    typed = current_overrides()
    values, hydra_args = parse_cli_overrides(typed, sweep_allowed=False)
    plan = plan_comparison(values, [a for a in typed if a not in hydra_args])
    if plan.base != cfg:  # pragma: no cover - the two composition routes must agree
        log.warning("hfsim compare: Hydra's config differs from the library's; using the library's")
    result = run_comparison(plan, outdir, progress=True)
    print_table(result)
    return 0


__all__ = ["ComparisonResult", "Plan", "compare", "plan_comparison", "run_comparison"]
