"""Configuration: the typed schema, composition of the YAML files and validation."""

from hfsim.config.load import ConfigError, compose, group_options, load_config, to_config
from hfsim.config.schema import Config

__all__ = ["Config", "ConfigError", "compose", "group_options", "load_config", "to_config"]
