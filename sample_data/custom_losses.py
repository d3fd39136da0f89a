"""Example user-defined losses for `losscli compute --loss sample_data/custom_losses.py:NAME`."""

from __future__ import annotations

import numpy as np


def huber_fn(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 1.0) -> np.ndarray:
    """Huber loss with my own threshold: one value per row."""
    error = np.abs(y_pred - y_true)
    quadratic = 0.5 * error**2
    linear = threshold * error - 0.5 * threshold**2
    return np.mean(np.where(error <= threshold, quadratic, linear), axis=-1)


class AsymmetricLoss:
    """Penalise under-prediction `under` times more than over-prediction (a Keras-style class)."""

    def __init__(self, under: float = 2.0) -> None:
        self.under = under

    def call(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        error = y_true - y_pred
        return np.mean(np.where(error > 0, self.under * error, -error), axis=-1)
