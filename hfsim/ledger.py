"""Who pays what, when: the weekly public ledger and the reimbursement regime.

Quantities that accrue over time (shelter nights, refundable nights, support cost, ...) are
kept as piecewise-constant rates that events change at their exact (fractional-week) times;
closing a week integrates them. Cost therefore grows with events, not with citizens × weeks,
and a one-night shelter stay costs one night even though the model steps by weeks.

Regimes (``regime=``), as DESIGN §2 states them:

* ``pre_2023``: 50 % of §110 costs refunded with no time limit; no §85a or §107 refund.
* ``reform_2023``: 50 % of §110 for at most 120 days per rolling year (counted from the first
  admission); 50 % of §85a support for up to 2 years after discharge from §110 when it was
  decided before discharge; 50 % of §107 stays for up to 6 months.
* ``reform_2026``: as ``reform_2023`` with 90 days.
"""

from __future__ import annotations

import numpy as np

from hfsim.config.schema import CostsConfig, RegimeConfig

# Accruing quantities (rates per week, changed by events)
ACCRUALS = (
    "shelter_nights",
    "shelter_refund_nights",
    "transitional_nights",
    "transitional_refund_nights",
    "support_dkk",
    "support_refund_dkk",
    "private_subsidy_dkk",
)
_A = {name: i for i, name in enumerate(ACCRUALS)}
CATEGORIES = ("shelter", "transitional", "support", "guarantee", "vacancy_rent", "rent_subsidy")
PAYERS = ("municipality", "state")
DAYS_PER_WEEK = 7.0
WEEKS_PER_YEAR = 365.25 / 7.0


class Ledger:
    """Accruals and booked costs for every municipality, closed week by week.

    Args:
        municipalities: Number of municipalities.
        weeks: Number of weeks the run lasts.
        costs: Prices.
        regime: Reimbursement rules.
    """

    def __init__(self, municipalities: int, weeks: int, costs: CostsConfig, regime: RegimeConfig):
        self.costs = costs
        self.regime = regime
        self.refund_days = float(regime.shelter_refund_days)  # §110 days per rolling year
        self.now = 0.0  # time of the step being processed (end of the current week)
        # rates and this week's integrals as plain lists: events change them one at a time
        self.rate = [[0.0] * len(ACCRUALS) for _ in range(municipalities)]
        self.acc = [[0.0] * len(ACCRUALS) for _ in range(municipalities)]
        self.booked = np.zeros((municipalities, len(CATEGORIES)))
        self.accrued = np.zeros((weeks + 1, municipalities, len(ACCRUALS)))
        # cost[week, municipality, category, payer]
        self.cost = np.zeros((weeks + 1, municipalities, len(CATEGORIES), len(PAYERS)))
        self.cheap_subsidy_units = np.zeros(municipalities)

    def change(self, municipality: int, accrual: str, delta: float, tau: float) -> None:
        """A rate changes by ``delta`` per week at time ``tau`` in the current week
        ``(now - 1, now]``; changes at ``now`` itself count from the next week."""
        k = _A[accrual]
        self.rate[municipality][k] += delta
        self.acc[municipality][k] += delta * (self.now - tau)

    def book(self, municipality: int, category: str, amount_dkk: float) -> None:
        """A one-off municipal cost in the current week (guarantees, vacant rent)."""
        self.booked[municipality, CATEGORIES.index(category)] += amount_dkk

    def close_week(self, week: int) -> None:
        """Integrate the accruals of the week ending now and split costs between payers."""
        acc = np.array(self.acc)
        c, r = self.costs, self.regime
        cost = self.cost[week]
        shelter = acc[:, _A["shelter_nights"]] * c.shelter_dkk_per_night
        shelter_state = (
            acc[:, _A["shelter_refund_nights"]] * c.shelter_dkk_per_night * r.shelter_refund_share
        )
        trans = acc[:, _A["transitional_nights"]] * c.transitional_dkk_per_night
        trans_state = (
            acc[:, _A["transitional_refund_nights"]]
            * c.transitional_dkk_per_night
            * r.transitional_refund_share
        )
        support = acc[:, _A["support_dkk"]]
        support_state = acc[:, _A["support_refund_dkk"]] * r.support_refund_share
        subsidy_state = self.cheap_subsidy_units * c.cheap_subsidy_dkk_per_year / WEEKS_PER_YEAR
        subsidy_muni = acc[:, _A["private_subsidy_dkk"]]
        totals = {
            "shelter": (shelter, shelter_state),
            "transitional": (trans, trans_state),
            "support": (support, support_state),
            "rent_subsidy": (subsidy_muni + subsidy_state, subsidy_state),
        }
        for name, (total, state) in totals.items():
            k = CATEGORIES.index(name)
            cost[:, k, 1] = state
            cost[:, k, 0] = total - state
        for name in ("guarantee", "vacancy_rent"):
            k = CATEGORIES.index(name)
            cost[:, k, 0] = self.booked[:, k]
        self.accrued[week] = acc
        self.booked[:] = 0.0

    def start_week(self, now: float) -> None:
        """A new week (now - 1, now] begins: it accrues at the current rates unless changed."""
        self.now = now
        self.acc = [row[:] for row in self.rate]
