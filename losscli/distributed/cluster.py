"""Connect to a Dask cluster, or start a local one that lives as long as the command."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from losscli.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "pip install 'losscli[dask]'"
SCHEDULER_ENV = "LOSSCLI_DASK_SCHEDULER"
CONNECT_TIMEOUT = "10s"


def require_dask() -> None:
    """Raise a one-line usage error when the ``dask`` extra is not installed."""
    missing = [name for name in ("dask", "distributed") if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"--engine dask needs {' and '.join(missing)}: {INSTALL_HINT}")


@contextlib.contextmanager
def dask_client(
    scheduler: str | None,
    *,
    workers: int | None = None,
    dashboard: bool = False,
    note: Callable[[str], None] = lambda message: None,
) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new ``LocalCluster`` (closed after).

    The local cluster has ``workers`` single-threaded worker processes (default: the CPUs this
    process may use). With ``dashboard``, the dashboard's URL is given to ``note``.
    """
    require_dask()
    from distributed import Client, LocalCluster

    from losscli.parallel import default_threads

    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(
                    f"cannot connect to the Dask scheduler at {scheduler}: {_reason(exc)}"
                ) from None
            stack.enter_context(client)
        else:
            cluster = LocalCluster(
                n_workers=workers or default_threads(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0" if dashboard else None,
                silence_logs=logging.ERROR,
                env=_worker_env(),
            )
            stack.enter_context(cluster)
            client = stack.enter_context(Client(cluster))
        if dashboard:
            note(f"Dask dashboard: {client.dashboard_link}")
            if importlib.util.find_spec("bokeh") is None:
                note("the dashboard needs bokeh to be served: pip install 'bokeh>=3.1'")
        yield client


def _worker_env() -> dict[str, str]:
    """What local worker processes must inherit to import this losscli (a source checkout)."""
    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
