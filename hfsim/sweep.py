"""``hfsim sweep``: a parameter grid or sample, run locally in parallel or on a Dask cluster.

A sweep runs in four steps, and any of them may be interrupted (even by ``kill -9``):

1. **Points.** The sweep overrides, in Hydra's own syntax (``shelter.capacity=20,40``,
   ``range(...)``, ``choice(...)``, ``interval(a,b)``), become axes. The grid of the discrete
   axes is crossed with a Latin-hypercube sample of the interval axes (``sweep.samples``
   points, seeded from ``seed``), last axis varying fastest, as in Hydra's basic sweeper.
2. **Validation.** Every value is checked with the library (:func:`hfsim.load_config`) and
   every point's config is built before anything runs, so a bad value is a one-line error.
3. **Manifest.** ``sweep.json`` records the sweep's definition (base config, points,
   replications). Rerunning into the same directory resumes it, and only if the definition
   is the same.
4. **Runs.** Each (point, replication) is one job (:func:`run_job`). A finished job becomes
   one part file, written under a temporary name and renamed into ``parts/`` (an atomic
   rename), so a part that exists is complete and a killed sweep never leaves a half-written
   part that looks valid. ``results.parquet`` is consolidated from the parts when a sweep
   resumes and when it ends.

Replication ``r`` of every point runs on the same seed (:func:`hfsim.rng.replication_seed`),
so points are compared on common random numbers and the rows never depend on the number of
workers or the backend. The sensitivity analysis (:mod:`hfsim.sensitivity`) runs its sample
through the same machinery (:func:`run_points`).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from hfsim.cli import UsageError
from hfsim.config import Config, ConfigError, load_config
from hfsim.config.load import GROUPS, _check_ranges, _check_rules
from hfsim.outputs import (
    disk_error,
    is_stale_temp,
    is_temp,
    make_dir,
    remove_stale_temps,
    replacing,
    temp_path,
    write_text,
)
from hfsim.results import KPI_NAMES

MANIFEST = "sweep.json"
RESULTS = "results.parquet"
PARTS = "parts"
_PART_NAME = re.compile(r"p(\d+)-r(\d+)\.parquet")

# Keys that say how or where a sweep runs, not what it computes: they may change on resume.
EXECUTION_KEYS = frozenset(
    {
        "sweep.workers",
        "sweep.backend",
        "sweep.address",
        "output.workers",
        "sensitivity.kpis",
        "sensitivity.method",
        "report.language",
        "report.figures",
    }
)
# Blocks and keys whose values define the sweep itself, or that do not change a run's KPIs.
_NOT_SWEEPABLE = ("seed", "replications", "scenario")
_NOT_SWEEPABLE_BLOCKS = (
    "sweep", "sensitivity", "calibrate", "bench", "app", "output", "report", "experiment",
)  # fmt: skip


@dataclass(frozen=True)
class Axis:
    """One swept key: a list of values, or an interval sampled by Latin hypercube.

    Args:
        key: The dotted config key or config group (``policy``).
        values: The values of a discrete axis (Hydra's ``a,b``, ``range``, ``choice``).
        bounds: ``(low, high)`` of an ``interval(low, high)`` axis.
    """

    key: str
    values: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None


@dataclass
class SweepPlan:
    """The validated points of a sweep and the config each one runs.

    Args:
        keys: The swept keys, in the order they were given (the leading result columns).
        points: One mapping per point, key -> value typed as in the config.
        configs: The config of each point.
    """

    keys: list[str]
    points: list[dict[str, Any]]
    configs: list[Config]


# -- 1. points ---------------------------------------------------------------------------
def parse_sweeps(overrides: Sequence[str]) -> list[Axis]:
    """Read sweep overrides in Hydra's syntax into axes.

    Args:
        overrides: Strings such as ``"shelter.capacity=20,40"``, ``"a=range(1,5)"``,
            ``"a=choice(x,y)"`` or ``"a=interval(0.1,0.5)"``; a plain ``a=1`` is a one-value axis.

    Raises:
        UsageError: unreadable syntax, a key given twice or a key that cannot be swept.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep, RangeSweep
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    axes: list[Axis] = []
    for text in overrides:
        try:
            (override,) = parser.parse_overrides([text])
            value = override.value()
            key = override.key_or_group
            if isinstance(value, IntervalSweep):
                axis = Axis(key, bounds=(float(value.start), float(value.end)))
            elif isinstance(value, ChoiceSweep | RangeSweep):
                axis = Axis(key, values=tuple(override.sweep_iterator()))
            elif override.is_sweep_override():
                raise UsageError(f"{text!r}: only a,b / range / choice / interval sweeps")
            else:
                axis = Axis(key, values=(value,))
        except HydraException as err:
            raise UsageError(f"cannot read sweep {text!r}: {str(err).splitlines()[0]}") from None
        _check_sweepable(axis, axes)
        axes.append(axis)
    return axes


def _check_sweepable(axis: Axis, earlier: Sequence[Axis]) -> None:
    key = axis.key
    if any(a.key == key for a in earlier):
        raise UsageError(f"{key} is swept twice; give all its values in one override")
    if key in _NOT_SWEEPABLE or key.split(".")[0] in _NOT_SWEEPABLE_BLOCKS:
        raise UsageError(
            f"{key} cannot be swept (it sets how the sweep runs, not the model); "
            "sweep model parameters or the groups policy, municipality, regime"
        )
    if axis.bounds is not None and not axis.bounds[0] < axis.bounds[1]:
        raise UsageError(f"{key}=interval({axis.bounds[0]:g},{axis.bounds[1]:g}): low < high")
    if axis.bounds is None and not axis.values:
        raise UsageError(f"{key}: the sweep has no values")


def expand_points(axes: Sequence[Axis], samples: int, seed: int) -> list[dict[str, Any]]:
    """The sweep's points: the grid of discrete axes × a Latin hypercube over interval axes.

    Args:
        axes: The axes from :func:`parse_sweeps`.
        samples: Latin-hypercube points for the interval axes (``sweep.samples``).
        seed: Seeds the Latin hypercube (the config's ``seed``).

    Raises:
        UsageError: interval axes without ``sweep.samples``, or samples without intervals.
    """
    discrete = [a for a in axes if a.bounds is None]
    intervals = [a for a in axes if a.bounds is not None]
    grid = list(itertools.product(*(a.values for a in discrete)))
    sample_rows: list[tuple[float, ...]] = [()]
    if intervals:
        if samples < 1:
            names = ", ".join(a.key for a in intervals)
            raise UsageError(f"interval(...) sweeps of {names} need sweep.samples=N (N >= 1)")
        sample_rows = [tuple(row) for row in latin_hypercube(intervals, samples, seed)]
    elif samples > 0:
        raise UsageError("sweep.samples is set but no key is swept with interval(low,high)")
    points = []
    for combo in grid:
        for row in sample_rows:
            values = {**dict(zip((a.key for a in discrete), combo, strict=True))}
            values.update(zip((a.key for a in intervals), row, strict=True))
            points.append({a.key: values[a.key] for a in axes})
    return points


def latin_hypercube(axes: Sequence[Axis], samples: int, seed: int) -> np.ndarray:
    """A scrambled Latin-hypercube sample of the interval axes, ``samples`` × ``len(axes)``."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(axes), rng=np.random.default_rng(seed)).random(samples)
    low = [a.bounds[0] for a in axes]
    high = [a.bounds[1] for a in axes]
    return qmc.scale(unit, low, high)


# -- 2. validation -------------------------------------------------------------------------
def config_field(key: str) -> tuple[dataclasses.Field, Any]:
    """The schema field of a dotted key and its default value.

    Raises:
        UsageError: the key does not name a single value of the config.
    """
    node: Any = Config()
    parts = key.split(".")
    for i, part in enumerate(parts):
        fields = (
            {f.name: f for f in dataclasses.fields(node)} if dataclasses.is_dataclass(node) else {}
        )
        if part not in fields:
            where = ".".join(parts[:i]) or "the top level"
            allowed = ", ".join(fields) or "none"
            raise UsageError(f"unknown key '{key}'; valid keys in {where}: {allowed}")
        if i == len(parts) - 1:
            value = getattr(node, part)
            if dataclasses.is_dataclass(value) or isinstance(value, dict | list):
                raise UsageError(f"{key} is a block, not a single value; sweep one of its keys")
            return fields[part], value
        node = getattr(node, part)
    raise UsageError(f"unknown key '{key}'")  # pragma: no cover - empty key


def numeric_kind(key: str) -> type:
    """``int`` or ``float``: the type of a numeric config key.

    Raises:
        UsageError: the key is not a numeric config value (e.g. a string or a switch).
    """
    _, default = config_field(key)
    if isinstance(default, bool) or not isinstance(default, int | float):
        raise UsageError(
            f"{key} is not numeric ({type(default).__name__}); it needs a list of values"
        )
    return int if isinstance(default, int) else float


def get_value(cfg: Config, key: str) -> Any:
    """The value of a dotted key in a config."""
    node: Any = cfg
    for part in key.split("."):
        node = getattr(node, part)
    return node


def with_values(cfg: Config, values: Mapping[str, Any]) -> Config:
    """A copy of a config with dotted keys set, checked for ranges and cross-field rules.

    The values must already have the config's types (see :func:`build_plan`).

    Raises:
        ConfigError: a value out of range or a broken rule, naming the key.
    """
    new = copy.deepcopy(cfg)
    for key, value in values.items():
        _set(new, key, value)
    _check_ranges(new, "")
    _check_rules(new)
    return new


def _set(cfg: Config, key: str, value: Any) -> None:
    *path, last = key.split(".")
    node: Any = cfg
    for part in path:
        node = getattr(node, part)
    setattr(node, last, value)


def _check_interval(base: Mapping[str, Any], key: str, bounds: tuple[float, float]) -> type:
    """Check that both ends of an interval are allowed values of a numeric key."""
    kind = numeric_kind(key)
    for end in bounds:
        try:
            load_config({**base, key: kind(round(end)) if kind is int else end})
        except ConfigError as err:
            raise ConfigError(f"{key}=interval({bounds[0]:g},{bounds[1]:g}): {err}") from None
    return kind


def _typed_value(base: Mapping[str, Any], key: str, value: Any) -> Any:
    """A discrete sweep value as the config holds it, checked by the library."""
    config_field(key)
    return get_value(load_config({**base, key: value}), key)


def build_plan(
    base: Mapping[str, Any],
    points: Sequence[Mapping[str, Any]],
    intervals: Mapping[str, tuple[float, float]] | None = None,
) -> SweepPlan:
    """Validate every point and build its config, before anything runs.

    Each distinct value is checked once with :func:`hfsim.load_config` (type, range, the
    library's messages); each point's config is the base config with its values set, then
    checked for ranges and cross-field rules (e.g. shares that must sum to 1).

    Args:
        base: The non-swept overrides (dotted keys and group choices).
        points: One mapping per point, key -> value.
        intervals: Keys sampled from an interval (``(low, high)``): both ends are checked and
            samples are rounded for integer keys.

    Raises:
        ConfigError: a value outside its allowed range, naming the key (exit code 2).
        UsageError: a key that is not a config value.
    """
    intervals = dict(intervals or {})
    keys = list(dict.fromkeys(k for p in points for k in p)) or []
    kinds = {key: _check_interval(base, key, b) for key, b in intervals.items()}
    typed_cache: dict[tuple[str, str], Any] = {}
    group_configs: dict[tuple[tuple[str, Any], ...], Config] = {}
    typed_points, configs = [], []
    for point in points:
        groups = tuple((k, v) for k, v in point.items() if k in GROUPS)
        if groups not in group_configs:
            group_configs[groups] = load_config({**base, **dict(groups)})
        values: dict[str, Any] = {}
        for key, value in point.items():
            if key in GROUPS:
                continue
            if key in kinds:
                values[key] = round(value) if kinds[key] is int else float(value)
            else:
                cache_key = (key, repr(value))
                if cache_key not in typed_cache:
                    typed_cache[cache_key] = _typed_value(base, key, value)
                values[key] = typed_cache[cache_key]
        typed = {k: values.get(k, v) for k, v in point.items()}
        try:
            cfg = with_values(group_configs[groups], values)
        except ConfigError as err:
            where = ", ".join(f"{k}={v!r}" for k, v in typed.items())
            raise ConfigError(f"{err} (at sweep point {where})") from None
        typed_points.append(typed)
        configs.append(cfg)
    return SweepPlan(keys, typed_points, configs)


# -- 3. manifest ---------------------------------------------------------------------------
def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping) and value and not key.startswith("scenarios"):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def sweep_definition(base_cfg: Config, plan: SweepPlan, kind: str) -> dict[str, Any]:
    """What identifies a sweep: its base config (without execution settings) and its points.

    Args:
        base_cfg: The config of the non-swept overrides.
        plan: The validated points.
        kind: ``sweep`` or ``sensitivity``.
    """
    base = {
        k: v for k, v in _flatten(dataclasses.asdict(base_cfg)).items() if k not in EXECUTION_KEYS
    }
    definition = {
        "kind": kind,
        "keys": plan.keys,
        "replications": base_cfg.replications,
        "points": plan.points,
        "base": base,
    }
    return json.loads(json.dumps(definition))  # canonical: tuples become lists


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    diffs = [k for k in ("kind", "keys") if old.get(k) != new.get(k)]
    if old.get("points") != new.get("points"):
        for key in new["keys"]:
            before = list(dict.fromkeys(repr(p.get(key)) for p in old.get("points", [])))
            now = list(dict.fromkeys(repr(p.get(key)) for p in new["points"]))
            if before != now:
                diffs.append(
                    f"{key} values ({', '.join(before[:6])} before, {', '.join(now[:6])} now)"
                )
        if not diffs:
            diffs.append(f"points ({len(old.get('points', []))} before, {len(new['points'])} now)")
    old_base, new_base = old.get("base", {}), new["base"]
    diffs += [
        f"{k} ({old_base.get(k)!r} before, {new_base.get(k)!r} now)"
        for k in sorted(set(old_base) | set(new_base))
        if old_base.get(k) != new_base.get(k)
    ]
    return diffs


def claim_directory(outdir: Path, definition: Mapping[str, Any], command: Sequence[str]) -> bool:
    """Write the manifest, or check that the directory holds the same sweep.

    Args:
        outdir: The sweep's output directory.
        definition: From :func:`sweep_definition`.
        command: The overrides as typed (recorded for the reader, not compared).

    Returns:
        True if the directory already held this sweep (a resume).

    Raises:
        UsageError: the directory holds a different sweep, or parts without a manifest.
    """
    path = outdir / MANIFEST
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))["definition"]
        except (ValueError, KeyError):
            raise UsageError(f"{path} is not a sweep manifest; use a new hydra.run.dir") from None
        diffs = _differences(old, definition)
        if diffs:
            raise UsageError(
                f"{outdir} holds a different sweep (differs in {'; '.join(diffs[:4])}); "
                "rerun the same command to resume, or choose a new hydra.run.dir"
            )
        return True
    if (outdir / PARTS).is_dir() and any((outdir / PARTS).iterdir()):
        raise UsageError(f"{outdir / PARTS} holds runs but no {MANIFEST}; use a new hydra.run.dir")
    make_dir(outdir)
    text = json.dumps({"command": list(command), "definition": definition}, indent=1)
    if not _create_once(path, text):  # another sweep claimed the folder a moment ago
        return claim_directory(outdir, definition, command)
    return False


def _create_once(path: Path, text: str) -> bool:
    """Write a complete file at ``path`` unless it exists (atomically); whether we made it."""
    tmp = temp_path(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.link(tmp, path)  # fails if another process made it first: no overwriting
        return True
    except FileExistsError:
        return False
    except OSError as err:
        raise disk_error(path, err) from None
    finally:
        tmp.unlink(missing_ok=True)


# -- 4. runs -------------------------------------------------------------------------------
def run_job(cfg: Config, point: int, replication: int) -> dict[str, Any]:
    """Run one replication of one point and return its result row (KPIs only).

    Args:
        cfg: The point's config.
        point: The point's index.
        replication: The replication index (sets the seed).
    """
    import logging

    from hfsim.runner import run_replication

    logging.getLogger("MESA").setLevel(logging.WARNING)
    result = run_replication(cfg, replication, tables=False)
    row: dict[str, Any] = {"point": point, "replication": replication, "seed": result.seed}
    row.update({k: float(result.kpis[k]) for k in KPI_NAMES})
    return row


def part_name(point: int, replication: int) -> str:
    """The file name of one finished run in ``parts/``."""
    return f"p{point:07d}-r{replication:05d}.parquet"


def write_part(parts_dir: Path, row: Mapping[str, Any]) -> Path:
    """Write one finished run: temporary name, flushed to disk, then renamed into place."""
    path = parts_dir / part_name(row["point"], row["replication"])
    table = pa.Table.from_pylist([dict(row)], schema=_part_schema())
    with replacing(path, record=False) as tmp:  # flushed to disk before the rename
        pq.write_table(table, tmp)
    return path


def _part_schema() -> pa.Schema:
    fields = [("point", pa.int64()), ("replication", pa.int64()), ("seed", pa.int64())]
    return pa.schema(fields + [(k, pa.float64()) for k in KPI_NAMES])


def read_parts(parts_dir: Path, n_points: int, replications: int) -> pa.Table:
    """The valid finished runs in ``parts/``; leftovers and unreadable parts are removed.

    A part is valid when its name is a final part name, it reads as a one-row table with
    the expected columns, and its row is the (point, replication) its name says.
    """
    schema = _part_schema()
    tables = []
    if not parts_dir.is_dir():
        return schema.empty_table()
    for path in sorted(parts_dir.iterdir()):
        match = _PART_NAME.fullmatch(path.name)
        if match is None:
            if is_temp(path) and is_stale_temp(path):
                path.unlink(missing_ok=True)  # a run killed while writing: it will rerun
            continue
        point, rep = int(match[1]), int(match[2])
        table = _read_part(path, schema)
        ok = (
            table is not None
            and table.num_rows == 1
            and table["point"][0].as_py() == point
            and table["replication"][0].as_py() == rep
            and point < n_points
            and rep < replications
        )
        if not ok:
            print(f"hfsim: removing unreadable or foreign part {path}", file=sys.stderr)
            path.unlink(missing_ok=True)
            continue
        tables.append(table)
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _read_part(path: Path, schema: pa.Schema) -> pa.Table | None:
    try:
        table = pq.read_table(path)
        return table.select(schema.names).cast(schema)
    except (OSError, pa.ArrowException, KeyError, ValueError):
        return None


def consolidate(outdir: Path, plan: SweepPlan, replications: int) -> pd.DataFrame:
    """Write ``results.parquet`` from the finished parts (atomically) and return its rows.

    Columns: the swept keys, ``point``, ``replication``, ``seed``, every KPI; rows sorted by
    point and replication.
    """
    runs = read_parts(outdir / PARTS, len(plan.points), replications).to_pandas()
    points = pd.DataFrame(plan.points, columns=plan.keys) if plan.keys else pd.DataFrame()
    points["point"] = np.arange(len(plan.points), dtype=np.int64)
    frame = points.merge(runs, on="point", how="inner")
    frame = frame.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    frame = frame[[*plan.keys, "point", "replication", "seed", *KPI_NAMES]]
    with replacing(outdir / RESULTS) as tmp:
        frame.to_parquet(tmp, index=False)
    return frame


@contextmanager
def open_executor(cfg: Config) -> Iterator[tuple[Executor | None, int, str]]:
    """The executor that runs a sweep's jobs, from ``sweep.backend``/``workers``/``address``.

    Yields:
        ``(executor, slots, description)``: executor None means run in this process; slots is
        how many jobs to keep in flight.
    """
    if cfg.sweep.backend == "dask":
        from hfsim.cluster import dask_executor

        with dask_executor(cfg.sweep.address, cfg.sweep.workers) as (executor, slots, what):
            yield executor, slots, what
        return
    from multiprocessing import get_context

    from hfsim.runner import default_workers

    workers = default_workers(cfg.sweep.workers)
    if workers <= 1:
        yield None, 1, "local, 1 process"
        return
    context = get_context("forkserver")
    context.set_forkserver_preload(["hfsim.sweep", "hfsim.runner", "hfsim.model"])
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=context)
    try:
        yield pool, 2 * workers, f"local, {workers} processes"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def execute(
    jobs: Iterable[tuple[Config, int, int]],
    executor: Executor | None,
    slots: int,
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """Run jobs (``run_job`` arguments), at most ``slots`` in flight, handing each row over."""
    if executor is None:
        for job in jobs:
            on_done(run_job(*job))
        return
    queue = iter(jobs)
    pending: set[Future] = set()
    while True:
        while len(pending) < slots and (job := next(queue, None)) is not None:
            pending.add(executor.submit(run_job, *job))
        if not pending:
            return
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in sorted(done, key=id):
            on_done(future.result())


def run_points(
    base: Mapping[str, Any],
    points: Sequence[Mapping[str, Any]],
    outdir: Path,
    intervals: Mapping[str, tuple[float, float]] | None = None,
    kind: str = "sweep",
    command: Sequence[str] = (),
    progress: bool = True,
) -> pd.DataFrame:
    """Run every point × replication into ``outdir`` (resuming if it holds this sweep).

    Args:
        base: The non-swept overrides; its ``replications``, ``seed`` and ``sweep.*`` apply.
        points: One mapping per point, key -> value.
        outdir: The output directory (``results.parquet``, ``parts/``, ``sweep.json``).
        intervals: Keys sampled from intervals (see :func:`build_plan`).
        kind: Recorded in the manifest (``sweep`` or ``sensitivity``).
        command: The overrides as typed, recorded in the manifest.
        progress: Show a progress bar on stderr.

    Returns:
        The rows of ``results.parquet``.

    Raises:
        ConfigError: a bad value (nothing has run or been written).
        UsageError: the directory holds a different sweep, or the backend cannot be reached.
    """
    outdir = Path(outdir)
    base_cfg = load_config(base)
    plan = build_plan(base, points, intervals)
    reps = base_cfg.replications
    label = f"{len(plan.points)} points × {reps} replications = {len(plan.points) * reps} runs"
    with open_executor(base_cfg) as (executor, slots, where):
        resumed = claim_directory(outdir, sweep_definition(base_cfg, plan, kind), command)
        remove_stale_temps(outdir)  # of killed processes only: a live sweep may share it
        _write_config(outdir, base_cfg)
        finished = read_parts(outdir / PARTS, len(plan.points), reps)
        done = {
            (p, r)
            for p, r in zip(
                finished["point"].to_pylist(), finished["replication"].to_pylist(), strict=True
            )
        }
        print(f"hfsim {kind}: {label} ({where})")
        if resumed:
            print(f"hfsim {kind}: resuming in {outdir}: {len(done)} runs already finished, skipped")
            consolidate(outdir, plan, reps)
        jobs = [
            (cfg, p, r)
            for p, cfg in enumerate(plan.configs)
            for r in range(reps)
            if (p, r) not in done
        ]
        _run_with_progress(jobs, len(done), outdir / PARTS, executor, slots, kind, progress)
    return consolidate(outdir, plan, reps)


def _run_with_progress(
    jobs: list[tuple[Config, int, int]],
    already: int,
    parts_dir: Path,
    executor: Executor | None,
    slots: int,
    label: str,
    progress: bool,
) -> None:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: this process may fork workers later
    make_dir(parts_dir)
    total = already + len(jobs)
    with tqdm(
        total=total, initial=already, desc=label, unit="run", file=sys.stderr, disable=not progress
    ) as bar:

        def on_done(row: dict[str, Any]) -> None:
            write_part(parts_dir, row)
            bar.update(1)

        execute(jobs, executor, slots, on_done)


def _write_config(outdir: Path, cfg: Config) -> None:
    text = yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False)
    write_text(outdir / "config.yaml", text)


def run_sweep(
    base: Mapping[str, Any],
    sweeps: Sequence[str],
    outdir: Path,
    progress: bool = True,
) -> pd.DataFrame:
    """Run a sweep given in Hydra's syntax: the library's way to do ``hfsim sweep``.

    Args:
        base: The non-swept overrides, e.g. ``{"municipality": "small_town", "replications": 3}``.
        sweeps: Sweep overrides, e.g. ``["shelter.capacity=10,20", "housing.anvisning_share=interval(0.2,0.5)"]``.
        outdir: The output directory; a second call with the same sweep resumes it.
        progress: Show a progress bar on stderr.

    Returns:
        The rows of ``results.parquet``.
    """
    base_cfg = load_config(base)
    axes = parse_sweeps(sweeps)
    points = expand_points(axes, base_cfg.sweep.samples, base_cfg.seed)
    intervals = {a.key: a.bounds for a in axes if a.bounds is not None}
    command = [f"{k}={v}" for k, v in base.items()] + list(sweeps)
    return run_points(base, points, outdir, intervals, "sweep", command, progress)


def cli_base_overrides() -> tuple[dict[str, Any], list[str]]:
    """The running command's non-swept overrides (as values) and its sweep overrides."""
    from hfsim.cli import current_overrides, parse_cli_overrides, sweep_overrides

    sweeps = sweep_overrides()
    single = [a for a in current_overrides() if a not in sweeps]
    values, _ = parse_cli_overrides(single, sweep_allowed=False)
    return values, sweeps


def _cmd_sweep(cfg: Config, outdir: Path) -> int:
    base, sweeps = cli_base_overrides()
    frame = run_sweep(base, sweeps, outdir)
    print(f"hfsim sweep: {len(frame)} rows in {outdir / RESULTS}")
    return 0


def hydra_multirun(argv: Sequence[str]) -> int:
    """Hydra's own multirun of ``hfsim run``: ``python -m hfsim.sweep -m [overrides]``.

    Every job is a full ``hfsim run`` (outputs, figures, report) in its own numbered folder
    of Hydra's sweep directory (``hydra.sweep.dir``), started by the chosen Hydra launcher:
    the basic one (one after another), ``hydra/launcher=joblib`` (local processes, needs
    ``hydra-joblib-launcher``) or ``hydra/launcher=submitit_slurm`` (SLURM jobs, needs
    ``hydra-submitit-launcher``). Every job's config is validated before Hydra starts.
    ``hfsim sweep`` is the resumable alternative that collects one tidy table.

    Args:
        argv: Hydra's arguments (``-m`` is added if missing).

    Returns:
        The exit code: 2 for a bad value, else 0 (a failing job is reported by Hydra).
    """
    from hfsim.cli import _run_with_hydra

    args = [a for a in argv if a not in ("-m", "--multirun")]
    try:
        base, sweeps = _split_args(args)
        axes = parse_sweeps(sweeps)
        if any(a.bounds is not None for a in axes):
            raise UsageError("interval(...) needs a sampler: use `hfsim sweep ... sweep.samples=N`")
        build_plan(base, expand_points(axes, 0, 0))
    except (UsageError, ConfigError) as err:
        print(f"hfsim multirun: error: {err}", file=sys.stderr)
        return 2
    return _run_with_hydra("run", ["--multirun", *args])


def _split_args(args: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Model overrides (values) and sweep overrides (strings); Hydra's own are left out."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    values: dict[str, Any] = {}
    sweeps: list[str] = []
    for arg in args:
        try:
            (override,) = parser.parse_overrides([arg])
        except HydraException as err:
            raise UsageError(f"cannot read override {arg!r}: {str(err).splitlines()[0]}") from None
        key = override.key_or_group
        if key.split(".")[0].split("/")[0] == "hydra":
            continue
        if override.is_sweep_override():
            sweeps.append(arg)
        else:
            values[key] = override.value()
    return values, sweeps


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in the tests
    raise SystemExit(hydra_multirun(sys.argv[1:]))
