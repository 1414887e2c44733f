"""The backcast (experiment=history): history.csv, its observed series, and the timeline's
decisions changing the run from their dates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hfsim
from hfsim.history import COLUMNS, METRICS, observed_table, yearly_metrics
from hfsim.model import HousingModel
from hfsim.processes.timeline import SETTABLE, week_of
from hfsim.results import compute_kpis

# a small world for the history experiment: the experiment's national values replaced
SMALL = [
    "municipality=small_town", "experiment=history", "years=3", "warmup_years=1",
    "shelter.capacity=12", "shelter.transitional_capacity=4",
    "timeline=[{at: 2010, set: {policy.hf_support_share: 0.5}}]",
]  # fmt: skip


def hfsim_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "hfsim.cli", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


def small_config(**more):
    values = hfsim.config.load.parse_overrides(SMALL)
    return hfsim.load_config({**values, **more})


@pytest.mark.slow  # an end-to-end run: in the full suite, not the quick subset
def test_run_writes_history_csv_with_its_columns_years_and_parts(tmp_path):
    out = tmp_path / "out"
    result = hfsim_cli("run", *SMALL, "replications=2", "output.workers=1",
                       f"hydra.run.dir={out}", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "history.csv", keep_default_na=False, na_values=[""])
    assert tuple(table.columns) == COLUMNS
    assert set(table.metric) == set(METRICS)
    assert sorted(set(table.year)) == [2009, 2010, 2011]  # the horizon, every year
    assert len(table) == 3 * len(METRICS)
    parts = table.part.fillna("")
    assert set(parts) <= {"fitted", "held_out", ""}
    assert ((parts == "") == table.observed.isna()).all()  # a part exactly where observed
    seen = table.dropna(subset=["observed"])
    assert {(r.metric, r.year) for r in seen.itertuples()} == {
        ("homeless_count", 2009), ("homeless_count", 2011),
        ("shelter_nights_per_user", 2010), ("shelter_stay_mean_days", 2009),
    }  # fmt: skip
    assert (seen.part == "held_out").all()  # 2009-2011: nothing the calibration used
    assert (table.model_ci_low <= table.model_mean).all()
    assert (table.model_mean <= table.model_ci_high).all()
    reps = pd.read_csv(out / "history_replications.csv")
    assert set(reps.replication) == {0, 1}
    assert (out / "history.png").stat().st_size > 10_000
    assert (out / "summary.json").is_file()
    assert "held_out" in result.stdout


def test_yearly_values_add_up_to_the_kpis():
    cfg = small_config()
    model = HousingModel(cfg, seed=3).run()
    yearly = yearly_metrics(model).pivot(index="year", columns="metric", values="value")
    kpis = compute_kpis(model)
    assert yearly["shelter_users"].mean() == pytest.approx(kpis["shelter_users_per_year"])
    nights = (yearly["shelter_users"] * yearly["shelter_nights_per_user"]).sum()
    assert nights / cfg.years / kpis["shelter_users_per_year"] == pytest.approx(
        kpis["shelter_nights_per_user"]
    )
    warm = model.warmup_weeks
    # a user of the first year is anyone with a stay in it, also one begun in the warm-up
    stayed = {c for c, _, entry, exit_, _ in model.recorder.stays if entry < warm + 52 < exit_
              or warm < exit_ <= warm + 52}  # fmt: skip
    assert model.recorder.users_per_year[0] >= len(stayed) > 0
    for year, count in yearly["homeless_count"].items():  # the week-6 snapshot
        week = warm + (year - cfg.start_year) * 52 + 6
        states = model.recorder.counts[week].sum(axis=0)
        assert count == states[:4].sum() and count > 0


def test_housing_first_share_changes_the_run_from_its_date_and_not_before():
    assert "policy.hf_support_share" in SETTABLE
    base_cfg = small_config(timeline=[], **{"policy.hf_support_share": 0.0})
    more_cfg = small_config(
        timeline=[{"at": 2010, "set": {"policy.hf_support_share": 1.0}}],
        **{"policy.hf_support_share": 0.0},
    )
    base = HousingModel(base_cfg, seed=1).run()
    more = HousingModel(more_cfg, seed=1).run()
    week = week_of(more_cfg, 2010)
    np.testing.assert_array_equal(
        base.recorder.counts[:week], more.recorder.counts[:week]
    )  # common random numbers: the same run up to the change
    assert more.policy.cfg.hf_support_share == 1.0

    def hf_placements(model, after):
        return sum(track == "hf" for _, start, _, track in model.recorder.placement_log
                   if start >= after)  # fmt: skip

    assert hf_placements(base, 0) == 0  # no Housing First track without the entry
    assert hf_placements(more, 0) == hf_placements(more, week - 1) > 0  # only from its date


def test_the_history_timeline_is_dated_and_in_order():
    cfg = hfsim.load_config({"municipality": "denmark", "experiment": "history"})
    assert (cfg.start_year, cfg.years, cfg.history.enabled) == (2009, 16, True)
    assert cfg.policy.name == "status_quo" and cfg.regime.name == "pre_2023"
    dates = [entry["at"] for entry in cfg.timeline]
    assert dates == sorted(dates) and dates[0] == 2009
    changed = {key for entry in cfg.timeline for key in entry["set"]}
    assert {"policy.hf_support_share", "shelter.capacity", "housing.cheap_units",
            "regime.name"} <= changed  # fmt: skip
    reform = next(e for e in cfg.timeline if "regime.name" in e["set"])
    assert reform["at"] == 2023.75 and reform["set"]["regime.name"] == "reform_2023"
    # 90 days from 1 Apr 2026 lies after the horizon (2009-2024)
    assert cfg.start_year + cfg.years <= 2026.25


def test_observed_series_are_the_evidence():
    table = observed_table(hfsim.load_config({}))
    years = table.groupby("metric").year.apply(sorted).to_dict()
    assert years == {
        "homeless_count": [2009, 2011, 2013, 2015, 2017, 2019, 2022, 2024],
        "shelter_users": [2013, 2015, 2020, 2022],  # 2008 lies in the warm-up
        "shelter_nights_per_user": [2010, 2013, 2020],
        "shelter_stay_mean_days": [2009, 2012],
    }
    fitted = table[table.part == "fitted"]
    assert set(fitted.year) <= {2012, 2013, 2020, 2022, 2024}
    assert table.set_index(["metric", "year"]).loc[("homeless_count", 2024), "observed"] == 5989


@pytest.mark.parametrize(
    "args",
    [
        ["run", "municipality=small_town", "experiment=history", "years=2"],  # timeline past end
        ["run", "experiment=history", "history.observed=nowhere"],
        ["run", "experiment=history", "timeline=[{at: 2012, set: {policy.hf_share: 2}}]"],
        ["compare", "experiment=history", "municipality=small_town"],
    ],
)
def test_bad_input_is_exit_code_2(tmp_path, args):
    result = hfsim_cli(*args, f"hydra.run.dir={tmp_path / 'out'}", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "history.csv").exists()


@pytest.mark.slow
def test_national_backcast_runs(tmp_path):
    out = tmp_path / "dk"
    result = hfsim_cli("run", "municipality=denmark", "experiment=history", "replications=1",
                       "output.workers=1", "report.figures=false", f"hydra.run.dir={out}",
                       cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "history.csv")
    assert sorted(set(table.year)) == list(range(2009, 2025))
    assert set(table.part.dropna()) == {"fitted", "held_out"}
