"""What runs on a worker for ``compare``: pair one part's rows and compute its paired state.

The worker reads its tasks' pieces through losscli's input layer (:func:`~.tasks.task_parts`),
pairs the rows with the local engine's own pairing steps (:mod:`losscli.io.join_positional`) and
folds them with the local engine's feed (:mod:`losscli.compare.feeding`), each row at its input
position: only the part's :class:`~losscli.compare.PairedComputation` is sent back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from losscli.compare.engine import PairedComputation
from losscli.compare.feeding import feed_paired, paired_targets
from losscli.compare.layout import Layout
from losscli.distributed.compare_plan import PairedTask
from losscli.distributed.plan import Task
from losscli.distributed.tasks import Work, task_parts
from losscli.io.join import PairedBatch
from losscli.io.join_positional import aligned_batches, same_file_batch

__all__ = ["CompareWork", "compare_part", "merge_comparisons", "paired_batches", "scan_part"]


@dataclass(frozen=True)
class CompareWork:
    """What every task of a comparison shares: the inputs (``old`` None: one input), columns.

    ``key`` is the one input's key column (its hash weighs the rows), ``pads`` whether ragged
    y_true is padded (sequence losses).
    """

    new: Work
    old: Work | None
    layout: Layout
    key: str | None
    pads: bool
    batch_size: int


def paired_batches(work: CompareWork, task: PairedTask) -> Iterator[PairedBatch]:
    """The task's paired rows, numbered by their position among all paired rows."""
    if work.old is None:
        columns = work.layout.same_file_columns()
        for part in _parts(work.new, task.new):
            start = part.offset
            for batch in part.read():
                yield same_file_batch(batch, columns, start, key=work.key)
                start += batch.num_rows
        return
    yield from aligned_batches(
        _batches(work.new, task.new),
        _batches(work.old, task.old),
        batch_size=work.batch_size,
        start=task.start,
        check=work.layout.check,
    )


def scan_part(
    work: CompareWork, task: PairedTask, computation: PairedComputation
) -> dict[str, dict]:
    """The dataset-wide facts (hinge's label rule) of one part: the first of two passes."""
    probe = computation.fresh()
    probe.scan(paired_targets(work.layout, paired_batches(work, task)))
    return probe.contexts


def compare_part(
    work: CompareWork, task: PairedTask, computation: PairedComputation
) -> PairedComputation:
    """Both models' states and paired replicates over one part alone."""
    state = computation.fresh()
    for paired in paired_batches(work, task):
        feed_paired(state, paired, work.layout, pads=work.pads, keyed=False)
    return state


def merge_comparisons(first: PairedComputation, second: PairedComputation) -> PairedComputation:
    """Two parts' computations as one (``second`` holds the rows after ``first``'s)."""
    return first.merge(second)


def _parts(work: Work, tasks: Sequence[Task]) -> Iterator:
    for task in tasks:
        yield from task_parts(work, task)


def _batches(work: Work, tasks: Sequence[Task]) -> Iterator[pa.RecordBatch]:
    for part in _parts(work, tasks):
        yield from part.read()
