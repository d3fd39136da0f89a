"""One loss of one model over one slice: its exact state and its R bootstrap replicates.

The exact state is the :class:`~losscli.state.LossState` that ``losscli.compute`` folds; the
replicates are the same sums weighted by each row's Poisson draw (per-row losses), the largest
drawn value (the ``max`` reduction), or the statistics of each replicate's resample of the rows
(dataset-scope losses such as Dice).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from losscli.bootstrap import Replicates
from losscli.errors import UsageError
from losscli.evaluation import BatchValues
from losscli.losses.spec import Scope
from losscli.state import CompensatedSum, LossState
from losscli.weights import broadcast_to_values

__all__ = ["Accumulator", "StatisticReplicates", "row_sums", "subset"]


class StatisticReplicates:
    """R resampled copies of a dataset-scope loss's summed statistics (Dice, RMSE)."""

    def __init__(self, replicates: int) -> None:
        self.replicates = replicates
        self.sums: np.ndarray | None = None
        self.counts = np.zeros(replicates)
        self.weight_sums = np.zeros(replicates)
        self.weighted = False

    def add(self, replicate: int, batch: BatchValues) -> None:
        """Fold one replicate's batch, as :meth:`LossState.update_statistics` would."""
        assert batch.statistics is not None
        statistics = np.asarray(batch.statistics, dtype=np.float64)
        if self.sums is None:
            self.sums = np.zeros((self.replicates, len(statistics)))
        with np.errstate(invalid="ignore"):  # inf + -inf under --nan propagate: NaN by policy
            self.sums[replicate] += statistics
        rows = batch.rows_used
        self.counts[replicate] += rows
        if batch.weights is None:
            self.weight_sums[replicate] += rows
        else:
            self.weighted = True
            weights = np.broadcast_to(batch.weights, (rows,))
            self.weight_sums[replicate] += np.sum(weights, dtype=np.float64)

    def merge(self, other: StatisticReplicates) -> StatisticReplicates:
        """A new set equal to the replicates of both inputs' rows together."""
        merged = StatisticReplicates(self.replicates)
        if self.sums is None or other.sums is None:
            source = self.sums if self.sums is not None else other.sums
            merged.sums = None if source is None else source.copy()
        else:
            merged.sums = self.sums + other.sums
        merged.counts = self.counts + other.counts
        merged.weight_sums = self.weight_sums + other.weight_sums
        merged.weighted = self.weighted or other.weighted
        return merged

    def results(self, reduction: str, finalize: Callable[[np.ndarray], float]) -> np.ndarray:
        """Each replicate's loss, reduced as its :class:`LossState` would be."""
        if self.sums is None:
            return np.zeros(self.replicates)
        out = np.empty(self.replicates)
        for r in range(self.replicates):
            count = int(self.counts[r])
            state = LossState(
                count=count,
                valid=count,
                weighted=self.weighted,
                weight_sum=CompensatedSum(float(self.weight_sums[r])),
                statistics=[CompensatedSum(float(value)) for value in self.sums[r]],
            )
            out[r] = state.result(reduction, finalize)
        return out


