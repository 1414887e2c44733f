"""Split a preset's totals over its municipalities; presets derived from the national table.

A single-municipality preset (``aarhus``) is one municipality holding every total. A
multi-municipality preset (``denmark``) names a table in ``hfsim/data/`` with one row per
municipality and share columns; each lever total is split by one share column with
largest-remainder rounding, so the parts always add up to the total the user set:

* ``homeless_share`` (``municipality.share_column``): the initial homeless, the inflow (split
  exactly, not rounded) and the support staff of each method;
* ``shelter_places_share``: §110 shelter places and transitional places;
* ``social_housing_share``: social family dwellings and programme (cheap) dwellings;
* ``population``: private landlords.

Neighbourhoods follow the social dwellings (``municipality.neighbourhoods_per_10k_units``,
at least one). ``municipality.region`` keeps only one region's rows: the region's totals are
split over its municipalities by the same rule. A timeline (:mod:`hfsim.processes.timeline`)
spreads a new total by the same rule (:func:`spread`).

**Presets derived from the table.** Every row of ``municipalities_dk.csv`` is also a preset of
its own, named by its ASCII slug (:func:`slugify`: lower case, æ → ae, ø → oe, å → aa, no
hyphens or spaces; ``koebenhavn``, ``hoejetaastrup``, ``aeroe``), and every region is one
(``region_midtjylland``). Such a preset holds exactly its row's part of the ``denmark``
preset's national totals, as the municipality has it in a national run: its initial homeless,
inflow, shelter and transitional places, social and programme dwellings, private landlords,
neighbourhoods and support staff; every other value (the calibrated behaviour parameters,
prices, rules) is the ``denmark`` preset's. One exception: a single municipality whose part of
a method's staff rounds to 0 gets one worker (assumption: the smallest team, as
``small_town``), because alone it has no other municipality's team to stand in for it. A
municipality alone also has no neighbours' shelters: its homeless can use only its own places
(in a national or regional run, shelters are open across the region). The hand-built presets
keep their names: ``aarhus`` and ``odense`` are the presets (their row's supply, the local
count, the inflow calibrated on the local count), ``copenhagen`` is the hand-built København
and ``koebenhavn`` the table-derived one (the national count's share, the national inflow's
share and the national calibration).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from hfsim.config.schema import Config

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_PRESET = "denmark"
NATIONAL_TABLE = "municipalities_dk"
# which share column splits which total: the one rule, used at build time and by the timeline
SPLIT_BY: dict[str, str] = {
    "citizens.initial_homeless": "homeless",
    "citizens.inflow_per_year": "homeless",
    "shelter.capacity": "shelter",
    "shelter.transitional_capacity": "shelter",
    "housing.social_units": "social",
    "housing.cheap_units": "social",
    "housing.private_landlords": "population",
    "support.cti.staff": "homeless",
    "support.icm.staff": "homeless",
    "support.act.staff": "homeless",
}
EXACT = frozenset({"citizens.inflow_per_year"})  # split exactly, not in whole units
_COLUMNS = {
    "shelter": "shelter_places_share",
    "social": "social_housing_share",
    "population": "population",
}
_LETTERS = {"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "ue", "ö": "oe", "ä": "ae"}


def table_path(name: str) -> Path:
    """Path of a shipped municipality table (``denmark`` or ``municipalities_dk.csv``)."""
    file = name if name.endswith(".csv") else f"{name}.csv"
    return DATA_DIR / file


@functools.lru_cache(maxsize=8)
def _read_table(name: str) -> pd.DataFrame:
    return pd.read_csv(table_path(name))


def load_table(cfg: Config) -> pd.DataFrame:
    """The rows of the preset's table (one region's only, with ``municipality.region``)."""
    table = _read_table(cfg.municipality.table)
    if cfg.municipality.region:
        table = table[table["region"] == cfg.municipality.region].reset_index(drop=True)
    return table


def config_value(cfg: Any, key: str) -> Any:
    """The value of a dotted key (``support.cti.staff``) in a config."""
    return functools.reduce(getattr, key.split("."), cfg)


def shares(cfg: Config, table: pd.DataFrame, key: str) -> np.ndarray:
    """The weights by which the total of ``key`` is split over the table's rows."""
    homeless = table[cfg.municipality.share_column]
    column = _COLUMNS.get(SPLIT_BY[key])
    return table.get(column, homeless).to_numpy(dtype=float) if column else homeless.to_numpy()


def spread(cfg: Config, key: str, total: float, table: pd.DataFrame | None = None) -> np.ndarray:
    """Each municipality's part of ``total`` for ``key`` (whole units unless in :data:`EXACT`).

    Args:
        cfg: The config (its table, region and share column).
        key: A key of :data:`SPLIT_BY`.
        total: The total to split.
        table: The preset's rows (read from ``cfg`` if None).
    """
    if not cfg.municipality.table:
        return np.array([total], dtype=float if key in EXACT else int)
    weights = shares(cfg, load_table(cfg) if table is None else table, key)
    if key in EXACT:
        return total * weights / weights.sum()
    return split_total(total, weights)


