"""Paired tasks of two inputs: runs of whole tasks ending at the same row, covering every row."""

from __future__ import annotations

import itertools

import pytest

from losscli.distributed.compare_plan import aligned_tasks, same_file_tasks
from losscli.distributed.plan import Task


def tasks(*rows: int) -> list[Task]:
    starts = itertools.accumulate(rows, initial=0)
    return [
        Task(i, f"f{i}", None, start, n)
        for i, (start, n) in enumerate(zip(starts, rows, strict=False))
    ]


@pytest.mark.parametrize(
    ("new", "old", "spans"),
    [
        ((5, 5, 5), (5, 5, 5), [(0, 5), (5, 5), (10, 5)]),  # split alike: one per task
        ((4, 6, 5), (10, 2, 3), [(0, 10), (10, 5)]),
        ((3, 3, 3), (2, 2, 5), [(0, 9)]),  # no common boundary: one task
        ((7,), (1, 1, 5), [(0, 7)]),
    ],
)
def test_aligned_tasks_meet_at_common_boundaries(
    new: tuple[int, ...], old: tuple[int, ...], spans: list[tuple[int, int]]
) -> None:
    paired = aligned_tasks(tasks(*new), tasks(*old))
    assert [(p.start, p.rows) for p in paired] == spans
    assert [p.index for p in paired] == list(range(len(spans)))
    for side, counts in (("new", new), ("old", old)):
        used = [t.index for p in paired for t in getattr(p, side)]
        assert used == list(range(len(counts)))  # every task once, in order
        for p in paired:
            assert sum(t.rows for t in getattr(p, side)) == p.rows


def test_same_file_tasks_number_rows_across_tasks() -> None:
    paired = same_file_tasks(tasks(4, 6))
    assert [(p.start, p.rows, p.old) for p in paired] == [(0, 4, ()), (4, 6, ())]
