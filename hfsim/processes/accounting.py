"""Accounting: cost accruals and the refund clocks of the reimbursement regime.

Every function here changes a rate in the :class:`~hfsim.ledger.Ledger` at an event's exact
time. The refund clocks follow the regime:

* §110: a rolling year starts at the first admission; within it at most
  ``regime.shelter_refund_days`` nights are refunded (366 = no limit, ``pre_2023``).
* §85a: support decided while the citizen was in a §110 shelter is refunded for
  ``regime.support_refund_weeks`` after discharge, once per citizen (not restarted).
* §107: a transitional stay within a year of a §110 discharge is refunded for at most
  ``regime.transitional_refund_weeks``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from hfsim.agents.citizen import Citizen
from hfsim.ledger import DAYS_PER_WEEK, WEEKS_PER_YEAR

if TYPE_CHECKING:
    from hfsim.agents.support import SupportCase, SupportTeam
    from hfsim.housing import Tenancy
    from hfsim.model import HousingModel


# -- §110 shelter ------------------------------------------------------------------------
def start_shelter(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """Admission: nights accrue; the refund clock runs if days are left in the rolling year.

    Clock events are filed only if they fall before the stay's planned end
    (``citizen.stay_ends``): a stay can end earlier, never later, so nothing is missed.
    """
    model.ledger.change(citizen.municipality, "shelter_nights", DAYS_PER_WEEK, tau)
    if tau >= citizen.refund_year_start + WEEKS_PER_YEAR:
        citizen.refund_year_start = tau  # a new rolling year from this admission
        citizen.refund_days_used = 0.0
    _schedule_year_end(model, citizen)
    _start_refund(model, citizen, tau)


def _schedule_year_end(model: HousingModel, citizen: Citizen) -> None:
    """While in the shelter the rolling year may end: then a new one starts at once."""
    year_end = citizen.refund_year_start + WEEKS_PER_YEAR
    if year_end < citizen.stay_ends:
        model.schedule("accounting", year_end, refund_year_ends, citizen, "refund_year_token")


def _start_refund(model: HousingModel, citizen: Citizen, tau: float) -> None:
    remaining_days = model.ledger.refund_days - citizen.refund_days_used
    if remaining_days <= 0 or citizen.refund_since >= 0:
        return
    citizen.refund_since = tau
    citizen.refund_token += 1
    model.ledger.change(citizen.municipality, "shelter_refund_nights", DAYS_PER_WEEK, tau)
    exhausted = tau + remaining_days / DAYS_PER_WEEK
    if exhausted < citizen.stay_ends:
        model.schedule("accounting", exhausted, refund_exhausted, citizen, "refund_token")


def stay_extended(model: HousingModel, citizen: Citizen) -> None:
    """The stay's planned end no longer applies (a housing-ready resident waits in the
    shelter): file the refund clocks that were left out because they fell after it."""
    citizen.stay_ends = math.inf
    citizen.refund_year_token += 1
    _schedule_year_end(model, citizen)
    if citizen.refund_since >= 0:
        citizen.refund_token += 1
        remaining_days = model.ledger.refund_days - citizen.refund_days_used
        exhausted = citizen.refund_since + remaining_days / DAYS_PER_WEEK
        model.schedule("accounting", exhausted, refund_exhausted, citizen, "refund_token")


def _stop_refund(model: HousingModel, citizen: Citizen, tau: float) -> None:
    if citizen.refund_since < 0:
        return
    citizen.refund_days_used += (tau - citizen.refund_since) * DAYS_PER_WEEK
    citizen.refund_since = -1.0
    citizen.refund_token += 1
    model.ledger.change(citizen.municipality, "shelter_refund_nights", -DAYS_PER_WEEK, tau)


def stop_shelter(model: HousingModel, citizen: Citizen, tau: float) -> None:
    model.ledger.change(citizen.municipality, "shelter_nights", -DAYS_PER_WEEK, tau)
    citizen.refund_year_token += 1
    _stop_refund(model, citizen, tau)


def refund_exhausted(citizen: Citizen, tau: float) -> None:
    """The rolling year's refundable days are used up; the municipality pays the rest."""
    _stop_refund(citizen.model, citizen, tau)


def refund_year_ends(citizen: Citizen, tau: float) -> None:
    """The rolling year ends while the citizen is in a shelter: a new one starts now."""
    model = citizen.model
    _stop_refund(model, citizen, tau)
    citizen.refund_year_start = tau
    citizen.refund_days_used = 0.0
    citizen.refund_year_token += 1
    _schedule_year_end(model, citizen)
    _start_refund(model, citizen, tau)


# -- §107 transitional stays -----------------------------------------------------------------
def start_transitional(model: HousingModel, citizen: Citizen, tau: float) -> None:
    m = citizen.municipality
    model.ledger.change(m, "transitional_nights", DAYS_PER_WEEK, tau)
    weeks = model.cfg.regime.transitional_refund_weeks
    if tau - citizen.last_discharge <= WEEKS_PER_YEAR and weeks > 0:
        citizen.transitional_refund_since = tau
        model.ledger.change(m, "transitional_refund_nights", DAYS_PER_WEEK, tau)
        model.schedule("accounting", tau + weeks, transitional_refund_ends, citizen)


def stop_transitional(model: HousingModel, citizen: Citizen, tau: float) -> None:
    model.ledger.change(citizen.municipality, "transitional_nights", -DAYS_PER_WEEK, tau)
    transitional_refund_ends(citizen, tau)


def transitional_refund_ends(citizen: Citizen, tau: float) -> None:
    if citizen.transitional_refund_since >= 0:
        citizen.transitional_refund_since = -1.0
        citizen.model.ledger.change(
            citizen.municipality, "transitional_refund_nights", -DAYS_PER_WEEK, tau
        )


# -- §85a support ------------------------------------------------------------------------------
def support_rate(
    model: HousingModel, team: SupportTeam, case: SupportCase, sign: float, tau: float
) -> None:
    """Add (sign=+1) or remove (-1) a case's weekly cost, and its refund if still running."""
    m = case.citizen.municipality
    cost = sign * team.cost_per_week(case)
    model.ledger.change(m, "support_dkk", cost, tau)
    if case.refund_until > tau:
        model.ledger.change(m, "support_refund_dkk", cost, tau)


def support_refund_ends(case: SupportCase, tau: float) -> None:
    """Two years after discharge, the support refund stops (the support may go on)."""
    model = case.citizen.model
    team = model.municipalities[case.citizen.municipality].teams[case.method]
    if case.citizen.unique_id in team.cases and team.cases[case.citizen.unique_id] is case:
        model.ledger.change(
            case.citizen.municipality, "support_refund_dkk", -team.cost_per_week(case), tau
        )
    case.refund_until = tau


# -- rent subsidies ---------------------------------------------------------------------------
def private_subsidy(model: HousingModel, tenancy: Tenancy, sign: float, tau: float) -> None:
    """§57a-style subsidy of the part of a private rent above what the tenant pays."""
    monthly = tenancy.unit.rent_dkk - tenancy.net_rent_dkk
    if monthly > 0:
        weekly = monthly * 12 / WEEKS_PER_YEAR
        model.ledger.change(tenancy.citizen.municipality, "private_subsidy_dkk", sign * weekly, tau)


def accounting_step(model: HousingModel) -> None:
    """Refund clocks due this week, then close the week's ledger."""
    model.due_events("accounting")
    years = (model.now - model.warmup_weeks) / 52.0
    repriced, _ = model.vacancies.programme_stock(years)
    model.ledger.cheap_subsidy_units = repriced
    model.ledger.close_week(int(model.now))
