"""``hfsim sensitivity``: parameter checks, the noise floors, and a study on a tiny budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfsim.cli import UsageError, main
from hfsim.sensitivity import (
    morris_noise_floor,
    parameter_ranges,
    run_sensitivity,
    salib_problem,
    sobol_noise_floor,
)

BASE = {"municipality": "small_town", "years": 2, "warmup_years": 1, "replications": 2}
PARAMETERS = {
    "citizens.inflow_per_year": [30, 60],
    "housing.anvisning_share": [0.2, 0.5],
    "shelter.capacity": [10, 30],
}


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({}, "sensitivity.parameters is empty"),
        ({"allocation.rule": [0, 1]}, "sensitivity.parameters.allocation.rule: allocation.rule is not numeric"),
        ({"housing.anvisning_share": [0.2, 1.5]}, r"sensitivity.parameters.housing.anvisning_share=\[0.2, 1.5\] leaves the allowed range \[0, 1\]"),
        ({"shelter.capacty": [1, 2]}, "unknown key 'shelter.capacty'"),
        ({"shelter.capacity": [20, 10]}, "low must be below high"),
        ({"shelter.capacity": 20}, r"must be \[low, high\]"),
    ],
)  # fmt: skip
def test_parameters_are_checked(parameters: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parameter_ranges(parameters)


def test_bad_input_on_the_command_line_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        ["sensitivity", "municipality=small_town", "replications=2",
         "+sensitivity.parameters={housing.anvisning_share:[0.2,1.5]}", f"hydra.run.dir={out}"]
    )  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "housing.anvisning_share" in err[0] and "[0, 1]" in err[0], err
    assert not out.exists()
    with pytest.raises(UsageError, match="replications must be at least 2"):
        run_sensitivity({**BASE, "replications": 1, "sensitivity.parameters": PARAMETERS}, tmp_path)
    with pytest.raises(UsageError, match="unknown KPI 'homeless'"):
        run_sensitivity(
            {**BASE, "sensitivity.parameters": PARAMETERS, "sensitivity.kpis": ["homeless"]},
            tmp_path,
        )


def _noisy(x: np.ndarray, replications: int, rng: np.random.Generator) -> np.ndarray:
    """A toy model: y = 10·x0 + noise; x1 has no effect. Points × replications."""
    return 10 * x[:, [0]] + rng.normal(0, 1.0, size=(len(x), replications))


def test_noise_floors_match_what_a_null_parameter_gets() -> None:
    from SALib.analyze import morris, sobol
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = salib_problem({"a": (0.0, 1.0), "b": (0.0, 1.0)})
    rng = np.random.default_rng(1)
    x = morris_sample.sample(problem, N=200, num_levels=4, seed=1)
    y = _noisy(x, 4, rng)
    mu_star = morris.analyze(problem, x, y.mean(axis=1), num_levels=4, seed=1)["mu_star"]
    floor = morris_noise_floor(x, y, problem, levels=4)
    assert 0.8 < mu_star[1] / floor[1] < 1.25  # the null parameter sits on its floor
    assert mu_star[0] > 10 * floor[0]  # the real effect is far above it
    x = sobol_sample.sample(problem, 512, calc_second_order=False, seed=1)
    y = _noisy(x, 4, rng)
    st = sobol.analyze(problem, y.mean(axis=1), calc_second_order=False, seed=1)["ST"]
    floor = sobol_noise_floor(y, problem)
    assert 0.7 < st[1] / floor[1] < 1.4
    assert st[0] > 0.9


@pytest.mark.slow
def test_study_on_a_tiny_budget_writes_table_noise_and_figures(tmp_path: Path) -> None:
    base = {**BASE, "sweep.workers": 1, "sensitivity.samples": 2,
            "sensitivity.parameters": PARAMETERS}  # fmt: skip
    table = run_sensitivity(base, tmp_path, progress=False)
    kpis = ["homeless_mean", "days_to_housing_median", "retention_12m", "cost_total_dkk_per_year"]
    written = pd.read_csv(tmp_path / "sensitivity.csv")
    assert list(written.columns[:2]) == ["kpi", "parameter"]
    for column in ("mu_star", "mu_star_conf", "sigma", "mu_star_noise_floor", "S1", "S1_conf",
                   "ST", "ST_conf", "ST_noise_floor"):  # fmt: skip
        assert column in written
    assert set(written["parameter"]) == set(PARAMETERS)
    assert set(written["kpi"]) <= set(kpis) and "cost_total_dkk_per_year" in set(written["kpi"])
    assert len(table) == len(written)
    noise = pd.read_csv(tmp_path / "noise.csv")
    assert set(noise["method"]) == {"morris", "sobol"} and set(noise["kpi"]) == set(kpis)
    assert (noise["noise_sd"] >= 0).all() and (noise["replications"] == 2).all()
    runs = pd.read_parquet(tmp_path / "morris" / "results.parquet")
    assert len(runs) == 2 * (3 + 1) * 2  # trajectories × (parameters + 1) × replications
    assert len(pd.read_parquet(tmp_path / "sobol" / "results.parquet")) == 2 * (3 + 2) * 2
    for name in ("morris_mu_star_sigma.png", "sobol_indices.png"):
        assert (tmp_path / "figures" / name).stat().st_size > 10_000
    # more people arriving means more homeless: the inflow's effect is clear of the noise
    inflow = written[(written["kpi"] == "homeless_mean")
                     & (written["parameter"] == "citizens.inflow_per_year")].iloc[0]  # fmt: skip
    assert inflow["mu"] > 0 and inflow["mu_star"] > inflow["mu_star_noise_floor"]


@pytest.mark.slow
def test_simulate_as_an_ema_workbench_model(tmp_path: Path) -> None:
    """The example of docs/interoperability.md: hfsim.simulate as an EMA Workbench model."""
    ema = pytest.importorskip("ema_workbench")
    import hfsim

    model = ema.ReplicatorModel("hfsim", function=hfsim.simulate)
    model.uncertainties = [
        ema.RealParameter("anvisning_share", 0.2, 0.5, variable_name="housing.anvisning_share"),
        ema.IntegerParameter("shelter_capacity", 10, 30, variable_name="shelter.capacity"),
    ]
    model.constants = [ema.Constant(k, v) for k, v in BASE.items() if k != "replications"]
    model.replications = [{"seed": s} for s in (1, 2)]
    model.outcomes = [ema.ScalarOutcome("homeless_mean", function=np.mean),
                      ema.ScalarOutcome("cost_total_dkk_per_year", function=np.mean)]  # fmt: skip
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = ema.perform_experiments(model, scenarios=3, evaluator=evaluator)
    assert len(experiments) == 3
    for i, row in experiments.iterrows():
        overrides = {**{k: v for k, v in BASE.items() if k != "replications"},
                     "housing.anvisning_share": float(row["anvisning_share"]),
                     "shelter.capacity": int(row["shelter_capacity"])}  # fmt: skip
        expected = np.mean([hfsim.simulate(seed=s, **overrides)["homeless_mean"] for s in (1, 2)])
        assert outcomes["homeless_mean"][i] == pytest.approx(expected, rel=1e-12)


def test_simulate_takes_numpy_scalars() -> None:
    import hfsim

    hfsim.simulate(seed=1, **{**BASE, "housing.anvisning_share": np.float64(0.3)})
