"""Split an input into tasks on the client, from metadata only: by file and Parquet row group.

A task is small and picklable (a path, a range of the file's pieces and the row number of the
file's first row); the worker reopens the file itself. Row numbers come from metadata (Parquet
footers, IPC files) or from a row-count pass over the files that have none (CSV, JSON Lines),
so every row keeps its input position: errors name the same rows and the bootstrap draws the
same weights as one local pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from losscli.io.sources import FileLayout

DEFAULT_TASK_ROWS = 1_000_000
"""Rows per task when a file has several row groups: consecutive row groups are grouped."""


@dataclass(frozen=True)
class Task:
    """One part of the input: ``pieces`` [start, stop) of a file's non-empty pieces (None: all).

    ``file_offset`` is the input row number of the file's first row; ``rows`` the task's rows.
    """

    index: int
    path: str
    pieces: tuple[int, int] | None
    file_offset: int
    rows: int


def uncounted(files: Sequence[FileLayout]) -> list[str]:
    """The files whose row count metadata does not give (they need a counting pass)."""
    return [layout.path for layout in files if layout.rows is None]


def plan_tasks(
    files: Sequence[FileLayout],
    counts: Mapping[str, int] | None = None,
    *,
    task_rows: int = DEFAULT_TASK_ROWS,
) -> list[Task]:
    """Tasks covering every row of ``files`` in order; ``counts``: rows of uncounted files.

    A Parquet file gives one task per run of consecutive row groups holding about
    ``task_rows`` rows (at least one row group each); any other file is one task.
    """
    counts = counts or {}
    tasks: list[Task] = []
    offset = 0
    for layout in files:
        rows = layout.rows if layout.rows is not None else counts[layout.path]
        if layout.piece_rows is None:
            if rows:
                tasks.append(Task(len(tasks), layout.path, None, offset, rows))
            offset += rows
            continue
        pieces = [count for count in layout.piece_rows if count]  # parts skip empty pieces
        start, gathered = 0, 0
        for index, count in enumerate(pieces):
            gathered += count
            if gathered >= task_rows or index == len(pieces) - 1:
                tasks.append(Task(len(tasks), layout.path, (start, index + 1), offset, gathered))
                start, gathered = index + 1, 0
        offset += rows
    return tasks
