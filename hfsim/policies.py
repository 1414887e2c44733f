"""Policies: who is eligible for a dwelling, who goes first and what support follows.

A policy never rewrites parameters; it only answers these questions for the municipality.
"""

from __future__ import annotations

from hfsim.agents.citizen import Citizen
from hfsim.agents.support import FITTING_METHOD
from hfsim.config.schema import PolicyConfig


class Policy:
    """Base class: the questions a policy answers.

    Args:
        cfg: The policy config.
    """

    name = "policy"

    def __init__(self, cfg: PolicyConfig) -> None:
        self.cfg = cfg

    def track(self, citizen: Citizen) -> str:
        """``"hf"`` (housed at once, with support) or ``"sf"`` (staircase until ready)."""
        raise NotImplementedError

    def eligible(self, citizen: Citizen) -> bool:
        """Whether a homeless citizen may be offered a dwelling now."""
        if citizen.track == "hf":
            return True
        # housing ready: in a transitional step, or (readiness=in_shelter) in the shelter
        return citizen.stair_level == 2

    def support_method(self, citizen: Citizen) -> str | None:
        """The support method that follows a placement, or None: on the Housing First track
        the method that fits the needs (``policy.high_needs_method`` for high needs)."""
        if citizen.track == "hf":
            return (
                self.cfg.high_needs_method if citizen.needs == 2 else FITTING_METHOD[citizen.needs]
            )
        return None if self.cfg.graduate_support == "none" else self.cfg.graduate_support


class HousingFirst(Policy):
    """Every homeless citizen is eligible at once; support by the method that fits."""

    name = "housing_first"

    def track(self, citizen: Citizen) -> str:
        return "hf"


class ShelterFirst(Policy):
    """The staircase: shelter, treatment, transitional step; only the housing ready qualify."""

    name = "shelter_first"

    def track(self, citizen: Citizen) -> str:
        return "sf"


class Mixed(Policy):
    """Housing First for those with high needs (or for a share), shelter-first for the rest."""

    name = "mixed"

    def track(self, citizen: Citizen) -> str:
        if self.cfg.mixed_rule == "high_needs":
            return "hf" if citizen.needs == 2 else "sf"
        return "hf" if citizen.chance("track") < self.cfg.hf_share else "sf"


class StatusQuo(Policy):
    """Danish practice before the 2023 reform: mostly the staircase, Housing First-based support
    (a dwelling with CTI, ICM or ACT) for a minority (``policy.hf_support_share``)."""

    name = "status_quo"

    def track(self, citizen: Citizen) -> str:
        return "hf" if citizen.chance("track") < self.cfg.hf_support_share else "sf"


POLICIES: dict[str, type[Policy]] = {
    p.name: p for p in (HousingFirst, ShelterFirst, Mixed, StatusQuo)
}


def make_policy(cfg: PolicyConfig) -> Policy:
    """The policy object named in the config."""
    return POLICIES[cfg.name](cfg)
