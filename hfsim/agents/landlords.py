"""Landlords: housing associations (almene boligorganisationer) and private landlords."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from hfsim.config.schema import HousingConfig

if TYPE_CHECKING:
    from hfsim.model import HousingModel


class HousingAssociation(mesa.Agent):
    """The social housing of one municipality: its stock, turnover and programme dwellings.

    The municipality claims its anvisningsret share of the vacancies; the vacancy draws for all
    associations are made together in :class:`hfsim.housing.VacancyDraws`.

    Args:
        model: The model.
        municipality: Index of the municipality.
        units: Social family dwellings.
        cheap_units: Dwellings the cheap-housing programme adds or re-prices here.
    """

    def __init__(
        self, model: HousingModel, municipality: int, units: int, cheap_units: int
    ) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.units = units
        self.cheap_units = cheap_units


class PrivateLandlord(mesa.Agent):
    """A private landlord with a few affordable dwellings and a trust in the municipality.

    Its willingness to offer a vacancy to the municipality rises with a rent guarantee, a named
    support contact and its own experience (trust). Trust rises with stable tenancies and falls
    with breakdowns, less so when a support worker mediates.

    Args:
        model: The model.
        municipality: Index of the municipality.
        units: Affordable dwellings the landlord lets.
        trust: Initial trust (0-1).
    """

    def __init__(self, model: HousingModel, municipality: int, units: float, trust: float) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.units = units
        self.trust = trust
        self.last_offer = -1e9
        self.offers = 0
        self.breakdowns = 0
        self.stable_tenancies = 0

    def willingness(self, cfg: HousingConfig) -> float:
        """Probability of offering a vacancy to the municipality (logistic in its levers)."""
        logit = (
            cfg.willingness_base
            + cfg.willingness_guarantee * cfg.private_guarantee
            + cfg.willingness_contact * cfg.private_contact
            + cfg.willingness_trust * (self.trust - 0.5)
        )
        return 1.0 / (1.0 + math.exp(-logit))

    def gain_trust(self, cfg: HousingConfig) -> None:
        """A tenancy was stable for a year or ended well."""
        self.stable_tenancies += 1
        self.trust = min(1.0, self.trust + cfg.trust_gain)

    def lose_trust(self, cfg: HousingConfig, mediated: bool) -> None:
        """A tenancy broke down; a support contact who mediates softens the loss."""
        self.breakdowns += 1
        loss = cfg.trust_loss * (cfg.trust_loss_with_contact if mediated else 1.0)
        self.trust = max(0.0, self.trust - loss)

    def active(self, now: float) -> bool:
        """Offered a unit to the municipality within the last year."""
        return now - self.last_offer <= 52.0
