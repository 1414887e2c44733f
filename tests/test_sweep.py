"""``hfsim sweep``: points, validation, determinism across workers, resume after ``kill -9``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfsim import KPI_NAMES, ConfigError, load_config
from hfsim.cli import UsageError, main
from hfsim.sweep import (
    PARTS,
    build_plan,
    expand_points,
    parse_sweeps,
    read_parts,
    run_sweep,
    write_part,
)

BASE = {"municipality": "small_town", "years": 2, "warmup_years": 1, "replications": 2}
SWEEPS = ["shelter.capacity=10,20", "housing.anvisning_share=0.25,0.5"]
HFSIM = [sys.executable, "-c", "import sys; from hfsim.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The reference: the sweep run in this process, one run after another."""
    out = tmp_path_factory.mktemp("w1")
    return run_sweep({**BASE, "sweep.workers": 1}, SWEEPS, out, progress=False)


def test_rows_columns_and_common_seeds(one_worker: pd.DataFrame) -> None:
    rows = one_worker
    assert list(rows.columns) == [
        "shelter.capacity", "housing.anvisning_share", "point", "replication", "seed", *KPI_NAMES,
    ]  # fmt: skip
    assert len(rows) == 4 * 2
    assert rows["shelter.capacity"].dtype == np.int64
    assert rows["housing.anvisning_share"].dtype == np.float64
    assert sorted(set(zip(rows["shelter.capacity"], rows["housing.anvisning_share"], strict=True))) == [
        (10, 0.25), (10, 0.5), (20, 0.25), (20, 0.5),
    ]  # fmt: skip
    # replication r runs on the same seed at every point (common random numbers)
    assert rows.groupby("replication")["seed"].nunique().eq(1).all()
    assert rows.groupby("point")["seed"].nunique().eq(2).all()
    # the points differ (the swept value reaches the model)
    assert rows.groupby("point")["cost_total_dkk_per_year"].mean().nunique() > 1


def test_rows_do_not_depend_on_worker_count(one_worker: pd.DataFrame, tmp_path: Path) -> None:
    two = run_sweep({**BASE, "sweep.workers": 2}, SWEEPS, tmp_path, progress=False)
    pd.testing.assert_frame_equal(one_worker, two, check_exact=True)
    assert pd.read_parquet(tmp_path / "results.parquet").equals(two)


@pytest.mark.slow  # an end-to-end run: in the full suite, not the quick subset
def test_resume_after_kill_gives_the_uninterrupted_rows(
    one_worker: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "killed"
    args = [
        "sweep", *(f"{k}={v}" for k, v in BASE.items()), *SWEEPS, f"hydra.run.dir={out}",
    ]  # fmt: skip
    proc = subprocess.Popen(
        [*HFSIM, *args, "sweep.workers=1"],
        start_new_session=True,  # its own process group, killed whole below
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / PARTS).glob("p*.parquet"))) >= 2:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = len(list((out / PARTS).glob("p*.parquet")))
    assert 2 <= finished < 8
    # a run killed while writing leaves a temporary file; plant one to be sure it is ignored
    (out / PARTS / ".tmp-p0000003-r00001.parquet-123").write_bytes(b"PAR1 half a file")
    assert main([*args, "sweep.workers=2"]) == 0  # the same command again, in this process
    stdout = capsys.readouterr().out
    skipped = re.search(r"resuming in .*: (\d+) runs already finished, skipped", stdout)
    assert skipped, stdout
    assert finished <= int(skipped[1]) < 8  # parts written between the count and the kill count
    rows = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(rows, one_worker, check_exact=True)
    assert not list((out / PARTS).glob(".tmp-*"))


def test_a_corrupt_part_is_not_taken_as_finished(tmp_path: Path) -> None:
    parts = tmp_path / PARTS
    parts.mkdir()
    row = {"point": 0, "replication": 1, "seed": 5, **dict.fromkeys(KPI_NAMES, 1.0)}
    write_part(parts, row)
    (parts / "p0000001-r00000.parquet").write_bytes(b"PAR1 truncated")  # not a parquet file
    write_part(parts, {**row, "point": 2})
    (parts / "p0000002-r00001.parquet").rename(parts / "p0000003-r00001.parquet")  # wrong row
    table = read_parts(parts, n_points=4, replications=2)
    assert table.to_pydict()["point"] == [0]
    assert sorted(p.name for p in parts.iterdir()) == ["p0000000-r00001.parquet"]


