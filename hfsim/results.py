"""Results: what is recorded during a run, the KPI definitions (one place), tidy tables and
statistics over replications.

The recorder keeps weekly counts per municipality in preallocated arrays (a row copy per
week, not a loop over citizens) and logs events as they happen (stays, placements, offers,
tenancies). KPIs are computed from these after the run, over the horizon after the warm-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hfsim.agents.citizen import HOMELESS, STATE_NAMES, Citizen, State
from hfsim.agents.municipality import LAPSE_REASONS
from hfsim.agents.support import METHODS
from hfsim.ledger import CATEGORIES, PAYERS
from hfsim.survival import event_within, median_time, survival_at

if TYPE_CHECKING:
    from hfsim.housing import Tenancy
    from hfsim.model import HousingModel


@dataclass(frozen=True)
class KPI:
    """A key performance indicator: its key, label and unit."""

    key: str
    label: str
    unit: str


KPIS: tuple[KPI, ...] = (
    KPI("homeless_mean", "Homeless (point-in-time, mean)", "persons"),
    KPI("rough_sleeping_mean", "Rough sleeping (mean)", "persons"),
    KPI("sofa_surfing_mean", "Sofa surfing (mean)", "persons"),
    KPI("shelter_mean", "In §110 shelters (mean)", "persons"),
    KPI("transitional_mean", "In temporary accommodation or transitional steps (mean)", "persons"),
    KPI("housed_mean", "Housed by the municipality (mean)", "persons"),
    KPI("shelter_users_per_year", "Shelter users per year", "persons/year"),
    KPI("shelter_nights_per_user", "Shelter nights per user per year", "nights"),
    KPI("shelter_stay_mean_days", "Mean length of a shelter stay", "days"),
    KPI("placements_per_year", "Moves into own dwelling per year", "moves/year"),
    KPI("days_to_housing_median", "Median days from spell start to move-in", "days"),
    KPI("days_to_housing_km_median", "Median days to an own dwelling (Kaplan-Meier)", "days"),
    KPI("housed_within_12m", "Own dwelling within 12 months (Kaplan-Meier)", "share"),
    KPI("retention_12m", "Tenancies kept 12 months (Kaplan-Meier)", "share"),
    KPI("retention_24m", "Tenancies kept 24 months (Kaplan-Meier)", "share"),
    KPI("time_housed_share", "Share of person-time housed", "share"),
    KPI("returns_12m", "Tenancies broken down within 12 months", "share"),
    KPI("cost_total_dkk_per_year", "Public cost per year", "DKK/year"),
    KPI("cost_municipal_dkk_per_year", "Municipal cost per year", "DKK/year"),
    KPI("cost_state_dkk_per_year", "State cost per year", "DKK/year"),
    KPI("private_landlords_active", "Private landlords offering in the last year", "landlords"),
    KPI("support_waitlist_mean", "Waiting for a support slot (mean)", "persons"),
    KPI("support_staff_mean", "Support staff employed (mean)", "staff"),
    KPI("support_staff_peak", "Support staff employed (peak)", "staff"),
    *(KPI(f"support_staff_{s}_{m}", f"{m.upper()} staff employed ({s})", "staff")
      for m in METHODS for s in ("mean", "peak")),
    KPI("cost_support_dkk_per_year", "Housing support cost per year", "DKK/year"),
    KPI("offers_per_year", "Dwellings offered to the municipality per year", "dwellings/year"),
    KPI("offers_taken_share", "Offered dwellings let to a citizen", "share"),
    KPI("offers_lapsed_share", "Offered dwellings that lapsed unused", "share"),
    KPI("lapsed_no_eligible_share", "Offers lapsed: no eligible citizen left", "share"),
    KPI("lapsed_unaffordable_share", "Offers lapsed: no one could pay the rent", "share"),
    KPI("lapsed_no_support_share", "Offers lapsed: no support slot", "share"),
    KPI("lapsed_declined_share", "Offers lapsed: declined", "share"),
    KPI("ready_waiting_mean", "Eligible for a dwelling and waiting (mean)", "persons"),
    KPI("turned_away_per_year", "Shelter requests with no bed free", "requests/year"),
)  # fmt: skip
KPI_NAMES: tuple[str, ...] = tuple(k.key for k in KPIS)

WEEKLY_FLOWS = (
    "inflow", "exits", "returns", "placements", "breakdowns", "offers", "taken", "lapsed",
    *(f"lapsed_{r}" for r in LAPSE_REASONS), "declines", "turned_away", "admissions",
    "passed_on",
)  # fmt: skip
WEEKLY_LEVELS = (
    "support_active", "support_waiting", *(f"support_staff_{m}" for m in METHODS),
    "eligible_waiting", "shelter_occupied", "shelter_capacity", "landlords_active",
    "landlord_trust",
)  # fmt: skip


class Recorder:
    """Weekly counts and event logs of one run.

    Args:
        model: The model being recorded.
    """

    def __init__(self, model: HousingModel) -> None:
        weeks = model.total_weeks + 1
        n = len(model.municipalities)
        self.model = model
        self.counts = np.zeros((weeks, n, len(State)), dtype=np.int32)
        self.entries = [[0] * len(State) for _ in range(n)]  # cumulative, per municipality
        self.leaves = [[0] * len(State) for _ in range(n)]
        self.entries_log = np.zeros((weeks, n, len(State)), dtype=np.int64)
        self.leaves_log = np.zeros((weeks, n, len(State)), dtype=np.int64)
        self.flows = {k: np.zeros((weeks, n), dtype=np.int32) for k in WEEKLY_FLOWS}
        self.levels = {k: np.full((weeks, n), np.nan) for k in WEEKLY_LEVELS}
        for k in WEEKLY_FLOWS:
            setattr(self, k, np.zeros(n, dtype=np.int32))
        # citizen, municipality, entry, exit, pattern
        self.stays: list[tuple[int, int, float, float, int]] = []
        self.placement_log: list[tuple[int, float, float, str]] = []  # muni, spell start, in, track
        self.spell_log: list[tuple[float, float, bool]] = []  # spell start, end, housed
        # listed for housing in a spell: listed at, first offer or spell end, offered
        self.referrals: list[tuple[float, float, bool]] = []
        self.users_per_year: dict[int, int] = {}
        self.user_nights: dict[tuple[int, int], float] = {}

    # -- during the run --------------------------------------------------------------------
    def flow(self, m: int, old: State, new: State) -> None:
        self.leaves[m][old] += 1
        self.entries[m][new] += 1

    def enter(self, m: int, state: State) -> None:
        self.entries[m][state] += 1

    def year_of(self, tau: float) -> int:
        return math.floor((tau - self.model.warmup_weeks) / 52.0)

    def admission(self, citizen: Citizen, tau: float) -> None:
        self.admissions[citizen.municipality] += 1
        self._mark_user(citizen, self.year_of(tau))

    def _mark_user(self, citizen: Citizen, year: int) -> None:
        if citizen.last_shelter_year != year:
            citizen.last_shelter_year = year
            self.users_per_year[year] = self.users_per_year.get(year, 0) + 1

    def stay(self, citizen: Citizen, entry: float, exit_: float) -> None:
        self.stays.append((citizen.unique_id, citizen.municipality, entry, exit_, citizen.pattern))

    def placement(self, citizen: Citizen, tau: float) -> None:
        self.placements[citizen.municipality] += 1
        self.placement_log.append((citizen.municipality, citizen.spell_start, tau, citizen.track))
        self.spell_log.append((citizen.spell_start, tau, True))

    def spell_left(self, citizen: Citizen, tau: float) -> None:
        """A spell ended without an own dwelling (own solution, left the system): censored."""
        self.spell_log.append((citizen.spell_start, tau, False))
        if (
            citizen.referred_in_spell == citizen.spells
            and citizen.offered_in_spell != citizen.spells
        ):
            # listing is dated by the week; a spell may end earlier within that week
            self.referrals.append((citizen.referred_at, max(tau, citizen.referred_at), False))

    def referred(self, citizen: Citizen, tau: float) -> None:
        """The citizen is listed for housing: the first time in a spell starts its clock."""
        if citizen.referred_in_spell != citizen.spells:
            citizen.referred_in_spell = citizen.spells
            citizen.referred_at = tau

    def offer_made(self, citizen: Citizen, tau: float) -> None:
        if citizen.offered_in_spell != citizen.spells:
            citizen.offered_in_spell = citizen.spells
            if citizen.referred_in_spell == citizen.spells:
                self.referrals.append((citizen.referred_at, tau, True))

    def tenancy_ended(self, tenancy: Tenancy, broke_down: bool) -> None:
        if broke_down:
            self.breakdowns[tenancy.citizen.municipality] += 1

    def collect(self, model: HousingModel) -> None:
        """Store this week's counts and flows (phase 8 of the step)."""
        w = int(model.now)
        self.counts[w] = model.state_counts
        self.entries_log[w] = self.entries
        self.leaves_log[w] = self.leaves
        for k in WEEKLY_FLOWS:
            current = getattr(self, k)
            self.flows[k][w] = current
            current[:] = 0
        lv = self.levels
        for muni in model.municipalities:
            m = muni.index
            lv["support_active"][w, m] = sum(len(t.cases) for t in muni.teams.values())
            lv["support_waiting"][w, m] = sum(t.waiting for t in muni.teams.values())
            for method, team in muni.teams.items():
                lv[f"support_staff_{method}"][w, m] = team.staff_employed
            lv["eligible_waiting"][w, m] = len(muni.eligible)
            lv["shelter_occupied"][w, m] = muni.shelter_occupants
            lv["shelter_capacity"][w, m] = muni.shelter_capacity
        every = model.cfg.output.timeseries_every_weeks
        if w % every == 0 or w == model.total_weeks:
            self._collect_landlords(model, w)
        if w >= model.warmup_weeks and (w - model.warmup_weeks) % 52 == 0:
            # residents at a year's turn (the horizon's start too) are users of the new year
            year = self.year_of(w + 0.5)
            for citizen in model.agents_by_type.get(Citizen, []):
                if citizen.state == State.SHELTER:
                    self._mark_user(citizen, year)

    def _collect_landlords(self, model: HousingModel, w: int) -> None:
        n = len(model.municipalities)
        active = np.zeros(n)
        trust_sum = np.zeros(n)
        owners = np.zeros(n)
        for landlord in model.landlords:
            m = landlord.municipality
            active[m] += landlord.active(model.now)
            trust_sum[m] += landlord.trust
            owners[m] += 1
        self.levels["landlords_active"][w] = active
        with np.errstate(invalid="ignore", divide="ignore"):
            self.levels["landlord_trust"][w] = np.where(owners > 0, trust_sum / owners, np.nan)

    # -- after the run ----------------------------------------------------------------------
    def horizon(self) -> slice:
        return slice(self.model.warmup_weeks + 1, self.model.total_weeks + 1)


