"""Direction of effect of the levers of issue #11: each test fails when its mechanism is
switched off or reversed (the style of tests/test_effects.py: paired runs on common random
numbers, the sign of the differences)."""

from __future__ import annotations

import collections
import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hfsim
from hfsim.agents.citizen import Citizen, State
from hfsim.allocation import CandidatePool, match_matrices
from hfsim.cli import main
from hfsim.housing import Neighbourhood
from hfsim.ledger import CATEGORIES
from hfsim.model import HousingModel
from hfsim.processes import homelessness, market, tenancies
from hfsim.targets import offer_within

SEEDS = (0, 1, 2, 3)
ODENSE: dict[str, Any] = {"municipality": "odense", "years": 3, "warmup_years": 1}
# the Odense preset calls on agreed associations; the tests set the share explicitly
CALLS = {"housing.guarantee_agreement_share": 0.25}
NO_CONTACT = {"housing.private_contact": False}
CONTACT = {"housing.private_contact": True}
GUARANTEE = {"housing.private_guarantee": True}

# (what, base overrides, low, high, KPI, expected sign of high - low)
LEVERS: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, int]] = [
    ("a landlord guarantee -> more landlords offering", NO_CONTACT,
     {"housing.private_guarantee": False}, GUARANTEE, "private_landlords_active", +1),
    ("a named contact (real cases) -> more landlords offering", {},
     NO_CONTACT, CONTACT, "private_landlords_active", +1),
    ("guarantee and contact -> more than the guarantee alone (Aarhus: more support)",
     {**GUARANTEE, "municipality": "aarhus"},
     NO_CONTACT, CONTACT, "private_landlords_active", +1),
    ("ICM instead of ACT for high needs -> fewer kept their dwelling (it cannot hold them)",
     {"policy": "housing_first"}, {"policy.high_needs_method": "act"},
     {"policy.high_needs_method": "icm"}, "retention_12m", -1),
    ("ICM instead of ACT for high needs -> support costs less",
     {"policy": "housing_first"}, {"policy.high_needs_method": "act"},
     {"policy.high_needs_method": "icm"}, "cost_support_dkk_per_year", -1),
]  # fmt: skip


def _kpi(seed: int, kpi: str, **overrides: Any) -> float:
    return _kpis(seed, tuple(sorted({**ODENSE, **overrides}.items())))[kpi]


@functools.lru_cache(maxsize=64)
def _kpis(seed: int, overrides: tuple[tuple[str, Any], ...]) -> dict[str, float]:
    """One run's KPIs, cached: levers that share a run (one run, two KPIs) run it once."""
    return hfsim.simulate(seed=seed, **dict(overrides))


@pytest.mark.parametrize(
    ("base", "low", "high", "kpi", "sign"),
    [row[1:] for row in LEVERS],
    ids=[row[0] for row in LEVERS],
)
def test_direction_of_lever(base, low, high, kpi, sign):
    diffs = np.array([_kpi(s, kpi, **base, **high) - _kpi(s, kpi, **base, **low) for s in SEEDS])
    assert np.sign(diffs.mean()) == sign, f"{kpi}: paired differences {diffs}"
    assert (np.sign(diffs) == sign).sum() >= len(SEEDS) - 1, f"{kpi}: paired differences {diffs}"


# -- private landlords --------------------------------------------------------------------
def test_contact_without_support_staff_changes_nothing():
    """The named contact acts only through a real support case: no staff, no effect."""
    no_staff = {"support.cti.staff": 0, "support.icm.staff": 0, "support.act.staff": 0}
    no_staff["policy.support_shortage"] = "without"
    no_staff["support.staffing"] = "fixed"  # staff caps the teams: none at all
    on = hfsim.simulate(seed=0, **ODENSE, **no_staff, **CONTACT)
    off = hfsim.simulate(seed=0, **ODENSE, **no_staff, **NO_CONTACT)
    assert on == off


