"""Matching offered dwellings to eligible citizens: ``first_come`` and ``best_fit``.

Both rules see the same feasibility matrix: the rent (net of any subsidy) must be affordable,
flexible letting in vulnerable areas excludes benefit recipients, and (by policy) the support
that must follow has to be available. ``first_come`` gives each unit, in the order offered,
to the feasible citizen who has waited longest. ``best_fit`` solves an assignment problem
(scipy's ``linear_sum_assignment``) on a fit score that weighs rent burden and the
neighbourhood's concentration of vulnerable tenants against the citizen's needs, with
waiting time as a tie-breaker. Matrices are built with numpy, one row per unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from hfsim.agents.citizen import Citizen
from hfsim.housing import Unit

INFEASIBLE = -1e9
# the support a placement needs, coded for the candidate arrays (0: none)
SUPPORT_CODES: tuple[str | None, ...] = (None, "cti", "icm", "act")


def misfit_rule(needs, vulnerable, small):
    """A poor match of citizen, dwelling and neighbours: high needs in a vulnerable area, or a
    large dwelling for a single person with moderate or high needs. Works elementwise on
    numpy arrays and on plain values alike."""
    return np.logical_or((needs == 2) & vulnerable, (needs >= 1) & np.logical_not(small))


def misfit(citizen: Citizen, unit: Unit) -> bool:
    """:func:`misfit_rule` for one citizen and one unit."""
    return bool(misfit_rule(citizen.needs, unit.neighbourhood.vulnerable, unit.small))


@dataclass
class Match:
    """The matrices of one allocation round (rows: units, columns: candidates)."""

    suits: np.ndarray  # affordable and not excluded by flexible letting
    score: np.ndarray  # fit score (higher is better)


class CandidatePool:
    """The citizens who may be offered a dwelling now, with their matching attributes kept in
    numpy arrays, so a round costs array operations, not a loop over citizens."""

    def __init__(self) -> None:
        self._slot: dict[int, int] = {}
        self._citizens: list[Citizen | None] = []
        self._free: list[int] = []
        self.afford = np.zeros(0)
        self.benefit = np.zeros(0, dtype=bool)
        self.needs = np.zeros(0, dtype=np.int8)
        self.spell_start = np.zeros(0)
        self.support = np.zeros(0, dtype=np.int8)  # index into SUPPORT_CODES
        self.active = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, citizen: Citizen) -> bool:
        return citizen.unique_id in self._slot

    def values(self) -> list[Citizen]:
        return [self._citizens[i] for i in self._slot.values()]

    def add(self, citizen: Citizen, support: str | None = None) -> None:
        """Add a citizen, with the support method their placement needs (None: none)."""
        if not self._free:
            self._grow()
        i = self._free.pop()
        self._slot[citizen.unique_id] = i
        self._citizens[i] = citizen
        self.afford[i] = citizen.affordable_rent_dkk
        self.benefit[i] = citizen.benefit_recipient
        self.needs[i] = citizen.needs
        self.spell_start[i] = citizen.spell_start
        self.support[i] = SUPPORT_CODES.index(support)
        self.active[i] = True

    def set_support(self, citizen: Citizen, support: str | None) -> None:
        """Change the support a listed citizen's placement needs (None: none, or held)."""
        self.support[self._slot[citizen.unique_id]] = SUPPORT_CODES.index(support)

    def remove(self, citizen: Citizen) -> None:
        i = self._slot.pop(citizen.unique_id)
        self._citizens[i] = None
        self.active[i] = False
        self._free.append(i)

    def _grow(self) -> None:
        old = len(self.active)
        new = max(64, 2 * old)
        for name in ("afford", "benefit", "needs", "spell_start", "support", "active"):
            array = getattr(self, name)
            grown = np.zeros(new, dtype=array.dtype)
            grown[:old] = array
            setattr(self, name, grown)
        self._citizens.extend([None] * (new - old))
        self._free.extend(range(new - 1, old - 1, -1))

    def by_priority(self) -> np.ndarray:
        """Slots in priority order: longest waiting first (a guarantee's overdue are the
        longest waiting, so this order serves them first; best_fit adds them a bonus)."""
        slots = np.flatnonzero(self.active)
        return slots[np.argsort(self.spell_start[slots], kind="stable")]

    def supported(self, free: dict[str, float]) -> np.ndarray:
        """Per slot: whether the support the placement needs has a free slot in ``free``."""
        has_slot = np.array([True] + [free[m] > 0 for m in SUPPORT_CODES[1:]])
        return has_slot[self.support]

    def support_method(self, slot: int) -> str | None:
        return SUPPORT_CODES[self.support[slot]]

    def citizen(self, slot: int) -> Citizen:
        return self._citizens[slot]  # type: ignore[return-value]


def match_matrices(
    units: Sequence[Unit],
    pool: CandidatePool,
    slots: np.ndarray,
    now: float,
    max_rent_burden: float,
    private_subsidy_share: float,
    guarantee_weeks: int = 0,
) -> Match:
    """Feasibility (without the support condition) and fit of every unit-candidate pair."""
    afford = pool.afford[slots]
    benefit = pool.benefit[slots]
    needs = pool.needs[slots]
    waited = now - pool.spell_start[slots]
    rent = np.array([u.rent_dkk for u in units])[:, None]
    private = np.array([u.kind == "private" for u in units])[:, None]
    flex = np.array([u.flex_letting for u in units])[:, None]
    small = np.array([u.small for u in units])[:, None]
    vulnerable = np.array([u.neighbourhood.vulnerable for u in units])[:, None]
    concentration = np.array([u.neighbourhood.concentration for u in units])[:, None]
    subsidy = np.where(private, private_subsidy_share * np.maximum(rent - afford, 0.0), 0.0)
    burden = (rent - subsidy) / afford
    suits = (burden <= max_rent_burden) & ~(flex & benefit)
    is_misfit = misfit_rule(needs, vulnerable, small)
    overdue = (waited > guarantee_weeks) if guarantee_weeks > 0 else np.zeros_like(waited, bool)
    score = (
        -2.0 * np.maximum(burden - 0.8, 0.0)
        - 4.0 * concentration * (1 + needs)
        - 1.0 * is_misfit
        + 0.01 * waited
        + 10.0 * overdue  # a housing guarantee puts the overdue first
    )
    return Match(suits=suits, score=score)


def first_come(feasible: np.ndarray) -> list[tuple[int, int]]:
    """Each unit in turn to the first feasible candidate (columns sorted by priority)."""
    taken = np.zeros(feasible.shape[1], dtype=bool)
    pairs = []
    for i in range(feasible.shape[0]):
        free = feasible[i] & ~taken
        if free.any():
            j = int(np.argmax(free))
            taken[j] = True
            pairs.append((i, j))
    return pairs


def best_fit(feasible: np.ndarray, score: np.ndarray) -> list[tuple[int, int]]:
    """The assignment of units to candidates that maximises the total fit score."""
    if not feasible.any():
        return []
    matrix = np.where(feasible, score, INFEASIBLE)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if feasible[i, j]]
