"""One loss over one batch of rows: the step shared by the Python API and the streaming pipeline.

``evaluate_batch`` validates the arrays, applies the NaN policy and the weights, and runs the
kernel; callers fold the result into a :class:`~losscli.state.LossState`. Because the API and
the command line both go through here, a file computed in batches gives the same numbers as
the API on the same arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from losscli.arrays import (
    RowNumbers,
    all_finite,
    float_array,
    nonfinite_rows,
    prepare,
    row_number,
)
from losscli.errors import NonFiniteError, ShapeError, UsageError, WeightError
from losscli.losses import Loss
from losscli.losses.spec import Scope, Target
from losscli.state import LossState
from losscli.weights import (
    as_sample_weights,
    broadcast_to_values,
    check_non_negative,
    class_weights_to_sample_weights,
)

NanPolicy = Literal["error", "skip", "propagate"]
NAN_POLICIES = ("error", "skip", "propagate")


def check_nan_policy(nan: str) -> None:
    if nan not in NAN_POLICIES:
        raise UsageError(f"unknown NaN policy {nan!r}; expected one of {', '.join(NAN_POLICIES)}")


@dataclass(frozen=True)
class BatchValues:
    """A loss evaluated on one batch.

    ``kept`` marks the input rows that were used (None: all). Per-row losses have ``values``
    (one per kept row), the optional ``mask`` and the effective ``weights``; a dataset-scope
    loss has ``statistics`` instead.
    """

    rows_in: int
    kept: np.ndarray | None
    values: np.ndarray | None = None
    mask: np.ndarray | None = None
    weights: np.ndarray | None = None
    statistics: np.ndarray | None = None

    @property
    def rows_used(self) -> int:
        return self.rows_in if self.kept is None else int(np.count_nonzero(self.kept))

    @property
    def skipped(self) -> int:
        return self.rows_in - self.rows_used

    def update(self, state: LossState) -> LossState:
        """Fold this batch into ``state``."""
        if self.statistics is not None:
            return state.update_statistics(self.statistics, self.rows_used, self.weights)
        assert self.values is not None
        value_weights = (
            None if self.weights is None else broadcast_to_values(self.weights, self.values.shape)
        )
        return state.update(self.values, value_weights, self.mask)

    def weighted_values(self, dtype: np.dtype) -> np.ndarray:
        """What Keras's ``reduction="none"`` returns: ``value * weight`` (masked rows 0)."""
        assert self.values is not None
        values = self.values
        if self.weights is not None:
            weights = broadcast_to_values(self.weights, values.shape).astype(dtype)
            with np.errstate(invalid="ignore"):  # 0 * inf is NaN here, as in Keras
                values = (values * weights).astype(dtype)
        if self.mask is not None:
            values = np.where(self.mask, values, values.dtype.type(0))
        return values


_ELEMENTWISE = frozenset({Target.REAL, Target.BINARY, Target.ONE_HOT, Target.DISTRIBUTION})


