"""Support: cases start, CTI advances through its phases and ends, ICM/ACT taper when stable,
and a freed slot goes to the first housed citizen on the team's waiting list.

Support is decided at placement, except some CTI: CTI is the critical-time intervention that
bridges the move from a shelter to one's own home and is meant to start at discharge, so a
Housing First client whose method is CTI and whose shelter stay ends without a dwelling starts
a course at that discharge with chance ``support.cti_discharge_share`` (drawn once a spell,
at the first such discharge; the course needs a slot on the team). The worker
follows the client outside; a dwelling that comes during the course is moved into with the
course running (the placement needs no new slot), and a course that ends first leaves the
client to the usual decision at a later move-in. This is how some CTI clients *obtain* a
dwelling during the course, as 22 % did in the Danish CTI [C, Hjemløsestrategien].

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
    _decided(citizen, tau, decided_in_shelter)
    if team.free > 0:
        start_case(model, team, citizen, tau)
    else:
        team.waitlist.append(citizen)


def _decided(citizen: Citizen, tau: float, decided_in_shelter: bool) -> None:
    """§85a: a refund for support decided before discharge from a §110 shelter, once."""
    citizen.s85a_eligible = decided_in_shelter and not citizen.s85a_used
    citizen.s85a_discharge = tau
    if decided_in_shelter:
        citizen.s85a_used = True


def slot_needed(model: HousingModel, citizen: Citizen) -> str | None:
    """The method whose free slot a placement of the citizen needs: the policy's method,
    unless the citizen already holds a case of it (CTI begun at discharge); None if none."""
    method = model.policy.support_method(citizen)
    if method is None:
        return None
    team = model.municipalities[citizen.municipality].teams[method]
    return None if citizen.unique_id in team.cases else method


def held_case(model: HousingModel, citizen: Citizen) -> SupportCase | None:
    """A homeless citizen's running case (CTI begun at discharge), if any."""
    method = model.policy.support_method(citizen)
    if method is None:
        return None
    return model.municipalities[citizen.municipality].teams[method].cases.get(citizen.unique_id)


def start_at_discharge(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """CTI from discharge: a Housing First client whose method is CTI left a shelter without a
    dwelling; at the spell's first such discharge a course starts with chance
    ``support.cti_discharge_share``, if the team has a slot (decided in the shelter: §85a)."""
    if (
        citizen.track != "hf"
        or citizen.cti_spell == citizen.spells
        or slot_needed(model, citizen) != "cti"
    ):
        return
    citizen.cti_spell = citizen.spells  # the chance is taken once a spell
    team = model.municipalities[citizen.municipality].teams["cti"]
    if citizen.chance("cti_discharge") >= model.cfg.support.cti_discharge_share or team.free <= 0:
        return
    _decided(citizen, tau, decided_in_shelter=True)
    start_case(model, team, citizen, tau)
    model.update_support_need(citizen)


def end_held_case(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """A homeless citizen with a running case leaves the model: the case ends."""
    case = held_case(model, citizen)
    if case is not None:
        end_case(model, case, tau)


def start_case(model: HousingModel, team: SupportTeam, citizen: Citizen, tau: float) -> None:
    case = SupportCase(
        citizen=citizen,
        method=team.method,
        start=tau,
        housed_at_start=citizen.state == State.HOUSED,
    )
    if team.method == "cti":
        model.cti_courses.append(case)
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
    else:  # a course begun at discharge ended before a dwelling: a placement needs a slot
        model.update_support_need(case.citizen)
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
