"""``hfsim calibrate``: fit the parameters that have no direct source to the Danish targets.

The search space is ``calibrate.parameters`` (dotted key -> [low, high]); a preset declares
its own (``configs/municipality/*.yaml``), and ``calibrate.free`` narrows it. Each parameter
is scaled to [0, 1], on a log scale when its range spans a factor of ten or more, and a
scipy optimiser (Nelder-Mead by default) minimises

    f(θ) = Σ_i d_i(θ)² + w · Σ_i c_i(θ)²,
    d_i = max(lower_i - m_i, 0, m_i - upper_i) / h_i,   c_i = (m_i - observed_i) / h_i,

over the chosen targets ``i``, where ``m_i`` is the model mean over
``calibrate.replications`` replications, ``h_i`` half the width of the target's range and
``w = calibrate.centre_weight`` a small pull towards the observed value (it keeps the fit
off the edges of the ranges, so that a fresh validation run does not fall out of them by
noise). Every evaluation runs the same replication seeds (common random numbers), so two
evaluations differ only by their parameters. The optimiser stops after ``calibrate.budget``
evaluations or when its steps fall below ``calibrate.tolerance``, whichever comes first; the
best point evaluated is the result, so the objective never ends above its starting value.

Outputs in the run directory: ``calibrated.yaml`` (the fitted values as a config file, with
date and objective), ``calibration.json`` (the record), ``calibration_history.csv`` (every
evaluation) and ``calibration_fit.csv`` (each target before and after). With
``calibrate.write_presets=[...]`` the fitted values are written into those presets' YAML
files, which is how the shipped values were produced (``docs/calibration.md``).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hfsim.cli import UsageError
from hfsim.config import Config, ConfigError, group_options
from hfsim.config.load import CONFIG_DIR
from hfsim.outputs import make_dir, write_text
from hfsim.runner import default_workers, make_pool
from hfsim.targets import UNAVAILABLE, load_targets, run_observed, select_targets

NAN_PENALTY = 10.0  # normalised distance charged for a target the run could not compute
LOG_SCALE_RATIO = 10.0  # ranges spanning at least this factor are searched on a log scale


# ---------------------------------------------------------------------------------------
# The search space
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    """One free parameter: its dotted key, its bounds and how it is scaled to [0, 1]."""

    key: str
    lo: float
    hi: float
    log: bool
    integer: bool

    def to_unit(self, value: float) -> float:
        """The value's position in [0, 1] (clipped to the bounds)."""
        value = min(max(float(value), self.lo), self.hi)
        if self.log:
            return math.log(value / self.lo) / math.log(self.hi / self.lo)
        return (value - self.lo) / (self.hi - self.lo)

    def from_unit(self, u: float) -> float:
        """The value at position ``u`` (clipped to [0, 1])."""
        u = min(max(float(u), 0.0), 1.0)
        value = (
            self.lo * (self.hi / self.lo) ** u if self.log else self.lo + u * (self.hi - self.lo)
        )
        value = min(max(value, self.lo), self.hi)  # no rounding error past a bound
        return float(round(value)) if self.integer else value


def _field(cfg: Config, key: str) -> tuple[Any, dataclasses.Field]:
    """The dataclass holding a dotted key's value, and the key's field."""
    node: Any = cfg
    parts = key.split(".")
    for part in parts[:-1]:
        node = getattr(node, part, None)
    fields = {f.name: f for f in dataclasses.fields(node)} if dataclasses.is_dataclass(node) else {}
    if parts[-1] not in fields:
        raise ConfigError(f"calibrate.parameters: unknown key {key!r}")
    return node, fields[parts[-1]]


def get_value(cfg: Config, key: str) -> Any:
    """The value of a dotted key, e.g. ``get_value(cfg, "citizens.inflow_per_year")``."""
    node, f = _field(cfg, key)
    return getattr(node, f.name)


def with_values(cfg: Config, values: Mapping[str, float]) -> Config:
    """A copy of ``cfg`` with dotted keys set to new values.

    Args:
        cfg: A validated config.
        values: Dotted key -> value (kept within the search bounds by the caller).
    """
    out = copy.deepcopy(cfg)
    for key, value in values.items():
        node, f = _field(out, key)
        setattr(node, f.name, type(getattr(node, f.name))(value))
    return out


