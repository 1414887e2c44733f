"""The command line as a user meets it: outputs, bad input, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hfsim.results import KPI_NAMES

HFSIM = [sys.executable, "-m", "hfsim.cli"]
SMALL_RUN = ["municipality=small_town", "years=2", "warmup_years=1", "replications=2"]


def hfsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*HFSIM, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.slow
def test_run_writes_every_output(tmp_path):
    out = tmp_path / "out"
    result = hfsim("run", *SMALL_RUN, f"hydra.run.dir={out}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("config.yaml", "summary.json", "kpis.csv", "timeseries.parquet",
                 "tenancies.parquet", "report.html"):  # fmt: skip
        assert (out / name).is_file(), name
    assert list((out / "figures").glob("*.png"))
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["kpis"]) == set(KPI_NAMES)
    assert summary["seed"] == 0 and summary["scenario"] == "housing_first"
    kpis = pd.read_csv(out / "kpis.csv")
    assert len(kpis) == 2 and set(KPI_NAMES) <= set(kpis.columns)
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts.columns) == [
        "scenario",
        "replication",
        "step",
        "municipality",
        "metric",
        "value",
    ]
    tenancies = pd.read_parquet(out / "tenancies.parquet")
    assert {"citizen", "unit", "landlord_kind", "start_week", "end_week", "how_ended",
            "support_method"} <= set(tenancies.columns)  # fmt: skip


@pytest.mark.slow
def test_saved_config_reproduces_the_run(tmp_path):
    import yaml

    import hfsim
    from hfsim.config import to_config
    from hfsim.runner import run_replication

    out = tmp_path / "out"
    assert hfsim_ok(tmp_path, "run", *SMALL_RUN, "seed=5", f"hydra.run.dir={out}")
    saved = to_config(yaml.safe_load((out / "config.yaml").read_text()))
    kpis = pd.read_csv(out / "kpis.csv")
    again = run_replication(saved, 1, tables=False).kpis
    row = kpis[kpis.replication == 1].iloc[0]
    for key in hfsim.KPI_NAMES:
        assert again[key] == pytest.approx(row[key], nan_ok=True), key


def hfsim_ok(cwd: Path, *args: str) -> bool:
    result = hfsim(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["shelter.capacity=-5"], "shelter.capacity=-5 is out of range; must be between 0 and"),
        (["shelter.capcity=5"], "unknown key 'shelter.capcity'"),
        (["policy=staircase"], "allowed: housing_first, mixed, shelter_first"),
        (["regime=2023"], "regime='2023' is not an option"),
        (["shelter.capacity=20,40"], "is a sweep; use `hfsim sweep`"),
        (["housing.anvisning_share=lots"], "housing.anvisning_share"),
        (["--frobnicate"], "unknown option"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    result = hfsim("run", *args, f"hydra.run.dir={out}", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_unknown_command(tmp_path):
    result = hfsim("frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown command" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"]])
def test_help(tmp_path, args):
    result = hfsim(*args, cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: hfsim" in result.stdout


@pytest.mark.slow
def test_policies_and_regimes_run_from_the_command_line(tmp_path):
    for extra in (
        ["policy=shelter_first"],
        ["policy=mixed"],
        ["regime=pre_2023"],
        ["regime=reform_2026"],
    ):
        out = tmp_path / "_".join(extra).replace("=", "-")
        args = ["run", "municipality=small_town", "years=1", "warmup_years=0", "replications=1",
                "report.figures=false", *extra, f"hydra.run.dir={out}"]  # fmt: skip
        assert hfsim_ok(tmp_path, *args)
        assert (out / "summary.json").is_file()


def test_help_and_refusals_do_not_load_the_model():
    """`hfsim --help` and a refused command line answer without importing Mesa, pandas or
    scipy (a second of start-up each time; the commands' modules load when they run)."""
    code = (
        "import sys, hfsim.cli; hfsim.cli._load_commands(); print(len(hfsim.cli.COMMANDS)); "
        "print(sorted(m for m in ('mesa', 'pandas', 'scipy', 'hfsim.model') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    commands, loaded = done.stdout.split()
    assert int(commands) == 9 and loaded == "[]", done.stdout
