"""The housing market: this week's vacancies become offers to the homelessness unit.

Social vacancies come under anvisningsret (the municipality's share, of which a share goes to
homeless citizens) and from the cheap-housing programme; private vacancies are offered when
the landlord is willing. Offers not let within ``housing.hold_weeks`` lapse; the municipality
pays the rent while it holds a unit vacant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfsim.housing import Unit

if TYPE_CHECKING:
    from hfsim.agents.municipality import Municipality
    from hfsim.housing import Neighbourhood
    from hfsim.model import HousingModel

WEEKS_PER_MONTH = 52.0 / 12.0


def market_step(model: HousingModel) -> None:
    """Lapse old offers, then add this week's social, programme and private offers."""
    for muni in model.municipalities:
        if muni.offers:
            lapse_offers(model, muni)
    rng = model.vacancies.rng
    years = (model.now - model.warmup_weeks) / 52.0
    for m, kind, rent, small, vulnerable, flex in model.vacancies.social(years):
        muni = model.municipalities[m]
        area = _neighbourhood(muni, vulnerable, rng.random())
        _offer(model, muni, kind, rent, small, area, flex, landlord=-1)
    landlords, rents, draws = model.vacancies.private(model.landlord_units)
    areas = rng.random(len(landlords))
    cfg = model.cfg.housing
    for i, landlord_index in enumerate(landlords):
        landlord = model.landlords[landlord_index]
        if draws[i] < landlord.willingness(cfg):
            landlord.last_offer = model.now
            landlord.offers += 1
            muni = model.municipalities[landlord.municipality]
            area = _neighbourhood(muni, False, areas[i])
            _offer(model, muni, "private", float(rents[i]), True, area, False, int(landlord_index))


def _neighbourhood(muni: Municipality, vulnerable: bool, u: float) -> Neighbourhood:
    pool = [n for n in muni.neighbourhoods if n.vulnerable == vulnerable] or muni.neighbourhoods
    return pool[min(int(u * len(pool)), len(pool) - 1)]


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