@dataclass(frozen=True)
class MunicipalitySpec:
    """The part of every lever total that one municipality holds."""

    code: int
    name: str
    region: str
    inflow_per_year: float
    initial_homeless: int
    shelter_capacity: int
    transitional_capacity: int
    social_units: int
    cheap_units: int
    private_landlords: int
    staff: dict[str, int]
    neighbourhoods: int


def split_total(total: float, shares: np.ndarray) -> np.ndarray:
    """Integer parts of ``total`` proportional to ``shares`` that add up to ``round(total)``.

    Args:
        total: The amount to split.
        shares: Non-negative weights (normalised here).
    """
    weights = np.asarray(shares, dtype=float)
    weights = weights / weights.sum()
    exact = weights * round(total)
    parts = np.floor(exact).astype(int)
    remainder = int(round(total)) - parts.sum()
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:remainder]] += 1
    return parts


def build_municipalities(cfg: Config) -> list[MunicipalitySpec]:
    """The municipalities of a preset, each with its share of every total.

    Args:
        cfg: A validated config.
    """
    table = load_table(cfg) if cfg.municipality.table else None
    parts = {key: spread(cfg, key, config_value(cfg, key), table) for key in SPLIT_BY}
    if table is None:
        rows = [(0, cfg.municipality.name, "")]
    else:
        rows = [(int(r.code), str(r.name), str(r.region)) for r in table.itertuples(index=False)]
    social_units = parts["housing.social_units"]
    neighbourhoods = (
        np.array([cfg.housing.neighbourhoods])
        if table is None
        else np.maximum(
            1, np.round(social_units / 10000 * cfg.municipality.neighbourhoods_per_10k_units)
        ).astype(int)
    )
    return [
        MunicipalitySpec(
            code=code,
            name=name,
            region=region,
            inflow_per_year=float(parts["citizens.inflow_per_year"][i]),
            initial_homeless=int(parts["citizens.initial_homeless"][i]),
            shelter_capacity=int(parts["shelter.capacity"][i]),
            transitional_capacity=int(parts["shelter.transitional_capacity"][i]),
            social_units=int(social_units[i]),
            cheap_units=int(parts["housing.cheap_units"][i]),
            private_landlords=int(parts["housing.private_landlords"][i]),
            staff={m: int(parts[f"support.{m}.staff"][i]) for m in ("cti", "icm", "act")},
            neighbourhoods=int(neighbourhoods[i]),
        )
        for i, (code, name, region) in enumerate(rows)
    ]


# -- presets derived from the national table -------------------------------------------------
def slugify(name: str) -> str:
    """The ASCII preset name of a Danish name: ``Høje-Taastrup`` → ``hoejetaastrup``."""
    text = "".join(_LETTERS.get(ch, ch) for ch in name.strip().lower())
    return re.sub(r"[^a-z0-9_]", "", text)


@dataclass(frozen=True)
class TablePreset:
    """A preset derived from the national table: one municipality, or one region."""

    slug: str
    name: str  # the Danish name, as in the table ("Region Midtjylland" for a region)
    region: str
    code: int  # the municipality's code (0 for a region)
    homeless_share: float  # its share of the national homeless


@functools.lru_cache(maxsize=1)
def table_presets() -> dict[str, TablePreset]:
    """Every municipality and region of the national table, by slug.

    The slugs ``aarhus`` and ``odense`` are included here although hand-built presets of the
    same name take precedence (see :func:`derived_options`).
    """
    table = _read_table(NATIONAL_TABLE)
    out = {
        slugify(str(r.name)): TablePreset(
            slugify(str(r.name)), str(r.name), str(r.region), int(r.code), float(r.homeless_share)
        )
        for r in table.itertuples(index=False)
    }
    for region, rows in table.groupby("region", sort=True):
        slug = f"region_{slugify(str(region))}"
        out[slug] = TablePreset(
            slug, f"Region {region}", str(region), 0, float(rows["homeless_share"].sum())
        )
    return out


def derived_options() -> list[str]:
    """The table-derived preset names not shadowed by a hand-built preset file."""
    from hfsim.config.load import CONFIG_DIR

    files = {p.stem for p in (CONFIG_DIR / "municipality").glob("*.yaml")}
    return [slug for slug in table_presets() if slug not in files]


def _national_body() -> dict[str, Any]:
    from hfsim.config.load import CONFIG_DIR

    path = CONFIG_DIR / "municipality" / f"{NATIONAL_PRESET}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@functools.lru_cache(maxsize=1)
