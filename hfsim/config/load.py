"""Compose, check and freeze a configuration without Hydra.

The command line composes configs with Hydra; the library composes the same YAML files with
OmegaConf alone, so ``simulate(**overrides)`` works in a notebook, a SALib loop or a Dask
worker without Hydra's global state. ``tests/test_config.py`` checks that both routes give
the same config for every option of every group.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import (
    ConfigAttributeError,
    ConfigKeyError,
    OmegaConfBaseException,
    ValidationError,
)

from hfsim.config.schema import Config
from hfsim.config.tables import check_tables
from hfsim.config.validate import ConfigError, check_fields, check_override

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
GROUPS = ("policy", "municipality", "regime", "experiment")


def group_options(group: str) -> list[str]:
    """Names of the options of one config group (the YAML files in ``configs/<group>/``;
    for ``municipality`` also the presets derived from the national table)."""
    files = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
    if group != "municipality":
        return files
    from hfsim.municipalities import derived_options

    return files + derived_options()


def _read_yaml(path: Path) -> tuple[dict[str, Any], str | None]:
    """Read a config file and its ``# @package`` header, if any."""
    text = path.read_text(encoding="utf-8")
    package = None
    for line in text.splitlines():
        if line.startswith("# @package"):
            package = line.split("@package", 1)[1].strip()
            break
    return yaml.safe_load(text) or {}, package


def _default_groups() -> dict[str, str]:
    """The group choices of the root config's defaults list."""
    root, _ = _read_yaml(CONFIG_DIR / "config.yaml")
    choices = {}
    for entry in root.get("defaults", []):
        if isinstance(entry, dict):
            choices.update(entry)
    return choices


def _split_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Separate group choices (``policy=shelter_first``) from dotted values."""
    groups, values = {}, {}
    for key, value in overrides.items():
        if key in GROUPS and not isinstance(value, Mapping):
            value = str(value)
            if value not in group_options(key):
                if key == "municipality":
                    from hfsim.municipalities import unknown_municipality

                    raise ConfigError(unknown_municipality(value, group_options(key)))
                raise ConfigError(
                    f"{key}={value!r} is not an option; allowed: {', '.join(group_options(key))}"
                )
            groups[key] = value
        else:
            values[key] = value
    return groups, values


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """Turn command-line style ``key=value`` strings into a dict (values parsed as YAML).

    Args:
        items: Strings such as ``"shelter.capacity=40"`` or ``"policy=shelter_first"``.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()  # Hydra's grammar, so strings read as on the command line
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"an override must be a 'key=value' string, not {item!r}")
        try:
            (override,) = parser.parse_overrides([item])
        except OverrideParseException as err:
            raise ConfigError(
                f"cannot read override {item!r}: {str(err).splitlines()[0]}"
            ) from None
        if override.is_sweep_override():
            raise ConfigError(f"{item!r} is a sweep; give one value")
        out[override.key_or_group] = override.value()
    return out


def _schema_keys(node: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(node)] if dataclasses.is_dataclass(node) else []


def _unknown_key_message(path: str) -> str:
    """Explain an unknown dotted key, listing the valid keys at that level."""
    parts = path.split(".")
    node: Any = Config()
    for i, part in enumerate(parts):
        keys = _schema_keys(node)
        if part not in keys:
            where = ".".join(parts[:i]) or "the top level"
            return f"unknown key {path!r}; valid keys in {where}: {', '.join(keys)}"
        node = getattr(node, part)
    return f"unknown key {path!r}"


def _set_value(cfg: DictConfig, key: str, value: Any) -> None:
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar (SALib, EMA)
        value = value.item()
    value = check_override(key, value)  # before OmegaConf coerces, merges or interpolates
    try:
        OmegaConf.update(cfg, key, value, merge=True)
    except (ConfigAttributeError, ConfigKeyError):
        raise ConfigError(_unknown_key_message(key)) from None
    except ValidationError as err:
        raise ConfigError(
            f"{key}: {value!r} has the wrong type ({err.msg.splitlines()[0]})"
        ) from None
    except OmegaConfBaseException as err:  # a shape the checks above let through
        raise ConfigError(f"{key}={value!r}: {str(err).splitlines()[0]}") from None


