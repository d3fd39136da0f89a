"""TensorFlow Addons losses, as computed by tensorflow-addons 0.23.0 (its last release).

TFA runs on Keras 2 (``tf.keras`` <= 2.15): its focal loss uses Keras 2's binary
cross-entropy, which adds ``eps`` inside the logarithms, and its classes use Keras 2's
reductions, which divide by the number of elements as Keras 3's ``sum_over_batch_size`` does.
Every kernel here follows TFA's source operation by operation in the compute dtype, so float32
results agree with TFA run eagerly to about 1e-6 relative.

Four of these losses (the triplet losses, lifted structured loss, npairs and weighted kappa)
are one number per batch: every row of the batch carries it, so the reductions weight batches
by their size and a sample weight scales it, as Keras 2 does with a scalar loss.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from losscli.errors import InputDataError, ParameterError, ShapeError
from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import epsilon as keras_epsilon
from losscli.losses._math import sigmoid
from losscli.losses._params import FROM_LOGITS
from losscli.losses.spec import LossSpec, Param, ParamKind, Scope, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

FAMILY = "tfa"
"""How `losscli list` groups these losses (each spec below names its own family)."""

DISTANCE_METRICS = ("L2", "squared-L2", "angular")
"""TFA's ``distance_metric`` names (a callable is not supported on the command line)."""

# ------------------------------------------------------------------------------ focal loss


def _keras2_binary_crossentropy(
    target: np.ndarray, output: np.ndarray, from_logits: bool
) -> np.ndarray:
    """``tf.keras.backend.binary_crossentropy`` of Keras 2.15, element by element.

    Probabilities are clipped to ``[eps, 1 - eps]`` and ``eps`` is added again inside both
    logarithms (Keras 3 does not add it); logits use TensorFlow's
    ``sigmoid_cross_entropy_with_logits``.
    """
    if from_logits:
        positive = output >= 0
        relu_logits = np.where(positive, output, 0)
        neg_abs_logits = np.where(positive, -output, output)
        return (relu_logits - output * target) + np.log1p(np.exp(neg_abs_logits))
    eps = keras_epsilon(output.dtype)
    one = output.dtype.type(1)
    clipped = np.clip(output, eps, one - eps)
    bce = target * np.log(clipped + eps)
    bce += (one - target) * np.log(one - clipped + eps)  # (1 - o) + eps, left to right
    return -bce


def sigmoid_focal_crossentropy(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
) -> np.ndarray:
    """Keras-2 BCE times ``alpha_t (1 - p_t)^gamma``, summed over the last axis.

    A falsy ``alpha`` or ``gamma`` (0) switches its factor off (factor 1), as in TFA.
    """
    dtype = y_pred.dtype.type
    ce = _keras2_binary_crossentropy(y_true, y_pred, from_logits)
    pred_prob = sigmoid(y_pred) if from_logits else y_pred
    p_t = (y_true * pred_prob) + ((1 - y_true) * (1 - pred_prob))
    alpha_factor: Any = 1.0
    modulating_factor: Any = 1.0
    if alpha:
        alpha_ = dtype(alpha)
        alpha_factor = y_true * alpha_ + (1 - y_true) * (1 - alpha_)
    if gamma:
        modulating_factor = np.power(1.0 - p_t, dtype(gamma))
    return np.sum(alpha_factor * modulating_factor * ce, axis=-1)


# ------------------------------------------------------------------------------ box overlap


