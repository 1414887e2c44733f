"""The Danish targets and the model quantities they are compared with.

``hfsim/data/targets_dk.csv`` holds one row per target: the observed figure, the acceptable
range, its year, source and evidence tag (see ``hfsim/data/README.md``). This module

* loads and checks that table (:func:`load_targets`) and picks the rows that apply to a
  config (:func:`select_targets`: the preset's scope, the policy);
* runs a model while observing what the KPIs do not record (:class:`Observer`): a count
  snapshot in week 6 of every year after the warm-up (the week of the national count), and
  the citizen behind every shelter stay;
* computes every target quantity of one finished run (:func:`target_quantities`), keyed by
  the table's ``kpi`` column, and runs replications of that (:func:`run_observed`).

Quantities the model cannot produce are listed in :data:`UNAVAILABLE` with the reason; the
validation table shows them as not computed rather than dropping them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hfsim.agents.citizen import HOMELESS, Citizen, State
from hfsim.config import Config, ConfigError
from hfsim.municipalities import DATA_DIR
from hfsim.results import BREAKDOWN_CAUSES, compute_kpis, kaplan_meier, t_interval
from hfsim.rng import replication_seed
from hfsim.runner import make_pool
from hfsim.survival import event_within

if TYPE_CHECKING:
    from hfsim.housing import Tenancy
    from hfsim.model import HousingModel

TARGETS_PATH = DATA_DIR / "targets_dk.csv"
COLUMNS = (
    "target", "kpi", "scope", "observed", "lower", "upper", "year", "source", "tag", "note",
    "policies",
)  # fmt: skip
SCOPES = ("national", "municipal", "aarhus", "copenhagen", "odense")
TAGS = ("C", "S", "D", "U")
POLICIES = ("housing_first", "shelter_first", "mixed", "status_quo")

WEEKS_PER_YEAR = 52
DAYS_PER_WEEK = 7.0
COUNT_WEEK = 6  # the national count is taken in week 6 of the year
LONGTERM_NIGHTS = 180  # a long-term shelter user: at least this many nights in a year
OFFER_WINDOW_WEEKS = 91 / DAYS_PER_WEEK  # the Odense guarantee: an offer within 3 months
WAIT_5M_WEEKS = 150 / DAYS_PER_WEEK
WAIT_12M_WEEKS = 365 / DAYS_PER_WEEK
LATER_LOSS_WEEKS = 52.0  # hf_later_loss_share: breakdowns within 12 months after support

# Municipality codes of the geography targets (denmark preset); the capital area is DST's
# landsdele Byen København and Københavns omegn (see hfsim/data/README.md).
GEOGRAPHY_CODES: dict[str, tuple[int, ...]] = {
    "homeless_share_copenhagen": (101,),
    "homeless_share_aarhus": (751,),
    "homeless_share_odense": (461,),
    "homeless_share_capital_area": (
        101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169, 173, 175, 183, 185, 187,
    ),
}  # fmt: skip

UNAVAILABLE: dict[str, str] = {
    "age_18_24_share_of_homeless": (
        "the model's age groups are 18-29, 30-59 and 60+; it cannot form the 18-24 band"
    ),
    "age_25_29_share_of_homeless": (
        "the model's age groups are 18-29, 30-59 and 60+; it cannot form the 25-29 band"
    ),
    "shelter_users_male_share": "the model's citizens have no sex attribute",
    "nominations_to_homeless_share": (
        "an input (housing.homeless_share_of_nominations): no other group competes for "
        "nominated dwellings in the model, so the realised share is the input"
    ),
}


class TargetsError(ConfigError):
    """The targets table is malformed (a missing column, source or inconsistent range)."""


# ---------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------
def load_targets(path: Path | str | None = None) -> pd.DataFrame:
    """Load and check the targets table.

    Args:
        path: A CSV with the columns of :data:`COLUMNS` (default: the shipped table).

    Raises:
        TargetsError: a missing column, a duplicate name, a row without a source, an unknown
            scope, tag or policy, or a range that does not contain the observed value.
    """
    path = Path(path) if path is not None else TARGETS_PATH
    table = pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values={"year": [""]})
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise TargetsError(f"{path.name}: missing columns {', '.join(missing)}")
    for col in ("observed", "lower", "upper"):
        table[col] = pd.to_numeric(table[col], errors="coerce")
    checks: list[tuple[pd.Series, str]] = [
        (table["target"].duplicated(), "duplicate target name"),
        (table["source"].str.strip() == "", "no source"),
        (~table["scope"].isin(SCOPES), f"scope must be one of {', '.join(SCOPES)}"),
        (~table["tag"].isin(TAGS), f"tag must be one of {', '.join(TAGS)}"),
        (table[["observed", "lower", "upper"]].isna().any(axis=1), "observed/lower/upper"),
        (
            ~((table["lower"] <= table["observed"]) & (table["observed"] <= table["upper"])),
            "lower <= observed <= upper does not hold",
        ),
        (
            ~table["policies"].map(lambda s: set(s.split()) <= set(POLICIES)),
            f"policies must be blank or among {', '.join(POLICIES)}",
        ),
    ]
    for bad, what in checks:
        if bad.any():
            name = table.loc[bad.idxmax(), "target"]
            raise TargetsError(f"{path.name}: target {name!r}: {what}")
    return table


def preset_scopes(cfg: Config) -> set[str]:
    """Scopes of the targets a preset is compared with.

    A multi-municipality preset (``denmark``) takes the national targets; a single
    municipality takes its own (``aarhus``, ``copenhagen``, ``odense``); every preset takes
    the ``municipal`` ones (ratios, shares and durations that hold anywhere).
    """
    if cfg.municipality.table:
        return {"national", "municipal"}
    return {"municipal", cfg.municipality.name}


def select_targets(
    table: pd.DataFrame, cfg: Config, names: Iterable[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The targets that apply to a config, and the in-scope ones its policy rules out.

    Args:
        table: The targets table (:func:`load_targets`).
        cfg: The config (its preset sets the scope, its policy the rows that apply).
        names: Restrict to these target names (empty: all that apply).

    Returns:
        (applicable rows, rows in scope but for another policy, with a ``reason`` column).

    Raises:
        TargetsError: a requested name is not in the table or does not apply.
    """
    names = list(names)
    unknown = sorted(set(names) - set(table["target"]))
    if unknown:
        raise TargetsError(
            f"calibrate.targets: unknown target(s) {', '.join(unknown)}; "
            f"see hfsim/data/targets_dk.csv"
        )
    in_scope = table[table["scope"].isin(preset_scopes(cfg))]
    policy = cfg.policy.name
    fits = in_scope["policies"].map(lambda s: not s or policy in s.split())
    applicable, other = in_scope[fits], in_scope[~fits].copy()
    other["reason"] = other["policies"].map(
        lambda s: f"applies under {' or '.join(s.split())}, not {policy}"
    )
    if names:
        missing = sorted(set(names) - set(applicable["target"]))
        if missing:
            raise TargetsError(
                f"target(s) {', '.join(missing)} do not apply to municipality="
                f"{cfg.municipality.name} policy={policy}"
            )
        applicable = applicable[applicable["target"].isin(names)]
        other = other.iloc[0:0]
    return applicable.reset_index(drop=True), other.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Observing a run
