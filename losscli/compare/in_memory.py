"""``compare_arrays``: two models' predictions of the same in-memory targets, compared."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from losscli.bootstrap import key_hashes
from losscli.compare.engine import PairedComputation
from losscli.compare.options import DEFAULT_LEVEL, DEFAULT_REPLICATES, CompareOptions
from losscli.compare.poisson import poisson_draw
from losscli.compare.results import ComparisonResult
from losscli.errors import InputDataError
from losscli.evaluation import NanPolicy
from losscli.losses import Loss, get_loss
from losscli.pipeline import LossJob
from losscli.weights import parse_class_weight

__all__ = ["compare_arrays"]


def compare_arrays(
    loss: str | Mapping[str, Any] | Loss,
    y_true: Any,
    y_pred_new: Any,
    y_pred_old: Any,
    *,
    sample_weight: Any = None,
    class_weight: Mapping[Any, float] | str | None = None,
    reduction: str | None = None,
    dtype: str | None = None,
    nan: NanPolicy = "error",
    level: float = DEFAULT_LEVEL,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    keys: Any = None,
    **params: Any,
) -> ComparisonResult:
    """Compare two models' predictions of the same targets with ``loss``.

    Args:
        loss: a name or alias, a Keras config dict, or a :class:`~losscli.losses.Loss`.
        y_true: the targets, one row per sample.
        y_pred_new, y_pred_old: the two models' predictions, row for row.
        sample_weight, class_weight, reduction, dtype, nan, **params: as in
            :func:`losscli.compute`; each model's value is what ``compute`` gives.
        level: the confidence level of the intervals.
        replicates: the number of bootstrap replicates R.
        seed: the seed of the Poisson weights.
        keys: one key per row: the bootstrap weights then follow the key (rows sharing a key
            are resampled together); else they follow the row's position.

    Returns:
        The values, ``delta = new - old``, its paired bootstrap interval and the verdict.
    """
    bound = get_loss(loss, **params)
    options = CompareOptions(
        reduction=reduction,
        dtype=dtype,
        nan=nan,
        class_weight=None if class_weight is None else parse_class_weight(class_weight),
        level=level,
        replicates=replicates,
        seed=seed,
    )
    computation = PairedComputation([LossJob(bound, str(bound), bound.name)], options)
    y_true = np.asarray(y_true)
    weights = None if sample_weight is None else np.asarray(sample_weight)
    rows = len(y_true) if y_true.ndim else 0
    hashes = None
    if keys is not None:
        key_array = np.asarray(keys)
        if key_array.shape != (rows,):
            raise InputDataError(
                f"keys must be one per row ({rows}), not of shape {key_array.shape}"
            )
        hashes = key_hashes(key_array)
    if computation.needs_scan:
        computation.scan([(y_true, weights)])
    computation.feed(
        y_true,
        y_pred_new,
        y_pred_old,
        poisson=poisson_draw(seed, replicates, hashes=hashes),
        sample_weight=weights,
    )
    result = computation.results()[0]
    if result.new.rows_used == 0 or result.old.rows_used == 0:
        raise InputDataError(f"{bound.name}: no rows to compare")
    return result
