"""The Dask backend of ``hfsim sweep`` and ``hfsim sensitivity`` (the ``hfsim[cluster]`` extra).

``sweep.backend=dask sweep.address=tcp://HOST:PORT`` sends the jobs to a running Dask
scheduler (a cluster you already have, e.g. started by ``dask-jobqueue`` on SLURM, see
``docs/cluster.md``); ``sweep.backend=dask`` without an address starts a ``LocalCluster`` of
worker processes on 127.0.0.1 for the length of the sweep. Jobs are the same
:func:`hfsim.sweep.run_job` calls as locally and results come back to the client, which alone
writes the output directory, so rows do not depend on the backend.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from hfsim.cli import UsageError

CONNECT_TIMEOUT_S = 20


def _import_distributed():  # noqa: ANN202 - the module, when installed
    try:
        import distributed
    except ModuleNotFoundError:
        raise UsageError("sweep.backend=dask needs Dask: pip install 'hfsim[cluster]'") from None
    return distributed


@contextmanager
def dask_executor(address: str, workers: int) -> Iterator[tuple[Executor, int, str]]:
    """A ``concurrent.futures`` executor on a Dask cluster.

    Args:
        address: The scheduler's address (``tcp://127.0.0.1:8786``); empty starts a
            ``LocalCluster`` of ``workers`` single-threaded processes on 127.0.0.1.
        workers: Local-cluster size (0 = all cores); ignored with an address.

    Yields:
        ``(executor, slots, description)``: slots is how many jobs to keep in flight.

    Raises:
        UsageError: Dask is not installed, or no scheduler answers at ``address``.
    """
    distributed = _import_distributed()
    for name in ("distributed", "dask"):  # Hydra's logging would show every INFO line
        logging.getLogger(name).setLevel(logging.WARNING)
    cluster = None
    if address:
        try:
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as err:
            raise UsageError(
                f"sweep.address={address}: no Dask scheduler answers there ({err})"
            ) from None
        where = f"dask scheduler {address}"
    else:
        from hfsim.runner import default_workers

        n = default_workers(workers)
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,
        )
        client = distributed.Client(cluster)
        where = "dask LocalCluster on 127.0.0.1"
    try:
        threads = sum(client.nthreads().values())
        if threads == 0:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            threads = sum(client.nthreads().values())
        executor = client.get_executor(pure=False)
        yield executor, max(2 * threads, 2), f"{where}, {threads} worker threads"
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