def flatten_spec(spec: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{citizens: {x: [1, 2]}}`` and ``{citizens.x: [1, 2]}`` both as ``{"citizens.x": [1, 2]}``."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if isinstance(value, Mapping):
            out.update(flatten_spec(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def parameter_space(cfg: Config) -> list[Parameter]:
    """The free parameters of ``cfg.calibrate``, checked against the schema.

    Raises:
        ConfigError: an unknown or non-numeric key, bounds that are not ``[low, high]``
            with ``low < high`` inside the schema's range, or a ``free`` key outside
            ``parameters``.
    """
    spec = flatten_spec(cfg.calibrate.parameters)
    free = list(cfg.calibrate.free) or list(spec)
    unknown = sorted(set(free) - set(spec))
    if unknown:
        raise ConfigError(
            f"calibrate.free: {', '.join(unknown)} not in calibrate.parameters "
            f"({', '.join(spec) or 'empty'})"
        )
    space = []
    for key in free:
        node, f = _field(cfg, key)
        value = getattr(node, f.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"calibrate.parameters: {key} is not numeric")
        bounds = spec[key]
        if not (isinstance(bounds, list | tuple) and len(bounds) == 2):
            raise ConfigError(f"calibrate.parameters.{key} must be [low, high], got {bounds!r}")
        lo, hi = (float(b) for b in bounds)
        meta_lo, meta_hi = f.metadata.get("lo"), f.metadata.get("hi")
        if (
            not lo < hi
            or (meta_lo is not None and lo < meta_lo)
            or (meta_hi is not None and hi > meta_hi)
        ):
            raise ConfigError(
                f"calibrate.parameters.{key}=[{lo:g}, {hi:g}] must have low < high within "
                f"the key's range [{meta_lo}, {meta_hi}]"
            )
        log = lo > 0 and hi / lo >= LOG_SCALE_RATIO
        space.append(Parameter(key, lo, hi, log, isinstance(value, int)))
    return space


def calibration_targets(cfg: Config) -> pd.DataFrame:
    """The targets to fit: ``calibrate.targets``, or every computable one that applies.

    Raises:
        ConfigError: an unknown target, one that does not apply to the preset and policy, or
            one the model cannot compute.
    """
    table = load_targets()
    chosen, _ = select_targets(table, cfg, cfg.calibrate.targets)
    blind = chosen[chosen["kpi"].isin(list(UNAVAILABLE))]
    if cfg.calibrate.targets and len(blind):
        raise ConfigError(
            f"calibrate.targets: the model cannot compute {', '.join(blind['target'])}"
        )
    return chosen[~chosen["kpi"].isin(list(UNAVAILABLE))].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# The objective
# ---------------------------------------------------------------------------------------
def objective_terms(
    means: Mapping[str, float], targets: pd.DataFrame, centre_weight: float
) -> pd.Series:
    """Each target's contribution to the objective (see the module docstring).

    Args:
        means: Model mean of each quantity (by ``kpi`` name).
        targets: The targets (rows of the targets table).
        centre_weight: Weight of the squared distance to the observed value.
    """
    terms = {}
    for row in targets.itertuples(index=False):
        m = float(means.get(row.kpi, math.nan))
        half = (row.upper - row.lower) / 2.0 or 1.0
        if not math.isfinite(m):
            terms[row.target] = NAN_PENALTY**2
            continue
        outside = max(row.lower - m, 0.0, m - row.upper) / half
        centre = (m - row.observed) / half
        terms[row.target] = outside**2 + centre_weight * centre**2
    return pd.Series(terms, dtype=float)


class _BudgetSpent(Exception):
    """The evaluation budget is used up (stops any scipy optimiser cleanly)."""


@dataclass
class CalibrationResult:
    """What a calibration found."""

    space: list[Parameter]
    targets: pd.DataFrame
    start: dict[str, float]
    best: dict[str, float]
    start_objective: float
    best_objective: float
    history: pd.DataFrame  # one row per evaluation: evaluation, objective, parameters
    fit: pd.DataFrame  # one row per target: observed, range, model mean at start and best
    stopped: str


class Calibration:
    """Evaluates the objective on a config, keeping the history and the best point.

    Args:
        cfg: The config to calibrate (its seed fixes the replication seeds).
        space: The free parameters.
        targets: The targets to fit.
        executor: A process pool for the replications, or None to run them here.
        on_evaluation: Called after every evaluation with (evaluation, objective, best).
        log_path: A CSV that every evaluation is appended to as it finishes.
    """

    def __init__(
        self,
        cfg: Config,
        space: list[Parameter],
        targets: pd.DataFrame,
        executor: Any = None,
        on_evaluation: Callable[[int, float, float], None] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.cfg = cfg
        self.space = space
        self.targets = targets
        self.executor = executor
        self.on_evaluation = on_evaluation or (lambda *_: None)
        self.log_path = log_path
        self.rows: list[dict[str, float]] = []
        self.means: list[dict[str, float]] = []

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Parameter values at a point of the unit cube."""
        return {p.key: p.from_unit(x) for p, x in zip(self.space, u, strict=True)}

    def model_means(self, values: Mapping[str, float]) -> dict[str, float]:
        """Mean of every target quantity over the replications, at these values."""
        cfg = with_values(self.cfg, values)
        rows = run_observed(cfg, range(self.cfg.calibrate.replications), executor=self.executor)
        return {k: float(v) for k, v in rows.mean(numeric_only=True).items()}

    def __call__(self, u: np.ndarray) -> float:
        """The objective at a point of the unit cube (counts against the budget)."""
        if len(self.rows) >= self.cfg.calibrate.budget:
            raise _BudgetSpent
        values = self.values(np.asarray(u, dtype=float))
        means = self.model_means(values)
        value = float(objective_terms(means, self.targets, self.cfg.calibrate.centre_weight).sum())
        self.rows.append({"evaluation": len(self.rows), "objective": value, **values})
        self.means.append(means)
        if self.log_path is not None:
            pd.DataFrame(self.rows[-1:]).to_csv(
                self.log_path, mode="a", header=len(self.rows) == 1, index=False
            )
        self.on_evaluation(len(self.rows), value, min(r["objective"] for r in self.rows))
        return value

    def best_index(self) -> int:
        return int(np.argmin([r["objective"] for r in self.rows]))


def _optimise(calib: Calibration, u0: np.ndarray) -> str:
    """Run the configured scipy optimiser from ``u0``; return why it stopped."""
    from scipy import optimize

    c = calib.cfg.calibrate
    d = len(u0)
    bounds = [(0.0, 1.0)] * d
    try:
        if c.method == "nelder_mead":
            step = np.where(u0 + 0.1 <= 1.0, 0.1, -0.1)
            simplex = np.vstack([u0, u0 + np.diag(step)])
            res = optimize.minimize(
                calib, u0, method="Nelder-Mead", bounds=bounds,
                options={"initial_simplex": simplex, "maxfev": c.budget, "xatol": c.tolerance,
                         "fatol": c.tolerance, "adaptive": d > 3},
            )  # fmt: skip
        elif c.method == "powell":
            res = optimize.minimize(
                calib, u0, method="Powell", bounds=bounds,
                options={"maxfev": c.budget, "xtol": c.tolerance, "ftol": c.tolerance},
            )  # fmt: skip
        else:
            popsize = 8
            res = optimize.differential_evolution(
                calib, bounds, x0=u0, popsize=popsize, tol=c.tolerance, polish=False,
                maxiter=max(1, c.budget // (popsize * d)), seed=calib.cfg.seed,
                init="latinhypercube",
            )  # fmt: skip
    except _BudgetSpent:
        return "budget"
    return "budget" if len(calib.rows) >= c.budget else f"converged ({res.message})"


def calibrate(
    cfg: Config,
    executor: Any = None,
    on_evaluation: Callable[[int, float, float], None] | None = None,
    log_path: Path | None = None,
) -> CalibrationResult:
    """Fit ``cfg.calibrate.parameters`` to the targets.

    Args:
        cfg: A validated config with a non-empty ``calibrate.parameters``.
        executor: A process pool for the replications (None: run them in this process).
        on_evaluation: Progress callback (evaluation, objective, best so far).
        log_path: A CSV to append every evaluation to as it finishes.

    Raises:
        UsageError: no parameters or no targets to fit.
    """
    if not cfg.calibrate.parameters:
        raise UsageError(
            "calibrate.parameters is empty: give the parameters to fit as "
            "++calibrate.parameters={citizens.inflow_per_year:[100,2000]} (the aarhus, "
            "copenhagen, odense and denmark presets declare theirs)"
        )
    space = parameter_space(cfg)
    targets = calibration_targets(cfg)
    if targets.empty:
        raise UsageError(
            f"no computable targets apply to municipality={cfg.municipality.name} "
            f"policy={cfg.policy.name}; see hfsim/data/targets_dk.csv"
        )
    calib = Calibration(cfg, space, targets, executor, on_evaluation, log_path)
    start = {p.key: float(get_value(cfg, p.key)) for p in space}
    u0 = np.array([p.to_unit(start[p.key]) for p in space])
    stopped = _optimise(calib, u0)
    history = pd.DataFrame(calib.rows)
    i = calib.best_index()
    best = {p.key: float(history.loc[i, p.key]) for p in space}
    fit = targets[["target", "kpi", "observed", "lower", "upper"]].copy()
    fit["start_mean"] = fit["kpi"].map(calib.means[0])
    fit["fitted_mean"] = fit["kpi"].map(calib.means[i])
    w = cfg.calibrate.centre_weight
    fit["start_term"] = objective_terms(calib.means[0], targets, w).to_numpy()
    fit["fitted_term"] = objective_terms(calib.means[i], targets, w).to_numpy()
    fit["passed"] = (fit["lower"] <= fit["fitted_mean"]) & (fit["fitted_mean"] <= fit["upper"])
    return CalibrationResult(
        space=space,
        targets=targets,
        start=start,
        best=best,
        start_objective=float(history.loc[0, "objective"]),
        best_objective=float(history.loc[i, "objective"]),
        history=history,
        fit=fit,
        stopped=stopped,
    )


# ---------------------------------------------------------------------------------------
# Writing the fitted values
# ---------------------------------------------------------------------------------------
def format_value(value: float, integer: bool = False) -> str:
    """A short YAML number: integers as such, floats to four significant digits."""
    if integer:
        return str(int(round(value)))
    text = repr(float(f"{value:.4g}"))
    return f"{float(text):.10f}".rstrip("0") if "e" in text else text


def _nest(values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    blocks: dict[str, dict[str, str]] = {}
    for key, text in values.items():
        block, sep, name = key.partition(".")
        if not sep or "." in name:
            raise ConfigError(f"cannot write {key!r} into a preset: only block.key is supported")
        blocks.setdefault(block, {})[name] = text
    return blocks


def set_yaml_values(text: str, values: Mapping[str, str], comment: str) -> str:
    """Set ``block.key: value  # comment`` lines in a preset's YAML, keeping everything else.

    A key already in its block is rewritten in place (with the new comment); a missing key
    is added at the end of its block; a missing block is appended.

    Args:
        text: The YAML file's text (top-level blocks with two-space indented keys).
        values: Dotted ``block.key`` -> the value as YAML text.
        comment: The comment put after every value written.
    """
    lines = text.splitlines()
    for block, keys in _nest(values).items():
        head = next((i for i, ln in enumerate(lines) if re.match(rf"{block}:\s*(#.*)?$", ln)), None)
        if head is None:
            lines += [f"{block}:"]
            head = len(lines) - 1
        end = head + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
            end += 1
        while end > head + 1 and not lines[end - 1].strip():
            end -= 1
        for name, value in keys.items():
            new = f"  {name}: {value}"
            new = f"{new:<27s} # {comment}"
            found = next(
                (i for i in range(head + 1, end) if re.match(rf"  {name}:(\s|$)", lines[i])),
                None,
            )
            if found is None:
                lines.insert(end, new)
                end += 1
            else:
                lines[found] = new
    return "\n".join(lines) + "\n"


def header_key(source: str, parameters: int) -> str:
    """The tag of a calibration line: which preset it was fitted on, how many parameters.

    A preset keeps one ``# calibration (...)`` line per tag, so the stages that wrote into it
    (e.g. behaviour on aarhus, shelter use on denmark, the local inflow) each keep theirs.
    """
    return f"calibration ({source}, {parameters} parameter{'s' if parameters != 1 else ''})"


def set_header(text: str, key: str, header: str) -> str:
    """Put (or replace) the ``# <key>: <header>`` line among the lines after ``# @package``.

    Args:
        text: The preset's YAML text.
        key: The line's tag (:func:`header_key`); a line with the same tag is replaced.
        header: Date, command and objective.
    """
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"# {key}:")]
    at = next((i + 1 for i, ln in enumerate(lines) if ln.startswith("# @package")), 0)
    while at < len(lines) and lines[at].startswith("# calibration ("):
        at += 1
    lines.insert(at, f"# {key}: {header}")
    return "\n".join(lines) + "\n"


def header_text(record: Mapping[str, Any]) -> str:
    """The provenance of a calibration, from its record (``calibration.json``)."""
    return (
        f"{record['date']} by `{record['command']}`; objective "
        f"{record['objective_start']:.4g} -> {record['objective_best']:.4g} "
        f"({record['evaluations']} evaluations x {record['replications']} replications, "
        f"seed {record['seed']}, {record['warmup_years']}+{record['years']} years, "
        f"{record['method']})"
    )


def preset_path(name: str) -> Path:
    """The YAML file of a municipality preset.

    Raises:
        ConfigError: not a preset.
    """
    if name not in group_options("municipality"):
        raise ConfigError(
            f"calibrate.write_presets: {name!r} is not a preset; allowed: "
            f"{', '.join(group_options('municipality'))}"
        )
    return CONFIG_DIR / "municipality" / f"{name}.yaml"


def write_preset(
    path: Path, values: Mapping[str, str], comment: str, key: str, header: str
) -> None:
    """Write fitted values (YAML text) and the calibration line into a preset file."""
    text = set_yaml_values(path.read_text(encoding="utf-8"), values, comment)
    text = set_header(text, key, header)
    write_text(path, text)


def fitted_yaml(result: CalibrationResult, key: str, header: str) -> str:
    """The fitted values as a ``# @package _global_`` config file."""
    texts = {p.key: format_value(result.best[p.key], p.integer) for p in result.space}
    lines = ["# @package _global_", f"# {key}: {header}"]
    for block, keys in _nest(texts).items():
        lines.append(f"{block}:")
        lines += [f"  {name}: {value}" for name, value in keys.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------
def command_line() -> str:
    """The ``hfsim calibrate ...`` command as typed (or a note for library calls)."""
    from hfsim.cli import current_overrides

    args = [a for a in current_overrides() if not a.startswith("hydra.")]
    return "hfsim calibrate " + " ".join(args) if args else "hfsim.calibrate.calibrate()"


def _progress(budget: int) -> tuple[Callable[[int, float, float], None], Callable[[], None]]:
    from tqdm import tqdm

    bar = tqdm(total=budget, desc="calibrate", unit="eval", file=sys.stderr)

    def update(n: int, value: float, best: float) -> None:
        bar.set_postfix(objective=f"{value:.4g}", best=f"{best:.4g}")
        bar.update(1)

    return update, bar.close


def calibration_record(cfg: Config, result: CalibrationResult) -> dict[str, Any]:
    """Everything needed to know how a fit was obtained (``calibration.json``)."""
    return {
        "date": dt.date.today().isoformat(),
        "command": command_line(),
        "municipality": cfg.municipality.name,
        "policy": cfg.policy.name,
        "seed": cfg.seed,
        "years": cfg.years,
        "warmup_years": cfg.warmup_years,
        "method": cfg.calibrate.method,
        "budget": cfg.calibrate.budget,
        "tolerance": cfg.calibrate.tolerance,
        "replications": cfg.calibrate.replications,
        "centre_weight": cfg.calibrate.centre_weight,
        "evaluations": len(result.history),
        "stopped": result.stopped,
        "objective_start": result.start_objective,
        "objective_best": result.best_objective,
        "targets": list(result.targets["target"]),
        "parameters": {
            p.key: {
                "low": p.lo,
                "high": p.hi,
                "log_scale": p.log,
                "start": result.start[p.key],
                "fitted": result.best[p.key],
            }
            for p in result.space
        },  # fmt: skip
    }


def _write_outputs(outdir: Path, cfg: Config, result: CalibrationResult) -> dict[str, Any]:
    """Write the run directory's files; return the calibration record."""
    record = calibration_record(cfg, result)
    key, header = header_key(cfg.municipality.name, len(result.space)), header_text(record)
    make_dir(outdir)
    write_text(outdir / "calibration_history.csv", result.history.to_csv(index=False))
    write_text(outdir / "calibration_fit.csv", result.fit.to_csv(index=False))
    write_text(outdir / "calibrated.yaml", fitted_yaml(result, key, header))
    write_text(outdir / "calibration.json", json.dumps(record, indent=2))
    if cfg.calibrate.output:
        write_text(Path(cfg.calibrate.output), fitted_yaml(result, key, header))
    return record


def write_fitted_presets(
    cfg: Config, result: CalibrationResult, record: Mapping[str, Any]
) -> list[Path]:
    """Write the fit into ``calibrate.write_presets`` (scale parameters only to this preset)."""
    paths = {name: preset_path(name) for name in cfg.calibrate.write_presets}
    home = cfg.municipality.name
    key, header = header_key(home, len(result.space)), header_text(record)
    for name, path in paths.items():
        keep = [p for p in result.space if name == home or p.key not in cfg.calibrate.preset_only]
        if not keep:
            continue
        texts = {p.key: format_value(result.best[p.key], p.integer) for p in keep}
        where = "" if name == home else f" on {home}"
        write_preset(path, texts, f"calibrated{where} {record['date']}", key, header)
    return list(paths.values())


def print_result(result: CalibrationResult) -> None:
    """The fitted values and each target before and after."""
    print(f"hfsim calibrate: objective {result.start_objective:.4g} -> "
          f"{result.best_objective:.4g} after {len(result.history)} evaluations "
          f"({result.stopped})")  # fmt: skip
    for p in result.space:
        print(f"  {p.key:42s} {result.start[p.key]:>12.4g} -> {result.best[p.key]:>12.4g}"
              f"   [{p.lo:g}, {p.hi:g}]")  # fmt: skip
    print(f"  {'target':34s} {'lower':>9s} {'upper':>9s} {'start':>9s} {'fitted':>9s}")
    for row in result.fit.itertuples(index=False):
        mark = "ok" if row.passed else "--"
        print(f"  {row.target:34s} {row.lower:9.4g} {row.upper:9.4g} {row.start_mean:9.4g} "
              f"{row.fitted_mean:9.4g} {mark}")  # fmt: skip


def run_calibrate(cfg: Config, outdir: Path) -> int:
    """The ``hfsim calibrate`` command."""
    for name in cfg.calibrate.write_presets:
        preset_path(name)  # refuse a bad name before any work
    workers = min(default_workers(cfg.output.workers), cfg.calibrate.replications)
    make_dir(outdir)
    log = outdir / "calibration_history.csv"
    log.unlink(missing_ok=True)
    update, close = _progress(cfg.calibrate.budget)
    try:
        if workers > 1:
            with make_pool(workers) as pool:
                result = calibrate(cfg, pool, update, log)
        else:
            result = calibrate(cfg, None, update, log)
    finally:
        close()
    record = _write_outputs(outdir, cfg, result)
    for path in write_fitted_presets(cfg, result, record):
        print(f"hfsim calibrate: wrote the fitted values into {path}")
    print_result(result)
    print(f"hfsim calibrate: outputs in {outdir}")
    return 0
