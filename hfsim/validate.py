"""``hfsim validate``: the model against the Danish targets.

Runs ``replications`` replications of the config (a preset with its calibrated values) under
an :class:`hfsim.targets.Observer`, and compares the mean of each target quantity with the
target's acceptable range. Writes ``validation.csv`` with exactly the columns of
:data:`COLUMNS` (``passed`` means ``lower <= model_mean <= upper``) and
``validation_replications.csv`` (every quantity of every replication), and prints the
table. Every target in the preset's scope that applies to the policy is in the table; one
the model cannot compute has an empty model mean and does not pass. Targets in scope that
belong to another policy are listed after the table, with the reason.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

from hfsim.config import Config
from hfsim.targets import (
    UNAVAILABLE,
    load_targets,
    run_observed,
    select_targets,
    summarise_quantities,
)

COLUMNS = (
    "target", "observed", "model_mean", "model_ci_low", "model_ci_high", "lower", "upper",
    "passed", "source",
)  # fmt: skip


def validation_table(targets: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per target: observed, the model's mean and 95 % interval, range, pass, source.

    Args:
        targets: The targets that apply (rows of the targets table).
        rows: Target quantities, one row per replication (:func:`hfsim.targets.run_observed`).
    """
    stats = summarise_quantities(rows, targets["kpi"])
    table = pd.DataFrame(
        {
            "target": targets["target"].to_numpy(),
            "observed": targets["observed"].to_numpy(),
            "model_mean": stats.loc[targets["kpi"], "mean"].to_numpy(),
            "model_ci_low": stats.loc[targets["kpi"], "ci_low"].to_numpy(),
            "model_ci_high": stats.loc[targets["kpi"], "ci_high"].to_numpy(),
            "lower": targets["lower"].to_numpy(),
            "upper": targets["upper"].to_numpy(),
            "source": targets["source"].to_numpy(),
        }
    )
    mean = table["model_mean"]
    table["passed"] = mean.notna() & (table["lower"] <= mean) & (mean <= table["upper"])
    return table[list(COLUMNS)]


def validate(
    cfg: Config, workers: int = 1, progress=None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run the replications and compare them with the targets.

    Args:
        cfg: A validated config.
        workers: Processes for the replications.
        progress: Wraps the stream of finished replications (e.g. a tqdm bar).

    Returns:
        (the validation table, the per-replication quantities, the targets in the table
        (rows of the targets table, in the table's order), the targets in scope that apply
        to another policy with the reason).
    """
    applicable, other = select_targets(load_targets(), cfg)
    rows = run_observed(cfg, workers=workers, progress=progress)
    return validation_table(applicable, rows), rows, applicable, other


def _num(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:,.4g}"


def format_table(table: pd.DataFrame) -> str:
    """The validation table as aligned text."""
    head = f"{'target':34s} {'observed':>9s} {'model':>9s} {'95% CI':>21s} {'range':>21s}  passed"
    lines = [head, "-" * len(head)]
    for r in table.itertuples(index=False):
        ci = (
            f"[{_num(r.model_ci_low)}, {_num(r.model_ci_high)}]"
            if math.isfinite(r.model_ci_low)
            else ""
        )
        model = _num(r.model_mean) or "n/a"
        lines.append(
            f"{r.target:34s} {_num(r.observed):>9s} {model:>9s} {ci:>21s} "
            f"{f'[{_num(r.lower)}, {_num(r.upper)}]':>21s}  {'yes' if r.passed else 'NO'}"
        )
    return "\n".join(lines)


def summary_lines(table: pd.DataFrame, other: pd.DataFrame, kpis: pd.Series) -> list[str]:
    """Pass count, the targets the model cannot compute and those for another policy."""
    n, passed = len(table), int(table["passed"].sum())
    computed = table["model_mean"].notna()
    if not n:
        return ["no targets apply"]
    line = f"passed {passed} of {n} targets ({passed / n:.0%})"
    if not computed.all():
        k = int(computed.sum())
        line += f"; {passed} of the {k} the model computes ({passed / k:.0%})" if k else ""
    lines = [line]
    for target, kpi in zip(table.loc[~computed, "target"], kpis[~computed.to_numpy()], strict=True):
        lines.append(f"  not computed: {target}: {UNAVAILABLE.get(kpi, 'no data in this run')}")
    for row in other.itertuples(index=False):
        lines.append(f"  not in the table: {row.target}: {row.reason}")
    return lines


def run_validate(cfg: Config, outdir: Path) -> int:
    """The ``hfsim validate`` command."""
    from hfsim.outputs import make_dir, write_text
    from hfsim.runner import default_workers, tqdm_progress

    workers = min(default_workers(cfg.output.workers), cfg.replications)
    label = f"validate {cfg.municipality.name}"
    table, rows, applicable, other = validate(cfg, workers, tqdm_progress(label))
    make_dir(outdir)
    write_text(outdir / "validation_replications.csv", rows.to_csv())
    write_text(outdir / "validation.csv", table.to_csv(index=False))
    print(
        f"hfsim validate: {cfg.municipality.name} · {cfg.policy.name} · {cfg.regime.name} · "
        f"{cfg.replications} replications · {cfg.warmup_years}+{cfg.years} years"
    )
    print(format_table(table))
    for line in summary_lines(table, other, applicable["kpi"].reset_index(drop=True)):
        print(line)
    print(f"hfsim validate: outputs in {outdir}", file=sys.stdout)
    return 0
