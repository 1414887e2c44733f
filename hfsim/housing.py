"""Dwellings, neighbourhoods and their blocks, tenancies, and the vacancies offered.

Only dwellings that are offered to the municipality's homelessness unit become
:class:`Unit` objects; the rest of the stock is represented by its size and turnover. The
vacancy draws come from the ``market`` random stream and their number never depends on the
policy, so two policies on the same seed see the same vacancies (a private landlord's
decision to offer one depends on its trust, but its random draw is made either way).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from hfsim.config.schema import HousingConfig

if TYPE_CHECKING:
    from hfsim.agents.citizen import Citizen


@dataclass(eq=False)
class Neighbourhood:
    """A neighbourhood: its dwellings, its blocks and how many vulnerable tenants live there.

    Its blocks (stairwells of ``housing.block_dwellings``) are made when a vacancy first falls
    in one: the vacancies offered to the homelessness unit fall in the first
    ``nomination_blocks`` of them (where the cheap small dwellings are).
    """

    index: int
    municipality: int
    vulnerable: bool
    dwellings: int
    background_share: float
    tenants: int = 0  # citizens of the model housed here now
    block_dwellings: int = 0  # 0: the neighbourhood is one block
    nomination_blocks: int = 1
    blocks: dict[int, Block] = field(default_factory=dict)

    @property
    def concentration(self) -> float:
        """Vulnerable tenants per dwelling: the background share plus the model's tenants."""
        return self.background_share + self.tenants / max(self.dwellings, 1)

    def block(self, u: float) -> Block:
        """The nomination block a U(0,1) draw ``u`` picks; a block whose free dwellings are
        all let to the model's tenants passes the vacancy to the next block."""
        first = min(int(u * self.nomination_blocks), self.nomination_blocks - 1)
        size = max(1, min(self.block_dwellings or self.dwellings, self.dwellings))
        blocks = max(1, math.ceil(self.dwellings / size))
        number = first
        while True:
            found = self.blocks.get(number)
            if found is None:
                found = self.blocks[number] = Block(self, number, size)
            if found.tenants < found.dwellings * (1.0 - self.background_share) - 1:
                return found
            number = (number + 1) % blocks
            if number == first:  # every block is full: the draw's own block takes it
                return self.blocks[first]


@dataclass(eq=False)
class Block:
    """A block (stairwell) of a neighbourhood: where neighbours meet.

    A unit's ``neighbourhood`` is its block; the block answers for its neighbourhood's
    ``index``, ``municipality`` and ``vulnerable`` (so maps and tables read it as before) and
    keeps its neighbourhood's tenant count in step with its own. Its ``concentration`` is the
    block's: placing several vulnerable tenants together raises their conflict risk.
    """

    area: Neighbourhood
    number: int
    dwellings: int
    _tenants: int = 0

    @property
    def index(self) -> int:
        return self.area.index

    @property
    def municipality(self) -> int:
        return self.area.municipality

    @property
    def vulnerable(self) -> bool:
        return self.area.vulnerable

    @property
    def tenants(self) -> int:
        return self._tenants

    @tenants.setter
    def tenants(self, value: int) -> None:
        self.area.tenants += value - self._tenants
        self._tenants = value

    @property
    def concentration(self) -> float:
        """Vulnerable tenants per dwelling of the block: its area's background share plus the
        model's tenants in the block."""
        return self.area.background_share + self._tenants / max(self.dwellings, 1)


@dataclass(eq=False)
class Unit:
    """A dwelling offered to the municipality (and, if let, the home of one citizen)."""

    id: int
    municipality: int
    kind: str  # "social", "cheap" or "private"
    rent_dkk: float
    small: bool
    neighbourhood: Block  # the unit's block, which knows its neighbourhood
    flex_letting: bool
    landlord: int  # index of the private landlord, or -1
    offered_at: float = 0.0
    declines: int = 0  # citizens who declined it while it was on offer


@dataclass(eq=False)
class Tenancy:
    """One tenancy: who, where, since when, how it ended, and its breakdown-hazard clock."""

    id: int
    citizen: Citizen
    unit: Unit
    start: float
    support_method: str
    net_rent_dkk: float
    misfit: bool
    clock: float  # unit exponential: breakdown when the cumulative hazard reaches it
    end: float = math.nan
    how_ended: str = "ongoing"
    hazard_used: float = 0.0
    segment_start: float = 0.0
    segment_rate: float = 0.0
    token: int = 0  # bumped when the hazard segment changes: the old breakdown time lapses
    token_end: int = 0  # bumped when the tenancy ends: every pending event lapses
    next_review: float = math.inf  # the pending review, which starts a new hazard segment
    mediated: bool = False  # a support contact was active when it ended

    @property
    def burden(self) -> float:
        return self.net_rent_dkk / self.citizen.affordable_rent_dkk


