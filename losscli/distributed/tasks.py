"""What runs on a worker: reopen one part of the input and compute its state there.

Every function takes plain, picklable arguments (the :class:`Work` shared by all tasks, one
:class:`~losscli.distributed.plan.Task`, the computation) and returns a small state: the rows
never leave the worker. The part is read through losscli's own input layer (``open_source``),
so every format and input kind the local engine reads, a worker reads the same way.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

import pyarrow as pa

from losscli.distributed.plan import Task
from losscli.errors import InputDataError, LossCliError
from losscli.evaluate import Evaluation
from losscli.io.sources import InputSpec, Part, open_source
from losscli.pipeline import DatasetComputation, Progress

Result = TypeVar("Result")


@dataclass(frozen=True)
class Work:
    """What every task of a run shares: how to open inputs, which columns, with which types.

    ``schema`` holds the columns' types in the whole input (a union over files), to which a
    worker, which opens one file alone, casts its batches.
    """

    spec: InputSpec
    columns: tuple[str, ...]
    schema: pa.Schema


def count_rows(work: Work, path: str) -> int:
    """The rows of one file that has no row count in its metadata (CSV, JSON Lines)."""
    return _named(path, lambda: sum(part.rows for part in _file_parts(work, path, None, 0)))


def scan_part(work: Work, task: Task, computation: DatasetComputation) -> dict[str, dict]:
    """The dataset-wide facts (hinge's label rule) of one part: the first of two passes."""

    def scan() -> dict[str, dict]:
        probe = DatasetComputation(computation.jobs, computation.columns, computation.options)
        probe.scan(_batches(task_parts(work, task)))
        return probe.contexts

    return _named(task.path, scan)


def compute_part(
    work: Work, task: Task, computation: DatasetComputation, output_dir: str | None = None
) -> Progress:
    """The progress (counts and loss states) over one part; per-sample rows go to a file.

    With ``output_dir``, the part's per-sample rows are written to ``part-NNNNN.parquet`` there,
    atomically (a temporary name, then a rename), and not returned.
    """

    def compute() -> Progress:
        total = computation.new_progress()
        per_sample = output_dir is not None
        writer = _PartWriter(output_dir, task.index) if output_dir is not None else None
        with writer or contextlib.nullcontext():
            for part in task_parts(work, task):
                progress = computation.compute_part(part, per_sample=per_sample)
                if writer is not None:
                    for table in progress.outputs:
                        writer.write(table)
                    progress.outputs = []
                total.absorb(progress)
        return total

    return _named(task.path, compute)


def evaluate_part(work: Work, task: Task, evaluation: Evaluation) -> Evaluation:
    """The evaluation (slices, bootstrap replicates) of one part alone."""

    def evaluate() -> Evaluation:
        total = Evaluation(evaluation.jobs, evaluation.columns, evaluation.options)
        for part in task_parts(work, task):
            total.absorb(evaluation.compute_part(part))
        return total

    return _named(task.path, evaluate)


def merge_progress(first: Progress, second: Progress) -> Progress:
    """Two parts' progress as one (``second`` holds the rows after ``first``'s)."""
    merged = Progress(first.rows_read, first.rows_skipped, first.clipped, dict(first.states))
    merged.absorb(second)
    return merged


def merge_evaluations(first: Evaluation, second: Evaluation) -> Evaluation:
    """Two parts' evaluations as one."""
    return first.merge(second)


def task_parts(work: Work, task: Task) -> Iterator[Part]:
    """The parts of ``task``, each knowing its first row's number in the whole input."""
    return _file_parts(work, task.path, task.pieces, task.file_offset)


def _file_parts(
    work: Work, path: str, pieces: tuple[int, int] | None, file_offset: int
) -> Iterator[Part]:
    """The parts of one file (or of its pieces ``[start, stop)``), numbered in the whole input."""
    with open_source(replace(work.spec, paths=(path,))) as source:
        parts = source.parts(work.columns, split=True)
        if pieces is not None:
            parts = itertools.islice(parts, *pieces)
        for part in parts:
            read = _conformed(part.read, work.schema)
            yield Part(file_offset + part.offset, part.rows, read)


def _conformed(
    read: Callable[[], Iterator[pa.RecordBatch]], schema: pa.Schema
) -> Callable[[], Iterator[pa.RecordBatch]]:
    """``read`` with batches cast to the whole input's column types (one file may differ)."""

    def conformed() -> Iterator[pa.RecordBatch]:
        for batch in read():
            target = pa.schema([schema.field(name) for name in batch.schema.names])
            yield batch if batch.schema.types == target.types else batch.cast(target)

    return conformed


def _batches(parts: Iterator[Part]) -> Iterator[pa.RecordBatch]:
    for part in parts:
        yield from part.read()


def _named(path: str, work: Callable[[], Result]) -> Result:
    """Run ``work``; a losscli error that does not name ``path`` is prefixed with it."""
    try:
        return work()
    except LossCliError as exc:
        message = str(exc)
        if path in message:
            raise
        try:
            named = type(exc)(f"{path}: {message}")
        except TypeError:  # an error type with its own constructor
            named = InputDataError(f"{path}: {message}")
        raise named from None


class _PartWriter:
    """One part's per-sample rows as one Parquet file, renamed into place when complete."""

    def __init__(self, directory: str, index: int) -> None:
        self.path = os.path.join(directory, f"part-{index:05d}.parquet")
        self._temp = os.path.join(directory, f".part-{index:05d}.{uuid.uuid4().hex}.tmp")
        self._writer: object | None = None

    def write(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self._temp, table.schema)
        self._writer.write_table(table)  # type: ignore[attr-defined]

    def __enter__(self) -> _PartWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if self._writer is not None:
            self._writer.close()  # type: ignore[attr-defined]
        if kind is None and self._writer is not None:
            os.replace(self._temp, self.path)
        else:
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
