"""Many losses over a stream of record batches in one pass: source -> columns -> losses -> states.

Each batch is converted to arrays once and every loss folds it into its own
:class:`~losscli.state.LossState`; per-sample values, when asked for, are written batch by batch.
Memory is bounded by the batch size, whatever the size of the input.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from losscli.arrays import all_finite, nonfinite_rows, resolve_dtype
from losscli.defaults import DEFAULT_BATCH_SIZE
from losscli.errors import InputDataError, UsageError
from losscli.evaluation import SharedInputs, check_nan_policy, evaluate_batch
from losscli.io.columns import ColumnSpec, columns_to_array
from losscli.io.sources import Part
from losscli.losses import Loss
from losscli.losses._math import epsilon
from losscli.losses.spec import Scope, Target
from losscli.parallel import map_ordered
from losscli.report import ComputeReport, LossSummary
from losscli.state import DEFAULT_REDUCTION, LossState, standardize_reduction

MAX_PAIRWISE_BATCH = 8_192
"""Largest batch for a batch-scope loss: its [batch, batch] matrices grow with the square."""


@dataclass(frozen=True)
class LossJob:
    """One loss to compute, with the label it is shown under and its per-sample column name."""

    loss: Loss
    label: str
    column: str


def make_jobs(losses: Sequence[Loss]) -> list[LossJob]:
    """Jobs with unique labels; per-sample columns use the canonical name when unambiguous."""
    labels = [str(loss) for loss in losses]
    duplicates = {label for label in labels if labels.count(label) > 1}
    if duplicates:
        raise UsageError(f"the same loss is given twice: {', '.join(sorted(duplicates))}")
    names = [loss.name for loss in losses]
    return [
        LossJob(loss, label, loss.name if names.count(loss.name) == 1 else label)
        for loss, label in zip(losses, labels, strict=True)
    ]


@dataclass(frozen=True)
class ComputeOptions:
    """How to compute: the reduction, arithmetic, NaN policy, class weights and batch size."""

    reduction: str | None = None  # None: each loss's default (Keras: sum_over_batch_size)
    dtype: str | None = None
    nan: str = "error"
    class_weight: Mapping[int, float] | None = None
    batch_size: int = DEFAULT_BATCH_SIZE

    def __post_init__(self) -> None:
        if self.reduction is not None:
            object.__setattr__(self, "reduction", standardize_reduction(self.reduction))
        check_nan_policy(self.nan)
        if self.batch_size < 1:
            raise UsageError(f"the batch size must be at least 1, not {self.batch_size}")


@dataclass
class Progress:
    """What a computation has gathered from the rows it was fed: counts and one state per loss.

    Parts of the input computed apart (on other threads) each have their own, merged in order.
    """

    rows_read: int = 0
    rows_skipped: int = 0
    clipped: int = 0
    states: dict[str, LossState] = field(default_factory=dict)
    outputs: list[pa.Table] = field(default_factory=list)

    def absorb(self, other: Progress) -> None:
        """Add ``other`` (the progress over the rows that follow) to this one."""
        self.rows_read += other.rows_read
        self.rows_skipped += other.rows_skipped
        self.clipped += other.clipped
        for label, state in other.states.items():
            self.states[label] = self.states[label].merge(state)


class DatasetComputation:
    """Computes several losses over batches of one dataset, keeping one state per loss."""

    def __init__(
        self, jobs: Sequence[LossJob], columns: ColumnSpec, options: ComputeOptions
    ) -> None:
        if not jobs:
            raise UsageError("no loss to compute: pass --loss")
        self.jobs = list(jobs)
        self.columns = columns
        self.options = options
        self.dtypes = {job.label: resolve_dtype(options.dtype, job.loss) for job in self.jobs}
        self.contexts: dict[str, dict[str, Any]] = {job.label: {} for job in self.jobs}
        self._progress = self.new_progress()
        self._check_jobs()

    def new_progress(self) -> Progress:
        """An empty progress: zero rows, a fresh state for every loss and objective column."""
        labels = [job.label for job in self.jobs] + [column_label(n) for n in self.columns.extra]
        return Progress(states={label: LossState() for label in labels})

    def _check_jobs(self) -> None:
        batch = self.options.batch_size
        for job in self.jobs:
            if job.loss.scope is Scope.BATCH and batch > MAX_PAIRWISE_BATCH:
                gigabytes = batch * batch * 8 * 4 / 1e9
                raise UsageError(
                    f"{job.label} compares every pair of rows in a batch: --batch-size {batch} "
                    f"would need about {gigabytes:.0f} GB; pass --batch-size of at most "
                    f"{MAX_PAIRWISE_BATCH} (training batches are typically 32 to 1024)"
                )
        if self.options.reduction == "none":
            for job in self.jobs:
                if job.loss.scope is Scope.DATASET:
                    raise UsageError(
                        f"{job.label} is one value for the whole dataset (axis=none), so it has "
                        "no per-sample values; pass --param axis=-1 for one value per row"
                    )

    @property
    def needs_scan(self) -> bool:
        """Whether a first pass over y_true is needed (hinge's dataset-wide label rule)."""
        return any(job.loss.spec.dataset_scan is not None for job in self.jobs)

    @property
    def batch_scope(self) -> bool:
        return any(job.loss.scope is Scope.BATCH for job in self.jobs)

    def scan(self, batches: Iterable[pa.RecordBatch]) -> None:
        """First pass: decide dataset-wide facts from every batch's valid y_true rows."""

        def labels() -> Iterator[np.ndarray]:
            offset = 0
            for batch in batches:
                y_true, y_pred, weights = self.columns.arrays(
                    batch, pad_ragged_true=True, offset=offset
                )
                offset += batch.num_rows
                yield valid_rows(y_true, self.options.nan, y_pred, weights)

        self.contexts.update(scan_contexts(self.jobs, self.dtypes, labels()))

    def feed(
        self, batch: pa.RecordBatch | pa.Table, *, per_sample: bool = False
    ) -> pa.Table | None:
        """Fold one batch into every loss's state; with ``per_sample``, return its output rows."""
        return self._feed(self._progress, batch, self._progress.rows_read, per_sample)

    def compute_part(self, part: Part, *, per_sample: bool = False) -> Progress:
        """The progress over one part of the input alone (safe to run on several threads).

        With ``per_sample``, its ``outputs`` hold the part's output rows, in order.
        """
        progress = self.new_progress()
        for batch in part.read():
            if batch.num_rows:
                offset = part.offset + progress.rows_read
                output = self._feed(progress, batch, offset, per_sample)
                if output is not None:
                    progress.outputs.append(output)
        return progress

    def absorb(self, progress: Progress) -> None:
        """Add a part's progress, computed apart, to this computation's."""
        self._progress.absorb(progress)

    def _feed(
        self,
        progress: Progress,
        batch: pa.RecordBatch | pa.Table,
        offset: int,
        per_sample: bool,
    ) -> pa.Table | None:
        y_true, y_pred, weights = self.columns.arrays(
            batch, pad_ragged_true=self._pads_labels, offset=offset
        )
        rows = len(y_pred)
        progress.rows_read += rows
        shared = SharedInputs(y_true, y_pred, weights, offset)
        invalid = shared.nonfinite
        if self.options.nan == "skip" and invalid.size:
            progress.rows_skipped += int(np.count_nonzero(invalid))
        progress.clipped += self._count_clipped(y_pred, invalid)

        self._feed_columns(progress, batch, offset, invalid, weights)
        outputs: dict[str, pa.Array] = {}
        for job in self.jobs:
            dtype = self.dtypes[job.label]
            job_true, job_pred = shared.for_loss(job.loss, dtype)
            evaluated = evaluate_batch(
                job.loss,
                job_true,
                job_pred,
                dtype=dtype,
                sample_weight=weights,
                class_weight=self.options.class_weight,
                nan=self.options.nan,
                row_offset=offset,
                context=self.contexts[job.label],
                nonfinite=invalid,
            )
            evaluated.update(progress.states[job.label])
            if per_sample:
                outputs[job.column] = _per_sample_column(job, evaluated, dtype, rows)
        if not per_sample:
            return None
        kept_columns = {name: batch.column(name) for name in self.columns.keep}
        return pa.table({**kept_columns, **outputs})

    def _feed_columns(
        self,
        progress: Progress,
        batch: pa.RecordBatch | pa.Table,
        offset: int,
        invalid: np.ndarray,
        weights: np.ndarray | None,
    ) -> None:
        """Precomputed objective terms: each extra column is reduced like a loss."""
        for name in self.columns.extra:
            values = columns_to_array(batch, (name,), offset=offset).astype(np.float64)
            if values.ndim != 1:
                raise InputDataError(f"objective column {name!r} must hold one number per row")
            row_weights = weights
            if self.options.nan == "skip" and invalid.size and invalid.any():
                values = values[~invalid]
                row_weights = None if weights is None else weights[~invalid]
            if self.options.nan == "error" and not all_finite(values):
                first = int(np.flatnonzero(~np.isfinite(values))[0]) + offset
                raise InputDataError(
                    f"objective column {name!r} holds NaN or inf, the first at row "
                    f"{first}; drop such rows with --nan skip"
                )
            progress.states[column_label(name)].update(values, row_weights)

    @property
    def _pads_labels(self) -> bool:
        return any(job.loss.spec.target is Target.SEQUENCE for job in self.jobs)

    def _count_clipped(self, y_pred: np.ndarray, invalid: np.ndarray) -> int:
        """Predicted probabilities outside [eps, 1 - eps] that the losses clip."""
        clipping = [job for job in self.jobs if job.loss.probability_range is not None]
        if not clipping or y_pred.dtype.kind != "f":
            return 0
        dtype = self.dtypes[clipping[0].label]
        eps = epsilon(dtype)
        values = y_pred if not invalid.size or not invalid.any() else y_pred[~invalid]
        # A value beyond float32's range becomes inf here (counted as clipped); the loss itself
        # reports it as an error, so NumPy's overflow warning would only be a stray stderr line.
        with np.errstate(over="ignore"):
            values = values.astype(dtype, copy=False)
        return int(np.count_nonzero((values < eps) | (values > dtype.type(1) - eps)))

    def report(self, inputs: Sequence[str], notes: Sequence[str] = ()) -> ComputeReport:
        """The summary of everything fed so far."""
        progress = self._progress
        if progress.rows_read == 0:
            raise InputDataError(f"no rows in {', '.join(inputs)}: nothing to compute")
        rows_used = progress.rows_read - progress.rows_skipped
        if rows_used == 0:
            raise InputDataError(
                f"all {progress.rows_read} rows of {', '.join(inputs)} were skipped as "
                "non-finite: nothing to compute"
            )
        results = tuple(self._summary(job) for job in self.jobs) + tuple(
            self._column_summary(name) for name in self.columns.extra
        )
        return ComputeReport(
            inputs=tuple(inputs),
            rows_read=progress.rows_read,
            rows_used=rows_used,
            rows_skipped=progress.rows_skipped,
            results=results,
            y_true=self.columns.y_true,
            y_pred=self.columns.y_pred,
            sample_weight=self.columns.sample_weight,
            clipped=progress.clipped,
            dtype=", ".join(sorted({d.name for d in self.dtypes.values()})),
            notes=tuple(notes),
        )

    def _column_summary(self, name: str) -> LossSummary:
        label = column_label(name)
        state = self._progress.states[label]
        reduction = self.options.reduction
        shown = DEFAULT_REDUCTION if reduction in (None, "none") else reduction
        return LossSummary(
            loss=label,
            label=label,
            params={},
            reduction=shown,
            value=state.result(shown),
            rows=state.count,
            weight_sum=state.weight_sum.value,
            scope="column",
            min=state.minimum if state.valid else None,
            max=state.maximum if state.valid else None,
            mean=state.mean,
            std=state.std,
            nonfinite=state.nonfinite,
        )

    def state(self, label: str) -> LossState:
        return self._progress.states[label]

    def _summary(self, job: LossJob) -> LossSummary:
        state = self._progress.states[job.label]
        reduction = self.options.reduction or job.loss.default_reduction
        dataset = job.loss.scope is Scope.DATASET
        dtype = self.dtypes[job.label]

        def finalize(sums: np.ndarray) -> float:
            return job.loss.finalize(sums, dtype)

        shown = DEFAULT_REDUCTION if reduction == "none" else reduction
        value = state.result(shown, finalize if dataset else None)
        return LossSummary(
            loss=job.loss.name,
            label=job.label,
            params=dict(job.loss.params),
            reduction=shown,
            value=value,
            rows=state.count,
            weight_sum=state.weight_sum.value,
            scope=job.loss.scope.value,
            min=None if dataset or state.valid == 0 else state.minimum,
            max=None if dataset or state.valid == 0 else state.maximum,
            mean=None if dataset else state.mean,
            std=None if dataset else state.std,
            nonfinite=state.nonfinite,
            batch_size=self.options.batch_size if job.loss.scope is Scope.BATCH else None,
        )


def scan_contexts(
    jobs: Sequence[LossJob], dtypes: Mapping[str, np.dtype], labels: Iterable[np.ndarray]
) -> dict[str, dict[str, Any]]:
    """The kernel context of each loss with a dataset-wide label rule (hinge's "0 or 1").

    ``labels`` are every batch's valid y_true rows; a first pass over the input gives them.
    """
    scans = {job.label: job.loss.spec.dataset_scan for job in jobs}
    scans = {label: scan for label, scan in scans.items() if scan is not None}
    verdicts = dict.fromkeys(scans, True)
    for y_true in labels:
        for label, scan in scans.items():
            if verdicts[label] and y_true.size:
                verdicts[label] = scan.verdict(y_true, dtypes[label])
    return {label: {scan.keyword: verdicts[label]} for label, scan in scans.items()}


def valid_rows(y_true: np.ndarray, nan: str, *others: np.ndarray | None) -> np.ndarray:
    """``y_true`` without the rows ``--nan skip`` drops (NaN or inf in any of the arrays)."""
    if nan != "skip":
        return y_true
    keep = ~nonfinite_rows(y_true, *others)
    return y_true if keep.size == 0 else y_true[keep]


def column_label(name: str) -> str:
    """How a precomputed objective column is labelled in results."""
    return f"col:{name}"


def _per_sample_column(job: LossJob, evaluated: Any, dtype: np.dtype, rows: int) -> pa.Array:
    values = evaluated.weighted_values(dtype)
    if values.ndim != 1:
        raise UsageError(
            f"{job.label} gives {values.shape[1:]} values per row; per-sample output needs one"
        )
    if evaluated.kept is None:
        return pa.array(values)
    full = np.zeros(rows, dtype=values.dtype)
    full[evaluated.kept] = values
    return pa.array(full, mask=~evaluated.kept)  # skipped rows are null


def exact_batches(batches: Iterable[pa.RecordBatch], size: int) -> Iterator[pa.Table]:
    """Regroup record batches into tables of exactly ``size`` rows (the last may be short).

    Batch-scope losses (Circle) compare rows within a batch, so the batch boundaries must be
    the user's ``--batch-size``, not wherever the file format happens to split.
    """
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        while count >= size:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, size).combine_chunks()
            rest = table.slice(size)
            pending = rest.to_batches()
            count = rest.num_rows
    if count:
        yield pa.Table.from_batches(pending).combine_chunks()


