"""The self-contained HTML report: findings in sentences, tables, figures, sources, how to rerun.

One page builder serves ``hfsim run`` (one scenario, levels) and ``hfsim compare`` (several
scenarios, differences from a baseline). Figures are embedded as base64 PNG and the tables as
``data:`` CSV downloads, so the file opens anywhere without a network or other files.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import math
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from hfsim.config import Config, load_config
from hfsim.config.load import GROUPS, group_options
from hfsim.outputs import make_dir, write_text
from hfsim.report import i18n, limits
from hfsim.report.figures import Figure, FigureData, make_figures
from hfsim.report.parameters_da import CHOICE_TEXT, PARAMETER_DA, SOURCE_WORDS_DA
from hfsim.report.stats import t_interval
from hfsim.results import KPI_NAMES

DEFAULT_HEADLINE = (
    "homeless_mean",
    "rough_sleeping_mean",
    "shelter_mean",
    "days_to_housing_median",  # led by the censored waiting times (LEADING_KPIS)
    "retention_12m",
    "placements_per_year",
    "cost_total_dkk_per_year",
    "cost_municipal_dkk_per_year",
    "cost_state_dkk_per_year",
)
PARAMETER_BLOCKS = (
    "citizens", "shelter", "housing", "tenancy", "support", "allocation", "costs", "policy",
    "regime",
)  # fmt: skip
SOURCE_CLASSES = ("confirmed", "secondary", "derived", "calibrated", "assumption")
# The median wait among the housed flatters a scenario that houses few; where a run has the
# censored (Kaplan-Meier) measures over every spell, the report leads with them instead.
LEADING_KPIS = {"days_to_housing_median": ("days_to_housing_km_median", "housed_within_12m")}


@dataclass
class ReportInput:
    """Everything the report shows.

    Args:
        command: ``run`` or ``compare``.
        configs: Scenario -> its config, in display order.
        kpis: One row per scenario and replication (``scenario``, ``replication``, KPIs).
        timeseries: Tidy time series of every scenario.
        tenancies: Tenancy tables of every scenario.
        seeds: The replication seeds (the same in every scenario).
        version: hfsim version.
        overrides: Scenario -> the overrides that make it (for descriptions).
        pairs: Scenario -> the baseline it is compared with (empty for a run).
        comparison: Rows of ``comparison.csv`` (None for a run).
        reproduce: The command line that reproduces the outputs.
    """

    command: str
    configs: dict[str, Config]
    kpis: pd.DataFrame
    timeseries: pd.DataFrame
    tenancies: pd.DataFrame
    seeds: list[int]
    version: str
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    reproduce: str = ""

    @property
    def scenarios(self) -> list[str]:
        return list(self.configs)

    @property
    def base(self) -> Config:
        """The config of the (first) baseline, or of the only scenario."""
        baselines = [b for b in self.pairs.values() if b in self.configs]
        return self.configs[baselines[0] if baselines else self.scenarios[0]]

    @property
    def language(self) -> str:
        return self.base.report.language

    @property
    def headline(self) -> list[str]:
        """The headline KPIs this run has, the censored waiting times leading where it has them."""
        return headline_kpis(
            list(self.base.experiment.headline) or list(DEFAULT_HEADLINE), self.kpis.columns
        )

    def label(self, scenario: str) -> str:
        """The name shown for a scenario in the report's language."""
        return scenario_label(scenario, self.language, self.base.experiment.labels)


def headline_kpis(chosen: Sequence[str], available: Iterable[str]) -> list[str]:
    """The chosen headline KPIs that a run has, with :data:`LEADING_KPIS` put in place.

    Args:
        chosen: ``experiment.headline`` or :data:`DEFAULT_HEADLINE`.
        available: The KPI columns the run has (older runs lack the newer KPIs).
    """
    have = set(available)
    out: list[str] = []
    for kpi in chosen:
        lead = [k for k in LEADING_KPIS.get(kpi, ()) if k in have]
        out += lead or ([kpi] if kpi in have else [])
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------
def write_report(
    outdir: Path,
    cfg: Config,
    summary: dict[str, Any],
    kpis: pd.DataFrame,
    timeseries: pd.DataFrame,
    tenancies: pd.DataFrame,
) -> Path:
    """Write the report of one scenario (``hfsim run``): figures, ``kpi_summary.csv``, HTML.

    Args:
        outdir: The run's output directory.
        cfg: The config that was run.
        summary: The run's summary (version, seeds, KPI means and intervals).
        kpis: One row per replication.
        timeseries: Tidy time series of the replications.
        tenancies: Tenancy table of the replications.
    """
    scenario = summary["scenario"]
    data = ReportInput(
        command="run",
        configs={scenario: cfg},
        kpis=kpis,
        timeseries=timeseries,
        tenancies=tenancies,
        seeds=list(summary.get("replication_seeds", [])),
        version=summary["version"],
        reproduce=reproduce_command("run", cfg),
    )
    return render_report(Path(outdir), data)


