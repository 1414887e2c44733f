"""``hfsim validate``: the table, its columns and the pass rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import hfsim
from hfsim.cli import main
from hfsim.targets import load_targets, select_targets
from hfsim.validate import COLUMNS, validation_table

QUICK = [
    "municipality=small_town",
    "years=2",
    "warmup_years=1",
    "replications=2",
    "output.workers=1",
]


def test_validate_runs_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", *QUICK, f"hydra.run.dir={out}"]) == 0
    table = pd.read_csv(out / "validation.csv")
    assert list(table.columns) == list(COLUMNS)
    # the status quo under the old rules is what validate runs unless told otherwise
    status_quo = [*QUICK, "policy=status_quo", "regime=pre_2023"]
    expected, _ = select_targets(load_targets(), hfsim.load_config(status_quo))
    assert "shelter_ready_to_move_share" in set(expected["target"])
    assert list(table["target"]) == list(expected["target"])
    inside = (table["lower"] <= table["model_mean"]) & (table["model_mean"] <= table["upper"])
    assert (table["passed"] == inside).all()
    assert (table["source"].str.len() > 0).all()
    assert (out / "validation_replications.csv").exists()
    printed = capsys.readouterr().out
    assert "passed" in printed and "shelter_stay_mean" in printed
    assert "status_quo · pre_2023" in printed


def test_validate_runs_another_policy_when_told(tmp_path, capsys):
    out = tmp_path / "val"
    args = ["validate", *QUICK, "policy=housing_first", "regime=reform_2023"]
    assert main([*args, f"hydra.run.dir={out}"]) == 0
    assert "housing_first · reform_2023" in capsys.readouterr().out
    assert "retention_12m_hf" in set(pd.read_csv(out / "validation.csv")["target"])


def test_pass_rule_and_missing_values():
    targets = pd.DataFrame(
        {
            "target": ["a", "b", "c"],
            "kpi": ["x", "y", "z"],
            "observed": [1.0, 0.5, 0.2],
            "lower": [0.5, 0.4, 0.1],
            "upper": [1.5, 0.6, 0.3],
            "source": ["s1", "s2", "s3"],
        }
    )
    rows = pd.DataFrame({"x": [1.0, 1.2], "y": [0.9, 0.7], "z": [np.nan, np.nan]})
    table = validation_table(targets, rows)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["passed"]) == [True, False, False]
    assert table.loc[0, "model_mean"] == pytest.approx(1.1)
    assert table.loc[0, "model_ci_low"] < 1.1 < table.loc[0, "model_ci_high"]
    assert math.isnan(table.loc[2, "model_mean"])


def test_bad_input_is_a_one_line_error(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["validate", "municipality=nowhere", f"hydra.run.dir={out}"]) == 2
    assert "municipality" in capsys.readouterr().err
    assert not out.exists()


NATIONAL_NOT_YET = pytest.mark.xfail(
    strict=True,
    reason="not yet (issue #10): the status quo passes 25 of 36 national targets (aarhus 15 "
    "of 17); four rows cannot be computed, too many distinct shelter users, and CTI courses "
    "that begin in a shelter obtain too few dwellings (docs/validation.md)",
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("preset", "replications"),
    [("aarhus", 4), pytest.param("denmark", 2, marks=NATIONAL_NOT_YET)],
)
def test_shipped_presets_pass_four_in_five_targets(tmp_path, preset, replications):
    """The goal of issue #10 on a shorter run (10 + 6 years): the status quo (what `hfsim
    validate` runs by default) passes at least four in five targets, counting the rows the
    model cannot compute as failures. Under Housing First on main before the status quo, three
    in four passed; the targets describe the status quo, so it is what is validated now."""
    out = tmp_path / "val"
    args = [
        "validate", f"municipality={preset}", "years=6", f"replications={replications}",
        f"hydra.run.dir={out}",
    ]  # fmt: skip
    assert main(args) == 0
    table = pd.read_csv(out / "validation.csv")
    assert table["passed"].mean() >= 0.80, table.loc[~table["passed"], "target"].tolist()
