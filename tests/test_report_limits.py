"""The report's "What limits the result": rules read the run's numbers, never a policy's name."""

from __future__ import annotations

import math
import shlex

import pandas as pd
import pytest

from hfsim.cli import _compose_with_hydra, _hydra_form, parse_cli_overrides
from hfsim.compare import plan_comparison
from hfsim.config import load_config
from hfsim.report import i18n, limits
from hfsim.report.html import (
    ReportInput,
    _limits,
    finding_sentence,
    headline_kpis,
    sensitivity_command,
)
from hfsim.report.stats import paired_differences
from hfsim.sensitivity import parameter_ranges

# What a run on the new model reports (names fixed by the lead); values chosen per test
BASE_KPIS = {
    "homeless_mean": 100.0,
    "shelter_users_per_year": 200.0,
    "offers_per_year": 120.0,
    "offers_taken_share": 0.9,
    "offers_lapsed_share": 0.1,
    "lapsed_no_eligible_share": 0.0,
    "lapsed_unaffordable_share": 0.0,
    "lapsed_no_support_share": 0.0,
    "lapsed_declined_share": 0.0,
    "support_waitlist_mean": 0.0,
    "ready_waiting_mean": 2.0,
    "turned_away_per_year": 0.0,
    "days_to_housing_km_median": 200.0,
    "housed_within_12m": 0.6,
}


def fake_kpis(per_scenario: dict[str, dict[str, float]], replications: int = 4) -> pd.DataFrame:
    """Replications with a little spread around the given means (so intervals exist)."""
    rows = []
    for scenario, values in per_scenario.items():
        for r in range(replications):
            wobble = (r - (replications - 1) / 2) * 0.01
            row = {k: v * (1 + wobble) for k, v in {**BASE_KPIS, **values}.items()}
            rows.append({"scenario": scenario, "replication": r, "seed": r, **row})
    return pd.DataFrame(rows)


def report_input(kpis: pd.DataFrame, language: str = "en") -> ReportInput:
    plan = plan_comparison(["municipality=small_town", f"report.language={language}"])
    kpi_names = [c for c in kpis.columns if c not in ("scenario", "replication", "seed")]
    return ReportInput(
        command="compare",
        configs=plan.configs,
        kpis=kpis,
        timeseries=pd.DataFrame(),
        tenancies=pd.DataFrame(),
        seeds=list(range(kpis.replication.nunique())),
        version="test",
        overrides=plan.overrides,
        pairs=plan.pairs,
        comparison=paired_differences(kpis, plan.pairs, kpi_names),
    )


def test_a_loss_on_homelessness_is_explained_by_the_constraint_that_binds_harder():
    kpis = fake_kpis({
        "housing_first": {"homeless_mean": 130.0, "lapsed_no_support_share": 0.4},
        "shelter_first": {"homeless_mean": 100.0, "lapsed_no_support_share": 0.01},
    })  # fmt: skip
    page = _limits(report_input(kpis))
    assert "“Housing First” has more homeless people than “shelter-first (staircase)”" in page
    assert "What binds harder under “Housing First”: 40.0 % of the dwellings offered lapsed " \
        "because no support slot was free" in page  # fmt: skip
    assert "against 1.0 % under “shelter-first (staircase)”" in page
    # the table marks the binding cell only
    assert "<b>40.0 %</b>" in page and "<b>1.0 %</b>" not in page


def test_the_explanation_follows_the_numbers_not_the_policy_name():
    """The same numbers with the scenarios swapped: the explanation names the other policy."""
    kpis = fake_kpis({
        "shelter_first": {"homeless_mean": 130.0, "ready_waiting_mean": 40.0},
        "housing_first": {"homeless_mean": 100.0, "ready_waiting_mean": 3.0},
    })  # fmt: skip
    page = _limits(report_input(kpis))
    assert "“shelter-first (staircase)” has more homeless people than “Housing First”" in page
    assert "on average 40.0 citizens who could move in waited for a dwelling" in page
    assert "citizens who could move in waited for a dwelling (30.8 % of the homeless)" in page


def test_a_loss_no_constraint_explains_says_so_and_no_clear_difference_names_no_loser():
    kpis = fake_kpis({
        "housing_first": {"homeless_mean": 130.0},
        "shelter_first": {"homeless_mean": 100.0},
    })  # fmt: skip
    assert "none of the measured constraints binds harder" in _limits(report_input(kpis))
    kpis = fake_kpis({"housing_first": {}, "shelter_first": {}})
    page = _limits(report_input(kpis))
    assert "no clear difference in the number of homeless" in page
    assert "has more homeless" not in page


def test_the_danish_section_is_danish():
    kpis = fake_kpis({
        "housing_first": {"homeless_mean": 130.0, "turned_away_per_year": 80.0},
        "shelter_first": {"homeless_mean": 100.0},
    })  # fmt: skip
    page = _limits(report_input(kpis, "da"))
    assert "Hvad begrænser resultatet" in page and "har flere hjemløse end" in page
    assert "henvendelser om året om en plads på en §110-boform fandt ingen ledig" in page
    assert "40,0 % af antallet af brugere" in page
    for english in ("What limits", "binds harder", "requests a year"):
        assert english not in page


