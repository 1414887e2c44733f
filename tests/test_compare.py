"""``hfsim compare``: scenarios on common random numbers, paired differences, named studies."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from scipy import stats

from hfsim.cli import main
from hfsim.compare import compare, plan_comparison
from hfsim.config import ConfigError, group_options, load_config, to_config
from hfsim.config.load import CONFIG_DIR
from hfsim.report.stats import COMPARISON_COLUMNS, paired_differences
from hfsim.results import KPI_NAMES

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["municipality=small_town", "years=2", "warmup_years=1", "output.workers=1"]
STUDIES = ("hf_vs_sf", "reform_effect", "housing_supply", "private_landlords")


@pytest.fixture(scope="module")
def default_compare(tmp_path_factory) -> Path:
    """The default comparison (Housing First vs shelter-first) through the command line.

    Figures and the report are tested in test_report.py; here they are switched off.
    """
    out = tmp_path_factory.mktemp("compare") / "out"
    code = main(
        ["compare", *SMALL, "replications=3", "report.figures=false", f"hydra.run.dir={out}"]
    )
    assert code == 0
    return out


def test_comparison_csv_has_the_contract_columns_and_one_row_per_kpi(default_compare):
    table = pd.read_csv(default_compare / "comparison.csv")
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert list(table.columns) == [
        "kpi", "scenario", "baseline", "mean", "baseline_mean", "diff_mean", "diff_ci_low",
        "diff_ci_high",
    ]  # fmt: skip
    assert sorted(table.kpi) == sorted(KPI_NAMES)
    assert set(table.scenario) == {"housing_first"}
    assert set(table.baseline) == {"shelter_first"}


def test_intervals_are_consistent(default_compare):
    table = pd.read_csv(default_compare / "comparison.csv")
    finite = table.dropna(subset=["diff_mean", "diff_ci_low", "diff_ci_high"])
    assert len(finite) >= len(KPI_NAMES) - 2  # a KPI may be undefined in a tiny run
    assert (finite.diff_ci_low <= finite.diff_mean + 1e-9).all()
    assert (finite.diff_mean <= finite.diff_ci_high + 1e-9).all()
    assert np.allclose(finite.diff_mean, finite["mean"] - finite.baseline_mean)


def test_differences_are_paired_over_replications_on_the_same_seeds(default_compare):
    kpis = pd.read_csv(default_compare / "kpis.csv")
    hf = kpis[kpis.scenario == "housing_first"].set_index("replication")
    sf = kpis[kpis.scenario == "shelter_first"].set_index("replication")
    assert list(hf.index) == [0, 1, 2]
    assert (hf.seed == sf.seed).all()  # common random numbers
    diffs = (hf.homeless_mean - sf.homeless_mean).to_numpy()
    half = stats.t.ppf(0.975, 2) * diffs.std(ddof=1) / math.sqrt(3)
    row = pd.read_csv(default_compare / "comparison.csv").set_index("kpi").loc["homeless_mean"]
    assert row.diff_mean == pytest.approx(diffs.mean())
    assert row.diff_ci_low == pytest.approx(diffs.mean() - half)
    assert row.diff_ci_high == pytest.approx(diffs.mean() + half)


def test_each_scenario_has_its_own_outputs(default_compare):
    for scenario, policy in (
        ("housing_first", "housing_first"),
        ("shelter_first", "shelter_first"),
    ):
        folder = default_compare / scenario
        for name in ("config.yaml", "summary.json", "kpis.csv", "timeseries.parquet",
                     "tenancies.parquet"):  # fmt: skip
            assert (folder / name).is_file(), (scenario, name)
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["policy"] == policy and summary["scenario"] == scenario
    summary = json.loads((default_compare / "summary.json").read_text())
    assert set(summary["scenarios"]) == {"housing_first", "shelter_first"}
    assert summary["scenarios"]["housing_first"]["compared_with"] == "shelter_first"
    assert (default_compare / "kpi_summary.csv").is_file()
    assert not (default_compare / "report.html").exists()  # report.figures=false


def test_paired_differences_by_hand():
    kpis = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2] * 2,
            "x": [11.0, 12.0, 13.0, 10.0, 10.0, 10.0],  # differences 1, 2, 3
            "y": [1.0, np.nan, 3.0, 1.0, 2.0, 2.0],  # one replication missing: not paired
        }
    )
    table = paired_differences(kpis, {"a": "b"}, ["x", "y"]).set_index("kpi")
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert table.loc["x", "diff_mean"] == pytest.approx(2.0)
    assert table.loc["x", "diff_ci_low"] == pytest.approx(2.0 - half)
    assert table.loc["x", "diff_ci_high"] == pytest.approx(2.0 + half)
    assert table.loc["y", "mean"] == pytest.approx(2.0)  # replications 0 and 2 only
    assert table.loc["y", "baseline_mean"] == pytest.approx(1.5)


def test_command_line_overrides_apply_to_every_scenario_and_scenarios_win():
    plan = plan_comparison(
        {
            "municipality": "small_town",
            "shelter.capacity": 30,
            "housing.anvisning_share": 0.3,
            "experiment.scenarios": {
                "today": {},
                "more": {"housing": {"anvisning_share": 0.6}, "policy": "shelter_first"},
            },
            "experiment.baseline": "today",
        }
    )
    today, more = plan.configs["today"], plan.configs["more"]
    assert today.shelter.capacity == more.shelter.capacity == 30
    assert today.housing.anvisning_share == 0.3 and more.housing.anvisning_share == 0.6
    assert more.policy.name == "shelter_first" and today.policy.name == "housing_first"
    assert today.seed == more.seed and today.replications == more.replications
    assert plan.pairs == {"more": "today"}
    assert plan.overrides["more"] == {"housing.anvisning_share": 0.6, "policy": "shelter_first"}


def test_default_scenarios_are_housing_first_against_shelter_first():
    plan = plan_comparison({})
    assert list(plan.configs) == ["housing_first", "shelter_first"]
    assert plan.pairs == {"housing_first": "shelter_first"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"experiment.baseline": "nope"}, "experiment.baseline='nope' is not a scenario"),
        (
            {"experiment.scenarios": {"a": {"seed": 3}, "b": {}}},
            "experiment.scenarios.a.seed: cannot differ between scenarios",
        ),
        (
            {"experiment.scenarios": {"a": {"housing.anvisning": 0.5}, "b": {}}},
            "experiment.scenarios.a: unknown key 'housing.anvisning'",
        ),
        (
            {"experiment.scenarios": {"a": {"housing.anvisning_share": 2.0}, "b": {}}},
            "experiment.scenarios.a: housing.anvisning_share=2.0 is out of range",
        ),
        ({"experiment.scenarios": {"only": {}}}, "needs at least two scenarios"),
        ({"experiment.scenarios": {"figures": {}, "b": {}}}, "cannot name a scenario"),
        ({"experiment.headline": ["homeless"]}, "experiment.headline: 'homeless' is not a KPI"),
        ({"experiment.compare_to": {"housing_first": "x"}}, "experiment.compare_to.housing_first"),
        ({"experiment.labels": {"x": {"en": "X"}}}, "experiment.labels.x: not a scenario"),
    ],
)
def test_bad_comparisons_are_refused_before_anything_runs(overrides, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        plan_comparison(overrides)


def test_the_command_line_refuses_a_bad_comparison_with_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", *SMALL, "experiment.baseline=nope", f"hydra.run.dir={out}"])
    assert code == 2
    assert "experiment.baseline='nope' is not a scenario" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("study", STUDIES)
def test_named_study_runs_briefly(study, tmp_path):
    result = compare(
        tmp_path / study,
        [
            f"experiment={study}",
            *SMALL[:1],
            "years=1",
            "warmup_years=0",
            "replications=2",
            "output.workers=1",
            "report.figures=false",
        ],  # fmt: skip
    )
    plan = result.plan
    assert plan.base.experiment.name == study
    assert len(plan.configs) >= 2 and plan.pairs
    table = pd.read_csv(tmp_path / study / "comparison.csv")
    assert len(table) == len(KPI_NAMES) * len(plan.pairs)
    assert set(zip(table.scenario, table.baseline, strict=True)) == set(plan.pairs.items())
    for name in plan.configs:
        assert (tmp_path / study / name / "kpis.csv").is_file()


@pytest.mark.parametrize("study", STUDIES)
def test_named_study_states_its_question_in_config_and_experiments_folder(study):
    experiment = load_config({"experiment": study}).experiment
    assert experiment.question and experiment.question_da
    text = (ROOT / "experiments" / f"{study}.md").read_text(encoding="utf-8")
    assert " ".join(experiment.question.split()) in " ".join(text.split())
    assert f"hfsim compare experiment={study}" in text


def test_every_study_in_the_config_group_is_documented():
    studies = set(group_options("experiment")) - {"none"}
    assert studies >= set(STUDIES)
    documented = {p.stem for p in (ROOT / "experiments").glob("*.md")} - {"README"}
    assert studies == documented


@pytest.mark.parametrize("study", STUDIES)
def test_studies_compose_the_same_with_hydra_and_the_library(study):
    overrides = [f"experiment={study}", "municipality=small_town", "years=3"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        hydra_cfg = to_config(compose("config", overrides=overrides))
    assert dataclasses.asdict(hydra_cfg) == dataclasses.asdict(load_config(overrides))


def test_reform_study_compares_each_reform_with_the_old_rules_under_the_same_policy():
    plan = plan_comparison({"experiment": "reform_effect"})
    regimes = {name: (c.policy.name, c.regime.name) for name, c in plan.configs.items()}
    for scenario, baseline in plan.pairs.items():
        if regimes[scenario][1] != "pre_2023":
            assert regimes[baseline] == (regimes[scenario][0], "pre_2023")
    assert {r for _, r in regimes.values()} == {"pre_2023", "reform_2023", "reform_2026"}
