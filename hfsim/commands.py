"""The subcommands besides ``hfsim run``: what each does, and where its code lives.

Each command's module (compare, sweep, calibrate...) is imported only when that command runs,
so ``hfsim --help`` and a refused command line answer without loading Mesa, pandas or scipy
(about a second). ``hfsim run`` lives in :mod:`hfsim.cli` itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from hfsim.cli import Command, register
from hfsim.config import Config


def _lazy(module: str, function: str) -> Callable[[Config, Path], int]:
    """The command function ``module.function``, imported when the command runs."""

    def run(cfg: Config, outdir: Path) -> int:
        return getattr(importlib.import_module(module), function)(cfg, outdir)

    run.__qualname__ = f"{module}.{function}"
    return run


def _cmd_municipalities(cfg: Config, outdir: Path) -> int:
    """``hfsim municipalities``: every municipality and region preset of the national table."""
    from hfsim.municipalities import listing

    print(listing())
    return 0


register(
    "compare",
    Command(
        "several scenarios on the same seeds (default: housing_first vs shelter_first): "
        "paired differences with 95 % intervals, figures and a report",
        _lazy("hfsim.compare", "_run_command"),
        examples=(
            "hfsim compare",
            "hfsim compare experiment=reform_effect",
            "hfsim compare experiment=housing_supply municipality=small_town replications=5",
            "hfsim compare report.language=da hydra.run.dir=out/hf_vs_sf",
            "hfsim compare '+experiment.scenarios.today={policy:housing_first}' "
            "'+experiment.scenarios.more={policy:housing_first,housing.anvisning_share:0.5}' "
            "experiment.baseline=today",
        ),
    ),
)
register(
    "sweep",
    Command(
        "a parameter grid or sample × replications, in parallel or on a cluster; resumable",
        _lazy("hfsim.sweep", "_cmd_sweep"),
        sweep_allowed=True,
        examples=(
            "hfsim sweep municipality=small_town shelter.capacity=10,20 "
            "housing.anvisning_share=0.25,0.5 replications=5",
            "hfsim sweep 'shelter.capacity=range(100,301,50)' policy=housing_first,shelter_first",
            "hfsim sweep 'housing.anvisning_share=interval(0.25,0.6)' sweep.samples=40 "
            "sweep.workers=2 hydra.run.dir=out/anvisning",
            "hfsim sweep shelter.capacity=100,200 sweep.backend=dask "
            "sweep.address=tcp://127.0.0.1:8786",
        ),
    ),
)
register(
    "sensitivity",
    Command(
        "global sensitivity analysis (Morris and Sobol, SALib) with a noise floor",
        _lazy("hfsim.sensitivity", "_cmd_sensitivity"),
        examples=(
            "hfsim sensitivity municipality=small_town replications=3 sensitivity.samples=8 "
            "'+sensitivity.parameters={shelter.capacity:[10,30],housing.anvisning_share:[0.2,0.5]}'",
            "hfsim sensitivity sensitivity.method=morris sensitivity.kpis=[homeless_mean] "
            "'+sensitivity.parameters={citizens.inflow_per_year:[450,700],tenancy.support_effect:[0.4,0.9]}'",
        ),
    ),
)
register(
    "calibrate",
    Command(
        "fit the parameters without a direct source to the Danish targets (scipy optimiser)",
        _lazy("hfsim.calibrate", "run_calibrate"),
        examples=(
            "hfsim calibrate municipality=aarhus",
            "hfsim calibrate municipality=aarhus calibrate.budget=200 years=6",
            "hfsim calibrate municipality=small_town "
            "++calibrate.parameters={citizens.stay_mean_days_transitional:[5,120]} "
            "calibrate.targets=[shelter_stay_mean]",
            "hfsim calibrate municipality=aarhus calibrate.write_presets=[aarhus,small_town]",
        ),
        # fitted to the same world that `hfsim validate` checks: practice before the reform
        defaults=("policy=status_quo", "regime=pre_2023"),
    ),
)
register(
    "validate",
    Command(
        "the model against the Danish targets: validation.csv (target, model, range, passed)",
        _lazy("hfsim.validate", "run_validate"),
        examples=(
            "hfsim validate municipality=aarhus",
            "hfsim validate municipality=aarhus policy=housing_first regime=reform_2023",
            "hfsim validate municipality=denmark replications=4",
            "hfsim validate municipality=small_town years=2 warmup_years=1 replications=2",
        ),
        # the targets describe Danish practice before the reform: the status quo is validated
        defaults=("policy=status_quo", "regime=pre_2023"),
    ),
)
register(
    "app",
    Command(
        "the teaching dashboard in the browser (localhost)",
        _lazy("hfsim.app", "run_app"),
        examples=(
            "hfsim app",
            "hfsim app app.port=8800",
            "hfsim app municipality=aarhus seed=3",
        ),
    ),
)
register(
    "bench",
    Command(
        "the performance benchmark (national run against a trivial Mesa loop, scaling, "
        "parallel speed-up, naive baseline)",
        _lazy("hfsim.bench", "_cmd_bench"),
        examples=(
            "hfsim bench",
            "hfsim bench bench.scales=[1,2] bench.horizons=[5,10] bench.repeats=3",
            "hfsim bench municipality=small_town years=2 bench.naive=false",
        ),
    ),
)
register(
    "municipalities",
    Command(
        "list the 98 municipalities and 5 regions that `municipality=<slug>` accepts",
        _cmd_municipalities,
        examples=("hfsim municipalities", "hfsim compare municipality=kolding"),
        hydra=False,
    ),
)
