"""Configuration: the typed schema, composition of the YAML files and validation."""

from hfsim.config.load import (
    ConfigError,
    check_config,
    compose,
    group_options,
    load_config,
    to_config,
)
from hfsim.config.schema import Config
from hfsim.config.validate import OutputError


def register_schema() -> None:
    """Register the typed schema in Hydra's ConfigStore as ``hfsim_schema`` (the root config's
    first default), so Hydra-composed configs are typed and refuse unknown keys."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="hfsim_schema", node=Config)


register_schema()

__all__ = [
    "Config",
    "ConfigError",
    "OutputError",
    "check_config",
    "compose",
    "group_options",
    "load_config",
    "to_config",
]
