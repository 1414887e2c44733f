"""The timeline: dated decisions change the run from their week, and not before."""

from __future__ import annotations

import numpy as np
import pytest

import hfsim
from hfsim.config import ConfigError
from hfsim.model import STEP_ORDER, HousingModel
from hfsim.municipalities import build_municipalities
from hfsim.processes.timeline import week_of

BASE = {"municipality": "small_town", "years": 4, "warmup_years": 1, "start_year": 2025}
CUT_WEEK = 52 + 2 * 52 + 1  # 2027 with the horizon starting in 2025 after one warm-up year


def weekly(timeline, probe, overrides=BASE, seed=2):
    """Run week by week (invariants checked), recording ``probe(model)`` after each step."""
    model = HousingModel(hfsim.load_config({**overrides, "timeline": timeline}), seed=seed)
    model.check_invariants = True
    out = []
    for _ in range(model.total_weeks):
        model.step()
        out.append(probe(model))
    return np.array(out), model


def occupied(model):
    return sum(m.shelter_occupants for m in model.municipalities)


def test_timeline_is_the_first_process_of_the_week():
    assert STEP_ORDER[0][0] == "timeline"


def test_an_entry_falls_in_the_week_of_its_date():
    cfg = hfsim.load_config(BASE)
    assert week_of(cfg, 2027) == CUT_WEEK
    assert week_of(cfg, 2025) == 53  # the first week of the horizon
    assert week_of(cfg, 2026.5) == 52 + 78 + 1


def test_shelter_cut_changes_the_run_from_its_date_and_not_before():
    full = {**BASE, "shelter.capacity": 10}  # beds are short before the cut: people queue
    base, _ = weekly([], occupied, full)
    cut, model = weekly([{"at": 2027, "set": {"shelter.capacity": 4}}], occupied, full)
    before = CUT_WEEK - 1  # steps 1 .. CUT_WEEK - 1 ran before the change
    np.testing.assert_array_equal(cut[:before], base[:before])  # common random numbers
    assert model.municipalities[0].shelter_capacity == 4
    assert model.cfg.shelter.capacity == 4
    assert cut[before:].mean() < base[before:].mean()
    # nobody is evicted, and the excess drains (a discharge frees no bed while over capacity)
    assert cut[before] <= base[before]
    assert (cut[before + 26 :] <= 4).all()
    assert base[before + 26 :].max() > 4  # the cut binds


def test_more_places_go_to_those_waiting():
    short = {**BASE, "shelter.capacity": 10}  # beds are short before the rise: people queue
    base, _ = weekly([], occupied, short)
    more, _ = weekly([{"at": 2027, "set": {"shelter.capacity": 40}}], occupied, short)
    np.testing.assert_array_equal(more[: CUT_WEEK - 1], base[: CUT_WEEK - 1])
    assert base.max() == 10  # the beds bind without the rise
    assert more[CUT_WEEK - 1 :].mean() > base[CUT_WEEK - 1 :].mean()


def test_staff_inflow_and_regime_take_effect_at_their_date():
    timeline = [
        {"at": 2027, "set": {"support.icm.staff": 3, "citizens.inflow_per_year": 88.0}},
        {"at": 2026.25, "set": {"regime.name": "reform_2026"}},
    ]

    def probe(model):
        team = model.municipalities[0].teams["icm"]
        return team.capacity, model.inflow_per_week[0] * 52, model.ledger.refund_days

    fixed = {**BASE, "support.staffing": "fixed"}  # staff caps the teams only when fixed
    values, model = weekly(timeline, probe, fixed)
    regime_week = week_of(model.cfg, 2026.25)
    assert (values[: regime_week - 1, 2] == 120).all() and (
        values[regime_week - 1 :, 2] == 90
    ).all()
    caseload = model.cfg.support.icm.caseload
    assert (values[: CUT_WEEK - 1, 0] == caseload).all()
    assert (values[CUT_WEEK - 1 :, 0] == 3 * caseload).all()
    assert values[CUT_WEEK - 1 :, 1] == pytest.approx(88.0)
    assert model.cfg.regime.name == "reform_2026" and model.cfg.regime.shelter_refund_days == 90


def test_an_inflow_trend_moves_in_weekly_steps_to_its_target():
    timeline = [{"at": 2026, "over": 2, "set": {"citizens.inflow_per_year": 88.0}}]
    values, model = weekly(timeline, lambda m: m.inflow_per_week[0] * 52)
    start, first = hfsim.load_config(BASE).citizens.inflow_per_year, week_of(model.cfg, 2026)
    assert values[: first - 1] == pytest.approx(np.full(first - 1, start))
    ramp = values[first - 1 : first - 1 + 104]
    assert ramp == pytest.approx(start + (88.0 - start) * np.arange(1, 105) / 104)
    assert values[first - 1 + 104 :] == pytest.approx(np.full(len(values) - first + 1 - 104, 88.0))