class PartSource(Protocol):
    """What :func:`run` reads: an input that can be split into parts (a ``BatchSource``)."""

    def parts(self, columns: Sequence[str], *, split: bool = True) -> Iterator[Part]: ...


def run(
    computation: DatasetComputation,
    source: PartSource,
    *,
    threads: int = 1,
    on_output: Callable[[pa.Table], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Drive a computation: the optional label scan, then one pass over every part.

    Parts are computed on ``threads`` threads and merged in input order, so the result is the
    same as one sequential pass. ``on_output`` receives per-sample rows in input order,
    ``on_batch`` the number of rows just processed (for progress).
    """
    columns = computation.columns.needed
    per_sample = on_output is not None
    if computation.needs_scan:
        computation.scan(_batches_of(source.parts(columns)))
    if computation.batch_scope:
        # Batch boundaries must be the user's --batch-size: regroup, then compute in order.
        size = computation.options.batch_size
        regrouped = exact_batches(_batches_of(source.parts(columns)), size)
        parts: Iterable[Part] = _as_parts(regrouped)
    else:
        # Per-sample rows are kept until written: parts of one batch keep that bounded.
        parts = source.parts(columns, split=not per_sample)

    def compute(part: Part) -> Progress:
        return computation.compute_part(part, per_sample=per_sample)

    for progress in map_ordered(compute, parts, threads=threads):
        computation.absorb(progress)
        if on_output is not None:
            for table in progress.outputs:
                on_output(table)
        if on_batch is not None:
            on_batch(progress.rows_read)


def _batches_of(parts: Iterable[Part]) -> Iterator[pa.RecordBatch]:
    for part in parts:
        yield from part.read()


def _as_parts(tables: Iterable[pa.Table]) -> Iterator[Part]:
    offset = 0
    for table in tables:
        yield Part(offset, table.num_rows, functools.partial(iter, (table,)))
        offset += table.num_rows
