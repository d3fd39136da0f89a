"""PyTorch losses that Keras lacks (``torch.nn``), with torch's defaults and numbers.

The arguments are losscli's ``(y_true, y_pred)``; torch's are the other way round,
``(input=y_pred, target=y_true)``. Where torch takes two or three inputs, y_pred holds them side
by side: ``[x1 | x2]`` for the pair losses, ``[positive | negative]`` for the triplet loss (whose
anchor is y_true), ``[means | variances]`` for the Gaussian NLL.

torch's element-wise losses (``reduction="none"`` gives one value per element) give one value
per row here: the mean of the row's elements. So ``sum_over_batch_size`` (= ``mean``) equals
torch's default ``"mean"`` over all elements, and ``sum`` is torch's ``"sum"`` divided by the
number of elements per row.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from losscli.arrays import (
    Batch,
    RowIds,
    as_columns,
    check_per_class_params,
    float_array,
    prepare,
    row_number,
)
from losscli.errors import InputDataError, ShapeError
from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import log_sigmoid, mean, softplus
from losscli.losses.loss import Loss
from losscli.losses.spec import LossSpec, Param, ParamKind, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

# ------------------------------------------------------------------------------------ kernels


def nll(y_true: np.ndarray, y_pred: np.ndarray, *, ignore_index: int = -100) -> np.ndarray:
    """``-y_pred[y]``: minus the log-probability of the true class; ignored rows give 0."""
    ignored = y_true == ignore_index
    index = np.expand_dims(np.where(ignored, 0, y_true), -1)
    picked = np.squeeze(np.take_along_axis(y_pred, index, axis=-1), axis=-1)
    return np.where(ignored, y_pred.dtype.type(0), -picked)


def not_ignored(
    y_true: np.ndarray, y_pred: np.ndarray, values: np.ndarray, *, ignore_index: int, **_: Any
) -> np.ndarray:
    """Rows labelled ``ignore_index`` leave the mean and the weight sum, as in torch."""
    return y_true != ignore_index


def smooth_l1(y_true: np.ndarray, y_pred: np.ndarray, *, beta: float = 1.0) -> np.ndarray:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``; L1 for beta = 0."""
    z = np.abs(y_pred - y_true)
    if beta == 0:
        return mean(z, axis=-1)
    b = y_pred.dtype.type(beta)
    return mean(np.where(z < b, 0.5 * z * z / b, z - 0.5 * b), axis=-1)


def poisson_nll(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
) -> np.ndarray:
    """``exp(x) - y x`` (log-rate x), or ``x - y log(x + eps)`` (rate x); Stirling if full."""
    log_rate = y_pred if log_input else np.log(y_pred + eps)
    loss = (np.exp(y_pred) if log_input else y_pred) - y_true * log_rate
    if full:
        y = y_true
        with np.errstate(divide="ignore", invalid="ignore"):  # y <= 1 is masked out below
            stirling = y * np.log(y) - y + 0.5 * np.log(2 * math.pi * y)
        loss = loss + np.where(y > 1, stirling, y_pred.dtype.type(0))
    return mean(loss, axis=-1)