@pytest.mark.parametrize("rule", limits.RULES, ids=lambda r: r.constraint)
def test_each_rule_binds_from_its_threshold_and_not_below(rule):
    per = 1.0 if rule.per is None else 50.0
    at = dict(BASE_KPIS, **{rule.kpi: rule.threshold * per})
    if rule.per is not None:
        at[rule.per] = per
    below = dict(at, **{rule.kpi: 0.99 * rule.threshold * per})
    assert next(r for r in limits.readings(at) if r.rule is rule).binds
    assert not next(r for r in limits.readings(below) if r.rule is rule).binds


def test_readings_skip_what_a_run_does_not_have_and_report_it():
    old = {"homeless_mean": 50.0, "support_waitlist_mean": 10.0, "shelter_users_per_year": 9.0}
    found = limits.readings(old)
    assert [r.rule.constraint for r in found] == ["support_waitlist"]
    assert found[0].ratio == pytest.approx(0.2) and found[0].binds
    assert {r.constraint for r in limits.missing(old)} == {
        "no_support", "unaffordable", "no_eligible", "declined", "dwellings", "shelter_beds",
    }  # fmt: skip
    # a zero divisor gives no reading that binds, not a division error
    zero = limits.readings(dict(BASE_KPIS, shelter_users_per_year=0.0, turned_away_per_year=5.0))
    assert not next(r for r in zero if r.rule.constraint == "shelter_beds").binds


def test_the_printed_sensitivity_command_parses_and_its_ranges_are_allowed():
    cfg = load_config(["municipality=small_town", "policy=housing_first", "years=2"])
    keys = ["housing.anvisning_share", "support.icm.staff", "shelter.capacity"]
    command = sensitivity_command(cfg, keys)
    args = shlex.split(command)
    assert args[:2] == ["hfsim", "sensitivity"]
    values, hydra_args = parse_cli_overrides(args[2:], sweep_allowed=False)
    assert hydra_args == ["hydra.run.dir=out/sensitivity"]
    parsed = load_config(values)
    ranges = parameter_ranges(parsed.sensitivity.parameters)
    assert list(ranges) == keys
    low, high = ranges["housing.anvisning_share"]
    assert (low, high) == pytest.approx((cfg.housing.anvisning_share / 2,
                                         min(1.0, cfg.housing.anvisning_share * 2)), rel=1e-2)  # fmt: skip
    assert parsed.policy.name == "housing_first" and parsed.years == 2
    assert parsed.replications >= 2 and parsed.sensitivity.method == "morris"
    _compose_with_hydra([_hydra_form(a) for a in args[2:] if not a.startswith("hydra.")])


def test_levers_follow_the_most_severe_binding_constraint():
    found = limits.readings(dict(BASE_KPIS, turned_away_per_year=100.0, ready_waiting_mean=15.0))
    assert limits.levers([found])[:3] == [
        "shelter.capacity", "housing.anvisning_share", "housing.cheap_units",
    ]  # fmt: skip
    assert limits.levers([limits.readings(BASE_KPIS)]) == list(limits.DEFAULT_LEVERS)


def test_the_headline_leads_with_the_censored_waiting_times_when_the_run_has_them():
    chosen = ["homeless_mean", "days_to_housing_median", "retention_12m"]
    new = [*chosen, "days_to_housing_km_median", "housed_within_12m"]
    assert headline_kpis(chosen, new) == [
        "homeless_mean", "days_to_housing_km_median", "housed_within_12m", "retention_12m",
    ]  # fmt: skip
    assert headline_kpis(chosen, chosen) == chosen
    assert headline_kpis(["homeless_mean", "housed_within_12m"], chosen) == ["homeless_mean"]


def test_an_interval_past_the_possible_range_is_cut_and_called_uninformative():
    assert i18n.shown_interval("retention_12m", -1.517, 1.527, diff=True) == (-1.0, 1.0, False)
    assert i18n.shown_interval("retention_12m", -0.3, 0.4, diff=True) == (-0.3, 0.4, True)
    assert i18n.shown_interval("retention_12m", 0.76, 1.2) == (0.76, 1.0, True)
    assert i18n.shown_interval("homeless_mean", -3.0, 10.0) == (0.0, 10.0, True)
    assert i18n.shown_interval("homeless_mean", -30.0, 10.0, diff=True) == (-30.0, 10.0, True)
    row = {"kpi": "retention_12m", "scenario": "a", "baseline": "b", "mean": 0.9,
           "baseline_mean": 0.85, "diff_mean": 0.05, "diff_ci_low": -1.517,
           "diff_ci_high": 1.527}  # fmt: skip
    sentence = finding_sentence(row, "en")
    assert "−151.7" not in sentence and "interval not informative" in sentence
    assert "−100.0 pp to +100.0 pp" in sentence
    assert "intervallet siger intet" in finding_sentence(row, "da")
    assert math.isfinite(i18n.shown_interval("retention_12m", math.nan, math.nan)[0]) is False
