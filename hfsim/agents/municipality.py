"""Municipalities: shelter places, the staircase steps, the offered units and allocation."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from hfsim.agents.citizen import Citizen
from hfsim.agents.support import SupportTeam
from hfsim.allocation import best_fit, first_come, match_matrices, misfit
from hfsim.housing import Neighbourhood, Unit
from hfsim.municipalities import MunicipalitySpec

if TYPE_CHECKING:
    from hfsim.model import HousingModel


class Municipality(mesa.Agent):
    """One municipality: its policy's allocation of offered dwellings, its shelters and teams.

    Args:
        model: The model.
        index: Position of the municipality in the model's list.
        spec: Its share of every total (shelter places, staff, dwellings, ...).
    """

    def __init__(self, model: HousingModel, index: int, spec: MunicipalitySpec) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.shelter_capacity = spec.shelter_capacity
        self.shelter_occupants = 0  # beds taken in this municipality's shelters
        self.transitional_capacity = spec.transitional_capacity
        self.transitional_occupants = 0
        self.transitional_queue: deque[Citizen] = deque()
        self.bed_queue: deque[Citizen] = deque()  # outside, waiting for a free shelter bed
        self.offers: list[Unit] = []
        self.eligible: dict[int, Citizen] = {}  # homeless citizens who may get a dwelling now
        self.teams: dict[str, SupportTeam] = {}
        self.neighbourhoods: list[Neighbourhood] = []
        self.dirty = True  # something changed since the last allocation round
        self.guarantee_met = 0
        self.guarantee_due = 0

    # -- shelters -----------------------------------------------------------------------
    @property
    def free_beds(self) -> int:
        return self.shelter_capacity - self.shelter_occupants

    @property
    def free_steps(self) -> int:
        return self.transitional_capacity - self.transitional_occupants

    # -- allocation ---------------------------------------------------------------------
    def net_rent(self, citizen: Citizen, unit: Unit) -> float:
        """Rent the citizen pays: a private rent above what they can pay is subsidised (§57a)."""
        if unit.kind != "private":
            return unit.rent_dkk
        share = self.model.cfg.costs.private_subsidy_share
        excess = max(unit.rent_dkk - citizen.affordable_rent_dkk, 0.0)
        return unit.rent_dkk - share * excess

    def by_priority(self, limit: int | None = None) -> list[Citizen]:
        """Eligible citizens, guarantee overdue first, then longest waiting (spell start)."""
        pool = list(self.eligible.values())
        key = np.fromiter((c.spell_start for c in pool), float, len(pool))
        guarantee = self.model.cfg.allocation.guarantee_weeks
        if guarantee > 0:
            key = key - 1e6 * (self.model.now - key > guarantee)
        order = np.argsort(key, kind="stable")[:limit]
        return [pool[i] for i in order]

    def allocate(self) -> list[tuple[Unit, Citizen]]:
        """Match the offered units to eligible citizens under the allocation rule.

        Nothing is recomputed unless something changed since the last round (a new offer, a
        newly eligible citizen, a freed support slot), so quiet weeks cost nothing.
        """
        if not self.dirty or not self.offers or not self.eligible:
            return []
        self.dirty = False
        model = self.model
        cfg = model.cfg.allocation
        shortlist = cfg.candidates_per_unit * len(self.offers) if cfg.rule == "best_fit" else None
        candidates = self.by_priority(shortlist)
        m = match_matrices(
            self.offers, candidates, model.now, cfg.max_rent_burden,
            model.cfg.costs.private_subsidy_share,
        )  # fmt: skip
        methods = [model.policy.support_method(c) for c in candidates]
        wait = model.cfg.policy.support_shortage == "wait"
        free = {name: team.free for name, team in self.teams.items()}
        supported = np.array([not wait or k is None or free[k] > 0 for k in methods], dtype=bool)
        rule = first_come if cfg.rule == "first_come" else None

        def solve(feasible: np.ndarray) -> list[tuple[int, int]]:
            return rule(feasible) if rule else best_fit(feasible, m.score)

        if wait:
            # who would have been matched but for a support slot: the team's waiting list
            for team in self.teams.values():
                team.blocked = 0
            for _, j in solve(m.suits):
                if not supported[j]:
                    self.teams[methods[j]].blocked += 1
        pairs = []
        for i, j in solve(m.suits & supported[None, :]):
            method = methods[j]
            if wait and method is not None:
                if free[method] <= 0:  # two matched to the team's last slot
                    self.teams[method].blocked += 1
                    continue
                free[method] -= 1
            pairs.append((self.offers[i], candidates[j]))
        return pairs

    def is_misfit(self, citizen: Citizen, unit: Unit) -> bool:
        return misfit(citizen, unit)