def test_guarantee_payments_are_in_the_ledger():
    def paid(guarantee: bool) -> float:
        overrides = {"housing.private_guarantee": guarantee, "policy.support_shortage": "without"}
        model = HousingModel(seed=0, years=3, warmup_years=1, **overrides)
        model.run()
        return float(model.ledger.cost[..., CATEGORIES.index("guarantee"), :].sum())

    assert paid(False) == 0.0
    assert paid(True) > 0.0


def test_one_bad_experience_travels_with_the_hearsay_weight():
    model = HousingModel(seed=0, **ODENSE)
    landlord = model.landlords[0]
    heard = landlord.contacts[0]
    stranger = next(ll for ll in model.landlords[1:] if ll not in landlord.contacts)
    before = {ll.unique_id: (ll.risk, ll.trust) for ll in model.landlords}
    landlord.lose_trust(model.cfg.housing, mediated=False)
    w = model.cfg.housing.hearsay_weight
    assert landlord.risk > heard.risk > before[heard.unique_id][0]
    assert heard.trust == pytest.approx(before[heard.unique_id][1] - w * 0.15)
    assert (stranger.risk, stranger.trust) == before[stranger.unique_id]
    # a landlord who hears of it offers less often
    assert heard.willingness(model.cfg, 0.0) < model.landlords[0].__class__(
        model, heard.municipality, heard.units, model.cfg.housing
    ).willingness(model.cfg, 0.0)


def test_guarantee_and_contact_change_the_decision_by_their_documented_amounts():
    model = HousingModel(seed=0, **ODENSE, **NO_CONTACT)
    cfg, landlord = model.cfg, model.landlords[0]
    h = cfg.housing
    months = h.landlord_prior_risk * h.private_loss_dkk / h.private_rent_dkk
    logit = np.log(landlord.willingness(cfg, 0.0) / (1 - landlord.willingness(cfg, 0.0)))
    assert logit == pytest.approx(h.willingness_base - h.willingness_loss * months)
    with_contact = landlord.willingness(cfg, 1.0)
    guaranteed = HousingModel(seed=0, **ODENSE, **GUARANTEE)
    with_guarantee = guaranteed.landlords[0].willingness(guaranteed.cfg, 0.0)
    assert landlord.willingness(cfg, 0.0) < with_contact
    assert landlord.willingness(cfg, 0.0) < with_guarantee
    cover = cfg.costs.guarantee_dkk / h.private_loss_dkk
    gain = np.log(with_guarantee / (1 - with_guarantee)) - logit
    assert gain == pytest.approx(h.willingness_loss * months * cover)


def test_contact_cuts_the_private_cause_terms_only_with_an_active_case():
    model = HousingModel(seed=0, **ODENSE, **{"policy.support_shortage": "without"})
    model.run_for(3 * 52)
    private = [
        t
        for t in model.tenancy_log
        if t.how_ended == "ongoing" and t.unit.kind != "private" and t.support_method != "none"
    ]
    tenancy = next(t for t in private if tenancies.support.active_case(model, t.citizen))
    tenancy.unit.kind = "private"  # the same tenancy as if a private landlord let it
    with_case = tenancies.cause_terms(model, tenancy)
    model.cfg.housing.private_contact = False
    without = tenancies.cause_terms(model, tenancy)
    h = model.cfg.housing
    assert with_case[0] == pytest.approx(without[0] * (1 - h.contact_arrears_caught))
    assert with_case[1] == pytest.approx(without[1] * (1 - h.contact_early_warning))
    assert with_case[2] == pytest.approx(without[2] * (1 - h.contact_early_warning))
    assert with_case[3] == without[3]


def test_the_contact_is_judged_on_the_past_years_placements():
    muni = HousingModel(seed=0, municipality="small_town", years=1).municipalities[0]
    for week, with_case in ((0.0, True), (10.0, False), (60.0, True)):
        muni.note_placement(week, with_case)
    assert muni.placements_with_case_share(61.0) == pytest.approx(0.5)  # weeks 10 and 60
    assert muni.placements_with_case_share(100.0) == 1.0  # week 60 only
    assert muni.placements_with_case_share(200.0) == 0.0  # none in the past year


