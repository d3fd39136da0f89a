"""Submit one task per part to a Dask cluster and combine their states by a tree reduction.

The client reads only metadata (:mod:`.plan`); every task computes its part's state with the
same functions the local engine uses (:mod:`.tasks`), and pairs of neighbouring states are
merged on the workers, level by level, in input order, so only one state per task crosses the
network and the client receives a single merged state. A worker lost mid-run is replaced by
Dask, which reruns its tasks elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from losscli.distributed import tasks as worker
from losscli.distributed.plan import DEFAULT_TASK_ROWS, Task, plan_tasks, uncounted
from losscli.errors import LossCliError, UsageError
from losscli.evaluate import Evaluation
from losscli.io.sources import BatchSource, InputSpec
from losscli.losses.spec import Scope
from losscli.pipeline import DatasetComputation

if TYPE_CHECKING:
    from distributed import Client, Future

SUCCESS_MARKER = "_SUCCESS"
TASK_ROWS_ENV = "LOSSCLI_DASK_TASK_ROWS"
"""Rows per task (Parquet row groups are grouped up to it); default: plan.DEFAULT_TASK_ROWS."""

OnRows = Callable[[int], None] | None


def compute_on_cluster(
    client: Client,
    computation: DatasetComputation,
    source: BatchSource,
    spec: InputSpec,
    *,
    on_rows: OnRows = None,
    output_dir: str | None = None,
) -> None:
    """Run ``computation`` over ``source`` on the cluster and absorb the merged result.

    With ``output_dir``, per-sample rows are written there as one Parquet file per part,
    then a ``_SUCCESS`` marker; on failure nothing is left there.
    """
    if computation.batch_scope:
        raise UsageError(
            "batch-scope losses (circle) compare rows within --batch-size batches, which cross "
            "part boundaries: compute them with --engine local"
        )
    work, tasks = plan_input(client, source, spec, computation.columns.needed)
    ship_user_code()
    if computation.needs_scan:
        _scan(client, work, tasks, computation)
    if output_dir is None:
        merged = map_reduce(
            client, worker.compute_part, worker.merge_progress, work, tasks, computation, on_rows
        )
        computation.absorb(merged)
        return
    with _output_directory(output_dir) as staging:
        merged = map_reduce(
            client,
            worker.compute_part,
            worker.merge_progress,
            work,
            tasks,
            computation,
            on_rows,
            staging,
        )
        computation.absorb(merged)


def evaluate_on_cluster(
    client: Client,
    evaluation: Evaluation,
    source: BatchSource,
    spec: InputSpec,
    *,
    on_rows: OnRows = None,
) -> None:
    """Run ``evaluation`` over ``source`` on the cluster and absorb the merged result."""
    work, tasks = plan_input(client, source, spec, evaluation.columns.needed)
    ship_user_code()
    merged = map_reduce(
        client, worker.evaluate_part, worker.merge_evaluations, work, tasks, evaluation, on_rows
    )
    evaluation.absorb(merged)


def refuse_stdin(spec: InputSpec) -> None:
    """Workers cannot read the client's stdin."""
    if "-" in spec.paths:
        raise UsageError("--engine dask reads files (workers cannot read stdin): pass INPUT files")


def batch_scope_labels(jobs: Sequence[Any]) -> list[str]:
    """The labels of the batch-scope losses among ``jobs`` (they cannot be split into parts)."""
    return [job.label for job in jobs if job.loss.scope is Scope.BATCH]


def plan_input(
    client: Client, source: BatchSource, spec: InputSpec, columns: Sequence[str]
) -> tuple[worker.Work, list[Task]]:
    """The shared task arguments and the tasks; rows of text files are counted on the workers."""
    refuse_stdin(spec)
    source.parts(columns)  # checks the columns exist in every file, reading nothing
    wanted = list(dict.fromkeys(columns))
    schema = source.schema
    work = worker.Work(spec, tuple(columns), _select(schema, wanted))
    files = source.files()
    to_count = uncounted(files)
    counts: dict[str, int] = {}
    if to_count:
        futures = [client.submit(worker.count_rows, work, path, pure=False) for path in to_count]
        counts = dict(zip(to_count, gather(client, futures), strict=True))
    return work, plan_tasks(files, counts, task_rows=_task_rows())


def _task_rows() -> int:
    text = os.environ.get(TASK_ROWS_ENV)
    if not text:
        return DEFAULT_TASK_ROWS
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{TASK_ROWS_ENV} must be a positive number of rows, not {text!r}")
    return int(text)