def _divide_no_nan(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, and 0 where the denominator is 0."""
    zero = denominator == 0
    return np.where(zero, 0, numerator / np.where(zero, 1, denominator))


def _box_loss(y_true: np.ndarray, y_pred: np.ndarray, mode: str) -> np.ndarray:
    """TFA's ``giou_loss``: ``1 - IoU`` or ``1 - GIoU`` of boxes [y_min, x_min, y_max, x_max]."""
    zero = y_pred.dtype.type(0)
    b1_ymin, b1_xmin, b1_ymax, b1_xmax = np.moveaxis(y_pred, -1, 0)
    b2_ymin, b2_xmin, b2_ymax, b2_xmax = np.moveaxis(y_true, -1, 0)
    b1_area = np.maximum(zero, b1_xmax - b1_xmin) * np.maximum(zero, b1_ymax - b1_ymin)
    b2_area = np.maximum(zero, b2_xmax - b2_xmin) * np.maximum(zero, b2_ymax - b2_ymin)
    intersect_width = np.maximum(zero, np.minimum(b1_xmax, b2_xmax) - np.maximum(b1_xmin, b2_xmin))
    intersect_height = np.maximum(zero, np.minimum(b1_ymax, b2_ymax) - np.maximum(b1_ymin, b2_ymin))
    intersect_area = intersect_width * intersect_height
    union_area = b1_area + b2_area - intersect_area
    iou = _divide_no_nan(intersect_area, union_area)
    if mode == "iou":
        return 1 - iou
    enclose_width = np.maximum(zero, np.maximum(b1_xmax, b2_xmax) - np.minimum(b1_xmin, b2_xmin))
    enclose_height = np.maximum(zero, np.maximum(b1_ymax, b2_ymax) - np.minimum(b1_ymin, b2_ymin))
    enclose_area = enclose_width * enclose_height
    giou = iou - _divide_no_nan(enclose_area - union_area, enclose_area)
    return 1 - giou


def giou(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``1 - GIoU`` of each pair of boxes, in [0, 2]."""
    return _box_loss(y_true, y_pred, "giou")


def iou(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``1 - IoU`` of each pair of boxes, in [0, 1]."""
    return _box_loss(y_true, y_pred, "iou")


# ------------------------------------------------------------------ pairs and quantiles


def contrastive(y_true: np.ndarray, y_pred: np.ndarray, *, margin: float = 1.0) -> np.ndarray:
    """``y d^2 + (1 - y) max(margin - d, 0)^2`` for each pair label ``y`` and distance ``d``.

    TFA returns one value per element (no mean over an axis): one distance column gives one
    value per row.
    """
    margin_ = y_pred.dtype.type(margin)
    values = y_true * np.square(y_pred) + (1.0 - y_true) * np.square(
        np.maximum(margin_ - y_pred, 0)
    )
    return values[..., 0] if values.shape[-1] == 1 else values


def pinball(
    y_true: np.ndarray, y_pred: np.ndarray, *, tau: float | tuple[float, ...] = 0.5
) -> np.ndarray:
    """``max(tau d, (tau - 1) d)`` with ``d = y - p``, averaged over the last axis.

    ``tau`` is one number or one per column (TFA broadcasts a tensor over the feature axes).
    """
    tau_ = np.asarray(tau, dtype=y_pred.dtype)
    delta = y_true - y_pred
    values = np.maximum(tau_ * delta, (tau_ - 1) * delta)
    return np.sum(values, axis=-1) / y_pred.dtype.type(values.shape[-1])


# --------------------------------------------------------------------- metric learning


def _pairwise_distance(embeddings: np.ndarray, squared: bool) -> np.ndarray:
    """TFA's ``pairwise_distance``: ``|e_i|^2 + |e_j|^2 - 2 e_i.e_j`` clamped at 0, its square
    root unless ``squared``, exact zeros kept, the diagonal set to 0."""
    dtype = embeddings.dtype.type
    square_norms = np.sum(np.square(embeddings), axis=1)
    squared_distances = (square_norms[:, None] + square_norms[None, :]) - 2.0 * (
        embeddings @ embeddings.T
    )
    squared_distances = np.maximum(squared_distances, 0)
    error_mask = squared_distances <= 0
    if squared:
        distances = squared_distances
    else:
        distances = np.sqrt(squared_distances + error_mask.astype(dtype) * dtype(1e-16))
    distances = distances * (~error_mask).astype(dtype)
    off_diagonal = 1 - np.eye(len(embeddings), dtype=embeddings.dtype)
    return distances * off_diagonal


def _angular_distance(embeddings: np.ndarray) -> np.ndarray:
    """TFA's ``angular_distance``: ``1 - cos`` of L2-normalised rows, clamped at 0."""
    dtype = embeddings.dtype.type
    square_sum = np.sum(np.square(embeddings), axis=1, keepdims=True)
    normalized = embeddings * (1 / np.sqrt(np.maximum(square_sum, dtype(1e-12))))
    return np.maximum(1 - normalized @ normalized.T, 0)


def _distances(embeddings: np.ndarray, distance_metric: str) -> np.ndarray:
    if distance_metric == "angular":
        return _angular_distance(embeddings)
    if distance_metric in ("L2", "squared-L2"):
        return _pairwise_distance(embeddings, squared=distance_metric == "squared-L2")
    raise ParameterError(
        f"distance_metric must be one of {', '.join(DISTANCE_METRICS)}, not {distance_metric!r}"
    )


def _masked_maximum(data: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Row maxima over ``mask`` as TFA computes them; an empty row gives the row minimum."""
    minimums = np.min(data, axis=1, keepdims=True)
    return np.max((data - minimums) * mask, axis=1, keepdims=True) + minimums


def _masked_minimum(data: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Row minima over ``mask`` as TFA computes them; an empty row gives the row maximum."""
    maximums = np.max(data, axis=1, keepdims=True)
    return np.min((data - maximums) * mask, axis=1, keepdims=True) + maximums


def _adjacency(labels: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """``(same label, off-diagonal positives as 0/1)`` for a batch of labels."""
    same = labels[:, None] == labels[None, :]
    positives = same.astype(dtype) - np.eye(len(labels), dtype=dtype)
    return same, positives


def _semi_hard_negatives(distances: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """For each anchor i and candidate positive t: the nearest negative farther than D[i, t],
    else the farthest negative (TFA's ``negatives_outside`` / ``negatives_inside``).

    Sorting each row's negative distances once makes this O(B^2 log B) in time and O(B^2) in
    memory instead of TFA's [B*B, B] tile.
    """
    rows = len(distances)
    inside = _masked_maximum(distances, negative.astype(distances.dtype))
    row_max = np.max(distances, axis=1)
    counts = np.count_nonzero(negative, axis=1)
    ordered = np.sort(np.where(negative, distances, np.inf), axis=1)
    semi_hard = np.empty_like(distances)
    for i in range(rows):
        beyond = np.searchsorted(ordered[i, : counts[i]], distances[i], side="right")
        found = beyond < counts[i]
        nearest = ordered[i, np.minimum(beyond, max(counts[i] - 1, 0))]
        # TFA takes the masked minimum as min(D - row max) + row max; keep its rounding.
        outside = (nearest - row_max[i]) + row_max[i]
        semi_hard[i] = np.where(found, outside, inside[i, 0])
    return semi_hard


def triplet_semihard(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    margin: float = 1.0,
    distance_metric: str = "L2",
) -> np.ndarray:
    """Mean over ordered positive pairs (i, j) of ``max(margin + D[i,j] - semi-hard neg, 0)``."""
    distances = _distances(y_pred, distance_metric)
    same, positives = _adjacency(y_true, distances.dtype)
    semi_hard = _semi_hard_negatives(distances, ~same)
    loss_mat = distances.dtype.type(margin) + (distances - semi_hard)
    total = np.sum(np.maximum(loss_mat * positives, 0))
    return np.asarray(total / np.sum(positives))  # no positive pair: 0 / 0 = NaN, as TFA


def triplet_hard(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    margin: float = 1.0,
    soft: bool = False,
    distance_metric: str = "L2",
) -> np.ndarray:
    """Mean over anchors of ``max(hardest positive - hardest negative + margin, 0)``."""
    distances = _distances(y_pred, distance_metric)
    same, positives = _adjacency(y_true, distances.dtype)
    hard_negatives = _masked_minimum(distances, (~same).astype(distances.dtype))
    hard_positives = _masked_maximum(distances, positives)
    if soft:
        values = np.log1p(np.exp(hard_positives - hard_negatives))
    else:
        values = np.maximum(hard_positives - hard_negatives + distances.dtype.type(margin), 0)
    return np.asarray(np.sum(values) / distances.dtype.type(values.size))


def lifted_struct(y_true: np.ndarray, y_pred: np.ndarray, *, margin: float = 1.0) -> np.ndarray:
    """Lifted structured loss: a smooth max over each positive pair's negatives, squared."""
    distances = _pairwise_distance(y_pred, squared=False)
    dtype = distances.dtype.type
    same, positives = _adjacency(y_true, distances.dtype)
    mask = (~same).astype(distances.dtype)
    diff = dtype(margin) - distances
    row_minimums = np.min(diff, axis=1, keepdims=True)
    row_negative_maximums = np.max((diff - row_minimums) * mask, axis=1, keepdims=True)
    row_negative_maximums = row_negative_maximums + row_minimums
    max_elements = np.maximum(row_negative_maximums, row_negative_maximums.T)
    # TFA sums exp(diff[i, k] - M[i, j]) over the negatives k of i for every j (a [B*B, B]
    # tile). M[i, j] is m_i or m_j, so factor it as S_i * exp(m_i - M[i, j]) with S_i the sum
    # at M = m_i: identical terms where M[i, j] = m_i, O(B^2) memory everywhere. Non-negatives
    # are left out with where(), so an overflowing exp() of one cannot become inf * 0 = NaN.
    terms = np.where(mask > 0, np.exp(diff - row_negative_maximums), 0)
    sums = np.sum(terms, axis=1, keepdims=True)
    exp_left = sums * np.exp(row_negative_maximums - max_elements)
    loss_mat = max_elements + np.log(exp_left + exp_left.T)
    loss_mat += distances
    num_positives = np.sum(positives) / dtype(2.0)
    total = np.sum(np.square(np.maximum(loss_mat * positives, 0)))
    return np.asarray(dtype(0.25) * total / num_positives)


def npairs(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean over rows of the cross-entropy between a similarity row and its label row.

    Row i's target spreads evenly over the rows j with the same label as i.
    """
    same = (y_true[:, None] == y_true[None, :]).astype(y_pred.dtype)
    targets = same / np.sum(same, axis=1, keepdims=True)
    shifted = y_pred - np.max(y_pred, axis=1, keepdims=True)
    log_sum_exp = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    values = np.sum(targets * (log_sum_exp - shifted), axis=1)
    return np.asarray(np.sum(values) / y_pred.dtype.type(values.size))


# ------------------------------------------------------------------------- weighted kappa


def _batch_sum(values: np.ndarray, axis: int | None) -> Any:
    """A sum over the rows of a batch, accumulated in float64 and rounded to the dtype once.

    The kappa loss is a log of a ratio near 1, so a float32 rounding of its sums that depends
    on the row order would move it visibly; this keeps it independent of the order (TFA's own
    summation order is TensorFlow's, not reproducible exactly anyway).
    """
    return np.sum(values, axis=axis, dtype=np.float64).astype(values.dtype)


def _kappa_weights(difference: np.ndarray, weightage: str) -> np.ndarray:
    return np.abs(difference) if weightage == "linear" else np.square(difference)


def weighted_kappa(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    num_classes: int | None = None,
    weightage: str = "quadratic",
    epsilon: float = 1e-6,
) -> np.ndarray:
    """``log(num / den + epsilon)`` of the batch (Cohen's weighted kappa as a loss).

    ``num = sum_n sum_c w(t_n, c) p[n, c]`` with ``t_n`` the label position of row n;
    ``den = (sum_n y[n]) W (sum_n p[n])^T / B``. ``num_classes`` is checked against the
    columns before the kernel runs.
    """
    dtype = y_pred.dtype.type
    classes = np.arange(y_pred.shape[-1], dtype=y_pred.dtype)
    label_positions = y_true @ classes[:, None]
    weight = _kappa_weights(label_positions - classes[None, :], weightage)
    numerator = _batch_sum(weight * y_pred, axis=None)
    label_dist = _batch_sum(y_true, axis=0)[None, :]
    pred_dist = _batch_sum(y_pred, axis=0)[None, :]
    weight_mat = _kappa_weights(classes[:, None] - classes[None, :], weightage)
    denominator = np.sum(label_dist @ (weight_mat @ pred_dist.T))
    denominator = denominator / dtype(len(y_pred))
    ratio = numerator / denominator if denominator != 0 else dtype(0)
    return np.asarray(np.log(ratio + dtype(epsilon or 1e-7)))


# -------------------------------------------------------------------------- input checks


def _prepare_boxes(loss: Any, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: Any) -> Any:
    """Boxes as ``[rows, 4]`` (4 columns or a list column), the same shape on both sides."""
    from losscli.arrays import Batch, as_columns, float_array  # arrays imports the registry

    true = as_columns(float_array(y_true, dtype, "y_true", loss, row_ids), "y_true", loss)
    pred = as_columns(float_array(y_pred, dtype, "y_pred", loss, row_ids), "y_pred", loss)
    if pred.shape[-1] != 4 or true.shape != pred.shape:
        raise ShapeError(
            f"{loss.name}: y_true and y_pred must each be boxes [y_min, x_min, y_max, x_max] "
            f"(4 columns or a list column of 4 numbers); got shapes {true.shape} and {pred.shape}"
        )
    return Batch(true, pred)


def _prepare_similarities(
    loss: Any, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: Any
) -> Any:
    """One integer label per row and the batch's ``[rows, rows]`` similarity matrix."""
    from losscli.arrays import Batch, float_array, labels_array

    labels = labels_array(y_true, "y_true", loss, row_ids)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    pred = float_array(y_pred, dtype, "y_pred", loss, row_ids)
    rows = labels.shape[0] if labels.ndim else 0
    if labels.ndim != 1 or pred.shape != (rows, rows):
        raise ShapeError(
            f"{loss.name}: expected one label per row and y_pred the batch's [rows, rows] "
            f"similarity matrix (column j: similarity to the positive of row j of the same "
            f"batch); got y_true {labels.shape} and y_pred {pred.shape}. From a file, give "
            "one similarity column per row of a batch and set --batch-size to that count"
        )
    return Batch(labels, pred)


def _prepare_kappa(loss: Any, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: Any) -> Any:
    """One-hot rows and class probabilities; ``num_classes``, when given, must match."""
    from losscli.arrays import prepare, row_number
    from losscli.losses.loss import Loss

    plain = Loss(replace(loss.spec, prepare=None), loss.params)
    batch = prepare(plain, y_true, y_pred, dtype, row_ids)  # shapes, >= 2 class columns
    classes = batch.y_pred.shape[-1]
    num_classes = loss.params.get("num_classes")
    if num_classes is not None and num_classes != classes:
        raise ParameterError(
            f"{loss.name}: num_classes={num_classes} but y_pred has {classes} class columns; "
            "give one column per class, or leave num_classes unset"
        )
    with np.errstate(invalid="ignore"):
        bad = (batch.y_pred < 0) | (batch.y_pred > 1)
    if np.any(bad):
        first = tuple(np.argwhere(bad)[0])
        raise InputDataError(
            f"{loss.name}: y_pred holds class probabilities, which must be in [0, 1]; found "
            f"{float(batch.y_pred[first]):g} at row {row_number(first[0], row_ids)} "
            f"({int(np.count_nonzero(bad))} such value(s)); apply a softmax to logits first"
        )
    return batch


# -------------------------------------------------------------------------- declarations

_MARGIN = Param(
    "margin",
    ParamKind.FLOAT,
    1.0,
    "margin term of the loss",
    low=0.0,
)
_DISTANCE_METRIC = Param(
    "distance_metric",
    ParamKind.CHOICE,
    "L2",
    "distance between embeddings: L2, squared-L2 or angular (1 - cosine)",
    choices=DISTANCE_METRICS,
)
_NONE_DEFAULT_NOTE = (
    "TFA's class default is reduction='none', which returns the batch's single value as it "
    "is; sum_over_batch_size gives the same number for one batch and weights batches by their "
    "size over a file."
)
_BATCH_NOTE = (
    "One value per batch, carried by every row of the batch; from a file it is computed per "
    "--batch-size chunk (the Python API treats the whole input as one batch)."
)

SIGMOID_FOCAL_CROSSENTROPY = LossSpec(
    name="sigmoid_focal_crossentropy",
    kernel=sigmoid_focal_crossentropy,
    target=Target.BINARY,
    summary="TFA sigmoid focal loss: Keras-2 BCE scaled by alpha_t (1 - p_t)^gamma, summed.",
    formula="sum(alpha_t (1 - p_t)^gamma (-y log(o + eps) - (1 - y) log(1 - o + eps)))",
    aliases=("SigmoidFocalCrossEntropy",),
    params=(
        Param(
            "alpha",
            ParamKind.FLOAT,
            0.25,
            "class-1 weight (class 0: 1 - alpha); 0 switches the factor off (not zero weight)",
            low=0.0,
            high=1.0,
        ),
        Param(
            "gamma",
            ParamKind.FLOAT,
            2.0,
            "focusing parameter; 0 switches the (1 - p_t)^gamma factor off",
            low=0.0,
        ),
        FROM_LOGITS,
    ),
    origin="tfa",
    reference_class="SigmoidFocalCrossEntropy",
    probabilities=(0.0, 1.0),
    default_reduction="sum_over_batch_size",
    family="probabilistic",
    notes=(
        "Sums over the last axis (Keras's binary_focal_crossentropy averages) and always "
        "applies alpha; o = clip(p, eps, 1 - eps), with eps added again inside the logs "
        "(Keras 2).",
        "TFA's class default is reduction='none' (one value per row); losscli's default is "
        "sum_over_batch_size: pass --reduction none for TFA's output.",
        "Computed in TFA's order of operations (float32, left to right), which reproduces the "
        "published [0.00010971, 0.00329749, 0.00030611]; TFA inside a tf.function on float32 "
        "arrays re-associates 1 - o + eps and differs at the clip bound.",
    ),
)

_BOX_NOTES = (
    "Degenerate boxes (max < min) have area 0; a zero union or enclosing area gives a ratio "
    "of 0 (divide_no_nan).",
)

GIOU = LossSpec(
    name="giou",
    kernel=giou,
    target=Target.BOXES,
    summary="Generalized IoU loss of boxes: 1 - (IoU - (C - U) / C), in [0, 2].",
    formula="1 - (I/U - (C - U)/C), C = area of the smallest enclosing box",
    aliases=("GIoULoss", "giou_loss"),
    origin="tfa",
    reference_class="GIoULoss",
    default_reduction="sum_over_batch_size",
    family="overlap",
    prepare=_prepare_boxes,
    config_variant=(("mode", "giou"),),
    notes=("TFA's GIoULoss(mode='giou'); mode='iou' is the iou loss.", *_BOX_NOTES),
)

IOU = LossSpec(
    name="iou",
    kernel=iou,
    target=Target.BOXES,
    summary="IoU loss of boxes: 1 - intersection / union, in [0, 1].",
    formula="1 - I/U",
    aliases=("iou_loss",),
    origin="tfa",
    reference_class="GIoULoss",
    default_reduction="sum_over_batch_size",
    family="overlap",
    prepare=_prepare_boxes,
    config_variant=(("mode", "iou"),),
    notes=("TFA's GIoULoss(mode='iou').", *_BOX_NOTES),
)

CONTRASTIVE = LossSpec(
    name="contrastive",
    kernel=contrastive,
    target=Target.BINARY,
    summary="Contrastive loss of pair labels (1 = similar) and pair distances.",
    formula="y d^2 + (1 - y) max(margin - d, 0)^2",
    aliases=("ContrastiveLoss", "contrastive_loss"),
    params=(_MARGIN,),
    origin="tfa",
    reference_class="ContrastiveLoss",
    default_reduction="sum_over_batch_size",
    family="embedding",
    notes=(
        "y_pred holds distances (e.g. |a - b|), not probabilities; several columns give one "
        "value per element, as TFA.",
    ),
)

PINBALL = LossSpec(
    name="pinball",
    kernel=pinball,
    target=Target.REAL,
    summary="Pinball (quantile) loss: an estimator of the tau-quantile.",
    formula="mean(max(tau (y - p), (tau - 1) (y - p)))",
    aliases=("PinballLoss", "pinball_loss"),
    params=(
        Param(
            "tau",
            ParamKind.FLOATS,
            0.5,
            "quantile level (0.5: half the absolute error); one number or one per column",
            low=0.0,
            high=1.0,
        ),
    ),
    origin="tfa",
    reference_class="PinballLoss",
    default_reduction="sum_over_batch_size",
    family="regression",
    notes=("Equals scikit-learn's mean_pinball_loss(alpha=tau) per row.",),
)

TRIPLET_SEMIHARD = LossSpec(
    name="triplet_semihard",
    kernel=triplet_semihard,
    target=Target.EMBEDDING_LABEL,
    summary="Triplet loss with semi-hard negative mining over the batch.",
    formula="mean_{(i,j) positive} max(margin + D[i,j] - min{D[i,k] > D[i,j], k negative}, 0)",
    aliases=("TripletSemiHardLoss", "triplet_semihard_loss"),
    params=(_MARGIN, _DISTANCE_METRIC),
    scope=Scope.BATCH,
    origin="tfa",
    reference_class="TripletSemiHardLoss",
    default_reduction="sum_over_batch_size",
    family="embedding",
    notes=(
        _BATCH_NOTE,
        _NONE_DEFAULT_NOTE,
        "Without a farther negative the farthest negative is used; a batch without a positive "
        "pair gives NaN (0/0), as TFA.",
        "Embeddings are not normalised except by distance_metric=angular.",
    ),
)

TRIPLET_HARD = LossSpec(
    name="triplet_hard",
    kernel=triplet_hard,
    target=Target.EMBEDDING_LABEL,
    summary="Triplet loss with the hardest positive and hardest negative of each anchor.",
    formula="mean_i max(max_pos D[i,j] - min_neg D[i,k] + margin, 0)  (soft: log1p(exp(.)))",
    aliases=("TripletHardLoss", "triplet_hard_loss"),
    params=(
        _MARGIN,
        Param(
            "soft",
            ParamKind.BOOL,
            False,
            "use log1p(exp(hardest positive - hardest negative)) instead of the margin",
        ),
        _DISTANCE_METRIC,
    ),
    scope=Scope.BATCH,
    origin="tfa",
    reference_class="TripletHardLoss",
    default_reduction="sum_over_batch_size",
    family="embedding",
    notes=(
        _BATCH_NOTE,
        _NONE_DEFAULT_NOTE,
        "An anchor without a positive uses its smallest distance (0 for L2) and one without "
        "a negative its largest, as TFA; every anchor is averaged in.",
    ),
)

LIFTED_STRUCT = LossSpec(
    name="lifted_struct",
    kernel=lifted_struct,
    target=Target.EMBEDDING_LABEL,
    summary="Lifted structured loss: each positive pair against all negatives of both rows.",
    formula=(
        "1/2 mean_{(i,j) positive} max(J_ij, 0)^2, "
        "J_ij = log(sum_neg(i) e^(m - D) + sum_neg(j) e^(m - D)) + D[i,j]"
    ),
    aliases=("LiftedStructLoss", "lifted_struct_loss"),
    params=(_MARGIN,),
    scope=Scope.BATCH,
    origin="tfa",
    reference_class="LiftedStructLoss",
    default_reduction="sum_over_batch_size",
    family="embedding",
    notes=(
        _BATCH_NOTE,
        _NONE_DEFAULT_NOTE,
        "Plain L2 distances; embeddings are not normalised. A batch without a positive pair "
        "or with a single label gives NaN, as TFA.",
    ),
)

NPAIRS = LossSpec(
    name="npairs",
    kernel=npairs,
    target=Target.EMBEDDING_LABEL,
    summary="N-pairs loss: softmax cross-entropy of each similarity row against its label row.",
    formula="mean_i(-sum_j T_ij log_softmax(S_i)_j), T_ij = [l_i = l_j] / #{j: l_i = l_j}",
    aliases=("NpairsLoss", "npairs_loss"),
    scope=Scope.BATCH,
    origin="tfa",
    reference_class="NpairsLoss",
    default_reduction="sum_over_batch_size",
    family="embedding",
    prepare=_prepare_similarities,
    notes=(
        "y_true: one integer label per row; y_pred: the batch's [rows, rows] similarity logits "
        "(e.g. anchors . positives^T), one column per row of the batch.",
        _BATCH_NOTE,
        _NONE_DEFAULT_NOTE,
    ),
)

WEIGHTED_KAPPA = LossSpec(
    name="weighted_kappa",
    kernel=weighted_kappa,
    target=Target.ONE_HOT,
    summary="Weighted kappa loss for ordinal classes: log of the weighted disagreement ratio.",
    formula="log(sum w(t_n, c) p[n,c] / ((sum_n y[n]) W (sum_n p[n])^T / B) + epsilon)",
    aliases=("WeightedKappaLoss", "weighted_kappa_loss"),
    params=(
        Param(
            "num_classes",
            ParamKind.OPTIONAL_INT,
            None,
            "number of classes; none: the number of y_pred columns (must match when given)",
            low=2,
        ),
        Param(
            "weightage",
            ParamKind.CHOICE,
            "quadratic",
            "disagreement weight of classes i and j: linear |i - j| or quadratic (i - j)^2",
            choices=("linear", "quadratic"),
        ),
        Param(
            "epsilon",
            ParamKind.FLOAT,
            1e-6,
            "added before the log; 0 falls back to 1e-7, as TFA",
            low=0.0,
        ),
    ),
    scope=Scope.BATCH,
    origin="tfa",
    reference_class="WeightedKappaLoss",
    default_reduction="sum_over_batch_size",
    family="probabilistic",
    prepare=_prepare_kappa,
    notes=(
        "Values lie in (-inf, log 2]; lower is better agreement. y_pred holds class "
        "probabilities (softmax outputs).",
        _BATCH_NOTE,
        _NONE_DEFAULT_NOTE,
    ),
)

LOSSES: tuple[LossSpec, ...] = (
    SIGMOID_FOCAL_CROSSENTROPY,
    GIOU,
    IOU,
    CONTRASTIVE,
    PINBALL,
    TRIPLET_SEMIHARD,
    TRIPLET_HARD,
    LIFTED_STRUCT,
    NPAIRS,
    WEIGHTED_KAPPA,
)
