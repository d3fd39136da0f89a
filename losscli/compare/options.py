"""How to compare: the validated settings shared by the in-memory and the streaming comparison."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from losscli.defaults import DEFAULT_LEVEL, DEFAULT_REPLICATES
from losscli.errors import UsageError
from losscli.evaluation import check_nan_policy
from losscli.pipeline import DEFAULT_BATCH_SIZE
from losscli.state import standardize_reduction

__all__ = ["DEFAULT_LEVEL", "DEFAULT_REPLICATES", "CompareOptions"]


@dataclass(frozen=True)
class CompareOptions:
    """How to compare: the reduction, arithmetic, NaN policy, weights, batch and bootstrap."""

    reduction: str | None = None  # None: each loss's default (Keras: sum_over_batch_size)
    dtype: str | None = None
    nan: str = "error"
    class_weight: Mapping[int, float] | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    level: float = DEFAULT_LEVEL
    replicates: int = DEFAULT_REPLICATES
    seed: int = 0

    def __post_init__(self) -> None:
        if self.reduction is not None:
            reduction = standardize_reduction(self.reduction)
            if reduction == "none":
                raise UsageError("compare needs a reduced value per model: drop reduction 'none'")
            object.__setattr__(self, "reduction", reduction)
        check_nan_policy(self.nan)
        if self.batch_size < 1:
            raise UsageError(f"the batch size must be at least 1, not {self.batch_size}")
        if not 0 < self.level < 1:
            raise UsageError(f"the confidence level must be between 0 and 1, not {self.level}")
        if self.replicates < 1:
            raise UsageError(f"replicates must be at least 1, not {self.replicates}")
        if not 0 <= self.seed < 2**64:
            raise UsageError(f"the seed must be an integer in [0, 2**64), not {self.seed}")