def _merge_file(cfg: DictConfig, group: str, option: str) -> None:
    path = CONFIG_DIR / group / f"{option}.yaml"
    if group == "municipality" and not path.exists():
        from hfsim.municipalities import derived_preset

        body, package = derived_preset(option), "_global_"  # from the national table
    else:
        body, package = _read_yaml(path)
    body.pop("defaults", None)
    if package != "_global_":
        body = {group: body}
    for key, value in _flatten(body):
        _set_value(cfg, key, value)


def is_free_dict(path: str) -> bool:
    """Whether a dotted path names a free-form dict field (scenarios, parameter ranges)."""
    node: Any = Config()
    for part in path.split("."):
        if not dataclasses.is_dataclass(node) or part not in _schema_keys(node):
            return False
        node = getattr(node, part)
    return isinstance(node, dict)


def _is_block(path: str) -> bool:
    """Whether a dotted path names a config block (a dataclass), not a free-form dict."""
    node: Any = Config()
    for part in path.split("."):
        if not dataclasses.is_dataclass(node) or part not in _schema_keys(node):
            return True  # unknown: flatten, so the error names the full key
        node = getattr(node, part)
    return dataclasses.is_dataclass(node)


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Dotted (key, leaf) pairs; free-form dicts (scenarios, parameter ranges) stay whole."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and _is_block(path):
            yield from _flatten(value, path + ".")
        else:
            yield path, value


def compose(overrides: Mapping[str, Any] | Iterable[str] | None = None) -> DictConfig:
    """Compose the root config, the chosen group options and the overrides.

    Args:
        overrides: A mapping of dotted keys to values, or ``key=value`` strings.

    Raises:
        ConfigError: an unknown key, a wrong type or an unknown group option.
    """
    if overrides is None:
        overrides = {}
    if isinstance(overrides, str):
        overrides = [overrides]  # one override, not its characters
    if not isinstance(overrides, Mapping | Iterable):
        raise ConfigError(
            f"overrides must be a mapping of keys to values or key=value strings, "
            f"not {type(overrides).__name__}"
        )
    if not isinstance(overrides, Mapping):
        overrides = parse_overrides(overrides)
    bad = [k for k in overrides if not isinstance(k, str)]
    if bad:
        raise ConfigError(f"config keys must be dotted names (strings), not {bad[0]!r}")
    groups, values = _split_overrides(overrides)
    choices = {**_default_groups(), **groups}
    cfg = _schema()
    root, _ = _read_yaml(CONFIG_DIR / "config.yaml")
    root.pop("defaults", None)
    root.pop("hydra", None)
    for key, value in _flatten(root):
        _set_value(cfg, key, value)
    for group in GROUPS:
        if choices.get(group):
            _merge_file(cfg, group, choices[group])
    for key, value in values.items():
        _set_value(cfg, key, value)
    return cfg


def to_config(cfg: DictConfig | Mapping[str, Any]) -> Config:
    """Validate a composed config (types, ranges, choices, cross-field rules) and freeze it.

    Args:
        cfg: A config composed by :func:`compose` or by Hydra.

    Raises:
        ConfigError: naming the first offending key and its allowed values.
    """
    if not isinstance(cfg, DictConfig):
        merged = _schema()
        for key, value in _flatten(cfg):
            _set_value(merged, key, value)
        cfg = merged
    try:
        obj = OmegaConf.to_object(OmegaConf.merge(_schema(), cfg))
    except (ConfigAttributeError, ConfigKeyError) as err:
        raise ConfigError(_unknown_key_message(str(err.full_key))) from None
    except ValidationError as err:
        raise ConfigError(f"{err.full_key}: {err.msg.splitlines()[0]}") from None
    except OmegaConfBaseException as err:  # e.g. an interpolation in a Hydra-composed config
        raise ConfigError(f"{getattr(err, 'full_key', '')}: {str(err).splitlines()[0]}") from None
    return check_config(obj)


