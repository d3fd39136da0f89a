"""Valid random inputs for scikit-learn's losses whose target kind does not say enough.

The Tweedie deviances and ``max_error`` take one output column and (deviances) values in their
domain; RMSLE needs values above -1; ``log_loss`` and ``brier_score`` also take a single column
(the probability of class 1); ``zero_one`` and ``hamming`` compare predicted labels (or class
scores) with true labels. Each sampler picks one of its input forms at random.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Inputs = tuple[Any, Any]


def _class_probabilities(rng: np.random.Generator, n: int) -> Inputs:
    """Class ids with ``[n, C]`` probabilities, or 0/1 labels with one column for class 1."""
    classes = int(rng.integers(1, 5))  # 1: the single-column binary form
    width = max(classes, 2)
    labels = rng.integers(0, width, n)
    probabilities = rng.dirichlet(np.ones(width), size=n)
    return labels, probabilities[:, 1] if classes == 1 else probabilities


def _predicted_labels(rng: np.random.Generator, n: int) -> Inputs:
    """Multiclass ids (one column), class scores, or 0/1 multilabel rows; some are right."""
    form = rng.integers(0, 3)
    if form == 0:
        y_true = rng.integers(0, 4, n)
        y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, 4, n))
    elif form == 1:
        y_true = rng.integers(0, 3, n)
        y_pred = rng.dirichlet(np.ones(3), size=n)
    else:
        labels = int(rng.integers(2, 5))
        y_true = rng.integers(0, 2, (n, labels))
        y_pred = np.where(rng.random((n, labels)) < 0.7, y_true, 1 - y_true)
    return y_true, y_pred


def _positive(rng: np.random.Generator, n: int) -> Inputs:
    """One column of strictly positive targets and predictions (every Tweedie power)."""
    return rng.uniform(0.1, 6.0, n), rng.uniform(0.1, 6.0, n)


def _counts(rng: np.random.Generator, n: int) -> Inputs:
    """Counts (zeros included) and positive rates, one column."""
    return rng.poisson(2.0, n).astype(float), rng.uniform(0.1, 6.0, n)


def _one_output(rng: np.random.Generator, n: int) -> Inputs:
    return rng.normal(0, 3, n), rng.normal(0, 3, n)


def _above_minus_one(rng: np.random.Generator, n: int) -> Inputs:
    """``[n, K]`` values in (-1, inf), where ``log1p`` is defined."""
    shape = (n, int(rng.integers(1, 4)))
    return rng.uniform(-0.99, 5.0, shape), rng.uniform(-0.99, 5.0, shape)


SAMPLERS = {
    "log_loss": _class_probabilities,
    "brier_score": _class_probabilities,
    "zero_one": _predicted_labels,
    "hamming": _predicted_labels,
    "mean_tweedie_deviance": _positive,
    "mean_poisson_deviance": _counts,
    "mean_gamma_deviance": _positive,
    "max_error": _one_output,
    "root_mean_squared_log_error": _above_minus_one,
}
