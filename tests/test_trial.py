"""The randomised trial inside the model (``experiment=trial``)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hfsim.agents.citizen import State
from hfsim.compare import compare
from hfsim.config import ConfigError, load_config
from hfsim.model import HousingModel
from hfsim.trial import Trial, outcomes

# aarhus has enough homeless people with high needs for 2 x 30 (small_town has about 10)
BASE: dict[str, Any] = {
    "experiment": "trial",
    "policy": "shelter_first",
    "years": 2,
    "warmup_years": 1,
    "trial.cohort_per_arm": 30,
}
NO_DWELLINGS = {"housing.anvisning_share": 0.0, "housing.cheap_units": 0, "housing.private_landlords": 0}  # fmt: skip


def run_trial(seed: int = 0, check: bool = False, **overrides: Any) -> tuple[HousingModel, Trial]:
    model = HousingModel(load_config({**BASE, **overrides}), seed=seed)
    model.check_invariants = check
    trial = Trial(model)
    model.run()
    return model, trial


def _table(trial: Trial) -> pd.DataFrame:
    return pd.DataFrame(outcomes(trial)).set_index(["arm", "needs", "metric"])["value"]


def _housed_by_model(trial: Trial, arm: str) -> int:
    """Participants of an arm who moved into a dwelling in the model after randomisation."""
    return sum(
        any(t.start >= p.start for t in p.citizen.tenancies)
        for p in trial.participants
        if p.arm == arm
    )


def test_trial_csv_has_the_contracted_columns_and_values(tmp_path) -> None:
    args = [f"{k}={v}" for k, v in BASE.items() if k != "policy"]
    result = compare(tmp_path, [*args, "replications=2", "output.workers=1"])
    table = pd.read_csv(tmp_path / "trial.csv")
    assert list(table.columns) == ["arm", "needs", "metric", "value", "ci_low", "ci_high"]
    metrics = ["stably_housed_6m", "stably_housed_12m", "stably_housed_24m",
               "days_housed_share_24m", "days_to_housing_median"]  # fmt: skip
    expected = set(itertools.product(["housing_first", "usual"], ["high", "moderate"], metrics))
    assert set(zip(table.arm, table.needs, table.metric, strict=True)) == expected
    assert len(table) == len(expected)
    per_run = pd.read_csv(tmp_path / "trial_replications.csv")
    means = per_run.groupby(["arm", "needs", "metric"])["value"].mean()
    for row in table.itertuples():
        assert row.value == pytest.approx(means[(row.arm, row.needs, row.metric)])
    shares = table[table.metric != "days_to_housing_median"]
    assert shares.value.between(0, 1).all()
    assert (per_run.n == 30).all()
    assert result.trial is not None and (tmp_path / "trial" / "kpis.csv").exists()
    assert (result.kpis.scenario == "trial").all()  # the world the trial ran in: the base policy


def test_arms_are_balanced_and_randomisation_is_reproducible() -> None:
    model, trial = run_trial(seed=5)
    for needs, level in (("high", 2), ("moderate", 1)):
        hf, usual = trial.arm("housing_first", needs), trial.arm("usual", needs)
        assert len(hf) == len(usual) == 30
        assert all(p.citizen.needs == level for p in hf + usual)
    ids = [p.citizen.unique_id for p in trial.participants]
    assert len(set(ids)) == len(ids)
    assert {p.citizen.track for p in trial.participants if p.arm == "housing_first"} == {"hf"}
    assert {p.citizen.track for p in trial.participants if p.arm == "usual"} == {"sf"}
    cohort = [(p.citizen.unique_id, p.arm) for p in trial.participants]
    _, again = run_trial(seed=5)
    assert [(p.citizen.unique_id, p.arm) for p in again.participants] == cohort
    _, other = run_trial(seed=6)
    assert [(p.citizen.unique_id, p.arm) for p in other.participants] != cohort
    # the trial's draws come from its own stream: the inflow is that of a run without it
    plain = HousingModel(load_config({**BASE, "trial.enabled": False}), seed=5).run()
    assert np.array_equal(plain.recorder.flows["inflow"], model.recorder.flows["inflow"])


@pytest.mark.parametrize("staffing", ["demand", "fixed"])
def test_housing_first_arm_is_housed_within_weeks_with_invariants_kept(staffing: str) -> None:
    # fixed staffing: the trial's added slots must keep every caseload within its capacity
    model, trial = run_trial(seed=1, check=True, **{"support.staffing": staffing})
    hf = [p for p in trial.participants if p.arm == "housing_first"]
    for p in hf:
        first = min((t.start for t in p.citizen.tenancies if t.start >= p.start), default=None)
        assert first is not None and first - p.start <= 1.0  # at the next weekly round
        assert p.citizen.tenancies[-1].support_method == ("act" if p.needs == "high" else "icm")
    values = _table(trial)
    for needs in ("high", "moderate"):
        assert values[("housing_first", needs, "days_to_housing_median")] <= 7.0
        assert values[("usual", needs, "days_to_housing_median")] > 28.0
    # the trial's slots are taken back as its participants' cases end (breakdowns, tapering)
    placed = sum(t.start >= p.start for p in hf for t in p.citizen.tenancies)
    still_added = 0
    for (m, method), added in trial.slots.items():
        team = model.municipalities[m].teams[method]
        assert sum(p.citizen.unique_id in team.cases for p in hf) <= added
        still_added += added
    assert still_added < placed


def test_usual_arm_is_housed_only_by_the_municipalitys_policy() -> None:
    # no dwelling is ever offered: the staircase houses nobody, the trial's pool still does
    _, trial = run_trial(seed=2, **NO_DWELLINGS)
    assert _housed_by_model(trial, "usual") == 0
    assert _housed_by_model(trial, "housing_first") == 60
    # with the municipality's normal supply the staircase houses some of the usual arm
    _, trial = run_trial(seed=2)
    assert _housed_by_model(trial, "usual") > 0


@pytest.mark.parametrize("seed", [3, 4])
def test_without_the_dedicated_pool_housing_first_has_no_advantage(seed: int) -> None:
    _, trial = run_trial(seed=seed, **{"trial.pool_share": 0.0})
    assert _housed_by_model(trial, "housing_first") == 0  # no dwelling from the offers either
    values = _table(trial)
    for needs in ("high", "moderate"):
        hf = values[("housing_first", needs, "days_housed_share_24m")]
        usual = values[("usual", needs, "days_housed_share_24m")]
        # own solutions are all the Housing First arm has; 0.1 allows for sampling noise
        # between two arms of 30 (the usual arm also has the staircase)
        assert hf <= usual + 0.1


def test_a_follow_up_past_the_horizon_is_refused() -> None:
    model = HousingModel(load_config({**BASE, "trial.start_weeks": 1}), seed=0)
    with pytest.raises(ConfigError, match=r"trial\.start_weeks=1 .* allowed: 0 to 0"):
        Trial(model)


def _participant(tenancies=(), exited=None, start: float = 100.0):
    """A participant randomised at ``start``: tenancies (start, end, how) relative to it, and
    how and when (relative) the citizen left the model, if they did."""
    from types import SimpleNamespace

    from hfsim.agents.citizen import State
    from hfsim.trial import Participant

    spell_history = []
    if exited and exited[0] in ("own_solution", "left_system"):
        spell_history.append((start, start + exited[1], exited[0]))
    citizen = SimpleNamespace(
        tenancies=[
            SimpleNamespace(start=start + s, end=start + e, how_ended=h) for s, e, h in tenancies
        ],
        state=State.EXITED if exited else State.HOUSED if tenancies else State.SHELTER,
        spell_history=spell_history,
    )
    return Participant(citizen, "usual", "high", start)


def test_stably_housed_needs_90_days_in_a_dwelling_and_drops_those_who_left() -> None:
    from hfsim.trial import _follow_up, _housed_share, _median_days_to_housing, _stably_housed

    end = 1000.0
    people = [
        _participant(exited=("left_system", 10.0)),  # lost to follow-up after 10 weeks
        _participant(exited=("own_solution", 10.0)),  # housed outside the model from week 10
        _participant([(1.0, 20.0, "arrears"), (21.0, end - 100, "ongoing")]),  # broke down at 20
        _participant([(1.0, 30.0, "moved_on")], exited=("moved_on", 30.0)),  # moved on at 30
        _participant(),  # never housed
    ]
    follow = [(p, *_follow_up(p, end)) for p in people]
    assert follow[0][2] == 110.0 and follow[0][1] == []
    assert follow[3][1] == [(101.0, 204.0)]  # the tenancy and the housing after it, merged
    # at 6 months: the own solution and the moved-on (housed since week 1) are stable, the
    # rehoused one is not (back in a dwelling only 5 weeks); the one who left is not counted
    assert _stably_housed(follow, 26) == pytest.approx(2 / 4)
    assert _stably_housed(follow, 52) == pytest.approx(3 / 4)
    shares = [0.0, 94 / 104, (19 + 83) / 104, 103 / 104, 0.0]
    assert _housed_share(follow) == pytest.approx(np.mean(shares))
    # days to an own dwelling: 10, 1, 1 weeks; censored at 10 weeks and at 104 weeks
    assert _median_days_to_housing(follow) == pytest.approx(70.0)


def test_trial_study_composes_the_same_with_hydra_and_is_documented() -> None:
    import dataclasses
    from pathlib import Path

    from hydra import compose, initialize_config_dir

    from hfsim.config.load import CONFIG_DIR, to_config

    overrides = ["experiment=trial", "municipality=small_town", "trial.cohort_per_arm=5"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        hydra_cfg = to_config(compose("config", overrides=overrides))
    library = load_config(overrides)
    assert dataclasses.asdict(hydra_cfg) == dataclasses.asdict(library)
    assert library.trial.enabled and library.years * 52 >= 104
    text = (Path(__file__).parents[1] / "experiments" / "trial.md").read_text(encoding="utf-8")
    assert " ".join(library.experiment.question.split()) in " ".join(text.split())


def test_the_trial_provides_the_support_slot_even_without_staff() -> None:
    # fixed staffing with no ACT or ICM staff: only the trial's own slots exist
    cfg = load_config(
        {**BASE, "support.staffing": "fixed", "support.act.staff": 0, "support.icm.staff": 0}
    )
    model = HousingModel(cfg, seed=1)
    model.check_invariants = True
    trial = Trial(model)
    model.run_for(model.warmup_weeks + 2)
    hf = [p for p in trial.participants if p.arm == "housing_first"]
    assert len(hf) == 60
    housed = [p for p in hf if p.citizen.state == State.HOUSED]
    assert len(housed) >= 55  # a few left the system or moved on in two weeks
    for p in housed:
        method = "act" if p.needs == "high" else "icm"
        assert (
            p.citizen.unique_id in model.municipalities[p.citizen.municipality].teams[method].cases
        )
