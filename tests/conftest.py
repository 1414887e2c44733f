"""Shared test helpers: small, fast configurations and a model runner that checks invariants."""

from __future__ import annotations

from typing import Any

import pytest

from hfsim.model import HousingModel

# A short run of the small preset: about 0.2 s.
SMALL: dict[str, Any] = {"municipality": "small_town", "years": 2, "warmup_years": 1}
# A short run of the default municipality, for effects that need more people: about 0.8 s.
SHORT_AARHUS: dict[str, Any] = {"years": 3, "warmup_years": 1}


def run_checked(seed: int = 0, **overrides: Any) -> HousingModel:
    """Run a model with every invariant asserted after every process of every step."""
    model = HousingModel(seed=seed, **overrides)
    model.check_invariants = True
    model.assert_invariants()
    return model.run()


@pytest.fixture
def small() -> dict[str, Any]:
    return dict(SMALL)
