"""The input contract at its edges: data tables, the real command line, and faults.

Data tables are checked when the config is loaded; bad input through the real ``hfsim``
command exits 2 with one line and writes nothing; a full or unwritable disk is a clear error
with nothing partial left; a run killed mid-way leaves no output that looks complete; two
sweeps sharing a folder never delete or corrupt each other's parts.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from hfsim import cli, outputs
from hfsim.config import ConfigError, load_config
from hfsim.municipalities import DATA_DIR
from hfsim.sweep import PARTS, RESULTS, read_parts, run_sweep

TREE = Path(__file__).resolve().parents[1]
SHIPPED = pd.read_csv(DATA_DIR / "municipalities_dk.csv")
RUN = ["run", "municipality=small_town", "years=1", "warmup_years=0", "replications=1"]


def _table(tmp_path: Path, frame: pd.DataFrame | str | bytes) -> str:
    path = tmp_path / "table.csv"
    if isinstance(frame, pd.DataFrame):
        frame.to_csv(path, index=False)
    elif isinstance(frame, bytes):
        path.write_bytes(frame)
    else:
        path.write_text(frame, encoding="utf-8")
    return str(path)


def _with(column: str, row: int, value: object) -> pd.DataFrame:
    frame = SHIPPED.copy()
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


BAD_TABLES = {
    "empty file": ("", "not a readable CSV table"),
    "binary": (b"\x00\xff\xfe\x00garbage", "not a readable CSV table"),
    "header only": ("code,name,homeless_share\n", "has no rows"),
    "no share column": (SHIPPED.drop(columns="homeless_share"), "missing column(s) homeless_share"),
    "no code column": (SHIPPED.drop(columns="code"), "missing column(s) code"),
    "text share": (_with("homeless_share", 1, "lots"), "column homeless_share row 2 is 'lots'"),
    "negative share": (_with("social_housing_share", 0, -0.1), "column social_housing_share"),
    "infinite share": (_with("shelter_places_share", 3, "inf"), "column shelter_places_share"),
    "shares off": (SHIPPED.assign(homeless_share=SHIPPED.homeless_share / 2), "sums to 0.5"),
    "duplicate code": (_with("code", 1, 101), "column code must hold unique whole numbers"),
    "blank name": (_with("name", 2, ""), "column name must name every municipality"),
}


@pytest.mark.parametrize("case", BAD_TABLES, ids=list(BAD_TABLES))
def test_a_bad_municipality_table_is_refused_when_the_config_loads(tmp_path, case):
    content, message = BAD_TABLES[case]
    with pytest.raises(ConfigError) as err:
        load_config({"municipality": "denmark", "municipality.table": _table(tmp_path, content)})
    assert str(err.value).startswith("municipality.table=")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_good_copy_of_the_shipped_table_is_accepted(tmp_path):
    path = _table(tmp_path, SHIPPED)
    assert load_config({"municipality": "denmark", "municipality.table": path}).municipality.table


def test_an_unknown_calibration_target_is_refused_when_the_config_loads():
    with pytest.raises(ConfigError, match="calibrate.targets: unknown target"):
        load_config({"calibrate.targets": ["no_such_target"]})


# -- the real command line ---------------------------------------------------------------
def _hfsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(TREE), "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "hfsim.cli", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


CLI_CASES = {
    "interpolation": (["citizens.senior_share=${no_such_key}"], "interpolations"),
    "number for a switch": (["housing.private_guarantee=2"], "must be true or false"),
    "bad table": (["municipality=denmark", "municipality.table={table}"], "missing column(s)"),
    "unwritable dir": (["hydra.run.dir={file}/out"], "is not a directory"),
}


@pytest.mark.parametrize("case", CLI_CASES, ids=list(CLI_CASES))
def test_bad_input_through_the_cli_exits_2_with_one_line_and_no_files(tmp_path, case):
    args, message = CLI_CASES[case]
    table = _table(tmp_path, SHIPPED.drop(columns="homeless_share"))
    (tmp_path / "afile").write_text("not a directory")
    args = [a.replace("{table}", table).replace("{file}", str(tmp_path / "afile")) for a in args]
    out = tmp_path / "out"
    if not any(a.startswith("hydra.run.dir=") for a in args):
        args.append(f"hydra.run.dir={out}")
    result = _hfsim(*RUN, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not out.exists() and not (tmp_path / "outputs").exists()


# -- faults ------------------------------------------------------------------------------
@pytest.mark.parametrize("failing", [1, 3, 99])
def test_a_full_disk_is_a_clear_error_with_nothing_partial(tmp_path, monkeypatch, capsys, failing):
    """The disk fills up at the n-th output (99: whichever comes last, summary.json)."""
    calls = {"n": 0}
    real = outputs._fsync

    def full(path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == failing or (failing == 99 and path.name.endswith("summary.json")):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path)

    monkeypatch.setattr(outputs, "_fsync", full)
    out = tmp_path / "out"
    code = cli.main([*RUN, "report.figures=false", f"hydra.run.dir={out}"])
    stderr = capsys.readouterr().err
    errors = [line for line in stderr.splitlines() if "error" in line.lower()]
    assert code == 2 and "Traceback" not in stderr
    assert len(errors) == 1 and errors[0].startswith("hfsim run: error: cannot write ")
    assert "No space left on device" in errors[0] and "hydra.run.dir" in errors[0]
    assert not out.exists(), sorted(p.name for p in out.rglob("*"))


def test_an_unwritable_output_directory_is_refused_before_anything_runs(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    with pytest.raises(ConfigError, match="cannot be written .*Read-only file system"):
        cli.check_output_dirs([f"hydra.run.dir={tmp_path / 'out'}"])


KILL = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import hfsim.outputs
    from hfsim.config import load_config
    from hfsim.runner import run_replications, write_outputs

    target, out = sys.argv[1], Path(sys.argv[2])
    cfg = load_config({"municipality": "small_town", "years": 1, "warmup_years": 0,
                       "replications": 1})
    results = run_replications(cfg)
    real = hfsim.outputs._fsync

    def killed(path):
        if path.name.endswith(target):
            with open(path, "r+b") as f:  # half the file, then the process dies
                f.truncate(max(1, os.path.getsize(path) // 2))
            os._exit(9)
        real(path)

    hfsim.outputs._fsync = killed
    write_outputs(out, cfg, results)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["kpis.csv", "timeseries.parquet", ".png", "report.html",
                                    "summary.json"])  # fmt: skip
def test_a_run_killed_while_writing_leaves_no_output_that_looks_complete(tmp_path, target):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(TREE)}
    result = subprocess.run([sys.executable, "-c", KILL, target, str(out)], env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 9, result.stderr
    names = {p.name for p in out.rglob("*")}
    assert "summary.json" not in names  # the marker of a finished run is written last
    assert all(  # the file being written exists only under a temporary name
        n.startswith(outputs.TEMP_PREFIX) or not n.endswith(target) for n in names
    ), names
    leftovers = [p for p in out.rglob("*") if outputs.is_temp(p)]
    assert leftovers and all(outputs.is_stale_temp(p) for p in leftovers)  # its writer is gone


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_temporaries_of_dead_writers_are_removed(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = outputs._HOST
        live = (
            tmp_path / f"{outputs.TEMP_PREFIX}{host}~{sleeper.pid}~0a1b2c3d~p0000000-r00000.parquet"
        )
        dead = (
            tmp_path / f"{outputs.TEMP_PREFIX}{host}~{_dead_pid()}~0a1b2c3d~p0000001-r00000.parquet"
        )
        other_host = tmp_path / f"{outputs.TEMP_PREFIX}elsewhere~1~0a1b2c3d~p0000002-r00000.parquet"
        for path in (live, dead, other_host):
            path.write_bytes(b"PAR1 being written")
        read_parts(tmp_path, n_points=4, replications=1)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other_host.name])
        old = os.path.getmtime(other_host) - outputs.STALE_AFTER_SECONDS - 60
        os.utime(other_host, (old, old))
        outputs.remove_stale_temps(tmp_path)
        assert [p.name for p in tmp_path.iterdir()] == [live.name]
    finally:
        sleeper.kill()
        sleeper.wait()


SWEEP = textwrap.dedent(
    """
    import sys
    from hfsim.sweep import run_sweep
    base = {"municipality": "small_town", "years": 1, "warmup_years": 0, "replications": 3,
            "sweep.workers": 1}
    run_sweep(base, ["shelter.capacity=10,20,30"], sys.argv[1], progress=False)
    """
)


@pytest.mark.slow
def test_two_sweeps_into_one_folder_lose_no_parts(tmp_path):
    out = tmp_path / "shared"
    env = {**os.environ, "PYTHONPATH": str(TREE)}
    runs = [
        subprocess.Popen([sys.executable, "-c", SWEEP, str(out)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    parts = read_parts(out / PARTS, n_points=3, replications=3)
    assert parts.num_rows == 9
    results = pd.read_parquet(out / RESULTS)
    assert len(results) == 9 and not results.duplicated(["point", "replication"]).any()
    assert not [p for p in out.rglob("*") if outputs.is_temp(p)]
    again = run_sweep(
        {"municipality": "small_town", "years": 1, "warmup_years": 0, "replications": 3,
         "sweep.workers": 1},
        ["shelter.capacity=10,20,30"], out, progress=False,
    )  # fmt: skip
    assert again.equals(results)  # a resume finds every run finished