def build_neighbourhoods(
    municipality: int, count: int, dwellings: int, cfg: HousingConfig
) -> list[Neighbourhood]:
    """Neighbourhoods of one municipality; the first share of them are vulnerable areas."""
    n_vulnerable = round(count * cfg.vulnerable_neighbourhood_share)
    per = max(1, dwellings // max(count, 1))
    blocks = max(1, math.ceil(per / cfg.block_dwellings))
    nomination = max(1, round(blocks * cfg.nomination_block_share))
    return [
        Neighbourhood(
            index=i,
            municipality=municipality,
            vulnerable=i < n_vulnerable,
            dwellings=per,
            background_share=(
                cfg.background_vulnerable_share_vulnerable_area
                if i < n_vulnerable
                else cfg.background_vulnerable_share
            ),
            block_dwellings=cfg.block_dwellings,
            nomination_blocks=nomination,
        )
        for i in range(count)
    ]


class VacancyDraws:
    """Draws this week's vacancies for all municipalities at once (vectorised).

    Args:
        cfg: The housing config.
        social_units: Social dwellings per municipality.
        cheap_units: Programme dwellings per municipality.
        rng: The ``market`` random stream.
    """

    def __init__(
        self,
        cfg: HousingConfig,
        social_units: np.ndarray,
        cheap_units: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self.cfg = cfg
        self.social_units = social_units
        self.cheap_units = cheap_units
        self.rng = rng
        self.new_delivered = np.zeros_like(cheap_units, dtype=float)

    def programme_stock(self, years_since_start: float) -> tuple[np.ndarray, np.ndarray]:
        """Re-priced and new programme dwellings delivered so far, per municipality."""
        cfg = self.cfg
        progress = min(max((years_since_start - cfg.cheap_start_year) / cfg.cheap_years, 0.0), 1.0)
        delivered = self.cheap_units * progress
        return delivered * (1 - cfg.cheap_new_share), delivered * cfg.cheap_new_share

    def social(self, years_since_start: float) -> list[tuple[int, str, float, bool, bool, bool]]:
        """Social and programme vacancies offered to the homelessness unit this week.

        Returns:
            (municipality, kind, rent, small, vulnerable area, flexible letting) per unit.
        """
        cfg, rng = self.cfg, self.rng
        weekly = cfg.turnover_per_year / 52.0
        vacant = rng.poisson(self.social_units * weekly)
        claimed = rng.binomial(vacant, cfg.anvisning_share)
        offered = rng.binomial(claimed, cfg.homeless_share_of_nominations)
        repriced, new = self.programme_stock(years_since_start)
        first_lettings = np.floor(new) - np.floor(self.new_delivered)
        self.new_delivered = new
        cheap_vacant = rng.poisson((repriced + new) * weekly) + first_lettings.astype(int)
        cheap_offered = rng.binomial(cheap_vacant, cfg.cheap_nomination_share)
        out = []
        for m in np.flatnonzero(offered + cheap_offered):
            for _ in range(offered[m]):
                small = rng.random() < cfg.small_unit_share
                median = cfg.rent_small_dkk if small else cfg.rent_large_dkk
                rent = median * cfg.rent_factor * math.exp(cfg.rent_spread * rng.standard_normal())
                out.append((int(m), "social", rent, small, *self._area(small)))
            for _ in range(cheap_offered[m]):
                out.append((int(m), "cheap", cfg.cheap_rent_dkk, True, *self._area(True)))
        return out

    def _area(self, small: bool) -> tuple[bool, bool]:
        """Whether a vacancy lies in a vulnerable area, and whether flexible letting applies."""
        share = (
            self.cfg.vulnerable_area_vacancy_share
            if small
            else self.cfg.vulnerable_neighbourhood_share
        )
        vulnerable = bool(self.rng.random() < share)
        flex = vulnerable and bool(self.rng.random() < self.cfg.flex_letting_share)
        return vulnerable, flex

    def private(self, landlord_units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Private vacancies this week: per vacancy its landlord, its rent and a U(0,1) draw
        compared with the landlord's willingness to offer it to the municipality."""
        cfg, rng = self.cfg, self.rng
        vacancies = rng.poisson(landlord_units * cfg.private_turnover_per_year / 52.0)
        landlords = np.repeat(np.arange(len(landlord_units)), vacancies)
        rents = (
            cfg.private_rent_dkk
            * cfg.rent_factor
            * np.exp(cfg.rent_spread * rng.standard_normal(len(landlords)))
        )
        return landlords, rents, rng.random(len(landlords))
