"""Running statistics of one column, updated batch by batch so memory is bounded by a batch.

:class:`ColumnStats` keeps, for one column (or one element of a list column), the counts and
first rows of missing, NaN, infinite, negative, above-one and fractional values, the counts of
up to :data:`~losscli.doctor.thresholds.MAX_DISTINCT` distinct whole values, and
:class:`Moments` of the finite values. Row numbers count data rows from 0 across all batches.
"""

from __future__ import annotations

import math

import numpy as np

from losscli.doctor.model import ColumnSummary
from losscli.doctor.thresholds import MAX_DISTINCT


class First:
    """How often something happened, and the row (and value) where it first did."""

    __slots__ = ("count", "row", "value")

    def __init__(self) -> None:
        self.count = 0
        self.row: int | None = None
        self.value: float | None = None

    def add(self, mask: np.ndarray, offset: int, values: np.ndarray | None = None) -> None:
        """Count the True entries of ``mask``, a batch whose first row is row ``offset``."""
        hits = int(np.count_nonzero(mask))
        if not hits:
            return
        if self.row is None:
            index = int(np.argmax(mask))
            self.row = offset + index
            if values is not None:
                self.value = float(values[index])
        self.count += hits


def earliest(*events: First) -> First:
    """Several counters as one: the counts added, the earliest first row."""
    merged = First()
    for event in events:
        merged.count += event.count
        if event.row is not None and (merged.row is None or event.row < merged.row):
            merged.row, merged.value = event.row, event.value
    return merged


class Moments:
    """Count, min, max, smallest positive, |x| sum and power sums about a fixed shift.

    The shift is the first finite value seen, so the sums of any batching are the same up to
    rounding and the variance and kurtosis do not cancel catastrophically.
    """

    def __init__(self) -> None:
        self.count = 0
        self.min = math.inf
        self.max = -math.inf
        self.min_positive = math.inf
        self.abs_sum = 0.0
        self.shift: float | None = None
        self.sums = [0.0, 0.0, 0.0, 0.0]

    def update(self, values: np.ndarray) -> None:
        """Add finite float64 values."""
        if not values.size:
            return
        self.count += int(values.size)
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        positive = values[values > 0]
        if positive.size:
            self.min_positive = min(self.min_positive, float(positive.min()))
        self.abs_sum += float(np.abs(values).sum())
        if self.shift is None:
            self.shift = float(values[0])
        d = values - self.shift
        d2 = d * d
        for power, part in enumerate((d, d2, d2 * d, d2 * d2)):
            self.sums[power] += float(part.sum())

    @property
    def mean(self) -> float | None:
        """The mean; None when there are no values or the sums overflowed (|x| near 1e308)."""
        if not self.count or self.shift is None:
            return None
        mean = self.shift + self.sums[0] / self.count
        return mean if math.isfinite(mean) else None

    def _central(self) -> tuple[float, float]:
        """The second and fourth central moments (population)."""
        n = self.count
        m1, s2, s3, s4 = self.sums[0] / n, self.sums[1] / n, self.sums[2] / n, self.sums[3] / n
        m1sq = m1 * m1
        c2 = max(s2 - m1sq, 0.0)
        c4 = s4 - 4 * m1 * s3 + 6 * m1sq * s2 - 3 * m1sq * m1sq
        return c2, max(c4, 0.0)

    @property
    def std(self) -> float | None:
        """The population standard deviation; None when there are no values or not finite."""
        if not self.count:
            return None
        std = math.sqrt(self._central()[0])
        return std if math.isfinite(std) else None

    @property
    def kurtosis(self) -> float | None:
        """m4 / m2 ** 2 (3 for a normal distribution); None when constant or not finite."""
        if self.count < 2:
            return None
        c2, c4 = self._central()
        if not c2 > 0 or not math.isfinite(c4):
            return None
        value = c4 / (c2 * c2)
        return value if math.isfinite(value) else None


class ColumnStats:
    """Running statistics of one column: non-finite values, range, whole values, moments."""

    def __init__(self, name: str, role: str) -> None:
        self.name = name
        self.role = role  # "y_true", "y_pred" or "sample_weight"
        self.rows = 0
        self.missing = First()
        self.nan = First()
        self.inf = First()
        self.below0 = First()
        self.above1 = First()
        self.fraction = First()
        self.zeros = 0
        self.ones = 0
        self.moments = Moments()
        self.distinct: dict[float, int] | None = {}  # None once there are too many

    def update(self, x: np.ndarray, missing: np.ndarray | None, offset: int) -> None:
        """Add the float64 values ``x`` (``missing`` marks null cells), rows from ``offset``."""
        self.rows += int(x.size)
        nan = np.isnan(x)
        if missing is not None:
            self.missing.add(missing, offset)
            nan &= ~missing
        self.nan.add(nan, offset)
        self.inf.add(np.isinf(x), offset, x)
        finite = np.isfinite(x)
        values = x[finite]
        if not values.size:
            return
        self.below0.add(finite & (x < 0), offset, x)
        self.above1.add(finite & (x > 1), offset, x)
        whole_mask = finite & (x == np.floor(x))
        self.fraction.add(finite & ~whole_mask, offset, x)
        self.zeros += int(np.count_nonzero(values == 0))
        self.ones += int(np.count_nonzero(values == 1))
        self.moments.update(values)
        if self.distinct is not None:
            keys, counts = np.unique(x[whole_mask], return_counts=True)
            if keys.size > MAX_DISTINCT:
                self.distinct = None
                return
            for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
                self.distinct[key] = self.distinct.get(key, 0) + count
            if len(self.distinct) > MAX_DISTINCT:
                self.distinct = None

    @property
    def finite(self) -> int:
        """How many values are finite."""
        return self.moments.count

    @property
    def whole(self) -> bool:
        """Every finite value is a whole number."""
        return self.fraction.count == 0

    def summary(self) -> ColumnSummary:
        """The statistics a :class:`~losscli.doctor.model.Diagnosis` reports."""
        m = self.moments
        return ColumnSummary(
            column=self.name,
            role=self.role,
            rows=self.rows,
            missing=self.missing.count,
            nan=self.nan.count,
            inf=self.inf.count,
            min=m.min if m.count else None,
            max=m.max if m.count else None,
            mean=m.mean,
            std=m.std,
        )
