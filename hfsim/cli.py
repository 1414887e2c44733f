"""``hfsim <command> [overrides ...]``: thin Hydra entry points over the library.

Every command first checks its overrides with the library's own validation, so bad input is
a one-line message naming the key and the allowed values, exit code 2, and nothing written;
only then does Hydra compose the config, create the output directory and call the command.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hfsim.config import (
    Config,
    ConfigError,
    OutputError,
    group_options,
    load_config,
    register_table_presets,
    to_config,
)
from hfsim.config.load import CONFIG_DIR, GROUPS

log = logging.getLogger("hfsim")


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


@dataclass(frozen=True)
class Command:
    """A subcommand: what it does, and the function that runs it on a validated config."""

    summary: str
    run: Callable[[Config, Path], int]
    sweep_allowed: bool = False
    examples: tuple[str, ...] = ()
    # overrides the command applies unless the command line sets the same key
    defaults: tuple[str, ...] = ()
    hydra: bool = True  # False: run on the library's config, no output directory


def _cmd_run(cfg: Config, outdir: Path) -> int:
    from hfsim.runner import run_replications, scenario_name, tqdm_progress, write_outputs

    results = run_replications(cfg, progress=tqdm_progress(scenario_name(cfg)))
    history = None
    if cfg.history.enabled:  # experiment=history: the backcast against the observed series
        from hfsim.history import write_history
        from hfsim.outputs import make_dir

        history = write_history(make_dir(outdir), cfg, results)
    summary = write_outputs(outdir, cfg, results)  # last: summary.json marks a finished run
    _print_summary(summary, outdir, cfg.report.language)
    if history is not None:
        from hfsim.history import history_lines

        print("\n".join(history_lines(history)))
    return 0


def _print_summary(summary: dict[str, Any], outdir: Path, language: str = "en") -> None:
    from hfsim.report.console import run_lines, written_line
    from hfsim.results import KPI_NAMES

    print(
        "\n".join(
            [*run_lines(summary, KPI_NAMES, language), written_line(outdir, "outputs", language)]
        )
    )


COMMANDS: dict[str, Command] = {
    "run": Command(
        "one scenario, `replications` runs: outputs, figures and a report",
        _cmd_run,
        examples=(
            "hfsim run",
            "hfsim run policy=shelter_first replications=20",
            "hfsim run municipality=aarhus shelter.capacity=150 hydra.run.dir=out/sf",
            "hfsim run municipality=denmark experiment=history replications=2",
        ),
    ),
}


def register(name: str, command: Command) -> None:
    """Add a subcommand (used by the modules that implement the other commands)."""
    COMMANDS[name] = command


def _load_commands() -> None:
    """Import the modules that register further commands."""
    import importlib

    for module in ("hfsim.commands",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise


def _shown_options(group: str) -> list[str]:
    """A group's options for --help: the preset files, and a pointer to the table's presets."""
    options = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
    more = len(group_options(group)) - len(options)
    return options + ([f"... ({more} more: hfsim municipalities)"] if more else [])


def _usage() -> str:
    lines = ["usage: hfsim <command> [key=value ...] [--help]", "", "commands:"]
    lines += [f"  {name:12s} {cmd.summary}" for name, cmd in COMMANDS.items()]
    lines += [
        "",
        "config groups: " + "; ".join(f"{g}={'|'.join(_shown_options(g))}" for g in GROUPS),
    ]
    lines += ["Overrides use Hydra's syntax; `hydra.run.dir=DIR` sets the output directory."]
    return "\n".join(lines)


def _command_help(name: str) -> str:
    cmd = COMMANDS[name]
    lines = [f"usage: hfsim {name} [key=value ...]", "", cmd.summary, ""]
    lines += ["config groups:"] + [f"  {g}={'|'.join(_shown_options(g))}" for g in GROUPS]
    lines += [
        "",
        "levers (see docs/configuration.md for every key, its range and source):",
        "  shelter.capacity  housing.anvisning_share  housing.cheap_units",
        "  housing.private_guarantee  support.{cti,icm,act}.staff  support.<method>.caseload",
        "  allocation.rule=first_come|best_fit  report.language=en|da  replications  seed  years",
        "",
        "examples:",
    ]
    lines += [f"  {e}" for e in cmd.examples]
    return "\n".join(lines)


_CURRENT: dict[str, list[str]] = {"overrides": [], "sweeps": []}


def current_overrides() -> list[str]:
    """The command line's override strings, as typed (sweeps included), for the running command."""
    return list(_CURRENT["overrides"])


