"""Check the data tables a config names when the config is loaded, not when a model reads them.

``municipality.table`` (e.g. ``hfsim/data/municipalities_dk.csv``) must be a readable CSV
with one row per municipality: an integer ``code`` (unique), a ``name``, the share column
``municipality.share_column`` and the optional share columns the split uses, each numeric,
finite, not negative and summing to one. The calibration targets (``targets_dk.csv``) are
checked by :func:`hfsim.targets.load_targets`; the names in ``calibrate.targets`` must be rows
of it. Each file is read once per process while it is unchanged.
"""

from __future__ import annotations

import functools

from hfsim.config.schema import Config
from hfsim.config.validate import ConfigError

SHARE_TOLERANCE = 1e-3  # shares rounded to a few decimals still sum to one within this
OPTIONAL_SHARES = ("shelter_places_share", "social_housing_share")


def check_tables(cfg: Config) -> None:
    """Check the municipality table and the calibration targets a config uses.

    Raises:
        ConfigError: naming the key, the file and what is wrong.
    """
    if cfg.municipality.table:
        from hfsim.municipalities import table_path

        path = table_path(cfg.municipality.table)
        key = f"municipality.table={cfg.municipality.table!r}"
        if not path.is_file():
            raise ConfigError(f"{key}: no such data file ({path})")
        stat = path.stat()
        _check_municipality_table(str(path), stat.st_mtime_ns, stat.st_size, key,
                                  cfg.municipality.share_column)  # fmt: skip
    if cfg.calibrate.targets:
        from hfsim.targets import TARGETS_PATH

        stat = TARGETS_PATH.stat()
        names = _target_names(str(TARGETS_PATH), stat.st_mtime_ns, stat.st_size)
        unknown = [t for t in cfg.calibrate.targets if t not in names]
        if unknown:
            raise ConfigError(
                f"calibrate.targets: unknown target(s) {', '.join(unknown)}; "
                f"allowed: the names in {TARGETS_PATH.name}, e.g. {', '.join(sorted(names)[:3])}"
            )


@functools.cache
def _target_names(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    from hfsim.targets import load_targets

    return frozenset(load_targets(path)["target"])


@functools.cache
def _check_municipality_table(
    path: str, mtime_ns: int, size: int, key: str, share_column: str
) -> None:
    import pandas as pd

    try:
        table = pd.read_csv(path, encoding="utf-8")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError(f"{key}: not a readable CSV table ({reason})") from None
    if table.empty:
        raise ConfigError(f"{key}: the table has no rows; one row per municipality is needed")
    missing = [c for c in ("code", "name", share_column) if c not in table.columns]
    if missing:
        raise ConfigError(
            f"{key}: missing column(s) {', '.join(missing)}; the table needs code, name and "
            f"the share column {share_column!r} (municipality.share_column)"
        )
    codes = pd.to_numeric(table["code"], errors="coerce")
    if codes.isna().any() or (codes % 1 != 0).any() or codes.duplicated().any():
        raise ConfigError(f"{key}: column code must hold unique whole numbers")
    if table["name"].isna().any() or (table["name"].astype(str).str.strip() == "").any():
        raise ConfigError(f"{key}: column name must name every municipality")
    shares = [share_column, *(c for c in OPTIONAL_SHARES if c in table.columns)]
    for column in [*shares, *(["population"] if "population" in table.columns else [])]:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | values.isin([float("inf"), float("-inf")]) | (values < 0)
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ConfigError(
                f"{key}: column {column} row {row + 1} is {table[column].iloc[row]!r}; "
                "must be a finite number at least 0"
            )
        if column in shares and abs(values.sum() - 1) > SHARE_TOLERANCE:
            raise ConfigError(
                f"{key}: column {column} sums to {values.sum():.6g}; shares must sum to 1 "
                f"(within {SHARE_TOLERANCE:g})"
            )
        if column == "population" and values.sum() <= 0:
            raise ConfigError(f"{key}: column population must not be all zero")
