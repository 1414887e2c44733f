"""Landlords: housing associations (almene boligorganisationer) and private landlords.

A private landlord decides per vacancy whether to offer it to the municipality. Its log-odds
of offering are::

    logit = willingness_base
            + willingness_trust × (trust - 0.5)
            - willingness_loss × expected_loss / private_rent      (months of rent)
    expected_loss = risk × (1 - contact_quality × contact_early_warning)
                    × private_loss_dkk × (1 - guarantee_cover)

``risk`` is the landlord's estimate of the chance that a municipal tenancy ends in a loss
(arrears, damage or conflict): a Beta belief that starts at ``landlord_prior_risk`` with the
weight of ``landlord_prior_weight`` tenancies and learns from the landlord's own tenancies and,
with ``hearsay_weight``, from those of the landlords it talks to (a small contact graph per
municipality). ``guarantee_cover`` is the share of the loss the municipality's guarantee pays
(``costs.guarantee_dkk / housing.private_loss_dkk``, at most 1, when
``housing.private_guarantee``). ``contact_quality`` is the share of the municipality's
placements in the past year whose tenant moved in with an active support case, when the
municipality offers a named contact (``housing.private_contact``): a named contact is only as
good as the support actually given.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import networkx as nx
import numpy as np

from hfsim.config.schema import Config, HousingConfig

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
        self.guarantee_credit = 0.0  # agreed vacancies the municipality may still call on
        self.guarantee_calls = 0  # vacancies called on for the housing guarantee


class PrivateLandlord(mesa.Agent):
    """A private landlord with small affordable dwellings, a belief about the loss a municipal
    tenancy brings, and a trust in the municipality.

    Args:
        model: The model.
        municipality: Index of the municipality.
        units: Affordable dwellings the landlord lets.
        cfg: The housing config (initial trust and the prior belief).
    """

    def __init__(
        self, model: HousingModel, municipality: int, units: float, cfg: HousingConfig
    ) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.units = units
        self.trust = cfg.trust_initial
        # Beta pseudo-counts: municipal tenancies that ended in a loss, and that did not
        self.bad = cfg.landlord_prior_risk * cfg.landlord_prior_weight
        self.good = (1.0 - cfg.landlord_prior_risk) * cfg.landlord_prior_weight
        self.contacts: list[PrivateLandlord] = []  # the landlords it talks to
        self.last_offer = -1e9
        self.offers = 0
        self.breakdowns = 0
        self.stable_tenancies = 0

    @property
    def risk(self) -> float:
        """Estimated chance that a municipal tenancy ends in a loss."""
        total = self.bad + self.good
        return self.bad / total if total > 0 else 0.0

    def expected_loss_dkk(self, cfg: Config, contact_quality: float) -> float:
        """Expected loss of letting to the municipality, after the guarantee's cover."""
        h = cfg.housing
        risk = self.risk * (1.0 - contact_quality * h.contact_early_warning)
        return risk * h.private_loss_dkk * (1.0 - guarantee_cover(cfg))

    def willingness(self, cfg: Config, contact_quality: float) -> float:
        """Probability of offering a vacancy to the municipality (logistic in its levers)."""
        h = cfg.housing
        months = self.expected_loss_dkk(cfg, contact_quality) / max(h.private_rent_dkk, 1.0)
        logit = (
            h.willingness_base
            + h.willingness_trust * (self.trust - 0.5)
            - h.willingness_loss * months
        )
        return 1.0 / (1.0 + math.exp(-logit))

    def gain_trust(self, cfg: HousingConfig) -> None:
        """A tenancy was stable for a year or ended well; the landlord's contacts hear of it."""
        self.stable_tenancies += 1
        self._learn(cfg, good=1.0, trust=cfg.trust_gain)

    def lose_trust(self, cfg: HousingConfig, mediated: bool) -> None:
        """A tenancy broke down; a support contact who mediates softens the loss of trust (the
        landlord saw it coming), not the lesson about risk. The contacts hear of it."""
        self.breakdowns += 1
        loss = cfg.trust_loss * (cfg.trust_loss_with_contact if mediated else 1.0)
        self._learn(cfg, bad=1.0, trust=-loss)

    def _learn(self, cfg: HousingConfig, bad: float = 0.0, good: float = 0.0, trust=0.0) -> None:
        self._update(bad, good, trust)
        w = cfg.hearsay_weight
        if w > 0:
            for other in self.contacts:
                other._update(w * bad, w * good, w * trust)

    def _update(self, bad: float, good: float, trust: float) -> None:
        self.bad += bad
        self.good += good
        self.trust = min(1.0, max(0.0, self.trust + trust))

    def active(self, now: float) -> bool:
        """Offered a unit to the municipality within the last year."""
        return now - self.last_offer <= 52.0


def guarantee_cover(cfg: Config) -> float:
    """Share of a landlord's loss the municipality's guarantee pays (0 without a guarantee)."""
    if not cfg.housing.private_guarantee or cfg.housing.private_loss_dkk <= 0:
        return 0.0
    return min(cfg.costs.guarantee_dkk / cfg.housing.private_loss_dkk, 1.0)


def connect_landlords(
    landlords: list[PrivateLandlord], cfg: HousingConfig, rng: np.random.Generator
) -> None:
    """Link the landlords of each municipality into a small-world contact graph (landlords
    talk: one bad experience travels). Drawn from the ``landlords`` stream only."""
    by_muni: dict[int, list[PrivateLandlord]] = {}
    for landlord in landlords:
        by_muni.setdefault(landlord.municipality, []).append(landlord)
    for members in by_muni.values():
        n = len(members)
        if n < 2 or cfg.landlord_contacts < 1:
            continue
        k = max(2, min(cfg.landlord_contacts, n - 1))
        seed = int(rng.integers(2**31))
        graph = nx.complete_graph(n) if k >= n - 1 else nx.watts_strogatz_graph(n, k, 0.2, seed)
        for i, j in graph.edges:
            members[i].contacts.append(members[j])
            members[j].contacts.append(members[i])