def check_config(cfg: Config) -> Config:
    """Check a built config: every field against the schema, the cross-field rules, the data
    tables it names. :class:`~hfsim.model.HousingModel` calls it on a config it is given.

    Raises:
        ConfigError: naming the first offending key and its allowed values.
    """
    if not isinstance(cfg, Config):
        raise ConfigError(f"config must be an hfsim Config, not {type(cfg).__name__}")
    _check_ranges(cfg, "")
    _check_rules(cfg)
    return cfg


def load_config(overrides: Mapping[str, Any] | Iterable[str] | None = None) -> Config:
    """Compose and validate a config: the library's way in, no Hydra needed.

    Args:
        overrides: Dotted keys and group choices, as a mapping or ``key=value`` strings,
            e.g. ``{"policy": "shelter_first", "shelter.capacity": 40}``.

    Returns:
        The validated :class:`~hfsim.config.schema.Config`.
    """
    return to_config(compose(overrides))


def _check_ranges(node: Any, prefix: str) -> None:
    """Every field's type, range and choices (see :mod:`hfsim.config.validate`)."""
    check_fields(node, prefix)


def check_value(key: str, value: Any, name: str | None = None) -> None:
    """Check one value of a dotted key as a config value is checked (key, type, range, choices).

    Args:
        key: The dotted key, e.g. ``shelter.capacity``.
        value: Its value.
        name: What the error calls it (default ``key``), e.g. ``timeline[0].set.shelter.capacity``.

    Raises:
        ConfigError: naming ``name``.
    """
    block = key.rpartition(".")[0]
    cfg = _block_config(block) if block else _schema()
    try:
        if cfg is None:
            raise ConfigError(_unknown_key_message(key))
        _set_value(cfg, key, value)
        node = OmegaConf.to_object(OmegaConf.select(cfg, block) if block else cfg)
        _check_ranges(node, f"{block}." if block else "")
    except ConfigError as err:
        raise ConfigError(str(err).replace(key, name or key, 1)) from None


@functools.lru_cache(maxsize=1)
def _schema_template() -> DictConfig:
    return OmegaConf.structured(Config)


def _schema() -> DictConfig:
    """A fresh typed config of the schema's defaults (a copy of one built once: building it
    from the dataclasses takes four times as long, and every run composes two)."""
    return copy.deepcopy(_schema_template())


def _block_config(block: str) -> DictConfig | None:
    """A config holding only the typed block at the dotted path ``block`` (None if the path
    is not a block of the schema): checking one value needs its block, not the whole schema
    (which takes a tenth of a second to build, and a timeline may hold dozens of values)."""
    node: Any = Config()
    for part in block.split("."):
        if not dataclasses.is_dataclass(node) or part not in _schema_keys(node):
            return None
        node = getattr(node, part)
    if not dataclasses.is_dataclass(node):
        return None
    cfg: Any = OmegaConf.structured(type(node))
    for part in reversed(block.split(".")):
        cfg = {part: cfg}
    return OmegaConf.create(cfg)


def _check_share_sum(cfg: Config, block: str, names: list[str]) -> None:
    values = [getattr(getattr(cfg, block), n) for n in names]
    if abs(sum(values) - 1.0) > 1e-6:
        keys = ", ".join(f"{block}.{n}" for n in names)
        raise ConfigError(f"{keys} must sum to 1 (they sum to {sum(values):.4g})")


def _check_rules(cfg: Config) -> None:
    """Cross-field rules that single-field ranges cannot express."""
    from hfsim.processes.timeline import check_timeline

    check_timeline(cfg)
    c = cfg.citizens
    _check_share_sum(
        cfg, "citizens", ["needs_share_low", "needs_share_moderate", "needs_share_high"]
    )
    _check_share_sum(
        cfg,
        "citizens",
        ["pattern_share_transitional", "pattern_share_episodic", "pattern_share_chronic"],
    )
    if c.youth_share + c.senior_share > 1:
        raise ConfigError("citizens.youth_share + citizens.senior_share must be at most 1")
    if c.disability_pension_share + c.other_income_share > 1:
        raise ConfigError(
            "citizens.disability_pension_share + citizens.other_income_share must be at most 1"
        )
    check_tables(cfg)
    for name, scenario in cfg.experiment.scenarios.items():
        if not isinstance(scenario, Mapping):
            raise ConfigError(f"experiment.scenarios.{name} must be a mapping of overrides")
