"""Running checks across the columns of one row: y_pred rows summing to 1, one-hot y_true rows.

Used when y_pred or y_true spans several columns (or one list column); like the per-column
statistics they are updated batch by batch.
"""

from __future__ import annotations

import numpy as np

from losscli.doctor.statistics import First
from losscli.doctor.thresholds import SUM_TOLERANCE


class PredRows:
    """Row sums of several y_pred columns: how many rows sum to 1, and the worst."""

    def __init__(self) -> None:
        self.rows = 0  # rows whose values are all finite
        self.off = First()  # rows (not all zero) whose sum is off 1 by more than SUM_TOLERANCE
        self.zero = First()  # rows of zeros only
        self.worst_row: int | None = None
        self.worst_sum = 1.0
        self.worst_gap = 0.0

    def update(self, pred: np.ndarray, offset: int) -> None:
        """Add the ``[n, K]`` y_pred values of a batch whose first row is row ``offset``."""
        ok = np.isfinite(pred).all(axis=1)
        self.rows += int(np.count_nonzero(ok))
        sums = np.where(ok, pred.sum(axis=1), 1.0)
        gap = np.abs(sums - 1.0)
        zero = ok & (pred == 0).all(axis=1)
        off = ok & ~zero & (gap > SUM_TOLERANCE)
        self.off.add(off, offset, sums)
        self.zero.add(zero, offset)
        if off.any():
            index = int(np.argmax(np.where(off, gap, -1.0)))
            if gap[index] > self.worst_gap:
                self.worst_gap = float(gap[index])
                self.worst_sum = float(sums[index])
                self.worst_row = offset + index


class TrueRows:
    """One-hot checks of several y_true columns."""

    def __init__(self) -> None:
        self.rows = 0  # rows whose values are all finite
        self.binary_rows = 0  # all values 0 or 1
        self.one_hot_rows = 0  # ... with exactly one 1
        self.several = First()  # 0/1 rows with more than one 1
        self.empty = First()  # 0/1 rows with no 1
        self.unit_rows = 0  # all values in [0, 1]
        self.distribution_rows = 0  # ... summing to 1

    def update(self, true: np.ndarray, offset: int) -> None:
        """Add the ``[n, K]`` y_true values of a batch whose first row is row ``offset``."""
        ok = np.isfinite(true).all(axis=1)
        self.rows += int(np.count_nonzero(ok))
        binary = ok & ((true == 0) | (true == 1)).all(axis=1)
        ones = (true == 1).sum(axis=1)
        self.binary_rows += int(np.count_nonzero(binary))
        self.one_hot_rows += int(np.count_nonzero(binary & (ones == 1)))
        self.several.add(binary & (ones > 1), offset)
        self.empty.add(binary & (ones == 0), offset)
        unit = ok & ((true >= 0) & (true <= 1)).all(axis=1)
        sums = np.where(unit, true.sum(axis=1), 0.0)
        self.unit_rows += int(np.count_nonzero(unit))
        self.distribution_rows += int(np.count_nonzero(unit & (np.abs(sums - 1) <= SUM_TOLERANCE)))