@pytest.mark.parametrize("policy", ["housing_first", "status_quo"])
def test_the_contacts_worth_does_not_fade_with_the_housed_stock(policy):
    """After years of placements most of the housed have long finished their support; a
    landlord's next tenant is a new placement, so the contact's worth is the share of the past
    year's placements who moved in with a worker (demand staffing: all who were given a
    method), not the share of everyone housed who still has one."""
    model = HousingModel(seed=0, municipality="odense", policy=policy, years=1, warmup_years=8)
    model.run_for(8 * 52)
    muni, now = model.municipalities[0], model.now
    recent = [t for t in model.tenancy_log if t.start > now - 52 and t.unit.municipality == 0]
    expected = sum(t.support_method != "none" for t in recent) / len(recent)
    assert market.contact_quality(model, muni) == pytest.approx(expected)
    housed = model.state_counts[0][State.HOUSED]
    cases = sum(len(team.cases) for team in muni.teams.values())
    assert housed > 2 * len(recent)  # the stock is much larger than the year's placements
    assert expected > 1.5 * cases / housed  # so the share of all the housed would dilute it


@pytest.mark.slow
def test_each_lever_brings_landlords_in_with_the_shipped_odense_preset(tmp_path):
    """Issue #11's done-when, as a user runs it: `hfsim compare experiment=private_landlords
    municipality=odense` (10 replications, 10 + 10 years) gives four different answers, and
    the interval of each lever's effect on the landlords offering excludes zero. (With the
    contact judged on everyone housed, the contact's was +0.16 [-0.35, +0.67].)"""
    out = tmp_path / "out"
    args = ["compare", "experiment=private_landlords", "municipality=odense"]
    assert main([*args, "report.figures=false", f"hydra.run.dir={out}"]) == 0
    table = pd.read_csv(out / "comparison.csv").set_index(["kpi", "scenario"])
    offering = table.loc["private_landlords_active"]
    assert set(offering.index) == {"contact", "guarantee", "both"}
    assert (offering.diff_ci_low > 0).all(), offering
    assert offering["mean"].nunique() == 3  # and none equals the baseline (above)


# -- blocks and concentration -------------------------------------------------------------
def _neighbourhood(block_dwellings: int) -> Neighbourhood:
    return Neighbourhood(0, 0, False, 3000, 0.03, block_dwellings=block_dwellings)


def test_tenants_placed_together_raise_their_block_concentration():
    block = _neighbourhood(30).block(0.0)
    before = block.concentration
    for _ in range(3):
        block.tenants += 1
    assert block.concentration == pytest.approx(before + 3 / 30)
    assert block.area.tenants == 3  # the neighbourhood counts them too
    assert block.area.concentration == pytest.approx(0.03 + 3 / 3000)


def test_best_fit_score_prefers_the_quieter_block_for_high_needs():
    busy, quiet = _neighbourhood(30).block(0.0), _neighbourhood(30).block(0.0)
    busy.tenants = 5
    units = [
        tenancies.Unit(1, 0, "social", 3000.0, True, busy, False, -1),
        tenancies.Unit(2, 0, "social", 3000.0, True, quiet, False, -1),
    ]
    pool = CandidatePool()
    model = HousingModel(seed=0, municipality="small_town", years=1, warmup_years=0)
    citizen = next(iter(model.municipalities[0].eligible.values()))
    citizen.needs = 2
    pool.add(citizen)
    score = match_matrices(units, pool, pool.by_priority(), 0.0, 1.15, 1.0).score
    assert score[1, 0] > score[0, 0]


def _conflict_breakdowns(slope: float, **overrides: Any) -> int:
    total = 0
    for seed in SEEDS:
        model = HousingModel(
            seed=seed,
            years=3,
            warmup_years=1,
            **{"tenancy.neighbourhood_slope": slope},
            **overrides,
        )
        model.run()
        ended = collections.Counter(t.how_ended for t in model.tenancy_log)
        total += ended["conflict"]
    return total