def render_report(outdir: Path, data: ReportInput) -> Path:
    """Draw the figures and write ``kpi_summary.csv`` and ``report.html`` into ``outdir``.

    Args:
        outdir: Output directory.
        data: What to report.
    """
    make_dir(outdir)
    summary = summary_table(data.kpis, data.scenarios)
    write_text(outdir / "kpi_summary.csv", summary.to_csv(index=False))
    figures = make_figures(_figure_data(data), outdir / "figures")
    page = _page(data, summary, figures)
    return write_text(outdir / "report.html", page)


def summary_table(kpis: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """Mean and 95 % CI of every KPI per scenario (``kpi_summary.csv``)."""
    rows = []
    for kpi in KPI_NAMES:
        for scenario in scenarios:
            values = kpis.loc[kpis.scenario == scenario, kpi].to_numpy(dtype=float)
            mean, low, high = t_interval(values)
            n = int(pd.notna(values).sum())
            rows.append(
                {
                    "kpi": kpi,
                    "label": i18n.kpi_label(kpi, "en"),
                    "unit": i18n.kpi_unit(kpi, "en"),
                    "scenario": scenario,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def _figure_data(data: ReportInput) -> FigureData:
    return FigureData(
        scenarios=data.scenarios,
        labels={s: data.label(s) for s in data.scenarios},
        timeseries=data.timeseries,
        tenancies=data.tenancies,
        kpis=data.kpis,
        warmup_weeks=data.base.warmup_years * 52,
        support_capacity={s: support_capacity(c) for s, c in data.configs.items()},
        language=data.language,
        comparison=data.comparison,
        headline=data.headline,
    )


def support_capacity(cfg: Config) -> float:
    """Client places over all support teams (staff × caseload, summed over methods)."""
    methods = (cfg.support.cti, cfg.support.icm, cfg.support.act)
    return float(sum(m.staff * m.caseload for m in methods))


def scenario_label(
    name: str, language: str, labels: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """The name shown for a scenario: its label from ``experiment.labels``, a policy's
    readable name, or else the scenario name itself.

    Args:
        name: The scenario.
        language: ``en`` or ``da``.
        labels: Scenario -> language -> label (``experiment.labels``).
    """
    label = (labels or {}).get(name, {}).get(language)
    if label:
        return label
    if name in group_options("policy"):
        return i18n.option_label("policy", name, language)
    return name


# ---------------------------------------------------------------------------------------
# Reproduction: a command line that rebuilds a config
# ---------------------------------------------------------------------------------------
def format_override(key: str, value: Any) -> str:
    """One ``key=value`` override in Hydra's syntax (dicts as ``{a:1}``, lists as ``[1,2]``)."""
    return f"{key}={_hydra_value(value)}"


def _hydra_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{_hydra_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_hydra_value(v) for v in value) + "]"
    if isinstance(value, str):
        needs_quotes = value == "" or any(c in value for c in " ,:{}[]()='\"")
        return "'" + value.replace("'", "\\'") + "'" if needs_quotes else value
    return repr(value) if isinstance(value, float) else str(value)


def flatten_config(node: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> value for every field of a config (free-form dicts stay whole)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        key = prefix + f.name
        if dataclasses.is_dataclass(value):
            out.update(flatten_config(value, key + "."))
        else:
            out[key] = value
    return out


def config_overrides(cfg: Config) -> list[str]:
    """The overrides that rebuild ``cfg`` from the defaults: group choices, then values.

    Args:
        cfg: A validated config.
    """
    defaults = load_config({})
    choices = {
        "policy": cfg.policy.name,
        "municipality": cfg.municipality.name,
        "regime": cfg.regime.name,
        "experiment": cfg.experiment.name or "none",
    }
    groups = {g: v for g, v in choices.items() if g in GROUPS and v in group_options(g)}
    reference = flatten_config(load_config(groups))
    default_choices = flatten_config(defaults)
    args = [f"{g}={v}" for g, v in groups.items() if v != _group_value(default_choices, g)]
    for key, value in flatten_config(cfg).items():
        if reference.get(key) != value:
            args.append(format_override(key, value))
    return args


# Settings a sensitivity study sets itself, or that only shape outputs
NOT_FOR_SENSITIVITY = ("experiment", "report.", "output.", "sweep.", "sensitivity.", "calibrate.",
                       "bench.", "app.", "replications=", "scenario=")  # fmt: skip


def sensitivity_command(cfg: Config, keys: Sequence[str], replications: int = 3) -> str:
    """An ``hfsim sensitivity`` command (Morris screening) on ``cfg``'s settings that varies
    each key from half to twice its value in ``cfg``, within the range the schema allows.

    Keys at zero (nothing to halve or double) are left out.

    Args:
        cfg: The scenario to study.
        keys: Numeric config keys (the levers).
        replications: Replications per sample point (at least 2: the noise floor needs them).
    """
    from hfsim.sweep import config_field, get_value, numeric_kind

    ranges = {}
    for key in keys:
        value = float(get_value(cfg, key))
        if value <= 0:
            continue
        meta = config_field(key)[0].metadata
        low, high = value / 2, value * 2
        low = max(low, meta["lo"]) if meta.get("lo") is not None else low
        high = min(high, meta["hi"]) if meta.get("hi") is not None else high
        if numeric_kind(key) is int:
            low, high = math.floor(low), math.ceil(high)
        else:
            low, high = float(f"{low:.3g}"), float(f"{high:.3g}")
        if low < high:
            ranges[key] = [low, high]
    if not ranges and set(keys) != set(limits.DEFAULT_LEVERS):
        return sensitivity_command(cfg, limits.DEFAULT_LEVERS, replications)
    base = [a for a in config_overrides(cfg) if not a.startswith(NOT_FOR_SENSITIVITY)]
    args = [*base, f"replications={replications}", "sensitivity.method=morris",
            "sensitivity.samples=8", format_override("sensitivity.parameters", ranges),
            "hydra.run.dir=out/sensitivity"]  # fmt: skip
    return " ".join(["hfsim", "sensitivity", *(shlex.quote(a) for a in args)])


def _group_value(flat: Mapping[str, Any], group: str) -> str:
    return str(flat.get(f"{group}.name") or "none")


def reproduce_command(command: str, cfg: Config, raw: Iterable[str] | None = None) -> str:
    """The shell command that reproduces a run or comparison.

    Args:
        command: ``run`` or ``compare``.
        cfg: The config (used when ``raw`` is not given).
        raw: The overrides as typed on the command line, if known.
    """
    args = list(raw) if raw is not None else config_overrides(cfg)
    return " ".join(["hfsim", command, *(shlex.quote(a) for a in args)])


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------
TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _templates() -> jinja2.Environment:
    """The report's Jinja2 templates (``templates/``), escaping every value they insert."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not an empty string
        keep_trailing_newline=True,
    )


def _render(name: str, **context: Any) -> str:
    return _templates().get_template(name).render(**context)


def _page(data: ReportInput, summary: pd.DataFrame, figures: list[Figure]) -> str:
    t, lang = i18n.text(data.language), data.language
    base = data.base
    title = t["title_compare"] if data.command == "compare" else t["title_run"]
    if base.experiment.name and data.command == "compare":
        title += f": {base.experiment.name}"
    sections = [
        _header(data, title),
        _findings(data),
        _limits(data),
        _scenarios(data) if data.command == "compare" else "",
        _results(data, summary),
        _figures_section(figures, t),
        _assumptions(data),
        _reproduce(data),
    ]
    return _render(
        "page.html.j2",
        lang=lang,
        title=title,
        sections=[Markup(x) for x in sections],  # built from escaped parts
        generated=t["generated"].format(version=data.version),
    )


def _header(data: ReportInput, title: str) -> str:
    t, lang, base = i18n.text(data.language), data.language, data.base
    question = base.experiment.question_da if lang == "da" else ""
    meta = [
        f"{t['municipality']}: {base.municipality.name.replace('_', ' ').capitalize()}",
        f"{t['regime']}: {_regimes(data)}",
        f"{t['replications_label']}: {len(data.seeds)}",
        f"{t['horizon']}: " + t["horizon_value"].format(years=base.years, warmup=base.warmup_years),
    ]
    if data.command == "run":
        meta.insert(0, f"{t['policy']}: {i18n.option_label('policy', base.policy.name, lang)}")
    return _render(
        "header.html.j2", t=t, title=title, meta=meta,
        question=question or base.experiment.question,
    )  # fmt: skip


def _regimes(data: ReportInput) -> str:
    names = dict.fromkeys(c.regime.name for c in data.configs.values())
    return "; ".join(i18n.option_label("regime", n, data.language) for n in names)


def _findings(data: ReportInput) -> str:
    t, lang = i18n.text(data.language), data.language
    n = len(data.seeds)
    if data.comparison is None:
        sentences = []
        for kpi in data.headline:
            mean, low, high = t_interval(data.kpis[kpi].to_numpy(dtype=float))
            bounds = interval_words(kpi, low, high, lang)
            sentence = t["sentence_level"].format(
                noun=i18n.kpi_noun(kpi, lang), value=i18n.format_kpi(kpi, mean, lang), **bounds
            )
            sentences.append(_sentence_start(sentence))
        intro = t["findings_intro_run"].format(n=n, years=data.base.years)
        groups = [{"heading": "", "sentences": sentences}]
        return _render("findings.html.j2", t=t, intro=intro, groups=groups, note="")
    rows = {(r["scenario"], r["kpi"]): r for r in data.comparison.to_dict("records")}
    groups = [
        {
            "heading": f"{data.label(scenario)} – {t['compared_with']} {data.label(baseline)}",
            "sentences": [
                finding_sentence(rows[(scenario, kpi)], lang, data.label) for kpi in data.headline
            ],
        }
        for scenario, baseline in data.pairs.items()
    ]
    return _render(
        "findings.html.j2", t=t, intro=t["findings_intro"].format(n=n), groups=groups,
        note=t["unclear_note"],
    )  # fmt: skip


def _limits(data: ReportInput) -> str:
    """What limits the result: per scenario the binding constraints, per pair what explains
    a loss on homelessness, the constraints table and the note on what the intervals cover."""
    t, lang = i18n.text(data.language), data.language
    values = {s: limits.means(data.kpis, s) for s in data.scenarios}
    found = {s: limits.readings(v) for s, v in values.items()}
    items = []
    for scenario in data.scenarios:
        offers = _offers_sentence(data, scenario, values[scenario])
        binding = [r for r in found[scenario] if r.binds]
        label = data.label(scenario)
        if binding:
            text = t["limits_main"].format(
                scenario=label, sentence=_limit_sentence(binding[0], lang)
            )
            if len(binding) > 1:
                rest = "; ".join(_limit_sentence(r, lang) for r in binding[1:])
                text += " " + t["limits_also"].format(sentences=rest)
        else:
            text = t["limits_none"].format(scenario=label)
        items.append(_sentence_start(" ".join(x for x in (offers, text) if x)))
    unmeasured = limits.missing(values[data.scenarios[0]])
    names = ", ".join(t[f"limit_name_{r.constraint}"] for r in unmeasured)
    cfg, levers = _sensitivity_target(data, found)
    return _render(
        "limits.html.j2",
        t=t,
        explanations=_pair_explanations(data, found),
        items=items,
        scenario_labels=[data.label(s) for s in data.scenarios],
        rows=_limits_rows(data, found),
        missing=t["limits_missing"].format(names=names) if unmeasured else "",
        random_note=t["limits_random"].format(n=len(data.seeds)),
        command=sensitivity_command(cfg, levers),
    )


def _pair_explanations(data: ReportInput, found: Mapping[str, list[limits.Reading]]) -> list[str]:
    """Per compared pair: who has more homeless people and which constraint explains it."""
    if data.comparison is None:
        return []
    t, lang = i18n.text(data.language), data.language
    rows = data.comparison.set_index(["scenario", "kpi"])
    out = []
    for scenario, baseline in data.pairs.items():
        row = rows.loc[(scenario, "homeless_mean")]
        low, high = row["diff_ci_low"], row["diff_ci_high"]
        fmt = {
            "value": i18n.format_kpi("homeless_mean", row["mean"], lang),
            "base_value": i18n.format_kpi("homeless_mean", row["baseline_mean"], lang),
        }
        if not (low > 0 or high < 0):  # NaN (one replication) is not clear either
            out.append(t["limits_no_clear"].format(
                scenario=data.label(scenario), baseline=data.label(baseline), **fmt))  # fmt: skip
            continue
        loser, winner = (scenario, baseline) if low > 0 else (baseline, scenario)
        if loser == baseline:
            fmt = {"value": fmt["base_value"], "base_value": fmt["value"]}
        names = {"loser": data.label(loser), "winner": data.label(winner)}
        why = limits.explain(found[loser], found[winner])
        if why is None:
            out.append(t["limits_unexplained"].format(**names, **fmt))
            continue
        out.append(t["limits_explain"].format(
            **names, **fmt, sentence=_limit_sentence(why[0], lang),
            other=_limit_measure(why[1], lang)))  # fmt: skip
    return out


def _offers_sentence(data: ReportInput, scenario: str, values: Mapping[str, float]) -> str:
    keys = ("offers_per_year", "offers_taken_share", "offers_lapsed_share")
    if not all(math.isfinite(values.get(k, math.nan)) for k in keys):
        return ""
    lang = data.language
    return i18n.text(lang)["limits_offers"].format(
        scenario=data.label(scenario),
        offers=i18n.format_kpi("offers_per_year", values["offers_per_year"], lang),
        taken=i18n.format_kpi("offers_taken_share", values["offers_taken_share"], lang),
        lapsed=i18n.format_kpi("offers_lapsed_share", values["offers_lapsed_share"], lang),
    )


def _limit_numbers(reading: limits.Reading, language: str) -> dict[str, str]:
    """A reading's value (a share in per cent, or a count) and its ratio in per cent."""
    share = i18n.format_number(100 * reading.ratio, 1, language) + " %"
    if reading.rule.per is None:
        return {"share": share, "value": share}
    value = i18n.format_number(reading.value, 0 if abs(reading.value) >= 100 else 1, language)
    return {"share": share, "value": value}


def _limit_sentence(reading: limits.Reading, language: str) -> str:
    return i18n.text(language)[f"limit_{reading.rule.constraint}"].format(
        **_limit_numbers(reading, language)
    )


def _limit_measure(reading: limits.Reading, language: str) -> str:
    """The reading as a short measure: ``12 %`` or ``4.5 (3.1 %)``."""
    n = _limit_numbers(reading, language)
    return n["share"] if reading.rule.per is None else f"{n['value']} ({n['share']})"


def _limits_rows(
    data: ReportInput, found: Mapping[str, list[limits.Reading]]
) -> list[dict[str, Any]]:
    """The constraints table: one row per rule the run could judge, a cell per scenario."""
    t, lang = i18n.text(data.language), data.language
    by_rule = {s: {r.rule.constraint: r for r in rs} for s, rs in found.items()}
    rows = []
    for rule in limits.RULES:
        if not any(rule.constraint in b for b in by_rule.values()):
            continue
        threshold = i18n.format_number(100 * rule.threshold, 0, lang) + " %"
        cells = []
        for scenario in data.scenarios:
            reading = by_rule[scenario].get(rule.constraint)
            text = _limit_measure(reading, lang) if reading else "–"
            cells.append({"text": text, "binds": reading is not None and reading.binds})
        rows.append({
            "name": t[f"limit_name_{rule.constraint}"],
            "threshold": t[f"limit_per_{rule.per or 'offers'}"].format(threshold=threshold),
            "cells": cells,
        })  # fmt: skip
    return rows


def _sensitivity_target(
    data: ReportInput, found: Mapping[str, list[limits.Reading]]
) -> tuple[Config, list[str]]:
    """The scenario whose constraint binds hardest (the baseline when none binds) and the
    levers that relax its binding constraints: what the sensitivity command studies."""
    binding = [(r.severity, s) for s, rs in found.items() for r in rs if r.binds]
    if not binding:
        return data.base, limits.levers([])
    scenario = max(binding)[1]
    return data.configs[scenario], limits.levers([found[scenario]])


def finding_sentence(
    row: Mapping[str, Any], language: str, label: Callable[[str], str] = str
) -> str:
    """A plain sentence stating a scenario's difference from its baseline for one KPI.

    Args:
        row: A ``comparison.csv`` row as a mapping.
        language: ``en`` or ``da``.
        label: Scenario name -> the name shown.
    """
    t = i18n.text(language)
    kpi = row["kpi"]
    low, high = row["diff_ci_low"], row["diff_ci_high"]
    known = math.isfinite(low) and math.isfinite(high)
    clear = known and (low > 0 or high < 0)
    template = t["sentence_diff"] if clear else t["sentence_same"]
    if not known:
        template = t["sentence_no_interval"]
    sentence = template.format(
        noun=i18n.kpi_noun(kpi, language),
        direction=t["lower"] if row["diff_mean"] < 0 else t["higher"],
        scenario=label(row["scenario"]),
        baseline=label(row["baseline"]),
        value=i18n.format_kpi(kpi, row["mean"], language),
        base_value=i18n.format_kpi(kpi, row["baseline_mean"], language),
        diff=i18n.format_kpi(kpi, row["diff_mean"], language, diff=True),
        **interval_words(kpi, low, high, language, diff=True),
    )
    return _sentence_start(sentence)


def interval_words(
    kpi: str, low: float, high: float, language: str, diff: bool = False
) -> dict[str, str]:
    """The bounds of an interval for a sentence (``low``, ``high``), cut to the possible
    range; an interval that spans every possible value says so after its upper bound."""
    low, high, informative = i18n.shown_interval(kpi, low, high, diff)
    words = {k: i18n.format_kpi(kpi, v, language, diff) for k, v in (("low", low), ("high", high))}
    if not informative:
        words["high"] += "; " + i18n.text(language)["interval_wide"]
    return words


def _sentence_start(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _scenarios(data: ReportInput) -> str:
    t, lang = i18n.text(data.language), data.language
    baselines = set(data.pairs.values())
    rows = []
    for scenario in data.scenarios:
        changes = describe_overrides(data.overrides.get(scenario, {}), lang) or t["no_changes"]
        if scenario in data.pairs:
            role = f"{t['compared_with']} {data.label(data.pairs[scenario])}"
        else:
            role = t["is_baseline"] if scenario in baselines else ""
        label = data.label(scenario)
        rows.append({"label": label, "name": scenario if label != scenario else "",
                     "changes": changes, "role": role})  # fmt: skip
    return _render("scenarios.html.j2", t=t, rows=rows)


def describe_overrides(overrides: Mapping[str, Any], language: str) -> str:
    """A scenario's overrides in words: ``policy: Housing First · §110 shelter places: 40``."""
    parts = []
    for key, value in overrides.items():
        name = i18n.lever_label(key, language)
        if name == key and language == "da":
            name = PARAMETER_DA.get(key, key)
        parts.append(f"{name}: {_show(value, language, key)}")
    return " · ".join(parts)


def _results(data: ReportInput, summary: pd.DataFrame) -> str:
    t, lang, base = i18n.text(data.language), data.language, data.base
    cells = summary.set_index(["kpi", "scenario"])
    rows = [
        {
            "label": i18n.kpi_label(kpi, lang),
            "unit": _unit(kpi, lang),
            "cells": [
                {"text": _value_ci(kpi, cells.loc[(kpi, s)], lang), "bold": False}
                for s in data.scenarios
            ],
        }
        for kpi in KPI_NAMES
    ]
    tables = [_table("", "", [data.label(s) for s in data.scenarios], rows, lang)]
    downloads = [("kpi_summary.csv", summary)]
    if data.comparison is not None:
        tables.append(_differences(data))
        downloads.append(("comparison.csv", data.comparison))
    return _render(
        "results.html.j2",
        t=t,
        intro=t["results_intro"].format(years=base.years, warmup=base.warmup_years),
        tables=tables,
        downloads=[{"name": name, "payload": _csv_payload(frame)} for name, frame in downloads],
    )


def _table(
    title: str, intro: str, head: list[str], rows: list[dict[str, Any]], language: str
) -> dict[str, Any]:
    """A KPI table for ``results.html.j2``, with the footnote to :data:`WIDE_MARK` if needed."""
    wide = any(c["text"].endswith(WIDE_MARK) for r in rows for c in r["cells"])
    note = f"{WIDE_MARK.strip()} {i18n.text(language)['interval_wide']}" if wide else ""
    return {"title": title, "intro": intro, "head": head, "rows": rows, "wide_note": note}


def _unit(kpi: str, language: str, diff: bool = False) -> str:
    """Unit as the table shows it (shares in per cent, their differences in percentage
    points, costs in million DKK)."""
    unit = i18n.KPI_TEXT["en"][kpi][1]
    if unit == "share":
        return i18n.text(language)["percentage_points"] if diff else "%"
    if unit == "DKK/year":
        return i18n.text(language)["mio_dkk_per_year"]
    return i18n.kpi_unit(kpi, language)


def _bare(kpi: str, value: float, language: str, diff: bool = False) -> str:
    """A KPI value without its unit words (the table has a unit column)."""
    if value is None or not math.isfinite(value):
        return "–"
    unit = i18n.KPI_TEXT["en"][kpi][1]
    if unit == "share":
        return i18n.format_number(100 * value, 1, language, diff)
    if unit == "DKK/year":
        mio = value / 1e6
        return i18n.format_number(mio, 0 if abs(mio) >= 100 else 1 if abs(mio) >= 10 else 2,
                                  language, diff)  # fmt: skip
    decimals = 0 if unit in ("days", "nights") or abs(value) >= 100 else 1
    return i18n.format_number(value, decimals, language, diff)


WIDE_MARK = " *"  # after an interval that spans every possible value (footnote: interval_wide)


def _value_ci(kpi: str, row: pd.Series, language: str, diff: bool = False) -> str:
    """``mean [low; high]`` for a table cell, the interval cut to the possible range and
    marked with :data:`WIDE_MARK` when it spans all of it."""
    mean, low, high = (row[c] for c in ("mean", "ci_low", "ci_high"))
    low, high, informative = i18n.shown_interval(kpi, low, high, diff)
    if not math.isfinite(mean):
        return "–"
    if not (math.isfinite(low) and math.isfinite(high)):
        return _bare(kpi, mean, language, diff)
    return (
        f"{_bare(kpi, mean, language, diff)} "
        f"[{_bare(kpi, low, language, diff)}; {_bare(kpi, high, language, diff)}]"
        + ("" if informative else WIDE_MARK)
    )


def _differences(data: ReportInput) -> dict[str, Any]:
    t, lang = i18n.text(data.language), data.language
    rows = data.comparison.set_index(["kpi", "scenario"])
    out = []
    for kpi in KPI_NAMES:
        cells = []
        for scenario in data.pairs:
            r = rows.loc[(kpi, scenario)]
            interval = {"mean": r.diff_mean, "ci_low": r.diff_ci_low, "ci_high": r.diff_ci_high}
            cells.append({
                "text": _value_ci(kpi, pd.Series(interval), lang, diff=True),
                "bold": bool(r.diff_ci_low > 0 or r.diff_ci_high < 0),
            })  # fmt: skip
        out.append({"label": i18n.kpi_label(kpi, lang), "unit": _unit(kpi, lang, diff=True),
                    "cells": cells})  # fmt: skip
    head = [f"{data.label(s)} − {data.label(b)}" for s, b in data.pairs.items()]
    return _table(t["differences"], t["differences_intro"], head, out, lang)


def _csv_payload(frame: pd.DataFrame) -> str:
    return base64.b64encode(frame.to_csv(index=False).encode("utf-8")).decode("ascii")


def _figures_section(figures: list[Figure], t: dict[str, str]) -> str:
    shown = [
        {"title": f.title, "caption": f.caption, "how_to_read": f.how_to_read,
         "payload": base64.b64encode(f.path.read_bytes()).decode("ascii")}
        for f in figures
    ]  # fmt: skip
    return _render("figures.html.j2", t=t, figures=shown)


# ---------------------------------------------------------------------------------------
# Assumptions and parameters (read from the schema's metadata)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    """One config field with its schema metadata."""

    key: str
    value: Any
    unit: str
    source: str
    doc: str
    lo: float | None
    hi: float | None

    @property
    def numeric(self) -> bool:
        """A number (not a switch or a choice): the kind of value a source can back."""
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)

    @property
    def shown_source(self) -> str:
        return self.source if self.numeric else ""


def parameters(cfg: Config, blocks: Sequence[str] = PARAMETER_BLOCKS) -> list[Parameter]:
    """Every declared parameter of the model blocks, with its value in ``cfg``."""
    out = []
    for block in blocks:
        out += _block_parameters(getattr(cfg, block), block + ".")
    return out


def _block_parameters(node: Any, prefix: str) -> list[Parameter]:
    out = []
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if dataclasses.is_dataclass(value):
            out += _block_parameters(value, f"{prefix}{f.name}.")
        elif "source" in f.metadata:
            m = f.metadata
            out.append(
                Parameter(
                    prefix + f.name, value, m["unit"], m["source"], m["doc"], m["lo"], m["hi"]
                )
            )
    return out


def source_class(source: str) -> str:
    """Which kind of source backs a default: confirmed, secondary, derived, calibrated, assumption."""
    text = source.strip()
    for tag, name in (("[C]", "confirmed"), ("[S]", "secondary"), ("[D]", "derived")):
        if text.startswith(tag):
            return name
    return "calibrated" if text.startswith("calibrated") else "assumption"


def _assumptions(data: ReportInput) -> str:
    t, lang = i18n.text(data.language), data.language
    params = parameters(data.base)
    counts = {c: 0 for c in SOURCE_CLASSES}
    numeric = [p for p in params if p.numeric]
    for p in numeric:
        counts[source_class(p.source)] += 1
    rows = [
        {"key": p.key, "meaning": _describe(p, lang), "value": _show(p.value, lang, p.key),
         "unit": i18n.unit_text(p.unit, lang), "source": source_text(p.shown_source, lang)}
        for p in params
    ]  # fmt: skip
    return _render(
        "assumptions.html.j2",
        t=t,
        assumption_list=t["assumption_list"].split("|"),
        source_counts=t["source_counts"].format(total=len(numeric), **counts),
        changed=_changed_parameters(data),
        parameters=rows,
    )


def _describe(p: Parameter, language: str) -> str:
    """A parameter's meaning: its lever label, else (Danish) its translation, else the
    schema's English text."""
    label = i18n.lever_label(p.key, language)
    if label != p.key:
        return label
    return PARAMETER_DA.get(p.key, p.doc) if language == "da" else p.doc


def source_text(source: str, language: str) -> str:
    """A parameter's source as shown: citations as written, the schema's words translated."""
    if language != "da":
        return source
    for english, danish in SOURCE_WORDS_DA:
        source = source.replace(english, danish)
    return source


def _show(value: Any, language: str, key: str = "") -> str:
    """A parameter value in the report's language (numbers formatted, choices in words).

    Args:
        value: The value.
        language: ``en`` or ``da``.
        key: Its config key (``policy.name`` and ``regime.name`` show the option's label).
    """
    t = i18n.text(language)
    group = key.removesuffix(".name")
    if isinstance(value, str) and group in ("policy", "regime"):
        return i18n.option_label(group, value, language)
    if isinstance(value, str):
        return CHOICE_TEXT[language].get(value, value)
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, float):
        if value.is_integer():
            return i18n.format_number(value, 0, language)
        return i18n.format_number(value, 3, language).rstrip("0").rstrip(".,")
    if isinstance(value, int):
        return i18n.format_number(value, 0, language)
    return str(value)


def _changed_parameters(data: ReportInput) -> dict[str, Any] | None:
    """Parameters whose values differ between scenarios, one column per scenario."""
    if len(data.configs) < 2:
        return None
    lang = data.language
    meta = {p.key: p for p in parameters(data.base)}
    flat = {s: flatten_config(c) for s, c in data.configs.items()}
    keys = [
        k
        for k in flat[data.scenarios[0]]
        if k in meta and len({repr(f[k]) for f in flat.values()}) > 1
    ]
    if not keys:
        return None
    rows = [
        {"key": key, "meaning": _describe(meta[key], lang),
         "unit": i18n.unit_text(meta[key].unit, lang),
         "shown": [_show(flat[s][key], lang, key) for s in data.scenarios],
         "source": source_text(meta[key].shown_source, lang)}
        for key in keys
    ]  # fmt: skip
    return {"head": [data.label(s) for s in data.scenarios], "rows": rows}


def _reproduce(data: ReportInput) -> str:
    return _render(
        "reproduce.html.j2",
        t=i18n.text(data.language),
        command=data.reproduce,
        version=data.version,
        seed=data.base.seed,
        replications=len(data.seeds),
        seeds=", ".join(str(s) for s in data.seeds),
    )
