"""``hfsim calibrate``: the search space, the objective, the optimiser and writing the fit."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import yaml

import hfsim
from hfsim.calibrate import (
    Parameter,
    calibrate,
    format_value,
    header_key,
    objective_terms,
    parameter_space,
    set_header,
    set_yaml_values,
    with_values,
)
from hfsim.cli import main
from hfsim.config import ConfigError

STAY = "citizens.stay_mean_days_transitional"
TINY = {
    "municipality": "small_town",
    "years": 2,
    "warmup_years": 1,
    "calibrate.parameters": {STAY: [5, 300]},
    "calibrate.targets": ["shelter_stay_mean"],
    "calibrate.replications": 2,
}


def test_scaling_round_trips():
    linear = Parameter("x", 0.2, 0.9, log=False, integer=False)
    log = Parameter("y", 1.0, 1000.0, log=True, integer=False)
    for p, value in ((linear, 0.55), (log, 31.6)):
        assert p.from_unit(p.to_unit(value)) == pytest.approx(value)
    assert log.to_unit(1000.0) == pytest.approx(1.0)
    assert log.from_unit(0.5) == pytest.approx(math.sqrt(1000.0))
    assert linear.from_unit(2.0) == pytest.approx(0.9) and linear.from_unit(2.0) <= 0.9


def test_space_is_checked_against_the_schema():
    cfg = hfsim.load_config(TINY)
    (p,) = parameter_space(cfg)
    assert p.key == STAY and p.log
    with pytest.raises(ConfigError, match="unknown key"):
        parameter_space(
            hfsim.load_config({**TINY, "calibrate.parameters": {"citizens.nope": [1, 2]}})
        )
    with pytest.raises(ConfigError, match="within the key's range"):
        parameter_space(
            hfsim.load_config({**TINY, "calibrate.parameters": {"tenancy.support_effect": [0, 2]}})
        )
    with pytest.raises(ConfigError, match="calibrate.free"):
        parameter_space(hfsim.load_config({**TINY, "calibrate.free": ["tenancy.support_effect"]}))


def test_with_values_copies():
    cfg = hfsim.load_config(TINY)
    new = with_values(cfg, {STAY: 12.5, "citizens.initial_homeless": 7.0})
    assert new.citizens.stay_mean_days_transitional == 12.5
    assert new.citizens.initial_homeless == 7 and isinstance(new.citizens.initial_homeless, int)
    assert cfg.citizens.stay_mean_days_transitional != 12.5


def test_objective_terms():
    targets = pd.DataFrame(
        {"target": ["a", "b"], "kpi": ["x", "y"], "observed": [10.0, 0.5],
         "lower": [8.0, 0.4], "upper": [12.0, 0.6]}
    )  # fmt: skip
    terms = objective_terms({"x": 10.0, "y": 0.8}, targets, centre_weight=0.0)
    assert terms["a"] == 0.0
    assert terms["b"] == pytest.approx((0.2 / 0.1) ** 2)
    terms = objective_terms({"x": 11.0, "y": float("nan")}, targets, centre_weight=1.0)
    assert terms["a"] == pytest.approx(0.25)
    assert terms["b"] == 100.0


def test_calibration_improves_a_bad_start():
    """Transitional stays of 5 days make the mean stay far too short: the fit must lengthen them."""
    cfg = hfsim.load_config({**TINY, STAY: 5.0, "calibrate.budget": 8})
    result = calibrate(cfg)
    assert len(result.history) <= 8
    assert result.best_objective <= result.start_objective
    assert result.best_objective < 0.5 * result.start_objective
    assert result.best[STAY] > 5.0
    assert result.fit.loc[0, "fitted_mean"] > result.fit.loc[0, "start_mean"]


def test_common_random_numbers_make_evaluations_repeatable():
    cfg = hfsim.load_config({**TINY, "calibrate.budget": 2})
    a, b = calibrate(cfg), calibrate(cfg)
    assert a.start_objective == b.start_objective
    assert list(a.history["objective"]) == list(b.history["objective"])


def test_yaml_values_are_written_in_place():
    text = (
        "# @package _global_\n# a preset\ncitizens:\n  initial_homeless: 40  # [C] count\n"
        "  inflow_per_year: 45   # old\nshelter:\n  capacity: 20  # assumption\n"
    )
    new = set_yaml_values(
        text,
        {"citizens.inflow_per_year": "61.5", "citizens.stay_mean_days_chronic": "210.0",
         "tenancy.support_effect": "0.8"},
        "calibrated 2024-01-01",
    )  # fmt: skip
    new = set_header(new, header_key("aarhus", 2), "today, objective 3 -> 1")
    data = yaml.safe_load(new)
    assert data["citizens"] == {
        "initial_homeless": 40, "inflow_per_year": 61.5, "stay_mean_days_chronic": 210.0
    }  # fmt: skip
    assert data["shelter"] == {"capacity": 20}
    assert data["tenancy"] == {"support_effect": 0.8}
    assert "# [C] count" in new and "# old" not in new
    assert new.splitlines()[1] == "# calibration (aarhus, 2 parameters): today, objective 3 -> 1"
    again = set_header(new, header_key("aarhus", 2), "again")
    assert again.count("# calibration (") == 1 and "again" in again
    both = set_header(again, header_key("denmark", 1), "national")
    assert both.splitlines()[1:3] == [
        "# calibration (aarhus, 2 parameters): again",
        "# calibration (denmark, 1 parameter): national",
    ]


def test_format_value():
    assert format_value(612.3456) == "612.3"
    assert format_value(0.000123456) == "0.0001235"
    assert format_value(7.6, integer=True) == "8"
    assert yaml.safe_load(format_value(1234567.0)) == pytest.approx(1235000.0)


def test_command_writes_its_outputs(tmp_path):
    out = tmp_path / "cal"
    extra = tmp_path / "fitted.yaml"
    args = [
        "calibrate", "municipality=small_town", "years=2", "warmup_years=1",
        f"++calibrate.parameters={{{STAY}:[5,300]}}", "calibrate.targets=[shelter_stay_mean]",
        "calibrate.budget=3", "calibrate.replications=1", f"calibrate.output={extra}",
        f"hydra.run.dir={out}",
    ]  # fmt: skip
    assert main(args) == 0
    record = json.loads((out / "calibration.json").read_text())
    assert record["evaluations"] == 3
    assert record["objective_best"] <= record["objective_start"]
    assert len(pd.read_csv(out / "calibration_history.csv")) == 3
    fitted = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert fitted["citizens"]["stay_mean_days_transitional"] == pytest.approx(
        record["parameters"][STAY]["fitted"], rel=1e-3
    )
    assert extra.read_text() == (out / "calibrated.yaml").read_text()
    assert hfsim.load_config(
        ["municipality=small_town", f"{STAY}={fitted['citizens']['stay_mean_days_transitional']}"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calibrate", "municipality=small_town"], "calibrate.parameters is empty"),
        (["calibrate", "municipality=aarhus", "calibrate.write_presets=[nowhere]"], "not a preset"),
        (["calibrate", "municipality=aarhus", "calibrate.targets=[nope]"], "unknown target"),
    ],
)
def test_bad_input_exits_2(tmp_path, capsys, args, message):
    out = tmp_path / "bad"
    assert main([*args, f"hydra.run.dir={out}"]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize(("start", "seed"), [(110.0, 0), (160.0, 1)])
def test_the_documented_command_reproduces_a_shipped_value(tmp_path, start, seed):
    """Step 4 of docs/calibration.md (Odense's inflow) from another start, and on other
    random numbers, finds the shipped value again within noise (measured: 134.8 and 139.7
    against the shipped 134.5)."""
    shipped = hfsim.load_config({"municipality": "odense"}).citizens.inflow_per_year
    out = tmp_path / "cal"
    args = [
        "calibrate", "municipality=odense", "years=6", "calibrate.budget=12",
        "calibrate.replications=2", f"citizens.inflow_per_year={start}", f"seed={seed}",
        f"hydra.run.dir={out}",
    ]  # fmt: skip
    assert main(args) == 0
    fitted = json.loads((out / "calibration.json").read_text())["parameters"]
    assert fitted["citizens.inflow_per_year"]["fitted"] == pytest.approx(shipped, rel=0.08)
