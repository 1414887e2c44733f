"""Allocation, moving in, and the life of a tenancy: breakdown or a good ending.

Breakdown hazard (per week) of a tenancy, piecewise constant between its reviews::

    h = base[needs] / 52 × age_factor × support_factor × misfit_factor
        × ( w_arrears × exp(slope_rent × (burden - 1))
          + w_conduct × landlord_factor
          + w_conflict × (1 + slope_nbh × concentration) × landlord_factor
          + w_abandonment )

``age_factor`` is highest in the first six months; ``support_factor`` falls with the intensity
and fit of the support received; ``burden`` is the rent the tenant pays over what they can
pay; ``concentration`` is the vulnerable tenants per dwelling of the unit's block (its
stairwell, ``housing.block_dwellings``); ``landlord_factor`` is ``tenancy.private_factor`` for
private landlords (they end tenancies faster). For a private tenancy whose tenant has an active
support case, when the municipality offers a named contact, the conduct and conflict terms
are cut by ``housing.contact_early_warning`` and the arrears term by
``housing.contact_arrears_caught`` (the landlord's contact sees problems early). The four terms are the causes; at a breakdown one is drawn in proportion to them.
The tenancy breaks down when the hazard integrated since move-in reaches the tenancy's own
unit-exponential clock, so a change of support or a review moves the breakdown time exactly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from hfsim.agents.citizen import Citizen, State
from hfsim.agents.support import support_factor
from hfsim.allocation import misfit
from hfsim.housing import Tenancy, Unit
from hfsim.processes import accounting, homelessness, market, support

if TYPE_CHECKING:
    from hfsim.agents.municipality import Municipality
    from hfsim.model import HousingModel

CAUSES = ("arrears", "conduct", "conflict", "abandonment")
# Shares of the causes at rent = affordable, no concentration, social landlord [assumption:
# no Danish breakdown-cause figures; arrears and conduct dominate eviction grounds].
CAUSE_WEIGHTS = (0.35, 0.25, 0.25, 0.15)
REVIEW_WEEKS = (26.0, 52.0)  # age-factor breakpoints; then a yearly review


# -- allocation ---------------------------------------------------------------------------------
def allocation_step(model: HousingModel) -> None:
    """Every ``allocation.interval_weeks``: match offers to citizens; citizens may decline."""
    model.due_events("allocation")
    if int(model.now) % model.cfg.allocation.interval_weeks:
        return
    for muni in model.municipalities:
        for unit, citizen in muni.allocate():
            offer(model, muni, unit, citizen)


def offer(model: HousingModel, muni: Municipality, unit: Unit, citizen: Citizen) -> None:
    """Offer a unit; a declining citizen is taken off the list for a while [C]."""
    cfg = model.cfg.allocation
    is_misfit = misfit(citizen, unit)
    decline = cfg.decline_prob_misfit if is_misfit else cfg.decline_prob
    model.recorder.offer_made(citizen, model.now)
    if citizen.chance("decline") < decline:
        model.recorder.declines[muni.index] += 1
        unit.declines += 1
        citizen.quarantined_until = model.now + cfg.decline_quarantine_weeks
        muni.dirty = True  # the unit is still on offer: others may take it
        model.update_eligibility(citizen)
        model.schedule(
            "allocation", citizen.quarantined_until, end_quarantine, citizen, "spell_token"
        )
        return
    muni.offers.remove(unit)
    model.recorder.taken[muni.index] += 1
    move_in(model, muni, unit, citizen, is_misfit)


def end_quarantine(citizen: Citizen, tau: float) -> None:
    citizen.model.update_eligibility(citizen)


def move_in(model: HousingModel, muni: Municipality, unit: Unit, citizen: Citizen, is_misfit: bool):
    """The citizen moves into their own dwelling; support follows by policy."""
    tau = model.now
    from_shelter = citizen.state == State.SHELTER
    market.vacancy_rent(model, unit)
    homelessness.release_places(model, citizen, tau)
    citizen.spell_history.append((citizen.spell_start, tau, "housed"))
    citizen.spell_token = -1
    model.recorder.placement(citizen, tau)
    model.next_tenancy_id += 1
    tenancy = Tenancy(
        id=model.next_tenancy_id,
        citizen=citizen,
        unit=unit,
        start=tau,
        support_method="none",
        net_rent_dkk=muni.net_rent(citizen, unit),
        misfit=is_misfit,
        clock=citizen.draw("tenancy_clock"),
        segment_start=tau,
    )
    citizen.tenancy = tenancy
    citizen.tenancies.append(tenancy)
    model.tenancy_log.append(tenancy)
    unit.neighbourhood.tenants += 1
    model.move(citizen, State.HOUSED, tau)
    accounting.private_subsidy(model, tenancy, +1, tau)
    method = model.policy.support_method(citizen)
    if method is not None:
        tenancy.support_method = method
        if citizen.unique_id not in muni.teams[method].cases:  # else CTI begun at discharge
            support.request(model, muni.teams[method], citizen, tau, from_shelter)
    muni.note_placement(tau, support.active_case(model, citizen) is not None)
    rate = model.cfg.tenancy.moved_on_per_year / 52.0
    if rate > 0:
        model.schedule(
            "tenancies", tau + citizen.draw("moved_on") / rate, moved_on, tenancy, "token_end"
        )
    plan_review(tenancy, tau)
    reschedule(model, tenancy, tau)
    schedule_review(model, tenancy)


# -- the hazard ------------------------------------------------------------------------------
def cause_terms(model: HousingModel, tenancy: Tenancy) -> tuple[float, float, float, float]:
    """The four cause terms of the hazard (before the common factors)."""
    cfg = model.cfg.tenancy
    private = tenancy.unit.kind == "private"
    landlord = cfg.private_factor if private else 1.0
    caught, early = (0.0, 0.0)
    if private and has_contact(model, tenancy):
        # the support worker is the landlord's contact: problems are seen early [assumption]
        caught = model.cfg.housing.contact_arrears_caught
        early = model.cfg.housing.contact_early_warning
    arrears = CAUSE_WEIGHTS[0] * math.exp(cfg.rent_burden_slope * (tenancy.burden - 1.0))
    conduct = CAUSE_WEIGHTS[1] * landlord * (1.0 - early)
    conflict = (
        CAUSE_WEIGHTS[2]
        * (1.0 + cfg.neighbourhood_slope * tenancy.unit.neighbourhood.concentration)
        * landlord
        * (1.0 - early)
    )
    return arrears * (1.0 - caught), conduct, conflict, CAUSE_WEIGHTS[3]


def has_contact(model: HousingModel, tenancy: Tenancy) -> bool:
    """The landlord has a named contact who is really there: the municipality offers one
    (``housing.private_contact``) and the tenant has an active support case."""
    return (
        model.cfg.housing.private_contact
        and support.active_case(model, tenancy.citizen) is not None
    )


def hazard_per_week(model: HousingModel, tenancy: Tenancy, tau: float) -> float:
    """The tenancy's current breakdown hazard (per week)."""
    cfg = model.cfg.tenancy
    citizen = tenancy.citizen
    base = (
        cfg.breakdown_per_year_low,
        cfg.breakdown_per_year_moderate,
        cfg.breakdown_per_year_high,
    )
    age = tau - tenancy.start
    age_factor = (
        cfg.early_factor_6m if age < 26 else cfg.early_factor_12m if age < 52 else cfg.late_factor
    )
    case = support.active_case(model, citizen)
    sf = support_factor(case, cfg.support_effect, model.cfg.support)
    misfit = cfg.misfit_factor if tenancy.misfit else 1.0
    return base[citizen.needs] / 52.0 * age_factor * sf * misfit * sum(cause_terms(model, tenancy))