# ---------------------------------------------------------------------------------------
@dataclass
class Observer:
    """Runs a model to its end while recording what its KPIs do not.

    * Snapshots in week :data:`COUNT_WEEK` of every year after the warm-up: for each homeless
      citizen, where they are (a shelter resident counts where the shelter is, as in the
      national count), their state, how long their spell has lasted, their age group,
      whether they are ready to move and for how long (since treatment was done on the
      staircase, since admission for a Housing First client).
    * The shelter stays still running at the end (the recorder logs those that ended).

    Args:
        model: A model that has not run yet.
    """

    model: HousingModel
    snapshots: list[tuple] = field(default_factory=list)
    ongoing: list[tuple[int, float, float]] = field(default_factory=list)  # running at the end

    def snapshot_weeks(self) -> list[int]:
        """Week 6 of every year after the warm-up."""
        m = self.model
        weeks = [m.warmup_weeks + y * WEEKS_PER_YEAR + COUNT_WEEK for y in range(m.cfg.years)]
        return [w for w in weeks if w <= m.total_weeks]

    def run(self) -> HousingModel:
        """Run the model to its end, taking the snapshots on the way."""
        model = self.model
        for week in self.snapshot_weeks():
            if week > model.steps:
                model.run_for(week - model.steps)
            self._snapshot()
        if model.total_weeks > model.steps:
            model.run_for(model.total_weeks - model.steps)
        self.ongoing = [
            (c.unique_id, c.shelter_entry, float(model.total_weeks))
            for c in self._citizens()
            if c.state == State.SHELTER
        ]
        return model

    def _citizens(self) -> list[Citizen]:
        return list(self.model.agents_by_type.get(Citizen, []))

    def _snapshot(self) -> None:
        model = self.model
        now = float(model.steps)
        codes = [m.spec.code for m in model.municipalities]
        for c in self._citizens():
            if c.state not in HOMELESS:
                continue
            in_shelter = c.state == State.SHELTER
            where = c.shelter_host if in_shelter and c.shelter_host >= 0 else c.municipality
            ready = in_shelter and (c.track == "hf" or c.stair_level >= 1)
            waited = now - c.ready_since if ready else math.nan  # ready for how long
            self.snapshots.append(
                (now, codes[where], int(c.state), now - c.spell_start, c.age_group, ready, waited)
            )