def _national_parts() -> tuple[dict[str, Any], dict[int, MunicipalitySpec]]:
    """The ``denmark`` preset's file body and its split over the 98 municipalities."""
    from hfsim.config.load import load_config

    specs = build_municipalities(load_config({"municipality": NATIONAL_PRESET}))
    return _national_body(), {s.code: s for s in specs}


def _spec_values(spec: MunicipalitySpec, single: bool) -> dict[str, Any]:
    """A municipality's part as nested config values (a lone municipality keeps a team)."""
    staff = {m: max(n, 1) if single else n for m, n in spec.staff.items()}
    return {
        "citizens": {
            "initial_homeless": spec.initial_homeless,
            "inflow_per_year": round(spec.inflow_per_year, 3),
        },
        "shelter": {
            "capacity": spec.shelter_capacity,
            "transitional_capacity": spec.transitional_capacity,
        },
        "housing": {
            "social_units": spec.social_units,
            "cheap_units": spec.cheap_units,
            "private_landlords": spec.private_landlords,
            "neighbourhoods": spec.neighbourhoods,
        },
        "support": {m: {"staff": n} for m, n in staff.items()},
    }


def _region_values(specs: list[MunicipalitySpec]) -> dict[str, Any]:
    """A region's totals: the sums of its municipalities' parts."""
    values = _spec_values(specs[0], single=False)
    for spec in specs[1:]:
        for block, body in _spec_values(spec, single=False).items():
            for key, value in body.items():
                if isinstance(value, dict):
                    values[block][key]["staff"] += value["staff"]
                else:
                    values[block][key] += value
    values["citizens"]["inflow_per_year"] = round(values["citizens"]["inflow_per_year"], 3)
    del values["housing"]["neighbourhoods"]  # a table preset derives them per municipality
    return values


def derived_preset(slug: str) -> dict[str, Any]:
    """The config body (package ``_global_``) of a table-derived preset.

    The ``denmark`` preset's values (behaviour parameters, prices, rules), with the scale
    values replaced by the municipality's (or region's) part of the national totals.

    Raises:
        KeyError: ``slug`` is not a municipality or region of the national table.
    """
    preset = table_presets()[slug]
    body, parts = _national_parts()
    body = {k: v for k, v in body.items() if k not in ("municipality", "calibrate")}
    if preset.code:
        spec = parts[preset.code]
        values = _spec_values(spec, single=True)
        what = f"{preset.name} (code {preset.code}, Region {preset.region})"
        municipality = {"name": slug, "table": ""}
    else:
        values = _region_values([s for s in parts.values() if s.region == preset.region])
        what = f"{preset.name} ({sum(s.region == preset.region for s in parts.values())} municipalities)"
        municipality = {"name": slug, "table": NATIONAL_TABLE, "region": preset.region}
    municipality["provenance"] = (
        f"derived from the national table (hfsim/data/{NATIONAL_TABLE}.csv): {what}, "
        f"{preset.homeless_share:.2%} of the national homeless (VIVE 2022/2024 shares); "
        f"its part of the {NATIONAL_PRESET} preset's national totals; behaviour parameters "
        f"from the national calibration ({NATIONAL_PRESET})"
    )
    for block, entries in values.items():
        merged = dict(body.get(block) or {})
        for key, value in entries.items():
            if isinstance(value, dict):
                merged[key] = {**(merged.get(key) or {}), **value}
            else:
                merged[key] = value
        body[block] = merged
    return {**body, "municipality": municipality}


def unknown_municipality(value: str, options: list[str]) -> str:
    """The message for a municipality name that is not an option, pointing to its slug."""
    slug = slugify(value)
    if slug in options:
        return f"municipality={value}: unknown municipality; did you mean municipality={slug}?"
    import difflib

    close = difflib.get_close_matches(slug, options, n=3, cutoff=0.75)
    hint = f"did you mean {' or '.join(f'municipality={c}' for c in close)}? " if close else ""
    return f"municipality={value}: unknown municipality; {hint}`hfsim municipalities` lists them"


def listing() -> str:
    """The table of ``hfsim municipalities``: slug, name, region, share of the homeless."""
    from hfsim.config.load import group_options

    files = set(group_options("municipality")) - set(derived_options())
    lines = [f"{'slug':20s} {'name':28s} {'region':12s} {'homeless share':>14s}"]
    for slug, p in table_presets().items():
        note = "  (hand-built preset)" if slug in files else ""
        name = p.name if p.code else f"{p.name} (region)"
        lines.append(f"{slug:20s} {name:28s} {p.region:12s} {p.homeless_share:>14.2%}{note}")
    presets = ", ".join(sorted(files))
    lines += ["", f"hand-built presets: {presets} (docs/odd.md, section 5 and 6)"]
    lines += ["use: hfsim compare municipality=<slug>"]
    return "\n".join(lines)
