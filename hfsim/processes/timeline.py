"""Timeline: dated decisions (levers and inputs) applied at the start of the week they fall in.

A run has a calendar: the horizon starts on 1 January of ``start_year``, so time ``t`` (weeks
since the start of the warm-up) is the year ``start_year + (t - warmup_weeks) / 52``, and the
warm-up covers the ``warmup_years`` before ``start_year``. ``timeline`` lists dated changes,
``[{at: 2027, set: {shelter.capacity: 40}}, {at: 2026.25, set: {regime.name: reform_2026}}]``;
an entry at year ``at`` falls in the week ``floor(warmup_weeks + (at - start_year) * 52) + 1``
and is applied by the first process of that week's step, before the inflow, so the whole week
runs under the new value. Entries of the same week apply in the order written. An entry with
``over: YEARS`` (``{at: 2025, over: 5, set: {citizens.inflow_per_year: 800}}``: a trend) moves
each numeric value in a straight line from the value in force at ``at`` to the new one, one
step a week over ``round(YEARS * 52)`` weeks (whole numbers rounded).

What a change does (nothing else in the run changes, and no random number is drawn, so a run
with a timeline is the run without it up to the first change: common random numbers):

* ``shelter.capacity``, ``shelter.transitional_capacity``: the places from that week. A cut
  evicts nobody: no one is admitted while the occupants exceed the new number, so the excess
  drains as stays end. New places go at once to those waiting for a bed (or a step).
* ``support.<method>.staff``: with ``support.staffing=fixed``, the team's capacity (staff ×
  caseload) from that week; a cut ends no case (the team takes nobody new until it is under
  capacity), new slots go at once to the team's waiting list. With ``demand`` (the default)
  the team follows its caseload and the staff caps nothing.
* ``housing.cheap_units``: the programme's total from that week. The programme's stock is the
  total × the progress of its schedule (``housing.cheap_start_year`` over
  ``housing.cheap_years``), so once the schedule is complete the new total holds at once; a
  cut lowers the stock (re-priced dwellings return to ordinary rents) but lets no tenancy end.
* ``housing.anvisning_share``: the share of social vacancies claimed from that week.
* ``citizens.inflow_per_year``: the weekly inflow from that week (with ``over``, a trend).
* ``policy.hf_support_share``: under ``policy=status_quo``, the share of new spells put on the
  Housing First track from that week (a spell's track is drawn when it starts, so spells
  already running keep theirs); other policies do not read it.
* ``regime.name``: the named regime's reimbursement rules (``configs/regime/<name>.yaml``)
  from that week; refund periods already running keep the window they were given.

In a multi-municipality preset a value is a national (or regional) total and is spread over
the municipalities by the preset's shares, by the same rule as at build time
(:func:`hfsim.municipalities.spread`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from hfsim.config.schema import Config, RegimeConfig
from hfsim.municipalities import config_value, spread

if TYPE_CHECKING:
    from hfsim.model import HousingModel

WEEKS_PER_YEAR = 52
STAFF_KEYS = tuple(f"support.{m}.staff" for m in ("cti", "icm", "act"))
SETTABLE = (
    "shelter.capacity",
    "shelter.transitional_capacity",
    "housing.cheap_units",
    "housing.anvisning_share",
    *STAFF_KEYS,
    "citizens.inflow_per_year",
    "policy.hf_support_share",
    "regime.name",
)


# -- the calendar ----------------------------------------------------------------------------
def year_of(cfg: Config, weeks: float) -> float:
    """The calendar year at ``weeks`` weeks after the start of the warm-up."""
    return cfg.start_year + (weeks - cfg.warmup_years * WEEKS_PER_YEAR) / WEEKS_PER_YEAR


def week_of(cfg: Config, at: float) -> int:
    """The step (1-based week) at whose start an entry dated ``at`` is applied."""
    weeks = cfg.warmup_years * WEEKS_PER_YEAR + (at - cfg.start_year) * WEEKS_PER_YEAR
    return max(math.floor(weeks + 1e-9) + 1, 1)


def calendar(cfg: Config) -> tuple[int, int]:
    """The run's first year (start of the warm-up) and the year it ends (exclusive)."""
    return cfg.start_year - cfg.warmup_years, cfg.start_year + cfg.years


