"""``compare --engine dask``: the paired comparison as tasks on a Dask cluster.

Splits the comparison (:mod:`.compare_plan`), runs each part on a worker (:mod:`.compare_tasks`)
and tree-merges the parts' :class:`~losscli.compare.PairedComputation` s on the workers with the
machinery of :mod:`.engine`. Only inputs that split without moving rows are accepted: one input
holding both models, or two inputs paired by position (``--aligned``). Two inputs matched by
``--key`` would need every row shuffled to the worker holding its key's partition (the local
engine spools the partitions on the client), so they are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from losscli.compare.engine import PairedComputation
from losscli.compare.layout import Layout
from losscli.compare.request import CompareRequest
from losscli.distributed import compare_tasks as worker
from losscli.distributed.compare_plan import aligned_tasks, same_file_tasks
from losscli.distributed.engine import (
    batch_scope_labels,
    gather,
    map_reduce,
    plan_input,
    ship_user_code,
)
from losscli.errors import UsageError
from losscli.io.join import PairCounts
from losscli.io.join_positional import check_aligned_counts
from losscli.io.sources import BatchSource, InputSpec
from losscli.pipeline import LossJob

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["check_cluster_request", "compare_on_cluster"]

Input = tuple[BatchSource, InputSpec]


def check_cluster_request(request: CompareRequest, jobs: Sequence[LossJob]) -> None:
    """Refuse (exit 2), before any cluster starts, what ``--engine dask`` cannot split."""
    if request.mode == "key":
        raise UsageError(
            "compare --engine dask cannot match two files by --key: the join would move every "
            "row between machines; use --engine local, or --aligned for files in the same "
            "order, or one file with both models (--y-pred-new/--y-pred-old)"
        )
    if "-" in (request.new, request.old):
        raise UsageError("--engine dask reads files (workers cannot read stdin): pass files")
    labels = batch_scope_labels(jobs)
    if labels:
        raise UsageError(
            f"{', '.join(labels)} compare rows within --batch-size batches, which cross part "
            "boundaries: compare with --engine local"
        )


def compare_on_cluster(
    client: Client,
    computation: PairedComputation,
    layout: Layout,
    new: Input,
    old: Input | None,
    *,
    key: str | None = None,
    pads: bool = False,
) -> PairCounts:
    """Run ``computation`` over the paired rows of ``new`` (and ``old``) on the cluster.

    The merged result is absorbed into ``computation``; the pair counts are returned.
    """
    if old is None:
        columns = [*layout.new, *layout.old, *((key,) if key else ())]
        new_work, tasks = plan_input(client, *new, _unique(columns))
        paired = same_file_tasks(tasks)
        old_work = None
    else:
        new_work, new_tasks = plan_input(client, *new, _unique(layout.new))
        old_work, old_tasks = plan_input(client, *old, _unique(layout.old))
        check_aligned_counts(_rows(new_tasks), _rows(old_tasks))
        paired = aligned_tasks(new_tasks, old_tasks)
    if not paired:
        return PairCounts()
    batch_size = computation.options.batch_size
    work = worker.CompareWork(new_work, old_work, layout, key, pads, batch_size)
    ship_user_code()
    if computation.needs_scan:
        futures = [
            client.submit(worker.scan_part, work, task, computation, pure=False) for task in paired
        ]
        _combine_scans(computation, gather(client, futures))
    merged = map_reduce(
        client, worker.compare_part, worker.merge_comparisons, work, paired, computation, None
    )
    computation.absorb(merged)
    return PairCounts(merged.rows, merged.rows, merged.rows)


def _combine_scans(computation: PairedComputation, parts: list[dict[str, dict]]) -> None:
    """A dataset-wide fact holds if it holds in every part (as in one pass)."""
    verdicts: dict[str, dict[str, Any]] = {}
    for contexts in parts:
        for label, context in contexts.items():
            merged = verdicts.setdefault(label, dict.fromkeys(context, True))
            for keyword, holds in context.items():
                merged[keyword] = merged[keyword] and holds
    computation.contexts.update(verdicts)


def _unique(columns: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(columns))


def _rows(tasks: Sequence[Any]) -> int:
    return sum(task.rows for task in tasks)
