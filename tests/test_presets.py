"""Municipality presets: compose the same with and without Hydra, run, and follow their rules."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra

import hfsim
import hfsim.config.load
from hfsim.config import Config, group_options, to_config
from hfsim.model import HousingModel
from hfsim.municipalities import build_municipalities
from hfsim.results import compute_kpis

PRESETS = ("aarhus", "copenhagen", "odense", "small_town", "denmark")
SINGLE = {"aarhus": 751, "copenhagen": 101, "odense": 461}


def hydra_config(overrides: list[str]) -> Config:
    ConfigStore.instance().store(name="hfsim_schema", node=Config)
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(hfsim.config.load.CONFIG_DIR), version_base="1.3"):
        return to_config(compose("config", overrides=overrides))


def test_all_presets_are_shipped():
    assert set(PRESETS) <= set(group_options("municipality"))


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("extra", [[], ["policy=shelter_first", "shelter.capacity=33"]])
def test_hydra_and_load_config_agree(preset, extra):
    overrides = [f"municipality={preset}", *extra]
    assert dataclasses.asdict(hydra_config(overrides)) == dataclasses.asdict(
        hfsim.load_config(overrides)
    )


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_runs_a_short_replication(preset):
    cfg = hfsim.load_config({"municipality": preset, "years": 1, "warmup_years": 0})
    model = HousingModel(cfg, seed=3)
    model.check_invariants = preset != "denmark"
    kpis = compute_kpis(model.run())
    assert kpis["homeless_mean"] > 0
    assert len(model.municipalities) == (98 if preset == "denmark" else 1)


@pytest.mark.parametrize(("preset", "code"), SINGLE.items())
def test_single_presets_hold_their_part_of_denmark(preset, code):
    """A city preset has the supply its row of denmark gets (same totals, same shares)."""
    national = {
        s.code: s for s in build_municipalities(hfsim.load_config({"municipality": "denmark"}))
    }
    row = national[code]
    (alone,) = build_municipalities(hfsim.load_config({"municipality": preset}))
    for field in (
        "shelter_capacity",
        "transitional_capacity",
        "social_units",
        "cheap_units",
        "private_landlords",
        "staff",
        "neighbourhoods",
    ):
        assert getattr(alone, field) == getattr(row, field), field  # fmt: skip


def test_denmark_has_about_6000_homeless_over_98_municipalities():
    cfg = hfsim.load_config({"municipality": "denmark"})
    specs = build_municipalities(cfg)
    assert len(specs) == 98
    assert 5500 <= sum(s.initial_homeless for s in specs) <= 6500
    assert {s.region for s in specs} == {
        "Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland"
    }  # fmt: skip


@pytest.mark.parametrize("preset", PRESETS)
def test_every_value_says_where_it_comes_from(preset):
    """Each value line outside the calibrate block carries a source, `assumption` or
    `calibrated` in its comment."""
    path = hfsim.config.load.CONFIG_DIR / "municipality" / f"{preset}.yaml"
    block = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        top = re.match(r"^(\w+):", line)
        if top:
            block = top.group(1)
            continue
        if block in ("calibrate", "municipality") or not re.match(r"^  \w+:\s*\S", line):
            continue
        comment = line.partition("#")[2]
        assert re.search(r"\[[CSDU]\]|assumption|calibrated", comment), f"{preset}: {line}"


def test_odense_runs_its_guarantee():
    cfg = hfsim.load_config({"municipality": "odense"})
    assert cfg.allocation.guarantee_weeks == 13


def test_municipality_table_is_consistent():
    import pandas as pd

    from hfsim.municipalities import table_path

    table = pd.read_csv(table_path("municipalities_dk"))
    assert len(table) == 98 and table["code"].is_unique
    assert table.groupby("region").size().to_dict() == {
        "Hovedstaden": 29, "Midtjylland": 19, "Nordjylland": 11, "Sjælland": 17, "Syddanmark": 22
    }  # fmt: skip
    for column in ("homeless_share", "shelter_places_share", "social_housing_share"):
        assert table[column].sum() == pytest.approx(1.0, abs=1e-6), column
        assert (table[column] > 0).all(), column
    named = table.set_index("code")["name"]
    assert (named[101], named[751], named[461]) == ("København", "Aarhus", "Odense")
