"""Citizens: their profile, their one current state and the history of spells and tenancies."""

from __future__ import annotations

import math
from enum import IntEnum
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from hfsim.housing import Tenancy
    from hfsim.model import HousingModel


class State(IntEnum):
    """Where a citizen is. Each citizen is in exactly one state at a time."""

    ROUGH_SLEEPING = 0
    SOFA_SURFING = 1
    SHELTER = 2
    TRANSITIONAL = 3
    HOUSED = 4
    EXITED = 5


STATE_NAMES = ("rough_sleeping", "sofa_surfing", "shelter", "transitional", "housed", "exited")
HOMELESS = frozenset({State.ROUGH_SLEEPING, State.SOFA_SURFING, State.SHELTER, State.TRANSITIONAL})
OUTSIDE = frozenset({State.ROUGH_SLEEPING, State.SOFA_SURFING})

NEEDS = ("low", "moderate", "high")
PATTERNS = ("transitional", "episodic", "chronic")
AGE_GROUPS = ("18-29", "30-59", "60+")
INCOMES = ("cash_benefit", "disability_pension", "other")


class Citizen(mesa.Agent):
    """A person who has been homeless at least once in the model.

    Args:
        model: The model.
        municipality: Index of the home municipality (it pays for the citizen).
        age_group: Index into :data:`AGE_GROUPS`.
        needs: Index into :data:`NEEDS`.
        pattern: Shelter-use pattern, index into :data:`PATTERNS`.
        income: Income type, index into :data:`INCOMES`.
        affordable_rent_dkk: The monthly rent the citizen can pay (income and housing benefit).
        track: ``"hf"`` (Housing First) or ``"sf"`` (shelter-first), set by the policy.
    """

    def __init__(
        self,
        model: HousingModel,
        municipality: int,
        age_group: int,
        needs: int,
        pattern: int,
        income: int,
        affordable_rent_dkk: float,
    ) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.age_group = age_group
        self.needs = needs
        self.pattern = pattern
        self.income = income
        self.affordable_rent_dkk = affordable_rent_dkk
        self.track = "hf"
        self.state = State.ROUGH_SLEEPING
        self.state_since = 0.0
        self.version = 0  # bumped on every state change: pending events of the old state lapse
        self.draws: dict[str, int] = {}
        # homelessness spell
        self.spell_start = 0.0
        self.spells = 0
        self.spell_token = 0
        self.spell_history: list[tuple[float, float, str]] = []
        # shelter-first staircase: 0 none, 1 treatment done (wants a step), 2 housing ready
        self.stair_level = 0
        self.shelter_host = -1
        self.shelter_entry = 0.0
        self.ready_since = 0.0  # when judged ready to move in this stay (hf: from admission)
        self.stay_ends = 0.0  # planned end of the current shelter stay (it may end sooner)
        self.queued_for_bed = -1  # the version at which the citizen joined a bed queue
        self.eligible = False
        self.quarantined_until = -1.0
        self.referred_in_spell = -1  # the spell in which the citizen was first listed for housing
        self.referred_at = 0.0
        self.offered_in_spell = -1  # the spell in which the citizen had a first offer
        # refund bookkeeping (§110 rolling year, §85a, §107)
        self.refund_year_start = -1e9
        self.refund_days_used = 0.0
        self.refund_since = -1.0
        self.refund_token = 0
        self.refund_year_token = 0
        self.last_discharge = -1e9
        self.s85a_used = False
        self.s85a_eligible = False
        self.s85a_discharge = -1e9
        self.cti_spell = -1  # the spell in which a CTI course began at discharge
        self.transitional_refund_since = -1.0
        self.last_shelter_year = -1
        # housing
        self.tenancy: Tenancy | None = None
        self.tenancies: list[Tenancy] = []

    @property
    def benefit_recipient(self) -> bool:
        """Whether flexible letting in vulnerable areas excludes this citizen."""
        return INCOMES[self.income] != "other"

    @property
    def in_temporary_accommodation(self) -> bool:
        """In the ``transitional`` state without a staircase place (hotel, hostel, institution)."""
        return self.state == State.TRANSITIONAL and self.stair_level == 0

    @property
    def homeless(self) -> bool:
        return self.state in HOMELESS

    def draw(self, purpose: str) -> float:
        """The citizen's next unit-exponential draw for one purpose (see :mod:`hfsim.rng`)."""
        k = self.draws.get(purpose, 0)
        self.draws[purpose] = k + 1
        # RandomStreams.exponential, one call less (every event draws)
        return -math.log(self.model.streams.uniform(purpose, self.unique_id, k))

    def chance(self, purpose: str) -> float:
        """The citizen's next U(0,1) draw for one purpose."""
        k = self.draws.get(purpose, 0)
        self.draws[purpose] = k + 1
        return self.model.streams.uniform(purpose, self.unique_id, k)
