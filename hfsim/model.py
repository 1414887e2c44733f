"""HousingModel: builds the world and runs the week in the order of DESIGN §2.

One step is one week. Each step runs these processes, in this order (the only place the order
is written; :data:`STEP_ORDER` is what :meth:`HousingModel.step` iterates):

0. ``timeline``     dated decisions take effect: levers, inputs, the regime from a date.
1. ``inflow``       new people become homeless; deaths, institutions and moves take people out.
2. ``market``       vacancies arise; social (anvisningsret, programme) and private offers.
3. ``street``       shelter admissions up to capacity, stays, staircase steps and drop-outs.
4. ``allocation``   municipalities match offered units to eligible citizens; moves-in.
5. ``support``      CTI phases advance and end, ICM/ACT taper, waiting lists move up.
6. ``tenancies``    breakdowns (arrears, conduct, conflict, abandonment) and good endings.
7. ``accounting``   refund clocks; the week's costs split between municipality and state.
8. ``collect``      counts and flows for the time series.

Work per citizen happens only on events. A citizen entering a state draws the times of the
events that can end it (from its own keyed random numbers, :mod:`hfsim.rng`) and the events are
filed in the calendar of the process that handles them, under the week they fall in. A process
handles its due events in time order when its turn comes; an event whose owner has changed
state since it was filed has lapsed and is skipped. The cost of a run therefore grows with the
number of events, not with citizens × weeks.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from hfsim.agents.citizen import HOMELESS, Citizen, State
from hfsim.agents.landlords import HousingAssociation, PrivateLandlord, connect_landlords
from hfsim.agents.municipality import Municipality
from hfsim.agents.support import METHODS, SupportCase, SupportTeam
from hfsim.collector import fewer_collections
from hfsim.config import Config, check_config, load_config
from hfsim.config.validate import check_seed
from hfsim.housing import Tenancy, VacancyDraws, build_neighbourhoods
from hfsim.ledger import Ledger
from hfsim.municipalities import build_municipalities
from hfsim.policies import make_policy
from hfsim.processes import accounting, homelessness, market, support, tenancies, timeline
from hfsim.results import Recorder
from hfsim.rng import RandomStreams

logging.getLogger("MESA").setLevel(logging.WARNING)

WEEKS_PER_YEAR = 52

STEP_ORDER: tuple[tuple[str, Callable[[HousingModel], None]], ...] = (
    ("timeline", timeline.timeline_step),
    ("inflow", homelessness.inflow_step),
    ("market", market.market_step),
    ("street", homelessness.street_step),
    ("allocation", tenancies.allocation_step),
    ("support", support.support_step),
    ("tenancies", tenancies.tenancy_step),
    ("accounting", accounting.accounting_step),
    ("collect", lambda model: model.recorder.collect(model)),
)
PHASES = tuple(name for name, _ in STEP_ORDER)
_PHASE_INDEX = {name: i for i, name in enumerate(PHASES)}

Event = tuple[float, int, Callable[[Any, float], None], Any, str, int]


class HousingModel(mesa.Model):
    """Citizens, landlords, municipalities and support teams under one policy and regime.

    Args:
        config: A validated config; if None, one is composed from ``overrides``.
        seed: Overrides ``config.seed`` (the seed of this run).
        **overrides: Dotted config keys and group choices, as for :func:`hfsim.simulate`
            (``"shelter.capacity"``, ``policy="shelter_first"``, ...).
    """

    def __init__(self, config: Config | None = None, seed: int | None = None, **overrides: Any):
        cfg = check_config(config) if config is not None else load_config(overrides)
        run_seed = cfg.seed if seed is None else check_seed(seed)
        super().__init__(rng=run_seed)
        self.cfg = cfg
        self.run_seed = run_seed
        self.streams = RandomStreams(run_seed)
        self.policy = make_policy(cfg.policy)
        self.warmup_weeks = cfg.warmup_years * WEEKS_PER_YEAR
        self.total_weeks = (cfg.warmup_years + cfg.years) * WEEKS_PER_YEAR
        self.now = 0.0
        self.events_processed = 0
        self.check_invariants = False
        self._calendar: dict[str, dict[int, list[Event]]] = {p: defaultdict(list) for p in PHASES}
        self._event_seq = 0
        self._phase_index = len(PHASES)  # the phase running now (none: between steps)
        self._running: list[Event] | None = None  # the running phase's due events (a heap)
        self._build_world()

    # -- the world --------------------------------------------------------------------
    def _build_world(self) -> None:
        cfg = self.cfg
        specs = build_municipalities(cfg)
        self.municipalities = [Municipality(self, i, spec) for i, spec in enumerate(specs)]
        self._regions: dict[str, list[Municipality]] = defaultdict(list)
        self.region_free_beds: dict[str, int] = defaultdict(int)  # kept by admit/discharge
        self.region_queued: dict[str, int] = defaultdict(int)  # entries in the bed queues
        for muni in self.municipalities:
            self._regions[muni.spec.region].append(muni)
            self.region_free_beds[muni.spec.region] += muni.shelter_capacity
        n = len(specs)
        self.associations = [
            HousingAssociation(self, i, s.social_units, s.cheap_units) for i, s in enumerate(specs)
        ]
        for muni, spec in zip(self.municipalities, specs, strict=True):
            muni.neighbourhoods = build_neighbourhoods(
                muni.index, spec.neighbourhoods, max(spec.social_units, 1), cfg.housing
            )
            for method in METHODS:
                muni.teams[method] = SupportTeam(
                    self, muni.index, method, spec.staff[method], getattr(cfg.support, method)
                )
        self.landlords: list[PrivateLandlord] = [
            PrivateLandlord(self, i, cfg.housing.private_units_per_landlord, cfg.housing)
            for i, spec in enumerate(specs)
            for _ in range(spec.private_landlords)
        ]
        connect_landlords(self.landlords, cfg.housing, self.streams.stream("landlords"))
        c = cfg.citizens
        richest = max(c.affordable_rent_dkk, c.affordable_rent_youth_dkk,
                      c.affordable_rent_pension_dkk, c.affordable_rent_other_dkk)  # fmt: skip
        # the highest rent any citizen could be offered (profiles vary rents by up to ±5 %)
        self.max_affordable_rent = richest * math.exp(0.05) * cfg.allocation.max_rent_burden
        self.inflow_per_week = np.array([s.inflow_per_year for s in specs]) / WEEKS_PER_YEAR
        self.landlord_units = np.array([ll.units for ll in self.landlords], dtype=float)
        self.vacancies = VacancyDraws(
            cfg.housing,
            np.array([s.social_units for s in specs], dtype=float),
            np.array([s.cheap_units for s in specs], dtype=float),
            self.streams.stream("market"),
        )
        self.ledger = Ledger(n, self.total_weeks, cfg.costs, cfg.regime)
        # current count per municipality and state: plain lists, updated on every move
        self.state_counts: list[list[int]] = [[0] * len(State) for _ in range(n)]
        self.recorder = Recorder(self)
        self.tenancy_log: list[Tenancy] = []
        self.cti_courses: list[SupportCase] = []  # every CTI course begun (hfsim.targets)
        self.next_unit_id = 0
        self.next_tenancy_id = 0
        homelessness.initial_population(self)
        self.recorder.collect(self)

    # -- time and events ----------------------------------------------------------------
    def schedule(
        self,
        phase: str,
        tau: float,
        handler: Callable[[Any, float], None],
        owner: Any,
        token_attr: str = "version",
    ) -> None:
        """File an event for ``owner`` at time ``tau`` in ``phase``'s calendar.

        An event that falls in the current week runs this week if its phase is still to come
        (or is running: it joins the running events in time order); only an event for a phase
        that has already run this week waits for the next week. The event lapses if
        ``owner.<token_attr>`` has changed by the time it is due.
        """
        if not math.isfinite(tau):
            return
        now = int(self.now)
        week = math.ceil(tau - 1e-9)
        self._event_seq += 1
        # (time, sequence) sort the bucket; the sequence is unique, so nothing else is compared
        event = (tau, self._event_seq, handler, owner, token_attr, getattr(owner, token_attr))
        if week <= now:
            order = _PHASE_INDEX[phase]
            if order == self._phase_index and self._running is not None:
                heapq.heappush(self._running, event)
                return
            week = now if order > self._phase_index else now + 1
        self._calendar[phase][week].append(event)

    def due_events(self, phase: str) -> int:
        """Run the events of ``phase`` that fall in the current week, in time order, including
        those that the running events file for this week."""
        bucket = self._calendar[phase].pop(int(self.now), None)
        if not bucket:
            return 0
        heapq.heapify(bucket)
        self._running = bucket
        ran = 0
        while bucket:
            tau, _, handler, owner, token_attr, token = heapq.heappop(bucket)
            if getattr(owner, token_attr) == token:
                handler(owner, tau)
                ran += 1
        self._running = None
        self.events_processed += ran
        return ran

    def step(self) -> None:
        """One week: every process of :data:`STEP_ORDER`, in that order."""
        self.now = float(self.steps)
        self.ledger.start_week(self.now)
        for self._phase_index, (_, process) in enumerate(STEP_ORDER):
            process(self)
            if self.check_invariants:
                self.assert_invariants()
        self._phase_index = len(PHASES)  # between steps every phase of the week has run

    def run(self) -> HousingModel:
        """Run the warm-up and the horizon."""
        self.run_for(self.total_weeks)
        return self

    def run_for(self, duration: int) -> None:  # type: ignore[override]
        """Run ``duration`` weeks (Mesa's ``run_for``), with fewer garbage collections."""
        with fewer_collections():
            super().run_for(duration)

    # -- state changes -------------------------------------------------------------------
    def move(self, citizen: Citizen, state: State, tau: float) -> None:
        """Move a citizen to a new state (the one place where states change)."""
        m = citizen.municipality
        row = self.state_counts[m]
        row[citizen.state] -= 1
        row[state] += 1
        self.recorder.flow(m, citizen.state, state)
        citizen.state = state
        citizen.state_since = tau
        citizen.version += 1
        self.update_eligibility(citizen)

    def update_eligibility(self, citizen: Citizen) -> None:
        """Keep the municipality's list of citizens who may be offered a dwelling current."""
        muni = self.municipalities[citizen.municipality]
        eligible = (
            citizen.state in HOMELESS
            and citizen.quarantined_until <= self.now
            and self.policy.eligible(citizen)
        )
        if eligible == citizen.eligible:
            return
        citizen.eligible = eligible
        if eligible:
            muni.eligible.add(citizen, support.slot_needed(self, citizen))
            muni.arrivals.append(citizen)
            self.recorder.referred(citizen, self.now)
        else:
            muni.eligible.remove(citizen)

    def update_support_need(self, citizen: Citizen) -> None:
        """A listed citizen's case began or ended: the slot their placement needs changed."""
        muni = self.municipalities[citizen.municipality]
        if citizen in muni.eligible:
            muni.eligible.set_support(citizen, support.slot_needed(self, citizen))
            muni.dirty = True

    def region(self, name: str) -> list[Municipality]:
        """The municipalities of a region (shelters are open across them)."""
        return self._regions.get(name, [])

    def new_unit_id(self) -> int:
        self.next_unit_id += 1
        return self.next_unit_id

    # -- checks ------------------------------------------------------------------------
    def assert_invariants(self) -> None:
        """Raise AssertionError if a model invariant is broken (used by the tests)."""
        citizens = [a for a in self.agents_by_type.get(Citizen, [])]
        recount = np.zeros_like(self.counts)
        in_steps = np.zeros(len(self.municipalities), dtype=np.int64)
        for c in citizens:
            recount[c.municipality, c.state] += 1
            if c.state == State.TRANSITIONAL and not c.in_temporary_accommodation:
                in_steps[c.municipality] += 1
        assert (recount[:, : State.EXITED] == self.counts[:, : State.EXITED]).all(), "state counts"
        for muni in self.municipalities:
            beds = timeline.allowed(muni, "shelter", muni.shelter_capacity)  # a cut evicts no one
            assert 0 <= muni.shelter_occupants <= beds, "shelter over capacity"
            steps = timeline.allowed(muni, "transitional", muni.transitional_capacity)
            assert 0 <= muni.transitional_occupants <= steps, "steps over capacity"
            for team in muni.teams.values():
                cases = timeline.allowed(team, "cases", team.capacity)
                assert len(team.cases) <= cases, "caseload over capacity"
        for name, munis in self._regions.items():
            free = sum(max(m.free_beds, 0) for m in munis)
            assert free == self.region_free_beds[name], "regional free-bed count"
        occupied = sum(m.shelter_occupants for m in self.municipalities)
        assert occupied == int(self.counts[:, State.SHELTER].sum()), "beds vs shelter residents"
        steps = [m.transitional_occupants for m in self.municipalities]
        assert (in_steps == steps).all(), "staircase places vs their occupants"
        housed = [c for c in citizens if c.state == State.HOUSED]
        assert all(c.tenancy is not None and c.tenancy.citizen is c for c in housed), (
            "housed w/o unit"
        )
        units = [c.tenancy.unit.id for c in housed]
        assert len(units) == len(set(units)), "a unit with two tenants"
        for muni in self.municipalities:
            for team in muni.teams.values():
                for case in team.cases.values():
                    c = case.citizen
                    assert c.state != State.EXITED, "a support case outlived its client"
                    if c.state != State.HOUSED:  # CTI begun at discharge, before a dwelling
                        assert team.method == "cti" and not case.housed_at_start, (
                            "a homeless client with a case that is not CTI from discharge"
                        )
                    elif team.method != c.tenancy.support_method:
                        raise AssertionError("a case of another method than the tenancy's")
            for c in muni.eligible.values():  # the slot a placement needs is current
                code = muni.eligible.support_method(muni.eligible._slot[c.unique_id])
                assert code == support.slot_needed(self, c), "a stale support need"

    def assert_books(self) -> None:
        """Raise AssertionError if the ledger's running rates disagree with who is where.

        Checked between steps (every event due so far has run): the home municipality pays
        its citizens' shelter nights wherever they stay; §110 refunds stop at the rolling
        year's limit, even for a resident waiting in the shelter; §85a refunds run only for cases
        whose refund period has not ended; CTI courses end after ``support.cti_weeks``.
        """
        from hfsim.ledger import _A

        per_home = np.zeros(len(self.municipalities))
        for c in self.agents_by_type.get(Citizen, []):
            if c.state == State.SHELTER:
                per_home[c.municipality] += 7.0
                if c.refund_since >= 0:
                    used = c.refund_days_used + (self.now - c.refund_since) * 7.0
                    assert used <= self.ledger.refund_days + 1e-6, "§110 refund past its limit"
        rates = np.array(self.ledger.rate)
        assert np.allclose(rates[:, _A["shelter_nights"]], per_home), "shelter nights: home pays"
        refunded = np.zeros(len(self.municipalities))
        for muni in self.municipalities:
            for team in muni.teams.values():
                for case in team.cases.values():
                    if case.refund_until > self.now:
                        refunded[muni.index] += team.cost_per_week(case)
                    if team.method == "cti":
                        assert self.now - case.start <= self.cfg.support.cti_weeks + 1e-6, (
                            "a CTI course outlived its length"
                        )
        assert np.allclose(rates[:, _A["support_refund_dkk"]], refunded, atol=1e-6), (
            "§85a refund outside its period"
        )

    @property
    def counts(self) -> np.ndarray:
        """Current count per municipality (rows) and state (columns)."""
        return np.array(self.state_counts, dtype=np.int64)

    @property
    def population(self) -> dict[str, int]:
        """Current count per state over all municipalities."""
        from hfsim.agents.citizen import STATE_NAMES

        totals = self.counts.sum(axis=0)
        return {name: int(totals[i]) for i, name in enumerate(STATE_NAMES)}


__all__ = ["HousingModel", "STEP_ORDER"]
