"""Direction of effect: more X gives more (or less) Y, as the mechanisms say it should.

Each row runs the default municipality for a few short replications at a low and a high value
of one lever, on common random numbers (replication r has the same seed at both values), and
checks the sign of the paired difference: its mean and most of the pairs must agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import hfsim
from tests.conftest import SHORT_AARHUS

SEEDS = (0, 1, 2, 3)
WITHOUT_WAITING = {"policy.support_shortage": "without"}
FIXED_STAFF = {"support.staffing": "fixed"}
AMPLE_SUPPORT = {
    **FIXED_STAFF,
    "support.cti.staff": 20,
    "support.icm.staff": 20,
    "support.act.staff": 15,
}

# (what, base overrides, low, high, KPI, expected sign of high - low)
EFFECTS: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, int]] = [
    ("more shelter places -> fewer rough sleepers", {},
     {"shelter.capacity": 120}, {"shelter.capacity": 300}, "rough_sleeping_mean", -1),
    ("larger anvisningsret share -> more placements", {},
     {"housing.anvisning_share": 0.15}, {"housing.anvisning_share": 0.5}, "placements_per_year", +1),
    ("larger anvisningsret share -> shorter waits", AMPLE_SUPPORT,
     {"housing.anvisning_share": 0.15}, {"housing.anvisning_share": 0.5}, "days_to_housing_median", -1),
    ("more support staff -> higher retention", {**WITHOUT_WAITING, **FIXED_STAFF},
     {"support.cti.staff": 1, "support.icm.staff": 1, "support.act.staff": 1}, AMPLE_SUPPORT,
     "retention_12m", +1),
    ("more support staff -> shorter support waiting list", FIXED_STAFF,
     {"support.cti.staff": 3, "support.icm.staff": 3, "support.act.staff": 2}, AMPLE_SUPPORT,
     "support_waitlist_mean", -1),
    ("private guarantees -> more active private landlords", {},
     {"housing.private_guarantee": False}, {"housing.private_guarantee": True},
     "private_landlords_active", +1),
    # the affordability filter is lifted, so the same citizens can be housed at either rent
    # level: the row tests the arrears mechanism, not who gets a dwelling
    ("higher rents -> more breakdowns", {"allocation.max_rent_burden": 3.0},
     {"housing.rent_factor": 0.8}, {"housing.rent_factor": 1.5}, "returns_12m", +1),
    ("cheap-housing programme -> more placements", {},
     {"housing.cheap_units": 0}, {"housing.cheap_units": 1500}, "placements_per_year", +1),
    ("2023 reform -> the state pays less for shelter-first", {"policy": "shelter_first"},
     {"regime": "pre_2023"}, {"regime": "reform_2023"}, "cost_state_dkk_per_year", -1),
    ("2026 rules -> the municipality pays more than under 2023", {"policy": "shelter_first"},
     {"regime": "reform_2023"}, {"regime": "reform_2026"}, "cost_municipal_dkk_per_year", +1),
    ("2023 rules -> the municipality pays more for the status quo's long stays",
     {"policy": "status_quo"},
     {"regime": "pre_2023"}, {"regime": "reform_2023"}, "cost_municipal_dkk_per_year", +1),
    ("support follows need -> no support waiting list", {},
     FIXED_STAFF, {"support.staffing": "demand"}, "support_waitlist_mean", -1),
    ("support follows need -> fewer offers lapse", {},
     FIXED_STAFF, {"support.staffing": "demand"}, "offers_lapsed_share", -1),
]  # fmt: skip


def paired_differences(base: dict, low: dict, high: dict, kpi: str) -> np.ndarray:
    diffs = []
    for seed in SEEDS:
        lo = hfsim.simulate(seed=seed, **{**SHORT_AARHUS, **base, **low})[kpi]
        hi = hfsim.simulate(seed=seed, **{**SHORT_AARHUS, **base, **high})[kpi]
        diffs.append(hi - lo)
    return np.array(diffs)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("base", "low", "high", "kpi", "sign"),
    [row[1:] for row in EFFECTS],
    ids=[row[0] for row in EFFECTS],
)
def test_direction_of_effect(base, low, high, kpi, sign):
    diffs = paired_differences(base, low, high, kpi)
    assert np.sign(diffs.mean()) == sign, f"{kpi}: paired differences {diffs}"
    assert (np.sign(diffs) == sign).sum() >= len(SEEDS) - 1, f"{kpi}: paired differences {diffs}"


def _homeless(policy: str, supply: dict[str, Any]) -> np.ndarray:
    return np.array(
        [
            hfsim.simulate(seed=s, policy=policy, **SHORT_AARHUS, **supply, **AMPLE_SUPPORT)[
                "homeless_mean"
            ]
            for s in SEEDS
        ]
    )


SCARCE = {"housing.anvisning_share": 0.03, "housing.cheap_units": 0, "housing.private_landlords": 0}
AMPLE = {"housing.anvisning_share": 0.6, "housing.cheap_units": 1500}


@pytest.mark.slow
def test_housing_first_helps_when_dwellings_are_offered():
    hf, sf = _homeless("housing_first", AMPLE), _homeless("shelter_first", AMPLE)
    assert (hf < 0.85 * sf).all(), f"Housing First {hf} vs shelter-first {sf}"


@pytest.mark.slow
def test_housing_first_does_not_help_when_supply_binds():
    hf, sf = _homeless("housing_first", SCARCE), _homeless("shelter_first", SCARCE)
    relative = (hf - sf) / sf
    # no dwellings to offer: the policies end up with the same homelessness (within 5 %)
    assert abs(relative.mean()) < 0.05, f"Housing First {hf} vs shelter-first {sf}"


def _gap(kpi: str, **overrides: Any) -> np.ndarray:
    """Per seed: shelter-first's value of ``kpi`` minus Housing First's, on the same seed."""
    return np.array(
        [
            hfsim.simulate(seed=s, policy="shelter_first", **SHORT_AARHUS, **overrides)[kpi]
            - hfsim.simulate(seed=s, policy="housing_first", **SHORT_AARHUS, **overrides)[kpi]
            for s in SEEDS
        ]
    )


@pytest.mark.slow
def test_more_dwellings_widen_housing_firsts_advantage_when_support_follows_need():
    """With support that follows need, the dwellings bind Housing First: more of them widen
    its advantage (on main before support followed need, the gap narrowed, -8 -> -16)."""
    scarce = _gap("homeless_mean", **{"housing.anvisning_share": 0.1})
    ample = _gap("homeless_mean", **{"housing.anvisning_share": 0.5})
    assert (scarce > 0).all() and (ample > scarce).all(), f"gaps {scarce} -> {ample}"
    assert ample.mean() > 1.3 * scarce.mean(), f"gaps {scarce} -> {ample}"


@pytest.mark.slow
def test_the_2023_rules_shift_the_municipal_cost_balance_towards_housing_first():
    """The refund limit bites on long shelter stays, which the staircase has more of: the
    municipal cost of shelter-first rises against Housing First's."""
    before = _gap("cost_municipal_dkk_per_year", regime="pre_2023")
    after = _gap("cost_municipal_dkk_per_year", regime="reform_2023")
    assert (after > before).all(), f"shelter-first minus Housing First: {before} -> {after}"


@pytest.mark.slow
def test_housing_first_houses_new_spells_sooner_when_dwellings_are_offered():
    """Housing First offers a dwelling to anyone homeless, the staircase only to the ready:
    with dwellings to offer, more spells reach an own dwelling within a year (measured 0.996
    against 0.667, seed 0). In Aarhus' default supply over ten years the queue of the longest
    waiting grows and the order can reverse (the report says why)."""
    hf = np.array([hfsim.simulate(seed=s, policy="housing_first", **SHORT_AARHUS, **AMPLE)
                   ["housed_within_12m"] for s in SEEDS[:2]])  # fmt: skip
    sf = np.array([hfsim.simulate(seed=s, policy="shelter_first", **SHORT_AARHUS, **AMPLE)
                   ["housed_within_12m"] for s in SEEDS[:2]])  # fmt: skip
    assert (hf > 0.9).all() and (hf - sf > 0.2).all(), f"Housing First {hf} vs {sf}"
