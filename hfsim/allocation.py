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


def misfit(citizen: Citizen, unit: Unit) -> bool:
    """A poor match of citizen, dwelling and neighbours: high needs in a vulnerable area,
    or a large dwelling for a single person with moderate or high needs."""
    if citizen.needs == 2 and unit.neighbourhood.vulnerable:
        return True
    return citizen.needs >= 1 and not unit.small


@dataclass
class Match:
    """The matrices of one allocation round (rows: units, columns: candidates)."""

    suits: np.ndarray  # affordable and not excluded by flexible letting
    score: np.ndarray  # fit score (higher is better)


def match_matrices(
    units: Sequence[Unit],
    candidates: Sequence[Citizen],
    now: float,
    max_rent_burden: float,
    private_subsidy_share: float,
) -> Match:
    """Feasibility (without the support condition) and fit of every unit-citizen pair."""
    afford = np.array([c.affordable_rent_dkk for c in candidates])
    benefit = np.array([c.benefit_recipient for c in candidates])
    needs = np.array([c.needs for c in candidates])
    waited = now - np.array([c.spell_start for c in candidates])
    rent = np.array([u.rent_dkk for u in units])[:, None]
    private = np.array([u.kind == "private" for u in units])[:, None]
    flex = np.array([u.flex_letting for u in units])[:, None]
    small = np.array([u.small for u in units])[:, None]
    vulnerable = np.array([u.neighbourhood.vulnerable for u in units])[:, None]
    concentration = np.array([u.neighbourhood.concentration for u in units])[:, None]
    subsidy = np.where(private, private_subsidy_share * np.maximum(rent - afford, 0.0), 0.0)
    burden = (rent - subsidy) / afford
    suits = (burden <= max_rent_burden) & ~(flex & benefit)
    is_misfit = ((needs == 2) & vulnerable) | ((needs >= 1) & ~small)
    score = (
        -2.0 * np.maximum(burden - 0.8, 0.0)
        - 4.0 * concentration * (1 + needs)
        - 1.0 * is_misfit
        + 0.01 * waited
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
