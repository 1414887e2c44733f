"""Support teams (CTI, ICM, ACT): capacity, cases, phases, tapering and waiting lists."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

from hfsim.config.schema import MethodConfig, SupportConfig

if TYPE_CHECKING:
    from hfsim.agents.citizen import Citizen
    from hfsim.model import HousingModel

METHODS = ("cti", "icm", "act")
# Which method fits which needs (index = needs: low, moderate, high) [C: ACT, a
# multidisciplinary team with treatment and 24/7 cover, for the most complex needs; CTI
# time-limited for a transition; ICM, one case manager coordinating existing services, for
# moderate needs: with high needs it keeps only support.misfit_effect of its effect].
FITTING_METHOD = ("cti", "icm", "act")
FITS = {"cti": {0, 1}, "icm": {1}, "act": {2}}


@dataclass(eq=False)
class SupportCase:
    """One citizen's course of support."""

    citizen: Citizen
    method: str
    start: float
    intensity: float = 1.0
    phase: int = 1
    refund_until: float = -1.0  # §85a refund runs until this time (if > start)
    token: int = 0
    housed_at_start: bool = True  # False: CTI begun at discharge, before a dwelling

    @property
    def fits(self) -> bool:
        return self.citizen.needs in FITS[self.method]


class SupportTeam(mesa.Agent):
    """A municipality's team for one method.

    Args:
        model: The model.
        municipality: Index of the municipality.
        method: ``"cti"``, ``"icm"`` or ``"act"``.
        staff: Case workers.
        method_cfg: The method's config (caseload, cost, tapering).
    """

    def __init__(
        self,
        model: HousingModel,
        municipality: int,
        method: str,
        staff: int,
        method_cfg: MethodConfig,
    ) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.method = method
        self.cfg = method_cfg
        self.staff = staff
        # support.staffing=demand: the team hires as its caseload grows (no cap); fixed: the
        # staff caps the caseload and a waiting list forms
        fixed = model.cfg.support.staffing == "fixed"
        self.capacity: float = staff * method_cfg.caseload if fixed else math.inf
        self.cases: dict[int, SupportCase] = {}
        self.waitlist: deque[Citizen] = deque()  # housed citizens waiting for a slot
        # homeless citizens a dwelling was available for at the last allocation, held back
        # because this team had no free slot (policy.support_shortage = "wait")
        self.blocked = 0

    @property
    def free(self) -> float:
        return self.capacity - len(self.cases)

    @property
    def staff_employed(self) -> int:
        """Case workers on the team now: the fixed staff, or (staffing=demand) the whole posts
        the current caseload takes."""
        if math.isfinite(self.capacity):
            return self.staff
        return math.ceil(len(self.cases) / self.cfg.caseload)

    @property
    def waiting(self) -> int:
        """Citizens waiting for a slot: housed on the list, and homeless ones held back."""
        return len(self.waitlist) + self.blocked

    def cost_per_week(self, case: SupportCase) -> float:
        return self.cfg.cost_dkk_per_year / 52.0 * case.intensity


def support_factor(case: SupportCase | None, effect: float, cfg: SupportConfig) -> float:
    """Multiplier of the tenancy-breakdown hazard given the support received.

    Args:
        case: The active support case, or None.
        effect: Hazard reduction at full intensity and a fitting method.
        cfg: The support config (effect kept when the method does not fit).
    """
    if case is None:
        return 1.0
    fit = 1.0 if case.fits else cfg.misfit_effect
    return 1.0 - effect * case.intensity * fit
