"""``hfsim bench`` at a reduced size: the shape of its output (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hfsim import load_config
from hfsim.bench import SCALED_KEYS, bench_config, scaled_config
from hfsim.cli import main
from hfsim.naive import NaiveModel
from hfsim.sweep import get_value


def test_scaling_multiplies_population_and_capacity_together() -> None:
    cfg = load_config({"municipality": "small_town"})
    double = scaled_config(cfg, 2.0, years=5)
    assert double.years == 5
    for key in SCALED_KEYS:
        assert get_value(double, key) == pytest.approx(2 * get_value(cfg, key), abs=0.5), key
    assert double.housing.anvisning_share == cfg.housing.anvisning_share


def test_the_bench_defaults_to_the_national_preset() -> None:
    assert bench_config({}).municipality.name == "denmark"
    assert bench_config({"municipality": "small_town"}).municipality.name == "small_town"


def test_naive_baseline_has_the_population_of_the_model() -> None:
    cfg = load_config({"municipality": "small_town", "years": 2, "warmup_years": 1})
    naive = NaiveModel(cfg, seed=1).run()
    assert naive.citizen_weeks > 0 and naive.transitions > 0
    alive = sum(v for k, v in naive.population.items() if k != "exited")
    assert alive == len(naive.agents)  # counts and agents agree
    assert all(free >= 0 for free in naive.shelter_free)


def test_bench_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["bench", "municipality=small_town", "years=2", "warmup_years=1", "bench.scales=[1,2]",
         "bench.horizons=[1]", "bench.parallel_runs=2", f"hydra.run.dir={tmp_path}"]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "naive / model wall time" in out and "speed-up" in out
    report = json.loads((tmp_path / "bench.json").read_text())
    plan = {(m["kind"], m["scale"], m["years"]) for m in report["measurements"]}
    assert plan == {(k, s, y) for k in ("model", "naive") for s, y in ((1, 2), (2, 2), (1, 1))}
    for m in report["measurements"]:
        assert m["wall_s"] > 0 and m["events"] > 0 and m["citizen_weeks"] > 0
        assert m["peak_rss_mib"] >= m["start_rss_mib"] > 0
    doubled = {m["kind"]: m for m in report["measurements"] if m["scale"] == 2}
    single = {m["kind"]: m for m in report["measurements"] if m["scale"] == 1 and m["years"] == 2}
    for kind in ("model", "naive"):  # twice the population: about twice the citizen-weeks
        assert 1.5 < doubled[kind]["citizen_weeks"] / single[kind]["citizen_weeks"] < 2.7
    assert set(report["speedup"]) == {"model", "naive"}
    assert {t["target"] for t in report["targets"]} >= {"wall seconds, one core", "peak memory MiB"}
