"""Support: cases start, CTI advances through its phases and ends, ICM/ACT taper when stable,
and a freed slot goes to the first housed citizen on the team's waiting list.

Every change of a case's intensity starts a new hazard segment of the client's tenancy, so
support acts on breakdown exactly from the time it changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfsim.agents.citizen import Citizen, State
from hfsim.agents.support import SupportCase, SupportTeam
from hfsim.processes import accounting

if TYPE_CHECKING:
    from hfsim.model import HousingModel


def support_step(model: HousingModel) -> None:
    """CTI phase changes, ends and tapering due this week."""
    model.due_events("support")


def active_case(model: HousingModel, citizen: Citizen) -> SupportCase | None:
    """The citizen's running support case, if any."""
    method = citizen.tenancy.support_method if citizen.tenancy else "none"
    if method == "none":
        return None
    return model.municipalities[citizen.municipality].teams[method].cases.get(citizen.unique_id)


def request(
    model: HousingModel, team: SupportTeam, citizen: Citizen, tau: float, decided_in_shelter: bool
) -> None:
    """Support is decided at placement: start now, or join the team's waiting list.

    §85a refund: support decided before discharge from a §110 shelter is refunded for two
    years after discharge, once per citizen.
    """
    citizen.s85a_eligible = decided_in_shelter and not citizen.s85a_used
    citizen.s85a_discharge = tau
    if decided_in_shelter:
        citizen.s85a_used = True
    if team.free > 0:
        start_case(model, team, citizen, tau)
    else:
        team.waitlist.append(citizen)


def start_case(model: HousingModel, team: SupportTeam, citizen: Citizen, tau: float) -> None:
    case = SupportCase(citizen=citizen, method=team.method, start=tau)
    weeks = model.cfg.regime.support_refund_weeks
    if citizen.s85a_eligible and model.cfg.regime.support_refund_share > 0:
        case.refund_until = citizen.s85a_discharge + weeks
        if case.refund_until > tau:
            model.schedule(
                "accounting", case.refund_until, accounting.support_refund_ends, case, "token"
            )
    team.cases[citizen.unique_id] = case
    accounting.support_rate(model, team, case, +1, tau)
    cfg = model.cfg.support
    if team.method == "cti":
        phase = cfg.cti_weeks / 3.0
        model.schedule("support", tau + phase, next_cti_phase, case, "token")
    else:
        taper = team.cfg.taper_after_weeks
        model.schedule("support", tau + taper, start_taper, case, "token")
    _tenancy_changed(model, citizen, tau)


def _set_intensity(model: HousingModel, case: SupportCase, intensity: float, tau: float) -> None:
    team = model.municipalities[case.citizen.municipality].teams[case.method]
    accounting.support_rate(model, team, case, -1, tau)
    case.intensity = intensity
    accounting.support_rate(model, team, case, +1, tau)
    _tenancy_changed(model, case.citizen, tau)


def next_cti_phase(case: SupportCase, tau: float) -> None:
    """CTI's three phases of about three months each, with falling intensity [C]."""
    model = case.citizen.model
    cfg = model.cfg.support
    if case.phase == 3:
        end_case(model, case, tau)
        return
    case.phase += 1
    intensity = cfg.cti_intensity_phase2 if case.phase == 2 else cfg.cti_intensity_phase3
    _set_intensity(model, case, intensity, tau)
    model.schedule("support", tau + cfg.cti_weeks / 3.0, next_cti_phase, case, "token")


def start_taper(case: SupportCase, tau: float) -> None:
    """ICM/ACT: a stable client's support steps down, then ends after a while."""
    model = case.citizen.model
    team = model.municipalities[case.citizen.municipality].teams[case.method]
    _set_intensity(model, case, model.cfg.support.tapered_intensity, tau)
    case.phase = 2
    ends = tau + case.citizen.draw("taper") * team.cfg.taper_weeks
    model.schedule("support", ends, _end_case_event, case, "token")


def _end_case_event(case: SupportCase, tau: float) -> None:
    end_case(case.citizen.model, case, tau)


def end_case(model: HousingModel, case: SupportCase, tau: float) -> None:
    """A case ends: its cost stops, the slot goes to the next on the waiting list."""
    team = model.municipalities[case.citizen.municipality].teams[case.method]
    accounting.support_rate(model, team, case, -1, tau)
    del team.cases[case.citizen.unique_id]
    case.token += 1
    model.municipalities[team.municipality].dirty = True  # a slot is free
    if case.citizen.state == State.HOUSED:
        _tenancy_changed(model, case.citizen, tau)
    fill_from_waitlist(model, team, tau)


def fill_from_waitlist(model: HousingModel, team: SupportTeam, tau: float) -> None:
    """Free slots go to the first housed citizens on the team's waiting list."""
    while team.waitlist and team.free > 0:
        nxt = team.waitlist.popleft()
        if nxt.state == State.HOUSED and nxt.tenancy is not None:
            start_case(model, team, nxt, tau)


def end_for_citizen(model: HousingModel, citizen: Citizen, method: str, tau: float) -> None:
    """The tenancy ended: the case ends too, or the citizen leaves the waiting list."""
    if method == "none":
        return
    team = model.municipalities[citizen.municipality].teams[method]
    case = team.cases.get(citizen.unique_id)
    if case is not None:
        end_case(model, case, tau)
    elif citizen in team.waitlist:
        team.waitlist.remove(citizen)


def _tenancy_changed(model: HousingModel, citizen: Citizen, tau: float) -> None:
    if citizen.tenancy is not None and citizen.state == State.HOUSED:
        from hfsim.processes.tenancies import reschedule

        reschedule(model, citizen.tenancy, tau)