# -- validation ------------------------------------------------------------------------------
def check_timeline(cfg: Config) -> None:
    """Check every entry: its form, its date within the calendar, and each key and value as
    any config value is checked.

    Raises:
        ConfigError: naming ``timeline[i].at`` or ``timeline[i].set.<key>``.
    """
    from hfsim.config.load import ConfigError, check_value

    first, end = calendar(cfg)
    for i, entry in enumerate(cfg.timeline):
        where = f"timeline[{i}]"
        if not isinstance(entry, Mapping) or not {"at", "set"} <= set(entry) <= {
            "at",
            "set",
            "over",
        }:
            raise ConfigError(
                f"{where} must be {{at: YEAR, set: {{key: value, ...}}}}; got {entry!r}"
            )
        at = entry["at"]
        if isinstance(at, bool) or not isinstance(at, int | float) or not first <= at < end:
            raise ConfigError(
                f"{where}.at={at!r} is outside the run's calendar; must be a year from {first} "
                f"(start_year - warmup_years) to before {end} (start_year + years)"
            )
        changes = entry["set"]
        if not isinstance(changes, Mapping) or not changes:
            raise ConfigError(f"{where}.set must map keys to values; got {changes!r}")
        over = entry.get("over", 0)
        if isinstance(over, bool) or not isinstance(over, int | float) or not 0 <= over <= end - at:
            raise ConfigError(
                f"{where}.over={over!r} is not allowed; must be years from 0 to {end - at:g} "
                f"(the rest of the run)"
            )
        if over and "regime.name" in changes:
            raise ConfigError(f"{where}.set.regime.name cannot change gradually (over)")
        for key, value in changes.items():
            name = f"{where}.set.{key}"
            check_value(str(key), value, name)
            if key not in SETTABLE:
                raise ConfigError(
                    f"{name} cannot be changed by a timeline; settable: {', '.join(SETTABLE)}"
                )


# -- the process -------------------------------------------------------------------------------
def timeline_step(model: HousingModel) -> None:
    """Apply the timeline's changes dated in this week (first process of the step)."""
    if not model.cfg.timeline:
        return
    plan = model.__dict__.get("_timeline_plan")
    if plan is None:
        plan = model._timeline_plan = _plan(model.cfg)
    now = int(model.now)
    for key, value, weeks in plan.pop(now, ()):
        if weeks > 1:  # a trend: this week's step now, the others filed for the weeks to come
            start = config_value(model.cfg, key)
            for k in range(weeks, 0, -1):
                step = start + (value - start) * k / weeks
                step = round(step) if isinstance(start, int) else step
                if k > 1:
                    plan[now + k - 1].insert(0, (key, step, 0))
                else:
                    apply(model, key, step)
        else:
            apply(model, key, value)


def _plan(cfg: Config) -> dict[int, list[tuple[str, Any, int]]]:
    """Week -> the changes due then: (key, value, weeks of a trend; 0 for a change at once)."""
    plan: dict[int, list[tuple[str, Any, int]]] = defaultdict(list)
    for entry in cfg.timeline:
        weeks = round(entry.get("over", 0) * WEEKS_PER_YEAR)
        plan[week_of(cfg, entry["at"])].extend((k, v, weeks) for k, v in entry["set"].items())
    return plan


