"""Overlap losses (Dice, Tversky): one minus an overlap ratio of sums.

With the Keras default ``axis=None`` the sums run over every element of the data, so the loss is
one number for the whole dataset. It streams as three running sums (see :class:`RatioOfSums`),
which equals Keras called on the whole file as one batch. With an ``axis`` it is per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import epsilon
from losscli.losses.spec import LossSpec, Param, ParamKind, RatioOfSums, Scope, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

Axes = int | tuple[int, ...] | None


def dice(y_true: np.ndarray, y_pred: np.ndarray, *, axis: Axes = None) -> np.ndarray:
    """``1 - 2 sum(y p) / (sum(y) + sum(p) + eps)`` over ``axis`` (None: every element)."""
    intersection = np.sum(y_true * y_pred, axis=axis)
    return _dice_from_sums(intersection, np.sum(y_true, axis=axis), np.sum(y_pred, axis=axis))


def _dice_from_sums(intersection: Any, sum_true: Any, sum_pred: Any) -> Any:
    eps = epsilon(np.result_type(intersection))
    return 1 - (2.0 * intersection) / (sum_true + sum_pred + eps)


def dice_statistics(y_true: np.ndarray, y_pred: np.ndarray, **_: Any) -> np.ndarray:
    """Sums of ``y p``, ``y`` and ``p`` over the batch, in float64."""
    return np.array(
        [
            np.sum(y_true * y_pred, dtype=np.float64),
            np.sum(y_true, dtype=np.float64),
            np.sum(y_pred, dtype=np.float64),
        ]
    )


def dice_finalize(sums: np.ndarray, dtype: np.dtype, **_: Any) -> float:
    """The dataset Dice loss from its summed statistics, computed in ``dtype``."""
    intersection, sum_true, sum_pred = np.asarray(sums).astype(dtype)
    return float(_dice_from_sums(intersection, sum_true, sum_pred))


def tversky(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    axis: Axes = None,
) -> np.ndarray:
    """``1 - TP / (TP + alpha FP + beta FN + eps)`` over ``axis`` (None: every element)."""
    true_pos = np.sum(y_true * y_pred, axis=axis)
    false_pos = np.sum((1 - y_true) * y_pred, axis=axis)
    false_neg = np.sum(y_true * (1 - y_pred), axis=axis)
    return _tversky_from_sums(true_pos, false_pos, false_neg, alpha, beta)


def _tversky_from_sums(tp: Any, fp: Any, fn: Any, alpha: float, beta: float) -> Any:
    eps = epsilon(np.result_type(tp))
    return 1 - tp / (tp + fp * alpha + fn * beta + eps)


def tversky_statistics(y_true: np.ndarray, y_pred: np.ndarray, **_: Any) -> np.ndarray:
    """Sums of true positives, false positives and false negatives, in float64."""
    return np.array(
        [
            np.sum(y_true * y_pred, dtype=np.float64),
            np.sum((1 - y_true) * y_pred, dtype=np.float64),
            np.sum(y_true * (1 - y_pred), dtype=np.float64),
        ]
    )


def tversky_finalize(
    sums: np.ndarray, dtype: np.dtype, *, alpha: float = 0.5, beta: float = 0.5, **_: Any
) -> float:
    """The dataset Tversky loss from its summed statistics, computed in ``dtype``."""
    tp, fp, fn = np.asarray(sums).astype(dtype)
    return float(_tversky_from_sums(tp, fp, fn, alpha, beta))


def _whole_dataset(params: Mapping[str, Any]) -> bool:
    return params.get("axis") is None


_AXIS = Param(
    "axis",
    ParamKind.OPTIONAL_AXES,
    None,
    "axes summed over; none = every element (one value for the dataset), -1 = per row",
)

FAMILY = "overlap"
"""How `losscli list` groups these losses."""

LOSSES = (
    LossSpec(
        name="dice",
        kernel=dice,
        target=Target.BINARY,
        summary="Dice loss: one minus the Dice overlap coefficient.",
        formula="1 - 2 sum(y p) / (sum(y) + sum(p) + eps)",
        aliases=("Dice",),
        params=(_AXIS,),
        scope=Scope.DATASET,
        ratio=RatioOfSums(dice_statistics, dice_finalize, _whole_dataset),
        reference_class="Dice",
        notes=("With axis=none the value is one number for the whole dataset.",),
    ),
    LossSpec(
        name="tversky",
        kernel=tversky,
        target=Target.BINARY,
        summary="Tversky loss: Dice with separate weights for false positives and negatives.",
        formula="1 - TP / (TP + alpha FP + beta FN + eps)",
        aliases=("Tversky",),
        params=(
            Param(
                "alpha",
                ParamKind.FLOAT,
                0.5,
                "weight of false positives",
                low=0.0,
            ),
            Param(
                "beta",
                ParamKind.FLOAT,
                0.5,
                "weight of false negatives",
                low=0.0,
            ),
            _AXIS,
        ),
        scope=Scope.DATASET,
        ratio=RatioOfSums(tversky_statistics, tversky_finalize, _whole_dataset),
        reference_class="Tversky",
        notes=(
            "alpha weighs false positives and beta false negatives, as fixed after Keras 3.15.1"
            " (3.15.1 swaps them; identical when alpha == beta).",
            "With axis=none the value is one number for the whole dataset.",
        ),
    ),
)
