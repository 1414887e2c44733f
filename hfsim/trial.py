"""A randomised trial inside the model: ``hfsim compare experiment=trial``.

At one date after the warm-up (``trial.start_weeks``) a cohort of homeless citizens with high
needs and a second with moderate needs are drawn and randomised 1:1, each from the ``trial``
random stream (so the draw is reproducible and no other stream moves):

* **Housing First**: the citizen's track becomes ``"hf"``; the trial houses them at its next
  weekly round in a dwelling of its own pool of rent-supplemented units (the tenant pays what
  they can pay; ``trial.pool_share`` dwellings per participant), with ACT for high needs and
  ICM for moderate needs; the trial adds the support slot to the team and takes it back when
  the case ends. A participant whose tenancy breaks down is rehoused from the pool. The trial
  does not use the municipality's offers: while in the trial, a participant is not on the
  municipality's list, so with no pool the arm gets no dwelling from anyone but themselves.
* **Usual services**: nothing changes; the municipality's policy does for them what it does
  for everyone (under the staircase: shelter, treatment, a transitional step, a dwelling
  once housing ready).

Each participant is followed 104 weeks (24 months) from randomisation. An *own dwelling* is
a tenancy in the model (the pool's or the municipality's) or housing the citizen found
outside the model (an own solution, moving on from a tenancy), which is assumed kept to the
end of the follow-up. Leaving the system (death, an institution, moving away) ends the
follow-up (lost to follow-up, as in a trial). Per arm and needs group:

* ``stably_housed_6m`` / ``12m`` / ``24m``: share of those still followed at 6, 12, 24 months
  (26, 52, 104 weeks) who are in an own dwelling then and were for the whole of the
  preceding 90 days (the definition of the At Home/Chez Soi trial, Aubry et al. 2015; used
  as a definition only: nothing here is fitted to a trial's results);
* ``days_housed_share_24m``: mean over participants of the share of their followed days in
  an own dwelling;
* ``days_to_housing_median``: Kaplan–Meier median days from randomisation to an own dwelling,
  censored at leaving the system and at 24 months (NaN if not reached).

``trial.csv`` holds the mean over replications with a 95 % t-interval
(:func:`hfsim.results.t_interval`); ``trial_replications.csv`` each replication's value and
the number of participants behind it, and how the arm was housed: ``via_tenancy_24m`` (a
dwelling in the model within 24 months) and ``via_own_solution_24m`` (else an own solution).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hfsim.agents.citizen import HOMELESS, Citizen, State
from hfsim.agents.support import FITTING_METHOD
from hfsim.allocation import misfit
from hfsim.config import Config, ConfigError
from hfsim.housing import Unit
from hfsim.policies import Policy
from hfsim.survival import median_time

if TYPE_CHECKING:
    from hfsim.compare import ComparisonResult, Plan
    from hfsim.model import HousingModel
    from hfsim.runner import RunResult

log = logging.getLogger("hfsim")

FOLLOW_UP_WEEKS = 104
STABLE_DAYS = 90.0  # in an own dwelling for the preceding 90 days (At Home/Chez Soi)
ARMS = ("housing_first", "usual")
NEEDS_GROUPS = (("high", 2), ("moderate", 1))
METRICS = (
    "stably_housed_6m", "stably_housed_12m", "stably_housed_24m", "days_housed_share_24m",
    "days_to_housing_median",
)  # fmt: skip
STABLE_AT_WEEKS = {"stably_housed_6m": 26, "stably_housed_12m": 52, "stably_housed_24m": 104}
# how the arm was housed (trial_replications.csv and summary.json only): a dwelling in the
# model within 24 months, or else an own solution within 24 months
ROUTES = ("via_tenancy_24m", "via_own_solution_24m")
COLUMNS = ("arm", "needs", "metric", "value", "ci_low", "ci_high")
HOUSED_EXITS = ("own_solution", "moved_on")


@dataclass
class Participant:
    """One randomised citizen: their arm, needs group and date of randomisation (weeks)."""

    citizen: Citizen
    arm: str
    needs: str
    start: float


class TrialPolicy(Policy):
    """The municipality's policy, except for the Housing First arm, whom the trial houses.

    Args:
        base: The municipality's own policy (it answers for everyone else).
        trial: The trial.
    """

    def __init__(self, base: Policy, trial: Trial) -> None:
        super().__init__(base.cfg)
        self.base = base
        self.trial = trial
        self.name = base.name

    def __getattr__(self, name: str) -> Any:  # anything else a policy answers
        return getattr(self.base, name)

    def track(self, citizen: Citizen) -> str:
        return self.base.track(citizen)

    def eligible(self, citizen: Citizen) -> bool:
        # the trial houses its Housing First arm from its own pool, not from the offers
        return False if self.trial.houses(citizen) else self.base.eligible(citizen)

    def support_method(self, citizen: Citizen) -> str | None:
        if self.trial.houses(citizen):
            return FITTING_METHOD[citizen.needs]  # ACT for high needs, ICM for moderate
        return self.base.support_method(citizen)


class Trial:
    """The trial in one run: its cohort, its dwellings and the support slots it adds.

    Args:
        model: The model, before it runs.
    """

    def __init__(self, model: HousingModel) -> None:
        check(model.cfg)
        self.model = model
        self.cfg = model.cfg.trial
        self.version = 0  # events are filed against it; it never lapses
        self.start = float(model.warmup_weeks + self.cfg.start_weeks)
        self.participants: list[Participant] = []
        self._hf: set[int] = set()
        self.pool_size = 0
        self.pool_tenancies: list = []
        self.slots: dict[tuple[int, str], int] = {}  # (municipality, method) -> slots added
        model.policy = TrialPolicy(model.policy, self)
        model.schedule("allocation", self.start, randomise, self)

    def houses(self, citizen: Citizen) -> bool:
        """Whether the citizen is in the Housing First arm (the trial houses them)."""
        return citizen.unique_id in self._hf

    def arm(self, name: str, needs: str) -> list[Participant]:
        return [p for p in self.participants if p.arm == name and p.needs == needs]


def check(cfg: Config) -> None:
    """The follow-up must end within the horizon.

    Raises:
        ConfigError: naming ``trial.start_weeks`` and its largest allowed value.
    """
    latest = cfg.years * 52 - FOLLOW_UP_WEEKS
    if cfg.trial.start_weeks > latest:
        raise ConfigError(
            f"trial.start_weeks={cfg.trial.start_weeks} leaves no room for the "
            f"{FOLLOW_UP_WEEKS}-week follow-up in years={cfg.years}; allowed: 0 to {latest} "
            f"(or more years)"
        )


def randomise(trial: Trial, tau: float) -> None:
    """Draw each needs group's cohort from the homeless and randomise it 1:1."""
    model = trial.model
    rng = model.streams.stream("trial")
    homeless = sorted(
        (c for c in model.agents_by_type.get(Citizen, []) if c.state in HOMELESS),
        key=lambda c: c.unique_id,
    )
    for needs, level in NEEDS_GROUPS:
        pool = [c for c in homeless if c.needs == level]
        n = min(trial.cfg.cohort_per_arm, len(pool) // 2)
        if n < trial.cfg.cohort_per_arm:
            log.warning(
                "trial: %d homeless with %s needs at randomisation: %d per arm, not %d",
                len(pool), needs, n, trial.cfg.cohort_per_arm,
            )  # fmt: skip
        drawn = rng.choice(len(pool), size=2 * n, replace=False)  # in random order
        for k, i in enumerate(drawn):
            citizen = pool[int(i)]
            arm = ARMS[0] if k < n else ARMS[1]
            trial.participants.append(Participant(citizen, arm, needs, tau))
            if arm == ARMS[0]:
                trial._hf.add(citizen.unique_id)
                citizen.track = "hf"
                model.update_eligibility(citizen)
    trial.pool_size = round(trial.cfg.pool_share * len(trial._hf))
    weekly(trial, tau)


def weekly(trial: Trial, tau: float) -> None:
    """The trial's weekly round: take back the slots of ended cases, house the arm's
    homeless in the pool's free dwellings (in the order they were randomised)."""
    model = trial.model
    _take_back_slots(trial)
    trial.pool_tenancies = [t for t in trial.pool_tenancies if t.how_ended == "ongoing"]
    free = trial.pool_size - len(trial.pool_tenancies)
    for p in trial.participants:
        if free <= 0:
            break
        if p.arm == ARMS[0] and p.citizen.state in HOMELESS:
            _house(trial, p.citizen)
            free -= 1
    model.schedule("allocation", tau + 1.0, weekly, trial)


def _house(trial: Trial, citizen: Citizen) -> None:
    """Move a participant into a pool dwelling, with a support slot the trial provides."""
    from hfsim.processes.market import _neighbourhood
    from hfsim.processes.tenancies import move_in

    model = trial.model
    muni = model.municipalities[citizen.municipality]
    # scattered-site: a small dwelling outside the vulnerable areas, at the rent the tenant
    # can pay (the trial's supplement pays the rest and is not in the municipality's books)
    area = _neighbourhood(muni, False, float(model.streams.stream("trial").random()))
    unit = Unit(
        model.new_unit_id(), muni.index, "social", citizen.affordable_rent_dkk, True, area,
        False, -1, model.now,
    )  # fmt: skip
    method = FITTING_METHOD[citizen.needs]
    muni.teams[method].capacity += 1
    key = (muni.index, method)
    trial.slots[key] = trial.slots.get(key, 0) + 1
    move_in(model, muni, unit, citizen, misfit(citizen, unit))
    trial.pool_tenancies.append(citizen.tenancy)


def _take_back_slots(trial: Trial) -> None:
    """A slot the trial added goes when its participant's case has ended (once it is free)."""
    model = trial.model
    for (m, method), added in trial.slots.items():
        team = model.municipalities[m].teams[method]
        active = sum(
            1
            for p in trial.participants
            if p.citizen.unique_id in team.cases and trial.houses(p.citizen)
        )
        back = min(added - active, team.free)
        if back > 0:
            team.capacity -= back
            trial.slots[(m, method)] = added - back


# -- outcomes ----------------------------------------------------------------------------
def _follow_up(p: Participant, end_of_run: float) -> tuple[list[tuple[float, float]], float]:
    """The participant's spells in an own dwelling within the follow-up, merged, and the end
    of their follow-up (leaving the system ends it early), in weeks."""
    c = p.citizen
    t1 = p.start + FOLLOW_UP_WEEKS
    intervals = [(t.start, t.end if t.how_ended != "ongoing" else end_of_run) for t in c.tenancies]
    observed_until = t1
    if c.state == State.EXITED:
        last = c.tenancies[-1] if c.tenancies else None
        if last is not None and last.how_ended in ("moved_on", "left_system"):
            how, when = last.how_ended, last.end
        else:
            _, when, how = c.spell_history[-1]
        if how in HOUSED_EXITS:
            intervals.append((when, t1))  # housing outside the model, assumed kept
        else:
            observed_until = min(observed_until, when)
    clipped = sorted(
        (max(s, p.start), min(e, observed_until))
        for s, e in intervals
        if e > p.start and s < observed_until
    )
    merged: list[tuple[float, float]] = []
    for s, e in clipped:
        if merged and s <= merged[-1][1] + 1e-9:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged, observed_until


def outcomes(trial: Trial) -> list[dict[str, Any]]:
    """Each arm's and needs group's metrics in this run: rows ``arm, needs, metric, value, n``."""
    end_of_run = float(trial.model.total_weeks)
    rows = []
    for needs, _ in NEEDS_GROUPS:
        for arm in ARMS:
            group = trial.arm(arm, needs)
            follow = [(p, *_follow_up(p, end_of_run)) for p in group]
            values = {
                name: _stably_housed(follow, weeks) for name, weeks in STABLE_AT_WEEKS.items()
            }
            values["days_housed_share_24m"] = _housed_share(follow)
            values["days_to_housing_median"] = _median_days_to_housing(follow)
            values.update(_routes(group))
            rows += [
                {"arm": arm, "needs": needs, "metric": m, "value": values[m], "n": len(group)}
                for m in (*METRICS, *ROUTES)
            ]
    return rows


def _routes(group: list[Participant]) -> dict[str, float]:
    """Shares of the group housed in the model within 24 months, and of the others who found
    an own solution within 24 months."""
    tenancy = own = 0
    for p in group:
        t1 = p.start + FOLLOW_UP_WEEKS
        if any(p.start <= t.start <= t1 for t in p.citizen.tenancies):
            tenancy += 1
        elif any(
            how == "own_solution" and p.start < end <= t1 for _, end, how in p.citizen.spell_history
        ):
            own += 1
    n = len(group)
    return {
        ROUTES[0]: tenancy / n if n else float("nan"),
        ROUTES[1]: own / n if n else float("nan"),
    }


def _stably_housed(follow: list, weeks: int) -> float:
    """Share of those followed to ``weeks`` who were in an own dwelling for the 90 days
    before it."""
    at_risk = stable = 0
    for p, housed, until in follow:
        at = p.start + weeks
        if until < at:
            continue  # left the system before: lost to follow-up
        at_risk += 1
        window = at - STABLE_DAYS / 7.0
        stable += any(s <= window + 1e-9 and e >= at - 1e-9 for s, e in housed)
    return stable / at_risk if at_risk else float("nan")


def _housed_share(follow: list) -> float:
    shares = [
        sum(e - s for s, e in housed) / (until - p.start)
        for p, housed, until in follow
        if until > p.start
    ]
    return float(np.mean(shares)) if shares else float("nan")


def _median_days_to_housing(follow: list) -> float:
    durations, events = [], []
    for p, housed, until in follow:
        if housed:
            durations.append((housed[0][0] - p.start) * 7.0)
            events.append(True)
        else:
            durations.append((until - p.start) * 7.0)
            events.append(False)
    return median_time(np.array(durations), np.array(events, dtype=bool))


# -- running ----------------------------------------------------------------------------
def run_trial_replication(cfg: Config, replication: int) -> tuple[RunResult, list[dict]]:
    """One replication: the model with the trial in it, its tables and the trial's rows."""
    from hfsim.model import HousingModel
    from hfsim.results import compute_kpis, tenancy_table, timeseries_table
    from hfsim.rng import replication_seed
    from hfsim.runner import RunResult

    seed = replication_seed(cfg.seed, replication)
    model = HousingModel(cfg, seed=seed)
    trial = Trial(model)
    model.run()
    result = RunResult(
        replication, seed, compute_kpis(model), timeseries_table(model), tenancy_table(model),
        model.events_processed,
    )  # fmt: skip
    rows = [{**row, "replication": replication, "seed": seed} for row in outcomes(trial)]
    return result, rows


def _worker(args: tuple[Config, int]) -> tuple[RunResult, list[dict]]:
    return run_trial_replication(*args)


def summarise_trial(rows: pd.DataFrame) -> pd.DataFrame:
    """``trial.csv``: mean and 95 % t-interval over replications per arm, needs and metric."""
    from hfsim.results import t_interval

    out = []
    for needs, _ in NEEDS_GROUPS:
        for arm in ARMS:
            for metric in METRICS:
                sel = rows[(rows.arm == arm) & (rows.needs == needs) & (rows.metric == metric)]
                value, low, high = t_interval(sel["value"].to_numpy(dtype=float))
                out.append(dict(zip(COLUMNS, (arm, needs, metric, value, low, high), strict=True)))
    return pd.DataFrame(out, columns=list(COLUMNS))


def run_trial(plan: Plan, outdir: Path, progress: bool = True) -> ComparisonResult:
    """Run the trial's replications and write ``trial.csv`` and the run's own tables.

    Args:
        plan: From :func:`hfsim.compare.plan_comparison`; its one scenario is the world the
            trial runs in.
        outdir: Output directory.
        progress: Show a progress bar.
    """
    from hfsim import __version__
    from hfsim.compare import ComparisonResult, _config_yaml, _json_safe
    from hfsim.outputs import make_dir, write_text
    from hfsim.runner import default_workers, kpi_frame, make_pool, tqdm_progress, write_outputs

    if len(plan.configs) != 1:
        raise ConfigError(
            f"experiment.scenarios: a trial runs in one world; got {', '.join(plan.configs)}"
        )
    ((name, cfg),) = plan.configs.items()
    check(cfg)
    outdir = make_dir(Path(outdir))
    jobs = [(cfg, r) for r in range(cfg.replications)]
    workers = min(default_workers(cfg.output.workers), len(jobs))
    wrap = tqdm_progress(f"trial ({name})") if progress else (lambda it, total: it)
    if workers <= 1:
        done = list(wrap(map(_worker, jobs), len(jobs)))
    else:
        with make_pool(workers) as pool:
            done = list(wrap(pool.map(_worker, jobs), len(jobs)))
    results = [result for result, _ in done]
    write_outputs(outdir / name, cfg, results, figures=False)
    per_run = pd.DataFrame([row for _, rows in done for row in rows])
    table = summarise_trial(per_run)
    write_text(outdir / "trial.csv", table.to_csv(index=False))
    write_text(outdir / "trial_replications.csv", per_run.to_csv(index=False))
    kpis = kpi_frame(results, name)
    write_text(outdir / "kpis.csv", kpis.to_csv(index=False))
    write_text(outdir / "config.yaml", _config_yaml(plan))
    sizes = per_run.drop_duplicates(["replication", "arm", "needs"])
    summary = {
        "version": __version__,
        "command": "compare",
        "experiment": plan.base.experiment.name,
        "question": plan.base.experiment.question,
        "seed": cfg.seed,
        "replications": cfg.replications,
        "policy": cfg.policy.name,
        "municipality": cfg.municipality.name,
        "participants_mean": {
            f"{arm}/{needs}": float(g["n"].mean())
            for (arm, needs), g in sizes.groupby(["arm", "needs"])
        },
        "trial": json.loads(table.to_json(orient="records")),  # NaN -> null
        "routes": {
            f"{arm}/{needs}/{metric}": float(g["value"].mean())
            for (arm, needs, metric), g in per_run[per_run.metric.isin(ROUTES)].groupby(
                ["arm", "needs", "metric"]
            )
        },
    }
    write_text(outdir / "summary.json", json.dumps(_json_safe(summary), indent=2))
    return ComparisonResult(outdir, plan, kpis, pd.DataFrame(), None, trial=table)


def print_trial(result: ComparisonResult) -> None:
    """The trial table on stdout."""
    table = result.trial
    cfg = next(iter(result.plan.configs.values()))
    print(
        f"hfsim compare: trial · {cfg.municipality.name} · base policy {cfg.policy.name} · "
        f"{cfg.replications} replications"
    )
    for _, r in table.iterrows():
        print(
            f"  {r['needs']:9s} {r['arm']:14s} {r['metric']:24s} {r['value']:9.3f}  "
            f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]"
        )
    print(f"hfsim: trial.csv in {result.outdir}")
