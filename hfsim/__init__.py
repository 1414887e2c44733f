"""hfsim: an agent-based simulation of Housing First and shelter-first in Danish municipalities.

The library runs without Hydra::

    import hfsim
    kpis = hfsim.simulate(seed=1, policy="shelter_first", years=5)
    model = hfsim.HousingModel(**{"shelter.capacity": 150})
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from hfsim.config import Config, ConfigError, load_config  # noqa: E402
from hfsim.config.validate import check_seed  # noqa: E402

if TYPE_CHECKING:
    from hfsim.model import HousingModel
    from hfsim.results import KPI_NAMES, compute_kpis

# The model and the results pull in Mesa, pandas and scipy (about a second): they load on
# first use, so that `hfsim --help` and a refused command line answer at once.
_LAZY = {
    "HousingModel": "hfsim.model",
    "KPI_NAMES": "hfsim.results",
    "compute_kpis": "hfsim.results",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hfsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def simulate(seed: int = 0, **overrides: Any) -> dict[str, float]:
    """Run one replication and return its KPIs.

    Args:
        seed: The run's seed (used as is, not as a replication index).
        **overrides: Dotted config keys and group choices, as on the command line, e.g.
            ``simulate(seed=1, policy="shelter_first", **{"shelter.capacity": 40})``.

    Returns:
        Every KPI of :data:`hfsim.KPI_NAMES`, over the horizon after the warm-up.

    Raises:
        ConfigError: a bad seed, key or value, before anything runs.
    """
    from hfsim.model import HousingModel
    from hfsim.results import compute_kpis

    seed = check_seed(seed)
    cfg = load_config(overrides)
    model = HousingModel(cfg, seed=seed).run()
    return compute_kpis(model)


__all__ = [
    "Config",
    "ConfigError",
    "HousingModel",
    "KPI_NAMES",
    "compute_kpis",
    "load_config",
    "simulate",
    "__version__",
]
