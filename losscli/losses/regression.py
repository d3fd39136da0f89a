"""Regression losses: errors between real-valued targets and predictions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from losscli.lazy_numpy import lazy_numpy
from losscli.losses._math import epsilon, mean, softplus
from losscli.losses.spec import LossSpec, Param, ParamKind, Target

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean over the last axis of the squared error."""
    return mean(np.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean over the last axis of the absolute error."""
    return mean(np.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Absolute error relative to ``max(|y_true|, eps)``, in percent."""
    eps = epsilon(y_pred.dtype)
    diff = np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), eps))
    return 100.0 * mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Squared error of ``log(x + 1)``, with both sides clamped below at eps."""
    # Keras converts epsilon() at the default float32 even when computing in float64.
    eps = np.float32(1e-7).astype(y_pred.dtype)
    first_log = np.log(np.maximum(y_pred, eps) + 1.0)
    second_log = np.log(np.maximum(y_true, eps) + 1.0)
    return mean(np.square(first_log - second_log), axis=-1)


def _l2_normalize(x: np.ndarray, axis: int) -> np.ndarray:
    eps = epsilon(x.dtype)
    square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
    return x * (1 / np.sqrt(np.maximum(square_sum, eps * eps)))


def cosine_similarity(y_true: np.ndarray, y_pred: np.ndarray, *, axis: int = -1) -> np.ndarray:
    """Negative cosine similarity along ``axis`` (-1 = same direction, 0 for a zero vector)."""
    y_pred = _l2_normalize(y_pred, axis)
    y_true = _l2_normalize(y_true, axis)
    return -np.sum(y_true * y_pred, axis=axis)


def huber(y_true: np.ndarray, y_pred: np.ndarray, *, delta: float = 1.0) -> np.ndarray:
    """Quadratic for errors up to ``delta``, linear beyond; mean over the last axis."""
    dtype = y_pred.dtype.type
    delta_ = dtype(delta)
    half = dtype(0.5)
    error = y_pred - y_true
    abs_error = np.abs(error)
    quadratic = half * np.square(error)
    linear = delta_ * abs_error - half * np.square(delta_)
    return mean(np.where(abs_error <= delta_, quadratic, linear), axis=-1)


def log_cosh(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``log(cosh(error))`` in an overflow-free form; mean over the last axis."""
    log2 = y_pred.dtype.type(np.log(2.0))
    x = y_pred - y_true
    return mean(x + softplus(x * -2.0) - log2, axis=-1)


def poisson(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Poisson negative log-likelihood up to a constant: ``p - y log(p + eps)``."""
    eps = epsilon(y_pred.dtype)
    return mean(y_pred - y_true * np.log(y_pred + eps), axis=-1)


FAMILY = "regression"
"""How `losscli list` groups these losses."""

LOSSES = (
    LossSpec(
        name="mean_squared_error",
        kernel=mean_squared_error,
        target=Target.REAL,
        summary="Mean squared error.",
        formula="mean((y - p)^2)",
        aliases=("mse", "MSE", "MeanSquaredError"),
        reference_class="MeanSquaredError",
    ),
    LossSpec(
        name="mean_absolute_error",
        kernel=mean_absolute_error,
        target=Target.REAL,
        summary="Mean absolute error.",
        formula="mean(|y - p|)",
        aliases=("mae", "MAE", "MeanAbsoluteError"),
        reference_class="MeanAbsoluteError",
    ),
    LossSpec(
        name="mean_absolute_percentage_error",
        kernel=mean_absolute_percentage_error,
        target=Target.REAL,
        summary="Mean absolute percentage error, in percent.",
        formula="100 * mean(|y - p| / max(|y|, eps))",
        aliases=("mape", "MAPE", "MeanAbsolutePercentageError"),
        reference_class="MeanAbsolutePercentageError",
    ),
    LossSpec(
        name="mean_squared_logarithmic_error",
        kernel=mean_squared_logarithmic_error,
        target=Target.REAL,
        summary="Mean squared logarithmic error; values below eps are clamped to eps.",
        formula="mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))^2)",
        aliases=("msle", "MSLE", "MeanSquaredLogarithmicError"),
        reference_class="MeanSquaredLogarithmicError",
    ),
    LossSpec(
        name="cosine_similarity",
        kernel=cosine_similarity,
        target=Target.REAL,
        summary="Negative cosine similarity: -1 for the same direction, 0 for orthogonal.",
        formula="-sum(l2_normalize(y) * l2_normalize(p), axis)",
        aliases=("CosineSimilarity",),
        params=(
            Param(
                "axis",
                ParamKind.AXIS,
                -1,
                "the axis along which the similarity is computed",
            ),
        ),
        reference_class="CosineSimilarity",
    ),
    LossSpec(
        name="huber",
        kernel=huber,
        target=Target.REAL,
        summary="Huber loss: squared error near zero, absolute error beyond delta.",
        formula="mean(0.5 e^2 if |e| <= delta else delta |e| - 0.5 delta^2), e = p - y",
        aliases=("Huber", "huber_loss"),
        params=(
            Param(
                "delta",
                ParamKind.FLOAT,
                1.0,
                "where the loss changes from quadratic to linear",
                low=0.0,
                low_open=True,
            ),
        ),
        reference_class="Huber",
    ),
    LossSpec(
        name="log_cosh",
        kernel=log_cosh,
        target=Target.REAL,
        summary="Logarithm of the hyperbolic cosine of the error.",
        formula="mean(e + softplus(-2e) - log 2), e = p - y",
        aliases=("LogCosh", "logcosh"),
        reference_class="LogCosh",
    ),
    LossSpec(
        name="poisson",
        kernel=poisson,
        target=Target.REAL,
        summary="Poisson loss for count targets (y_pred is the rate).",
        formula="mean(p - y log(p + eps))",
        aliases=("Poisson",),
        reference_class="Poisson",
    ),
)
