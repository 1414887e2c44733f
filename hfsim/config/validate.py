"""Check config values against the schema: one path for every way a value comes in.

Every value — a command-line override, a ``simulate(**overrides)`` keyword, a line of a
preset or experiment file, a field of a hand-built :class:`~hfsim.config.schema.Config` — is
checked by :func:`check_value` against its field's declared type (the dataclass annotation)
and its ``param(...)`` metadata (``lo``/``hi``, ``choices``), so a field added to the schema
is covered without touching this module. The same check runs twice: on the raw value, before
OmegaConf sees it (OmegaConf would quietly turn ``2`` into ``True``, merge a mapping into a
list with a traceback, or resolve ``${...}``), and on the frozen config, whichever route built
it (Hydra's composition included). Errors are :class:`ConfigError` naming the key, the value
and what is allowed, in one line.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from hfsim.config.schema import Config

_MAX_SHOWN = 60  # characters of a bad value repeated in a message


class ConfigError(ValueError):
    """A config value or key is not allowed; the message names the key and what is allowed."""


class OutputError(ConfigError):
    """An output file cannot be written (read-only or full disk, no permission)."""


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def exact(number: float) -> str:
    """A bound as the user should type it: ``4294967295``, ``0.001``, never ``4.29497e+09``."""
    if isinstance(number, int) or (isinstance(number, float) and number.is_integer()):
        return str(int(number))
    return repr(float(number))


def shown(value: Any) -> str:
    """A value as a message repeats it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def describe_range(meta: Mapping[str, Any]) -> str:
    """``between 0 and 1``, ``at least 0`` or ``at most 5``, with exact bounds."""
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and hi is not None:
        return f"between {exact(lo)} and {exact(hi)}"
    if lo is not None:
        return f"at least {exact(lo)}"
    if hi is not None:
        return f"at most {exact(hi)}"
    return "finite"


def lookup(path: str) -> tuple[Any, Mapping[str, Any]] | None:
    """The annotation and metadata of a dotted key, or None inside a free-form dict.

    Raises:
        ConfigError: the key is not in the schema.
    """
    node: Any = Config
    parts = path.split(".")
    for i, part in enumerate(parts):
        if not (isinstance(node, type) and dataclasses.is_dataclass(node)):
            if typing.get_origin(node) is dict:
                return None  # scenarios, parameter ranges: checked as a whole
            break
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            where = ".".join(parts[:i]) or "the top level"
            raise ConfigError(f"unknown key {path!r}; valid keys in {where}: {', '.join(fields)}")
        if i == len(parts) - 1:
            return _hints(node)[part], fields[part].metadata
        node = _hints(node)[part]
    raise ConfigError(f"unknown key {path!r}; {'.'.join(parts[:i])} holds a single value")


