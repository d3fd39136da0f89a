"""Probabilistic losses: cross-entropies, focal losses and the KL divergence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import (
    clip_probabilities,
    log_sigmoid,
    log_softmax,
    mean,
    sigmoid,
    softmax,
    sum_last_axis,
    take_per_row,
)
from losscli.losses._params import FROM_LOGITS, GAMMA, LABEL_SMOOTHING, LAST_AXIS
from losscli.losses.spec import LossSpec, Param, ParamKind, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


def _elementwise_bce(target: np.ndarray, output: np.ndarray, from_logits: bool) -> np.ndarray:
    """Binary cross-entropy per element: clipped probabilities, or the stable logit form."""
    if from_logits:
        return -1.0 * target * log_sigmoid(output) - (1.0 - target) * log_sigmoid(-output)
    output = clip_probabilities(output)
    bce = target * np.log(output)
    bce += (1.0 - target) * np.log(1.0 - output)
    return -bce


def _smooth_binary(y_true: np.ndarray, label_smoothing: float) -> np.ndarray:
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true


def _smooth_categorical(y_true: np.ndarray, label_smoothing: float, classes: int) -> np.ndarray:
    if label_smoothing:
        num_classes = y_true.dtype.type(classes)
        return y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return y_true


def _normalized_clipped(y_pred: np.ndarray, axis: int) -> np.ndarray:
    """Rows rescaled to sum to one, then clipped to [eps, 1 - eps]."""
    if axis in (-1, y_pred.ndim - 1):
        return clip_probabilities(y_pred / sum_last_axis(y_pred, keepdims=True))
    return clip_probabilities(y_pred / np.sum(y_pred, axis=axis, keepdims=True))


def binary_crossentropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Binary cross-entropy, averaged over ``axis``."""
    y_true = _smooth_binary(y_true, label_smoothing)
    return mean(_elementwise_bce(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Binary cross-entropy scaled by ``(1 - p_t)^gamma``; alpha only with class balancing."""
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        y_pred = sigmoid(y_pred)
    bce = _elementwise_bce(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = np.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return mean(focal_bce, axis=axis)


def categorical_crossentropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Cross-entropy between one-hot (or soft) targets and class probabilities or logits."""
    y_true = _smooth_categorical(y_true, label_smoothing, y_pred.shape[axis])
    if from_logits:
        log_prob = log_softmax(y_pred, axis=axis)
    else:
        log_prob = np.log(_normalized_clipped(y_pred, axis))
    return -np.sum(y_true * log_prob, axis=axis)


def categorical_focal_crossentropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    alpha: float | tuple[float, ...] = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Categorical cross-entropy scaled by ``alpha * (1 - p)^gamma`` for each class."""
    y_true = _smooth_categorical(y_true, label_smoothing, y_true.shape[-1])
    if from_logits:
        y_pred = softmax(y_pred, axis=axis)
    output = _normalized_clipped(y_pred, axis)
    cce = -y_true * np.log(output)
    weight = np.asarray(alpha, dtype=y_pred.dtype) if isinstance(alpha, tuple) else alpha
    weighting_factor = np.power(1.0 - output, gamma) * weight
    return np.sum(weighting_factor * cce, axis=axis)


def sparse_categorical_crossentropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> np.ndarray:
    """Cross-entropy of integer class ids; rows labelled ``ignore_class`` give 0.

    Only the true class's probability is gathered before the logarithm, which is the same
    number Keras gets from the one-hot product but without a log of every class.
    """
    labels = y_true
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    if from_logits:
        index = np.expand_dims(labels, -1)
        picked = np.squeeze(np.take_along_axis(log_softmax(y_pred), index, axis=-1), axis=-1)
    elif y_pred.ndim == 2:
        true_class = take_per_row(y_pred, labels)
        picked = np.log(clip_probabilities(true_class / sum_last_axis(y_pred)))
    else:
        index = np.expand_dims(labels, -1)
        true_class = np.take_along_axis(y_pred, index, axis=-1)
        total = np.sum(y_pred, axis=-1, keepdims=True)
        picked = np.squeeze(np.log(clip_probabilities(true_class / total)), axis=-1)
    loss = -picked
    if ignore_class is not None:
        loss = np.where(valid, loss, loss.dtype.type(0))
    return loss


def ignored_class_mask(
    y_true: np.ndarray, y_pred: np.ndarray, values: np.ndarray, **params: Any
) -> np.ndarray | None:
    """Rows whose label is ``ignore_class`` leave the mean (Keras's loss mask)."""
    ignore_class = params.get("ignore_class")
    return None if ignore_class is None else y_true != ignore_class


def categorical_generalized_cross_entropy(
    y_true: np.ndarray, y_pred: np.ndarray, *, q: float = 0.5
) -> np.ndarray:
    """Generalized cross-entropy ``(1 - p_y^q) / q`` of the true class (no clipping)."""
    p = np.squeeze(np.take_along_axis(y_pred, np.expand_dims(y_true, -1), axis=-1), axis=-1)
    return (1 - np.power(p, q)) / q


def kl_divergence(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``sum(t log(t / q))`` over the last axis with both sides clipped to [eps, 1]."""
    y_true = np.clip(y_true, 1e-7, 1)
    y_pred = np.clip(y_pred, 1e-7, 1)
    return np.sum(y_true * np.log(y_true / y_pred), axis=-1)


_SPARSE_AXIS = Param(
    "axis",
    ParamKind.AXIS,
    -1,
    "the class axis of y_pred; only the last axis (-1) is supported",
)

FAMILY = "probabilistic"
"""How `losscli list` groups these losses."""

LOSSES = (
    LossSpec(
        name="binary_crossentropy",
        probabilities=(0.0, 1.0),
        kernel=binary_crossentropy,
        target=Target.BINARY,
        summary="Binary cross-entropy for 0/1 (or soft) labels.",
        formula="mean(-(y log(clip(p)) + (1 - y) log(1 - clip(p))))",
        aliases=("bce", "BCE", "BinaryCrossentropy"),
        params=(FROM_LOGITS, LABEL_SMOOTHING, LAST_AXIS),
        reference_class="BinaryCrossentropy",
    ),
    LossSpec(
        name="binary_focal_crossentropy",
        probabilities=(0.0, 1.0),
        kernel=binary_focal_crossentropy,
        target=Target.BINARY,
        summary="Binary focal cross-entropy: BCE scaled by (1 - p_t)^gamma.",
        formula="mean([alpha_t] (1 - p_t)^gamma BCE(y, p))",
        aliases=("BinaryFocalCrossentropy",),
        params=(
            Param(
                "apply_class_balancing",
                ParamKind.BOOL,
                False,
                "weight class 1 by alpha and class 0 by 1 - alpha",
            ),
            Param(
                "alpha",
                ParamKind.FLOAT,
                0.25,
                "class-1 weight, used only with apply_class_balancing",
                low=0.0,
                high=1.0,
            ),
            GAMMA,
            FROM_LOGITS,
            LABEL_SMOOTHING,
            LAST_AXIS,
        ),
        reference_class="BinaryFocalCrossentropy",
    ),
    LossSpec(
        name="categorical_crossentropy",
        probabilities=(0.0, None),
        kernel=categorical_crossentropy,
        target=Target.ONE_HOT,
        summary="Categorical cross-entropy for one-hot (or soft) targets; rows renormalised.",
        formula="-sum(y log(clip(p / sum(p))))",
        aliases=("CategoricalCrossentropy",),
        params=(FROM_LOGITS, LABEL_SMOOTHING, LAST_AXIS),
        reference_class="CategoricalCrossentropy",
    ),
    LossSpec(
        name="categorical_focal_crossentropy",
        probabilities=(0.0, None),
        kernel=categorical_focal_crossentropy,
        target=Target.ONE_HOT,
        summary="Categorical focal cross-entropy: alpha (1 - p)^gamma times the CE terms.",
        formula="sum(alpha (1 - o)^gamma (-y log o)), o = clip(p / sum(p))",
        aliases=("CategoricalFocalCrossentropy",),
        params=(
            Param(
                "alpha",
                ParamKind.FLOATS,
                0.25,
                "class weight: one number, or one per class",
                low=0.0,
            ),
            GAMMA,
            FROM_LOGITS,
            LABEL_SMOOTHING,
            LAST_AXIS,
        ),
        reference_class="CategoricalFocalCrossentropy",
    ),
    LossSpec(
        name="sparse_categorical_crossentropy",
        probabilities=(0.0, None),
        kernel=sparse_categorical_crossentropy,
        target=Target.SPARSE_LABEL,
        summary="Categorical cross-entropy with integer class ids as targets.",
        formula="-log(clip(p_y / sum(p)))  or  -log_softmax(z)_y",
        aliases=("SparseCategoricalCrossentropy",),
        params=(
            FROM_LOGITS,
            Param(
                "ignore_class",
                ParamKind.OPTIONAL_INT,
                None,
                "class id whose rows give 0 and leave the mean (e.g. -1 or 255)",
            ),
            _SPARSE_AXIS,
        ),
        mask=ignored_class_mask,
        reference_class="SparseCategoricalCrossentropy",
    ),
    LossSpec(
        name="categorical_generalized_cross_entropy",
        probabilities=(0.0, 1.0),
        kernel=categorical_generalized_cross_entropy,
        target=Target.SPARSE_LABEL,
        summary="Generalized cross-entropy, robust to noisy labels (q -> 0: CE, q -> 1: MAE).",
        formula="(1 - p_y^q) / q",
        aliases=("CategoricalGeneralizedCrossEntropy",),
        params=(
            Param(
                "q",
                ParamKind.FLOAT,
                0.5,
                "robustness: towards 0 behaves like CE, towards 1 like MAE",
                low=0.0,
                high=1.0,
                low_open=True,
                high_open=True,
            ),
        ),
        reference_class="CategoricalGeneralizedCrossEntropy",
        notes=("Keras does not register this loss for keras.losses.get(); losscli does.",),
    ),
    LossSpec(
        name="kl_divergence",
        probabilities=(0.0, None),
        kernel=kl_divergence,
        target=Target.DISTRIBUTION,
        summary="Kullback-Leibler divergence; both sides clipped to [eps, 1], summed over classes.",
        formula="sum(t log(t / q)), t = clip(y), q = clip(p)",
        aliases=("kld", "KLD", "KLDivergence", "kullback_leibler_divergence"),
        reference_class="KLDivergence",
    ),
)
