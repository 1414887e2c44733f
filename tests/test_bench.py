"""``hfsim bench`` at a reduced size: the shape of its output (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hfsim import load_config
from hfsim.bench import (
    SCALED_KEYS,
    TARGET_RATIO_MUNICIPALITY,
    TARGET_RATIO_NATIONAL,
    Measurement,
    bench_config,
    bench_report,
    format_report,
    ratio_target,
    scaled_config,
    targets_table,
)
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
         "bench.horizons=[1]", "bench.parallel_runs=2", "bench.trivial_agents=500",
         f"hydra.run.dir={tmp_path}"]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "naive / model wall time" in out and "speed-up" in out
    report = json.loads((tmp_path / "bench.json").read_text())
    plan = {(m["kind"], m["scale"], m["years"]) for m in report["measurements"]}
    expected = {(k, s, y) for k in ("model", "naive") for s, y in ((1, 2), (2, 2), (1, 1))}
    assert plan == expected | {("trivial", 1, 2)}  # the yardstick once, over the horizon
    trivial = next(m for m in report["measurements"] if m["kind"] == "trivial")
    assert trivial["citizen_weeks"] == 500 * 104
    for m in report["measurements"]:
        assert m["wall_s"] > 0 and m["events"] > 0 and m["citizen_weeks"] > 0
        assert m["peak_rss_mib"] >= m["start_rss_mib"] > 0
    doubled = {m["kind"]: m for m in report["measurements"] if m["scale"] == 2}
    single = {m["kind"]: m for m in report["measurements"] if m["scale"] == 1 and m["years"] == 2}
    for kind in ("model", "naive"):  # twice the population: about twice the citizen-weeks
        assert 1.5 < doubled[kind]["citizen_weeks"] / single[kind]["citizen_weeks"] < 2.7
    assert set(report["speedup"]) == {"model", "naive"}
    names = [t["target"] for t in report["targets"]]
    assert names == [
        "2-year run / trivial Mesa loop", "time ~ population^k, k", "time ~ horizon^k, k",
        "peak memory MiB", f"replication speed-up on {report['speedup']['model']['workers']} cores",
    ]  # fmt: skip
    ratio = report["ratio_to_trivial"]["model"]
    assert report["targets"][0]["value"] == pytest.approx(ratio)
    assert ratio == pytest.approx(single["model"]["wall_s"] / trivial["wall_s"])
    for line in ("2-year run / trivial Mesa loop", "measured", "met"):
        assert line in out


def _m(kind: str, wall: float, scale: float = 1.0, years: int = 10, peak: float = 300.0):
    return Measurement(kind, scale, years, wall, 1, 1, peak, 100.0)


def test_targets_table_says_which_targets_are_met() -> None:
    national = load_config({"municipality": "denmark"})
    assert ratio_target(national) == TARGET_RATIO_NATIONAL
    assert ratio_target(load_config({"municipality": "aarhus"})) == TARGET_RATIO_MUNICIPALITY
    base = {"model": _m("model", 3.0), "trivial": _m("trivial", 10.0)}
    growth = {"model": {"population_exponent": 1.05, "horizon_exponent": float("nan")}}
    speedups = {"model": {"speedup": 1.69}}
    rows = {r["target"]: r for r in targets_table(national, base, growth, speedups, cores=2)}
    met = {name: r["passed"] for name, r in rows.items()}
    assert met == {
        "10-year run / trivial Mesa loop": True,  # 0.30 <= 0.33
        "time ~ population^k, k": True,
        "time ~ horizon^k, k": False,  # not measured is not met
        "peak memory MiB": True,
        "replication speed-up on 2 cores": False,  # 1.69 < 1.7
    }
    assert rows["10-year run / trivial Mesa loop"]["value"] == pytest.approx(0.3)
    assert rows["10-year run / trivial Mesa loop"]["goal"] == "<= 0.33"
    base["model"] = _m("model", 3.4, peak=2000.0)  # 0.34 of the loop, too much memory
    aarhus = load_config({"municipality": "aarhus"})
    rows = {r["target"]: r for r in targets_table(aarhus, base, growth, speedups, cores=2)}
    assert not rows["10-year run / trivial Mesa loop"]["passed"]
    assert rows["10-year run / trivial Mesa loop"]["goal"] == "<= 0.1"
    assert not rows["peak memory MiB"]["passed"]


def test_a_target_that_was_not_measured_says_so() -> None:
    """With one scale (``bench.scales=[1]``) the exponent cannot be measured: the table says
    "not measured" instead of printing nan beside a bare "no"."""
    cfg = load_config({"municipality": "aarhus"})
    measurements = [_m("model", 3.0), _m("trivial", 10.0)]
    speedups = {
        "model": {"runs": 2, "serial_s": 6.0, "parallel_s": 3.2, "workers": 2, "speedup": 1.9}
    }
    out = format_report(bench_report(cfg, measurements, speedups, cores=2))
    assert "nan" not in out
    assert "population^? (one value in bench.scales)" in out
    row = next(line for line in out.splitlines() if line.startswith("time ~ horizon^k"))
    assert row.split()[-4:] == ["1.1", "no", "(not", "measured)"]
    assert "n/a" in row
    ratio = next(line for line in out.splitlines() if "trivial Mesa loop" in line and "<=" in line)
    assert ratio.split()[-4:] == ["0.30", "<=", "0.1", "no"]
