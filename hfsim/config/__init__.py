"""Configuration: the typed schema, composition of the YAML files and validation."""

from collections.abc import Iterable

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


def register_table_presets(slugs: Iterable[str] | None = None) -> None:
    """Register the presets derived from the national table (``municipality=kolding``) in
    Hydra's ConfigStore; called before Hydra composes (not at import: deriving them costs over
    a second, so the command line registers only those it was asked for).

    Args:
        slugs: The derived presets to register (names that are not derived presets are
            ignored); all of them when None.
    """
    from hydra.core.config_store import ConfigStore

    from hfsim.municipalities import derived_options, derived_preset

    options = derived_options()
    wanted = options if slugs is None else [s for s in options if s in set(slugs)]
    store = ConfigStore.instance()
    for slug in wanted:
        store.store(group="municipality", name=slug, node=derived_preset(slug), package="_global_")


register_schema()

__all__ = [
    "Config",
    "ConfigError",
    "OutputError",
    "check_config",
    "compose",
    "group_options",
    "load_config",
    "register_table_presets",
    "to_config",
]
