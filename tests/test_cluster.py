"""The Dask backend: a scheduler and two workers as separate processes on 127.0.0.1.

The test starts ``dask scheduler`` and two ``dask worker`` processes, each in its own
process group, runs a sweep through them and checks that its rows are exactly those of a
local run; the processes are stopped afterwards, also when the test fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hfsim.cli import UsageError
from hfsim.sweep import run_sweep

pytest.importorskip("distributed")

BASE = {"municipality": "small_town", "years": 2, "warmup_years": 1, "replications": 2}
SWEEPS = ["shelter.capacity=10,20", "policy=housing_first,shelter_first"]
DASK = [sys.executable, "-m", "dask"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    return subprocess.Popen(
        args, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, cwd=log.parent
    )


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):  # workers first, then the scheduler
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler with two single-threaded workers, each its own process."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [
        _start([*DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                "--no-dashboard"], logs / "scheduler.log"),
    ]  # fmt: skip
    try:
        for i in range(2):
            procs.append(
                _start(
                    [
                        *DASK,
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                    ],
                    logs / f"worker{i}.log",
                )  # fmt: skip
            )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address
    finally:
        _stop(procs)
    assert all(p.poll() is not None for p in procs)


@pytest.mark.slow
def test_sweep_on_a_dask_cluster_gives_the_local_rows(scheduler: str, tmp_path: Path) -> None:
    from distributed import Client

    local = run_sweep({**BASE, "sweep.workers": 1}, SWEEPS, tmp_path / "local", progress=False)
    on_dask = {**BASE, "sweep.backend": "dask", "sweep.address": scheduler}
    remote = run_sweep(on_dask, SWEEPS, tmp_path / "dask", progress=False)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert len(remote) == 4 * 2
    with Client(scheduler, timeout=30) as client:  # both workers did some of the runs
        done = client.run(
            lambda dask_worker: len(dask_worker.data) + dask_worker.state.executed_count
        )
    assert len(done) == 2 and all(n > 0 for n in done.values()), done


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    base = {**BASE, "sweep.backend": "dask", "sweep.address": f"tcp://127.0.0.1:{_free_port()}"}
    import hfsim.cluster

    saved = hfsim.cluster.CONNECT_TIMEOUT_S
    hfsim.cluster.CONNECT_TIMEOUT_S = 2
    try:
        with pytest.raises(UsageError, match="no Dask scheduler answers"):
            run_sweep(base, ["shelter.capacity=10,20"], tmp_path, progress=False)
    finally:
        hfsim.cluster.CONNECT_TIMEOUT_S = saved
    assert not (tmp_path / "sweep.json").exists()
