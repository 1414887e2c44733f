"""Kaplan–Meier: the estimator against a textbook table, and the KPIs built on it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hfsim.model import HousingModel
from hfsim.results import compute_kpis, spell_durations
from hfsim.survival import event_within, median_time, survival_at
from tests.conftest import SHORT_AARHUS, SMALL

# Freireich et al. (1963), Blood 21:699-716: weeks in remission of 21 children with acute
# leukaemia on 6-mercaptopurine; 0 marks a censored remission. The Kaplan–Meier table is the
# textbook one (Kleinbaum & Klein, Survival Analysis, 3rd ed. 2012, ch. 2; Cox & Oakes 1984).
SIX_MP = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1),
          (16, 1), (17, 0), (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0),
          (34, 0), (35, 0)]  # fmt: skip
SIX_MP_TABLE = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}
# the placebo group: 21 relapses, none censored; median 8 weeks
PLACEBO = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


def _six_mp() -> tuple[np.ndarray, np.ndarray]:
    weeks, relapsed = zip(*SIX_MP, strict=True)
    return np.array(weeks, dtype=float), np.array(relapsed, dtype=bool)


def test_kaplan_meier_reproduces_the_freireich_table() -> None:
    weeks, relapsed = _six_mp()
    for t, published in SIX_MP_TABLE.items():
        assert survival_at(weeks, relapsed, t) == pytest.approx(published, abs=5e-5)
        # between event times the curve is flat
        assert survival_at(weeks, relapsed, t + 0.5) == survival_at(weeks, relapsed, t)
    assert survival_at(weeks, relapsed, 5.9) == 1.0
    assert median_time(weeks, relapsed) == 23.0  # the published 6-MP median
    assert event_within(weeks, relapsed, 10) == pytest.approx(1 - 0.7529, abs=5e-5)


def test_median_of_an_uncensored_sample_and_when_it_is_not_reached() -> None:
    placebo = np.array(PLACEBO, dtype=float)
    assert median_time(placebo, np.ones(len(placebo), dtype=bool)) == 8.0
    weeks, _ = _six_mp()
    assert math.isnan(median_time(weeks, np.zeros(len(weeks), dtype=bool)))  # all censored
    assert survival_at(weeks, np.zeros(len(weeks), dtype=bool), 100.0) == 1.0
    assert math.isnan(survival_at(np.array([]), np.array([], dtype=bool), 1.0))
    with pytest.raises(ValueError, match="differ in shape"):
        survival_at(weeks, np.ones(3, dtype=bool), 1.0)


def test_retention_counts_only_breakdowns_as_events() -> None:
    # no tenancy breaks down, but many move on or leave the system: every tenancy is kept,
    # the others' endings are censorings, not breakdowns
    model = HousingModel(
        **SMALL,
        seed=3,
        **{
            "tenancy.breakdown_per_year_low": 0.0,
            "tenancy.breakdown_per_year_moderate": 0.0,
            "tenancy.breakdown_per_year_high": 0.0,
            "tenancy.moved_on_per_year": 1.0,
            "citizens.exit_other_per_year": 0.5,
        },
    ).run()
    ended = {t.how_ended for t in model.tenancy_log if t.start > model.warmup_weeks}
    assert {"moved_on", "left_system"} <= ended  # the check has censorings to get wrong
    kpis = compute_kpis(model)
    assert kpis["retention_12m"] == 1.0
    assert kpis["retention_24m"] == 1.0


def test_every_spell_started_in_the_horizon_is_counted_once() -> None:
    model = HousingModel(**SHORT_AARHUS, seed=2, policy="shelter_first").run()
    durations, housed = spell_durations(model)
    rec, h = model.recorder, model.recorder.horizon()
    started = rec.flows["inflow"][h].sum() + rec.flows["returns"][h].sum()
    assert len(durations) == started  # ended, censored and ongoing spells alike
    warm = model.warmup_weeks
    placed = sum(1 for _, start, _, _ in rec.placement_log if start > warm)
    assert housed.sum() == placed  # events are move-ins only
    assert 0 < placed < len(durations)
    assert (durations >= 0).all() and durations.max() <= model.cfg.years * 364.0


def test_without_dwellings_nobody_is_housed_within_12_months() -> None:
    # no dwelling is ever offered; spells still end (own solution, leaving the system)
    model = HousingModel(
        **SMALL,
        seed=1,
        **{
            "housing.anvisning_share": 0.0,
            "housing.cheap_units": 0,
            "housing.private_landlords": 0,
        },
    ).run()
    assert model.recorder.spell_log and not model.recorder.placement_log
    kpis = compute_kpis(model)
    assert kpis["housed_within_12m"] == 0.0
    assert math.isnan(kpis["days_to_housing_km_median"])


def test_censored_waits_lengthen_the_median() -> None:
    # the Kaplan–Meier median over every spell is longer than the median among the housed
    # when many spells end without a dwelling (those housed are the quick ones)
    kpis = compute_kpis(HousingModel(**SHORT_AARHUS, seed=4, policy="shelter_first").run())
    assert kpis["days_to_housing_km_median"] > kpis["days_to_housing_median"]
    assert 0.0 < kpis["housed_within_12m"] < 1.0