def _refuse(key: str, value: Any, allowed: str) -> typing.NoReturn:
    raise ConfigError(f"{key}={shown(value)} is not allowed; must be {allowed}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_interpolation(key: str, value: Any) -> None:
    if isinstance(value, str) and "${" in value:
        raise ConfigError(
            f"{key}={shown(value)}: interpolations (${{...}}) are not allowed; give the value itself"
        )


def check_value(key: str, value: Any, ann: Any, meta: Mapping[str, Any]) -> Any:
    """Check one value against its field's annotation and metadata.

    Args:
        key: The dotted key (named in the message).
        value: The value as given.
        ann: The field's type annotation (``int``, ``list[float]``, a config dataclass, ...).
        meta: The field's ``param(...)`` metadata; for a list, its bounds and choices hold for
            every element.

    Returns:
        The value, with an integral float for an ``int`` field made an ``int``.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    _check_interpolation(key, value)
    origin = typing.get_origin(ann)
    if isinstance(ann, type) and dataclasses.is_dataclass(ann):
        return _check_block(key, value, ann)
    if origin in (typing.Union, types.UnionType):
        return _check_union(key, value, typing.get_args(ann), meta)
    if origin is typing.Literal:
        return _check_scalar(key, value, str, {**meta, "choices": typing.get_args(ann)})
    if origin is list:
        (element,) = typing.get_args(ann)
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            _refuse(key, value, f"a list of {_kind(element)}")
        return [check_value(f"{key}[{i}]", v, element, meta) for i, v in enumerate(value)]
    if origin is dict:
        key_type, item_type = typing.get_args(ann)
        if not isinstance(value, Mapping):
            _refuse(key, value, f"a mapping of names to {_kind(item_type)}")
        for name, item in value.items():
            check_value(f"{key}.{name}", name, key_type, {})
            check_value(f"{key}.{name}", item, item_type, {})
        return value
    if ann is Any:
        return _check_any(key, value)
    return _check_scalar(key, value, ann, meta)


def _check_block(key: str, value: Any, block: type) -> Any:
    """A config block: a mapping of its keys (each checked), or an instance of it."""
    if isinstance(value, block):
        check_fields(value, key + ".")
        return value
    if not isinstance(value, Mapping):
        _refuse(key, value, f"a mapping of the keys of {key}")
    fields = {f.name: f for f in dataclasses.fields(block)}
    for name, item in value.items():
        if name not in fields:
            raise ConfigError(
                f"unknown key {f'{key}.{name}'!r}; valid keys in {key}: {', '.join(fields)}"
            )
        check_value(f"{key}.{name}", item, _hints(block)[name], fields[name].metadata)
    return value


def _check_union(key: str, value: Any, options: tuple[Any, ...], meta: Mapping[str, Any]) -> Any:
    """``X | None`` and other unions: the value must pass one of the types."""
    if value is None and type(None) in options:
        return value
    first: ConfigError | None = None
    for option in (o for o in options if o is not type(None)):
        try:
            return check_value(key, value, option, meta)
        except ConfigError as err:
            first = first or err
    assert first is not None
    raise first


def _kind(ann: Any) -> str:
    names = {bool: "true or false", int: "whole numbers", float: "numbers", str: "names"}
    return names.get(ann, "values")


def _check_any(key: str, value: Any) -> Any:
    """A free-form value (a scenario's overrides): only interpolations are refused here."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            _check_any(f"{key}.{name}", item)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_any(f"{key}[{i}]", item)
    else:
        _check_interpolation(key, value)
    return value


def _check_scalar(key: str, value: Any, ann: Any, meta: Mapping[str, Any]) -> Any:
    if ann is bool:
        if not isinstance(value, bool):
            _refuse(key, value, "true or false")
        return value
    if ann is str:
        if not (isinstance(value, str) or _is_number(value)):
            _refuse(key, value, "a string")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ConfigError(f"{key}={shown(value)} is not allowed; allowed: {', '.join(choices)}")
        return value
    if ann is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 40.0 from a sampler is the whole number 40
        if not isinstance(value, int) or isinstance(value, bool):
            _refuse(key, value, f"a whole number {describe_range(meta)}")
    elif ann is float:
        if not _is_number(value):
            _refuse(key, value, f"a number {describe_range(meta)}")
        if not math.isfinite(value):
            _refuse(key, value, f"a finite number {describe_range(meta)}")
    else:  # pragma: no cover - a schema field of a type this module does not know
        raise TypeError(f"{key}: no check for type {ann!r}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{key}={shown(value)} is out of range; must be {describe_range(meta)}")
    return value


def check_override(key: str, value: Any) -> Any:
    """Check a dotted override before it is merged (see the module docstring).

    Returns:
        The value to merge (an integral float for an ``int`` field made an ``int``).
    """
    found = lookup(key)
    if found is None:
        return _check_any(key, value)
    return check_value(key, value, *found)


def check_fields(node: Any, prefix: str = "") -> None:
    """Check every field of a config (or one of its blocks) against the schema."""
    hints = _hints(type(node))
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            check_fields(value, key + ".")
        else:
            check_value(key, value, hints[f.name], f.metadata)


def check_seed(seed: Any) -> int:
    """A run seed given outside the config (``simulate(seed=...)``), checked like ``seed``."""
    if hasattr(seed, "item") and hasattr(seed, "dtype"):  # a numpy integer
        seed = seed.item()
    return check_override("seed", seed)


def schema_fields(
    node: type = Config, prefix: str = ""
) -> list[tuple[str, Any, Mapping[str, Any]]]:
    """Every key of the schema with its annotation and metadata, blocks before their keys.

    Args:
        node: A config dataclass (default: the whole :class:`Config`).
        prefix: Dotted prefix of ``node``'s keys.
    """
    out = []
    for f in dataclasses.fields(node):
        ann = _hints(node)[f.name]
        out.append((f"{prefix}{f.name}", ann, f.metadata))
        if isinstance(ann, type) and dataclasses.is_dataclass(ann):
            out += schema_fields(ann, f"{prefix}{f.name}.")
    return out
