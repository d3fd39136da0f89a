"""From both models' accumulators of one loss and slice to its :class:`ComparisonResult`.

Each model's value is its exact state reduced as ``losscli.compute`` reduces it; the intervals
are percentile intervals of the replicates, the difference's over the paired replicates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from losscli.bootstrap import percentile_interval
from losscli.compare.accumulators import Accumulator
from losscli.compare.results import ComparisonResult, ModelValue
from losscli.compare.verdicts import verdict
from losscli.losses.spec import Scope
from losscli.pipeline import LossJob

__all__ = ["summarize"]


def summarize(
    job: LossJob,
    new: Accumulator,
    old: Accumulator,
    *,
    reduction: str,
    dtype: np.dtype,
    level: float,
    replicates: int,
    slice_: tuple[tuple[str, Any], ...] | None,
) -> ComparisonResult:
    """The values, ``delta = new - old``, its interval at ``level`` and the verdict."""
    dataset = job.loss.scope is Scope.DATASET

    def finalize(sums: np.ndarray) -> float:
        return job.loss.finalize(sums, dtype)

    models, draws = [], []
    for accumulator in (new, old):
        value = accumulator.state.result(reduction, finalize if dataset else None)
        draws.append(accumulator.replicate_values(reduction, finalize if dataset else None))
        low, high = percentile_interval(draws[-1], level)
        models.append(
            ModelValue(value, low, high, accumulator.used, accumulator.rows - accumulator.used)
        )
    with np.errstate(invalid="ignore"):
        low, high = percentile_interval(draws[0] - draws[1], level)
    higher = job.loss.spec.higher_is_better
    return ComparisonResult(
        loss=job.loss.name,
        label=job.label,
        params=dict(job.loss.params),
        reduction=reduction,
        rows=new.rows,
        new=models[0],
        old=models[1],
        delta=models[0].value - models[1].value,
        ci_low=low,
        ci_high=high,
        level=level,
        replicates=replicates,
        verdict=verdict(low, high, higher_is_better=higher),
        higher_is_better=higher,
        slice=slice_,
    )
