"""Municipalities: shelter places, the staircase steps, the offered units and allocation."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from hfsim.agents.citizen import Citizen
from hfsim.agents.support import SupportTeam
from hfsim.allocation import CandidatePool, Match, best_fit, first_come, match_matrices
from hfsim.housing import Neighbourhood, Unit
from hfsim.municipalities import MunicipalitySpec

if TYPE_CHECKING:
    from hfsim.model import HousingModel

# why an offered dwelling lapses unused (Municipality.lapse_reason)
LAPSE_REASONS = ("no_eligible", "unaffordable", "no_support", "declined")

# how far back a landlord looks at the municipality's placements to judge its named contact
# (the past year's practice) [assumption]
CONTACT_WINDOW_WEEKS = 52.0


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
        self.eligible = CandidatePool()  # homeless citizens who may get a dwelling now
        self.teams: dict[str, SupportTeam] = {}
        self.neighbourhoods: list[Neighbourhood] = []
        self.dirty = True  # offers, support slots or declines changed since the last round
        self.arrivals: list[Citizen] = []  # citizens who became eligible since the last round
        self.free_at_round: dict[str, float] = {}  # support slots free at the last round
        # the past year's placements: (week, moved in with an active support case)
        self.recent_placements: deque[tuple[float, bool]] = deque()
        self.recent_with_case = 0

    # -- shelters -----------------------------------------------------------------------
    @property
    def free_beds(self) -> int:
        return self.shelter_capacity - self.shelter_occupants

    @property
    def free_steps(self) -> int:
        return self.transitional_capacity - self.transitional_occupants

    # -- the named contact ----------------------------------------------------------------
    def note_placement(self, tau: float, with_case: bool) -> None:
        """A citizen moved into a dwelling the municipality let, with or without a support
        case running at move-in."""
        self.recent_placements.append((tau, with_case))
        self.recent_with_case += with_case

    def placements_with_case_share(self, now: float) -> float:
        """The share of the past year's placements (:data:`CONTACT_WINDOW_WEEKS`) whose tenant
        moved in with an active support case: what a landlord can expect of a new tenant's
        worker. Not the share of everyone housed: those housed years ago, whose support has
        ended as planned, are not what a landlord weighs for its next tenant (and that share
        would fall the longer a run lasts). 0 with no placements in the window."""
        recent = self.recent_placements
        while recent and recent[0][0] <= now - CONTACT_WINDOW_WEEKS:
            self.recent_with_case -= recent.popleft()[1]
        return self.recent_with_case / len(recent) if recent else 0.0

    # -- allocation ---------------------------------------------------------------------
    def net_rent(self, citizen: Citizen, unit: Unit) -> float:
        """Rent the citizen pays: a private rent above what they can pay is subsidised (§57a)."""
        if unit.kind != "private":
            return unit.rent_dkk
        share = self.model.cfg.costs.private_subsidy_share
        excess = max(unit.rent_dkk - citizen.affordable_rent_dkk, 0.0)
        return unit.rent_dkk - share * excess

    def _matrices(self, slots: np.ndarray, units: list[Unit] | None = None) -> Match:
        cfg = self.model.cfg
        return match_matrices(
            self.offers if units is None else units, self.eligible, slots, self.model.now,
            cfg.allocation.max_rent_burden, cfg.costs.private_subsidy_share,
            cfg.allocation.guarantee_weeks,
        )  # fmt: skip

    def lapse_reason(self, unit: Unit) -> str:
        """Why an offered unit lapses unused (one of :data:`LAPSE_REASONS`).

        ``declined``: citizens it was offered to declined it; ``no_eligible``: no eligible
        citizen who could take it was left (none eligible, or those it suits were housed
        elsewhere); ``unaffordable``: the eligible could not pay the rent (or flexible letting
        excluded them); ``no_support``: it suits someone whose support slot was missing at the
        last matching round (slots freed since then come too late for it).
        """
        if unit.declines:
            return "declined"
        slots = np.flatnonzero(self.eligible.active)
        if not len(slots):
            return "no_eligible"
        suits = self._matrices(slots, [unit]).suits[0]
        if not suits.any():
            return "unaffordable"
        if not self.free_at_round:  # no round yet: those it suits came after its last chance
            return "no_eligible"
        supported = self.eligible.supported(self.free_at_round)[slots[suits]]
        return "no_eligible" if supported.any() else "no_support"

    def _worth_a_round(self) -> bool:
        """Whether matching could give anything new since the last round.

        A new offer, a freed support slot or a declined offer call for a full round; newly
        eligible citizens only if one of them suits one of the units on offer.
        """
        arrivals, self.arrivals = self.arrivals, []
        if not self.offers or not len(self.eligible):
            return False
        if self.dirty:
            return True
        slots = [self.eligible._slot[c.unique_id] for c in arrivals if c in self.eligible]
        return bool(slots) and bool(self._matrices(np.array(slots)).suits.any())

    def _suited(
        self, slots: np.ndarray, wanted: int | None, among: list[np.ndarray | None]
    ) -> list[tuple[np.ndarray, Match]]:
        """For each mask of ``among`` (per slot; None: every slot), the first ``wanted``
        candidates (all if None), in priority order, that the mask admits and a unit on offer
        suits, with their matrices. One pass over ``slots`` serves every mask (a column
        depends on its candidate only), computed in chunks, so a long list is not scanned
        when its head already gives enough."""
        chunk = len(slots) if wanted is None else max(4 * wanted, 64)
        kept: list[list[np.ndarray]] = [[] for _ in among]
        suits: list[list[np.ndarray]] = [[] for _ in among]
        scores: list[list[np.ndarray]] = [[] for _ in among]
        found = [0] * len(among)
        for start in range(0, len(slots), chunk):
            part = slots[start : start + chunk]
            m = self._matrices(part)
            suited = m.suits.any(axis=0)
            for k, mask in enumerate(among):
                if wanted is not None and found[k] >= wanted:
                    continue
                keep = np.flatnonzero(suited if mask is None else suited & mask[part])
                if wanted is not None:
                    keep = keep[: wanted - found[k]]
                kept[k].append(part[keep])
                suits[k].append(m.suits[:, keep])
                scores[k].append(m.score[:, keep])
                found[k] += len(keep)
            if wanted is not None and min(found) >= wanted:
                break
        if not len(slots):
            empty = np.zeros((len(self.offers), 0))
            return [(slots[:0], Match(suits=empty.astype(bool), score=empty)) for _ in among]
        return [
            (_joined(k), Match(suits=_joined(s, axis=1), score=_joined(c, axis=1)))
            for k, s, c in zip(kept, suits, scores, strict=True)
        ]

    def allocate(self) -> list[tuple[Unit, Citizen]]:
        """Match the offered units to eligible citizens under the allocation rule.

        ``best_fit`` considers the ``allocation.candidates_per_unit`` × units candidates of
        highest priority among those a unit on offer suits. With ``policy.support_shortage=wait``
        only candidates whose support has a free slot are matched; those who would have been
        matched but for a slot are the teams' ``blocked`` (homeless on the waiting list).
        """
        if not self._worth_a_round():
            return []
        self.dirty = False
        slots = self.eligible.by_priority()
        wanted = self._wanted(len(self.offers))
        free = {name: team.free for name, team in self.teams.items()}
        self.free_at_round = free  # what this round leaves free (decremented below)
        wait = self.model.cfg.policy.support_shortage == "wait"
        if wait:  # the match among the supported, and the one without the condition
            supported = self.eligible.supported(free)
            (slots, m), unconditional = self._suited(slots, wanted, [supported, None])
            self._count_blocked(*unconditional, supported)
        else:
            [(slots, m)] = self._suited(slots, wanted, [None])
        pairs: list[tuple[Unit, Citizen]] = []
        taken_units: list[int] = []  # rows of self.offers let in this round
        matched: list[int] = []  # their candidates' slots
        while True:
            dropped = False
            for i, j in self._solve(m):
                method = self.eligible.support_method(slots[j])
                if wait and method is not None:
                    if free[method] <= 0:  # two matched to the team's last slot
                        self.teams[method].blocked += 1
                        dropped = True
                        continue
                    free[method] -= 1
                pairs.append((self.offers[i], self.eligible.citizen(slots[j])))
                taken_units.append(i)
                matched.append(int(slots[j]))
            if not dropped:
                return pairs
            # a unit given to a full team's candidate goes round again, among the candidates
            # not yet matched whose team still has a slot (drawn afresh from the list)
            slots, m = self._rematch(free, taken_units, matched)
            if not m.suits.any():
                return pairs

    def _wanted(self, units: int) -> int | None:
        """How many candidates ``best_fit`` considers for ``units`` units (None: all)."""
        cfg = self.model.cfg.allocation
        return cfg.candidates_per_unit * units if cfg.rule == "best_fit" else None

    def _rematch(
        self, free: dict[str, float], taken_units: list[int], matched: list[int]
    ) -> tuple[np.ndarray, Match]:
        """Candidates and matrices for the units not yet let, among the citizens not yet
        matched whose support still has a slot."""
        mask = self.eligible.supported(free)
        mask[matched] = False
        wanted = self._wanted(len(self.offers) - len(taken_units))
        [(slots, m)] = self._suited(self.eligible.by_priority(), wanted, [mask])
        m.suits[taken_units, :] = False
        return slots, m

    def _solve(self, m: Match) -> list[tuple[int, int]]:
        if self.model.cfg.allocation.rule == "first_come":
            return first_come(m.suits)
        return best_fit(m.suits, m.score)

    def _count_blocked(self, kept: np.ndarray, m: Match, supported: np.ndarray) -> None:
        """Who would have been matched but for a support slot (``kept``, ``m``: the match
        without the condition): the teams' homeless waiting."""
        for team in self.teams.values():
            team.blocked = 0
        for _, j in self._solve(m):
            if not supported[kept[j]]:
                self.teams[self.eligible.support_method(kept[j])].blocked += 1


def _joined(parts: list[np.ndarray], axis: int = 0) -> np.ndarray:
    """The chunks joined along ``axis``; most rounds need one chunk, which is kept as is."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=axis)
