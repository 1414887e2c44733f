"""What limits the result: which constraint binds, per scenario, read off the run's KPIs.

Each constraint is one row of :data:`RULES`: a KPI (or a KPI per another KPI) and the
threshold above which the report says the constraint binds. The rules look only at the
numbers a run produced, never at a policy's name, so a scenario is judged by what happened
in it. A KPI a run does not have (an older hfsim) leaves its rule out; the report says so.

The thresholds are the report's, not the model's (they change no result), and are an
``assumption``: the level at which an analyst would call the constraint material.

* Lapsed offers, by reason (shares of all dwellings offered to the homelessness unit):
  5 %, about one in twenty dwellings the municipality could have used goes back unused.
* The support waiting list and the readiness queue (citizens who may move in and wait for a
  dwelling), per homeless citizen: 5 % and 10 %. The queue's threshold is higher because
  some wait is unavoidable: an offer takes weeks to match.
* Shelter requests turned away for want of a free bed, per shelter user a year: 10 %.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Rule:
    """A constraint and when it binds.

    Args:
        constraint: Name of the constraint (its texts are ``limit_<constraint>``).
        kpi: The KPI that measures it.
        per: Divide ``kpi`` by this KPI before comparing (None: ``kpi`` is a share already).
        threshold: The constraint binds when the (divided) value is at least this.
        levers: Numeric config keys that relax it (for the ``hfsim sensitivity`` command).
    """

    constraint: str
    kpi: str
    per: str | None
    threshold: float
    levers: tuple[str, ...] = ()

    @property
    def needs(self) -> tuple[str, ...]:
        """The KPIs the rule reads."""
        return (self.kpi,) if self.per is None else (self.kpi, self.per)


SUPPORT_LEVERS = ("support.icm.staff", "support.act.staff")
RULES: tuple[Rule, ...] = (
    Rule("no_support", "lapsed_no_support_share", None, 0.05, SUPPORT_LEVERS),
    Rule("unaffordable", "lapsed_unaffordable_share", None, 0.05, ("allocation.max_rent_burden",)),
    Rule("no_eligible", "lapsed_no_eligible_share", None, 0.05),
    Rule("declined", "lapsed_declined_share", None, 0.05, ("allocation.decline_prob",)),
    Rule("support_waitlist", "support_waitlist_mean", "homeless_mean", 0.05, SUPPORT_LEVERS),
    Rule(
        "dwellings",
        "ready_waiting_mean",
        "homeless_mean",
        0.10,
        ("housing.anvisning_share", "housing.cheap_units"),
    ),  # fmt: skip
    Rule(
        "shelter_beds",
        "turned_away_per_year",
        "shelter_users_per_year",
        0.10,
        ("shelter.capacity",),
    ),  # fmt: skip
)
# Levers in the sensitivity command when no constraint binds: supply, support, shelter
DEFAULT_LEVERS = ("housing.anvisning_share", "support.icm.staff", "shelter.capacity")


@dataclass(frozen=True)
class Reading:
    """One rule applied to one scenario's mean KPIs.

    Args:
        rule: The rule.
        value: Mean of the rule's KPI over replications.
        ratio: ``value`` divided by the mean of ``rule.per`` (``value`` when there is none);
            NaN when the divisor is zero.
    """

    rule: Rule
    value: float
    ratio: float

    @property
    def severity(self) -> float:
        """The ratio in units of the threshold: 1 or more means the constraint binds."""
        return self.ratio / self.rule.threshold if math.isfinite(self.ratio) else 0.0

    @property
    def binds(self) -> bool:
        return self.severity >= 1.0


def means(kpis: pd.DataFrame, scenario: str) -> dict[str, float]:
    """Mean of every numeric KPI column of one scenario over its replications."""
    rows = kpis[kpis.scenario == scenario].select_dtypes("number")
    return {k: float(v) for k, v in rows.mean(skipna=True).items()}


def readings(values: Mapping[str, float], rules: Sequence[Rule] = RULES) -> list[Reading]:
    """Apply every rule whose KPIs the run has; the binding ones first, most severe first.

    Args:
        values: KPI -> mean over replications (from :func:`means`).
        rules: The rules.
    """
    out = []
    for rule in rules:
        if not all(k in values and math.isfinite(values[k]) for k in rule.needs):
            continue
        value = values[rule.kpi]
        ratio = value
        if rule.per is not None:
            ratio = value / values[rule.per] if values[rule.per] > 0 else math.nan
        out.append(Reading(rule, value, ratio))
    return sorted(out, key=lambda r: -r.severity)


def missing(values: Mapping[str, float], rules: Sequence[Rule] = RULES) -> list[Rule]:
    """The rules a run cannot be judged on (a KPI it does not have)."""
    return [r for r in rules if not all(k in values for k in r.needs)]


def explain(loser: Sequence[Reading], winner: Sequence[Reading]) -> tuple[Reading, Reading] | None:
    """The constraint that binds in the losing scenario and binds hardest relative to the other.

    Args:
        loser: Readings of the scenario with the worse outcome.
        winner: Readings of the scenario it is compared with.

    Returns:
        (the loser's reading, the winner's reading of the same rule), or None when no
        constraint binds in the loser more than in the winner.
    """
    other = {r.rule.constraint: r for r in winner}
    best, gap = None, 0.0
    for reading in loser:
        match = other.get(reading.rule.constraint)
        if match is None or not reading.binds:
            continue
        if reading.severity - match.severity > gap:
            best, gap = (reading, match), reading.severity - match.severity
    return best


def levers(found: Sequence[Sequence[Reading]], limit: int = 4) -> list[str]:
    """Config keys that relax the binding constraints, most severe first (default levers
    when nothing binds).

    Args:
        found: Readings of each scenario.
        limit: At most this many levers.
    """
    binding = sorted((r for rs in found for r in rs if r.binds), key=lambda r: -r.severity)
    keys = list(dict.fromkeys(k for r in binding for k in r.rule.levers))
    return (keys or list(DEFAULT_LEVERS))[:limit]