def reschedule(model: HousingModel, tenancy: Tenancy, tau: float) -> None:
    """Start a new hazard segment at ``tau`` (after move-in, a review or a support change)."""
    tenancy.hazard_used += tenancy.segment_rate * (tau - tenancy.segment_start)
    tenancy.segment_start = tau
    tenancy.segment_rate = hazard_per_week(model, tenancy, tau)
    tenancy.token += 1
    remaining = tenancy.clock - tenancy.hazard_used
    if tenancy.segment_rate > 0:
        when = tau + remaining / tenancy.segment_rate
        # The next review starts a new segment and makes this breakdown lapse, so one due
        # after it is not filed (nine in ten of them). At the same time the breakdown, filed
        # first, runs first: it is filed.
        if when <= tenancy.next_review:
            model.schedule("tenancies", when, breakdown, tenancy, "token")


def plan_review(tenancy: Tenancy, tau: float) -> None:
    """When the next review falls: when the age factor changes (6 and 12 months), then
    yearly. Planned before the new segment (which needs it) and filed after it."""
    age = tau - tenancy.start
    next_age = next((w for w in REVIEW_WEEKS if w > age + 1e-9), age + 52.0)
    tenancy.next_review = tenancy.start + next_age


def schedule_review(model: HousingModel, tenancy: Tenancy) -> None:
    """File the planned review (:func:`plan_review`)."""
    model.schedule("tenancies", tenancy.next_review, review, tenancy, "token_end")


