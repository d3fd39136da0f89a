"""PairedComputation: both models' losses and their paired bootstrap over a stream of batches.

Every row gets R Poisson(1) weights, and the *same* weights weigh the row in both models'
replicates, so each replicate's difference is (reduced new loss) - (reduced old loss) over one
resample of the rows. Memory is bounded by the batch size and the number of slices, never by
the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from losscli.arrays import resolve_dtype
from losscli.compare.accumulators import Accumulator, row_sums, subset
from losscli.compare.options import CompareOptions
from losscli.compare.poisson import PoissonDraw
from losscli.compare.results import ComparisonResult
from losscli.compare.slices import OVERALL, SliceIndex, groups
from losscli.compare.summary import summarize
from losscli.errors import InputDataError, UsageError
from losscli.evaluation import BatchValues, evaluate_batch
from losscli.io.join import NEW, OLD
from losscli.losses.spec import Scope
from losscli.pipeline import LossJob, scan_contexts, valid_rows
from losscli.state import DEFAULT_REDUCTION, standardize_reduction

__all__ = ["PairedComputation"]

_CHUNK = 2048
"""Rows per draw of Poisson weights: a [rows, R] draw and its temporaries stay small."""
_BLOCK = 16 * _CHUNK
"""Rows per pass of the per-replicate evaluation of dataset-scope losses."""

_Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]
"""A batch's ``(y_true, y_pred_new, y_pred_old, sample_weight)``."""


@dataclass
class _RowFold:
    """A row-scope loss of one model on one batch: per-row sums for the replicates."""

    model: str
    index: int
    columns: np.ndarray  # [rows, 3]: weighted value, weight, count (0 for dropped rows)
    row_max: np.ndarray | None  # [rows] for the max reduction


