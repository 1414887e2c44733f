"""The dashboard's settings and the models it runs: one per policy, stepped in lockstep.

:class:`Settings` holds what students can change (municipality, the two policies, regime,
seed and the levers of :class:`Levers`) plus any further fixed overrides given on the command
line (``hfsim app tenancy.support_effect=0.5``). :class:`Lockstep` builds one
:class:`hfsim.HousingModel` per policy from the same settings and seed (common random
numbers: the same people become homeless and the same dwellings fall vacant) and steps them
together, so the two sides of the page always show the same week.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from typing import Any

from hfsim.agents.support import METHODS
from hfsim.config import Config, ConfigError, load_config
from hfsim.dashboard.dwellings import DwellingMap
from hfsim.model import HousingModel

POLICY_LABELS = {
    "housing_first": "Housing First",
    "shelter_first": "Shelter-first",
    "mixed": "Mixed (Housing First for high needs)",
}
REGIME_LABELS = {
    "pre_2023": "before 2023 (no time limit)",
    "reform_2023": "2023 reform (120 days)",
    "reform_2026": "2026 (90 days)",
}
# presets of one municipality (the spatial view draws one municipality's neighbourhoods)
MUNICIPALITIES = ("small_town", "odense", "aarhus", "copenhagen")
# the dashboard's own defaults: a small town, ten years, no warm-up (students see the start)
DEFAULTS: dict[str, Any] = {"municipality": "small_town", "years": 10, "warmup_years": 0}
# always set: landlords counted every week (the landlord view), the report is not used
FIXED: dict[str, Any] = {"output.timeseries_every_weeks": 1}


@dataclasses.dataclass(frozen=True)
class Levers:
    """The policy levers on the dashboard's sliders (DESIGN §3's lever keys)."""

    anvisning_share: float
    shelter_capacity: int
    cti_staff: int
    icm_staff: int
    act_staff: int
    private_guarantee: bool
    cheap_units: int
    staffing: str = "demand"  # support.staffing: teams follow the caseload, or fixed staff

    @classmethod
    def from_config(cls, cfg: Config) -> Levers:
        """The levers' values in a composed config (a preset's values, say).

        Args:
            cfg: A validated config.
        """
        staff = {f"{m}_staff": getattr(cfg.support, m).staff for m in METHODS}
        return cls(
            anvisning_share=cfg.housing.anvisning_share,
            shelter_capacity=cfg.shelter.capacity,
            private_guarantee=cfg.housing.private_guarantee,
            cheap_units=cfg.housing.cheap_units,
            staffing=cfg.support.staffing,
            **staff,
        )

    def overrides(self) -> dict[str, Any]:
        """The levers as dotted config keys."""
        out: dict[str, Any] = {
            "housing.anvisning_share": float(self.anvisning_share),
            "shelter.capacity": int(self.shelter_capacity),
            "housing.private_guarantee": bool(self.private_guarantee),
            "housing.cheap_units": int(self.cheap_units),
            "support.staffing": str(self.staffing),
        }
        for method in METHODS:
            out[f"support.{method}.staff"] = int(getattr(self, f"{method}_staff"))
        return out


LEVER_KEYS = frozenset(Levers(0.0, 0, 0, 0, 0, False, 0).overrides())
CONTROL_KEYS = LEVER_KEYS | {"municipality", "policy", "regime", "seed"}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the dashboard's models are built from.

    Args:
        municipality: One of :data:`MUNICIPALITIES`.
        policy: The left-hand policy.
        compare_with: The right-hand policy, or ``""`` for one policy only.
        regime: The reimbursement regime.
        seed: The seed both models run on.
        levers: The levers' values.
        fixed: Further overrides applied to every model (from the command line), as sorted
            (key, value) pairs.
    """

    municipality: str
    policy: str
    compare_with: str
    regime: str
    seed: int
    levers: Levers
    fixed: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Settings from config overrides on top of the dashboard's :data:`DEFAULTS`.

        The right-hand policy is shelter-first, or Housing First when the left one is
        shelter-first.

        Args:
            overrides: Dotted keys and group choices, as on the command line.

        Raises:
            ConfigError: A bad key or value, or a municipality the dashboard cannot draw.
        """
        values = {**DEFAULTS, **(overrides or {})}
        cfg = load_config({**values, **FIXED})
        name = cfg.municipality.name
        if name not in MUNICIPALITIES:
            raise ConfigError(
                f"municipality={name!r} cannot be shown in the dashboard (one municipality "
                f"only); allowed: {', '.join(MUNICIPALITIES)}"
            )
        policy = cfg.policy.name
        fixed = {k: v for k, v in values.items() if k not in CONTROL_KEYS and k not in FIXED}
        return cls(
            municipality=name,
            policy=policy,
            compare_with="housing_first" if policy == "shelter_first" else "shelter_first",
            regime=cfg.regime.name,
            seed=cfg.seed,
            levers=Levers.from_config(cfg),
            fixed=tuple(sorted(fixed.items())),
        )

    @property
    def policies(self) -> tuple[str, ...]:
        """The policies shown, left to right (one or two)."""
        if self.compare_with and self.compare_with != self.policy:
            return (self.policy, self.compare_with)
        return (self.policy,)

    def overrides(self, policy: str) -> dict[str, Any]:
        """The config overrides of the model that runs ``policy``."""
        return {
            **dict(self.fixed),
            **FIXED,
            "municipality": self.municipality,
            "policy": policy,
            "regime": self.regime,
            "seed": int(self.seed),
            **self.levers.overrides(),
        }

    def with_municipality(self, name: str) -> Settings:
        """The same settings for another municipality, with that preset's lever values.

        Args:
            name: One of :data:`MUNICIPALITIES`.
        """
        cfg = load_config({**dict(self.fixed), **FIXED, "municipality": name})
        return dataclasses.replace(self, municipality=name, levers=Levers.from_config(cfg))

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields (or lever fields, by their names) changed."""
        lever_names = {f.name for f in dataclasses.fields(Levers)}
        levers = {k: v for k, v in changes.items() if k in lever_names}
        others = {k: v for k, v in changes.items() if k not in lever_names}
        if levers:
            others["levers"] = dataclasses.replace(self.levers, **levers)
        return dataclasses.replace(self, **others)


class Lockstep:
    """One model per policy of ``settings``, on the same seed, advanced together.

    Args:
        settings: What to build.

    Raises:
        ConfigError: The settings make an invalid config.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.models: dict[str, HousingModel] = {
            policy: HousingModel(**settings.overrides(policy)) for policy in settings.policies
        }
        self.dwellings = {p: DwellingMap(m) for p, m in self.models.items()}
        # held while stepping and while the views read the models (Play steps in a thread)
        self.lock = threading.RLock()
        self.step_seconds = 0.0  # wall time of the last call to step()

    @property
    def week(self) -> int:
        """Weeks run so far (the same in every model)."""
        return int(next(iter(self.models.values())).steps)

    @property
    def total_weeks(self) -> int:
        """Length of the run in weeks."""
        return int(next(iter(self.models.values())).total_weeks)

    @property
    def done(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.week >= self.total_weeks

    def step(self, weeks: int = 1) -> int:
        """Advance every model by ``weeks`` weeks (fewer at the horizon).

        Args:
            weeks: Weeks to run.

        Returns:
            The week reached.
        """
        with self.lock:
            start = time.perf_counter()
            for _ in range(max(0, min(weeks, self.total_weeks - self.week))):
                for policy, model in self.models.items():
                    model.step()
                    self.dwellings[policy].update(model)
            self.step_seconds = time.perf_counter() - start
            return self.week
