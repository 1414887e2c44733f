"""The config: composition (library and Hydra agree), validation and error messages."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hydra import compose, initialize_config_dir

from hfsim.config import Config, ConfigError, group_options, load_config, to_config
from hfsim.config.load import CONFIG_DIR, GROUPS


def test_defaults_compose():
    cfg = load_config()
    assert cfg.policy.name == "housing_first"
    assert cfg.regime.name == "reform_2023"
    assert cfg.municipality.name == "aarhus"
    assert cfg.housing.anvisning_share == 0.25


@pytest.mark.parametrize(
    ("policy", "regime"),
    list(itertools.product(group_options("policy"), group_options("regime"))),
)
def test_library_and_hydra_compose_the_same(policy, regime):
    overrides = [f"policy={policy}", f"regime={regime}", "shelter.capacity=123"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        hydra_cfg = to_config(compose("config", overrides=overrides))
    assert dataclasses.asdict(hydra_cfg) == dataclasses.asdict(load_config(overrides))


@pytest.mark.parametrize(
    "group",
    # the 100-odd municipalities take ten seconds: in the full suite, not the quick subset
    [pytest.param(g, marks=pytest.mark.slow) if g == "municipality" else g for g in GROUPS],
)
def test_every_group_option_composes(group):
    for option in group_options(group):
        cfg = load_config({group: option})
        assert isinstance(cfg, Config)


def test_every_numeric_default_has_a_source_or_says_assumption():
    def walk(node, prefix=""):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if dataclasses.is_dataclass(value):
                yield from walk(value, f"{prefix}{f.name}.")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                yield f"{prefix}{f.name}", f.metadata.get("source", "")

    missing = [key for key, source in walk(Config()) if not source]
    assert not missing, f"numeric defaults without a source: {missing}"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"shelter.capacity": -5}, "shelter.capacity=-5 is out of range; must be between 0"),
        ({"housing.anvisning_share": 1.5}, "housing.anvisning_share=1.5 is out of range"),
        ({"shelter.capcity": 5}, "unknown key 'shelter.capcity'; valid keys in shelter"),
        ({"nonsense": 1}, "unknown key 'nonsense'; valid keys in the top level"),
        ({"policy": "staircase"}, "policy='staircase' is not an option; allowed:"),
        (
            {"allocation.rule": "random"},
            "allocation.rule='random' is not allowed; allowed: first_come",
        ),
        ({"shelter.capacity": "many"}, "shelter.capacity"),
        ({"citizens.needs_share_low": 0.9}, "must sum to 1"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ConfigError) as err:
        load_config(overrides)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_string_overrides_parse_like_the_command_line():
    cfg = load_config(["shelter.capacity=40", "policy=mixed", "housing.private_guarantee=true"])
    assert cfg.shelter.capacity == 40
    assert cfg.policy.name == "mixed"
    assert cfg.housing.private_guarantee is True