kaplan_meier = survival_at  # the name the targets import


def _spell_start(tenancy: Tenancy) -> float:
    """When the homelessness spell that ended in this tenancy began (weeks)."""
    for start, end, how in reversed(tenancy.citizen.spell_history):
        if how == "housed" and end == tenancy.start:
            return start
    return math.nan


def tenancy_table(model: HousingModel) -> pd.DataFrame:
    """One row per tenancy (times in weeks since the start of the warm-up; durations in days)."""
    end_of_run = float(model.total_weeks)
    rows = [
        {
            "tenancy": t.id,
            "citizen": t.citizen.unique_id,
            "unit": t.unit.id,
            "municipality": model.municipalities[t.unit.municipality].name,
            "landlord_kind": t.unit.kind,
            "rent_dkk": round(t.unit.rent_dkk, 2),
            "net_rent_dkk": round(t.net_rent_dkk, 2),
            "needs": ("low", "moderate", "high")[t.citizen.needs],
            "track": t.citizen.track,
            "support_method": t.support_method,
            "misfit": t.misfit,
            "vulnerable_area": t.unit.neighbourhood.vulnerable,
            "start_week": t.start,
            "spell_start_week": _spell_start(t),
            "end_week": t.end,
            "duration_days": ((t.end if t.how_ended != "ongoing" else end_of_run) - t.start) * 7.0,
            "how_ended": t.how_ended,
        }
        for t in model.tenancy_log
    ]
    columns = [
        "tenancy", "citizen", "unit", "municipality", "landlord_kind", "rent_dkk", "net_rent_dkk",
        "needs", "track", "support_method", "misfit", "vulnerable_area", "start_week",
        "spell_start_week", "end_week",
        "duration_days", "how_ended",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


BREAKDOWN_CAUSES = frozenset({"arrears", "conduct", "conflict", "abandonment"})


def compute_kpis(model: HousingModel) -> dict[str, float]:
    """Every KPI of :data:`KPIS` over the horizon after the warm-up."""
    rec = model.recorder
    h = rec.horizon()
    warm, end = model.warmup_weeks, model.total_weeks
    years = model.cfg.years
    counts = rec.counts[h].sum(axis=1).astype(float)  # weeks × states
    homeless_idx = sorted(int(s) for s in HOMELESS)
    out: dict[str, float] = {"homeless_mean": float(counts[:, homeless_idx].sum(axis=1).mean())}
    for state in (
        State.ROUGH_SLEEPING,
        State.SOFA_SURFING,
        State.SHELTER,
        State.TRANSITIONAL,
        State.HOUSED,
    ):
        out[f"{STATE_NAMES[state]}_mean"] = float(counts[:, state].mean())
    users = [rec.users_per_year.get(y, 0) for y in range(years)]
    out["shelter_users_per_year"] = float(np.mean(users))
    nights = shelter_nights(model, warm, end)
    out["shelter_nights_per_user"] = (
        float(nights / years / out["shelter_users_per_year"]) if sum(users) else math.nan
    )
    stays = stay_days(rec, warm, end)
    out["shelter_stay_mean_days"] = float(stays.mean()) if len(stays) else math.nan
    placed = [(start, moved) for _, start, moved, _ in rec.placement_log if warm < moved <= end]
    out["placements_per_year"] = len(placed) / years
    waits = np.array([(moved - start) * 7.0 for start, moved in placed])
    out["days_to_housing_median"] = float(np.median(waits)) if len(waits) else math.nan
    tenancies = [t for t in model.tenancy_log if t.start > warm]
    durations = np.array(
        [(t.end if t.how_ended != "ongoing" else end) - t.start for t in tenancies]
    )
    events = np.array([t.how_ended in BREAKDOWN_CAUSES for t in tenancies], dtype=int)
    out["retention_12m"] = survival_at(durations, events, 52.0)
    out["retention_24m"] = survival_at(durations, events, 104.0)
    out.update(waiting_kpis(model))
    in_model = counts[:, : State.EXITED].sum()
    out["time_housed_share"] = (
        float(counts[:, State.HOUSED].sum() / in_model) if in_model else math.nan
    )
    followed = [t for t in tenancies if t.start <= end - 52]
    broke = [t for t in followed if t.how_ended in BREAKDOWN_CAUSES and t.end - t.start <= 52]
    out["returns_12m"] = len(broke) / len(followed) if followed else math.nan
    cost = model.ledger.cost[h]  # weeks × municipalities × categories × payers
    out["cost_total_dkk_per_year"] = float(cost.sum() / years)
    out["cost_municipal_dkk_per_year"] = float(cost[..., 0].sum() / years)
    out["cost_state_dkk_per_year"] = float(cost[..., 1].sum() / years)
    active = rec.levels["landlords_active"][h].sum(axis=1)
    out["private_landlords_active"] = (
        float(np.nanmean(active)) if np.isfinite(active).any() else 0.0
    )
    out["support_waitlist_mean"] = float(rec.levels["support_waiting"][h].sum(axis=1).mean())
    out.update(_support_kpis(model, h))
    out.update(_offer_kpis(rec, h, years))
    out["ready_waiting_mean"] = float(rec.levels["eligible_waiting"][h].sum(axis=1).mean())
    out["turned_away_per_year"] = float(rec.flows["turned_away"][h].sum() / years)
    return {k: out[k] for k in KPI_NAMES}


def shelter_nights(model: HousingModel, after: float, until: float) -> float:
    """Shelter nights in the weeks ``after`` < week <= ``until`` (all municipalities)."""
    return float(model.ledger.accrued[int(after) + 1 : int(until) + 1, :, 0].sum())


def stay_days(rec: Recorder, after: float, until: float) -> np.ndarray:
    """Length in days of each shelter stay that ended in ``after`` < week <= ``until``."""
    return np.array([(x - e) * 7.0 for _, _, e, x, _ in rec.stays if after < x <= until])


def spell_durations(model: HousingModel) -> tuple[np.ndarray, np.ndarray]:
    """Every homelessness spell started in the horizon: its length (days) and whether it ended
    in an own dwelling. Spells that ended otherwise (own solution, left the system, death) are
    censored at their end; spells still going are censored at the horizon's end."""
    warm, end = model.warmup_weeks, float(model.total_weeks)
    spells = list(model.recorder.spell_log)
    spells += [
        (c.spell_start, end, False)
        for c in model.agents_by_type.get(Citizen, [])
        if c.state in HOMELESS
    ]
    started = [(stop - start, housed) for start, stop, housed in spells if start > warm]
    durations = np.array([d * 7.0 for d, _ in started], dtype=float)
    return durations, np.array([h for _, h in started], dtype=bool)


def waiting_kpis(model: HousingModel) -> dict[str, float]:
    """``days_to_housing_km_median`` and ``housed_within_12m`` over every spell (censored)."""
    durations, housed = spell_durations(model)
    return {
        "days_to_housing_km_median": median_time(durations, housed),
        "housed_within_12m": event_within(durations, housed, 52 * 7.0),  # as retention_12m
    }


def _support_kpis(model: HousingModel, h: slice) -> dict[str, float]:
    """Staff the teams employed (per method and in all, mean and peak) and what support cost."""
    levels = model.recorder.levels
    per_method = {m: levels[f"support_staff_{m}"][h].sum(axis=1) for m in METHODS}
    total = sum(per_method.values())
    out = {"support_staff_mean": float(total.mean()), "support_staff_peak": float(total.max())}
    for m, staff in per_method.items():
        out[f"support_staff_mean_{m}"] = float(staff.mean())
        out[f"support_staff_peak_{m}"] = float(staff.max())
    support = CATEGORIES.index("support")
    out["cost_support_dkk_per_year"] = float(
        model.ledger.cost[h, :, support].sum() / model.cfg.years
    )
    return out


def _offer_kpis(rec: Recorder, h: slice, years: int) -> dict[str, float]:
    """What became of the dwellings offered to the municipality: let, or lapsed and why."""
    offers = float(rec.flows["offers"][h].sum())
    out = {"offers_per_year": offers / years}
    shares = {"taken": "offers_taken_share", "lapsed": "offers_lapsed_share"}
    shares |= {f"lapsed_{r}": f"lapsed_{r}_share" for r in LAPSE_REASONS}
    for flow, key in shares.items():
        out[key] = float(rec.flows[flow][h].sum() / offers) if offers else math.nan
    return out


def timeseries_table(model: HousingModel, every: int | None = None) -> pd.DataFrame:
    """Tidy time series: step, municipality, metric, value (sampled every ``every`` weeks)."""
    rec = model.recorder
    every = every or model.cfg.output.timeseries_every_weeks
    weeks = np.arange(0, model.total_weeks + 1, every)
    if weeks[-1] != model.total_weeks:
        weeks = np.append(weeks, model.total_weeks)
    names = [m.name for m in model.municipalities]
    metrics: dict[str, np.ndarray] = {}
    for i, state in enumerate(STATE_NAMES[: State.EXITED]):
        metrics[state] = rec.counts[weeks, :, i]
    for k in WEEKLY_FLOWS:
        # flows summed over the interval ending at each sampled week
        cum = np.cumsum(rec.flows[k], axis=0)
        prev = np.vstack([np.zeros((1, cum.shape[1])), cum[weeks[:-1]]])
        metrics[k] = cum[weeks] - prev
    for k in WEEKLY_LEVELS:
        metrics[k] = rec.levels[k][weeks]
    cost = model.ledger.cost
    cum_cost = np.cumsum(cost, axis=0)
    prev_cost = np.concatenate([np.zeros((1, *cost.shape[1:])), cum_cost[weeks[:-1]]])
    interval = cum_cost[weeks] - prev_cost
    for c, cat in enumerate(CATEGORIES):
        for p, payer in enumerate(PAYERS):
            metrics[f"cost_{cat}_{payer}_dkk"] = interval[:, :, c, p]
    frames = []
    per_muni = model.cfg.output.per_municipality and len(names) > 1
    for metric, values in metrics.items():
        values = np.asarray(values, dtype=float)
        if per_muni:
            frame = pd.DataFrame(values, columns=names)
            frame["step"] = weeks
            frame = frame.melt(id_vars="step", var_name="municipality", value_name="value")
        else:
            total = (
                np.nansum(values, axis=1)
                if metric != "landlord_trust"
                else np.nanmean(values, axis=1)
            )
            frame = pd.DataFrame(
                {
                    "step": weeks,
                    "municipality": names[0] if len(names) == 1 else "all",
                    "value": total,
                }
            )
        frame["metric"] = metric
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    return table[["step", "municipality", "metric", "value"]]


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t confidence interval of a sample (NaN bounds when fewer than two values).

    Args:
        values: The sample (NaNs are dropped).
        level: Confidence level.
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def summarise(kpi_rows: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean and 95 % confidence interval (t distribution) of each KPI over replications."""
    out = {}
    for key in KPI_NAMES:
        values = kpi_rows[key].to_numpy(dtype=float)
        mean, low, high = t_interval(values)
        n = int(np.isfinite(values).sum())
        out[key] = {"mean": mean, "ci_low": low, "ci_high": high, "n": n}
    return out