@pytest.mark.slow
def test_concentration_sweep_is_monotone():
    """Conflict breakdowns (Aarhus, 4 seeds, 3 years) rise with the concentration effect; the
    sizes of the steps are printed (pytest -s)."""
    slopes = (0.0, 8.0, 16.0, 32.0)
    counts = [_conflict_breakdowns(s) for s in slopes]
    print(
        "conflict breakdowns by tenancy.neighbourhood_slope", dict(zip(slopes, counts, strict=True))
    )
    assert all(b > a for a, b in zip(counts, counts[1:], strict=False)), counts


# -- the housing guarantee ----------------------------------------------------------------
@pytest.mark.parametrize("policy", ["housing_first", "status_quo"])
def test_agreed_associations_bring_offers_within_the_guarantee(policy):
    """The calls halve (at least) the share of listed citizens with no offer within 3
    months; without them the guarantee is a priority rule only and breaches are common.
    The inflow is held at 173 a year (round 8's fit; the preset's is 140 since round 9) so
    the guarantee is under the pressure the test is about, whatever the calibration gives."""

    def share(agreement: float) -> float:
        overrides = {
            "policy": policy,
            "housing.guarantee_agreement_share": agreement,
            "citizens.inflow_per_year": 173.3,
        }
        model = HousingModel(seed=0, **ODENSE, **overrides)
        model.run()
        return offer_within(model)

    without, with_agreement = share(0.0), share(0.25)
    assert 1 - without > 0.1, without  # the priority rule alone breaks the promise
    assert 1 - with_agreement < (1 - without) / 2, (without, with_agreement)


def test_the_guarantee_clock_starts_at_the_listing_for_housing():
    """Under the staircase a resident is listed only once judged ready, weeks into the spell:
    the guarantee's 3 months count from then, and spells never listed are not counted."""
    model = HousingModel(seed=0, **ODENSE, policy="status_quo")
    model.run()
    episodes = model.recorder.referrals
    assert episodes and all(stop >= start for start, stop, _ in episodes)
    listed = [c for c in model.agents_by_type[Citizen] if c.referred_in_spell == c.spells]
    lags = [c.referred_at - c.spell_start for c in listed]
    assert min(lags) >= 0
    assert max(lags) > 4, "nobody was listed later than the start of their spell"
    spells = int(model.recorder.flows["inflow"].sum() + model.recorder.flows["returns"].sum())
    assert len(episodes) < spells  # not every spell is listed for housing


def test_guarantee_calls_are_costed_and_bounded_by_the_agreed_vacancies():
    model = HousingModel(seed=0, **ODENSE, **CALLS)
    model.run_for(52)
    h = model.cfg.housing
    agreed = h.social_units * h.turnover_per_year * (1 - h.anvisning_share)
    agreed *= h.guarantee_agreement_share
    calls = model.associations[0].guarantee_calls
    assert 0 < calls <= agreed + 1
    assert model.ledger.cost[..., CATEGORIES.index("vacancy_rent"), :].sum() > 0
    off = HousingModel(seed=0, **ODENSE, **{"housing.guarantee_agreement_share": 0.0})
    off.run_for(52)
    assert off.associations[0].guarantee_calls == 0


# -- shelters open nationally ----------------------------------------------------------------
@pytest.mark.parametrize(("open_to", "finds_bed"), [("country", True), ("region", False)])
def test_shelters_open_to_the_country(open_to, finds_bed):
    model = HousingModel(
        seed=0, municipality="denmark", years=1, warmup_years=0, **{"shelter.open_to": open_to}
    )
    citizen = next(c for c in model.agents if getattr(c, "state", None) == State.ROUGH_SLEEPING)
    region = model.municipalities[citizen.municipality].spec.region
    for muni in model.region(region):  # every bed of the citizen's region taken
        model.region_free_beds[region] -= muni.free_beds
        muni.shelter_occupants = muni.shelter_capacity
    host = homelessness._shelter_with_bed(model, citizen)
    assert (host is not None) == finds_bed
    if host is not None:
        assert host.spec.region != region and host.free_beds > 0