def review(tenancy: Tenancy, tau: float) -> None:
    """The age factor changes and the neighbourhood concentration is read again; after a
    stable first year a private landlord's trust grows."""
    model = tenancy.citizen.model
    plan_review(tenancy, tau)
    reschedule(model, tenancy, tau)
    schedule_review(model, tenancy)
    if tenancy.unit.kind == "private" and abs(tau - tenancy.start - 52.0) < 1e-6:
        model.landlords[tenancy.unit.landlord].gain_trust(model.cfg.housing)


# -- endings ---------------------------------------------------------------------------------
def tenancy_step(model: HousingModel) -> None:
    """Breakdowns, good endings and reviews due this week."""
    model.due_events("tenancies")


def breakdown(tenancy: Tenancy, tau: float) -> None:
    """The tenancy breaks down: a cause is drawn, the landlord reacts, the citizen is homeless."""
    model = tenancy.citizen.model
    terms = cause_terms(model, tenancy)
    u = tenancy.citizen.chance("cause") * sum(terms)
    cause = CAUSES[-1]
    for name, term in zip(CAUSES, terms, strict=True):
        if u < term:
            cause = name
            break
        u -= term
    end_tenancy(model, tenancy, tau, cause)


def moved_on(tenancy: Tenancy, tau: float) -> None:
    """A good ending: the citizen moves on to housing outside the model."""
    end_tenancy(tenancy.citizen.model, tenancy, tau, "moved_on")


def end_tenancy(model: HousingModel, tenancy: Tenancy, tau: float, how: str) -> None:
    """Close a tenancy: breakdown (back to homelessness), moved on or left the system."""
    citizen = tenancy.citizen
    tenancy.end = tau
    tenancy.how_ended = how
    tenancy.token += 1
    tenancy.token_end += 1
    tenancy.unit.neighbourhood.tenants -= 1
    tenancy.mediated = has_contact(model, tenancy)
    citizen.tenancy = None
    support.end_for_citizen(model, citizen, tenancy.support_method, tau)
    accounting.private_subsidy(model, tenancy, -1, tau)
    muni = model.municipalities[citizen.municipality]
    broke_down = how in CAUSES
    if tenancy.unit.kind == "private":
        landlord = model.landlords[tenancy.unit.landlord]
        if broke_down:
            landlord.lose_trust(model.cfg.housing, tenancy.mediated)
            if model.cfg.housing.private_guarantee and how in ("arrears", "conduct", "conflict"):
                model.ledger.book(muni.index, "guarantee", model.cfg.costs.guarantee_dkk)
        elif how == "moved_on":
            landlord.gain_trust(model.cfg.housing)
    model.recorder.tenancy_ended(tenancy, broke_down)
    if broke_down:
        homelessness.return_to_homelessness(model, citizen, tau)
    else:
        model.recorder.exits[citizen.municipality] += 1
        model.move(citizen, State.EXITED, tau)
        citizen.remove()