def _select(schema: Any, names: list[str]) -> Any:
    import pyarrow as pa

    return pa.schema([schema.field(name) for name in names])


def _scan(
    client: Client, work: worker.Work, tasks: list[Task], computation: DatasetComputation
) -> None:
    """First pass on the workers: a dataset-wide fact holds if it holds in every part."""
    futures = [client.submit(worker.scan_part, work, t, computation, pure=False) for t in tasks]
    verdicts: dict[str, dict[str, bool]] = {}
    for contexts in gather(client, futures):
        for label, context in contexts.items():
            merged = verdicts.setdefault(label, dict.fromkeys(context, True))
            for keyword, holds in context.items():
                merged[keyword] = merged[keyword] and holds
    for label, context in verdicts.items():
        computation.contexts[label] = context


def map_reduce(
    client: Client,
    function: Callable[..., Any],
    merge: Callable[[Any, Any], Any],
    work: worker.Work,
    tasks: list[Task],
    payload: Any,
    on_rows: OnRows,
    *extra: Any,
) -> Any:
    """``function`` on every task, merged pairwise in input order on the cluster."""
    if not tasks:
        return _empty(payload)
    leaves = [client.submit(function, work, task, payload, *extra, pure=False) for task in tasks]
    root = _tree_reduce(client, merge, leaves)
    rows = {leaf.key: task.rows for leaf, task in zip(leaves, tasks, strict=True)}
    with _cancelling(client, [*leaves, root]):
        from distributed import as_completed

        for done in as_completed(leaves):
            if done.status != "finished":
                done.result()  # raises the task's error, as the local engine would
            if on_rows is not None:
                on_rows(rows[done.key])
        return _result(root)


def _tree_reduce(client: Client, merge: Callable[[Any, Any], Any], level: list[Future]) -> Future:
    """Merge neighbours pairwise, level by level: log2(tasks) levels, order kept."""
    while len(level) > 1:
        merged = [
            client.submit(merge, level[i], level[i + 1], pure=False)
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            merged.append(level[-1])
        level = merged
    return level[0]


def _empty(payload: Any) -> Any:
    if isinstance(payload, Evaluation):
        return Evaluation(payload.jobs, payload.columns, payload.options)
    return payload.new_progress()


def gather(client: Client, futures: list[Future]) -> list[Any]:
    with _cancelling(client, futures):
        return [_result(future) for future in futures]


def _result(future: Future) -> Any:
    """The future's value; a worker failure that is not losscli's own becomes a one-line error."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        raise LossCliError(
            f"a task was lost with its worker too many times ({exc}); the part may need more "
            "memory than a worker has"
        ) from None


@contextlib.contextmanager
def _cancelling(client: Client, futures: list[Future]) -> Iterator[None]:
    """Cancel what is left of ``futures`` if the block fails (or the user interrupts)."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures)
        raise


def ship_user_code() -> None:
    """Send the user's loss files (``FILE.py:NAME``) by value: workers cannot import them."""
    import cloudpickle

    for name, module in list(sys.modules.items()):
        if name.startswith("losscli_user_"):
            cloudpickle.register_pickle_by_value(module)


@contextlib.contextmanager
def _output_directory(path: str) -> Iterator[str]:
    """A staging directory inside ``path``; its parts move into ``path`` only on success.

    ``path`` must be new or empty. On success the parts are renamed into it and ``_SUCCESS``
    is written last; on failure the staging directory (and ``path``, if made here) is removed.
    """
    created = not os.path.exists(path)
    if not created and (not os.path.isdir(path) or os.listdir(path)):
        raise UsageError(
            f"per-sample output with --engine dask is a directory of Parquet parts: "
            f"{path!r} exists and is not an empty directory"
        )
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {path!r}: {exc.strerror or exc}") from None
    staging = os.path.join(path, f".staging-{uuid.uuid4().hex}")
    os.mkdir(staging)
    try:
        yield staging
        for name in sorted(os.listdir(staging)):
            if name.endswith(".parquet"):
                os.replace(os.path.join(staging, name), os.path.join(path, name))
        shutil.rmtree(staging)
        with open(os.path.join(path, SUCCESS_MARKER), "w"):
            pass
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(path, ignore_errors=True)
        else:
            for name in os.listdir(path):
                if name.startswith("part-"):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(path, name))
        raise
