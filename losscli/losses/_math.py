"""Numerically careful building blocks shared by the kernels.

Each helper keeps the dtype of its input and follows the operation order of the Keras JAX
backend, so float32 results agree with Keras to the last digit or two. Overflow in ``exp`` is
part of the intended arithmetic (it saturates to 0 or 1), so those warnings are silenced here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from losscli.lazy_numpy import lazy_numpy

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())


EPSILON = 1e-7
"""``keras.config.epsilon()``: the fuzz factor used for clipping and safe division."""


def epsilon(dtype: np.dtype) -> np.floating:
    """Keras's epsilon as a scalar of ``dtype`` (float32(1e-7) is not 1e-7)."""
    return np.dtype(dtype).type(EPSILON)


def clip_probabilities(p: np.ndarray) -> np.ndarray:
    """Clip to ``[eps, 1 - eps]`` with both bounds computed in ``p``'s dtype.

    In float32 the upper bound is 0.99999988, not 1 - 1e-7: this is why Keras's BCE of
    (y=0, p=1) is 15.942385 while (y=1, p=0) is 16.118095.
    """
    eps = epsilon(p.dtype)
    return np.clip(p, eps, p.dtype.type(1) - eps)


def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``.

    This is JAX's ``logaddexp(x, 0)`` op for op (NaN stays NaN, +-inf give inf and 0); it is
    also ten times faster than ``np.logaddexp``, which has no vectorized loop.
    """
    with np.errstate(over="ignore"):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log(sigmoid(x))`` without overflow or loss of precision for large ``|x|``."""
    return -softplus(-x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, saturating to exactly 0 or 1 for large ``|x|``."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def sum_last_axis(x: np.ndarray, *, keepdims: bool = False) -> np.ndarray:
    """The sum over the last axis, adding the columns one after the other.

    NumPy reduces a short last axis (ten class probabilities) one row at a time, four times
    slower than adding whole columns; the column order is also XLA's on the CPU.
    """
    classes = x.shape[-1] if x.ndim else 0
    if x.ndim != 2 or not 2 <= classes <= 64:
        return np.sum(x, axis=-1, keepdims=keepdims)
    total = x[:, 0].copy()
    for column in range(1, classes):
        total += x[:, column]
    return total[:, None] if keepdims else total


def take_per_row(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``x[row, index[row]]`` for each row of a 2-D ``x`` (the true class's probability)."""
    rows, classes = x.shape
    flat = np.arange(rows, dtype=np.intp) * classes + index
    return np.ascontiguousarray(x).ravel().take(flat)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(softmax(z))`` computed from shifted logits (stable at +-1000)."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """The softmax of ``z`` along ``axis``, from shifted logits."""
    unnormalized = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return unnormalized / np.sum(unnormalized, axis=axis, keepdims=True)


def logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """``log(sum(exp(a)))`` along ``axis``; a slice of only ``-inf`` gives ``-inf``."""
    amax = np.max(a, axis=axis, keepdims=True)
    amax = np.where(np.isfinite(amax), amax, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - amax), axis=axis, keepdims=True)) + amax
    return np.squeeze(out, axis=axis)


def mean(x: np.ndarray, axis: int | tuple[int, ...] | None = -1) -> np.ndarray:
    """Mean along ``axis`` as XLA computes it: the sum times the rounded reciprocal of n.

    ``sum / n`` and ``sum * (1 / n)`` differ in the last float32 digit (3.5 / 3 rounds to
    1.1666666, Keras reports 1.1666667); this keeps Keras's digit.
    """
    if axis == -1 and x.shape[-1] == 1:
        return x[..., 0].copy()  # the mean of one value is that value
    count = np.prod([x.shape[a] for a in np.atleast_1d(axis)]) if axis is not None else x.size
    return np.sum(x, axis=axis) * x.dtype.type(1.0 / count)
