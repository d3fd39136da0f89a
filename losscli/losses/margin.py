"""Margin losses: hinge variants for -1/+1 (or 0/1) labels and class scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import mean
from losscli.losses.spec import DatasetScan, LossSpec, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


def labels_are_binary(y_true: np.ndarray) -> bool:
    """True when every label is 0 or 1 (then Keras maps them to -1 and 1)."""
    return bool(np.all((y_true == 0) | (y_true == 1)))


def _hinge_labels(y_true: np.ndarray, binary_labels: bool | None) -> np.ndarray:
    """Map {0, 1} labels to {-1, 1}, but only if *every* label is 0 or 1 (Keras's rule).

    ``binary_labels`` is that decision made over the whole dataset; None decides from
    ``y_true`` alone, as Keras does for the tensor it is given.
    """
    if binary_labels is None:
        binary_labels = labels_are_binary(y_true)
    return 2.0 * y_true - 1.0 if binary_labels else y_true


def hinge(
    y_true: np.ndarray, y_pred: np.ndarray, *, binary_labels: bool | None = None
) -> np.ndarray:
    """``max(1 - y p, 0)`` averaged over the last axis."""
    y_true = _hinge_labels(y_true, binary_labels)
    return mean(np.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(
    y_true: np.ndarray, y_pred: np.ndarray, *, binary_labels: bool | None = None
) -> np.ndarray:
    """``max(1 - y p, 0)^2`` averaged over the last axis."""
    y_true = _hinge_labels(y_true, binary_labels)
    return mean(np.square(np.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``max(max((1 - y) p) - sum(y p) + 1, 0)`` per row."""
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1.0, y_pred.dtype.type(0))


_BINARY_SCAN = DatasetScan("binary_labels", labels_are_binary)
_HINGE_NOTE = ("Labels are mapped {0, 1} -> {-1, 1} only when every label of the input is 0 or 1.",)

FAMILY = "margin"
"""How `losscli list` groups these losses."""

LOSSES = (
    LossSpec(
        name="hinge",
        kernel=hinge,
        target=Target.BINARY,
        summary="Hinge loss for -1/+1 labels (0/1 labels are converted).",
        formula="mean(max(1 - y p, 0))",
        aliases=("Hinge",),
        reference_class="Hinge",
        dataset_scan=_BINARY_SCAN,
        notes=_HINGE_NOTE,
    ),
    LossSpec(
        name="squared_hinge",
        kernel=squared_hinge,
        target=Target.BINARY,
        summary="Squared hinge loss for -1/+1 labels (0/1 labels are converted).",
        formula="mean(max(1 - y p, 0)^2)",
        aliases=("SquaredHinge",),
        reference_class="SquaredHinge",
        dataset_scan=_BINARY_SCAN,
        notes=_HINGE_NOTE,
    ),
    LossSpec(
        name="categorical_hinge",
        kernel=categorical_hinge,
        target=Target.ONE_HOT,
        summary="Categorical hinge: best wrong-class score against the true-class score.",
        formula="max(max((1 - y) p) - sum(y p) + 1, 0)",
        aliases=("CategoricalHinge",),
        reference_class="CategoricalHinge",
    ),
)
