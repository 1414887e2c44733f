"""Mechanisms behind the conclusions, each tested so that breaking it fails a test.

Each test names the mutant it kills (see docs/mutation.md and scripts/mutants.py).
"""

from __future__ import annotations

import math

import pytest

import hfsim
from hfsim.agents.citizen import Citizen, State
from hfsim.processes import homelessness
from hfsim.processes.tenancies import CAUSES
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


@pytest.mark.parametrize("policy", ["housing_first", "status_quo"])
def test_a_tenancy_breaks_down_when_its_hazard_reaches_its_clock(policy):
    """A tenancy's breakdown is a unit-exponential clock against its cumulative hazard, which
    changes at reviews and support changes: every breakdown falls where the two meet, in the
    week of its last hazard segment, and no tenancy still running has passed its clock (kills: a breakdown
    left unfiled because a review was thought to come first, or filed from a stale segment)."""
    model = hfsim.HousingModel(seed=4, policy=policy, **SHORT_AARHUS).run()
    broke = running = 0
    for t in model.tenancy_log:
        until = model.now if t.how_ended == "ongoing" else t.end
        used = t.hazard_used + t.segment_rate * (until - t.segment_start)
        if t.how_ended in CAUSES:
            # a support change earlier in the week (its phase runs first) may start a segment
            # after the clock ran out; the breakdown then keeps its time, within that week
            assert t.end > t.segment_start - 1.0, "a breakdown found a week after its time"
            assert used == pytest.approx(t.clock, rel=1e-9, abs=1e-9)
            broke += 1
        else:  # running, moved on or left: the clock was not reached
            assert used < t.clock + 1e-9, f"tenancy {t.id} passed its clock without breaking"
            running += t.how_ended == "ongoing"
    assert broke > 20 and running > 20, "too few tenancies: the check checked little"


def test_a_resident_is_judged_ready_when_treatment_ends_within_the_stay(monkeypatch):
    """On the staircase each admission draws a treatment time (a keyed draw, so it can be
    recomputed); the resident is judged ready exactly when it ends unless the stay ended first
    (kills: a treatment left unfiled because it was thought to end after the stay)."""
    done: list[tuple[int, float]] = []
    real = homelessness.treatment_done

    def spy(citizen: Citizen, tau: float) -> None:
        done.append((citizen.unique_id, tau))
        real(citizen, tau)

    monkeypatch.setattr(homelessness, "treatment_done", spy)
    model = hfsim.HousingModel(seed=5, policy="shelter_first", **SHORT_AARHUS).run()
    present = {c.unique_id: c for c in model.agents_by_type[Citizen]}
    stays: dict[int, list[tuple[float, float]]] = {}
    for uid, _, entry, exit_, _ in model.recorder.stays:
        stays.setdefault(uid, []).append((entry, exit_))
    for c in present.values():
        if c.state == State.SHELTER:
            stays.setdefault(c.unique_id, []).append((c.shelter_entry, model.now + 1e-9))
    expected = []
    for uid, own in stays.items():
        if uid not in present:
            continue  # left the model: its needs are gone with it
        c = present[uid]
        assert c.track == "sf"
        weeks = homelessness._rate_weeks(
            model.cfg.shelter, "treatment_weeks", homelessness.NEEDS_KEYS, c.needs
        )
        for k, (entry, exit_) in enumerate(sorted(own)):
            end = entry - math.log(model.streams.uniform("treatment", uid, k)) * weeks
            if end < exit_:
                expected.append((uid, end))
    observed = sorted(d for d in done if d[0] in present)
    assert len(expected) > 100
    assert [u for u, _ in observed] == [u for u, _ in sorted(expected)]
    assert [t for _, t in observed] == pytest.approx([t for _, t in sorted(expected)])
