"""The naive baseline that ``hfsim bench`` times side by side with the model.

This is how an agent-based model is often first written: every citizen is a Mesa agent
stepped every week (``model.agents.shuffle_do("step")``), and each step draws a Bernoulli
trial for every transition that could end the citizen's current state. It has the same
municipalities, population (initial homeless and inflow), shelter places, vacancies and
rates as the config, and the same kinds of transitions (leaving the system, seeking a
shelter bed, leaving it, an own solution, a dwelling offer, breakdown and moving on), with
weekly probabilities ``1 - exp(-rate × 1 week)``. Its cost grows with citizens × weeks, where
:class:`hfsim.model.HousingModel` only does work when an event is due. It is a yardstick for
speed, not a second model: it leaves out the allocation rules, landlords' trust, support
teams, the staircase and the ledger.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from hfsim.agents.citizen import State
from hfsim.municipalities import build_municipalities

if TYPE_CHECKING:
    from hfsim.config import Config

WEEKS_PER_YEAR = 52
# Share of offered vacancies that end in a move-in. In the model, rent limits, flexible
# letting, declines and support capacity decide this; 0.3 is what a default aarhus run shows
# (about 100 placements a year from about 330 offers), so both populations are of one size.
OFFER_UPTAKE = 0.3
PATTERNS = ("transitional", "episodic", "chronic")
NEEDS = ("low", "moderate", "high")


def weekly_probability(rate_per_week: float) -> float:
    """The chance that an event with this hazard happens within one week."""
    return 1.0 - math.exp(-rate_per_week)


class NaiveCitizen(mesa.Agent):
    """A citizen stepped every week, drawing a Bernoulli trial per possible transition.

    Args:
        model: The naive model.
        municipality: Index of the home municipality.
        pattern: Shelter-use pattern index (transitional, episodic, chronic).
        needs: Support-needs index (low, moderate, high).
    """

    def __init__(self, model: NaiveModel, municipality: int, pattern: int, needs: int) -> None:
        super().__init__(model)
        self.municipality = municipality
        self.pattern = pattern
        self.needs = needs
        self.state = State.ROUGH_SLEEPING
        self.weeks_in_state = 0
        self.go_outside()

    @property
    def homeless(self) -> bool:
        return self.state != State.HOUSED

    def go_outside(self) -> None:
        """Rough sleeping or sofa surfing, drawn afresh on each move outside."""
        sofa = self.random.random() < self.model.p.sofa_share
        self.set_state(State.SOFA_SURFING if sofa else State.ROUGH_SLEEPING)

    def set_state(self, state: State) -> None:
        self.model.counts[self.municipality, self.state] -= 1
        self.model.counts[self.municipality, state] += 1
        self.model.transitions += 1
        self.state = state
        self.weeks_in_state = 0

    def step(self) -> None:
        """One week: a Bernoulli trial for every transition out of the current state."""
        p, rand = self.model.p, self.random.random
        self.weeks_in_state += 1
        if rand() < p.exit_other:
            self.leave()
        elif self.state == State.HOUSED:
            self.step_housed(p, rand)
        elif rand() < p.own_solution[self.pattern]:
            self.leave()
        elif self.state == State.SHELTER:
            if rand() < p.stay_end[self.pattern]:
                self.model.shelter_free[self.municipality] += 1
                self.go_outside()
        elif rand() < p.seek[self.pattern] and self.model.shelter_free[self.municipality] > 0:
            self.model.shelter_free[self.municipality] -= 1
            self.set_state(State.SHELTER)

    def step_housed(self, p: NaiveRates, rand) -> None:  # noqa: ANN001 - random.random
        supported = self.weeks_in_state <= p.support_weeks
        early = (
            p.early_6m
            if self.weeks_in_state <= 26
            else (p.early_12m if self.weeks_in_state <= 52 else p.late)
        )
        risk = p.breakdown[self.needs] * early * (p.support_factor if supported else 1.0)
        if rand() < risk:
            self.go_outside()
        elif rand() < p.moved_on:
            self.leave()

    def house(self) -> None:
        """Accept an offered dwelling."""
        if self.state == State.SHELTER:
            self.model.shelter_free[self.municipality] += 1
        self.set_state(State.HOUSED)

    def leave(self) -> None:
        """Leave the system for good."""
        if self.state == State.SHELTER:
            self.model.shelter_free[self.municipality] += 1
        self.set_state(State.EXITED)
        self.remove()


class NaiveRates:
    """Weekly probabilities from the config's rates.

    Args:
        cfg: A validated config.
    """

    def __init__(self, cfg: Config) -> None:
        c, t = cfg.citizens, cfg.tenancy
        self.sofa_share = c.sofa_share
        self.exit_other = weekly_probability(c.exit_other_per_year / WEEKS_PER_YEAR)
        self.seek = [
            weekly_probability(1 / getattr(c, f"seek_shelter_weeks_{k}")) for k in PATTERNS
        ]
        self.own_solution = [
            weekly_probability(1 / getattr(c, f"own_solution_weeks_{k}")) for k in PATTERNS
        ]
        self.stay_end = [
            weekly_probability(7 / getattr(c, f"stay_mean_days_{k}")) for k in PATTERNS
        ]
        self.breakdown = [
            weekly_probability(getattr(t, f"breakdown_per_year_{k}") / WEEKS_PER_YEAR)
            for k in NEEDS
        ]
        self.early_6m, self.early_12m, self.late = (
            t.early_factor_6m,
            t.early_factor_12m,
            t.late_factor,
        )
        self.support_factor = 1.0 - t.support_effect
        self.support_weeks = cfg.support.cti_weeks
        self.moved_on = weekly_probability(t.moved_on_per_year / WEEKS_PER_YEAR)


class NaiveModel(mesa.Model):
    """Every citizen stepped every week; municipalities, inflow and vacancies as the config.

    Args:
        cfg: A validated config.
        seed: The run's seed.
    """

    def __init__(self, cfg: Config, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.cfg = cfg
        self.p = NaiveRates(cfg)
        self.specs = build_municipalities(cfg)
        n = len(self.specs)
        self.counts = np.zeros((n, len(State)), dtype=np.int64)
        self.shelter_free = [s.shelter_capacity for s in self.specs]
        self.inflow_per_week = np.array([s.inflow_per_year for s in self.specs]) / WEEKS_PER_YEAR
        self.offers_per_week = (
            np.array([self._offers_per_year(s) for s in self.specs]) / WEEKS_PER_YEAR
        )
        self.total_weeks = (cfg.warmup_years + cfg.years) * WEEKS_PER_YEAR
        self.transitions = 0
        self.citizen_weeks = 0
        c = cfg.citizens
        self.pattern_cdf = np.cumsum([c.pattern_share_transitional, c.pattern_share_episodic])
        self.needs_cdf = np.cumsum([c.needs_share_low, c.needs_share_moderate])
        for m, spec in enumerate(self.specs):
            for _ in range(spec.initial_homeless):
                self.new_citizen(m)

    def _offers_per_year(self, spec) -> float:  # noqa: ANN001 - a MunicipalitySpec
        h = self.cfg.housing
        social = spec.social_units * h.turnover_per_year * h.anvisning_share
        social *= h.homeless_share_of_nominations
        cheap = spec.cheap_units * h.turnover_per_year * h.cheap_nomination_share
        private = (
            spec.private_landlords * h.private_units_per_landlord * h.private_turnover_per_year
        )
        private *= 0.2  # assumption: a fifth of private vacancies are offered
        return OFFER_UPTAKE * (social + cheap + private)

    def new_citizen(self, municipality: int) -> NaiveCitizen:
        u = self.rng.random(2)
        pattern = int(np.searchsorted(self.pattern_cdf, u[0]))
        needs = int(np.searchsorted(self.needs_cdf, u[1]))
        self.counts[municipality, State.ROUGH_SLEEPING] += 1
        return NaiveCitizen(self, municipality, pattern, needs)

    def step(self) -> None:
        """One week: inflow, every citizen's trials, then this week's dwelling offers."""
        for m in np.flatnonzero(arrivals := self.rng.poisson(self.inflow_per_week)):
            for _ in range(arrivals[m]):
                self.new_citizen(int(m))
        self.citizen_weeks += len(self.agents)
        self.agents.shuffle_do("step")
        self.offer_dwellings()

    def offer_dwellings(self) -> None:
        """Offers go to homeless citizens of the municipality, drawn at random."""
        offers = self.rng.poisson(self.offers_per_week)
        homeless: dict[int, list[NaiveCitizen]] = {}
        for agent in self.agents:
            if agent.homeless and offers[agent.municipality]:
                homeless.setdefault(agent.municipality, []).append(agent)
        for m, waiting in homeless.items():
            k = min(int(offers[m]), len(waiting))
            for i in self.rng.choice(len(waiting), size=k, replace=False):
                waiting[i].house()

    def run(self) -> NaiveModel:
        """Run the warm-up and the horizon, one week per step."""
        self.run_for(self.total_weeks)
        return self

    @property
    def population(self) -> dict[str, int]:
        totals = self.counts.sum(axis=0)
        return {s.name.lower(): int(totals[s]) for s in State}


# -- the yardstick: a trivial Mesa loop ------------------------------------------------------
class TrivialAgent(mesa.Agent):
    """An agent whose step is one random draw: the least a Mesa agent can cost per week."""

    def step(self) -> None:
        self.draw = self.random.random()


class TrivialModel(mesa.Model):
    """``agents`` trivial agents stepped every week with ``shuffle_do``: the bench's yardstick.

    What stepping every citizen every week costs in Mesa before the model does any work;
    ``hfsim bench`` reports the model's wall time as a ratio to it (issue #12).

    Args:
        agents: How many agents.
        seed: The seed.
    """

    def __init__(self, agents: int, seed: int) -> None:
        super().__init__(rng=seed)
        TrivialAgent.create_agents(self, agents)

    def step(self) -> None:
        self.agents.shuffle_do("step")
