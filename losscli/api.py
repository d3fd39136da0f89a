"""The Python API: compute a loss on in-memory arrays, exactly as Keras would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from losscli.arrays import resolve_dtype
from losscli.errors import InputDataError
from losscli.evaluation import NanPolicy, check_nan_policy, evaluate_batch
from losscli.losses import Loss, get_loss
from losscli.state import LossState, standardize_reduction
from losscli.weights import parse_class_weight


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
        reduction: a Keras reduction; ``None`` uses the loss's own (from a Keras config),
            else its reference library's default (``"sum_over_batch_size"`` for Keras).
            ``"none"`` returns the per-row values.
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
    reduction = standardize_reduction(reduction or bound.default_reduction)
    check_nan_policy(nan)
    compute_dtype = resolve_dtype(dtype, bound)
    batch = evaluate_batch(
        bound,
        y_true,
        y_pred,
        dtype=compute_dtype,
        sample_weight=sample_weight,
        class_weight=None if class_weight is None else parse_class_weight(class_weight),
        nan=nan,
    )
    if batch.rows_used == 0:
        note = f" (all {batch.skipped} row(s) were skipped as non-finite)" if batch.skipped else ""
        raise InputDataError(f"{bound.name}: no rows to compute{note}")
    state = batch.update(LossState())

    value: float | np.ndarray
    if batch.statistics is not None:

        def finalize(sums: np.ndarray) -> float:
            return bound.finalize(sums, compute_dtype)

        if reduction == "none":
            value = dataset_values(finalize(state.statistic_sums), batch.weights, compute_dtype)
        else:
            value = state.result(reduction, finalize)
        rows = batch.rows_used
    else:
        value = (
            batch.weighted_values(compute_dtype) if reduction == "none" else state.result(reduction)
        )
        rows = int(batch.values.shape[0]) if batch.values is not None and batch.values.ndim else 1
    return LossResult(bound, reduction, value, rows, batch.skipped, compute_dtype.name, state)


def dataset_values(
    scalar: float, weights: np.ndarray | None, dtype: np.dtype
) -> float | np.ndarray:
    """Keras's ``reduction="none"`` for a scalar loss: the scalar, or ``scalar * weights``."""
    if weights is None:
        return scalar
    values = dtype.type(scalar) * weights.astype(dtype)
    if values.shape[0] == 1:  # a single weight multiplies the scalar (Keras squeezes it)
        return float(values[0])
    return values