def test_a_guarantee_that_waits_for_support_is_bounded_by_it():
    """With `guarantee_waits_for_support` the called offers wait for a support slot of a
    capped team: fewer calls than when the guarantee is a commitment to a dwelling."""

    def calls(waits: bool) -> int:
        overrides = {"housing.guarantee_waits_for_support": waits, "support.staffing": "fixed"}
        overrides |= CALLS
        overrides["policy"] = "housing_first"  # every placement needs support
        model = HousingModel(seed=0, **ODENSE, **overrides)
        model.run_for(2 * 52)
        return model.associations[0].guarantee_calls

    assert calls(True) < calls(False)


# -- CTI as a critical-time intervention (item 5) -----------------------------------------
CTI_WORLD: dict[str, Any] = {
    "municipality": "aarhus", "policy": "status_quo", "regime": "pre_2023",
    "years": 5, "warmup_years": 1,
}  # fmt: skip


def _cti_run(seed: int, share: float) -> tuple[HousingModel, dict[str, float]]:
    from hfsim.targets import course_outcomes

    model = HousingModel(
        hfsim.load_config(
            [f"{k}={v}" for k, v in CTI_WORLD.items()]
            + [f"seed={seed}", f"support.cti_discharge_share={share}"]
        )
    )
    for _ in range(model.total_weeks):
        model.step()
        if model.now % 26 == 0:
            model.assert_invariants()
            model.assert_books()
    return model, course_outcomes(model)


def test_cti_begun_at_discharge_lets_clients_obtain_a_dwelling_during_it():
    """At move-in only (share 0) no course begins without a dwelling, so none obtains one;
    from discharge (share 1) courses begin in homelessness, run outside, and some clients
    move in during them with the course going on (the same case, begun before the tenancy)."""
    at_move_in, never = _cti_run(0, 0.0)
    assert never["obtained"] == 0.0
    assert all(c.housed_at_start for c in at_move_in.cti_courses)
    obtained = []
    for seed in SEEDS[:2]:
        model, out = _cti_run(seed, 1.0)
        early = [c for c in model.cti_courses if not c.housed_at_start]
        assert early, "no course began at a discharge"
        weeks = model.cfg.support.cti_weeks
        for c in early:  # the course goes on into a dwelling that comes during it
            t = next((t for t in c.citizen.tenancies if t.start > c.start), None)
            if t is None or t.start >= c.start + weeks:
                continue
            assert t.support_method == "cti"
            assert not any(
                o.citizen is c.citizen and o.start == t.start for o in model.cti_courses
            ), "a second course began at move-in"
        assert out["obtained"] > 0.05 and out["kept"] < never["kept"], out
        obtained.append(out["obtained"])
    assert np.mean(obtained) > 0.1


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_cti_discharge_share_trades_kept_for_obtained(seed):
    """Direction and size: more courses begun at discharge -> more clients obtain a dwelling
    during the course and fewer began it in one (kept)."""
    outs = [_cti_run(seed, share)[1] for share in (0.0, 0.5, 1.0)]
    obtained = [o["obtained"] for o in outs]
    kept = [o["kept"] for o in outs]
    assert obtained[0] < obtained[1] < obtained[2], obtained
    assert kept[0] > kept[1] > kept[2], kept


def test_a_client_holding_cti_needs_no_new_slot():
    """A homeless client whose CTI began at discharge holds the slot: the allocation and the
    guarantee do not wait for another one, and the course ends if the client leaves."""
    from hfsim.processes import support

    model, _ = _cti_run(0, 1.0)
    held = [
        c.citizen
        for m in model.municipalities
        for c in m.teams["cti"].cases.values()
        if c.citizen.state != State.HOUSED
    ]
    assert held, "no client holds a course before a dwelling at the end of the run"
    for citizen in held:
        assert support.slot_needed(model, citizen) is None
        muni = model.municipalities[citizen.municipality]
        if citizen in muni.eligible:
            assert muni.eligible.support_method(muni.eligible._slot[citizen.unique_id]) is None
    citizen = held[0]
    homelessness.leave_homelessness(model, citizen, model.now, "own_solution")
    assert citizen.unique_id not in model.municipalities[citizen.municipality].teams["cti"].cases
