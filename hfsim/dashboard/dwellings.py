"""The spatial view's model: one cell per dwelling of every neighbourhood, coloured by tenant.

A neighbourhood of the model is a count of dwellings (``Neighbourhood.dwellings``) with a
background share of vulnerable tenants who are not citizens of the model, plus the model's
own tenants (``Neighbourhood.tenants``). :class:`DwellingMap` lays each neighbourhood out as a
square of cells, one per dwelling, and fills them:

* a fixed, seeded set of cells holds the background vulnerable tenants (``background_share``
  of the dwellings), the same in every policy run on the same seed;
* a neighbourhood's cells are its blocks (stairwells of ``housing.block_dwellings``) one after
  another, row by row, so the tenants of one block sit together on the map;
* every unit the model knows about gets a cell of its own in its block the first time it is
  seen, and keeps it while it is offered (vacant), let (to a Housing First or a shelter-first tenant) and for a
  few weeks after its tenancy broke down; then the cell goes back to the pool;
* every other cell is an ordinary tenant.

So students see offers appear, tenancies form and break, and where vulnerable tenants
concentrate. The map only reads the model (``tenancy_log``, ``offers``, neighbourhoods).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from hfsim.results import BREAKDOWN_CAUSES

if TYPE_CHECKING:
    from hfsim.housing import Neighbourhood, Tenancy, Unit
    from hfsim.model import HousingModel

# Cell codes, in legend order; EMPTY pads a neighbourhood's square.
ORDINARY, VULNERABLE, HOUSING_FIRST, SHELTER_FIRST, OFFERED, BROKE_DOWN, EMPTY = range(7)
CELL_LABELS = (
    "ordinary tenant",
    "other vulnerable tenant",
    "Housing First tenant",
    "shelter-first graduate",
    "vacant, offered to the municipality",
    "tenancy broke down (last 4 weeks)",
)
# Okabe-Ito: Housing First and shelter-first in their policy colours (hfsim.report.figures)
CELL_COLOURS = ("#e4e4e4", "#8c8c8c", "#0072B2", "#E69F00", "#F0E442", "#D55E00", "#ffffff")
RECENT_WEEKS = 4.0  # how long a broken-down tenancy stays marked
_TRACK_CODE = {"hf": HOUSING_FIRST, "sf": SHELTER_FIRST}


class DwellingMap:
    """Cells for the dwellings of a one-municipality model, updated as the model runs.

    Args:
        model: The model (its first municipality is drawn).
        recent_weeks: How long a broken-down tenancy stays marked on its cell.
    """

    def __init__(self, model: HousingModel, recent_weeks: float = RECENT_WEEKS) -> None:
        self.neighbourhoods: list[Neighbourhood] = list(model.municipalities[0].neighbourhoods)
        self.recent_weeks = recent_weeks
        # seeded by the run seed only: every policy on the same seed gets the same layout
        self.seed = model.run_seed
        rng = np.random.default_rng([model.run_seed, 20231001])
        self.base: list[np.ndarray] = []
        # per neighbourhood: block number -> its free cells (made when a unit first needs one)
        self._free: list[dict[int, deque[int]]] = [{} for _ in self.neighbourhoods]
        for n in self.neighbourhoods:
            order = rng.permutation(n.dwellings)
            background = round(n.background_share * n.dwellings)
            cells = np.full(n.dwellings, ORDINARY, dtype=np.int8)
            cells[order[:background]] = VULNERABLE
            self.base.append(cells)
        self._slot: dict[int, tuple[int, int, int]] = {}  # unit id -> (neighbourhood, block, cell)
        self._code: dict[int, int] = {}  # unit id -> cell code
        self._tenancies: dict[int, Tenancy] = {}  # ongoing or recently broken down
        self._seen = 0  # tenancies of the model's log already read
        self.overflow = [0] * len(self.neighbourhoods)  # units that found no free cell
        self.update(model)

    def update(self, model: HousingModel) -> None:
        """Read the model's current tenancies and offers (call after every step)."""
        log = model.tenancy_log
        for tenancy in log[self._seen :]:
            self._tenancies[tenancy.id] = tenancy
        self._seen = len(log)
        codes: dict[int, int] = {}
        units: dict[int, Unit] = {}
        for tenancy in list(self._tenancies.values()):
            code = self._tenancy_code(tenancy, model.now)
            if code is None:
                del self._tenancies[tenancy.id]
                continue
            codes[tenancy.unit.id] = code
            units[tenancy.unit.id] = tenancy.unit
        for unit in model.municipalities[0].offers:
            codes[unit.id] = OFFERED
            units[unit.id] = unit
        for unit_id in [u for u in self._slot if u not in codes]:
            nbh, block, cell = self._slot.pop(unit_id)
            self._free[nbh][block].append(cell)  # to the back: a freed cell is not reused at once
        for unit_id, unit in units.items():
            if unit_id not in self._slot:
                self._place(unit)
        self._code = {u: c for u, c in codes.items() if u in self._slot}

    def _tenancy_code(self, tenancy: Tenancy, now: float) -> int | None:
        """The cell code of a tenancy's unit, or None once the unit leaves the map."""
        if tenancy.how_ended == "ongoing":
            return _TRACK_CODE[tenancy.citizen.track]
        if tenancy.how_ended in BREAKDOWN_CAUSES and now - tenancy.end < self.recent_weeks:
            return BROKE_DOWN
        return None

    def block_cells(self, neighbourhood: int, block: int) -> range:
        """The cells of one block of a neighbourhood (blocks lie one after another)."""
        n = self.neighbourhoods[neighbourhood]
        size = n.block_dwellings or n.dwellings
        return range(min(block * size, n.dwellings), min((block + 1) * size, n.dwellings))

    def _free_cells(self, nbh: int, block: int) -> deque[int]:
        free = self._free[nbh].get(block)
        if free is None:
            # seeded by run seed, neighbourhood and block: the same layout whatever the policy
            rng = np.random.default_rng([self.seed, 20231001, nbh, block])
            cells = [c for c in self.block_cells(nbh, block) if self.base[nbh][c] == ORDINARY]
            free = self._free[nbh][block] = deque(int(c) for c in rng.permutation(cells))
        return free

    def _place(self, unit: Unit) -> None:
        nbh = unit.neighbourhood.index
        block = getattr(unit.neighbourhood, "number", 0)
        free = self._free_cells(nbh, block)
        if free:
            self._slot[unit.id] = (nbh, block, free.popleft())
        else:
            self.overflow[nbh] += 1

    def cells(self, neighbourhood: int) -> np.ndarray:
        """The cell codes of one neighbourhood's dwellings (one per dwelling)."""
        cells = self.base[neighbourhood].copy()
        for unit_id, code in self._code.items():
            nbh, _, cell = self._slot[unit_id]
            if nbh == neighbourhood:
                cells[cell] = code
        return cells

    def counts(self) -> dict[int, int]:
        """Number of cells of each code over all neighbourhoods (EMPTY excluded)."""
        total = np.zeros(EMPTY, dtype=int)
        for i in range(len(self.neighbourhoods)):
            total += np.bincount(self.cells(i), minlength=EMPTY)[:EMPTY]
        return {code: int(total[code]) for code in range(EMPTY)}

    @property
    def side(self) -> int:
        """Cells per side of the square that holds the largest neighbourhood."""
        return math.ceil(math.sqrt(max(n.dwellings for n in self.neighbourhoods)))
