"""The housing market: this week's vacancies become offers to the homelessness unit.

Social vacancies come under anvisningsret (the municipality's share, of which a share goes to
homeless citizens) and from the cheap-housing programme; private vacancies are offered when
the landlord is willing. Offers not let within ``housing.hold_weeks`` lapse; the municipality
pays the rent while it holds a unit vacant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hfsim.allocation import first_come
from hfsim.housing import Unit
from hfsim.processes import support

if TYPE_CHECKING:
    from hfsim.agents.municipality import Municipality
    from hfsim.housing import Block
    from hfsim.model import HousingModel

WEEKS_PER_MONTH = 52.0 / 12.0


def market_step(model: HousingModel) -> None:
    """Lapse old offers, then add this week's social, programme and private offers, and the
    vacancies a housing guarantee calls on."""
    for muni in model.municipalities:
        if muni.offers:
            lapse_offers(model, muni)
    rng = model.vacancies.rng
    years = (model.now - model.warmup_weeks) / 52.0
    for m, kind, rent, small, vulnerable, flex in model.vacancies.social(years):
        muni = model.municipalities[m]
        area = _neighbourhood(muni, vulnerable, rng.random())
        _offer(model, muni, kind, rent, small, area, flex, landlord=-1)
    private_offers(model)
    if model.cfg.allocation.guarantee_weeks > 0:
        guarantee_calls(model)


def private_offers(model: HousingModel) -> None:
    """Each private vacancy: its landlord offers it to the municipality with its willingness
    (the draw is made either way, so the vacancies stay the same across scenarios)."""
    landlords, rents, draws = model.vacancies.private(model.landlord_units)
    if not len(landlords):
        return
    areas = model.vacancies.rng.random(len(landlords))
    quality = [contact_quality(model, muni) for muni in model.municipalities]
    for i, landlord_index in enumerate(landlords):
        landlord = model.landlords[landlord_index]
        if draws[i] < landlord.willingness(model.cfg, quality[landlord.municipality]):
            landlord.last_offer = model.now
            landlord.offers += 1
            muni = model.municipalities[landlord.municipality]
            area = _neighbourhood(muni, False, areas[i])
            _offer(model, muni, "private", float(rents[i]), True, area, False, int(landlord_index))


def contact_quality(model: HousingModel, muni: Municipality) -> float:
    """What a named contact is worth to a landlord: the share of the municipality's
    placements in the past year whose tenant moved in with an active support case
    (:meth:`Municipality.placements_with_case_share`; 0 without ``housing.private_contact``).
    """
    if not model.cfg.housing.private_contact:
        return 0.0
    return muni.placements_with_case_share(model.now)


def guarantee_calls(model: HousingModel) -> None:
    """A housing guarantee as a commitment: at each matching meeting, a citizen whose wait
    would come within ``housing.guarantee_lead_weeks`` of the guarantee before the next
    meeting, and who has had no offer in this spell, is offered a suitable vacancy that the
    municipality calls on from an agreed association.

    The agreed vacancies accrue at ``housing.guarantee_agreement_share`` of the associations'
    vacancies outside the anvisningsret (at most one meeting interval's worth is held: the
    rest are let as usual); the municipality pays the rent of a called dwelling for half a
    meeting interval (it waits vacant for the meeting) as vacancy rent. The guarantee is a
    commitment to a dwelling: unless ``housing.guarantee_waits_for_support``, the offer is
    made even when the support team is full (the support then follows from its waiting list).
    """
    cfg = model.cfg
    interval = cfg.allocation.interval_weeks
    share = cfg.housing.guarantee_agreement_share
    if share <= 0:
        return
    weekly = cfg.housing.turnover_per_year / 52.0 * (1.0 - cfg.housing.anvisning_share) * share
    meeting = int(model.now) % interval == 0
    # call for those whose wait reaches the guarantee less the lead time before the next meeting
    deadline = model.now + interval + cfg.housing.guarantee_lead_weeks
    deadline -= cfg.allocation.guarantee_weeks
    rent = cfg.housing.rent_small_dkk * cfg.housing.rent_factor
    waits = cfg.housing.guarantee_waits_for_support
    from hfsim.processes.tenancies import offer  # tenancies imports this module

    for muni, assoc in zip(model.municipalities, model.associations, strict=True):
        rate = assoc.units * weekly
        assoc.guarantee_credit = min(assoc.guarantee_credit + rate, max(rate * interval, 1.0))
        if not meeting or assoc.guarantee_credit < 1.0:
            continue
        for citizen in _due_for_guarantee(muni, deadline, rent, cfg.allocation.max_rent_burden):
            if assoc.guarantee_credit < 1.0:
                break
            if waits and not _support_free(model, muni, citizen):
                continue  # the offer waits for a support slot, as the policy's rule says
            assoc.guarantee_credit -= 1.0
            assoc.guarantee_calls += 1
            area = _neighbourhood(muni, False, citizen.chance("guarantee"))
            unit = Unit(model.new_unit_id(), muni.index, "social", rent, True, area, False, -1,
                        model.now)  # fmt: skip
            muni.offers.append(unit)
            muni.dirty = True
            model.recorder.offers[muni.index] += 1
            model.ledger.book(muni.index, "vacancy_rent", rent * interval / 2 / WEEKS_PER_MONTH)
            offer(model, muni, unit, citizen)


def _support_free(model: HousingModel, muni: Municipality, citizen) -> bool:
    """Whether the support that must follow the placement has a free slot (or need not)."""
    method = support.slot_needed(model, citizen)
    if method is None or model.cfg.policy.support_shortage == "without":
        return True
    return muni.teams[method].free > 0


def _due_for_guarantee(muni: Municipality, deadline: float, rent: float, burden: float) -> list:
    """Eligible citizens without an offer in this spell whose spell began by ``deadline``, who
    can pay ``rent`` and whom no unit on offer suits, longest waiting first."""
    pool = muni.eligible
    slots = pool.by_priority()
    slots = slots[(pool.spell_start[slots] <= deadline) & (rent <= burden * pool.afford[slots])]
    if muni.offers and len(slots):
        # the offers on the table go first: those a unit on offer suits (one each) are not due
        taken = {j for _, j in first_come(muni._matrices(slots).suits)}
        slots = np.array([s for j, s in enumerate(slots) if j not in taken], dtype=slots.dtype)
    due = []
    for slot in slots:
        citizen = pool.citizen(int(slot))
        if citizen.offered_in_spell != citizen.spells:
            due.append(citizen)
    return due


def _neighbourhood(muni: Municipality, vulnerable: bool, u: float) -> Block:
    """The block a vacancy falls in: ``u`` picks the neighbourhood, its remainder the block."""
    pool = [n for n in muni.neighbourhoods if n.vulnerable == vulnerable] or muni.neighbourhoods
    scaled = u * len(pool)
    i = min(int(scaled), len(pool) - 1)
    return pool[i].block(min(max(scaled - i, 0.0), 1.0 - 1e-12))


def _offer(model, muni, kind, rent, small, area, flex, landlord) -> None:
    """Offer a unit, unless no citizen could ever afford it: such a nomination goes to the
    municipality's other nominees (the homelessness unit does not claim it)."""
    if kind != "private" and rent > model.max_affordable_rent:
        model.recorder.passed_on[muni.index] += 1
        return
    unit = Unit(model.new_unit_id(), muni.index, kind, rent, small, area, flex, landlord, model.now)
    muni.offers.append(unit)
    muni.dirty = True
    model.recorder.offers[muni.index] += 1


def vacancy_rent(model: HousingModel, unit: Unit) -> None:
    """Rent the municipality pays for the weeks it held the unit vacant."""
    weeks = model.now - unit.offered_at
    if weeks > 0 and unit.kind != "private":
        model.ledger.book(
            unit.municipality, "vacancy_rent", unit.rent_dkk * weeks / WEEKS_PER_MONTH
        )


def lapse_offers(model: HousingModel, muni: Municipality) -> None:
    hold = model.cfg.housing.hold_weeks
    keep = []
    for unit in muni.offers:
        if model.now - unit.offered_at >= hold:
            vacancy_rent(model, unit)
            model.recorder.lapsed[muni.index] += 1
            getattr(model.recorder, f"lapsed_{muni.lapse_reason(unit)}")[muni.index] += 1
        else:
            keep.append(unit)
    muni.offers = keep
