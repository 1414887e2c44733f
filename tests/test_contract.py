"""The input contract, fuzzed over the whole schema (hypothesis).

For every key of the schema, values are generated from its declared type and bounds — below
and above the range, NaN and infinities, wrong types and shapes, unknown choices,
interpolations — and must be refused with hfsim's own :class:`ConfigError` naming the key, in
one line; the exact bounds and edge values must be accepted. The values go through the path
every override, preset line and experiment file takes (``_set_value``, as ``compose`` calls
it) and through :func:`check_config` on a hand-built :class:`Config` (``HousingModel(cfg)``,
sweeps). Keys come from the schema itself, so a field added later is fuzzed too.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

import hfsim
from hfsim.config import Config, ConfigError, check_config, compose, load_config
from hfsim.config.load import _set_value
from hfsim.config.validate import schema_fields

FIELDS = schema_fields()
LEAVES = [f for f in FIELDS if not dataclasses.is_dataclass(f[1])]
BLOCKS = [f for f in FIELDS if dataclasses.is_dataclass(f[1])]
# keys in a cross-field rule: an edge value may break the rule (refused by the rule, not the key)
RULE_KEYS = {
    f"citizens.{k}"
    for k in (
        "needs_share_low", "needs_share_moderate", "needs_share_high",
        "pattern_share_transitional", "pattern_share_episodic", "pattern_share_chronic",
        "youth_share", "senior_share", "disability_pension_share", "other_income_share",
    )
}  # fmt: skip
RULE_MESSAGES = ("must sum to 1", "must be at most 1")
FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
BASE = compose()  # composed once: refusals leave it untouched (asserted below)

NAMES = st.text("abcdefghij_", min_size=1, max_size=6)
TEXT = st.text(max_size=8).filter(lambda s: "${" not in s)
INTERPOLATIONS = st.one_of(
    NAMES.map(lambda s: "${" + s + "}"),
    st.tuples(TEXT, NAMES).map(lambda t: t[0] + "${" + t[1] + "}"),
    st.just("${oc.env:HOME}"),
)
SCALARS = st.one_of(st.integers(-5, 5), st.floats(-5, 5), st.booleans(), TEXT)
MAPPINGS = st.dictionaries(NAMES, SCALARS, min_size=1, max_size=2)
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


def _below(lo: float | None, integer: bool) -> st.SearchStrategy:
    if lo is None:
        return st.nothing()
    if integer:
        return st.integers(max_value=math.ceil(lo) - 1, min_value=math.ceil(lo) - 2**70)
    return st.one_of(
        st.just(math.nextafter(lo, -math.inf)),
        st.floats(max_value=math.nextafter(lo, -math.inf), allow_nan=False, allow_infinity=False),
    )


def _above(hi: float | None, integer: bool) -> st.SearchStrategy:
    if hi is None:
        return st.nothing()
    if integer:
        return st.integers(min_value=math.floor(hi) + 1, max_value=math.floor(hi) + 2**70)
    return st.one_of(
        st.just(math.nextafter(hi, math.inf)),
        st.floats(min_value=math.nextafter(hi, math.inf), allow_nan=False, allow_infinity=False),
    )


def bad_values(ann: Any, meta: typing.Mapping[str, Any]) -> st.SearchStrategy:
    """Values a key of this type and metadata must refuse."""
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    origin = typing.get_origin(ann)
    common = st.one_of(INTERPOLATIONS, st.none())
    if dataclasses.is_dataclass(ann):
        return st.one_of(common, SCALARS, st.lists(SCALARS, max_size=2),
                         st.dictionaries(NAMES.map(lambda s: "zz" + s), SCALARS, min_size=1))  # fmt: skip
    if origin is list:
        (element,) = typing.get_args(ann)
        return st.one_of(
            common,
            SCALARS,
            MAPPINGS,
            st.lists(bad_values(element, meta), min_size=1, max_size=3),
            st.lists(st.lists(SCALARS, max_size=2), min_size=1, max_size=2),  # nested
        )
    if origin is dict:
        _, item = typing.get_args(ann)
        items = st.one_of(INTERPOLATIONS) if item is Any else bad_values(item, {})
        return st.one_of(
            common,
            SCALARS,
            st.lists(SCALARS, min_size=0, max_size=2),
            st.dictionaries(NAMES, items, min_size=1, max_size=2),
        )
    shapes = st.one_of(common, MAPPINGS, st.lists(SCALARS, max_size=2))
    if ann is bool:
        return st.one_of(shapes, st.integers(), st.floats(), TEXT)
    if ann is str:
        unknown = TEXT.filter(lambda s: s not in choices) if choices else st.nothing()
        return st.one_of(shapes, st.booleans(), unknown, st.integers() if choices else st.nothing())
    integer = ann is int
    wrong_kind = st.one_of(st.booleans(), TEXT, NON_FINITE)
    if integer:
        wrong_kind = st.one_of(wrong_kind, st.floats().filter(lambda x: not x.is_integer()))
    return st.one_of(shapes, wrong_kind, _below(lo, integer), _above(hi, integer))


def edge_values(ann: Any, meta: typing.Mapping[str, Any]) -> st.SearchStrategy:
    """Values a key must accept: its exact bounds, the values next to them, values between."""
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    origin = typing.get_origin(ann)
    if origin is list:
        (element,) = typing.get_args(ann)
        if element is str or typing.get_origin(element) is dict:
            return st.just([])  # names are checked against their tables, timeline entries alone
        return st.lists(edge_values(element, meta), max_size=3)
    if ann is bool:
        return st.booleans()
    if ann is str:
        return st.sampled_from(choices) if choices else st.nothing()
    if ann is int:
        low, high = int(lo if lo is not None else -(2**40)), int(hi if hi is not None else 2**40)
        ints = st.one_of(st.sampled_from([low, high, min(low + 1, high), max(high - 1, low)]),
                         st.integers(low, high))  # fmt: skip
        return st.one_of(ints, ints.map(float))  # 40.0 is the whole number 40
    if ann is float:
        low, high = float(lo if lo is not None else -1e300), float(hi if hi is not None else 1e300)
        near = [low, high, math.nextafter(low, high), math.nextafter(high, low)]
        return st.one_of(st.sampled_from(near), st.floats(low, high),
                         st.integers(math.ceil(low), math.floor(high)))  # fmt: skip
    return st.nothing()  # free-form dicts: their entries are checked where they are used


def _refused(key: str, value: Any) -> str:
    """Assert the override path refuses a value cleanly (it checks before it merges, so the
    shared config stays as it was)."""
    with pytest.raises(ConfigError) as err:
        _set_value(BASE, key, value)
    message = str(err.value)
    assert "\n" not in message
    assert key in message, message
    assert "allowed" in message or "must be" in message or "unknown key" in message, message
    return message


def _accepted(key: str, value: Any) -> None:
    """Assert the override path takes a value, then put the shared config back."""
    before = OmegaConf.select(BASE, key)
    _set_value(BASE, key, value)
    _set_value(BASE, key, OmegaConf.to_object(before) if OmegaConf.is_config(before) else before)


CASES = st.sampled_from(FIELDS).flatmap(lambda f: st.tuples(st.just(f[0]), bad_values(f[1], f[2])))


@FUZZ
@given(CASES)
def test_every_key_refuses_bad_values_cleanly(case: tuple[str, Any]) -> None:
    key, value = case
    _refused(key, value)


def _set(cfg: Config, key: str, value: Any) -> Config:
    *path, last = key.split(".")
    node: Any = cfg
    for part in path:
        node = getattr(node, part)
    setattr(node, last, value)
    return cfg


LEAF_CASES = st.sampled_from(LEAVES).flatmap(
    lambda f: st.tuples(st.just(f[0]), bad_values(f[1], f[2]))
)


@FUZZ
@given(LEAF_CASES)
def test_a_hand_built_config_with_a_bad_value_is_refused(case: tuple[str, Any]) -> None:
    """The route of ``HousingModel(cfg)`` and of sweeps, which set values on a Config."""
    key, value = case
    with pytest.raises(ConfigError) as err:
        check_config(_set(Config(), key, copy.deepcopy(value)))
    assert key in str(err.value) and "\n" not in str(err.value)


WITH_EDGES = [f for f in LEAVES if not edge_values(f[1], f[2]).is_empty]
EDGE_CASES = st.sampled_from(WITH_EDGES).flatmap(
    lambda f: st.tuples(st.just(f[0]), edge_values(f[1], f[2]))
)


@FUZZ
@given(EDGE_CASES)
def test_exact_bounds_and_edge_values_are_accepted(case: tuple[str, Any]) -> None:
    key, value = case
    _accepted(key, value)
    try:
        check_config(_set(Config(), key, value))
    except ConfigError as err:
        assert key in RULE_KEYS and any(m in str(err) for m in RULE_MESSAGES), str(err)


@pytest.mark.parametrize(("key", "ann", "meta"), LEAVES, ids=[f[0] for f in LEAVES])
def test_every_bound_is_stated_exactly_and_accepted(key: str, ann: Any, meta: Any) -> None:
    """Each bound is accepted, the next value out is refused, and the message states the bound."""
    for bound, step in ((meta.get("lo"), -1), (meta.get("hi"), 1)):
        if bound is None or typing.get_origin(ann) is list:
            continue
        _accepted(key, bound)
        out = bound + step if ann is int else math.nextafter(bound, step * math.inf)
        message = _refused(key, out)
        assert f" {int(bound) if float(bound).is_integer() else bound!r}" in message, message


def test_the_issue_examples_are_refused_with_their_exact_messages() -> None:
    expect = {
        "citizens.senior_share=${no_such_key}": "interpolations (${...}) are not allowed",
        "housing.private_guarantee=2": "housing.private_guarantee=2 is not allowed; must be "
        "true or false",
        "calibrate.targets=[[1]]": "calibrate.targets[0]=[1] is not allowed",
        "seed=4294967296": "must be between 0 and 4294967295",
        "bench.scales=[-1]": "bench.scales[0]=-1 is out of range; must be between 0.01 and 100",
        "bench.scales={a: 1}": "bench.scales={'a': 1} is not allowed; must be a list",
        "citizens=[1]": "citizens=[1] is not allowed; must be a mapping",
    }
    for override, message in expect.items():
        with pytest.raises(ConfigError, match=None) as err:
            load_config([override])
        assert message in str(err.value), (override, str(err.value))


@pytest.mark.parametrize("seed", [-1, 1.5, 2**64, True, "3", math.nan])
def test_simulate_and_the_model_refuse_a_bad_seed_naming_it(seed: Any) -> None:
    for make in (lambda: hfsim.simulate(seed=seed), lambda: hfsim.HousingModel(seed=seed)):
        with pytest.raises(ConfigError, match=r"^seed="):
            make()


def test_a_hand_built_config_is_checked_by_the_model() -> None:
    cfg = Config()
    cfg.housing.private_guarantee = 2  # type: ignore[assignment]
    with pytest.raises(ConfigError, match="housing.private_guarantee=2"):
        hfsim.HousingModel(cfg)


@dataclasses.dataclass
class _Entry:  # the kind of field other branches add (a timeline entry, an optional year)
    year: int = dataclasses.field(default=2025, metadata={"lo": 2000, "hi": 2100})
    note: str = ""


@pytest.mark.parametrize(
    ("ann", "value", "message"),
    [
        (list[_Entry], [{"year": 1999}], "k[0].year=1999 is out of range; must be between 2000"),
        (list[_Entry], [{"yaer": 2020}], "unknown key 'k[0].yaer'; valid keys in k[0]: year"),
        (list[_Entry], [_Entry(year=3000)], "k[0].year=3000 is out of range"),
        (int | None, 1.5, "k=1.5 is not allowed; must be a whole number between 2000"),
        (int | None, "x", "k='x' is not allowed"),
        (typing.Literal["a", "b"], "c", "k='c' is not allowed; allowed: a, b"),
    ],
)
def test_field_types_the_schema_may_gain_are_checked(ann: Any, value: Any, message: str) -> None:
    from hfsim.config.validate import check_value

    with pytest.raises(ConfigError) as err:
        check_value("k", value, ann, {"lo": 2000, "hi": 2100})
    assert message in str(err.value)
    assert check_value("k", None, int | None, {}) is None
    assert check_value("k", [{"year": 2000}, _Entry()], list[_Entry], {}) is not None


KEYS = {f[0] for f in FIELDS}
FREE_DICTS = {f[0] for f in FIELDS if typing.get_origin(f[1]) is dict}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=12), st.sampled_from(sorted(KEYS)).map(lambda k: k + ".x"),
                 st.sampled_from(sorted(KEYS)).map(lambda k: k[:-1])))  # fmt: skip
def test_unknown_keys_are_refused_naming_the_valid_ones(key: str) -> None:
    if key in KEYS or key in ("policy", "municipality", "regime", "experiment"):
        return  # a real key, or a group choice (checked against the group's files)
    if any(key.startswith(k + ".") for k in FREE_DICTS):
        return  # an entry of a free-form dict: checked by the command that reads it
    with pytest.raises(ConfigError) as err:
        _set_value(BASE, key, 1)  # as compose does for every override
    assert "unknown key" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({1: 2}, "config keys must be dotted names"),
        (5, "overrides must be a mapping"),
        ([5], "an override must be a 'key=value' string"),
        (["seed"], "cannot read override 'seed'"),
        ({"seed.x": 1}, "unknown key 'seed.x'; seed holds a single value"),
        ({"policy": ["mixed"]}, "is not an option; allowed:"),
    ],
)
def test_overrides_of_the_wrong_shape_are_refused(overrides: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as err:
        load_config(overrides)
    assert message in str(err.value)
    assert load_config("seed=3").seed == 3  # one string is one override
