"""The Danish targets table and the target quantities computed from a run."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import hfsim
from hfsim.model import HousingModel
from hfsim.results import compute_kpis
from hfsim.targets import (
    COLUMNS,
    UNAVAILABLE,
    Observer,
    TargetsError,
    load_targets,
    select_targets,
    shelter_use,
    target_quantities,
)

SHORT = {"municipality": "small_town", "years": 3, "warmup_years": 1}


def test_table_loads_and_every_row_has_a_source():
    table = load_targets()
    assert list(table.columns) == list(COLUMNS)
    assert len(table) >= 40
    assert table["target"].is_unique
    assert (table["source"].str.strip() != "").all()
    assert ((table["lower"] <= table["observed"]) & (table["observed"] <= table["upper"])).all()
    assert set(table["tag"]) <= {"C", "S", "D", "U"}


def test_a_row_without_a_source_is_refused(tmp_path):
    table = pd.read_csv(hfsim.targets.TARGETS_PATH, keep_default_na=False)
    table.loc[3, "source"] = " "
    path = tmp_path / "targets.csv"
    table.to_csv(path, index=False)
    with pytest.raises(TargetsError, match="no source"):
        load_targets(path)


def test_a_range_that_misses_the_observed_value_is_refused(tmp_path):
    table = pd.read_csv(hfsim.targets.TARGETS_PATH, keep_default_na=False)
    table.loc[0, "upper"] = table.loc[0, "observed"] - 1
    path = tmp_path / "targets.csv"
    table.to_csv(path, index=False)
    with pytest.raises(TargetsError, match="lower <= observed <= upper"):
        load_targets(path)


@pytest.mark.parametrize(
    ("preset", "scopes"),
    [
        ("aarhus", {"municipal", "aarhus"}),
        ("copenhagen", {"municipal", "copenhagen"}),
        ("small_town", {"municipal"}),
        ("denmark", {"municipal", "national"}),
    ],
)
def test_each_preset_gets_its_scope(preset, scopes):
    table = load_targets()
    chosen, _ = select_targets(table, hfsim.load_config({"municipality": preset}))
    assert set(chosen["scope"]) == scopes


def test_policy_rules_move_rows_out_of_the_table():
    table = load_targets()
    hf, hf_other = select_targets(table, hfsim.load_config({"municipality": "aarhus"}))
    sf, sf_other = select_targets(
        table, hfsim.load_config({"municipality": "aarhus", "policy": "shelter_first"})
    )
    assert "hf_retention_during_support" in set(hf["target"])
    assert "hf_retention_during_support" in set(sf_other["target"])
    assert "shelter_ready_to_move_share" in set(hf_other["target"])
    assert "shelter_ready_to_move_share" in set(sf["target"])


def test_unknown_target_names_are_refused():
    cfg = hfsim.load_config({"municipality": "aarhus"})
    with pytest.raises(TargetsError, match="unknown target"):
        select_targets(load_targets(), cfg, ["no_such_target"])


@pytest.fixture(scope="module")
def observed_run():
    cfg = hfsim.load_config(SHORT)
    model = HousingModel(cfg, seed=11)
    observer = Observer(model)
    observer.run()
    return model, observer, target_quantities(model, observer)


def test_observing_does_not_change_the_run(observed_run):
    model, _, quantities = observed_run
    plain = compute_kpis(HousingModel(hfsim.load_config(SHORT), seed=11).run())
    for key, value in plain.items():
        assert quantities[key] == pytest.approx(value, nan_ok=True), key
    assert model.steps == model.total_weeks


def test_every_target_kpi_is_produced(observed_run):
    _, _, quantities = observed_run
    for kpi in load_targets()["kpi"]:
        assert kpi in quantities, kpi
        if kpi in UNAVAILABLE:
            assert math.isnan(quantities[kpi])


def test_quantities_are_consistent(observed_run):
    model, observer, q = observed_run
    assert observer.snapshot_weeks() == [
        model.warmup_weeks + 52 * y + 6 for y in range(model.cfg.years)
    ]
    parts = ("shelter", "rough_sleeping", "sofa_surfing", "transitional")
    assert sum(q[f"{p}_share_of_homeless"] for p in parts) == pytest.approx(1.0)
    assert q["shelter_share_of_homeless"] == pytest.approx(q["shelter_mean"] / q["homeless_mean"])
    for key in (
        "homeless_over_1y_share",
        "youth_share_of_homeless",
        "longterm_users_share",
        "shelter_stay_over_120_share",
        "cti_lost_share",
        "hf_retention_during_support",
    ):
        assert 0.0 <= q[key] <= 1.0, key  # fmt: skip
    # a course begun without a dwelling that ends housed obtained one during it
    assert q["cti_housed_at_end_share"] <= q["cti_kept_share"] + q["cti_obtained_share"] + 1e-12
    assert q["cti_kept_share"] + q["cti_obtained_share"] <= 1.0 + 1e-12
    assert q["cti_kept_share"] <= q["cti_housed_at_end_share"] + 1e-12
    assert q["shelter_stays_per_user"] >= 1.0


def test_shelter_use_on_known_stays():
    model = SimpleNamespace(warmup_weeks=52, total_weeks=156, cfg=SimpleNamespace(years=2))
    stays = np.array(
        [
            [1, 60.0, 60.1],  # 0.7 days: one night, year 0
            [1, 70.0, 70.5],  # 3.5 days, year 0
            [2, 52.0, 80.0],  # 196 days: long-term in year 0, over 120 days
            [3, 110.0, 112.0],  # 14 days, year 1
        ]
    )
    ongoing = np.array([[2, 150.0, 156.0]])  # still in the shelter at the end
    out = shelter_use(model, stays, ongoing)
    assert out["shelter_stay_one_night_share"] == pytest.approx(1 / 4)
    assert out["shelter_stay_over_120_share"] == pytest.approx(1 / 4)
    # year 0: citizens 1 (2 stays) and 2 (1 stay); year 1: citizens 3 and 2 (ongoing)
    assert out["shelter_stays_per_user"] == pytest.approx((3 / 2 + 2 / 2) / 2)
    assert out["longterm_users_share"] == pytest.approx((1 / 2 + 0) / 2)
    nights0 = 196.0 / (196.0 + 0.7 + 3.5)
    assert out["longterm_nights_share"] == pytest.approx(nights0 / 2)


def test_the_ready_have_waited_since_they_were_judged_ready():
    """Ankestyrelsen 2021 counts how long residents have been *ready to move* (not how long
    they have stayed): on the staircase the clock starts when treatment is done, after the
    admission; a Housing First client is ready from admission. Catches a wait measured
    from the shelter entry (the fault before 2026-12-03)."""
    cfg = hfsim.load_config({**SHORT, "policy": "status_quo"})
    observer = Observer(HousingModel(cfg, seed=3))
    model = observer.model
    model.run_for(model.warmup_weeks + 6)
    now = float(model.steps)
    ready = [
        c
        for c in observer._citizens()
        if c.state.name == "SHELTER" and (c.track == "hf" or c.stair_level >= 1)
    ]
    staircase = [c for c in ready if c.track == "sf"]
    assert len(staircase) >= 5
    for c in staircase:
        assert c.shelter_entry < c.ready_since <= now
    for c in ready:
        if c.track == "hf":
            assert c.ready_since == c.shelter_entry
    observer._snapshot()
    waited = sorted(row[-1] for row in observer.snapshots if row[5])
    assert waited == pytest.approx(sorted(now - c.ready_since for c in ready))
