"""LossState: the mergeable accumulator between batches, and the Keras reductions.

A state stores counts and sums, never means, so states from any split of the data merge into
exactly the state of one pass. Sums are float64: pairwise within a batch (NumPy) and
compensated across batches (Neumaier), so the result does not depend on the batch size beyond
rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from losscli.errors import UsageError
from losscli.lazy_numpy import lazy_numpy

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy(globals())

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", "max")
"""Keras 3's reductions (``mean`` is a synonym of ``sum_over_batch_size``), and ``max``: the
largest per-row value, unweighted (scikit-learn's ``max_error``; not a Keras reduction)."""

DEFAULT_REDUCTION = "sum_over_batch_size"
STATE_VERSION = 1


def standardize_reduction(reduction: str | None) -> str:
    """Validate a reduction name; ``None`` means ``"none"`` as in Keras."""
    if reduction is None:
        return "none"
    lowered = str(reduction).strip().lower()
    if lowered not in REDUCTIONS:
        raise UsageError(
            f"unknown reduction {reduction!r}; expected one of {', '.join(REDUCTIONS)}"
        )
    return lowered


@dataclass
class CompensatedSum:
    """A float64 running sum with a Neumaier compensation term."""

    total: float = 0.0
    compensation: float = 0.0

    def add(self, value: float) -> None:
        value = float(value)
        total = self.total + value
        if not math.isfinite(total):
            # inf or NaN: there is nothing to compensate, and inf - inf would turn it to NaN.
            self.total = total
            return
        if abs(self.total) >= abs(value):
            self.compensation += (self.total - total) + value
        else:
            self.compensation += (value - total) + self.total
        self.total = total

    @property
    def value(self) -> float:
        if not math.isfinite(self.total):
            return self.total
        return self.total + self.compensation

    def merged(self, other: CompensatedSum) -> CompensatedSum:
        result = CompensatedSum(self.total, self.compensation)
        result.add(other.total)
        result.add(other.compensation)
        return result


@dataclass
class LossState:
    """Everything needed to reduce a loss over the rows seen so far.

    ``count`` is the number of loss values (Keras's "batch size" divisor), ``valid`` those not
    masked out (``ignore_class``, Circle's zero-loss rows). Weighted sums use the effective
    weight ``sample_weight * class_weight * mask``. ``minimum``/``maximum`` are of the
    unweighted values. Dataset-scope losses (Dice with ``axis=None``) keep their summed
    statistics in ``statistics`` instead of per-row values.
    """

    count: int = 0
    valid: int = 0
    nonfinite: int = 0
    weighted: bool = False
    weighted_sum: CompensatedSum = field(default_factory=CompensatedSum)
    weight_sum: CompensatedSum = field(default_factory=CompensatedSum)
    weighted_square_sum: CompensatedSum = field(default_factory=CompensatedSum)
    minimum: float = math.inf
    maximum: float = -math.inf
    statistics: list[CompensatedSum] | None = None

    def update(
        self,
        values: np.ndarray,
        weights: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> LossState:
        """Add a batch of loss values (any shape) with optional weights and mask; returns self.

        ``weights`` must broadcast to ``values``; ``mask`` has the shape of ``values``.
        """
        values = np.asarray(values)
        effective = _effective_weights(values.shape, weights, mask)
        v64 = values.astype(np.float64, copy=False)
        self.count += values.size
        if effective is None:
            self.valid += values.size
            self.weight_sum.add(values.size)
            self.weighted_sum.add(np.sum(v64))
            with np.errstate(over="ignore"):
                self.weighted_square_sum.add(np.sum(np.square(v64)))
            counted = v64
        else:
            self.weighted = self.weighted or weights is not None
            self.valid += values.size if mask is None else int(np.count_nonzero(mask))
            self.weight_sum.add(np.sum(effective))
            # 0 * inf must not poison the sum: a weight of 0 removes the value entirely.
            with np.errstate(invalid="ignore", over="ignore"):
                contribution = np.where(effective != 0, effective * v64, 0.0)
                square = np.where(effective != 0, contribution * v64, 0.0)
            self.weighted_sum.add(np.sum(contribution))
            self.weighted_square_sum.add(np.sum(square))
            counted = v64 if mask is None else v64[np.broadcast_to(mask, values.shape)]
        self._track_extremes(counted)
        return self

    def update_statistics(
        self, statistics: np.ndarray, rows: int, weights: np.ndarray | None = None
    ) -> LossState:
        """Add a dataset-scope loss's batch statistics for ``rows`` rows; returns self."""
        sums = np.asarray(statistics, dtype=np.float64)
        if self.statistics is None:
            self.statistics = [CompensatedSum() for _ in sums]
        for accumulator, value in zip(self.statistics, sums, strict=True):
            accumulator.add(value)
        self.count += rows
        self.valid += rows
        if weights is None:
            self.weight_sum.add(rows)
        else:
            self.weighted = True
            self.weight_sum.add(np.sum(np.broadcast_to(weights, (rows,)), dtype=np.float64))
        return self

    def merge(self, other: LossState) -> LossState:
        """A new state equal to one pass over the rows of both; neither input changes."""
        if (self.statistics is None) != (other.statistics is None) and self.count and other.count:
            raise ValueError("cannot merge a per-row state with a dataset-statistics state")
        merged = LossState(
            count=self.count + other.count,
            valid=self.valid + other.valid,
            nonfinite=self.nonfinite + other.nonfinite,
            weighted=self.weighted or other.weighted,
            weighted_sum=self.weighted_sum.merged(other.weighted_sum),
            weight_sum=self.weight_sum.merged(other.weight_sum),
            weighted_square_sum=self.weighted_square_sum.merged(other.weighted_square_sum),
            minimum=min(self.minimum, other.minimum),
            maximum=max(self.maximum, other.maximum),
        )
        if self.statistics is None or other.statistics is None:
            source = self.statistics if self.statistics is not None else other.statistics
            merged.statistics = None if source is None else [s.merged(_ZERO) for s in source]
        else:
            merged.statistics = [
                a.merged(b) for a, b in zip(self.statistics, other.statistics, strict=True)
            ]
        return merged

    def result(
        self,
        reduction: str = DEFAULT_REDUCTION,
        finalize: Callable[[np.ndarray], float] | None = None,
    ) -> float:
        """The reduced loss, with Keras's divisors (a zero divisor gives 0, not NaN).

        A dataset-scope state needs ``finalize`` to turn its statistics into the loss value.
        """
        reduction = standardize_reduction(reduction)
        if reduction == "none":
            raise UsageError("a state holds sums, not rows: reduction 'none' needs the rows")
        if self.statistics is not None:
            if finalize is None:
                raise ValueError("a dataset-statistics state needs finalize() to give a result")
            return self._scalar_result(finalize(self.statistic_sums), reduction)
        if reduction == "max":
            return self.maximum if self.valid and self.maximum != -math.inf else 0.0
        total = self.weighted_sum.value
        if reduction == "sum":
            return total
        if reduction == "mean_with_sample_weight":
            return _divide_no_nan(total, self.weight_sum.value)
        return _divide_no_nan(total, self.valid)

    def _scalar_result(self, value: float, reduction: str) -> float:
        """Keras reduces a scalar loss only through its sample weights (else returns it)."""
        if not self.weighted or reduction == "max":
            return value
        weight_sum = self.weight_sum.value
        if self.count == 1:
            # Keras squeezes a single row's weight to a scalar: the product is never reduced.
            return value * weight_sum
        if reduction == "sum":
            return value * weight_sum
        if reduction == "mean_with_sample_weight":
            return value if weight_sum != 0 else 0.0
        return _divide_no_nan(value * weight_sum, self.count)

    @property
    def statistic_sums(self) -> np.ndarray:
        """The summed statistics of a dataset-scope loss."""
        assert self.statistics is not None
        return np.array([s.value for s in self.statistics])

    @property
    def mean(self) -> float:
        """The weighted mean of the values (``mean_with_sample_weight``)."""
        return _divide_no_nan(self.weighted_sum.value, self.weight_sum.value)

    @property
    def std(self) -> float:
        """The weighted standard deviation of the values (population form)."""
        weight_sum = self.weight_sum.value
        if weight_sum <= 0:
            return 0.0
        variance = self.weighted_square_sum.value / weight_sum - self.mean**2
        return math.sqrt(max(variance, 0.0))

    def to_dict(self) -> dict[str, Any]:
        """A versioned, JSON-ready form of the state (exact: floats round-trip)."""
        return {
            "version": STATE_VERSION,
            "count": self.count,
            "valid": self.valid,
            "nonfinite": self.nonfinite,
            "weighted": self.weighted,
            "weighted_sum": _pair(self.weighted_sum),
            "weight_sum": _pair(self.weight_sum),
            "weighted_square_sum": _pair(self.weighted_square_sum),
            "minimum": None if self.valid == 0 else self.minimum,
            "maximum": None if self.valid == 0 else self.maximum,
            "statistics": None if self.statistics is None else [_pair(s) for s in self.statistics],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LossState:
        """Rebuild a state written by :meth:`to_dict`."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported loss state version {data.get('version')!r}")
        statistics = data.get("statistics")
        return cls(
            count=int(data["count"]),
            valid=int(data["valid"]),
            nonfinite=int(data["nonfinite"]),
            weighted=bool(data["weighted"]),
            weighted_sum=CompensatedSum(*data["weighted_sum"]),
            weight_sum=CompensatedSum(*data["weight_sum"]),
            weighted_square_sum=CompensatedSum(*data["weighted_square_sum"]),
            minimum=math.inf if data["minimum"] is None else float(data["minimum"]),
            maximum=-math.inf if data["maximum"] is None else float(data["maximum"]),
            statistics=None if statistics is None else [CompensatedSum(*s) for s in statistics],
        )

    def _track_extremes(self, values: np.ndarray) -> None:
        if not values.size:
            return
        low, high = float(values.min()), float(values.max())
        if not (math.isfinite(low) and math.isfinite(high)):
            finite = values[np.isfinite(values)]
            self.nonfinite += values.size - finite.size
            if not finite.size:
                return
            low, high = float(finite.min()), float(finite.max())
        self.minimum = min(self.minimum, low)
        self.maximum = max(self.maximum, high)


_ZERO = CompensatedSum()


def _effective_weights(
    shape: tuple[int, ...], weights: np.ndarray | None, mask: np.ndarray | None
) -> np.ndarray | None:
    if weights is None and mask is None:
        return None
    effective = np.ones(shape) if weights is None else np.broadcast_to(weights, shape)
    effective = np.asarray(effective, dtype=np.float64)
    if mask is not None:
        effective = effective * np.asarray(mask, dtype=np.float64)
    return effective


def _divide_no_nan(numerator: float, denominator: float) -> float:
    return 0.0 if denominator == 0 else numerator / denominator


def _pair(total: CompensatedSum) -> list[float]:
    return [total.total, total.compensation]