def test_the_shared_config_is_not_changed():
    cfg = hfsim.load_config({**BASE, "timeline": [{"at": 2025, "set": {"shelter.capacity": 3}}]})
    HousingModel(cfg, seed=1).run()
    assert cfg.shelter.capacity == 17  # the next replication starts from the same config


def test_programme_dwellings_can_be_raised_and_cut():
    def stock(model):
        repriced, new = model.vacancies.programme_stock((model.now - model.warmup_weeks) / 52)
        return float((repriced + new).sum())

    timeline = [
        {"at": 2026, "set": {"housing.cheap_units": 200}},
        {"at": 2028, "set": {"housing.cheap_units": 0}},
    ]
    values, _ = weekly(timeline, stock)
    base, _ = weekly([], stock)
    w26, w28 = 52 + 52 + 1, 52 + 3 * 52 + 1
    np.testing.assert_array_equal(values[: w26 - 1], base[: w26 - 1])
    assert values[w28 - 2] > base[w28 - 2] * 5
    assert values[w28 - 1] == 0


def test_a_national_total_is_spread_as_at_build_time():
    national = {"municipality": "denmark", "years": 1, "warmup_years": 0}
    cfg = hfsim.load_config(
        {**national, "timeline": [{"at": 2024, "set": {"shelter.capacity": 1000}}]}
    )
    model = HousingModel(cfg, seed=1)
    model.step()
    built = build_municipalities(hfsim.load_config({**national, "shelter.capacity": 1000}))
    assert [m.shelter_capacity for m in model.municipalities] == [s.shelter_capacity for s in built]


def test_a_regional_cut_drains_and_keeps_the_free_bed_count():
    """Shelters are shared across a region: a cut below occupancy must not let a bed the
    cut removed be counted free (assert_invariants recounts the region's free beds)."""
    region = {"municipality": "region_nordjylland", "years": 2, "warmup_years": 1}
    region["start_year"] = 2025
    base, _ = weekly([], occupied, region)
    cut, model = weekly([{"at": 2025.5, "set": {"shelter.capacity": 40}}], occupied, region)
    week = week_of(model.cfg, 2025.5)
    np.testing.assert_array_equal(cut[: week - 1], base[: week - 1])
    assert sum(m.shelter_capacity for m in model.municipalities) == 40
    after = cut[week - 1 :]
    assert base[week - 1] > 40 and (after[1:] <= np.maximum(after[:-1], 40)).all()
    assert (cut[-26:] <= 40).all()  # drained: nobody evicted, nobody admitted above it


@pytest.mark.parametrize(
    ("timeline", "message"),
    [
        ([{"at": 2027, "set": {"shelter.capcity": 5}}], "unknown key 'timeline[0].set.shelter.capcity'"),
        ([{"at": 2027, "set": {"shelter.capacity": -5}}], "timeline[0].set.shelter.capacity=-5 is out of range"),
        (
            [{"at": 2026, "set": {"housing.anvisning_share": 0.3}}, {"at": 2027, "set": {"housing.anvisning_share": 1.5}}],
            "timeline[1].set.housing.anvisning_share=1.5 is out of range",
        ),
        ([{"at": 2027, "set": {"regime.name": "reform_2030"}}], "timeline[0].set.regime.name='reform_2030' is not allowed"),
        ([{"at": 2027, "set": {"support.cti.staff": "many"}}], "timeline[0].set.support.cti.staff='many' is not allowed; must be a whole number"),
        ([{"at": 2027, "set": {"citizens.needs_share_low": 0.3}}], "timeline[0].set.citizens.needs_share_low cannot be changed"),
        ([{"at": 2030, "set": {"shelter.capacity": 5}}], "timeline[0].at=2030 is outside the run's calendar"),
        ([{"at": 2023, "set": {"shelter.capacity": 5}}], "timeline[0].at=2023 is outside the run's calendar"),
        ([{"at": 2027}], "timeline[0] must be {at: YEAR, set:"),
        ([{"at": 2027, "over": 5, "set": {"shelter.capacity": 5}}], "timeline[0].over=5 is not allowed"),
        ([{"at": 2027, "over": 1, "set": {"regime.name": "pre_2023"}}], "cannot change gradually"),
    ],
)  # fmt: skip
def test_bad_entries_name_the_entry_and_key(timeline, message):
    with pytest.raises(ConfigError) as err:
        hfsim.load_config({**BASE, "timeline": timeline})
    assert message in str(err.value)


def test_staff_in_a_timeline_caps_nothing_when_support_follows_need():
    """With support.staffing=demand a dated staff change leaves the teams uncapped."""
    timeline = [{"at": 2027, "set": {"support.icm.staff": 0}}]
    values, _ = weekly(timeline, lambda m: m.municipalities[0].teams["icm"].capacity)
    assert np.isinf(values).all()
