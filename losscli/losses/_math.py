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
    """``log(1 + exp(x))`` without overflow."""
    return np.logaddexp(x, 0)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log(sigmoid(x))`` without overflow or loss of precision for large ``|x|``."""
    return -softplus(-x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, saturating to exactly 0 or 1 for large ``|x|``."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


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