class PairedComputation:
    """Both models' losses and their paired bootstrap over a stream of batches.

    Feed arrays batch by batch (:meth:`feed`), with the Poisson weights of their rows; read
    :meth:`results` at the end. Parts of the input can be computed apart, each in a
    :meth:`fresh` copy fed the part's rows (at their input positions), then merged in input
    order (:meth:`merge`): the result is that of one pass, since each row's Poisson weights
    depend on its position or key alone and slices are matched by their values.
    """

    def __init__(
        self,
        jobs: Sequence[LossJob],
        options: CompareOptions,
        *,
        group_by: Sequence[str] = (),
    ) -> None:
        if not jobs:
            raise UsageError("no loss to compare: pass --loss")
        self.jobs = list(jobs)
        self.options = options
        self.group_by = tuple(group_by)
        self.dtypes = {job.label: resolve_dtype(options.dtype, job.loss) for job in self.jobs}
        self.contexts: dict[str, dict[str, Any]] = {job.label: {} for job in self.jobs}
        self._accumulators: dict[tuple[str, int, int], Accumulator] = {}
        self._slices = SliceIndex(self.group_by)
        self.rows = 0
        """Paired rows fed so far."""

    # ---- set-up

    def reduction(self, job: LossJob) -> str:
        """The reduction shown for ``job``: the option, else the loss's default."""
        reduction = self.options.reduction or standardize_reduction(job.loss.default_reduction)
        return DEFAULT_REDUCTION if reduction == "none" else reduction

    @property
    def needs_scan(self) -> bool:
        """Whether a first pass over y_true is needed (hinge's dataset-wide label rule)."""
        return any(job.loss.spec.dataset_scan is not None for job in self.jobs)

    def scan(self, batches: Iterable[tuple[np.ndarray, np.ndarray | None]]) -> None:
        """First pass: decide dataset-wide facts from every batch's ``(y_true, weights)``."""
        labels = (valid_rows(y_true, self.options.nan, weights) for y_true, weights in batches)
        self.contexts.update(scan_contexts(self.jobs, self.dtypes, labels))

    def slice_ids(self, columns: Sequence[pa.Array | pa.ChunkedArray]) -> np.ndarray:
        """The slice number of each row from its ``--group-by`` values (stable across batches)."""
        return self._slices.ids(columns)

    def _accumulator(self, model: str, index: int, slice_id: int) -> Accumulator:
        key = (model, index, slice_id)
        accumulator = self._accumulators.get(key)
        if accumulator is None:
            job = self.jobs[index]
            accumulator = Accumulator(job.loss.scope, self.reduction(job), self.options.replicates)
            self._accumulators[key] = accumulator
        return accumulator

    # ---- parts computed apart

    def fresh(self) -> PairedComputation:
        """An empty computation with the same losses, options and dataset-wide facts."""
        empty = PairedComputation(self.jobs, self.options, group_by=self.group_by)
        empty.contexts = {label: dict(context) for label, context in self.contexts.items()}
        return empty

    def merge(self, other: PairedComputation) -> PairedComputation:
        """One pass over this computation's rows, then ``other``'s; neither input changes.

        ``other``'s slices are renumbered by their values: a slice new to this computation is
        numbered after this one's, as in one pass (its first appearance is in ``other``).
        """
        merged = self.fresh()
        merged.rows = self.rows + other.rows
        for part in (self, other):
            numbers = {OVERALL: OVERALL}
            numbers.update(
                {sid: merged._slices.number(key) for sid, key in enumerate(part._slices.keys)}
            )
            for (model, index, sid), accumulator in part._accumulators.items():
                key = (model, index, numbers[sid])
                merged._accumulators[key] = merged._accumulator(*key).merge(accumulator)
        return merged

    def absorb(self, other: PairedComputation) -> None:
        """Add ``other``, the computation of the rows that follow, to this one."""
        merged = self.merge(other)
        self.rows, self._accumulators, self._slices = (
            merged.rows,
            merged._accumulators,
            merged._slices,
        )

    # ---- one batch

    def feed(
        self,
        y_true: Any,
        y_pred_new: Any,
        y_pred_old: Any,
        *,
        poisson: PoissonDraw,
        sample_weight: Any = None,
        slice_ids: np.ndarray | None = None,
        row_offset: int = 0,
    ) -> None:
        """Fold one batch of paired rows into both models' states and replicates."""
        y_true, new, old = np.asarray(y_true), np.asarray(y_pred_new), np.asarray(y_pred_old)
        rows = len(y_true) if y_true.ndim else 0
        for name, array in (("y_pred_new", new), ("y_pred_old", old)):
            if array.ndim == 0 or len(array) != rows:
                raise InputDataError(
                    f"y_true has {rows} rows but {name} has "
                    f"{len(array) if array.ndim else 'no'} rows; compare needs one of each per row"
                )
        weights = None if sample_weight is None else np.asarray(sample_weight)
        self.rows += rows
        slices = groups(slice_ids) if slice_ids is not None else []
        row_folds: list[_RowFold] = []
        dataset_folds: list[tuple[str, int]] = []
        for model, y_pred in ((NEW, new), (OLD, old)):
            for index, job in enumerate(self.jobs):
                overall = self._accumulator(model, index, OVERALL)
                accumulators = {sid: self._accumulator(model, index, sid) for sid, _ in slices}
                evaluate = self._evaluator(model, job, y_true, y_pred, weights, row_offset)
                batch = evaluate(None)
                batch.update(overall.state)
                overall.rows += rows
                overall.used += batch.rows_used
                if job.loss.scope is Scope.DATASET:
                    for sid, positions in slices:
                        sliced = evaluate(positions)
                        sliced.update(accumulators[sid].state)
                        accumulators[sid].rows += len(positions)
                        accumulators[sid].used += sliced.rows_used
                    dataset_folds.append((model, index))
                    continue
                _fold_slices(batch, slices, accumulators, rows)
                columns, row_max = row_sums(batch, rows, self.reduction(job) == "max")
                row_folds.append(_RowFold(model, index, columns, row_max))
        self._fold_replicates(
            rows, poisson, row_folds, dataset_folds, slice_ids, (y_true, new, old, weights)
        )

    def _evaluator(
        self,
        model: str,
        job: LossJob,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        weights: np.ndarray | None,
        row_offset: int,
    ) -> Callable[[np.ndarray | None], BatchValues]:
        """Evaluate ``job`` on all rows (None) or the rows at the given positions."""

        def evaluate(positions: np.ndarray | None) -> BatchValues:
            if positions is None:
                rows_true, rows_pred, rows_weight = y_true, y_pred, weights
            else:
                rows_true, rows_pred = y_true[positions], y_pred[positions]
                rows_weight = None if weights is None else weights[positions]
            try:
                return evaluate_batch(
                    job.loss,
                    rows_true,
                    rows_pred,
                    dtype=self.dtypes[job.label],
                    sample_weight=rows_weight,
                    class_weight=self.options.class_weight,
                    nan=self.options.nan,
                    row_offset=row_offset,
                    context=self.contexts[job.label],
                )
            except InputDataError as exc:
                raise type(exc)(f"{model.upper()} predictions: {exc}") from None

        return evaluate

    def _fold_replicates(
        self,
        rows: int,
        poisson: PoissonDraw,
        row_folds: list[_RowFold],
        dataset_folds: list[tuple[str, int]],
        slice_ids: np.ndarray | None,
        arrays: _Arrays,
    ) -> None:
        """Draw each row's Poisson weights once and fold them into every replicate set."""
        summed = [fold for fold in row_folds if fold.row_max is None]
        stacked = np.concatenate([fold.columns for fold in summed], axis=1) if summed else None
        for block in range(0, rows, _BLOCK):
            block_end = min(rows, block + _BLOCK)
            kept = []  # the block's draws, for dataset-scope losses only
            for lo in range(block, block_end, _CHUNK):
                hi = min(block_end, lo + _CHUNK)
                draw = poisson(lo, hi)
                if dataset_folds:
                    kept.append(draw)
                weights = draw.astype(np.float64)
                targets: list[tuple[int, Any]] = [(OVERALL, slice(None))]
                if slice_ids is not None:
                    targets += groups(slice_ids[lo:hi])
                for sid, positions in targets:
                    part = weights[positions]
                    if stacked is not None:
                        # Non-finite losses under --nan propagate: NaN/inf by policy.
                        with np.errstate(invalid="ignore", over="ignore"):
                            sums = part.T @ stacked[lo:hi][positions]
                        for number, fold in enumerate(summed):
                            accumulator = self._accumulator(fold.model, fold.index, sid)
                            accumulator.add_sums(sums[:, 3 * number : 3 * number + 3])
                    for fold in row_folds:
                        if fold.row_max is not None:
                            accumulator = self._accumulator(fold.model, fold.index, sid)
                            accumulator.add_maxima(part, fold.row_max[lo:hi][positions])
            if dataset_folds:
                draw = np.concatenate(kept) if len(kept) > 1 else kept[0]
                self._fold_dataset(block, draw, dataset_folds, slice_ids, arrays)

    def _fold_dataset(
        self,
        start: int,
        draw: np.ndarray,
        folds: list[tuple[str, int]],
        slice_ids: np.ndarray | None,
        arrays: _Arrays,
    ) -> None:
        """Dataset-scope losses: each replicate's statistics over its resample of the rows.

        Poisson weights are whole numbers, so replicate r is the loss of the rows repeated
        ``draw[:, r]`` times: exact for any summable statistics, at R evaluations per block.
        """
        y_true, new, old, weights = arrays
        block = np.arange(start, start + len(draw))
        targets = [(OVERALL, np.arange(len(draw)))]
        if slice_ids is not None:
            targets += groups(slice_ids[block])
        for model, index in folds:
            job = self.jobs[index]
            y_pred = new if model == NEW else old
            evaluate = self._evaluator(model, job, y_true, y_pred, weights, 0)
            for sid, positions in targets:
                statistics = self._accumulator(model, index, sid).statistics
                assert statistics is not None
                for r in range(self.options.replicates):
                    repeated = np.repeat(block[positions], draw[positions, r])
                    if repeated.size:
                        statistics.add(r, evaluate(repeated))

    # ---- results

    def results(self) -> tuple[ComparisonResult, ...]:
        """One result per loss over all rows, then one per slice (sorted by slice value)."""
        results = []
        # Under --nan propagate, inf - inf and percentiles of NaN are the policy's NaN.
        with np.errstate(invalid="ignore", over="ignore"):
            for index, job in enumerate(self.jobs):
                for sid in [OVERALL, *self._slices.sorted_ids()]:
                    if (NEW, index, sid) not in self._accumulators:
                        continue
                    results.append(
                        summarize(
                            job,
                            self._accumulators[(NEW, index, sid)],
                            self._accumulators[(OLD, index, sid)],
                            reduction=self.reduction(job),
                            dtype=self.dtypes[job.label],
                            level=self.options.level,
                            replicates=self.options.replicates,
                            slice_=self._slices.named(sid),
                        )
                    )
        return tuple(results)


def _fold_slices(
    batch: BatchValues,
    slices: list[tuple[int, np.ndarray]],
    accumulators: Mapping[int, Accumulator],
    rows: int,
) -> None:
    """Fold a row-scope batch's values into each slice's exact state."""
    if not slices:
        return
    # position of each input row among the kept rows (-1: dropped)
    among_kept = np.arange(rows) if batch.kept is None else np.cumsum(batch.kept) - 1
    for sid, positions in slices:
        accumulator = accumulators[sid]
        accumulator.rows += len(positions)
        if batch.kept is not None:
            positions = positions[batch.kept[positions]]
        sliced = subset(batch, among_kept[positions])
        sliced.update(accumulator.state)
        accumulator.used += sliced.rows_used