def apply(model: HousingModel, key: str, value: Any) -> None:
    """Set ``key`` to ``value`` in the running model (see the module docstring)."""
    model.cfg = _replaced(model.cfg, key, value)
    if key == "regime.name":
        rules = regime_rules(str(value))
        model.cfg = dataclasses.replace(model.cfg, regime=rules)
        model.ledger.regime = rules
        model.ledger.refund_days = float(rules.shelter_refund_days)
        return
    if key.startswith("policy."):
        _set_policy(model)
        return
    model.vacancies.cfg = model.cfg.housing
    if key == "housing.anvisning_share":
        return
    parts = spread(model.cfg, key, value)
    if key == "citizens.inflow_per_year":
        model.inflow_per_week = np.asarray(parts, dtype=float) / WEEKS_PER_YEAR
    elif key == "housing.cheap_units":
        _set_programme(model, parts)
    else:
        for muni, n in zip(model.municipalities, parts, strict=True):
            if key == "shelter.capacity":
                _set_beds(model, muni, int(n))
            elif key == "shelter.transitional_capacity":
                _set_steps(model, muni, int(n))
            else:
                _set_staff(model, muni, key.split(".")[1], int(n))


def _replaced(cfg: Any, key: str, value: Any) -> Any:
    """A copy of ``cfg`` with the dotted ``key`` set (the shared config is never changed)."""
    head, _, rest = key.partition(".")
    if not rest:
        return dataclasses.replace(cfg, **{head: value})
    return dataclasses.replace(cfg, **{head: _replaced(getattr(cfg, head), rest, value)})


@functools.lru_cache(maxsize=8)
def regime_rules(name: str) -> RegimeConfig:
    """The reimbursement rules of a named regime (its config file)."""
    from hfsim.config.load import load_config

    return load_config({"regime": name}).regime


def allowed(obj: Any, attr: str, capacity: int) -> int:
    """The most occupants the invariants allow: the capacity, or after a cut the occupancy at
    the cut (nobody is evicted; the excess drains)."""
    return max(capacity, obj.__dict__.get(f"_cut_{attr}", 0))


def _mark_cut(obj: Any, attr: str, occupants: int, capacity: int) -> None:
    if occupants > capacity:
        setattr(obj, f"_cut_{attr}", occupants)


def _set_policy(model: HousingModel) -> None:
    policy = model.policy
    while policy is not None:  # a wrapping policy (the trial's) and the one it wraps
        policy.cfg = model.cfg.policy
        policy = policy.__dict__.get("base")


def _set_beds(model: HousingModel, muni: Any, n: int) -> None:
    from hfsim.processes.homelessness import _admit_from_queue

    occupants = muni.shelter_occupants  # the region counts free beds only (none below zero)
    change = max(n - occupants, 0) - max(muni.shelter_capacity - occupants, 0)
    model.region_free_beds[muni.spec.region] += change
    muni.shelter_capacity = n
    _mark_cut(muni, "shelter", muni.shelter_occupants, n)
    while muni.free_beds > 0 and model.region_queued[muni.spec.region] > 0:
        before = muni.shelter_occupants
        _admit_from_queue(model, muni, model.now)  # a new place goes to the first waiting
        if muni.shelter_occupants == before:
            break


def _set_steps(model: HousingModel, muni: Any, n: int) -> None:
    from hfsim.processes.homelessness import fill_transitional

    muni.transitional_capacity = n
    _mark_cut(muni, "transitional", muni.transitional_occupants, n)
    fill_transitional(model, muni, model.now)


def _set_staff(model: HousingModel, muni: Any, method: str, staff: int) -> None:
    from hfsim.processes.support import fill_from_waitlist

    team = muni.teams[method]
    team.staff = staff
    if not math.isfinite(team.capacity):
        return  # support.staffing=demand: the team follows its caseload, staff caps nothing
    team.capacity = staff * team.cfg.caseload
    _mark_cut(team, "cases", len(team.cases), team.capacity)
    muni.dirty = True  # support slots changed: worth an allocation round
    fill_from_waitlist(model, team, model.now)


def _set_programme(model: HousingModel, parts: np.ndarray) -> None:
    draws = model.vacancies
    draws.cheap_units = np.asarray(parts, dtype=float)
    for association, n in zip(model.associations, parts, strict=True):
        association.cheap_units = int(n)
    # dwellings delivered are not taken back: a cut only lowers what is still to come
    _, new = draws.programme_stock((model.now - model.warmup_weeks) / WEEKS_PER_YEAR)
    draws.new_delivered = np.minimum(draws.new_delivered, new)