class SharedInputs:
    """One batch's arrays, with the work every loss on them shares done once.

    The rows holding NaN or inf are found once, and float inputs are converted once per compute
    dtype rather than once per loss: with several losses this is most of the work per batch.
    """

    def __init__(
        self, y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None, offset: int
    ) -> None:
        self.y_true, self.y_pred, self.weights = y_true, y_pred, weights
        self.row_ids = RowNumbers(offset)
        self.nonfinite = nonfinite_rows(y_true, y_pred, weights)
        self._converted: dict[tuple[str, np.dtype], np.ndarray] = {}

    def for_loss(self, loss: Loss, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """y_true and y_pred for ``loss``: float values already in ``dtype`` where it takes them.

        Labels (sparse, sequence, embedding) stay as they are: their own checks need them raw.
        """
        y_pred = self._as_float("y_pred", self.y_pred, dtype, loss)
        y_true = self.y_true
        if loss.spec.prepare is None and loss.spec.target in _ELEMENTWISE:
            y_true = self._as_float("y_true", y_true, dtype, loss)
        return y_true, y_pred

    def _as_float(self, what: str, values: np.ndarray, dtype: np.dtype, loss: Loss) -> np.ndarray:
        if values.dtype.kind != "f" or values.dtype == dtype:
            return values
        key = (what, dtype)
        if key not in self._converted:
            self._converted[key] = float_array(values, dtype, what, loss, self.row_ids)
        return self._converted[key]


def evaluate_batch(
    loss: Loss,
    y_true: Any,
    y_pred: Any,
    *,
    dtype: np.dtype,
    sample_weight: Any = None,
    class_weight: Mapping[int, float] | None = None,
    nan: str = "error",
    row_offset: int = 0,
    context: Mapping[str, Any] | None = None,
    nonfinite: np.ndarray | None = None,
) -> BatchValues:
    """Evaluate ``loss`` on one batch of rows; row numbers in errors start at ``row_offset``.

    ``context`` passes dataset-level facts to the kernel (e.g. whether every hinge label of
    the whole dataset is 0 or 1). ``nonfinite`` flags the rows already known to hold NaN or inf
    (see :class:`SharedInputs`), so they are not searched for again.
    """
    raw_true, raw_pred = _rows_of(y_true, "y_true", loss), _rows_of(y_pred, "y_pred", loss)
    rows = raw_pred.shape[0]
    if raw_true.shape[0] != rows:
        raise ShapeError(
            f"{loss.name}: y_true has {raw_true.shape[0]} rows but y_pred has {rows} "
            f"(shapes {raw_true.shape} and {raw_pred.shape})"
        )
    weights = None if sample_weight is None else as_sample_weights(sample_weight, rows)
    row_ids = RowNumbers(row_offset)

    kept = None
    bad = nonfinite_rows(raw_true, raw_pred, weights) if nonfinite is None else nonfinite
    if _apply_policy(bad, nan, loss, "input", row_ids):
        kept = ~bad
        raw_true, raw_pred, row_ids = raw_true[kept], raw_pred[kept], row_ids.keep(kept)
        weights = None if weights is None else weights[kept]

    batch = prepare(loss, raw_true, raw_pred, dtype, row_ids)
    if weights is not None:
        check_non_negative(weights, row_ids)
    if class_weight is not None:
        by_class = class_weights_to_sample_weights(batch.y_true, class_weight, loss.spec.target)
        weights = by_class if weights is None else weights * _per_row(weights, by_class)

    if loss.scope is Scope.DATASET:
        if weights is not None and weights.ndim != 1:
            raise WeightError(
                f"{loss.name}: its value is one number for the whole dataset, so it takes one "
                f"sample weight per row, not weights of shape {weights.shape}"
            )
        statistics = loss.statistics(batch.y_true, batch.y_pred, weights)
        if loss.weighted_statistics:  # the weights are inside the sums, not on the result
            return BatchValues(rows, kept, statistics=statistics)
        return BatchValues(rows, kept, weights=weights, statistics=statistics)

    # Out-of-domain inputs (a negative Poisson rate) give NaN here; the NaN policy handles them.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        values = np.asarray(loss.per_row(batch.y_true, batch.y_pred, **(context or {})))
    if values.ndim == 0 and loss.scope is Scope.BATCH:
        # A batch-scope loss that is one number per batch (triplet mining): every row of the
        # batch carries it, so reductions weight batches by their size, as Keras's epoch mean.
        values = np.full(batch.rows, values, dtype=values.dtype)
    mask = loss.row_mask(batch.y_true, batch.y_pred, values)
    if values.ndim and values.shape[0] == batch.rows and not all_finite(values):
        bad_out = nonfinite_rows(values)
        if _apply_policy(bad_out, nan, loss, "output", row_ids):
            good = ~bad_out
            values = values[good]
            mask = None if mask is None else mask[good]
            weights = None if weights is None else weights[good]
            if kept is None:
                kept = np.ones(rows, dtype=bool)
            kept[np.flatnonzero(kept)[bad_out]] = False
    return BatchValues(rows, kept, values=values, mask=mask, weights=weights)


def _rows_of(values: Any, what: str, loss: Loss) -> np.ndarray:
    try:
        array = np.asarray(values)
    except ValueError:  # nested lists of different lengths: NumPy cannot make one array
        raise ShapeError(
            f"{loss.name}: the rows of {what} have different lengths; every row needs the "
            "same number of values"
        ) from None
    if array.ndim == 0:
        raise ShapeError(f"{loss.name}: {what} must have one row per sample, not a scalar")
    return array


def _per_row(weights: np.ndarray, by_class: np.ndarray) -> np.ndarray:
    """Class weights shaped to multiply sample weights that may have trailing axes."""
    if by_class.ndim < weights.ndim:
        return by_class.reshape(by_class.shape + (1,) * (weights.ndim - by_class.ndim))
    return by_class


def _apply_policy(bad: np.ndarray, nan: str, loss: Loss, where: str, row_ids: RowNumbers) -> bool:
    """Raise for flagged rows, or say whether they are to be dropped."""
    count = int(np.count_nonzero(bad))
    if not count or nan == "propagate":
        return False
    if nan == "error":
        first = row_number(int(np.flatnonzero(bad)[0]), row_ids)
        what = "hold NaN or infinite values" if where == "input" else "give a NaN or infinite loss"
        raise NonFiniteError(
            f"{loss.name}: {count} row(s) {what}, the first at row {first}; "
            "drop them with --nan skip or keep them with --nan propagate (Python: nan=...)"
        )
    return True
