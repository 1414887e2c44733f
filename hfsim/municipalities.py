"""Split a preset's totals over its municipalities.

A single-municipality preset (``aarhus``) is one municipality holding every total. A
multi-municipality preset (``denmark``) names a table in ``hfsim/data/`` with one row per
municipality and share columns; each lever total (shelter places, support staff, dwellings,
inflow, ...) is split by the matching share with largest-remainder rounding, so the parts
always add up to the total the user set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hfsim.config.schema import Config

DATA_DIR = Path(__file__).resolve().parent / "data"


def table_path(name: str) -> Path:
    """Path of a shipped municipality table (``denmark`` or ``municipalities_dk.csv``)."""
    file = name if name.endswith(".csv") else f"{name}.csv"
    return DATA_DIR / file


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
    staff_total = {m: getattr(cfg.support, m).staff for m in ("cti", "icm", "act")}
    if not cfg.municipality.table:
        return [
            MunicipalitySpec(
                code=0,
                name=cfg.municipality.name,
                region="",
                inflow_per_year=cfg.citizens.inflow_per_year,
                initial_homeless=cfg.citizens.initial_homeless,
                shelter_capacity=cfg.shelter.capacity,
                transitional_capacity=cfg.shelter.transitional_capacity,
                social_units=cfg.housing.social_units,
                cheap_units=cfg.housing.cheap_units,
                private_landlords=cfg.housing.private_landlords,
                staff=staff_total,
                neighbourhoods=cfg.housing.neighbourhoods,
            )
        ]
    table = pd.read_csv(table_path(cfg.municipality.table))
    homeless = table[cfg.municipality.share_column].to_numpy()
    shelter = table.get("shelter_places_share", table[cfg.municipality.share_column]).to_numpy()
    social = table.get("social_housing_share", table[cfg.municipality.share_column]).to_numpy()
    population = table.get("population", table[cfg.municipality.share_column]).to_numpy()
    social_units = split_total(cfg.housing.social_units, social)
    neighbourhoods = np.maximum(
        1, np.round(social_units / 10000 * cfg.municipality.neighbourhoods_per_10k_units)
    ).astype(int)
    parts = {
        "initial": split_total(cfg.citizens.initial_homeless, homeless),
        "shelter": split_total(cfg.shelter.capacity, shelter),
        "transitional": split_total(cfg.shelter.transitional_capacity, shelter),
        "cheap": split_total(cfg.housing.cheap_units, social),
        "private": split_total(cfg.housing.private_landlords, population),
        **{m: split_total(staff_total[m], homeless) for m in staff_total},
    }
    inflow = cfg.citizens.inflow_per_year * homeless / homeless.sum()
    return [
        MunicipalitySpec(
            code=int(row.code),
            name=str(row.name),
            region=str(getattr(row, "region", "")),
            inflow_per_year=float(inflow[i]),
            initial_homeless=int(parts["initial"][i]),
            shelter_capacity=int(parts["shelter"][i]),
            transitional_capacity=int(parts["transitional"][i]),
            social_units=int(social_units[i]),
            cheap_units=int(parts["cheap"][i]),
            private_landlords=int(parts["private"][i]),
            staff={m: int(parts[m][i]) for m in staff_total},
            neighbourhoods=int(neighbourhoods[i]),
        )
        for i, row in enumerate(table.itertuples(index=False))
    ]