def sweep_overrides() -> list[str]:
    """The command line's sweep overrides (``a=1,2``, ``range(...)``, ``interval(...)``)."""
    return list(_CURRENT["sweeps"])


def parse_cli_overrides(args: list[str], sweep_allowed: bool) -> tuple[dict[str, Any], list[str]]:
    """Parse Hydra-syntax overrides into (model overrides, hydra's own overrides).

    Raises:
        UsageError: a malformed override, or a sweep given to a command that runs one config.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    values: dict[str, Any] = {}
    hydra_args = []
    for arg in args:
        if arg.startswith("-"):
            raise UsageError(f"unknown option {arg!r}; try --help")
        _check_municipality(arg)
        try:
            (override,) = parser.parse_overrides([arg])
        except OverrideParseException as err:
            raise UsageError(f"cannot read override {arg!r}: {str(err).splitlines()[0]}") from None
        key = override.key_or_group
        if key == "hydra" or key.startswith("hydra.") or key.startswith("hydra/"):
            hydra_args.append(arg)
            continue
        if override.is_sweep_override():
            if not sweep_allowed:
                raise UsageError(
                    f"{arg!r} is a sweep; use `hfsim sweep` to run several values of {key}"
                )
            _CURRENT["sweeps"].append(arg)
            continue  # the sweep command validates each value itself
        values[key] = override.value()
    return values, hydra_args


def _check_municipality(arg: str) -> None:
    """``municipality=København`` (which Hydra's grammar cannot read): point to the slug."""
    key, _, value = arg.partition("=")
    if key != "municipality" or not value or any(ch in value for ch in ",()[]"):
        return  # not a single municipality choice (a sweep is checked value by value)
    if value not in group_options("municipality"):
        from hfsim.municipalities import unknown_municipality

        raise UsageError(unknown_municipality(value, group_options("municipality")))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hfsim`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    _load_commands()
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(
            f"hfsim: error: unknown command {name!r}; commands: {', '.join(COMMANDS)}",
            file=sys.stderr,
        )
        return 2
    if "-h" in rest or "--help" in rest:
        print(_command_help(name))
        return 0
    command = COMMANDS[name]
    given = {a.split("=", 1)[0].lstrip("+~") for a in rest}
    rest = [d for d in command.defaults if d.split("=", 1)[0] not in given] + rest
    _CURRENT["overrides"], _CURRENT["sweeps"] = list(rest), []
    try:
        values, hydra_args = parse_cli_overrides(rest, command.sweep_allowed)
        load_config(values)  # refuse bad input before Hydra creates anything
        check_output_dirs(hydra_args)  # before Hydra's log handler fails on it
    except (UsageError, ConfigError) as err:
        print(f"hfsim {name}: error: {err}", file=sys.stderr)
        return 2
    if not command.hydra:
        return command.run(load_config(values), Path.cwd())
    single = [_hydra_form(a) for a in rest if a not in _CURRENT["sweeps"]]
    try:
        _compose_with_hydra(single)  # Hydra's own composition errors, before it writes
    except UsageError as err:
        print(f"hfsim {name}: error: {err}", file=sys.stderr)
        return 2
    return _run_with_hydra(name, single)


def output_dirs(hydra_args: list[str]) -> list[Path]:
    """The directories a command will write into: ``hydra.run.dir`` (default ``outputs/``)
    and ``hydra.sweep.dir`` if given, each up to its first ``${...}``."""
    given = {"hydra.run.dir": "outputs"}
    for arg in hydra_args:
        key, _, value = arg.lstrip("+~").partition("=")
        if key in ("hydra.run.dir", "hydra.sweep.dir"):
            given[key] = value.strip("'\"").split("${", 1)[0] or "."
    return [Path(v) for v in given.values()]


def check_output_dirs(hydra_args: list[str]) -> None:
    """Refuse an output directory that cannot be created or written, before anything runs.

    The nearest existing ancestor must be a directory where a file can be created (a probe,
    removed at once), which catches a read-only file system and missing permissions alike.

    Raises:
        OutputError: naming the directory and why.
    """
    import tempfile

    for path in output_dirs(hydra_args):
        existing = path.absolute()
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise OutputError(
                f"output directory {path} cannot be made: {existing} is not a directory; "
                "choose another hydra.run.dir"
            )
        try:
            fd, probe = tempfile.mkstemp(prefix=".hfsim-probe-", dir=existing)
        except OSError as err:
            raise OutputError(
                f"output directory {path} cannot be written ({existing}: "
                f"{err.strerror or type(err).__name__}); choose a writable hydra.run.dir"
            ) from None
        os.close(fd)
        os.unlink(probe)


def _hydra_form(arg: str) -> str:
    """Hydra refuses to override a free-form dict field without ``++``: add it for the user."""
    from hfsim.config.load import is_free_dict

    key = arg.split("=", 1)[0]
    if key.startswith("+") or not is_free_dict(key):
        return arg
    return "++" + arg


def _compose_with_hydra(overrides: list[str]) -> None:
    """Compose the config as Hydra will, turning its errors into a one-line usage error."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    # municipality=kolding: a preset derived from the national table (only those named)
    register_table_presets(_named_municipalities(overrides))
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            to_config(compose("config", overrides=overrides))
    except ConfigError:
        raise
    except (HydraException, OmegaConfBaseException) as err:
        raise UsageError(str(err).strip().splitlines()[0]) from None


def _named_municipalities(overrides: list[str]) -> set[str]:
    """The names in the ``municipality=`` overrides (a sweep's ``a,b`` or ``choice(a,b)``)."""
    names: set[str] = set()
    for arg in overrides:
        key, _, value = arg.lstrip("+~").partition("=")
        if key == "municipality":
            names.update(re.findall(r"[A-Za-z0-9_]+", value))
    return names


def _run_with_hydra(name: str, overrides: list[str]) -> int:
    """Compose with Hydra (output directory, logging) and run the command."""
    import hydra
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import DictConfig

    from hfsim.outputs import discard_written, written_count

    status = {"code": 0}

    @hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
    def _entry(dcfg: DictConfig) -> None:
        logging.getLogger("MESA").setLevel(logging.WARNING)
        outdir = Path(HydraConfig.get().runtime.output_dir)
        mark = written_count()
        try:
            status["code"] = COMMANDS[name].run(to_config(dcfg), outdir)
        except (ConfigError, UsageError) as err:
            print(f"hfsim {name}: error: {err}", file=sys.stderr)
            if isinstance(err, OutputError):  # nothing that looks like a result stays
                discard_written(outdir, mark)
            _remove_if_only_hydra(outdir)
            status["code"] = 2

    saved = sys.argv
    sys.argv = [f"hfsim-{name}", *overrides]
    try:
        _entry()
    finally:
        sys.argv = saved
    return status["code"]


def _remove_if_only_hydra(outdir: Path) -> None:
    """After refused input, remove a directory holding nothing but Hydra's own files."""
    import shutil

    hydra_files = {".hydra", "cli.log"}
    if outdir.is_dir() and {p.name for p in outdir.iterdir()} <= hydra_files:
        shutil.rmtree(outdir)


if __name__ == "__main__":  # pragma: no cover
    # `python -m hfsim.cli`: the commands register in the module hfsim.cli, not in __main__
    from hfsim.cli import main as _main

    raise SystemExit(_main())
