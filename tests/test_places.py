"""Every municipality and region of the national table as a preset, by its ASCII slug."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

import hfsim
from hfsim.config import ConfigError, group_options, register_table_presets, to_config
from hfsim.config.load import CONFIG_DIR
from hfsim.model import HousingModel
from hfsim.municipalities import (
    build_municipalities,
    derived_options,
    slugify,
    table_path,
    table_presets,
)

HFSIM = [sys.executable, "-m", "hfsim.cli"]
TABLE = pd.read_csv(table_path("municipalities_dk"))
SPLIT_FIELDS = (
    "initial_homeless",
    "shelter_capacity",
    "transitional_capacity",
    "social_units",
    "cheap_units",
    "private_landlords",
    "neighbourhoods",
)


@pytest.fixture(scope="module")
def denmark():
    return hfsim.load_config({"municipality": "denmark"})


@pytest.fixture(scope="module")
def national(denmark):
    return {s.code: s for s in build_municipalities(denmark)}


def cli(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*HFSIM, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def test_slugs_are_ascii_unique_and_transliterated():
    slugs = [slugify(n) for n in TABLE["name"]]
    assert len(set(slugs)) == 98
    assert all(s.isascii() and s.isalnum() and s == s.lower() for s in slugs)
    expected = {
        "København": "koebenhavn",
        "Ærø": "aeroe",
        "Høje-Taastrup": "hoejetaastrup",
        "Lyngby-Taarbæk": "lyngbytaarbaek",
        "Tårnby": "taarnby",
        "Ringkøbing-Skjern": "ringkoebingskjern",
        "Læsø": "laesoe",
        "Aabenraa": "aabenraa",
    }
    for name, slug in expected.items():
        assert slugify(name) == slug


def test_every_municipality_and_region_is_an_option():
    options = set(group_options("municipality"))
    assert {slugify(n) for n in TABLE["name"]} <= options
    assert {f"region_{slugify(r)}" for r in TABLE["region"].unique()} <= options
    # the five hand-built presets keep their names; aarhus and odense shadow their table rows
    assert {"aarhus", "copenhagen", "odense", "small_town", "denmark"} <= options
    assert "aarhus" not in derived_options() and "koebenhavn" in derived_options()


@pytest.mark.parametrize("slug", [s for s in derived_options() if not s.startswith("region_")])
def test_each_municipality_holds_its_part_of_denmark(slug, national, denmark):
    """Composes, builds a model of one municipality with its row's part of the totals."""
    cfg = hfsim.load_config({"municipality": slug, "years": 1, "warmup_years": 0})
    model = HousingModel(cfg, seed=1)
    (muni,) = model.municipalities
    row = national[table_presets()[slug].code]
    for field in SPLIT_FIELDS:
        assert getattr(muni.spec, field) == getattr(row, field), field
    assert muni.spec.inflow_per_year == pytest.approx(row.inflow_per_year, abs=1e-3)
    for method, staff in row.staff.items():  # a municipality alone keeps a team
        assert muni.spec.staff[method] == max(staff, 1)
    assert cfg.municipality.provenance.startswith("derived from the national table")
    # behaviour parameters are the national calibration's
    assert cfg.citizens.stay_mean_days_chronic == denmark.citizens.stay_mean_days_chronic
    assert cfg.tenancy == denmark.tenancy


@pytest.mark.parametrize("slug", [s for s in derived_options() if s.startswith("region_")])
def test_each_region_holds_its_municipalities_parts(slug, national):
    cfg = hfsim.load_config({"municipality": slug})
    specs = build_municipalities(cfg)
    region = table_presets()[slug].region
    rows = [s for s in national.values() if s.region == region]
    assert sorted(s.code for s in specs) == sorted(s.code for s in rows)
    for field in ("initial_homeless", "shelter_capacity", "social_units", "private_landlords"):
        assert sum(getattr(s, field) for s in specs) == sum(getattr(s, field) for s in rows)
    HousingModel(dataclasses.replace(cfg, years=1, warmup_years=0), seed=1)


def test_copenhagen_preset_and_koebenhavn_differ_as_documented():
    preset = hfsim.load_config({"municipality": "copenhagen"})
    derived = hfsim.load_config({"municipality": "koebenhavn"})
    assert preset.citizens.initial_homeless == 1370  # the local count, 2022
    assert derived.citizens.initial_homeless != 1370  # its share of the 2024 national count
    assert preset.shelter.capacity == derived.shelter.capacity  # same supply rule


@pytest.mark.parametrize("slug", ["kolding", "region_midtjylland"])
def test_hydra_and_the_library_compose_the_same(slug):
    register_table_presets()
    GlobalHydra.instance().clear()
    overrides = [f"municipality={slug}", "policy=shelter_first", "shelter.capacity=33"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        hydra_cfg = to_config(compose("config", overrides=overrides))
    assert dataclasses.asdict(hydra_cfg) == dataclasses.asdict(hfsim.load_config(overrides))


def test_library_points_a_wrong_case_name_to_its_slug():
    with pytest.raises(ConfigError, match="did you mean municipality=kolding"):
        hfsim.load_config({"municipality": "Kolding"})


@pytest.mark.parametrize(
    ("typed", "slug"),
    [("København", "koebenhavn"), ("Ærø", "aeroe"), ("Høje-Taastrup", "hoejetaastrup")],
)
def test_cli_points_a_danish_name_to_its_slug(tmp_path, typed, slug):
    result = cli("run", f"municipality={typed}", cwd=tmp_path)
    assert result.returncode == 2
    expected = f"municipality={typed}: unknown municipality; did you mean municipality={slug}?"
    assert expected in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_lists_the_municipalities(tmp_path):
    result = cli("municipalities", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["kolding", "Kolding"] for line in lines)
    assert any(line.startswith("region_midtjylland") for line in lines)
    assert sum(1 for line in lines if "%" in line) == 98 + 5
    assert not list(tmp_path.iterdir())  # a listing writes no output directory


@pytest.mark.slow  # an end-to-end run: in the full suite, not the quick subset
def test_kolding_compare_runs_end_to_end(tmp_path):
    out = tmp_path / "out"
    result = cli(
        "compare", "municipality=kolding", "years=1", "warmup_years=1", "replications=2",
        "output.workers=1", f"hydra.run.dir={out}", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "comparison.csv")
    assert len(table) > 0
    assert (out / "report.html").is_file()
    assert "kolding" in (out / "config.yaml").read_text()
