"""Inflow, outflow, street, shelter and the staircase: the homeless side of the model.

A homelessness spell starts at inflow (or when a tenancy breaks down) and ends when the
citizen moves into a dwelling, finds an own solution or leaves the system. Within a spell the
citizen moves between rough sleeping, sofa surfing, a §110 shelter and (shelter-first) the
transitional steps. Every duration is drawn when the state is entered, from the citizen's own
keyed random numbers.

Outside a shelter a citizen is in temporary accommodation (the ``transitional`` state without
a staircase place: hotels, hostels, institutions without a dwelling), sofa surfing or sleeping
rough; the shares come from the national counts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from hfsim.agents.citizen import HOMELESS, OUTSIDE, Citizen, State
from hfsim.processes import accounting, support

if TYPE_CHECKING:
    from hfsim.agents.municipality import Municipality
    from hfsim.model import HousingModel

DAYS = 7.0


def _rate_weeks(cfg_block: object, prefix: str, index_names: tuple[str, ...], i: int) -> float:
    return float(getattr(cfg_block, f"{prefix}_{index_names[i]}"))


PATTERN_KEYS = ("transitional", "episodic", "chronic")
NEEDS_KEYS = ("low", "moderate", "high")


# -- who comes in ------------------------------------------------------------------------
PROFILE_DRAWS = 6  # uniforms per new citizen: age, needs, pattern, income, rent, arrival time


def _new_citizen(model: HousingModel, municipality: int, u: np.ndarray, stock: bool) -> Citizen:
    """A citizen whose profile is read off a row of uniforms (``inflow`` or ``init`` stream)."""
    c = model.cfg.citizens
    age = 0 if u[0] < c.youth_share else (2 if u[0] > 1 - c.senior_share else 1)
    needs = 0 if u[1] < c.needs_share_low else (1 if u[1] < 1 - c.needs_share_high else 2)
    # The stock at a point in time holds more chronic users than the inflow does (they stay
    # longer); the initial population uses a stock-weighted mix [assumption], the warm-up
    # does the rest.
    transitional, episodic = (
        (0.5, 0.2) if stock else (c.pattern_share_transitional, c.pattern_share_episodic)
    )
    pattern = 0 if u[2] < transitional else (1 if u[2] < transitional + episodic else 2)
    income = (
        1 if u[3] < c.disability_pension_share else (2 if u[3] > 1 - c.other_income_share else 0)
    )
    if income == 0:
        rent = c.affordable_rent_youth_dkk if age == 0 else c.affordable_rent_dkk
    else:
        rent = c.affordable_rent_pension_dkk if income == 1 else c.affordable_rent_other_dkk
    rent *= math.exp(0.1 * (u[4] - 0.5))
    citizen = Citizen(model, municipality, age, needs, pattern, income, rent)
    citizen.track = model.policy.track(citizen)
    model.state_counts[municipality][State.ROUGH_SLEEPING] += 1
    model.recorder.enter(municipality, State.ROUGH_SLEEPING)
    # one lifetime clock for leaving the system (death, institution, moving away)
    rate = c.exit_other_per_year / 52.0
    if rate > 0:
        leaves = model.now + citizen.draw("exit_other") / rate
        model.schedule("inflow", leaves, exit_other, citizen, "unique_id")
    return citizen


def initial_population(model: HousingModel) -> None:
    """The homeless at the start of the warm-up, all outside shelters; the warm-up fills them."""
    rng = model.streams.stream("init")
    for muni in model.municipalities:
        draws = rng.random((muni.spec.initial_homeless, PROFILE_DRAWS))
        for u in draws:
            start_spell(model, _new_citizen(model, muni.index, u, stock=True), 0.0)


def inflow_step(model: HousingModel) -> None:
    """New spells this week (Poisson per municipality) and exits from the system."""
    model.due_events("inflow")
    rng = model.streams.stream("inflow")
    arrivals = rng.poisson(model.inflow_per_week)
    draws = rng.random((int(arrivals.sum()), PROFILE_DRAWS))
    row = 0
    for m in np.flatnonzero(arrivals):
        model.recorder.inflow[m] += arrivals[m]
        for u in draws[row : row + arrivals[m]]:
            citizen = _new_citizen(model, int(m), u, stock=False)
            start_spell(model, citizen, model.now - u[5])  # arrivals spread over the week
        row += arrivals[m]


def exit_other(citizen: Citizen, tau: float) -> None:
    """Death, an institution or moving away: the citizen leaves the model for good."""
    model = citizen.model
    if citizen.state == State.EXITED:
        return
    if citizen.state == State.HOUSED:
        from hfsim.processes.tenancies import end_tenancy

        end_tenancy(model, citizen.tenancy, tau, "left_system")
    else:
        leave_homelessness(model, citizen, tau, "left_system")


# -- spells --------------------------------------------------------------------------------
def start_spell(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """A homelessness spell begins: outside a shelter first; its own-solution clock starts."""
    citizen.spell_start = tau
    citizen.spells += 1
    citizen.stair_level = 0
    go_outside(model, citizen, tau, new_spell=True)
    weeks = _rate_weeks(model.cfg.citizens, "own_solution_weeks", PATTERN_KEYS, citizen.pattern)
    citizen.spell_token = citizen.spells
    model.schedule(
        "street", tau + citizen.draw("own_solution") * weeks, own_solution, citizen, "spell_token"
    )


def own_solution(citizen: Citizen, tau: float) -> None:
    """The citizen solves their housing outside the municipality's offers (leaves the model)."""
    if citizen.state in HOMELESS:
        leave_homelessness(citizen.model, citizen, tau, "own_solution")


