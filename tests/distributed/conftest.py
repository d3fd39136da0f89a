"""One real ``dask.distributed.LocalCluster`` (2 worker processes) for the whole session."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def scheduler() -> Iterator[str]:
    """The address of a local cluster of 2 single-threaded worker processes."""
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
        env={"PYTHONPATH": pythonpath},
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(autouse=True)
def collect_client_sockets() -> Iterator[None]:
    """Collect the Dask client's sockets now, quietly, rather than in some later test.

    A closed ``distributed.Client`` can leave a socket to be garbage-collected later, whose
    ResourceWarning would then fail an unrelated test (warnings are errors in this suite).
    """
    yield
    import gc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