def gaussian_nll(
    y_true: np.ndarray, y_pred: np.ndarray, *, full: bool = False, eps: float = 1e-6
) -> np.ndarray:
    """``0.5 (log v + (mu - y)^2 / v)`` with ``v = max(var, eps)``; y_pred = [means | vars]."""
    outputs = y_true.shape[-1]
    mu, var = y_pred[..., :outputs], np.maximum(y_pred[..., outputs:], eps)
    loss = 0.5 * (np.log(var) + (mu - y_true) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return mean(loss, axis=-1)


def _halves(y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    width = y_pred.shape[-1] // 2
    return y_pred[..., :width], y_pred[..., width:]


def margin_ranking(y_true: np.ndarray, y_pred: np.ndarray, *, margin: float = 0.0) -> np.ndarray:
    """``max(0, -y (x1 - x2) + margin)``; y_pred = [x1 | x2], y the row's label (1 or -1)."""
    x1, x2 = _halves(y_pred)
    return mean(np.maximum(-y_true[:, None] * (x1 - x2) + margin, 0), axis=-1)


def soft_margin(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``log(1 + exp(-y x))`` for labels 1 or -1, computed without overflow."""
    return mean(softplus(-y_pred * y_true), axis=-1)


def multilabel_soft_margin(
    y_true: np.ndarray, y_pred: np.ndarray, *, weight: float | tuple[float, ...] = 1.0
) -> np.ndarray:
    """Binary cross-entropy of logits per class, times the class weight, summed over C / C."""
    loss = -(y_true * log_sigmoid(y_pred) + (1 - y_true) * log_sigmoid(-y_pred))
    loss = loss * _per_class(weight, y_pred.dtype)
    return np.sum(loss, axis=-1) / y_pred.shape[-1]


def multi_margin(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    p: int = 1,
    margin: float = 1.0,
    weight: float | tuple[float, ...] = 1.0,
) -> np.ndarray:
    """``sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C`` for class ids y and scores x."""
    index = np.expand_dims(y_true, -1)
    target_score = np.take_along_axis(y_pred, index, axis=-1)
    hinge = np.maximum((margin - target_score) + y_pred, 0)
    if p == 2:
        hinge = hinge * hinge
    if isinstance(weight, tuple):
        hinge = hinge * _per_class(weight, y_pred.dtype)[index]
    classes = y_pred.shape[-1]
    others = np.arange(classes) != index
    return np.sum(np.where(others, hinge, y_pred.dtype.type(0)), axis=-1) / classes


def cosine_embedding(y_true: np.ndarray, y_pred: np.ndarray, *, margin: float = 0.0) -> np.ndarray:
    """``1 - cos`` for label 1, ``max(0, cos - margin)`` for -1, 0 otherwise; y_pred = [x1|x2]."""
    x1, x2 = _halves(y_pred)
    dot = np.sum(x1 * x2, axis=-1)
    norms = (np.sum(x1 * x1, axis=-1) + 1e-12) * (np.sum(x2 * x2, axis=-1) + 1e-12)
    cos = dot / np.sqrt(norms)
    zero = cos.dtype.type(0)
    dissimilar = np.where(y_true == -1, np.maximum(cos - margin, zero), zero)
    return np.where(y_true == 1, 1 - cos, dissimilar)


def hinge_embedding(y_true: np.ndarray, y_pred: np.ndarray, *, margin: float = 1.0) -> np.ndarray:
    """``x`` for label 1, ``max(0, margin - x)`` for -1 (both for any other label)."""
    zero = y_pred.dtype.type(0)
    pushed = np.where(y_true != 1, np.maximum(margin - y_pred, zero), zero)
    return mean(pushed + np.where(y_true != -1, y_pred, zero), axis=-1)


def _distance(a: np.ndarray, b: np.ndarray, p: float, eps: float) -> np.ndarray:
    """torch's ``pairwise_distance``: the p-norm of ``a - b + eps`` over the last axis."""
    diff = np.abs(a - b + eps)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, axis=-1))
    if p == 1:
        return np.sum(diff, axis=-1)
    return np.sum(diff**p, axis=-1) ** (1 / p)


def triplet_margin(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
) -> np.ndarray:
    """``max(d(a, pos) - d(a, neg) + margin, 0)``; y_true = anchor, y_pred = [pos | neg]."""
    positive, negative = _halves(y_pred)
    d_pos = _distance(y_true, positive, p, eps)
    d_neg = _distance(y_true, negative, p, eps)
    if swap:
        d_neg = np.minimum(d_neg, _distance(positive, negative, p, eps))
    return np.maximum(margin + d_pos - d_neg, 0)


def _per_class(weight: float | tuple[float, ...], dtype: np.dtype) -> Any:
    return np.asarray(weight, dtype=dtype) if isinstance(weight, tuple) else weight


# ---------------------------------------------------------------------------- input checks


def _standard(loss: Loss) -> Loss:
    """The same loss with its target kind's standard input checks (no ``prepare``)."""
    return Loss(replace(loss.spec, prepare=None), loss.params)


def prepare_nll(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds) -> Batch:
    """Sparse-label checks, except that ``ignore_index`` need not be a valid class id."""
    ignore_index = loss.params["ignore_index"]
    labels = np.asarray(y_true)
    if labels.dtype.kind not in "biuf":  # not numbers: the standard checks name the problem
        return prepare(_standard(loss), labels, y_pred, dtype, row_ids)
    ignored = labels == ignore_index
    batch = prepare(_standard(loss), np.where(ignored, 0, labels), y_pred, dtype, row_ids)
    restored = np.where(ignored.reshape(batch.y_true.shape), ignore_index, batch.y_true)
    return Batch(restored, batch.y_pred)


def prepare_multi_margin(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds
) -> Batch:
    """Sparse-label checks, and a per-class ``weight`` needs one entry per class."""
    batch = prepare(_standard(loss), y_true, y_pred, dtype, row_ids)
    check_per_class_params(loss, batch.y_pred)
    return batch


def _columns(loss: Loss, values: Any, what: str, dtype: np.dtype, row_ids: RowIds) -> np.ndarray:
    return as_columns(float_array(values, dtype, what, loss, row_ids), what, loss)


def prepare_gaussian(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds
) -> Batch:
    """y_true is ``[n, K]``; y_pred is ``[n, 2K]`` (a variance per output) or ``[n, K + 1]``."""
    true = _columns(loss, y_true, "y_true", dtype, row_ids)
    pred = _columns(loss, y_pred, "y_pred", dtype, row_ids)
    outputs = true.shape[-1]
    if (
        true.ndim != 2
        or pred.ndim != 2
        or pred.shape[0] != true.shape[0]
        or pred.shape[1] not in (2 * outputs, outputs + 1)
    ):
        raise ShapeError(
            f"{loss.name}: y_pred must hold the means and then the variances, [rows, 2K] (one "
            f"variance per output) or [rows, K + 1] (one shared variance), for y_true's K "
            f"outputs; got y_true {true.shape} and y_pred {pred.shape}"
        )
    negative = pred[:, outputs:] < 0
    if np.any(negative):
        row, column = np.argwhere(negative)[0]
        raise InputDataError(
            f"{loss.name}: variances must be >= 0; found {float(pred[row, outputs + column]):g} "
            f"at row {row_number(row, row_ids)} ({int(np.count_nonzero(negative))} negative "
            "variance(s)); y_pred holds the means, then the variances"
        )
    return Batch(true, pred)


def prepare_pair(loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds) -> Batch:
    """One label per row in y_true; the two inputs side by side in y_pred, ``[n, 2D]``."""
    labels = float_array(y_true, dtype, "y_true", loss, row_ids)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    pred = _columns(loss, y_pred, "y_pred", dtype, row_ids)
    if labels.ndim != 1 or pred.ndim != 2 or pred.shape[1] % 2 or pred.shape[0] != labels.shape[0]:
        raise ShapeError(
            f"{loss.name}: expected one label (1 or -1) per row in y_true and the two inputs "
            f"side by side in y_pred, [rows, 2 * dims]; got y_true {labels.shape} and y_pred "
            f"{pred.shape}"
        )
    return Batch(labels, pred)


def prepare_triplet(
    loss: Loss, y_true: Any, y_pred: Any, dtype: np.dtype, row_ids: RowIds
) -> Batch:
    """The anchor ``[n, D]`` in y_true; the positive and negative side by side, ``[n, 2D]``."""
    anchor = _columns(loss, y_true, "y_true", dtype, row_ids)
    pred = _columns(loss, y_pred, "y_pred", dtype, row_ids)
    if anchor.ndim != 2 or pred.shape != (anchor.shape[0], 2 * anchor.shape[1]):
        raise ShapeError(
            f"{loss.name}: y_true is the anchor, [rows, dims], and y_pred the positive and the "
            f"negative side by side, [rows, 2 * dims]; got y_true {anchor.shape} and y_pred "
            f"{pred.shape}"
        )
    return Batch(anchor, pred)


# ------------------------------------------------------------------------------- registry

_ELEMENTWISE = (
    "torch gives one value per element; a row's value here is the mean of its elements, so "
    "sum_over_batch_size (torch's default 'mean') matches torch and 'sum' is torch's sum "
    "divided by the number of columns.",
)
_LABELS = "Labels are 1 or -1, as torch (0/1 labels are not converted)."


_torch = partial(LossSpec, origin="torch")


def _weight(help_text: str) -> Param:
    return Param("weight", ParamKind.FLOATS, 1.0, help_text, low=0.0)


FAMILY = "pytorch"
"""How `losscli list` groups these losses when a spec names no family of its own."""

LOSSES: tuple[LossSpec, ...] = (
    _torch(
        name="nll",
        kernel=nll,
        target=Target.SPARSE_LABEL,
        summary="Negative log-likelihood of the true class, from log-probabilities.",
        formula="-y_pred[y]  (0 where y = ignore_index)",
        aliases=("NLLLoss", "nll_loss"),
        params=(
            Param(
                "ignore_index",
                ParamKind.INT,
                -100,
                "class id whose rows give 0 and leave the mean and the weight sum",
            ),
        ),
        mask=not_ignored,
        prepare=prepare_nll,
        default_reduction="mean_with_sample_weight",
        family="probabilistic",
        reference_class="NLLLoss",
        notes=(
            "y_pred holds log-probabilities (e.g. log_softmax outputs); for probabilities or "
            "logits use sparse_categorical_crossentropy.",
            "torch's weight= is --class-weight (Python: class_weight=); torch's 'mean' divides "
            "by the summed weights of the rows not ignored, which is mean_with_sample_weight, "
            "the default here.",
            "If every row is ignored the mean is 0 (torch: NaN).",
        ),
    ),
    _torch(
        name="smooth_l1",
        kernel=smooth_l1,
        target=Target.REAL,
        summary="Smooth L1: squared error below beta, absolute error minus beta/2 above.",
        formula="mean(0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta), d = p - y",
        aliases=("SmoothL1Loss", "smooth_l1_loss"),
        params=(
            Param(
                "beta",
                ParamKind.FLOAT,
                1.0,
                "where the loss changes from quadratic to linear; 0 gives the L1 loss",
                low=0.0,
            ),
        ),
        family="regression",
        reference_class="SmoothL1Loss",
        notes=(
            "smooth_l1(beta) = huber(delta=beta) / beta: they agree only for beta = delta = 1.",
            *_ELEMENTWISE,
        ),
    ),
    _torch(
        name="poisson_nll",
        kernel=poisson_nll,
        target=Target.REAL,
        summary="Poisson negative log-likelihood of counts, y_pred the log-rate (or the rate).",
        formula="mean(exp(x) - y x)  or  mean(x - y log(x + eps)); + Stirling(y) for y > 1 if full",
        aliases=("PoissonNLLLoss", "poisson_nll_loss"),
        params=(
            Param("log_input", ParamKind.BOOL, True, "y_pred holds the log of the rate"),
            Param(
                "full",
                ParamKind.BOOL,
                False,
                "add the Stirling term y log y - y + 0.5 log(2 pi y) where y > 1",
            ),
            Param(
                "eps",
                ParamKind.FLOAT,
                1e-8,
                "added to the rate inside the log when log_input is false",
                low=0.0,
            ),
        ),
        family="probabilistic",
        reference_class="PoissonNLLLoss",
        notes=_ELEMENTWISE,
    ),
    _torch(
        name="gaussian_nll",
        kernel=gaussian_nll,
        target=Target.REAL,
        summary="Gaussian negative log-likelihood; y_pred holds the means, then the variances.",
        formula="mean(0.5 (log v + (mu - y)^2 / v)), v = max(var, eps); + 0.5 log(2 pi) if full",
        aliases=("GaussianNLLLoss", "gaussian_nll_loss"),
        params=(
            Param("full", ParamKind.BOOL, False, "add the constant 0.5 log(2 pi)"),
            Param(
                "eps",
                ParamKind.FLOAT,
                1e-6,
                "variances below eps are raised to eps",
                low=0.0,
            ),
        ),
        prepare=prepare_gaussian,
        family="probabilistic",
        reference_class="GaussianNLLLoss",
        notes=(
            "For K outputs y_pred is [means..., variances...] ([n, 2K]) or [means..., variance] "
            "([n, K + 1], one variance shared by the row's outputs); a negative variance is "
            "a data error.",
            *_ELEMENTWISE,
        ),
    ),
    _torch(
        name="margin_ranking",
        kernel=margin_ranking,
        target=Target.PAIR,
        summary="Margin ranking: x1 should rank above x2 for label 1, below for -1.",
        formula="mean(max(0, -y (x1 - x2) + margin)), y_pred = [x1 | x2]",
        aliases=("MarginRankingLoss", "margin_ranking_loss"),
        params=(Param("margin", ParamKind.FLOAT, 0.0, "the required gap between x1 and x2"),),
        prepare=prepare_pair,
        family="margin",
        reference_class="MarginRankingLoss",
        notes=(
            "With D columns per input the row's label applies to each of them (torch wants "
            "a label per element).",
            *_ELEMENTWISE,
        ),
    ),
    _torch(
        name="soft_margin",
        kernel=soft_margin,
        target=Target.BINARY,
        summary="Soft margin: logistic loss of scores for labels 1 or -1.",
        formula="mean(log(1 + exp(-y x)))",
        aliases=("SoftMarginLoss", "soft_margin_loss"),
        family="margin",
        reference_class="SoftMarginLoss",
        notes=(
            _LABELS,
            "Computed without overflow: torch's float32 gives inf once -y x exceeds about 88.7.",
            *_ELEMENTWISE,
        ),
    ),
    _torch(
        name="multilabel_soft_margin",
        kernel=multilabel_soft_margin,
        target=Target.BINARY,
        summary="Multi-label soft margin: per-class logistic loss of logits, averaged per row.",
        formula="-sum(w (y log sigmoid(x) + (1 - y) log sigmoid(-x))) / C",
        aliases=("MultiLabelSoftMarginLoss", "multilabel_soft_margin_loss"),
        params=(_weight("class weight: one number, or one per class column"),),
        family="margin",
        reference_class="MultiLabelSoftMarginLoss",
        notes=("Without weights it equals binary_crossentropy with from_logits=true.",),
    ),
    _torch(
        name="multi_margin",
        kernel=multi_margin,
        target=Target.SPARSE_LABEL,
        summary="Multi-class hinge: every other class's score against the true class's.",
        formula="sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C",
        aliases=("MultiMarginLoss", "multi_margin_loss"),
        params=(
            Param("p", ParamKind.INT, 1, "the power of the hinge: 1 or 2", low=1, high=2),
            Param("margin", ParamKind.FLOAT, 1.0, "the required gap to the true class's score"),
            _weight("weight of the true class: one number, or one per class"),
        ),
        prepare=prepare_multi_margin,
        family="margin",
        reference_class="MultiMarginLoss",
        notes=(
            "The sum is divided by C, the number of classes including the true one.",
            "A per-class weight gives the same numbers as --class-weight (Python: "
            "class_weight=) with torch's weights.",
        ),
    ),
    _torch(
        name="cosine_embedding",
        kernel=cosine_embedding,
        target=Target.PAIR,
        summary="Cosine embedding: similar pairs (1) should align, dissimilar (-1) should not.",
        formula="1 - cos(x1, x2) if y = 1; max(0, cos(x1, x2) - margin) if y = -1; else 0",
        aliases=("CosineEmbeddingLoss", "cosine_embedding_loss"),
        params=(Param("margin", ParamKind.FLOAT, 0.0, "dissimilar pairs count above this cosine"),),
        prepare=prepare_pair,
        family="embedding",
        reference_class="CosineEmbeddingLoss",
        notes=(
            "y_pred = [x1 | x2], [n, 2D]; cos = x1.x2 / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12)).",
            "Labels other than 1 and -1 give 0, as in torch.",
        ),
    ),
    _torch(
        name="hinge_embedding",
        kernel=hinge_embedding,
        target=Target.BINARY,
        summary="Hinge embedding: distances x of similar pairs (1) and dissimilar pairs (-1).",
        formula="mean(x if y = 1; max(0, margin - x) if y = -1)",
        aliases=("HingeEmbeddingLoss", "hinge_embedding_loss"),
        params=(
            Param("margin", ParamKind.FLOAT, 1.0, "dissimilar pairs count below this distance"),
        ),
        family="margin",
        reference_class="HingeEmbeddingLoss",
        notes=(
            _LABELS + " Any other label gets both terms, as in torch.",
            *_ELEMENTWISE,
        ),
    ),
    _torch(
        name="triplet_margin",
        kernel=triplet_margin,
        target=Target.TRIPLET,
        summary="Triplet margin: the anchor nearer the positive than the negative by a margin.",
        formula="max(d(a, pos) - d(a, neg) + margin, 0), d(u, v) = ||u - v + eps||_p",
        aliases=("TripletMarginLoss", "triplet_margin_loss"),
        params=(
            Param(
                "margin",
                ParamKind.FLOAT,
                1.0,
                "the required gap between the two distances",
                low=0.0,
                low_open=True,
            ),
            Param("p", ParamKind.FLOAT, 2.0, "the norm degree", low=0.0, low_open=True),
            Param(
                "eps",
                ParamKind.FLOAT,
                1e-6,
                "added to each difference vector before its norm",
                low=0.0,
            ),
            Param(
                "swap",
                ParamKind.BOOL,
                False,
                "use min(d(a, neg), d(pos, neg)) as the negative distance",
            ),
        ),
        prepare=prepare_triplet,
        family="embedding",
        reference_class="TripletMarginLoss",
        notes=(
            "y_true is the anchor [n, D]; y_pred = [positive | negative], [n, 2D]. Each row "
            "is its own triplet (no mining within the batch).",
        ),
    ),
)