SNAPSHOT_COLUMNS = ("week", "code", "state", "spell_weeks", "age_group", "ready", "waited_weeks")


# ---------------------------------------------------------------------------------------
# Target quantities of one run
# ---------------------------------------------------------------------------------------
def _share(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else math.nan


def composition(model: HousingModel) -> dict[str, float]:
    """Shares of the homeless population by state (ratios of horizon means)."""
    counts = model.recorder.counts[model.recorder.horizon()].sum(axis=1).astype(float)
    homeless = counts[:, sorted(int(s) for s in HOMELESS)].sum()
    return {
        f"{name}_share_of_homeless": _share(counts[:, state].sum(), homeless)
        for name, state in (
            ("shelter", State.SHELTER),
            ("rough_sleeping", State.ROUGH_SLEEPING),
            ("sofa_surfing", State.SOFA_SURFING),
            ("transitional", State.TRANSITIONAL),
        )
    }


def snapshot_shares(snap: pd.DataFrame) -> dict[str, float]:
    """Point-in-time shares from the week-6 snapshots (pooled over years)."""
    out = {
        "homeless_over_1y_share": _share((snap["spell_weeks"] > 365 / 7).sum(), len(snap)),
        "youth_share_of_homeless": _share((snap["age_group"] == 0).sum(), len(snap)),
        "age_60plus_share_of_homeless": _share((snap["age_group"] == 2).sum(), len(snap)),
    }
    for key, codes in GEOGRAPHY_CODES.items():
        out[key] = _share(snap["code"].isin(codes).sum(), len(snap))
    shelter = snap[snap["state"] == int(State.SHELTER)]
    ready = shelter[shelter["ready"]]
    out["shelter_ready_to_move_share"] = _share(len(ready), len(shelter))
    out["shelter_wait_over_5m_share"] = _share(
        (ready["waited_weeks"] > WAIT_5M_WEEKS).sum(), len(ready)
    )
    out["shelter_wait_over_12m_share"] = _share(
        (ready["waited_weeks"] > WAIT_12M_WEEKS).sum(), len(ready)
    )
    return out


def shelter_use(model: HousingModel, stays: np.ndarray, ongoing: np.ndarray) -> dict[str, float]:
    """Stays per user, stay-length shares and long-term users, from stays with citizens.

    Args:
        model: The finished model.
        stays: Rows of (citizen, entry week, exit week) of the stays that ended.
        ongoing: The same for the stays still running at the end (exit = end of the run).
    """
    warm, end = model.warmup_weeks, float(model.total_weeks)
    years = model.cfg.years
    out: dict[str, float] = {}
    ended = stays[(stays[:, 2] > warm) & (stays[:, 2] <= end)]
    days = (ended[:, 2] - ended[:, 1]) * DAYS_PER_WEEK
    out["shelter_stay_one_night_share"] = _share((days < 1.5).sum(), len(days))
    out["shelter_stay_over_120_share"] = _share((days > 120).sum(), len(days))
    stays = np.vstack([stays, ongoing])
    starts = warm + WEEKS_PER_YEAR * np.arange(years)
    overlap = np.clip(
        np.minimum(stays[:, 2:3], starts + WEEKS_PER_YEAR) - np.maximum(stays[:, 1:2], starts),
        0.0,
        None,
    )  # stays × years, in weeks
    stays_per_user, longterm_users, longterm_nights = [], [], []
    for y in range(years):
        used = overlap[:, y] > 0
        if not used.any():
            continue
        frame = pd.DataFrame({"citizen": stays[used, 0], "nights": overlap[used, y] * 7.0})
        nights = frame.groupby("citizen")["nights"].sum()
        stays_per_user.append(used.sum() / len(nights))
        longterm = nights >= LONGTERM_NIGHTS
        longterm_users.append(longterm.mean())
        longterm_nights.append(nights[longterm].sum() / nights.sum())
    out["shelter_stays_per_user"] = float(np.mean(stays_per_user)) if stays_per_user else math.nan
    out["longterm_users_share"] = float(np.mean(longterm_users)) if longterm_users else math.nan
    out["longterm_nights_share"] = float(np.mean(longterm_nights)) if longterm_nights else math.nan
    return out


def _durations(tenancies: list[Tenancy], end: float) -> tuple[np.ndarray, np.ndarray]:
    """Follow-up weeks and breakdown flags of tenancies (censored at the end of the run)."""
    durations = np.array(
        [(t.end if t.how_ended != "ongoing" else end) - t.start for t in tenancies]
    )
    events = np.array([t.how_ended in BREAKDOWN_CAUSES for t in tenancies], dtype=int)
    return durations, events


def support_weeks(model: HousingModel, method: str) -> float:
    """Nominal length of a support course: CTI's fixed course; ICM/ACT until tapered off."""
    cfg = model.cfg.support
    if method == "cti":
        return cfg.cti_weeks
    m = getattr(cfg, method)
    return m.taper_after_weeks + m.taper_weeks


def retention_during_support(model: HousingModel, method: str) -> tuple[float, float, int]:
    """Kaplan-Meier retention of one method's Housing First tenancies at the end of support,
    and the share of those still housed then that break down within the following year.

    A support course's end is taken at its nominal length (:func:`support_weeks`).

    Returns:
        (retention at the end of support, later loss, number of tenancies).
    """
    warm, end = model.warmup_weeks, float(model.total_weeks)
    ts = [
        t
        for t in model.tenancy_log
        if t.start > warm and t.support_method == method and t.citizen.track == "hf"
    ]
    if not ts:
        return math.nan, math.nan, 0
    durations, events = _durations(ts, end)
    weeks = support_weeks(model, method)
    kept = kaplan_meier(durations, events, weeks)
    after = kaplan_meier(durations, events, weeks + LATER_LOSS_WEEKS)
    return kept, (1.0 - after / kept if kept > 0 else math.nan), len(ts)


def housing_first_outcomes(model: HousingModel) -> dict[str, float]:
    """Retention during support and later loss of Housing First tenancies, averaged over the
    methods weighted by their number of tenancies; ACT's own retention (``act_kept_share``)."""
    per_method = {m: retention_during_support(model, m) for m in ("cti", "icm", "act")}
    rows = [v for v in per_method.values() if v[2] > 0 and np.isfinite(v[1])]
    out = {"act_kept_share": per_method["act"][0]}
    if not rows:
        return {**out, "hf_retention_during_support": math.nan, "hf_later_loss_share": math.nan}
    weights = [n for _, _, n in rows]
    out["hf_retention_during_support"] = float(np.average([k for k, _, _ in rows], weights=weights))
    out["hf_later_loss_share"] = float(np.average([x for _, x, _ in rows], weights=weights))
    return out


def course_outcomes(model: HousingModel) -> dict[str, float]:
    """Outcomes of the CTI courses that began after the warm-up and whose nominal end
    (``support.cti_weeks`` after the start) falls before the end of the run.

    A course begins at move-in, or (``support.cti_discharge_share``) at a discharge from a
    shelter without a dwelling. Over the course's nominal span, with the client's tenancies
    that overlap it: *lost*, a tenancy broke down; *housed at the end*, a tenancy runs past
    the end, or ended by moving on; *kept*, housed at the start and at the end; *obtained*,
    not housed at the start, and a tenancy began during the course. Leaving the system (death,
    an institution, moving away, a solution of one's own) counts as none of them.
    """
    warm, end = model.warmup_weeks, float(model.total_weeks)
    weeks = model.cfg.support.cti_weeks
    courses = [c for c in model.cti_courses if c.start > warm and c.start + weeks <= end]
    lost = kept = obtained = housed_at_end = 0
    for course in courses:
        stop = course.start + weeks
        spans = [
            t
            for t in course.citizen.tenancies
            if t.start <= stop and (t.how_ended == "ongoing" or t.end >= course.start)
        ]
        lost += any(t.how_ended in BREAKDOWN_CAUSES and t.end <= stop for t in spans)
        at_end = any(
            t.how_ended == "ongoing" or t.end > stop or t.how_ended == "moved_on" for t in spans
        )
        housed_at_end += at_end
        kept += course.housed_at_start and at_end
        obtained += not course.housed_at_start and any(t.start > course.start for t in spans)
    n = len(courses)
    return {
        "lost": _share(lost, n),
        "kept": _share(kept, n),
        "obtained": _share(obtained, n),
        "housed_at_end": _share(housed_at_end, n),
    }


def offer_within(model: HousingModel, weeks: float = OFFER_WINDOW_WEEKS) -> float:
    """Kaplan–Meier probability of a first housing offer within ``weeks`` of being listed for
    housing (the guarantee's promise: an offer within 3 months of referral).

    Every spell in which a citizen was listed for housing after the warm-up counts, from the
    week of listing: it ends in the event at the first offer, and is censored when the spell
    ends without one (an own solution, leaving the system) or at the horizon's end. Spells never
    listed (the staircase's residents not yet judged ready, those who leave within days) are
    not the guarantee's and are not counted.
    """
    warm, end = model.warmup_weeks, float(model.total_weeks)
    rec = model.recorder
    episodes = [(start, stop, offered) for start, stop, offered in rec.referrals if start > warm]
    episodes += [
        (c.referred_at, end, False)
        for c in model.agents_by_type.get(Citizen, [])
        if c.state in HOMELESS
        and c.referred_in_spell == c.spells
        and c.offered_in_spell != c.spells
        and c.referred_at > warm
    ]
    durations = np.array([stop - start for start, stop, _ in episodes], dtype=float)
    offered = np.array([o for _, _, o in episodes], dtype=bool)
    return event_within(durations, offered, weeks)


def target_quantities(model: HousingModel, observer: Observer) -> dict[str, float]:
    """Every target quantity of one finished, observed run, keyed like the ``kpi`` column.

    Args:
        model: The finished model.
        observer: The observer it ran under.
    """
    out: dict[str, float] = dict(compute_kpis(model))
    out.update(composition(model))
    snap = pd.DataFrame(observer.snapshots, columns=SNAPSHOT_COLUMNS)
    out.update(snapshot_shares(snap))
    out.update(
        shelter_use(
            model,
            np.array(model.recorder.stays, dtype=float).reshape(-1, 5)[:, [0, 2, 3]],
            np.array(observer.ongoing, dtype=float).reshape(-1, 3),
        )
    )
    out.update(housing_first_outcomes(model))
    for key, value in course_outcomes(model).items():
        out[f"cti_{key}_share"] = value
    out["offer_within_3m_share"] = offer_within(model)
    for key in UNAVAILABLE:
        out[key] = math.nan
    return out


# ---------------------------------------------------------------------------------------
# Replications
# ---------------------------------------------------------------------------------------
def observe_replication(cfg: Config, replication: int) -> dict[str, float]:
    """Run replication ``replication`` of a config under an :class:`Observer`.

    Its seed is :func:`hfsim.rng.replication_seed` ``(cfg.seed, replication)``, as in
    :func:`hfsim.runner.run_replication`, so the same seed gives common random numbers.
    """
    from hfsim.model import HousingModel

    model = HousingModel(cfg, seed=replication_seed(cfg.seed, replication))
    observer = Observer(model)
    observer.run()
    return target_quantities(model, observer)


def _worker(args: tuple[Config, int]) -> dict[str, float]:
    return observe_replication(*args)


def run_observed(
    cfg: Config,
    replications: Iterable[int] | None = None,
    workers: int = 1,
    progress: Callable[[Iterable[dict[str, float]], int], Iterable[dict[str, float]]] | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Target quantities of several replications, one row each.

    Args:
        cfg: A validated config.
        replications: Replication indices (default ``range(cfg.replications)``).
        workers: Processes (1 runs in this process).
        progress: Wraps the stream of finished replications, e.g. a tqdm bar.
        executor: A process pool to reuse (then ``workers`` is ignored).
    """
    reps = list(range(cfg.replications) if replications is None else replications)
    jobs = [(cfg, r) for r in reps]
    wrap = progress or (lambda it, total: it)
    workers = min(workers, len(jobs))
    if executor is not None:
        rows = list(wrap(executor.map(_worker, jobs), len(jobs)))
    elif workers <= 1:
        rows = list(wrap(map(_worker, jobs), len(jobs)))
    else:
        with make_pool(workers) as pool:
            rows = list(wrap(pool.map(_worker, jobs), len(jobs)))
    return pd.DataFrame(rows, index=pd.Index(reps, name="replication"))


def summarise_quantities(rows: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """Mean and 95 % t-interval of each quantity over replications.

    Args:
        rows: One row per replication (:func:`run_observed`).
        keys: The quantities to summarise.
    """
    out = []
    for key in keys:
        values = rows[key].to_numpy(dtype=float) if key in rows else np.array([])
        mean, low, high = t_interval(values)
        out.append({"kpi": key, "mean": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(out).set_index("kpi")