def leave_homelessness(model: HousingModel, citizen: Citizen, tau: float, how: str) -> None:
    """End the spell without a municipal dwelling and leave the model."""
    release_places(model, citizen, tau)
    support.end_held_case(model, citizen, tau)
    citizen.spell_history.append((citizen.spell_start, tau, how))
    citizen.spell_token = -1
    model.recorder.spell_left(citizen, tau)
    model.recorder.exits[citizen.municipality] += 1
    model.move(citizen, State.EXITED, tau)
    citizen.remove()


def release_places(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """Give back a shelter bed or a transitional place, closing its cost accruals."""
    if citizen.state == State.SHELTER:
        discharge(model, citizen, tau)
    elif citizen.state == State.TRANSITIONAL and not citizen.in_temporary_accommodation:
        muni = model.municipalities[citizen.municipality]
        muni.transitional_occupants -= 1
        accounting.stop_transitional(model, citizen, tau)
        fill_transitional(model, muni, tau)


def go_outside(model: HousingModel, citizen: Citizen, tau: float, new_spell: bool = False) -> None:
    """Out of a shelter: temporary accommodation, rough sleeping or sofa surfing, until the
    citizen next seeks a shelter bed.

    Temporary accommodation (hotels, hostels, an institution or a crisis centre without a
    dwelling to go to: the national count's residual) is held in the ``transitional`` state
    without a staircase place; it has no capacity and no cost in the model's ledger.
    """
    c = model.cfg.citizens
    u = citizen.chance("outside_state")
    if u < c.temporary_share:
        state = State.TRANSITIONAL
    else:
        sofa = (u - c.temporary_share) / (1.0 - c.temporary_share) < c.sofa_share
        state = State.SOFA_SURFING if sofa else State.ROUGH_SLEEPING
    if new_spell:
        # a new citizen is counted as rough sleeping on creation; a returning one is housed
        model.move(citizen, state, tau)
    elif citizen.state != state:
        model.move(citizen, state, tau)
    else:
        citizen.version += 1
    schedule_seek(model, citizen, tau)


def schedule_seek(model: HousingModel, citizen: Citizen, tau: float) -> None:
    weeks = _rate_weeks(model.cfg.citizens, "seek_shelter_weeks", PATTERN_KEYS, citizen.pattern)
    model.schedule("street", tau + citizen.draw("seek") * weeks, seek_shelter, citizen)


# -- shelters ------------------------------------------------------------------------------
def street_step(model: HousingModel) -> None:
    """Due shelter, staircase and own-solution events of this week."""
    model.due_events("street")


def _shelter_with_bed(model: HousingModel, citizen: Citizen) -> Municipality | None:
    """The home municipality's shelter, else the one in the same region with most free beds,
    else (``shelter.open_to=country``, as SEL §110 has it) the one in the country with most
    free beds. Shelters are open across municipalities; the home municipality pays."""
    home = model.municipalities[citizen.municipality]
    if home.free_beds > 0:
        return home
    region = home.spec.region
    if region and model.region_free_beds[region] > 0:
        return _most_free_beds(model.region(region))
    if model.cfg.shelter.open_to != "country":
        return None
    regions = [name for name, free in model.region_free_beds.items() if free > 0]
    if not regions:
        return None
    return _most_free_beds([m for name in regions for m in model.region(name)])


def _most_free_beds(munis: list[Municipality]) -> Municipality:
    return max((m for m in munis if m.free_beds > 0), key=lambda m: (m.free_beds, -m.index))


def seek_shelter(citizen: Citizen, tau: float) -> None:
    """Ask for a bed; with none free in reach, wait where one is (street, sofa or temporary
    accommodation) for the next free bed."""
    model = citizen.model
    host = _shelter_with_bed(model, citizen)
    if host is None:
        home = model.municipalities[citizen.municipality]
        model.recorder.turned_away[citizen.municipality] += 1
        home.bed_queue.append(citizen)
        model.region_queued[home.spec.region] += 1
        citizen.queued_for_bed = citizen.version
        return
    # At the time asked (an event filed late, from a phase that had run, starts the week): an
    # admission at the week's end would be counted at the week's end without a night accrued.
    admit(model, citizen, host, max(tau, model.now - 1.0))


def _admit_from_queue(model: HousingModel, host: Municipality, tau: float) -> None:
    """A bed is free in ``host``: the first still waiting in its queue, or in its region's."""
    region = host.spec.region
    if model.region_queued[region] <= 0:
        return
    if _admit_first_waiting(model, host, host, tau):
        return
    for muni in model.region(region) if region else ():
        if muni is not host and _admit_first_waiting(model, muni, host, tau):
            return


def _admit_first_waiting(model: HousingModel, muni: Municipality, host, tau: float) -> bool:
    """Admit the first citizen still waiting in ``muni``'s bed queue to ``host``'s shelter."""
    queue = muni.bed_queue
    while queue:
        citizen = queue.popleft()
        model.region_queued[muni.spec.region] -= 1
        if citizen.queued_for_bed == citizen.version and _waits_outside(citizen):
            admit(model, citizen, host, tau)
            return True
    return False


def _waits_outside(citizen: Citizen) -> bool:
    """Still where the citizen was when they asked for a bed (outside, or temporary)."""
    return citizen.state in OUTSIDE or citizen.in_temporary_accommodation


def admit(model: HousingModel, citizen: Citizen, host, tau: float) -> None:
    """Admission to a §110 shelter: a stay (and, on the staircase, treatment) begins."""
    host.shelter_occupants += 1
    model.region_free_beds[host.spec.region] -= 1
    citizen.shelter_host = host.index
    citizen.shelter_entry = tau
    citizen.ready_since = tau  # Housing First clients are ready to move from admission
    model.move(citizen, State.SHELTER, tau)
    model.recorder.admission(citizen, tau)
    days = _rate_weeks(model.cfg.citizens, "stay_mean_days", PATTERN_KEYS, citizen.pattern)
    citizen.stay_ends = tau + citizen.draw("stay") * days / DAYS
    model.schedule("street", citizen.stay_ends, end_stay, citizen)
    accounting.start_shelter(model, citizen, tau)
    if citizen.track == "sf" and citizen.stair_level == 0:
        weeks = _rate_weeks(model.cfg.shelter, "treatment_weeks", NEEDS_KEYS, citizen.needs)
        done = tau + citizen.draw("treatment") * weeks
        # A stay ends at its planned end or sooner, and its end makes a pending treatment
        # lapse: a treatment that would end later is not filed (three in four of them).
        if done < citizen.stay_ends:
            model.schedule("street", done, treatment_done, citizen)


def discharge(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """Leave the shelter: the bed frees, the stay is recorded and its accruals close."""
    host = model.municipalities[citizen.shelter_host]
    host.shelter_occupants -= 1
    if host.free_beds > 0:  # after a timeline cut, a bed above the new capacity is not free
        model.region_free_beds[host.spec.region] += 1
    citizen.shelter_host = -1
    citizen.last_discharge = tau
    model.recorder.stay(citizen, citizen.shelter_entry, tau)
    accounting.stop_shelter(model, citizen, tau)
    if citizen in host.transitional_queue:
        host.transitional_queue.remove(citizen)
    if host.free_beds > 0:  # not after a cut (hfsim.processes.timeline) that left it over full
        _admit_from_queue(model, host, tau)


def end_stay(citizen: Citizen, tau: float) -> None:
    """The stay ends (on the staircase this is a drop-out): back outside; a Housing First
    client whose method is CTI may start a course at this discharge."""
    model = citizen.model
    discharge(model, citizen, tau)
    citizen.stair_level = 0
    go_outside(model, citizen, tau)
    support.start_at_discharge(model, citizen, tau)


# -- the staircase (shelter-first) ----------------------------------------------------------
def treatment_done(citizen: Citizen, tau: float) -> None:
    """Treatment in the shelter is done: the citizen wants the next step (a transitional
    place), or, with ``policy.readiness=in_shelter``, is judged housing ready and waits in the
    shelter for a dwelling (the planned end of the stay no longer applies)."""
    model = citizen.model
    citizen.ready_since = tau
    if model.cfg.policy.readiness == "in_shelter":
        citizen.version += 1  # the stay's pending end lapses: a ready resident stays
        accounting.stay_extended(model, citizen)
        citizen.stair_level = 2
        model.update_eligibility(citizen)
        schedule_relapse(model, citizen, tau)
        return
    citizen.stair_level = 1
    muni = model.municipalities[citizen.municipality]
    muni.transitional_queue.append(citizen)
    fill_transitional(model, muni, tau)


def fill_transitional(model: HousingModel, muni, tau: float) -> None:
    """Move the first in the queue into free transitional places."""
    while muni.free_steps > 0 and muni.transitional_queue:
        citizen = muni.transitional_queue.popleft()
        if citizen.state != State.SHELTER or citizen.stair_level != 1:
            continue
        discharge(model, citizen, tau)
        muni.transitional_occupants += 1
        model.move(citizen, State.TRANSITIONAL, tau)
        accounting.start_transitional(model, citizen, tau)
        c = model.cfg.shelter
        weeks = _rate_weeks(c, "readiness_weeks", NEEDS_KEYS, citizen.needs)
        model.schedule("street", tau + citizen.draw("readiness") * weeks, become_ready, citizen)
        schedule_relapse(model, citizen, tau)


def schedule_relapse(model: HousingModel, citizen: Citizen, tau: float) -> None:
    rate = _rate_weeks(model.cfg.shelter, "relapse_per_year", NEEDS_KEYS, citizen.needs) / 52.0
    if rate > 0:
        model.schedule("street", tau + citizen.draw("relapse") / rate, relapse, citizen)


def become_ready(citizen: Citizen, tau: float) -> None:
    """Judged housing ready: now eligible for a dwelling under shelter-first."""
    model = citizen.model
    citizen.stair_level = 2
    model.update_eligibility(citizen)


def relapse(citizen: Citizen, tau: float) -> None:
    """Relapse or drop-out from a transitional step: back to the street, the staircase lost."""
    model = citizen.model
    release_places(model, citizen, tau)
    citizen.stair_level = 0
    go_outside(model, citizen, tau)


def return_to_homelessness(model: HousingModel, citizen: Citizen, tau: float) -> None:
    """A tenancy broke down: a new spell begins (counted as a return)."""
    model.recorder.returns[citizen.municipality] += 1
    start_spell(model, citizen, tau)