def test_resume_refuses_a_different_sweep(tmp_path: Path) -> None:
    base = {**BASE, "replications": 1, "sweep.workers": 1}
    run_sweep(base, ["shelter.capacity=10,20"], tmp_path, progress=False)
    with pytest.raises(UsageError, match=r"different sweep.*shelter.capacity values"):
        run_sweep(base, ["shelter.capacity=10,30"], tmp_path, progress=False)
    with pytest.raises(UsageError, match=r"different sweep.*replications"):
        run_sweep({**base, "replications": 2}, ["shelter.capacity=10,20"], tmp_path, progress=False)
    # execution settings may change on resume
    again = run_sweep(
        {**base, "sweep.workers": 2}, ["shelter.capacity=10,20"], tmp_path, progress=False
    )
    assert len(again) == 2


def test_axes_grid_range_choice_and_groups() -> None:
    axes = parse_sweeps(
        ["shelter.capacity=range(10,31,10)", "policy=choice(housing_first,shelter_first)"]
    )
    points = expand_points(axes, samples=0, seed=0)
    assert points[:2] == [
        {"shelter.capacity": 10, "policy": "housing_first"},
        {"shelter.capacity": 10, "policy": "shelter_first"},
    ]
    assert len(points) == 6
    plan = build_plan({"municipality": "small_town"}, points)
    assert [c.policy.name for c in plan.configs[:2]] == ["housing_first", "shelter_first"]
    assert plan.configs[5].shelter.capacity == 30
    # the fast path gives exactly the config the library composes
    assert plan.configs[3] == load_config(
        {"municipality": "small_town", "shelter.capacity": 20, "policy": "shelter_first"}
    )


def test_interval_is_a_seeded_latin_hypercube() -> None:
    axes = parse_sweeps(
        ["housing.anvisning_share=interval(0.2,0.6)", "shelter.capacity=interval(10,50)"]
    )
    points = expand_points(axes, samples=8, seed=3)
    assert points == expand_points(axes, samples=8, seed=3)
    assert points != expand_points(axes, samples=8, seed=4)
    shares = np.array([p["housing.anvisning_share"] for p in points])
    # one sample in each of the 8 strata of the range
    assert sorted(np.floor((shares - 0.2) / 0.05).astype(int)) == list(range(8))
    plan = build_plan({"municipality": "small_town"}, points, {a.key: a.bounds for a in axes})
    capacities = [p["shelter.capacity"] for p in plan.points]
    assert all(isinstance(c, int) and 10 <= c <= 50 for c in capacities)


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        (
            "shelter.capacity=10,-5",
            "shelter.capacity=-5 is out of range; must be between 0 and 100000",
        ),
        ("housing.anvisning_share=interval(0.2,1.5)", "housing.anvisning_share=interval(0.2,1.5)"),
        ("shelter.capacty=1,2", "unknown key 'shelter.capacty'"),
        ("seed=1,2", "seed cannot be swept"),
        ("citizens.needs_share_low=0.3,0.35", "must sum to 1"),
    ],
)
def test_bad_sweep_values_exit_2_before_anything_runs(
    sweep: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["sweep", "municipality=small_town", sweep, "sweep.samples=2", f"hydra.run.dir={out}"]
    if "interval" not in sweep:
        args.remove("sweep.samples=2")
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_interval_needs_samples() -> None:
    axes = parse_sweeps(["housing.anvisning_share=interval(0.2,0.5)"])
    with pytest.raises(UsageError, match="sweep.samples"):
        expand_points(axes, samples=0, seed=0)
    with pytest.raises(ConfigError, match="out of range"):
        build_plan({}, [{"housing.anvisning_share": 1.5}])


@pytest.mark.slow
def test_hydra_multirun_with_the_joblib_launcher(tmp_path: Path) -> None:
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    out = tmp_path / "multirun"
    proc = subprocess.run(
        [sys.executable, "-m", "hfsim.sweep", "-m", "hydra/launcher=joblib",
         "hydra.launcher.n_jobs=2", *(f"{k}={v}" for k, v in BASE.items()), "replications=1",
         "report.figures=false", "shelter.capacity=10,20", f"hydra.sweep.dir={out}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for job, capacity in (("0", 10), ("1", 20)):
        assert (
            load_config(
                [f"{k}={v}" for k, v in BASE.items()] + [f"shelter.capacity={capacity}"]
            ).shelter.capacity
            == capacity
        )
        summary = (out / job / "config.yaml").read_text()
        assert f"capacity: {capacity}\n" in summary
        assert (out / job / "kpis.csv").exists()
