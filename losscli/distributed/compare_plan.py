"""Split a comparison into tasks on the client: parts of one input, or of two aligned inputs.

One input holding both models splits like any input (:func:`~.plan.plan_tasks`). Two inputs
paired by position split where both inputs' task boundaries meet: a paired task is a run of
whole tasks of NEW and a run of whole tasks of OLD that hold the same rows, so a worker reads
each side's pieces whole and no row crosses the network. Inputs split alike (same files, same
row groups) give one paired task per task; inputs split differently give fewer, larger ones
(at worst one), never a wrong pairing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from losscli.distributed.plan import Task

__all__ = ["PairedTask", "aligned_tasks", "same_file_tasks"]


@dataclass(frozen=True)
class PairedTask:
    """Rows ``start .. start + rows - 1`` of the comparison: the tasks of NEW and OLD holding them.

    ``old`` is empty when one input holds both models.
    """

    index: int
    new: tuple[Task, ...]
    old: tuple[Task, ...]
    start: int
    rows: int


def same_file_tasks(tasks: Sequence[Task]) -> list[PairedTask]:
    """One paired task per task of the one input."""
    paired, start = [], 0
    for task in tasks:
        paired.append(PairedTask(len(paired), (task,), (), start, task.rows))
        start += task.rows
    return paired


def aligned_tasks(new: Sequence[Task], old: Sequence[Task]) -> list[PairedTask]:
    """Runs of whole tasks of ``new`` and ``old`` that end at the same row, one per paired task.

    Both inputs must hold the same number of rows (checked before).
    """
    paired: list[PairedTask] = []
    i = j = first_i = first_j = 0
    new_end = old_end = start = 0
    while i < len(new) or j < len(old):
        if i < len(new) and (new_end <= old_end or j == len(old)):
            new_end += new[i].rows
            i += 1
        else:
            old_end += old[j].rows
            j += 1
        if new_end == old_end:
            run = (tuple(new[first_i:i]), tuple(old[first_j:j]))
            paired.append(PairedTask(len(paired), *run, start, new_end - start))
            start, first_i, first_j = new_end, i, j
    return paired
