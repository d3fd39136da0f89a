"""Which engine a command runs on: the checks shared by compute, evaluate and compare."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from losscli.cli.context import IOContext
from losscli.errors import UsageError


def check_engine(engine: str, dashboard: bool) -> bool:
    """Whether the Dask engine is asked for; fail early (exit 2) if it cannot run here."""
    if engine != "dask":
        if dashboard:
            raise UsageError("--dask-dashboard needs --engine dask")
        return False
    from losscli.distributed.cluster import require_dask

    require_dask()
    return True


@contextlib.contextmanager
def cluster(io: IOContext, scheduler: str | None, dashboard: bool) -> Iterator[Any]:
    """A Dask client for the command (a local cluster when no scheduler is given)."""
    from losscli.distributed.cluster import dask_client

    with dask_client(scheduler, dashboard=dashboard, note=io.note) as client:
        yield client
