"""The reimbursement regimes, applied in the ledger exactly as DESIGN §2 states them.

A lone citizen is admitted to a shelter in an otherwise empty world, and we read off how many
nights the state refunded.
"""

from __future__ import annotations

import numpy as np
import pytest

from hfsim.agents.support import SupportTeam
from hfsim.model import HousingModel
from hfsim.processes import homelessness, support

EMPTY_WORLD = {
    "municipality": "small_town",
    "warmup_years": 0,
    "years": 3,
    "citizens.initial_homeless": 0,
    "citizens.inflow_per_year": 0,
    "citizens.exit_other_per_year": 0,
    "citizens.stay_mean_days_transitional": 3650,
    "citizens.own_solution_weeks_transitional": 5200,
    "housing.anvisning_share": 0,
    "housing.cheap_units": 0,
    "housing.private_landlords": 0,
}
TRANSITIONAL_PROFILE = np.array([0.5, 0.1, 0.1, 0.5, 0.5, 0.0])  # age 30-59, low needs


def lone_shelter_stay(regime: str, weeks: int, seed: int = 0):
    """Admit one citizen at time 0 and step ``weeks`` weeks; discharge at the end."""
    for s in range(seed, seed + 50):
        model = HousingModel(seed=s, regime=regime, **EMPTY_WORLD)
        citizen = homelessness._new_citizen(model, 0, TRANSITIONAL_PROFILE, stock=False)
        homelessness.admit(model, citizen, model.municipalities[0], 0.0)
        if citizen.stay_ends > weeks + 1:  # the drawn stay outlasts the test
            break
    for _ in range(weeks):
        model.step()
    homelessness.discharge(model, citizen, float(weeks))
    return model, citizen


def refunded_nights(model) -> float:
    return float(model.ledger.accrued[:, 0, 1].sum())


def spent_nights(model) -> float:
    return float(model.ledger.accrued[:, 0, 0].sum())


@pytest.mark.parametrize(
    ("regime", "limit_days"), [("pre_2023", None), ("reform_2023", 120), ("reform_2026", 90)]
)
def test_shelter_refund_limit_per_rolling_year(regime, limit_days):
    model, _ = lone_shelter_stay(regime, weeks=40)  # 280 nights in the first rolling year
    assert spent_nights(model) == pytest.approx(280)
    expected = 280 if limit_days is None else limit_days
    assert refunded_nights(model) == pytest.approx(expected)


def test_a_new_rolling_year_refunds_again():
    model, _ = lone_shelter_stay("reform_2023", weeks=70)  # into the second rolling year
    assert refunded_nights(model) == pytest.approx(240)


def test_state_pays_half_of_refunded_nights():
    model, _ = lone_shelter_stay("reform_2023", weeks=30)
    state = model.ledger.cost[..., 0, 1].sum()
    price = model.cfg.costs.shelter_dkk_per_night
    assert state == pytest.approx(0.5 * 120 * price, rel=1e-9)


def _support_case(regime: str, decided_in_shelter: bool, used_before: bool = False):
    model = HousingModel(seed=0, regime=regime, **EMPTY_WORLD)
    citizen = homelessness._new_citizen(model, 0, TRANSITIONAL_PROFILE, stock=False)
    citizen.s85a_used = used_before
    team: SupportTeam = model.municipalities[0].teams["icm"]
    citizen.tenancy = None
    support.request(model, team, citizen, 0.0, decided_in_shelter=decided_in_shelter)
    return team.cases[citizen.unique_id]


def test_support_refund_needs_a_decision_before_discharge():
    assert _support_case("reform_2023", decided_in_shelter=True).refund_until == pytest.approx(104)
    assert _support_case("reform_2023", decided_in_shelter=False).refund_until < 0
    assert _support_case("pre_2023", decided_in_shelter=True).refund_until < 0


def test_support_refund_is_not_restarted_on_readmission():
    case = _support_case("reform_2023", decided_in_shelter=True, used_before=True)
    assert case.refund_until < 0