class Accumulator:
    """One loss, one model, one slice: the exact state and the R bootstrap replicates.

    ``rows`` counts the slice's paired rows, ``used`` those that entered the loss.
    """

    def __init__(self, scope: Scope, reduction: str, replicates: int) -> None:
        self.state = LossState()
        self.rows = 0
        self.used = 0
        self.replicates: Replicates | None = None
        self.maxima: np.ndarray | None = None
        self.statistics: StatisticReplicates | None = None
        if scope is Scope.DATASET:
            self.statistics = StatisticReplicates(replicates)
        elif reduction == "max":
            self.maxima = np.full(replicates, -np.inf)
        else:
            self.replicates = Replicates(replicates)

    def merge(self, other: Accumulator) -> Accumulator:
        """A new accumulator equal to one pass over both inputs' rows; neither input changes.

        ``other`` holds the same loss, model and slice over other rows (of a part computed
        apart): exact states merge as :meth:`LossState.merge`, replicates add (or take the
        larger maximum), since each row's Poisson weights depend on the row alone.
        """
        merged = copy.copy(self)
        merged.state = self.state.merge(other.state)
        merged.rows = self.rows + other.rows
        merged.used = self.used + other.used
        if self.replicates is not None and other.replicates is not None:
            merged.replicates = self.replicates.merge(other.replicates)
        if self.maxima is not None and other.maxima is not None:
            merged.maxima = np.maximum(self.maxima, other.maxima)
        if self.statistics is not None and other.statistics is not None:
            merged.statistics = self.statistics.merge(other.statistics)
        return merged

    def add_sums(self, sums: np.ndarray) -> None:
        """Add ``[R, 3]`` Poisson-weighted sums of (weighted value, weight, count)."""
        assert self.replicates is not None
        self.replicates.value_sums += sums[:, 0]
        self.replicates.weight_sums += sums[:, 1]
        self.replicates.counts += sums[:, 2]

    def add_maxima(self, poisson: np.ndarray, row_max: np.ndarray) -> None:
        """Fold the ``[rows, R]`` draws' largest drawn row maximum into each replicate."""
        assert self.maxima is not None
        drawn = np.where(poisson > 0, row_max[:, None], -np.inf)
        self.maxima = np.maximum(self.maxima, drawn.max(axis=0, initial=-np.inf))

    def replicate_values(
        self, reduction: str, finalize: Callable[[np.ndarray], float] | None
    ) -> np.ndarray:
        """Each replicate's reduced loss."""
        if self.statistics is not None:
            assert finalize is not None
            return self.statistics.results(reduction, finalize)
        if self.maxima is not None:
            return np.where(np.isneginf(self.maxima), 0.0, self.maxima)
        assert self.replicates is not None
        return self.replicates.results(reduction)


def row_sums(batch: BatchValues, rows: int, want_max: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Per input row: (weighted value sum, weight sum, count) and the max, 0 for dropped rows."""
    assert batch.values is not None
    values = np.asarray(batch.values, dtype=np.float64)
    kept = batch.rows_used
    if values.ndim == 0 or values.shape[0] != kept:
        raise UsageError("compare needs one loss value per row; this loss gives one per batch")
    shape = values.shape
    width = int(np.prod(shape[1:], dtype=np.int64))  # values per row; reshape(0, -1) fails
    counted = np.ones(shape) if batch.mask is None else np.asarray(batch.mask, dtype=np.float64)
    effective = counted
    if batch.weights is not None:
        effective = broadcast_to_values(batch.weights, shape).astype(np.float64) * counted
    with np.errstate(invalid="ignore", over="ignore"):
        weighted = np.where(effective != 0, effective * values, 0.0)
    columns = np.zeros((rows, 3))
    where = slice(None) if batch.kept is None else np.flatnonzero(batch.kept)
    columns[where, 0] = weighted.reshape(kept, width).sum(axis=1)
    columns[where, 1] = np.broadcast_to(effective, shape).reshape(kept, width).sum(axis=1)
    columns[where, 2] = np.broadcast_to(counted, shape).reshape(kept, width).sum(axis=1)
    if not want_max:
        return columns, None
    candidates = np.where((counted != 0) & np.isfinite(values), values, -np.inf)
    row_max = np.full(rows, -np.inf)
    row_max[where] = candidates.reshape(kept, width).max(axis=1, initial=-np.inf)
    return columns, row_max


def subset(batch: BatchValues, positions: np.ndarray) -> BatchValues:
    """The kept rows of ``batch`` at ``positions`` (positions among the kept rows)."""
    assert batch.values is not None
    return BatchValues(
        rows_in=len(positions),
        kept=None,
        values=batch.values[positions],
        mask=None if batch.mask is None else batch.mask[positions],
        weights=None if batch.weights is None else batch.weights[positions],
    )
