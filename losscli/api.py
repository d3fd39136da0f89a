"""The Python API: compute a loss on in-memory arrays, exactly as Keras would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from losscli.arrays import Batch, all_finite, nonfinite_rows, prepare, resolve_dtype
from losscli.errors import InputDataError, NonFiniteError, ShapeError, UsageError
from losscli.losses import Loss, get_loss
from losscli.losses.spec import Scope
from losscli.state import DEFAULT_REDUCTION, LossState, standardize_reduction
from losscli.weights import (
    as_sample_weights,
    broadcast_to_values,
    check_non_negative,
    class_weights_to_sample_weights,
    parse_class_weight,
)

NanPolicy = Literal["error", "skip", "propagate"]
NAN_POLICIES = ("error", "skip", "propagate")


@dataclass(frozen=True)
class LossResult:
    """A computed loss: the value and how it was obtained.

    ``value`` is a float for the scalar reductions and an array for ``"none"`` (a float for a
    dataset-scope loss such as Dice with ``axis=None`` and no weights, as in Keras).
    """

    loss: Loss
    reduction: str
    value: float | np.ndarray
    rows: int
    skipped_rows: int
    dtype: str
    state: LossState

    def __float__(self) -> float:
        if isinstance(self.value, np.ndarray):
            if self.value.size != 1:
                raise TypeError("reduction 'none' gives one value per row; use .value")
            return float(self.value.reshape(()))
        return float(self.value)

    @property
    def weight_sum(self) -> float:
        return self.state.weight_sum.value


def compute(
    loss: str | Mapping[str, Any] | Loss,
    y_true: Any,
    y_pred: Any,
    *,
    reduction: str | None = None,
    sample_weight: Any = None,
    class_weight: Mapping[Any, float] | str | None = None,
    dtype: str | None = None,
    nan: NanPolicy = "error",
    **params: Any,
) -> LossResult:
    """Compute ``loss`` over all rows of ``y_true``/``y_pred``.

    Args:
        loss: a name or alias (``"huber"``, ``"mse"``), a Keras config dict, or a :class:`Loss`.
        y_true, y_pred: arrays, lists, pandas Series or DataFrames; one row per sample.
        reduction: a Keras reduction; ``None`` uses the loss's own (from a Keras config) or
            ``"sum_over_batch_size"``. ``"none"`` returns the per-row values.
        sample_weight: one non-negative weight per row.
        class_weight: ``{class_id: weight}``; rows get the weight of their class (as Keras
            ``fit``); multiplied with ``sample_weight`` when both are given.
        dtype: ``"float32"`` (Keras's default, the default here for Keras losses) or
            ``"float64"``.
        nan: rows with NaN or infinite inputs or losses: ``"error"`` raises, ``"skip"`` drops
            them (see ``skipped_rows``), ``"propagate"`` keeps them.
        **params: loss parameters, e.g. ``delta=2.0``.
    """
    bound = get_loss(loss, **params)
    reduction = standardize_reduction(reduction or bound.reduction or DEFAULT_REDUCTION)
    if nan not in NAN_POLICIES:
        raise UsageError(f"unknown NaN policy {nan!r}; expected one of {', '.join(NAN_POLICIES)}")
    compute_dtype = resolve_dtype(dtype, bound)

    raw_true, raw_pred = _rows_of(y_true, "y_true", bound), _rows_of(y_pred, "y_pred", bound)
    rows = raw_pred.shape[0]
    if raw_true.shape[0] != rows:
        raise ShapeError(
            f"{bound.name}: y_true has {raw_true.shape[0]} rows but y_pred has {rows} "
            f"(shapes {raw_true.shape} and {raw_pred.shape})"
        )
    weights = None if sample_weight is None else as_sample_weights(sample_weight, rows)

    bad = nonfinite_rows(raw_true, raw_pred, weights)
    skipped = _apply_policy(bad, nan, bound, "input")
    if skipped:
        keep = ~bad
        raw_true, raw_pred = raw_true[keep], raw_pred[keep]
        weights = None if weights is None else weights[keep]
    if raw_pred.shape[0] == 0:
        raise InputDataError(f"{bound.name}: no rows to compute" + _skipped_note(skipped))

    batch = prepare(bound, raw_true, raw_pred, compute_dtype)
    if weights is not None:
        check_non_negative(weights)
    if class_weight is not None:
        by_class = class_weights_to_sample_weights(
            batch.y_true, parse_class_weight(class_weight), bound.spec.target
        )
        weights = by_class if weights is None else weights * _per_row(weights, by_class)

    if bound.scope is Scope.DATASET:
        return _dataset_result(bound, batch, weights, reduction, compute_dtype, skipped)
    return _row_result(bound, batch, weights, reduction, compute_dtype, nan, skipped)


def _rows_of(values: Any, what: str, loss: Loss) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 0:
        raise ShapeError(f"{loss.name}: {what} must have one row per sample, not a scalar")
    return array


def _per_row(weights: np.ndarray, by_class: np.ndarray) -> np.ndarray:
    """Class weights shaped to multiply sample weights that may have trailing axes."""
    if by_class.ndim < weights.ndim:
        return by_class.reshape(by_class.shape + (1,) * (weights.ndim - by_class.ndim))
    return by_class


def _apply_policy(bad: np.ndarray, nan: str, loss: Loss, where: str) -> int:
    """Raise, or return how many rows to drop, for rows flagged non-finite."""
    count = int(np.count_nonzero(bad))
    if not count or nan == "propagate":
        return 0
    if nan == "error":
        first = int(np.flatnonzero(bad)[0])
        what = "hold NaN or infinite values" if where == "input" else "give a NaN or infinite loss"
        raise NonFiniteError(
            f"{loss.name}: {count} row(s) {what}, the first at row {first}; "
            "pass nan='skip' to drop them or nan='propagate' to keep them"
        )
    return count


def _skipped_note(skipped: int) -> str:
    return f" (all {skipped} row(s) were skipped as non-finite)" if skipped else ""


def _row_result(
    loss: Loss,
    batch: Batch,
    weights: np.ndarray | None,
    reduction: str,
    dtype: np.dtype,
    nan: str,
    skipped: int,
) -> LossResult:
    # Out-of-domain inputs (a negative Poisson rate) give NaN here; the NaN policy handles them.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        values = np.asarray(loss.per_row(batch.y_true, batch.y_pred))
    mask = loss.row_mask(batch.y_true, batch.y_pred, values)
    if values.ndim >= 1 and values.shape[0] == batch.rows and not all_finite(values):
        bad = nonfinite_rows(values)
        dropped = _apply_policy(bad, nan, loss, "output")
        if dropped:
            keep = ~bad
            values = values[keep]
            mask = None if mask is None else mask[keep]
            weights = None if weights is None else weights[keep]
            skipped += dropped
    value_weights = None if weights is None else broadcast_to_values(weights, values.shape)
    state = LossState().update(values, value_weights, mask)
    if reduction == "none":
        value: float | np.ndarray = values
        if value_weights is not None:
            value = (values * value_weights.astype(dtype)).astype(dtype)
        if mask is not None:
            value = np.where(mask, value, value.dtype.type(0))
    else:
        value = state.result(reduction)
    return LossResult(
        loss,
        reduction,
        value,
        int(values.shape[0]) if values.ndim else 1,
        skipped,
        dtype.name,
        state,
    )


def _dataset_result(
    loss: Loss,
    batch: Batch,
    weights: np.ndarray | None,
    reduction: str,
    dtype: np.dtype,
    skipped: int,
) -> LossResult:
    state = LossState().update_statistics(
        loss.statistics(batch.y_true, batch.y_pred), batch.rows, weights
    )

    def finalize(sums: np.ndarray) -> float:
        return loss.finalize(sums, dtype)

    if reduction == "none":
        scalar = finalize(state.statistic_sums)
        value: float | np.ndarray = scalar
        if weights is not None:
            value = dtype.type(scalar) * weights.astype(dtype)
            if batch.rows == 1:  # a single weight multiplies the scalar (Keras squeezes it)
                value = float(value[0])
    else:
        value = state.result(reduction, finalize)
    return LossResult(loss, reduction, value, batch.rows, skipped, dtype.name, state)
