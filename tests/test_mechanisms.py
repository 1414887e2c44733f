"""Mechanisms behind the conclusions, each tested so that breaking it fails a test.

Each test names the mutant it kills (see docs/mutation.md and scripts/mutants.py).
"""

from __future__ import annotations

import pytest

import hfsim
from hfsim.agents.citizen import Citizen, State
from tests.conftest import SHORT_AARHUS, SMALL


@pytest.mark.parametrize("regime", ["pre_2023", "reform_2023"])
@pytest.mark.parametrize("policy", ["housing_first", "status_quo"])
def test_books_follow_the_people(policy, regime):
    """The ledger's rates match who is where after every week (kills: CTI that never ends,
    a §85a refund that never stops)."""
    model = hfsim.HousingModel(seed=2, policy=policy, regime=regime, **SMALL)
    for _ in range(model.total_weeks):
        model.step()
        model.assert_books()
    cti = model.municipalities[0].teams["cti"]
    assert cti.cases or model.tenancy_log, "no support was given: the check checked nothing"


def test_the_home_municipality_pays_for_a_shelter_elsewhere():
    """Shelters take citizens of other municipalities; the home municipality pays (kills: the
    host municipality paying)."""
    model = hfsim.HousingModel(seed=0, municipality="denmark", years=1, warmup_years=0)
    hosted_elsewhere = 0
    for _ in range(26):
        model.step()
        model.assert_books()
        hosted_elsewhere += sum(
            c.state == State.SHELTER and c.shelter_host != c.municipality
            for c in model.agents_by_type[Citizen]
        )
    assert hosted_elsewhere > 0, "nobody stayed in another municipality's shelter"


def test_shelter_first_houses_only_the_housing_ready():
    """On the idealised staircase with no transitional places nobody can be judged housing
    ready, so nobody is housed (kills: shelter-first offering dwellings to those not ready)."""
    steps = {"policy.readiness": "transitional_step"}
    stuck = hfsim.simulate(seed=1, policy="shelter_first", **steps, **SHORT_AARHUS,
                           **{"shelter.transitional_capacity": 0})  # fmt: skip
    normal = hfsim.simulate(seed=1, policy="shelter_first", **steps, **SHORT_AARHUS)
    assert normal["placements_per_year"] > 20
    assert stuck["placements_per_year"] == 0


@pytest.mark.parametrize("policy", ["housing_first", "status_quo"])
def test_dwellings_go_only_to_those_who_can_take_them(policy):
    """Every tenancy's net rent is within what its tenant can pay, and no benefit recipient
    gets a dwelling let under flexible letting (kills: affordability or flexible letting
    ignored by the allocation)."""
    model = hfsim.HousingModel(seed=3, policy=policy, **SHORT_AARHUS).run()
    limit = model.cfg.allocation.max_rent_burden
    tenancies = model.tenancy_log
    assert len(tenancies) > 100
    assert all(t.net_rent_dkk <= limit * t.citizen.affordable_rent_dkk + 1e-6 for t in tenancies)
    assert not any(t.unit.flex_letting and t.citizen.benefit_recipient for t in tenancies)


def test_a_citizen_who_declines_waits_before_the_next_offer(monkeypatch):
    """Everyone declines: a citizen's offers are at least the quarantine apart (kills: a
    declined citizen kept on the list)."""
    from hfsim.processes import tenancies

    offers: dict[int, list[float]] = {}
    real_offer = tenancies.offer

    def logged(model, muni, unit, citizen):
        offers.setdefault(citizen.unique_id, []).append(model.now)
        real_offer(model, muni, unit, citizen)

    monkeypatch.setattr(tenancies, "offer", logged)
    everyone = {"allocation.decline_prob": 1.0, "allocation.decline_prob_misfit": 1.0}
    model = hfsim.HousingModel(seed=0, **SMALL, **everyone).run()
    quarantine = model.cfg.allocation.decline_quarantine_weeks
    gaps = [b - a for times in offers.values() for a, b in zip(times, times[1:], strict=False)]
    assert gaps, "nobody was offered twice: the check checked nothing"
    assert min(gaps) >= quarantine


def test_shelter_users_are_the_distinct_citizens_with_a_night_in_the_year():
    """Users per year equal the distinct citizens whose stays (recorded or still going) overlap
    the year (kills: residents at a year's turn not counted as the new year's users)."""
    model = hfsim.HousingModel(seed=1, policy="status_quo", **SHORT_AARHUS).run()
    rec, warm = model.recorder, model.warmup_weeks
    stays = [(c, entry, exit_) for c, _, entry, exit_, _ in rec.stays]
    stays += [
        (c.unique_id, c.shelter_entry, float(model.total_weeks))
        for c in model.agents_by_type[Citizen]
        if c.state == State.SHELTER
    ]
    for year in range(1, model.cfg.years):
        start, end = warm + 52 * year, warm + 52 * (year + 1)
        users = {c for c, entry, exit_ in stays if entry < end and exit_ > start}
        assert rec.users_per_year[year] == pytest.approx(len(users), rel=0.01), year
